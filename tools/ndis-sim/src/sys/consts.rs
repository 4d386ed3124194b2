//! `#define` and enum constants of the WDK headers a miniport uses (`ndis.h` with
//! `ndis/nbl*.h` and `ndis/oidrequest.h`, `ntddndis.h`, `ndis/oidtypes.h`, `ndis/ndisport.h`,
//! `ifdef.h`, `wdm.h`, `ntstatus.h`), with their header values, as the kernel build's bindgen
//! emits them: `#define`s as `u32`, C enums flat (`build_kernel.rs` sets `EnumVariation::Consts`
//! without the enum-name prefix for the NDIS headers) with the enum's typedef as the constant's
//! type. The status codes live in `ndis_status.rs` (casts bindgen cannot evaluate). Every value
//! was checked against public copies of the WDK / SDK headers; the Microsoft page of each group
//! is linked on its first item.
//!
//! Kernel-side differences: wdk-sys emits the `wdm.h` enums (`MM_PAGE_PRIORITY`,
//! `EX_POOL_PRIORITY`, `CM_SHARE_DISPOSITION`, `MODE`) as modules
//! (`_MM_PAGE_PRIORITY::NormalPagePriority`), which `driver/sys/kernel.rs` re-exports under these flat names (the page and pool priorities so
//! far); `STATUS_SUCCESS` is a cast in `ntstatus.h`, which wdk-sys supplies by hand; and
//! `NDIS_DEFAULT_PORT_NUMBER` is a cast bindgen does not emit, so the kernel side has to define it.

use super::types::NTSTATUS;
use super::{
    EX_POOL_PRIORITY, MM_PAGE_PRIORITY, MODE, NDIS_DEVICE_PNP_EVENT, NDIS_HALT_ACTION,
    NDIS_HARDWARE_STATUS, NDIS_INTERFACE_TYPE, NDIS_INTERRUPT_MODERATION, NDIS_MEDIA_CONNECT_STATE,
    NDIS_MEDIA_DUPLEX_STATE, NDIS_MEDIUM, NDIS_PHYSICAL_MEDIUM, NDIS_PORT_NUMBER,
    NDIS_REQUEST_TYPE, NDIS_SHUTDOWN_ACTION, NDIS_SUPPORTED_PAUSE_FUNCTIONS, NET_IF_ACCESS_TYPE,
    NET_IF_CONNECTION_TYPE, NET_IF_DIRECTION_TYPE,
};

// NTSTATUS.
/// `STATUS_SUCCESS`: <https://learn.microsoft.com/windows-hardware/drivers/kernel/ntstatus-values>
pub const STATUS_SUCCESS: NTSTATUS = 0;
/// `STATUS_UNSUCCESSFUL` (what the host reports for a `DriverEntry` that succeeded without
/// registering).
pub const STATUS_UNSUCCESSFUL: NTSTATUS = 0xC000_0001_u32.cast_signed();

// Object header types (`NDIS_OBJECT_HEADER::Type`).
/// `NDIS_OBJECT_TYPE_DEFAULT`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/objectheader/ns-objectheader-ndis_object_header>
pub const NDIS_OBJECT_TYPE_DEFAULT: u32 = 0x80;
/// `NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS`.
pub const NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS: u32 = 0x81;
/// `NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION`.
pub const NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION: u32 = 0x83;
/// `NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS`.
pub const NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS: u32 = 0x8A;
/// `NDIS_OBJECT_TYPE_OID_REQUEST`.
pub const NDIS_OBJECT_TYPE_OID_REQUEST: u32 = 0x96;
/// `NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS`.
pub const NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS: u32 = 0x97;
/// `NDIS_OBJECT_TYPE_STATUS_INDICATION`.
pub const NDIS_OBJECT_TYPE_STATUS_INDICATION: u32 = 0x98;
/// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`.
pub const NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES: u32 = 0x9E;
/// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`.
pub const NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES: u32 = 0x9F;
/// `NDIS_OBJECT_TYPE_RESTART_GENERAL_ATTRIBUTES`.
pub const NDIS_OBJECT_TYPE_RESTART_GENERAL_ATTRIBUTES: u32 = 0xA2;
/// `NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES`.
pub const NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES: u32 = 0x85;
/// `NDIS_OBJECT_TYPE_MINIPORT_PNP_CHARACTERISTICS`.
pub const NDIS_OBJECT_TYPE_MINIPORT_PNP_CHARACTERISTICS: u32 = 0x92;
/// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES`.
pub const NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES: u32 = 0xA0;
/// `NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT`.
pub const NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT: u32 = 0xA9;
/// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES`.
pub const NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES: u32 = 0xAF;

