//! NDIS interrupts and DPCs (`ndis.h`), line-based only.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use super::types::{
    BOOLEAN, KAFFINITY, MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER, NDIS_CONNECT_LINE_BASED,
    NDIS_HANDLE, NDIS_MINIPORT_INTERRUPT_REVISION_1, NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
    NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_SUCCESS, PGROUP_AFFINITY, PNDIS_HANDLE,
    PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, PVOID, ULONG,
};
use super::{enter_ndis, enter_ndis_at_most};
use crate::machine::interrupt::{
    InterruptObj, acquire_interrupt_lock, arm, dirql_of, release_interrupt_lock, resolve,
};
use crate::machine::processor::{
    self, PASSIVE, RoutineKind, begin_routine, end_routine, violation,
};
use crate::machine::{AdapterBinding, dpc, lock};
use crate::verifier::Rule;

/// `NdisMRegisterInterruptEx` (line-based): validates the characteristics, connects the ISR
/// to the adapter's line (an already asserted line is delivered at once: the ISR may run before
/// this returns, as the docs warn) and writes the interrupt handle. Checks
/// `Irql_Interrupt_Function`. Returns `NDIS_STATUS_FAILURE` for a bad header, a missing ISR or
/// DPC handler, MSI, or a line that already has an interrupt (shared lines are not modelled).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterinterruptex>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter handle of this machine.
///
/// # Safety
/// `MiniportAdapterHandle` comes from `Machine::adapter_handle` of this machine; the
/// characteristics and `NdisInterruptHandle` are valid; the handlers are sound to call with
/// `MiniportInterruptContext` until the interrupt is deregistered.
#[track_caller]
pub unsafe fn NdisMRegisterInterruptEx(
    MiniportAdapterHandle: NDIS_HANDLE,
    MiniportInterruptContext: NDIS_HANDLE,
    MiniportInterruptCharacteristics: PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    NdisInterruptHandle: PNDIS_HANDLE,
) -> NDIS_STATUS {
    let location = Location::caller();
    let cpu = enter_ndis_at_most(
        "NdisMRegisterInterruptEx",
        location,
        PASSIVE,
        Rule::IrqlInterruptFunction,
    );
    let shared = Arc::clone(&cpu.shared);
    let line = {
        let adapters = lock(&shared.adapters);
        adapters
            .iter()
            .find(|a| {
                core::ptr::eq(
                    Arc::as_ptr(a).cast::<core::ffi::c_void>(),
                    MiniportAdapterHandle.cast_const(),
                )
            })
            .map(|a: &Arc<AdapterBinding>| a.line)
    };
    let Some(line) = line else {
        panic!(
            "ndis-sim: NdisMRegisterInterruptEx: {MiniportAdapterHandle:p} is not an adapter \
             handle of this machine (use Machine::adapter_handle)"
        );
    };
    // SAFETY: the caller guarantees the characteristics pointer is valid for reads and writes.
    let chars = unsafe { &mut *MiniportInterruptCharacteristics };
    let header_ok = u32::from(chars.Header.Type) == NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT
        && u32::from(chars.Header.Revision) >= NDIS_MINIPORT_INTERRUPT_REVISION_1
        && usize::from(chars.Header.Size)
            >= core::mem::size_of::<super::types::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS>();
    if !header_ok
        || chars.InterruptHandler.is_none()
        || chars.InterruptDpcHandler.is_none()
        || chars.MsiSupported != 0
    {
        return NDIS_STATUS_FAILURE;
    }
    let irq = Arc::new(InterruptObj {
        line,
        dirql: dirql_of(line),
        context: MiniportInterruptContext as usize,
        isr: chars.InterruptHandler,
        dpc: chars.InterruptDpcHandler,
        disable: chars.DisableInterruptHandler,
        enable: chars.EnableInterruptHandler,
        lock: AtomicU64::new(0),
        deregistering: AtomicBool::new(false),
        deregistered: AtomicBool::new(false),
        dpc_queued: (0..shared.processors())
            .map(|_| AtomicBool::new(false))
            .collect(),
        running_dpcs: AtomicUsize::new(0),
        running_isrs: AtomicUsize::new(0),
        registered_at: location,
    });
    crate::machine::spinlock::set_name(&shared, irq.lock_key(), &format!("interrupt line {line}"));
    chars.InterruptType = NDIS_CONNECT_LINE_BASED;
    chars.MessageInfoTable = core::ptr::null_mut();
    {
        let mut lines = lock(&shared.lines);
        let st = lines.entry(line).or_default();
        if st.interrupt.is_some() {
            return NDIS_STATUS_FAILURE;
        }
        lock(&shared.interrupts).push(Arc::clone(&irq));
        // SAFETY: the caller guarantees `NdisInterruptHandle` is valid for a write.
        unsafe { NdisInterruptHandle.write(Arc::as_ptr(&irq).cast_mut().cast()) };
        st.interrupt = Some(irq);
        st.pending = false;
        arm(&shared, st);
    }
    processor::window(&cpu);
    NDIS_STATUS_SUCCESS
}

