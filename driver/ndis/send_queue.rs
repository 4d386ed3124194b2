//! The send queue: owned send NBLs waiting for TX descriptors, each sent one `NET_BUFFER` (one
//! frame) per descriptor, with no allocation on the data path (the links live in the NBLs).
//!
//! A queued NBL is linked through `MiniportReserved[0]` (the miniport's while it owns the NBL;
//! `NET_BUFFER_LIST::Next` stays the caller's chain link until the NBL is completed) and carries
//! its count of unfinished frames in `MiniportReserved[1]`. A frame handed out for the ring is an
//! [`InFlight`], move-only; [`SendQueue::finish`] consumes it and gives the owned [`SendNbl`]
//! back with the NBL's last frame, so an NBL with several `NET_BUFFER`s completes once, after
//! all of its frames, by construction.

use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

use super::nbl::{InFlight, SendNbl, SendNbls};
use crate::sys;

/// `MiniportReserved` slot of the queue link.
const LINK_SLOT: usize = 0;
/// `MiniportReserved` slot of the count of `NET_BUFFER`s not finished yet.
const PENDING_SLOT: usize = 1;

/// A FIFO of owned NBLs linked through `MiniportReserved[0]`.
#[derive(Debug)]
struct NblQueue {
    head: Option<SendNbl>,
    tail: sys::PNET_BUFFER_LIST,
    len: usize,
}

impl NblQueue {
    const fn new() -> Self {
        Self {
            head: None,
            tail: ptr::null_mut(),
            len: 0,
        }
    }

    fn push_back(&mut self, mut nbl: SendNbl) {
        nbl.set_reserved(LINK_SLOT, ptr::null_mut());
        let raw = nbl.as_non_null().as_ptr();
        if self.head.is_none() {
            self.head = Some(nbl);
        } else {
            // The owned value moves into the link (re-created by `pop_front`).
            let link = nbl.into_link();
            // SAFETY: `tail` is a queued NBL this queue owns; the slot is the miniport's.
            unsafe { sys::set_nbl_miniport_reserved(self.tail, LINK_SLOT, link.as_ptr().cast()) };
        }
        self.tail = raw;
        self.len += 1;
    }

    fn front(&self) -> Option<&SendNbl> {
        self.head.as_ref()
    }

    fn pop_front(&mut self) -> Option<SendNbl> {
        let nbl = self.head.take()?;
        let next = nbl.reserved(LINK_SLOT).cast::<sys::NET_BUFFER_LIST>();
        self.head = core::ptr::NonNull::new(next).map(|next| {
            // SAFETY: the link holds an NBL this queue owns (moved in by `push_back`), and the
            // link is read once: ownership moves back out here.
            unsafe { SendNbl::from_link(next) }
        });
        if self.head.is_none() {
            self.tail = ptr::null_mut();
        }
        self.len -= 1;
        Some(nbl)
    }
}

impl Drop for NblQueue {
    fn drop(&mut self) {
        // Owned NBLs behind the head are not `SendNbl` values: pop them so each is dropped as
        // one (a queue dropped while not empty loses them either way, which the simulator's send
        // accounting reports).
        while self.pop_front().is_some() {}
    }
}

fn pending(nbl: &SendNbl) -> usize {
    nbl.reserved(PENDING_SLOT).addr()
}

fn set_pending(nbl: &mut SendNbl, n: usize) {
    // A count stored in the pointer-sized field as an address without provenance.
    nbl.set_reserved(PENDING_SLOT, ptr::without_provenance_mut(n));
}

