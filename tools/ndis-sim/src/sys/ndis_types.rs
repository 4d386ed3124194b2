//! The NDIS 6 structures a miniport uses, as bindgen emits them for x64 `ndis.h` / `wdm.h`:
//! `#[repr(C)]`, the C tag name (`_NET_BUFFER_LIST`) with the typedefs as aliases, anonymous
//! unions and structs as `__bindgen_anon_N` fields of `<Outer>__bindgen_ty_N` types, named
//! unions with their C names. Every struct is `Default` (all zero), as bindgen's
//! `derive_default` makes it. Handler typedefs are `Option<unsafe extern "C" fn ..>`.
//!
//! Only the leading fields a miniport reads or writes are mirrored where the C structure goes on
//! (noted on each); the driver reaches anonymous-union fields through `driver/sys` accessors, so
//! a shape difference from the real bindings is mended in one place.

#![allow(clippy::pub_underscore_fields)]

use super::capabilities::{
    NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES, NDIS_MINIPORT_ADAPTER_NDK_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, NDIS_MINIPORT_ADAPTER_PACKET_DIRECT_ATTRIBUTES,
    NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES, PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES,
    PNDIS_PM_CAPABILITIES, PNDIS_PNP_CAPABILITIES, PNDIS_PORT_AUTHENTICATION_PARAMETERS,
    PNDIS_RECEIVE_SCALE_CAPABILITIES, PNDIS_RESTART_ATTRIBUTES,
};
use super::net_buffer::PNET_BUFFER_LIST;
use super::resources::PNDIS_RESOURCE_LIST;
use super::services::{NDIS_NIC_SWITCH_ID, NDIS_NIC_SWITCH_VPORT_ID};
use super::types::{
    __BindgenBitfieldUnit, __IncompleteArrayField, BOOLEAN, LONG, NDIS_HANDLE, NDIS_OBJECT_HEADER,
    NDIS_STATUS, PVOID, UCHAR, ULONG, ULONG_PTR, USHORT, c_uchar, c_ulong, c_ushort,
};
use super::wdm_objects::{_EPROCESS, PDEVICE_OBJECT, PDRIVER_OBJECT};

/// `LONGLONG`.
pub type LONGLONG = i64;
/// `ULONGLONG`.
pub type ULONGLONG = u64;
/// `ULONG64`.
pub type ULONG64 = u64;
/// `SIZE_T` (x64).
pub type SIZE_T = ULONG_PTR;
/// `UINT`.
pub type UINT = u32;
/// `CSHORT`.
pub type CSHORT = i16;
/// `PUCHAR`.
pub type PUCHAR = *mut UCHAR;
/// `WCHAR`.
pub type WCHAR = u16;
/// `NDIS_OID`.
pub type NDIS_OID = ULONG;
/// `PNDIS_OID`.
pub type PNDIS_OID = *mut NDIS_OID;
/// `NDIS_PORT_NUMBER`.
pub type NDIS_PORT_NUMBER = ULONG;
/// `NET_IFINDEX`.
pub type NET_IFINDEX = ULONG;
/// `NET_IFTYPE`.
pub type NET_IFTYPE = USHORT;

// C enums: bindgen (as wdk-build configures it) emits each as an integer alias plus constants.
/// `NDIS_MEDIUM`.
pub type NDIS_MEDIUM = i32;
/// `NDIS_PHYSICAL_MEDIUM`.
pub type NDIS_PHYSICAL_MEDIUM = i32;
/// `NDIS_REQUEST_TYPE`.
pub type NDIS_REQUEST_TYPE = i32;
/// `NDIS_DEVICE_PNP_EVENT`.
pub type NDIS_DEVICE_PNP_EVENT = i32;
/// `NDIS_HALT_ACTION`.
pub type NDIS_HALT_ACTION = i32;
/// `NDIS_SHUTDOWN_ACTION`.
pub type NDIS_SHUTDOWN_ACTION = i32;
/// `NDIS_MEDIA_CONNECT_STATE`.
pub type NDIS_MEDIA_CONNECT_STATE = i32;
/// `NDIS_MEDIA_DUPLEX_STATE`.
pub type NDIS_MEDIA_DUPLEX_STATE = i32;
/// `NDIS_SUPPORTED_PAUSE_FUNCTIONS`.
pub type NDIS_SUPPORTED_PAUSE_FUNCTIONS = i32;
/// `NDIS_INTERRUPT_MODERATION`.
pub type NDIS_INTERRUPT_MODERATION = i32;
/// `NDIS_INTERFACE_TYPE` (`INTERFACE_TYPE`).
pub type NDIS_INTERFACE_TYPE = i32;
/// `NET_IF_ACCESS_TYPE`.
pub type NET_IF_ACCESS_TYPE = i32;
/// `NET_IF_DIRECTION_TYPE`.
pub type NET_IF_DIRECTION_TYPE = i32;
/// `NET_IF_CONNECTION_TYPE`.
pub type NET_IF_CONNECTION_TYPE = i32;
/// `NDIS_HARDWARE_STATUS`.
pub type NDIS_HARDWARE_STATUS = i32;
/// `MM_PAGE_PRIORITY`.
pub type MM_PAGE_PRIORITY = i32;
/// `EX_POOL_PRIORITY`.
pub type EX_POOL_PRIORITY = i32;
/// `NDIS_NET_BUFFER_LIST_INFO` (the enumeration `MaxNetBufferListInfo` ends).
pub type _NDIS_NET_BUFFER_LIST_INFO = i32;
/// `NDIS_DEVICE_POWER_STATE`.
pub type NDIS_DEVICE_POWER_STATE = i32;
/// `NDIS_PORT_CONTROL_STATE`.
pub type NDIS_PORT_CONTROL_STATE = i32;
/// `NDIS_PORT_AUTHORIZATION_STATE`.
pub type NDIS_PORT_AUTHORIZATION_STATE = i32;
/// `MODE` (`wdm.h`: `KernelMode`, `UserMode`; a `KPROCESSOR_MODE` holds one).
pub type MODE = i32;

