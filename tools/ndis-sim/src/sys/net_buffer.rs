//! `NET_BUFFER_LIST`, `NET_BUFFER` and what they embed (`SLIST_HEADER`, the NBL context, the
//! shared-memory descriptor), laid out as bindgen emits them for x64 `ndis/nbl.h` and `wdm.h`:
//! 16-byte aligned (the `SLIST_HEADER` at their head is `DECLSPEC_ALIGN(16)`), with bindgen's
//! explicit `__bindgen_padding_0` where that alignment leaves a hole, and the typed pointers
//! of the headers. `abi/facts.txt` holds the real layouts; `tests/abi_facts.rs` compares.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-net_buffer_list>

#![allow(
    clippy::pub_underscore_fields,
    reason = "bindgen's names for padding, alignment and bit-field members"
)]

use super::ndis_types::{
    _NDIS_NET_BUFFER_LIST_INFO, MDL, PHYSICAL_ADDRESS, SCATTER_GATHER_LIST, SIZE_T, ULONGLONG,
};
use super::types::{
    __BindgenBitfieldUnit, __IncompleteArrayField, LONG, NDIS_HANDLE, NDIS_STATUS, PVOID, UCHAR,
    ULONG, USHORT,
};

// ---------------------------------------------------------------------------------------------
// SLIST_HEADER (wdm.h, x64)
// ---------------------------------------------------------------------------------------------

/// The `{ Alignment, Region }` view of an x64 `SLIST_HEADER`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _SLIST_HEADER__bindgen_ty_1 {
    /// The low 64 bits.
    pub Alignment: ULONGLONG,
    /// The high 64 bits.
    pub Region: ULONGLONG,
}

/// `HeaderX64` of an `SLIST_HEADER`: the bit fields `Depth:16`, `Sequence:48`, `Reserved:4`,
/// `NextEntry:60` in one 16-byte unit (the simulator never reads them: NDIS's own lists).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _SLIST_HEADER__bindgen_ty_2 {
    /// bindgen's alignment marker (the unit is 8-aligned).
    pub _bindgen_align: [u64; 0],
    /// The bit fields.
    pub _bitfield_1: __BindgenBitfieldUnit<[u8; 16]>,
}

/// `SLIST_HEADER` (x64): the head of an interlocked singly linked list, 16 bytes, 16-aligned.
/// NDIS links free NBLs and `NET_BUFFER`s of a pool through the one at their head.
/// <https://learn.microsoft.com/windows-hardware/drivers/kernel/singly-and-doubly-linked-lists>
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub union _SLIST_HEADER {
    /// `Alignment`, `Region`.
    pub __bindgen_anon_1: _SLIST_HEADER__bindgen_ty_1,
    /// The bit-field view.
    pub HeaderX64: _SLIST_HEADER__bindgen_ty_2,
}
/// `SLIST_HEADER`.
pub type SLIST_HEADER = _SLIST_HEADER;

// ---------------------------------------------------------------------------------------------
// NET_BUFFER
// ---------------------------------------------------------------------------------------------

/// `NET_BUFFER`'s `{ DataLength | stDataLength }` union (anonymous in `NET_BUFFER`).
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NET_BUFFER__bindgen_ty_1__bindgen_ty_1__bindgen_ty_1 {
    /// Length of the used data.
    pub DataLength: ULONG,
    /// The same as a `SIZE_T`.
    pub stDataLength: SIZE_T,
}

/// The anonymous `NET_BUFFER_DATA` fields at the head of `NET_BUFFER`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _NET_BUFFER__bindgen_ty_1__bindgen_ty_1 {
    /// The next `NET_BUFFER` of the list.
    pub Next: *mut NET_BUFFER,
    /// The MDL holding `DataOffset`.
    pub CurrentMdl: *mut MDL,
    /// Offset of the data in `CurrentMdl`.
    pub CurrentMdlOffset: ULONG,
    /// `DataLength` / `stDataLength`.
    pub __bindgen_anon_1: _NET_BUFFER__bindgen_ty_1__bindgen_ty_1__bindgen_ty_1,
    /// The first MDL.
    pub MdlChain: *mut MDL,
    /// Offset of the data from the start of `MdlChain`.
    pub DataOffset: ULONG,
}

/// `NET_BUFFER_DATA_LENGTH`: the named form of the length union, in `NET_BUFFER_DATA`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NET_BUFFER_DATA_LENGTH {
    /// Length of the used data.
    pub DataLength: ULONG,
    /// The same as a `SIZE_T`.
    pub stDataLength: SIZE_T,
}
/// `NET_BUFFER_DATA_LENGTH`.
pub type NET_BUFFER_DATA_LENGTH = _NET_BUFFER_DATA_LENGTH;

// `NET_BUFFER_DATA` and `NET_BUFFER_HEADER`: one definition for both builds (the kernel build
// includes the same file; see there why it is written by hand).
include!("net_buffer_legacy.rs");

