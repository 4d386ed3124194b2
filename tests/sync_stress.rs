//! Multi-processor stress of the lock layer on the simulator: every virtual processor hammers
//! shared counters through both backends and both acquire paths (`lock` and `lock_dpr`, with a
//! proof from a held guard and from a DPC-style raise). The totals must be exact (mutual
//! exclusion), the simulator must count exactly one acquisition per wrapper call, and the
//! verifier must find nothing.

use rse1k::impl_lock_after;
use rse1k::sync::{
    DispatchLevel, KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked,
};
use rse1k::sys;

/// The outer locks: taken first.
enum OuterLevel {}
/// The counter locks: taken alone or under an outer lock.
enum CounterLevel {}
impl_lock_after!(Unlocked => OuterLevel);
impl_lock_after!(OuterLevel => CounterLevel);

/// Not atomic on purpose: a lost update shows as a wrong total.
#[derive(Default)]
struct Counter {
    value: u64,
    /// Written with `value` under the lock; a torn critical section leaves them unequal.
    shadow: u64,
}

impl Counter {
    fn bump(&mut self) {
        assert_eq!(self.value, self.shadow, "critical section torn");
        // Read-modify-write split in two, so a second processor inside would lose an update.
        let next = self.value + 1;
        std::hint::black_box(&next);
        self.value = next;
        self.shadow = next;
    }
}

type NdisCounter = SpinLock<Counter, NdisSpinLockBackend, CounterLevel>;
type KeCounter = SpinLock<Counter, KeSpinLockBackend, CounterLevel>;
type NdisOuter = SpinLock<u64, NdisSpinLockBackend, OuterLevel>;
type KeOuter = SpinLock<u64, KeSpinLockBackend, OuterLevel>;

const PROCESSORS: usize = 4;
const ITERATIONS: u64 = 2_000;

struct Locks {
    ndis: std::pin::Pin<Box<NdisCounter>>,
    ke: std::pin::Pin<Box<KeCounter>>,
    ndis_outer: std::pin::Pin<Box<NdisOuter>>,
    ke_outer: std::pin::Pin<Box<KeOuter>>,
}

/// Raises to `DISPATCH_LEVEL` as a DPC routine runs, calls `f` with the proof, lowers again.
fn at_dispatch(f: impl FnOnce(&DispatchLevel)) {
    let mut old: sys::KIRQL = 0;
    let dispatch = sys::KIRQL::try_from(sys::DISPATCH_LEVEL).expect("an IRQL fits a KIRQL");
    // SAFETY: called at PASSIVE_LEVEL from a routine; `old` receives the IRQL to restore.
    unsafe { sys::KeRaiseIrql(dispatch, &raw mut old) };
    {
        // SAFETY: the processor is at DISPATCH_LEVEL until the KeLowerIrql below, and the proof
        // goes out of scope before it.
        let at = unsafe { DispatchLevel::assume() };
        f(&at);
    }
    // SAFETY: restores the IRQL saved by the KeRaiseIrql above; every lock taken in `f` is
    // released (its guard borrowed the proof).
    unsafe { sys::KeLowerIrql(old) };
}

fn hammer(locks: &Locks) {
    // SAFETY: the start of a routine the harness runs at PASSIVE_LEVEL: no lock is held and
    // this is the routine's only root context.
    let mut cx = unsafe { Locked::<Unlocked>::new() };
    for i in 0..ITERATIONS {
        // Path 1: `lock` from the root (NdisAcquireSpinLock / KeAcquireSpinLockRaiseToDpc).
        locks.ndis.lock(&mut cx).bump();
        locks.ke.lock(&mut cx).bump();

        // Path 2: `lock_dpr` with the proof of a held outer guard, alternating outer backends.
        if i % 2 == 0 {
            let mut outer = locks.ndis_outer.lock(&mut cx);
            let (count, cx, at) = outer.parts();
            *count += 1;
            locks.ndis.lock_dpr(cx, at).bump();
            locks.ke.lock_dpr(cx, at).bump();
        } else {
            let mut outer = locks.ke_outer.lock(&mut cx);
            let (count, cx, at) = outer.parts();
            *count += 1;
            locks.ndis.lock_dpr(cx, at).bump();
            locks.ke.lock_dpr(cx, at).bump();
        }

        // Path 3: `lock_dpr` with a DPC-entry style proof (IRQL raised by the routine itself).
        at_dispatch(|at| {
            locks.ndis.lock_dpr(&mut cx, at).bump();
            locks.ke.lock_dpr(&mut cx, at).bump();
        });

        // Path 4: `lock` (not Dpr) nested under an outer lock, at DISPATCH_LEVEL already. The
        // Ke-in-Ke pair is the `KeAcquireSpinLock` old-IRQL rule: the outer guard keeps
        // PASSIVE_LEVEL, the inner one DISPATCH_LEVEL; one shared location would leave the
        // routine at DISPATCH_LEVEL (IrqlKeReleaseSpinLock / IrqlReturn in the report).
        let mut outer = locks.ke_outer.lock(&mut cx);
        *outer += 1;
        locks.ndis.lock(outer.locked()).bump();
        locks.ke.lock(outer.locked()).bump();
        drop(outer);
    }
}

