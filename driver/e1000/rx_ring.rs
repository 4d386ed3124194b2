//! Receive ring bookkeeping: which buffers the NIC owns, which frames the driver has taken
//! and not yet given back, and the validation that keeps a bad descriptor from ever being
//! indicated.
//!
//! Every slot has a fixed buffer (a physical address given at construction). A slot is in one
//! of three states:
//! - **posted**: the NIC may fill it (slots `next..tail`, `next` being the next one to
//!   harvest);
//! - **held**: harvested and handed up the stack, waiting for [`RxRing::repost`];
//! - **ready**: given back (or dropped), its descriptor rewritten, waiting for `tail` to
//!   reach it.
//!
//! RDT (`tail`) only moves forward over ready slots, so frames returned out of order wait
//! until the ones before them come back. One slot always stays on the driver's side, because
//! RDH == RDT means "no descriptors" to the NIC: at start-up all `n` buffers are written but
//! RDT = `n - 1`.

use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{Ordering, fence};

use super::access::Registers;
use super::descriptors::{DescriptorMemory, RxDescriptor, rx_status};
use super::regs::{RDT, rctl};
use super::ring::{BadRingSize, RingSize};

/// Size of each receive buffer, as RCTL.BSIZE/BSEX encode it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BufferSize {
    /// 256 bytes.
    B256,
    /// 512 bytes.
    B512,
    /// 1024 bytes.
    B1024,
    /// 2048 bytes: a whole standard frame in one buffer; what the driver uses.
    B2048,
    /// 4096 bytes (needs RCTL.BSEX).
    B4096,
    /// 8192 bytes (needs RCTL.BSEX).
    B8192,
    /// 16384 bytes (needs RCTL.BSEX).
    B16384,
}

impl BufferSize {
    /// The size in bytes.
    #[must_use]
    pub const fn bytes(self) -> u16 {
        match self {
            Self::B256 => 256,
            Self::B512 => 512,
            Self::B1024 => 1024,
            Self::B2048 => 2048,
            Self::B4096 => 4096,
            Self::B8192 => 8192,
            Self::B16384 => 16384,
        }
    }

    /// The RCTL bits selecting it (BSIZE, and BSEX for the large sizes).
    #[must_use]
    pub const fn rctl_bits(self) -> u32 {
        let (bsize, bsex) = match self {
            Self::B2048 => (0, false),
            Self::B1024 => (1, false),
            Self::B512 => (2, false),
            Self::B256 => (3, false),
            Self::B16384 => (1, true),
            Self::B8192 => (2, true),
            Self::B4096 => (3, true),
        };
        (bsize << rctl::BSIZE_SHIFT) | if bsex { rctl::BSEX } else { 0 }
    }
}

/// A receive ring that cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxRingError {
    /// The number of buffers is not a ring size the NIC accepts.
    Size(BadRingSize),
    /// A buffer address is 0 (the NIC would skip the descriptor).
    NullBuffer {
        /// The slot.
        slot: u16,
    },
    /// [`RxRing::restart`] while frames are still held by the stack.
    Busy {
        /// How many are held.
        held: u16,
    },
}

impl fmt::Display for RxRingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Size(e) => write!(f, "receive ring: {e}"),
            Self::NullBuffer { slot } => write!(f, "receive ring: slot {slot} has no buffer"),
            Self::Busy { held } => {
                write!(f, "receive ring: {held} frames still held, cannot restart")
            }
        }
    }
}

/// [`RxRing::repost`] of a slot that is not held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotHeld {
    /// The slot given.
    pub slot: u16,
}

/// The shortest frame the ring hands up: a whole Ethernet header (a device that writes back
/// less is broken or hostile; the stack would read past the frame).
pub const MIN_FRAME: u16 = 14;
/// The longest frame the ring hands up, without FCS (RCTL.SECRC strips it): 1,514 bytes, 1,518
/// with an 802.1Q tag. With RCTL.LPE off (the driver never sets it) the NIC delivers nothing
/// longer, so a longer write-back is a broken or hostile device.
pub const MAX_FRAME: u16 = 1518;

/// A received frame, validated: one buffer, no error bits, a length in
/// [`MIN_FRAME`]`..=`[`MAX_FRAME`] that fits the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxFrame {
    /// The slot whose buffer holds the frame; give it back with [`RxRing::repost`].
    pub slot: u16,
    /// Bytes of frame in the buffer (without FCS when RCTL.SECRC is set).
    pub length: u16,
    /// The descriptor's status bits ([`rx_status`]).
    pub status: u8,
}

