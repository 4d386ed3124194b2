//! `dbg_print` (the driver's `DbgPrintEx` accessor) records messages with processor, IRQL,
//! component and level, keeps the newest lines, and is allowed under an NDIS spin lock.

use ndis_sim::sys;
use ndis_sim::{Machine, TRACE_LOG_LINES, VerifierMode};

#[test]
fn messages_are_logged_with_their_context() {
    let machine = Machine::builder()
        .processors(2)
        .mode(VerifierMode::Collect)
        .build();
    machine.run_on(1, || {
        let mut lock = Box::new(sys::NDIS_SPIN_LOCK {
            SpinLock: 0,
            OldIrql: 0,
        });
        // SAFETY: on a virtual processor; the boxed lock is resident for the whole routine.
        unsafe { sys::NdisAllocateSpinLock(&raw mut *lock) };
        // SAFETY: on a virtual processor.
        unsafe {
            sys::dbg_print(
                sys::DPFLTR_IHVNETWORK_ID,
                sys::DPFLTR_ERROR_LEVEL,
                "at passive",
            );
        };
        // SAFETY: allocated above; PASSIVE_LEVEL.
        unsafe { sys::NdisAcquireSpinLock(&raw mut *lock) };
        // SAFETY: on a virtual processor; DbgPrintEx is not an NDIS call.
        unsafe {
            sys::dbg_print(
                sys::DPFLTR_IHVNETWORK_ID,
                sys::DPFLTR_INFO_LEVEL,
                "under lock",
            );
        };
        // SAFETY: acquired above on this processor.
        unsafe { sys::NdisReleaseSpinLock(&raw mut *lock) };
        // SAFETY: released, never used again.
        unsafe { sys::NdisFreeSpinLock(&raw mut *lock) };
    });
    let (lines, dropped) = machine.trace_log();
    assert_eq!(dropped, 0);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].message, "at passive");
    assert_eq!(
        (lines[0].processor, lines[0].irql, lines[0].level),
        (1, 0, 0)
    );
    assert_eq!(lines[1].message, "under lock");
    assert_eq!((lines[1].irql, lines[1].level), (2, sys::DPFLTR_INFO_LEVEL));
    assert_eq!(lines[1].component, sys::DPFLTR_IHVNETWORK_ID);
    assert!(
        machine.report().violations.is_empty(),
        "{}",
        machine.report()
    );
}

#[test]
fn the_log_keeps_the_newest_lines() {
    let machine = Machine::builder().processors(1).build();
    machine.run_on(0, || {
        for i in 0..TRACE_LOG_LINES + 5 {
            // SAFETY: on a virtual processor.
            unsafe { sys::dbg_print(0, 0, &format!("line {i}")) };
        }
    });
    let (lines, dropped) = machine.trace_log();
    assert_eq!(dropped, 5);
    assert_eq!(lines.len(), TRACE_LOG_LINES);
    assert_eq!(lines[0].message, "line 5");
}
