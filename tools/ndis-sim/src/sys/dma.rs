//! Bus-master DMA and device memory: `NdisMMapIoSpace` / `NdisMUnmapIoSpace`,
//! `NdisMRegisterScatterGatherDma` / `NdisMDeregisterScatterGatherDma`, and
//! `NdisMAllocateSharedMemory` / `NdisMFreeSharedMemory`, each kept per adapter for the leak
//! check at Halt. Scatter/gather lists are in `sg_list`.

use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::bus::adapter;
use super::consts::{NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION, NDIS_SG_DMA_DESCRIPTION_REVISION_1};
use super::ndis_status::NDIS_STATUS_INVALID_PARAMETER;
use super::types::{
    BOOLEAN, NDIS_HANDLE, NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_SUCCESS, PNDIS_HANDLE,
    PVOID, ULONG,
};
use super::{
    NDIS_PHYSICAL_ADDRESS, NDIS_SG_DMA_DESCRIPTION, PNDIS_PHYSICAL_ADDRESS,
    PNDIS_SG_DMA_DESCRIPTION, SCATTER_GATHER_ELEMENT, SCATTER_GATHER_LIST, UINT,
};
use super::{enter_ndis, enter_ndis_at_most};
use crate::bus::{PAGE_SIZE, SgDmaRegistration};
use crate::machine::processor::{DISPATCH, Handler, PASSIVE, violation};
use crate::machine::{Shared, lock};
use crate::verifier::Rule;

/// The `NdisMiniportDmaHandle` values handed out: a counter (never reused, so a stale handle
/// never names a newer registration), offset so that it is never null or a small integer.
static NEXT_DMA_HANDLE: AtomicUsize = AtomicUsize::new(0x5D4A_0000);

/// The scatter/gather DMA registrations `owner` still holds (all of them with `None`).
pub(crate) fn sg_dma_of(shared: &Shared, owner: Option<usize>) -> Vec<SgDmaRegistration> {
    lock(&shared.bus.sg_dma)
        .iter()
        .filter(|r| owner.is_none_or(|o| r.owner == o))
        .cloned()
        .collect()
}

/// `NdisMMapIoSpace`: maps `Length` bytes of the adapter's BAR0 from `PhysicalAddress` and
/// writes the virtual address whose `NdisReadRegisterUlong` / `NdisWriteRegisterUlong` reach
/// the device. `NDIS_STATUS_FAILURE` (and a null address) for a range outside BAR0 or an adapter
/// without a device. Kept per adapter for the leak check at Halt.
///
/// Checks `Irql_Miniport_Driver_Function` (PASSIVE only) and the `NdisMMapIoSpace` rule (only
/// from `MiniportInitializeEx`). The simulator reports the latter only when a miniport handler
/// other than Initialize is running on the processor: a bare `Machine::run_on` work item runs
/// no handler (it stands for harness code, not for a driver entry point), so it is not judged.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismmapiospace>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter handle of this machine.
///
/// # Safety
/// `VirtualAddress` is valid for a write.
#[track_caller]
pub unsafe fn NdisMMapIoSpace(
    VirtualAddress: *mut PVOID,
    MiniportAdapterHandle: NDIS_HANDLE,
    PhysicalAddress: NDIS_PHYSICAL_ADDRESS,
    Length: UINT,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisMMapIoSpace";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiniportDriverFunction);
    if let Some(h) = cpu.current_handler()
        && !cpu.in_handler(Handler::Initialize)
    {
        violation(
            &cpu,
            Rule::NdisMMapIoSpace,
            location,
            format!(
                "{api} called from {}: BARs are mapped in MiniportInitializeEx",
                h.name()
            ),
        );
    }
    let binding = adapter(&cpu.shared, MiniportAdapterHandle, api);
    // SAFETY: every bit pattern of the union is a valid `QuadPart`.
    let phys = unsafe { PhysicalAddress.QuadPart }.cast_unsigned();
    let mapped = binding.device.as_ref().and_then(|d| {
        cpu.shared.bus.map(
            d,
            phys,
            Length as usize,
            MiniportAdapterHandle as usize,
            location,
        )
    });
    let (va, status) = match mapped {
        Some(va) => (va as PVOID, NDIS_STATUS_SUCCESS),
        None => (core::ptr::null_mut(), NDIS_STATUS_FAILURE),
    };
    // SAFETY: the caller guarantees `VirtualAddress` is valid for a write.
    unsafe { VirtualAddress.write(va) };
    status
}