// Structure revisions (`NDIS_OBJECT_HEADER::Revision`).
/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1`: <https://learn.microsoft.com/windows-hardware/drivers/network/specifying-ndis-version-information>
pub const NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1: u32 = 0x1;
/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2`.
pub const NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2: u32 = 0x2;
/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3`.
pub const NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3: u32 = 0x3;
/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1`.
pub const NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1: u32 = 0x1;
/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2`.
pub const NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2: u32 = 0x2;
/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1`.
pub const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1: u32 = 0x1;
/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2`.
pub const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2: u32 = 0x2;
/// `NDIS_OID_REQUEST_REVISION_1`.
pub const NDIS_OID_REQUEST_REVISION_1: u32 = 0x1;
/// `NDIS_OID_REQUEST_REVISION_2`.
pub const NDIS_OID_REQUEST_REVISION_2: u32 = 0x2;
/// `NDIS_STATUS_INDICATION_REVISION_1`.
pub const NDIS_STATUS_INDICATION_REVISION_1: u32 = 0x1;
/// `NDIS_LINK_STATE_REVISION_1`.
pub const NDIS_LINK_STATE_REVISION_1: u32 = 0x1;
/// `NDIS_LINK_PARAMETERS_REVISION_1`.
pub const NDIS_LINK_PARAMETERS_REVISION_1: u32 = 0x1;
/// `NDIS_STATISTICS_INFO_REVISION_1`.
pub const NDIS_STATISTICS_INFO_REVISION_1: u32 = 0x1;
/// `NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1`.
pub const NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1: u32 = 0x1;
/// `NDIS_TIMER_CHARACTERISTICS_REVISION_1`.
pub const NDIS_TIMER_CHARACTERISTICS_REVISION_1: u32 = 0x1;
/// `NDIS_SG_DMA_DESCRIPTION_REVISION_1`.
pub const NDIS_SG_DMA_DESCRIPTION_REVISION_1: u32 = 0x1;
/// `NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1`.
pub const NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1: u32 = 0x1;
/// `NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1`.
pub const NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1: u32 = 0x1;
/// `NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1`.
pub const NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1: u32 = 0x1;
/// `NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1`.
pub const NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1: u32 = 0x1;
/// `NET_DEVICE_PNP_EVENT_REVISION_1`.
pub const NET_DEVICE_PNP_EVENT_REVISION_1: u32 = 0x1;
/// `NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_1`.
pub const NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_1: u32 = 0x1;
/// `NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_2`.
pub const NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_2: u32 = 0x2;
/// `NET_BUFFER_POOL_PARAMETERS_REVISION_1`.
pub const NET_BUFFER_POOL_PARAMETERS_REVISION_1: u32 = 0x1;
/// `NDIS_CONFIGURATION_OBJECT_REVISION_1`.
pub const NDIS_CONFIGURATION_OBJECT_REVISION_1: u32 = 0x1;
/// `NDIS_PM_CAPABILITIES_REVISION_1`.
pub const NDIS_PM_CAPABILITIES_REVISION_1: u32 = 0x1;
/// `NDIS_PM_CAPABILITIES_REVISION_2`.
pub const NDIS_PM_CAPABILITIES_REVISION_2: u32 = 0x2;

// NDIS version a miniport declares (`NDIS683_MINIPORT`).
/// `NDIS_MINIPORT_MAJOR_VERSION`: <https://learn.microsoft.com/windows-hardware/drivers/network/introduction-to-ndis-6-83>
pub const NDIS_MINIPORT_MAJOR_VERSION: u32 = 0x6;
/// `NDIS_MINIPORT_MINOR_VERSION`.
pub const NDIS_MINIPORT_MINOR_VERSION: u32 = 0x53;

// OIDs.
/// `OID_GEN_SUPPORTED_LIST`: <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-supported-list>
pub const OID_GEN_SUPPORTED_LIST: u32 = 0x0001_0101;
/// `OID_GEN_HARDWARE_STATUS`.
pub const OID_GEN_HARDWARE_STATUS: u32 = 0x0001_0102;
/// `OID_GEN_MEDIA_SUPPORTED`.
pub const OID_GEN_MEDIA_SUPPORTED: u32 = 0x0001_0103;
/// `OID_GEN_MEDIA_IN_USE`.
pub const OID_GEN_MEDIA_IN_USE: u32 = 0x0001_0104;
/// `OID_GEN_MAXIMUM_LOOKAHEAD`.
pub const OID_GEN_MAXIMUM_LOOKAHEAD: u32 = 0x0001_0105;
/// `OID_GEN_MAXIMUM_FRAME_SIZE`.
pub const OID_GEN_MAXIMUM_FRAME_SIZE: u32 = 0x0001_0106;
/// `OID_GEN_LINK_SPEED`.
pub const OID_GEN_LINK_SPEED: u32 = 0x0001_0107;
/// `OID_GEN_TRANSMIT_BUFFER_SPACE`.
pub const OID_GEN_TRANSMIT_BUFFER_SPACE: u32 = 0x0001_0108;
/// `OID_GEN_RECEIVE_BUFFER_SPACE`.
pub const OID_GEN_RECEIVE_BUFFER_SPACE: u32 = 0x0001_0109;
/// `OID_GEN_TRANSMIT_BLOCK_SIZE`.
pub const OID_GEN_TRANSMIT_BLOCK_SIZE: u32 = 0x0001_010A;
/// `OID_GEN_RECEIVE_BLOCK_SIZE`.
pub const OID_GEN_RECEIVE_BLOCK_SIZE: u32 = 0x0001_010B;
/// `OID_GEN_VENDOR_ID`.
pub const OID_GEN_VENDOR_ID: u32 = 0x0001_010C;
/// `OID_GEN_VENDOR_DESCRIPTION`.
pub const OID_GEN_VENDOR_DESCRIPTION: u32 = 0x0001_010D;
/// `OID_GEN_CURRENT_PACKET_FILTER`.
pub const OID_GEN_CURRENT_PACKET_FILTER: u32 = 0x0001_010E;
/// `OID_GEN_CURRENT_LOOKAHEAD`.
pub const OID_GEN_CURRENT_LOOKAHEAD: u32 = 0x0001_010F;
/// `OID_GEN_DRIVER_VERSION`.
pub const OID_GEN_DRIVER_VERSION: u32 = 0x0001_0110;
/// `OID_GEN_MAXIMUM_TOTAL_SIZE`.
pub const OID_GEN_MAXIMUM_TOTAL_SIZE: u32 = 0x0001_0111;
/// `OID_GEN_MAC_OPTIONS`.
pub const OID_GEN_MAC_OPTIONS: u32 = 0x0001_0113;
/// `OID_GEN_MEDIA_CONNECT_STATUS`.
pub const OID_GEN_MEDIA_CONNECT_STATUS: u32 = 0x0001_0114;
/// `OID_GEN_MAXIMUM_SEND_PACKETS`.
pub const OID_GEN_MAXIMUM_SEND_PACKETS: u32 = 0x0001_0115;
/// `OID_GEN_VENDOR_DRIVER_VERSION`.
pub const OID_GEN_VENDOR_DRIVER_VERSION: u32 = 0x0001_0116;
/// `OID_GEN_PHYSICAL_MEDIUM`.
pub const OID_GEN_PHYSICAL_MEDIUM: u32 = 0x0001_0202;
/// `OID_GEN_MAX_LINK_SPEED`.
pub const OID_GEN_MAX_LINK_SPEED: u32 = 0x0001_0206;
/// `OID_GEN_LINK_STATE`.
pub const OID_GEN_LINK_STATE: u32 = 0x0001_0207;
/// `OID_GEN_LINK_PARAMETERS`.
pub const OID_GEN_LINK_PARAMETERS: u32 = 0x0001_0208;
/// `OID_GEN_INTERRUPT_MODERATION`.
pub const OID_GEN_INTERRUPT_MODERATION: u32 = 0x0001_0209;
/// `OID_GEN_MEDIA_DUPLEX_STATE`.
pub const OID_GEN_MEDIA_DUPLEX_STATE: u32 = 0x0001_028C;
/// `OID_GEN_XMIT_OK`.
pub const OID_GEN_XMIT_OK: u32 = 0x0002_0101;
/// `OID_GEN_RCV_OK`.
pub const OID_GEN_RCV_OK: u32 = 0x0002_0102;
/// `OID_GEN_XMIT_ERROR`.
pub const OID_GEN_XMIT_ERROR: u32 = 0x0002_0103;
/// `OID_GEN_RCV_ERROR`.
pub const OID_GEN_RCV_ERROR: u32 = 0x0002_0104;
/// `OID_GEN_RCV_NO_BUFFER`.
pub const OID_GEN_RCV_NO_BUFFER: u32 = 0x0002_0105;
/// `OID_GEN_STATISTICS`.
pub const OID_GEN_STATISTICS: u32 = 0x0002_0106;
/// `OID_802_3_PERMANENT_ADDRESS`.
pub const OID_802_3_PERMANENT_ADDRESS: u32 = 0x0101_0101;
/// `OID_802_3_CURRENT_ADDRESS`.
pub const OID_802_3_CURRENT_ADDRESS: u32 = 0x0101_0102;
/// `OID_802_3_MULTICAST_LIST`.
pub const OID_802_3_MULTICAST_LIST: u32 = 0x0101_0103;
/// `OID_802_3_MAXIMUM_LIST_SIZE`.
pub const OID_802_3_MAXIMUM_LIST_SIZE: u32 = 0x0101_0104;
/// `OID_802_3_RCV_ERROR_ALIGNMENT`.
pub const OID_802_3_RCV_ERROR_ALIGNMENT: u32 = 0x0102_0101;
/// `OID_802_3_XMIT_ONE_COLLISION`.
pub const OID_802_3_XMIT_ONE_COLLISION: u32 = 0x0102_0102;
/// `OID_802_3_XMIT_MORE_COLLISIONS`.
pub const OID_802_3_XMIT_MORE_COLLISIONS: u32 = 0x0102_0103;
/// `OID_PNP_SET_POWER`.
pub const OID_PNP_SET_POWER: u32 = 0xFD01_0101;
/// `OID_PNP_QUERY_POWER`.
pub const OID_PNP_QUERY_POWER: u32 = 0xFD01_0102;
/// `OID_GEN_PROTOCOL_OPTIONS`.
pub const OID_GEN_PROTOCOL_OPTIONS: u32 = 0x0001_0112;
/// `OID_GEN_MEDIA_CAPABILITIES`.
pub const OID_GEN_MEDIA_CAPABILITIES: u32 = 0x0001_0201;
/// `OID_GEN_DIRECTED_BYTES_XMIT`.
pub const OID_GEN_DIRECTED_BYTES_XMIT: u32 = 0x0002_0201;
/// `OID_GEN_DIRECTED_FRAMES_XMIT`.
pub const OID_GEN_DIRECTED_FRAMES_XMIT: u32 = 0x0002_0202;
/// `OID_GEN_MULTICAST_BYTES_XMIT`.
pub const OID_GEN_MULTICAST_BYTES_XMIT: u32 = 0x0002_0203;
/// `OID_GEN_MULTICAST_FRAMES_XMIT`.
pub const OID_GEN_MULTICAST_FRAMES_XMIT: u32 = 0x0002_0204;
/// `OID_GEN_BROADCAST_BYTES_XMIT`.
pub const OID_GEN_BROADCAST_BYTES_XMIT: u32 = 0x0002_0205;
/// `OID_GEN_BROADCAST_FRAMES_XMIT`.
pub const OID_GEN_BROADCAST_FRAMES_XMIT: u32 = 0x0002_0206;
/// `OID_GEN_DIRECTED_BYTES_RCV`.
pub const OID_GEN_DIRECTED_BYTES_RCV: u32 = 0x0002_0207;
/// `OID_GEN_DIRECTED_FRAMES_RCV`.
pub const OID_GEN_DIRECTED_FRAMES_RCV: u32 = 0x0002_0208;
/// `OID_GEN_MULTICAST_BYTES_RCV`.
pub const OID_GEN_MULTICAST_BYTES_RCV: u32 = 0x0002_0209;
/// `OID_GEN_MULTICAST_FRAMES_RCV`.
pub const OID_GEN_MULTICAST_FRAMES_RCV: u32 = 0x0002_020A;
/// `OID_GEN_BROADCAST_BYTES_RCV`.
pub const OID_GEN_BROADCAST_BYTES_RCV: u32 = 0x0002_020B;
/// `OID_GEN_BROADCAST_FRAMES_RCV`.
pub const OID_GEN_BROADCAST_FRAMES_RCV: u32 = 0x0002_020C;
/// `OID_GEN_RCV_CRC_ERROR`.
pub const OID_GEN_RCV_CRC_ERROR: u32 = 0x0002_020D;
/// `OID_GEN_TRANSMIT_QUEUE_LENGTH`.
pub const OID_GEN_TRANSMIT_QUEUE_LENGTH: u32 = 0x0002_020E;
/// `OID_GEN_BYTES_RCV`.
pub const OID_GEN_BYTES_RCV: u32 = 0x0002_0219;
/// `OID_GEN_BYTES_XMIT`.
pub const OID_GEN_BYTES_XMIT: u32 = 0x0002_021A;
/// `OID_GEN_RCV_DISCARDS`.
pub const OID_GEN_RCV_DISCARDS: u32 = 0x0002_021B;
/// `OID_GEN_XMIT_DISCARDS`.
pub const OID_GEN_XMIT_DISCARDS: u32 = 0x0002_021C;
/// `OID_802_3_MAC_OPTIONS`.
pub const OID_802_3_MAC_OPTIONS: u32 = 0x0101_0105;
/// `OID_802_3_XMIT_DEFERRED`.
pub const OID_802_3_XMIT_DEFERRED: u32 = 0x0102_0201;
/// `OID_802_3_XMIT_MAX_COLLISIONS`.
pub const OID_802_3_XMIT_MAX_COLLISIONS: u32 = 0x0102_0202;
/// `OID_802_3_RCV_OVERRUN`.
pub const OID_802_3_RCV_OVERRUN: u32 = 0x0102_0203;
/// `OID_802_3_XMIT_UNDERRUN`.
pub const OID_802_3_XMIT_UNDERRUN: u32 = 0x0102_0204;
/// `OID_802_3_XMIT_HEARTBEAT_FAILURE`.
pub const OID_802_3_XMIT_HEARTBEAT_FAILURE: u32 = 0x0102_0205;
/// `OID_802_3_XMIT_TIMES_CRS_LOST`.
pub const OID_802_3_XMIT_TIMES_CRS_LOST: u32 = 0x0102_0206;
/// `OID_802_3_XMIT_LATE_COLLISIONS`.
pub const OID_802_3_XMIT_LATE_COLLISIONS: u32 = 0x0102_0207;
/// `OID_PNP_CAPABILITIES`.
pub const OID_PNP_CAPABILITIES: u32 = 0xFD01_0100;
/// `OID_PNP_ADD_WAKE_UP_PATTERN`.
pub const OID_PNP_ADD_WAKE_UP_PATTERN: u32 = 0xFD01_0103;
/// `OID_PNP_REMOVE_WAKE_UP_PATTERN`.
pub const OID_PNP_REMOVE_WAKE_UP_PATTERN: u32 = 0xFD01_0104;
/// `OID_PNP_ENABLE_WAKE_UP`.
pub const OID_PNP_ENABLE_WAKE_UP: u32 = 0xFD01_0106;

// Packet filters (`OID_GEN_CURRENT_PACKET_FILTER`).
/// `NDIS_PACKET_TYPE_DIRECTED`: <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-current-packet-filter>
pub const NDIS_PACKET_TYPE_DIRECTED: u32 = 0x1;
/// `NDIS_PACKET_TYPE_MULTICAST`.
pub const NDIS_PACKET_TYPE_MULTICAST: u32 = 0x2;
/// `NDIS_PACKET_TYPE_ALL_MULTICAST`.
pub const NDIS_PACKET_TYPE_ALL_MULTICAST: u32 = 0x4;
/// `NDIS_PACKET_TYPE_BROADCAST`.
pub const NDIS_PACKET_TYPE_BROADCAST: u32 = 0x8;
/// `NDIS_PACKET_TYPE_SOURCE_ROUTING`.
pub const NDIS_PACKET_TYPE_SOURCE_ROUTING: u32 = 0x10;
/// `NDIS_PACKET_TYPE_PROMISCUOUS`.
pub const NDIS_PACKET_TYPE_PROMISCUOUS: u32 = 0x20;
/// `NDIS_PACKET_TYPE_SMT`.
pub const NDIS_PACKET_TYPE_SMT: u32 = 0x40;
/// `NDIS_PACKET_TYPE_ALL_LOCAL`.
pub const NDIS_PACKET_TYPE_ALL_LOCAL: u32 = 0x80;
/// `NDIS_PACKET_TYPE_GROUP`.
pub const NDIS_PACKET_TYPE_GROUP: u32 = 0x1000;
/// `NDIS_PACKET_TYPE_ALL_FUNCTIONAL`.
pub const NDIS_PACKET_TYPE_ALL_FUNCTIONAL: u32 = 0x2000;
/// `NDIS_PACKET_TYPE_FUNCTIONAL`.
pub const NDIS_PACKET_TYPE_FUNCTIONAL: u32 = 0x4000;
/// `NDIS_PACKET_TYPE_MAC_FRAME`.
pub const NDIS_PACKET_TYPE_MAC_FRAME: u32 = 0x8000;
/// `NDIS_PACKET_TYPE_NO_LOCAL`.
pub const NDIS_PACKET_TYPE_NO_LOCAL: u32 = 0x0001_0000;

// Statistics valid flags (`NDIS_STATISTICS_INFO::SupportedStatistics`).
/// `NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_statistics_info>
pub const NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV: u32 = 0x1;
/// `NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV`.
pub const NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV: u32 = 0x2;
/// `NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV`.
pub const NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV: u32 = 0x4;
/// `NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV`.
pub const NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV: u32 = 0x8;
/// `NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS`.
pub const NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS: u32 = 0x10;
/// `NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR`.
pub const NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR: u32 = 0x20;
/// `NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT`.
pub const NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT: u32 = 0x40;
/// `NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT`.
pub const NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT: u32 = 0x80;
/// `NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT`.
pub const NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT: u32 = 0x100;
/// `NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT`.
pub const NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT: u32 = 0x200;
/// `NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR`.
pub const NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR: u32 = 0x400;
/// `NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS`.
pub const NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS: u32 = 0x8000;
/// `NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV`.
pub const NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV: u32 = 0x0001_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV`.
pub const NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV: u32 = 0x0002_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV`.
pub const NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV: u32 = 0x0004_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT`.
pub const NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT: u32 = 0x0008_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT`.
pub const NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT: u32 = 0x0010_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT`.
pub const NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT: u32 = 0x0020_0000;

// Statistics a miniport supports (general attributes' `SupportedStatistics`).
/// `NDIS_STATISTICS_XMIT_OK_SUPPORTED`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
pub const NDIS_STATISTICS_XMIT_OK_SUPPORTED: u32 = 0x1;
/// `NDIS_STATISTICS_RCV_OK_SUPPORTED`.
pub const NDIS_STATISTICS_RCV_OK_SUPPORTED: u32 = 0x2;
/// `NDIS_STATISTICS_XMIT_ERROR_SUPPORTED`.
pub const NDIS_STATISTICS_XMIT_ERROR_SUPPORTED: u32 = 0x4;
/// `NDIS_STATISTICS_RCV_ERROR_SUPPORTED`.
pub const NDIS_STATISTICS_RCV_ERROR_SUPPORTED: u32 = 0x8;
/// `NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED`.
pub const NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED: u32 = 0x10;
/// `NDIS_STATISTICS_DIRECTED_BYTES_XMIT_SUPPORTED`.
pub const NDIS_STATISTICS_DIRECTED_BYTES_XMIT_SUPPORTED: u32 = 0x20;
/// `NDIS_STATISTICS_DIRECTED_FRAMES_XMIT_SUPPORTED`.
pub const NDIS_STATISTICS_DIRECTED_FRAMES_XMIT_SUPPORTED: u32 = 0x40;
/// `NDIS_STATISTICS_MULTICAST_BYTES_XMIT_SUPPORTED`.
pub const NDIS_STATISTICS_MULTICAST_BYTES_XMIT_SUPPORTED: u32 = 0x80;
/// `NDIS_STATISTICS_MULTICAST_FRAMES_XMIT_SUPPORTED`.
pub const NDIS_STATISTICS_MULTICAST_FRAMES_XMIT_SUPPORTED: u32 = 0x100;
/// `NDIS_STATISTICS_BROADCAST_BYTES_XMIT_SUPPORTED`.
pub const NDIS_STATISTICS_BROADCAST_BYTES_XMIT_SUPPORTED: u32 = 0x200;
/// `NDIS_STATISTICS_BROADCAST_FRAMES_XMIT_SUPPORTED`.
pub const NDIS_STATISTICS_BROADCAST_FRAMES_XMIT_SUPPORTED: u32 = 0x400;
/// `NDIS_STATISTICS_DIRECTED_BYTES_RCV_SUPPORTED`.
pub const NDIS_STATISTICS_DIRECTED_BYTES_RCV_SUPPORTED: u32 = 0x800;
/// `NDIS_STATISTICS_DIRECTED_FRAMES_RCV_SUPPORTED`.
pub const NDIS_STATISTICS_DIRECTED_FRAMES_RCV_SUPPORTED: u32 = 0x1000;
/// `NDIS_STATISTICS_MULTICAST_BYTES_RCV_SUPPORTED`.
pub const NDIS_STATISTICS_MULTICAST_BYTES_RCV_SUPPORTED: u32 = 0x2000;
/// `NDIS_STATISTICS_MULTICAST_FRAMES_RCV_SUPPORTED`.
pub const NDIS_STATISTICS_MULTICAST_FRAMES_RCV_SUPPORTED: u32 = 0x4000;
/// `NDIS_STATISTICS_BROADCAST_BYTES_RCV_SUPPORTED`.
pub const NDIS_STATISTICS_BROADCAST_BYTES_RCV_SUPPORTED: u32 = 0x8000;
/// `NDIS_STATISTICS_BROADCAST_FRAMES_RCV_SUPPORTED`.
pub const NDIS_STATISTICS_BROADCAST_FRAMES_RCV_SUPPORTED: u32 = 0x0001_0000;
/// `NDIS_STATISTICS_RCV_CRC_ERROR_SUPPORTED`.
pub const NDIS_STATISTICS_RCV_CRC_ERROR_SUPPORTED: u32 = 0x0002_0000;
/// `NDIS_STATISTICS_TRANSMIT_QUEUE_LENGTH_SUPPORTED`.
pub const NDIS_STATISTICS_TRANSMIT_QUEUE_LENGTH_SUPPORTED: u32 = 0x0004_0000;
/// `NDIS_STATISTICS_BYTES_RCV_SUPPORTED`.
pub const NDIS_STATISTICS_BYTES_RCV_SUPPORTED: u32 = 0x0008_0000;
/// `NDIS_STATISTICS_BYTES_XMIT_SUPPORTED`.
pub const NDIS_STATISTICS_BYTES_XMIT_SUPPORTED: u32 = 0x0010_0000;
/// `NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED`.
pub const NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED: u32 = 0x0020_0000;
/// `NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED`.
pub const NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED: u32 = 0x0040_0000;
/// `NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED`.
pub const NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED: u32 = 0x0800_0000;

// Registration attribute flags.
/// `NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_registration_attributes>
pub const NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE: u32 = 0x1;
/// `NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM`.
pub const NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM: u32 = 0x2;
/// `NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK`.
pub const NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK: u32 = 0x4;
/// `NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS`.
pub const NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS: u32 = 0x8;
/// `NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND`.
pub const NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND: u32 = 0x20;
/// `NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER`.
pub const NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER: u32 = 0x40;
/// `NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO`.
pub const NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO: u32 = 0x10;
/// `NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT`.
pub const NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT: u32 = 0x80;
/// `NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND`.
pub const NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND: u32 = 0x100;
/// `NDIS_MINIPORT_ATTRIBUTES_NO_OID_INTERCEPT_ON_NONDEFAULT_PORTS`.
pub const NDIS_MINIPORT_ATTRIBUTES_NO_OID_INTERCEPT_ON_NONDEFAULT_PORTS: u32 = 0x200;
/// `NDIS_MINIPORT_ATTRIBUTES_REGISTER_BUGCHECK_CALLBACK`.
pub const NDIS_MINIPORT_ATTRIBUTES_REGISTER_BUGCHECK_CALLBACK: u32 = 0x400;

