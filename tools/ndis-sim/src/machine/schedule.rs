//! One actor at a time: the deterministic scheduler.
//!
//! With [`Schedule::Serial`] exactly one *actor* runs at any moment: a virtual processor, or a
//! host thread that drives the machine (the thread that built it, the background NBL returner,
//! the threads of [`Machine::concurrently`](crate::Machine::concurrently)). Every other actor
//! is parked. The running actor gives the turn away only at simulator entry points — every
//! `sys` call, every round of a spin-lock spin, every interrupt window, a host call that waits
//! for a processor — and the seed picks who runs next ([`Strategy`]). Host timing then decides
//! nothing: a run is a function of (program, seed, processors), its trace hash is the same on
//! every rerun, and a failing seed replays exactly.
//!
//! Spinning on something another actor must change (a held spin lock, a DPC still running, a
//! host waiting for a completion) is a *spin yield*: under PCT it drops the spinner below every
//! other actor, so a spinner never starves the actor it waits for. When every actor that can
//! run only spins, nothing can change any more: that is a deadlock, reported with what each
//! actor waits for instead of hanging. When no actor can run at all while a host waits for a
//! completion, that is a hang, reported the same way.
//!
//! A device that runs on its own real time (a QEMU-backed NIC) makes a run depend on host
//! timing again: the scheduler still serialises the actors, but the trace hash of such a run is
//! not expected to repeat.

use std::fmt::Write as _;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread::Thread;

use crate::rng::SplitMix64;

/// How the next actor is picked at a switch point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Uniformly among the actors that can run, at every switch point.
    Random,
    /// Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A
    /// Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): every
    /// actor gets a distinct random priority and the highest-priority runnable actor runs; at
    /// `depth - 1` steps drawn uniformly from `1..=steps` the running actor drops below every
    /// initial priority. A bug of depth `d` is found with probability at least
    /// `1 / (n * steps^(d-1))` per run for `n` actors.
    Pct {
        /// The bug depth `d` the run targets (1: no priority change point).
        depth: u32,
        /// The expected length of a run in switch points (where change points are drawn).
        steps: u64,
    },
    /// Like `Random`, but the running actor keeps the turn at a switch point unless a draw of
    /// one in `n` says to switch (then the next actor is drawn uniformly). Cheap enough for
    /// long jobs: a switch is a host thread hand-off.
    Sticky {
        /// One switch in `n` switch points, on average (1 is `Random` without staying).
        n: u32,
    },
}

/// Whether a machine runs its actors one at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Schedule {
    /// Host threads run freely (the seed fixes only the interrupt choices): host timing decides
    /// the interleaving, so a seed does not replay.
    #[default]
    Free,
    /// One actor at a time, switched by the seed with this strategy: every seed replays.
    Serial(Strategy),
}

/// What an actor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ActorKind {
    Processor(usize),
    Host(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Runnable,
    /// A processor with nothing to do (no work item, interrupt or DPC).
    Idle,
    /// A host waiting for a processor (a work item's reply).
    Blocked,
    /// Runnable again at this step (the background returner's period).
    Sleeping(u64),
    Done,
}

struct Actor {
    kind: ActorKind,
    status: Status,
    thread: Option<Thread>,
    priority: i64,
    /// What the actor spins on, when its last switch point was a spin yield.
    spinning: Option<&'static str>,
    /// Set when the actor was made to run because nothing else could: its wait is a hang.
    stalled: bool,
}

/// One switch point, as the trace shows it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Event {
    pub(crate) irql: u8,
    pub(crate) routine: &'static str,
    pub(crate) api: &'static str,
    pub(crate) site: Option<&'static Location<'static>>,
    /// A spin yield (waiting on another actor).
    pub(crate) spin: bool,
}

struct State {
    actors: Vec<Actor>,
    rng: SplitMix64,
    strategy: Strategy,
    steps: u64,
    hash: u64,
    change_points: Vec<u64>,
    /// The next priority a spinner gets (decreasing, below every other).
    lowest: i64,
    /// Consecutive processor switch points that were spin yields.
    spin_streak: u64,
    /// Switch points after which the run is a livelock ([`crate::MachineBuilder::step_limit`]).
    step_limit: u64,
    events: Option<Vec<String>>,
}

