//! One virtual processor: its host thread, its IRQL, the locks it holds, the routines it is
//! running, and its interrupt windows.
//!
//! The state lives in a thread-local because it *is* per-processor state: the kernel keeps the
//! IRQL and the DPC queue in the processor control region (KPCR/KPRCB) of the processor a
//! piece of code runs on, and a virtual processor is exactly one host thread for the whole
//! life of the machine. Every `sys` function starts by finding its processor here, which is
//! also how a call from a thread that is not a processor is caught with a clear message.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, Location};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::{Job, Outcome, Shared, dpc, interrupt, lock, spinlock};
use crate::verifier::{Rule, VerifierMode, Violation};

/// `DISPATCH_LEVEL` as a `KIRQL`.
pub(crate) const DISPATCH: u8 = 2;
/// `PASSIVE_LEVEL` as a `KIRQL`.
pub(crate) const PASSIVE: u8 = 0;

/// The API family a lock was acquired or released with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// `NdisAcquireSpinLock` / `NdisReleaseSpinLock`.
    Ndis,
    /// `NdisDprAcquireSpinLock` / `NdisDprReleaseSpinLock`.
    NdisDpr,
    /// `KeAcquireSpinLockRaiseToDpc` / `KeReleaseSpinLock`.
    Ke,
    /// `KeAcquireSpinLockAtDpcLevel` / `KeReleaseSpinLockFromDpcLevel`.
    KeAtDpc,
    /// `KeTryToAcquireSpinLockAtDpcLevel` (released with `KeReleaseSpinLockFromDpcLevel`).
    KeTry,
}

impl Api {
    pub(crate) const fn acquire_name(self) -> &'static str {
        match self {
            Api::Ndis => "NdisAcquireSpinLock",
            Api::NdisDpr => "NdisDprAcquireSpinLock",
            Api::Ke => "KeAcquireSpinLockRaiseToDpc",
            Api::KeAtDpc => "KeAcquireSpinLockAtDpcLevel",
            Api::KeTry => "KeTryToAcquireSpinLockAtDpcLevel",
        }
    }

    pub(crate) const fn release_name(self) -> &'static str {
        match self {
            Api::Ndis => "NdisReleaseSpinLock",
            Api::NdisDpr => "NdisDprReleaseSpinLock",
            Api::Ke => "KeReleaseSpinLock",
            Api::KeAtDpc | Api::KeTry => "KeReleaseSpinLockFromDpcLevel",
        }
    }

    /// Whether a lock acquired with `self` may be released with `release`.
    pub(crate) fn pairs_with(self, release: Api) -> bool {
        matches!(
            (self, release),
            (Api::Ndis, Api::Ndis)
                | (Api::NdisDpr, Api::NdisDpr)
                | (Api::Ke, Api::Ke)
                | (Api::KeAtDpc | Api::KeTry, Api::KeAtDpc | Api::KeTry)
        )
    }

    /// Whether the acquire raised the IRQL (so a recovery release restores `old_irql`).
    pub(crate) const fn raises(self) -> bool {
        matches!(self, Api::Ndis | Api::Ke)
    }

    pub(crate) const fn is_ndis(self) -> bool {
        matches!(self, Api::Ndis | Api::NdisDpr)
    }
}

/// A lock this processor holds.
#[derive(Clone, Debug)]
pub(crate) struct Held {
    pub(crate) addr: usize,
    pub(crate) api: Api,
    pub(crate) old_irql: u8,
    /// `routines.len()` when it was acquired.
    pub(crate) depth: usize,
    pub(crate) since: Instant,
    /// The virtual time this processor had spent (ns) at the acquire, for the hold limit
    /// ([`Rule::SpinLockHeldTooLong`](crate::verifier::Rule::SpinLockHeldTooLong)).
    pub(crate) since_virtual: u64,
    /// The driver's call site of the acquire (for reports about the hold).
    pub(crate) acquired_at: &'static Location<'static>,
    /// A recursive or deadlocking acquire that was reported and not performed: its release is
    /// consumed without touching the lock word.
    pub(crate) phantom: bool,
}

