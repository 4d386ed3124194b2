//! The `NullCheck` rule at run time: when an allocating DDI returns NULL to the driver, the
//! simulator remembers it (the call, its site, the processor) and installs a fault handler; a
//! fault the driver then takes in the first 64 KiB (a NULL dereference, with a field offset) is
//! reported as `NullCheck` on standard error, naming that call, and the process ends with the
//! fault as before. Any other fault goes to the handler that was installed before.
//! <https://learn.microsoft.com/windows-hardware/drivers/devtest/nullcheckn>
//!
//! The handler is a `SIGSEGV` action on Unix (below) and a vectored exception handler on Windows
//! ([`windows`]); both only write the prepared report and let the fault take its usual course.

use std::panic::Location;
use std::sync::Once;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use crate::machine::processor::Cpu;
use crate::verifier::Rule;

#[cfg(not(any(unix, windows)))]
compile_error!(
    "ndis-sim's NullCheck fault handler exists for Unix (SIGSEGV) and Windows (vectored exception handler) hosts"
);

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows::install;

/// Faults below this address are NULL dereferences (a field of a NULL structure pointer).
const NULL_PAGE_LIMIT: usize = 0x1_0000;

/// The report prepared for the last NULL returned (leaked: a handful per process at most, one
/// per injected failure).
static MESSAGE: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
static MESSAGE_LEN: AtomicUsize = AtomicUsize::new(0);
/// The `sigaction` that was installed before ours.
#[cfg(unix)]
static PREVIOUS: AtomicPtr<libc::sigaction> = AtomicPtr::new(core::ptr::null_mut());
static INSTALL: Once = Once::new();

/// Records that `api` returned NULL to the driver at `location` on `cpu`.
pub(crate) fn returned_null(cpu: &Cpu, api: &str, location: &'static Location<'static>) {
    let rule = Rule::NullCheck;
    let text = format!(
        "ndis-sim verifier: {rule}: the driver dereferenced NULL after {api} returned NULL at \
         {location} (processor {}, IRQL {}); check every allocation's result. {}\n",
        cpu.index,
        cpu.irql(),
        rule.page()
    );
    let bytes: &'static mut [u8] = Box::leak(text.into_bytes().into_boxed_slice());
    MESSAGE_LEN.store(bytes.len(), Ordering::SeqCst);
    MESSAGE.store(bytes.as_mut_ptr(), Ordering::SeqCst);
    INSTALL.call_once(install);
}

#[cfg(unix)]
fn install() {
    // SAFETY: a zeroed sigaction is a valid value to fill in.
    let mut action: libc::sigaction = unsafe { core::mem::zeroed() };
    action.sa_sigaction = on_fault as *const () as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
    let previous = Box::into_raw(Box::new(
        // SAFETY: a zeroed sigaction is a valid value for `sigaction` to overwrite with
        // the old handler.
        unsafe { core::mem::zeroed::<libc::sigaction>() },
    ));
    // SAFETY: `action` is a valid handler description; `previous` receives the old one.
    let rc = unsafe { libc::sigaction(libc::SIGSEGV, &raw const action, previous) };
    if rc == 0 {
        PREVIOUS.store(previous, Ordering::SeqCst);
    }
}

/// The SIGSEGV handler: only async-signal-safe calls (`write`, `sigaction`).
#[cfg(unix)]
extern "C" fn on_fault(
    _signal: libc::c_int,
    info: *mut libc::siginfo_t,
    _context: *mut libc::c_void,
) {
    // SAFETY: the kernel passes a valid siginfo for an SA_SIGINFO handler.
    let info = unsafe { &*info };
    // SAFETY: a SIGSEGV siginfo carries the faulting address.
    let address = unsafe { info.si_addr() } as usize;
    let message = MESSAGE.load(Ordering::SeqCst);
    if address < NULL_PAGE_LIMIT && !message.is_null() {
        // SAFETY: `message` is a leaked buffer of MESSAGE_LEN bytes, never freed.
        let _ = unsafe { libc::write(2, message.cast(), MESSAGE_LEN.load(Ordering::SeqCst)) };
    }
    // Put the previous handler back: returning re-executes the faulting access, which that
    // handler (or the default action) then handles.
    let previous = PREVIOUS.load(Ordering::SeqCst);
    if !previous.is_null() {
        // SAFETY: `previous` is the action sigaction gave us.
        let _ = unsafe { libc::sigaction(libc::SIGSEGV, previous, core::ptr::null_mut()) };
    }
}
