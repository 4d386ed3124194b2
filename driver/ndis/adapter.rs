//! `MiniportAdapter`: the adapter handle NDIS gave `MiniportInitializeEx`, and the NDIS calls
//! made on it.

use core::ptr::{self, NonNull};

use super::memory::{IoSpace, Mdl, SharedMemory, allocate_shared};
use super::nbl::{ReceiveNbls, RxNbl, SendNbls};
use crate::sync::{DispatchLevel, Locked, PassiveLevel, Unlocked};
use crate::sys;

/// The `MiniportAdapterHandle` (`NdisMiniportHandle`) of one adapter.
///
/// Plain data (`Copy`): NDIS owns the handle; it is valid from `MiniportInitializeEx` until
/// `MiniportHaltEx` returns, the life of the adapter that keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MiniportAdapter(sys::NDIS_HANDLE);

// SAFETY: an opaque NDIS handle, valid on every processor for the adapter's life.
unsafe impl Send for MiniportAdapter {}
// SAFETY: NDIS accepts the adapter handle from any processor; shared use only reads it.
unsafe impl Sync for MiniportAdapter {}

impl MiniportAdapter {
    /// Wraps the handle NDIS passed to `MiniportInitializeEx`.
    ///
    /// # Safety
    /// `handle` is the `MiniportAdapterHandle` argument of `MiniportInitializeEx`, and every
    /// call through this value happens before that adapter's `MiniportHaltEx` returns.
    #[must_use]
    pub const unsafe fn from_raw(handle: sys::NDIS_HANDLE) -> Self {
        Self(handle)
    }

    /// The raw handle (for structures NDIS reads it from, such as `SourceHandle`).
    #[must_use]
    pub const fn raw(self) -> sys::NDIS_HANDLE {
        self.0
    }

    /// `NdisMSetMiniportAttributes` with registration attributes
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsetminiportattributes>,
    /// `PASSIVE_LEVEL`).
    ///
    /// # Errors
    /// The status NDIS returned.
    ///
    /// # Safety
    /// `attributes.MiniportAdapterContext` is what NDIS will pass to every handler of this
    /// adapter: it must stay valid until `MiniportHaltEx` returns.
    #[track_caller]
    pub unsafe fn set_registration_attributes(
        self,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        attributes: &mut sys::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    ) -> Result<(), sys::NDIS_STATUS> {
        let _ = (cx, at);
        // SAFETY: a valid registration-attributes member of the attributes union, live across
        // the call; the context's validity is the caller's.
        let status =
            unsafe { sys::NdisMSetMiniportAttributes(self.0, ptr::from_mut(attributes).cast()) };
        status_result(status)
    }

    /// `NdisMSetMiniportAttributes` with general attributes (`PASSIVE_LEVEL`).
    ///
    /// # Errors
    /// The status NDIS returned.
    ///
    /// # Safety
    /// Every pointer in `attributes` (supported OID list, power-management capabilities, ...)
    /// is valid for the call (NDIS copies what it keeps).
    #[track_caller]
    pub unsafe fn set_general_attributes(
        self,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        attributes: &mut sys::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    ) -> Result<(), sys::NDIS_STATUS> {
        let _ = (cx, at);
        // SAFETY: a valid general-attributes member of the union; its pointers are the
        // caller's guarantee.
        let status =
            unsafe { sys::NdisMSetMiniportAttributes(self.0, ptr::from_mut(attributes).cast()) };
        status_result(status)
    }

    /// Maps `length` bytes of device memory at physical `start` (`NdisMMapIoSpace`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismmapiospace>,
    /// `PASSIVE_LEVEL`, in `MiniportInitializeEx`).
    ///
    /// # Errors
    /// The status NDIS returned, or `NDIS_STATUS_RESOURCES` for a null mapping.
    ///
    /// # Safety
    /// `start..start + length` is a memory range of this adapter's `AllocatedResources`.
    #[track_caller]
    pub unsafe fn map_io_space(
        self,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        start: u64,
        length: u32,
    ) -> Result<IoSpace, sys::NDIS_STATUS> {
        let _ = (cx, at);
        let mut va: sys::PVOID = ptr::null_mut();
        // SAFETY: `va` is valid for a write; the range is the caller's guarantee.
        let status = unsafe {
            sys::NdisMMapIoSpace(
                &raw mut va,
                self.0,
                sys::large_integer(start.cast_signed()),
                length,
            )
        };
        status_result(status)?;
        NonNull::new(va.cast::<u8>())
            .map(|base| IoSpace::new(base, length))
            .ok_or(sys::NDIS_STATUS_RESOURCES)
    }

