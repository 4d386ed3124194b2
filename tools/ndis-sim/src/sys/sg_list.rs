//! Scatter/gather lists: `NdisMAllocateNetBufferSGList` / `NdisMFreeNetBufferSGList` and the
//! rules their pages set, checked as the verifier's rules:
//!
//! | rule (page) | what the simulator reports |
//! |---|---|
//! | allocate and free at exactly `DISPATCH_LEVEL` | [`Rule::IrqlGatherDmaFunction`] |
//! | `MiniportProcessSGList` runs at `DISPATCH_LEVEL` | the simulator calls it there, whatever the caller's IRQL |
//! | free once, only a list of that DMA handle and `NET_BUFFER` | [`Rule::BadFree`] (nothing freed) |
//! | every list freed before its DMA is deregistered | [`Rule::LeakAtHalt`] at `NdisMDeregisterScatterGatherDma` |
//! | every list freed before `MiniportHaltEx` returns | [`Rule::LeakAtHalt`] (`AdapterLeaks::sg_lists`) |
//!
//! A list describes the `NET_BUFFER`'s data as the MDL chain holds it, from `CurrentMdl` at
//! `CurrentMdlOffset` for `DataLength` bytes: one run per MDL fragment, split where a page
//! ends, each run starting at its fragment's offset in its page — what a HAL with map registers
//! produces. The device cannot reach the protocol's host buffers, so each fragment is copied to
//! physical memory of the adapter at the same page offset (a bounce buffer), and the elements
//! give those physical addresses.

use std::panic::Location;

use super::dma::registration;
use super::{
    NDIS_HANDLE, NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS,
    PHYSICAL_ADDRESS, PNET_BUFFER, PSCATTER_GATHER_LIST, PVOID, SCATTER_GATHER_ELEMENT,
    SCATTER_GATHER_LIST, ULONG, enter_ndis,
};
use crate::bus::PAGE_SIZE;
use crate::host::SgListAllocation;
use crate::host::objects::Deferred;
use crate::host::objects::SgList;
use crate::machine::processor::{Cpu, DISPATCH, violation};
use crate::machine::{Shared, lock};
use crate::verifier::Rule;

/// The scatter/gather lists not yet freed, of adapter `owner` and/or DMA handle `dma` (all of
/// them with `None`, `None`), by list address.
pub(crate) fn sg_lists_of(
    shared: &Shared,
    owner: Option<usize>,
    dma: Option<usize>,
) -> Vec<SgListAllocation> {
    let mut lists: Vec<SgListAllocation> = lock(&shared.host.objects)
        .sg_lists
        .values()
        .filter(|l| owner.is_none_or(|o| l.info.owner == o) && dma.is_none_or(|d| l.info.dma == d))
        .map(|l| l.info.clone())
        .collect();
    lists.sort_by_key(|l| l.list);
    lists
}

/// One element per page-bounded run of `[phys, phys + len)`.
fn page_runs(phys: u64, len: usize, out: &mut Vec<SCATTER_GATHER_ELEMENT>) {
    let (mut at, end) = (phys, phys + len as u64);
    while at < end {
        let page_end = (at / PAGE_SIZE as u64 + 1) * PAGE_SIZE as u64;
        let run = page_end.min(end) - at;
        out.push(SCATTER_GATHER_ELEMENT {
            Address: PHYSICAL_ADDRESS {
                QuadPart: at.cast_signed(),
            },
            Length: u32::try_from(run).unwrap_or(u32::MAX),
            Reserved: 0,
        });
        at += run;
    }
}

/// The bounce copies of a list's fragments (host address, length, physical address) and the
/// elements describing them.
type Mapped = (Vec<(usize, usize, u64)>, Vec<SCATTER_GATHER_ELEMENT>);

/// The bounce copies of `fragments` (host address, length) in physical memory of `owner`, each
/// at its fragment's page offset, and the elements describing them; `None` (nothing kept) when
/// memory runs out.
fn map_fragments(
    cpu: &Cpu,
    fragments: &[(usize, usize)],
    owner: usize,
    location: &'static Location<'static>,
) -> Option<Mapped> {
    let memory = &cpu.shared.bus.memory;
    let mut regions = Vec::with_capacity(fragments.len());
    let mut elements = Vec::new();
    for &(base, len) in fragments {
        let offset = base % PAGE_SIZE;
        let Some((va, pa)) = memory.allocate(offset + len, owner, location) else {
            for (v, l, p) in regions {
                let _ = memory.free(v, l, p);
            }
            return None;
        };
        // SAFETY: `va` holds `offset + len` bytes, just allocated: `offset` is inside it.
        let dst = unsafe { va.add(offset) };
        // SAFETY: `dst` has room for `len` bytes (above); `base` holds `len` live bytes of the
        // NET_BUFFER's MDL (the allocating function's contract); the two do not overlap.
        unsafe { core::ptr::copy_nonoverlapping(base as *const u8, dst, len) };
        regions.push((va as usize, offset + len, pa));
        page_runs(pa + offset as u64, len, &mut elements);
    }
    Some((regions, elements))
}