/// The union at the head of `NET_BUFFER`.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub union _NET_BUFFER__bindgen_ty_1 {
    /// The anonymous `NET_BUFFER_DATA` fields.
    pub __bindgen_anon_1: _NET_BUFFER__bindgen_ty_1__bindgen_ty_1,
    /// The pool's free-list link.
    pub Link: SLIST_HEADER,
    /// The legacy named view.
    pub NetBufferHeader: NET_BUFFER_HEADER,
}

/// `NET_BUFFER_SHARED_MEMORY`: a segment of shared memory a `NET_BUFFER`'s data lives in.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-net_buffer_shared_memory>
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _NET_BUFFER_SHARED_MEMORY {
    /// The next segment.
    pub NextSharedMemorySegment: *mut NET_BUFFER_SHARED_MEMORY,
    /// Reserved.
    pub SharedMemoryFlags: ULONG,
    /// The shared memory block (`NdisAllocateSharedMemory`).
    pub SharedMemoryHandle: NDIS_HANDLE,
    /// Offset of the data in the block.
    pub SharedMemoryOffset: ULONG,
    /// Length of the data.
    pub SharedMemoryLength: ULONG,
}
/// `NET_BUFFER_SHARED_MEMORY`.
pub type NET_BUFFER_SHARED_MEMORY = _NET_BUFFER_SHARED_MEMORY;
/// `PNET_BUFFER_SHARED_MEMORY`.
pub type PNET_BUFFER_SHARED_MEMORY = *mut _NET_BUFFER_SHARED_MEMORY;

/// The `{ SharedMemoryInfo | ScatterGatherList }` union at the end of `NET_BUFFER`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NET_BUFFER__bindgen_ty_2 {
    /// Shared memory segments.
    pub SharedMemoryInfo: *mut NET_BUFFER_SHARED_MEMORY,
    /// The scatter-gather list NDIS built for a send.
    pub ScatterGatherList: *mut SCATTER_GATHER_LIST,
}

/// `NET_BUFFER`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-_net_buffer>
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct _NET_BUFFER {
    /// `Next`, `CurrentMdl`, `CurrentMdlOffset`, `DataLength`, `MdlChain`, `DataOffset`.
    pub __bindgen_anon_1: _NET_BUFFER__bindgen_ty_1,
    /// Checksum bias.
    pub ChecksumBias: USHORT,
    /// Reserved.
    pub Reserved: USHORT,
    /// The pool the `NET_BUFFER` came from.
    pub NdisPoolHandle: NDIS_HANDLE,
    /// NDIS's.
    pub NdisReserved: [PVOID; 2],
    /// The protocol's.
    pub ProtocolReserved: [PVOID; 6],
    /// The miniport's.
    pub MiniportReserved: [PVOID; 4],
    /// Physical address of the data (when NDIS mapped it).
    pub DataPhysicalAddress: PHYSICAL_ADDRESS,
    /// `SharedMemoryInfo` / `ScatterGatherList`.
    pub __bindgen_anon_2: _NET_BUFFER__bindgen_ty_2,
}
/// `NET_BUFFER`.
pub type NET_BUFFER = _NET_BUFFER;
/// `PNET_BUFFER`.
pub type PNET_BUFFER = *mut NET_BUFFER;

// ---------------------------------------------------------------------------------------------
// NET_BUFFER_LIST
// ---------------------------------------------------------------------------------------------

/// `NET_BUFFER_LIST_CONTEXT`: a block of an NBL's context area (`NdisAllocateNetBufferListContext`):
/// a header, then `Size` bytes of which the last `Size - Offset` are in use.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-net_buffer_list_context>
#[repr(C, align(16))]
pub struct _NET_BUFFER_LIST_CONTEXT {
    /// The next block.
    pub Next: *mut NET_BUFFER_LIST_CONTEXT,
    /// Size of `ContextData`.
    pub Size: USHORT,
    /// Where the used part of `ContextData` starts.
    pub Offset: USHORT,
    /// Up to `ContextData`'s 16-byte alignment.
    pub __bindgen_padding_0: [u8; 4],
    /// The data (`MEMORY_ALLOCATION_ALIGNMENT`-aligned).
    pub ContextData: __IncompleteArrayField<UCHAR>,
}
/// `NET_BUFFER_LIST_CONTEXT`.
pub type NET_BUFFER_LIST_CONTEXT = _NET_BUFFER_LIST_CONTEXT;

/// The anonymous `{ Next, FirstNetBuffer }` at the head of `NET_BUFFER_LIST`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _NET_BUFFER_LIST__bindgen_ty_1__bindgen_ty_1 {
    /// The next NBL of a chain.
    pub Next: *mut NET_BUFFER_LIST,
    /// The first `NET_BUFFER`.
    pub FirstNetBuffer: *mut NET_BUFFER,
}

/// `NET_BUFFER_LIST_HEADER` (legacy name): the NBL's head as a named union.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub union _NET_BUFFER_LIST_HEADER {
    /// The list link.
    pub Link: SLIST_HEADER,
}
/// `NET_BUFFER_LIST_HEADER`.
pub type NET_BUFFER_LIST_HEADER = _NET_BUFFER_LIST_HEADER;

