//! The Dirql proof a synchronize closure receives is shared, not the ISR-only token: it cannot
//! open a second `&mut` to interrupt-shared data.
use rse1k::sync::{InterruptShared, Locked, Unlocked};

fn alias(cx: &mut Locked<'_, Unlocked>, shared: &InterruptShared<u32>) {
    shared.synchronize(cx, |cause, dirql| {
        let again = shared.isr(dirql);
        *again += *cause;
    });
}

fn main() {}