/// What kind of routine a processor is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RoutineKind {
    WorkItem,
    Dpc,
    Isr,
    Synchronize,
    /// `MiniportDisableInterruptEx` / `MiniportEnableInterruptEx`.
    EnableDisable,
    /// A miniport handler (or `DriverEntry`, or a timer function) the host calls.
    Handler(Handler),
}

/// The miniport entry points the host calls, for rules that depend on which one is running
/// (`NdisMMapIoSpace` only in Initialize, `Flags_Irql` in Send/Return, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Handler {
    /// `DriverEntry`.
    DriverEntry,
    /// `MiniportInitializeEx`.
    Initialize,
    /// `MiniportHaltEx`.
    Halt,
    /// `MiniportDriverUnload`.
    Unload,
    /// `MiniportPause`.
    Pause,
    /// `MiniportRestart`.
    Restart,
    /// `MiniportOidRequest`.
    OidRequest,
    /// `MiniportCancelOidRequest`.
    CancelOidRequest,
    /// `MiniportSendNetBufferLists`.
    Send,
    /// `MiniportReturnNetBufferLists`.
    Return,
    /// `MiniportCancelSend`.
    CancelSend,
    /// `MiniportCheckForHangEx`.
    CheckForHang,
    /// `MiniportResetEx`.
    Reset,
    /// `MiniportDevicePnPEventNotify`.
    DevicePnPEventNotify,
    /// `MiniportShutdownEx`.
    Shutdown,
    /// An `NDIS_TIMER_FUNCTION`.
    Timer,
}

impl Handler {
    /// The handler's documented name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Handler::DriverEntry => "DriverEntry",
            Handler::Initialize => "MiniportInitializeEx",
            Handler::Halt => "MiniportHaltEx",
            Handler::Unload => "MiniportDriverUnload",
            Handler::Pause => "MiniportPause",
            Handler::Restart => "MiniportRestart",
            Handler::OidRequest => "MiniportOidRequest",
            Handler::CancelOidRequest => "MiniportCancelOidRequest",
            Handler::Send => "MiniportSendNetBufferLists",
            Handler::Return => "MiniportReturnNetBufferLists",
            Handler::CancelSend => "MiniportCancelSend",
            Handler::CheckForHang => "MiniportCheckForHangEx",
            Handler::Reset => "MiniportResetEx",
            Handler::DevicePnPEventNotify => "MiniportDevicePnPEventNotify",
            Handler::Shutdown => "MiniportShutdownEx",
            Handler::Timer => "NDIS_TIMER_FUNCTION",
        }
    }
}

impl RoutineKind {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            RoutineKind::WorkItem => "run_on work item",
            RoutineKind::Dpc => "MiniportInterruptDPC",
            RoutineKind::Isr => "MiniportInterrupt",
            RoutineKind::Synchronize => "MiniportSynchronizeInterrupt",
            RoutineKind::EnableDisable => "MiniportDisableInterruptEx/MiniportEnableInterruptEx",
            RoutineKind::Handler(h) => h.name(),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Routine {
    pub(crate) kind: RoutineKind,
    pub(crate) entry_irql: u8,
    pub(crate) held_len: usize,
    pub(crate) location: &'static Location<'static>,
}

#[derive(Default)]
pub(crate) struct CpuState {
    irql: u8,
    held: Vec<Held>,
    routines: Vec<Routine>,
    reply: Option<(mpsc::SyncSender<Outcome>, Option<usize>)>,
}

/// A virtual processor, as seen from its own thread.
pub(crate) struct Cpu {
    pub(crate) index: usize,
    pub(crate) shared: Arc<Shared>,
    st: RefCell<CpuState>,
    /// The `sys` function being entered and its call site, for the schedule's trace.
    api: Cell<&'static str>,
    site: Cell<Option<&'static Location<'static>>>,
    /// Set while the processor spins on something another actor must change.
    spinning: Cell<bool>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Cpu>>> = const { RefCell::new(None) };
    /// The host actor this (non-processor) thread is, per serial machine (by `Shared` address).
    static HOST_ACTOR: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

/// Makes the calling thread host actor `actor` of `shared`'s serial machine.
pub(crate) fn set_host_actor(shared: &Shared, actor: usize) {
    let key = std::ptr::from_ref(shared) as usize;
    HOST_ACTOR.with(|h| {
        let mut h = h.borrow_mut();
        h.retain(|&(k, _)| k != key);
        h.push((key, actor));
    });
}

/// The host actor the calling thread is on `shared`'s serial machine, if any.
pub(crate) fn host_actor(shared: &Shared) -> Option<usize> {
    let key = std::ptr::from_ref(shared) as usize;
    HOST_ACTOR.with(|h| h.borrow().iter().find(|&&(k, _)| k == key).map(|&(_, a)| a))
}

/// The processor the calling thread is; panics with a clear message on any other thread.
pub(crate) fn current(api: &str) -> Rc<Cpu> {
    CURRENT.with(|c| c.borrow().clone()).unwrap_or_else(|| {
        panic!(
            "ndis-sim: {api} was called on host thread {:?}, which is not a virtual \
                 processor; call sys functions only inside Machine::run_on / run_all (or in the \
                 driver callbacks the simulator calls)",
            std::thread::current().name().unwrap_or("<unnamed>")
        )
    })
}

/// Whether the calling thread is processor `cpu` of this machine.
pub(crate) fn is_processor_of(shared: &Arc<Shared>, cpu: usize) -> bool {
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|me| me.index == cpu && Arc::ptr_eq(&me.shared, shared))
    })
}

