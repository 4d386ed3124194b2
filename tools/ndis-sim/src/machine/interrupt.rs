//! Line-based, level-triggered interrupts: registration, the seeded choice of processor and
//! window, delivery nested on the chosen processor's stack, and the interrupt's spin lock.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use super::processor::{self, Cpu, RoutineKind, begin_routine, end_routine, violation};
use super::{Shared, dpc, lock};
use crate::lock_word::{self, Acquired, Spin};
use crate::sys;
use crate::verifier::Rule;

/// How many interrupt windows at most pass between an assertion and its delivery (the exact
/// number, `0..WINDOW_SPREAD`, is drawn from the seed).
pub(crate) const WINDOW_SPREAD: usize = 4;

/// The DIRQL of a line: 5 + line mod 8 (5..=12), so higher lines preempt lower ones.
pub(crate) fn dirql_of(line: u32) -> u8 {
    5 + u8::try_from(line % 8).unwrap_or(0)
}

/// A registered interrupt (what `NdisMRegisterInterruptEx` returns a handle to).
pub(crate) struct InterruptObj {
    pub(crate) line: u32,
    pub(crate) dirql: u8,
    pub(crate) context: usize,
    pub(crate) isr: sys::MINIPORT_ISR_HANDLER,
    pub(crate) dpc: sys::MINIPORT_INTERRUPT_DPC_HANDLER,
    pub(crate) disable: sys::MINIPORT_DISABLE_INTERRUPT_HANDLER,
    pub(crate) enable: sys::MINIPORT_ENABLE_INTERRUPT_HANDLER,
    /// The interrupt spin lock (held around the ISR and synchronize callbacks).
    pub(crate) lock: AtomicU64,
    /// `NdisMDeregisterInterruptEx` was entered: no new ISR or DPC call starts (the ones
    /// in flight finish, and may still synchronize with the interrupt).
    pub(crate) deregistering: AtomicBool,
    /// `NdisMDeregisterInterruptEx` returned: the handle is dead (synchronizing or queueing a
    /// DPC with it is a violation).
    pub(crate) deregistered: AtomicBool,
    pub(crate) dpc_queued: Vec<AtomicBool>,
    pub(crate) running_dpcs: AtomicUsize,
    pub(crate) running_isrs: AtomicUsize,
    pub(crate) registered_at: &'static Location<'static>,
}

impl InterruptObj {
    /// The key of the interrupt spin lock in the lock registry (its address).
    pub(crate) fn lock_key(&self) -> usize {
        std::ptr::from_ref(&self.lock) as usize
    }
}

#[derive(Default)]
pub(crate) struct LineState {
    pub(crate) asserted: bool,
    /// A delivery is queued on some processor.
    pub(crate) pending: bool,
    pub(crate) interrupt: Option<Arc<InterruptObj>>,
}

pub(crate) struct PendingIrq {
    irq: Arc<InterruptObj>,
    countdown: usize,
}

/// Queues a delivery for an asserted line with a registered interrupt, on a processor and after
/// a number of windows drawn from the seed. Called with the lines table locked.
pub(crate) fn arm(shared: &Shared, st: &mut LineState) {
    if !st.asserted || st.pending {
        return;
    }
    let Some(irq) = st.interrupt.clone() else {
        return;
    };
    let (cpu, countdown) = {
        let mut rng = lock(&shared.rng);
        (rng.below(shared.processors()), rng.below(WINDOW_SPREAD))
    };
    st.pending = true;
    let p = &shared.procs[cpu];
    lock(&p.pending_irqs).push(PendingIrq { irq, countdown });
    p.has_irq.store(true, Ordering::SeqCst);
    shared.kick(cpu);
}

/// The next interrupt ready on this processor above its current IRQL (highest DIRQL first).
pub(crate) fn take_ready(cpu: &Cpu) -> Option<Arc<InterruptObj>> {
    let irql = cpu.irql();
    let p = &cpu.shared.procs[cpu.index];
    let mut pending = lock(&p.pending_irqs);
    let best = pending
        .iter()
        .enumerate()
        .filter(|(_, e)| e.countdown == 0 && e.irq.dirql > irql)
        .max_by_key(|(_, e)| e.irq.dirql)
        .map(|(i, _)| i)?;
    let e = pending.remove(best);
    if pending.is_empty() {
        p.has_irq.store(false, Ordering::SeqCst);
    }
    Some(e.irq)
}