macro_rules! zeroed_default {
    ($($t:ty),* $(,)?) => {$(
        /// All zero, as bindgen's `derive_default` produces (pointers null, handlers `None`).
        impl Default for $t {
            fn default() -> Self {
                // SAFETY: every field of this `repr(C)` type is an integer, a raw pointer, an
                // `Option` of a function pointer, or an aggregate of those: all-zero is valid.
                unsafe { core::mem::zeroed() }
            }
        }
    )*};
}

// ---------------------------------------------------------------------------------------------
// LARGE_INTEGER, physical addresses
// ---------------------------------------------------------------------------------------------

/// The anonymous `{ LowPart, HighPart }` of `LARGE_INTEGER`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _LARGE_INTEGER__bindgen_ty_1 {
    /// Low 32 bits.
    pub LowPart: ULONG,
    /// High 32 bits.
    pub HighPart: LONG,
}

/// The `u` member of `LARGE_INTEGER`: `{ LowPart, HighPart }`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _LARGE_INTEGER__bindgen_ty_2 {
    /// Low 32 bits.
    pub LowPart: ULONG,
    /// High 32 bits.
    pub HighPart: LONG,
}

/// `LARGE_INTEGER`: <https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-large_integer-r1>
#[repr(C)]
#[derive(Clone, Copy)]
pub union _LARGE_INTEGER {
    /// The anonymous `{ LowPart, HighPart }`.
    pub __bindgen_anon_1: _LARGE_INTEGER__bindgen_ty_1,
    /// The named `u` member (the same fields; bindgen gives it a type of its own).
    pub u: _LARGE_INTEGER__bindgen_ty_2,
    /// The 64-bit value.
    pub QuadPart: LONGLONG,
}
impl Default for _LARGE_INTEGER {
    fn default() -> Self {
        Self { QuadPart: 0 }
    }
}
impl core::fmt::Debug for _LARGE_INTEGER {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // SAFETY: every bit pattern of the union is a valid `QuadPart`.
        let q = unsafe { self.QuadPart };
        write!(f, "LARGE_INTEGER({q:#x})")
    }
}
/// `LARGE_INTEGER`.
pub type LARGE_INTEGER = _LARGE_INTEGER;
/// `PHYSICAL_ADDRESS`.
pub type PHYSICAL_ADDRESS = LARGE_INTEGER;
/// `NDIS_PHYSICAL_ADDRESS`.
pub type NDIS_PHYSICAL_ADDRESS = PHYSICAL_ADDRESS;
/// `PNDIS_PHYSICAL_ADDRESS`.
pub type PNDIS_PHYSICAL_ADDRESS = *mut NDIS_PHYSICAL_ADDRESS;

// ---------------------------------------------------------------------------------------------
// Driver objects
// ---------------------------------------------------------------------------------------------

/// `UNICODE_STRING`: <https://learn.microsoft.com/windows/win32/api/ntdef/ns-ntdef-_unicode_string>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _UNICODE_STRING {
    /// Length in bytes, without a terminator.
    pub Length: USHORT,
    /// Capacity in bytes.
    pub MaximumLength: USHORT,
    /// The UTF-16 characters.
    pub Buffer: PWCH,
}
/// `PWCH`.
pub type PWCH = *mut WCHAR;
/// `UNICODE_STRING`.
pub type UNICODE_STRING = _UNICODE_STRING;
/// `PUNICODE_STRING`.
pub type PUNICODE_STRING = *mut UNICODE_STRING;
/// `PCUNICODE_STRING`.
pub type PCUNICODE_STRING = *const UNICODE_STRING;

// DRIVER_OBJECT and the types only pointed to: `wdm_objects.rs`; CM_PARTIAL_RESOURCE_LIST:
// `resources.rs`.

// ---------------------------------------------------------------------------------------------
// MDL, NET_BUFFER, NET_BUFFER_LIST
// ---------------------------------------------------------------------------------------------

/// `MDL`: <https://learn.microsoft.com/windows-hardware/drivers/kernel/using-mdls>
#[repr(C)]
#[derive(Debug)]
pub struct _MDL {
    /// The next MDL of a chain.
    pub Next: *mut _MDL,
    /// Size of the MDL and its PFN array.
    pub Size: CSHORT,
    /// `MDL_*` flags.
    pub MdlFlags: CSHORT,
    /// Owning process (null for system memory).
    pub Process: *mut _EPROCESS,
    /// The system virtual address, when `MDL_MAPPED_TO_SYSTEM_VA` or
    /// `MDL_SOURCE_IS_NONPAGED_POOL` is set.
    pub MappedSystemVa: PVOID,
    /// The page-aligned virtual address of the buffer.
    pub StartVa: PVOID,
    /// Length of the buffer in bytes.
    pub ByteCount: ULONG,
    /// Offset of the buffer from `StartVa`.
    pub ByteOffset: ULONG,
}
/// `MDL`.
pub type MDL = _MDL;
/// `PMDL`.
pub type PMDL = *mut MDL;

// NET_BUFFER and NET_BUFFER_LIST: `net_buffer.rs`.

/// `NET_BUFFER_LIST_POOL_PARAMETERS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/ns-nblapi-_net_buffer_list_pool_parameters>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NET_BUFFER_LIST_POOL_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, `NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_PROTOCOL_ID_*`.
    pub ProtocolId: UCHAR,
    /// Whether each NBL comes with one `NET_BUFFER`.
    pub fAllocateNetBuffer: BOOLEAN,
    /// Context area size (multiple of `MEMORY_ALLOCATION_ALIGNMENT`).
    pub ContextSize: USHORT,
    /// Pool tag.
    pub PoolTag: ULONG,
    /// Data buffer size for each NBL (0: none).
    pub DataSize: ULONG,
}
/// `NET_BUFFER_LIST_POOL_PARAMETERS`.
pub type NET_BUFFER_LIST_POOL_PARAMETERS = _NET_BUFFER_LIST_POOL_PARAMETERS;
/// `PNET_BUFFER_LIST_POOL_PARAMETERS`.
pub type PNET_BUFFER_LIST_POOL_PARAMETERS = *mut NET_BUFFER_LIST_POOL_PARAMETERS;

