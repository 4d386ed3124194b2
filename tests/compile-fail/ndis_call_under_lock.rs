//! "Release all NDIS spin locks before calling an NDIS function other than an NdisXxxSpinLock
//! function": an NDIS call needs the root context, which the live guard borrows.
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

use rse1k::sync::stall_execution;

fn stall_under_lock(cx: &mut Locked<'_, Unlocked>, state: &StateLock) {
    let mut guard = state.lock(cx);
    *guard += 1;
    stall_execution::<10>(cx);
    *guard += 1;
}

fn main() {}
