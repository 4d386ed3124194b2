//! DPCs: one DPC object per interrupt per processor and one per timer object (queuing one that
//! is already queued does nothing, like `KeInsertQueueDpc`), run at `DISPATCH_LEVEL` when the
//! processor's IRQL drops below `DISPATCH_LEVEL`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::interrupt::InterruptObj;
use super::processor::{Cpu, DISPATCH, RoutineKind, begin_routine, end_routine};
use super::timer::{self, TimerObj};
use super::{Shared, lock};
use crate::sys;

pub(crate) enum QueuedDpc {
    /// The `MiniportInterruptDPC` of an interrupt.
    Interrupt {
        irq: Arc<InterruptObj>,
        context: usize,
    },
    /// The DPC of an expired timer object: its `NDIS_TIMER_FUNCTION` with `context`.
    Timer {
        timer: Arc<TimerObj>,
        context: usize,
    },
}

/// Queues the interrupt's DPC on `cpu`; false when it was already queued there.
pub(crate) fn queue(shared: &Shared, irq: &Arc<InterruptObj>, cpu: usize, context: usize) -> bool {
    if irq.dpc_queued[cpu].swap(true, Ordering::SeqCst) {
        return false;
    }
    let p = &shared.procs[cpu];
    lock(&p.dpcs).push_back(QueuedDpc::Interrupt {
        irq: Arc::clone(irq),
        context,
    });
    p.has_dpc.store(true, Ordering::SeqCst);
    shared.counters.dpcs_queued.fetch_add(1, Ordering::Relaxed);
    shared.kick(cpu);
    true
}

/// Queues the DPC of an expired timer object on `cpu`; false when it was already queued (on any
/// processor: a timer has one DPC object).
pub(crate) fn queue_timer(
    shared: &Shared,
    timer: &Arc<TimerObj>,
    cpu: usize,
    context: usize,
) -> bool {
    if timer.dpc_queued.swap(true, Ordering::SeqCst) {
        return false;
    }
    let p = &shared.procs[cpu];
    lock(&p.dpcs).push_back(QueuedDpc::Timer {
        timer: Arc::clone(timer),
        context,
    });
    p.has_dpc.store(true, Ordering::SeqCst);
    shared.kick(cpu);
    true
}

pub(crate) fn pop(cpu: &Cpu) -> Option<QueuedDpc> {
    let p = &cpu.shared.procs[cpu.index];
    let mut q = lock(&p.dpcs);
    let d = q.pop_front();
    if q.is_empty() {
        p.has_dpc.store(false, Ordering::SeqCst);
    }
    if let Some(QueuedDpc::Timer { timer, .. }) = &d {
        // Counted as running before it stops counting as queued, under the queue lock, so
        // a flush never sees the timer's DPC as neither.
        timer.running.fetch_add(1, Ordering::SeqCst);
        timer.dpc_queued.store(false, Ordering::SeqCst);
    }
    drop(q);
    if let Some(QueuedDpc::Interrupt { irq, .. }) = &d {
        irq.dpc_queued[cpu.index].store(false, Ordering::SeqCst);
    }
    d
}

/// Removes the queued DPC of `timer`, if any (it is being freed). Returns whether one was.
pub(crate) fn cancel_timer(shared: &Shared, timer: &Arc<TimerObj>) -> bool {
    let mut removed = false;
    for p in &shared.procs {
        let mut q = lock(&p.dpcs);
        let before = q.len();
        q.retain(|d| !matches!(d, QueuedDpc::Timer { timer: t, .. } if Arc::ptr_eq(t, timer)));
        removed |= q.len() != before;
        if q.is_empty() {
            p.has_dpc.store(false, Ordering::SeqCst);
        }
    }
    timer.dpc_queued.store(false, Ordering::SeqCst);
    removed
}

/// Removes every queued DPC of `irq` (it is being deregistered).
pub(crate) fn cancel(shared: &Shared, irq: &Arc<InterruptObj>) {
    for (i, p) in shared.procs.iter().enumerate() {
        let mut q = lock(&p.dpcs);
        q.retain(|d| !matches!(d, QueuedDpc::Interrupt { irq: i, .. } if Arc::ptr_eq(i, irq)));
        if q.is_empty() {
            p.has_dpc.store(false, Ordering::SeqCst);
        }
        irq.dpc_queued[i].store(false, Ordering::SeqCst);
    }
}

/// Runs one DPC: an interrupt's (below) or a timer's (`timer::run_dpc`).
pub(crate) fn run(cpu: &Cpu, d: QueuedDpc) {
    match d {
        QueuedDpc::Interrupt { irq, context } => {
            if run_interrupt_dpc(cpu, &irq, context) {
                // MoreNblsPending: NDIS calls the DPC again (the host's throttle rules).
                queue(&cpu.shared, &irq, cpu.index, context);
            }
        }
        QueuedDpc::Timer { timer, context } => timer::run_dpc(cpu, &timer, context),
    }
}

/// Runs an interrupt's DPC: raise to `DISPATCH_LEVEL`, call `MiniportInterruptDPC` with
/// receive-throttle parameters drawn from the seed, check the routine's end, lower back.
/// Returns whether the DPC set `MoreNblsPending` (NDIS then calls it again).
fn run_interrupt_dpc(cpu: &Cpu, irq: &InterruptObj, context: usize) -> bool {
    irq.running_dpcs.fetch_add(1, Ordering::SeqCst);
    if irq.deregistering.load(Ordering::SeqCst) {
        irq.running_dpcs.fetch_sub(1, Ordering::SeqCst);
        return false;
    }
    let old = cpu.irql();
    cpu.set_irql(DISPATCH);
    begin_routine(cpu, RoutineKind::Dpc, irq.registered_at);
    let mut throttle = sys::NDIS_RECEIVE_THROTTLE_PARAMETERS {
        MaxNblsToIndicate: crate::host::throttle::draw_limit(&cpu.shared),
        ..Default::default()
    };
    crate::host::throttle::begin(throttle.MaxNblsToIndicate);
    if let Some(handler) = irq.dpc {
        // SAFETY: the driver registered this handler with this context for exactly this call
        // (MINIPORT_INTERRUPT_DPC); the throttle parameters live for the call.
        unsafe {
            handler(
                irq.context as sys::NDIS_HANDLE,
                context as sys::PVOID,
                (&raw mut throttle).cast(),
                core::ptr::null_mut(),
            );
        }
    }
    let again = crate::host::throttle::end(
        cpu,
        irq.line,
        throttle.MoreNblsPending() != 0,
        irq.registered_at,
    );
    end_routine(cpu);
    cpu.set_irql(old);
    irq.running_dpcs.fetch_sub(1, Ordering::SeqCst);
    cpu.shared.counters.dpcs_run.fetch_add(1, Ordering::Relaxed);
    again && !irq.deregistering.load(Ordering::SeqCst)
}
