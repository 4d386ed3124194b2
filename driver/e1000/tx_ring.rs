//! Transmit ring bookkeeping: which descriptors are in use, which frame (token) each
//! belongs to, and where the NIC has got to.
//!
//! The driver owns the slots from `tail` (TDT, the next one it fills) round to `clean` (the
//! oldest frame not yet reclaimed); the NIC owns `clean..tail` once the doorbell has rung.
//! One slot always stays free, because TDH == TDT means "empty" to the NIC, so a ring of `n`
//! descriptors carries at most `n - 1`.
//!
//! A frame occupies one descriptor per buffer segment; only its last descriptor carries EOP
//! and RS, so the NIC writes DD back once per frame, and that descriptor's slot holds the
//! caller's token (an `NET_BUFFER` pointer, an index — anything). The ring is generic over it
//! and never looks inside.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, Ordering, fence};

use super::access::Registers;
use super::descriptors::{DescriptorMemory, TxDescriptor, tx_cmd, tx_status};
use super::regs::TDT;
use super::ring::RingSize;

/// One buffer of a frame: a physical address and a length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Physical address of the bytes.
    pub address: u64,
    /// Number of bytes (not 0).
    pub length: u16,
}

/// Why a frame was not posted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostRefused {
    /// Not enough free descriptors for the frame's segments; retry after a reclaim.
    Full,
    /// The frame has no segments.
    NoSegments,
    /// The poster role given belongs to another ring.
    WrongRing,
    /// A segment has length 0 (the NIC treats such a descriptor as an error).
    EmptySegment,
}

/// A frame that was not posted, with its token handed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostError<T> {
    /// The caller's token, unchanged.
    pub token: T,
    /// Why.
    pub reason: PostRefused,
}

/// A frame the NIC has finished with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxCompletion<T> {
    /// The token given to [`TxRing::post`].
    pub token: T,
    /// The status byte written back ([`tx_status`]).
    pub status: u8,
}

impl<T> TxCompletion<T> {
    /// Whether the frame went out: the NIC reports collisions that stopped it (possible in
    /// half duplex only) in the status.
    #[must_use]
    pub const fn sent(&self) -> bool {
        self.status & (tx_status::EC | tx_status::LC) == 0
    }
}

/// What a slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot<T> {
    /// Not in use.
    Free,
    /// A descriptor of a frame whose last descriptor is further on.
    Fragment,
    /// The last descriptor of a frame, and the frame's token.
    Last(T),
}

/// `rung` before the NIC was told about the ring.
const NOT_RUNG: u32 = u32::MAX;

/// Bookkeeping of the transmit ring, usable by one owner (`&mut self`: the plain API, for
/// bring-up and tests) or, once split into its two roles ([`TxRing::split_roles`]), by a poster
/// and a reclaimer at the same time on two processors, without a lock between them.
///
/// The split is the classic single-producer/single-consumer ring: the poster writes the slots
/// from `tail` on and then publishes `tail` (release); the reclaimer reads the slots below the
/// published `tail` (acquire), empties them and then publishes `clean` (release), which the
/// poster reads (acquire) before it reuses them. Each index has one writer, and each slot one
/// owner at a time, decided by the two indices. The miniport posts under its send lock and
/// reclaims in its DPC, which is why the DPC needs no lock for sent frames.
pub struct TxRing<T> {
    size: RingSize,
    /// One per descriptor; owned by the poster from `tail` round to `clean`, by the reclaimer
    /// from `clean` to `tail`.
    slots: Box<[UnsafeCell<Slot<T>>]>,
    /// Next slot to fill; the value TDT gets. Written by the poster only.
    tail: AtomicU16,
    /// Oldest slot not reclaimed. Written by the reclaimer only.
    clean: AtomicU16,
    /// TDT as last written ([`NOT_RUNG`] before the NIC was told about this ring). Written by
    /// the poster only.
    rung: AtomicU32,
    /// Frames reclaimed since creation (the hang detector watches it move). Written by the
    /// reclaimer only.
    completed: AtomicU64,
    /// [`TxRing::split_roles`] handed the roles out.
    split: bool,
}

