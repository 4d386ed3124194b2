//! `rse1k-run`: the main job. Boots a simulated multiprocessor with an emulated e1000, loads
//! rse1k's miniport through the simulated NDIS, runs traffic both ways with a pause/restart and
//! a link flap, and prints frames and bytes each way, drops and why, interrupts and DPCs, lock
//! statistics and the verifier's report, ending with `verifier: N violations`. Exits non-zero
//! on any violation, lost or changed frame, or leak.
//!
//! `--workload locks` runs the lock layer's own pattern instead (no NIC), which is where
//! `--inject` commits a documented hazard to show the verifier catching it.

mod driver_job;
mod events;
mod explore;
mod hazards;
mod linux_only;
#[cfg(target_os = "linux")]
mod ndis_phy;
#[cfg(target_os = "linux")]
mod netns;
mod pcap;
mod speed;
#[cfg(target_os = "linux")]
mod tap_job;
mod workload;

use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ndis_sim::{Machine, Report, Schedule, Strategy, VerifierMode};
use rse1k::sync::{Locked, PassiveLevel, Unlocked};

use driver_job::DeviceKind;
use hazards::Hazard;
use workload::{Adapter, Totals};

/// rse1k's lock layer on the simulated machine, checked by the simulator's verifier.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// What to run: the driver with traffic, or the lock layer's own pattern.
    #[arg(long, value_enum, default_value_t = Job::Driver)]
    workload: Job,
    /// The e1000 the driver runs on (driver workload).
    #[arg(long, value_enum, default_value_t = DeviceKind::Model)]
    device: DeviceKind,
    /// Real traffic instead of the in-process peer: the wire goes to a TAP in a network
    /// namespace the run creates, smoltcp is the protocol above the miniport, and Linux's
    /// `ping` and a TCP socket are the peers (needs root, iproute2, /dev/net/tun).
    #[arg(long)]
    tap: bool,
    /// Write the frames crossing the wire (both ways) to this pcap file (driver workload).
    #[arg(long)]
    pcap: Option<std::path::PathBuf>,
    /// Write the driver's ETW events (decoded TraceLogging) to this file as JSON lines, the
    /// shape tools/windows/Trace-Rse1k.ps1 decodes a Windows trace to (driver workload).
    #[arg(long, value_name = "FILE")]
    events: Option<std::path::PathBuf>,
    /// Frames each way (driver workload).
    #[arg(long, default_value_t = 20_000)]
    frames: u32,
    /// Simulated processors (default 2; the explorer cycles 1 to 4 unless given).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=8))]
    processors: Option<u64>,
    /// Send-path iterations per processor (locks workload).
    #[arg(long, default_value_t = 20_000)]
    iterations: u64,
    /// Seed for the interrupt delivery choices (default: `NDIS_SIM_SEED`, else a fixed seed).
    #[arg(long)]
    seed: Option<u64>,
    /// After the workload, commit one documented hazard through the raw calls, to see the
    /// verifier report it (the run then collects violations instead of stopping at the first).
    #[arg(long, value_enum)]
    inject: Option<Hazard>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// How the simulated processors and host actors are scheduled: one at a time, switched
    /// by the seed (every seed replays), or host threads running freely (as before).
    #[arg(long, value_enum, default_value_t = Sched::Serial)]
    schedule: Sched,
    /// How a serial schedule picks the next actor (main job default: sticky; explorer default:
    /// random).
    #[arg(long, value_enum)]
    strategy: Option<StrategyArg>,
    /// The bug depth PCT targets (`--strategy pct`).
    #[arg(long, default_value_t = 3)]
    depth: u32,
    /// The run length in switch points over which PCT draws its priority change points
    /// (`--strategy pct`). Default: measured for each scenario and processor count by a first
    /// run without change points (exploration), as the printed replay command records.
    #[arg(long, value_name = "K")]
    pct_steps: Option<u64>,
    /// Writes every switch point of the serial run to FILE, one line each (step, actor, IRQL,
    /// routine, entry point, call site).
    #[arg(long, value_name = "FILE")]
    trace: Option<std::path::PathBuf>,
    /// Explores N schedules of the lifecycle scenarios (all of them in turn, or `--scenario`),
    /// stopping at the first violation, lost or duplicated NBL, hang or deadlock, and prints
    /// the command that replays it.
    #[arg(long, value_name = "N")]
    explore: Option<u64>,
    /// The lifecycle scenario to explore or replay.
    #[arg(long, value_enum)]
    scenario: Option<explore::Scenario>,
    /// Measures the simulator's speed in one run: the main job's frames/s serial vs free on 1
    /// and 2 processors (`--frames` each way), and explored schedules/s (`--explore` N per
    /// processor count, default 200).
    #[arg(long)]
    speed: bool,
    /// Replays one schedule of `--scenario` with this seed (with `--trace FILE` to log it).
    #[arg(long, value_name = "SEED", value_parser = parse_seed)]
    replay: Option<u64>,
}