zeroed_default!(_MDL);

// ---------------------------------------------------------------------------------------------
// Miniport handler typedefs and the driver characteristics
// ---------------------------------------------------------------------------------------------

/// `MINIPORT_SET_OPTIONS`.
pub type SET_OPTIONS_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, NDIS_HANDLE) -> NDIS_STATUS>;
/// `MINIPORT_INITIALIZE`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_initialize>
pub type MINIPORT_INITIALIZE_HANDLER = Option<
    unsafe extern "C" fn(NDIS_HANDLE, NDIS_HANDLE, PNDIS_MINIPORT_INIT_PARAMETERS) -> NDIS_STATUS,
>;
/// `MINIPORT_HALT`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_halt>
pub type MINIPORT_HALT_HANDLER = Option<unsafe extern "C" fn(NDIS_HANDLE, NDIS_HALT_ACTION)>;
/// `MINIPORT_UNLOAD`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_unload>
pub type MINIPORT_UNLOAD = Option<unsafe extern "C" fn(PDRIVER_OBJECT)>;
/// `MINIPORT_DRIVER_UNLOAD` (ndis.h: `typedef MINIPORT_UNLOAD MINIPORT_DRIVER_UNLOAD`), the type
/// of `UnloadHandler`.
pub type MINIPORT_DRIVER_UNLOAD = MINIPORT_UNLOAD;
/// `MINIPORT_PAUSE`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_pause>
pub type MINIPORT_PAUSE_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PNDIS_MINIPORT_PAUSE_PARAMETERS) -> NDIS_STATUS>;
/// `MINIPORT_RESTART`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_restart>
pub type MINIPORT_RESTART_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PNDIS_MINIPORT_RESTART_PARAMETERS) -> NDIS_STATUS>;
/// `MINIPORT_OID_REQUEST`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
pub type MINIPORT_OID_REQUEST_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PNDIS_OID_REQUEST) -> NDIS_STATUS>;
/// `MINIPORT_SEND_NET_BUFFER_LISTS`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>
pub type MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PNET_BUFFER_LIST, NDIS_PORT_NUMBER, ULONG)>;
/// `MINIPORT_RETURN_NET_BUFFER_LISTS`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_return_net_buffer_lists>
pub type MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PNET_BUFFER_LIST, ULONG)>;
/// `MINIPORT_CANCEL_SEND`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_cancel_send>
pub type MINIPORT_CANCEL_SEND_HANDLER = Option<unsafe extern "C" fn(NDIS_HANDLE, PVOID)>;
/// `MINIPORT_CHECK_FOR_HANG`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_check_for_hang>
pub type MINIPORT_CHECK_FOR_HANG_HANDLER = Option<unsafe extern "C" fn(NDIS_HANDLE) -> BOOLEAN>;
/// `MINIPORT_RESET`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_reset>
pub type MINIPORT_RESET_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, *mut BOOLEAN) -> NDIS_STATUS>;
/// `MINIPORT_DEVICE_PNP_EVENT_NOTIFY`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_device_pnp_event_notify>
pub type MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PNET_DEVICE_PNP_EVENT)>;
/// `MINIPORT_SHUTDOWN`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_shutdown>
pub type MINIPORT_SHUTDOWN_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, NDIS_SHUTDOWN_ACTION)>;
/// `MINIPORT_CANCEL_OID_REQUEST`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_cancel_oid_request>
pub type MINIPORT_CANCEL_OID_REQUEST_HANDLER = Option<unsafe extern "C" fn(NDIS_HANDLE, PVOID)>;
/// `MINIPORT_DIRECT_OID_REQUEST`.
pub type MINIPORT_DIRECT_OID_REQUEST_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PNDIS_OID_REQUEST) -> NDIS_STATUS>;
/// `MINIPORT_CANCEL_DIRECT_OID_REQUEST`.
pub type MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PVOID)>;
/// `MINIPORT_SYNCHRONOUS_OID_REQUEST` (NDIS 6.80).
pub type MINIPORT_SYNCHRONOUS_OID_REQUEST_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PNDIS_OID_REQUEST) -> NDIS_STATUS>;