/// Descriptors the ring dropped instead of returning them from [`RxRing::harvest`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxDrops {
    /// Frames whose descriptor had error bits set.
    pub errors: u64,
    /// Frames shorter than [`MIN_FRAME`], longer than [`MAX_FRAME`] or than the buffer.
    pub bad_length: u64,
    /// Frames spread over several buffers (a descriptor without EOP): the driver posts
    /// buffers large enough for any frame it accepts, so these are dropped whole.
    pub fragmented: u64,
}

impl RxDrops {
    /// All dropped frames.
    #[must_use]
    pub const fn total(&self) -> u64 {
        self.errors + self.bad_length + self.fragmented
    }
}

/// State of one slot (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotState {
    Posted,
    Held,
    Ready,
}

/// Bookkeeping of the receive ring. Plain data: no locks inside; the caller serialises.
#[derive(Debug)]
pub struct RxRing {
    size: RingSize,
    buffer_size: BufferSize,
    buffers: Vec<u64>,
    states: Vec<SlotState>,
    /// Next slot to harvest.
    next: u16,
    /// RDT: first slot not owned by the NIC.
    tail: u16,
    /// RDT as last written, `None` before the NIC was told about this ring.
    rung: Option<u16>,
    /// Inside a multi-buffer frame being dropped, up to its EOP descriptor.
    discarding: bool,
    held: u16,
    received: u64,
    drops: RxDrops,
}

impl RxRing {
    /// A ring with one slot per buffer in `buffers` (physical addresses, each `buffer_size`
    /// bytes), every descriptor written to `mem` ready for the NIC.
    ///
    /// # Errors
    /// [`RxRingError::Size`] when the count is not a valid ring size,
    /// [`RxRingError::NullBuffer`] for a zero address.
    pub fn new<M: DescriptorMemory + ?Sized>(
        mem: &M,
        buffers: &[u64],
        buffer_size: BufferSize,
    ) -> Result<Self, RxRingError> {
        let size = RingSize::new(buffers.len()).map_err(RxRingError::Size)?;
        if let Some(slot) = buffers.iter().position(|&b| b == 0) {
            // `slot < size ≤ u16::MAX`.
            let slot = u16::try_from(slot).unwrap_or(u16::MAX);
            return Err(RxRingError::NullBuffer { slot });
        }
        let mut ring = Self {
            size,
            buffer_size,
            buffers: buffers.to_vec(),
            states: Vec::with_capacity(size.len()),
            next: 0,
            tail: 0,
            rung: None,
            discarding: false,
            held: 0,
            received: 0,
            drops: RxDrops::default(),
        };
        ring.states.resize(size.len(), SlotState::Posted);
        ring.rearm(mem);
        Ok(ring)
    }

    /// Rewrites every descriptor and starts over at slot 0: slots `0..n-1` posted, the last
    /// one ready, RDT = `n - 1`.
    fn rearm<M: DescriptorMemory + ?Sized>(&mut self, mem: &M) {
        for (slot, &buffer) in (0..self.size.descriptors()).zip(&self.buffers) {
            mem.write(slot, &RxDescriptor::posted(buffer).to_bytes());
        }
        self.states.fill(SlotState::Posted);
        let last = self.size.descriptors() - 1;
        self.states[usize::from(last)] = SlotState::Ready;
        self.next = 0;
        self.tail = last;
        self.rung = None;
        self.discarding = false;
    }

    /// Starts the ring over after a reset of the NIC: every descriptor rewritten, indices
    /// back to the start. The counters are kept.
    ///
    /// # Errors
    /// [`RxRingError::Busy`] while the stack still holds frames: their buffers cannot be
    /// handed to the NIC.
    pub fn restart<M: DescriptorMemory + ?Sized>(&mut self, mem: &M) -> Result<(), RxRingError> {
        if self.held != 0 {
            return Err(RxRingError::Busy { held: self.held });
        }
        self.rearm(mem);
        Ok(())
    }

    /// Number of descriptors.
    #[must_use]
    pub fn size(&self) -> RingSize {
        self.size
    }

    /// The size of every buffer.
    #[must_use]
    pub fn buffer_size(&self) -> BufferSize {
        self.buffer_size
    }

    /// The physical address of `slot`'s buffer.
    #[must_use]
    pub fn buffer_address(&self, slot: u16) -> Option<u64> {
        self.buffers.get(usize::from(slot)).copied()
    }

    /// The value RDT gets: the first slot the NIC does not own.
    #[must_use]
    pub fn tail(&self) -> u16 {
        self.tail
    }

    /// Frames harvested and not yet reposted.
    #[must_use]
    pub fn held(&self) -> u16 {
        self.held
    }