/// The scheduler of a [`Schedule::Serial`] machine.
pub(crate) struct Scheduler {
    st: Mutex<State>,
    /// The actor whose turn it is (`usize::MAX`: none).
    running: AtomicUsize,
    /// The machine is gone (or never serial again): every wait returns, threads run freely.
    dissolved: AtomicBool,
}

/// Processor switch points that are all spin yields before the run is declared deadlocked.
pub(crate) const DEADLOCK_SPINS: u64 = 200_000;
const NOBODY: usize = usize::MAX;

/// Why a host's wait cannot end.
#[derive(Debug)]
pub(crate) struct Stall(pub(crate) String);

fn mix(h: u64, v: u64) -> u64 {
    let mut z = (h ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^ (z >> 32)
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Scheduler {
    /// A scheduler for `processors` processors and the building thread (the first host actor,
    /// which holds the turn).
    pub(crate) fn new(
        strategy: Strategy,
        seed: u64,
        processors: usize,
        trace: bool,
        step_limit: u64,
    ) -> Self {
        let mut rng = SplitMix64::new(seed ^ 0x5C4E_D01E_D5EE_D000);
        let change_points = match strategy {
            Strategy::Pct { depth, steps } => (1..depth)
                .map(|_| 1 + rng.next_u64() % steps.max(1))
                .collect(),
            _ => Vec::new(),
        };
        let s = Scheduler {
            st: Mutex::new(State {
                actors: Vec::new(),
                rng,
                strategy,
                steps: 0,
                hash: 0xCBF2_9CE4_8422_2325,
                change_points,
                lowest: -1,
                spin_streak: 0,
                step_limit,
                events: trace.then(Vec::new),
            }),
            running: AtomicUsize::new(NOBODY),
            dissolved: AtomicBool::new(false),
        };
        {
            let mut st = lock(&s.st);
            for cpu in 0..processors {
                add_actor(&mut st, ActorKind::Processor(cpu), Status::Idle, None);
            }
            let host = add_actor(
                &mut st,
                ActorKind::Host("host"),
                Status::Runnable,
                Some(std::thread::current()),
            );
            s.running.store(host, Ordering::SeqCst);
        }
        s
    }

    pub(crate) fn dissolved(&self) -> bool {
        self.dissolved.load(Ordering::SeqCst)
    }

    /// Stops scheduling: every actor runs freely from now on (the machine is being dropped).
    pub(crate) fn dissolve(&self) {
        self.dissolved.store(true, Ordering::SeqCst);
        let st = lock(&self.st);
        for a in &st.actors {
            if let Some(t) = &a.thread {
                t.unpark();
            }
        }
    }

    /// Registers a new host actor (runnable, not running); its thread calls [`Scheduler::start`].
    pub(crate) fn add_host(&self, name: &'static str) -> usize {
        let mut st = lock(&self.st);
        add_actor(&mut st, ActorKind::Host(name), Status::Runnable, None)
    }

    /// Called first on an actor's own thread: records the thread and waits for the first turn.
    pub(crate) fn start(&self, me: usize) {
        {
            let mut st = lock(&self.st);
            st.actors[me].thread = Some(std::thread::current());
        }
        self.wait_turn(me);
    }

    fn wait_turn(&self, me: usize) {
        while self.running.load(Ordering::SeqCst) != me && !self.dissolved() {
            std::thread::park();
        }
    }

    /// Hands the turn to `next` (from the current actor `me`) and waits for it to come back
    /// (unless `me` is done).
    fn hand_over(&self, st: MutexGuard<'_, State>, me: usize, next: usize) {
        if next == me {
            return;
        }
        self.running.store(next, Ordering::SeqCst);
        let thread = if next == NOBODY {
            None
        } else {
            st.actors[next].thread.clone()
        };
        let done = st.actors[me].status == Status::Done;
        drop(st);
        if let Some(t) = thread {
            t.unpark();
        }
        if !done {
            self.wait_turn(me);
        }
    }

    /// A switch point of the running actor `me`: the event is hashed (and logged), then the
    /// strategy picks who runs next. Returns when it is `me`'s turn again. A deadlock (every
    /// processor that runs only spins for [`DEADLOCK_SPINS`] switch points) or a livelock (the
    /// step limit reached) is returned as a report naming every actor's state.
    pub(crate) fn switch_point(&self, me: usize, ev: &Event) -> Option<String> {
        if self.dissolved() {
            return None;
        }
        let mut st = lock(&self.st);
        st.steps += 1;
        let (line, column) = ev.site.map_or((0, 0), |l| (l.line(), l.column()));
        let actor_code = u64::try_from(me).unwrap_or(u64::MAX);
        let site_code = (u64::from(line) << 32) | u64::from(column);
        st.hash = mix(
            mix(
                mix(st.hash, actor_code),
                (u64::from(ev.irql) << 32) | (ev.api.len() as u64) << 8 | u64::from(ev.spin),
            ),
            site_code ^ (ev.routine.len() as u64) << 48,
        );
        let steps = st.steps;
        let kind = st.actors[me].kind;
        if let Some(events) = st.events.as_mut() {
            let kind = st_kind_name(kind);
            let site = ev
                .site
                .map_or_else(|| "-".to_owned(), std::string::ToString::to_string);
            events.push(format!(
                "{steps} {kind} irql {} {} {} {site}{}",
                ev.irql,
                ev.routine,
                ev.api,
                if ev.spin { " spin" } else { "" }
            ));
        }
        let mut deadlock = None;
        if let ActorKind::Processor(_) = st.actors[me].kind {
            if ev.spin {
                st.spin_streak += 1;
                if st.spin_streak == DEADLOCK_SPINS {
                    deadlock = Some(format!(
                        "deadlock: every processor that can run only spins ({DEADLOCK_SPINS} \
                         switch points): {}",
                        describe(&st)
                    ));
                }
            } else {
                st.spin_streak = 0;
            }
        }
        if steps >= st.step_limit {
            deadlock = Some(format!(
                "livelock: no end after {steps} switch points (actors keep running without \
                 waiting on one another): {}",
                describe(&st)
            ));
        }
        st.actors[me].spinning = ev.spin.then_some(ev.api);
        if let Strategy::Pct { depth, .. } = st.strategy
            && let Some(i) = st.change_points.iter().position(|&c| c == steps)
        {
            st.actors[me].priority = i64::from(depth) - 1 - i64::try_from(i).unwrap_or(0);
        }
        if ev.spin && matches!(st.strategy, Strategy::Pct { .. }) {
            st.lowest -= 1;
            st.actors[me].priority = st.lowest;
        }
        let next = pick(&mut st, me);
        self.hand_over(st, me, next);
        deadlock
    }

    /// Makes `actor` runnable (a processor given work, an interrupt or a DPC; a host whose
    /// work item replied).
    pub(crate) fn wake(&self, actor: usize) {
        if self.dissolved() {
            return;
        }
        let mut st = lock(&self.st);
        let a = &mut st.actors[actor];
        if matches!(a.status, Status::Idle | Status::Blocked) {
            a.status = Status::Runnable;
        }
    }

    /// The processor `me` has nothing to do: it waits until woken and picked.
    pub(crate) fn idle(&self, me: usize) {
        self.wait_as(me, Status::Idle);
    }

    /// The host `me` waits for a processor's reply. `Err` when no actor can run any more (the
    /// reply can never come: a hang), with every actor's state.
    pub(crate) fn block(&self, me: usize) -> Result<(), Stall> {
        self.wait_as(me, Status::Blocked);
        let mut st = lock(&self.st);
        if std::mem::take(&mut st.actors[me].stalled) {
            return Err(Stall(describe(&st)));
        }
        Ok(())
    }

    /// The host `me` sleeps for `steps` switch points (the returner's period).
    pub(crate) fn sleep(&self, me: usize, steps: u64) {
        let until = lock(&self.st).steps + steps;
        self.wait_as(me, Status::Sleeping(until));
    }

    fn wait_as(&self, me: usize, status: Status) {
        if self.dissolved() {
            return;
        }
        let mut st = lock(&self.st);
        st.actors[me].status = status;
        let next = pick(&mut st, me);
        self.hand_over(st, me, next);
    }

    /// Whether an actor other than `me` can run now (sleepers excluded).
    pub(crate) fn others_runnable(&self, me: usize) -> bool {
        let st = lock(&self.st);
        st.actors
            .iter()
            .enumerate()
            .any(|(i, a)| i != me && a.status == Status::Runnable)
    }

    /// `me` is finished: the turn goes to the next actor and never comes back.
    pub(crate) fn exit(&self, me: usize) {
        if self.dissolved() {
            return;
        }
        let mut st = lock(&self.st);
        st.actors[me].status = Status::Done;
        let next = pick(&mut st, me);
        self.hand_over(st, me, next);
    }

    /// Every actor's state, for a hang or deadlock report.
    pub(crate) fn describe(&self) -> String {
        describe(&lock(&self.st))
    }

    /// The trace hash so far.
    pub(crate) fn hash(&self) -> u64 {
        lock(&self.st).hash
    }

    /// Switch points so far.
    pub(crate) fn steps(&self) -> u64 {
        lock(&self.st).steps
    }

    /// The logged events (when tracing), taken.
    pub(crate) fn take_events(&self) -> Vec<String> {
        lock(&self.st)
            .events
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

fn st_kind_name(kind: ActorKind) -> String {
    match kind {
        ActorKind::Processor(i) => format!("cpu{i}"),
        ActorKind::Host(name) => name.to_owned(),
    }
}

fn add_actor(st: &mut State, kind: ActorKind, status: Status, thread: Option<Thread>) -> usize {
    let draw = st.rng.next_u64() >> 24;
    let priority = i64::try_from(draw).unwrap_or(i64::MAX) + 1_000;
    st.actors.push(Actor {
        kind,
        status,
        thread,
        priority,
        spinning: None,
        stalled: false,
    });
    st.actors.len() - 1
}

fn describe(st: &State) -> String {
    let mut out = String::new();
    for a in &st.actors {
        let what = match (a.status, &a.spinning) {
            (Status::Runnable, Some(on)) => format!("spinning in {on}"),
            (Status::Runnable, None) => "runnable".to_owned(),
            (Status::Idle, _) => "idle".to_owned(),
            (Status::Blocked, _) => "waiting for a processor".to_owned(),
            (Status::Sleeping(_), _) => "sleeping".to_owned(),
            (Status::Done, _) => "done".to_owned(),
        };
        let _ = write!(out, "{}: {what}; ", st_kind_name(a.kind));
    }
    out.trim_end_matches("; ").to_owned()
}

/// The next actor to run after a switch point of `me` (which may be `me`). When nothing can
/// run, sleepers wake early (the step clock jumps); when still nothing, a blocked host runs with
/// its wait marked stalled, so it reports the hang instead of waiting for ever.
fn pick(st: &mut State, me: usize) -> usize {
    for _ in 0..2 {
        let runnable = st
            .actors
            .iter()
            .filter(|a| a.status == Status::Runnable)
            .count();
        if runnable != 0 {
            return choose(st, me, runnable);
        }
        let wake = st
            .actors
            .iter()
            .filter_map(|a| match a.status {
                Status::Sleeping(at) => Some(at),
                _ => None,
            })
            .min();
        let Some(at) = wake else { break };
        st.steps = st.steps.max(at);
        for a in &mut st.actors {
            if matches!(a.status, Status::Sleeping(t) if t <= at) {
                a.status = Status::Runnable;
            }
        }
    }
    if let Some(i) = st.actors.iter().position(|a| a.status == Status::Blocked) {
        st.actors[i].status = Status::Runnable;
        st.actors[i].stalled = true;
        return i;
    }
    NOBODY
}

/// Picks among the `runnable` (nonzero) actors that can run. Called at every switch point:
/// it walks the few actors instead of collecting them (no allocation on the hot path).
fn choose(st: &mut State, me: usize, runnable: usize) -> usize {
    match st.strategy {
        Strategy::Random => {
            let n = st.rng.below(runnable);
            nth_runnable(st, n)
        }
        Strategy::Sticky { n } => {
            let me_runs = st
                .actors
                .get(me)
                .is_some_and(|a| a.status == Status::Runnable);
            if me_runs && st.rng.below(usize::try_from(n.max(1)).unwrap_or(1)) != 0 {
                me
            } else {
                let n = st.rng.below(runnable);
                nth_runnable(st, n)
            }
        }
        Strategy::Pct { .. } => (0..st.actors.len())
            .filter(|&i| st.actors[i].status == Status::Runnable)
            .max_by_key(|&i| (st.actors[i].priority, std::cmp::Reverse(i)))
            .unwrap_or(me),
    }
}

/// The index of the `n`-th runnable actor (in actor order).
fn nth_runnable(st: &State, n: usize) -> usize {
    (0..st.actors.len())
        .filter(|&i| st.actors[i].status == Status::Runnable)
        .nth(n)
        .unwrap_or(NOBODY)
}
