//! Running a block at `DISPATCH_LEVEL` from a routine that may be at `PASSIVE_LEVEL`: the
//! `NDIS_RAISE_IRQL_TO_DISPATCH` / `NDIS_LOWER_IRQL` pair, for the NDIS calls whose pages
//! require exactly `DISPATCH_LEVEL` (`NdisMAllocateNetBufferSGList`,
//! `NdisMFreeNetBufferSGList`) when a handler NDIS may call at either IRQL needs them.

use super::{DispatchLevel, Locked, Unlocked};
use crate::sys;

/// Runs `f` at `DISPATCH_LEVEL` with the proof of it, holding no lock.
///
/// With `at` (the caller already proved `DISPATCH_LEVEL`) `f` just runs. Without it the IRQL
/// is raised with `KeRaiseIrql(DISPATCH_LEVEL)`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keraiseirql>, what
/// `NDIS_RAISE_IRQL_TO_DISPATCH` expands to) and lowered back to the saved IRQL with
/// `KeLowerIrql` (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kelowerirql>)
/// when `f` returns. The root context proves IRQL <= `DISPATCH_LEVEL`, so this always raises
/// (or stays), never lowers; the proof handed to `f` is borrowed for the call only, so it
/// cannot outlive the lowering.
#[track_caller]
pub fn at_dispatch_level<R>(
    cx: &mut Locked<'_, Unlocked>,
    at: Option<&DispatchLevel>,
    f: impl FnOnce(&mut Locked<'_, Unlocked>, &DispatchLevel) -> R,
) -> R {
    if let Some(at) = at {
        return f(cx, at);
    }
    let mut old: sys::KIRQL = 0;
    let dispatch = sys::KIRQL::try_from(sys::DISPATCH_LEVEL).unwrap_or(sys::KIRQL::MAX);
    // SAFETY: a root context exists only at IRQL <= DISPATCH_LEVEL, so DISPATCH_LEVEL is not
    // below the current IRQL; `old` is a valid destination.
    unsafe { sys::KeRaiseIrql(dispatch, &raw mut old) };
    let result = f(cx, &DispatchLevel::mint());
    // SAFETY: `old` is the IRQL saved by the raise above, and every lock `f` took is released
    // (each borrowed `cx` for `f`'s call only), so the processor is at DISPATCH_LEVEL again.
    unsafe { sys::KeLowerIrql(old) };
    result
}
