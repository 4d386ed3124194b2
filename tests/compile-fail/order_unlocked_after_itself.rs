//! `Unlocked` is never on the right of an order: declaring it after itself would make it a lock
//! level, whose guard hands out a root context (an NDIS call and a recursive acquire under a
//! held lock). Outside the crate the orphan rule refuses it; inside, the root's own declaration
//! conflicts (E0119).
use rse1k::impl_lock_after;
use rse1k::sync::Unlocked;

impl_lock_after!(Unlocked => Unlocked);

fn main() {}