/// `NdisMUnmapIoSpace`: releases a mapping from [`NdisMMapIoSpace`]; a mapping that does not
/// exist with that length is a [`Rule::BadFree`] (nothing is unmapped). Checks
/// `Irql_Miniport_Driver_Function` (PASSIVE only).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismunmapiospace>
///
/// # Safety
/// Nothing uses the mapping after this call.
#[track_caller]
pub unsafe fn NdisMUnmapIoSpace(
    MiniportAdapterHandle: NDIS_HANDLE,
    VirtualAddress: PVOID,
    Length: UINT,
) {
    let location = Location::caller();
    let api = "NdisMUnmapIoSpace";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiniportDriverFunction);
    if cpu
        .shared
        .bus
        .unmap(VirtualAddress as usize, Length as usize)
        .is_none()
    {
        violation(
            &cpu,
            Rule::BadFree,
            location,
            format!(
                "{api}({MiniportAdapterHandle:p}, {VirtualAddress:p}, {Length}): no mapping of \
                 that length there"
            ),
        );
    }
}

/// What `NdisMRegisterScatterGatherDma` writes into `ScatterGatherListSize`: a
/// `SCATTER_GATHER_LIST` header and one element per page the largest mapping can span (one
/// more than its page count, for a buffer that does not start on a page boundary).
pub(super) fn sg_list_size(maximum_physical_mapping: ULONG) -> ULONG {
    let pages = (maximum_physical_mapping as usize).div_ceil(PAGE_SIZE) + 1;
    let bytes = size_of::<SCATTER_GATHER_LIST>() + pages * size_of::<SCATTER_GATHER_ELEMENT>();
    ULONG::try_from(bytes).unwrap_or(ULONG::MAX)
}

/// `NDIS_SG_DMA_DESCRIPTION_REVISION_2` (NDIS 6.85; not declared for an NDIS 6.83 miniport).
const SG_DMA_DESCRIPTION_REVISION_2: u32 = 2;
/// `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1`: through `ScatterGatherListSize`, 36 on x64.
const SG_DMA_DESCRIPTION_SIZE_1: usize =
    core::mem::offset_of!(NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize)
        + size_of::<super::types::ULONG>();
/// `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_2`: through `PdoOverride` (a pointer at offset 40
/// on x64), 48.
const SG_DMA_DESCRIPTION_SIZE_2: usize = 48;