/// Records that `count` frames of `nbl` finished with `status`; its status keeps its first
/// failure. True when nothing of it is left: the caller then owns the NBL alone.
///
/// Atomic on both fields: the frames of one NBL finish on two processors at once (the
/// reclaimer finishes sent frames without the send lock, while a Pause or a failed copy
/// finishes others under it). The count and the status were written plainly before any frame
/// was handed out (`push_back`, `take_alone`), and are read plainly only by the owner that the
/// last `fetch_sub` (acquire and release) makes it.
///
/// # Safety
/// `nbl` is a send NBL accepted by [`SendQueue::push_back`] with at least `count` frames not
/// finished, each finished once (its `InFlight` consumed, or the queue's count of unposted
/// ones).
unsafe fn finish_frames(
    nbl: sys::PNET_BUFFER_LIST,
    count: usize,
    status: sys::NDIS_STATUS,
) -> bool {
    if status != sys::NDIS_STATUS_SUCCESS {
        // SAFETY: `nbl` is valid (contract).
        let field = unsafe { sys::nbl_status_ptr(nbl) };
        // SAFETY: an aligned `NDIS_STATUS` (i32) that, while frames are out, is only accessed
        // atomically (see above).
        let first = unsafe { AtomicI32::from_ptr(field) };
        // Only the first failure is kept; a later success or failure does not replace it.
        let _ = first.compare_exchange(
            sys::NDIS_STATUS_SUCCESS,
            status,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }
    // SAFETY: `nbl` is valid (contract) and PENDING_SLOT is inside MiniportReserved.
    let slot = unsafe { &raw mut (*nbl).MiniportReserved[PENDING_SLOT] };
    // SAFETY: a pointer-sized, pointer-aligned field holding a count (stored without
    // provenance), only accessed atomically while frames are out.
    let left = unsafe { AtomicUsize::from_ptr(slot.cast::<usize>()) };
    // One atomic subtraction (a compare-and-swap loop would cost the reclaim of every frame a
    // retry loop); a count that would go below zero is a bookkeeping bug the assertion names,
    // and the NBL is handed back all the same.
    let before = left.fetch_sub(count, Ordering::AcqRel);
    debug_assert!(
        before >= count,
        "more NET_BUFFERs finished than the NBL has"
    );
    before <= count
}

/// Owned send NBLs waiting for TX descriptors. The NBL at the head may be partly on the ring:
/// `cursor` is its next `NET_BUFFER`. An NBL leaves the queue when its last `NET_BUFFER` is
/// handed out, and comes back as an owned value when its last frame finishes.
#[derive(Debug)]
pub struct SendQueue {
    queue: NblQueue,
    /// The next `NET_BUFFER` of the head NBL; null when the head has not started.
    cursor: sys::PNET_BUFFER,
}

// SAFETY: owns its NBLs (as `SendNbl`); the cursor points into the head NBL, owned here.
unsafe impl Send for SendQueue {}

impl Default for SendQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl SendQueue {
    /// An empty queue.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            queue: NblQueue::new(),
            cursor: ptr::null_mut(),
        }
    }

    /// NBLs queued (the head counts while any of its `NET_BUFFER`s waits).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.queue.len
    }

    /// Whether nothing waits.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.queue.len == 0
    }

    /// Accepts `nbl`: its status starts as success, all its `NET_BUFFER`s unfinished. An NBL
    /// without `NET_BUFFER`s has nothing to send: it is handed back, to be completed.
    ///
    /// # Errors
    /// The NBL itself, when it has no `NET_BUFFER`.
    pub fn push_back(&mut self, mut nbl: SendNbl) -> Result<(), SendNbl> {
        let count = nbl.nb_count();
        if count == 0 {
            return Err(nbl);
        }
        set_pending(&mut nbl, count);
        nbl.set_status(sys::NDIS_STATUS_SUCCESS);
        self.queue.push_back(nbl);
        Ok(())
    }

    /// Accepts an NBL of exactly one `NET_BUFFER` past the queue, straight to the way to the
    /// ring (the scatter/gather fast path maps its frame before the hold that posts it): its
    /// frame, whose finish gives the NBL back as [`SendQueue::finish`] does for any frame. The
    /// NBL comes back unchanged when it has not exactly one `NET_BUFFER`.
    ///
    /// # Errors
    /// The NBL itself, when it has no `NET_BUFFER` or more than one.
    pub fn take_alone(mut nbl: SendNbl) -> Result<InFlight, SendNbl> {
        let Some(nb) = nbl.first_nb().map(super::nbl::NetBuffer::raw) else {
            return Err(nbl);
        };
        // SAFETY: `nb` is the NBL's first NET_BUFFER, which the miniport owns with it.
        if !unsafe { sys::nb_next(nb) }.is_null() {
            return Err(nbl);
        }
        let Some(nb) = NonNull::new(nb) else {
            return Err(nbl);
        };
        set_pending(&mut nbl, 1);
        nbl.set_status(sys::NDIS_STATUS_SUCCESS);
        let link = nbl.into_link();
        // SAFETY: `nb` is the only NET_BUFFER of `link`, an NBL accepted here (its count set),
        // handed out once: the value that owned the NBL dissolved into this frame.
        Ok(unsafe { InFlight::new(link, nb) })
    }

    /// The next frame to put on the ring: a reference to its NBL and its `NET_BUFFER`. The NBL
    /// leaves the queue with its last `NET_BUFFER`; from then on only its frames refer to it.
    pub fn next_frame(&mut self) -> Option<InFlight> {
        let head = self.queue.front()?;
        let nbl = head.as_non_null();
        let nb = match NonNull::new(self.cursor) {
            Some(cursor) => cursor,
            // Accepted NBLs have a NET_BUFFER (`push_back`).
            None => NonNull::new(head.first_nb()?.raw())?,
        };
        // SAFETY: `nb` belongs to the head NBL, which this queue owns.
        let next = unsafe { sys::nb_next(nb.as_ptr()) };
        if next.is_null() {
            // The last frame: the owned value dissolves into its frames' references.
            if let Some(nbl) = self.queue.pop_front() {
                let _ = nbl.into_link();
            }
            self.cursor = ptr::null_mut();
        } else {
            self.cursor = next;
        }
        // SAFETY: `nb` is the head NBL's next unposted NET_BUFFER, handed out once (the cursor
        // moved past it).
        Some(unsafe { InFlight::new(nbl, nb) })
    }

    /// Records that the frame `frame` finished with `status` (sent, failed, aborted). Returns
    /// the owned NBL when this was its last unfinished frame: the caller completes it, once,
    /// with the status it carries (its first failure).
    #[must_use]
    pub fn finish(frame: InFlight, status: sys::NDIS_STATUS) -> Option<SendNbl> {
        // SAFETY: an `InFlight` exists only for a frame handed out by `next_frame` and not
        // finished; it is consumed here, so this frame is finished once.
        let last = unsafe { finish_frames(frame.raw(), 1, status) };
        // SAFETY: while any frame is unfinished the NBL is owned by its frames together and
        // by nothing else; the last one to finish (the one that brought the count to zero)
        // takes it, so there is never a second owner.
        last.then(|| unsafe { SendNbl::from_in_flight(frame) })
    }

    /// Gives up every queued frame with `status` (Pause, surprise removal). NBLs with nothing
    /// left go to `done`; the head, if partly on the ring, is completed later by the last of
    /// its frames there (with `status`, its first failure). The count of frames given up.
    pub fn abandon(&mut self, status: sys::NDIS_STATUS, done: &mut SendNbls) -> usize {
        let mut frames = 0;
        if !self.cursor.is_null() {
            let mut unposted = 0;
            let mut nb = self.cursor;
            while !nb.is_null() {
                unposted += 1;
                // SAFETY: the cursor walks the head NBL's own list.
                nb = unsafe { sys::nb_next(nb) };
            }
            if let Some(head) = self.queue.pop_front() {
                frames += unposted;
                // SAFETY: the head was accepted by `push_back`; its `unposted` frames were never
                // handed out, so they are finished here, once.
                let last = unsafe { finish_frames(head.as_non_null().as_ptr(), unposted, status) };
                if last {
                    done.push_as_is(head);
                } else {
                    // Its frames on the ring own it now.
                    let _ = head.into_link();
                }
            }
            self.cursor = ptr::null_mut();
        }
        while let Some(nbl) = self.queue.pop_front() {
            frames += pending(&nbl);
            done.push(nbl, status);
        }
        frames
    }

    /// `MiniportCancelSend`: the queued NBLs for which `matches` holds, none of whose frames
    /// is on the ring, go to `done` with `status` (an NBL partly on the ring is past
    /// cancelling and completes normally). The count of frames cancelled.
    pub fn cancel(
        &mut self,
        mut matches: impl FnMut(&SendNbl) -> bool,
        status: sys::NDIS_STATUS,
        done: &mut SendNbls,
    ) -> usize {
        let mut frames = 0;
        let mut kept = NblQueue::new();
        let mut started = !self.cursor.is_null();
        while let Some(nbl) = self.queue.pop_front() {
            if !core::mem::take(&mut started) && matches(&nbl) {
                frames += pending(&nbl);
                done.push(nbl, status);
            } else {
                kept.push_back(nbl);
            }
        }
        self.queue = kept;
        frames
    }

    /// The head's status, for tests.
    #[cfg(test)]
    fn front_status(&self) -> Option<sys::NDIS_STATUS> {
        self.queue.front().map(SendNbl::status)
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::SendQueue;
    use crate::miniport::test_frames::Frame;
    use crate::ndis::{InFlight, SendNbl, SendNbls};
    use crate::sys;

    /// NBLs of 1, 3 and 2 `NET_BUFFER`s.
    fn multi() -> Vec<Frame> {
        let mut f: Vec<Frame> = (0..3u8).map(|i| Frame::new(&[i; 60], 0, &[60])).collect();
        f[1].add_nb(60);
        f[1].add_nb(60);
        f[2].add_nb(60);
        f
    }

    fn owned(frame: &mut Frame) -> SendNbl {
        // SAFETY: the test owns the frame's NBL and hands it to one value.
        unsafe { SendNbl::from_raw_for_test(frame.ptr()) }
    }

    fn nbs_of(nbl: sys::PNET_BUFFER_LIST) -> Vec<sys::PNET_BUFFER> {
        let mut v = Vec::new();
        // SAFETY: the test owns the NBL.
        let mut nb = unsafe { sys::nbl_first_nb(nbl) };
        while !nb.is_null() {
            v.push(nb);
            // SAFETY: `nb` is a non-null NB of the test's NBL.
            nb = unsafe { sys::nb_next(nb) };
        }
        v
    }

    fn queue_of(f: &mut [Frame]) -> SendQueue {
        let mut q = SendQueue::new();
        for frame in f {
            assert!(q.push_back(owned(frame)).is_ok());
        }
        q
    }

    #[test]
    fn every_net_buffer_in_order_and_each_nbl_leaves_with_its_last() {
        let mut f = multi();
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        let mut q = queue_of(&mut f);
        let expected: Vec<_> = p
            .iter()
            .flat_map(|&nbl| nbs_of(nbl).into_iter().map(move |nb| (nbl, nb)))
            .collect();
        let mut got = Vec::new();
        let mut lens = Vec::new();
        let mut frames: Vec<InFlight> = Vec::new();
        while let Some(frame) = q.next_frame() {
            got.push((frame.raw(), frame.net_buffer().raw()));
            lens.push(q.len());
            frames.push(frame);
        }
        assert_eq!(got, expected);
        assert_eq!(lens, [2, 2, 2, 1, 1, 0]);
        assert!(q.is_empty());
        // Each NBL comes back owned exactly once, with its last frame.
        let back: Vec<_> = frames
            .into_iter()
            .map(|f| SendQueue::finish(f, sys::NDIS_STATUS_SUCCESS).map(|n| n.as_ptr_for_test()))
            .collect();
        assert_eq!(back, [Some(p[0]), None, None, Some(p[1]), None, Some(p[2])]);
    }

    #[test]
    fn an_nbl_completes_once_after_its_last_frame_with_its_first_failure() {
        let mut three = multi();
        let mut queue = SendQueue::new();
        assert!(queue.push_back(owned(&mut three[1])).is_ok());
        let mut frames = core::iter::from_fn(|| queue.next_frame()).collect::<Vec<_>>();
        assert_eq!(frames.len(), 3);
        let last = frames.pop().unwrap_or_else(|| unreachable!());
        let second = frames.pop().unwrap_or_else(|| unreachable!());
        let first = frames.pop().unwrap_or_else(|| unreachable!());
        assert!(SendQueue::finish(first, sys::NDIS_STATUS_SUCCESS).is_none());
        assert!(SendQueue::finish(second, sys::NDIS_STATUS_RESOURCES).is_none());
        let nbl = SendQueue::finish(last, sys::NDIS_STATUS_FAILURE);
        assert_eq!(
            nbl.as_ref().map(SendNbl::status),
            Some(sys::NDIS_STATUS_RESOURCES)
        );
        let mut done = SendNbls::new();
        done.push_as_is(nbl.unwrap_or_else(|| unreachable!()));
        let _ = done.into_head();
    }

    #[test]
    fn frames_finishing_on_several_threads_give_the_nbl_back_exactly_once() {
        extern crate std;
        let mut many = Frame::new(&[7; 60], 0, &[60]);
        for _ in 0..7 {
            many.add_nb(60);
        }
        for round in 0..50 {
            let mut queue = SendQueue::new();
            assert!(queue.push_back(owned(&mut many)).is_ok());
            let frames: Vec<InFlight> = core::iter::from_fn(|| queue.next_frame()).collect();
            assert_eq!(frames.len(), 8);
            let back: Vec<Option<SendNbl>> = std::thread::scope(|s| {
                let handles: Vec<_> = frames
                    .into_iter()
                    .enumerate()
                    .map(|(i, frame)| {
                        let status = if i == 3 {
                            sys::NDIS_STATUS_RESOURCES
                        } else {
                            sys::NDIS_STATUS_SUCCESS
                        };
                        s.spawn(move || SendQueue::finish(frame, status))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| panic!("a finishing thread")))
                    .collect()
            });
            let owners: Vec<SendNbl> = back.into_iter().flatten().collect();
            assert_eq!(owners.len(), 1, "round {round}");
            assert_eq!(owners[0].status(), sys::NDIS_STATUS_RESOURCES);
            let mut done = SendNbls::new();
            for nbl in owners {
                done.push_as_is(nbl);
            }
            let _ = done.into_head();
        }
    }

    #[test]
    fn abandon_completes_unstarted_nbls_and_leaves_a_started_one_to_the_ring() {
        let mut f = multi();
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        let mut q = queue_of(&mut f);
        let first = q.next_frame().unwrap_or_else(|| unreachable!());
        let second = q.next_frame().unwrap_or_else(|| unreachable!());
        assert_eq!((first.raw(), second.raw()), (p[0], p[1]));
        let mut done = SendNbls::new();
        // Two unposted frames of p[1] and both of p[2].
        assert_eq!(q.abandon(sys::NDIS_STATUS_PAUSED, &mut done), 4);
        assert!(q.is_empty());
        assert_eq!(
            done.head_for_test(),
            p[2],
            "only the NBL with nothing on the ring"
        );
        assert_eq!(done.len(), 1);
        // SAFETY: the test owns the NBL.
        assert_eq!(unsafe { sys::nbl_status(p[2]) }, sys::NDIS_STATUS_PAUSED);
        // p[1]'s frame on the ring finishes: now it comes back, with the abandon status.
        let p1 = SendQueue::finish(second, sys::NDIS_STATUS_SUCCESS);
        assert_eq!(
            p1.as_ref().map(SendNbl::status),
            Some(sys::NDIS_STATUS_PAUSED)
        );
        let p0 = SendQueue::finish(first, sys::NDIS_STATUS_SUCCESS);
        assert!(q.next_frame().is_none());
        for nbl in [p0, p1].into_iter().flatten() {
            done.push_as_is(nbl);
        }
        assert_eq!(done.len(), 3);
        let _ = done.into_head();
    }

    #[test]
    fn cancel_skips_an_nbl_already_on_the_ring() {
        let mut frames = multi();
        let p: Vec<_> = frames.iter_mut().map(Frame::ptr).collect();
        let mut q = queue_of(&mut frames[1..]);
        let started = q.next_frame().unwrap_or_else(|| unreachable!());
        assert_eq!(started.raw(), p[1]);
        let mut done = SendNbls::new();
        let cancelled = q.cancel(|_| true, sys::NDIS_STATUS_SEND_ABORTED, &mut done);
        assert_eq!(cancelled, 2);
        assert_eq!(done.head_for_test(), p[2]);
        assert_eq!(done.len(), 1);
        assert_eq!(q.front_status(), Some(sys::NDIS_STATUS_SUCCESS));
        // The started NBL keeps its place and its remaining frames.
        let b = q.next_frame().unwrap_or_else(|| unreachable!());
        let c = q.next_frame().unwrap_or_else(|| unreachable!());
        assert!(q.next_frame().is_none());
        assert!(SendQueue::finish(started, sys::NDIS_STATUS_SUCCESS).is_none());
        assert!(SendQueue::finish(b, sys::NDIS_STATUS_SUCCESS).is_none());
        let last = SendQueue::finish(c, sys::NDIS_STATUS_SUCCESS);
        done.push_as_is(last.unwrap_or_else(|| unreachable!()));
        let _ = done.into_head();
    }
}
