//! No spin lock at DIRQL: the synchronize closure cannot reach a lock context. It must be
//! `Copy`, so it cannot capture one by `&mut` (and the root context is borrowed by the
//! synchronize call itself).
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

use rse1k::sync::InterruptShared;

fn lock_at_dirql(cx: &mut Locked<'_, Unlocked>, shared: &InterruptShared<u32>, state: &StateLock) {
    shared.synchronize(cx, |cause, _dirql| {
        let guard = state.lock(cx);
        *cause += *guard;
    });
}

fn main() {}
