//! Owned `NET_BUFFER_LIST`s: who owns an NBL is a type, not a comment.
//!
//! NDIS hands a miniport two kinds of NBL:
//! - **send NBLs**, in `MiniportSendNetBufferLists`
//!   (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>):
//!   the miniport owns each until it gives it back, once, with `NdisMSendNetBufferListsComplete`.
//!   Here each is a [`SendNbl`] (move-only), and the only way to give one back is to put it in a
//!   [`SendNbls`] chain that [`MiniportAdapter::complete_sends`](super::MiniportAdapter::complete_sends)
//!   consumes. A frame of an NBL on the TX ring is an [`InFlight`] reference, which turns back
//!   into the owned NBL only when its last frame finishes ([`SendQueue`](super::SendQueue)).
//! - **receive NBLs**, the driver's own (from its pool): an [`RxNbl`] while the driver holds it,
//!   moved into a [`ReceiveNbls`] chain to be indicated; an indication consumes the chain, and
//!   NDIS hands the NBLs back through `MiniportReturnNetBufferLists` as [`ReturnedNbls`].
//!
//! Rust cannot stop a value from being leaked (`mem::forget`): a send NBL that is never
//! completed, or a receive NBL never reposted, is caught at run time by the simulator's
//! `send NBL accounting` / `receive NBL accounting` rules (at Pause and Halt). What the types do
//! hold: an NBL cannot be completed or indicated twice (each consumes the owned value), cannot
//! be touched after it is given back, and no NBL pointer is kept as an integer.

use core::ptr::{self, NonNull};

use crate::sys;

/// The `NET_BUFFER`s of an NBL, in order.
fn net_buffers(nbl: sys::PNET_BUFFER_LIST) -> impl Iterator<Item = sys::PNET_BUFFER> {
    // SAFETY: `nbl` is owned by the value this is called through (see the callers), so its
    // NET_BUFFER list is valid.
    let first = unsafe { sys::nbl_first_nb(nbl) };
    core::iter::successors((!first.is_null()).then_some(first), |&nb| {
        // SAFETY: `nb` is in the NBL's list, valid while the NBL is owned.
        let next = unsafe { sys::nb_next(nb) };
        (!next.is_null()).then_some(next)
    })
}

/// One `NET_BUFFER` (one frame) of a send NBL the miniport owns, borrowed from the value that
/// owns the NBL (a [`SendNbl`], or the send queue while it hands frames out): it cannot outlive
/// the NBL's ownership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetBuffer<'a> {
    nb: NonNull<sys::NET_BUFFER>,
    _owner: core::marker::PhantomData<&'a SendNbl>,
}

impl<'a> NetBuffer<'a> {
    /// # Safety
    /// `nb` is a `NET_BUFFER` of an NBL owned for at least `'a`.
    pub(super) unsafe fn new(nb: NonNull<sys::NET_BUFFER>) -> Self {
        Self {
            nb,
            _owner: core::marker::PhantomData,
        }
    }

    pub(super) fn raw(self) -> sys::PNET_BUFFER {
        self.nb.as_ptr()
    }

    /// `NET_BUFFER_DATA_LENGTH`: the frame's length in bytes.
    #[must_use]
    pub fn data_length(self) -> u32 {
        // SAFETY: the NB belongs to an NBL owned for this borrow.
        unsafe { sys::nb_data_length(self.raw()) }
    }

    /// Copies the frame (which may start inside its first MDL and span several, some not yet
    /// mapped) into `dst`, mapping each MDL with `MmGetSystemAddressForMdlSafe`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/kernel/mm-bad-pointer>, IRQL <=
    /// `DISPATCH_LEVEL`, `NormalPagePriority | MdlMappingNoExecute`). The length copied, or
    /// `None` when the frame is longer than `capacity`, an MDL cannot be mapped (low
    /// resources), or the chain is shorter than the data length.
    ///
    /// # Safety
    /// `dst` is valid for writes of `capacity` bytes and not read by anyone else meanwhile.
    pub unsafe fn copy_to(self, dst: *mut u8, capacity: u32) -> Option<u32> {
        let length = self.data_length();
        if length > capacity {
            return None;
        }
        // SAFETY: `dst` holds `capacity` >= `length` bytes (the caller's contract).
        unsafe { self.copy_first(dst, length) }.then_some(length)
    }

    /// Copies the frame's first `N` bytes into `out` (as [`NetBuffer::copy_to`] maps MDLs);
    /// false when the frame is shorter or an MDL cannot be mapped.
    pub fn copy_prefix<const N: usize>(self, out: &mut [u8; N]) -> bool {
        let Ok(count) = u32::try_from(N) else {
            return false;
        };
        // SAFETY: `out` is valid for `N` bytes of writes and borrowed exclusively.
        count <= self.data_length() && unsafe { self.copy_first(out.as_mut_ptr(), count) }
    }

