//! The control case: the same shapes as the rejected files, written correctly, compile and run
//! on the simulator without a violation.
use rse1k::impl_lock_after;
use rse1k::sync::{
    KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked,
    stall_execution,
};

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;
type SendLock = SpinLock<u32, KeSpinLockBackend, SendLevel>;

fn in_order(cx: &mut Locked<'_, Unlocked>, state: &StateLock, send: &SendLock) {
    let mut outer = state.lock(cx);
    let (count, state_cx, at) = outer.parts();
    *count += 1;
    {
        let mut inner = send.lock_dpr(state_cx, at);
        *inner += 1;
    } // inner released first: LIFO
    drop(outer);
    stall_execution::<1>(cx); // no lock held any more: the NDIS call is allowed
    let mut again = send.lock(cx); // a later level may be taken alone
    *again += 1;
}

/// The scoped form: each lock is held for exactly its closure, nothing to leak.
fn scoped(cx: &mut Locked<'_, Unlocked>, state: &StateLock, send: &SendLock) {
    state.with(cx, |count, state_cx| {
        *count += 1;
        send.with_nested(state_cx, |inner, _| *inner += 1);
    });
    stall_execution::<1>(cx); // both released: the NDIS call is allowed again
}

fn main() {
    let machine = ndis_sim::Machine::builder().processors(1).build();
    let (state, send) = machine.run_on(0, || {
        // SAFETY: the start of a routine on a simulated processor at PASSIVE_LEVEL: no lock held,
        // and this is the routine's only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let state = StateLock::try_new(&cx, "pass.state", 0).expect("pool");
        let send = SendLock::try_new(&cx, "pass.send", 0).expect("pool");
        in_order(&mut cx, &state, &send);
        scoped(&mut cx, &state, &send);
        let state_count = *state.lock(&mut cx); // released at the end of this statement
        let send_count = *send.lock(&mut cx);
        (state_count, send_count)
    });
    assert_eq!((state, send), (2, 3));
    assert!(machine.report().violations.is_empty());
}