/// The union at the head of `NET_BUFFER_LIST`.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub union _NET_BUFFER_LIST__bindgen_ty_1 {
    /// `Next`, `FirstNetBuffer`.
    pub __bindgen_anon_1: _NET_BUFFER_LIST__bindgen_ty_1__bindgen_ty_1,
    /// The pool's free-list link.
    pub Link: SLIST_HEADER,
    /// The legacy named view.
    pub NetBufferListHeader: NET_BUFFER_LIST_HEADER,
}

/// The `{ Status | NdisReserved2 }` union of `NET_BUFFER_LIST`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NET_BUFFER_LIST__bindgen_ty_2 {
    /// The completion status (`NET_BUFFER_LIST_STATUS`).
    pub Status: NDIS_STATUS,
    /// NDIS's.
    pub NdisReserved2: ULONG,
}

/// `MaxNetBufferListInfo` (`ndis/nblinfo.h`), the length of `NetBufferListInfo`: 27 for a
/// miniport on x64 (NDIS 6.80 and later; the enumeration has no 6.83-, 6.84- or 6.87-only
/// slot before it). ndis.sys itself is built with `NDIS_WRAPPER` and sees 29 (two reserved
/// slots more), which is what this mirror had before the ABI facts caught it.
pub const MaxNetBufferListInfo: _NDIS_NET_BUFFER_LIST_INFO = 27;
/// `NetBufferListCancelId` (`ndis/nblinfo.h`): the slot `NDIS_SET_NET_BUFFER_LIST_CANCEL_ID`
/// writes.
pub const NetBufferListCancelId: _NDIS_NET_BUFFER_LIST_INFO = 5;

/// `NET_BUFFER_LIST`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-_net_buffer_list>
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct _NET_BUFFER_LIST {
    /// `Next`, `FirstNetBuffer`.
    pub __bindgen_anon_1: _NET_BUFFER_LIST__bindgen_ty_1,
    /// The NBL's context blocks.
    pub Context: *mut NET_BUFFER_LIST_CONTEXT,
    /// The parent of a clone.
    pub ParentNetBufferList: *mut NET_BUFFER_LIST,
    /// The pool the NBL came from.
    pub NdisPoolHandle: NDIS_HANDLE,
    /// Up to `NdisReserved`'s 16-byte alignment (`DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT)`).
    pub __bindgen_padding_0: [u8; 8],
    /// NDIS's.
    pub NdisReserved: [PVOID; 2],
    /// The protocol's.
    pub ProtocolReserved: [PVOID; 4],
    /// The miniport's: `MiniportReserved[0]` links the driver's send queue.
    pub MiniportReserved: [PVOID; 2],
    /// Scratch.
    pub Scratch: PVOID,
    /// The handle of the driver that indicated or sent it (`SourceHandle`).
    pub SourceHandle: NDIS_HANDLE,
    /// `NBL_FLAGS_*`.
    pub NblFlags: ULONG,
    /// Child references of a clone.
    pub ChildRefCount: LONG,
    /// `NDIS_NBL_FLAGS_*`.
    pub Flags: ULONG,
    /// `Status` / `NdisReserved2`.
    pub __bindgen_anon_2: _NET_BUFFER_LIST__bindgen_ty_2,
    /// Out-of-band information, `MaxNetBufferListInfo` slots.
    pub NetBufferListInfo: [PVOID; 27],
}
/// `NET_BUFFER_LIST`.
pub type NET_BUFFER_LIST = _NET_BUFFER_LIST;
/// `PNET_BUFFER_LIST`.
pub type PNET_BUFFER_LIST = *mut NET_BUFFER_LIST;

// `NetBufferListInfo` has `MaxNetBufferListInfo` slots, spelled as a literal as bindgen does.
const _: () = assert!(MaxNetBufferListInfo == 27);

macro_rules! zeroed_default {
    ($($t:ty),* $(,)?) => {$(
        /// All zero, as bindgen's `derive_default` produces (pointers null).
        impl Default for $t {
            fn default() -> Self {
                // SAFETY: every field of this `repr(C)` type is an integer, a raw pointer, or an
                // aggregate of those: all-zero is valid.
                unsafe { core::mem::zeroed() }
            }
        }
    )*};
}

zeroed_default!(
    _SLIST_HEADER,
    _NET_BUFFER__bindgen_ty_1,
    _NET_BUFFER__bindgen_ty_2,
    _NET_BUFFER,
    _NET_BUFFER_LIST__bindgen_ty_1,
    _NET_BUFFER_LIST__bindgen_ty_2,
    _NET_BUFFER_LIST
);

#[cfg(test)]
mod tests {
    use super::{NET_BUFFER, NET_BUFFER_LIST};

    #[test]
    fn the_miniport_reserved_area_is_where_ndis_has_it() {
        // The documented x64 offsets a miniport's NET_BUFFER_LIST_MINIPORT_RESERVED and
        // NET_BUFFER_MINIPORT_RESERVED reach (ABI facts: 96 and 128).
        assert_eq!(core::mem::offset_of!(NET_BUFFER_LIST, MiniportReserved), 96);
        assert_eq!(core::mem::offset_of!(NET_BUFFER, MiniportReserved), 128);
        assert_eq!(core::mem::align_of::<NET_BUFFER_LIST>(), 16);
    }
}
