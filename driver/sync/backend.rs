//! The two spin-lock implementations the kernel offers a miniport, behind one trait.
//!
//! A backend is the raw acquire/release pair and nothing else; every rule about *when* those may
//! be called is held by [`SpinLock`](super::SpinLock) and its guards. The split follows the Linux
//! kernel's `Lock<T, B: Backend>`: `State` is the lock word, `GuardState` what the acquire returns
//! and the matching release needs.

use crate::sys;

/// A raw spin lock: storage, initialisation, acquire/release, teardown.
///
/// # Safety
/// Implementors guarantee that between a [`lock`](Backend::lock) and the matching
/// [`unlock`](Backend::unlock) on the same initialised `State`, no other caller returns from
/// `lock` (or [`DprBackend::lock_dpr`]) on that `State`: this mutual exclusion is what makes
/// [`SpinLock`](super::SpinLock) hand out `&mut T`. `lock` leaves the processor at
/// `DISPATCH_LEVEL` and `unlock` restores the IRQL from before `lock`.
pub unsafe trait Backend {
    /// The lock word; lives in nonpaged, pinned memory inside the `SpinLock`.
    type State;
    /// What an acquire returns and its release consumes (the old IRQL, when the lock word does
    /// not keep it).
    type GuardState;

    /// Initialises the lock word in place.
    ///
    /// # Safety
    /// `state` is valid for writes, nonpaged, and will not move until [`Backend::free`].
    unsafe fn init(state: *mut Self::State);

    /// Acquires the lock from IRQL <= `DISPATCH_LEVEL`, raising to `DISPATCH_LEVEL`.
    ///
    /// # Safety
    /// `state` was initialised by [`Backend::init`] and not freed; the caller runs at IRQL <=
    /// `DISPATCH_LEVEL` and does not hold this lock.
    unsafe fn lock(state: *mut Self::State) -> Self::GuardState;

    /// Releases a lock acquired by [`Backend::lock`], restoring the IRQL from before it.
    ///
    /// # Safety
    /// The current processor acquired `state` with `lock`, which returned `guard_state`; every
    /// lock acquired after it has been released (LIFO), so the IRQL is `DISPATCH_LEVEL`.
    unsafe fn unlock(state: *mut Self::State, guard_state: &Self::GuardState);

    /// Tears down the lock word.
    ///
    /// # Safety
    /// `state` was initialised, is not held, and is not used again.
    unsafe fn free(state: *mut Self::State);
}

/// A backend with the cheaper pair for callers already at `DISPATCH_LEVEL`.
///
/// # Safety
/// As for [`Backend`]: `lock_dpr`/`unlock_dpr` exclude each other and `lock`/`unlock` on the same
/// `State`, and leave the IRQL unchanged.
pub unsafe trait DprBackend: Backend {
    /// Acquires the lock at `DISPATCH_LEVEL` without touching the IRQL.
    ///
    /// # Safety
    /// As [`Backend::lock`], and the caller runs at `DISPATCH_LEVEL`.
    unsafe fn lock_dpr(state: *mut Self::State);

    /// Releases a lock acquired by [`DprBackend::lock_dpr`].
    ///
    /// # Safety
    /// The current processor acquired `state` with `lock_dpr`, every later lock is released,
    /// and it runs at `DISPATCH_LEVEL`.
    unsafe fn unlock_dpr(state: *mut Self::State);
}

/// `NDIS_SPIN_LOCK`: the NDIS spin lock, with the old IRQL kept in the lock itself.
///
/// `NdisAcquireSpinLock` "raises the IRQL to `DISPATCH_LEVEL` and stores the old IRQL in the spin
/// lock" (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatespinlock>);
/// that is safe only because the holder is the one who releases it, which the guard guarantees.
/// DDIs: `NdisAllocateSpinLock`, `NdisAcquireSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisacquirespinlock>),
/// `NdisReleaseSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreleasespinlock>),
/// `NdisDprAcquireSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisdpracquirespinlock>),
/// `NdisDprReleaseSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisdprreleasespinlock>),
/// `NdisFreeSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreespinlock>).
pub enum NdisSpinLockBackend {}

// SAFETY: NDIS spin locks give mutual exclusion between the acquire and release routines they
// pair (the documented contract of NdisAcquireSpinLock/NdisDprAcquireSpinLock), and
// NdisAcquireSpinLock raises to DISPATCH_LEVEL, NdisReleaseSpinLock restores the stored IRQL.
unsafe impl Backend for NdisSpinLockBackend {
    type State = sys::NDIS_SPIN_LOCK;
    // The old IRQL is in `State::OldIrql`, written by the acquire and read by the release.
    type GuardState = ();

    #[track_caller]
    unsafe fn init(state: *mut Self::State) {
        // SAFETY: the caller gives writable, nonpaged, pinned storage (Backend::init contract),
        // which is what NdisAllocateSpinLock requires before any other use.
        unsafe { sys::NdisAllocateSpinLock(state) }
    }

