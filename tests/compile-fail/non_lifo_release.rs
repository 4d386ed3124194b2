//! NdisAcquireSpinLock(A); NdisAcquireSpinLock(B); NdisReleaseSpinLock(A): releasing the outer
//! lock while the inner one is held must not compile (it would leave the IRQL wrong).
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

fn a_b_release_order(cx: &mut Locked<'_, Unlocked>, state: &StateLock, send: &SendLock) {
    let mut outer = state.lock(cx);
    let inner = send.lock(outer.locked());
    drop(outer);
    drop(inner);
}

fn main() {}
