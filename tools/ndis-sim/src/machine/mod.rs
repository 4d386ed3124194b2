//! The simulated machine: virtual processors (host threads), interrupt lines, and the harness a
//! test drives it with.

pub(crate) mod dpc;
pub(crate) mod interrupt;
pub(crate) mod processor;
pub(crate) mod schedule;
pub(crate) mod spinlock;
pub(crate) mod timer;

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread::JoinHandle;

use crate::rng::SplitMix64;
use crate::sys;
use crate::verifier::{Counters, Report, Verifier, VerifierMode};

pub use interrupt::InterruptLine;
pub use schedule::{Schedule, Strategy};

/// Locks a host mutex, ignoring poisoning (a panicking processor halts the machine anyway).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How a work item given to `run_on` ended.
pub(crate) enum Outcome {
    Done,
    Panicked(Box<dyn std::any::Any + Send>),
    Halted(String),
}

/// A work item with its lifetime erased (see `Machine::run_on` for why that is sound).
pub(crate) struct Job {
    pub(crate) f: Box<dyn FnOnce() + Send + 'static>,
    pub(crate) reply: mpsc::SyncSender<Outcome>,
    pub(crate) location: &'static Location<'static>,
    /// The host actor waiting for the reply (a serial machine), to wake when it is sent.
    pub(crate) submitter: Option<usize>,
}

impl Job {
    /// Sends the outcome and wakes the host actor waiting for it.
    pub(crate) fn answer(
        shared: &Shared,
        reply: &mpsc::SyncSender<Outcome>,
        submitter: Option<usize>,
        outcome: Outcome,
    ) {
        let _ = reply.send(outcome);
        if let (Some(s), Some(actor)) = (&shared.sched, submitter) {
            s.wake(actor);
        }
    }
}

/// The part of a processor other threads touch: its work queue, its pending interrupts and DPCs.
pub(crate) struct ProcShared {
    pub(crate) work: Mutex<WorkQueue>,
    pub(crate) wake: Condvar,
    pub(crate) pending_irqs: Mutex<Vec<interrupt::PendingIrq>>,
    pub(crate) has_irq: AtomicBool,
    pub(crate) dpcs: Mutex<VecDeque<dpc::QueuedDpc>>,
    pub(crate) has_dpc: AtomicBool,
    /// The lock address this processor is spinning on (0: none), for deadlock detection.
    pub(crate) waiting_for: AtomicUsize,
    /// Virtual nanoseconds this processor's own routines spent: the clock moved by
    /// `advance_clock` called on it, and the length of its `NdisStallExecution` calls. What the
    /// hold limit charges a lock it holds.
    pub(crate) spent_ns: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
pub(crate) struct WorkQueue {
    pub(crate) jobs: VecDeque<Job>,
    pub(crate) frozen: bool,
    pub(crate) shutdown: bool,
}

/// A `MiniportAdapterHandle` the harness hands out, bound to an interrupt line.
pub(crate) struct AdapterBinding {
    pub(crate) line: u32,
    /// The PCI device behind the adapter, for an adapter made by `Machine::plug_e1000`.
    pub(crate) device: Option<Arc<crate::bus::PciDevice>>,
}

#[derive(Default)]
pub(crate) struct AtomicCounters {
    pub(crate) line_assertions: AtomicU64,
    pub(crate) isr_calls: AtomicU64,
    pub(crate) isr_claimed: AtomicU64,
    pub(crate) dpcs_queued: AtomicU64,
    pub(crate) dpcs_run: AtomicU64,
    pub(crate) synchronized_calls: AtomicU64,
    pub(crate) lock_acquisitions: AtomicU64,
}

/// Machine state shared by the processors and the harness.
pub(crate) struct Shared {
    pub(crate) seed: u64,
    pub(crate) mode: VerifierMode,
    /// [`MachineBuilder::hold_limit_ns`].
    pub(crate) hold_limit_ns: u64,
    pub(crate) procs: Vec<ProcShared>,
    pub(crate) halted: AtomicBool,
    /// The last `Machine` handle is gone: processors stop taking interrupts and DPCs and exit.
    pub(crate) shutting_down: AtomicBool,
    pub(crate) halt_message: Mutex<Option<String>>,
    pub(crate) verifier: Verifier,
    pub(crate) rng: Mutex<SplitMix64>,
    pub(crate) lines: Mutex<FxHashMap<u32, interrupt::LineState>>,
    pub(crate) interrupts: Mutex<Vec<Arc<interrupt::InterruptObj>>>,
    pub(crate) adapters: Mutex<Vec<Arc<AdapterBinding>>>,
    /// Physical and pool memory, PCI devices and BAR mappings.
    pub(crate) bus: crate::bus::Bus,
    /// The virtual clock and the timer objects (`NdisAllocateTimerObject`).
    pub(crate) timers: timer::Timers,
    /// The anchor of this machine's NBL pools, NBLs and MDLs (see `crate::nbl`).
    pub(crate) nbl: crate::nbl::MachineObjects,
    pub(crate) counters: AtomicCounters,
    pub(crate) trace: Mutex<TraceLog>,
    /// `NDIS_SIM_TRACE` was set when the machine was built: echo trace lines to standard error.
    pub(crate) trace_to_stderr: bool,
    /// The NDIS side of loaded miniport drivers and their adapters (the protocol edge).
    pub(crate) host: crate::host::HostState,
    /// The one-actor-at-a-time scheduler ([`Schedule::Serial`]); `None` when threads run freely.
    pub(crate) sched: Option<schedule::Scheduler>,
}

/// One `DbgPrintEx` message from the driver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLine {
    /// The virtual processor that printed it.
    pub processor: usize,
    /// Its IRQL at the time.
    pub irql: u8,
    /// The `DPFLTR_*_ID` component id.
    pub component: u32,
    /// The `DPFLTR_*_LEVEL`.
    pub level: u32,
    /// The formatted message.
    pub message: String,
}