    /// The MDLs that hold the frame's data, from `CurrentMdl` on (an MDL of backfill only is
    /// not one of them). A scatter/gather list of the frame has at most two elements per MDL
    /// (an MDL of up to a standard frame's length crosses at most one page boundary).
    #[must_use]
    pub fn fragments(self) -> u32 {
        self.data_spans(self.data_length())
            .fold(0, |fragments, span| fragments + u32::from(span.length > 0))
    }

    /// Copies the frame's first `count` bytes to `dst`; false when an MDL cannot be mapped
    /// or the chain ends first.
    ///
    /// # Safety
    /// `dst` is valid for writes of `count` bytes and not read by anyone else meanwhile;
    /// `count` <= the data length.
    unsafe fn copy_first(self, dst: *mut u8, count: u32) -> bool {
        let mut spans = self.data_spans(count);
        let mut written = 0;
        for span in &mut spans {
            // SAFETY: `span.mdl` is a non-null MDL of the NB's chain, valid while the NBL is
            // owned (for this borrow).
            let va = unsafe { sys::mdl_system_address(span.mdl) };
            if va.is_null() {
                return false;
            }
            let from = va.wrapping_add(span.offset as usize);
            let to = dst.wrapping_add(written as usize);
            // SAFETY: `from .. + length` is inside the MDL's buffer (the span ends at or
            // before its byte count); `to .. + length` is inside the `count` bytes the caller
            // gives (the spans add up to at most `count`).
            unsafe { ptr::copy_nonoverlapping(from, to, span.length as usize) };
            written += span.length;
        }
        spans.missing == 0
    }

    /// The MDLs holding the frame's first `wanted` bytes: the one walk of the MDL chain that
    /// [`NetBuffer::fragments`] and [`NetBuffer::copy_first`] share.
    fn data_spans(self, wanted: u32) -> DataSpans<'a> {
        let nb = self.raw();
        DataSpans {
            // SAFETY: the NB belongs to an NBL owned for this borrow.
            mdl: unsafe { sys::nb_current_mdl(nb) },
            // SAFETY: the same owned NB, valid for this borrow; only its MDL offset field is
            // read.
            offset: unsafe { sys::nb_current_mdl_offset(nb) },
            missing: wanted,
            _owner: core::marker::PhantomData,
        }
    }

    /// For unit tests: a `NET_BUFFER` of a test frame.
    ///
    /// # Safety
    /// `nb` is a valid `NET_BUFFER` that outlives the value.
    #[cfg(test)]
    pub(crate) unsafe fn from_raw_for_test(nb: sys::PNET_BUFFER) -> Self {
        let nb = NonNull::new(nb).unwrap_or_else(|| unreachable!("test NBs are not null"));
        // SAFETY: the caller's contract.
        unsafe { Self::new(nb) }
    }
}

/// One MDL of a frame's chain and the frame's bytes in it.
#[derive(Clone, Copy, Debug)]
struct DataSpan {
    /// A non-null MDL of the chain.
    mdl: sys::PMDL,
    /// Where the frame's bytes start in the MDL: `CurrentMdlOffset` in the first, 0 after.
    offset: u32,
    /// How many of the frame's bytes the MDL holds: 0 for one the data offset skips whole.
    length: u32,
}

/// The walk of a `NET_BUFFER`'s MDL chain from `CurrentMdl` at `CurrentMdlOffset`, one
/// [`DataSpan`] per MDL, until the bytes wanted are covered or the chain ends; borrowed from
/// the [`NetBuffer`] (whose NBL keeps the chain valid).
struct DataSpans<'a> {
    /// The next MDL (null at the chain's end).
    mdl: sys::PMDL,
    /// Where the frame's bytes start in it.
    offset: u32,
    /// Bytes wanted that no span has covered yet: not 0 after the walk when the chain was
    /// shorter.
    missing: u32,
    _owner: core::marker::PhantomData<NetBuffer<'a>>,
}

impl Iterator for DataSpans<'_> {
    type Item = DataSpan;

    fn next(&mut self) -> Option<DataSpan> {
        let mdl = self.mdl;
        if self.missing == 0 || mdl.is_null() {
            return None;
        }
        // SAFETY: `mdl` is non-null and in the NB's MDL chain, valid while the NBL is owned
        // (the borrow this walk holds).
        let count = unsafe { sys::mdl_byte_count(mdl) };
        let length = count.saturating_sub(self.offset).min(self.missing);
        let span = DataSpan {
            mdl,
            offset: self.offset,
            length,
        };
        self.missing -= length;
        self.offset = 0;
        // SAFETY: `mdl` is still the non-null MDL of the owned NB's chain read just above;
        // reading its `Next` link (which may be null: the next call checks) is valid.
        self.mdl = unsafe { sys::mdl_next(mdl) };
        Some(span)
    }
}