impl Cpu {
    /// Records the `sys` function being entered (and its call site, when known) for the trace.
    pub(crate) fn entering(&self, api: &'static str, site: Option<&'static Location<'static>>) {
        self.api.set(api);
        if site.is_some() {
            self.site.set(site);
        }
    }

    /// Runs `f` as a spin on something another actor must change: its switch points are spin
    /// yields (see `schedule`).
    pub(crate) fn spin<R>(&self, f: impl FnOnce() -> R) -> R {
        let was = self.spinning.replace(true);
        let r = f();
        self.spinning.set(was);
        r
    }

    pub(crate) fn irql(&self) -> u8 {
        self.st.borrow().irql
    }

    pub(crate) fn set_irql(&self, irql: u8) {
        self.st.borrow_mut().irql = irql;
    }

    pub(crate) fn routine_depth(&self) -> usize {
        self.st.borrow().routines.len()
    }

    /// Whether the innermost routine runs at DIRQL for an interrupt (ISR or synchronize
    /// callback).
    pub(crate) fn in_interrupt_routine(&self) -> bool {
        self.st.borrow().routines.last().is_some_and(|r| {
            matches!(
                r.kind,
                RoutineKind::Isr | RoutineKind::Synchronize | RoutineKind::EnableDisable
            )
        })
    }

    /// Whether `handler` is running on this processor (anywhere on its routine stack: an ISR
    /// nested in Initialize still counts as inside Initialize).
    pub(crate) fn in_handler(&self, handler: Handler) -> bool {
        self.st
            .borrow()
            .routines
            .iter()
            .any(|r| r.kind == RoutineKind::Handler(handler))
    }

    /// The innermost miniport handler running on this processor, if any.
    pub(crate) fn current_handler(&self) -> Option<Handler> {
        self.st
            .borrow()
            .routines
            .iter()
            .rev()
            .find_map(|r| match r.kind {
                RoutineKind::Handler(h) => Some(h),
                _ => None,
            })
    }

    pub(crate) fn routine_kind(&self) -> Option<RoutineKind> {
        self.st.borrow().routines.last().map(|r| r.kind)
    }

    /// Index (from the bottom) of the topmost held entry for `addr`.
    pub(crate) fn find_held(&self, addr: usize) -> Option<usize> {
        self.st.borrow().held.iter().rposition(|h| h.addr == addr)
    }

    pub(crate) fn holds_really(&self, addr: usize) -> bool {
        self.st
            .borrow()
            .held
            .iter()
            .any(|h| h.addr == addr && !h.phantom)
    }

    pub(crate) fn held_at(&self, i: usize) -> Held {
        self.st.borrow().held[i].clone()
    }

    pub(crate) fn held_len(&self) -> usize {
        self.st.borrow().held.len()
    }

    pub(crate) fn push_held(&self, h: Held) {
        self.st.borrow_mut().held.push(h);
    }

    pub(crate) fn remove_held(&self, i: usize) -> Held {
        self.st.borrow_mut().held.remove(i)
    }

