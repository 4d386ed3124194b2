//! Scatter/gather lists for transmit: `NdisMAllocateNetBufferSGList`, the list NDIS hands to
//! `MiniportProcessSGList`, and `NdisMFreeNetBufferSGList`.
//!
//! A frame being mapped is named by a [`MapRequest`] (taken from its [`InFlight`]); the list
//! NDIS builds for it arrives in `MiniportProcessSGList` as an [`SgList`], which the miniport
//! pairs with the frame into a [`MappedFrame`]. Freeing consumes the pair and gives the frame
//! back, so a list is freed once, with the `NET_BUFFER` it was built for, before the frame can
//! finish (and its NBL complete). Both calls take the root context (no spin lock held) and a
//! [`DispatchLevel`] proof: their pages require exactly `DISPATCH_LEVEL`.

use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, Ordering};

use super::SgDma;
use super::nbl::InFlight;
use crate::sync::{DispatchLevel, Locked, Unlocked};
use crate::sys;

/// The `NET_BUFFER` of a frame to map, for [`SgDma::allocate_sg_list`]. Taken from the frame
/// ([`InFlight::map_request`]); holds no ownership.
#[derive(Debug)]
pub struct MapRequest {
    nb: NonNull<sys::NET_BUFFER>,
}

impl InFlight {
    /// The request to map this frame's `NET_BUFFER`.
    #[must_use]
    pub fn map_request(&self) -> MapRequest {
        MapRequest { nb: self.raw_nb() }
    }
}

/// A `SCATTER_GATHER_LIST` NDIS built for one frame
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_scatter_gather_list>),
/// as `MiniportProcessSGList` received it, until it is freed with its frame
/// ([`SgDma::free_sg_list`]).
#[derive(Debug, PartialEq, Eq)]
pub struct SgList(NonNull<sys::SCATTER_GATHER_LIST>);

// SAFETY: NDIS's list, valid on any processor until it is freed (which consumes the value).
unsafe impl Send for SgList {}

impl SgList {
    /// The list `MiniportProcessSGList` was given (`None` for null).
    ///
    /// # Safety
    /// `list` is the `ScatterGatherList` argument of a `MiniportProcessSGList` call, valid until
    /// `NdisMFreeNetBufferSGList`, and wrapped once.
    #[must_use]
    pub unsafe fn from_ndis(list: sys::PSCATTER_GATHER_LIST) -> Option<Self> {
        NonNull::new(list).map(Self)
    }

    /// `NumberOfElements`.
    #[must_use]
    pub fn len(&self) -> usize {
        // SAFETY: a valid list until freed (the value's invariant).
        let n = unsafe { (*self.0.as_ptr()).NumberOfElements };
        n as usize
    }

    /// Whether the list has no element (NDIS never builds one for a frame with data).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `index`: its device address and length in bytes, `None` past the end.
    #[must_use]
    pub fn element(&self, index: usize) -> Option<(u64, u32)> {
        if index >= self.len() {
            return None;
        }
        // SAFETY: a valid list (the value's invariant); only the field's address is taken.
        let first = unsafe { &raw const (*self.0.as_ptr()).Elements };
        let first = first.cast::<sys::SCATTER_GATHER_ELEMENT>();
        // SAFETY: `index` < `NumberOfElements`: the element lies inside the list.
        let at = unsafe { first.add(index) };
        // SAFETY: `at` points at element `index` < `NumberOfElements` of a valid list, an
        // initialised, suitably aligned `SCATTER_GATHER_ELEMENT` NDIS wrote.
        let element = unsafe { at.read() };
        Some((sys::physical_address(element.Address), element.Length))
    }
}

/// A frame and the scatter/gather list NDIS built for its `NET_BUFFER`: what a TX descriptor
/// chain for the frame points at, until [`SgDma::free_sg_list`] splits it.
#[derive(Debug, PartialEq, Eq)]
pub struct MappedFrame {
    frame: InFlight,
    list: SgList,
}

impl MappedFrame {
    /// Pairs a frame with its list.
    ///
    /// # Safety
    /// `list` was built by `NdisMAllocateNetBufferSGList` for `frame`'s `NET_BUFFER` (the
    /// [`MapRequest`] taken from `frame`).
    #[must_use]
    pub unsafe fn new(frame: InFlight, list: SgList) -> Self {
        Self { frame, list }
    }

    /// The frame.
    #[must_use]
    pub fn frame(&self) -> &InFlight {
        &self.frame
    }