/// One send NBL that NDIS gave the miniport and that the miniport has not completed yet.
///
/// Not `Copy`, not `Clone`: there is one owner, and completing it consumes it.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a send NBL must be completed: put it in a SendNbls chain for complete_sends"]
#[repr(transparent)]
pub struct SendNbl(NonNull<sys::NET_BUFFER_LIST>);

// SAFETY: the miniport owns the NBL until it completes it, on whichever processor; NDIS does not
// touch it meanwhile.
unsafe impl Send for SendNbl {}

impl SendNbl {
    fn raw(&self) -> sys::PNET_BUFFER_LIST {
        self.0.as_ptr()
    }

    /// The `NET_BUFFER`s of this NBL (one frame each).
    pub fn net_buffers(&self) -> impl Iterator<Item = NetBuffer<'_>> {
        net_buffers(self.raw()).filter_map(|nb| {
            // SAFETY: an NB of this NBL, which `self` owns for the borrow.
            NonNull::new(nb).map(|nb| unsafe { NetBuffer::new(nb) })
        })
    }

    /// The first `NET_BUFFER` (`None` for an NBL without one, which a well-formed send never
    /// is).
    #[must_use]
    pub fn first_nb(&self) -> Option<NetBuffer<'_>> {
        // SAFETY: the miniport owns the NBL.
        let nb = unsafe { sys::nbl_first_nb(self.raw()) };
        // SAFETY: an NB of this NBL, owned for the borrow.
        NonNull::new(nb).map(|nb| unsafe { NetBuffer::new(nb) })
    }

    /// How many `NET_BUFFER`s.
    #[must_use]
    pub fn nb_count(&self) -> usize {
        self.net_buffers().count()
    }

    /// `NDIS_GET_NET_BUFFER_LIST_CANCEL_ID`, for `MiniportCancelSend`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_cancel_send>).
    #[must_use]
    pub fn cancel_id(&self) -> sys::PVOID {
        // SAFETY: the miniport owns the NBL.
        unsafe { sys::nbl_cancel_id(self.raw()) }
    }

    /// `NET_BUFFER_LIST_STATUS`.
    #[must_use]
    pub fn status(&self) -> sys::NDIS_STATUS {
        // SAFETY: the miniport owns the NBL.
        unsafe { sys::nbl_status(self.raw()) }
    }

    /// Sets `NET_BUFFER_LIST_STATUS`, the status the completion reports.
    pub fn set_status(&mut self, status: sys::NDIS_STATUS) {
        // SAFETY: the miniport owns the NBL.
        unsafe { sys::set_nbl_status(self.raw(), status) };
    }

    /// `MiniportReserved[index]` (the miniport's while it owns the NBL).
    pub(super) fn reserved(&self, index: usize) -> sys::PVOID {
        // SAFETY: the miniport owns the NBL.
        unsafe { sys::nbl_miniport_reserved(self.raw(), index) }
    }

    /// Sets `MiniportReserved[index]`.
    pub(super) fn set_reserved(&mut self, index: usize, value: sys::PVOID) {
        // SAFETY: the miniport owns the NBL.
        unsafe { sys::set_nbl_miniport_reserved(self.raw(), index, value) };
    }

    /// Gives up the owned value: ownership passes to a link field or to the NBL's frames on
    /// the ring, which re-create it ([`Self::from_link`], [`Self::from_in_flight`]).
    pub(super) fn into_link(self) -> NonNull<sys::NET_BUFFER_LIST> {
        self.0
    }

    /// The NBL's pointer, for the send queue's links and frames.
    pub(super) fn as_non_null(&self) -> NonNull<sys::NET_BUFFER_LIST> {
        self.0
    }

    /// Takes ownership of an NBL from the send queue's link field.
    ///
    /// # Safety
    /// The send queue owns `nbl` through the link, which is read once.
    pub(super) unsafe fn from_link(nbl: NonNull<sys::NET_BUFFER_LIST>) -> Self {
        Self(nbl)
    }

    /// Takes ownership of `nbl` back from a reference.
    ///
    /// # Safety
    /// The miniport owns `nbl` and no other `SendNbl` for it exists.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "consuming the reference is the point: the frame is finished"
    )]
    pub(super) unsafe fn from_in_flight(nbl: InFlight) -> Self {
        Self(nbl.nbl)
    }

    /// For the simulator-free unit tests: an owned send NBL over a test frame.
    ///
    /// # Safety
    /// `nbl` is a valid NBL the caller owns and gives to this value.
    #[cfg(test)]
    pub(crate) unsafe fn from_raw_for_test(nbl: sys::PNET_BUFFER_LIST) -> Self {
        Self(NonNull::new(nbl).unwrap_or_else(|| unreachable!("test NBLs are not null")))
    }

    /// The pointer, for tests that compare identities.
    #[cfg(test)]
    pub(crate) fn as_ptr_for_test(&self) -> sys::PNET_BUFFER_LIST {
        self.raw()
    }
}

