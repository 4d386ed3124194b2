//! Receive ring bookkeeping: which descriptors the NIC owns and with which buffer, and the
//! validation that keeps a bad descriptor from ever being indicated.
//!
//! Buffers are not tied to descriptors. A descriptor is either **posted** (slots
//! `next..tail`: the NIC may fill it; it carries a buffer) or **empty** (slots `tail..next`:
//! harvested, its buffer gone up the stack or back to the caller's pool). [`RxRing::fill`]
//! gives *any* buffer to the empty descriptor at `tail`, so a buffer the stack keeps never
//! stops the others from going back to the NIC. At most `n - 1` descriptors are posted,
//! because RDH == RDT means "no descriptors" to the NIC.

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
    /// The number of descriptors is not a ring size the NIC accepts.
    Size(BadRingSize),
}

impl fmt::Display for RxRingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Size(e) => write!(f, "receive ring: {e}"),
        }
    }
}

/// [`RxRing::fill`] refused: `n - 1` descriptors are posted already, or the buffer address
/// is 0 (the NIC would skip the descriptor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotFilled {
    /// The buffer given, still the caller's.
    pub buffer: u64,
}

/// The shortest frame the ring returns: an Ethernet header. Anything shorter (a runt) is
/// dropped and counted ([`RxDrops::runts`]).
pub const MIN_FRAME: u16 = 14;

/// The longest frame the ring returns, without FCS (RCTL.SECRC strips it): 1,514 bytes, 1,518
/// with an 802.1Q tag. With RCTL.LPE off (the driver never sets it) the NIC delivers nothing
/// longer, so a longer write-back is a broken or hostile device: dropped and counted
/// ([`RxDrops::bad_length`]).
pub const MAX_FRAME: u16 = 1518;

/// [`RxRing`]'s `rung` before the NIC was told about the ring: no `u16` tail equals it.
const NEVER_RUNG: u32 = u32::MAX;

/// A received frame, validated: one buffer, no error bits, a length in
/// [`MIN_FRAME`]`..=`[`MAX_FRAME`] that fits the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxFrame {
    /// The descriptor that reported the frame (empty now).
    pub slot: u16,
    /// The physical address of the buffer holding the frame: the caller's again.
    pub buffer: u64,
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
    /// Frames whose length was 0 or larger than the buffer.
    pub bad_length: u64,
    /// Frames of 1 to 13 bytes: shorter than an Ethernet header.
    pub runts: u64,
    /// Frames spread over several buffers (a descriptor without EOP): the driver posts
    /// buffers large enough for any frame it accepts, so these are dropped whole.
    pub fragmented: u64,
}

impl RxDrops {
    /// All dropped frames.
    #[must_use]
    pub const fn total(&self) -> u64 {
        self.errors + self.bad_length + self.runts + self.fragmented
    }
}

/// Bookkeeping of the receive ring. Plain data: no locks inside; the caller serialises.
#[derive(Debug)]
pub struct RxRing {
    size: RingSize,
    buffer_size: BufferSize,
    /// The longest frame accepted: [`MAX_FRAME`], or the buffer size if smaller (computed
    /// once, not per frame).
    longest: u16,
    /// `longest - MIN_FRAME`: a length is in `MIN_FRAME..=longest` exactly when
    /// `length.wrapping_sub(MIN_FRAME) <= accepted_span`, one comparison instead of two.
    accepted_span: u16,
    /// Each descriptor's buffer while it is posted, 0 while it is empty: [`RxRing::fill`]
    /// never posts address 0, and a plain address is one store and one load cheaper per frame
    /// than an `Option`.
    buffers: Vec<u64>,
    /// Next slot to harvest.
    next: u16,
    /// RDT: first slot not owned by the NIC (the next one [`RxRing::fill`] writes).
    tail: u16,
    /// RDT as last written, [`NEVER_RUNG`] before the NIC was told about this ring. A `u32`
    /// with a value no tail has, rather than an `Option<u16>`: the doorbell's test is then one
    /// comparison, not a tag's and a value's (`benches/driver_cost_callgrind.sh`).
    rung: u32,
    /// Inside a multi-buffer frame being dropped, up to its EOP descriptor.
    discarding: bool,
    received: u64,
    drops: RxDrops,
}

