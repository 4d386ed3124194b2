//! Documented spin-lock hazards, committed on purpose through the raw `sys` calls.
//!
//! The safe layer does not let a driver write any of these (that is its point), so they go
//! around it, exactly as a C driver could. `--inject <hazard>` runs one after the workload so
//! the report shows what the verifier says about it: the rule, the bug check and parameter 1
//! Driver Verifier would raise, and the call site in this file.

use clap::ValueEnum;
use ndis_sim::Machine;
use rse1k::sys;

/// A hazard the spin lock pages warn about (`docs/locking-rules.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Hazard {
    /// Acquire A, acquire B, release A, release B: the IRQL is wrong after each release.
    AbReleaseOrder,
    /// `NdisDprAcquireSpinLock` at `PASSIVE_LEVEL`.
    DprAtPassive,
    /// Acquire with `NdisDprAcquireSpinLock`, release with `NdisReleaseSpinLock`.
    DprMismatch,
    /// Acquire a lock this processor already holds.
    Recursive,
    /// Release a lock nobody acquired.
    ReleaseUnowned,
    /// Return from a routine with a lock still held.
    NotReleasedAtExit,
    /// A then B on one path, B then A on another.
    LockOrderInversion,
    /// An NDIS call (`NdisStallExecution`) while holding an NDIS spin lock.
    NdisCallUnderLock,
    /// `KeReleaseSpinLock` called below `DISPATCH_LEVEL`.
    KeReleaseWrongIrql,
    /// A spin lock taken above `DISPATCH_LEVEL`, as an ISR would.
    SpinLockAtDirql,
}

/// Two NDIS spin locks in boxes: resident and address-stable for the hazard's duration.
struct TwoLocks {
    a: Box<sys::NDIS_SPIN_LOCK>,
    b: Box<sys::NDIS_SPIN_LOCK>,
}

impl TwoLocks {
    fn new() -> Self {
        let mut locks = Self {
            a: Box::new(sys::NDIS_SPIN_LOCK {
                SpinLock: 0,
                OldIrql: 0,
            }),
            b: Box::new(sys::NDIS_SPIN_LOCK {
                SpinLock: 0,
                OldIrql: 0,
            }),
        };
        // SAFETY: `a` is boxed, so resident and not moved while in use; allocated here,
        // before any use.
        unsafe { sys::NdisAllocateSpinLock(&raw mut *locks.a) };
        // SAFETY: `b` is a second box, resident and not moved while in use; allocated here,
        // before any use.
        unsafe { sys::NdisAllocateSpinLock(&raw mut *locks.b) };
        // SAFETY: the simulator uses the pointer only as a key for lock A's name (no read
        // through it); the name is 'static.
        unsafe { sys::SimNameSpinLock((&raw const *locks.a).cast(), "hazard-A") };
        // SAFETY: the simulator uses the pointer only as a key for lock B's name (no read
        // through it); the name is 'static.
        unsafe { sys::SimNameSpinLock((&raw const *locks.b).cast(), "hazard-B") };
        locks
    }

    fn a(&mut self) -> sys::PNDIS_SPIN_LOCK {
        &raw mut *self.a
    }

    fn b(&mut self) -> sys::PNDIS_SPIN_LOCK {
        &raw mut *self.b
    }
}

