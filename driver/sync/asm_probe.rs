//! Probes for the zero-cost comparison: each acquire/release path of the lock layer next to
//! the raw call sequence it stands for, as exported functions, so that `tools/kernel-check
//! --emit-asm` can compare their machine code in the kernel build (`x86_64-pc-windows-msvc`,
//! release). Compiled only in that build with `--cfg rse1k_asm_probe`; never in the driver.
//!
//! Each pair does the same work: acquire, add one to a `u64` the lock protects, release.

use super::{DispatchLevel, KeSpinLockBackend, Locked, NdisSpinLockBackend, SpinLock, Unlocked};
use crate::sys;

/// The one level of the probes' locks.
pub enum ProbeLevel {}
crate::impl_lock_after!(Unlocked => ProbeLevel);

/// A probe lock of backend `B` protecting a counter.
pub type ProbeLock<B> = SpinLock<u64, B, ProbeLevel>;

/// The raw probes' lock and counter, in one object as a `SpinLock` has them (a counter behind
/// a second pointer would cost the raw side a register and a reload the layer does not pay).
#[repr(C)]
pub struct RawProbe<S> {
    /// `NDIS_SPIN_LOCK` or `KSPIN_LOCK`.
    pub lock: S,
    /// What the lock protects.
    pub count: u64,
}

/// Lock layer, NDIS backend, guard form: `lock` (`NdisAcquireSpinLock`), guard drop
/// (`NdisReleaseSpinLock`).
#[unsafe(no_mangle)]
pub fn rse1k_probe_ndis_guard(lock: &ProbeLock<NdisSpinLockBackend>) {
    // SAFETY: a probe is called at IRQL <= DISPATCH_LEVEL holding no lock, and this is its only
    // root token (the probes are only compiled, never called, in this project).
    let mut cx = unsafe { Locked::new() };
    *lock.lock(&mut cx) += 1;
}

/// Lock layer, NDIS backend, scoped form (`with`).
#[unsafe(no_mangle)]
pub fn rse1k_probe_ndis_with(lock: &ProbeLock<NdisSpinLockBackend>) {
    // SAFETY: a probe is called at IRQL <= DISPATCH_LEVEL holding no lock; this is its only
    // root token (the probes are compiled for the zero-cost comparison, never called).
    let mut cx = unsafe { Locked::new() };
    lock.with(&mut cx, |count, _| *count += 1);
}

/// The raw sequence of the two above: `NdisAcquireSpinLock`, the update, `NdisReleaseSpinLock`.
///
/// # Safety
/// `probe` is valid, its lock initialised and not held by this processor, and the IRQL is
/// <= `DISPATCH_LEVEL`.
#[unsafe(no_mangle)]
pub unsafe fn rse1k_probe_ndis_raw(probe: *mut RawProbe<sys::NDIS_SPIN_LOCK>) {
    // SAFETY: the caller guarantees a valid probe; only a field address is formed.
    let lock = unsafe { &raw mut (*probe).lock };
    // SAFETY: the caller guarantees a valid probe; only the count field's address is formed.
    let count = unsafe { &raw mut (*probe).count };
    // SAFETY: the caller's contract.
    unsafe { sys::NdisAcquireSpinLock(lock) };
    // SAFETY: `count` is valid and the lock protecting it is held.
    unsafe { *count += 1 };
    // SAFETY: held by this processor, acquired just above.
    unsafe { sys::NdisReleaseSpinLock(lock) };
}

/// Lock layer, NDIS backend, Dpr form (`lock_dpr`: `NdisDprAcquireSpinLock` /
/// `NdisDprReleaseSpinLock`).
#[unsafe(no_mangle)]
pub fn rse1k_probe_ndis_dpr(lock: &ProbeLock<NdisSpinLockBackend>) {
    // SAFETY: a Dpr probe is called at DISPATCH_LEVEL holding no lock; this is its only root
    // token (compiled for the zero-cost comparison, never called).
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a Dpr probe is called at DISPATCH_LEVEL and does not lower it.
    let at = unsafe { DispatchLevel::assume() };
    *lock.lock_dpr(&mut cx, &at) += 1;
}