    /// Registers scatter-gather DMA (`NdisMRegisterScatterGatherDma`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterscattergatherdma>,
    /// `PASSIVE_LEVEL`), which a bus-master miniport needs before allocating shared memory.
    ///
    /// # Errors
    /// The status NDIS returned.
    #[track_caller]
    pub fn register_sg_dma(
        self,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        description: &mut sys::NDIS_SG_DMA_DESCRIPTION,
    ) -> Result<SgDma, sys::NDIS_STATUS> {
        let _ = (cx, at);
        let mut dma: sys::NDIS_HANDLE = ptr::null_mut();
        // SAFETY: the description and out-handle are valid for the call; its handlers are
        // function pointers NDIS may call for the adapter's life (they are 'static).
        let status =
            unsafe { sys::NdisMRegisterScatterGatherDma(self.0, description, &raw mut dma) };
        status_result(status)?;
        Ok(SgDma(dma))
    }

    /// Allocates `length` bytes of uncached shared memory (`NdisMAllocateSharedMemory`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemory>,
    /// `PASSIVE_LEVEL`). `None` when NDIS has none.
    #[track_caller]
    pub fn allocate_shared_memory(
        self,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        length: u32,
    ) -> Option<SharedMemory> {
        let _ = (cx, at);
        allocate_shared(self, length)
    }

    /// Allocates an NBL pool whose NBLs each come with one `NET_BUFFER`
    /// (`NdisAllocateNetBufferListPool`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatenetbufferlistpool>,
    /// IRQL <= `DISPATCH_LEVEL`), tagged `tag`. `None` when NDIS has no memory.
    #[track_caller]
    pub fn allocate_nbl_pool(self, cx: &mut Locked<'_, Unlocked>, tag: u32) -> Option<NblPool> {
        let _ = cx;
        let mut params = sys::NET_BUFFER_LIST_POOL_PARAMETERS {
            Header: sys::NDIS_OBJECT_HEADER {
                Type: u8::try_from(sys::NDIS_OBJECT_TYPE_DEFAULT).unwrap_or(0),
                Revision: u8::try_from(sys::NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1)
                    .unwrap_or(0),
                // NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1: through `DataSize`.
                Size: POOL_PARAMETERS_SIZE_1,
            },
            ProtocolId: u8::try_from(sys::NDIS_PROTOCOL_ID_DEFAULT).unwrap_or(0),
            fAllocateNetBuffer: 1,
            ContextSize: 0,
            PoolTag: tag,
            DataSize: 0,
        };
        // SAFETY: the parameters are valid for the call.
        let pool = unsafe { sys::NdisAllocateNetBufferListPool(self.0, &raw mut params) };
        NonNull::new(pool).map(NblPool)
    }

    /// Completes the send NBLs of `nbls` (`NdisMSendNetBufferListsComplete`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsendnetbufferlistscomplete>,
    /// IRQL <= `DISPATCH_LEVEL`), each with the status it carries. Consumes the chain: each NBL
    /// is completed once. `at` says the caller runs at `DISPATCH_LEVEL`
    /// (`NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL`). An empty chain makes no call.
    #[track_caller]
    pub fn complete_sends(
        self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: SendNbls,
        at: Option<&DispatchLevel>,
    ) {
        let _ = cx;
        if nbls.is_empty() {
            return;
        }
        let flags = if at.is_some() {
            sys::NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
        } else {
            0
        };
        // SAFETY: every NBL of the chain was sent to this miniport and is owned by the chain,
        // which is consumed here, so each is completed once; no spin lock is held (root
        // context); the flag matches the proof.
        unsafe { sys::NdisMSendNetBufferListsComplete(self.0, nbls.into_head(), flags) };
    }

    /// Indicates received frames (`NdisMIndicateReceiveNetBufferLists`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismindicatereceivenetbufferlists>,
    /// IRQL <= `DISPATCH_LEVEL`) on the default port. NDIS owns the NBLs from now until it
    /// hands them back in `MiniportReturnNetBufferLists` ([`super::ReturnedNbls`]): the chain
    /// is consumed. Returns how many were indicated. Each NBL's `SourceHandle` is set to this
    /// adapter, as the page requires.
    #[track_caller]
    pub fn indicate_receive(
        self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: ReceiveNbls,
        at: Option<&DispatchLevel>,
    ) -> u32 {
        if nbls.is_empty() {
            return 0;
        }
        self.indicate(cx, &nbls, at, 0);
        nbls.forget_indicated()
    }

