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
