//! A guard restores the IRQL of the processor that acquired the lock: it must not be released
//! on another thread (processor).
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

fn release_elsewhere(cx: &mut Locked<'_, Unlocked>, state: &StateLock) {
    let guard = state.lock(cx);
    std::thread::scope(|s| {
        s.spawn(move || drop(guard));
    });
}

fn main() {}