    /// Distinct addresses of the locks really held (for the lock graph).
    pub(crate) fn held_addrs(&self) -> Vec<usize> {
        let st = self.st.borrow();
        let mut v: Vec<usize> = st
            .held
            .iter()
            .filter(|h| !h.phantom)
            .map(|h| h.addr)
            .collect();
        v.dedup();
        v
    }

    /// NDIS locks acquired in the innermost routine and still held.
    pub(crate) fn ndis_locks_held_here(&self) -> Vec<usize> {
        let st = self.st.borrow();
        let depth = st.routines.len();
        st.held
            .iter()
            .filter(|h| h.api.is_ndis() && h.depth == depth)
            .map(|h| h.addr)
            .collect()
    }
}

/// The body of a processor thread: run work items, and poll for interrupts and DPCs when idle.
pub(crate) fn processor_main(index: usize, shared: &Arc<Shared>) {
    let cpu = Rc::new(Cpu {
        index,
        shared: Arc::clone(shared),
        st: RefCell::new(CpuState::default()),
        api: Cell::new("idle loop"),
        site: Cell::new(None),
        spinning: Cell::new(false),
    });
    CURRENT.with(|c| *c.borrow_mut() = Some(Rc::clone(&cpu)));
    if let Some(s) = &shared.sched {
        s.start(index);
    }
    let p = &shared.procs[index];
    loop {
        let serial = shared.sched.as_ref().filter(|s| !s.dissolved());
        let job = {
            let mut w = lock(&p.work);
            loop {
                if shared.halted.load(Ordering::SeqCst) {
                    drop(w);
                    freeze(&cpu);
                }
                if let Some(job) = w.jobs.pop_front() {
                    break Some(job);
                }
                if w.shutdown {
                    return;
                }
                if p.has_irq.load(Ordering::SeqCst) || p.has_dpc.load(Ordering::SeqCst) {
                    break None;
                }
                if let Some(s) = serial {
                    // Nothing to do: give the turn away until given work, an interrupt or a
                    // DPC (kick), then look again.
                    drop(w);
                    s.idle(index);
                    w = lock(&p.work);
                    if s.dissolved() {
                        break None;
                    }
                    continue;
                }
                w = p
                    .wake
                    .wait_timeout(w, Duration::from_millis(2))
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
            }
        };
        if let Some(job) = job {
            run_job(&cpu, job);
        } else {
            // The idle loop is an interrupt window too.
            window(&cpu);
            if serial.is_none() {
                std::thread::yield_now();
            }
        }
    }
}

fn run_job(cpu: &Cpu, job: Job) {
    let Job {
        f,
        reply,
        location,
        submitter,
    } = job;
    cpu.st.borrow_mut().reply = Some((reply, submitter));
    begin_routine(cpu, RoutineKind::WorkItem, location);
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    match result {
        Ok(()) => {
            end_routine(cpu);
            window(cpu);
            let reply = cpu.st.borrow_mut().reply.take();
            if let Some((reply, submitter)) = reply {
                Job::answer(&cpu.shared, &reply, submitter, Outcome::Done);
            }
        }
        Err(payload) => {
            cpu.shared.halt(format!(
                "ndis-sim: a work item panicked on processor {} (seed {:#x}; replay with \
                 NDIS_SIM_SEED={:#x}); the machine halts like a bug check",
                cpu.index, cpu.shared.seed, cpu.shared.seed
            ));
            let reply = {
                let mut st = cpu.st.borrow_mut();
                st.irql = PASSIVE;
                st.held.clear();
                st.routines.clear();
                st.reply.take()
            };
            if let Some((reply, submitter)) = reply {
                Job::answer(&cpu.shared, &reply, submitter, Outcome::Panicked(payload));
            }
        }
    }
}

/// Stops this processor for ever (the machine has halted): answers the work item it runs and
/// the queued ones, then parks. Never returns, and never touches the work item's borrows again.
pub(crate) fn freeze(cpu: &Cpu) -> ! {
    let message = cpu.shared.halt_message();
    let reply = cpu.st.borrow_mut().reply.take();
    let p = &cpu.shared.procs[cpu.index];
    let jobs = {
        let mut w = lock(&p.work);
        w.frozen = true;
        std::mem::take(&mut w.jobs)
    };
    if let Some((reply, submitter)) = reply {
        Job::answer(
            &cpu.shared,
            &reply,
            submitter,
            Outcome::Halted(message.clone()),
        );
    }
    for job in jobs {
        let Job {
            f,
            reply,
            submitter,
            ..
        } = job;
        drop(f);
        Job::answer(
            &cpu.shared,
            &reply,
            submitter,
            Outcome::Halted(message.clone()),
        );
    }
    if let Some(s) = &cpu.shared.sched {
        s.exit(cpu.index);
    }
    loop {
        std::thread::park();
    }
}