impl RxRing {
    /// A ring of `size` descriptors, all empty: [`RxRing::fill`] posts buffers.
    #[must_use]
    pub fn new(size: RingSize, buffer_size: BufferSize) -> Self {
        Self {
            size,
            buffer_size,
            longest: buffer_size.bytes().min(MAX_FRAME),
            // The smallest buffer (256 bytes) holds more than MIN_FRAME: no underflow.
            accepted_span: buffer_size.bytes().min(MAX_FRAME) - MIN_FRAME,
            buffers: alloc::vec![0; size.len()],
            next: 0,
            tail: 0,
            rung: NEVER_RUNG,
            discarding: false,
            received: 0,
            drops: RxDrops::default(),
        }
    }

    /// A ring of one descriptor per address in `buffers`, the first `n - 1` posted (the
    /// last buffer is not: see the module documentation).
    ///
    /// # Errors
    /// [`RxRingError::Size`] when the count is not a valid ring size.
    pub fn with_buffers<M: DescriptorMemory + ?Sized>(
        mem: &M,
        buffers: &[u64],
        buffer_size: BufferSize,
    ) -> Result<Self, RxRingError> {
        let size = RingSize::new(buffers.len()).map_err(RxRingError::Size)?;
        let mut ring = Self::new(size, buffer_size);
        for &buffer in buffers {
            if ring.fill(mem, buffer).is_err() {
                break;
            }
        }
        Ok(ring)
    }