#[test]
fn every_processor_both_backends_both_paths_exact_totals() {
    let machine = ndis_sim::Machine::builder().processors(PROCESSORS).build();
    let locks = machine.run_on(0, || {
        // SAFETY: the start of a routine on a simulated processor: no lock held, the only root
        // context.
        let root = unsafe { Locked::<Unlocked>::new() };
        Locks {
            ndis: NdisCounter::try_new(&root, "stress.ndis", Counter::default()).expect("pool"),
            ke: KeCounter::try_new(&root, "stress.ke", Counter::default()).expect("pool"),
            ndis_outer: NdisOuter::try_new(&root, "stress.ndis_outer", 0).expect("pool"),
            ke_outer: KeOuter::try_new(&root, "stress.ke_outer", 0).expect("pool"),
        }
    });

    machine.run_all(|_cpu| hammer(&locks));

    let cpus = u64::try_from(PROCESSORS).expect("small");
    let per_cpu_ndis = ITERATIONS * 4; // paths 1, 2, 3, 4
    let per_cpu_ke = ITERATIONS * 4; // paths 1, 2, 3, 4
    let (ndis, ke, ndis_outer, ke_outer) = machine.run_on(0, || {
        // SAFETY: a new routine at PASSIVE_LEVEL, no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let ndis = locks.ndis.lock(&mut cx).value;
        let ke = locks.ke.lock(&mut cx).value;
        let ndis_outer = *locks.ndis_outer.lock(&mut cx);
        let ke_outer = *locks.ke_outer.lock(&mut cx);
        (ndis, ke, ndis_outer, ke_outer)
    });
    assert_eq!(ndis, cpus * per_cpu_ndis);
    assert_eq!(ke, cpus * per_cpu_ke);
    assert_eq!(ndis_outer, cpus * ITERATIONS / 2);
    assert_eq!(ke_outer, cpus * (ITERATIONS / 2 + ITERATIONS));

    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
    // One backend acquisition per wrapper call (plus the final reads): nothing hidden, nothing lost.
    let acquisitions = |name: &str| report.lock(name).map(|s| s.acquisitions);
    assert_eq!(acquisitions("stress.ndis"), Some(cpus * per_cpu_ndis + 1));
    assert_eq!(acquisitions("stress.ke"), Some(cpus * per_cpu_ke + 1));
    assert_eq!(
        acquisitions("stress.ndis_outer"),
        Some(cpus * ITERATIONS / 2 + 1)
    );
    assert_eq!(
        acquisitions("stress.ke_outer"),
        Some(cpus * (ITERATIONS / 2 + ITERATIONS) + 1)
    );

    machine.run_on(0, move || drop(locks));
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
}

/// The control: the verifier the stress test relies on is live. The same two locks, driven
/// through raw `sys` calls in the A/B release order the wrapper cannot express, are reported.
#[test]
fn verifier_reports_the_release_order_the_wrapper_forbids() {
    let machine = ndis_sim::Machine::builder()
        .processors(1)
        .mode(ndis_sim::VerifierMode::Collect)
        .build();
    machine.run_on(0, || {
        let mut a = sys::NDIS_SPIN_LOCK {
            SpinLock: 0,
            OldIrql: 0,
        };
        let mut b = sys::NDIS_SPIN_LOCK {
            SpinLock: 0,
            OldIrql: 0,
        };
        // SAFETY: `a` is a live local for the whole routine, zeroed and not yet allocated;
        // PASSIVE_LEVEL.
        unsafe { sys::NdisAllocateSpinLock(&raw mut a) };
        // SAFETY: `b` is a live local for the whole routine, zeroed and not yet allocated;
        // PASSIVE_LEVEL.
        unsafe { sys::NdisAllocateSpinLock(&raw mut b) };
        // SAFETY: `a` was allocated just above and is not held; the routine runs at
        // PASSIVE_LEVEL, so the acquire raises to DISPATCH_LEVEL and saves PASSIVE in `a`.
        unsafe { sys::NdisAcquireSpinLock(&raw mut a) };
        // SAFETY: `b` was allocated above and is not held (only `a` is); at DISPATCH_LEVEL
        // now, the acquire saves DISPATCH_LEVEL in `b`.
        unsafe { sys::NdisAcquireSpinLock(&raw mut b) };
        // SAFETY: `a` is allocated and held by this processor; releasing it while `b` is still
        // held is the documented A/B bug, committed on purpose for the verifier to report.
        unsafe { sys::NdisReleaseSpinLock(&raw mut a) };
        // SAFETY: `b` is allocated and still held by this processor; its release restores
        // the DISPATCH_LEVEL it saved.
        unsafe { sys::NdisReleaseSpinLock(&raw mut b) };
        // Put the IRQL back as the release of B left it at DISPATCH_LEVEL (the second bug
        // the documents describe), so the routine-end check reports only what is under test.
        let passive = sys::KIRQL::try_from(sys::PASSIVE_LEVEL).expect("an IRQL fits a KIRQL");
        // SAFETY: lowers the IRQL the wrong release order raised, back to the routine's own.
        unsafe { sys::KeLowerIrql(passive) };
        // SAFETY: `a` is released and never used again.
        unsafe { sys::NdisFreeSpinLock(&raw mut a) };
        // SAFETY: `b` is released and never used again.
        unsafe { sys::NdisFreeSpinLock(&raw mut b) };
    });
    let report = machine.report();
    assert!(report.has(ndis_sim::Rule::ReleaseOrder), "{report}");
}
