//! The e1000 NDIS 6 miniport: `DriverEntry`, the adapter and its handlers.
//!
//! - [`adapter`]: Initialize (in the documented order) and Halt;
//! - `datapath`: sends, ISR/DPC, receives and returns, link, pause, removal, hang and reset;
//! - [`oid`]: the OID layer (plain data: answers, validated sets, general attributes);
//! - `requests`: `MiniportOidRequest` over the adapter;
//! - `hw`: registers, stalls and descriptor rings over NDIS (the only volatile accesses);
//! - `queue`: intrusive NBL queues;
//! - `trampolines`: the `extern "C"` entry points NDIS calls.

pub mod adapter;
mod datapath;
mod hw;
pub mod oid;
mod requests;
#[cfg(test)]
pub(crate) mod test_frames;
mod trampolines;

use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::ndis::MiniportDriver;
use crate::sync::{Locked, PassiveLevel};
use crate::sys;

/// The handles `NdisMRegisterMiniportDriver` returned, by driver object, for
/// `NdisMDeregisterMiniportDriver` in Unload: the driver's only global state, because NDIS gives
/// Unload nothing but the driver object. In the kernel there is one driver object, so one entry
/// is used; the table lets the simulator run several machines (each with its own driver
/// object) in one test process.
static DRIVER_HANDLES: [(AtomicPtr<core::ffi::c_void>, AtomicPtr<core::ffi::c_void>); 64] = [const {
    (
        AtomicPtr::new(ptr::null_mut()),
        AtomicPtr::new(ptr::null_mut()),
    )
}; 64];

/// Remembers `handle` for `driver`; false when the table is full. An entry left for the same
/// driver object (a previous load that never reached Unload, possible only in the simulator,
/// where driver objects are reused) is replaced.
fn remember(driver: sys::PDRIVER_OBJECT, handle: sys::NDIS_HANDLE) -> bool {
    if let Some((_, saved)) = DRIVER_HANDLES
        .iter()
        .find(|(object, _)| object.load(Ordering::Acquire) == driver.cast())
    {
        saved.store(handle, Ordering::Release);
        return true;
    }
    DRIVER_HANDLES.iter().any(|(object, saved)| {
        let claimed = object
            .compare_exchange(
                ptr::null_mut(),
                driver.cast(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok();
        if claimed {
            saved.store(handle, Ordering::Release);
        }
        claimed
    })
}

/// Takes back the handle remembered for `driver`.
fn forget(driver: sys::PDRIVER_OBJECT) -> Option<sys::NDIS_HANDLE> {
    DRIVER_HANDLES.iter().find_map(|(object, saved)| {
        if object.load(Ordering::Acquire) != driver.cast() {
            return None;
        }
        let handle = saved.swap(ptr::null_mut(), Ordering::AcqRel);
        object.store(ptr::null_mut(), Ordering::Release);
        Some(handle)
    })
}

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
    let handle = registration.into_raw();
    if !remember(driver, handle) {
        // SAFETY: the handle was just taken from the registration, once.
        unsafe { MiniportDriver::from_raw(handle) }.deregister(&mut cx, &at);
        return sys::NDIS_STATUS_RESOURCES;
    }
    crate::diag::register(&at);
    sys::NDIS_STATUS_SUCCESS
}

/// `MiniportDriverUnload`: deregisters the driver.
unsafe extern "C" fn unload(driver: sys::PDRIVER_OBJECT) {
    if let Some(handle) = forget(driver)
        && !handle.is_null()
    {
        // SAFETY: MiniportDriverUnload's start: no lock held, the routine's only root context.
        let mut cx = unsafe { Locked::new() };
        // SAFETY: the system calls MiniportDriverUnload at PASSIVE_LEVEL.
        let at = unsafe { PassiveLevel::assume() };
        // SAFETY: `forget` hands each remembered registration back once.
        unsafe { MiniportDriver::from_raw(handle) }.deregister(&mut cx, &at);
        crate::diag::unregister(&at);
    }
}