// MAC options.
/// `NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA`: <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-mac-options>
pub const NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA: u32 = 0x1;
/// `NDIS_MAC_OPTION_RECEIVE_SERIALIZED`.
pub const NDIS_MAC_OPTION_RECEIVE_SERIALIZED: u32 = 0x2;
/// `NDIS_MAC_OPTION_TRANSFERS_NOT_PEND`.
pub const NDIS_MAC_OPTION_TRANSFERS_NOT_PEND: u32 = 0x4;
/// `NDIS_MAC_OPTION_NO_LOOPBACK`.
pub const NDIS_MAC_OPTION_NO_LOOPBACK: u32 = 0x8;
/// `NDIS_MAC_OPTION_EOTX_INDICATION`.
pub const NDIS_MAC_OPTION_EOTX_INDICATION: u32 = 0x20;
/// `NDIS_MAC_OPTION_8021P_PRIORITY`.
pub const NDIS_MAC_OPTION_8021P_PRIORITY: u32 = 0x40;
/// `NDIS_MAC_OPTION_RECEIVE_AT_DPC`.
pub const NDIS_MAC_OPTION_RECEIVE_AT_DPC: u32 = 0x100;
/// `NDIS_MAC_OPTION_8021Q_VLAN`.
pub const NDIS_MAC_OPTION_8021Q_VLAN: u32 = 0x200;
/// `NDIS_MAC_OPTION_FULL_DUPLEX` (deprecated).
pub const NDIS_MAC_OPTION_FULL_DUPLEX: u32 = 0x10;
/// `NDIS_MAC_OPTION_SUPPORTS_MAC_ADDRESS_OVERWRITE`.
pub const NDIS_MAC_OPTION_SUPPORTS_MAC_ADDRESS_OVERWRITE: u32 = 0x80;
/// `NDIS_MAC_OPTION_RESERVED`.
pub const NDIS_MAC_OPTION_RESERVED: u32 = 0x8000_0000;

