//! Intrusive queues of `NET_BUFFER_LIST`s: no allocation on the data path, the links live in
//! the NBLs themselves.
//!
//! A send queue links through `MiniportReserved[0]` (the miniport owns that slot while it owns
//! the NBL; `NET_BUFFER_LIST::Next` stays the caller's chain link until the NBL is queued, and is
//! rewritten only when the NBL is completed). A completion chain links through `Next`, the form
//! `NdisMSendNetBufferListsComplete` and `NdisMIndicateReceiveNetBufferLists` take.

use core::ptr;

use crate::sys;

/// A FIFO of NBLs linked through `MiniportReserved[0]`.
#[derive(Debug)]
pub struct NblQueue {
    head: sys::PNET_BUFFER_LIST,
    tail: sys::PNET_BUFFER_LIST,
    len: usize,
}

// SAFETY: the queue only holds NBLs the miniport owns; it is used under the send lock.
unsafe impl Send for NblQueue {}

impl Default for NblQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl NblQueue {
    /// An empty queue.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
            len: 0,
        }
    }

    /// Number of NBLs queued.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is queued.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `nbl`.
    ///
    /// # Safety
    /// `nbl` is a valid NBL the miniport owns and is in no other queue.
    pub unsafe fn push_back(&mut self, nbl: sys::PNET_BUFFER_LIST) {
        // SAFETY: the caller owns `nbl`; the slot is the miniport's.
        unsafe { sys::set_nbl_miniport_reserved(nbl, 0, ptr::null_mut()) };
        if self.tail.is_null() {
            self.head = nbl;
        } else {
            // SAFETY: `tail` is a queued NBL the miniport owns.
            unsafe { sys::set_nbl_miniport_reserved(self.tail, 0, nbl.cast()) };
        }
        self.tail = nbl;
        self.len += 1;
    }

    /// The oldest NBL, left in place.
    #[must_use]
    pub fn front(&self) -> Option<sys::PNET_BUFFER_LIST> {
        (!self.head.is_null()).then_some(self.head)
    }

    /// Removes the oldest NBL.
    pub fn pop_front(&mut self) -> Option<sys::PNET_BUFFER_LIST> {
        if self.head.is_null() {
            return None;
        }
        let nbl = self.head;
        // SAFETY: `head` is a queued NBL the miniport owns (push_back's contract).
        self.head = unsafe { sys::nbl_miniport_reserved(nbl, 0) }.cast();
        if self.head.is_null() {
            self.tail = ptr::null_mut();
        }
        self.len -= 1;
        Some(nbl)
    }

    /// Removes every NBL for which `matches` holds, keeping the others in order.
    pub fn remove_if(
        &mut self,
        mut matches: impl FnMut(sys::PNET_BUFFER_LIST) -> bool,
        mut removed: impl FnMut(sys::PNET_BUFFER_LIST),
    ) {
        let mut kept = Self::new();
        while let Some(nbl) = self.pop_front() {
            if matches(nbl) {
                removed(nbl);
            } else {
                // SAFETY: `nbl` was queued here, so the miniport owns it.
                unsafe { kept.push_back(nbl) };
            }
        }
        *self = kept;
    }
}

/// `MiniportReserved` slot of a send NBL that counts its `NET_BUFFER`s not yet finished
/// (sent, failed or dropped). Slot 0 is the [`NblQueue`] link.
const PENDING_SLOT: usize = 1;

/// The number of `NET_BUFFER`s of `nbl`.
///
/// # Safety
/// `nbl` is a valid NBL the miniport owns.
#[must_use]
pub unsafe fn nb_count(nbl: sys::PNET_BUFFER_LIST) -> usize {
    let mut n = 0;
    // SAFETY: the caller guarantees a valid NBL.
    let mut nb = unsafe { sys::nbl_first_nb(nbl) };
    while !nb.is_null() {
        n += 1;
        // SAFETY: `nb` is in the NBL's list, valid while the NBL is.
        nb = unsafe { sys::nb_next(nb) };
    }
    n
}

/// The `NET_BUFFER`s of `nbl` not finished yet.
///
/// # Safety
/// `nbl` is a send NBL the miniport owns, accepted by [`SendQueue::push_back`].
unsafe fn pending(nbl: sys::PNET_BUFFER_LIST) -> usize {
    // SAFETY: the caller guarantees a valid NBL; the slot holds a count, not a pointer.
    unsafe { sys::nbl_miniport_reserved(nbl, PENDING_SLOT) }.addr()
}

