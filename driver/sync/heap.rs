//! Fallible, pinned heap allocation for lock and interrupt objects.
//!
//! Spin locks need "resident storage"
//! (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisacquirespinlock>)
//! that never moves while the lock is in use. The global allocator is nonpaged pool in the kernel
//! build (wdk-alloc) and the process heap in the host build, so a pinned `Box` is both resident
//! and address-stable. Allocation can fail in the kernel, where a miniport answers with
//! `NDIS_STATUS_RESOURCES` rather than bug-checking, hence no infallible `Box::new` here.

use alloc::alloc::{Layout, alloc};
use alloc::boxed::Box;
use core::fmt;
use core::pin::Pin;

use crate::sys;

/// The pool allocation for a lock or interrupt object failed.
///
/// A miniport reports it to NDIS as [`AllocError::NDIS_STATUS`] (`NDIS_STATUS_RESOURCES`), for
/// example from `MiniportInitializeEx`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_initialize>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocError;

impl AllocError {
    /// The status a miniport returns for this failure.
    pub const NDIS_STATUS: sys::NDIS_STATUS = sys::NDIS_STATUS_RESOURCES;
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("out of nonpaged pool")
    }
}

/// Moves `value` into a new heap allocation (nonpaged pool in the kernel), or fails without
/// panicking: `Box::new` would bug-check the machine on exhaustion.
///
/// # Errors
/// [`AllocError`] when the allocator has no memory.
pub fn try_box<X>(value: X) -> Result<Box<X>, AllocError> {
    let layout = Layout::new::<X>();
    if layout.size() == 0 {
        // A zero-sized value needs no allocation and Box::new performs none, so it cannot fail.
        return Ok(Box::new(value));
    }
    // SAFETY: the layout has a non-zero size (checked above), as GlobalAlloc::alloc requires.
    let raw = unsafe { alloc(layout) }.cast::<X>();
    if raw.is_null() {
        return Err(AllocError);
    }
    // SAFETY: `raw` is a fresh allocation of X's layout: valid for writes and aligned.
    unsafe { raw.write(value) };
    // SAFETY: `raw` came from the global allocator with `Layout::new::<X>()` (Box's layout for X)
    // and holds an initialised X that nothing else owns.
    Ok(unsafe { Box::from_raw(raw) })
}

/// [`try_box`], pinned.
pub(super) fn try_pin_box<X>(value: X) -> Result<Pin<Box<X>>, AllocError> {
    try_box(value).map(Box::into_pin)
}
