//! `BugCheck` mode (the default): the first violation stops the run like a bug check, with the
//! report and the seed, and nothing hangs.

// bindgen emits #defines as u32; drivers narrow them to KIRQL like this.
#![allow(clippy::cast_possible_truncation)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ndis_sim::Machine;
use ndis_sim::sys::*;

fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[test]
fn bug_check_stops_the_run_with_the_report_and_seed() {
    let m = Machine::builder().processors(2).seed(0x5EED).build();
    let err = catch_unwind(AssertUnwindSafe(|| {
        m.run_on(1, || {
            let mut old = 0;
            // SAFETY: valid out parameter.
            unsafe { KeRaiseIrql(DISPATCH_LEVEL as KIRQL, &raw mut old) };
            // SAFETY: valid out parameter; raising to a lower IRQL is the bug.
            unsafe { KeRaiseIrql(PASSIVE_LEVEL as KIRQL, &raw mut old) };
            unreachable!("a bug check does not return");
        });
    }))
    .expect_err("the run must stop");
    let text = message(&*err);
    assert!(text.contains("BUG CHECK"), "{text}");
    assert!(text.contains("NDIS_SIM_SEED=0x5eed"), "{text}");
    assert!(text.contains("P1 0x30"), "{text}");
    assert!(text.contains("bugcheck.rs"), "names the call site: {text}");
    assert!(m.halted());
    let report = m.report();
    assert_eq!(report.violations.len(), 1);
    assert_eq!(report.violations[0].processor, 1);
    assert_eq!(report.violations[0].irql, DISPATCH_LEVEL as u8);
    // The machine stays stopped.
    assert!(catch_unwind(AssertUnwindSafe(|| m.run_on(0, || ()))).is_err());
}

#[test]
fn processors_spinning_on_a_held_lock_do_not_hang() {
    let m = Machine::builder().processors(3).seed(9).build();
    let lock = Box::new(0 as KSPIN_LOCK);
    let a = std::ptr::from_ref(&*lock) as usize;
    m.run_on(0, move || {
        // SAFETY: the lock outlives the machine's use of it.
        unsafe { KeInitializeSpinLock(a as PKSPIN_LOCK) };
    });
    let held = AtomicBool::new(false);
    let spinning = AtomicBool::new(false);
    let err = catch_unwind(AssertUnwindSafe(|| {
        m.run_all(|cpu| {
            if cpu == 0 {
                // SAFETY: initialised lock.
                let _old = unsafe { KeAcquireSpinLockRaiseToDpc(a as PKSPIN_LOCK) };
                held.store(true, Ordering::SeqCst);
                while !spinning.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
                std::thread::sleep(Duration::from_millis(20));
                // SAFETY: lowering to a higher IRQL is the bug.
                unsafe { KeLowerIrql(5) };
            } else {
                while !held.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
                spinning.store(true, Ordering::SeqCst);
                // SAFETY: initialised lock; it is held by processor 0 for ever.
                let _old = unsafe { KeAcquireSpinLockRaiseToDpc(a as PKSPIN_LOCK) };
            }
        });
    }))
    .expect_err("the run must stop");
    assert!(message(&*err).contains("0x31"), "{}", message(&*err));
}

#[test]
fn a_panicking_work_item_propagates_its_panic_and_halts() {
    let m = Machine::builder().processors(1).seed(3).build();
    let err = catch_unwind(AssertUnwindSafe(|| {
        m.run_on(0, || panic!("driver assertion"))
    }))
    .expect_err("propagates");
    assert_eq!(message(&*err), "driver assertion");
    assert!(m.halted());
}

#[test]
fn sys_call_outside_a_processor_panics_clearly() {
    let err = catch_unwind(|| {
        // SAFETY: deliberately called on a host thread.
        unsafe { KeGetCurrentIrql() }
    })
    .expect_err("not a processor");
    assert!(
        message(&*err).contains("not a virtual processor"),
        "{}",
        message(&*err)
    );
}