/// Stores the count of unfinished `NET_BUFFER`s.
///
/// # Safety
/// As [`pending`].
unsafe fn set_pending(nbl: sys::PNET_BUFFER_LIST, n: usize) {
    // SAFETY: the caller guarantees an NBL the miniport owns; the slot is the miniport's.
    unsafe { sys::set_nbl_miniport_reserved(nbl, PENDING_SLOT, ptr::without_provenance_mut(n)) };
}

/// Records that `count` `NET_BUFFER`s of `nbl` finished with `status`. The NBL's status keeps
/// its first failure (a later success does not hide it). True when nothing of the NBL is
/// left: the caller completes it, with `nbl_status(nbl)`.
///
/// # Safety
/// `nbl` is a send NBL accepted by [`SendQueue::push_back`] and not yet completed, with at
/// least `count` unfinished `NET_BUFFER`s.
#[must_use]
pub unsafe fn finish_nbs(
    nbl: sys::PNET_BUFFER_LIST,
    count: usize,
    status: sys::NDIS_STATUS,
) -> bool {
    // SAFETY: the caller's contract.
    let left = unsafe { pending(nbl) };
    debug_assert!(left >= count, "more NET_BUFFERs finished than the NBL has");
    let left = left.saturating_sub(count);
    // SAFETY: as above.
    unsafe { set_pending(nbl, left) };
    // SAFETY: as above.
    let first_failure = unsafe { sys::nbl_status(nbl) } == sys::NDIS_STATUS_SUCCESS;
    if status != sys::NDIS_STATUS_SUCCESS && first_failure {
        // SAFETY: as above.
        unsafe { sys::set_nbl_status(nbl, status) };
    }
    left == 0
}

/// The send queue: NBLs waiting for TX descriptors, each sent one `NET_BUFFER` (one frame) per
/// descriptor. The NBL at the head may be partly on the ring: `cursor` is its next
/// `NET_BUFFER`. An NBL leaves the queue when its last `NET_BUFFER` is handed out, and is
/// completed when its last one finishes ([`finish_nbs`]), so an NBL with several
/// `NET_BUFFER`s completes once, after all of its frames.
#[derive(Debug)]
pub struct SendQueue {
    queue: NblQueue,
    /// The next `NET_BUFFER` of the head NBL; null when the head has not started.
    cursor: sys::PNET_BUFFER,
}

