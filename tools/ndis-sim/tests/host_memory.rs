//! Pool memory: `NdisAllocateMemoryWithTagPriority` / `NdisFreeMemory` accounting and rules.

mod common;

use ndis_sim::sys;
use ndis_sim::{Machine, Rule, VerifierMode};

use common::rules;

const TAG: sys::ULONG = u32::from_le_bytes(*b"rse1");

fn machine() -> Machine {
    Machine::builder()
        .processors(2)
        .seed(5)
        .mode(VerifierMode::Collect)
        .build()
}

#[test]
fn allocations_are_tracked_per_handle_until_freed() {
    let m = machine();
    let handle = m.adapter_handle(1);
    let h = handle as usize;
    let p = m.run_on(0, move || {
        // SAFETY: called on a virtual processor.
        let p =
            unsafe { sys::NdisAllocateMemoryWithTagPriority(h as sys::NDIS_HANDLE, 40, TAG, 16) };
        assert!(!p.is_null());
        assert_eq!(p as usize % 16, 0);
        p as usize
    });
    let leaks = m.outstanding_pool(Some(handle));
    assert_eq!(leaks.len(), 1);
    assert_eq!((leaks[0].addr, leaks[0].len, leaks[0].tag), (p, 40, TAG));
    // Freed from the other processor at DISPATCH_LEVEL, with the length given.
    m.run_on(1, move || {
        let mut old = 0;
        // SAFETY: raise then lower on this processor.
        unsafe { sys::KeRaiseIrql(2, &raw mut old) };
        // SAFETY: `p` is an outstanding allocation no one uses any more.
        unsafe { sys::NdisFreeMemory(p as sys::PVOID, 40, 0) };
        // SAFETY: back to the IRQL raised from.
        unsafe { sys::KeLowerIrql(old) };
    });
    assert!(m.outstanding_pool(None).is_empty());
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn a_zero_tag_is_reported() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    m.run_on(0, move || {
        // SAFETY: called on a virtual processor.
        let p = unsafe { sys::NdisAllocateMemoryWithTagPriority(h as sys::NDIS_HANDLE, 8, 0, 16) };
        // SAFETY: just allocated.
        unsafe { sys::NdisFreeMemory(p, 0, 0) };
    });
    assert_eq!(rules(&m), [Rule::AllocateMemoryTag]);
}

#[test]
fn double_free_wrong_length_and_flags_are_bad_frees() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    m.run_on(0, move || {
        // SAFETY: called on a virtual processor.
        let p =
            unsafe { sys::NdisAllocateMemoryWithTagPriority(h as sys::NDIS_HANDLE, 8, TAG, 16) };
        // SAFETY: a wrong length frees nothing (reported).
        unsafe { sys::NdisFreeMemory(p, 9, 0) };
        // SAFETY: flags other than 0 free nothing (reported).
        unsafe { sys::NdisFreeMemory(p, 8, 1) };
        // SAFETY: the right call.
        unsafe { sys::NdisFreeMemory(p, 8, 0) };
        // SAFETY: a double free frees nothing (reported).
        unsafe { sys::NdisFreeMemory(p, 8, 0) };
    });
    assert_eq!(rules(&m), [Rule::BadFree, Rule::BadFree, Rule::BadFree]);
    assert!(m.outstanding_pool(None).is_empty());
}

#[test]
fn allocation_above_dispatch_is_irql_miscellaneous_function() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    m.run_on(0, move || {
        let mut old = 0;
        // SAFETY: raise then lower on this processor.
        unsafe { sys::KeRaiseIrql(5, &raw mut old) };
        // SAFETY: called on a virtual processor (too high: reported).
        let p =
            unsafe { sys::NdisAllocateMemoryWithTagPriority(h as sys::NDIS_HANDLE, 8, TAG, 16) };
        // SAFETY: back to the IRQL raised from.
        unsafe { sys::KeLowerIrql(old) };
        // SAFETY: just allocated.
        unsafe { sys::NdisFreeMemory(p, 8, 0) };
    });
    assert_eq!(rules(&m), [Rule::IrqlMiscellaneousFunction]);
}

#[test]
fn injected_failures_by_count_then_by_rate() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    let alloc_n = |m: &Machine, n: usize| {
        m.run_on(0, move || {
            (0..n)
                .map(|_| {
                    // SAFETY: called on a virtual processor.
                    let p = unsafe {
                        sys::NdisAllocateMemoryWithTagPriority(h as sys::NDIS_HANDLE, 8, TAG, 16)
                    };
                    if !p.is_null() {
                        // SAFETY: just allocated.
                        unsafe { sys::NdisFreeMemory(p, 8, 0) };
                    }
                    p.is_null()
                })
                .collect::<Vec<bool>>()
        })
    };
    m.fail_allocations(2, 0);
    assert_eq!(alloc_n(&m, 3), [true, true, false]);
    m.fail_allocations(0, 500_000);
    let failed = alloc_n(&m, 400).into_iter().filter(|&f| f).count();
    assert!((100..300).contains(&failed), "about half fail: {failed}");
    assert_eq!(m.injected_allocation_failures(), 2 + failed as u64);
    m.fail_allocations(0, 0);
    assert!(alloc_n(&m, 20).iter().all(|&f| !f));
    assert!(rules(&m).is_empty());
}
