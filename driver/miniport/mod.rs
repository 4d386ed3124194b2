//! The e1000 NDIS 6 miniport: `DriverEntry`, the adapter and its handlers.
//!
//! - [`adapter`]: the adapter and what it holds, with one file per handler family, each its
//!   own `impl Adapter`: `initialize` (Initialize as named steps, Halt), `send`, `receive`,
//!   `interrupt` (ISR, DPC, link), `lifecycle` (Restart, Pause, hang check, reset), `pnp`
//!   (surprise removal, Shutdown), `requests` (`MiniportOidRequest`);
//! - [`lock_order`]: the adapter's lock order, declared once;
//! - [`oid`]: the OID layer (plain data: answers, validated sets, general attributes);
//! - `hw`: registers, stalls and descriptor rings over NDIS (the only volatile accesses);
//! - `trampolines`: the `extern "C"` entry points NDIS calls.

pub mod adapter;
mod hw;
pub mod lock_order;
pub mod oid;
#[cfg(test)]
pub(crate) mod test_frames;
mod trampolines;

use crate::ndis::MiniportDriver;
use crate::sync::{Locked, PassiveLevel};
use crate::sys;

/// An `NDIS_OBJECT_HEADER`.
pub(crate) fn header(kind: u32, revision: u32, size: usize) -> sys::NDIS_OBJECT_HEADER {
    sys::NDIS_OBJECT_HEADER {
        Type: u8::try_from(kind).unwrap_or(0),
        Revision: u8::try_from(revision).unwrap_or(0),
        Size: u16::try_from(size).unwrap_or(u16::MAX),
    }
}

/// `NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2`.
const CHARACTERISTICS_REVISION_2_SIZE: usize = core::mem::offset_of!(
    sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    CancelDirectOidRequestHandler
) + core::mem::size_of::<*const core::ffi::c_void>();

/// `DriverEntry`: registers the miniport's characteristics with NDIS 6.83.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/initializing-a-miniport-driver>
///
/// # Safety
/// Called once by the system (or the simulator's `Machine::load_driver`) at `PASSIVE_LEVEL` with
/// the driver object and registry path.
// Exported under its C name in both builds: the kernel loader looks it up by name, and the
// host build exports the same symbol so the `.sys` and the simulator's cdylib agree (the
// simulator itself is handed the function pointer).
#[unsafe(export_name = "DriverEntry")]
pub unsafe extern "C" fn driver_entry(
    driver: sys::PDRIVER_OBJECT,
    registry_path: sys::PUNICODE_STRING,
) -> sys::NTSTATUS {
    let mut characteristics = sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
        // Revision 2 (NDIS 6.20 and later: no direct or synchronous OID handlers are set),
        // with the size that revision defines (`NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_
        // REVISION_2`: through `CancelDirectOidRequestHandler`), not the whole structure, whose
        // later fields belong to revision 3.
        Header: header(
            sys::NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS,
            sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
            CHARACTERISTICS_REVISION_2_SIZE,
        ),
        MajorNdisVersion: u8::try_from(sys::NDIS_MINIPORT_MAJOR_VERSION).unwrap_or(6),
        MinorNdisVersion: u8::try_from(sys::NDIS_MINIPORT_MINOR_VERSION).unwrap_or(0),
        MajorDriverVersion: 1,
        MinorDriverVersion: 0,
        InitializeHandlerEx: Some(trampolines::initialize),
        HaltHandlerEx: Some(trampolines::halt),
        UnloadHandler: Some(unload),
        PauseHandler: Some(trampolines::pause),
        RestartHandler: Some(trampolines::restart),
        OidRequestHandler: Some(trampolines::oid_request),
        SendNetBufferListsHandler: Some(trampolines::send),
        ReturnNetBufferListsHandler: Some(trampolines::return_nbls),
        CancelSendHandler: Some(trampolines::cancel_send),
        CheckForHangHandlerEx: Some(trampolines::check_for_hang),
        ResetHandlerEx: Some(trampolines::reset),
        DevicePnPEventNotifyHandler: Some(trampolines::pnp_event),
        ShutdownHandlerEx: Some(trampolines::shutdown),
        CancelOidRequestHandler: Some(trampolines::cancel_oid_request),
        ..Default::default()
    };
    // SAFETY: DriverEntry's start: no lock held, the routine's only root context.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: the system calls DriverEntry at PASSIVE_LEVEL; the proof dies with the call.
    let at = unsafe { PassiveLevel::assume() };
    // SAFETY: DriverEntry's own arguments; the handlers are this module's trampolines, with the
    // signatures and contracts their pages describe.
    let registered = unsafe {
        MiniportDriver::register(&mut cx, &at, driver, registry_path, &mut characteristics)
    };
    let registration = match registered {
        Ok(registration) => registration,
        Err(status) => {
            crate::trace_error!("NdisMRegisterMiniportDriver failed: {status:#x}");
            return status;
        }
    };
    // Kept in the driver object's extension for Unload (no global).
    // SAFETY: DriverEntry's own driver object.
    match unsafe { registration.keep(&at, driver) } {
        Ok(()) => {
            crate::diag::register(&at);
            sys::NDIS_STATUS_SUCCESS
        }
        Err((registration, status)) => {
            crate::trace_error!("IoAllocateDriverObjectExtension failed: {status:#x}");
            registration.deregister(&mut cx, &at);
            sys::NDIS_STATUS_RESOURCES
        }
    }
}

/// `MiniportDriverUnload`: deregisters the driver.
unsafe extern "C" fn unload(driver: sys::PDRIVER_OBJECT) {
    // SAFETY: MiniportDriverUnload's start: no lock held, the routine's only root context.
    let mut cx = unsafe { Locked::new() };
    // SAFETY: the system calls MiniportDriverUnload at PASSIVE_LEVEL.
    let at = unsafe { PassiveLevel::assume() };
    // SAFETY: MiniportDriverUnload's own driver object.
    if let Some(registration) = unsafe { MiniportDriver::take_kept(&at, driver) } {
        registration.deregister(&mut cx, &at);
        crate::diag::unregister(&at);
    }
}
