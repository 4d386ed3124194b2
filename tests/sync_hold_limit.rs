//! The spin-lock hold limit is a verifier rule of its own, on the virtual clock: a lock held
//! across more simulated time than the limit (25 µs unless the machine says otherwise) is
//! reported as `SpinLockHeldTooLong` at its release; a shorter hold is not. Virtual time makes
//! the report the same on every run (host hold times stay statistics only).

use ndis_sim::{DEFAULT_HOLD_LIMIT_NS, Machine, Rule, VerifierMode};
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

enum HoldLevel {}
impl_lock_after!(Unlocked => HoldLevel);

/// Holds an NDIS and a Ke lock (scoped and guard forms) while the virtual clock moves `ns`.
fn hold_for(machine: &Machine, ns: u64) {
    machine.run_on(0, || {
        // SAFETY: the start of a routine on a simulated processor: no lock held, the only root
        // context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let ndis = SpinLock::<u32, NdisSpinLockBackend, HoldLevel>::try_new(&cx, "hold.ndis", 0)
            .expect("pool");
        let ke = SpinLock::<u32, KeSpinLockBackend, HoldLevel>::try_new(&cx, "hold.ke", 0)
            .expect("pool");
        ndis.with(&mut cx, |count, _| {
            // The clock moves while the lock is held (timer expiries are only queued from a
            // processor, and none is set).
            let _ = machine.advance_clock(ns);
            *count += 1;
        });
        let mut guard = ke.lock(&mut cx);
        let _ = machine.advance_clock(ns);
        *guard += 1;
        drop(guard);
    });
}

fn machine(limit: Option<u64>) -> Machine {
    let builder = Machine::builder().processors(1).mode(VerifierMode::Collect);
    match limit {
        Some(ns) => builder.hold_limit_ns(ns).build(),
        None => builder.build(),
    }
}

#[test]
fn a_hold_over_25_microseconds_of_simulated_time_is_reported_at_its_release() {
    let m = machine(None);
    hold_for(&m, DEFAULT_HOLD_LIMIT_NS + 5_000);
    let report = m.report();
    let over = report.of(Rule::SpinLockHeldTooLong);
    assert_eq!(over.len(), 2, "{report}");
    assert!(over[0].detail.contains("hold.ndis"), "{}", over[0]);
    assert!(over[1].detail.contains("hold.ke"), "{}", over[1]);
    // The report names where the driver took the lock (the scoped form and the guard form
    // both pass their caller's location down).
    for v in &over {
        assert!(
            v.detail.contains("acquired at tests/sync_hold_limit.rs"),
            "{v}"
        );
    }
    assert_eq!(report.violations.len(), 2, "nothing else: {report}");
}

#[test]
fn a_hold_within_the_limit_is_not_reported() {
    let m = machine(None);
    hold_for(&m, DEFAULT_HOLD_LIMIT_NS);
    let report = m.report();
    assert!(report.violations.is_empty(), "{report}");
}

#[test]
fn the_limit_is_configurable() {
    let strict = machine(Some(10_000));
    hold_for(&strict, 20_000);
    assert_eq!(strict.report().of(Rule::SpinLockHeldTooLong).len(), 2);
    let lax = machine(Some(50_000));
    hold_for(&lax, 30_000);
    assert!(lax.report().violations.is_empty());
}
