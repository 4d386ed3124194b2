//! The small run-time pieces of the lock layer on the simulator: the NDIS-flag proof, the
//! allocation-failure status, names in the report, free on drop, and a root-context NDIS call.

use rse1k::impl_lock_after;
use rse1k::sync::{
    AllocError, DispatchLevel, KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked,
    stall_execution,
};
use rse1k::sys;

/// The only level here.
enum OnlyLevel {}
impl_lock_after!(Unlocked => OnlyLevel);

/// `NDIS_SEND_FLAGS_DISPATCH_LEVEL` in ndis.h.
const NDIS_SEND_FLAGS_DISPATCH_LEVEL: sys::ULONG = 0x0000_0001;
/// `NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK` in ndis.h: another bit of the same flags.
const NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK: sys::ULONG = 0x0000_0002;

#[test]
fn ndis_dispatch_flag_mints_the_proof_only_when_set() {
    // SAFETY: no proof is used: only whether one is minted for these flag values.
    let set = unsafe {
        DispatchLevel::from_ndis_flags(
            NDIS_SEND_FLAGS_DISPATCH_LEVEL | NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK,
            NDIS_SEND_FLAGS_DISPATCH_LEVEL,
        )
    };
    assert!(set.is_some());
    // SAFETY: `clear` is `None` whenever the call is right, and is only compared with `None`:
    // no proof is used, so no IRQL claim rests on these made-up flags.
    let clear = unsafe {
        DispatchLevel::from_ndis_flags(
            NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK,
            NDIS_SEND_FLAGS_DISPATCH_LEVEL,
        )
    };
    assert!(clear.is_none());
}

#[test]
fn allocation_failure_maps_to_ndis_status_resources() {
    assert_eq!(AllocError::NDIS_STATUS, sys::NDIS_STATUS_RESOURCES);
}

/// A routine a `send` handler would run: NDIS said `DISPATCH_LEVEL` in its flags, so the Dpr
/// acquire is used; the proof comes from the flags, not from `KeGetCurrentIrql`.
fn send_at(
    cx: &mut Locked<'_, Unlocked>,
    flags: sys::ULONG,
    queue: &SpinLock<u64, KeSpinLockBackend, OnlyLevel>,
) {
    // SAFETY: `flags` are the flags this "handler" was called with, and the caller raised the
    // IRQL to DISPATCH_LEVEL exactly when it set the flag; the proof dies before it returns.
    let at = unsafe { DispatchLevel::from_ndis_flags(flags, NDIS_SEND_FLAGS_DISPATCH_LEVEL) };
    match at {
        Some(at) => *queue.lock_dpr(cx, &at) += 1,
        None => *queue.lock(cx) += 1,
    }
}

#[test]
fn locks_are_named_counted_and_freed_without_violations() {
    let machine = ndis_sim::Machine::builder().processors(2).build();
    machine.run_on(1, || {
        // SAFETY: the start of a routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let ndis = SpinLock::<u32, NdisSpinLockBackend, OnlyLevel>::try_new(&cx, "tokens.ndis", 7)
            .expect("pool");
        let ke = SpinLock::<u64, KeSpinLockBackend, OnlyLevel>::try_new(&cx, "tokens.ke", 0)
            .expect("pool");
        assert_eq!(*ndis.lock(&mut cx), 7);
        send_at(&mut cx, 0, &ke);
        let mut old: sys::KIRQL = 0;
        let dispatch = sys::KIRQL::try_from(sys::DISPATCH_LEVEL).expect("a KIRQL");
        // SAFETY: at PASSIVE_LEVEL in this routine; `old` receives the IRQL to restore.
        unsafe { sys::KeRaiseIrql(dispatch, &raw mut old) };
        send_at(&mut cx, NDIS_SEND_FLAGS_DISPATCH_LEVEL, &ke);
        // SAFETY: restores the IRQL raised above; the Dpr guard is released.
        unsafe { sys::KeLowerIrql(old) };
        assert_eq!(*ke.lock(&mut cx), 2);
        // An NDIS call with the root context: no lock is held here.
        stall_execution::<5>(&mut cx);
    });
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
    assert_eq!(report.lock("tokens.ndis").map(|s| s.acquisitions), Some(1));
    assert_eq!(report.lock("tokens.ke").map(|s| s.acquisitions), Some(3));
}
