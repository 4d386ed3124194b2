//! A DispatchLevel proof minted by a guard borrows it: after the release lowers the IRQL the
//! proof cannot be used for a Dpr acquire.
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

fn stale_proof(cx: &mut Locked<'_, Unlocked>, state: &StateLock, other: &StateLock) {
    let guard = state.lock(cx);
    let at = guard.dispatch_level();
    drop(guard);
    let _dpr = other.lock_dpr(cx, at);
}

fn main() {}