    /// Starts the ring over after a reset of the NIC (RDH = 0): the posted buffers are
    /// written again from slot 0, in order; empty descriptors stay empty. The counters are
    /// kept.
    pub fn restart<M: DescriptorMemory + ?Sized>(&mut self, mem: &M) {
        let mut posted = Vec::with_capacity(self.posted());
        let mut slot = self.next;
        while slot != self.tail {
            let buffer = core::mem::take(&mut self.buffers[usize::from(slot)]);
            if buffer != 0 {
                posted.push(buffer);
            }
            slot = self.size.next(slot);
        }
        self.buffers.fill(0);
        self.next = 0;
        self.tail = 0;
        self.rung = NEVER_RUNG;
        self.discarding = false;
        for buffer in posted {
            let _ = self.fill(mem, buffer);
        }
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

    /// The value RDT gets: the first slot the NIC does not own.
    #[must_use]
    pub fn tail(&self) -> u16 {
        self.tail
    }

    /// Descriptors posted with a buffer (at most `n - 1`).
    #[must_use]
    pub fn posted(&self) -> usize {
        usize::from(self.size.distance(self.next, self.tail))
    }

    /// Descriptors that could take a buffer now ([`RxRing::fill`] succeeds this many times).
    #[must_use]
    pub fn unfilled(&self) -> usize {
        self.size.len() - 1 - self.posted()
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

    /// Posts `buffer` (a physical address, [`RxRing::buffer_size`] bytes) at the empty
    /// descriptor at `tail`; the slot it went to. The NIC sees it at the next
    /// [`RxRing::doorbell`].
    ///
    /// # Errors
    /// [`NotFilled`] when `n - 1` descriptors are posted already or `buffer` is 0.
    pub fn fill<M: DescriptorMemory + ?Sized>(
        &mut self,
        mem: &M,
        buffer: u64,
    ) -> Result<u16, NotFilled> {
        let slot = self.tail;
        let after = self.size.next(slot);
        // `n - 1` are posted exactly when one more would bring `tail` round to `next`: the
        // test `unfilled() == 0` makes, without computing a distance.
        if buffer == 0 || after == self.next {
            return Err(NotFilled { buffer });
        }
        mem.write(slot, &RxDescriptor::posted(buffer).to_bytes());
        self.buffers[usize::from(slot)] = buffer;
        self.tail = after;
        Ok(slot)
    }

    /// The next frame the NIC has written back, validated; `None` when there is none yet.
    ///
    /// Descriptors that fail validation (error bits, a length of 0, under [`MIN_FRAME`] or
    /// over [`MAX_FRAME`] or the buffer size, a frame spread over several buffers) are dropped on the way:
    /// counted in [`RxRing::drops`] and their buffers posted again at once, never returned.
    /// The returned frame's buffer is the caller's until it gives it to [`RxRing::fill`].
    pub fn harvest<M: DescriptorMemory + ?Sized>(&mut self, mem: &M) -> Option<RxFrame> {
        loop {
            let slot = self.next;
            if slot == self.tail {
                return None;
            }
            // The status first, the rest only once DD is seen (after a fence): see
            // `DescriptorMemory::read_if_done`.
            let desc = RxDescriptor::from_bytes(&mem.read_if_done(slot)?);
            self.next = self.size.next(slot);
            let buffer = core::mem::take(&mut self.buffers[usize::from(slot)]);
            if buffer == 0 {
                // Not reachable: every slot in `next..tail` was filled.
                continue;
            }
            if let Some(frame) = self.validate(slot, buffer, &desc) {
                self.received += 1;
                return Some(frame);
            }
            // Dropped: the buffer goes straight back (a slot was just emptied, so it fits).
            let _ = self.fill(mem, buffer);
        }
    }

    /// The frame in `desc`, or `None` (counted) when it must be dropped.
    fn validate(&mut self, slot: u16, buffer: u64, desc: &RxDescriptor) -> Option<RxFrame> {
        // The common case in one test: a whole, error-free frame of a length that fits, not
        // the tail of a dropped multi-buffer frame. The length range is one unsigned
        // comparison (fewer instructions per frame: benches/driver_cost_callgrind.sh).
        if desc.status & rx_status::EOP != 0
            && !self.discarding
            && desc.errors == 0
            && desc.length.wrapping_sub(MIN_FRAME) <= self.accepted_span
        {
            return Some(RxFrame {
                slot,
                buffer,
                length: desc.length,
                status: desc.status,
            });
        }
        self.count_drop(desc, desc.status & rx_status::EOP != 0);
        None
    }

    /// Counts why `desc`, which [`RxRing::validate`] refused, is dropped.
    fn count_drop(&mut self, desc: &RxDescriptor, end_of_packet: bool) {
        if self.discarding {
            // The rest of a multi-buffer frame already counted.
            self.discarding = !end_of_packet;
        } else if !end_of_packet {
            self.drops.fragmented += 1;
            self.discarding = true;
        } else if desc.errors != 0 {
            self.drops.errors += 1;
        } else if desc.length == 0 || desc.length > self.longest {
            self.drops.bad_length += 1;
        } else {
            // Shorter than a header: what is left once the frame fits and is not empty.
            self.drops.runts += 1;
        }
    }

    /// Writes RDT if `tail` moved since the last doorbell, after a release fence so the
    /// rewritten descriptors are in memory before the NIC may use them.
    pub fn doorbell<R: Registers + ?Sized>(&mut self, regs: &R) {
        if self.rung != u32::from(self.tail) {
            fence(Ordering::Release);
            regs.write(RDT, u32::from(self.tail));
            self.rung = u32::from(self.tail);
        }
    }

    /// Whether the NIC was not yet told about this ring (new, or restarted).
    pub(super) fn is_fresh(&self) -> bool {
        self.rung == NEVER_RUNG
    }

    /// Records that bring-up programmed RDH = `next` and RDT = `tail`.
    pub(super) fn programmed(&mut self) {
        self.rung = u32::from(self.tail);
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
        let rx = RxRing::with_buffers(&mem, &buffers(n), BufferSize::B2048).unwrap();
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
    fn construction_posts_all_but_one_descriptor() {
        let (rx, mem) = ring(8);
        for i in 0..7 {
            let d = RxDescriptor::from_bytes(&mem.get(i));
            assert_eq!(d, RxDescriptor::posted(0x10_0000 + u64::from(i) * 0x1000));
        }
        assert_eq!(
            (rx.head(), rx.tail(), rx.posted(), rx.unfilled()),
            (0, 7, 7, 0)
        );
        let mem = VecRing::new(8);
        assert_eq!(
            RxRing::with_buffers(&mem, &buffers(7), BufferSize::B2048).unwrap_err(),
            RxRingError::Size(BadRingSize { descriptors: 7 })
        );
        let (mut rx, mem) = ring(8);
        write_back(&mem, 0, 60, GOOD, 0);
        rx.harvest(&mem).unwrap();
        assert_eq!(rx.fill(&mem, 0), Err(NotFilled { buffer: 0 }));
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
                buffer: 0x10_0000,
                length: 60,
                status: GOOD | rx_status::IXSM
            })
        );
        assert_eq!(rx.harvest(&mem), None);
        assert_eq!(rx.unfilled(), 1);
        assert_eq!(rx.received(), 1);
    }