fn parse_seed(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|e| format!("{s:?} is not a seed: {e}"))
}

/// How actors are scheduled.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Sched {
    /// One actor at a time, switched by the seed.
    Serial,
    /// Host threads run freely (not replayable).
    Free,
}

/// The serial schedule's strategy.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StrategyArg {
    /// Uniformly random among the runnable actors at every switch point.
    Random,
    /// PCT: random priorities with `--depth - 1` priority change points.
    Pct,
    /// Random, switching at one switch point in 16 on average (fast, for long jobs).
    Sticky,
}

impl StrategyArg {
    /// The simulator's strategy; `steps` is the expected run length for PCT's change points.
    pub(crate) fn strategy(self, depth: u32, steps: u64) -> Strategy {
        match self {
            StrategyArg::Random => Strategy::Random,
            StrategyArg::Pct => Strategy::Pct { depth, steps },
            StrategyArg::Sticky => Strategy::Sticky { n: 16 },
        }
    }
}

/// The two workloads.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Job {
    /// The miniport on an emulated e1000, with traffic.
    Driver,
    /// The lock layer's pattern on every processor (with `--inject`).
    Locks,
}

/// The seed used when neither `--seed` nor `NDIS_SIM_SEED` is given: runs are repeatable.
const DEFAULT_SEED: u64 = 0x5EED_E100_0000_0001;

