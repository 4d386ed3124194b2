//! NBL pools, `NET_BUFFER_LIST`s with their preallocated `NET_BUFFER`, MDLs, and the mapping
//! call behind `MmGetSystemAddressForMdlSafe`.
//!
//! The structures live on the host heap, zeroed, and are tracked by address (`crate::nbl`) with
//! the handle they were allocated for, for the leak check at Halt. IRQL limits are those of the
//! functions' pages: every one of them is callable at IRQL <= `DISPATCH_LEVEL` (the
//! `Irql_NetBuffer_Function` rule checks them).

use std::panic::Location;

use super::consts::{
    KernelMode, MDL_MAPPED_TO_SYSTEM_VA, MDL_SOURCE_IS_NONPAGED_POOL, MEMORY_ALLOCATION_ALIGNMENT,
    NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
};
use super::types::{APC_LEVEL, KIRQL, NDIS_HANDLE, PVOID, ULONG, USHORT};
use super::{
    CSHORT, MDL, MODE, NET_BUFFER_LIST_POOL_PARAMETERS, PMDL, PNET_BUFFER_LIST,
    PNET_BUFFER_LIST_POOL_PARAMETERS, SIZE_T, UINT,
};
use super::{check_irql_at_most, enter, enter_ndis_at_most};
use crate::machine::processor::{Cpu, DISPATCH, violation};
use crate::nbl::{self, Align16, NblFreeError, PoolFreeError, PoolNblBlock, mdl_flags};
use crate::verifier::Rule;

/// `KPROCESSOR_MODE` (`wdm.h`: `typedef CCHAR KPROCESSOR_MODE`).
pub type KPROCESSOR_MODE = i8;
/// `APC_LEVEL` as a `KIRQL` (`sys` has the `#define` as bindgen emits it, `u32`).
#[expect(clippy::cast_possible_truncation, reason = "lossless: APC_LEVEL is 1")]
const APC: KIRQL = APC_LEVEL as KIRQL;
/// `MEMORY_CACHING_TYPE` (an enum, `c_int` in bindgen's output).
pub type MEMORY_CACHING_TYPE = i32;

/// `NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1`: through `DataSize` (16).
const POOL_PARAMETERS_SIZE_1: usize = 16;
/// The header of `NET_BUFFER_LIST_CONTEXT` before `ContextData` (`Next`, `Size`, `Offset`,
/// then `ContextData` aligned to `MEMORY_ALLOCATION_ALIGNMENT`): 16 bytes on x64.
const CONTEXT_HEADER: usize = core::mem::offset_of!(super::NET_BUFFER_LIST_CONTEXT, ContextData);

/// The tag of the calling processor's machine in the NBL tables.
fn machine_of(cpu: &Cpu) -> usize {
    nbl::machine_id(&cpu.shared)
}

/// `NdisAllocateNetBufferListPool`: a pool of NBLs for `NdisHandle` (the adapter handle), or
/// null when `Parameters` is bad (header type not `NDIS_OBJECT_TYPE_DEFAULT`, revision not 1 (the
/// only one an NDIS 6.83 miniport has; revision 2 adds `Flags` in NDIS 6.87) or `Size` short of it, `ContextSize` not a multiple of `MEMORY_ALLOCATION_ALIGNMENT`,
/// `DataSize` nonzero without `fAllocateNetBuffer`) or when `Machine::fail_allocations` injects a
/// failure. Checks `Irql_NetBuffer_Function` (the page allows IRQL <= `DISPATCH_LEVEL`). The
/// pool is kept with its owner until [`NdisFreeNetBufferListPool`]; one still allocated at Halt
/// is a leak.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisallocatenetbufferlistpool>
///
/// # Safety
/// `Parameters` is null or points at a `NET_BUFFER_LIST_POOL_PARAMETERS` of at least
/// `Header.Size` bytes.
#[track_caller]
pub unsafe fn NdisAllocateNetBufferListPool(
    NdisHandle: NDIS_HANDLE,
    Parameters: PNET_BUFFER_LIST_POOL_PARAMETERS,
) -> NDIS_HANDLE {
    let location = Location::caller();
    let api = "NdisAllocateNetBufferListPool";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    if Parameters.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: `Parameters` points at a structure with at least its header (the contract).
    let header = unsafe { (*Parameters).Header };
    let size = usize::from(header.Size);
    let needed = match u32::from(header.Revision) {
        NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 => POOL_PARAMETERS_SIZE_1,
        _ => return core::ptr::null_mut(),
    };
    if u32::from(header.Type) != NDIS_OBJECT_TYPE_DEFAULT || size < needed {
        return core::ptr::null_mut();
    }
    // Copy only what the revision has.
    let mut params = NET_BUFFER_LIST_POOL_PARAMETERS::default();
    // SAFETY: the source has `Header.Size >= needed` bytes (the contract), the destination is a
    // local of `size_of::<NET_BUFFER_LIST_POOL_PARAMETERS>() >= needed` bytes.
    unsafe {
        core::ptr::copy_nonoverlapping(
            Parameters.cast::<u8>().cast_const(),
            (&raw mut params).cast::<u8>(),
            needed,
        );
    }
    if u32::from(params.ContextSize) % MEMORY_ALLOCATION_ALIGNMENT != 0
        || (params.fAllocateNetBuffer == 0 && params.DataSize != 0)
    {
        return core::ptr::null_mut();
    }
    if cpu.shared.bus.inject_allocation_failure() {
        crate::host::objects::returned_null(&cpu, api, location);
        return core::ptr::null_mut();
    }
    nbl::create_pool(machine_of(&cpu), NdisHandle as usize, params, location) as NDIS_HANDLE
}