/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_driver_characteristics>
#[repr(C)]
#[derive(Debug)]
pub struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
    /// `NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS`, revision 2 (NDIS 6.1+) or 3 (6.80+).
    pub Header: NDIS_OBJECT_HEADER,
    /// 6.
    pub MajorNdisVersion: UCHAR,
    /// The NDIS minor version the driver was written for.
    pub MinorNdisVersion: UCHAR,
    /// The driver's major version.
    pub MajorDriverVersion: UCHAR,
    /// The driver's minor version.
    pub MinorDriverVersion: UCHAR,
    /// `NDIS_WDM_DRIVER` and friends.
    pub Flags: ULONG,
    /// `MiniportSetOptions`.
    pub SetOptionsHandler: SET_OPTIONS_HANDLER,
    /// `MiniportInitializeEx`.
    pub InitializeHandlerEx: MINIPORT_INITIALIZE_HANDLER,
    /// `MiniportHaltEx`.
    pub HaltHandlerEx: MINIPORT_HALT_HANDLER,
    /// `MiniportDriverUnload`.
    pub UnloadHandler: MINIPORT_DRIVER_UNLOAD,
    /// `MiniportPause`.
    pub PauseHandler: MINIPORT_PAUSE_HANDLER,
    /// `MiniportRestart`.
    pub RestartHandler: MINIPORT_RESTART_HANDLER,
    /// `MiniportOidRequest`.
    pub OidRequestHandler: MINIPORT_OID_REQUEST_HANDLER,
    /// `MiniportSendNetBufferLists`.
    pub SendNetBufferListsHandler: MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER,
    /// `MiniportReturnNetBufferLists`.
    pub ReturnNetBufferListsHandler: MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER,
    /// `MiniportCancelSend`.
    pub CancelSendHandler: MINIPORT_CANCEL_SEND_HANDLER,
    /// `MiniportCheckForHangEx`.
    pub CheckForHangHandlerEx: MINIPORT_CHECK_FOR_HANG_HANDLER,
    /// `MiniportResetEx`.
    pub ResetHandlerEx: MINIPORT_RESET_HANDLER,
    /// `MiniportDevicePnPEventNotify`.
    pub DevicePnPEventNotifyHandler: MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER,
    /// `MiniportShutdownEx`.
    pub ShutdownHandlerEx: MINIPORT_SHUTDOWN_HANDLER,
    /// `MiniportCancelOidRequest`.
    pub CancelOidRequestHandler: MINIPORT_CANCEL_OID_REQUEST_HANDLER,
    /// `MiniportDirectOidRequest` (revision 2).
    pub DirectOidRequestHandler: MINIPORT_DIRECT_OID_REQUEST_HANDLER,
    /// `MiniportCancelDirectOidRequest` (revision 2).
    pub CancelDirectOidRequestHandler: MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER,
    /// `MiniportSynchronousOidRequest` (revision 3).
    pub SynchronousOidRequestHandler: MINIPORT_SYNCHRONOUS_OID_REQUEST_HANDLER,
}
/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS`.
pub type NDIS_MINIPORT_DRIVER_CHARACTERISTICS = _NDIS_MINIPORT_DRIVER_CHARACTERISTICS;
/// `PNDIS_MINIPORT_DRIVER_CHARACTERISTICS`.
pub type PNDIS_MINIPORT_DRIVER_CHARACTERISTICS = *mut NDIS_MINIPORT_DRIVER_CHARACTERISTICS;

// ---------------------------------------------------------------------------------------------
// Initialize, attributes, pause/restart, PnP
// ---------------------------------------------------------------------------------------------

/// The `Info` bit fields of `NET_LUID`: `Reserved:24`, `NetLuidIndex:24`, `IfType:16` in one
/// 64-bit unit.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NET_LUID_LH__bindgen_ty_1 {
    /// bindgen's alignment marker (the unit is a `ULONG64`).
    pub _bindgen_align: [u64; 0],
    /// The bit fields.
    pub _bitfield_1: __BindgenBitfieldUnit<[u8; 8]>,
}
#[allow(
    clippy::used_underscore_binding,
    reason = "bindgen's name for the bit-field unit the accessors read"
)]
impl _NET_LUID_LH__bindgen_ty_1 {
    /// `Reserved` (bits 0..24).
    #[must_use]
    pub fn Reserved(&self) -> ULONG64 {
        self._bitfield_1.get(0, 24)
    }
    /// `NetLuidIndex` (bits 24..48): the interface's index among those of its type.
    #[must_use]
    pub fn NetLuidIndex(&self) -> ULONG64 {
        self._bitfield_1.get(24, 24)
    }
    /// Sets `NetLuidIndex` to the low 24 bits of `val`.
    pub fn set_NetLuidIndex(&mut self, val: ULONG64) {
        self._bitfield_1.set(24, 24, val);
    }
    /// `IfType` (bits 48..64): the IANA interface type.
    #[must_use]
    pub fn IfType(&self) -> ULONG64 {
        self._bitfield_1.get(48, 16)
    }
    /// Sets `IfType` to the low 16 bits of `val`.
    pub fn set_IfType(&mut self, val: ULONG64) {
        self._bitfield_1.set(48, 16, val);
    }
}

/// `NET_LUID_LH`: an interface's locally unique identifier, a 64-bit value or its bit fields.
/// <https://learn.microsoft.com/windows/win32/api/ifdef/ns-ifdef-net_luid_lh>
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NET_LUID_LH {
    /// The 64-bit value.
    pub Value: ULONG64,
    /// `Reserved`, `NetLuidIndex`, `IfType`.
    pub Info: _NET_LUID_LH__bindgen_ty_1,
}
impl Default for _NET_LUID_LH {
    fn default() -> Self {
        Self { Value: 0 }
    }
}
impl core::fmt::Debug for _NET_LUID_LH {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // SAFETY: every bit pattern of the union is a valid `Value`.
        let value = unsafe { self.Value };
        write!(f, "NET_LUID({value:#x})")
    }
}
/// `NET_LUID`.
pub type NET_LUID = _NET_LUID_LH;

/// `NDIS_MINIPORT_INIT_PARAMETERS` (fields through `PciDeviceCustomProperties`; the C
/// structure goes on with fields a miniport does not read).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_init_parameters>
#[repr(C)]
#[derive(Debug)]
pub struct _NDIS_MINIPORT_INIT_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS`.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// The hardware resources the `PnP` manager assigned (translated).
    pub AllocatedResources: PNDIS_RESOURCE_LIST,
    /// For intermediate drivers.
    pub IMDeviceInstanceContext: NDIS_HANDLE,
    /// From `MiniportAddDevice`.
    pub MiniportAddDeviceContext: NDIS_HANDLE,
    /// The interface index.
    pub IfIndex: NET_IFINDEX,
    /// The interface LUID.
    pub NetLuid: NET_LUID,
    /// The port's default authentication states.
    pub DefaultPortAuthStates: PNDIS_PORT_AUTHENTICATION_PARAMETERS,
    /// PCI Express properties of the device.
    pub PciDeviceCustomProperties: PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES,
}
/// `NDIS_MINIPORT_INIT_PARAMETERS`.
pub type NDIS_MINIPORT_INIT_PARAMETERS = _NDIS_MINIPORT_INIT_PARAMETERS;
/// `PNDIS_MINIPORT_INIT_PARAMETERS`.
pub type PNDIS_MINIPORT_INIT_PARAMETERS = *mut NDIS_MINIPORT_INIT_PARAMETERS;