    /// Frames returned by [`RxRing::harvest`] since creation.
    #[must_use]
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Descriptors dropped since creation.
    #[must_use]
    pub fn drops(&self) -> RxDrops {
        self.drops
    }

    /// The next frame the NIC has written back, validated; `None` when there is none yet.
    ///
    /// Descriptors that fail validation (error bits, a runt or oversize length,
    /// a frame spread over several buffers) are dropped on the way: counted in
    /// [`RxRing::drops`] and their slots given straight back, never returned. The returned
    /// frame's slot is held until [`RxRing::repost`].
    pub fn harvest<M: DescriptorMemory + ?Sized>(&mut self, mem: &M) -> Option<RxFrame> {
        loop {
            let slot = self.next;
            if slot == self.tail {
                return None;
            }
            if !RxDescriptor::from_bytes(&mem.read(slot)).is_done() {
                return None;
            }
            // DD was seen; only now are the other fields final. Read them again after the
            // fence so a read of the length that raced the write-back is not used.
            fence(Ordering::Acquire);
            let desc = RxDescriptor::from_bytes(&mem.read(slot));
            self.next = self.size.next(slot);
            if let Some(frame) = self.validate(slot, &desc) {
                self.states[usize::from(slot)] = SlotState::Held;
                self.held += 1;
                self.received += 1;
                self.advance_tail();
                return Some(frame);
            }
            self.recycle(mem, slot);
        }
    }

    /// The frame in `desc`, or `None` (counted) when it must be dropped.
    fn validate(&mut self, slot: u16, desc: &RxDescriptor) -> Option<RxFrame> {
        let end_of_packet = desc.status & rx_status::EOP != 0;
        if self.discarding {
            // The rest of a multi-buffer frame already counted.
            self.discarding = !end_of_packet;
            return None;
        }
        if !end_of_packet {
            self.drops.fragmented += 1;
            self.discarding = true;
            return None;
        }
        if desc.errors != 0 {
            self.drops.errors += 1;
            return None;
        }
        if !(MIN_FRAME..=MAX_FRAME).contains(&desc.length) || desc.length > self.buffer_size.bytes()
        {
            self.drops.bad_length += 1;
            return None;
        }
        Some(RxFrame {
            slot,
            length: desc.length,
            status: desc.status,
        })
    }

    /// Gives a held slot's buffer back to the NIC (at the next doorbell once `tail` reaches
    /// it). Slots may come back in any order.
    ///
    /// # Errors
    /// [`NotHeld`] when `slot` is not a held slot of this ring (out of range, never
    /// harvested, or already reposted): nothing changes.
    pub fn repost<M: DescriptorMemory + ?Sized>(
        &mut self,
        mem: &M,
        slot: u16,
    ) -> Result<(), NotHeld> {
        if self.states.get(usize::from(slot)) != Some(&SlotState::Held) {
            return Err(NotHeld { slot });
        }
        self.held -= 1;
        self.recycle(mem, slot);
        Ok(())
    }

    /// Rewrites `slot`'s descriptor (DD clear) and marks it ready.
    fn recycle<M: DescriptorMemory + ?Sized>(&mut self, mem: &M, slot: u16) {
        let buffer = self.buffers[usize::from(slot)];
        mem.write(slot, &RxDescriptor::posted(buffer).to_bytes());
        self.states[usize::from(slot)] = SlotState::Ready;
        self.advance_tail();
    }

    /// Moves `tail` over ready slots, keeping one slot on the driver's side.
    fn advance_tail(&mut self) {
        while self.states[usize::from(self.tail)] == SlotState::Ready {
            let after = self.size.next(self.tail);
            if after == self.next {
                break;
            }
            self.states[usize::from(self.tail)] = SlotState::Posted;
            self.tail = after;
        }
    }

    /// Writes RDT if `tail` moved since the last doorbell, after a release fence so the
    /// rewritten descriptors are in memory before the NIC may use them.
    pub fn doorbell<R: Registers + ?Sized>(&mut self, regs: &R) {
        if self.rung != Some(self.tail) {
            fence(Ordering::Release);
            regs.write(RDT, u32::from(self.tail));
            self.rung = Some(self.tail);
        }
    }

    /// Whether the ring is as [`RxRing::new`] or [`RxRing::restart`] left it: every buffer
    /// posted, nothing held, the NIC not yet told.
    pub(super) fn is_fresh(&self) -> bool {
        self.rung.is_none() && self.held == 0
    }

    /// Records that bring-up programmed RDH = `next` and RDT = `tail`.
    pub(super) fn programmed(&mut self) {
        self.rung = Some(self.tail);
    }