/// A frame of a [`SendNbl`] on the TX ring: a reference to the NBL, not ownership.
///
/// An NBL with several `NET_BUFFER`s has several frames in flight at once; the NBL is owned by
/// none of them. The [`SendQueue`](super::SendQueue) keeps each NBL's count of unfinished frames
/// (in `MiniportReserved[1]`), and [`SendQueue::finish`](super::SendQueue::finish) turns the last
/// frame's reference back into the owned [`SendNbl`], once. Move-only: one per frame handed
/// out, consumed when the frame finishes. Holds a pointer, never an integer.
#[derive(Debug, PartialEq, Eq)]
pub struct InFlight {
    nbl: NonNull<sys::NET_BUFFER_LIST>,
    nb: NonNull<sys::NET_BUFFER>,
}

// SAFETY: a reference to an NBL the miniport owns and to one of its NET_BUFFERs; the NBL's
// shared fields are only updated atomically by `SendQueue::finish`.
unsafe impl Send for InFlight {}

impl InFlight {
    /// # Safety
    /// `nb` is a `NET_BUFFER` of `nbl`, an NBL the send queue owns, handed out once.
    pub(super) unsafe fn new(
        nbl: NonNull<sys::NET_BUFFER_LIST>,
        nb: NonNull<sys::NET_BUFFER>,
    ) -> Self {
        Self { nbl, nb }
    }

    pub(super) fn raw(&self) -> sys::PNET_BUFFER_LIST {
        self.nbl.as_ptr()
    }

    pub(super) fn raw_nb(&self) -> NonNull<sys::NET_BUFFER> {
        self.nb
    }

    /// This frame's `NET_BUFFER`, borrowed from the frame: it cannot be used once the frame is
    /// finished (which may complete the NBL).
    #[must_use]
    pub fn net_buffer(&self) -> NetBuffer<'_> {
        // SAFETY: the NBL stays owned (by its unfinished frames) while this frame exists.
        unsafe { NetBuffer::new(self.nb) }
    }
}

/// A chain of owned send NBLs linked through `NET_BUFFER_LIST::Next`: what NDIS handed to
/// `MiniportSendNetBufferLists`, or what the miniport completes in one
/// `NdisMSendNetBufferListsComplete` call.
#[derive(Debug)]
#[must_use = "send NBLs must be completed: pass the chain to MiniportAdapter::complete_sends"]
pub struct SendNbls {
    head: sys::PNET_BUFFER_LIST,
    tail: sys::PNET_BUFFER_LIST,
    len: u32,
}

// SAFETY: owns its NBLs (as `SendNbl`).
unsafe impl Send for SendNbls {}

impl Default for SendNbls {
    fn default() -> Self {
        Self::new()
    }
}

impl SendNbls {
    /// An empty chain.
    pub const fn new() -> Self {
        Self {
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
            len: 0,
        }
    }

    /// Takes ownership of the chain NDIS passed to `MiniportSendNetBufferLists`.
    ///
    /// # Safety
    /// `head` is the `NetBufferList` argument of the running `MiniportSendNetBufferLists` call
    /// (null, or a valid chain linked through `Next`), taken once.
    pub unsafe fn from_ndis(head: sys::PNET_BUFFER_LIST) -> Self {
        let mut chain = Self::new();
        let mut nbl = head;
        while !nbl.is_null() {
            chain.tail = nbl;
            chain.len += 1;
            // SAFETY: NDIS gave the miniport this chain; its links are valid.
            nbl = unsafe { sys::nbl_next(nbl) };
        }
        chain.head = head;
        chain
    }

    /// Removes the first NBL. Its `Next` link is left as it was (the caller's chain link stays
    /// NDIS's to interpret until the NBL is completed).
    pub fn pop_front(&mut self) -> Option<SendNbl> {
        let nbl = NonNull::new(self.head)?;
        // SAFETY: the chain owns `nbl`; the link is valid.
        self.head = unsafe { sys::nbl_next(nbl.as_ptr()) };
        self.len -= 1;
        if self.len == 0 {
            self.head = ptr::null_mut();
            self.tail = ptr::null_mut();
        }
        Some(SendNbl(nbl))
    }

    /// Appends `nbl` with `status` (`NET_BUFFER_LIST_STATUS`).
    pub fn push(&mut self, mut nbl: SendNbl, status: sys::NDIS_STATUS) {
        nbl.set_status(status);
        self.push_as_is(nbl);
    }