/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_registration_attributes>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
    /// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`, revision 1 or 2.
    pub Header: NDIS_OBJECT_HEADER,
    /// The context NDIS passes to every handler of this adapter.
    pub MiniportAdapterContext: NDIS_HANDLE,
    /// `NDIS_MINIPORT_ATTRIBUTES_*`.
    pub AttributeFlags: ULONG,
    /// Seconds between `MiniportCheckForHangEx` calls (0: the default, 2).
    pub CheckForHangTimeInSeconds: UINT,
    /// `NdisInterfacePci` for a PCI NIC.
    pub InterfaceType: NDIS_INTERFACE_TYPE,
}
/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES =
    _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;

/// `NDIS_MAX_PHYS_ADDRESS_LENGTH` (`IF_MAX_PHYS_ADDRESS_LENGTH`).
pub const NDIS_MAX_PHYS_ADDRESS_LENGTH: u32 = 32;

/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
    /// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`, revision 1 or 2.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// `NdisMedium802_3`.
    pub MediaType: NDIS_MEDIUM,
    /// `NdisPhysicalMedium802_3`.
    pub PhysicalMediumType: NDIS_PHYSICAL_MEDIUM,
    /// MTU in bytes (1500).
    pub MtuSize: ULONG,
    /// Maximum transmit speed in bits/s.
    pub MaxXmitLinkSpeed: ULONG64,
    /// Current transmit speed.
    pub XmitLinkSpeed: ULONG64,
    /// Maximum receive speed.
    pub MaxRcvLinkSpeed: ULONG64,
    /// Current receive speed.
    pub RcvLinkSpeed: ULONG64,
    /// `MediaConnectState*`.
    pub MediaConnectState: NDIS_MEDIA_CONNECT_STATE,
    /// `MediaDuplexState*`.
    pub MediaDuplexState: NDIS_MEDIA_DUPLEX_STATE,
    /// Lookahead size.
    pub LookaheadSize: ULONG,
    /// NDIS 5 power management (null: none).
    pub PowerManagementCapabilities: PNDIS_PNP_CAPABILITIES,
    /// `NDIS_MAC_OPTION_*`.
    pub MacOptions: ULONG,
    /// `NDIS_PACKET_TYPE_*` the NIC can filter.
    pub SupportedPacketFilters: ULONG,
    /// Multicast addresses the NIC can filter.
    pub MaxMulticastListSize: ULONG,
    /// 6 for Ethernet.
    pub MacAddressLength: USHORT,
    /// The burnt-in address.
    pub PermanentMacAddress: [UCHAR; 32],
    /// The address in use.
    pub CurrentMacAddress: [UCHAR; 32],
    /// Receive-side scaling (null: no RSS).
    pub RecvScaleCapabilities: PNDIS_RECEIVE_SCALE_CAPABILITIES,
    /// `NET_IF_ACCESS_BROADCAST`.
    pub AccessType: NET_IF_ACCESS_TYPE,
    /// `NET_IF_DIRECTION_SENDRECEIVE`.
    pub DirectionType: NET_IF_DIRECTION_TYPE,
    /// `NET_IF_CONNECTION_DEDICATED`.
    pub ConnectionType: NET_IF_CONNECTION_TYPE,
    /// `IF_TYPE_ETHERNET_CSMACD`.
    pub IfType: NET_IFTYPE,
    /// Whether a connector is present.
    pub IfConnectorPresent: BOOLEAN,
    /// `NDIS_STATISTICS_*_SUPPORTED`.
    pub SupportedStatistics: ULONG,
    /// `NdisPauseFunctions*`.
    pub SupportedPauseFunctions: ULONG,
    /// Backfill the protocol should reserve.
    pub DataBackFillSize: ULONG,
    /// Context backfill.
    pub ContextBackFillSize: ULONG,
    /// The OIDs the miniport answers.
    pub SupportedOidList: PNDIS_OID,
    /// `SupportedOidList`'s length in bytes.
    pub SupportedOidListLength: ULONG,
    /// `NDIS_LINK_STATE_*_AUTO_NEGOTIATED`.
    pub AutoNegotiationFlags: ULONG,
    /// Revision 2: NDIS 6.20 power management (null: none).
    pub PowerManagementCapabilitiesEx: PNDIS_PM_CAPABILITIES,
}
/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES = _NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;

/// `NDIS_MINIPORT_ADAPTER_ATTRIBUTES`: the union `NdisMSetMiniportAttributes` takes; the
/// header's `Type` says which member it is (the members a miniport of this kind sets).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_attributes>
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
    /// The common header.
    pub Header: NDIS_OBJECT_HEADER,
    /// `MiniportAddDevice`'s attributes.
    pub AddDeviceRegistrationAttributes: NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES,
    /// Registration attributes.
    pub RegistrationAttributes: NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    /// General attributes.
    pub GeneralAttributes: NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    /// Task offload.
    pub OffloadAttributes: NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    /// 802.11.
    pub Native_802_11_Attributes: NDIS_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES,
    /// Virtualization and receive filtering.
    pub HardwareAssistAttributes: NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
    /// RDMA.
    pub NDKAttributes: NDIS_MINIPORT_ADAPTER_NDK_ATTRIBUTES,
    /// `PacketDirect`.
    pub PacketDirectAttributes: NDIS_MINIPORT_ADAPTER_PACKET_DIRECT_ATTRIBUTES,
}
/// `NDIS_MINIPORT_ADAPTER_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADAPTER_ATTRIBUTES = _NDIS_MINIPORT_ADAPTER_ATTRIBUTES;
/// `PNDIS_MINIPORT_ADAPTER_ATTRIBUTES`.
pub type PNDIS_MINIPORT_ADAPTER_ATTRIBUTES = *mut NDIS_MINIPORT_ADAPTER_ATTRIBUTES;

