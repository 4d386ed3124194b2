//! The trace macros reach `DbgPrintEx` (here: the simulator's trace log) with the IHV network
//! component id and the documented levels; long messages are cut on a character boundary and
//! marked; printing is allowed under a spin lock (it is not an NDIS call).

use ndis_sim::{Machine, VerifierMode};
use rse1k::sync::{Locked, NdisSpinLockBackend, SpinLock, Unlocked};
use rse1k::trace::{self, MAX_MESSAGE};
use rse1k::{impl_lock_after, sys, trace_error, trace_info, trace_warn};

enum TraceTestLevel {}
impl_lock_after!(Unlocked => TraceTestLevel);

#[test]
fn levels_component_and_arguments() {
    let machine = Machine::builder()
        .processors(1)
        .mode(VerifierMode::Collect)
        .build();
    machine.run_on(0, || {
        trace_error!("initialize failed: {:#x}", 0xC000_009A_u32);
        trace_warn!("dropped {} receive descriptors", 3);
        trace_info!("restart");
    });
    let (lines, _) = machine.trace_log();
    let got: Vec<(u32, u32, &str)> = lines
        .iter()
        .map(|l| (l.component, l.level, l.message.as_str()))
        .collect();
    let info = if cfg!(debug_assertions) {
        vec![(trace::COMPONENT, sys::DPFLTR_INFO_LEVEL, "restart")]
    } else {
        vec![]
    };
    let mut expected = vec![
        (
            sys::DPFLTR_IHVNETWORK_ID,
            sys::DPFLTR_ERROR_LEVEL,
            "initialize failed: 0xc000009a",
        ),
        (
            sys::DPFLTR_IHVNETWORK_ID,
            sys::DPFLTR_WARNING_LEVEL,
            "dropped 3 receive descriptors",
        ),
    ];
    expected.extend(info);
    assert_eq!(got, expected);
}

#[test]
fn long_messages_are_cut_and_marked() {
    let machine = Machine::builder().processors(1).build();
    machine.run_on(0, || {
        // 'é' is two bytes: the cut must not split it.
        trace_error!("{}", "é".repeat(MAX_MESSAGE));
        trace_error!("{}", "x".repeat(MAX_MESSAGE));
        trace_error!("{}", "y".repeat(MAX_MESSAGE + 1));
    });
    let (lines, _) = machine.trace_log();
    assert_eq!(lines.len(), 3);
    let cut = &lines[0].message;
    assert!(cut.ends_with("..."), "{cut}");
    assert!(cut.len() <= MAX_MESSAGE);
    assert!(cut.trim_end_matches("...").chars().all(|c| c == 'é'));
    assert_eq!(
        lines[1].message,
        "x".repeat(MAX_MESSAGE),
        "an exact fit is not cut"
    );
    assert_eq!(lines[2].message.len(), MAX_MESSAGE);
    assert!(lines[2].message.ends_with("y..."));
}

#[test]
fn printing_under_a_spin_lock_is_not_an_ndis_call() {
    let machine = Machine::builder()
        .processors(1)
        .mode(VerifierMode::Collect)
        .build();
    machine.run_on(0, || {
        // SAFETY: the start of a PASSIVE_LEVEL routine holding no spin lock.
        let mut cx: Locked<'_, Unlocked> = unsafe { Locked::new() };
        let lock = SpinLock::<u32, NdisSpinLockBackend, TraceTestLevel>::try_new(&cx, "trace", 0)
            .expect("allocation");
        let mut guard = lock.lock(&mut cx);
        *guard += 1;
        trace_warn!("under the lock: {}", *guard);
        drop(guard);
    });
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
    assert_eq!(machine.trace_log().0.len(), 1);
}