/// Writes a list of `elements` into `buffer` when it holds it, else into memory of its own;
/// returns the list and the size of the own memory in 8-byte words.
fn write_list(
    elements: &[SCATTER_GATHER_ELEMENT],
    buffer: PVOID,
    buffer_size: ULONG,
) -> (*mut SCATTER_GATHER_LIST, Option<usize>) {
    let size = size_of::<SCATTER_GATHER_LIST>() + size_of_val(elements);
    let own = buffer.is_null() || (buffer_size as usize) < size;
    let (list, own_words): (*mut SCATTER_GATHER_LIST, _) = if own {
        let words = size.div_ceil(8);
        (
            Box::into_raw(vec![0u64; words].into_boxed_slice()).cast(),
            Some(words),
        )
    } else {
        (buffer.cast(), None)
    };
    // SAFETY: `list` holds `size` bytes (own memory just allocated, or the driver's buffer of
    // at least `size` bytes): a header and `elements.len()` elements.
    unsafe { (*list).NumberOfElements = u32::try_from(elements.len()).unwrap_or(u32::MAX) };
    // SAFETY: `list` is valid (above); only the field's address is taken.
    let first = unsafe { &raw mut (*list).Elements }.cast::<SCATTER_GATHER_ELEMENT>();
    for (i, element) in elements.iter().enumerate() {
        // SAFETY: element `i` < `elements.len()` lies inside the list's `size` bytes.
        let slot = unsafe { first.add(i) };
        // SAFETY: `slot` is element `i` < `elements.len()`, inside the `size` bytes `list`
        // holds (its own memory, or the buffer the driver lent for this list); the element
        // is plain data, so writing over what was there drops nothing.
        unsafe { slot.write(*element) };
    }
    (list, own_words)
}

/// `NdisMAllocateNetBufferSGList`: maps the `NET_BUFFER`'s data for the device (see the module
/// documentation for the list's shape) and calls the registration's `MiniportProcessSGList` at
/// `DISPATCH_LEVEL` before returning (NDIS may, so a miniport must be ready for it), or, after
/// [`crate::Machine::defer_sg_lists`], later from NDIS's deferred work. The list
/// lives in `ScatterGatherListBuffer` when that holds it, else in memory of its own; both stay
/// until [`NdisMFreeNetBufferSGList`] (and count at Halt until then).
/// `Irql_Gather_DMA_Function`: exactly `DISPATCH_LEVEL`. `NDIS_STATUS_RESOURCES` on an injected
/// failure or when memory runs out; `NDIS_STATUS_FAILURE` (and [`Rule::BadFree`]) for a handle
/// that is not registered.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatenetbuffersglist>
///
/// # Safety
/// `NetBuffer` is a valid `NET_BUFFER` whose MDLs map its data; `ScatterGatherListBuffer` is
/// null or valid for `ScatterGatherListBufferSize` bytes of writes until the list is freed.
#[track_caller]
pub unsafe fn NdisMAllocateNetBufferSGList(
    NdisMiniportDmaHandle: NDIS_HANDLE,
    NetBuffer: PNET_BUFFER,
    Context: PVOID,
    Flags: ULONG,
    ScatterGatherListBuffer: PVOID,
    ScatterGatherListBufferSize: ULONG,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisMAllocateNetBufferSGList";
    let cpu = enter_ndis(api, location);
    check_exactly_dispatch(&cpu, api, location);
    // The page defines no flag a miniport may pass.
    let _ = Flags;
    let Some(reg) = registration(&cpu.shared, NdisMiniportDmaHandle) else {
        violation(
            &cpu,
            Rule::BadFree,
            location,
            format!("{api}({NdisMiniportDmaHandle:p}): not a registered scatter/gather DMA handle"),
        );
        return NDIS_STATUS_FAILURE;
    };
    if cpu.shared.bus.inject_allocation_failure() {
        return NDIS_STATUS_RESOURCES;
    }
    // SAFETY: the caller guarantees a valid NET_BUFFER with mapped MDLs.
    let fragments = unsafe { crate::nbl::nb_fragments(NetBuffer) };
    let Some((regions, elements)) = map_fragments(&cpu, &fragments, reg.owner, location) else {
        return NDIS_STATUS_RESOURCES;
    };
    let (list, own_words) = write_list(
        &elements,
        ScatterGatherListBuffer,
        ScatterGatherListBufferSize,
    );
    let info = SgListAllocation {
        list: list as usize,
        dma: reg.handle,
        owner: reg.owner,
        net_buffer: NetBuffer as usize,
        len: fragments.iter().map(|f| f.1).sum(),
        location,
    };
    let deferred = {
        let mut objects = lock(&cpu.shared.host.objects);
        objects.sg_lists.insert(
            list as usize,
            SgList {
                info,
                regions,
                own_words,
            },
        );
        objects.sg_lists_allocated += 1;
        match reg.process_sg_list {
            Some(process) if objects.defer_sg_lists => {
                objects.work.push_back(Deferred::SgList {
                    process,
                    list: list as usize,
                    context: Context as usize,
                });
                true
            }
            _ => false,
        }
    };
    if deferred {
        return NDIS_STATUS_SUCCESS;
    }
    if let Some(process) = reg.process_sg_list {
        // MiniportProcessSGList runs at DISPATCH_LEVEL even when the caller broke the rule above.
        let caller_irql = cpu.irql();
        cpu.set_irql(DISPATCH);
        // SAFETY: the driver registered this MINIPORT_PROCESS_SG_LIST handler for exactly this
        // call, at DISPATCH_LEVEL, with its context; the list lives until it frees it.
        unsafe { process(core::ptr::null_mut(), core::ptr::null_mut(), list, Context) };
        cpu.set_irql(caller_irql);
    }
    NDIS_STATUS_SUCCESS
}