/// `NdisMRegisterScatterGatherDma`: validates the description (header type
/// `NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION`, revision 1 or 2, size at least revision 1's,
/// `MaximumPhysicalMapping` > 0, a `ProcessSGListHandler`) and returns
/// `NDIS_STATUS_INVALID_PARAMETER` when it is wrong; otherwise fills in
/// `ScatterGatherListSize`, writes the DMA handle and keeps the registration for the leak check
/// at Halt. One registration per adapter: a second one while the first is registered returns
/// `NDIS_STATUS_FAILURE` (the simulator's choice; NDIS has one DMA channel per adapter). Checks
/// `Irql_Gather_DMA_Function` (PASSIVE only). Lists: `NdisMAllocateNetBufferSGList`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterscattergatherdma>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter handle of this machine.
///
/// # Safety
/// `DmaDescription` points to a valid `NDIS_SG_DMA_DESCRIPTION` (read and written);
/// `NdisMiniportDmaHandle` is valid for a write.
#[track_caller]
pub unsafe fn NdisMRegisterScatterGatherDma(
    MiniportAdapterHandle: NDIS_HANDLE,
    DmaDescription: PNDIS_SG_DMA_DESCRIPTION,
    NdisMiniportDmaHandle: PNDIS_HANDLE,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisMRegisterScatterGatherDma";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlGatherDmaFunction);
    let _ = adapter(&cpu.shared, MiniportAdapterHandle, api);
    // SAFETY: the caller guarantees `NdisMiniportDmaHandle` is valid for a write; it reads
    // null unless the registration succeeds.
    unsafe { NdisMiniportDmaHandle.write(core::ptr::null_mut()) };
    // SAFETY: the caller guarantees `DmaDescription` points to a valid description.
    let desc = unsafe { &mut *DmaDescription };
    let header_ok = u32::from(desc.Header.Type) == NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION
        // NDIS itself also takes revision 2 (NDIS 6.85, from drivers built for it); an NDIS
        // 6.83 miniport's headers name revision 1 only.
        && matches!(
            u32::from(desc.Header.Revision),
            NDIS_SG_DMA_DESCRIPTION_REVISION_1 | SG_DMA_DESCRIPTION_REVISION_2
        )
        // The size is the revision's `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_*`, not `sizeof`.
        && usize::from(desc.Header.Size)
            == if u32::from(desc.Header.Revision) == SG_DMA_DESCRIPTION_REVISION_2 {
                SG_DMA_DESCRIPTION_SIZE_2
            } else {
                SG_DMA_DESCRIPTION_SIZE_1
            };
    if !header_ok || desc.MaximumPhysicalMapping == 0 || desc.ProcessSGListHandler.is_none() {
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    let owner = MiniportAdapterHandle as usize;
    let mut regs = lock(&cpu.shared.bus.sg_dma);
    if regs.iter().any(|r| r.owner == owner) {
        return NDIS_STATUS_FAILURE;
    }
    let handle = NEXT_DMA_HANDLE.fetch_add(0x10, Ordering::Relaxed);
    regs.push(SgDmaRegistration {
        handle,
        owner,
        flags: desc.Flags,
        maximum_physical_mapping: desc.MaximumPhysicalMapping,
        process_sg_list: desc.ProcessSGListHandler,
        allocate_complete: desc.SharedMemAllocateCompleteHandler,
        location,
    });
    drop(regs);
    desc.ScatterGatherListSize = sg_list_size(desc.MaximumPhysicalMapping);
    // SAFETY: the caller guarantees `NdisMiniportDmaHandle` is valid for a write (written
    // null on entry); now it receives the registered handle.
    unsafe { NdisMiniportDmaHandle.write(handle as NDIS_HANDLE) };
    NDIS_STATUS_SUCCESS
}

/// `NdisMDeregisterScatterGatherDma`: releases a registration from
/// [`NdisMRegisterScatterGatherDma`]. A handle that is not registered (never, or already
/// deregistered) is a [`Rule::BadFree`]; scatter/gather lists of the handle still mapped are a
/// [`Rule::LeakAtHalt`] (deregistration belongs in Halt, after every list is freed). Checks
/// `Irql_Gather_DMA_Function` (PASSIVE only).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterscattergatherdma>
///
/// # Safety
/// None beyond being called on a virtual processor (the handle is only used as a key).
#[track_caller]
pub unsafe fn NdisMDeregisterScatterGatherDma(NdisMiniportDmaHandle: NDIS_HANDLE) {
    let location = Location::caller();
    let api = "NdisMDeregisterScatterGatherDma";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlGatherDmaFunction);
    let handle = NdisMiniportDmaHandle as usize;
    let removed = {
        let mut regs = lock(&cpu.shared.bus.sg_dma);
        let at = regs.iter().position(|r| r.handle == handle);
        at.map(|i| regs.remove(i))
    };
    if removed.is_none() {
        violation(
            &cpu,
            Rule::BadFree,
            location,
            format!("{api}({NdisMiniportDmaHandle:p}): not a registered scatter/gather DMA handle"),
        );
        return;
    }
    let mapped = super::sg_lists_of(&cpu.shared, None, Some(handle));
    if !mapped.is_empty() {
        let at: Vec<String> = mapped
            .iter()
            .map(|l| format!("{:#x} (allocated at {})", l.list, l.location))
            .collect();
        violation(
            &cpu,
            Rule::LeakAtHalt,
            location,
            format!(
                "{api}({NdisMiniportDmaHandle:p}) with scatter/gather list(s) {} not freed: \
                 every NdisMAllocateNetBufferSGList needs its NdisMFreeNetBufferSGList before \
                 the DMA is deregistered",
                at.join(", ")
            ),
        );
    }
}

