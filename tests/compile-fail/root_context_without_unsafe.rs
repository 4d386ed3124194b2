//! The root context says "no spin lock held": minting one is an `unsafe` promise, never free,
//! or a second root could bypass the order and the no-NDIS-call-under-lock rule.
use rse1k::sync::{Locked, Unlocked};

fn main() {
    let _cx = Locked::<Unlocked>::new();
}
