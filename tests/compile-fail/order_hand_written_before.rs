//! `LockBefore` is sealed: a hand-written impl cannot make a level come before itself (which
//! would let a held lock be acquired again, bug check 0x0F).
use rse1k::impl_lock_after;
use rse1k::sync::LockBefore;

pub enum StateLevel {}
impl_lock_after!(Unlocked => StateLevel);

impl LockBefore<StateLevel> for StateLevel {}

fn main() {}