/// `NdisFreeNetBufferListPool`: frees a pool of [`NdisAllocateNetBufferListPool`]. An unknown
/// (or already freed) handle is a [`Rule::BadFree`]; a pool with NBLs still allocated from it
/// ("before freeing a `NET_BUFFER_LIST` structure pool, you must free all the `NET_BUFFER_LIST`
/// structures in the pool") is a [`Rule::LeakAtHalt`] naming the pool and where each NBL was
/// allocated. Nothing is freed in either case. Checks `Irql_NetBuffer_Function`
/// (IRQL <= `DISPATCH_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisfreenetbufferlistpool>
///
/// # Safety
/// None beyond being called on a virtual processor (the handle is only used as a key).
#[track_caller]
pub unsafe fn NdisFreeNetBufferListPool(PoolHandle: NDIS_HANDLE) {
    let location = Location::caller();
    let api = "NdisFreeNetBufferListPool";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    match nbl::free_pool(PoolHandle as usize) {
        Ok(()) => {}
        Err(PoolFreeError::Unknown) => violation(
            &cpu,
            Rule::BadFree,
            location,
            format!("{api}({PoolHandle:p}): not an NBL pool that is allocated"),
        ),
        Err(PoolFreeError::Outstanding(at)) => {
            let list: Vec<String> = at.iter().map(ToString::to_string).collect();
            violation(
                &cpu,
                Rule::LeakAtHalt,
                location,
                format!(
                    "{api}({PoolHandle:p}) with {} NBL(s) of the pool still allocated (at {}); \
                     the pool is not freed",
                    at.len(),
                    list.join(", ")
                ),
            );
        }
    }
}

