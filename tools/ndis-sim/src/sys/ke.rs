//! IRQL and `Ke*` spin locks (`wdm.h`).

use std::panic::Location;

use super::types::{BOOLEAN, KIRQL, PKIRQL, PKSPIN_LOCK};
use super::{check_irql_exactly_dispatch, enter};
use crate::Handler;
use crate::machine::processor::{self, Api, Cpu, DISPATCH, RoutineKind, lower_irql, violation};
use crate::machine::spinlock::{self, Got};
use crate::verifier::{LockKind, Rule};

/// Reports an acquire above `DISPATCH_LEVEL`: [`Rule::SpinLockInIsr`] inside an ISR or
/// synchronize callback, `otherwise` elsewhere.
pub(super) fn check_not_above_dispatch(
    cpu: &Cpu,
    api: &str,
    otherwise: Rule,
    location: &'static Location<'static>,
) {
    let irql = cpu.irql();
    if irql <= DISPATCH {
        return;
    }
    if cpu.in_interrupt_routine() {
        violation(
            cpu,
            Rule::SpinLockInIsr,
            location,
            format!(
                "{api} at DIRQL {irql} inside {}: data shared with the ISR must be reached \
                 through NdisMSynchronizeWithInterruptEx; also breaks {} ({:#x})",
                cpu.routine_kind().map_or("?", |k| k.name()),
                otherwise.name(),
                otherwise.parameter1().unwrap_or(0)
            ),
        );
    } else {
        violation(
            cpu,
            otherwise,
            location,
            format!("{api} at IRQL {irql}, above DISPATCH_LEVEL"),
        );
    }
}

/// `KeInitializeSpinLock`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinitializespinlock>
///
/// # Safety
/// `SpinLock` points to a `KSPIN_LOCK` in memory that stays valid while the lock is used.
#[track_caller]
pub unsafe fn KeInitializeSpinLock(SpinLock: PKSPIN_LOCK) {
    let cpu = enter("KeInitializeSpinLock");
    spinlock::initialize(&cpu.shared, SpinLock as usize, LockKind::Ke);
}

/// `KeAcquireSpinLockRaiseToDpc` (what the `KeAcquireSpinLock` macro expands to on x64:
/// `*OldIrql = KeAcquireSpinLockRaiseToDpc(SpinLock)`): raise to `DISPATCH_LEVEL`, spin, return
/// the old IRQL. Checks `IrqlKeDispatchLte` (0x00020011), `SPIN_LOCK_ALREADY_OWNED`, the lock
/// graph (0x1001), 0x1008, initialisation.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockraisetodpc>
///
/// # Safety
/// `SpinLock` points to an initialised `KSPIN_LOCK`.
#[track_caller]
pub unsafe fn KeAcquireSpinLockRaiseToDpc(SpinLock: PKSPIN_LOCK) -> KIRQL {
    let location = Location::caller();
    let cpu = enter("KeAcquireSpinLockRaiseToDpc");
    check_not_above_dispatch(&cpu, "KeAcquireSpinLock", Rule::IrqlKeDispatchLte, location);
    let old = cpu.irql();
    if old < DISPATCH {
        cpu.set_irql(DISPATCH);
    }
    spinlock::acquire(&cpu, SpinLock as usize, Api::Ke, old, false, location);
    old
}

/// `KeReleaseSpinLock`: release, then set the IRQL to `NewIrql`. Checks 0x32 (IRQL ≠
/// `DISPATCH_LEVEL`, double release), `IrqlKeReleaseSpinLock` (0x00020015: `NewIrql` is not
/// what the acquire returned), 0x10, 0x1003, 0x1009.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasespinlock>
///
/// Recovery in `Collect` mode: a wrong `NewIrql` is replaced by the acquire's old IRQL.
///
/// # Safety
/// `SpinLock` points to an initialised `KSPIN_LOCK`.
#[track_caller]
pub unsafe fn KeReleaseSpinLock(SpinLock: PKSPIN_LOCK, NewIrql: KIRQL) {
    let location = Location::caller();
    let cpu = enter("KeReleaseSpinLock");
    let irql = cpu.irql();
    if irql != DISPATCH {
        violation(
            &cpu,
            Rule::BadKeRelease,
            location,
            format!(
                "KeReleaseSpinLock at IRQL {irql}, not DISPATCH_LEVEL; also IrqlKeReleaseSpinLock \
                 (0x00020015)"
            ),
        );
    }
    let mut new = NewIrql;
    if let Some(h) = spinlock::release(&cpu, SpinLock as usize, Api::Ke, location)
        && h.api.raises()
        && NewIrql != h.old_irql
    {
        {
            violation(
                &cpu,
                Rule::IrqlKeReleaseSpinLock,
                location,
                format!(
                    "KeReleaseSpinLock(NewIrql = {NewIrql}) but the acquire raised from IRQL {}",
                    h.old_irql
                ),
            );
            new = h.old_irql;
        }
    }
    lower_irql(&cpu, new);
}

