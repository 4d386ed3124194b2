//! Data shared with the ISR is reachable only at DIRQL, inside the synchronize closure: a
//! reference to it cannot be carried out of the closure.
use rse1k::sync::{InterruptShared, Locked, Unlocked};

fn leak(cx: &mut Locked<'_, Unlocked>, shared: &InterruptShared<u32>) {
    let mut leaked: Option<&mut u32> = None;
    shared.synchronize(cx, |cause, _dirql| leaked = Some(cause));
    if let Some(cause) = leaked {
        *cause = 0;
    }
}

fn main() {}