/// Commits `hazard` on processor 0 of `machine` (whose verifier should be in Collect mode).
#[allow(
    clippy::too_many_lines,
    reason = "one arm per hazard reads better than a helper per arm"
)]
pub fn inject(machine: &Machine, hazard: Hazard) {
    match hazard {
        Hazard::AbReleaseOrder => machine.run_on(0, || {
            let mut l = TwoLocks::new();
            // SAFETY: both locks are allocated; PASSIVE_LEVEL.
            unsafe { sys::NdisAcquireSpinLock(l.a()) };
            // SAFETY: at DISPATCH_LEVEL holding A.
            unsafe { sys::NdisAcquireSpinLock(l.b()) };
            // SAFETY: deliberately wrong order: A first restores PASSIVE while B is held.
            unsafe { sys::NdisReleaseSpinLock(l.a()) };
            // SAFETY: releases B, restoring DISPATCH_LEVEL (B's stored IRQL).
            unsafe { sys::NdisReleaseSpinLock(l.b()) };
            // SAFETY: B's release left the processor at DISPATCH_LEVEL; lower it to
            // PASSIVE_LEVEL, where the routine started, so the routine ends cleanly.
            unsafe { sys::KeLowerIrql(0) };
        }),
        Hazard::DprAtPassive => machine.run_on(0, || {
            let mut l = TwoLocks::new();
            // SAFETY: deliberately at PASSIVE_LEVEL, which NdisDprAcquireSpinLock forbids.
            unsafe { sys::NdisDprAcquireSpinLock(l.a()) };
            // SAFETY: releases what was acquired, with the matching routine.
            unsafe { sys::NdisDprReleaseSpinLock(l.a()) };
        }),
        Hazard::DprMismatch => machine.run_on(0, || {
            let mut l = TwoLocks::new();
            // SAFETY: A is allocated and not held; the routine is at PASSIVE_LEVEL, which this
            // acquire raises to DISPATCH_LEVEL.
            unsafe { sys::NdisAcquireSpinLock(l.a()) };
            // SAFETY: at DISPATCH_LEVEL holding A, so the Dpr acquire of B (allocated, not
            // held) is at the IRQL it requires; only the release below is wrong, on purpose.
            unsafe { sys::NdisDprAcquireSpinLock(l.b()) };
            // SAFETY: deliberately the non-Dpr release for a Dpr acquire.
            unsafe { sys::NdisReleaseSpinLock(l.b()) };
            // SAFETY: releases A.
            unsafe { sys::NdisReleaseSpinLock(l.a()) };
        }),
        Hazard::Recursive => machine.run_on(0, || {
            let mut l = TwoLocks::new();
            // SAFETY: allocated; PASSIVE_LEVEL.
            unsafe { sys::NdisAcquireSpinLock(l.a()) };
            // SAFETY: deliberately acquiring A again on the processor that holds it.
            unsafe { sys::NdisDprAcquireSpinLock(l.a()) };
            // SAFETY: releases the one acquisition that was performed.
            unsafe { sys::NdisReleaseSpinLock(l.a()) };
        }),
        Hazard::ReleaseUnowned => machine.run_on(0, || {
            let mut l = TwoLocks::new();
            let mut old: sys::KIRQL = 0;
            // SAFETY: raise to DISPATCH so only the ownership is wrong.
            unsafe { sys::KeRaiseIrql(2, &raw mut old) };
            // SAFETY: deliberately releasing a lock nobody holds.
            unsafe { sys::NdisDprReleaseSpinLock(l.a()) };
            // SAFETY: back to the IRQL the routine started at.
            unsafe { sys::KeLowerIrql(old) };
        }),
        Hazard::NotReleasedAtExit => {
            let mut l = TwoLocks::new_on(machine);
            let a = SendPtr(l.a());
            machine.run_on(0, move || {
                let a = a;
                // SAFETY: allocated; PASSIVE_LEVEL; deliberately not released before return.
                unsafe { sys::NdisAcquireSpinLock(a.0) };
            });
        }
        Hazard::LockOrderInversion => {
            let mut l = TwoLocks::new_on(machine);
            let (a, b) = (SendPtr(l.a()), SendPtr(l.b()));
            machine.run_on(0, move || {
                let (a, b) = (a, b);
                // SAFETY: allocated; path 1 takes A then B and releases in LIFO order.
                unsafe { sys::NdisAcquireSpinLock(a.0) };
                // SAFETY: at DISPATCH_LEVEL holding A.
                unsafe { sys::NdisDprAcquireSpinLock(b.0) };
                // SAFETY: LIFO release.
                unsafe { sys::NdisDprReleaseSpinLock(b.0) };
                // SAFETY: LIFO release.
                unsafe { sys::NdisReleaseSpinLock(a.0) };
            });
            machine.run_on(0, move || {
                let (a, b) = (a, b);
                // SAFETY: path 2 takes B then A: deliberately the reverse order.
                unsafe { sys::NdisAcquireSpinLock(b.0) };
                // SAFETY: at DISPATCH_LEVEL holding B.
                unsafe { sys::NdisDprAcquireSpinLock(a.0) };
                // SAFETY: LIFO release.
                unsafe { sys::NdisDprReleaseSpinLock(a.0) };
                // SAFETY: LIFO release.
                unsafe { sys::NdisReleaseSpinLock(b.0) };
            });
        }
        Hazard::NdisCallUnderLock => machine.run_on(0, || {
            let mut l = TwoLocks::new();
            // SAFETY: allocated; PASSIVE_LEVEL.
            unsafe { sys::NdisAcquireSpinLock(l.a()) };
            // SAFETY: a short stall is valid at DISPATCH_LEVEL; holding the lock is the hazard.
            unsafe { sys::NdisStallExecution(1) };
            // SAFETY: releases A.
            unsafe { sys::NdisReleaseSpinLock(l.a()) };
        }),
        Hazard::KeReleaseWrongIrql => machine.run_on(0, || {
            let mut lock: Box<sys::KSPIN_LOCK> = Box::new(0);
            // SAFETY: boxed, resident, initialised before use.
            unsafe { sys::KeInitializeSpinLock(&raw mut *lock) };
            // SAFETY: PASSIVE_LEVEL; returns PASSIVE as the old IRQL.
            let old = unsafe { sys::KeAcquireSpinLockRaiseToDpc(&raw mut *lock) };
            // SAFETY: drop to PASSIVE while holding the lock: the hazard's precondition.
            unsafe { sys::KeLowerIrql(old) };
            // SAFETY: deliberately KeReleaseSpinLock at PASSIVE_LEVEL instead of DISPATCH_LEVEL.
            unsafe { sys::KeReleaseSpinLock(&raw mut *lock, old) };
        }),
        Hazard::SpinLockAtDirql => machine.run_on(0, || {
            let mut l = TwoLocks::new();
            let mut old: sys::KIRQL = 0;
            // SAFETY: raise to a device IRQL, as an ISR runs.
            unsafe { sys::KeRaiseIrql(DIRQL, &raw mut old) };
            // SAFETY: deliberately acquiring a spin lock above DISPATCH_LEVEL.
            unsafe { sys::NdisDprAcquireSpinLock(l.a()) };
            // SAFETY: releases it with the matching routine.
            unsafe { sys::NdisDprReleaseSpinLock(l.a()) };
            // SAFETY: back to the IRQL the routine started at.
            unsafe { sys::KeLowerIrql(old) };
        }),
    }
}

/// A device IRQL above `DISPATCH_LEVEL`, as an ISR would run at.
const DIRQL: sys::KIRQL = 5;

/// A raw lock pointer moved into a `run_on` closure (the simulated processors are threads).
#[derive(Clone, Copy)]
struct SendPtr(sys::PNDIS_SPIN_LOCK);
// SAFETY: the pointee is a boxed NDIS_SPIN_LOCK that outlives every routine using it, and the
// routines run one after the other.
unsafe impl Send for SendPtr {}

impl TwoLocks {
    /// Allocates the locks on a simulated processor (the spin-lock calls need one).
    fn new_on(machine: &Machine) -> Self {
        let locks = machine.run_on(0, || SendLocks(Self::new()));
        locks.0
    }
}

/// `TwoLocks` moved out of a `run_on` routine.
struct SendLocks(TwoLocks);
// SAFETY: the locks are plain data once the routine that allocated them returned.
unsafe impl Send for SendLocks {}