/// One window passed: count it for every pending interrupt not masked by the current IRQL.
pub(crate) fn tick(cpu: &Cpu) {
    let irql = cpu.irql();
    let mut pending = lock(&cpu.shared.procs[cpu.index].pending_irqs);
    for e in pending.iter_mut().filter(|e| e.irq.dirql > irql) {
        e.countdown = e.countdown.saturating_sub(1);
    }
}

/// Delivers `irq` on this processor: raise to DIRQL, take the interrupt lock, call the ISR,
/// check the routine's end (0x111), release, lower, queue the DPCs the ISR asked for, and
/// re-arm the line if it is still asserted (level-triggered).
pub(crate) fn deliver(cpu: &Cpu, irq: &Arc<InterruptObj>) {
    let shared = Arc::clone(&cpu.shared);
    {
        let mut lines = lock(&shared.lines);
        let st = lines.entry(irq.line).or_default();
        let current = st.interrupt.as_ref().is_some_and(|i| Arc::ptr_eq(i, irq));
        if current {
            st.pending = false;
        }
        if !current || !st.asserted || irq.deregistering.load(Ordering::SeqCst) {
            return;
        }
        irq.running_isrs.fetch_add(1, Ordering::SeqCst);
    }
    let old = cpu.irql();
    cpu.set_irql(irq.dirql);
    begin_routine(cpu, RoutineKind::Isr, irq.registered_at);
    let locked = acquire_interrupt_lock(cpu, irq, irq.registered_at);
    let mut queue_default: sys::BOOLEAN = 0;
    let mut targets: sys::ULONG = 0;
    shared.counters.isr_calls.fetch_add(1, Ordering::Relaxed);
    let claimed = match irq.isr {
        // SAFETY: the driver registered this ISR with this context (MINIPORT_ISR); both out
        // parameters are valid for the call.
        Some(isr) => unsafe {
            isr(
                irq.context as sys::NDIS_HANDLE,
                &raw mut queue_default,
                &raw mut targets,
            )
        },
        None => 0,
    };
    end_routine(cpu);
    if let Some(since) = locked {
        release_interrupt_lock(cpu, irq, since);
    }
    cpu.set_irql(old);
    irq.running_isrs.fetch_sub(1, Ordering::SeqCst);
    if claimed != 0 {
        shared.counters.isr_claimed.fetch_add(1, Ordering::Relaxed);
    }
    if queue_default != 0 {
        dpc::queue(&shared, irq, cpu.index, 0);
    }
    for target in 0..shared.processors().min(32) {
        if targets & (1 << target) != 0 {
            dpc::queue(&shared, irq, target, 0);
        }
    }
    let mut lines = lock(&shared.lines);
    let st = lines.entry(irq.line).or_default();
    if st.interrupt.as_ref().is_some_and(|i| Arc::ptr_eq(i, irq)) {
        arm(&shared, st);
    }
}

/// What NDIS does for diagnostics: calls `MiniportDisableInterruptEx` (or the Enable handler)
/// of the interrupt registered on `line`, at its DIRQL holding its spin lock, as a routine (the
/// IRQL and leftover locks are checked at its end). Returns false when no interrupt or no such
/// handler is registered.
pub(crate) fn call_enable_disable(
    cpu: &Cpu,
    line: u32,
    enable: bool,
    location: &'static Location<'static>,
) -> bool {
    let irq = lock(&cpu.shared.lines)
        .get(&line)
        .and_then(|st| st.interrupt.clone());
    let Some(irq) = irq else { return false };
    let Some(handler) = (if enable { irq.enable } else { irq.disable }) else {
        return false;
    };
    let old = cpu.irql();
    if old < irq.dirql {
        cpu.set_irql(irq.dirql);
    }
    begin_routine(cpu, RoutineKind::EnableDisable, location);
    let locked = acquire_interrupt_lock(cpu, &irq, location);
    // SAFETY: the driver registered this handler with this context (MINIPORT_DISABLE_INTERRUPT /
    // MINIPORT_ENABLE_INTERRUPT), callable at DIRQL until deregistration.
    unsafe { handler(irq.context as sys::NDIS_HANDLE) };
    end_routine(cpu);
    if let Some(since) = locked {
        release_interrupt_lock(cpu, &irq, since);
    }
    processor::lower_irql(cpu, old);
    true
}

