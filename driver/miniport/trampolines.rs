//! The `extern "C"` functions NDIS calls: each mints the proofs its documented IRQL gives
//! (root lock context, `PassiveLevel`, `DispatchLevel` from the handler's flags, `Dirql`),
//! recovers the adapter from its context, and hands over to safe code.

use alloc::boxed::Box;

use super::adapter::Adapter;
use crate::sync::{Dirql, DispatchLevel, Locked, PassiveLevel};
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
pub unsafe extern "C" fn initialize(
    handle: sys::NDIS_HANDLE,
    _driver_context: sys::NDIS_HANDLE,
    params: sys::PNDIS_MINIPORT_INIT_PARAMETERS,
) -> sys::NDIS_STATUS {
    // SAFETY: NDIS calls Initialize holding no spin lock of this driver.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: NDIS calls Initialize at `PASSIVE_LEVEL`.
    let at = unsafe { PassiveLevel::assume() };
    // SAFETY: NDIS's arguments for this call.
    unsafe { Adapter::initialize(&mut cx, &at, handle, params) }
}

/// `MiniportHaltEx` (`PASSIVE_LEVEL`): frees the adapter.
pub unsafe extern "C" fn halt(context: sys::NDIS_HANDLE, _action: sys::NDIS_HALT_ACTION) {
    // SAFETY: as in `initialize`.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: NDIS calls Halt at `PASSIVE_LEVEL`.
    let at = unsafe { PassiveLevel::assume() };
    // SAFETY: Initialize made the context with `Box::into_raw`; Halt is NDIS's last call on it.
    let adapter = unsafe { Box::from_raw(context.cast::<Adapter>()) };
    adapter.halt(&mut cx, &at);
}

/// `MiniportPause` (`PASSIVE_LEVEL`).
pub unsafe extern "C" fn pause(
    context: sys::NDIS_HANDLE,
    _params: sys::PNDIS_MINIPORT_PAUSE_PARAMETERS,
) -> sys::NDIS_STATUS {
    // SAFETY: PASSIVE_LEVEL, no lock held.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a live adapter context.
    unsafe { adapter(context) }.pause(&mut cx)
}

/// `MiniportRestart` (`PASSIVE_LEVEL`).
pub unsafe extern "C" fn restart(
    context: sys::NDIS_HANDLE,
    _params: sys::PNDIS_MINIPORT_RESTART_PARAMETERS,
) -> sys::NDIS_STATUS {
    // SAFETY: as in `pause`.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: as above.
    unsafe { adapter(context) }.restart(&mut cx)
}

/// `MiniportOidRequest`.
pub unsafe extern "C" fn oid_request(
    context: sys::NDIS_HANDLE,
    request: sys::PNDIS_OID_REQUEST,
) -> sys::NDIS_STATUS {
    // SAFETY: no lock held at entry.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a live adapter.
    let adapter = unsafe { adapter(context) };
    // SAFETY: NDIS's request.
    unsafe { adapter.oid_request(&mut cx, request) }
}

/// `MiniportCancelOidRequest`: every OID completes before `MiniportOidRequest` returns, so
/// there is never one to cancel.
pub unsafe extern "C" fn cancel_oid_request(_context: sys::NDIS_HANDLE, _id: sys::PVOID) {}

/// `MiniportSendNetBufferLists` (≤ `DISPATCH_LEVEL`, told by the flags).
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
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.send(&mut cx, nbl, at.as_ref());
}

/// `MiniportReturnNetBufferLists` (≤ `DISPATCH_LEVEL`, told by the flags).
pub unsafe extern "C" fn return_nbls(
    context: sys::NDIS_HANDLE,
    nbl: sys::PNET_BUFFER_LIST,
    flags: sys::ULONG,
) {
    // SAFETY: as in `send`.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: as in `send`.
    let at =
        unsafe { DispatchLevel::from_ndis_flags(flags, sys::NDIS_RETURN_FLAGS_DISPATCH_LEVEL) };
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.return_nbls(&mut cx, nbl, at.as_ref());
}

/// `MiniportCancelSend`.
pub unsafe extern "C" fn cancel_send(context: sys::NDIS_HANDLE, id: sys::PVOID) {
    // SAFETY: no lock held at entry.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.cancel_send(&mut cx, id);
}

/// `MiniportCheckForHangEx`.
pub unsafe extern "C" fn check_for_hang(context: sys::NDIS_HANDLE) -> sys::BOOLEAN {
    // SAFETY: no lock held at entry.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a live adapter.
    sys::BOOLEAN::from(unsafe { adapter(context) }.check_for_hang(&mut cx))
}

/// `MiniportResetEx`: completes synchronously; the addressing (station address, multicast)
/// is kept, so `AddressingReset` is FALSE.
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
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.reset(&mut cx)
}

/// `MiniportDevicePnPEventNotify` (`PASSIVE_LEVEL`).
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
pub unsafe extern "C" fn shutdown(context: sys::NDIS_HANDLE, _action: sys::NDIS_SHUTDOWN_ACTION) {
    // SAFETY: no lock of this driver is held; the shutdown path makes no lock call.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a live adapter.
    unsafe { adapter(context) }.shutdown(&mut cx);
}

/// `MiniportProcessSGList`: required to register scatter-gather DMA, never called — the driver
/// copies frames into its own DMA buffers and never asks NDIS for a scatter-gather list.
pub unsafe extern "C" fn process_sg_list(
    _device: sys::PVOID,
    _reserved: sys::PVOID,
    _list: sys::PSCATTER_GATHER_LIST,
    _context: sys::PVOID,
) {
    crate::trace_error!("MiniportProcessSGList called, but no SG list was ever requested");
}

/// `MiniportInterrupt` (`DIRQL`).
unsafe extern "C" fn isr(
    context: sys::NDIS_HANDLE,
    queue_default_dpc: sys::PBOOLEAN,
    _target_processors: sys::PULONG,
) -> sys::BOOLEAN {
    // SAFETY: NDIS calls the ISR at DIRQL under the interrupt lock; one token per call.
    let mut token = unsafe { Dirql::isr_entry() };
    // SAFETY: the adapter outlives its interrupt registration.
    let claimed = unsafe { adapter(context) }.isr(&mut token);
    if claimed {
        // SAFETY: NDIS passes a valid out-parameter.
        unsafe { queue_default_dpc.write(1) };
    }
    sys::BOOLEAN::from(claimed)
}

/// `MiniportInterruptDPC` (`DISPATCH_LEVEL`).
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
unsafe extern "C" fn disable(context: sys::NDIS_HANDLE) {
    // SAFETY: as in `isr`.
    crate::e1000::interrupts::mask_all(&unsafe { adapter(context) }.regs);
}

/// `MiniportEnableInterruptEx` (`DIRQL`).
unsafe extern "C" fn enable(context: sys::NDIS_HANDLE) {
    // SAFETY: as in `isr`.
    let a = unsafe { adapter(context) };
    crate::e1000::interrupts::unmask(&a.regs, crate::e1000::Causes::DRIVER);
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
