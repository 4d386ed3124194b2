//! Each level has one immediate predecessor: declaring a second (which could close a cycle, or
//! let two locks be taken in both orders) does not compile.
use rse1k::impl_lock_after;

pub enum StateLevel {}
pub enum SendLevel {}
pub enum RecvLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);
impl_lock_after!(SendLevel => RecvLevel);
impl_lock_after!(RecvLevel => StateLevel);

fn main() {}
