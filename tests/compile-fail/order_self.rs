//! A level declared right after itself is never a `LockLevel` (its chain never reaches
//! `Unlocked`), so it cannot be acquired while held.
use rse1k::impl_lock_after;
use rse1k::sync::{Locked, NdisSpinLockBackend, SpinLock};

pub enum LoopLevel {}
impl_lock_after!(LoopLevel => LoopLevel);

fn twice(cx: &mut Locked<'_, LoopLevel>, lock: &SpinLock<u32, NdisSpinLockBackend, LoopLevel>) {
    let _ = lock.lock(cx);
}

fn main() {}
