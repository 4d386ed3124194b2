//! `SpinLock<T, B, L>`: data that can only be reached while its spin lock is held.

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::MaybeUninit;
use core::ops::{Deref, DerefMut};
use core::pin::Pin;

use super::backend::{Backend, DprBackend};
use super::heap::{AllocError, try_pin_box};
use super::irql::DispatchLevel;
use super::order::{LockBefore, LockLevel, Locked};
use crate::sys;

/// A `T` protected by a spin lock of backend `B` at lock level `L`.
///
/// Holds the rules of the spin-lock DDIs
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatespinlock>):
/// - *initialise before any other use, in resident storage*: the only constructor,
///   [`SpinLock::try_new`], allocates from the (nonpaged) heap, pins, and initialises the lock
///   word before anyone can see it;
/// - *every acquire has its release, with the matching routine*: [`SpinLock::lock`] returns a
///   [`Guard`] and [`SpinLock::lock_dpr`] a [`DprGuard`]; each releases on drop with the routine
///   its type fixes;
/// - *fixed order, no recursion, LIFO release, no NDIS call under a lock*: acquiring needs a
///   context token of a level before `L` and borrows it (see [`Locked`]);
/// - *free when done*: `Drop` calls the backend's free (`NdisFreeSpinLock`); it takes
///   `&mut self`, so it cannot run while a guard borrows the lock.
///
/// Lock data shared with the ISR in [`Interrupt`](super::Interrupt) instead: spin locks cannot
/// protect it.
pub struct SpinLock<T, B: Backend, L: LockLevel> {
    // Initialised by `try_new` before the lock is reachable; `MaybeUninit` only because the
    // backend initialises it in place, at its final address.
    state: UnsafeCell<MaybeUninit<B::State>>,
    data: UnsafeCell<T>,
    _level: PhantomData<fn() -> L>,
    // The lock word's address is registered with the kernel (and the simulator): never move it.
    _pinned: PhantomPinned,
}

// SAFETY: the lock hands out `&mut T` to one holder at a time (Backend contract), so sharing the
// lock between processors only ever moves access to `T` between them, which `T: Send` allows.
unsafe impl<T: Send, B: Backend, L: LockLevel> Sync for SpinLock<T, B, L> {}

impl<T, B: Backend, L: LockLevel> SpinLock<T, B, L> {
    /// Allocates, pins and initialises a spin lock protecting `data`.
    ///
    /// Calls the backend's initialisation (`NdisAllocateSpinLock`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatespinlock>,
    /// or `KeInitializeSpinLock`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinitializespinlock>)
    /// on the lock word at its final, pinned address, then names the lock `name` in the
    /// simulator's report (`SimNameSpinLock`; nothing in the kernel build). The lock word's
    /// routines run at any IRQL, but the pool allocation needs IRQL <= `DISPATCH_LEVEL`: `cx`, a
    /// lock context of any level, proves it (none is reachable inside a `synchronize` closure or
    /// an ISR, where the IRQL is DIRQL).
    ///
    /// # Errors
    /// [`AllocError`] when the pool allocation fails.
    #[track_caller]
    pub fn try_new<P>(
        cx: &Locked<'_, P>,
        name: &'static str,
        data: T,
    ) -> Result<Pin<Box<Self>>, AllocError> {
        let _ = cx;
        let this = try_pin_box(Self {
            state: UnsafeCell::new(MaybeUninit::uninit()),
            data: UnsafeCell::new(data),
            _level: PhantomData,
            _pinned: PhantomPinned,
        })?;
        let state = this.state_ptr();
        // SAFETY: the lock word is in a heap allocation that is pinned from now on (nonpaged pool
        // in the kernel) and no one else can reach it yet.
        unsafe { B::init(state) };
        // SAFETY: `state` is an initialised lock word that stays at this address until `drop`;
        // the name is 'static as the simulator keeps it.
        unsafe { sys::SimNameSpinLock(state.cast_const().cast(), name) };
        Ok(this)
    }

