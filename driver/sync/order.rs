//! Lock levels as types: the global acquisition order, checked by the compiler.
//!
//! The documents require one fixed order of acquisition ("if a driver enforces acquiring spin
//! lock A before spin lock B, the \[deadlock\] will not occur") and forbid the A/B release order
//! (`NdisAcquireSpinLock(A); NdisAcquireSpinLock(B); NdisReleaseSpinLock(A); ...`), which leaves
//! the processor at the wrong IRQL:
//! <https://learn.microsoft.com/windows-hardware/drivers/network/synchronization-and-notification-in-network-drivers>
//! and <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatespinlock>.
//!
//! Each lock has a level `L` (a type). Acquiring needs `&mut Locked<'_, P>`, a context token at a
//! level `P` with `P: LockBefore<L>`; the guard mutably borrows that token for as long as it lives
//! and hands out its own `&mut Locked<'_, L>` for the next acquisition. Hence:
//! - a lock can only be taken after the locks declared before it (order);
//! - a lock can never be taken while a lock of the same level is held (`L: LockBefore<L>` never
//!   holds), so no recursive acquisition (bug check 0x0F);
//! - an outer guard cannot be dropped while an inner one lives (its token is still borrowed), so
//!   release is last-in first-out by construction;
//! - while any guard lives the root token `Locked<'_, Unlocked>` is borrowed, so the NDIS calls
//!   that require it (every non-spin-lock NDIS call in this layer) cannot be made.

use core::marker::PhantomData;

/// The root level: no spin lock is held by the current routine.
///
/// A `&mut Locked<'_, Unlocked>` is the proof that the current routine holds no spin lock and is
/// not at DIRQL. Every non-spin-lock NDIS call this layer exposes takes one, which holds the rule
/// "release all NDIS spin locks before calling an NDIS function other than an `NdisXxxSpinLock`
/// function" (<https://learn.microsoft.com/windows-hardware/drivers/network/synchronization-and-notification-in-network-drivers>).
/// It is uninhabited: it is only ever a type argument.
pub enum Unlocked {}

/// A type usable as the level of a [`SpinLock`](super::SpinLock): a level declared by
/// [`impl_lock_after!`](crate::impl_lock_after) and reachable from [`Unlocked`].
///
/// Implemented for every declared level, and only for them, by a blanket impl; it cannot be
/// implemented by hand (its supertraits are sealed and [`Unlocked`] has its own, conflicting,
/// declaration), so [`Unlocked`] is never a lock level and no guard can hand out a root context.
pub trait LockLevel: __private::Declared + __private::Rooted {}

impl<T: __private::Declared + __private::Rooted> LockLevel for T {}

/// `Self` may be acquired while a lock at level `A` (or [`Unlocked`]'s root context) is held.
///
/// # Safety
/// Implemented only by [`impl_lock_after!`](crate::impl_lock_after), which declares each level
/// once, with one immediate predecessor that leads back to [`Unlocked`], and carries the
/// relation through every level before it. A hand-written impl could add a second path between
/// two levels and so a cycle (two locks taken in both orders, a deadlock), which is why it is
/// `unsafe`. Only a declared level can be on the right: `Unlocked` never is.
pub unsafe trait LockAfter<A>: LockLevel {}

/// A lock at level `B` may be acquired from a context at level `Self`.
///
/// The mirror of [`LockAfter`], implemented for every pair it declares and sealed (no other
/// impl is possible); this is the bound [`SpinLock::lock`](super::SpinLock::lock) checks. No
/// level is before itself: a level's predecessors lead back to [`Unlocked`] without a cycle.
pub trait LockBefore<B>: sealed::Sealed<B> {}

impl<A, B: LockAfter<A>> LockBefore<B> for A {}

mod sealed {
    /// Only the blanket impl below: `LockBefore` cannot be implemented by hand.
    pub trait Sealed<B> {}
    impl<A, B: super::LockAfter<A>> Sealed<B> for A {}
}

/// What [`impl_lock_after!`](crate::impl_lock_after) expands to; not for use by hand.
#[doc(hidden)]
pub mod __private {
    /// A declared lock level and its one immediate predecessor. The macro implements it once
    /// per level, so a second declaration of the same level (two predecessors, a cycle through
    /// it, or `Unlocked` on the right, which has the impl below) does not compile (E0119 or the
    /// orphan rule).
    pub trait Declared {
        /// The level right before this one.
        type Parent;
    }

    /// The level's chain of predecessors reaches [`Unlocked`](super::Unlocked): a level whose
    /// chain loops back to itself (`A => A`, `A => B` with `B => A`) is never `Rooted`, so it
    /// is never a [`LockLevel`](super::LockLevel).
    pub trait Rooted {}