    /// Indicates received frames with `NDIS_RECEIVE_FLAGS_RESOURCES`: NDIS copies what it
    /// needs during the call and the NBLs are the driver's again when it returns (they are
    /// never returned through `MiniportReturnNetBufferLists`), so the chain comes back.
    #[track_caller]
    pub fn indicate_receive_resources(
        self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: ReceiveNbls,
        at: Option<&DispatchLevel>,
    ) -> ReceiveNbls {
        if nbls.is_empty() {
            return nbls;
        }
        self.indicate(cx, &nbls, at, sys::NDIS_RECEIVE_FLAGS_RESOURCES);
        // NDIS may have relinked the NBLs' `Next` during the call; the chain's own head, tail
        // and count are unchanged, and its push relinks when it is rebuilt.
        let count = nbls.len();
        let mut back = ReceiveNbls::new();
        let mut rest = nbls;
        // The links NDIS saw are the chain's: walk them as the chain does.
        for _ in 0..count {
            let Some(nbl) = rest.pop_front() else {
                break;
            };
            back.push(nbl);
        }
        back
    }

    #[track_caller]
    fn indicate(
        self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: &ReceiveNbls,
        at: Option<&DispatchLevel>,
        extra_flags: sys::ULONG,
    ) {
        let _ = cx;
        let mut flags = extra_flags;
        if at.is_some() {
            flags |= sys::NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
        }
        nbls.set_source_handle(self.0);
        // SAFETY: the chain's NBLs are the driver's, each describing one received frame, with
        // `len` NBLs linked from `head`; no spin lock is held (root context); the
        // DISPATCH_LEVEL flag matches the proof.
        unsafe {
            sys::NdisMIndicateReceiveNetBufferLists(
                self.0,
                nbls.head(),
                sys::NDIS_DEFAULT_PORT_NUMBER,
                nbls.len(),
                flags,
            );
        };
    }

    /// Indicates a link state change: `NDIS_STATUS_LINK_STATE` with its `NDIS_LINK_STATE`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>),
    /// through `NdisMIndicateStatusEx` (IRQL <= `DISPATCH_LEVEL`).
    #[track_caller]
    pub fn indicate_link_state(
        self,
        cx: &mut Locked<'_, Unlocked>,
        state: &mut sys::NDIS_LINK_STATE,
    ) {
        // SAFETY: NDIS_STATUS_LINK_STATE's status buffer is an NDIS_LINK_STATE.
        unsafe { self.indicate_status(cx, sys::NDIS_STATUS_LINK_STATE, state) };
    }

    /// Indicates a status change (`NdisMIndicateStatusEx`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismindicatestatusex>,
    /// IRQL <= `DISPATCH_LEVEL`) with `payload` as the status buffer.
    ///
    /// # Safety
    /// `P` is the status buffer the page of `code` defines (overlying drivers read it as that
    /// type); [`MiniportAdapter::indicate_link_state`] is the typed form for link state.
    #[track_caller]
    pub unsafe fn indicate_status<P>(
        self,
        cx: &mut Locked<'_, Unlocked>,
        code: sys::NDIS_STATUS,
        payload: &mut P,
    ) {
        let _ = cx;
        let size = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        let mut indication = sys::NDIS_STATUS_INDICATION {
            Header: sys::NDIS_OBJECT_HEADER {
                Type: u8::try_from(sys::NDIS_OBJECT_TYPE_STATUS_INDICATION).unwrap_or(0),
                Revision: u8::try_from(sys::NDIS_STATUS_INDICATION_REVISION_1).unwrap_or(0),
                Size: size(core::mem::size_of::<sys::NDIS_STATUS_INDICATION>()),
            },
            SourceHandle: self.0,
            StatusCode: code,
            StatusBuffer: ptr::from_mut(payload).cast(),
            StatusBufferSize: u32::try_from(core::mem::size_of::<P>()).unwrap_or(0),
            ..Default::default()
        };
        // SAFETY: the indication and its payload live across the call, and the payload is the
        // code's buffer type (the caller's contract); no spin lock is held.
        unsafe { sys::NdisMIndicateStatusEx(self.0, &raw mut indication) };
    }

    /// Writes an entry to the system event log (`NdisWriteErrorLogEntry`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndiswriteerrorlogentry>,
    /// IRQL <= `DISPATCH_LEVEL`): `code` is an `NDIS_ERROR_CODE_*` (its message text comes
    /// from `netevent.dll`, which the INF's event log source names), `value` the one error value
    /// Event Viewer shows in the entry's data.
    #[track_caller]
    pub fn write_error_log(
        self,
        cx: &mut Locked<'_, Unlocked>,
        code: sys::NDIS_ERROR_CODE,
        value: u32,
    ) {
        let _ = cx;
        // SAFETY: the handle is this adapter's; one error value follows the count that says so;
        // no spin lock is held (root context).
        unsafe { sys::NdisWriteErrorLogEntry(self.0, code, 1, value) };
    }