/// `KeAcquireSpinLockAtDpcLevel`: spin without changing the IRQL. Checks 0x40 (below
/// `DISPATCH_LEVEL`, with `IrqlDispatch` 0x00020003 in `detail`), `IrqlDispatch` (above), and
/// the common lock checks.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel>
///
/// # Safety
/// `SpinLock` points to an initialised `KSPIN_LOCK`.
#[track_caller]
pub unsafe fn KeAcquireSpinLockAtDpcLevel(SpinLock: PKSPIN_LOCK) {
    let location = Location::caller();
    let cpu = enter("KeAcquireSpinLockAtDpcLevel");
    check_irql_exactly_dispatch(
        &cpu,
        "KeAcquireSpinLockAtDpcLevel",
        Rule::AtDpcLevelBelowDispatch,
        Rule::IrqlDispatch,
        location,
    );
    let irql = cpu.irql();
    spinlock::acquire(&cpu, SpinLock as usize, Api::KeAtDpc, irql, false, location);
}

/// `KeReleaseSpinLockFromDpcLevel`. Checks `IrqlDispatch` (0x00020003) and the common release
/// checks.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasespinlockfromdpclevel>
///
/// # Safety
/// `SpinLock` points to an initialised `KSPIN_LOCK`.
#[track_caller]
pub unsafe fn KeReleaseSpinLockFromDpcLevel(SpinLock: PKSPIN_LOCK) {
    let location = Location::caller();
    let cpu = enter("KeReleaseSpinLockFromDpcLevel");
    let irql = cpu.irql();
    if irql != DISPATCH {
        violation(
            &cpu,
            Rule::IrqlDispatch,
            location,
            format!("KeReleaseSpinLockFromDpcLevel at IRQL {irql}, not DISPATCH_LEVEL"),
        );
    }
    spinlock::release(&cpu, SpinLock as usize, Api::KeAtDpc, location);
    processor::window(&cpu);
}

/// `KeTryToAcquireSpinLockAtDpcLevel`: one attempt; TRUE when acquired. Checks as
/// `KeAcquireSpinLockAtDpcLevel`, and `SpinLock` (0x00040009) when this processor already
/// holds the lock (then FALSE).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ketrytoacquirespinlockatdpclevel>
///
/// # Safety
/// `SpinLock` points to an initialised `KSPIN_LOCK`.
#[track_caller]
pub unsafe fn KeTryToAcquireSpinLockAtDpcLevel(SpinLock: PKSPIN_LOCK) -> BOOLEAN {
    let location = Location::caller();
    let cpu = enter("KeTryToAcquireSpinLockAtDpcLevel");
    check_irql_exactly_dispatch(
        &cpu,
        "KeTryToAcquireSpinLockAtDpcLevel",
        Rule::AtDpcLevelBelowDispatch,
        Rule::IrqlDispatch,
        location,
    );
    let irql = cpu.irql();
    BOOLEAN::from(
        spinlock::acquire(&cpu, SpinLock as usize, Api::KeTry, irql, true, location) == Got::Taken,
    )
}

/// `KeGetCurrentIrql`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetcurrentirql>
///
/// # Safety
/// None beyond being called on a virtual processor (it is `unsafe` like its bindgen mirror).
#[track_caller]
#[must_use]
pub unsafe fn KeGetCurrentIrql() -> KIRQL {
    let cpu = enter("KeGetCurrentIrql");
    // NDIS Flags_Irql: MiniportSendNetBufferLists / MiniportReturnNetBufferLists learn their
    // IRQL from the *_DISPATCH_LEVEL flag. Only the handler itself counts: an ISR or DPC that
    // interrupts it runs a routine of its own.
    if let Some(RoutineKind::Handler(h @ (Handler::Send | Handler::Return))) = cpu.routine_kind() {
        violation(
            &cpu,
            Rule::FlagsIrql,
            Location::caller(),
            format!(
                "KeGetCurrentIrql in {}: its flags parameter says whether it runs at \
                 DISPATCH_LEVEL",
                h.name()
            ),
        );
    }
    cpu.irql()
}

/// `KeRaiseIrql` (the `wdm.h` macro's shape: `*OldIrql = KfRaiseIrql(NewIrql)`). Checks 0x30
/// (raise to a lower IRQL; the IRQL is then left unchanged).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keraiseirql>
///
/// # Safety
/// `OldIrql` is valid for a write.
#[track_caller]
pub unsafe fn KeRaiseIrql(NewIrql: KIRQL, OldIrql: PKIRQL) {
    let location = Location::caller();
    let cpu = enter("KeRaiseIrql");
    let irql = cpu.irql();
    // SAFETY: the caller guarantees `OldIrql` is valid for a write.
    unsafe { OldIrql.write(irql) };
    if NewIrql < irql {
        violation(
            &cpu,
            Rule::RaiseToLower,
            location,
            format!("KeRaiseIrql({NewIrql}) at IRQL {irql}: raising to a lower IRQL"),
        );
        return;
    }
    cpu.set_irql(NewIrql);
}

/// `KeLowerIrql`. Checks 0x31 (lower to a higher IRQL; the IRQL is then left unchanged).
/// Pending DPCs and interrupts are delivered as soon as the IRQL allows.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kelowerirql>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn KeLowerIrql(NewIrql: KIRQL) {
    let location = Location::caller();
    let cpu = enter("KeLowerIrql");
    let irql = cpu.irql();
    if NewIrql > irql {
        violation(
            &cpu,
            Rule::LowerToHigher,
            location,
            format!("KeLowerIrql({NewIrql}) at IRQL {irql}: lowering to a higher IRQL"),
        );
        return;
    }
    lower_irql(&cpu, NewIrql);
}