fn main() -> ExitCode {
    let args = Args::parse();
    if !cfg!(target_os = "linux")
        && let Some(why) = linux_only::requirement(args.device, args.tap)
    {
        eprintln!("rse1k-run: {why}");
        return ExitCode::FAILURE;
    }
    let seed = args
        .seed
        .or_else(ndis_sim::env_seed)
        .unwrap_or(DEFAULT_SEED);
    if let Some(code) = run_other_mode(&args, seed) {
        return code;
    }
    let processors = usize::try_from(args.processors.unwrap_or(2)).unwrap_or(1);
    // With a hazard injected, collect so the report lists it; otherwise stop like a bug check.
    let mode = if args.inject.is_some() {
        VerifierMode::Collect
    } else {
        VerifierMode::BugCheck
    };
    let schedule = match args.schedule {
        Sched::Free => Schedule::Free,
        Sched::Serial => Schedule::Serial(
            args.strategy
                .unwrap_or(StrategyArg::Sticky)
                .strategy(args.depth, 2_000_000),
        ),
    };
    let machine = Machine::builder()
        .processors(processors)
        .seed(seed)
        .mode(mode)
        .schedule(schedule)
        .trace_events(args.trace.is_some())
        .build();
    if args.workload == Job::Driver && args.inject.is_none() && args.tap {
        return run_tap(&machine, &args, processors);
    }
    if args.workload == Job::Driver && args.inject.is_none() {
        return run_driver(&machine, &args, processors, seed);
    }

    println!(
        "rse1k-run: {processors} simulated processors, {} iterations each, seed {seed:#x}",
        args.iterations
    );
    let progress = progress_bar(args.quiet, args.iterations * processors as u64);

    // The lock layer calls NdisAllocateSpinLock / NdisFreeSpinLock: create and drop the adapter
    // on a simulated processor, as the driver does in MiniportInitializeEx / MiniportHaltEx.
    let adapter = match machine.run_on(0, || {
        // SAFETY: the start of a routine on a simulated processor: no lock held, the only root
        // context.
        let root = unsafe { Locked::<Unlocked>::new() };
        Adapter::new(&root, &machine)
    }) {
        Ok(adapter) => adapter,
        Err(error) => {
            eprintln!("rse1k-run: {error}");
            return ExitCode::FAILURE;
        }
    };
    let registered = machine.run_on(0, || {
        // SAFETY: the start of a PASSIVE_LEVEL routine holding no spin lock.
        let mut cx = unsafe { Locked::new() };
        // SAFETY: a run_on routine starts at PASSIVE_LEVEL and takes no lock before registering.
        let passive = unsafe { PassiveLevel::assume() };
        adapter.register_interrupt(&mut cx, &passive, &machine)
    });
    if let Err(status) = registered {
        eprintln!("rse1k-run: NdisMRegisterInterruptEx failed: {status:#x}");
        return ExitCode::FAILURE;
    }

    machine.run_all(|cpu| adapter.work(cpu, args.iterations, &|| progress.inc(16)));
    progress.finish_and_clear();

    let totals = machine.run_on(0, || {
        // SAFETY: the start of a PASSIVE_LEVEL routine holding no spin lock.
        let mut cx = unsafe { Locked::new() };
        let totals = adapter.totals(&mut cx);
        // SAFETY: back at PASSIVE_LEVEL: every guard `totals` took is released.
        let passive = unsafe { PassiveLevel::assume() };
        adapter.deregister_interrupt(&mut cx, &passive);
        totals
    });

    machine.run_on(0, move || drop(adapter));

    if let Some(hazard) = args.inject {
        println!("injecting hazard: {hazard:?}");
        hazards::inject(&machine, hazard);
    }

    let report = machine.report();
    print_report(&report, &totals, args.iterations * processors as u64);
    let accounting = totals.check(args.iterations * processors as u64);
    if let Err(error) = &accounting {
        println!("accounting: FAILED: {error}");
    } else {
        println!("accounting: exact");
    }
    print_trace_hash(&machine, args.trace.as_deref());
    println!("verifier: {} violations", report.violations.len());
    if report.violations.is_empty() && accounting.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `--speed`, `--explore` and `--replay`, which replace the main job; `None` for the main job.
fn run_other_mode(args: &Args, seed: u64) -> Option<ExitCode> {
    if args.speed {
        return Some(
            match speed::run(args.frames, args.explore.unwrap_or(200), seed) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("rse1k-run --speed: {e}");
                    ExitCode::FAILURE
                }
            },
        );
    }
    if let Some(n) = args.explore {
        return Some(run_explore(args, seed, n));
    }
    args.replay.map(|replay| run_replay(args, replay))
}