    /// Appends `nbl` keeping the status it has (a send NBL whose frames set it).
    pub fn push_as_is(&mut self, nbl: SendNbl) {
        let raw = nbl.into_link().as_ptr();
        // SAFETY: the chain takes ownership of `nbl`.
        unsafe { sys::set_nbl_next(raw, ptr::null_mut()) };
        if self.tail.is_null() {
            self.head = raw;
        } else {
            // SAFETY: `tail` is owned by this chain.
            unsafe { sys::set_nbl_next(self.tail, raw) };
        }
        self.tail = raw;
        self.len += 1;
    }

    /// Appends every NBL of `other`, in order.
    pub fn append(&mut self, mut other: SendNbls) {
        while let Some(nbl) = other.pop_front() {
            self.push_as_is(nbl);
        }
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

    /// Gives the chain up to NDIS: the head pointer, for `NdisMSendNetBufferListsComplete`.
    pub(super) fn into_head(self) -> sys::PNET_BUFFER_LIST {
        self.head
    }

    /// The head, for tests that walk the chain.
    #[cfg(test)]
    pub(crate) fn head_for_test(&self) -> sys::PNET_BUFFER_LIST {
        self.head
    }
}

/// `MiniportReserved` slot of a receive NBL that holds its RX buffer's slot number.
const RX_SLOT: usize = 0;

/// One of the driver's receive NBLs (from its pool, over one RX buffer), while the driver
/// holds it: between allocation or return and the next indication.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a receive NBL is either indicated, parked with its buffer, or freed"]
#[repr(transparent)]
pub struct RxNbl(NonNull<sys::NET_BUFFER_LIST>);

// SAFETY: the driver owns the NBL while this value exists; NDIS does not touch it meanwhile.
unsafe impl Send for RxNbl {}

impl RxNbl {
    fn raw(&self) -> sys::PNET_BUFFER_LIST {
        self.0.as_ptr()
    }

    /// Takes ownership of a freshly allocated NBL and records its RX buffer's slot.
    ///
    /// # Safety
    /// `nbl` came from `NdisAllocateNetBufferAndNetBufferList` with one `NET_BUFFER`, and is
    /// owned by no other value.
    pub(super) unsafe fn from_allocation(nbl: NonNull<sys::NET_BUFFER_LIST>, slot: u16) -> Self {
        let this = Self(nbl);
        // SAFETY: the driver owns the fresh NBL; the slot is the miniport's; a slot number is
        // stored in the pointer-sized field as an address without provenance, never
        // dereferenced.
        unsafe {
            sys::set_nbl_miniport_reserved(
                this.raw(),
                RX_SLOT,
                ptr::without_provenance_mut(usize::from(slot)),
            );
        };
        this
    }

    /// The RX buffer slot this NBL describes (`None` if the field was overwritten, which only a
    /// foreign NBL returned to this driver would show).
    #[must_use]
    pub fn slot(&self) -> Option<u16> {
        u16::try_from(self.slot_field()).ok()
    }

    /// [`RxNbl::slot`] if it is below `slots` (the pool's size), else `None`: for telling the
    /// pool's NBLs from foreign ones. One comparison of the stored value, where `slot()` and
    /// then a range test compile to two (`benches/driver_cost_callgrind.sh`).
    #[must_use]
    pub fn slot_below(&self, slots: usize) -> Option<u16> {
        let value = self.slot_field();
        if value < slots {
            u16::try_from(value).ok()
        } else {
            None
        }
    }

    /// `MiniportReserved[RX_SLOT]` as the number stored there.
    fn slot_field(&self) -> usize {
        // SAFETY: the driver owns the NBL; the field holds a slot number, not a pointer.
        unsafe { sys::nbl_miniport_reserved(self.raw(), RX_SLOT) }.addr()
    }

    /// Sets the frame length of the NBL's `NET_BUFFER` (`NET_BUFFER_DATA_LENGTH`); the MDL
    /// covers the whole buffer, at least `length` bytes (the caller's slot size).
    pub fn set_frame_length(&mut self, length: u32) {
        // SAFETY: the driver owns the NBL, allocated with one NET_BUFFER.
        let nb = unsafe { sys::nbl_first_nb(self.raw()) };
        if !nb.is_null() {
            // SAFETY: `nb` is that NBL's non-null first NET_BUFFER, owned with it.
            unsafe { sys::set_nb_data_length(nb, length) };
        }
    }