// Send, receive and return flags.
/// `NDIS_SEND_FLAGS_DISPATCH_LEVEL`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>
pub const NDIS_SEND_FLAGS_DISPATCH_LEVEL: u32 = 0x1;
/// `NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL`.
pub const NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL: u32 = 0x1;
/// `NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL`.
pub const NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL: u32 = 0x1;
/// `NDIS_RECEIVE_FLAGS_RESOURCES`.
pub const NDIS_RECEIVE_FLAGS_RESOURCES: u32 = 0x2;
/// `NDIS_RETURN_FLAGS_DISPATCH_LEVEL`.
pub const NDIS_RETURN_FLAGS_DISPATCH_LEVEL: u32 = 0x1;
/// `NDIS_RETURN_FLAGS_SINGLE_QUEUE`.
pub const NDIS_RETURN_FLAGS_SINGLE_QUEUE: u32 = 0x2;
/// `NDIS_INTERRUPT_MODERATION_CHANGE_NEEDS_RESET`.
pub const NDIS_INTERRUPT_MODERATION_CHANGE_NEEDS_RESET: u32 = 0x1;
/// `NDIS_INTERRUPT_MODERATION_CHANGE_NEEDS_REINITIALIZE`.
pub const NDIS_INTERRUPT_MODERATION_CHANGE_NEEDS_REINITIALIZE: u32 = 0x2;
/// `NDIS_PROTOCOL_ID_DEFAULT`.
pub const NDIS_PROTOCOL_ID_DEFAULT: u32 = 0x0;
/// `NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK`.
pub const NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK: u32 = 0x2;
/// `NDIS_SEND_FLAGS_SINGLE_QUEUE`.
pub const NDIS_SEND_FLAGS_SINGLE_QUEUE: u32 = 0x4;
/// `NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE`.
pub const NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE: u32 = 0x2;
/// `NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE`.
pub const NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE: u32 = 0x100;
/// `NDIS_RECEIVE_FLAGS_SINGLE_VLAN`.
pub const NDIS_RECEIVE_FLAGS_SINGLE_VLAN: u32 = 0x200;
/// `NDIS_RECEIVE_FLAGS_PERFECT_FILTERED`.
pub const NDIS_RECEIVE_FLAGS_PERFECT_FILTERED: u32 = 0x400;
/// `NDIS_RECEIVE_FLAGS_SINGLE_QUEUE`.
pub const NDIS_RECEIVE_FLAGS_SINGLE_QUEUE: u32 = 0x800;
/// `NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID`.
pub const NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID: u32 = 0x1000;
/// `NDIS_RECEIVE_FLAGS_MORE_NBLS`.
pub const NDIS_RECEIVE_FLAGS_MORE_NBLS: u32 = 0x2000;

