//! The `NullCheck` fault handler on a Windows host: a vectored exception handler, first in the
//! list, that writes the prepared report to standard error when an access violation's address is
//! in the first 64 KiB, then returns `EXCEPTION_CONTINUE_SEARCH` so the fault ends the process
//! with `STATUS_ACCESS_VIOLATION` as it would without the simulator.
//! <https://learn.microsoft.com/windows/win32/api/errhandlingapi/nf-errhandlingapi-addvectoredexceptionhandler>
//!
//! Unlike the Unix action it stays installed: a vectored handler that continues the search does
//! not replace any other handler, so there is nothing to restore.

use std::sync::atomic::Ordering;

use windows_sys::Win32::Foundation::EXCEPTION_ACCESS_VIOLATION;
use windows_sys::Win32::Storage::FileSystem::WriteFile;
use windows_sys::Win32::System::Console::{GetStdHandle, STD_ERROR_HANDLE};
use windows_sys::Win32::System::Diagnostics::Debug::{
    AddVectoredExceptionHandler, EXCEPTION_CONTINUE_SEARCH, EXCEPTION_POINTERS,
};

use super::{MESSAGE, MESSAGE_LEN, NULL_PAGE_LIMIT};

/// `AddVectoredExceptionHandler`'s `First`: call this handler before the others.
const CALL_FIRST: u32 = 1;

/// Installs [`on_fault`] (once per process, through `INSTALL`).
pub(super) fn install() {
    // SAFETY: `on_fault` has the `PVECTORED_EXCEPTION_HANDLER` signature and, being a plain
    // function, stays valid for the life of the process (the handler is never removed).
    let handle = unsafe { AddVectoredExceptionHandler(CALL_FIRST, Some(on_fault)) };
    if handle.is_null() {
        // The fault still ends the process; only the report naming the DDI is lost.
        eprintln!("ndis-sim: AddVectoredExceptionHandler failed: NullCheck reports are off");
    }
}

/// The access violation's target address: `ExceptionInformation[1]` of an
/// `EXCEPTION_ACCESS_VIOLATION` record (`[0]` says read, write or execute).
/// <https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-exception_record>
const FAULT_ADDRESS: usize = 1;

/// The vectored handler: reports a NULL-page access violation, then lets the search go on.
unsafe extern "system" fn on_fault(pointers: *mut EXCEPTION_POINTERS) -> i32 {
    // SAFETY: Windows passes a valid EXCEPTION_POINTERS to a vectored handler for the duration of
    // the call.
    let pointers = unsafe { &*pointers };
    // SAFETY: its ExceptionRecord points at the record of the exception being dispatched.
    let record = unsafe { &*pointers.ExceptionRecord };
    let message = MESSAGE.load(Ordering::SeqCst);
    if record.ExceptionCode == EXCEPTION_ACCESS_VIOLATION
        && record.NumberParameters as usize > FAULT_ADDRESS
        && record.ExceptionInformation[FAULT_ADDRESS] < NULL_PAGE_LIMIT
        && !message.is_null()
    {
        let length = u32::try_from(MESSAGE_LEN.load(Ordering::SeqCst)).unwrap_or(0);
        let mut written = 0u32;
        // SAFETY: GetStdHandle takes a documented STD_* constant and has no other precondition.
        let stderr = unsafe { GetStdHandle(STD_ERROR_HANDLE) };
        // SAFETY: `message` is a leaked buffer of MESSAGE_LEN bytes, never freed; `written` is a
        // live local; no OVERLAPPED (synchronous write). An invalid or closed handle only makes
        // WriteFile fail, which changes nothing here.
        let _ = unsafe {
            WriteFile(
                stderr,
                message,
                length,
                &raw mut written,
                core::ptr::null_mut(),
            )
        };
    }
    EXCEPTION_CONTINUE_SEARCH
}