    /// The next slot to harvest: what RDH is programmed with at bring-up.
    pub(super) fn head(&self) -> u16 {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;
    use crate::e1000::access::testing::FakeRegs;
    use crate::e1000::descriptors::rx_errors;
    use crate::e1000::descriptors::testing::VecRing;

    fn buffers(n: u16) -> Vec<u64> {
        (0..n).map(|i| 0x10_0000 + u64::from(i) * 0x1000).collect()
    }

    fn ring(n: u16) -> (RxRing, VecRing) {
        let mem = VecRing::new(usize::from(n));
        let rx = RxRing::new(&mem, &buffers(n), BufferSize::B2048).unwrap();
        (rx, mem)
    }

    /// What the NIC does: writes descriptor `i` back.
    fn write_back(mem: &VecRing, i: u16, length: u16, status: u8, errors: u8) {
        let mut d = RxDescriptor::from_bytes(&mem.get(i));
        d.length = length;
        d.status = status;
        d.errors = errors;
        mem.set(i, d.to_bytes());
    }

    const GOOD: u8 = rx_status::DD | rx_status::EOP;

    #[test]
    fn buffer_size_encodings_are_the_manuals() {
        assert_eq!(BufferSize::B2048.rctl_bits(), 0);
        assert_eq!(BufferSize::B1024.rctl_bits(), 1 << 16);
        assert_eq!(BufferSize::B256.rctl_bits(), 3 << 16);
        assert_eq!(BufferSize::B16384.rctl_bits(), (1 << 16) | (1 << 25));
        assert_eq!(BufferSize::B4096.rctl_bits(), (3 << 16) | (1 << 25));
        assert_eq!(BufferSize::B4096.bytes(), 4096);
    }

    #[test]
    fn construction_posts_every_buffer_and_keeps_one_slot_back() {
        let (rx, mem) = ring(8);
        for i in 0..8 {
            let d = RxDescriptor::from_bytes(&mem.get(i));
            assert_eq!(d, RxDescriptor::posted(0x10_0000 + u64::from(i) * 0x1000));
        }
        assert_eq!(rx.tail(), 7);
        assert_eq!(rx.head(), 0);
        let mem = VecRing::new(8);
        assert_eq!(
            RxRing::new(&mem, &buffers(7), BufferSize::B2048).unwrap_err(),
            RxRingError::Size(BadRingSize { descriptors: 7 })
        );
        let mut bad = buffers(8);
        bad[3] = 0;
        assert_eq!(
            RxRing::new(&mem, &bad, BufferSize::B2048).unwrap_err(),
            RxRingError::NullBuffer { slot: 3 }
        );
    }

    #[test]
    fn harvests_a_good_frame_and_nothing_before_dd() {
        let (mut rx, mem) = ring(8);
        assert_eq!(rx.harvest(&mem), None);
        write_back(&mem, 0, 60, GOOD | rx_status::IXSM, 0);
        assert_eq!(
            rx.harvest(&mem),
            Some(RxFrame {
                slot: 0,
                length: 60,
                status: GOOD | rx_status::IXSM
            })
        );
        assert_eq!(rx.harvest(&mem), None);
        assert_eq!(rx.held(), 1);
        assert_eq!(rx.received(), 1);
        // Slot 7 (kept back) moved to the NIC; slot 0 is held, so the tail stops there.
        assert_eq!(rx.tail(), 0);
    }

    #[test]
    fn bad_descriptors_are_dropped_counted_and_recycled() {
        let (mut rx, mem) = ring(8);
        write_back(&mem, 0, 60, GOOD, rx_errors::CE);
        write_back(&mem, 1, 60, GOOD, rx_errors::RXE);
        write_back(&mem, 2, 0, GOOD, 0);
        write_back(&mem, 3, 2049, GOOD, 0);
        write_back(&mem, 4, 1514, GOOD, 0);
        let frame = rx.harvest(&mem).unwrap();
        assert_eq!((frame.slot, frame.length), (4, 1514));
        assert_eq!(
            rx.drops(),
            RxDrops {
                errors: 2,
                bad_length: 2,
                fragmented: 0
            }
        );
        assert_eq!(rx.drops().total(), 4);
        // The dropped slots were rewritten for the NIC.
        for i in 0..4 {
            assert!(!RxDescriptor::from_bytes(&mem.get(i)).is_done());
        }
        // Slots 7, 0..3 went back to the NIC; held slot 4 stops the tail.
        assert_eq!(rx.tail(), 4);
    }

    #[test]
    fn runts_and_oversize_frames_are_dropped_and_counted() {
        let (mut rx, mem) = ring(8);
        write_back(&mem, 0, 1, GOOD, 0);
        write_back(&mem, 1, MIN_FRAME - 1, GOOD, 0);
        write_back(&mem, 2, MIN_FRAME, GOOD, 0);
        write_back(&mem, 3, MAX_FRAME + 1, GOOD, 0);
        write_back(&mem, 4, 2048, GOOD, 0);
        write_back(&mem, 5, MAX_FRAME, GOOD, 0);
        let lengths: Vec<(u16, u16)> = core::iter::from_fn(|| rx.harvest(&mem))
            .map(|f| (f.slot, f.length))
            .collect();
        assert_eq!(lengths, [(2, MIN_FRAME), (5, MAX_FRAME)]);
        assert_eq!(rx.drops().bad_length, 4);
    }

    #[test]
    fn a_frame_over_several_buffers_is_dropped_whole_once() {
        let (mut rx, mem) = ring(8);
        write_back(&mem, 0, 2048, rx_status::DD, 0);
        write_back(&mem, 1, 2048, rx_status::DD, 0);
        write_back(&mem, 2, 100, GOOD, 0);
        write_back(&mem, 3, 64, GOOD, 0);
        assert_eq!(rx.harvest(&mem).map(|f| f.slot), Some(3));
        assert_eq!(rx.drops().fragmented, 1);
        assert_eq!(rx.drops().total(), 1);
    }

    #[test]
    fn the_tail_waits_for_frames_returned_out_of_order() {
        let (mut rx, mem) = ring(8);
        let regs = FakeRegs::default();
        for i in 0..3 {
            write_back(&mem, i, 60, GOOD, 0);
        }
        let slots: Vec<u16> = core::iter::from_fn(|| rx.harvest(&mem).map(|f| f.slot)).collect();
        assert_eq!(slots, vec![0, 1, 2]);
        rx.doorbell(&regs);
        assert_eq!(rx.tail(), 0);
        rx.repost(&mem, 2).unwrap();
        rx.repost(&mem, 1).unwrap();
        assert_eq!(rx.tail(), 0, "slot 0 still held");
        rx.repost(&mem, 0).unwrap();
        // Slots 0 and 1 go to the NIC; slot 2 stays back: the harvest cursor is at 3.
        assert_eq!(rx.tail(), 2);
        assert_eq!(rx.repost(&mem, 0), Err(NotHeld { slot: 0 }));
        assert_eq!(rx.repost(&mem, 5), Err(NotHeld { slot: 5 }));
        assert_eq!(rx.repost(&mem, 99), Err(NotHeld { slot: 99 }));
        rx.doorbell(&regs);
        rx.doorbell(&regs);
        assert_eq!(regs.writes(), vec![(RDT.offset(), 0), (RDT.offset(), 2)]);
    }

    #[test]
    fn never_hands_the_nic_all_slots() {
        // Harvest and repost around the ring many times; RDT never catches the harvest
        // cursor, and every frame comes back in order.
        let (mut rx, mem) = ring(8);
        let mut expected_slot = 0u16;
        for round in 0..100u16 {
            // The NIC fills every slot it owns (next..tail).
            let mut i = rx.head();
            while i != rx.tail() {
                write_back(&mem, i, 60 + round, GOOD, 0);
                i = rx.size().next(i);
            }
            let mut got = Vec::new();
            while let Some(f) = rx.harvest(&mem) {
                assert_eq!(f.slot, expected_slot);
                assert_eq!(f.length, 60 + round);
                expected_slot = rx.size().next(expected_slot);
                got.push(f.slot);
            }
            assert_eq!(got.len(), 7, "n - 1 frames per lap");
            for slot in got {
                rx.repost(&mem, slot).unwrap();
                assert_ne!(rx.tail(), rx.head());
            }
            assert_eq!(rx.held(), 0);
        }
    }

    #[test]
    fn restart_refuses_while_held_and_rearms_otherwise() {
        let (mut rx, mem) = ring(8);
        write_back(&mem, 0, 60, GOOD, 0);
        let f = rx.harvest(&mem).unwrap();
        assert_eq!(rx.restart(&mem), Err(RxRingError::Busy { held: 1 }));
        rx.repost(&mem, f.slot).unwrap();
        write_back(&mem, 1, 60, GOOD, 0);
        rx.restart(&mem).unwrap();
        assert_eq!((rx.head(), rx.tail()), (0, 7));
        assert_eq!(
            rx.harvest(&mem),
            None,
            "write-backs are gone after a restart"
        );
        assert_eq!(rx.received(), 1);
    }
}