// Default port (`ndis/ndisport.h`: `((NDIS_PORT_NUMBER)0)`, a cast bindgen does not evaluate).
/// `NDIS_DEFAULT_PORT_NUMBER`: <https://learn.microsoft.com/windows-hardware/drivers/network/default-ndis-port>
pub const NDIS_DEFAULT_PORT_NUMBER: NDIS_PORT_NUMBER = 0;

// Status indication flags (`NDIS_STATUS_INDICATION::Flags`).
/// `NDIS_STATUS_INDICATION_FLAGS_MEDIA_CONNECT_TO_CONNECT`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_status_indication>
pub const NDIS_STATUS_INDICATION_FLAGS_MEDIA_CONNECT_TO_CONNECT: u32 = 0x1000;
/// `NDIS_STATUS_INDICATION_FLAGS_NDIS_RESERVED`.
pub const NDIS_STATUS_INDICATION_FLAGS_NDIS_RESERVED: u32 = 0xFFF;

// Link state flags (`NDIS_LINK_STATE::AutoNegotiationFlags`).
/// `NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_link_state>
pub const NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED: u32 = 0x1;
/// `NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED`.
pub const NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED: u32 = 0x2;
/// `NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED`.
pub const NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED: u32 = 0x4;
/// `NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED`.
pub const NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED: u32 = 0x8;