/// The machine's trace log: the newest [`TRACE_LOG_LINES`] lines, and how many were dropped.
#[derive(Debug, Default)]
pub(crate) struct TraceLog {
    lines: std::collections::VecDeque<TraceLine>,
    dropped: u64,
}

/// How many trace lines a machine keeps (older ones are dropped and counted).
pub const TRACE_LOG_LINES: usize = 10_000;

impl Shared {
    pub(crate) fn trace(&self, line: TraceLine) {
        if self.trace_to_stderr {
            eprintln!(
                "[cpu {} irql {} level {}] {}",
                line.processor,
                line.irql,
                line.level,
                // A driver's line carries its own newline (DbgPrintEx adds none); one is enough.
                line.message.trim_end_matches('\n')
            );
        }
        let mut log = lock(&self.trace);
        if log.lines.len() == TRACE_LOG_LINES {
            log.lines.pop_front();
            log.dropped += 1;
        }
        log.lines.push_back(line);
    }
}

impl Shared {
    pub(crate) fn processors(&self) -> usize {
        self.procs.len()
    }

    /// Stops the machine (first message wins) and wakes every processor so idle ones freeze.
    pub(crate) fn halt(&self, message: String) {
        {
            let mut m = lock(&self.halt_message);
            if m.is_none() {
                *m = Some(message);
            }
        }
        self.halted.store(true, Ordering::SeqCst);
        for p in &self.procs {
            let _guard = lock(&p.work);
            p.wake.notify_all();
        }
    }

    pub(crate) fn halt_message(&self) -> String {
        lock(&self.halt_message)
            .clone()
            .unwrap_or_else(|| "ndis-sim: the machine has halted".to_owned())
    }

    pub(crate) fn kick(&self, cpu: usize) {
        if let Some(s) = &self.sched {
            s.wake(cpu);
            return;
        }
        let p = &self.procs[cpu];
        let _guard = lock(&p.work);
        p.wake.notify_all();
    }

