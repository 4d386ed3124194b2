//! The runner end to end: a clean run of the driver job (traffic through the miniport) and of
//! the lock workload ends `verifier: 0 violations` and exits 0; each injected hazard is reported
//! with its documented rule and code and makes the run exit non-zero.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rse1k-run"))
        .args(["--quiet", "--iterations", "300", "--frames", "600"])
        .args(args)
        .output()
        .expect("the runner starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.success(), stdout)
}

#[test]
fn driver_job_moves_every_frame_both_ways_with_zero_violations() {
    for processors in ["1", "2", "4"] {
        let (ok, out) = run(&["--processors", processors]);
        assert!(ok, "driver job failed on {processors} processors:\n{out}");
        assert!(out.contains("transmit: 600 frames"), "{out}");
        assert!(out.contains("receive:  600 frames"), "{out}");
        assert!(out.contains("frames changed or out of order: 0"), "{out}");
        assert_eq!(out.lines().last(), Some("verifier: 0 violations"), "{out}");
        for lock in ["rse1k.state", "rse1k.send", "rse1k.recv"] {
            assert!(
                out.lines().any(|l| l.starts_with(lock)),
                "no statistics for lock {lock}:\n{out}"
            );
        }
    }
}

#[test]
fn clean_run_reports_zero_violations_and_exact_accounting() {
    for processors in ["1", "2", "4"] {
        let (ok, out) = run(&["--workload", "locks", "--processors", processors]);
        assert!(ok, "clean run failed on {processors} processors:\n{out}");
        assert!(out.contains("accounting: exact"), "{out}");
        assert_eq!(out.lines().last(), Some("verifier: 0 violations"), "{out}");
        for lock in ["state", "send", "recv"] {
            assert!(
                out.lines().any(|l| l.starts_with(lock)),
                "no statistics for lock {lock}:\n{out}"
            );
        }
    }
}

#[test]
fn every_injected_hazard_is_reported_with_its_rule() {
    let cases = [
        ("ab-release-order", "P1 0x1003"),
        ("dpr-at-passive", "Irql_Synch_Function"),
        ("dpr-mismatch", "P1 0x1009"),
        ("recursive", "bug check 0xf"),
        ("release-unowned", "SpinLockDprRelease"),
        ("not-released-at-exit", "SpinLock (ndis)"),
        ("lock-order-inversion", "P1 0x1001"),
        (
            "ndis-call-under-lock",
            "NdisStallExecution called while NDIS spin lock",
        ),
        ("ke-release-wrong-irql", "P1 0x32"),
        ("spin-lock-at-dirql", "at IRQL 5"),
    ];
    for (hazard, expected) in cases {
        let (ok, out) = run(&["--inject", hazard]);
        assert!(!ok, "{hazard}: the run should fail:\n{out}");
        let violations: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("violation:"))
            .collect();
        assert!(
            violations
                .iter()
                .any(|v| v.contains(expected) && v.contains("hazards.rs")),
            "{hazard}: no violation naming {expected:?} at the hazard's call site:\n{out}"
        );
        assert!(
            !out.lines().last().unwrap_or("").ends_with(" 0 violations"),
            "{hazard}: {out}"
        );
    }
}

/// The main job's last-but-one line is its trace hash, the same on every rerun of a seed
/// (serial schedule), for every strategy and processor count; another seed gives another run.
#[test]
fn the_main_job_replays_its_trace_hash() {
    let trace = |out: &str| {
        let lines: Vec<&str> = out.lines().collect();
        let line = lines[lines.len() - 2];
        assert!(line.starts_with("trace: "), "{out}");
        line.to_owned()
    };
    for strategy in ["sticky", "random", "pct"] {
        for processors in ["1", "2", "4"] {
            let args = [
                "--processors",
                processors,
                "--strategy",
                strategy,
                "--seed",
                "7",
            ];
            let (ok_a, a) = run(&args);
            let (ok_b, b) = run(&args);
            assert!(ok_a && ok_b, "{a}\n{b}");
            assert_eq!(
                trace(&a),
                trace(&b),
                "{strategy} on {processors} processors"
            );
        }
    }
    let (_, other) = run(&["--seed", "8"]);
    let (_, seven) = run(&["--seed", "7"]);
    assert_ne!(
        trace(&other),
        trace(&seven),
        "the seed decides the schedule"
    );
}