/// Freezes this processor if the machine has halted.
pub(crate) fn check_halt(cpu: &Cpu) {
    if cpu.shared.halted.load(Ordering::SeqCst) {
        freeze(cpu);
    }
}

/// An interrupt window: deliver every ready interrupt whose DIRQL is above the current IRQL
/// (nested on this thread's stack), and run queued DPCs while the IRQL is below
/// `DISPATCH_LEVEL`.
pub(crate) fn window(cpu: &Cpu) {
    check_halt(cpu);
    if cpu.shared.shutting_down.load(Ordering::SeqCst) {
        return;
    }
    if let Some(s) = &cpu.shared.sched {
        switch_point(cpu, s);
        check_halt(cpu);
    }
    let p = &cpu.shared.procs[cpu.index];
    loop {
        if p.has_irq.load(Ordering::SeqCst)
            && let Some(irq) = interrupt::take_ready(cpu)
        {
            interrupt::deliver(cpu, &irq);
            if cpu.shared.shutting_down.load(Ordering::SeqCst) {
                return;
            }
            continue;
        }
        if cpu.irql() < DISPATCH
            && p.has_dpc.load(Ordering::SeqCst)
            && let Some(d) = dpc::pop(cpu)
        {
            dpc::run(cpu, d);
            continue;
        }
        break;
    }
    if p.has_irq.load(Ordering::SeqCst) {
        interrupt::tick(cpu);
    }
}

/// A switch point of a serial machine: the scheduler may run another actor before this
/// processor goes on. A deadlock it reports (every runnable processor only spinning) is a
/// `LockOrder` violation naming what each actor waits for.
fn switch_point(cpu: &Cpu, s: &super::schedule::Scheduler) {
    let routine = cpu
        .st
        .borrow()
        .routines
        .last()
        .map_or("idle", |r| r.kind.name());
    let ev = super::schedule::Event {
        irql: cpu.irql(),
        routine,
        api: cpu.api.get(),
        site: cpu.site.get(),
        spin: cpu.spinning.get(),
    };
    if let Some(wait) = s.switch_point(cpu.index, &ev) {
        let site = cpu.site.get().unwrap_or_else(Location::caller);
        violation(cpu, Rule::LockOrder, site, wait.clone());
        // Nothing can change any more, in either mode: stop the machine like a bug check.
        cpu.shared.halt(format!(
            "ndis-sim: processor {} cannot go on (seed {:#x}): {wait}",
            cpu.index, cpu.shared.seed
        ));
        freeze(cpu);
    }
}

/// A switch point of a host actor (a thread that is not a processor) on a serial machine:
/// the scheduler may run another actor first. `spin`: the host polls for something another
/// actor must do; `Err` when no other actor can run any more (the wait is a hang), with every
/// actor's state. Nothing on a free machine or from a thread that is not an actor.
pub(crate) fn host_switch(
    shared: &Shared,
    api: &'static str,
    spin: bool,
) -> Result<(), super::schedule::Stall> {
    let Some(s) = shared.sched.as_ref().filter(|s| !s.dissolved()) else {
        return Ok(());
    };
    let Some(me) = host_actor(shared) else {
        return Ok(());
    };
    let ev = super::schedule::Event {
        irql: PASSIVE,
        routine: "host",
        api,
        site: None,
        spin,
    };
    if let Some(stuck) = s.switch_point(me, &ev) {
        // A host looping past the step limit: the run cannot end.
        panic!("ndis-sim: {stuck} (seed {:#x})", shared.seed);
    }
    if spin && !s.others_runnable(me) {
        return Err(super::schedule::Stall(s.describe()));
    }
    Ok(())
}