/// `NdisMAllocateSharedMemory`: `Length` bytes of zeroed, page-aligned memory the device reaches
/// by DMA (the machine's `PhysicalMemory`), its virtual address in `*VirtualAddress` and its
/// physical address in `*PhysicalAddress`; null (and physical 0) when the host is out of memory,
/// `Length` is 0 or `Machine::fail_allocations` injects a failure. Kept per adapter for the leak
/// check at Halt. `Cached` is ignored (all memory is coherent, as the page says of x86/x64).
///
/// Checks: called above `PASSIVE_LEVEL` it is bug check 0x7C (`BUGCODE_NDIS_DRIVER`,
/// parameter 1 = 0x01: [`Rule::SharedMemoryAtRaisedIrql`]); called before the adapter
/// registered scatter/gather DMA it is [`Rule::MiniportState`] (the page's remark requires
/// `NdisMRegisterScatterGatherDma` or `NdisMRegisterDmaChannel` before any
/// `NdisMAllocateSharedMemory`; `NdisMRegisterDmaChannel` is not modelled).
/// In Collect mode the allocation is made anyway.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemory>
///
/// # Safety
/// `VirtualAddress` and `PhysicalAddress` are valid for writes.
#[track_caller]
pub unsafe fn NdisMAllocateSharedMemory(
    MiniportAdapterHandle: NDIS_HANDLE,
    Length: ULONG,
    Cached: BOOLEAN,
    VirtualAddress: *mut PVOID,
    PhysicalAddress: PNDIS_PHYSICAL_ADDRESS,
) {
    let location = Location::caller();
    let api = "NdisMAllocateSharedMemory";
    let cpu = enter_ndis(api, location);
    let irql = cpu.irql();
    if irql != PASSIVE {
        violation(
            &cpu,
            Rule::SharedMemoryAtRaisedIrql,
            location,
            format!("{api}({Length}) at IRQL {irql} (BUGCODE_NDIS_DRIVER parameter 1 = 0x01)"),
        );
    }
    let owner = MiniportAdapterHandle as usize;
    if sg_dma_of(&cpu.shared, Some(owner)).is_empty() {
        violation(
            &cpu,
            Rule::MiniportState,
            location,
            format!(
                "{api}({MiniportAdapterHandle:p}, {Length}) before NdisMRegisterScatterGatherDma: \
                 the NdisMAllocateSharedMemory page requires a registered scatter/gather DMA \
                 channel first"
            ),
        );
    }
    // All simulated memory is coherent: the cache attribute changes nothing.
    let _ = Cached;
    let got = if cpu.shared.bus.inject_allocation_failure() {
        None
    } else {
        cpu.shared
            .bus
            .memory
            .allocate(Length as usize, owner, location)
    };
    let (va, pa): (PVOID, u64) = got.map_or((core::ptr::null_mut(), 0), |(v, p)| (v.cast(), p));
    if va.is_null() {
        crate::host::objects::returned_null(&cpu, api, location);
        super::config::shared_memory_failed(&cpu, owner, location);
    }
    // SAFETY: the caller guarantees `VirtualAddress` is valid for a write.
    unsafe { VirtualAddress.write(va) };
    // SAFETY: the caller guarantees `PhysicalAddress` is valid for a write.
    unsafe {
        PhysicalAddress.write(NDIS_PHYSICAL_ADDRESS {
            QuadPart: pa.cast_signed(),
        });
    }
}

