//! The safe spin-lock layer: the documented NDIS/Ke locking rules, held by types.
//!
//! | rule (Microsoft docs) | held by |
//! |---|---|
//! | initialise before use, resident storage | [`SpinLock::try_new`]: pinned heap (nonpaged pool), initialised before it is reachable |
//! | every acquire has its release, with the matching routine | [`Guard`] / [`DprGuard`] release on drop; the type fixes the routine |
//! | Dpr variants only at `DISPATCH_LEVEL` | [`SpinLock::lock_dpr`] needs a [`DispatchLevel`] proof |
//! | `KeAcquireSpinLock`'s old IRQL never shared between locks | [`KeSpinLockBackend`] keeps it in the guard |
//! | one acquisition order; no recursive acquire | lock levels as types: [`Locked`], [`LockBefore`], [`impl_lock_after!`](crate::impl_lock_after) |
//! | release in reverse order (the A/B IRQL bug) | the inner guard borrows the outer guard's context |
//! | no NDIS call while holding a spin lock | NDIS wrappers take `&mut Locked<'_, Unlocked>` |
//! | `NdisMRegisterInterruptEx` / `NdisMDeregisterInterruptEx` only at `PASSIVE_LEVEL` | they need a [`PassiveLevel`] proof, which no guard hands out |
//! | no spin lock for data shared with the ISR | [`InterruptShared`]: only at DIRQL, via `NdisMSynchronizeWithInterruptEx` or the ISR token |
//!
//! A routine starts from its root context, minted once at its entry:
//!
//! ```
//! use rse1k::impl_lock_after;
//! use rse1k::sync::{Locked, SpinLock, NdisSpinLockBackend, KeSpinLockBackend, Unlocked};
//!
//! pub enum StateLevel {}
//! pub enum SendLevel {}
//! impl_lock_after!(Unlocked => StateLevel);
//! impl_lock_after!(StateLevel => SendLevel);
//!
//! fn send(
//!     cx: &mut Locked<'_, Unlocked>,
//!     state: &SpinLock<bool, NdisSpinLockBackend, StateLevel>,
//!     queue: &SpinLock<u32, KeSpinLockBackend, SendLevel>,
//! ) {
//!     let mut running = state.lock(cx);
//!     let (running, cx, at) = running.parts();
//!     if *running {
//!         // Already at `DISPATCH_LEVEL` under `state`: the cheaper Dpr acquire.
//!         *queue.lock_dpr(cx, at) += 1;
//!     }
//! } // released in reverse order
//! ```
//!
//! The layer is `no_std` + `alloc` and reaches the system only through [`crate::sys`].

mod backend;
mod heap;
mod interrupt;
mod irql;
mod lock;
mod ndis;
mod order;

pub use backend::{Backend, DprBackend, KeSpinLockBackend, NdisSpinLockBackend};
pub use heap::{AllocError, try_box};
pub use interrupt::{Interrupt, InterruptShared, IsrToken};
pub use irql::{Dirql, DispatchLevel, PassiveLevel};
pub use lock::{Acquisition, AtDispatch, DprGuard, Guard, LockGuard, Raised, SpinLock};
pub use ndis::{MAX_STALL_MICROSECONDS, stall_execution};
#[doc(hidden)]
pub use order::__private;
pub use order::{LockAfter, LockBefore, LockLevel, Locked, Unlocked};