    #[test]
    fn bad_descriptors_and_runts_are_dropped_counted_and_reposted() {
        let (mut rx, mem) = ring(8);
        write_back(&mem, 0, 60, GOOD, rx_errors::CE);
        write_back(&mem, 1, 60, GOOD, rx_errors::RXE);
        write_back(&mem, 2, 0, GOOD, 0);
        write_back(&mem, 3, 2049, GOOD, 0);
        write_back(&mem, 4, 1, GOOD, 0);
        write_back(&mem, 5, 13, GOOD, 0);
        write_back(&mem, 6, 14, GOOD, 0);
        let frame = rx.harvest(&mem).unwrap();
        assert_eq!((frame.slot, frame.length), (6, 14));
        assert_eq!(
            rx.drops(),
            RxDrops {
                errors: 2,
                bad_length: 2,
                runts: 2,
                fragmented: 0
            }
        );
        assert_eq!(rx.drops().total(), 6);
        // The dropped frames' buffers went straight back to the NIC.
        assert_eq!(rx.posted(), 6);
        assert_eq!(rx.unfilled(), 1);
    }

    /// Found by the hostile-device fuzzer: a 1,817-byte write-back into a 2,048-byte buffer was
    /// indicated, though the NIC never delivers more than [`MAX_FRAME`] with RCTL.LPE off.
    #[test]
    fn oversize_frames_that_fit_the_buffer_are_dropped_and_counted() {
        let (mut rx, mem) = ring(8);
        write_back(&mem, 0, 1519, GOOD, 0);
        write_back(&mem, 1, 1817, GOOD, 0);
        write_back(&mem, 2, 1518, GOOD, 0);
        let frame = rx.harvest(&mem).unwrap();
        assert_eq!((frame.slot, frame.length), (2, 1518));
        assert_eq!(rx.drops().bad_length, 2);
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

    /// The bug this ring was rebuilt for: with buffers tied to descriptors, a buffer the
    /// stack held stopped RDT at its slot, and the buffers returned behind it never went
    /// back to the NIC. Now any buffer fills the next empty descriptor.
    #[test]
    fn a_held_buffer_never_stops_the_others_going_back() {
        let (mut rx, mem) = ring(8);
        let regs = FakeRegs::default();
        let mut spare = vec![0x10_0000 + 7 * 0x1000];
        let mut kept = Vec::new();
        for lap in 0..20u16 {
            let mut i = rx.head();
            while i != rx.tail() {
                write_back(&mem, i, 60 + lap, GOOD, 0);
                i = rx.size().next(i);
            }
            let frames: Vec<RxFrame> = core::iter::from_fn(|| rx.harvest(&mem)).collect();
            assert!(!frames.is_empty(), "lap {lap}: reception continues");
            for f in frames {
                // The stack keeps the first two buffers for good; the rest come back.
                if kept.len() < 2 {
                    kept.push(f.buffer);
                } else {
                    spare.push(f.buffer);
                }
            }
            while let Some(b) = spare.pop() {
                if rx.fill(&mem, b).is_err() {
                    spare.push(b);
                    break;
                }
            }
            rx.doorbell(&regs);
            assert_eq!(rx.posted() + spare.len() + kept.len(), 8);
        }
    }

    #[test]
    fn never_hands_the_nic_all_slots() {
        let (mut rx, mem) = ring(8);
        let mut spare = 0x10_0000 + 7 * 0x1000;
        let mut expected_slot = 0u16;
        for round in 0..100u16 {
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
                got.push(f.buffer);
            }
            assert_eq!(got.len(), 7, "n - 1 frames per lap");
            got.push(spare);
            spare = got.remove(0);
            for buffer in got {
                rx.fill(&mem, buffer).unwrap();
                assert_ne!(rx.tail(), rx.head());
            }
            assert_eq!(rx.fill(&mem, spare), Err(NotFilled { buffer: spare }));
        }
    }

    #[test]
    fn restart_reposts_the_posted_buffers_from_slot_0() {
        let (mut rx, mem) = ring(8);
        write_back(&mem, 0, 60, GOOD, 0);
        let f = rx.harvest(&mem).unwrap();
        write_back(&mem, 1, 60, GOOD, 0);
        rx.restart(&mem);
        assert_eq!((rx.head(), rx.tail(), rx.posted()), (0, 6, 6));
        assert_eq!(
            rx.harvest(&mem),
            None,
            "write-backs are gone after a restart"
        );
        assert_eq!(rx.fill(&mem, f.buffer), Ok(6));
        assert_eq!(rx.received(), 1);
    }
}