// Scatter/gather DMA flags (`NDIS_SG_DMA_DESCRIPTION::Flags`).
/// `NDIS_SG_DMA_64_BIT_ADDRESS`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_sg_dma_description>
pub const NDIS_SG_DMA_64_BIT_ADDRESS: u32 = 0x1;
/// `NDIS_SG_DMA_V3_HAL_API`.
pub const NDIS_SG_DMA_V3_HAL_API: u32 = 0x2;

// Pause reasons (`NDIS_MINIPORT_PAUSE_PARAMETERS::PauseReason`).
/// `NDIS_PAUSE_NDIS_INTERNAL`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_pause_parameters>
pub const NDIS_PAUSE_NDIS_INTERNAL: u32 = 0x1;
/// `NDIS_PAUSE_LOW_POWER`.
pub const NDIS_PAUSE_LOW_POWER: u32 = 0x2;
/// `NDIS_PAUSE_BIND_PROTOCOL`.
pub const NDIS_PAUSE_BIND_PROTOCOL: u32 = 0x4;
/// `NDIS_PAUSE_UNBIND_PROTOCOL`.
pub const NDIS_PAUSE_UNBIND_PROTOCOL: u32 = 0x8;
/// `NDIS_PAUSE_ATTACH_FILTER`.
pub const NDIS_PAUSE_ATTACH_FILTER: u32 = 0x10;
/// `NDIS_PAUSE_DETACH_FILTER`.
pub const NDIS_PAUSE_DETACH_FILTER: u32 = 0x20;
/// `NDIS_PAUSE_FILTER_RESTART_STACK`.
pub const NDIS_PAUSE_FILTER_RESTART_STACK: u32 = 0x40;
/// `NDIS_PAUSE_MINIPORT_DEVICE_REMOVE`.
pub const NDIS_PAUSE_MINIPORT_DEVICE_REMOVE: u32 = 0x80;

// Memory descriptor lists.
/// `MDL_MAPPED_TO_SYSTEM_VA`: <https://learn.microsoft.com/windows-hardware/drivers/kernel/using-mdls>
pub const MDL_MAPPED_TO_SYSTEM_VA: u32 = 0x1;
/// `MDL_SOURCE_IS_NONPAGED_POOL`.
pub const MDL_SOURCE_IS_NONPAGED_POOL: u32 = 0x4;
/// `MEMORY_ALLOCATION_ALIGNMENT`.
pub const MEMORY_ALLOCATION_ALIGNMENT: u32 = 0x10;
/// `MDL_PAGES_LOCKED`.
pub const MDL_PAGES_LOCKED: u32 = 0x2;
/// `MDL_ALLOCATED_FIXED_SIZE`.
pub const MDL_ALLOCATED_FIXED_SIZE: u32 = 0x8;
/// `MDL_PARTIAL`.
pub const MDL_PARTIAL: u32 = 0x10;
/// `MDL_PARTIAL_HAS_BEEN_MAPPED`.
pub const MDL_PARTIAL_HAS_BEEN_MAPPED: u32 = 0x20;
/// `MDL_IO_PAGE_READ`.
pub const MDL_IO_PAGE_READ: u32 = 0x40;
/// `MDL_WRITE_OPERATION`.
pub const MDL_WRITE_OPERATION: u32 = 0x80;
/// `MDL_IO_SPACE`.
pub const MDL_IO_SPACE: u32 = 0x800;
/// `MDL_NETWORK_HEADER`.
pub const MDL_NETWORK_HEADER: u32 = 0x1000;
/// `MDL_MAPPING_CAN_FAIL`.
pub const MDL_MAPPING_CAN_FAIL: u32 = 0x2000;

// Mapping flags, OR-ed into the `MM_PAGE_PRIORITY` of `MmGetSystemAddressForMdlSafe`.
/// `MdlMappingNoWrite`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetsystemaddressformdlsafe>
pub const MdlMappingNoWrite: u32 = 0x8000_0000;
/// `MdlMappingNoExecute`.
pub const MdlMappingNoExecute: u32 = 0x4000_0000;
/// `MdlMappingWithGuardPtes`.
pub const MdlMappingWithGuardPtes: u32 = 0x2000_0000;

// Hardware resources.
/// `CmResourceTypeNull`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_descriptor>
pub const CmResourceTypeNull: u32 = 0x0;
/// `CmResourceTypePort`.
pub const CmResourceTypePort: u32 = 0x1;
/// `CmResourceTypeInterrupt`.
pub const CmResourceTypeInterrupt: u32 = 0x2;
/// `CmResourceTypeMemory`.
pub const CmResourceTypeMemory: u32 = 0x3;
/// `CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE`.
pub const CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE: u32 = 0x0;
/// `CM_RESOURCE_INTERRUPT_LATCHED`.
pub const CM_RESOURCE_INTERRUPT_LATCHED: u32 = 0x1;
/// `CM_RESOURCE_MEMORY_READ_WRITE`.
pub const CM_RESOURCE_MEMORY_READ_WRITE: u32 = 0x0;
/// `IF_TYPE_ETHERNET_CSMACD`.
pub const IF_TYPE_ETHERNET_CSMACD: u32 = 0x6;
/// `CmResourceTypeDma`.
pub const CmResourceTypeDma: u32 = 0x4;
/// `CmResourceTypeDeviceSpecific`.
pub const CmResourceTypeDeviceSpecific: u32 = 0x5;
/// `CmResourceTypeBusNumber`.
pub const CmResourceTypeBusNumber: u32 = 0x6;
/// `CmResourceTypeMemoryLarge`.
pub const CmResourceTypeMemoryLarge: u32 = 0x7;
/// `CM_RESOURCE_INTERRUPT_MESSAGE`.
pub const CM_RESOURCE_INTERRUPT_MESSAGE: u32 = 0x2;
/// `CM_RESOURCE_INTERRUPT_POLICY_INCLUDED`.
pub const CM_RESOURCE_INTERRUPT_POLICY_INCLUDED: u32 = 0x4;
/// `CM_RESOURCE_MEMORY_READ_ONLY`.
pub const CM_RESOURCE_MEMORY_READ_ONLY: u32 = 0x1;
/// `CM_RESOURCE_MEMORY_WRITE_ONLY`.
pub const CM_RESOURCE_MEMORY_WRITE_ONLY: u32 = 0x2;
/// `CM_RESOURCE_MEMORY_PREFETCHABLE`.
pub const CM_RESOURCE_MEMORY_PREFETCHABLE: u32 = 0x4;
/// `CM_RESOURCE_PORT_MEMORY`.
pub const CM_RESOURCE_PORT_MEMORY: u32 = 0x0;
/// `CM_RESOURCE_PORT_IO`.
pub const CM_RESOURCE_PORT_IO: u32 = 0x1;