    pub(crate) fn report(&self) -> Report {
        let c = &self.counters;
        Report {
            seed: self.seed,
            violations: lock(&self.verifier.violations).clone(),
            locks: self.verifier.lock_stats(),
            counters: Counters {
                line_assertions: c.line_assertions.load(Ordering::Relaxed),
                isr_calls: c.isr_calls.load(Ordering::Relaxed),
                isr_claimed: c.isr_claimed.load(Ordering::Relaxed),
                dpcs_queued: c.dpcs_queued.load(Ordering::Relaxed),
                dpcs_run: c.dpcs_run.load(Ordering::Relaxed),
                synchronized_calls: c.synchronized_calls.load(Ordering::Relaxed),
                lock_acquisitions: c.lock_acquisitions.load(Ordering::Relaxed),
            },
        }
    }
}

/// Owns the processor threads; joins them when the last [`Machine`] clone is dropped.
struct Owner {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.shared.shutting_down.store(true, Ordering::SeqCst);
        if let Some(s) = &self.shared.sched {
            s.dissolve();
        }
        for p in &self.shared.procs {
            let mut w = lock(&p.work);
            w.shutdown = true;
            p.wake.notify_all();
        }
        let threads = std::mem::take(&mut *lock(&self.threads));
        if self.shared.halted.load(Ordering::SeqCst) {
            // Frozen processors never return (like a bug-checked machine): leave them parked.
            return;
        }
        for t in threads {
            // A processor thread never panics out of its loop (panics are caught per job).
            let _ = t.join();
        }
    }
}

/// A simulated machine: `n` virtual processors, interrupt lines, and the verifier.
///
/// Cloning gives another handle to the same machine. Virtual processors are host threads, so
/// host scheduling decides the timing: runs are not deterministic. The seed fixes the
/// simulator's own choices (which processor takes each interrupt, and at which interrupt
/// window), which is what a failing run prints and `NDIS_SIM_SEED` replays.
#[derive(Clone)]
pub struct Machine {
    owner: Arc<Owner>,
}

/// A handle that does not keep the machine alive (the background returner's).
pub(crate) struct WeakMachine(std::sync::Weak<Owner>);

impl WeakMachine {
    pub(crate) fn upgrade(&self) -> Option<Machine> {
        self.0.upgrade().map(|owner| Machine { owner })
    }
}

/// Builds a [`Machine`]: `Machine::builder().processors(2).seed(7).mode(VerifierMode::Collect).build()`.
#[derive(Clone, Debug)]
pub struct MachineBuilder {
    processors: usize,
    seed: Option<u64>,
    mode: VerifierMode,
    hold_limit_ns: u64,
    schedule: Schedule,
    trace_events: bool,
    step_limit: u64,
}

/// The default spin-lock hold limit: 25 µs, the guidance of the spin-lock pages ("holding a spin
/// lock for longer than 25 microseconds degrades both system and driver performance",
/// `NdisAcquireSpinLock`), on the virtual clock.
pub const DEFAULT_HOLD_LIMIT_NS: u64 = 25_000;

/// The seed in `NDIS_SIM_SEED` (decimal or `0x` hex), if set.
///
/// # Panics
/// When the variable is set but is not a number.
#[must_use]
pub fn env_seed() -> Option<u64> {
    let s = std::env::var("NDIS_SIM_SEED").ok()?;
    let s = s.trim();
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    match parsed {
        Ok(v) => Some(v),
        Err(e) => panic!("ndis-sim: NDIS_SIM_SEED={s:?} is not a number: {e}"),
    }
}

/// Seeds for a many-seed test: the one in `NDIS_SIM_SEED` if set (a replay), otherwise `n`
/// fixed seeds (the same on every run, so CI is repeatable).
#[must_use]
pub fn test_seeds(n: usize) -> Vec<u64> {
    if let Some(s) = env_seed() {
        return vec![s];
    }
    let mut rng = SplitMix64::new(0x6E64_6973_2D73_696D);
    (0..n).map(|_| rng.next_u64()).collect()
}

