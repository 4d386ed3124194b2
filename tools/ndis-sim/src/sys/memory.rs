//! Pool memory: `NdisAllocateMemoryWithTagPriority` / `NdisFreeMemory`, with tags and owners
//! kept for leak reports at Halt.

use std::panic::Location;

use super::enter_ndis_at_most;
use super::types::{NDIS_HANDLE, PVOID, ULONG};
use crate::machine::processor::{DISPATCH, violation};
use crate::verifier::Rule;

/// `NdisAllocateMemoryWithTagPriority`: `Length` bytes of nonpaged pool (null when
/// `Machine::fail_allocations` injects a failure) (16-byte aligned, filled
/// with 0xCD), kept with `Tag` and `NdisHandle` until [`NdisFreeMemory`]; null for a zero length.
/// Checks `Irql_Miscellaneous_Function` (above `DISPATCH_LEVEL`) and the
/// `NdisAllocateMemoryWithTagPriority` rule (tag 0). `Priority` is `EX_POOL_PRIORITY`, a
/// `c_int` in bindgen's output, and is not otherwise used.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatememorywithtagpriority>
///
/// # Safety
/// None beyond being called on a virtual processor (the handle is only used as a key).
#[track_caller]
pub unsafe fn NdisAllocateMemoryWithTagPriority(
    NdisHandle: NDIS_HANDLE,
    Length: ULONG,
    Tag: ULONG,
    Priority: i32,
) -> PVOID {
    let location = Location::caller();
    let api = "NdisAllocateMemoryWithTagPriority";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiscellaneousFunction);
    if Tag == 0 {
        violation(
            &cpu,
            Rule::AllocateMemoryTag,
            location,
            format!("{api}({Length} bytes, priority {Priority}) with tag 0"),
        );
    }
    let got = if cpu.shared.bus.inject_allocation_failure() {
        None
    } else {
        cpu.shared
            .bus
            .pool
            .allocate(Length as usize, Tag, NdisHandle as usize, location)
    };
    got.map_or_else(
        || {
            crate::host::objects::returned_null(&cpu, api, location);
            core::ptr::null_mut()
        },
        <*mut u8>::cast,
    )
}

/// `NdisFreeMemory`: frees memory from [`NdisAllocateMemoryWithTagPriority`]. `Length` is 0 or
/// the allocated length; `MemoryFlags` is 0 for tagged memory. Anything else, or an address
/// that is not an outstanding allocation, is a [`Rule::BadFree`] (and nothing is freed).
/// Checks `Irql_Miscellaneous_Function`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreememory>
///
/// # Safety
/// Nothing uses the memory after this call.
#[track_caller]
pub unsafe fn NdisFreeMemory(VirtualAddress: PVOID, Length: ULONG, MemoryFlags: ULONG) {
    let location = Location::caller();
    let api = "NdisFreeMemory";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiscellaneousFunction);
    let pool = &cpu.shared.bus.pool;
    let addr = VirtualAddress as usize;
    let known = pool.outstanding(None).into_iter().find(|a| a.addr == addr);
    let problem = match &known {
        None => Some(format!(
            "{api}({VirtualAddress:p}): not an outstanding allocation"
        )),
        Some(a) if Length != 0 && Length as usize != a.len => Some(format!(
            "{api}({VirtualAddress:p}, {Length}): allocated with length {} at {}",
            a.len, a.location
        )),
        Some(_) if MemoryFlags != 0 => Some(format!(
            "{api}({VirtualAddress:p}, flags {MemoryFlags:#x}): tagged memory is freed with flags 0"
        )),
        Some(_) => None,
    };
    match problem {
        Some(detail) => violation(&cpu, Rule::BadFree, location, detail),
        None => {
            pool.free(addr);
        }
    }
}