    fn state_ptr(&self) -> *mut B::State {
        self.state.get().cast()
    }

    /// Acquires the lock from a context at a level before `L`, raising to `DISPATCH_LEVEL`.
    ///
    /// Wraps `NdisAcquireSpinLock`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisacquirespinlock>)
    /// or `KeAcquireSpinLock`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlock>).
    /// The returned guard borrows `cx` until it is dropped: the caller cannot release an outer
    /// lock, take a lock out of order, or call an NDIS function needing the root context until
    /// then.
    #[track_caller]
    pub fn lock<'a, P: LockBefore<L>>(&'a self, cx: &'a mut Locked<'_, P>) -> Guard<'a, T, B, L> {
        let _ = cx;
        // SAFETY: the lock word was initialised by `try_new`. The context proves IRQL <=
        // DISPATCH_LEVEL (a root token is never minted at DIRQL, and any other level is held at
        // DISPATCH_LEVEL) and that this routine does not hold this lock (no level is before
        // itself, and a level has a single lock context at a time).
        let guard_state = unsafe { B::lock(self.state_ptr()) };
        Guard {
            lock: self,
            backend_state: guard_state,
            cx: Locked::mint(),
            dispatch: DispatchLevel::mint(),
        }
    }
    /// Runs `f` with the data and the context for locks after this one, holding the lock for
    /// exactly the call: the scoped form of [`SpinLock::lock`], and the one to prefer.
    ///
    /// The lock is released when `f` returns (or unwinds), whatever `f` does: there is no
    /// guard to forget, leak or keep, so the lock cannot stay held past the call (with
    /// [`SpinLock::lock`], `core::mem::forget` on the guard, `ManuallyDrop`, `Box::leak` or an
    /// `Rc` cycle end the borrow of `cx` while the lock stays held; see [`LockGuard`]). `f`
    /// receives a context at level `L`, so inside it only locks after `L` can be taken and no
    /// NDIS call needing the root context can be made; a lock after it is taken with
    /// [`SpinLock::with_nested`] (the Dpr routines: holding this lock means `DISPATCH_LEVEL`).
    #[track_caller]
    pub fn with<P: LockBefore<L>, R>(
        &self,
        cx: &mut Locked<'_, P>,
        f: impl FnOnce(&mut T, &mut Locked<'_, L>) -> R,
    ) -> R {
        let mut guard = self.lock(cx);
        let (data, cx, _) = guard.parts();
        f(data, cx)
    }
}

