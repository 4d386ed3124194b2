//! A DispatchLevel proof describes the current processor's IRQL: it cannot be handed to code
//! running on another thread (processor), where the IRQL may be anything.
use rse1k::impl_lock_after;
use rse1k::sync::{KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

fn proof_elsewhere(cx: &mut Locked<'_, Unlocked>, state: &StateLock, send: &SendLock) {
    let guard = state.lock(cx);
    let at = guard.dispatch_level();
    std::thread::scope(|s| {
        s.spawn(move || {
            // SAFETY: none possible: this thread is at PASSIVE_LEVEL whatever `at` says.
            let mut other_root = unsafe { Locked::<Unlocked>::new() };
            let _dpr = send.lock_dpr(&mut other_root, at);
        });
    });
}

fn main() {}
