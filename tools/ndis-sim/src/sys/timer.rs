//! NDIS timer objects: `NdisAllocateTimerObject`, `NdisSetTimerObject`,
//! `NdisCancelTimerObject`, `NdisFreeTimerObject`, on the machine's virtual clock
//! (`Machine::advance_clock`; the mechanics are in `machine::timer`).

use std::panic::Location;

use super::consts::{
    NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, NDIS_TIMER_CHARACTERISTICS_REVISION_1,
};
use super::enter_ndis_at_most;
use super::ndis_status::NDIS_STATUS_BAD_CHARACTERISTICS;
use super::ndis_types::{LARGE_INTEGER, NDIS_TIMER_CHARACTERISTICS, PNDIS_TIMER_CHARACTERISTICS};
use super::types::{
    BOOLEAN, LONG, NDIS_HANDLE, NDIS_STATUS, NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS,
    PNDIS_HANDLE, PVOID,
};
use crate::machine::processor::{DISPATCH, PASSIVE, violation};
use crate::machine::timer::{self, NotATimer};
use crate::verifier::Rule;

/// The panic for a handle that names no live timer object (never allocated, or freed: using
/// it is a use after free on Windows).
fn not_a_timer(api: &str, handle: NDIS_HANDLE, _: NotATimer) -> ! {
    panic!(
        "ndis-sim: {api}: {handle:p} is not a timer object of this machine (never allocated by \
         NdisAllocateTimerObject, or already freed)"
    )
}

/// `NdisAllocateTimerObject`: validates the characteristics (header type
/// `NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS`, revision 1, size at least revision 1's, a
/// `TimerFunction`; `NDIS_STATUS_BAD_CHARACTERISTICS` otherwise), then writes a new timer
/// object handle, kept with `NdisHandle` and the `AllocationTag` until
/// [`NdisFreeTimerObject`] (the leak check at Halt lists the adapter's). Honours
/// `Machine::fail_allocations` (`NDIS_STATUS_RESOURCES`). Checks `Irql_Timer_Function`: the
/// page allows IRQL <= `DISPATCH_LEVEL`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatetimerobject>
///
/// # Safety
/// `TimerCharacteristics` points to a valid `NDIS_TIMER_CHARACTERISTICS`; `pTimerObject` is
/// valid for a write.
#[track_caller]
pub unsafe fn NdisAllocateTimerObject(
    NdisHandle: NDIS_HANDLE,
    TimerCharacteristics: PNDIS_TIMER_CHARACTERISTICS,
    pTimerObject: PNDIS_HANDLE,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisAllocateTimerObject";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlTimerFunction);
    // SAFETY: the caller guarantees `pTimerObject` is valid for a write; it reads null unless
    // the allocation succeeds.
    unsafe { pTimerObject.write(core::ptr::null_mut()) };
    // SAFETY: the caller guarantees `TimerCharacteristics` points to valid characteristics.
    let chars = unsafe { &*TimerCharacteristics };
    let header_ok = u32::from(chars.Header.Type) == NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS
        && u32::from(chars.Header.Revision) == NDIS_TIMER_CHARACTERISTICS_REVISION_1
        && usize::from(chars.Header.Size) >= size_of::<NDIS_TIMER_CHARACTERISTICS>();
    if !header_ok || chars.TimerFunction.is_none() {
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    }
    if cpu.shared.bus.inject_allocation_failure() {
        return NDIS_STATUS_RESOURCES;
    }
    let handle = cpu.shared.timers.allocate(
        NdisHandle as usize,
        chars.AllocationTag,
        chars.TimerFunction,
        chars.FunctionContext as usize,
        location,
    );
    // SAFETY: the caller guarantees `pTimerObject` is valid for a write (written null on
    // entry); now it receives the handle.
    unsafe { pTimerObject.write(handle as NDIS_HANDLE) };
    NDIS_STATUS_SUCCESS
}