// SAFETY: the ring owns its tokens (`T: Send` moves them between threads with the slots), and
// its only non-`Send` part is the `UnsafeCell` slots, which move with it.
unsafe impl<T: Send> Send for TxRing<T> {}
// SAFETY: shared use goes through the role tokens: one poster and one reclaimer, each the only
// writer of its index and the only user of the slots the indices give it, with release/acquire
// on the indices ordering every slot access after the hand-over (see the type's docs).
unsafe impl<T: Send> Sync for TxRing<T> {}

impl<T: core::fmt::Debug> core::fmt::Debug for TxRing<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TxRing")
            .field("size", &self.size)
            .field("tail", &self.tail.load(Ordering::Relaxed))
            .field("clean", &self.clean.load(Ordering::Relaxed))
            .field("rung", &self.rung.load(Ordering::Relaxed))
            .field("completed", &self.completed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The right to post frames on one [`TxRing`] (and ring its doorbell): held by one context at a
/// time (the miniport keeps it under its send lock). Made once per ring, by
/// [`TxRing::split_roles`]; it works on that ring only.
#[derive(Debug)]
pub struct TxPoster {
    ring: usize,
}

/// The right to reclaim finished frames from one [`TxRing`]: held by one context at a time (the
/// miniport's DPC, or a handler that took it from the DPC). Made once per ring, by
/// [`TxRing::split_roles`]; it works on that ring only.
#[derive(Debug)]
pub struct TxReclaimer {
    ring: usize,
}

impl<T> TxRing<T> {
    /// An empty ring of `size` descriptors.
    #[must_use]
    pub fn new(size: RingSize) -> Self {
        let mut slots = Vec::with_capacity(size.len());
        slots.resize_with(size.len(), || UnsafeCell::new(Slot::Free));
        Self {
            size,
            slots: slots.into_boxed_slice(),
            tail: AtomicU16::new(0),
            clean: AtomicU16::new(0),
            rung: AtomicU32::new(NOT_RUNG),
            completed: AtomicU64::new(0),
            split: false,
        }
    }

    /// Hands out the ring's two roles, once: from then on a [`TxPoster`] and a
    /// [`TxReclaimer`] may use the ring (`&self`) at the same time. `None` the second time.
    pub fn split_roles(&mut self) -> Option<(TxPoster, TxReclaimer)> {
        if self.split {
            return None;
        }
        self.split = true;
        let ring = self.id();
        Some((TxPoster { ring }, TxReclaimer { ring }))
    }

    /// What the role tokens carry to name this ring: the address of its slot table, which
    /// does not move while the ring lives.
    fn id(&self) -> usize {
        self.slots.as_ptr() as usize
    }

    /// Number of descriptors.
    #[must_use]
    pub fn size(&self) -> RingSize {
        self.size
    }

    /// Descriptors in use (posted and not reclaimed).
    #[must_use]
    pub fn used(&self) -> u16 {
        self.size.distance(
            self.clean.load(Ordering::Acquire),
            self.tail.load(Ordering::Acquire),
        )
    }

    /// Descriptors a new frame may use now.
    #[must_use]
    pub fn free(&self) -> u16 {
        self.size.descriptors() - 1 - self.used()
    }

    /// Whether nothing is posted.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        self.clean.load(Ordering::Acquire) == self.tail.load(Ordering::Acquire)
    }

    /// Descriptors the NIC has been told about (doorbell rung) and that are not reclaimed.
    #[must_use]
    pub fn in_flight(&self) -> u16 {
        match u16::try_from(self.rung.load(Ordering::Acquire)) {
            Ok(rung) => self.size.distance(self.clean.load(Ordering::Acquire), rung),
            Err(_) => 0,
        }
    }

    /// The slot TDT points at: the next one a post fills.
    #[must_use]
    pub fn tail(&self) -> u16 {
        self.tail.load(Ordering::Acquire)
    }

    /// Frames reclaimed since the ring was created.
    #[must_use]
    pub fn completed(&self) -> u64 {
        self.completed.load(Ordering::Acquire)
    }

    /// Posts a frame held in one buffer; see [`TxRing::post_segments`].
    ///
    /// # Errors
    /// As [`TxRing::post_segments`].
    pub fn post<M: DescriptorMemory + ?Sized>(
        &mut self,
        mem: &M,
        address: u64,
        length: u16,
        token: T,
    ) -> Result<u16, PostError<T>> {
        // SAFETY: `&mut self`: nobody else posts or reclaims.
        unsafe { self.post_one(mem, address, length, token) }
    }

    /// [`TxRing::post`] by the holder of the ring's poster role.
    ///
    /// # Errors
    /// As [`TxRing::post_segments`], and [`PostRefused::WrongRing`] for another ring's poster.
    pub fn post_as<M: DescriptorMemory + ?Sized>(
        &self,
        poster: &mut TxPoster,
        mem: &M,
        address: u64,
        length: u16,
        token: T,
    ) -> Result<u16, PostError<T>> {
        let token = self.own_poster(poster, token)?;
        // SAFETY: the poster role of this ring is unique and borrowed mutably for the call.
        unsafe { self.post_one(mem, address, length, token) }
    }

    /// `token` back if `poster` is this ring's, else the refusal that hands it back.
    fn own_poster(&self, poster: &TxPoster, token: T) -> Result<T, PostError<T>> {
        if poster.ring == self.id() {
            Ok(token)
        } else {
            Err(PostError {
                token,
                reason: PostRefused::WrongRing,
            })
        }
    }

    /// The one-buffer post (the copy path's per-frame cost, without the segment loop).
    ///
    /// # Safety
    /// The caller posts for this ring alone (its poster role, or `&mut self`).
    unsafe fn post_one<M: DescriptorMemory + ?Sized>(
        &self,
        mem: &M,
        address: u64,
        length: u16,
        token: T,
    ) -> Result<u16, PostError<T>> {
        if length == 0 {
            return Err(PostError {
                token,
                reason: PostRefused::EmptySegment,
            });
        }
        if self.free() == 0 {
            return Err(PostError {
                token,
                reason: PostRefused::Full,
            });
        }
        let slot = self.tail.load(Ordering::Relaxed);
        write(
            mem,
            slot,
            &Segment { address, length },
            tx_cmd::IFCS | tx_cmd::EOP | tx_cmd::RS,
        );
        // SAFETY: `slot` is free (checked above), so it is the poster's, and the caller is the
        // poster.
        unsafe { self.set(slot, Slot::Last(token)) };
        self.tail.store(self.size.next(slot), Ordering::Release);
        Ok(slot)
    }

    /// Writes one descriptor per segment, the last with EOP and RS, and keeps `token` in the
    /// last one's slot; returns that slot. The NIC does not see the frame until
    /// [`TxRing::doorbell`].
    ///
    /// The whole frame is posted or nothing is: a frame split between a post and a later
    /// retry would go out as two broken frames.
    ///
    /// # Errors
    /// [`PostError`] with the token handed back: [`PostRefused::Full`] when fewer than
    /// `segments.len()` descriptors are free, [`PostRefused::NoSegments`],
    /// [`PostRefused::EmptySegment`].
    pub fn post_segments<M: DescriptorMemory + ?Sized>(
        &mut self,
        mem: &M,
        segments: &[Segment],
        token: T,
    ) -> Result<u16, PostError<T>> {
        // SAFETY: `&mut self`: nobody else posts or reclaims.
        unsafe { self.post_many(mem, segments, token) }
    }

    /// [`TxRing::post_segments`] by the holder of the ring's poster role.
    ///
    /// # Errors
    /// As [`TxRing::post_segments`], and [`PostRefused::WrongRing`] for another ring's poster.
    pub fn post_segments_as<M: DescriptorMemory + ?Sized>(
        &self,
        poster: &mut TxPoster,
        mem: &M,
        segments: &[Segment],
        token: T,
    ) -> Result<u16, PostError<T>> {
        let token = self.own_poster(poster, token)?;
        // SAFETY: the poster role of this ring is unique and borrowed mutably for the call.
        unsafe { self.post_many(mem, segments, token) }
    }

    /// # Safety
    /// The caller posts for this ring alone (its poster role, or `&mut self`).
    unsafe fn post_many<M: DescriptorMemory + ?Sized>(
        &self,
        mem: &M,
        segments: &[Segment],
        token: T,
    ) -> Result<u16, PostError<T>> {
        let refuse = |token, reason| Err(PostError { token, reason });
        let Some((last, rest)) = segments.split_last() else {
            return refuse(token, PostRefused::NoSegments);
        };
        if segments.iter().any(|s| s.length == 0) {
            return refuse(token, PostRefused::EmptySegment);
        }
        if segments.len() > usize::from(self.free()) {
            return refuse(token, PostRefused::Full);
        }
        let mut slot = self.tail.load(Ordering::Relaxed);
        for segment in rest {
            write(mem, slot, segment, tx_cmd::IFCS);
            // SAFETY: `slot` is one of the free slots counted above, the poster's, and the
            // caller is the poster.
            unsafe { self.set(slot, Slot::Fragment) };
            slot = self.size.next(slot);
        }
        write(mem, slot, last, tx_cmd::IFCS | tx_cmd::EOP | tx_cmd::RS);
        // SAFETY: the last of the free slots counted above, the poster's.
        unsafe { self.set(slot, Slot::Last(token)) };
        // Published after every slot of the frame: the reclaimer sees the frame whole or not.
        self.tail.store(self.size.next(slot), Ordering::Release);
        Ok(slot)
    }

    /// Replaces what slot `index` holds.
    ///
    /// # Safety
    /// The caller owns the slot now (the poster a free one, the reclaimer a posted one).
    unsafe fn set(&self, index: u16, value: Slot<T>) -> Slot<T> {
        let cell = &self.slots[usize::from(index)];
        // SAFETY: the slot's owner is the caller (contract), so no other reference to its
        // contents exists during the swap.
        unsafe { core::ptr::replace(cell.get(), value) }
    }

    /// Whether slot `index` holds the last descriptor of a frame (else a fragment, or free).
    ///
    /// # Safety
    /// The reclaimer calls it for a posted slot (below the published tail).
    unsafe fn kind(&self, index: u16) -> Slot<()> {
        let cell = &self.slots[usize::from(index)];
        // SAFETY: a posted slot is the reclaimer's (contract); the poster wrote it before
        // publishing the tail the caller read, so the read sees that write and races nothing.
        match unsafe { &*cell.get() } {
            Slot::Free => Slot::Free,
            Slot::Fragment => Slot::Fragment,
            Slot::Last(_) => Slot::Last(()),
        }
    }

    /// Tells the NIC about every frame posted since the last doorbell: writes TDT, after a
    /// release fence so the descriptors are in memory before the NIC can fetch them. Does
    /// nothing when nothing new was posted (a TDT write costs an uncached access).
    pub fn doorbell<R: Registers + ?Sized>(&mut self, regs: &R) {
        self.ring_doorbell(regs);
    }

    /// [`TxRing::doorbell`] by the holder of the ring's poster role.
    pub fn doorbell_as<R: Registers + ?Sized>(&self, poster: &mut TxPoster, regs: &R) {
        if poster.ring == self.id() {
            self.ring_doorbell(regs);
        }
    }

    fn ring_doorbell<R: Registers + ?Sized>(&self, regs: &R) {
        let tail = self.tail.load(Ordering::Relaxed);
        if self.rung.load(Ordering::Relaxed) != u32::from(tail) {
            fence(Ordering::Release);
            regs.write(TDT, u32::from(tail));
            self.rung.store(u32::from(tail), Ordering::Release);
        }
    }

    /// Reclaims the oldest frame if the NIC has written its last descriptor back.
    pub fn reclaim_one<M: DescriptorMemory + ?Sized>(
        &mut self,
        mem: &M,
    ) -> Option<TxCompletion<T>> {
        // SAFETY: `&mut self`: nobody else posts or reclaims.
        unsafe { self.take_finished(mem) }
    }

    /// [`TxRing::reclaim_one`] by the holder of the ring's reclaimer role (`None` for another
    /// ring's).
    pub fn reclaim_one_as<M: DescriptorMemory + ?Sized>(
        &self,
        reclaimer: &mut TxReclaimer,
        mem: &M,
    ) -> Option<TxCompletion<T>> {
        if reclaimer.ring != self.id() {
            return None;
        }
        // SAFETY: the reclaimer role of this ring is unique and borrowed mutably for the call.
        unsafe { self.take_finished(mem) }
    }

    /// # Safety
    /// The caller reclaims for this ring alone (its reclaimer role, or `&mut self`).
    unsafe fn take_finished<M: DescriptorMemory + ?Sized>(
        &self,
        mem: &M,
    ) -> Option<TxCompletion<T>> {
        let clean = self.clean.load(Ordering::Relaxed);
        // Acquire: the slots below the tail read here were written before it was published.
        let tail = self.tail.load(Ordering::Acquire);
        // Find the frame's last descriptor: whole frames are published, so one lies before
        // tail.
        let mut last = clean;
        loop {
            if last == tail {
                return None;
            }
            // SAFETY: `last` lies in `clean..tail`, posted: the reclaimer's.
            match unsafe { self.kind(last) } {
                Slot::Last(()) => break,
                Slot::Fragment => last = self.size.next(last),
                // Unreachable while the indices are consistent; stop rather than guess.
                Slot::Free => return None,
            }
        }
        let status = mem.read_status(last);
        if status & tx_status::DD == 0 {
            return None;
        }
        let mut slot = clean;
        while slot != last {
            // SAFETY: a fragment in `clean..last`, posted: the reclaimer's.
            unsafe { self.set(slot, Slot::Free) };
            slot = self.size.next(slot);
        }
        // SAFETY: `last` is posted: the reclaimer's.
        let Slot::Last(token) = (unsafe { self.set(last, Slot::Free) }) else {
            return None;
        };
        // One writer (the reclaimer): a load and a store, no read-modify-write needed.
        self.completed.store(
            self.completed.load(Ordering::Relaxed).wrapping_add(1),
            Ordering::Release,
        );
        // Release: the slots emptied above are the poster's again only after this store.
        self.clean.store(self.size.next(last), Ordering::Release);
        Some(TxCompletion { token, status })
    }

    /// Reclaims every finished frame, oldest first, handing each to `done`; returns how many.
    pub fn reclaim<M: DescriptorMemory + ?Sized>(
        &mut self,
        mem: &M,
        mut done: impl FnMut(TxCompletion<T>),
    ) -> usize {
        let mut n = 0;
        while let Some(completion) = self.reclaim_one(mem) {
            done(completion);
            n += 1;
        }
        n
    }

    /// Gives back every posted frame's token, finished or not, oldest first, and empties the
    /// ring (indices back to 0, doorbell forgotten). For reset and halt, once the transmitter
    /// is stopped; returns how many frames there were.
    pub fn abort(&mut self, aborted: impl FnMut(T)) -> usize {
        // SAFETY: `&mut self`: nobody else posts or reclaims.
        unsafe { self.abort_all(aborted) }
    }

    /// [`TxRing::abort`] by the holder of both roles of the ring (nothing for another ring's:
    /// returns 0).
    pub fn abort_as(
        &self,
        poster: &mut TxPoster,
        reclaimer: &mut TxReclaimer,
        aborted: impl FnMut(T),
    ) -> usize {
        if poster.ring != self.id() || reclaimer.ring != self.id() {
            return 0;
        }
        // SAFETY: both roles of this ring are borrowed mutably for the call: nobody else
        // posts or reclaims.
        unsafe { self.abort_all(aborted) }
    }

    /// # Safety
    /// The caller both posts and reclaims for this ring alone.
    unsafe fn abort_all(&self, mut aborted: impl FnMut(T)) -> usize {
        let mut n = 0;
        let tail = self.tail.load(Ordering::Relaxed);
        let mut slot = self.clean.load(Ordering::Relaxed);
        // Oldest first, as the NIC would have finished them.
        while slot != tail {
            // SAFETY: the caller holds both roles, so every slot is its own.
            if let Slot::Last(token) = unsafe { self.set(slot, Slot::Free) } {
                aborted(token);
                n += 1;
            }
            slot = self.size.next(slot);
        }
        self.tail.store(0, Ordering::Release);
        self.clean.store(0, Ordering::Release);
        self.rung.store(NOT_RUNG, Ordering::Release);
        n
    }

    /// Records that bring-up programmed TDH = TDT = `tail` (0 for an idle ring).
    pub(super) fn programmed(&self) {
        self.rung.store(
            u32::from(self.tail.load(Ordering::Acquire)),
            Ordering::Release,
        );
    }
}