/// Sets the IRQL to `new` (at or below the current one) and opens a window, so interrupts and
/// DPCs that were masked are delivered at once, as on hardware.
pub(crate) fn lower_irql(cpu: &Cpu, new: u8) {
    cpu.set_irql(new);
    window(cpu);
}

/// Records a violation; in `BugCheck` mode prints the report and the seed, halts the machine
/// and freezes this processor (never returns then).
pub(crate) fn violation(
    cpu: &Cpu,
    rule: Rule,
    location: &'static Location<'static>,
    detail: String,
) {
    let v = Violation {
        rule,
        bug_check: rule.bug_check(),
        parameter1: rule.parameter1(),
        location,
        processor: cpu.index,
        irql: cpu.irql(),
        detail,
    };
    lock(&cpu.shared.verifier.violations).push(v.clone());
    if cpu.shared.mode == VerifierMode::BugCheck {
        let report = cpu.shared.report();
        let message = format!(
            "ndis-sim: BUG CHECK on processor {}: {v}\nseed {:#x}: replay with NDIS_SIM_SEED={:#x}\n{report}",
            cpu.index, cpu.shared.seed, cpu.shared.seed
        );
        eprintln!("{message}");
        cpu.shared.halt(message);
        freeze(cpu);
    }
}

/// Runs `f` as miniport handler `handler` on `cpu`: the routine checks of [`end_routine`] apply
/// when it returns (locks released, IRQL back where it was).
pub(crate) fn run_handler<R>(
    cpu: &Cpu,
    handler: Handler,
    location: &'static Location<'static>,
    f: impl FnOnce() -> R,
) -> R {
    begin_routine(cpu, RoutineKind::Handler(handler), location);
    let r = f();
    end_routine(cpu);
    r
}

pub(crate) fn begin_routine(cpu: &Cpu, kind: RoutineKind, location: &'static Location<'static>) {
    let mut st = cpu.st.borrow_mut();
    let entry_irql = st.irql;
    let held_len = st.held.len();
    st.routines.push(Routine {
        kind,
        entry_irql,
        held_len,
        location,
    });
}

/// The checks at the end of a routine: every lock acquired in it released (`SpinLock`, NDIS
/// `SpinLock` / `SpinLockDpr`), and the IRQL back where it was (`IrqlReturn`, or 0x111 for an
/// ISR). The recovery releases the leftover locks and restores the IRQL.
pub(crate) fn end_routine(cpu: &Cpu) {
    let routine = cpu
        .st
        .borrow()
        .routines
        .last()
        .cloned()
        .expect("ndis-sim: routine stack underflow");
    loop {
        let leftover = {
            let mut st = cpu.st.borrow_mut();
            if st.held.len() > routine.held_len {
                st.held.pop()
            } else {
                None
            }
        };
        let Some(h) = leftover else { break };
        let rule = match h.api {
            Api::Ke | Api::KeAtDpc | Api::KeTry => Rule::SpinLock,
            Api::Ndis => Rule::NdisSpinLock,
            Api::NdisDpr => Rule::NdisSpinLockDpr,
        };
        let name = spinlock::name(&cpu.shared, h.addr);
        let also = if h.api.is_ndis() {
            "; Driver Verifier would see the expansion as SpinLock (0xC4, P1 0x00040009)"
        } else {
            ""
        };
        violation(
            cpu,
            rule,
            routine.location,
            format!(
                "lock {name} acquired with {} in this {} is still held when it returns{also}; \
                 the simulator releases it",
                h.api.acquire_name(),
                routine.kind.name()
            ),
        );
        if !h.phantom {
            spinlock::force_release(cpu, &h);
        }
        if h.api.raises() {
            cpu.set_irql(h.old_irql);
        }
    }
    let irql = cpu.irql();
    if irql != routine.entry_irql {
        let rule = if routine.kind == RoutineKind::Isr {
            Rule::IsrReturnedAtWrongIrql
        } else {
            Rule::IrqlReturn
        };
        violation(
            cpu,
            rule,
            routine.location,
            format!(
                "{} was entered at IRQL {} and returns at IRQL {irql}; the simulator restores it",
                routine.kind.name(),
                routine.entry_irql
            ),
        );
        cpu.set_irql(routine.entry_irql);
    }
    cpu.st.borrow_mut().routines.pop();
}