    /// Frees the NBL (`NdisFreeNetBufferList`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreenetbufferlist>,
    /// IRQL <= `DISPATCH_LEVEL`). The MDL it describes is freed after it ([`super::Mdl::free`]).
    #[track_caller]
    pub fn free(self, cx: &mut crate::sync::Locked<'_, crate::sync::Unlocked>) {
        let _ = cx;
        // SAFETY: the NBL came from NdisAllocateNetBufferAndNetBufferList and the driver owns it
        // (not indicated); it is never used again (consumed).
        unsafe { sys::NdisFreeNetBufferList(self.raw()) };
    }

    /// The pointer, for tests that compare identities.
    #[cfg(test)]
    pub(crate) fn as_ptr_for_test(&self) -> sys::PNET_BUFFER_LIST {
        self.raw()
    }

    /// For unit tests: an owned receive NBL over a test frame.
    ///
    /// # Safety
    /// As [`Self::from_allocation`], for a test NBL.
    #[cfg(test)]
    pub(crate) unsafe fn from_raw_for_test(nbl: sys::PNET_BUFFER_LIST, slot: u16) -> Self {
        let nbl = NonNull::new(nbl).unwrap_or_else(|| unreachable!("test NBLs are not null"));
        // SAFETY: the caller's contract.
        unsafe { Self::from_allocation(nbl, slot) }
    }
}

/// A chain of receive NBLs to indicate, linked through `Next`, built in order.
#[derive(Debug)]
#[must_use = "receive NBLs are indicated, or parked back with their buffers"]
pub struct ReceiveNbls {
    head: sys::PNET_BUFFER_LIST,
    tail: sys::PNET_BUFFER_LIST,
    len: u32,
}

// SAFETY: owns its NBLs (as `RxNbl`).
unsafe impl Send for ReceiveNbls {}

impl Default for ReceiveNbls {
    fn default() -> Self {
        Self::new()
    }
}

impl ReceiveNbls {
    /// An empty chain.
    pub const fn new() -> Self {
        Self {
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
            len: 0,
        }
    }

    /// Appends `nbl` with `NDIS_STATUS_SUCCESS`.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "the chain takes ownership: the NBL lives on in its links"
    )]
    pub fn push(&mut self, nbl: RxNbl) {
        let raw = nbl.raw();
        // SAFETY: the chain takes ownership of `nbl`.
        unsafe { sys::set_nbl_status(raw, sys::NDIS_STATUS_SUCCESS) };
        // SAFETY: `raw` is the NBL the chain now owns; its Next link is the chain's to set.
        unsafe { sys::set_nbl_next(raw, ptr::null_mut()) };
        if self.tail.is_null() {
            self.head = raw;
        } else {
            // SAFETY: `tail` is owned by this chain.
            unsafe { sys::set_nbl_next(self.tail, raw) };
        }
        self.tail = raw;
        self.len += 1;
    }

    /// Removes the first NBL.
    pub fn pop_front(&mut self) -> Option<RxNbl> {
        let nbl = NonNull::new(self.head)?;
        // SAFETY: the chain owns `nbl`.
        self.head = unsafe { sys::nbl_next(nbl.as_ptr()) };
        self.len -= 1;
        if self.len == 0 {
            self.head = ptr::null_mut();
            self.tail = ptr::null_mut();
        }
        Some(RxNbl(nbl))
    }

    /// Splits off the first `n` NBLs (all, if fewer) as a chain of their own.
    pub fn split_front(&mut self, n: u32) -> ReceiveNbls {
        let mut front = ReceiveNbls::new();
        while front.len < n {
            let Some(nbl) = self.pop_front() else {
                break;
            };
            front.push(nbl);
        }
        front
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

    /// The head, for `NdisMIndicateReceiveNetBufferLists` (the chain stays owned: the caller
    /// decides what the call did with it).
    pub(super) fn head(&self) -> sys::PNET_BUFFER_LIST {
        self.head
    }

    /// Sets every NBL's `SourceHandle` to the indicating adapter, as
    /// `NdisMIndicateReceiveNetBufferLists` requires.
    pub(super) fn set_source_handle(&self, adapter: sys::NDIS_HANDLE) {
        let mut nbl = self.head;
        for _ in 0..self.len {
            if nbl.is_null() {
                break;
            }
            // SAFETY: the chain owns `nbl`, a valid NBL; `SourceHandle` is a plain field of it.
            let field = unsafe { &raw mut (*nbl).SourceHandle };
            // SAFETY: `field` points to a valid, aligned field of an NBL this chain owns.
            unsafe { field.write(adapter) };
            // SAFETY: `nbl` is a valid NBL of the owned chain; its Next link may be null.
            nbl = unsafe { sys::nbl_next(nbl) };
        }
    }

    /// Gives up ownership without touching the NBLs (they now belong to NDIS).
    pub(super) fn forget_indicated(self) -> u32 {
        self.len
    }
}

impl Iterator for ReceiveNbls {
    type Item = RxNbl;