fn run_driver(machine: &Machine, args: &Args, processors: usize, seed: u64) -> ExitCode {
    let device = match args.device {
        DeviceKind::Model => "this project's 82540EM model",
        DeviceKind::Qemu => "QEMU's own e1000 (real time: not replayable from the seed)",
    };
    println!(
        "rse1k-run: rse1k miniport on {device}, {processors} simulated processors, \
         {} frames each way, seed {seed:#x}",
        args.frames
    );
    let progress = progress_bar(args.quiet, u64::from(args.frames));
    let result = driver_job::run(
        machine,
        args.device,
        args.pcap.as_deref(),
        args.frames,
        &progress,
    );
    progress.finish_and_clear();
    let report = machine.report();
    let ok = match &result {
        Ok(s) => {
            print_driver_summary(s, &report);
            s.mismatches == 0
        }
        Err(error) => {
            println!("driver job FAILED: {error}");
            false
        }
    };
    print_locks(&report);
    let events_ok = print_events(machine, args.events.as_deref());
    print_trace_hash(machine, args.trace.as_deref());
    println!("verifier: {} violations", report.violations.len());
    if ok && events_ok && report.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the ETW summary (events written, by name; decoding errors) and writes the events
/// to `file` when given. False on a decoding error, a provider left registered, or a failed
/// write.
fn print_events(machine: &Machine, file: Option<&std::path::Path>) -> bool {
    let events = machine.etw_events();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for event in &events {
        match counts.iter_mut().find(|(name, _)| *name == event.name) {
            Some((_, n)) => *n += 1,
            None => counts.push((event.name.clone(), 1)),
        }
    }
    let by_name: Vec<String> = counts
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    let errors = machine.etw_errors();
    let registered = machine.etw_registrations();
    println!(
        "etw: {} events ({}), {} errors, {registered} registrations left",
        events.len(),
        by_name.join(", "),
        errors.len()
    );
    for error in &errors {
        println!("  etw error: {error}");
    }
    let written = match file {
        Some(path) => match events::write(path, &events) {
            Ok(()) => {
                println!("etw: {} events written to {}", events.len(), path.display());
                true
            }
            Err(e) => {
                println!("etw: could not write {}: {e}", path.display());
                false
            }
        },
        None => true,
    };
    written && errors.is_empty() && registered == 0
}

#[cfg(not(target_os = "linux"))]
fn run_tap(_machine: &Machine, _args: &Args, _processors: usize) -> ExitCode {
    eprintln!("rse1k-run: {}", linux_only::TAP);
    ExitCode::FAILURE
}

#[cfg(target_os = "linux")]
fn run_tap(machine: &Machine, args: &Args, processors: usize) -> ExitCode {
    if args.pcap.is_some() {
        eprintln!(
            "rse1k-run: --pcap records the in-process wire; with --tap capture the TAP \
             instead: ip netns exec rse1k-<pid> tcpdump -i {} -w FILE",
            netns::TAP
        );
        return ExitCode::FAILURE;
    }
    println!(
        "rse1k-run --tap: rse1k miniport on {} e1000, {processors} simulated processors, \
         smoltcp above it, the Linux stack in a network namespace below it",
        match args.device {
            DeviceKind::Model => "the model's",
            DeviceKind::Qemu => "QEMU's",
        }
    );
    let result = tap_job::run(machine, args.device);
    let report = machine.report();
    let ok = match &result {
        Ok(s) => {
            println!(
                "ping from the namespace: {}/{} replies ({})",
                s.ping_replies,
                tap_job::PINGS,
                s.ping_line
            );
            println!(
                "TCP: {} of {} bytes Linux -> smoltcp and {} of {} bytes smoltcp -> Linux \
                 arrived intact, in {:.2} s",
                s.tcp_in,
                tap_job::TCP_BYTES,
                s.tcp_out,
                tap_job::TCP_BYTES,
                s.tcp_elapsed.as_secs_f64()
            );
            println!(
                "frames through the miniport: {} sent, {} indicated; {} sends failed",
                s.frames.0, s.frames.1, s.send_failures
            );
            s.ping_replies == tap_job::PINGS
                && s.tcp_in == tap_job::TCP_BYTES
                && s.tcp_out == tap_job::TCP_BYTES
                && s.send_failures == 0
        }
        Err(error) => {
            println!("real-traffic job FAILED: {error}");
            false
        }
    };
    print_locks(&report);
    println!("verifier: {} violations", report.violations.len());
    if ok && report.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The strategy of one schedule of an exploration or replay of `scenario` on `processors`
/// processors (default random). PCT's change points are drawn over `--pct-steps`, else over the
/// scenario's measured length (`lengths` caches one first run per scenario and processor
/// count, as Burckhardt et al. take the run length k from a prior run).
fn explore_strategy(
    args: &Args,
    lengths: &mut explore::Lengths,
    scenario: explore::Scenario,
    processors: usize,
) -> Strategy {
    let kind = args.strategy.unwrap_or(StrategyArg::Random);
    let steps = match (kind, args.pct_steps) {
        (StrategyArg::Pct, Some(k)) => k,
        (StrategyArg::Pct, None) => lengths.of(scenario, processors),
        _ => 0,
    };
    kind.strategy(args.depth, steps)
}

fn replay_command(r: &explore::Run) -> String {
    let strategy = match r.strategy {
        Strategy::Random => "random".to_owned(),
        Strategy::Pct { depth, steps } => format!("pct --depth {depth} --pct-steps {steps}"),
        Strategy::Sticky { .. } => "sticky".to_owned(),
    };
    format!(
        "cargo run --release -p rse1k-run -- --scenario {} --processors {} --strategy {strategy} \
         --replay {:#x} --trace trace.txt",
        r.scenario.name(),
        r.processors,
        r.seed
    )
}

fn run_explore(args: &Args, base: u64, n: u64) -> ExitCode {
    let kind = args.strategy.unwrap_or(StrategyArg::Random);
    let depth = if kind == StrategyArg::Pct {
        format!(" depth {}", args.depth)
    } else {
        String::new()
    };
    println!(
        "rse1k-run: exploring {n} schedules ({}), strategy {kind:?}{depth}, base seed {base:#x}",
        args.scenario
            .map_or("every lifecycle scenario", explore::Scenario::name)
    );
    let mut lengths = explore::Lengths::default();
    let progress = progress_bar(args.quiet, n);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} schedules ({per_sec})")
    {
        progress.set_style(style);
    }
    // Failing schedules panic inside the simulator (a hang, a host check): reported below.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let start = std::time::Instant::now();
    let mut failed = None;
    let mut steps = 0u64;
    let mut ran = 0u64;
    for i in 0..n {
        let scenario = args.scenario.unwrap_or(
            explore::Scenario::ALL[usize::try_from(i).unwrap_or(0) % explore::Scenario::ALL.len()],
        );
        let processors = args.processors.map_or_else(
            || explore::processors_of(i, args.scenario.is_none()),
            |p| usize::try_from(p).unwrap_or(1),
        );
        let r = explore::Run {
            scenario,
            seed: explore::seed_of(base, i),
            processors,
            strategy: explore_strategy(args, &mut lengths, scenario, processors),
        };
        let outcome = explore::run(r, false);
        ran += 1;
        steps += outcome.steps;
        progress.inc(1);
        if let Some(why) = outcome.failure {
            failed = Some((r, why));
            break;
        }
    }
    progress.finish_and_clear();
    std::panic::set_hook(hook);
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    #[allow(clippy::cast_precision_loss, reason = "rates for display")]
    let (per_sec, avg) = (ran as f64 / secs, steps as f64 / (ran.max(1)) as f64);
    println!(
        "schedules: {ran} in {secs:.2} s ({per_sec:.1} schedules/s, {avg:.0} switch points each)"
    );
    for ((scenario, processors), k) in lengths.measured() {
        println!(
            "PCT change points drawn over {k} switch points: {} on {processors} processors \
             (measured by a first run without change points)",
            scenario.name()
        );
    }
    if let Some((r, why)) = failed {
        println!(
            "FOUND after {ran} schedules: {} on {} processors, seed {:#x}:\n{why}",
            r.scenario.name(),
            r.processors,
            r.seed
        );
        println!("replay: {}", replay_command(&r));
        return ExitCode::FAILURE;
    }
    println!("clean: no violation, lost NBL, hang or deadlock in {ran} schedules");
    ExitCode::SUCCESS
}

fn run_replay(args: &Args, seed: u64) -> ExitCode {
    let Some(scenario) = args.scenario else {
        eprintln!("rse1k-run: --replay needs --scenario");
        return ExitCode::FAILURE;
    };
    let processors = usize::try_from(args.processors.unwrap_or(2)).unwrap_or(1);
    let r = explore::Run {
        scenario,
        seed,
        processors,
        strategy: explore_strategy(args, &mut explore::Lengths::default(), scenario, processors),
    };
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = explore::run(r, args.trace.is_some());
    std::panic::set_hook(hook);
    if let Some(path) = &args.trace {
        let mut text = outcome.events.join("\n");
        text.push('\n');
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("rse1k-run: cannot write {}: {e}", path.display());
        }
    }
    println!(
        "replay: {} on {} processors, seed {seed:#x}: {}",
        scenario.name(),
        r.processors,
        outcome.failure.as_deref().unwrap_or("clean")
    );
    println!(
        "trace: {:016x} ({} switch points)",
        outcome.hash, outcome.steps
    );
    if outcome.failure.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The last-but-one line: the hash of every switch point of a serial run (the same for every
/// rerun of the seed), or `free` when host threads ran freely.
fn print_trace_hash(machine: &Machine, file: Option<&std::path::Path>) {
    if let Some(path) = file {
        let mut text = machine.take_schedule_events().join("\n");
        text.push('\n');
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("rse1k-run: cannot write {}: {e}", path.display());
        }
    }
    match machine.trace_hash() {
        Some(hash) => println!(
            "trace: {hash:016x} ({} switch points)",
            machine.schedule_steps()
        ),
        None => println!("trace: free (host threads ran freely; not replayable)"),
    }
}

fn print_driver_summary(s: &driver_job::Summary, report: &Report) {
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    println!();
    println!(
        "transmit: {} frames, {} bytes reached the wire byte-exact and in order; {} sends \
         completed with a failure status (queued when Pause came)",
        s.tx_frames, s.tx_bytes, s.sends_failed
    );
    println!(
        "receive:  {} frames, {} bytes indicated byte-exact and in order; {} not indicated \
         (arrived while paused or while the link was down)",
        s.rx_frames, s.rx_bytes, s.rx_lost
    );
    println!(
        "OID_GEN_STATISTICS: ifInDiscards {}, ifInErrors {}, ifOutErrors {}, ifOutDiscards {}",
        s.drops.0, s.drops.1, s.drops.2, s.drops.3
    );
    println!(
        "frames changed or out of order: {}; link state indications: {}",
        s.mismatches, s.link_indications
    );
    let c = &report.counters;
    println!(
        "interrupts: {} line assertions, {} ISR calls ({} claimed), {} DPCs queued, {} run, \
         {} synchronized calls",
        c.line_assertions,
        c.isr_calls,
        c.isr_claimed,
        c.dpcs_queued,
        c.dpcs_run,
        c.synchronized_calls
    );
    #[allow(clippy::cast_precision_loss, reason = "a rate for display")]
    let rate = (s.tx_frames + s.rx_frames) as f64 / secs;
    println!(
        "throughput: {rate:.0} frames/s through driver + model (host wall clock, {secs:.2} s)"
    );
}

fn print_locks(report: &Report) {
    println!();
    println!(
        "{:<20} {:>12} {:>10} {:>12} {:>12} {:>12} {:>10}",
        "lock", "acquisitions", "contended", "spin (µs)", "max hold", "p99 hold", ">25 µs"
    );
    for lock in &report.locks {
        println!(
            "{:<20} {:>12} {:>10} {:>12} {:>12} {:>12} {:>10}",
            lock.name,
            lock.acquisitions,
            lock.contended,
            lock.spin_ns / 1_000,
            format_ns(lock.max_hold_ns),
            format_ns(lock.p99_hold_ns),
            lock.holds_over_25us
        );
    }
    println!();
    println!("hold times are host wall-clock times on shared machines: statistics, not verdicts");
    println!(
        "seed {:#x} (replay: NDIS_SIM_SEED={:#x})",
        report.seed, report.seed
    );
    for violation in &report.violations {
        println!("violation: {violation}");
    }
}

fn progress_bar(quiet: bool, total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if quiet {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} sends ({per_sec})")
    {
        bar.set_style(style);
    }
    bar
}

fn print_report(report: &Report, totals: &Totals, expected_sends: u64) {
    println!();
    println!(
        "traffic: {} sends (expected {expected_sends}), {} completed, {} still queued; \
         {} receives indicated, {} returned",
        totals.sends, totals.completed, totals.still_queued, totals.indicated, totals.returned
    );
    let c = &report.counters;
    println!(
        "interrupts: {} raised by the device, {} line assertions, {} ISR calls ({} claimed), \
         {} DPCs queued, {} run, {} synchronized calls; TX causes seen by DPCs: {}",
        totals.causes_raised,
        c.line_assertions,
        c.isr_calls,
        c.isr_claimed,
        c.dpcs_queued,
        c.dpcs_run,
        c.synchronized_calls,
        totals.dpc_tx_causes
    );
    print_locks(report);
}

fn format_ns(ns: u64) -> String {
    if ns >= 10_000 {
        format!("{} µs", ns / 1_000)
    } else {
        format!("{ns} ns")
    }
}
