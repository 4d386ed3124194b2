//! Cause 1 of the lock layer's review: a leaked guard. Rust cannot forbid leaking a value, so
//! `mem::forget`, `ManuallyDrop` or `Box::leak` on a guard type-check and end the borrow of the
//! lock context while the lock stays held. The verifier catches it at run time: the lock is
//! still held when the routine that took it returns (NDIS `SpinLock` / WDM `SpinLock`). The
//! scoped form (`SpinLock::with`) has no guard to leak: the same routine written with it is
//! clean.

use core::mem::ManuallyDrop;

use ndis_sim::{Machine, Rule, VerifierMode};
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

enum LeakLevel {}
impl_lock_after!(Unlocked => LeakLevel);

fn machine() -> Machine {
    Machine::builder()
        .processors(1)
        .mode(VerifierMode::Collect)
        .build()
}

#[test]
fn a_forgotten_ndis_guard_is_reported_when_its_routine_returns() {
    let m = machine();
    m.run_on(0, || {
        // SAFETY: the start of a routine on a simulated processor: no lock held, the only root
        // context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let lock = SpinLock::<u32, NdisSpinLockBackend, LeakLevel>::try_new(&cx, "leak.ndis", 0)
            .expect("pool");
        core::mem::forget(lock.lock(&mut cx));
        // The borrow of `cx` ended with the forget: this type-checks, and is the hole.
        let _ = &mut cx;
        core::mem::forget(lock);
    });
    let report = m.report();
    assert!(report.has(Rule::NdisSpinLock), "{report}");
}

#[test]
fn a_manually_dropped_ke_guard_is_reported_when_its_routine_returns() {
    let m = machine();
    m.run_on(0, || {
        // SAFETY: the start of this `run_on` routine: nothing is held yet (the lock is made
        // below) and no other root context exists in it.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let lock = SpinLock::<u32, KeSpinLockBackend, LeakLevel>::try_new(&cx, "leak.ke", 0)
            .expect("pool");
        let _kept = ManuallyDrop::new(lock.lock(&mut cx));
        core::mem::forget(lock);
    });
    let report = m.report();
    assert!(report.has(Rule::SpinLock), "{report}");
}

#[test]
fn the_scoped_form_leaves_nothing_held() {
    let m = machine();
    m.run_on(0, || {
        // SAFETY: the start of this `run_on` routine, on a fresh machine: no lock is held and
        // no other root context exists in it.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let lock = SpinLock::<u32, NdisSpinLockBackend, LeakLevel>::try_new(&cx, "scoped", 0)
            .expect("pool");
        let seen = lock.with(&mut cx, |count, _| {
            *count += 1;
            *count
        });
        assert_eq!(seen, 1);
    });
    let report = m.report();
    assert!(report.violations.is_empty(), "{report}");
}