/// `NdisMDeregisterInterruptEx`: disconnects the ISR, drops queued DPCs, and waits for ISRs
/// and DPCs still running on other processors; those may still call
/// `NdisMSynchronizeWithInterruptEx` until it returns ("after `NdisMDeregisterInterruptEx`
/// returns control, the miniport driver cannot call" it), so the handle dies only on return.
/// Checks `Irql_Interrupt_Function`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterinterruptex>
///
/// # Safety
/// `NdisInterruptHandle` was returned by `NdisMRegisterInterruptEx` on this machine.
#[track_caller]
pub unsafe fn NdisMDeregisterInterruptEx(NdisInterruptHandle: NDIS_HANDLE) {
    let location = Location::caller();
    let cpu = enter_ndis_at_most(
        "NdisMDeregisterInterruptEx",
        location,
        PASSIVE,
        Rule::IrqlInterruptFunction,
    );
    let shared = Arc::clone(&cpu.shared);
    let irq = resolve(&shared, NdisInterruptHandle, "NdisMDeregisterInterruptEx");
    // New ISR and DPC calls stop here; the ones in flight run to their end (and may still
    // call NdisMSynchronizeWithInterruptEx until this function returns).
    irq.deregistering.store(true, Ordering::SeqCst);
    {
        let mut lines = lock(&shared.lines);
        let st = lines.entry(irq.line).or_default();
        if st.interrupt.as_ref().is_some_and(|i| Arc::ptr_eq(i, &irq)) {
            st.interrupt = None;
            st.pending = false;
        }
    }
    dpc::cancel(&shared, &irq);
    // Wait only where waiting is legal (an illegal call was reported above and must not hang
    // on its own DPC).
    if cpu.irql() == PASSIVE {
        while irq.running_isrs.load(Ordering::SeqCst) != 0
            || irq.running_dpcs.load(Ordering::SeqCst) != 0
        {
            cpu.spin(|| processor::window(&cpu));
            if shared.sched.is_none() {
                std::thread::yield_now();
            }
        }
    }
    irq.deregistered.store(true, Ordering::SeqCst);
}

