//! The Dirql proof a synchronize closure receives is not an ISR token: inside the closure a
//! second `&mut` to interrupt-shared data could only come from `isr_entry`, which is `unsafe`
//! (its contract: only in the interrupt's own ISR/disable/enable handler, once per call).
use rse1k::sync::{InterruptShared, Locked, Unlocked};

fn alias(cx: &mut Locked<'_, Unlocked>, shared: &InterruptShared<u32>) {
    shared.synchronize(cx, |cause, _dirql| {
        let mut token = shared.isr_entry();
        *token.data() += *cause;
    });
}

fn main() {}
