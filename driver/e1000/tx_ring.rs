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

use alloc::vec::Vec;
use core::sync::atomic::{Ordering, fence};

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

/// Bookkeeping of the transmit ring. Plain data: no locks inside; the caller serialises
/// (the miniport's send lock).
#[derive(Debug)]
pub struct TxRing<T> {
    size: RingSize,
    slots: Vec<Slot<T>>,
    /// Next slot to fill; the value TDT gets.
    tail: u16,
    /// Oldest slot not reclaimed.
    clean: u16,
    /// TDT as last written, `None` before the NIC was told about this ring.
    rung: Option<u16>,
    /// Frames reclaimed since creation (the hang detector watches it move).
    completed: u64,
}

impl<T> TxRing<T> {
    /// An empty ring of `size` descriptors.
    #[must_use]
    pub fn new(size: RingSize) -> Self {
        let mut slots = Vec::with_capacity(size.len());
        slots.resize_with(size.len(), || Slot::Free);
        Self {
            size,
            slots,
            tail: 0,
            clean: 0,
            rung: None,
            completed: 0,
        }
    }

    /// Number of descriptors.
    #[must_use]
    pub fn size(&self) -> RingSize {
        self.size
    }

    /// Descriptors in use (posted and not reclaimed).
    #[must_use]
    pub fn used(&self) -> u16 {
        self.size.distance(self.clean, self.tail)
    }

    /// Descriptors a new frame may use now.
    #[must_use]
    pub fn free(&self) -> u16 {
        self.size.descriptors() - 1 - self.used()
    }

    /// Whether nothing is posted.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        self.clean == self.tail
    }

    /// Descriptors the NIC has been told about (doorbell rung) and that are not reclaimed.
    #[must_use]
    pub fn in_flight(&self) -> u16 {
        self.rung
            .map_or(0, |rung| self.size.distance(self.clean, rung))
    }

    /// The slot TDT points at: the next one [`TxRing::post`] fills.
    #[must_use]
    pub fn tail(&self) -> u16 {
        self.tail
    }

    /// Frames reclaimed since the ring was created.
    #[must_use]
    pub fn completed(&self) -> u64 {
        self.completed
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
        // The copy path's one-buffer frame, posted without the segment loop (the per-frame
        // cost of every small frame).
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
        self.write(
            mem,
            &Segment { address, length },
            tx_cmd::IFCS | tx_cmd::EOP | tx_cmd::RS,
        );
        let slot = self.tail;
        self.slots[usize::from(slot)] = Slot::Last(token);
        self.tail = self.size.next(slot);
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
        for segment in rest {
            self.write(mem, segment, tx_cmd::IFCS);
            self.slots[usize::from(self.tail)] = Slot::Fragment;
            self.tail = self.size.next(self.tail);
        }
        self.write(mem, last, tx_cmd::IFCS | tx_cmd::EOP | tx_cmd::RS);
        let slot = self.tail;
        self.slots[usize::from(slot)] = Slot::Last(token);
        self.tail = self.size.next(slot);
        Ok(slot)
    }

    /// Writes the descriptor at `tail` (status cleared, so an old DD cannot be mistaken for
    /// this frame's).
    fn write<M: DescriptorMemory + ?Sized>(&self, mem: &M, segment: &Segment, cmd: u8) {
        let desc = TxDescriptor {
            buffer: segment.address,
            length: segment.length,
            cmd,
            ..TxDescriptor::default()
        };
        mem.write(self.tail, &desc.to_bytes());
    }

    /// Tells the NIC about every frame posted since the last doorbell: writes TDT, after a
    /// release fence so the descriptors are in memory before the NIC can fetch them. Does
    /// nothing when nothing new was posted (a TDT write costs an uncached access).
    pub fn doorbell<R: Registers + ?Sized>(&mut self, regs: &R) {
        if self.rung != Some(self.tail) {
            fence(Ordering::Release);
            regs.write(TDT, u32::from(self.tail));
            self.rung = Some(self.tail);
        }
    }

    /// Reclaims the oldest frame if the NIC has written its last descriptor back.
    pub fn reclaim_one<M: DescriptorMemory + ?Sized>(
        &mut self,
        mem: &M,
    ) -> Option<TxCompletion<T>> {
        // Find the frame's last descriptor: whole frames are posted, so one lies before tail.
        let mut last = self.clean;
        loop {
            if last == self.tail {
                return None;
            }
            match self.slots[usize::from(last)] {
                Slot::Last(_) => break,
                Slot::Fragment => last = self.size.next(last),
                // Unreachable while the indices are consistent; stop rather than guess.
                Slot::Free => return None,
            }
        }
        let status = mem.read_status(last);
        if status & tx_status::DD == 0 {
            return None;
        }
        let mut slot = self.clean;
        while slot != last {
            self.slots[usize::from(slot)] = Slot::Free;
            slot = self.size.next(slot);
        }
        let Slot::Last(token) = core::mem::replace(&mut self.slots[usize::from(last)], Slot::Free)
        else {
            return None;
        };
        self.clean = self.size.next(last);
        self.completed += 1;
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
    pub fn abort(&mut self, mut aborted: impl FnMut(T)) -> usize {
        let mut n = 0;
        let mut slot = self.clean;
        while slot != self.tail {
            if let Slot::Last(token) =
                core::mem::replace(&mut self.slots[usize::from(slot)], Slot::Free)
            {
                aborted(token);
                n += 1;
            }
            slot = self.size.next(slot);
        }
        self.slots.iter_mut().for_each(|s| *s = Slot::Free);
        self.tail = 0;
        self.clean = 0;
        self.rung = None;
        n
    }

    /// Records that bring-up programmed TDH = TDT = `tail` (0 for an idle ring).
    pub(super) fn programmed(&mut self) {
        self.rung = Some(self.tail);
    }
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