    #[track_caller]
    unsafe fn lock(state: *mut Self::State) {
        // SAFETY: initialised, not held by this processor, IRQL <= DISPATCH_LEVEL (contract).
        unsafe { sys::NdisAcquireSpinLock(state) }
    }

    #[track_caller]
    unsafe fn unlock(state: *mut Self::State, (): &()) {
        // SAFETY: acquired with NdisAcquireSpinLock by this processor, later locks released.
        unsafe { sys::NdisReleaseSpinLock(state) }
    }

    #[track_caller]
    unsafe fn free(state: *mut Self::State) {
        // SAFETY: initialised, not held, never used again (contract).
        unsafe { sys::NdisFreeSpinLock(state) }
    }
}

// SAFETY: the Dpr pair is the same lock word acquired without the IRQL change, documented as
// interchangeable with the non-Dpr pair for exclusion; callers are at DISPATCH_LEVEL.
unsafe impl DprBackend for NdisSpinLockBackend {
    #[track_caller]
    unsafe fn lock_dpr(state: *mut Self::State) {
        // SAFETY: initialised, not held by this processor, at DISPATCH_LEVEL (contract).
        unsafe { sys::NdisDprAcquireSpinLock(state) }
    }

    #[track_caller]
    unsafe fn unlock_dpr(state: *mut Self::State) {
        // SAFETY: acquired with NdisDprAcquireSpinLock by this processor, at DISPATCH_LEVEL.
        unsafe { sys::NdisDprReleaseSpinLock(state) }
    }
}

/// `KSPIN_LOCK`: the executive spin lock, with the old IRQL kept in the guard.
///
/// `KeAcquireSpinLock` writes the previous IRQL to a caller-provided location, which "must not
/// \[be\] the same location for two different locks"
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlock>);
/// here that location is the guard, one per acquisition, so it is never shared. On x64
/// `KeAcquireSpinLock` is `*OldIrql = KeAcquireSpinLockRaiseToDpc(SpinLock)`, which is what this
/// backend calls. DDIs: `KeInitializeSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinitializespinlock>),
/// `KeAcquireSpinLockRaiseToDpc`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockraisetodpc>),
/// `KeReleaseSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasespinlock>),
/// `KeAcquireSpinLockAtDpcLevel`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel>),
/// `KeReleaseSpinLockFromDpcLevel`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasespinlockfromdpclevel>).
pub enum KeSpinLockBackend {}

// SAFETY: KSPIN_LOCK acquire/release give mutual exclusion; KeAcquireSpinLockRaiseToDpc raises
// to DISPATCH_LEVEL and returns the old IRQL, which KeReleaseSpinLock restores.
unsafe impl Backend for KeSpinLockBackend {
    type State = sys::KSPIN_LOCK;
    /// The IRQL before the acquire, owned by this one acquisition.
    type GuardState = sys::KIRQL;

    #[track_caller]
    unsafe fn init(state: *mut Self::State) {
        // SAFETY: writable, nonpaged, pinned storage (contract), as KeInitializeSpinLock needs.
        unsafe { sys::KeInitializeSpinLock(state) }
    }

    #[track_caller]
    unsafe fn lock(state: *mut Self::State) -> sys::KIRQL {
        // SAFETY: initialised, not held by this processor, IRQL <= DISPATCH_LEVEL (contract).
        unsafe { sys::KeAcquireSpinLockRaiseToDpc(state) }
    }

    #[track_caller]
    unsafe fn unlock(state: *mut Self::State, old_irql: &sys::KIRQL) {
        // SAFETY: acquired by this processor, `old_irql` is what that acquire returned, later
        // locks are released so the IRQL is DISPATCH_LEVEL (contract).
        unsafe { sys::KeReleaseSpinLock(state, *old_irql) }
    }

    unsafe fn free(_state: *mut Self::State) {
        // A KSPIN_LOCK owns no resources: there is no Ke routine to free one.
    }
}

// SAFETY: the AtDpcLevel/FromDpcLevel pair locks the same word without touching the IRQL.
unsafe impl DprBackend for KeSpinLockBackend {
    #[track_caller]
    unsafe fn lock_dpr(state: *mut Self::State) {
        // SAFETY: initialised, not held by this processor, at DISPATCH_LEVEL (contract).
        unsafe { sys::KeAcquireSpinLockAtDpcLevel(state) }
    }

    #[track_caller]
    unsafe fn unlock_dpr(state: *mut Self::State) {
        // SAFETY: acquired with KeAcquireSpinLockAtDpcLevel by this processor, at DISPATCH_LEVEL.
        unsafe { sys::KeReleaseSpinLockFromDpcLevel(state) }
    }
}
