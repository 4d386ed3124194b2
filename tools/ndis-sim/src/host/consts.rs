//! The `ndis.h` / `ntddndis.h` values the host needs, each checked against the public headers
//! (the shared `sys::consts` table lands separately; these stay private to the host so the two
//! never clash).

use crate::sys::{NDIS_STATUS, ULONG};

/// `NDIS_STATUS_PENDING` (`STATUS_PENDING`, 0x00000103).
pub(crate) const STATUS_PENDING: NDIS_STATUS = 0x0000_0103;
/// `NDIS_STATUS_BAD_VERSION` (0xC0010004).
pub(crate) const STATUS_BAD_VERSION: NDIS_STATUS = 0xC001_0004_u32.cast_signed();
/// `NDIS_STATUS_BAD_CHARACTERISTICS` (0xC0010005).
pub(crate) const STATUS_BAD_CHARACTERISTICS: NDIS_STATUS = 0xC001_0005_u32.cast_signed();
/// `NDIS_STATUS_LINK_STATE` (0x40010017), the indication whose payload is `NDIS_LINK_STATE`.
pub(crate) const STATUS_LINK_STATE: NDIS_STATUS = 0x4001_0017;
/// `STATUS_UNSUCCESSFUL`, what `load_driver` reports for a `DriverEntry` that succeeded
/// without registering.
pub(crate) const STATUS_UNSUCCESSFUL: NDIS_STATUS = 0xC000_0001_u32.cast_signed();

/// `NDIS_OBJECT_TYPE_DEFAULT`.
pub(crate) const OBJECT_TYPE_DEFAULT: u8 = 0x80;
/// `NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS`.
pub(crate) const OBJECT_TYPE_MINIPORT_INIT_PARAMETERS: u8 = 0x81;
/// `NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS`.
pub(crate) const OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS: u8 = 0x8A;
/// `NDIS_OBJECT_TYPE_OID_REQUEST`.
pub(crate) const OBJECT_TYPE_OID_REQUEST: u8 = 0x96;
/// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`.
pub(crate) const OBJECT_TYPE_REGISTRATION_ATTRIBUTES: u8 = 0x9E;
/// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`.
pub(crate) const OBJECT_TYPE_GENERAL_ATTRIBUTES: u8 = 0x9F;

/// `NDIS_SEND_FLAGS_DISPATCH_LEVEL`.
pub(crate) const SEND_FLAGS_DISPATCH_LEVEL: ULONG = 0x1;
/// `NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL`.
pub(crate) const SEND_COMPLETE_FLAGS_DISPATCH_LEVEL: ULONG = 0x1;
/// `NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL`.
pub(crate) const RECEIVE_FLAGS_DISPATCH_LEVEL: ULONG = 0x1;
/// `NDIS_RECEIVE_FLAGS_RESOURCES`: the NBLs are the miniport's again when the call returns.
pub(crate) const RECEIVE_FLAGS_RESOURCES: ULONG = 0x2;
/// `NDIS_RETURN_FLAGS_DISPATCH_LEVEL`.
pub(crate) const RETURN_FLAGS_DISPATCH_LEVEL: ULONG = 0x1;

/// `NdisRequestQueryInformation`.
pub(crate) const REQUEST_QUERY_INFORMATION: i32 = 0;
/// `NdisRequestSetInformation`.
pub(crate) const REQUEST_SET_INFORMATION: i32 = 1;
/// `NdisDevicePnPEventSurpriseRemoved`.
pub(crate) const PNP_EVENT_SURPRISE_REMOVED: i32 = 2;
/// `NdisShutdownBugCheck` (`NdisShutdownPowerOff` is 0).
pub(crate) const SHUTDOWN_BUG_CHECK: i32 = 1;
/// `NDIS_PAUSE_NDIS_INTERNAL`.
pub(crate) const PAUSE_NDIS_INTERNAL: ULONG = 0x1;

/// `CmResourceTypeInterrupt`.
pub(crate) const CM_RESOURCE_TYPE_INTERRUPT: u8 = 2;
/// `CmResourceTypeMemory`.
pub(crate) const CM_RESOURCE_TYPE_MEMORY: u8 = 3;
/// `CmResourceShareDeviceExclusive`.
pub(crate) const CM_SHARE_DEVICE_EXCLUSIVE: u8 = 1;
/// `CmResourceShareShared` (a PCI `INTx` line may be shared).
pub(crate) const CM_SHARE_SHARED: u8 = 3;
/// `CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE` (0: line-based, level-triggered).
pub(crate) const CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE: u16 = 0;
/// `CM_RESOURCE_MEMORY_READ_WRITE`.
pub(crate) const CM_RESOURCE_MEMORY_READ_WRITE: u16 = 0;
