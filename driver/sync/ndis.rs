//! NDIS calls that need the root context: made only while no spin lock is held.
//!
//! "An NDIS driver should release all NDIS spin locks before calling an NDIS function other
//! than an `NdisXxxSpinlock` function"
//! (<https://learn.microsoft.com/windows-hardware/drivers/network/synchronization-and-notification-in-network-drivers>).
//! Every wrapper here (and `Interrupt::queue_dpc`, `InterruptShared::{register, deregister,
//! synchronize}`) takes `&mut Locked<'_, Unlocked>`, which is mutably borrowed by every live
//! guard.

use super::order::{Locked, Unlocked};
use crate::sys;

/// The longest stall the NDIS `NdisStallExecution_Delay` rule allows, in microseconds.
pub const MAX_STALL_MICROSECONDS: u32 = 50;

/// Busy-waits `MICROSECONDS` (at most [`MAX_STALL_MICROSECONDS`], checked at compile time).
///
/// Wraps `NdisStallExecution`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisstallexecution>),
/// for example to wait for a device register after a reset. Callable at any IRQL <=
/// `DISPATCH_LEVEL`, but never while holding a spin lock: it takes the root context.
#[track_caller]
pub fn stall_execution<const MICROSECONDS: u32>(cx: &mut Locked<'_, Unlocked>) {
    const {
        assert!(
            MICROSECONDS <= MAX_STALL_MICROSECONDS,
            "NdisStallExecution_Delay: stall at most 50 microseconds"
        );
    };
    let _ = cx;
    // SAFETY: NdisStallExecution has no precondition beyond the delay bound (checked above) and
    // a context that may busy-wait, which the root context (IRQL <= DISPATCH_LEVEL) is.
    unsafe { sys::NdisStallExecution(MICROSECONDS) };
}