impl<T, B: DprBackend, L: LockLevel> SpinLock<T, B, L> {
    /// Acquires the lock from code already at `DISPATCH_LEVEL`, leaving the IRQL alone.
    ///
    /// Wraps `NdisDprAcquireSpinLock`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisdpracquirespinlock>)
    /// or `KeAcquireSpinLockAtDpcLevel`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel>),
    /// which are valid only at `DISPATCH_LEVEL`: `at` proves it, for at least as long as the guard
    /// lives. The returned [`DprGuard`] can only release with the Dpr routine.
    #[track_caller]
    pub fn lock_dpr<'a, P: LockBefore<L>>(
        &'a self,
        cx: &'a mut Locked<'_, P>,
        at: &'a DispatchLevel,
    ) -> DprGuard<'a, T, B, L> {
        let _ = (cx, at);
        // SAFETY: initialised by `try_new`; `at` proves DISPATCH_LEVEL for the guard's whole
        // life; the context proves this routine does not hold this lock (as in `lock`).
        unsafe { B::lock_dpr(self.state_ptr()) };
        DprGuard {
            lock: self,
            backend_state: (),
            cx: Locked::mint(),
            dispatch: DispatchLevel::mint(),
        }
    }

    /// [`SpinLock::with`] from inside another lock's scope: the outer lock (a context above
    /// the root) proves `DISPATCH_LEVEL`, so the cheaper Dpr routines are used.
    #[track_caller]
    pub fn with_nested<P: LockBefore<L> + LockLevel, R>(
        &self,
        cx: &mut Locked<'_, P>,
        f: impl FnOnce(&mut T, &mut Locked<'_, L>) -> R,
    ) -> R {
        let _ = &cx;
        // A context at a lock level exists only while that lock is held, at DISPATCH_LEVEL,
        // and `cx` stays borrowed (the lock held) until this call returns.
        let at = DispatchLevel::mint();
        self.with_dpr(cx, &at, f)
    }

    /// [`SpinLock::with`] for code already at `DISPATCH_LEVEL` (the Dpr acquire and release).
    #[track_caller]
    pub fn with_dpr<P: LockBefore<L>, R>(
        &self,
        cx: &mut Locked<'_, P>,
        at: &DispatchLevel,
        f: impl FnOnce(&mut T, &mut Locked<'_, L>) -> R,
    ) -> R {
        let mut guard = self.lock_dpr(cx, at);
        let (data, cx, _) = guard.parts();
        f(data, cx)
    }
}

impl<T, B: Backend, L: LockLevel> Drop for SpinLock<T, B, L> {
    #[track_caller]
    fn drop(&mut self) {
        // SAFETY: initialised by `try_new`; `&mut self` means no guard borrows the lock, so it is
        // not held; it is never used again.
        unsafe { B::free(self.state_ptr()) };
    }
}

/// How a guard's lock was acquired, and so which routine releases it.
///
/// Implemented by [`Raised`] and [`AtDispatch`] only (sealed): the release routine is chosen by
/// the guard's type, never by a run-time test, so a Dpr acquire can never meet a non-Dpr
/// release (Driver Verifier 0xC4/0x1009, the NDIS `SpinLockDprRelease` rule).
pub trait Acquisition<B: Backend>: sealed::Sealed {
    /// What the acquire returned and the release needs (the old IRQL, for the Ke backend).
    type Token;

    /// Releases the lock with the routine that pairs with this acquisition.
    ///
    /// # Safety
    /// The current processor acquired `state` this way, receiving `token`; every lock acquired
    /// after it is released (LIFO).
    unsafe fn release(state: *mut B::State, token: &Self::Token);
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Raised {}
    impl Sealed for super::AtDispatch {}
}

/// Acquired with `NdisAcquireSpinLock` / `KeAcquireSpinLock`, raising to `DISPATCH_LEVEL`;
/// released with `NdisReleaseSpinLock` / `KeReleaseSpinLock`, restoring the old IRQL.
pub enum Raised {}

/// Acquired at `DISPATCH_LEVEL` with `NdisDprAcquireSpinLock` / `KeAcquireSpinLockAtDpcLevel`;
/// released with `NdisDprReleaseSpinLock` / `KeReleaseSpinLockFromDpcLevel`, IRQL untouched.
pub enum AtDispatch {}

impl<B: Backend> Acquisition<B> for Raised {
    type Token = B::GuardState;

    #[track_caller]
    unsafe fn release(state: *mut B::State, token: &B::GuardState) {
        // SAFETY: acquired with `B::lock`, which returned `token`, on this processor; later
        // locks are released, so the IRQL is DISPATCH_LEVEL (this function's contract).
        unsafe { B::unlock(state, token) };
    }
}

impl<B: DprBackend> Acquisition<B> for AtDispatch {
    type Token = ();

    #[track_caller]
    unsafe fn release(state: *mut B::State, (): &()) {
        // SAFETY: acquired with `B::lock_dpr` on this processor, which is still at
        // DISPATCH_LEVEL: the proof passed to `lock_dpr` outlives the guard (contract).
        unsafe { B::unlock_dpr(state) };
    }
}

/// A held spin lock; releases it on drop with the routine `A` fixes.
///
/// Dereferences to the data. Not `Send`: the release restores the IRQL of the processor that
/// acquired it. Use it as [`Guard`] (from [`SpinLock::lock`]) or [`DprGuard`] (from
/// [`SpinLock::lock_dpr`]) where a guard must outlive one block (handed to a helper, released
/// on one of several paths); otherwise prefer the scoped [`SpinLock::with`].
///
/// What Rust cannot prevent: a guard is a value, and safe code can leak a value
/// (`core::mem::forget`, `ManuallyDrop`, `Box::leak`, an `Rc` cycle, a future that is never
/// polled to completion). A leaked guard ends the borrow of the lock context while the lock
/// stays held and the IRQL raised, after which relocking or an NDIS call type-checks. The
/// verifier catches it at run time instead: the lock is still held when the routine that took
/// it returns (bug check 0x0F on a relock, NDIS `SpinLock`/`SpinLockDpr` and WDM `SpinLock` at
/// routine end, `IrqlReturn` for the IRQL left raised).
#[must_use = "dropping the guard releases the lock at once"]
pub struct LockGuard<'a, T, B: Backend, L: LockLevel, A: Acquisition<B>> {
    lock: &'a SpinLock<T, B, L>,
    // Named as the natvis (driver/rse1k.natvis) reads it: the old IRQL for a Ke `Raised` guard.
    backend_state: A::Token,
    cx: Locked<'a, L>,
    dispatch: DispatchLevel,
}

