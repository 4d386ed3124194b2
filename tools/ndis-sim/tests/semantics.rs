//! The timing rules of the simulated processor, checked exactly on one processor: DPCs wait
//! for the IRQL to drop below `DISPATCH_LEVEL`, interrupts for it to drop below DIRQL, and both
//! are delivered inside the lowering call itself.
// bindgen emits #defines as u32; drivers narrow them to KIRQL like this.
#![allow(clippy::cast_possible_truncation)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::{DISPATCH, Device, PASSIVE, collect, irql, lower, raise, register};
use ndis_sim::sys::*;

#[test]
fn an_interrupt_waits_for_the_irql_to_drop_below_its_dirql() {
    let m = collect(1);
    let dev = Device::new(m.interrupt_line(0));
    register(&m, &dev, 0);
    let (line, isr_calls, dpc_calls) = (&dev.line, &dev.isr_calls, &dev.dpc_calls);
    m.run_on(0, || {
        raise(HIGH_LEVEL as KIRQL);
        line.assert();
        for _ in 0..100 {
            irql(); // windows, all masked
        }
        assert_eq!(isr_calls.load(Ordering::SeqCst), 0, "masked at HIGH_LEVEL");
        lower(DISPATCH);
        // Delivered within KeLowerIrql's window or the next few (the seed draws 0–3).
        for _ in 0..4 {
            irql();
        }
        assert_eq!(isr_calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            dpc_calls.load(Ordering::SeqCst),
            0,
            "the DPC waits below DISPATCH"
        );
        lower(PASSIVE);
        assert_eq!(
            dpc_calls.load(Ordering::SeqCst),
            1,
            "the DPC ran inside KeLowerIrql"
        );
    });
    let report = m.report();
    assert!(report.violations.is_empty(), "{report}");
}

static RUNS: AtomicU64 = AtomicU64::new(0);
static CONTEXT_SEEN: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" fn counting_dpc(_ctx: NDIS_HANDLE, dpc_context: PVOID, _t: PVOID, _r: PVOID) {
    assert_eq!(irql(), DISPATCH);
    RUNS.fetch_add(1, Ordering::SeqCst);
    CONTEXT_SEEN.store(dpc_context as u64, Ordering::SeqCst);
}

#[test]
fn ndis_m_queue_dpc_ex_targets_processors_and_is_deferred_at_dispatch() {
    let m = collect(2);
    let adapter = m.adapter_handle(1) as usize;
    // No context: the line is never asserted, so no ISR runs, and the DPC ignores it.
    let handle = common::register_interrupt(&m, 0, adapter, 0, || {
        common::characteristics_with(Some(common::isr), Some(counting_dpc))
    });
    m.run_on(0, move || {
        raise(DISPATCH);
        let mut target = GROUP_AFFINITY {
            Mask: 0b01,
            ..GROUP_AFFINITY::default()
        };
        // SAFETY: registered handle, valid affinity.
        let queued =
            unsafe { NdisMQueueDpcEx(handle as NDIS_HANDLE, 0, &raw mut target, 0x55 as PVOID) };
        assert_eq!(queued, 0b01);
        // SAFETY: the same registered DPC handle and the live local `target`; the DPC is
        // already queued on processor 0, so it is not queued again.
        let again =
            unsafe { NdisMQueueDpcEx(handle as NDIS_HANDLE, 0, &raw mut target, 0x55 as PVOID) };
        assert_eq!(again, 0);
        for _ in 0..100 {
            irql();
        }
        assert_eq!(RUNS.load(Ordering::SeqCst), 0, "deferred at DISPATCH_LEVEL");
        lower(PASSIVE);
        assert_eq!(RUNS.load(Ordering::SeqCst), 1, "ran inside KeLowerIrql");
        assert_eq!(CONTEXT_SEEN.load(Ordering::SeqCst), 0x55);
    });
    // A DPC queued on another processor runs there (an idle processor polls).
    m.run_on(0, move || {
        let mut target = GROUP_AFFINITY {
            Mask: 0b10,
            ..GROUP_AFFINITY::default()
        };
        // SAFETY: registered handle, valid affinity.
        let queued =
            unsafe { NdisMQueueDpcEx(handle as NDIS_HANDLE, 0, &raw mut target, 0x66 as PVOID) };
        assert_eq!(queued, 0b10);
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while RUNS.load(Ordering::SeqCst) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the idle processor ran the DPC"
        );
        std::thread::yield_now();
    }
    m.run_on(1, move || {
        // SAFETY: registered handle.
        unsafe { NdisMDeregisterInterruptEx(handle as NDIS_HANDLE) };
    });
    let report = m.report();
    assert!(report.violations.is_empty(), "{report}");
    assert_eq!(report.counters.dpcs_run, 2);
}