/// `NdisAllocateNetBufferAndNetBufferList`: an NBL from pool `PoolHandle` with its preallocated
/// `NET_BUFFER` describing `DataLength` bytes at `DataOffset` in `MdlChain` (`CurrentMdl` /
/// `CurrentMdlOffset` found by walking the chain; an offset at the end of an MDL is the start of
/// the next one), `NdisPoolHandle` set on both, `SourceHandle` null, and a
/// `NET_BUFFER_LIST_CONTEXT` of `ContextBackFill` + `ContextSize` bytes (at least the pool's
/// `ContextSize`) when one is asked for. Null when the pool was not made for it
/// (`fAllocateNetBuffer` FALSE or `DataSize` nonzero), a context size is not a multiple of
/// `MEMORY_ALLOCATION_ALIGNMENT`, `DataOffset` lies beyond the chain (or the chain is null with a
/// nonzero offset or length), or `Machine::fail_allocations` injects a failure. Checks
/// `Irql_NetBuffer_Function` (IRQL <= `DISPATCH_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisallocatenetbufferandnetbufferlist>
///
/// A `PoolHandle` that is not a live pool (freed, or never allocated) is a [`Rule::BadFree`]: on
/// Windows NDIS would use freed or foreign memory as a pool, the pool corruption that rule
/// stands for; the call returns null.
///
/// # Safety
/// `MdlChain` is null or a chain of live MDLs.
#[track_caller]
pub unsafe fn NdisAllocateNetBufferAndNetBufferList(
    PoolHandle: NDIS_HANDLE,
    ContextSize: USHORT,
    ContextBackFill: USHORT,
    MdlChain: PMDL,
    DataOffset: ULONG,
    DataLength: SIZE_T,
) -> PNET_BUFFER_LIST {
    let location = Location::caller();
    let api = "NdisAllocateNetBufferAndNetBufferList";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    let Some((params, _owner)) = nbl::pool_info(PoolHandle as usize) else {
        unknown_pool(&cpu, api, PoolHandle, location);
        return core::ptr::null_mut();
    };
    let aligned = |n: USHORT| u32::from(n) % MEMORY_ALLOCATION_ALIGNMENT == 0;
    if params.fAllocateNetBuffer == 0
        || params.DataSize != 0
        || !aligned(ContextSize)
        || !aligned(ContextBackFill)
    {
        return core::ptr::null_mut();
    }
    let (current, current_offset) = if MdlChain.is_null() {
        if DataOffset != 0 || DataLength != 0 {
            return core::ptr::null_mut();
        }
        (core::ptr::null_mut(), 0)
    } else {
        let found = nbl::locate(MdlChain, DataOffset as usize);
        if found.0.is_null() {
            return core::ptr::null_mut();
        }
        found
    };
    if cpu.shared.bus.inject_allocation_failure() {
        crate::host::objects::returned_null(&cpu, api, location);
        return core::ptr::null_mut();
    }
    let mut block = PoolNblBlock::default();
    let pool = PoolHandle;
    block.nbl.NdisPoolHandle = pool;
    block.nb.NdisPoolHandle = pool;
    let data = nbl::nb_data(&mut block.nb);
    data.MdlChain = MdlChain;
    data.DataOffset = DataOffset;
    data.CurrentMdl = current;
    data.CurrentMdlOffset = current_offset;
    data.__bindgen_anon_1.stDataLength = DataLength;
    let context = context_area(
        usize::from(params.ContextSize),
        usize::from(ContextSize),
        usize::from(ContextBackFill),
    );
    let Some(nbl) = nbl::add_pool_nbl(PoolHandle as usize, block, context, location) else {
        // Freed by another processor since `pool_info`.
        unknown_pool(&cpu, api, PoolHandle, location);
        return core::ptr::null_mut();
    };
    // The NBL's NET_BUFFER is the one in its block, linked now that the block has its address.
    // SAFETY: `nbl` is the first field of the block just registered; the driver has not seen it.
    let nb = unsafe { &raw mut (*nbl.cast::<PoolNblBlock>()).nb };
    // SAFETY: `nbl` heads the live block just registered, which the driver has not seen yet,
    // so this is the only reference to it.
    nbl::nbl_links(unsafe { &mut *nbl }).FirstNetBuffer = nb;
    nbl
}

/// Reports an allocation from a pool that is not allocated (see
/// [`NdisAllocateNetBufferAndNetBufferList`]).
fn unknown_pool(cpu: &Cpu, api: &str, pool: NDIS_HANDLE, location: &'static Location<'static>) {
    violation(
        cpu,
        Rule::BadFree,
        location,
        format!("{api}({pool:p}): not an NBL pool that is allocated (freed, or never allocated)"),
    );
}

/// The `NET_BUFFER_LIST_CONTEXT` of a new NBL, or `None` when no context is asked for: a header
/// (`Next` null, `Size`, `Offset`) then `Size` bytes of `ContextData`, of which the last
/// `ContextSize` are in use and the rest (from the start, `Offset` bytes) is backfill.
fn context_area(pool_size: usize, size: usize, backfill: usize) -> Option<Vec<Align16>> {
    let total = (size + backfill).max(pool_size);
    if total == 0 {
        return None;
    }
    let mut area = vec![Align16::default(); (CONTEXT_HEADER + total).div_ceil(16)];
    let header = &mut area[0].0;
    let total16 = u16::try_from(total).unwrap_or(u16::MAX);
    let offset16 = u16::try_from(total - size).unwrap_or(0);
    let size_at = core::mem::offset_of!(super::NET_BUFFER_LIST_CONTEXT, Size);
    let offset_at = core::mem::offset_of!(super::NET_BUFFER_LIST_CONTEXT, Offset);
    header[size_at..size_at + 2].copy_from_slice(&total16.to_ne_bytes());
    header[offset_at..offset_at + 2].copy_from_slice(&offset16.to_ne_bytes());
    Some(area)
}

