//! The `extern "C"` functions NDIS calls: each mints the proofs its documented IRQL gives
//! (root lock context, `PassiveLevel`, `DispatchLevel` from the handler's flags, the ISR token),
//! recovers the adapter from its context, and hands over to safe code.

use alloc::boxed::Box;

use super::adapter::{Adapter, EntryPoints, PREMAP_TAG};
use crate::ndis::{ReturnedNbls, SendNbls, SgList};
use crate::sync::{DispatchLevel, Locked, PassiveLevel};
use crate::sys;

/// The adapter behind a `MiniportAdapterContext`.
///
/// # Safety
/// `context` is the context registered in Initialize, and Halt has not freed it.
unsafe fn adapter<'a>(context: sys::NDIS_HANDLE) -> &'a Adapter {
    // SAFETY: the caller guarantees the context is a live adapter.
    unsafe { &*context.cast::<Adapter>() }
}

/// `MiniportInitializeEx` (`PASSIVE_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_initialize>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn initialize(
    handle: sys::NDIS_HANDLE,
    _driver_context: sys::NDIS_HANDLE,
    params: sys::PNDIS_MINIPORT_INIT_PARAMETERS,
) -> sys::NDIS_STATUS {
    // SAFETY: NDIS calls Initialize holding no spin lock of this driver.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: NDIS calls Initialize at `PASSIVE_LEVEL`.
    let at = unsafe { PassiveLevel::assume() };
    let entry = EntryPoints {
        interrupt: interrupt_characteristics(),
        process_sg_list: Some(process_sg_list),
    };
    // SAFETY: NDIS's arguments for this call.
    unsafe { Adapter::initialize(&mut cx, &at, handle, params, entry) }
}

/// `MiniportHaltEx` (`PASSIVE_LEVEL`): frees the adapter.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_halt>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn halt(context: sys::NDIS_HANDLE, _action: sys::NDIS_HALT_ACTION) {
    // SAFETY: NDIS calls Halt holding no spin lock of this driver (every handler that took
    // one has returned), so this is the only root token.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: NDIS calls Halt at `PASSIVE_LEVEL`.
    let at = unsafe { PassiveLevel::assume() };
    // SAFETY: Initialize made the context with `Box::into_raw`; Halt is NDIS's last call on it.
    let adapter = unsafe { Box::from_raw(context.cast::<Adapter>()) };
    adapter.halt(&mut cx, &at);
}

/// `MiniportPause` (`PASSIVE_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_pause>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn pause(
    context: sys::NDIS_HANDLE,
    _params: sys::PNDIS_MINIPORT_PAUSE_PARAMETERS,
) -> sys::NDIS_STATUS {
    // SAFETY: PASSIVE_LEVEL, no lock held.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a live adapter context.
    let status = unsafe { adapter(context) }.pause(&mut cx);
    crate::diag::returned(&crate::diag::events::PAUSE, status)
}

/// `MiniportRestart` (`PASSIVE_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_restart>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn restart(
    context: sys::NDIS_HANDLE,
    _params: sys::PNDIS_MINIPORT_RESTART_PARAMETERS,
) -> sys::NDIS_STATUS {
    // SAFETY: NDIS calls Restart at PASSIVE_LEVEL, holding no spin lock of this driver.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: `context` is the adapter Initialize registered and Halt has not freed (contract).
    let status = unsafe { adapter(context) }.restart(&mut cx);
    crate::diag::returned(&crate::diag::events::RESTART, status)
}

/// `MiniportOidRequest`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn oid_request(
    context: sys::NDIS_HANDLE,
    request: sys::PNDIS_OID_REQUEST,
) -> sys::NDIS_STATUS {
    // SAFETY: no lock held at entry.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a live adapter.
    let adapter = unsafe { adapter(context) };
    // SAFETY: NDIS's request.
    let status = unsafe { adapter.oid_request(&mut cx, request) };
    // SAFETY: the request is valid until this returns: every request completes synchronously.
    unsafe { crate::diag::oid_request(request, status) }
}

/// `MiniportCancelOidRequest`: every OID completes before `MiniportOidRequest` returns, so
/// there is never one to cancel.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_cancel_oid_request>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn cancel_oid_request(_context: sys::NDIS_HANDLE, _id: sys::PVOID) {}

/// `MiniportSendNetBufferLists` (≤ `DISPATCH_LEVEL`, told by the flags).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn send(
    context: sys::NDIS_HANDLE,
    nbl: sys::PNET_BUFFER_LIST,
    _port: sys::NDIS_PORT_NUMBER,
    flags: sys::ULONG,
) {
    // SAFETY: no lock held at entry.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: the flags are NDIS's, unmodified, and the proof is dropped before return.
    let at = unsafe { DispatchLevel::from_ndis_flags(flags, sys::NDIS_SEND_FLAGS_DISPATCH_LEVEL) };
    // SAFETY: the chain NDIS handed to this call, taken once.
    let nbls = unsafe { SendNbls::from_ndis(nbl) };
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.send(&mut cx, nbls, at.as_ref());
}

