//! The safe spin-lock layer: the documented NDIS/Ke locking rules, held by types.
//!
//! Each row names what holds the rule and the test that shows a breach caught. "Types" means a
//! breach does not compile (a `tests/compile-fail/*.rs` file with the compiler's error); "run
//! time" means Rust cannot express it and the simulator's verifier reports it (a test that
//! commits the breach and reads the report). The unsafe entry points (`Locked::new`,
//! `DispatchLevel::assume`, `PassiveLevel::assume`, `InterruptShared::isr_entry`) are where a
//! caller vouches for the IRQL; everything past them is checked.
//!
//! | rule (Microsoft docs) | held by | how | test |
//! |---|---|---|---|
//! | initialise before use, resident storage | [`SpinLock::try_new`]: pinned heap (nonpaged pool), initialised before it is reachable | types | (no way to name an uninitialised lock) |
//! | pool allocation at IRQL <= `DISPATCH_LEVEL` | [`SpinLock::try_new`] and [`InterruptShared::try_new`] take a lock context, none reachable at DIRQL | types | `lock_created_inside_synchronize` |
//! | pool free at IRQL <= `DISPATCH_LEVEL` (dropping a lock) | a synchronize closure is `Copy` (owns nothing to drop) and interrupt-shared data is `Copy` (owns no pool); an ISR reaches only that data | types, for the lock layer's DIRQL entry points; a global-allocator `Box::new` inside the closure is **not held** (no type can forbid it) | `lock_dropped_inside_synchronize` |
//! | every acquire has its release, with the matching routine | [`SpinLock::with`] releases after its closure; [`Guard`] / [`DprGuard`] release on drop; the type fixes the routine | types for the scoped form (no guard to leak); **run time** for a leaked guard (`mem::forget`, `ManuallyDrop`, `Box::leak`, an `Rc` cycle) | `pass/correct_usage.rs` (scoped); leaked guard: the verifier's `SpinLock` / `NdisSpinLock` at routine end (ndis-sim `violations.rs`) |
//! | Dpr variants only at `DISPATCH_LEVEL` | [`SpinLock::lock_dpr`] / [`SpinLock::with_dpr`] need a [`DispatchLevel`] proof; [`SpinLock::with_nested`] inside another lock | types | `dpr_without_proof`, `dispatch_proof_after_guard_drop`, `dispatch_proof_to_other_thread` |
//! | `KeAcquireSpinLock`'s old IRQL never shared between locks | [`KeSpinLockBackend`] keeps it in the guard | types | — |
//! | one acquisition order; no recursive acquire | lock levels as types: [`Locked`], sealed [`LockBefore`], `unsafe` [`LockAfter`], declared once each by [`impl_lock_after!`](crate::impl_lock_after), rooted at [`Unlocked`], which is never a level | types | `wrong_lock_order`, `same_lock_nested`, `order_self`, `order_cycle`, `order_two_predecessors`, `order_hand_written_before`, `order_hand_written_after`, `order_unlocked_after_itself` |
//! | release in reverse order (the A/B IRQL bug) | the inner guard borrows the outer guard's context | types | `non_lifo_release` |
//! | no NDIS call while holding a spin lock | every NDIS wrapper ([`crate::ndis`], [`stall_execution`], the interrupt calls) takes `&mut Locked<'_, Unlocked>`, except the register accessors, which the pages allow at any IRQL; `driver/miniport` calls none directly | types; a source scan for the miniport | `ndis_call_under_lock`; `tests/gateway_only.rs` |
//! | `NdisMRegisterInterruptEx` / `NdisMDeregisterInterruptEx` only at `PASSIVE_LEVEL`, no lock held | they need a [`PassiveLevel`] proof, which no guard hands out, and the root context; `Drop` of [`InterruptShared`] makes no NDIS call | types | `deregister_from_dpc`, `race_deregister_while_synchronizing`; `sync_interrupt::dropping_a_registered_interrupt_under_a_spin_lock_makes_no_ndis_call` |
//! | no `NdisMSynchronizeWithInterruptEx` / `NdisMQueueDpcEx` with a deregistered handle | deregistration clears the handle, then waits out the calls already past their check (a counted rundown) | **run time** (a rundown, not a type) | `sync_interrupt::deregister_waits_out_synchronize_calls_in_flight` (fails without the wait) |
//! | no spin lock for data shared with the ISR | [`InterruptShared`]: only at DIRQL, via `NdisMSynchronizeWithInterruptEx` or an [`IsrToken`] | types | `lock_inside_synchronize`, `interrupt_shared_outside_closure`, `isr_data_from_synchronize` |
//! | the ISR token opens its own interrupt's data | [`IsrToken`] keeps a reference to the [`InterruptShared`] it came from | types | `isr_token_other_interrupt` |
//! | hold a spin lock no longer than 25 µs | the verifier's `SpinLockHeldTooLong` on the virtual time the holder spends (configurable) | **run time** | `tests/sync_hold_limit.rs`; ndis-sim `violations.rs` |
//!
//! A routine starts from its root context, minted once at its entry. The scoped form holds
//! each lock for exactly its closure (nothing to leak); the guard form is for a lock that must
//! outlive one block:
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
//!     state.with(cx, |running, cx| {
//!         if *running {
//!             // Already at `DISPATCH_LEVEL` under `state`: the cheaper Dpr acquire.
//!             queue.with_nested(cx, |queued, _| *queued += 1);
//!         }
//!     }); // released in reverse order
//!
//!     // The same with guards.
//!     let mut running = state.lock(cx);
//!     let (running, cx, at) = running.parts();
//!     if *running {
//!         *queue.lock_dpr(cx, at) += 1;
//!     }
//! }
//! ```
//!
//! The layer is `no_std` + `alloc` and reaches the system only through [`crate::sys`].

// The zero-cost probes: only in `tools/kernel-check --emit-asm`'s build of the kernel side.
#[cfg(all(feature = "kernel", rse1k_asm_probe))]
mod asm_probe;
mod backend;
mod heap;
mod interrupt;
mod irql;
mod lock;
mod ndis;
mod order;
mod raise;

pub use backend::{Backend, DprBackend, KeSpinLockBackend, NdisSpinLockBackend};
pub use heap::{AllocError, try_box};
pub use interrupt::{Interrupt, InterruptShared, IsrToken};
pub use irql::{Dirql, DispatchLevel, PassiveLevel};
pub use lock::{Acquisition, AtDispatch, DprGuard, Guard, LockGuard, Raised, SpinLock};
pub use ndis::{MAX_STALL_MICROSECONDS, stall_execution};
#[doc(hidden)]
pub use order::__private;
pub use order::{LockAfter, LockBefore, LockLevel, Locked, Unlocked};
pub use raise::at_dispatch_level;
