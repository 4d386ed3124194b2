//! Correct use of the raw surface reports no violation, across processors and seeds.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{DISPATCH, Device, Shared, deregister, irql, register};
use ndis_sim::sys::*;
use ndis_sim::{Machine, VerifierMode, test_seeds};

#[test]
fn contended_ndis_spin_lock_counts_exactly() {
    const PER_CPU: u64 = 5_000;
    let machine = Machine::builder()
        .processors(4)
        .mode(VerifierMode::Collect)
        .build();
    let lock = Shared::new(NDIS_SPIN_LOCK::default());
    let counter = Shared::new(0u64);
    let (l, c) = (lock.get() as usize, counter.get() as usize);
    machine.run_on(0, move || {
        // SAFETY: the lock outlives the machine's use of it.
        unsafe { NdisAllocateSpinLock(l as PNDIS_SPIN_LOCK) };
        // SAFETY: naming only.
        unsafe { SimNameSpinLock(l as *const _, "counter") };
    });
    machine.run_all(move |_| {
        for _ in 0..PER_CPU {
            // SAFETY: allocated lock; the counter is only touched under it.
            unsafe { NdisAcquireSpinLock(l as PNDIS_SPIN_LOCK) };
            assert_eq!(irql(), DISPATCH);
            // SAFETY: under the lock.
            let v = unsafe { (c as *mut u64).read_volatile() };
            // SAFETY: under the lock.
            unsafe { (c as *mut u64).write_volatile(v + 1) };
            // SAFETY: held.
            unsafe { NdisReleaseSpinLock(l as PNDIS_SPIN_LOCK) };
        }
    });
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
    // SAFETY: no processor touches it any more.
    assert_eq!(unsafe { *counter.get() }, 4 * PER_CPU);
    let stats = report.lock("counter").expect("named lock");
    assert_eq!(stats.acquisitions, 4 * PER_CPU);
    assert_eq!(stats.hold_histogram.iter().sum::<u64>(), 4 * PER_CPU);
    assert!(stats.p99_hold_ns <= stats.max_hold_ns);
}

#[test]
fn isr_dpc_and_synchronize_across_seeds() {
    const ROUNDS: u64 = 20;
    for (i, seed) in test_seeds(24).into_iter().enumerate() {
        let processors = 1 + i % 4;
        let machine = Machine::builder()
            .processors(processors)
            .seed(seed)
            .mode(VerifierMode::Collect)
            .build();
        let line = machine.interrupt_line(3);
        let dev = Device::new(line.clone());
        register(&machine, &dev, 3);
        for round in 1..=ROUNDS {
            line.assert();
            // Until this round's cause is counted: the DPC counts it last. Waiting only until
            // the DPC had started let the next round's ISR set the cause again before that DPC
            // took it, so one DPC took both and a round went uncounted (19 of 20, 1 of 50 runs
            // under load).
            let deadline = Instant::now() + Duration::from_secs(10);
            while dev.handled.load(Ordering::SeqCst) < round {
                assert!(
                    Instant::now() < deadline,
                    "seed {seed:#x}: interrupt not serviced"
                );
                std::thread::yield_now();
            }
        }
        // Let the last DPC finish, with work on every processor meanwhile.
        machine.run_all(|_| {
            // SAFETY: plain IRQL query.
            unsafe { KeGetCurrentIrql() }
        });
        deregister(&machine, &dev);
        let report = machine.report();
        assert!(report.violations.is_empty(), "seed {seed:#x}: {report}");
        assert_eq!(
            dev.isr_calls.load(Ordering::SeqCst),
            ROUNDS,
            "seed {seed:#x}"
        );
        assert_eq!(dev.handled.load(Ordering::SeqCst), ROUNDS, "seed {seed:#x}");
        // SAFETY: no processor touches it any more.
        assert_eq!(unsafe { *dev.counter.get() }, ROUNDS);
        assert_eq!(report.counters.isr_calls, ROUNDS);
    }
}

static TOGGLES: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" fn toggle(_ctx: NDIS_HANDLE) {
    assert!(irql() > DISPATCH, "called at DIRQL");
    TOGGLES.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn ndis_calls_disable_and_enable_at_dirql_under_the_interrupt_lock() {
    let machine = Machine::builder()
        .processors(2)
        .mode(VerifierMode::Collect)
        .build();
    let dev = Device::new(machine.interrupt_line(2));
    let adapter = machine.adapter_handle(2) as usize;
    let ctx = std::ptr::from_ref(&dev) as usize;
    assert!(!machine.disable_interrupt(0, 2), "nothing registered yet");
    let handle = common::register_interrupt(&machine, 1, adapter, ctx, || {
        let mut chars = common::characteristics();
        chars.DisableInterruptHandler = Some(toggle);
        chars.EnableInterruptHandler = Some(toggle);
        chars
    });
    assert!(machine.disable_interrupt(0, 2));
    assert!(machine.enable_interrupt(1, 2));
    assert_eq!(TOGGLES.load(Ordering::SeqCst), 2);
    machine.run_on(0, move || {
        // SAFETY: registered handle.
        unsafe { NdisMDeregisterInterruptEx(handle as NDIS_HANDLE) };
    });
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
    let stats = report
        .lock("interrupt line 2")
        .expect("interrupt lock stats");
    assert_eq!(stats.acquisitions, 2);
}

static STORM: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" fn never_clears(_ctx: NDIS_HANDLE, _q: PBOOLEAN, _t: PULONG) -> BOOLEAN {
    STORM.fetch_add(1, Ordering::SeqCst);
    0
}

#[test]
fn an_interrupt_storm_does_not_keep_a_dropped_machine_alive() {
    let machine = Machine::builder()
        .processors(2)
        .mode(VerifierMode::Collect)
        .build();
    let adapter = machine.adapter_handle(6) as usize;
    // No context: the ISR ignores it, and the line is dropped with the machine.
    let _ = common::register_interrupt(&machine, 0, adapter, 0, || {
        common::characteristics_with(Some(never_clears), Some(common::dpc))
    });
    machine.interrupt_line(6).assert();
    let deadline = Instant::now() + Duration::from_secs(10);
    while STORM.load(Ordering::SeqCst) < 100 {
        assert!(
            Instant::now() < deadline,
            "the level-triggered line is redelivered"
        );
        std::thread::yield_now();
    }
    drop(machine);
}
