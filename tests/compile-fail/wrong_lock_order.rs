//! The declared order is state -> send: taking state while send is held must not compile
//! (the deadlock the "enforce an order of acquisition" rule prevents).
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

fn send_then_state(cx: &mut Locked<'_, Unlocked>, state: &StateLock, send: &SendLock) {
    let mut queue = send.lock(cx);
    let _state = state.lock(queue.locked());
}

fn main() {}