    impl Rooted for super::Unlocked {}
    impl<T: Declared> Rooted for T where T::Parent: Rooted {}
}

/// Declares a lock level `$B` that comes right after `$A` in the driver's acquisition order.
///
/// `impl_lock_after!(Unlocked => StateLevel)` makes `StateLevel` a top-level lock (taken with
/// nothing else held); `impl_lock_after!(StateLevel => SendLevel)` lets the send lock be taken
/// while the state lock is held (and, transitively, from every context before `StateLevel`), and
/// never the other way round. This macro is the only way to declare an order:
/// - each level is declared once, with exactly one immediate predecessor, so the order is a tree
///   and no pair of locks can be taken in both orders (a second declaration does not compile);
/// - the predecessor chain must reach `Unlocked` (`A => A`, or `A => B` with `B => A`, does not
///   compile);
/// - `Unlocked` is never on the right (it has a declaration of its own).
///
/// Top-level locks are declared with the bare name `Unlocked` (imported from `rse1k::sync`),
/// which the macro recognises.
///
/// ```
/// use rse1k::impl_lock_after;
/// use rse1k::sync::Unlocked;
/// pub enum StateLevel {}
/// pub enum SendLevel {}
/// impl_lock_after!(Unlocked => StateLevel);
/// impl_lock_after!(StateLevel => SendLevel);
/// ```
#[macro_export]
macro_rules! impl_lock_after {
    // Nothing is before the root, so a top-level lock needs no transitive impl (and coherence
    // could not prove the transitive one disjoint: both `Unlocked` and `LockBefore` live here).
    (Unlocked => $B:ty) => {
        impl $crate::sync::__private::Declared for $B {
            type Parent = $crate::sync::Unlocked;
        }
        // SAFETY: declared once above, right after the root.
        unsafe impl $crate::sync::LockAfter<$crate::sync::Unlocked> for $B {}
    };
    ($A:ty => $B:ty) => {
        impl $crate::sync::__private::Declared for $B {
            type Parent = $A;
        }
        // SAFETY: declared once above with `$A` as its one predecessor; the transitive impl
        // carries exactly the levels before `$A`.
        unsafe impl $crate::sync::LockAfter<$A> for $B {}
        // SAFETY: every level before `$A` is, through the chain declared above, before `$B` too.
        unsafe impl<X: $crate::sync::LockBefore<$A>> $crate::sync::LockAfter<X> for $B {}
    };
}

/// The context token of a routine that holds the locks up to level `L`.
///
/// Zero-sized, neither `Send` nor `Sync` (it describes the current processor's routine, and
/// releasing a lock on another processor would restore the wrong IRQL there), never `Clone`.
/// Tokens above the root are created only by guards; the root token only by the `unsafe`
/// [`Locked::new`] at a routine's entry. `'a` is the borrow of the context it was derived from.
pub struct Locked<'a, L> {
    /// The borrow of the parent context.
    _parent: PhantomData<&'a mut ()>,
    /// The level, as a type only (`fn() -> L` owns no `L` and adds no auto-trait bounds).
    _level: PhantomData<fn() -> L>,
    /// Removes `Send` and `Sync`: a context belongs to one processor's routine.
    _not_send: PhantomData<*mut ()>,
}

impl<L> Locked<'_, L> {
    /// Mints a token; only the guards of this module create tokens above the root.
    pub(super) const fn mint() -> Self {
        Self {
            _parent: PhantomData,
            _level: PhantomData,
            _not_send: PhantomData,
        }
    }
}

impl Locked<'_, Unlocked> {
    /// The root context of a routine that holds no spin lock.
    ///
    /// Called once at the entry of each driver routine that NDIS calls at IRQL <= `DISPATCH_LEVEL`
    /// (`MiniportXxx` handlers, the interrupt DPC, timer callbacks), or at the start of a test
    /// routine on a simulated processor.
    ///
    /// # Safety
    /// - The current thread of execution holds no spin lock, and runs at IRQL <= `DISPATCH_LEVEL`
    ///   (never in an ISR, `MiniportDisableInterruptEx`/`MiniportEnableInterruptEx`, or a
    ///   `MiniportSynchronizeInterrupt` function, which run at DIRQL).
    /// - No other root token is live in the current routine; the token is dropped before the
    ///   routine returns (so a lock taken through it is released before the routine ends, as
    ///   the `SpinLock` rule requires).
    #[must_use]
    pub const unsafe fn new() -> Self {
        Self::mint()
    }
}

// A context token costs nothing at run time: it is a type only.
const _: () = assert!(size_of::<Locked<'static, Unlocked>>() == 0);
