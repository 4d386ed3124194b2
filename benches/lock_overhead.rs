//! What the safe layer costs: acquire + release through `SpinLock` versus the same raw `sys`
//! calls, on one simulated processor, for both backends.
//!
//! Run with `cargo bench --bench lock_overhead` (criterion options after `--`, for example
//! `-- --measurement-time 2`). Each pair is measured in one run; the ratio of mean times per
//! iteration is printed as `ratio wrapper/raw = X.XX (target <= 1.05)`. Reported, not asserted:
//! timing on a shared host is not a pass/fail property.

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};
use rse1k::sys;

/// The only level: each lock is taken alone.
enum BenchLevel {}
impl_lock_after!(Unlocked => BenchLevel);

/// Total time and iterations criterion asked for (warm-up included, the same for both sides).
#[derive(Default)]
struct Tally {
    elapsed: Cell<Duration>,
    iterations: Cell<u64>,
}

impl Tally {
    fn record(&self, elapsed: Duration, iterations: u64) -> Duration {
        self.elapsed.set(self.elapsed.get() + elapsed);
        self.iterations.set(self.iterations.get() + iterations);
        elapsed
    }

    #[allow(clippy::cast_precision_loss)] // a ratio of means: f64 precision is plenty
    fn mean_ns(&self) -> f64 {
        self.elapsed.get().as_nanos() as f64 / self.iterations.get().max(1) as f64
    }
}

fn report(backend: &str, wrapper: &Tally, raw: &Tally) {
    let ratio = wrapper.mean_ns() / raw.mean_ns();
    println!(
        "{backend}: wrapper {:.1} ns, raw {:.1} ns per acquire+release; \
         ratio wrapper/raw = {ratio:.2} (target <= 1.05)",
        wrapper.mean_ns(),
        raw.mean_ns()
    );
}

fn bench_ndis(c: &mut Criterion, cx: &mut Locked<'_, Unlocked>) {
    let lock = SpinLock::<u64, NdisSpinLockBackend, BenchLevel>::try_new("bench.ndis.wrapper", 0)
        .expect("pool");
    let mut raw_lock = sys::NDIS_SPIN_LOCK {
        SpinLock: 0,
        OldIrql: 0,
    };
    // SAFETY: `raw_lock` is a live local that stays put until it is freed below.
    unsafe { sys::NdisAllocateSpinLock(&raw mut raw_lock) };
    let mut raw_data = 0_u64;

    let (wrapper, raw) = (Tally::default(), Tally::default());
    let mut group = c.benchmark_group("ndis_spin_lock");
    group.bench_function("wrapper", |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                let mut guard = lock.lock(cx);
                *black_box(&mut *guard) += 1;
            }
            wrapper.record(start.elapsed(), iterations)
        });
    });
    group.bench_function("raw", |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                // SAFETY: allocated above, not held, PASSIVE_LEVEL.
                unsafe { sys::NdisAcquireSpinLock(&raw mut raw_lock) };
                *black_box(&mut raw_data) += 1;
                // SAFETY: acquired just above by this processor.
                unsafe { sys::NdisReleaseSpinLock(&raw mut raw_lock) };
            }
            raw.record(start.elapsed(), iterations)
        });
    });
    group.finish();
    // SAFETY: not held, never used again.
    unsafe { sys::NdisFreeSpinLock(&raw mut raw_lock) };
    report("NDIS_SPIN_LOCK", &wrapper, &raw);
}

fn bench_ke(c: &mut Criterion, cx: &mut Locked<'_, Unlocked>) {
    let lock = SpinLock::<u64, KeSpinLockBackend, BenchLevel>::try_new("bench.ke.wrapper", 0)
        .expect("pool");
    let mut raw_lock: sys::KSPIN_LOCK = 0;
    // SAFETY: `raw_lock` is a live local that stays put for the whole benchmark.
    unsafe { sys::KeInitializeSpinLock(&raw mut raw_lock) };
    let mut raw_data = 0_u64;

    let (wrapper, raw) = (Tally::default(), Tally::default());
    let mut group = c.benchmark_group("ke_spin_lock");
    group.bench_function("wrapper", |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                let mut guard = lock.lock(cx);
                *black_box(&mut *guard) += 1;
            }
            wrapper.record(start.elapsed(), iterations)
        });
    });
    group.bench_function("raw", |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                // SAFETY: initialised above, not held, PASSIVE_LEVEL.
                let old = unsafe { sys::KeAcquireSpinLockRaiseToDpc(&raw mut raw_lock) };
                *black_box(&mut raw_data) += 1;
                // SAFETY: acquired just above by this processor, with that old IRQL.
                unsafe { sys::KeReleaseSpinLock(&raw mut raw_lock, old) };
            }
            raw.record(start.elapsed(), iterations)
        });
    });
    group.finish();
    report("KSPIN_LOCK", &wrapper, &raw);
}

fn main() {
    let machine = ndis_sim::Machine::builder().processors(1).build();
    machine.run_on(0, || {
        let mut criterion = Criterion::default().configure_from_args();
        // SAFETY: the start of a routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        bench_ndis(&mut criterion, &mut cx);
        bench_ke(&mut criterion, &mut cx);
        criterion.final_summary();
    });
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
}