    /// The NBLs in order, each owned again by the caller.
    fn next(&mut self) -> Option<RxNbl> {
        self.pop_front()
    }
}

/// The NBLs NDIS returns in `MiniportReturnNetBufferLists`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_return_net_buffer_lists>),
/// owned again by the driver: iterating yields each as an [`RxNbl`].
#[derive(Debug)]
pub struct ReturnedNbls {
    next: sys::PNET_BUFFER_LIST,
}

impl ReturnedNbls {
    /// Takes ownership of the chain NDIS returned.
    ///
    /// # Safety
    /// `head` is the `NetBufferLists` argument of the running `MiniportReturnNetBufferLists`
    /// call: NBLs this driver allocated and indicated without `NDIS_RECEIVE_FLAGS_RESOURCES`,
    /// each returned once, linked through `Next`; taken once.
    pub unsafe fn from_ndis(head: sys::PNET_BUFFER_LIST) -> Self {
        Self { next: head }
    }
}

impl Iterator for ReturnedNbls {
    type Item = RxNbl;

    fn next(&mut self) -> Option<RxNbl> {
        let nbl = NonNull::new(self.next)?;
        // SAFETY: NDIS returned the chain to the driver (from_ndis contract): the link is valid
        // and read before the NBL is handed out and relinked.
        self.next = unsafe { sys::nbl_next(nbl.as_ptr()) };
        Some(RxNbl(nbl))
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use alloc::vec;

    use super::{NetBuffer, ReceiveNbls, ReturnedNbls, RxNbl, SendNbl, SendNbls};
    use crate::miniport::test_frames::Frame;
    use crate::sys;

    /// Bytes of a TX buffer.
    const CAPACITY: u32 = 2048;

    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| u8::try_from(i % 251).unwrap_or(0)).collect()
    }

    /// Copies `frame` into a fresh TX-sized buffer; the bytes copied, or `None`.
    fn copied(frame: &mut Frame, capacity: u32) -> Option<Vec<u8>> {
        let mut dst = vec![0u8; CAPACITY as usize];
        // SAFETY: the test owns the NB and its MDLs, alive for the call.
        let nb = unsafe { NetBuffer::from_raw_for_test(frame.first_nb()) };
        // SAFETY: `dst` holds CAPACITY >= capacity bytes.
        let n = unsafe { nb.copy_to(dst.as_mut_ptr(), capacity) }?;
        dst.truncate(n as usize);
        Some(dst)
    }

    #[test]
    fn one_mdl_copies_exactly() {
        let data = pattern(60);
        let mut f = Frame::new(&data, 0, &[60]);
        assert_eq!(copied(&mut f, CAPACITY), Some(data));
    }

    #[test]
    fn data_offset_and_a_frame_spanning_three_mdls() {
        let data = pattern(1514);
        // 100 bytes of someone else's data first; MDLs of 150, 1, and the rest.
        let mut f = Frame::new(&data, 100, &[150, 1]);
        assert_eq!(copied(&mut f, CAPACITY), Some(data));
    }

    #[test]
    fn offset_that_ends_the_first_mdl_starts_in_the_second() {
        let data = pattern(64);
        // The whole first MDL is before the data (CurrentMdlOffset == ByteCount).
        let mut f = Frame::new(&data, 32, &[32, 10, 10]);
        assert_eq!(copied(&mut f, CAPACITY), Some(data));
    }

    #[test]
    fn a_chain_shorter_than_the_data_length_is_refused() {
        let data = pattern(60);
        let mut f = Frame::new(&data, 0, &[30, 30]);
        f.set_length(61);
        assert_eq!(copied(&mut f, CAPACITY), None);
    }

    #[test]
    fn a_frame_larger_than_the_buffer_is_refused_before_copying() {
        let data = pattern(200);
        let mut f = Frame::new(&data, 0, &[200]);
        assert_eq!(copied(&mut f, 199), None);
        assert_eq!(copied(&mut f, 200), Some(data));
    }

    /// `fragments` walks the chain as the copy does: an MDL the data offset skips whole, or
    /// one past the data, is not a fragment; a chain shorter than the data length counts
    /// what it has.
    #[test]
    fn fragments_count_the_mdls_that_hold_data() {
        let count = |frame: &mut Frame| {
            // SAFETY: the test owns the NB and its MDLs, alive for the call.
            unsafe { NetBuffer::from_raw_for_test(frame.first_nb()) }.fragments()
        };
        assert_eq!(count(&mut Frame::new(&pattern(60), 0, &[60])), 1);
        assert_eq!(count(&mut Frame::new(&pattern(1514), 100, &[150, 1])), 3);
        assert_eq!(count(&mut Frame::new(&pattern(64), 32, &[32, 10, 10])), 3);
        let mut short = Frame::new(&pattern(60), 0, &[30, 30]);
        short.set_length(61);
        assert_eq!(count(&mut short), 2);
        let mut shorter = Frame::new(&pattern(60), 0, &[30, 30]);
        shorter.set_length(20);
        assert_eq!(count(&mut shorter), 1);
    }

    fn frames(n: usize) -> Vec<Frame> {
        (0..n)
            .map(|i| Frame::new(&[u8::try_from(i).unwrap_or(0); 60], 0, &[60]))
            .collect()
    }

    #[test]
    fn send_chain_from_ndis_pops_in_order_and_pushes_with_each_status() {
        let mut f = frames(3);
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        // SAFETY: the test owns the NBLs.
        unsafe { sys::set_nbl_next(p[0], p[1]) };
        // SAFETY: the test owns the NBLs `p[1]` and `p[2]`.
        unsafe { sys::set_nbl_next(p[1], p[2]) };
        // SAFETY: a valid chain the test owns, taken once.
        let mut from_ndis = unsafe { SendNbls::from_ndis(p[0]) };
        assert_eq!(from_ndis.len(), 3);
        let mut out = SendNbls::new();
        let statuses = [
            sys::NDIS_STATUS_SUCCESS,
            sys::NDIS_STATUS_PAUSED,
            sys::NDIS_STATUS_INVALID_LENGTH,
        ];
        for status in statuses {
            let nbl = from_ndis.pop_front().unwrap_or_else(|| unreachable!());
            out.push(nbl, status);
        }
        assert!(from_ndis.pop_front().is_none());
        assert!(from_ndis.is_empty());
        let mut walk = Vec::new();
        let mut n = out.head_for_test();
        while !n.is_null() {
            // SAFETY: the chain's NBLs are the test's.
            walk.push((n, unsafe { sys::nbl_status(n) }));
            // SAFETY: `n` is a non-null NBL of the test's chain.
            n = unsafe { sys::nbl_next(n) };
        }
        let expected: Vec<_> = p.iter().copied().zip(statuses).collect();
        assert_eq!(walk, expected);
        assert_eq!(out.into_head(), p[0]);
    }

    #[test]
    fn receive_chain_splits_and_returned_nbls_come_back_owned_with_their_slots() {
        let mut f = frames(5);
        let p: Vec<_> = f.iter_mut().map(Frame::ptr).collect();
        let mut chain = ReceiveNbls::new();
        for (slot, &nbl) in p.iter().enumerate() {
            // SAFETY: the test owns the NBLs; each is taken once.
            let mut rx = unsafe { RxNbl::from_raw_for_test(nbl, u16::try_from(slot).unwrap_or(0)) };
            rx.set_frame_length(42);
            chain.push(rx);
        }
        let front = chain.split_front(2);
        assert_eq!((front.len(), chain.len()), (2, 3));
        // As if NDIS returned `front` (still linked through Next).
        let head = front.head();
        let _ = front.forget_indicated();
        // SAFETY: the test's chain, returned once.
        let back: Vec<_> = unsafe { ReturnedNbls::from_ndis(head) }.collect();
        let slots: Vec<_> = back.iter().map(RxNbl::slot).collect();
        assert_eq!(slots, [Some(0), Some(1)]);
        assert_eq!(back[1].as_ptr_for_test(), p[1]);
        // SAFETY: the test owns the NBL.
        let nb = unsafe { sys::nbl_first_nb(p[0]) };
        // SAFETY: `nb` is the first NB of an NBL the test owns.
        assert_eq!(unsafe { sys::nb_data_length(nb) }, 42);
        let rest: Vec<_> = core::iter::from_fn(|| chain.pop_front())
            .map(|n| n.slot())
            .collect();
        assert_eq!(rest, [Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn slot_below_is_the_slot_only_inside_the_pool() {
        let mut f = frames(1);
        // SAFETY: the test owns the NBL; it is taken once.
        let nbl = unsafe { RxNbl::from_raw_for_test(f[0].ptr(), 255) };
        assert_eq!(nbl.slot(), Some(255));
        assert_eq!(nbl.slot_below(256), Some(255));
        assert_eq!(nbl.slot_below(255), None);
        assert_eq!(nbl.slot_below(usize::MAX), Some(255));
    }

    #[test]
    fn a_send_nbl_counts_its_net_buffers() {
        let mut f = frames(1);
        f[0].add_nb(60);
        f[0].add_nb(60);
        // SAFETY: the test owns the NBL.
        let nbl = unsafe { SendNbl::from_raw_for_test(f[0].ptr()) };
        assert_eq!(nbl.nb_count(), 3);
        assert_eq!(nbl.as_ptr_for_test(), f[0].ptr());
        let mut done = SendNbls::new();
        done.push_as_is(nbl);
        let _ = done.into_head();
    }
}