/// `MiniportReturnNetBufferLists` (≤ `DISPATCH_LEVEL`, told by the flags).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_return_net_buffer_lists>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn return_nbls(
    context: sys::NDIS_HANDLE,
    nbl: sys::PNET_BUFFER_LIST,
    flags: sys::ULONG,
) {
    // SAFETY: NDIS calls MiniportReturnNetBufferLists holding no spin lock of this driver.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: the return flags are NDIS's, unmodified (their DISPATCH_LEVEL bit is set only
    // when NDIS calls at DISPATCH_LEVEL), and the proof is dropped before return.
    let at =
        unsafe { DispatchLevel::from_ndis_flags(flags, sys::NDIS_RETURN_FLAGS_DISPATCH_LEVEL) };
    // SAFETY: the chain NDIS returned in this call: this driver's receive NBLs, indicated
    // without NDIS_RECEIVE_FLAGS_RESOURCES, each returned once; taken once.
    let nbls = unsafe { ReturnedNbls::from_ndis(nbl) };
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.return_nbls(&mut cx, nbls, at.as_ref());
}

/// The `DispatchLevel` proof for a handler NDIS may call at `PASSIVE_LEVEL` or
/// `DISPATCH_LEVEL` without flags saying which (`MiniportCancelSend`, `MiniportResetEx`,
/// `MiniportCheckForHangEx`, which older NDIS versions call from a timer DPC): the
/// current IRQL is read. (`Flags_Irql` forbids this only where flags carry the answer.)
///
/// # Safety
/// Called at a handler's entry, holding no lock; the proof is dropped before it returns.
unsafe fn irql_without_flags() -> Option<DispatchLevel> {
    // SAFETY: at the handler's entry, no lock held; dropped before it returns (per caller).
    unsafe { DispatchLevel::from_current_irql() }
}

/// `MiniportCancelSend` (≤ `DISPATCH_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_cancel_send>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn cancel_send(context: sys::NDIS_HANDLE, id: sys::PVOID) {
    // SAFETY: no lock held at entry.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: at entry; dropped on return.
    let at = unsafe { irql_without_flags() };
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.cancel_send(&mut cx, id, at.as_ref());
}

/// `MiniportCheckForHangEx`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_check_for_hang>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn check_for_hang(context: sys::NDIS_HANDLE) -> sys::BOOLEAN {
    // SAFETY: no lock held at entry.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: at entry; dropped on return.
    let at = unsafe { irql_without_flags() };
    // SAFETY: a live adapter.
    sys::BOOLEAN::from(unsafe { adapter(context) }.check_for_hang(&mut cx, at.as_ref()))
}

/// `MiniportResetEx`: completes synchronously; the addressing (station address, multicast)
/// is kept, so `AddressingReset` is FALSE.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_reset>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn reset(
    context: sys::NDIS_HANDLE,
    addressing_reset: *mut sys::BOOLEAN,
) -> sys::NDIS_STATUS {
    // SAFETY: no lock held at entry.
    let mut cx = unsafe { Locked::new() };
    if !addressing_reset.is_null() {
        // SAFETY: NDIS passes a valid out-parameter.
        unsafe { addressing_reset.write(0) };
    }
    // SAFETY: at entry; dropped on return.
    let at = unsafe { irql_without_flags() };
    // SAFETY: a live adapter.
    let status = unsafe { adapter(context) }.reset(&mut cx, at.as_ref());
    crate::diag::returned(&crate::diag::events::RESET, status)
}

/// `MiniportDevicePnPEventNotify` (`PASSIVE_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_device_pnp_event_notify>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn pnp_event(context: sys::NDIS_HANDLE, event: sys::PNET_DEVICE_PNP_EVENT) {
    // SAFETY: NDIS passes a valid event.
    let kind = unsafe { (*event).DevicePnPEvent };
    if kind == sys::NdisDevicePnPEventSurpriseRemoved {
        // SAFETY: no lock held at entry.
        let mut cx = unsafe { Locked::new() };
        // SAFETY: a live adapter.
        unsafe { adapter(context) }.surprise_removed(&mut cx);
    }
}

/// `MiniportShutdownEx` (`PASSIVE_LEVEL`, or high IRQL on a bug check): quiet the NIC only.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_shutdown>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
pub unsafe extern "C" fn shutdown(context: sys::NDIS_HANDLE, _action: sys::NDIS_SHUTDOWN_ACTION) {
    // SAFETY: no lock of this driver is held; the shutdown path makes no lock call.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.shutdown(&mut cx);
}

