//! No pool free at DIRQL: a synchronize closure must be `Copy`, so it cannot own a spin lock
//! (or any `Box`) to drop there; and interrupt-shared data must be plain `Copy` data.
use std::pin::Pin;

use rse1k::impl_lock_after;
use rse1k::sync::{InterruptShared, Locked, NdisSpinLockBackend, SpinLock, Unlocked};

pub enum StateLevel {}
impl_lock_after!(Unlocked => StateLevel);

type StateLock = SpinLock<u32, NdisSpinLockBackend, StateLevel>;

fn free_at_dirql(cx: &mut Locked<'_, Unlocked>, shared: &InterruptShared<u32>, lock: Pin<Box<StateLock>>) {
    shared.synchronize(cx, move |cause, _dirql| {
        *cause += 1;
        drop(lock);
    });
}

fn owning_data(cx: &mut Locked<'_, Unlocked>, shared: &InterruptShared<Vec<u8>>) {
    shared.synchronize(cx, |data, _dirql| data.clear());
}

fn main() {}