// SAFETY: as for `NblQueue`: only NBLs (and their NBs) the miniport owns, under the send lock.
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
        self.queue.len()
    }

    /// Whether nothing waits.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Accepts `nbl`: its status starts as success, all its `NET_BUFFER`s unfinished.
    ///
    /// # Safety
    /// `nbl` is a valid NBL the miniport owns, with at least one `NET_BUFFER`, in no queue.
    pub unsafe fn push_back(&mut self, nbl: sys::PNET_BUFFER_LIST) {
        // SAFETY: the caller's contract.
        let count = unsafe { nb_count(nbl) };
        debug_assert!(count > 0, "an NBL without NET_BUFFERs has nothing to send");
        // SAFETY: as above.
        unsafe { set_pending(nbl, count) };
        // SAFETY: as above.
        unsafe { sys::set_nbl_status(nbl, sys::NDIS_STATUS_SUCCESS) };
        // SAFETY: as above.
        unsafe { self.queue.push_back(nbl) };
    }

    /// The next frame to put on the ring: the head NBL and its next `NET_BUFFER`. The NBL
    /// leaves the queue with its last `NET_BUFFER`.
    pub fn next_frame(&mut self) -> Option<(sys::PNET_BUFFER_LIST, sys::PNET_BUFFER)> {
        let nbl = self.queue.front()?;
        let nb = if self.cursor.is_null() {
            // SAFETY: queued NBLs are the miniport's and have a NET_BUFFER (push_back).
            unsafe { sys::nbl_first_nb(nbl) }
        } else {
            self.cursor
        };
        // SAFETY: `nb` belongs to the queued NBL.
        let next = unsafe { sys::nb_next(nb) };
        if next.is_null() {
            let _ = self.queue.pop_front();
            self.cursor = ptr::null_mut();
        } else {
            self.cursor = next;
        }
        Some((nbl, nb))
    }

    /// Gives up every queued frame with `status` (Pause, surprise removal). NBLs with nothing
    /// left go to `done`; the head, if partly on the ring, is completed later by the last of
    /// its frames there (with `status`, its first failure). The count of frames given up.
    pub fn abandon(&mut self, status: sys::NDIS_STATUS, done: &mut NblChain) -> usize {
        let mut frames = 0;
        let started = !self.cursor.is_null();
        if started {
            let mut unposted = 0;
            let mut nb = self.cursor;
            while !nb.is_null() {
                unposted += 1;
                // SAFETY: the cursor walks the head NBL's own list.
                nb = unsafe { sys::nb_next(nb) };
            }
            if let Some(head) = self.queue.pop_front() {
                frames += unposted;
                // SAFETY: the head is an accepted NBL with `unposted` unfinished NBs.
                if unsafe { finish_nbs(head, unposted, status) } {
                    // SAFETY: nothing of it is left anywhere: complete it once.
                    unsafe { done.push_as_is(head) };
                }
            }
            self.cursor = ptr::null_mut();
        }
        while let Some(nbl) = self.queue.pop_front() {
            // SAFETY: a queued NBL that has not started: all its NBs are unposted.
            frames += unsafe { pending(nbl) };
            // SAFETY: as above; it is in no other list.
            unsafe { done.push(nbl, status) };
        }
        frames
    }

    /// `MiniportCancelSend`: the queued NBLs for which `matches` holds, none of whose frames
    /// is on the ring, go to `done` with `status` (an NBL partly on the ring is past
    /// cancelling and completes normally). The count of frames cancelled.
    pub fn cancel(
        &mut self,
        mut matches: impl FnMut(sys::PNET_BUFFER_LIST) -> bool,
        status: sys::NDIS_STATUS,
        done: &mut NblChain,
    ) -> usize {
        let started = if self.cursor.is_null() {
            ptr::null_mut()
        } else {
            self.queue.front().unwrap_or_default()
        };
        let mut frames = 0;
        self.queue.remove_if(
            |nbl| nbl != started && matches(nbl),
            |nbl| {
                // SAFETY: a queued NBL that has not started: all its NBs are unposted.
                frames += unsafe { pending(nbl) };
                // SAFETY: removed from the queue, still the miniport's.
                unsafe { done.push(nbl, status) };
            },
        );
        frames
    }
}

/// A chain of NBLs linked through `Next`, built in order, for one completion or indication.
#[derive(Debug)]
pub struct NblChain {
    head: sys::PNET_BUFFER_LIST,
    tail: sys::PNET_BUFFER_LIST,
    len: u32,
}

impl Default for NblChain {
    fn default() -> Self {
        Self::new()
    }
}