/// `NdisSetTimerObject`: queues the timer to expire at `DueTime` (negative: relative to now,
/// in 100 ns units; positive: absolute system time, on the scale of `Machine::system_time`;
/// a time already past expires at the next `Machine::advance_clock`), then every
/// `MillisecondsPeriod` ms when that is positive (0 or negative: one-shot). The function gets
/// `FunctionContext`, or the characteristics' `FunctionContext` when it is null. Setting a
/// queued timer replaces its due time. Returns TRUE when the timer was already in the timer
/// queue. Checks `Irql_Timer_Function` (IRQL <= `DISPATCH_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndissettimerobject>
///
/// # Panics
/// When `TimerObject` is not a live timer object of this machine.
///
/// # Safety
/// None beyond being called on a virtual processor (the handle is only used as a key;
/// `FunctionContext` is only passed back to the driver).
#[track_caller]
pub unsafe fn NdisSetTimerObject(
    TimerObject: NDIS_HANDLE,
    DueTime: LARGE_INTEGER,
    MillisecondsPeriod: LONG,
    FunctionContext: PVOID,
) -> BOOLEAN {
    let location = Location::caller();
    let api = "NdisSetTimerObject";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlTimerFunction);
    // SAFETY: every bit pattern of the union is a valid `QuadPart`.
    let due = unsafe { DueTime.QuadPart };
    let was = cpu
        .shared
        .timers
        .set(
            TimerObject as usize,
            due,
            MillisecondsPeriod,
            FunctionContext as usize,
            location,
        )
        .unwrap_or_else(|e| not_a_timer(api, TimerObject, e));
    BOOLEAN::from(was)
}

/// `NdisCancelTimerObject`: takes the timer out of the timer queue; TRUE when it was in it
/// (set and not yet expired, or periodic). An expired one-shot timer whose function is already
/// queued or running is not stopped (the page leaves that synchronisation to the caller). For
/// a periodic timer it then waits until the timer's function is neither queued nor running
/// (`KeFlushQueuedDpcs`, as the page says), which needs `PASSIVE_LEVEL`.
///
/// Checks `Irql_Timer_Function`: IRQL <= `DISPATCH_LEVEL`, and `PASSIVE_LEVEL` when the timer
/// was last set periodic (then the flush is skipped: it would wait for itself).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndiscanceltimerobject>
///
/// # Panics
/// When `TimerObject` is not a live timer object of this machine.
///
/// # Safety
/// None beyond being called on a virtual processor (the handle is only used as a key).
#[track_caller]
pub unsafe fn NdisCancelTimerObject(TimerObject: NDIS_HANDLE) -> BOOLEAN {
    let location = Location::caller();
    let api = "NdisCancelTimerObject";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlTimerFunction);
    let (was, obj) = cpu
        .shared
        .timers
        .cancel(TimerObject as usize)
        .unwrap_or_else(|e| not_a_timer(api, TimerObject, e));
    if was.periodic {
        let irql = cpu.irql();
        if irql == PASSIVE {
            timer::flush(&cpu, &obj);
        } else if irql <= DISPATCH {
            violation(
                &cpu,
                Rule::PeriodicTimer,
                location,
                format!(
                    "{api}({TimerObject:p}) of a periodic timer at IRQL {irql}: cancelling a \
                     periodic timer requires PASSIVE_LEVEL (also Irql_Timer_Function)"
                ),
            );
        }
    }
    BOOLEAN::from(was.queued)
}

/// `NdisFreeTimerObject`: frees a timer object from [`NdisAllocateTimerObject`]. A timer still
/// in the timer queue is the `CancelTimerObject` rule (the driver must cancel it first; the
/// simulator cancels it and frees it); a queued function call is dropped. A handle that is not
/// a live timer object (never allocated, or freed already) is a [`Rule::BadFree`]. Checks
/// `Irql_Timer_Function`: the page allows IRQL <= `DISPATCH_LEVEL`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreetimerobject>
///
/// # Safety
/// The driver no longer uses the timer object, and its function is not running.
#[track_caller]
pub unsafe fn NdisFreeTimerObject(TimerObject: NDIS_HANDLE) {
    let location = Location::caller();
    let api = "NdisFreeTimerObject";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlTimerFunction);
    match cpu.shared.timers.free(&cpu.shared, TimerObject as usize) {
        Err(NotATimer) => violation(
            &cpu,
            Rule::BadFree,
            location,
            format!("{api}({TimerObject:p}): not a timer object, or already freed"),
        ),
        Ok(was) if was.queued => violation(
            &cpu,
            Rule::CancelTimerObject,
            location,
            format!("{api}({TimerObject:p}) of a timer still set: cancel it first"),
        ),
        Ok(_) => {}
    }
}
