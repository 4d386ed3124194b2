//! `CM_PARTIAL_RESOURCE_LIST` and `CM_PARTIAL_RESOURCE_DESCRIPTOR` (`wdm.h`), the hardware
//! resources `MiniportInitializeEx` receives, as bindgen emits them for x64: the `u` union
//! with all fourteen members, its `__bindgen_ty_N` structures in declaration order, and
//! `#pragma pack(4)` where the header has it (the members holding a `PHYSICAL_ADDRESS` or a
//! `KAFFINITY`), so the union and the descriptor are 4-aligned (20 bytes).
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_descriptor>

#![allow(
    clippy::pub_underscore_fields,
    reason = "bindgen's names for anonymous members and placeholders"
)]

use super::ndis_types::PHYSICAL_ADDRESS;
use super::types::{KAFFINITY, UCHAR, ULONG, USHORT};

/// `u.Generic`.
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_1 {
    /// Start of the range.
    pub Start: PHYSICAL_ADDRESS,
    /// Length of the range.
    pub Length: ULONG,
}

/// `u.Port` (`CmResourceTypePort`).
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_2 {
    /// Start of the range.
    pub Start: PHYSICAL_ADDRESS,
    /// Length of the range.
    pub Length: ULONG,
}

/// `u.Interrupt` (`CmResourceTypeInterrupt`, line-based).
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_3 {
    /// Interrupt level.
    pub Level: ULONG,
    /// Interrupt vector.
    pub Vector: ULONG,
    /// Processors that may take it.
    pub Affinity: KAFFINITY,
}

/// `u.MessageInterrupt.Raw`.
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4__bindgen_ty_1__bindgen_ty_1 {
    /// Reserved.
    pub Reserved: USHORT,
    /// Messages allocated.
    pub MessageCount: USHORT,
    /// Vector of the first message.
    pub Vector: ULONG,
    /// Processors that may take them.
    pub Affinity: KAFFINITY,
}

/// `u.MessageInterrupt.Translated`.
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4__bindgen_ty_1__bindgen_ty_2 {
    /// Interrupt level.
    pub Level: ULONG,
    /// Interrupt vector.
    pub Vector: ULONG,
    /// Processors that may take it.
    pub Affinity: KAFFINITY,
}

/// The `{ Raw | Translated }` union of `u.MessageInterrupt`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4__bindgen_ty_1 {
    /// The raw resource.
    pub Raw:
        _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4__bindgen_ty_1__bindgen_ty_1,
    /// The translated resource.
    pub Translated:
        _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4__bindgen_ty_1__bindgen_ty_2,
}

/// `u.MessageInterrupt` (`CmResourceTypeInterrupt` with `CM_RESOURCE_INTERRUPT_MESSAGE`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4 {
    /// `Raw` / `Translated`.
    pub __bindgen_anon_1: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4__bindgen_ty_1,
}

/// `u.Memory` (`CmResourceTypeMemory`).
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_5 {
    /// Start of the range.
    pub Start: PHYSICAL_ADDRESS,
    /// Length of the range.
    pub Length: ULONG,
}

/// `u.Dma`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_6 {
    /// DMA channel.
    pub Channel: ULONG,
    /// DMA port.
    pub Port: ULONG,
    /// Reserved.
    pub Reserved1: ULONG,
}

/// `u.DmaV3`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_7 {
    /// DMA channel.
    pub Channel: ULONG,
    /// Request line.
    pub RequestLine: ULONG,
    /// Transfer width.
    pub TransferWidth: UCHAR,
    /// Reserved.
    pub Reserved1: UCHAR,
    /// Reserved.
    pub Reserved2: UCHAR,
    /// Reserved.
    pub Reserved3: UCHAR,
}

/// `u.DevicePrivate`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_8 {
    /// Driver-defined.
    pub Data: [ULONG; 3],
}

/// `u.BusNumber`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_9 {
    /// First bus number.
    pub Start: ULONG,
    /// Number of buses.
    pub Length: ULONG,
    /// Reserved.
    pub Reserved: ULONG,
}

/// `u.DeviceSpecificData` (`CmResourceTypeDeviceSpecific`).
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_10 {
    /// Bytes of data after the descriptor.
    pub DataSize: ULONG,
    /// Reserved.
    pub Reserved1: ULONG,
    /// Reserved.
    pub Reserved2: ULONG,
}

/// `u.Memory40` (`CmResourceTypeMemoryLarge`, 40-bit length).
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_11 {
    /// Start of the range.
    pub Start: PHYSICAL_ADDRESS,
    /// Length of the range.
    pub Length40: ULONG,
}

/// `u.Memory48` (48-bit length).
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_12 {
    /// Start of the range.
    pub Start: PHYSICAL_ADDRESS,
    /// Length of the range.
    pub Length48: ULONG,
}

