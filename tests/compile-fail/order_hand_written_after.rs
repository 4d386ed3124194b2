//! `LockAfter` is `unsafe` to implement: only `impl_lock_after!` declares an order, so a second
//! path between two levels (a cycle: two locks taken in both orders) cannot be added by a
//! plain impl.
use rse1k::impl_lock_after;
use rse1k::sync::LockAfter;

pub enum StateLevel {}
pub enum SendLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);

impl LockAfter<SendLevel> for StateLevel {}

fn main() {}
