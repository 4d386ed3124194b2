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

    use super::{NblChain, NblQueue};
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
