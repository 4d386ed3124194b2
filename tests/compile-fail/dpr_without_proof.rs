//! NdisDprAcquireSpinLock is valid only at DISPATCH_LEVEL: without a held guard or a DPC entry,
//! the only way to a DispatchLevel proof is `unsafe`, so this passive-level caller cannot.
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

use rse1k::sync::DispatchLevel;

fn dpr_at_passive(cx: &mut Locked<'_, Unlocked>, state: &StateLock) {
    let at = DispatchLevel::assume();
    let _guard = state.lock_dpr(cx, &at);
}

fn main() {}