/// `NdisMFreeSharedMemory`: frees memory from [`NdisMAllocateSharedMemory`]; the length,
/// virtual and physical addresses must be the ones allocated ([`Rule::BadFree`] otherwise, also
/// for a double free, and nothing is freed). Checks `Irql_Miniport_Driver_Function` (above
/// `DISPATCH_LEVEL`) and the `NdisMFreeSharedMemory` rule (not from `MiniportShutdownEx`: at
/// shutdown the driver only quiesces the device; memory is freed in Halt). `Cached` is ignored.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismfreesharedmemory>
///
/// # Safety
/// Neither the driver nor the device uses the memory after this call.
#[track_caller]
pub unsafe fn NdisMFreeSharedMemory(
    MiniportAdapterHandle: NDIS_HANDLE,
    Length: ULONG,
    Cached: BOOLEAN,
    VirtualAddress: PVOID,
    PhysicalAddress: NDIS_PHYSICAL_ADDRESS,
) {
    let location = Location::caller();
    let api = "NdisMFreeSharedMemory";
    let cpu = enter_ndis(api, location);
    let irql = cpu.irql();
    if irql > DISPATCH {
        violation(
            &cpu,
            Rule::IrqlMiniportDriverFunction,
            location,
            format!("{api} at IRQL {irql}: it is callable at IRQL <= DISPATCH_LEVEL"),
        );
    }
    if cpu.in_handler(Handler::Shutdown) {
        violation(
            &cpu,
            Rule::NdisMFreeSharedMemory,
            location,
            format!("{api}({VirtualAddress:p}, {Length}) called from MiniportShutdownEx"),
        );
    }
    // All simulated memory is coherent: the cache attribute changes nothing.
    let _ = Cached;
    // SAFETY: every bit pattern of the union is a valid `QuadPart`.
    let pa = unsafe { PhysicalAddress.QuadPart }.cast_unsigned();
    if let Err(e) = cpu
        .shared
        .bus
        .memory
        .free(VirtualAddress as usize, Length as usize, pa)
    {
        violation(
            &cpu,
            Rule::BadFree,
            location,
            format!(
                "{api}({MiniportAdapterHandle:p}, {Length}, {VirtualAddress:p}, {pa:#x}): {e:?}"
            ),
        );
    }
}

/// The registration behind an `NdisMiniportDmaHandle`.
pub(super) fn registration(shared: &Shared, handle: NDIS_HANDLE) -> Option<SgDmaRegistration> {
    lock(&shared.bus.sg_dma)
        .iter()
        .find(|r| r.handle == handle as usize)
        .cloned()
}

/// `NdisMAllocateSharedMemoryAsyncEx`: allocates like [`NdisMAllocateSharedMemory`] and calls
/// the registration's `MiniportSharedMemoryAllocateComplete` later, at `DISPATCH_LEVEL` on a
/// processor drawn from the seed (the host runs it at its next step); returns
/// `NDIS_STATUS_PENDING`. `IRQL <= DISPATCH_LEVEL` (`Irql_Gather_DMA_Function`);
/// `NDIS_STATUS_FAILURE` for an unknown handle or a registration without the handler.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemoryasyncex>
///
/// # Safety
/// The handler may be called with `Context` until it has run.
#[track_caller]
pub unsafe fn NdisMAllocateSharedMemoryAsyncEx(
    MiniportDmaHandle: NDIS_HANDLE,
    Length: ULONG,
    Cached: BOOLEAN,
    Context: PVOID,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisMAllocateSharedMemoryAsyncEx";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlGatherDmaFunction);
    let _ = Cached;
    let Some(reg) = registration(&cpu.shared, MiniportDmaHandle) else {
        return NDIS_STATUS_FAILURE;
    };
    let Some(handler) = reg.allocate_complete else {
        return NDIS_STATUS_FAILURE;
    };
    let got = if cpu.shared.bus.inject_allocation_failure() {
        None
    } else {
        cpu.shared
            .bus
            .memory
            .allocate(Length as usize, reg.owner, location)
    };
    let (va, pa) = got.map_or((0, 0), |(v, p)| (v as usize, p));
    let adapter_context = crate::host::adapter_context(&cpu.shared, reg.owner);
    lock(&cpu.shared.host.objects)
        .work
        .push_back(crate::host::objects::Deferred::SharedMemory {
            handler,
            adapter_context,
            virt: va,
            phys: pa,
            len: Length,
            context: Context as usize,
        });
    super::NDIS_STATUS_PENDING
}
