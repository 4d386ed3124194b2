//! No pool allocation at DIRQL: creating a spin lock (or interrupt-shared data) needs a lock
//! context, and none is reachable inside a synchronize closure (the root context is borrowed
//! by the synchronize call itself).
use rse1k::impl_lock_after;
use rse1k::sync::{InterruptShared, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
impl_lock_after!(Unlocked => StateLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;

fn create_at_dirql(cx: &mut Locked<'_, Unlocked>, shared: &InterruptShared<u32>) {
    shared.synchronize(cx, |cause, _dirql| {
        let lock = StateLock::try_new(cx, "dirql", *cause).expect("pool");
        let more = InterruptShared::try_new(cx, 0u32).expect("pool");
        drop((lock, more));
    });
}

fn main() {}