/// `NdisMFreeNetBufferSGList`: releases a list from [`NdisMAllocateNetBufferSGList`] and its
/// mapping. Exactly `DISPATCH_LEVEL` (`Irql_Gather_DMA_Function`); a list that is unknown,
/// already freed, of another DMA handle or of another `NET_BUFFER` is [`Rule::BadFree`]
/// (nothing freed).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismfreenetbuffersglist>
///
/// # Safety
/// The device no longer reads the list's pages.
#[track_caller]
pub unsafe fn NdisMFreeNetBufferSGList(
    NdisMiniportDmaHandle: NDIS_HANDLE,
    pSGL: PSCATTER_GATHER_LIST,
    NetBuffer: PNET_BUFFER,
) {
    let location = Location::caller();
    let api = "NdisMFreeNetBufferSGList";
    let cpu = enter_ndis(api, location);
    check_exactly_dispatch(&cpu, api, location);
    let found = {
        let mut objects = lock(&cpu.shared.host.objects);
        match objects.sg_lists.get(&(pSGL as usize)) {
            None => Err("not a list allocated and not yet freed".to_owned()),
            Some(l) if l.info.dma != NdisMiniportDmaHandle as usize => {
                Err(format!("allocated with DMA handle {:#x}", l.info.dma))
            }
            Some(l) if l.info.net_buffer != NetBuffer as usize => Err(format!(
                "allocated for NET_BUFFER {:#x}, freed with {NetBuffer:p}",
                l.info.net_buffer
            )),
            Some(_) => objects
                .sg_lists
                .remove(&(pSGL as usize))
                .ok_or_else(String::new),
        }
    };
    let list = match found {
        Ok(list) => list,
        Err(why) => {
            violation(
                &cpu,
                Rule::BadFree,
                location,
                format!("{api}({NdisMiniportDmaHandle:p}, {pSGL:p}, {NetBuffer:p}): {why}"),
            );
            return;
        }
    };
    for (virt, len, phys) in list.regions {
        let _ = cpu.shared.bus.memory.free(virt, len, phys);
    }
    if let Some(words) = list.own_words {
        let slice = core::ptr::slice_from_raw_parts_mut(pSGL.cast::<u64>(), words);
        // SAFETY: allocated by `write_list` as a boxed slice of `words` words, removed from the
        // table above, so freed once, here.
        drop(unsafe { Box::from_raw(slice) });
    }
}

/// `Irql_Gather_DMA_Function` for the SG-list functions, whose pages require exactly
/// `DISPATCH_LEVEL`.
fn check_exactly_dispatch(cpu: &Cpu, api: &str, location: &'static Location<'static>) {
    let irql = cpu.irql();
    if irql != DISPATCH {
        violation(
            cpu,
            Rule::IrqlGatherDmaFunction,
            location,
            format!("{api} at IRQL {irql}: its page requires DISPATCH_LEVEL"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::dma::sg_list_size;
    use super::*;

    #[test]
    fn runs_split_where_pages_end() {
        let mut out = Vec::new();
        page_runs(0x1000 + 4000, 200, &mut out);
        let lens: Vec<u32> = out.iter().map(|e| e.Length).collect();
        assert_eq!(lens, [96, 104]);
        // SAFETY: plain integer view of the union.
        assert_eq!(unsafe { out[1].Address.QuadPart }, 0x2000);
    }

    #[test]
    fn a_mapping_of_the_maximum_fits_the_registered_size() {
        // The worst case: MaximumPhysicalMapping bytes starting one byte before a page ends.
        let max = 16_384;
        let mut out = Vec::new();
        page_runs(PAGE_SIZE as u64 - 1, max, &mut out);
        let size =
            size_of::<SCATTER_GATHER_LIST>() + out.len() * size_of::<SCATTER_GATHER_ELEMENT>();
        assert!(size <= sg_list_size(u32::try_from(max).unwrap()) as usize);
    }
}
