//! NDIS spin locks (`ndis.h`). The acquire/release functions are documented macros over the Ke
//! calls (`NdisAcquireSpinLock(l)` is `KeAcquireSpinLock(&l->SpinLock, &l->OldIrql)`,
//! `NdisDprAcquireSpinLock(l)` is `KeAcquireSpinLockAtDpcLevel(&l->SpinLock)`), reproduced here
//! with the NDIS rules checked on top (`Irql_Synch_Function`, `SpinLock`, `SpinLockDpr`,
//! `SpinLockRelease`, `SpinLockDprRelease`, `SpinLockBalanced`).

use std::panic::Location;

use super::ke::check_not_above_dispatch;
use super::types::PNDIS_SPIN_LOCK;
use super::{check_irql_exactly_dispatch, enter_ndis};
use crate::machine::processor::{self, Api, DISPATCH, lower_irql};
use crate::machine::spinlock::{self, Got};
use crate::verifier::{LockKind, Rule};

fn lock_addr(SpinLock: PNDIS_SPIN_LOCK) -> usize {
    // `SpinLock` is the first field, so the NDIS lock and its KSPIN_LOCK share the address.
    SpinLock as usize
}

/// The `OldIrql` field of an NDIS lock, by pointer arithmetic only (no dereference).
fn old_irql_ptr(SpinLock: PNDIS_SPIN_LOCK) -> *mut u8 {
    SpinLock
        .cast::<u8>()
        .wrapping_add(core::mem::offset_of!(super::types::NDIS_SPIN_LOCK, OldIrql))
}

/// `NdisAllocateSpinLock`: initialises the lock (any IRQL).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatespinlock>
///
/// # Safety
/// `SpinLock` points to an `NDIS_SPIN_LOCK` in memory that stays valid while the lock is used.
#[track_caller]
pub unsafe fn NdisAllocateSpinLock(SpinLock: PNDIS_SPIN_LOCK) {
    let cpu = enter_ndis("NdisAllocateSpinLock", Location::caller());
    // SAFETY: the caller guarantees `SpinLock` is valid for writes.
    unsafe { old_irql_ptr(SpinLock).write(0) };
    spinlock::initialize(&cpu.shared, lock_addr(SpinLock), LockKind::Ndis);
}

/// `NdisFreeSpinLock`: the lock is no longer usable until allocated again.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreespinlock>
///
/// # Safety
/// `SpinLock` points to an `NDIS_SPIN_LOCK`.
#[track_caller]
pub unsafe fn NdisFreeSpinLock(SpinLock: PNDIS_SPIN_LOCK) {
    let cpu = enter_ndis("NdisFreeSpinLock", Location::caller());
    spinlock::free(&cpu.shared, lock_addr(SpinLock));
}

/// `NdisAcquireSpinLock`: raise to `DISPATCH_LEVEL`, spin, store the old IRQL in the lock.
/// Checks `Irql_Synch_Function` (above `DISPATCH_LEVEL`; [`Rule::SpinLockInIsr`] in an ISR),
/// `SPIN_LOCK_ALREADY_OWNED` (with NDIS `SpinLock` in `detail`), 0x1001, 0x1008, initialisation.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisacquirespinlock>
///
/// # Safety
/// `SpinLock` points to an allocated `NDIS_SPIN_LOCK`.
#[track_caller]
pub unsafe fn NdisAcquireSpinLock(SpinLock: PNDIS_SPIN_LOCK) {
    let location = Location::caller();
    let cpu = enter_ndis("NdisAcquireSpinLock", location);
    check_not_above_dispatch(
        &cpu,
        "NdisAcquireSpinLock",
        Rule::IrqlSynchFunction,
        location,
    );
    let old = cpu.irql();
    if old < DISPATCH {
        cpu.set_irql(DISPATCH);
    }
    if spinlock::acquire(&cpu, lock_addr(SpinLock), Api::Ndis, old, false, location) == Got::Taken {
        // SAFETY: the caller guarantees `SpinLock` is valid; this processor now owns the lock,
        // and the lock's OldIrql belongs to its owner.
        unsafe { old_irql_ptr(SpinLock).write(old) };
    }
}

