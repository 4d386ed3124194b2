//! Accessors for the C macros and anonymous-union fields of `ndis.h` / `wdm.h`.
//!
//! bindgen names an anonymous union or struct member `__bindgen_anon_N` and the simulator's
//! mirror does the same, so these compile unchanged for both builds; if a WDK's bindings name a
//! member differently, this file is the one place to mend. Each function is the documented
//! expansion of the macro it names.

use super::{
    _EVENT_DATA_DESCRIPTOR__bindgen_ty_1, CmResourceTypeInterrupt, CmResourceTypeMemory,
    EVENT_DATA_DESCRIPTOR, LARGE_INTEGER, MDL_MAPPED_TO_SYSTEM_VA, MDL_SOURCE_IS_NONPAGED_POOL,
    MmMapLockedPagesSpecifyCache, NDIS_HANDLE, NDIS_STATUS, NormalPagePriority,
    PCM_PARTIAL_RESOURCE_DESCRIPTOR, PMDL, PNDIS_RESOURCE_LIST, PNET_BUFFER, PNET_BUFFER_LIST,
    PVOID, ULONG,
};

/// `NET_BUFFER_LIST_NEXT_NBL(nbl)`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-list-next-nbl>
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`.
#[must_use]
pub unsafe fn nbl_next(nbl: PNET_BUFFER_LIST) -> PNET_BUFFER_LIST {
    // SAFETY: the caller guarantees a valid NBL.
    let nbl = unsafe { &*nbl };
    // SAFETY: `Next` is plain pointer data; every bit pattern of the header union is valid.
    unsafe { nbl.__bindgen_anon_1.__bindgen_anon_1.Next }
}

/// `NET_BUFFER_LIST_NEXT_NBL(nbl) = next`.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST` the caller owns.
pub unsafe fn set_nbl_next(nbl: PNET_BUFFER_LIST, next: PNET_BUFFER_LIST) {
    // SAFETY: the caller owns a valid NBL.
    let nbl = unsafe { &mut *nbl };
    nbl.__bindgen_anon_1.__bindgen_anon_1.Next = next;
}

/// `NET_BUFFER_LIST_FIRST_NB(nbl)`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-list-first-nb>
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`.
#[must_use]
pub unsafe fn nbl_first_nb(nbl: PNET_BUFFER_LIST) -> PNET_BUFFER {
    // SAFETY: the caller guarantees a valid NBL.
    let nbl = unsafe { &*nbl };
    // SAFETY: plain pointer data in the header union.
    unsafe { nbl.__bindgen_anon_1.__bindgen_anon_1.FirstNetBuffer }
}

/// `nbl->SourceHandle = handle`: a miniport sets its `MiniportAdapterHandle` in every NBL it
/// indicates.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-net_buffer_list>
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST` the caller owns.
pub unsafe fn set_nbl_source_handle(nbl: PNET_BUFFER_LIST, handle: NDIS_HANDLE) {
    // SAFETY: the caller owns a valid NBL.
    let nbl = unsafe { &mut *nbl };
    nbl.SourceHandle = handle;
}

/// `NET_BUFFER_LIST_STATUS(nbl) = status`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-list-status>
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST` the caller owns.
pub unsafe fn set_nbl_status(nbl: PNET_BUFFER_LIST, status: NDIS_STATUS) {
    // SAFETY: the caller owns a valid NBL.
    let nbl = unsafe { &mut *nbl };
    nbl.__bindgen_anon_2.Status = status;
}

/// `NET_BUFFER_LIST_STATUS(nbl)`.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`.
#[must_use]
pub unsafe fn nbl_status(nbl: PNET_BUFFER_LIST) -> NDIS_STATUS {
    // SAFETY: the caller guarantees a valid NBL.
    let nbl = unsafe { &*nbl };
    // SAFETY: every bit pattern is a valid `i32`.
    unsafe { nbl.__bindgen_anon_2.Status }
}

/// Where `NET_BUFFER_LIST_STATUS(nbl)` lives, for atomic access (no reference is made).
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`.
#[must_use]
pub unsafe fn nbl_status_ptr(nbl: PNET_BUFFER_LIST) -> *mut NDIS_STATUS {
    // SAFETY: the caller guarantees a valid NBL; only a raw place is formed.
    unsafe { &raw mut (*nbl).__bindgen_anon_2.Status }
}

/// `NET_BUFFER_LIST_MINIPORT_RESERVED(nbl)[index]`: the miniport's two pointer-sized slots.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`; `index < 2`.
#[must_use]
pub unsafe fn nbl_miniport_reserved(nbl: PNET_BUFFER_LIST, index: usize) -> PVOID {
    // SAFETY: the caller guarantees a valid NBL and an index in range.
    unsafe { (*nbl).MiniportReserved[index] }
}

/// `NET_BUFFER_LIST_MINIPORT_RESERVED(nbl)[index] = value`.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST` the miniport owns; `index < 2`.
pub unsafe fn set_nbl_miniport_reserved(nbl: PNET_BUFFER_LIST, index: usize, value: PVOID) {
    // SAFETY: the caller owns a valid NBL; the index is in range.
    unsafe { (*nbl).MiniportReserved[index] = value };
}

