//! A cycle of levels that never reaches `Unlocked` is not a lock order: neither level is a
//! `LockLevel`, so no lock can be built at either.
use rse1k::impl_lock_after;
use rse1k::sync::{NdisSpinLockBackend, SpinLock};

pub enum ALevel {}
pub enum BLevel {}
impl_lock_after!(ALevel => BLevel);
impl_lock_after!(BLevel => ALevel);

fn build(lock: &SpinLock<u32, NdisSpinLockBackend, ALevel>) {
    let _ = lock;
}

fn main() {}