/// `NdisReleaseSpinLock`: release, then set the IRQL to the value stored in the lock (so the
/// documented A/B release-order problem happens here as on Windows). Checks
/// `Irql_Synch_Function` (not at `DISPATCH_LEVEL`), `SpinLockRelease`, 0x1003, 0x1009,
/// `SpinLockBalanced`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreleasespinlock>
///
/// # Safety
/// `SpinLock` points to an allocated `NDIS_SPIN_LOCK`.
#[track_caller]
pub unsafe fn NdisReleaseSpinLock(SpinLock: PNDIS_SPIN_LOCK) {
    let location = Location::caller();
    let cpu = enter_ndis("NdisReleaseSpinLock", location);
    check_irql_exactly_dispatch(
        &cpu,
        "NdisReleaseSpinLock",
        Rule::IrqlSynchFunction,
        Rule::IrqlSynchFunction,
        location,
    );
    // SAFETY: the caller guarantees `SpinLock` is valid; read before the release, while this
    // processor still owns the lock (after it, another owner may overwrite it).
    let stored = unsafe { old_irql_ptr(SpinLock).read() };
    if let Some(h) = spinlock::release(&cpu, lock_addr(SpinLock), Api::Ndis, location) {
        let new = if h.phantom || h.api != Api::Ndis {
            h.old_irql
        } else {
            stored
        };
        lower_irql(&cpu, new);
    }
}

/// `NdisDprAcquireSpinLock`: spin without changing the IRQL; only at `DISPATCH_LEVEL`. Checks
/// `Irql_Synch_Function` (primary; the 0x40 / `IrqlDispatch` its expansion would trip is named
/// in `detail`), `SPIN_LOCK_ALREADY_OWNED` (with `SpinLockDpr` in `detail`), and the common checks.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisdpracquirespinlock>
///
/// # Safety
/// `SpinLock` points to an allocated `NDIS_SPIN_LOCK`.
#[track_caller]
pub unsafe fn NdisDprAcquireSpinLock(SpinLock: PNDIS_SPIN_LOCK) {
    let location = Location::caller();
    let cpu = enter_ndis("NdisDprAcquireSpinLock", location);
    check_irql_exactly_dispatch(
        &cpu,
        "NdisDprAcquireSpinLock",
        Rule::IrqlSynchFunction,
        Rule::IrqlSynchFunction,
        location,
    );
    let irql = cpu.irql();
    spinlock::acquire(
        &cpu,
        lock_addr(SpinLock),
        Api::NdisDpr,
        irql,
        false,
        location,
    );
}

/// `NdisDprReleaseSpinLock`: release without changing the IRQL. Checks `Irql_Synch_Function`,
/// `SpinLockDprRelease`, 0x1003, 0x1009, `SpinLockBalanced`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisdprreleasespinlock>
///
/// # Safety
/// `SpinLock` points to an allocated `NDIS_SPIN_LOCK`.
#[track_caller]
pub unsafe fn NdisDprReleaseSpinLock(SpinLock: PNDIS_SPIN_LOCK) {
    let location = Location::caller();
    let cpu = enter_ndis("NdisDprReleaseSpinLock", location);
    check_irql_exactly_dispatch(
        &cpu,
        "NdisDprReleaseSpinLock",
        Rule::IrqlSynchFunction,
        Rule::IrqlSynchFunction,
        location,
    );
    if let Some(h) = spinlock::release(&cpu, lock_addr(SpinLock), Api::NdisDpr, location)
        && h.api.raises()
    {
        {
            // Acquired with NdisAcquireSpinLock (reported as 0x1009): restore its IRQL so the
            // run can go on.
            lower_irql(&cpu, h.old_irql);
            return;
        }
    }
    processor::window(&cpu);
}
