//! `rse1k-run`: the main job. Boots a simulated multiprocessor, runs rse1k's locking pattern on
//! every processor through the safe lock layer (with an interrupt line, its ISR and DPCs), and
//! prints the verifier's report, ending with `verifier: N violations`. Exits non-zero on any
//! violation or any accounting error.

mod hazards;
mod workload;

use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ndis_sim::{Machine, Report, VerifierMode};
use rse1k::sync::{Locked, PassiveLevel};

use hazards::Hazard;
use workload::{Adapter, Totals};

/// rse1k's lock layer on the simulated machine, checked by the simulator's verifier.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Simulated processors.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=8))]
    processors: u64,
    /// Send-path iterations per processor.
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
}

/// The seed used when neither `--seed` nor `NDIS_SIM_SEED` is given: runs are repeatable.
const DEFAULT_SEED: u64 = 0x5EED_E100_0000_0001;

fn main() -> ExitCode {
    let args = Args::parse();
    let seed = args
        .seed
        .or_else(ndis_sim::env_seed)
        .unwrap_or(DEFAULT_SEED);
    let processors = usize::try_from(args.processors).unwrap_or(1);
    // With a hazard injected, collect so the report lists it; otherwise stop like a bug check.
    let mode = if args.inject.is_some() {
        VerifierMode::Collect
    } else {
        VerifierMode::BugCheck
    };
    let machine = Machine::builder()
        .processors(processors)
        .seed(seed)
        .mode(mode)
        .build();

    println!(
        "rse1k-run: {processors} simulated processors, {} iterations each, seed {seed:#x}",
        args.iterations
    );
    let progress = progress_bar(args.quiet, args.iterations * args.processors);

    // The lock layer calls NdisAllocateSpinLock / NdisFreeSpinLock: create and drop the adapter
    // on a simulated processor, as the driver does in MiniportInitializeEx / MiniportHaltEx.
    let adapter = match machine.run_on(0, || Adapter::new(&machine)) {
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
    print_report(&report, &totals, args.iterations * args.processors);
    let accounting = totals.check(args.iterations * args.processors);
    if let Err(error) = &accounting {
        println!("accounting: FAILED: {error}");
    } else {
        println!("accounting: exact");
    }
    println!("verifier: {} violations", report.violations.len());
    if report.violations.is_empty() && accounting.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
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
    println!();
    println!(
        "{:<16} {:>12} {:>10} {:>12} {:>12} {:>12} {:>10}",
        "lock", "acquisitions", "contended", "spin (µs)", "max hold", "p99 hold", ">25 µs"
    );
    for lock in &report.locks {
        println!(
            "{:<16} {:>12} {:>10} {:>12} {:>12} {:>12} {:>10}",
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

fn format_ns(ns: u64) -> String {
    if ns >= 10_000 {
        format!("{} µs", ns / 1_000)
    } else {
        format!("{ns} ns")
    }
}