    /// Completes a Pause that returned `NDIS_STATUS_PENDING` (`NdisMPauseComplete`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismpausecomplete>,
    /// IRQL <= `DISPATCH_LEVEL`). Call it once per pended Pause.
    #[track_caller]
    pub fn pause_complete(self, cx: &mut Locked<'_, Unlocked>) {
        let _ = cx;
        // SAFETY: the handle is this adapter's; no spin lock is held (root context).
        unsafe { sys::NdisMPauseComplete(self.0) };
    }
}

/// `NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1` (a `RTL_SIZEOF_THROUGH_FIELD` macro
/// bindgen cannot evaluate): the structure through `DataSize`.
const POOL_PARAMETERS_SIZE_1: u16 = 16;

fn status_result(status: sys::NDIS_STATUS) -> Result<(), sys::NDIS_STATUS> {
    if status == sys::NDIS_STATUS_SUCCESS {
        Ok(())
    } else {
        Err(status)
    }
}

/// The handle `NdisMRegisterScatterGatherDma` returned, until [`SgDma::deregister`].
#[derive(Debug)]
pub struct SgDma(sys::NDIS_HANDLE);

// SAFETY: an opaque NDIS handle, valid on every processor until deregistered (consumed).
unsafe impl Send for SgDma {}
// SAFETY: NDIS accepts the SG DMA handle from any processor; shared use only reads it.
unsafe impl Sync for SgDma {}

impl SgDma {
    pub(super) fn raw(&self) -> sys::NDIS_HANDLE {
        self.0
    }

    /// `NdisMDeregisterScatterGatherDma`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterscattergatherdma>,
    /// `PASSIVE_LEVEL`). Consumes the registration.
    #[track_caller]
    pub fn deregister(self, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel) {
        let _ = (cx, at);
        // SAFETY: the handle came from NdisMRegisterScatterGatherDma and is deregistered once
        // (consumed).
        unsafe { sys::NdisMDeregisterScatterGatherDma(self.0) };
    }
}

/// An NBL pool from `NdisAllocateNetBufferListPool`, until [`NblPool::free`].
#[derive(Debug)]
pub struct NblPool(NonNull<core::ffi::c_void>);

// SAFETY: an opaque NDIS handle usable on every processor until freed (consumed).
unsafe impl Send for NblPool {}
// SAFETY: NDIS accepts the NBL pool handle from any processor; shared use only reads it.
unsafe impl Sync for NblPool {}

impl NblPool {
    /// An NBL with one `NET_BUFFER` over `mdl` (`NdisAllocateNetBufferAndNetBufferList`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatenetbufferandnetbufferlist>,
    /// IRQL <= `DISPATCH_LEVEL`), describing RX buffer `slot`. `None` when NDIS has no memory.
    /// Free the NBL ([`RxNbl::free`]) before `mdl` and before this pool.
    #[track_caller]
    pub fn allocate_rx_nbl(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        mdl: &Mdl,
        slot: u16,
    ) -> Option<RxNbl> {
        let _ = cx;
        // SAFETY: the pool makes NBLs with a NET_BUFFER; `mdl` is live and outlives the NBL
        // (the caller's order).
        let nbl = unsafe {
            sys::NdisAllocateNetBufferAndNetBufferList(self.0.as_ptr(), 0, 0, mdl.raw(), 0, 0)
        };
        // SAFETY: a fresh NBL from the pool, owned by nothing else.
        NonNull::new(nbl).map(|nbl| unsafe { RxNbl::from_allocation(nbl, slot) })
    }

    /// Frees the pool (`NdisFreeNetBufferListPool`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreenetbufferlistpool>,
    /// IRQL <= `DISPATCH_LEVEL`).
    ///
    /// # Safety
    /// Every NBL allocated from the pool is freed ([`RxNbl::free`]); none is with NDIS.
    #[track_caller]
    pub unsafe fn free(self, cx: &mut Locked<'_, Unlocked>) {
        let _ = cx;
        // SAFETY: the pool came from NdisAllocateNetBufferListPool; its NBLs are freed (the
        // caller's order); consumed.
        unsafe { sys::NdisFreeNetBufferListPool(self.0.as_ptr()) };
    }
}