/// `NdisFreeNetBufferList`: frees an NBL of [`NdisAllocateNetBufferAndNetBufferList`] with its
/// preallocated `NET_BUFFER` (not the MDLs: they are the driver's). An NBL not allocated from a
/// pool or already freed, or one the host sent (it is completed, not freed), is a
/// [`Rule::BadFree`]; an NBL indicated to NDIS and not yet returned is a
/// [`Rule::ReceiveAccounting`] (NDIS still owns it). Nothing is freed in those cases. Checks
/// `Irql_NetBuffer_Function` (IRQL <= `DISPATCH_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisfreenetbufferlist>
///
/// # Safety
/// Nothing uses the NBL or its `NET_BUFFER` after this call.
#[track_caller]
pub unsafe fn NdisFreeNetBufferList(NetBufferList: PNET_BUFFER_LIST) {
    let location = Location::caller();
    let api = "NdisFreeNetBufferList";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    let (rule, detail) = match nbl::free_pool_nbl_at(NetBufferList as usize) {
        Ok(()) => return,
        Err(NblFreeError::Unknown) => (
            Rule::BadFree,
            format!("{api}({NetBufferList:p}): not an NBL allocated from a pool, or freed already"),
        ),
        Err(NblFreeError::Host(id)) => (
            Rule::BadFree,
            format!(
                "{api}({NetBufferList:p}): NBL {id} was sent by NDIS; the miniport completes it \
                 with NdisMSendNetBufferListsComplete, it does not free it"
            ),
        ),
        Err(NblFreeError::Indicated(at)) => (
            Rule::ReceiveAccounting,
            format!(
                "{api}({NetBufferList:p}) (allocated at {at}) while it is indicated to NDIS and \
                 not yet returned through MiniportReturnNetBufferLists"
            ),
        ),
    };
    violation(&cpu, rule, location, detail);
}

/// `NdisAllocateMdl`: an MDL describing `Length` bytes at `VirtualAddress`, built as
/// `MmBuildMdlForNonPagedPool` builds one (the page says the address must be nonpaged pool or
/// shared memory): `MdlFlags` = `MDL_SOURCE_IS_NONPAGED_POOL`, `MappedSystemVa` =
/// `VirtualAddress`, `StartVa` its page, `ByteOffset` the offset in the page, `ByteCount` =
/// `Length`, no PFN array (the simulator has no page frames for virtual memory). Null for a null
/// address or when `Machine::fail_allocations` injects a failure. Kept with `NdisHandle` until
/// [`NdisFreeMdl`]. Checks `Irql_NetBuffer_Function` (IRQL <= `DISPATCH_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatemdl>
///
/// # Safety
/// None beyond being called on a virtual processor (the address is recorded, not read).
#[track_caller]
pub unsafe fn NdisAllocateMdl(
    NdisHandle: NDIS_HANDLE,
    VirtualAddress: PVOID,
    Length: UINT,
) -> PMDL {
    let location = Location::caller();
    let api = "NdisAllocateMdl";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    if VirtualAddress.is_null() || cpu.shared.bus.inject_allocation_failure() {
        crate::host::objects::returned_null(&cpu, api, location);
        return core::ptr::null_mut();
    }
    let va = VirtualAddress as usize;
    let page = crate::bus::PAGE_SIZE;
    let mdl = MDL {
        Size: CSHORT::try_from(size_of::<MDL>()).unwrap_or(CSHORT::MAX),
        MdlFlags: mdl_flags(MDL_SOURCE_IS_NONPAGED_POOL),
        MappedSystemVa: VirtualAddress,
        StartVa: (va & !(page - 1)) as PVOID,
        ByteCount: Length,
        ByteOffset: u32::try_from(va & (page - 1)).unwrap_or(0),
        ..MDL::default()
    };
    nbl::add_mdl(machine_of(&cpu), NdisHandle as usize, mdl, location)
}