/// The raw sequence of `rse1k_probe_ndis_dpr`.
///
/// # Safety
/// As [`rse1k_probe_ndis_raw`], at `DISPATCH_LEVEL`.
#[unsafe(no_mangle)]
pub unsafe fn rse1k_probe_ndis_dpr_raw(probe: *mut RawProbe<sys::NDIS_SPIN_LOCK>) {
    // SAFETY: the caller guarantees a valid probe; only a field address is formed.
    let lock = unsafe { &raw mut (*probe).lock };
    // SAFETY: the caller guarantees a valid probe; only the count field's address is formed.
    let count = unsafe { &raw mut (*probe).count };
    // SAFETY: the caller's contract.
    unsafe { sys::NdisDprAcquireSpinLock(lock) };
    // SAFETY: `count` is valid and the lock protecting it is held.
    unsafe { *count += 1 };
    // SAFETY: held by this processor, acquired just above.
    unsafe { sys::NdisDprReleaseSpinLock(lock) };
}

/// Lock layer, Ke backend, guard form (`KeAcquireSpinLockRaiseToDpc` / `KeReleaseSpinLock`).
#[unsafe(no_mangle)]
pub fn rse1k_probe_ke_guard(lock: &ProbeLock<KeSpinLockBackend>) {
    // SAFETY: a probe is called at IRQL <= DISPATCH_LEVEL holding no lock; this is its only
    // root token (compiled for the zero-cost comparison, never called).
    let mut cx = unsafe { Locked::new() };
    *lock.lock(&mut cx) += 1;
}

/// The raw sequence of `rse1k_probe_ke_guard`.
///
/// # Safety
/// `probe` is valid, its lock initialised and not held by this processor, and the IRQL is
/// <= `DISPATCH_LEVEL`.
#[unsafe(no_mangle)]
pub unsafe fn rse1k_probe_ke_raw(probe: *mut RawProbe<sys::KSPIN_LOCK>) {
    // SAFETY: the caller guarantees a valid probe; only a field address is formed.
    let lock = unsafe { &raw mut (*probe).lock };
    // SAFETY: the caller guarantees a valid probe; only the count field's address is formed.
    let count = unsafe { &raw mut (*probe).count };
    // SAFETY: the caller's contract.
    let old = unsafe { sys::KeAcquireSpinLockRaiseToDpc(lock) };
    // SAFETY: `count` is valid and the lock protecting it is held.
    unsafe { *count += 1 };
    // SAFETY: held by this processor, acquired just above, `old` the IRQL it raised from.
    unsafe { sys::KeReleaseSpinLock(lock, old) };
}

/// Lock layer, Ke backend, Dpr form (`KeAcquireSpinLockAtDpcLevel` /
/// `KeReleaseSpinLockFromDpcLevel`).
#[unsafe(no_mangle)]
pub fn rse1k_probe_ke_dpr(lock: &ProbeLock<KeSpinLockBackend>) {
    // SAFETY: a Dpr probe is called at DISPATCH_LEVEL holding no lock; this is its only root
    // token (compiled for the zero-cost comparison, never called).
    let mut cx = unsafe { Locked::new() };
    // SAFETY: a Dpr probe is called at DISPATCH_LEVEL and does not lower it.
    let at = unsafe { DispatchLevel::assume() };
    *lock.lock_dpr(&mut cx, &at) += 1;
}

/// The raw sequence of `rse1k_probe_ke_dpr`.
///
/// # Safety
/// As [`rse1k_probe_ke_raw`], at `DISPATCH_LEVEL`.
#[unsafe(no_mangle)]
pub unsafe fn rse1k_probe_ke_dpr_raw(probe: *mut RawProbe<sys::KSPIN_LOCK>) {
    // SAFETY: the caller guarantees a valid probe; only a field address is formed.
    let lock = unsafe { &raw mut (*probe).lock };
    // SAFETY: the caller guarantees a valid probe; only the count field's address is formed.
    let count = unsafe { &raw mut (*probe).count };
    // SAFETY: the caller's contract.
    unsafe { sys::KeAcquireSpinLockAtDpcLevel(lock) };
    // SAFETY: `count` is valid and the lock protecting it is held.
    unsafe { *count += 1 };
    // SAFETY: held by this processor, acquired just above.
    unsafe { sys::KeReleaseSpinLockFromDpcLevel(lock) };
}