/// Writes the descriptor at `slot` (status cleared, so an old DD cannot be mistaken for this
/// frame's).
fn write<M: DescriptorMemory + ?Sized>(mem: &M, slot: u16, segment: &Segment, cmd: u8) {
    let desc = TxDescriptor {
        buffer: segment.address,
        length: segment.length,
        cmd,
        ..TxDescriptor::default()
    };
    mem.write(slot, &desc.to_bytes());
}

/// Detects a stuck transmitter: descriptors in flight and no frame completed across
/// `limit` consecutive checks (the miniport's `CheckForHang`, every 2 s or so, after
/// reclaiming).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HangDetector {
    limit: u32,
    strikes: u32,
    seen: u64,
}

impl HangDetector {
    /// A detector that reports a hang after `limit` (at least 1) checks without progress.
    #[must_use]
    pub const fn new(limit: u32) -> Self {
        Self {
            limit: if limit == 0 { 1 } else { limit },
            strikes: 0,
            seen: 0,
        }
    }

    /// One check; `true` when the ring has had work in flight and made no progress for
    /// `limit` checks in a row. Progress or an idle ring starts the count again.
    pub fn check<T>(&mut self, ring: &TxRing<T>) -> bool {
        let completed = ring.completed();
        if ring.in_flight() == 0 || completed != self.seen {
            self.seen = completed;
            self.strikes = 0;
            return false;
        }
        self.strikes = self.strikes.saturating_add(1);
        self.strikes >= self.limit
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;
    use crate::e1000::access::testing::FakeRegs;
    use crate::e1000::descriptors::testing::VecRing;

    fn ring(n: usize) -> (TxRing<u32>, VecRing) {
        (TxRing::new(RingSize::new(n).unwrap()), VecRing::new(n))
    }

    /// What the NIC does when it finishes descriptor `i`: sets DD if RS was asked for.
    fn complete(mem: &VecRing, i: u16) {
        let mut d = TxDescriptor::from_bytes(&mem.get(i));
        if d.cmd & tx_cmd::RS != 0 {
            d.status |= tx_status::DD;
        }
        mem.set(i, d.to_bytes());
    }

    #[test]
    fn post_writes_a_single_descriptor_frame() {
        let (mut tx, mem) = ring(8);
        assert_eq!(tx.post(&mem, 0x1000, 60, 7), Ok(0));
        let d = TxDescriptor::from_bytes(&mem.get(0));
        assert_eq!(d.buffer, 0x1000);
        assert_eq!(d.length, 60);
        assert_eq!(d.cmd, tx_cmd::EOP | tx_cmd::IFCS | tx_cmd::RS);
        assert_eq!(d.status, 0);
        assert_eq!((tx.used(), tx.free(), tx.tail()), (1, 6, 1));
    }

    #[test]
    fn multi_segment_frames_carry_eop_and_rs_on_the_last_only() {
        let (mut tx, mem) = ring(8);
        let segs = [
            Segment {
                address: 0x1000,
                length: 14,
            },
            Segment {
                address: 0x2000,
                length: 100,
            },
            Segment {
                address: 0x3000,
                length: 20,
            },
        ];
        assert_eq!(tx.post_segments(&mem, &segs, 1), Ok(2));
        for i in 0..2 {
            assert_eq!(TxDescriptor::from_bytes(&mem.get(i)).cmd, tx_cmd::IFCS);
        }
        assert_eq!(
            TxDescriptor::from_bytes(&mem.get(2)).cmd,
            tx_cmd::IFCS | tx_cmd::EOP | tx_cmd::RS
        );
        // Not done until the last descriptor is.
        complete(&mem, 0);
        complete(&mem, 1);
        assert_eq!(tx.reclaim_one(&mem), None);
        complete(&mem, 2);
        let c = tx.reclaim_one(&mem).unwrap();
        assert_eq!(c.token, 1);
        assert!(c.sent());
        assert!(tx.is_idle());
        assert_eq!(tx.free(), 7);
    }

    #[test]
    fn refusals_hand_the_token_back() {
        let (mut tx, mem) = ring(8);
        let refused = |token, reason| Err(PostError { token, reason });
        assert_eq!(
            tx.post_segments(&mem, &[], 1),
            refused(1, PostRefused::NoSegments)
        );
        assert_eq!(
            tx.post(&mem, 0x1000, 0, 2),
            refused(2, PostRefused::EmptySegment)
        );
        for i in 0..7 {
            assert!(tx.post(&mem, 0x1000, 60, i).is_ok());
        }
        assert_eq!(tx.free(), 0);
        assert_eq!(tx.post(&mem, 0x1000, 60, 9), refused(9, PostRefused::Full));
        // A frame that does not fit is refused whole, even when part of it would.
        let (mut tx, mem) = ring(8);
        for i in 0..5 {
            assert!(tx.post(&mem, 0x1000, 60, i).is_ok());
        }
        let three = [Segment {
            address: 0x1000,
            length: 1,
        }; 3];
        assert_eq!(
            tx.post_segments(&mem, &three, 5),
            refused(5, PostRefused::Full)
        );
        assert_eq!(tx.used(), 5);
    }

    #[test]
    fn reclaim_stops_at_the_first_unfinished_frame_and_keeps_order() {
        let (mut tx, mem) = ring(8);
        for token in 10..14 {
            tx.post(&mem, 0x1000, 60, token).unwrap();
        }
        // The NIC finished 0 and 2 but not 1: only 0 can be reclaimed (in order).
        complete(&mem, 0);
        complete(&mem, 2);
        let mut got = Vec::new();
        assert_eq!(tx.reclaim(&mem, |c| got.push(c.token)), 1);
        assert_eq!(got, vec![10]);
        complete(&mem, 1);
        complete(&mem, 3);
        assert_eq!(tx.reclaim(&mem, |c| got.push(c.token)), 3);
        assert_eq!(got, vec![10, 11, 12, 13]);
        assert_eq!(tx.completed(), 4);
    }

    #[test]
    fn many_laps_wrap_without_losing_a_token() {
        let (mut tx, mem) = ring(16);
        let mut next_token = 0u32;
        let mut expected = 0u32;
        for round in 0..200u32 {
            // Post a varying number of 1..3-segment frames, then finish everything.
            let frames = round % 5 + 1;
            for _ in 0..frames {
                let nsegs = usize::try_from(next_token % 3 + 1).unwrap();
                let segs = vec![
                    Segment {
                        address: 0x1000,
                        length: 8
                    };
                    nsegs
                ];
                if tx.post_segments(&mem, &segs, next_token).is_ok() {
                    next_token += 1;
                }
            }
            for i in 0..16 {
                complete(&mem, i);
            }
            tx.reclaim(&mem, |c| {
                assert_eq!(c.token, expected);
                expected += 1;
            });
            assert!(tx.is_idle());
        }
        assert_eq!(expected, next_token);
        assert!(next_token > 400);
    }

    #[test]
    fn doorbell_writes_tdt_only_when_the_tail_moved() {
        let (mut tx, mem) = ring(8);
        let regs = FakeRegs::default();
        tx.doorbell(&regs);
        tx.post(&mem, 0x1000, 60, 0).unwrap();
        tx.post(&mem, 0x1000, 60, 1).unwrap();
        tx.doorbell(&regs);
        tx.doorbell(&regs);
        assert_eq!(regs.writes(), vec![(TDT.offset(), 0), (TDT.offset(), 2)]);
        assert_eq!(tx.in_flight(), 2);
    }

    #[test]
    fn abort_returns_every_token_and_empties_the_ring() {
        let (mut tx, mem) = ring(8);
        for token in 0..3 {
            tx.post(&mem, 0x1000, 60, token).unwrap();
        }
        complete(&mem, 0);
        let mut got = Vec::new();
        assert_eq!(tx.abort(|t| got.push(t)), 3);
        assert_eq!(got, vec![0, 1, 2]);
        assert!(tx.is_idle());
        assert_eq!((tx.tail(), tx.in_flight(), tx.free()), (0, 0, 7));
    }

    #[test]
    fn collision_status_is_reported_as_not_sent() {
        let (mut tx, mem) = ring(8);
        tx.post(&mem, 0x1000, 60, 5).unwrap();
        let mut d = TxDescriptor::from_bytes(&mem.get(0));
        d.status = tx_status::DD | tx_status::EC;
        mem.set(0, d.to_bytes());
        let c = tx.reclaim_one(&mem).unwrap();
        assert!(!c.sent());
    }

    #[test]
    fn roles_are_handed_out_once_and_work_on_their_own_ring_only() {
        let (mut a, mem) = ring(8);
        let (mut b, _) = ring(8);
        let (mut poster_a, mut reclaimer_a) = a.split_roles().unwrap();
        assert!(a.split_roles().is_none(), "the roles exist once");
        let (mut poster_b, mut reclaimer_b) = b.split_roles().unwrap();
        assert_eq!(
            a.post_as(&mut poster_b, &mem, 0x1000, 60, 1),
            Err(PostError {
                token: 1,
                reason: PostRefused::WrongRing
            })
        );
        assert_eq!(a.post_as(&mut poster_a, &mem, 0x1000, 60, 2), Ok(0));
        complete(&mem, 0);
        assert_eq!(a.reclaim_one_as(&mut reclaimer_b, &mem), None);
        assert_eq!(a.abort_as(&mut poster_a, &mut reclaimer_b, |_| {}), 0);
        assert_eq!(
            a.reclaim_one_as(&mut reclaimer_a, &mem).map(|c| c.token),
            Some(2)
        );
        assert!(a.is_idle());
    }

    #[test]
    fn hang_is_reported_after_limit_checks_without_progress() {
        let (mut tx, mem) = ring(8);
        let regs = FakeRegs::default();
        let mut hang = HangDetector::new(3);
        // Idle: never a hang.
        for _ in 0..10 {
            assert!(!hang.check(&tx));
        }
        // Posted but not rung: the NIC was never asked, not a hang.
        tx.post(&mem, 0x1000, 60, 0).unwrap();
        for _ in 0..10 {
            assert!(!hang.check(&tx));
        }
        tx.doorbell(&regs);
        assert!(!hang.check(&tx));
        assert!(!hang.check(&tx));
        assert!(hang.check(&tx));
        // Progress resets the count.
        tx.post(&mem, 0x1000, 60, 1).unwrap();
        tx.doorbell(&regs);
        complete(&mem, 0);
        tx.reclaim(&mem, |_| {});
        assert!(!hang.check(&tx));
        assert!(!hang.check(&tx));
        assert!(!hang.check(&tx));
        assert!(hang.check(&tx));
        // A limit of 0 is taken as 1: the first check only learns the count.
        let mut eager = HangDetector::new(0);
        assert!(!eager.check(&tx));
        assert!(eager.check(&tx));
    }
}