// `NdisMGetBusData` / `NdisMSetBusData` `WhichSpace`.
/// `PCI_WHICHSPACE_CONFIG`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismgetbusdata>
pub const PCI_WHICHSPACE_CONFIG: u32 = 0x0;
/// `PCI_WHICHSPACE_ROM`.
pub const PCI_WHICHSPACE_ROM: u32 = 0x5269_6350;

// `CM_SHARE_DISPOSITION` (`CM_PARTIAL_RESOURCE_DESCRIPTOR::ShareDisposition`).
/// `CM_SHARE_DISPOSITION`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_descriptor>
pub type CM_SHARE_DISPOSITION = i32;
/// `CmResourceShareUndetermined`.
pub const CmResourceShareUndetermined: CM_SHARE_DISPOSITION = 0;
/// `CmResourceShareDeviceExclusive`.
pub const CmResourceShareDeviceExclusive: CM_SHARE_DISPOSITION = 1;
/// `CmResourceShareDriverExclusive`.
pub const CmResourceShareDriverExclusive: CM_SHARE_DISPOSITION = 2;
/// `CmResourceShareShared`.
pub const CmResourceShareShared: CM_SHARE_DISPOSITION = 3;

// `NDIS_MEDIUM`.
/// `NdisMedium802_3`: <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-media-supported>
pub const NdisMedium802_3: NDIS_MEDIUM = 0;
/// `NdisMedium802_5`.
pub const NdisMedium802_5: NDIS_MEDIUM = 1;

// `NDIS_PHYSICAL_MEDIUM`.
/// `NdisPhysicalMediumUnspecified`: <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-physical-medium>
pub const NdisPhysicalMediumUnspecified: NDIS_PHYSICAL_MEDIUM = 0;
/// `NdisPhysicalMedium802_3`.
pub const NdisPhysicalMedium802_3: NDIS_PHYSICAL_MEDIUM = 14;
/// `NdisPhysicalMediumNative802_11`.
pub const NdisPhysicalMediumNative802_11: NDIS_PHYSICAL_MEDIUM = 9;

// `NDIS_MEDIA_CONNECT_STATE`.
/// `MediaConnectStateUnknown`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_link_state>
pub const MediaConnectStateUnknown: NDIS_MEDIA_CONNECT_STATE = 0;
/// `MediaConnectStateConnected`.
pub const MediaConnectStateConnected: NDIS_MEDIA_CONNECT_STATE = 1;
/// `MediaConnectStateDisconnected`.
pub const MediaConnectStateDisconnected: NDIS_MEDIA_CONNECT_STATE = 2;

// `NDIS_MEDIA_DUPLEX_STATE`.
/// `MediaDuplexStateUnknown`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_link_state>
pub const MediaDuplexStateUnknown: NDIS_MEDIA_DUPLEX_STATE = 0;
/// `MediaDuplexStateHalf`.
pub const MediaDuplexStateHalf: NDIS_MEDIA_DUPLEX_STATE = 1;
/// `MediaDuplexStateFull`.
pub const MediaDuplexStateFull: NDIS_MEDIA_DUPLEX_STATE = 2;

// `NDIS_SUPPORTED_PAUSE_FUNCTIONS`.
/// `NdisPauseFunctionsUnsupported`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_link_state>
pub const NdisPauseFunctionsUnsupported: NDIS_SUPPORTED_PAUSE_FUNCTIONS = 0;
/// `NdisPauseFunctionsSendOnly`.
pub const NdisPauseFunctionsSendOnly: NDIS_SUPPORTED_PAUSE_FUNCTIONS = 1;
/// `NdisPauseFunctionsReceiveOnly`.
pub const NdisPauseFunctionsReceiveOnly: NDIS_SUPPORTED_PAUSE_FUNCTIONS = 2;
/// `NdisPauseFunctionsSendAndReceive`.
pub const NdisPauseFunctionsSendAndReceive: NDIS_SUPPORTED_PAUSE_FUNCTIONS = 3;
/// `NdisPauseFunctionsUnknown`.
pub const NdisPauseFunctionsUnknown: NDIS_SUPPORTED_PAUSE_FUNCTIONS = 4;

// `NDIS_INTERRUPT_MODERATION`.
/// `NdisInterruptModerationUnknown`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_interrupt_moderation_parameters>
pub const NdisInterruptModerationUnknown: NDIS_INTERRUPT_MODERATION = 0;
/// `NdisInterruptModerationNotSupported`.
pub const NdisInterruptModerationNotSupported: NDIS_INTERRUPT_MODERATION = 1;
/// `NdisInterruptModerationEnabled`.
pub const NdisInterruptModerationEnabled: NDIS_INTERRUPT_MODERATION = 2;
/// `NdisInterruptModerationDisabled`.
pub const NdisInterruptModerationDisabled: NDIS_INTERRUPT_MODERATION = 3;

// `NDIS_HARDWARE_STATUS`.
/// `NdisHardwareStatusReady`: <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-hardware-status>
pub const NdisHardwareStatusReady: NDIS_HARDWARE_STATUS = 0;
/// `NdisHardwareStatusInitializing`.
pub const NdisHardwareStatusInitializing: NDIS_HARDWARE_STATUS = 1;
/// `NdisHardwareStatusReset`.
pub const NdisHardwareStatusReset: NDIS_HARDWARE_STATUS = 2;
/// `NdisHardwareStatusClosing`.
pub const NdisHardwareStatusClosing: NDIS_HARDWARE_STATUS = 3;
/// `NdisHardwareStatusNotReady`.
pub const NdisHardwareStatusNotReady: NDIS_HARDWARE_STATUS = 4;

// `NDIS_REQUEST_TYPE`.
/// `NdisRequestQueryInformation`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/oidrequest/ns-oidrequest-ndis_oid_request>
pub const NdisRequestQueryInformation: NDIS_REQUEST_TYPE = 0;
/// `NdisRequestSetInformation`.
pub const NdisRequestSetInformation: NDIS_REQUEST_TYPE = 1;
/// `NdisRequestQueryStatistics`.
pub const NdisRequestQueryStatistics: NDIS_REQUEST_TYPE = 2;
/// `NdisRequestOpen`.
pub const NdisRequestOpen: NDIS_REQUEST_TYPE = 3;
/// `NdisRequestClose`.
pub const NdisRequestClose: NDIS_REQUEST_TYPE = 4;
/// `NdisRequestSend`.
pub const NdisRequestSend: NDIS_REQUEST_TYPE = 5;
/// `NdisRequestTransferData`.
pub const NdisRequestTransferData: NDIS_REQUEST_TYPE = 6;
/// `NdisRequestReset`.
pub const NdisRequestReset: NDIS_REQUEST_TYPE = 7;
/// `NdisRequestGeneric1`.
pub const NdisRequestGeneric1: NDIS_REQUEST_TYPE = 8;
/// `NdisRequestGeneric2`.
pub const NdisRequestGeneric2: NDIS_REQUEST_TYPE = 9;
/// `NdisRequestGeneric3`.
pub const NdisRequestGeneric3: NDIS_REQUEST_TYPE = 10;
/// `NdisRequestGeneric4`.
pub const NdisRequestGeneric4: NDIS_REQUEST_TYPE = 11;
/// `NdisRequestMethod`.
pub const NdisRequestMethod: NDIS_REQUEST_TYPE = 12;