/// `NDIS_MINIPORT_PAUSE_PARAMETERS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_pause_parameters>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_MINIPORT_PAUSE_PARAMETERS {
    /// Header.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// `NDIS_PAUSE_*` reason.
    pub PauseReason: ULONG,
}
/// `NDIS_MINIPORT_PAUSE_PARAMETERS`.
pub type NDIS_MINIPORT_PAUSE_PARAMETERS = _NDIS_MINIPORT_PAUSE_PARAMETERS;
/// `PNDIS_MINIPORT_PAUSE_PARAMETERS`.
pub type PNDIS_MINIPORT_PAUSE_PARAMETERS = *mut NDIS_MINIPORT_PAUSE_PARAMETERS;

/// `NDIS_MINIPORT_RESTART_PARAMETERS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_restart_parameters>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_MINIPORT_RESTART_PARAMETERS {
    /// Header.
    pub Header: NDIS_OBJECT_HEADER,
    /// What changed while paused (null here).
    pub RestartAttributes: PNDIS_RESTART_ATTRIBUTES,
    /// Reserved.
    pub Flags: ULONG,
}
/// `NDIS_MINIPORT_RESTART_PARAMETERS`.
pub type NDIS_MINIPORT_RESTART_PARAMETERS = _NDIS_MINIPORT_RESTART_PARAMETERS;
/// `PNDIS_MINIPORT_RESTART_PARAMETERS`.
pub type PNDIS_MINIPORT_RESTART_PARAMETERS = *mut NDIS_MINIPORT_RESTART_PARAMETERS;

/// `NET_DEVICE_PNP_EVENT`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_net_device_pnp_event>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NET_DEVICE_PNP_EVENT {
    /// Header.
    pub Header: NDIS_OBJECT_HEADER,
    /// Port.
    pub PortNumber: NDIS_PORT_NUMBER,
    /// `NdisDevicePnPEvent*`.
    pub DevicePnPEvent: NDIS_DEVICE_PNP_EVENT,
    /// Event-specific data.
    pub InformationBuffer: PVOID,
    /// Its length.
    pub InformationBufferLength: ULONG,
    /// NDIS's.
    pub NdisReserved: [UCHAR; 16],
}
/// `NET_DEVICE_PNP_EVENT`.
pub type NET_DEVICE_PNP_EVENT = _NET_DEVICE_PNP_EVENT;
/// `PNET_DEVICE_PNP_EVENT`.
pub type PNET_DEVICE_PNP_EVENT = *mut NET_DEVICE_PNP_EVENT;

zeroed_default!(
    _NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    _NDIS_MINIPORT_INIT_PARAMETERS,
    _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    _NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    _NDIS_MINIPORT_ADAPTER_ATTRIBUTES,
    _NDIS_MINIPORT_RESTART_PARAMETERS,
    _NET_DEVICE_PNP_EVENT
);

// ---------------------------------------------------------------------------------------------
// OID requests
// ---------------------------------------------------------------------------------------------

/// `DATA.QUERY_INFORMATION` of an OID request (C: `struct _QUERY`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_OID_REQUEST__REQUEST_DATA__QUERY {
    /// The OID.
    pub Oid: NDIS_OID,
    /// The buffer to fill.
    pub InformationBuffer: PVOID,
    /// Its length.
    pub InformationBufferLength: UINT,
    /// Out: bytes written.
    pub BytesWritten: UINT,
    /// Out: bytes needed when the buffer is short.
    pub BytesNeeded: UINT,
}

/// `DATA.SET_INFORMATION` of an OID request (C: `struct _SET`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_OID_REQUEST__REQUEST_DATA__SET {
    /// The OID.
    pub Oid: NDIS_OID,
    /// The value to set.
    pub InformationBuffer: PVOID,
    /// Its length.
    pub InformationBufferLength: UINT,
    /// Out: bytes read.
    pub BytesRead: UINT,
    /// Out: bytes needed when the buffer is short.
    pub BytesNeeded: UINT,
}

/// `DATA.METHOD_INFORMATION` of an OID request (C: `struct _METHOD`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_OID_REQUEST__REQUEST_DATA__METHOD {
    /// The OID.
    pub Oid: NDIS_OID,
    /// In/out buffer.
    pub InformationBuffer: PVOID,
    /// Input length.
    pub InputBufferLength: ULONG,
    /// Output length.
    pub OutputBufferLength: ULONG,
    /// Method id.
    pub MethodId: ULONG,
    /// Out: bytes written.
    pub BytesWritten: UINT,
    /// Out: bytes read.
    pub BytesRead: UINT,
    /// Out: bytes needed.
    pub BytesNeeded: UINT,
}

/// The `DATA` union of `NDIS_OID_REQUEST` (C: `union _REQUEST_DATA`).
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NDIS_OID_REQUEST__REQUEST_DATA {
    /// The OID, common to all three.
    pub Oid: NDIS_OID,
    /// Query.
    pub QUERY_INFORMATION: _NDIS_OID_REQUEST__REQUEST_DATA__QUERY,
    /// Set.
    pub SET_INFORMATION: _NDIS_OID_REQUEST__REQUEST_DATA__SET,
    /// Method.
    pub METHOD_INFORMATION: _NDIS_OID_REQUEST__REQUEST_DATA__METHOD,
}