/// `NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(nbl)`: `NetBufferListInfo`-free form used here — the
/// cancel id lives in `NetBufferListInfo[NetBufferListCancelId]`; this driver reads it from
/// index 5 (`NetBufferListCancelId`) only through this accessor.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`.
#[must_use]
pub unsafe fn nbl_cancel_id(nbl: PNET_BUFFER_LIST) -> PVOID {
    // SAFETY: the caller guarantees a valid NBL; the array is inside it.
    unsafe { (*nbl).NetBufferListInfo[NET_BUFFER_LIST_CANCEL_ID] }
}

/// `NetBufferListCancelId` in the `NDIS_NET_BUFFER_LIST_INFO` enumeration (`nblinfo.h`): the
/// slot of `NetBufferListInfo` that `NDIS_SET_NET_BUFFER_LIST_CANCEL_ID` writes.
pub const NET_BUFFER_LIST_CANCEL_ID: usize = 5;

/// `NET_BUFFER_NEXT_NB(nb)`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-next-nb>
///
/// # Safety
/// `nb` points to a valid `NET_BUFFER`.
#[must_use]
pub unsafe fn nb_next(nb: PNET_BUFFER) -> PNET_BUFFER {
    // SAFETY: the caller guarantees a valid NB.
    let nb = unsafe { &*nb };
    // SAFETY: plain pointer data in the header union.
    unsafe { nb.__bindgen_anon_1.__bindgen_anon_1.Next }
}

/// `NET_BUFFER_DATA_LENGTH(nb)`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-data-length>
///
/// # Safety
/// `nb` points to a valid `NET_BUFFER`.
#[must_use]
pub unsafe fn nb_data_length(nb: PNET_BUFFER) -> ULONG {
    // SAFETY: the caller guarantees a valid NB.
    let nb = unsafe { &*nb };
    // SAFETY: plain data in the header union.
    let data = unsafe { nb.__bindgen_anon_1.__bindgen_anon_1 };
    // SAFETY: `DataLength` is the low half of the length union; every bit pattern is valid.
    unsafe { data.__bindgen_anon_1.DataLength }
}

/// `NET_BUFFER_CURRENT_MDL(nb)`.
///
/// # Safety
/// `nb` points to a valid `NET_BUFFER`.
#[must_use]
pub unsafe fn nb_current_mdl(nb: PNET_BUFFER) -> PMDL {
    // SAFETY: the caller guarantees a valid NB.
    let nb = unsafe { &*nb };
    // SAFETY: plain pointer data in the header union.
    unsafe { nb.__bindgen_anon_1.__bindgen_anon_1.CurrentMdl }
}

/// `NET_BUFFER_CURRENT_MDL_OFFSET(nb)`.
///
/// # Safety
/// `nb` points to a valid `NET_BUFFER`.
#[must_use]
pub unsafe fn nb_current_mdl_offset(nb: PNET_BUFFER) -> ULONG {
    // SAFETY: the caller guarantees a valid NB.
    let nb = unsafe { &*nb };
    // SAFETY: plain data in the header union.
    unsafe { nb.__bindgen_anon_1.__bindgen_anon_1.CurrentMdlOffset }
}

/// `NET_BUFFER_DATA_LENGTH(nb) = length` (a receive buffer reused for a shorter frame).
///
/// # Safety
/// `nb` points to a valid `NET_BUFFER` the caller owns; `length` bytes fit its MDL chain.
pub unsafe fn set_nb_data_length(nb: PNET_BUFFER, length: ULONG) {
    // SAFETY: the caller owns a valid NB.
    let nb = unsafe { &mut *nb };
    // SAFETY: the header union's active member is the NET_BUFFER_DATA view (plain data).
    let data = unsafe { &mut nb.__bindgen_anon_1.__bindgen_anon_1 };
    // Writing the whole SIZE_T member keeps the high half zero, as `NET_BUFFER_DATA_LENGTH`
    // assignments do on x64.
    data.__bindgen_anon_1.stDataLength = u64::from(length);
}

/// `mdl->Next`.
///
/// # Safety
/// `mdl` points to a valid `MDL`.
#[must_use]
pub unsafe fn mdl_next(mdl: PMDL) -> PMDL {
    // SAFETY: the caller guarantees a valid MDL.
    unsafe { (*mdl).Next }
}

/// `MmGetMdlByteCount(mdl)`.
///
/// # Safety
/// `mdl` points to a valid `MDL`.
#[must_use]
pub unsafe fn mdl_byte_count(mdl: PMDL) -> ULONG {
    // SAFETY: the caller guarantees a valid MDL.
    unsafe { (*mdl).ByteCount }
}

/// `MdlMappingNoExecute` (`wdm.h`, Windows 8 and later): OR-ed into the priority of a mapping
/// that is only read or written as data, as the `MmGetSystemAddressForMdlSafe` page
/// recommends. Defined here rather than taken from the bindings so both builds share it.
pub const MDL_MAPPING_NO_EXECUTE: ULONG = 0x4000_0000;