/// `MiniportProcessSGList` (`DISPATCH_LEVEL`): the scatter/gather list of a frame the driver
/// asked NDIS to map. The first parameter is the `PDEVICE_OBJECT` the real headers declare
/// (unused: the context names the adapter).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_process_sg_list>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes: `context` is what the driver
/// passed to `NdisMAllocateNetBufferSGList`, the adapter's address (with [`PREMAP_TAG`] set
/// for the fast path's requests), not yet halted (Halt follows a Pause, which waits for every
/// frame being mapped).
pub unsafe extern "C" fn process_sg_list(
    _device: sys::PDEVICE_OBJECT,
    _reserved: sys::PVOID,
    list: sys::PSCATTER_GATHER_LIST,
    context: sys::PVOID,
) {
    // SAFETY: no lock of this driver is held here: NDIS calls this from its own context or
    // from inside NdisMAllocateNetBufferSGList, which the driver calls holding none (the
    // gateway takes the root context).
    let mut cx = unsafe { Locked::new() };
    // SAFETY: NDIS calls MiniportProcessSGList at DISPATCH_LEVEL (its page), and the proof is
    // dropped when this returns.
    let at = unsafe { DispatchLevel::assume() };
    // The fast path's requests carry the adapter's address with the tag bit set.
    let premap = context.addr() & PREMAP_TAG != 0;
    let context = context.map_addr(|a| a & !PREMAP_TAG);
    // SAFETY: the context, untagged, is the live adapter (this function's contract).
    let adapter = unsafe { adapter(context) };
    // SAFETY: NDIS's list for this call, valid until the driver frees it; wrapped once.
    let Some(list) = (unsafe { SgList::from_ndis(list) }) else {
        crate::trace_error!("MiniportProcessSGList without a list");
        return;
    };
    if premap {
        adapter.premap_list_ready(&mut cx, &at, list);
    } else {
        adapter.sg_list_ready(&mut cx, &at, list);
    }
}

/// `MiniportInterrupt` (`DIRQL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
unsafe extern "C" fn isr(
    context: sys::NDIS_HANDLE,
    queue_default_dpc: sys::PBOOLEAN,
    _target_processors: sys::PULONG,
) -> sys::BOOLEAN {
    // SAFETY: the adapter outlives its interrupt registration.
    let adapter = unsafe { adapter(context) };
    // SAFETY: this is the ISR of `adapter.irq`'s interrupt, at DIRQL under its lock; one token
    // per call, dropped on return.
    let mut token = unsafe { adapter.isr_entry() };
    let claimed = adapter.isr(&mut token);
    if claimed {
        // SAFETY: NDIS passes a valid out-parameter.
        unsafe { queue_default_dpc.write(1) };
    }
    sys::BOOLEAN::from(claimed)
}

/// `MiniportInterruptDPC` (`DISPATCH_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_interrupt_dpc>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
unsafe extern "C" fn dpc(
    context: sys::NDIS_HANDLE,
    _dpc_context: sys::PVOID,
    throttle: sys::PVOID,
    _reserved: sys::PVOID,
) {
    // SAFETY: NDIS runs the DPC holding none of this driver's locks.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: NDIS runs the DPC at `DISPATCH_LEVEL`; the proof is dropped on return.
    let at = unsafe { DispatchLevel::assume() };
    // SAFETY: the adapter outlives its interrupt registration.
    unsafe { adapter(context) }.dpc(&mut cx, &at, throttle.cast());
}

/// `MiniportDisableInterruptEx` (`DIRQL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_disable_interrupt>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
unsafe extern "C" fn disable(context: sys::NDIS_HANDLE) {
    // SAFETY: the adapter outlives its interrupt registration.
    let adapter = unsafe { adapter(context) };
    // SAFETY: `MiniportDisableInterruptEx` of `adapter.irq`'s interrupt, at DIRQL under its
    // lock; one token per call, dropped on return.
    let mut token = unsafe { adapter.isr_entry() };
    adapter.disable_from_ndis(&mut token);
}

/// `MiniportEnableInterruptEx` (`DIRQL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_enable_interrupt>
///
/// # Safety
/// Called by NDIS only, with the arguments the DDI page describes (the context is the
/// adapter Initialize registered, not yet halted).
unsafe extern "C" fn enable(context: sys::NDIS_HANDLE) {
    // SAFETY: the adapter outlives its interrupt registration.
    let adapter = unsafe { adapter(context) };
    // SAFETY: `MiniportEnableInterruptEx` of `adapter.irq`'s interrupt, at DIRQL under its
    // lock; one token per call, dropped on return.
    let mut token = unsafe { adapter.isr_entry() };
    adapter.enable_from_ndis(&mut token);
}

/// The interrupt characteristics: line-based, no MSI (the 82540EM has none).
pub fn interrupt_characteristics() -> sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
        Header: super::header(
            sys::NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
            sys::NDIS_MINIPORT_INTERRUPT_REVISION_1,
            core::mem::size_of::<sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS>(),
        ),
        InterruptHandler: Some(isr),
        InterruptDpcHandler: Some(dpc),
        DisableInterruptHandler: Some(disable),
        EnableInterruptHandler: Some(enable),
        ..Default::default()
    }
}