/// `NDIS_OID_REQUEST` (revision 2, 248 bytes on x64).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/oidrequest/ns-oidrequest-ndis_oid_request>
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _NDIS_OID_REQUEST {
    /// `NDIS_OBJECT_TYPE_OID_REQUEST`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NdisRequest*`.
    pub RequestType: NDIS_REQUEST_TYPE,
    /// Port.
    pub PortNumber: NDIS_PORT_NUMBER,
    /// Timeout in seconds.
    pub Timeout: UINT,
    /// Request id.
    pub RequestId: PVOID,
    /// Handle of the requester.
    pub RequestHandle: NDIS_HANDLE,
    /// Query / set / method data.
    pub DATA: _NDIS_OID_REQUEST__REQUEST_DATA,
    /// NDIS's (`16 * sizeof(PVOID)`).
    pub NdisReserved: [UCHAR; 128],
    /// The miniport's (`2 * sizeof(PVOID)`).
    pub MiniportReserved: [UCHAR; 16],
    /// The source's (`2 * sizeof(PVOID)`).
    pub SourceReserved: [UCHAR; 16],
    /// Revision 2: supported revision.
    pub SupportedRevision: UCHAR,
    /// Reserved.
    pub Reserved1: UCHAR,
    /// Reserved.
    pub Reserved2: USHORT,
    /// Revision 2: the NIC switch the request is for.
    pub SwitchId: NDIS_NIC_SWITCH_ID,
    /// Revision 2: the virtual port the request is for.
    pub VPortId: NDIS_NIC_SWITCH_VPORT_ID,
    /// Revision 2: `NDIS_OID_REQUEST_FLAGS_*`.
    pub Flags: ULONG,
}
/// `NDIS_OID_REQUEST`.
pub type NDIS_OID_REQUEST = _NDIS_OID_REQUEST;
/// `PNDIS_OID_REQUEST`.
pub type PNDIS_OID_REQUEST = *mut NDIS_OID_REQUEST;

zeroed_default!(_NDIS_OID_REQUEST__REQUEST_DATA, _NDIS_OID_REQUEST);

// ---------------------------------------------------------------------------------------------
// Status indications and the structures OIDs carry
// ---------------------------------------------------------------------------------------------

/// `GUID`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _GUID {
    /// Data1.
    pub Data1: c_ulong,
    /// Data2.
    pub Data2: c_ushort,
    /// Data3.
    pub Data3: c_ushort,
    /// Data4.
    pub Data4: [c_uchar; 8],
}
/// `GUID`.
pub type GUID = _GUID;

/// `NDIS_STATUS_INDICATION`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_status_indication>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_STATUS_INDICATION {
    /// `NDIS_OBJECT_TYPE_STATUS_INDICATION`.
    pub Header: NDIS_OBJECT_HEADER,
    /// The miniport adapter handle.
    pub SourceHandle: NDIS_HANDLE,
    /// Port.
    pub PortNumber: NDIS_PORT_NUMBER,
    /// `NDIS_STATUS_*` indication code.
    pub StatusCode: NDIS_STATUS,
    /// Flags.
    pub Flags: ULONG,
    /// Destination (null: all).
    pub DestinationHandle: NDIS_HANDLE,
    /// Request id of an OID this answers.
    pub RequestId: PVOID,
    /// The payload.
    pub StatusBuffer: PVOID,
    /// Its length.
    pub StatusBufferSize: ULONG,
    /// GUID of the indication.
    pub Guid: GUID,
    /// NDIS's.
    pub NdisReserved: [PVOID; 4],
}
/// `NDIS_STATUS_INDICATION`.
pub type NDIS_STATUS_INDICATION = _NDIS_STATUS_INDICATION;
/// `PNDIS_STATUS_INDICATION`.
pub type PNDIS_STATUS_INDICATION = *mut NDIS_STATUS_INDICATION;

/// `NDIS_LINK_STATE`, the payload of `NDIS_STATUS_LINK_STATE`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_link_state>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_LINK_STATE {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, `NDIS_LINK_STATE_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// Connected or not.
    pub MediaConnectState: NDIS_MEDIA_CONNECT_STATE,
    /// Duplex.
    pub MediaDuplexState: NDIS_MEDIA_DUPLEX_STATE,
    /// Transmit speed, bits/s.
    pub XmitLinkSpeed: ULONG64,
    /// Receive speed, bits/s.
    pub RcvLinkSpeed: ULONG64,
    /// Pause frames.
    pub PauseFunctions: NDIS_SUPPORTED_PAUSE_FUNCTIONS,
    /// `NDIS_LINK_STATE_*_AUTO_NEGOTIATED`.
    pub AutoNegotiationFlags: ULONG,
}
/// `NDIS_LINK_STATE`.
pub type NDIS_LINK_STATE = _NDIS_LINK_STATE;

/// `NDIS_LINK_PARAMETERS`, the payload of `OID_GEN_LINK_PARAMETERS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_link_parameters>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_LINK_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, `NDIS_LINK_PARAMETERS_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// Duplex.
    pub MediaDuplexState: NDIS_MEDIA_DUPLEX_STATE,
    /// Transmit speed.
    pub XmitLinkSpeed: ULONG64,
    /// Receive speed.
    pub RcvLinkSpeed: ULONG64,
    /// Pause frames.
    pub PauseFunctions: NDIS_SUPPORTED_PAUSE_FUNCTIONS,
    /// Auto-negotiation flags.
    pub AutoNegotiationFlags: ULONG,
}
/// `NDIS_LINK_PARAMETERS`.
pub type NDIS_LINK_PARAMETERS = _NDIS_LINK_PARAMETERS;

/// `NDIS_INTERRUPT_MODERATION_PARAMETERS`, the payload of `OID_GEN_INTERRUPT_MODERATION`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_interrupt_moderation_parameters>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_INTERRUPT_MODERATION_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, `NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_INTERRUPT_MODERATION_CHANGE_NEEDS_*`.
    pub Flags: ULONG,
    /// `NdisInterruptModeration*`.
    pub InterruptModeration: NDIS_INTERRUPT_MODERATION,
}
/// `NDIS_INTERRUPT_MODERATION_PARAMETERS`.
pub type NDIS_INTERRUPT_MODERATION_PARAMETERS = _NDIS_INTERRUPT_MODERATION_PARAMETERS;

