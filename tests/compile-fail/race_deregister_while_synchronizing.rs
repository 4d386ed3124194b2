//! Deregistration takes the root context and a PASSIVE_LEVEL proof, neither of which a
//! synchronize closure (DIRQL) can reach (it is `Copy`: no `&mut` capture of the context): an interrupt cannot be deregistered from inside its
//! own synchronize call (NDIS would wait for the interrupt lock this processor holds).
use rse1k::sync::{InterruptShared, Locked, PassiveLevel, Unlocked};

fn deregister_inside(cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel, shared: &InterruptShared<u32>) {
    shared.synchronize(cx, |_cause, _dirql| {
        shared.deregister(cx, at);
    });
}

fn main() {}