/// A lock acquired with [`SpinLock::lock`]; dropping it calls `NdisReleaseSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreleasespinlock>)
/// or `KeReleaseSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasespinlock>)
/// with the old IRQL this guard owns.
pub type Guard<'a, T, B, L> = LockGuard<'a, T, B, L, Raised>;

/// A lock acquired with [`SpinLock::lock_dpr`]; dropping it calls `NdisDprReleaseSpinLock`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisdprreleasespinlock>)
/// or `KeReleaseSpinLockFromDpcLevel`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasespinlockfromdpclevel>).
pub type DprGuard<'a, T, B, L> = LockGuard<'a, T, B, L, AtDispatch>;

impl<'a, T, B: Backend, L: LockLevel, A: Acquisition<B>> LockGuard<'a, T, B, L, A> {
    /// The data, the context for the next lock, and the `DISPATCH_LEVEL` proof, all at once.
    ///
    /// All three borrow the guard, so none outlives the release.
    pub fn parts(&mut self) -> (&mut T, &mut Locked<'a, L>, &DispatchLevel) {
        // SAFETY: this guard holds the lock, so this is the only access to the data; the
        // reference is tied to the `&mut self` borrow and cannot outlive the release.
        let data = unsafe { &mut *self.lock.data.get() };
        (data, &mut self.cx, &self.dispatch)
    }

    /// The context for acquiring locks after this one.
    pub fn locked(&mut self) -> &mut Locked<'a, L> {
        &mut self.cx
    }

    /// Proof that the processor is at `DISPATCH_LEVEL` while this guard lives.
    #[must_use]
    pub fn dispatch_level(&self) -> &DispatchLevel {
        &self.dispatch
    }
}

impl<T, B: Backend, L: LockLevel, A: Acquisition<B>> Deref for LockGuard<'_, T, B, L, A> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the lock is held by this guard; shared access tied to `&self`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T, B: Backend, L: LockLevel, A: Acquisition<B>> DerefMut for LockGuard<'_, T, B, L, A> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held by this guard; exclusive access tied to `&mut self`.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T, B: Backend, L: LockLevel, A: Acquisition<B>> Drop for LockGuard<'_, T, B, L, A> {
    fn drop(&mut self) {
        // SAFETY: this guard acquired the lock the way `A` names, receiving `backend_state`; any
        // lock acquired after it borrowed this guard's context and is released already (LIFO);
        // the guard is not Send, so this is the acquiring processor.
        unsafe { A::release(self.lock.state_ptr(), &self.backend_state) };
    }
}