/// `NDIS_STATISTICS_INFO`, the payload of `OID_GEN_STATISTICS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_statistics_info>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
#[allow(missing_docs)]
pub struct _NDIS_STATISTICS_INFO {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, `NDIS_STATISTICS_INFO_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_STATISTICS_FLAGS_VALID_*`: which counters below are valid.
    pub SupportedStatistics: ULONG,
    pub ifInDiscards: ULONG64,
    pub ifInErrors: ULONG64,
    pub ifHCInOctets: ULONG64,
    pub ifHCInUcastPkts: ULONG64,
    pub ifHCInMulticastPkts: ULONG64,
    pub ifHCInBroadcastPkts: ULONG64,
    pub ifHCOutOctets: ULONG64,
    pub ifHCOutUcastPkts: ULONG64,
    pub ifHCOutMulticastPkts: ULONG64,
    pub ifHCOutBroadcastPkts: ULONG64,
    pub ifOutErrors: ULONG64,
    pub ifOutDiscards: ULONG64,
    pub ifHCInUcastOctets: ULONG64,
    pub ifHCInMulticastOctets: ULONG64,
    pub ifHCInBroadcastOctets: ULONG64,
    pub ifHCOutUcastOctets: ULONG64,
    pub ifHCOutMulticastOctets: ULONG64,
    pub ifHCOutBroadcastOctets: ULONG64,
}
/// `NDIS_STATISTICS_INFO`.
pub type NDIS_STATISTICS_INFO = _NDIS_STATISTICS_INFO;

zeroed_default!(_NDIS_STATUS_INDICATION);

// ---------------------------------------------------------------------------------------------
// Scatter-gather DMA and timers
// ---------------------------------------------------------------------------------------------

/// `SCATTER_GATHER_ELEMENT`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _SCATTER_GATHER_ELEMENT {
    /// Physical address.
    pub Address: PHYSICAL_ADDRESS,
    /// Length in bytes.
    pub Length: ULONG,
    /// Reserved.
    pub Reserved: ULONG_PTR,
}
/// `SCATTER_GATHER_ELEMENT`.
pub type SCATTER_GATHER_ELEMENT = _SCATTER_GATHER_ELEMENT;

/// `SCATTER_GATHER_LIST`: a count and `NumberOfElements` elements (declared `[0]`).
#[repr(C)]
#[derive(Debug, Default)]
pub struct _SCATTER_GATHER_LIST {
    /// Number of elements.
    pub NumberOfElements: ULONG,
    /// Reserved.
    pub Reserved: ULONG_PTR,
    /// The elements (`NumberOfElements` of them follow the header).
    pub Elements: __IncompleteArrayField<SCATTER_GATHER_ELEMENT>,
}
/// `SCATTER_GATHER_LIST`.
pub type SCATTER_GATHER_LIST = _SCATTER_GATHER_LIST;
/// `PSCATTER_GATHER_LIST`.
pub type PSCATTER_GATHER_LIST = *mut SCATTER_GATHER_LIST;

/// `MINIPORT_PROCESS_SG_LIST`.
pub type MINIPORT_PROCESS_SG_LIST_HANDLER =
    Option<unsafe extern "C" fn(PDEVICE_OBJECT, PVOID, PSCATTER_GATHER_LIST, PVOID)>;
/// `MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE`.
pub type MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PVOID, PNDIS_PHYSICAL_ADDRESS, ULONG, PVOID)>;

/// `NDIS_SG_DMA_DESCRIPTION`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_sg_dma_description>
#[repr(C)]
#[derive(Debug)]
pub struct _NDIS_SG_DMA_DESCRIPTION {
    /// `NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION`, revision 1 or 2.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_SG_DMA_64_BIT_ADDRESS`, ...
    pub Flags: ULONG,
    /// Largest single mapping in bytes.
    pub MaximumPhysicalMapping: ULONG,
    /// `MiniportProcessSGList`.
    pub ProcessSGListHandler: MINIPORT_PROCESS_SG_LIST_HANDLER,
    /// `MiniportSharedMemoryAllocateComplete`.
    pub SharedMemAllocateCompleteHandler: MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER,
    /// Out: the size of a scatter-gather list NDIS builds.
    pub ScatterGatherListSize: ULONG,
}
/// `NDIS_SG_DMA_DESCRIPTION`.
pub type NDIS_SG_DMA_DESCRIPTION = _NDIS_SG_DMA_DESCRIPTION;
/// `PNDIS_SG_DMA_DESCRIPTION`.
pub type PNDIS_SG_DMA_DESCRIPTION = *mut NDIS_SG_DMA_DESCRIPTION;

/// `NDIS_TIMER_FUNCTION`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-ndis_timer_function>
pub type NDIS_TIMER_FUNCTION = Option<unsafe extern "C" fn(PVOID, PVOID, PVOID, PVOID)>;
/// `PNDIS_TIMER_FUNCTION`.
pub type PNDIS_TIMER_FUNCTION = NDIS_TIMER_FUNCTION;

/// `NDIS_TIMER_CHARACTERISTICS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_timer_characteristics>
#[repr(C)]
#[derive(Debug)]
pub struct _NDIS_TIMER_CHARACTERISTICS {
    /// `NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Pool tag.
    pub AllocationTag: ULONG,
    /// The function the timer calls at `DISPATCH_LEVEL`.
    pub TimerFunction: PNDIS_TIMER_FUNCTION,
    /// Its context.
    pub FunctionContext: PVOID,
}
/// `NDIS_TIMER_CHARACTERISTICS`.
pub type NDIS_TIMER_CHARACTERISTICS = _NDIS_TIMER_CHARACTERISTICS;
/// `PNDIS_TIMER_CHARACTERISTICS`.
pub type PNDIS_TIMER_CHARACTERISTICS = *mut NDIS_TIMER_CHARACTERISTICS;

zeroed_default!(_NDIS_SG_DMA_DESCRIPTION, _NDIS_TIMER_CHARACTERISTICS);