/// `NdisFreeMdl`: frees an MDL of [`NdisAllocateMdl`]. Anything else, or a second free, is a
/// [`Rule::BadFree`] (nothing is freed). Checks `Irql_NetBuffer_Function`
/// (IRQL <= `DISPATCH_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreemdl>
///
/// # Safety
/// Nothing uses the MDL after this call.
#[track_caller]
pub unsafe fn NdisFreeMdl(Mdl: PMDL) {
    let location = Location::caller();
    let api = "NdisFreeMdl";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    if !nbl::free_mdl(Mdl as usize) {
        violation(
            &cpu,
            Rule::BadFree,
            location,
            format!("{api}({Mdl:p}): not an MDL from NdisAllocateMdl, or freed already"),
        );
    }
}

/// `MmMapLockedPagesSpecifyCache`: what `MmGetSystemAddressForMdlSafe` calls for an MDL that
/// has neither `MDL_MAPPED_TO_SYSTEM_VA` nor `MDL_SOURCE_IS_NONPAGED_POOL`. Returns the buffer's
/// system address (`StartVa + ByteOffset`: the simulator's virtual addresses are system
/// addresses), stores it in `MappedSystemVa` and sets `MDL_MAPPED_TO_SYSTEM_VA`. For an MDL
/// already mapped it returns the existing mapping (the page forbids a second system mapping; no
/// rule names that, so it is not reported). Null when `Machine::fail_allocations` injects a
/// failure and `BugCheckOnFailure` is FALSE (drivers must pass FALSE and handle null).
///
/// IRQL: the page allows <= `DISPATCH_LEVEL` for `KernelMode`, <= `APC_LEVEL` for `UserMode`. No
/// WDM rule covers this routine; the closest rule is `Irql_NetBuffer_Function`, which covers
/// `NdisQueryMdl` (the NDIS macro over `MmGetSystemAddressForMdlSafe`), and that is what a call
/// above the limit reports. `CacheType`, `RequestedAddress` and `Priority` are not used.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmaplockedpagesspecifycache>
///
/// # Safety
/// `MemoryDescriptorList` points at a live MDL.
#[track_caller]
pub unsafe fn MmMapLockedPagesSpecifyCache(
    MemoryDescriptorList: PMDL,
    AccessMode: KPROCESSOR_MODE,
    CacheType: MEMORY_CACHING_TYPE,
    RequestedAddress: PVOID,
    BugCheckOnFailure: ULONG,
    Priority: ULONG,
) -> PVOID {
    let location = Location::caller();
    let api = "MmMapLockedPagesSpecifyCache";
    let cpu = enter(api);
    let _ = (CacheType, RequestedAddress, Priority);
    // The page's limit depends on the mode; the detail names it after the API.
    let (max, api_in_mode) = if MODE::from(AccessMode) == KernelMode {
        (DISPATCH, "MmMapLockedPagesSpecifyCache for KernelMode")
    } else {
        (APC, "MmMapLockedPagesSpecifyCache for UserMode")
    };
    check_irql_at_most(
        &cpu,
        api_in_mode,
        max,
        Rule::IrqlNetBufferFunction,
        location,
    );
    let mdl = MemoryDescriptorList;
    // SAFETY: `mdl` points at a live MDL (the contract).
    let flags = unsafe { (*mdl).MdlFlags };
    if flags & mdl_flags(MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL) != 0 {
        // SAFETY: `mdl` points at a live MDL (the contract); a plain field read.
        return unsafe { (*mdl).MappedSystemVa };
    }
    if BugCheckOnFailure == 0 && cpu.shared.bus.inject_allocation_failure() {
        return core::ptr::null_mut();
    }
    // SAFETY: `mdl` points at a live MDL (the contract), which is all `system_address` needs.
    let va = unsafe { nbl::system_address(mdl) } as PVOID;
    // SAFETY: `mdl` is live (the contract) and the caller owns it, so the write races
    // nothing; mapping updates it as Mm does.
    unsafe { (*mdl).MappedSystemVa = va };
    // SAFETY: `mdl` is live and owned by the caller (the contract); the flags say it is now
    // mapped, as Mm sets them.
    unsafe { (*mdl).MdlFlags = flags | mdl_flags(MDL_MAPPED_TO_SYSTEM_VA) };
    va
}
