//! Data shared with the ISR is reachable only at DIRQL, inside the synchronize closure: a
//! reference to it cannot be carried out of the closure (here through a `Cell`, which a `Copy`
//! closure may capture by shared reference).
use std::cell::Cell;

use rse1k::sync::{InterruptShared, Locked, Unlocked};

fn leak(cx: &mut Locked<'_, Unlocked>, shared: &InterruptShared<u32>) {
    let leaked: Cell<Option<&mut u32>> = Cell::new(None);
    let slot = &leaked;
    shared.synchronize(cx, move |cause, _dirql| slot.set(Some(cause)));
    if let Some(cause) = leaked.take() {
        *cause = 0;
    }
}

fn main() {}
