//! `--speed`: the simulator's own speed, measured in one run so the configurations compare on
//! the same (shared, noisy) machine: the main job's frames per second on one and two simulated
//! processors with the serial scheduler and with free-running host threads, and the
//! explorer's lifecycle schedules per second. Reported, not asserted.

use std::time::Instant;

use indicatif::ProgressBar;
use ndis_sim::{Machine, Schedule, Strategy, VerifierMode};

use crate::driver_job::{self, DeviceKind};
use crate::explore;

/// One measured configuration of the main job.
struct Traffic {
    label: &'static str,
    processors: usize,
    frames_per_sec: f64,
    switch_points: u64,
    violations: usize,
}

fn traffic(
    label: &'static str,
    schedule: Schedule,
    processors: usize,
    frames: u32,
    seed: u64,
) -> Result<Traffic, String> {
    let machine = Machine::builder()
        .processors(processors)
        .seed(seed)
        .mode(VerifierMode::BugCheck)
        .schedule(schedule)
        .build();
    let hidden = ProgressBar::hidden();
    let s = driver_job::run(&machine, DeviceKind::Model, None, frames, &hidden)?;
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    #[allow(clippy::cast_precision_loss, reason = "a rate for display")]
    let frames_per_sec = (s.tx_frames + s.rx_frames) as f64 / secs;
    Ok(Traffic {
        label,
        processors,
        frames_per_sec,
        switch_points: machine.schedule_steps(),
        violations: machine.report().violations.len(),
    })
}

/// Runs every configuration and prints one table; `Err` when a run failed.
pub fn run(frames: u32, schedules: u64, seed: u64) -> Result<(), String> {
    println!(
        "rse1k-run --speed: the main job ({frames} frames each way) serial vs free, 1 and 2 \
         processors; then {schedules} explored lifecycle schedules per processor count"
    );
    println!();
    println!(
        "{:<28} {:>10} {:>14} {:>16} {:>10}",
        "main job", "processors", "frames/s", "switch points", "violations"
    );
    for processors in [1usize, 2] {
        for (label, schedule) in [
            (
                "serial (sticky)",
                Schedule::Serial(Strategy::Sticky { n: 16 }),
            ),
            ("serial (random)", Schedule::Serial(Strategy::Random)),
            ("free host threads", Schedule::Free),
        ] {
            let t = traffic(label, schedule, processors, frames, seed)?;
            println!(
                "{:<28} {:>10} {:>14.0} {:>16} {:>10}",
                t.label, t.processors, t.frames_per_sec, t.switch_points, t.violations
            );
        }
    }
    println!();
    println!(
        "{:<28} {:>10} {:>14} {:>16}",
        "explorer (random)", "processors", "schedules/s", "switch points/s"
    );
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for processors in [1usize, 2] {
        let start = Instant::now();
        let mut steps = 0u64;
        for i in 0..schedules {
            let scenario = explore::Scenario::ALL
                [usize::try_from(i).unwrap_or(0) % explore::Scenario::ALL.len()];
            let outcome = explore::run(
                explore::Run {
                    scenario,
                    seed: explore::seed_of(seed, i),
                    processors,
                    strategy: Strategy::Random,
                },
                false,
            );
            steps += outcome.steps;
        }
        let secs = start.elapsed().as_secs_f64().max(1e-9);
        #[allow(clippy::cast_precision_loss, reason = "rates for display")]
        let (per_sec, steps_per_sec) = (schedules as f64 / secs, steps as f64 / secs);
        println!(
            "{:<28} {:>10} {:>14.1} {:>16.0}",
            "every lifecycle scenario", processors, per_sec, steps_per_sec
        );
    }
    std::panic::set_hook(hook);
    Ok(())
}