impl Default for MachineBuilder {
    fn default() -> Self {
        Self {
            processors: 2,
            seed: None,
            mode: VerifierMode::BugCheck,
            hold_limit_ns: DEFAULT_HOLD_LIMIT_NS,
            schedule: Schedule::Free,
            trace_events: false,
            step_limit: u64::MAX,
        }
    }
}

impl MachineBuilder {
    /// Number of virtual processors (1–64; default 2).
    #[must_use]
    pub fn processors(mut self, n: usize) -> Self {
        self.processors = n;
        self
    }

    /// The seed (default: `NDIS_SIM_SEED`, else one drawn from the clock).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// What a violation does (default [`VerifierMode::BugCheck`]).
    #[must_use]
    pub fn mode(mut self, mode: VerifierMode) -> Self {
        self.mode = mode;
        self
    }

    /// The longest a spin lock may be held, in nanoseconds of the virtual clock, before its
    /// release is reported as [`crate::verifier::Rule::SpinLockHeldTooLong`] (default
    /// [`DEFAULT_HOLD_LIMIT_NS`], 25 µs).
    #[must_use]
    pub fn hold_limit_ns(mut self, ns: u64) -> Self {
        self.hold_limit_ns = ns;
        self
    }

    /// How the actors are scheduled (default [`Schedule::Free`]). With [`Schedule::Serial`]
    /// the thread calling `build` becomes the machine's host actor: it (and the threads of
    /// [`Machine::concurrently`]) must be the only threads that drive the machine.
    #[must_use]
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Logs every switch point of a serial machine ([`Machine::take_schedule_events`]): one
    /// line per event with the actor, IRQL, routine, entry point and call site.
    #[must_use]
    pub fn trace_events(mut self, on: bool) -> Self {
        self.trace_events = on;
        self
    }

    /// The most switch points a serial run may take (default: no limit). Beyond it the run is
    /// a livelock — actors that keep running without ever waiting on one another, which the
    /// deadlock checks do not see — and the machine halts with a report instead of running for
    /// ever. The explorer sets it far above a scenario's length.
    #[must_use]
    pub fn step_limit(mut self, steps: u64) -> Self {
        self.step_limit = steps;
        self
    }

    /// Starts the processor threads.
    ///
    /// # Panics
    /// If the processor count is 0 or above 64, or a host thread cannot be spawned.
    #[must_use]
    pub fn build(self) -> Machine {
        assert!(
            (1..=64).contains(&self.processors),
            "ndis-sim: 1 to 64 processors (KAFFINITY is 64 bits), not {}",
            self.processors
        );
        let seed = self.seed.or_else(env_seed).unwrap_or_else(clock_seed);
        let procs = (0..self.processors)
            .map(|_| ProcShared {
                work: Mutex::new(WorkQueue::default()),
                wake: Condvar::new(),
                pending_irqs: Mutex::new(Vec::new()),
                has_irq: AtomicBool::new(false),
                dpcs: Mutex::new(VecDeque::new()),
                has_dpc: AtomicBool::new(false),
                waiting_for: AtomicUsize::new(0),
                spent_ns: std::sync::atomic::AtomicU64::new(0),
            })
            .collect();
        let shared = Arc::new(Shared {
            seed,
            mode: self.mode,
            hold_limit_ns: self.hold_limit_ns,
            procs,
            halted: AtomicBool::new(false),
            shutting_down: AtomicBool::new(false),
            halt_message: Mutex::new(None),
            verifier: Verifier::default(),
            rng: Mutex::new(SplitMix64::new(seed)),
            lines: Mutex::new(FxHashMap::default()),
            interrupts: Mutex::new(Vec::new()),
            adapters: Mutex::new(Vec::new()),
            bus: crate::bus::Bus::default(),
            timers: timer::Timers::default(),
            nbl: crate::nbl::MachineObjects::default(),
            counters: AtomicCounters::default(),
            trace: Mutex::new(TraceLog::default()),
            trace_to_stderr: std::env::var_os("NDIS_SIM_TRACE").is_some(),
            host: crate::host::HostState::default(),
            sched: match self.schedule {
                Schedule::Free => None,
                Schedule::Serial(strategy) => Some(schedule::Scheduler::new(
                    strategy,
                    seed,
                    self.processors,
                    self.trace_events,
                    self.step_limit,
                )),
            },
        });
        if shared.sched.is_some() {
            processor::set_host_actor(&shared, self.processors);
        }
        let threads = (0..self.processors)
            .map(|index| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("ndis-sim-cpu{index}"))
                    .spawn(move || processor::processor_main(index, &shared))
                    .expect("ndis-sim: cannot spawn a processor thread")
            })
            .collect();
        Machine {
            owner: Arc::new(Owner {
                shared,
                threads: Mutex::new(threads),
            }),
        }
    }
}