impl NblChain {
    /// An empty chain.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
            len: 0,
        }
    }

    /// Appends `nbl` with `status` (`NET_BUFFER_LIST_STATUS`).
    ///
    /// # Safety
    /// `nbl` is a valid NBL the miniport owns and is in no other chain.
    pub unsafe fn push(&mut self, nbl: sys::PNET_BUFFER_LIST, status: sys::NDIS_STATUS) {
        // SAFETY: the caller owns `nbl`.
        unsafe { sys::set_nbl_status(nbl, status) };
        // SAFETY: as above.
        unsafe { self.push_as_is(nbl) };
    }

    /// Appends `nbl` keeping the status it has (a send NBL whose frames set it, see
    /// [`finish_nbs`]).
    ///
    /// # Safety
    /// As [`Self::push`].
    pub unsafe fn push_as_is(&mut self, nbl: sys::PNET_BUFFER_LIST) {
        // SAFETY: the caller owns `nbl`.
        unsafe { sys::set_nbl_next(nbl, ptr::null_mut()) };
        if self.tail.is_null() {
            self.head = nbl;
        } else {
            // SAFETY: `tail` is in this chain, so the miniport owns it.
            unsafe { sys::set_nbl_next(self.tail, nbl) };
        }
        self.tail = nbl;
        self.len += 1;
    }

    /// The first NBL (null when empty).
    #[must_use]
    pub const fn head(&self) -> sys::PNET_BUFFER_LIST {
        self.head
    }

    /// How many NBLs.
    #[must_use]
    pub const fn len(&self) -> u32 {
        self.len
    }

    /// Whether empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::{NblChain, NblQueue, SendQueue, finish_nbs};
    use crate::miniport::test_frames::Frame;
    use crate::sys;

    fn frames(n: usize) -> Vec<Frame> {
        (0..n)
            .map(|i| Frame::new(&[u8::try_from(i).unwrap_or(0); 60], 0, &[60]))
            .collect()
    }

    #[test]
    fn queue_is_fifo_and_empties_cleanly() {
        let mut f = frames(3);
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        let mut q = NblQueue::new();
        assert!(q.is_empty());
        for &nbl in &p {
            // SAFETY: the test owns the NBLs; each is queued once.
            unsafe { q.push_back(nbl) };
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.pop_front(), Some(p[0]));
        // The tail stays linked after the head leaves; a push after that goes behind it.
        // SAFETY: as above (p[0] left the queue).
        unsafe { q.push_back(p[0]) };
        assert_eq!(q.pop_front(), Some(p[1]));
        assert_eq!(q.pop_front(), Some(p[2]));
        assert_eq!(q.pop_front(), Some(p[0]));
        assert_eq!(q.pop_front(), None);
        assert!(q.is_empty());
        // Empty again: a push makes a one-element queue (head and tail reset).
        // SAFETY: as above.
        unsafe { q.push_back(p[2]) };
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_front(), Some(p[2]));
    }

    #[test]
    fn queue_links_through_miniport_reserved_and_leaves_next_alone() {
        let mut f = frames(2);
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        // The caller's chain link (`Next`) must survive queuing: NDIS owns its meaning until
        // the completion rewrites it.
        // SAFETY: the test owns the NBLs.
        unsafe { sys::set_nbl_next(p[0], p[1]) };
        let mut q = NblQueue::new();
        // SAFETY: as above.
        unsafe { q.push_back(p[0]) };
        // SAFETY: as above.
        unsafe { q.push_back(p[1]) };
        // SAFETY: as above.
        assert_eq!(unsafe { sys::nbl_miniport_reserved(p[0], 0) }, p[1].cast());
        // SAFETY: as above.
        assert!(unsafe { sys::nbl_miniport_reserved(p[1], 0) }.is_null());
        // SAFETY: as above.
        assert_eq!(unsafe { sys::nbl_next(p[0]) }, p[1]);
    }

    #[test]
    fn remove_if_takes_head_middle_and_tail_and_keeps_the_order_of_the_rest() {
        let mut f = frames(6);
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        let mut q = NblQueue::new();
        for &nbl in &p {
            // SAFETY: the test owns the NBLs.
            unsafe { q.push_back(nbl) };
        }
        let doomed = [p[0], p[2], p[5]];
        let mut removed = Vec::new();
        q.remove_if(|nbl| doomed.contains(&nbl), |nbl| removed.push(nbl));
        assert_eq!(removed, doomed);
        assert_eq!(q.len(), 3);
        let rest: Vec<_> = core::iter::from_fn(|| q.pop_front()).collect();
        assert_eq!(rest, [p[1], p[3], p[4]]);
    }

    /// NBLs of 1, 3 and 2 `NET_BUFFER`s.
    fn multi() -> Vec<Frame> {
        let mut f = frames(3);
        f[1].add_nb(60);
        f[1].add_nb(60);
        f[2].add_nb(60);
        f
    }

    fn nbs_of(nbl: sys::PNET_BUFFER_LIST) -> Vec<sys::PNET_BUFFER> {
        let mut v = Vec::new();
        // SAFETY: the test owns the NBL.
        let mut nb = unsafe { sys::nbl_first_nb(nbl) };
        while !nb.is_null() {
            v.push(nb);
            // SAFETY: as above.
            nb = unsafe { sys::nb_next(nb) };
        }
        v
    }

    #[test]
    fn send_queue_hands_out_every_net_buffer_in_order_and_each_nbl_leaves_with_its_last() {
        let mut f = multi();
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        let mut q = SendQueue::new();
        for &nbl in &p {
            // SAFETY: the test owns the NBLs; each has a NET_BUFFER.
            unsafe { q.push_back(nbl) };
        }
        let expected: Vec<_> = p
            .iter()
            .flat_map(|&nbl| nbs_of(nbl).into_iter().map(move |nb| (nbl, nb)))
            .collect();
        let mut got = Vec::new();
        let mut lens = Vec::new();
        while let Some(frame) = q.next_frame() {
            got.push(frame);
            lens.push(q.len());
        }
        assert_eq!(got, expected);
        // The 3-NB NBL stays queued until its third frame is handed out.
        assert_eq!(lens, [2, 2, 2, 1, 1, 0]);
        assert!(q.is_empty());
    }

    #[test]
    fn an_nbl_completes_once_after_its_last_frame_with_its_first_failure() {
        let mut f = multi();
        let nbl = f[1].ptr();
        let mut q = SendQueue::new();
        // SAFETY: the test owns the NBL.
        unsafe { q.push_back(nbl) };
        // SAFETY: an accepted NBL with 3 unfinished frames.
        assert!(!unsafe { finish_nbs(nbl, 1, sys::NDIS_STATUS_SUCCESS) });
        // SAFETY: as above, 2 left.
        assert!(!unsafe { finish_nbs(nbl, 1, sys::NDIS_STATUS_RESOURCES) });
        // SAFETY: as above, 1 left; a later status does not replace the first failure.
        assert!(unsafe { finish_nbs(nbl, 1, sys::NDIS_STATUS_FAILURE) });
        // SAFETY: as above.
        assert_eq!(unsafe { sys::nbl_status(nbl) }, sys::NDIS_STATUS_RESOURCES);
    }

    #[test]
    fn abandon_completes_unstarted_nbls_and_leaves_a_started_one_to_the_ring() {
        let mut f = multi();
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        let mut q = SendQueue::new();
        for &nbl in &p {
            // SAFETY: the test owns the NBLs.
            unsafe { q.push_back(nbl) };
        }
        // The 1-NB NBL goes out whole, then the first of the 3-NB one.
        assert_eq!(q.next_frame().map(|f| f.0), Some(p[0]));
        assert_eq!(q.next_frame().map(|f| f.0), Some(p[1]));
        let mut done = NblChain::new();
        // Two unposted frames of p[1] and both of p[2].
        assert_eq!(q.abandon(sys::NDIS_STATUS_PAUSED, &mut done), 4);
        assert!(q.is_empty());
        assert_eq!(done.head(), p[2], "only the NBL with nothing on the ring");
        assert_eq!(done.len(), 1);
        // SAFETY: the test owns the NBL.
        assert_eq!(unsafe { sys::nbl_status(p[2]) }, sys::NDIS_STATUS_PAUSED);
        // p[1]'s frame on the ring finishes: now it completes, with the abandon status.
        // SAFETY: accepted, one frame left.
        assert!(unsafe { finish_nbs(p[1], 1, sys::NDIS_STATUS_SUCCESS) });
        // SAFETY: as above.
        assert_eq!(unsafe { sys::nbl_status(p[1]) }, sys::NDIS_STATUS_PAUSED);
        assert_eq!(q.next_frame(), None);
    }

    #[test]
    fn cancel_skips_an_nbl_already_on_the_ring() {
        let mut f = multi();
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        let mut q = SendQueue::new();
        for &nbl in &p[1..] {
            // SAFETY: the test owns the NBLs.
            unsafe { q.push_back(nbl) };
        }
        assert_eq!(q.next_frame().map(|f| f.0), Some(p[1]));
        let mut done = NblChain::new();
        let frames = q.cancel(|_| true, sys::NDIS_STATUS_SEND_ABORTED, &mut done);
        assert_eq!(frames, 2);
        assert_eq!(done.head(), p[2]);
        assert_eq!(done.len(), 1);
        // The started NBL keeps its place and its remaining frames.
        assert_eq!(q.next_frame().map(|f| f.0), Some(p[1]));
        assert_eq!(q.next_frame().map(|f| f.0), Some(p[1]));
        assert_eq!(q.next_frame(), None);
    }

    #[test]
    fn chain_links_through_next_in_order_with_each_status() {
        let mut f = frames(3);
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        // Stale links from the caller's chain must not survive into the completion chain.
        // SAFETY: the test owns the NBLs.
        unsafe { sys::set_nbl_next(p[2], p[0]) };
        let mut c = NblChain::new();
        assert!(c.is_empty());
        let statuses = [
            sys::NDIS_STATUS_SUCCESS,
            sys::NDIS_STATUS_PAUSED,
            sys::NDIS_STATUS_INVALID_LENGTH,
        ];
        for (&nbl, &status) in p.iter().zip(&statuses) {
            // SAFETY: the test owns the NBLs; each is in one chain.
            unsafe { c.push(nbl, status) };
        }
        assert_eq!(c.len(), 3);
        let mut walk = Vec::new();
        let mut n = c.head();
        while !n.is_null() {
            // SAFETY: the chain's NBLs are the test's.
            walk.push((n, unsafe { sys::nbl_status(n) }));
            // SAFETY: as above.
            n = unsafe { sys::nbl_next(n) };
        }
        let expected: Vec<_> = p.iter().copied().zip(statuses).collect();
        assert_eq!(walk, expected);
    }
}