    /// The list.
    #[must_use]
    pub fn list(&self) -> &SgList {
        &self.list
    }
}

/// Where a `MiniportProcessSGList` that NDIS calls from inside `NdisMAllocateNetBufferSGList`
/// leaves the list for that call's caller, so the two need one critical section between them,
/// not two. Empty, open (a caller is inside the call), or holding the list.
#[derive(Debug)]
pub struct SgHandoff(AtomicPtr<sys::SCATTER_GATHER_LIST>);

/// The "open" mark: an address no list has (never dereferenced).
static OPEN_MARK: u8 = 0;

fn open_mark() -> *mut sys::SCATTER_GATHER_LIST {
    core::ptr::from_ref(&OPEN_MARK).cast_mut().cast()
}

impl Default for SgHandoff {
    fn default() -> Self {
        Self::new()
    }
}

impl SgHandoff {
    /// Empty.
    #[must_use]
    pub const fn new() -> Self {
        Self(AtomicPtr::new(core::ptr::null_mut()))
    }

    /// Before `NdisMAllocateNetBufferSGList`: a list that comes inside the call is left here.
    pub fn open(&self) {
        self.0.store(open_mark(), Ordering::SeqCst);
    }

    /// After the call: the list, if `MiniportProcessSGList` ran inside it (or on another
    /// processor before this) and left it; from now on a list goes its own way.
    #[must_use]
    pub fn close(&self) -> Option<SgList> {
        let left = self.0.swap(core::ptr::null_mut(), Ordering::SeqCst);
        if left == open_mark() {
            return None;
        }
        NonNull::new(left).map(SgList)
    }

    /// In `MiniportProcessSGList`: leaves `list` for the caller inside the allocate call, or
    /// gives it back when no caller is inside (the handler then handles it itself).
    ///
    /// # Errors
    /// The list, when the hand-over is not open.
    pub fn offer(&self, list: SgList) -> Result<(), SgList> {
        self.0
            .compare_exchange(
                open_mark(),
                list.0.as_ptr(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .map(|_| ())
            .map_err(|_| list)
    }
}

impl SgDma {
    /// Asks NDIS to map the frame of `request` for the device
    /// (`NdisMAllocateNetBufferSGList`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatenetbuffersglist>,
    /// exactly `DISPATCH_LEVEL`). On success NDIS calls the registered `MiniportProcessSGList`
    /// with the list and `context` — before this returns or later. NDIS allocates the list
    /// (no buffer is passed).
    ///
    /// # Errors
    /// The status NDIS returned (`NDIS_STATUS_RESOURCES`); `MiniportProcessSGList` is then not
    /// called for this request.
    ///
    /// # Safety
    /// The frame the request came from stays unfinished (its NBL not completed) until its list
    /// is freed; `context` is what `MiniportProcessSGList` expects.
    #[track_caller]
    pub unsafe fn allocate_sg_list(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        request: &MapRequest,
        context: sys::PVOID,
    ) -> Result<(), sys::NDIS_STATUS> {
        let _ = (cx, at);
        // SAFETY: a registered DMA handle; the NET_BUFFER is valid and its MDLs map its data
        // until the list is freed (the caller's contract); no buffer, so NDIS allocates.
        let status = unsafe {
            sys::NdisMAllocateNetBufferSGList(
                self.raw(),
                request.nb.as_ptr(),
                context,
                0,
                core::ptr::null_mut(),
                0,
            )
        };
        if status == sys::NDIS_STATUS_SUCCESS {
            Ok(())
        } else {
            Err(status)
        }
    }

    /// Frees a frame's list (`NdisMFreeNetBufferSGList`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismfreenetbuffersglist>,
    /// exactly `DISPATCH_LEVEL`) and gives the frame back, to be finished.
    ///
    /// # Safety
    /// The device no longer reads the list's pages (its descriptors are written back or the
    /// transmitter is stopped), or never was given them.
    #[track_caller]
    pub unsafe fn free_sg_list(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        mapped: MappedFrame,
    ) -> InFlight {
        let _ = (cx, at);
        let MappedFrame { frame, list } = mapped;
        // SAFETY: the list was built for this frame's NET_BUFFER with this handle
        // (`MappedFrame::new`'s contract) and is freed once (consumed); the device is done
        // with it (this function's contract).
        unsafe {
            sys::NdisMFreeNetBufferSGList(self.raw(), list.0.as_ptr(), frame.raw_nb().as_ptr());
        };
        frame
    }
}
