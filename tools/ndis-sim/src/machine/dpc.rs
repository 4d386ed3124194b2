//! DPCs: one DPC object per interrupt per processor (queuing one that is already queued does
//! nothing, like `KeInsertQueueDpc`), run at `DISPATCH_LEVEL` when the processor's IRQL drops
//! below `DISPATCH_LEVEL`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::interrupt::InterruptObj;
use super::processor::{Cpu, DISPATCH, RoutineKind, begin_routine, end_routine};
use super::{Shared, lock};
use crate::sys;

pub(crate) struct QueuedDpc {
    pub(crate) irq: Arc<InterruptObj>,
    pub(crate) context: usize,
}

/// Queues the interrupt's DPC on `cpu`; false when it was already queued there.
pub(crate) fn queue(shared: &Shared, irq: &Arc<InterruptObj>, cpu: usize, context: usize) -> bool {
    if irq.dpc_queued[cpu].swap(true, Ordering::SeqCst) {
        return false;
    }
    let p = &shared.procs[cpu];
    lock(&p.dpcs).push_back(QueuedDpc {
        irq: Arc::clone(irq),
        context,
    });
    p.has_dpc.store(true, Ordering::SeqCst);
    shared.counters.dpcs_queued.fetch_add(1, Ordering::Relaxed);
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
    drop(q);
    if let Some(d) = &d {
        d.irq.dpc_queued[cpu.index].store(false, Ordering::SeqCst);
    }
    d
}

/// Removes every queued DPC of `irq` (it is being deregistered).
pub(crate) fn cancel(shared: &Shared, irq: &Arc<InterruptObj>) {
    for (i, p) in shared.procs.iter().enumerate() {
        let mut q = lock(&p.dpcs);
        q.retain(|d| !Arc::ptr_eq(&d.irq, irq));
        if q.is_empty() {
            p.has_dpc.store(false, Ordering::SeqCst);
        }
        irq.dpc_queued[i].store(false, Ordering::SeqCst);
    }
}

/// Runs one DPC: raise to `DISPATCH_LEVEL`, call `MiniportInterruptDPC`, check the routine's
/// end, lower back.
pub(crate) fn run(cpu: &Cpu, d: QueuedDpc) {
    let irq = d.irq;
    irq.running_dpcs.fetch_add(1, Ordering::SeqCst);
    if irq.deregistered.load(Ordering::SeqCst) {
        irq.running_dpcs.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let old = cpu.irql();
    cpu.set_irql(DISPATCH);
    begin_routine(cpu, RoutineKind::Dpc, irq.registered_at);
    let mut throttle = sys::NDIS_RECEIVE_THROTTLE_PARAMETERS {
        MaxNblsToIndicate: sys::NDIS_INDICATE_ALL_NBLS,
        MoreNblsPending: 0,
    };
    if let Some(handler) = irq.dpc {
        // SAFETY: the driver registered this handler with this context for exactly this call
        // (MINIPORT_INTERRUPT_DPC); the throttle parameters live for the call.
        unsafe {
            handler(
                irq.context as sys::NDIS_HANDLE,
                d.context as sys::PVOID,
                (&raw mut throttle).cast(),
                core::ptr::null_mut(),
            );
        }
    }
    end_routine(cpu);
    cpu.set_irql(old);
    irq.running_dpcs.fetch_sub(1, Ordering::SeqCst);
    cpu.shared.counters.dpcs_run.fetch_add(1, Ordering::Relaxed);
}
