//! The trace macros reach `DbgPrintEx` (here: the simulator's trace log) with the IHV network
//! component id and the documented levels; long messages are cut on a character boundary and
//! marked; every line starts with `rse1k: ` and ends with a newline (the IHV network component is
//! shared by every NIC driver, and `DbgPrintEx` adds no line break); printing is allowed under a
//! spin lock (it is not an NDIS call).

use ndis_sim::{Machine, VerifierMode};
use rse1k::sync::{Locked, NdisSpinLockBackend, SpinLock, Unlocked};
use rse1k::trace::{self, LineBuffer, MAX_LINE, MAX_MESSAGE, PREFIX};
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
        vec![(trace::COMPONENT, sys::DPFLTR_INFO_LEVEL, "rse1k: restart\n")]
    } else {
        vec![]
    };
    let mut expected = vec![
        (
            sys::DPFLTR_IHVNETWORK_ID,
            sys::DPFLTR_ERROR_LEVEL,
            "rse1k: initialize failed: 0xc000009a\n",
        ),
        (
            sys::DPFLTR_IHVNETWORK_ID,
            sys::DPFLTR_WARNING_LEVEL,
            "rse1k: dropped 3 receive descriptors\n",
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
    let bodies: Vec<&str> = lines
        .iter()
        .map(|l| {
            l.message
                .strip_prefix(PREFIX)
                .and_then(|m| m.strip_suffix('\n'))
                .unwrap_or_else(|| panic!("not a whole rse1k line: {:?}", l.message))
        })
        .collect();
    let cut = bodies[0];
    assert!(cut.ends_with("..."), "{cut}");
    assert!(cut.len() <= MAX_MESSAGE);
    assert!(cut.trim_end_matches("...").chars().all(|c| c == 'é'));
    assert_eq!(
        bodies[1],
        "x".repeat(MAX_MESSAGE),
        "an exact fit is not cut"
    );
    assert_eq!(bodies[2].len(), MAX_MESSAGE);
    assert!(bodies[2].ends_with("y..."));
    assert!(lines.iter().all(|l| l.message.len() <= MAX_LINE));
}

#[test]
fn consecutive_lines_do_not_run_together() {
    // What a debugger shows is the concatenation of everything DbgPrintEx printed: each message
    // must end its own line and name the driver, or two drivers' messages interleave unreadably.
    let mut buffer = LineBuffer::new();
    let first = buffer.format(format_args!("pause {}", 1)).to_owned();
    let second = buffer.format(format_args!("restart")).to_owned();
    let screen = format!("{first}{second}");
    assert_eq!(screen, "rse1k: pause 1\nrse1k: restart\n");
    assert_eq!(screen.lines().count(), 2);
    assert_eq!(LineBuffer::new().format(format_args!("")), "rse1k: \n");
}

#[test]
fn printing_under_a_spin_lock_is_not_an_ndis_call() {
    let machine = Machine::builder()
        .processors(1)
        .mode(VerifierMode::Collect)
        .build();
    machine.run_on(0, || {
        let lock = SpinLock::<u32, NdisSpinLockBackend, TraceTestLevel>::try_new("trace", 0)
            .expect("allocation");
        // SAFETY: the start of a PASSIVE_LEVEL routine holding no spin lock.
        let mut cx: Locked<'_, Unlocked> = unsafe { Locked::new() };
        let mut guard = lock.lock(&mut cx);
        *guard += 1;
        trace_warn!("under the lock: {}", *guard);
        drop(guard);
    });
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
    assert_eq!(machine.trace_log().0.len(), 1);
}