/// `u.Memory64` (64-bit length).
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_13 {
    /// Start of the range.
    pub Start: PHYSICAL_ADDRESS,
    /// Length of the range.
    pub Length64: ULONG,
}

/// `u.Connection` (`CmResourceTypeConnection`).
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_14 {
    /// Connection class.
    pub Class: UCHAR,
    /// Connection type.
    pub Type: UCHAR,
    /// Reserved.
    pub Reserved1: UCHAR,
    /// Reserved.
    pub Reserved2: UCHAR,
    /// Connection id, low.
    pub IdLowPart: ULONG,
    /// Connection id, high.
    pub IdHighPart: ULONG,
}

/// The `u` union of `CM_PARTIAL_RESOURCE_DESCRIPTOR`: `Type` says which member is valid.
#[repr(C)]
#[derive(Clone, Copy)]
pub union _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1 {
    /// Any range.
    pub Generic: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_1,
    /// `CmResourceTypePort`.
    pub Port: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_2,
    /// `CmResourceTypeInterrupt`.
    pub Interrupt: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_3,
    /// `CmResourceTypeInterrupt`, message-signaled.
    pub MessageInterrupt: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4,
    /// `CmResourceTypeMemory`.
    pub Memory: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_5,
    /// `CmResourceTypeDma`.
    pub Dma: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_6,
    /// `CmResourceTypeDma`, version 3.
    pub DmaV3: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_7,
    /// `CmResourceTypeDevicePrivate`.
    pub DevicePrivate: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_8,
    /// `CmResourceTypeBusNumber`.
    pub BusNumber: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_9,
    /// `CmResourceTypeDeviceSpecific`.
    pub DeviceSpecificData: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_10,
    /// `CmResourceTypeMemoryLarge` (40).
    pub Memory40: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_11,
    /// `CmResourceTypeMemoryLarge` (48).
    pub Memory48: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_12,
    /// `CmResourceTypeMemoryLarge` (64).
    pub Memory64: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_13,
    /// `CmResourceTypeConnection`.
    pub Connection: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_14,
}

/// `CM_PARTIAL_RESOURCE_DESCRIPTOR`: one hardware resource.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_descriptor>
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
    /// `CmResourceType*`.
    pub Type: UCHAR,
    /// `CmResourceShare*`.
    pub ShareDisposition: UCHAR,
    /// Type-specific flags.
    pub Flags: USHORT,
    /// The type-specific data.
    pub u: _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1,
}
/// `CM_PARTIAL_RESOURCE_DESCRIPTOR`.
pub type CM_PARTIAL_RESOURCE_DESCRIPTOR = _CM_PARTIAL_RESOURCE_DESCRIPTOR;
/// `PCM_PARTIAL_RESOURCE_DESCRIPTOR`.
pub type PCM_PARTIAL_RESOURCE_DESCRIPTOR = *mut CM_PARTIAL_RESOURCE_DESCRIPTOR;

/// `CM_PARTIAL_RESOURCE_LIST`: a header followed by `Count` descriptors (declared `[1]`; the
/// rest follow in memory).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_list>
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _CM_PARTIAL_RESOURCE_LIST {
    /// Version (1).
    pub Version: USHORT,
    /// Revision (1).
    pub Revision: USHORT,
    /// Number of descriptors.
    pub Count: ULONG,
    /// The first descriptor.
    pub PartialDescriptors: [CM_PARTIAL_RESOURCE_DESCRIPTOR; 1],
}
/// `CM_PARTIAL_RESOURCE_LIST`.
pub type CM_PARTIAL_RESOURCE_LIST = _CM_PARTIAL_RESOURCE_LIST;
/// `NDIS_RESOURCE_LIST` (ndis.h: `typedef CM_PARTIAL_RESOURCE_LIST NDIS_RESOURCE_LIST`).
pub type NDIS_RESOURCE_LIST = CM_PARTIAL_RESOURCE_LIST;
/// `PNDIS_RESOURCE_LIST`.
pub type PNDIS_RESOURCE_LIST = *mut NDIS_RESOURCE_LIST;

macro_rules! zeroed_default {
    ($($t:ty),* $(,)?) => {$(
        /// All zero, as bindgen's `derive_default` produces.
        impl Default for $t {
            fn default() -> Self {
                // SAFETY: every field of this `repr(C)` type is an integer or an aggregate of
                // integers: all-zero is valid.
                unsafe { core::mem::zeroed() }
            }
        }
    )*};
}

zeroed_default!(
    _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4__bindgen_ty_1,
    _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_4,
    _CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1,
    _CM_PARTIAL_RESOURCE_DESCRIPTOR,
    _CM_PARTIAL_RESOURCE_LIST
);
