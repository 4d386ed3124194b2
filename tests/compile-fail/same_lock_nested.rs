//! No lock level is before itself: the same lock (or another of its level) cannot be acquired
//! while it is held (SPIN_LOCK_ALREADY_OWNED, bug check 0x0F).
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

fn recursive(cx: &mut Locked<'_, Unlocked>, state: &StateLock) {
    let mut outer = state.lock(cx);
    let _again = state.lock(outer.locked());
}

fn main() {}