fn clock_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    #[allow(clippy::cast_possible_truncation)] // only the low bits matter for a seed
    let low = nanos as u64;
    SplitMix64::new(low ^ u64::from(std::process::id())).next_u64()
}

impl Machine {
    /// A builder with the defaults (2 processors, seed from `NDIS_SIM_SEED` or the clock,
    /// `BugCheck` mode).
    #[must_use]
    pub fn builder() -> MachineBuilder {
        MachineBuilder::default()
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.owner.shared
    }

    pub(crate) fn downgrade(&self) -> WeakMachine {
        WeakMachine(Arc::downgrade(&self.owner))
    }

    /// The hash of every switch point so far on a serial machine ([`Schedule::Serial`]): the
    /// same program with the same seed and processor count gives the same hash. `None` on a
    /// free machine.
    #[must_use]
    pub fn trace_hash(&self) -> Option<u64> {
        self.shared().sched.as_ref().map(schedule::Scheduler::hash)
    }

    /// Switch points so far on a serial machine (0 on a free one).
    #[must_use]
    pub fn schedule_steps(&self) -> u64 {
        self.shared()
            .sched
            .as_ref()
            .map_or(0, schedule::Scheduler::steps)
    }

    /// The switch points logged so far (with [`MachineBuilder::trace_events`]), one line each:
    /// step, actor, IRQL, routine, entry point, call site; taken.
    #[must_use]
    pub fn take_schedule_events(&self) -> Vec<String> {
        self.shared()
            .sched
            .as_ref()
            .map(schedule::Scheduler::take_events)
            .unwrap_or_default()
    }