/// Takes the interrupt's spin lock (the IRQL is already DIRQL). A processor that already holds
/// it (a synchronize call from the ISR or from a synchronize callback) is reported as
/// `SPIN_LOCK_ALREADY_OWNED` and goes on without it. Returns when the lock was taken (`None`:
/// not taken). Its statistics are kept under the name `interrupt line N`.
pub(crate) fn acquire_interrupt_lock(
    cpu: &Cpu,
    irq: &InterruptObj,
    location: &'static Location<'static>,
) -> Option<Instant> {
    let me = lock_word::owner_word(cpu.index);
    if irq.lock.load(Ordering::SeqCst) == me {
        violation(
            cpu,
            Rule::SpinLockAlreadyOwned,
            location,
            format!(
                "the interrupt spin lock of line {} is already held by this processor \
                 (NdisMSynchronizeWithInterruptEx from the ISR or a synchronize callback); \
                 not taken again",
                irq.line
            ),
        );
        return None;
    }
    let start = Instant::now();
    // Published so a spin-lock acquire elsewhere can see a wait-for cycle through this lock.
    let waiting = &cpu.shared.procs[cpu.index].waiting_for;
    waiting.store(irq.lock_key(), Ordering::SeqCst);
    let mut rounds: u32 = 0;
    let got = lock_word::acquire(&irq.lock, me, |_| {
        if cpu.shared.halted.load(Ordering::SeqCst) {
            return Spin::Abandon;
        }
        cpu.spin(|| processor::window(cpu));
        rounds = rounds.wrapping_add(1);
        if cpu.shared.sched.is_none()
            && rounds.is_multiple_of(crate::machine::spinlock::HOST_YIELD_EVERY)
        {
            std::thread::yield_now();
        }
        Spin::Continue
    });
    waiting.store(0, Ordering::SeqCst);
    let Acquired::Taken { contended } = got else {
        processor::freeze(cpu);
    };
    let spin = start.elapsed();
    cpu.shared.verifier.with_lock(irq.lock_key(), |i| {
        i.owner = Some(cpu.index);
        i.stats.record_acquire(contended, spin);
    });
    Some(Instant::now())
}

pub(crate) fn release_interrupt_lock(cpu: &Cpu, irq: &InterruptObj, since: Instant) {
    let hold = since.elapsed();
    cpu.shared.verifier.with_lock(irq.lock_key(), |i| {
        i.owner = None;
        i.stats.record_hold(hold);
    });
    // The word is ours: only this processor can have taken it.
    let _ = lock_word::release(&irq.lock, lock_word::owner_word(cpu.index));
}

/// Finds the interrupt an `NdisInterruptHandle` names; panics on anything else (an invalid
/// handle is a crash in the kernel too).
pub(crate) fn resolve(shared: &Shared, handle: sys::NDIS_HANDLE, api: &str) -> Arc<InterruptObj> {
    lock(&shared.interrupts)
        .iter()
        .find(|i| {
            core::ptr::eq(
                Arc::as_ptr(i).cast::<core::ffi::c_void>(),
                handle.cast_const(),
            )
        })
        .cloned()
        .unwrap_or_else(|| {
            panic!("ndis-sim: {api}: {handle:p} is not an NdisInterruptHandle of this machine")
        })
}

/// A level-triggered interrupt line of a [`Machine`](crate::Machine). Cloning gives another
/// handle to the same line; any thread (a processor or the host) may assert or deassert it.
#[derive(Clone)]
pub struct InterruptLine {
    shared: Arc<Shared>,
    line: u32,
}

impl InterruptLine {
    pub(crate) fn new(shared: Arc<Shared>, line: u32) -> Self {
        Self { shared, line }
    }

    /// The line number.
    #[must_use]
    pub fn number(&self) -> u32 {
        self.line
    }

    /// Asserts the line. While it stays asserted and an interrupt is registered on it, the ISR
    /// is called again after each return (level-triggered), on a processor and at a window
    /// drawn from the seed.
    pub fn assert(&self) {
        let mut lines = lock(&self.shared.lines);
        let st = lines.entry(self.line).or_default();
        if !st.asserted {
            st.asserted = true;
            self.shared
                .counters
                .line_assertions
                .fetch_add(1, Ordering::Relaxed);
        }
        arm(&self.shared, st);
    }

    /// Deasserts the line (a pending delivery is dropped when its window comes).
    pub fn deassert(&self) {
        lock(&self.shared.lines)
            .entry(self.line)
            .or_default()
            .asserted = false;
    }

    /// Whether the line is asserted.
    #[must_use]
    pub fn is_asserted(&self) -> bool {
        lock(&self.shared.lines)
            .get(&self.line)
            .is_some_and(|s| s.asserted)
    }
}

impl core::fmt::Debug for InterruptLine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InterruptLine")
            .field("line", &self.line)
            .field("asserted", &self.is_asserted())
            .finish_non_exhaustive()
    }
}