// `NDIS_DEVICE_PNP_EVENT`.
/// `NdisDevicePnPEventQueryRemoved`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_net_device_pnp_event>
pub const NdisDevicePnPEventQueryRemoved: NDIS_DEVICE_PNP_EVENT = 0;
/// `NdisDevicePnPEventRemoved`.
pub const NdisDevicePnPEventRemoved: NDIS_DEVICE_PNP_EVENT = 1;
/// `NdisDevicePnPEventSurpriseRemoved`.
pub const NdisDevicePnPEventSurpriseRemoved: NDIS_DEVICE_PNP_EVENT = 2;
/// `NdisDevicePnPEventQueryStopped`.
pub const NdisDevicePnPEventQueryStopped: NDIS_DEVICE_PNP_EVENT = 3;
/// `NdisDevicePnPEventStopped`.
pub const NdisDevicePnPEventStopped: NDIS_DEVICE_PNP_EVENT = 4;
/// `NdisDevicePnPEventPowerProfileChanged`.
pub const NdisDevicePnPEventPowerProfileChanged: NDIS_DEVICE_PNP_EVENT = 5;
/// `NdisDevicePnPEventFilterListChanged`.
pub const NdisDevicePnPEventFilterListChanged: NDIS_DEVICE_PNP_EVENT = 6;

// `NDIS_HALT_ACTION`.
/// `NdisHaltDeviceDisabled`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_halt>
pub const NdisHaltDeviceDisabled: NDIS_HALT_ACTION = 0;
/// `NdisHaltDeviceInstanceDeInitialized`.
pub const NdisHaltDeviceInstanceDeInitialized: NDIS_HALT_ACTION = 1;
/// `NdisHaltDevicePoweredDown`.
pub const NdisHaltDevicePoweredDown: NDIS_HALT_ACTION = 2;
/// `NdisHaltDeviceSurpriseRemoved`.
pub const NdisHaltDeviceSurpriseRemoved: NDIS_HALT_ACTION = 3;
/// `NdisHaltDeviceFailed`.
pub const NdisHaltDeviceFailed: NDIS_HALT_ACTION = 4;
/// `NdisHaltDeviceInitializationFailed`.
pub const NdisHaltDeviceInitializationFailed: NDIS_HALT_ACTION = 5;
/// `NdisHaltDeviceStopped`.
pub const NdisHaltDeviceStopped: NDIS_HALT_ACTION = 6;

// `MODE` (`wdm.h`; a `KPROCESSOR_MODE` holds one).
/// `KernelMode`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmaplockedpagesspecifycache>
pub const KernelMode: MODE = 0;
/// `UserMode`.
pub const UserMode: MODE = 1;

// `NDIS_SHUTDOWN_ACTION`.
/// `NdisShutdownPowerOff`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_shutdown>
pub const NdisShutdownPowerOff: NDIS_SHUTDOWN_ACTION = 0;
/// `NdisShutdownBugCheck`.
pub const NdisShutdownBugCheck: NDIS_SHUTDOWN_ACTION = 1;

// `NDIS_INTERFACE_TYPE`.
/// `NdisInterfaceInternal`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_registration_attributes>
pub const NdisInterfaceInternal: NDIS_INTERFACE_TYPE = 0;
/// `NdisInterfaceIsa`.
pub const NdisInterfaceIsa: NDIS_INTERFACE_TYPE = 1;
/// `NdisInterfacePci`.
pub const NdisInterfacePci: NDIS_INTERFACE_TYPE = 5;
/// `NdisInterfacePNPBus`.
pub const NdisInterfacePNPBus: NDIS_INTERFACE_TYPE = 15;

// `NET_IF_ACCESS_TYPE`.
/// `NET_IF_ACCESS_LOOPBACK`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
pub const NET_IF_ACCESS_LOOPBACK: NET_IF_ACCESS_TYPE = 1;
/// `NET_IF_ACCESS_BROADCAST`.
pub const NET_IF_ACCESS_BROADCAST: NET_IF_ACCESS_TYPE = 2;
/// `NET_IF_ACCESS_POINT_TO_POINT`.
pub const NET_IF_ACCESS_POINT_TO_POINT: NET_IF_ACCESS_TYPE = 3;
/// `NET_IF_ACCESS_POINT_TO_MULTI_POINT`.
pub const NET_IF_ACCESS_POINT_TO_MULTI_POINT: NET_IF_ACCESS_TYPE = 4;

// `NET_IF_DIRECTION_TYPE`.
/// `NET_IF_DIRECTION_SENDRECEIVE`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
pub const NET_IF_DIRECTION_SENDRECEIVE: NET_IF_DIRECTION_TYPE = 0;
/// `NET_IF_DIRECTION_SENDONLY`.
pub const NET_IF_DIRECTION_SENDONLY: NET_IF_DIRECTION_TYPE = 1;
/// `NET_IF_DIRECTION_RECEIVEONLY`.
pub const NET_IF_DIRECTION_RECEIVEONLY: NET_IF_DIRECTION_TYPE = 2;

// `NET_IF_CONNECTION_TYPE`.
/// `NET_IF_CONNECTION_DEDICATED`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
pub const NET_IF_CONNECTION_DEDICATED: NET_IF_CONNECTION_TYPE = 1;
/// `NET_IF_CONNECTION_PASSIVE`.
pub const NET_IF_CONNECTION_PASSIVE: NET_IF_CONNECTION_TYPE = 2;
/// `NET_IF_CONNECTION_DEMAND`.
pub const NET_IF_CONNECTION_DEMAND: NET_IF_CONNECTION_TYPE = 3;

// `MM_PAGE_PRIORITY`.
/// `LowPagePriority`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetsystemaddressformdlsafe>
pub const LowPagePriority: MM_PAGE_PRIORITY = 0;
/// `NormalPagePriority`.
pub const NormalPagePriority: MM_PAGE_PRIORITY = 16;
/// `HighPagePriority`.
pub const HighPagePriority: MM_PAGE_PRIORITY = 32;

// `EX_POOL_PRIORITY`.
/// `LowPoolPriority`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ne-wdm-ex_pool_priority>
pub const LowPoolPriority: EX_POOL_PRIORITY = 0;
/// `NormalPoolPriority`.
pub const NormalPoolPriority: EX_POOL_PRIORITY = 16;
/// `HighPoolPriority`.
pub const HighPoolPriority: EX_POOL_PRIORITY = 32;