/// `MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute)`: the mapped
/// address when the MDL is mapped or describes nonpaged pool, else
/// `MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, priority)`. Null when
/// the mapping fails (low resources): the caller treats the frame as failed.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetsystemaddressformdlsafe>
///
/// # Safety
/// `mdl` points to a valid `MDL` describing locked pages; IRQL ≤ `DISPATCH_LEVEL`.
#[must_use]
pub unsafe fn mdl_system_address(mdl: PMDL) -> *mut u8 {
    // SAFETY: the caller guarantees a valid MDL.
    let flags = unsafe { (*mdl).MdlFlags };
    let mapped =
        i16::try_from(MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL).unwrap_or(i16::MAX);
    if flags & mapped != 0 {
        // SAFETY: the caller guarantees a valid MDL; the flags say `MappedSystemVa` holds the
        // system address.
        return unsafe { (*mdl).MappedSystemVa }.cast();
    }
    // KernelMode = 0, MmCached = 1 (wdm.h), BugCheckOnFailure = FALSE.
    // SAFETY: the caller guarantees a valid MDL of locked pages at IRQL ≤ DISPATCH_LEVEL.
    let va = unsafe {
        MmMapLockedPagesSpecifyCache(
            mdl,
            0,
            1,
            core::ptr::null_mut(),
            0,
            NormalPagePriority as ULONG | MDL_MAPPING_NO_EXECUTE,
        )
    };
    va.cast()
}

/// `LARGE_INTEGER::QuadPart` as an unsigned physical address.
#[must_use]
pub fn physical_address(value: LARGE_INTEGER) -> u64 {
    // SAFETY: every bit pattern of the union is a valid `QuadPart`.
    unsafe { value.QuadPart }.cast_unsigned()
}

/// A `LARGE_INTEGER` holding `value`.
#[must_use]
pub fn large_integer(value: i64) -> LARGE_INTEGER {
    LARGE_INTEGER { QuadPart: value }
}

/// A hardware resource a PCI miniport is given (the members of
/// `CM_PARTIAL_RESOURCE_DESCRIPTOR` it reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// `CmResourceTypeMemory`: a memory BAR.
    Memory {
        /// Physical start.
        start: u64,
        /// Length in bytes.
        length: u32,
    },
    /// `CmResourceTypeInterrupt`.
    Interrupt {
        /// The vector.
        vector: u32,
    },
    /// Any other type.
    Other(u8),
}

/// The `index`th descriptor of `AllocatedResources`, or `None` past the end.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_list>
///
/// # Safety
/// `list` is null or points to a valid resource list with `Count` descriptors.
#[must_use]
pub unsafe fn resource(list: PNDIS_RESOURCE_LIST, index: u32) -> Option<Resource> {
    if list.is_null() {
        return None;
    }
    // SAFETY: the caller guarantees a valid list; taking a field's address reads nothing.
    let count = unsafe { core::ptr::addr_of!((*list).Count) };
    // SAFETY: the field is inside the valid list; the read is unaligned-safe (packed).
    let count = unsafe { count.read_unaligned() };
    if index >= count {
        return None;
    }
    // SAFETY: the caller guarantees a valid list; taking a field's address reads nothing.
    let first = unsafe { core::ptr::addr_of_mut!((*list).PartialDescriptors) }
        .cast::<super::CM_PARTIAL_RESOURCE_DESCRIPTOR>();
    // SAFETY: `index < Count` descriptors follow the header, per the caller.
    let d: PCM_PARTIAL_RESOURCE_DESCRIPTOR = unsafe { first.add(index as usize) };
    // SAFETY: `d` points to a valid (possibly unaligned) descriptor.
    let desc = unsafe { d.read_unaligned() };
    let kind = u32::from(desc.Type);
    Some(if kind == CmResourceTypeMemory {
        // SAFETY: the type says `u.Memory` is the active member.
        let m = unsafe { desc.u.Memory };
        Resource::Memory {
            start: physical_address(m.Start),
            length: m.Length,
        }
    } else if kind == CmResourceTypeInterrupt {
        // SAFETY: the type says `u.Interrupt` is the active member.
        let i = unsafe { desc.u.Interrupt };
        Resource::Interrupt { vector: i.Vector }
    } else {
        Resource::Other(desc.Type)
    })
}

/// An `EVENT_DATA_DESCRIPTOR` over `bytes` (`EventDataDescCreate`, evntprov.h), with
/// `Reserved` set to `kind` (`EVENT_DATA_DESCRIPTOR_TYPE_*`: TraceLogging marks its provider
/// and event metadata this way).
/// <https://learn.microsoft.com/windows/win32/api/evntprov/ns-evntprov-event_data_descriptor>
#[must_use]
pub fn event_data_descriptor(bytes: &[u8], kind: ULONG) -> EVENT_DATA_DESCRIPTOR {
    EVENT_DATA_DESCRIPTOR {
        Ptr: bytes.as_ptr() as u64,
        Size: ULONG::try_from(bytes.len()).unwrap_or(0),
        __bindgen_anon_1: _EVENT_DATA_DESCRIPTOR__bindgen_ty_1 { Reserved: kind },
    }
}