/// `NdisMSynchronizeWithInterruptEx`: raises to the interrupt's DIRQL, takes its spin lock,
/// calls `SynchronizeFunction(SynchronizeContext)` (a routine: `IrqlReturn` and `SpinLock` are
/// checked at its end), releases, lowers, and returns the callback's value. Checks the NDIS
/// rule `NdisMDeregisterInterruptEx` (called after deregistration: the callback is not called,
/// FALSE is returned) and the NdisXxx-under-spin-lock rule.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsynchronizewithinterruptex>
///
/// # Safety
/// `NdisInterruptHandle` was returned by `NdisMRegisterInterruptEx` on this machine; the
/// callback is sound to call with `SynchronizeContext`.
#[track_caller]
pub unsafe fn NdisMSynchronizeWithInterruptEx(
    NdisInterruptHandle: NDIS_HANDLE,
    MessageId: ULONG,
    SynchronizeFunction: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER,
    SynchronizeContext: PVOID,
) -> BOOLEAN {
    let location = Location::caller();
    let cpu = enter_ndis("NdisMSynchronizeWithInterruptEx", location);
    let _ = MessageId; // line-based: one message
    let irq = resolve(
        &cpu.shared,
        NdisInterruptHandle,
        "NdisMSynchronizeWithInterruptEx",
    );
    if irq.deregistered.load(Ordering::SeqCst) {
        violation(
            &cpu,
            Rule::SyncAfterDeregister,
            location,
            format!(
                "NdisMSynchronizeWithInterruptEx on the interrupt of line {} after \
                 NdisMDeregisterInterruptEx; the callback is not called",
                irq.line
            ),
        );
        return 0;
    }
    let old = cpu.irql();
    if old < irq.dirql {
        cpu.set_irql(irq.dirql);
    }
    begin_routine(&cpu, RoutineKind::Synchronize, location);
    let locked = acquire_interrupt_lock(&cpu, &irq, location);
    cpu.shared
        .counters
        .synchronized_calls
        .fetch_add(1, Ordering::Relaxed);
    let result = match SynchronizeFunction {
        // SAFETY: the caller guarantees the callback is sound with this context.
        Some(f) => unsafe { f(SynchronizeContext) },
        None => 0,
    };
    end_routine(&cpu);
    if let Some(since) = locked {
        release_interrupt_lock(&cpu, &irq, since);
    }
    processor::lower_irql(&cpu, old);
    result
}

/// `NdisMQueueDpcEx`: queues the interrupt's DPC on the processors in
/// `TargetProcessors->Mask` (group 0) with `MiniportDpcContext`; returns the processors where
/// it was queued (not already queued there). Any IRQL. After `NdisMDeregisterInterruptEx`
/// returned: [`Rule::QueueDpcAfterDeregister`], and nothing is queued; from a DPC still
/// running while it waits: nothing is queued (NDIS calls no DPC of a deregistering interrupt).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismqueuedpcex>
///
/// # Safety
/// `NdisInterruptHandle` was returned by `NdisMRegisterInterruptEx` on this machine;
/// `TargetProcessors` is valid for reads.
#[track_caller]
pub unsafe fn NdisMQueueDpcEx(
    NdisInterruptHandle: NDIS_HANDLE,
    MessageId: ULONG,
    TargetProcessors: PGROUP_AFFINITY,
    MiniportDpcContext: PVOID,
) -> KAFFINITY {
    let location = Location::caller();
    let cpu = enter_ndis("NdisMQueueDpcEx", location);
    let _ = MessageId;
    let irq = resolve(&cpu.shared, NdisInterruptHandle, "NdisMQueueDpcEx");
    if irq.deregistered.load(Ordering::SeqCst) {
        violation(
            &cpu,
            Rule::QueueDpcAfterDeregister,
            location,
            format!(
                "NdisMQueueDpcEx({NdisInterruptHandle:p}) after NdisMDeregisterInterruptEx: the \
                 handle is no longer valid (no DPC queued)"
            ),
        );
        return 0;
    }
    if irq.deregistering.load(Ordering::SeqCst) {
        // A DPC still running while NdisMDeregisterInterruptEx waits for it: legal, but NDIS
        // calls no DPC of a deregistering interrupt, so nothing is queued.
        return 0;
    }
    // SAFETY: the caller guarantees `TargetProcessors` is valid for reads.
    let mask = unsafe { (*TargetProcessors).Mask };
    let mut queued: KAFFINITY = 0;
    for target in 0..cpu.shared.processors() {
        if mask & (1 << target) != 0
            && dpc::queue(&cpu.shared, &irq, target, MiniportDpcContext as usize)
        {
            queued |= 1 << target;
        }
    }
    processor::window(&cpu);
    queued
}
