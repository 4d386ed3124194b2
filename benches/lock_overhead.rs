//! What the safe layer costs: acquire + release through `SpinLock` (guard form, and for the
//! NDIS backend also the scoped `with` form) versus the same raw `sys` calls, on one simulated
//! processor, for both backends.
//!
//! Run with `cargo bench --bench lock_overhead` (criterion options after `--`, for example
//! `-- --measurement-time 2`). Criterion measures each side on its own; the ratio is then taken
//! in the same run from a paired measurement (wrapper and raw chunks alternated, ABBA, so host
//! drift hits both sides alike; the median of the per-pair ratios, so a descheduled chunk does
//! not decide it) and printed as `ratio wrapper/raw = X.XX (target <= 1.05)`. Reported, not
//! asserted: timing on a shared host is not a pass/fail property.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};
use rse1k::sys;

/// The only level: each lock is taken alone.
enum BenchLevel {}
impl_lock_after!(Unlocked => BenchLevel);

/// Pairs of chunks for the paired ratio, and iterations per chunk.
const PAIRS: usize = 400;
const CHUNK: u64 = 2_000;

/// Times `iterations` acquire/release pairs.
type Timed<'a> = dyn FnMut(u64) -> Duration + 'a;

/// Median of wrapper/raw over `PAIRS` alternated chunk pairs (ABBA order).
fn paired_ratio(wrapper: &mut Timed<'_>, raw: &mut Timed<'_>) -> f64 {
    let mut ratios: Vec<f64> = (0..PAIRS)
        .map(|pair| {
            let (w, r) = if pair % 2 == 0 {
                let w = wrapper(CHUNK);
                (w, raw(CHUNK))
            } else {
                let r = raw(CHUNK);
                (wrapper(CHUNK), r)
            };
            w.as_secs_f64() / r.as_secs_f64()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[PAIRS / 2]
}

fn measure(c: &mut Criterion, group: &str, wrapper: &mut Timed<'_>, raw: &mut Timed<'_>) {
    let mut g = c.benchmark_group(group);
    g.bench_function("wrapper", |b| b.iter_custom(&mut *wrapper));
    g.bench_function("raw", |b| b.iter_custom(&mut *raw));
    g.finish();
    let ratio = paired_ratio(wrapper, raw);
    println!("{group}: ratio wrapper/raw = {ratio:.2} (target <= 1.05)");
}

fn bench_ndis(c: &mut Criterion, cx: &mut Locked<'_, Unlocked>) {
    let lock =
        SpinLock::<u64, NdisSpinLockBackend, BenchLevel>::try_new(cx, "bench.ndis.wrapper", 0)
            .expect("pool");
    let mut raw_lock = sys::NDIS_SPIN_LOCK {
        SpinLock: 0,
        OldIrql: 0,
    };
    // SAFETY: `raw_lock` is a live local that stays put until it is freed below.
    unsafe { sys::NdisAllocateSpinLock(&raw mut raw_lock) };
    let raw_ptr = &raw mut raw_lock;
    let mut raw_data = 0_u64;

    let mut wrapper = |iterations: u64| {
        let start = Instant::now();
        for _ in 0..iterations {
            let mut guard = lock.lock(cx);
            *black_box(&mut *guard) += 1;
        }
        start.elapsed()
    };
    let mut raw = |iterations: u64| {
        let start = Instant::now();
        for _ in 0..iterations {
            // SAFETY: allocated above, not held, PASSIVE_LEVEL.
            unsafe { sys::NdisAcquireSpinLock(raw_ptr) };
            *black_box(&mut raw_data) += 1;
            // SAFETY: acquired just above by this processor.
            unsafe { sys::NdisReleaseSpinLock(raw_ptr) };
        }
        start.elapsed()
    };
    measure(c, "ndis_spin_lock", &mut wrapper, &mut raw);
    // The scoped form (`SpinLock::with`): the same acquire and release around a closure.
    let mut scoped = |iterations: u64| {
        let start = Instant::now();
        for _ in 0..iterations {
            lock.with(cx, |value, _| *black_box(value) += 1);
        }
        start.elapsed()
    };
    measure(c, "ndis_spin_lock_scoped", &mut scoped, &mut raw);
    // SAFETY: not held, never used again.
    unsafe { sys::NdisFreeSpinLock(raw_ptr) };
}

fn bench_ke(c: &mut Criterion, cx: &mut Locked<'_, Unlocked>) {
    let lock = SpinLock::<u64, KeSpinLockBackend, BenchLevel>::try_new(cx, "bench.ke.wrapper", 0)
        .expect("pool");
    let mut raw_lock: sys::KSPIN_LOCK = 0;
    // SAFETY: `raw_lock` is a live local that stays put for the whole benchmark.
    unsafe { sys::KeInitializeSpinLock(&raw mut raw_lock) };
    let raw_ptr = &raw mut raw_lock;
    let mut raw_data = 0_u64;

    let mut wrapper = |iterations: u64| {
        let start = Instant::now();
        for _ in 0..iterations {
            let mut guard = lock.lock(cx);
            *black_box(&mut *guard) += 1;
        }
        start.elapsed()
    };
    let mut raw = |iterations: u64| {
        let start = Instant::now();
        for _ in 0..iterations {
            // SAFETY: initialised above, not held, PASSIVE_LEVEL.
            let old = unsafe { sys::KeAcquireSpinLockRaiseToDpc(raw_ptr) };
            *black_box(&mut raw_data) += 1;
            // SAFETY: acquired just above by this processor, with that old IRQL.
            unsafe { sys::KeReleaseSpinLock(raw_ptr, old) };
        }
        start.elapsed()
    };
    measure(c, "ke_spin_lock", &mut wrapper, &mut raw);
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