    /// Runs the closures at the same time, each as its own host actor (on its own host thread),
    /// and returns when all have returned. On a serial machine the seed decides how their
    /// calls interleave with each other and with the processors (a send racing a surprise
    /// removal); on a free machine host timing does.
    ///
    /// # Panics
    /// With the first closure's panic, after every closure has ended.
    pub fn concurrently<'a>(&self, fs: Vec<Box<dyn FnOnce() + Send + 'a>>) {
        let shared = self.shared();
        let serial = self.host_actor().map(|me| {
            let s = shared.sched.as_ref().expect("serial");
            let actors: Vec<usize> = (0..fs.len()).map(|_| s.add_host("actor")).collect();
            (s, me, actors)
        });
        let done = std::sync::atomic::AtomicUsize::new(0);
        let results: Vec<std::thread::Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = fs
                .into_iter()
                .enumerate()
                .map(|(i, f)| {
                    let actor = serial.as_ref().map(|(s, me, actors)| (*s, *me, actors[i]));
                    let done = &done;
                    scope.spawn(move || {
                        if let Some((s, _, a)) = actor {
                            processor::set_host_actor(shared, a);
                            s.start(a);
                        }
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
                        done.fetch_add(1, Ordering::SeqCst);
                        if let Some((s, parent, a)) = actor {
                            s.wake(parent);
                            s.exit(a);
                        }
                        r
                    })
                })
                .collect();
            if let Some((s, me, actors)) = &serial {
                while done.load(Ordering::SeqCst) < actors.len() && !s.dissolved() {
                    if let Err(stall) = s.block(*me) {
                        panic!(
                            "ndis-sim: HANG: concurrent host actors never ended: {}",
                            stall.0
                        );
                    }
                }
            }
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(Err))
                .collect()
        });
        for r in results {
            if let Err(p) = r {
                std::panic::resume_unwind(p);
            }
        }
    }

    /// The number of virtual processors.
    #[must_use]
    pub fn processors(&self) -> usize {
        self.shared().processors()
    }

    /// The seed of this machine's choices.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.shared().seed
    }

    /// Whether a violation (in `BugCheck` mode) or a panic has stopped the machine.
    #[must_use]
    pub fn halted(&self) -> bool {
        self.shared().halted.load(Ordering::SeqCst)
    }

    /// Runs `f` on virtual processor `cpu` at `PASSIVE_LEVEL` and waits for it. `f` is a routine:
    /// when it returns, the verifier checks that the IRQL is back at `PASSIVE_LEVEL`
    /// ([`Rule::IrqlReturn`](crate::Rule::IrqlReturn)) and that no spin lock acquired in it is
    /// still held ([`Rule::SpinLock`](crate::Rule::SpinLock) and the NDIS rules); then pending
    /// DPCs run, as when a processor returns to `PASSIVE_LEVEL`.
    ///
    /// # Panics
    /// With the report when the machine halts (a violation in `BugCheck` mode, or a panic on
    /// any processor); with `f`'s own panic when `f` panics; when `cpu` is out of range, or
    /// when called from processor `cpu` itself (it would wait for itself).
    #[track_caller]
    pub fn run_on<R: Send>(&self, cpu: usize, f: impl FnOnce() -> R + Send) -> R {
        self.run_on_at(cpu, Location::caller(), f)
    }

    fn run_on_at<R: Send>(
        &self,
        cpu: usize,
        location: &'static Location<'static>,
        f: impl FnOnce() -> R + Send,
    ) -> R {
        let shared = self.shared();
        assert!(
            cpu < shared.processors(),
            "ndis-sim: run_on({cpu}) on a machine with {} processors",
            shared.processors()
        );
        assert!(
            !processor::is_processor_of(shared, cpu),
            "ndis-sim: run_on({cpu}) called from processor {cpu} itself would wait forever"
        );
        let mut slot: Option<R> = None;
        let outcome = {
            let slot_ref = &mut slot;
            let job: Box<dyn FnOnce() + Send + '_> = Box::new(move || *slot_ref = Some(f()));
            // SAFETY: only the lifetime is changed (same layout). The job borrows this stack
            // frame (`slot`, `f`'s captures); this function does not return before the
            // processor has either run the job to its end (reply `Done`), caught its panic
            // (the job is consumed; reply `Panicked`), dropped it unrun (reply `Halted` from
            // the queue drain), or frozen for ever while running it (reply `Halted`): a frozen
            // processor parks in a loop and never touches the job's borrows again.
            let job: Box<dyn FnOnce() + Send + 'static> = unsafe { core::mem::transmute(job) };
            let rx = self.submit(cpu, location, job);
            self.wait_reply(cpu, &rx)
        };
        match outcome {
            Outcome::Done => slot.expect("ndis-sim: a finished work item left no result"),
            Outcome::Panicked(payload) => std::panic::resume_unwind(payload),
            Outcome::Halted(message) => panic!("{message}"),
        }
    }

    /// Queues a work item on `cpu` (panics when the machine has halted) and returns the channel
    /// its outcome comes on. On a serial machine the calling thread must be a host actor.
    fn submit(
        &self,
        cpu: usize,
        location: &'static Location<'static>,
        f: Box<dyn FnOnce() + Send + 'static>,
    ) -> mpsc::Receiver<Outcome> {
        let shared = self.shared();
        let submitter = self.host_actor();
        // One reply per work item: a one-slot channel (a single small allocation, where an
        // unbounded channel allocates a block of slots per work item).
        let (reply, outcome) = mpsc::sync_channel(1);
        let p = &shared.procs[cpu];
        let mut w = lock(&p.work);
        if w.frozen || shared.halted.load(Ordering::SeqCst) {
            drop(w);
            panic!("{}", shared.halt_message());
        }
        w.jobs.push_back(Job {
            f,
            reply,
            location,
            submitter,
        });
        p.wake.notify_all();
        drop(w);
        if let Some(s) = &shared.sched {
            s.wake(cpu);
        }
        outcome
    }

    /// The host actor of the calling thread on a serial machine (`None` on a free one).
    ///
    /// # Panics
    /// On a serial machine, when the calling thread is not one of its host actors.
    pub(crate) fn host_actor(&self) -> Option<usize> {
        let shared = self.shared();
        let s = shared.sched.as_ref()?;
        if s.dissolved() {
            return None;
        }
        Some(processor::host_actor(shared).unwrap_or_else(|| {
            panic!(
                "ndis-sim: host thread {:?} drives a serial machine but is not one of its \
                 actors (drive it from the thread that built it, or from Machine::concurrently)",
                std::thread::current().name().unwrap_or("<unnamed>")
            )
        }))
    }

    /// Waits for a work item's outcome: on a serial machine by giving the turn away until the
    /// processor replies (a hang when nothing can run any more panics with every actor's state).
    fn wait_reply(&self, cpu: usize, rx: &mpsc::Receiver<Outcome>) -> Outcome {
        let shared = self.shared();
        if let (Some(s), Some(me)) = (&shared.sched, self.host_actor()) {
            loop {
                match rx.try_recv() {
                    Ok(o) => return o,
                    Err(mpsc::TryRecvError::Disconnected) => {
                        panic!("ndis-sim: processor {cpu} dropped a work item")
                    }
                    Err(mpsc::TryRecvError::Empty) => {}
                }
                if s.dissolved() {
                    break;
                }
                if let Err(stall) = s.block(me) {
                    panic!(
                        "ndis-sim: HANG: a work item on processor {cpu} can never finish: {} \
                         (seed {:#x})",
                        stall.0, shared.seed
                    );
                }
            }
        }
        match rx.recv() {
            Ok(o) => o,
            Err(mpsc::RecvError) => panic!("ndis-sim: processor {cpu} dropped a work item"),
        }
    }

    /// Runs `f(cpu)` on every processor at once (each as a `run_on` work item) and returns the
    /// results in processor order.
    ///
    /// # Panics
    /// As [`Machine::run_on`], with the first processor's panic.
    #[track_caller]
    pub fn run_all<R: Send>(&self, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
        let location = Location::caller();
        let f = &f;
        if self.host_actor().is_some() {
            return self.run_all_serial(location, f);
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..self.processors())
                .map(|cpu| scope.spawn(move || self.run_on_at(cpu, location, move || f(cpu))))
                .collect();
            let results: Vec<_> = handles
                .into_iter()
                .map(std::thread::ScopedJoinHandle::join)
                .collect();
            results
                .into_iter()
                .map(|r| r.unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    }

    /// `run_all` on a serial machine: the work items are queued from this host actor in
    /// processor order (no helper threads, whose timing would decide the order).
    fn run_all_serial<R: Send>(
        &self,
        location: &'static Location<'static>,
        f: &(impl Fn(usize) -> R + Sync),
    ) -> Vec<R> {
        let n = self.processors();
        let mut slots: Vec<Option<R>> = (0..n).map(|_| None).collect();
        let mut outcomes = Vec::with_capacity(n);
        {
            let mut receivers = Vec::with_capacity(n);
            for (cpu, slot) in slots.iter_mut().enumerate() {
                let job: Box<dyn FnOnce() + Send + '_> = Box::new(move || *slot = Some(f(cpu)));
                // SAFETY: only the lifetime is changed. The jobs borrow `slots` and `f`; this
                // function waits below for every job's outcome before either goes away, with
                // the same guarantees as `run_on_at` (a frozen processor never touches them).
                let job: Box<dyn FnOnce() + Send + 'static> = unsafe { core::mem::transmute(job) };
                receivers.push(self.submit(cpu, location, job));
            }
            for (cpu, rx) in receivers.iter().enumerate() {
                outcomes.push(self.wait_reply(cpu, rx));
            }
        }
        for o in outcomes {
            match o {
                Outcome::Done => {}
                Outcome::Panicked(payload) => std::panic::resume_unwind(payload),
                Outcome::Halted(message) => panic!("{message}"),
            }
        }
        slots
            .into_iter()
            .map(|s| s.expect("ndis-sim: a finished work item left no result"))
            .collect()
    }

    /// Test hook (until the miniport host drives real handlers): runs `f` on processor `cpu` at
    /// `PASSIVE_LEVEL` as if it were miniport handler `handler` (`run_handler`), so the rules
    /// that depend on the running handler ("only in `MiniportInitializeEx`", "not in
    /// `MiniportShutdownEx`") can be exercised from tests. The host calls handlers itself.
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    #[doc(hidden)]
    #[track_caller]
    pub fn run_as_handler<R: Send>(
        &self,
        cpu: usize,
        handler: processor::Handler,
        f: impl FnOnce() -> R + Send,
    ) -> R {
        let location = Location::caller();
        self.run_on_at(cpu, location, move || {
            let me = processor::current("Machine::run_as_handler");
            processor::run_handler(&me, handler, location, f)
        })
    }

    /// Calls the `MiniportDisableInterruptEx` handler registered on `line`, on processor `cpu`
    /// at the interrupt's DIRQL holding its spin lock, as NDIS may "for diagnostic and
    /// troubleshooting purposes" (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_disable_interrupt>).
    /// The simulator never calls it on its own. Returns false when nothing is registered.
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    #[track_caller]
    #[must_use]
    pub fn disable_interrupt(&self, cpu: usize, line: u32) -> bool {
        let location = Location::caller();
        self.run_on_at(cpu, location, move || {
            let me = processor::current("Machine::disable_interrupt");
            interrupt::call_enable_disable(&me, line, false, location)
        })
    }

    /// Calls the `MiniportEnableInterruptEx` handler registered on `line`, like
    /// [`Machine::disable_interrupt`].
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_enable_interrupt>
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    #[track_caller]
    #[must_use]
    pub fn enable_interrupt(&self, cpu: usize, line: u32) -> bool {
        let location = Location::caller();
        self.run_on_at(cpu, location, move || {
            let me = processor::current("Machine::enable_interrupt");
            interrupt::call_enable_disable(&me, line, true, location)
        })
    }

    /// The handle of interrupt line `line` (level-triggered).
    #[must_use]
    pub fn interrupt_line(&self, line: u32) -> InterruptLine {
        InterruptLine::new(Arc::clone(self.shared()), line)
    }

    /// A `MiniportAdapterHandle` bound to interrupt line `line`, to pass to
    /// `NdisMRegisterInterruptEx`. The handle stays valid as long as the machine.
    #[must_use]
    pub fn adapter_handle(&self, line: u32) -> sys::NDIS_HANDLE {
        let mut adapters = lock(&self.shared().adapters);
        let binding = Arc::new(AdapterBinding { line, device: None });
        let handle: *const AdapterBinding = Arc::as_ptr(&binding);
        adapters.push(binding);
        handle.cast_mut().cast()
    }

    /// The driver's `DbgPrintEx` messages so far (the newest [`TRACE_LOG_LINES`]), and how many
    /// older ones were dropped.
    #[must_use]
    pub fn trace_log(&self) -> (Vec<TraceLine>, u64) {
        let log = lock(&self.shared().trace);
        (log.lines.iter().cloned().collect(), log.dropped)
    }

    /// Violations, per-lock statistics and counters so far.
    #[must_use]
    pub fn report(&self) -> Report {
        self.shared().report()
    }
}

impl core::fmt::Debug for Machine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Machine")
            .field("processors", &self.processors())
            .field("seed", &self.seed())
            .field("mode", &self.shared().mode)
            .finish_non_exhaustive()
    }
}
