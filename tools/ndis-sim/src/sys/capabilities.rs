//! What the miniport's attribute and parameter structures point to (`ndis.h`, `wdm.h`), so
//! that each pointer field has the header's type instead of `PVOID`.
//!
//! The ones a miniport of this kind may fill or NDIS may hand it are mirrored in full. The
//! others belong to features the 82540EM has none of (task offload, 802.11, virtualization,
//! RDMA), so a miniport only ever passes a null pointer to one: the kernel build generates
//! them as bindgen opaque types (`build_ndis_bindgen.rs`, `OPAQUE_TYPES`: a blob with the C
//! type's size and alignment, no fields), and they are mirrored as exactly that blob, which
//! the ABI facts check like any other structure.

#![allow(
    clippy::pub_underscore_fields,
    reason = "bindgen's names for the C tags"
)]

use super::ndis_types::{
    NDIS_DEVICE_POWER_STATE, NDIS_OID, NDIS_PORT_AUTHORIZATION_STATE, NDIS_PORT_CONTROL_STATE,
    PHYSICAL_ADDRESS,
};
use super::types::{
    __BindgenOpaqueArray, __BindgenOpaqueArray8, BOOLEAN, KAFFINITY, KIRQL, NDIS_HANDLE,
    NDIS_OBJECT_HEADER, UCHAR, ULONG, USHORT,
};

/// `UINT32`.
pub type UINT32 = u32;
/// `KINTERRUPT_MODE` (`LevelSensitive`, `Latched`).
pub type KINTERRUPT_MODE = i32;
/// `KINTERRUPT_POLARITY`.
pub type KINTERRUPT_POLARITY = i32;
/// `NDIS_RSS_CAPS_FLAGS`.
pub type NDIS_RSS_CAPS_FLAGS = ULONG;

// ---------------------------------------------------------------------------------------------
// Power management and receive-side scaling (NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES)
// ---------------------------------------------------------------------------------------------

/// `NDIS_PM_WAKE_UP_CAPABILITIES`: the lowest device power states that can wake the system.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_pm_wake_up_capabilities>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_PM_WAKE_UP_CAPABILITIES {
    /// For a magic packet.
    pub MinMagicPacketWakeUp: NDIS_DEVICE_POWER_STATE,
    /// For a pattern match.
    pub MinPatternWakeUp: NDIS_DEVICE_POWER_STATE,
    /// For a link change.
    pub MinLinkChangeWakeUp: NDIS_DEVICE_POWER_STATE,
}
/// `NDIS_PM_WAKE_UP_CAPABILITIES`.
pub type NDIS_PM_WAKE_UP_CAPABILITIES = _NDIS_PM_WAKE_UP_CAPABILITIES;

/// `NDIS_PNP_CAPABILITIES` (NDIS 5 power management; `PowerManagementCapabilities`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_pnp_capabilities>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_PNP_CAPABILITIES {
    /// `NDIS_DEVICE_WAKE_*`.
    pub Flags: ULONG,
    /// Wake-up power states.
    pub WakeUpCapabilities: NDIS_PM_WAKE_UP_CAPABILITIES,
}
/// `NDIS_PNP_CAPABILITIES`.
pub type NDIS_PNP_CAPABILITIES = _NDIS_PNP_CAPABILITIES;
/// `PNDIS_PNP_CAPABILITIES`.
pub type PNDIS_PNP_CAPABILITIES = *mut _NDIS_PNP_CAPABILITIES;

/// `NDIS_PM_CAPABILITIES` (NDIS 6.20 power management; `PowerManagementCapabilitiesEx`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_pm_capabilities>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_PM_CAPABILITIES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_PM_*_SUPPORTED`.
    pub Flags: ULONG,
    /// Wake-on-LAN patterns.
    pub SupportedWoLPacketPatterns: ULONG,
    /// Patterns in all.
    pub NumTotalWoLPatterns: ULONG,
    /// Largest pattern.
    pub MaxWoLPatternSize: ULONG,
    /// Largest pattern offset.
    pub MaxWoLPatternOffset: ULONG,
    /// Saved wake packet size.
    pub MaxWoLPacketSaveBuffer: ULONG,
    /// Protocol offloads.
    pub SupportedProtocolOffloads: ULONG,
    /// ARP offload addresses.
    pub NumArpOffloadIPv4Addresses: ULONG,
    /// NS offload addresses.
    pub NumNSOffloadIPv6Addresses: ULONG,
    /// Lowest state for a magic packet.
    pub MinMagicPacketWakeUp: NDIS_DEVICE_POWER_STATE,
    /// Lowest state for a pattern.
    pub MinPatternWakeUp: NDIS_DEVICE_POWER_STATE,
    /// Lowest state for a link change.
    pub MinLinkChangeWakeUp: NDIS_DEVICE_POWER_STATE,
    /// Wake events.
    pub SupportedWakeUpEvents: ULONG,
    /// Media-specific wake events.
    pub MediaSpecificWakeUpEvents: ULONG,
}
/// `NDIS_PM_CAPABILITIES`.
pub type NDIS_PM_CAPABILITIES = _NDIS_PM_CAPABILITIES;
/// `PNDIS_PM_CAPABILITIES`.
pub type PNDIS_PM_CAPABILITIES = *mut _NDIS_PM_CAPABILITIES;

/// `NDIS_RECEIVE_SCALE_CAPABILITIES` (`RecvScaleCapabilities`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_receive_scale_capabilities>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_RECEIVE_SCALE_CAPABILITIES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_RSS_CAPS_*`.
    pub CapabilitiesFlags: NDIS_RSS_CAPS_FLAGS,
    /// MSI-X messages.
    pub NumberOfInterruptMessages: ULONG,
    /// Receive queues.
    pub NumberOfReceiveQueues: ULONG,
    /// Indirection table size.
    pub NumberOfIndirectionTableEntries: USHORT,
}
/// `NDIS_RECEIVE_SCALE_CAPABILITIES`.
pub type NDIS_RECEIVE_SCALE_CAPABILITIES = _NDIS_RECEIVE_SCALE_CAPABILITIES;
/// `PNDIS_RECEIVE_SCALE_CAPABILITIES`.
pub type PNDIS_RECEIVE_SCALE_CAPABILITIES = *mut _NDIS_RECEIVE_SCALE_CAPABILITIES;

// ---------------------------------------------------------------------------------------------
// NDIS_MINIPORT_INIT_PARAMETERS and NDIS_MINIPORT_RESTART_PARAMETERS
// ---------------------------------------------------------------------------------------------

/// `NDIS_PORT_AUTHENTICATION_PARAMETERS` (`DefaultPortAuthStates`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_port_authentication_parameters>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_PORT_AUTHENTICATION_PARAMETERS {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// Send control.
    pub SendControlState: NDIS_PORT_CONTROL_STATE,
    /// Receive control.
    pub RcvControlState: NDIS_PORT_CONTROL_STATE,
    /// Send authorization.
    pub SendAuthorizationState: NDIS_PORT_AUTHORIZATION_STATE,
    /// Receive authorization.
    pub RcvAuthorizationState: NDIS_PORT_AUTHORIZATION_STATE,
}
/// `NDIS_PORT_AUTHENTICATION_PARAMETERS`.
pub type NDIS_PORT_AUTHENTICATION_PARAMETERS = _NDIS_PORT_AUTHENTICATION_PARAMETERS;
/// `PNDIS_PORT_AUTHENTICATION_PARAMETERS`.
pub type PNDIS_PORT_AUTHENTICATION_PARAMETERS = *mut _NDIS_PORT_AUTHENTICATION_PARAMETERS;

/// `NDIS_PCI_DEVICE_CUSTOM_PROPERTIES` (`PciDeviceCustomProperties`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_pci_device_custom_properties>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_PCI_DEVICE_CUSTOM_PROPERTIES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_PCI_DEVICE_TYPE_*`.
    pub DeviceType: UINT32,
    /// PCI-X speed and mode.
    pub CurrentSpeedAndMode: UINT32,
    /// PCI Express payload size.
    pub CurrentPayloadSize: UINT32,
    /// PCI Express maximum payload size.
    pub MaxPayloadSize: UINT32,
    /// PCI Express maximum read request.
    pub MaxReadRequestSize: UINT32,
    /// PCI Express link speed.
    pub CurrentLinkSpeed: UINT32,
    /// PCI Express link width.
    pub CurrentLinkWidth: UINT32,
    /// PCI Express maximum link speed.
    pub MaxLinkSpeed: UINT32,
    /// PCI Express maximum link width.
    pub MaxLinkWidth: UINT32,
    /// PCI Express version.
    pub PciExpressVersion: UINT32,
    /// `NDIS_PCI_DEVICE_INTERRUPT_*`.
    pub InterruptType: UINT32,
    /// MSI messages.
    pub MaxInterruptMessages: UINT32,
}
/// `NDIS_PCI_DEVICE_CUSTOM_PROPERTIES`.
pub type NDIS_PCI_DEVICE_CUSTOM_PROPERTIES = _NDIS_PCI_DEVICE_CUSTOM_PROPERTIES;
/// `PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES`.
pub type PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES = *mut _NDIS_PCI_DEVICE_CUSTOM_PROPERTIES;

/// `NDIS_RESTART_ATTRIBUTES` (`RestartAttributes`): a list of OID-tagged blocks, 16-aligned.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_restart_attributes>
#[repr(C, align(16))]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_RESTART_ATTRIBUTES {
    /// The next block.
    pub Next: PNDIS_RESTART_ATTRIBUTES,
    /// What `Data` holds.
    pub Oid: NDIS_OID,
    /// Its length.
    pub DataLength: ULONG,
    /// The data (`DataLength` bytes).
    pub Data: [UCHAR; 1],
}
/// `NDIS_RESTART_ATTRIBUTES`.
pub type NDIS_RESTART_ATTRIBUTES = _NDIS_RESTART_ATTRIBUTES;
/// `PNDIS_RESTART_ATTRIBUTES`.
pub type PNDIS_RESTART_ATTRIBUTES = *mut _NDIS_RESTART_ATTRIBUTES;

// ---------------------------------------------------------------------------------------------
// Message-signaled interrupts (NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS)
// ---------------------------------------------------------------------------------------------

/// `KINTERRUPT`: an interrupt object, incomplete in `wdm.h` as well (bindgen declares it the
/// same way).
#[repr(C)]
#[derive(Debug)]
pub struct _KINTERRUPT {
    _unused: [u8; 0],
}
/// `PKINTERRUPT`.
pub type PKINTERRUPT = *mut _KINTERRUPT;

/// `IO_INTERRUPT_MESSAGE_INFO_ENTRY`: one MSI message.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_io_interrupt_message_info_entry>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _IO_INTERRUPT_MESSAGE_INFO_ENTRY {
    /// Where the message is written.
    pub MessageAddress: PHYSICAL_ADDRESS,
    /// Processors it may interrupt.
    pub TargetProcessorSet: KAFFINITY,
    /// Its interrupt object.
    pub InterruptObject: PKINTERRUPT,
    /// The value written.
    pub MessageData: ULONG,
    /// Vector.
    pub Vector: ULONG,
    /// DIRQL.
    pub Irql: KIRQL,
    /// Level or edge.
    pub Mode: KINTERRUPT_MODE,
    /// Polarity.
    pub Polarity: KINTERRUPT_POLARITY,
}
/// `IO_INTERRUPT_MESSAGE_INFO_ENTRY`.
pub type IO_INTERRUPT_MESSAGE_INFO_ENTRY = _IO_INTERRUPT_MESSAGE_INFO_ENTRY;

/// `IO_INTERRUPT_MESSAGE_INFO` (`MessageInfoTable`): the MSI messages NDIS connected.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_io_interrupt_message_info>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _IO_INTERRUPT_MESSAGE_INFO {
    /// The IRQL all messages run at.
    pub UnifiedIrql: KIRQL,
    /// Entries.
    pub MessageCount: ULONG,
    /// The first entry.
    pub MessageInfo: [IO_INTERRUPT_MESSAGE_INFO_ENTRY; 1],
}
/// `IO_INTERRUPT_MESSAGE_INFO`.
pub type IO_INTERRUPT_MESSAGE_INFO = _IO_INTERRUPT_MESSAGE_INFO;
/// `PIO_INTERRUPT_MESSAGE_INFO`.
pub type PIO_INTERRUPT_MESSAGE_INFO = *mut _IO_INTERRUPT_MESSAGE_INFO;

// ---------------------------------------------------------------------------------------------
// The other members of NDIS_MINIPORT_ADAPTER_ATTRIBUTES
// ---------------------------------------------------------------------------------------------

/// `NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES` (set in `MiniportAddDevice`, which this miniport has not).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_add_device_registration_attributes>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// The context of the added device.
    pub MiniportAddDeviceContext: NDIS_HANDLE,
    /// Reserved.
    pub Flags: ULONG,
}
/// `NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES =
    _NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES;

/// `NDIS_OFFLOAD`: a bindgen opaque type (task offload,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_OFFLOAD {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray<[u32; 54]>,
}
/// `PNDIS_OFFLOAD`.
pub type PNDIS_OFFLOAD = *mut _NDIS_OFFLOAD;

/// `NDIS_TCP_CONNECTION_OFFLOAD`: a bindgen opaque type (TCP chimney offload,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_TCP_CONNECTION_OFFLOAD {
    /// bindgen's alignment marker.
    pub _bindgen_align: [u32; 0],
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: [u32; 5],
}
/// `PNDIS_TCP_CONNECTION_OFFLOAD`.
pub type PNDIS_TCP_CONNECTION_OFFLOAD = *mut _NDIS_TCP_CONNECTION_OFFLOAD;

/// `DOT11_PHY_ATTRIBUTES`: a bindgen opaque type (802.11,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DOT11_PHY_ATTRIBUTES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray<[u32; 273]>,
}
/// `PDOT11_PHY_ATTRIBUTES`.
pub type PDOT11_PHY_ATTRIBUTES = *mut DOT11_PHY_ATTRIBUTES;

/// `DOT11_EXTSTA_ATTRIBUTES`: a bindgen opaque type (802.11,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DOT11_EXTSTA_ATTRIBUTES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray8<[u8; 160]>,
}
/// `PDOT11_EXTSTA_ATTRIBUTES`.
pub type PDOT11_EXTSTA_ATTRIBUTES = *mut DOT11_EXTSTA_ATTRIBUTES;

/// `DOT11_VWIFI_ATTRIBUTES`: a bindgen opaque type (802.11,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DOT11_VWIFI_ATTRIBUTES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: [u32; 6],
}
/// `PDOT11_VWIFI_ATTRIBUTES`.
pub type PDOT11_VWIFI_ATTRIBUTES = *mut DOT11_VWIFI_ATTRIBUTES;

/// `DOT11_EXTAP_ATTRIBUTES`: a bindgen opaque type (802.11,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _DOT11_EXTAP_ATTRIBUTES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray8<[u8; 80]>,
}
/// `PDOT11_EXTAP_ATTRIBUTES`.
pub type PDOT11_EXTAP_ATTRIBUTES = *mut _DOT11_EXTAP_ATTRIBUTES;

/// `DOT11_WFD_ATTRIBUTES`: a bindgen opaque type (802.11,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _DOT11_WFD_ATTRIBUTES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray8<[u8; 72]>,
}
/// `PDOT11_WFD_ATTRIBUTES`.
pub type PDOT11_WFD_ATTRIBUTES = *mut _DOT11_WFD_ATTRIBUTES;

/// `NDIS_HD_SPLIT_ATTRIBUTES`: a bindgen opaque type (header-data split,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_HD_SPLIT_ATTRIBUTES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: [u32; 6],
}
/// `PNDIS_HD_SPLIT_ATTRIBUTES`.
pub type PNDIS_HD_SPLIT_ATTRIBUTES = *mut _NDIS_HD_SPLIT_ATTRIBUTES;

/// `NDIS_RECEIVE_FILTER_CAPABILITIES`: a bindgen opaque type (receive filtering (VMQ),
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_RECEIVE_FILTER_CAPABILITIES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: [u32; 21],
}
/// `PNDIS_RECEIVE_FILTER_CAPABILITIES`.
pub type PNDIS_RECEIVE_FILTER_CAPABILITIES = *mut _NDIS_RECEIVE_FILTER_CAPABILITIES;

/// `NDIS_NIC_SWITCH_CAPABILITIES`: a bindgen opaque type (NIC switches,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_NIC_SWITCH_CAPABILITIES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray<[u32; 33]>,
}
/// `PNDIS_NIC_SWITCH_CAPABILITIES`.
pub type PNDIS_NIC_SWITCH_CAPABILITIES = *mut _NDIS_NIC_SWITCH_CAPABILITIES;

/// `NDIS_SRIOV_CAPABILITIES`: a bindgen opaque type (SR-IOV,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_SRIOV_CAPABILITIES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: [u32; 3],
}
/// `PNDIS_SRIOV_CAPABILITIES`.
pub type PNDIS_SRIOV_CAPABILITIES = *mut _NDIS_SRIOV_CAPABILITIES;

/// `NDIS_QOS_CAPABILITIES`: a bindgen opaque type (DCB quality of service,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_QOS_CAPABILITIES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: [u32; 5],
}
/// `PNDIS_QOS_CAPABILITIES`.
pub type PNDIS_QOS_CAPABILITIES = *mut _NDIS_QOS_CAPABILITIES;

/// `NDIS_GFT_OFFLOAD_CAPABILITIES`: a bindgen opaque type (generic flow table offload,
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_GFT_OFFLOAD_CAPABILITIES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: [u32; 21],
}
/// `PNDIS_GFT_OFFLOAD_CAPABILITIES`.
pub type PNDIS_GFT_OFFLOAD_CAPABILITIES = *mut _NDIS_GFT_OFFLOAD_CAPABILITIES;

/// `NDIS_NDK_CAPABILITIES`: a bindgen opaque type (NDK (RDMA),
/// which the 82540EM does not have).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_NDK_CAPABILITIES {
    /// The structure's bytes (`sizeof` and alignment of the C type; no fields).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray8<[u8; 56]>,
}
/// `PNDIS_NDK_CAPABILITIES`.
pub type PNDIS_NDK_CAPABILITIES = *mut _NDIS_NDK_CAPABILITIES;

/// `NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES` (not set: no task offload).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// Offloads on by default.
    pub DefaultOffloadConfiguration: PNDIS_OFFLOAD,
    /// Offloads the hardware has.
    pub HardwareOffloadCapabilities: PNDIS_OFFLOAD,
    /// Chimney default.
    pub DefaultTcpConnectionOffloadConfiguration: PNDIS_TCP_CONNECTION_OFFLOAD,
    /// Chimney capabilities.
    pub TcpConnectionOffloadHardwareCapabilities: PNDIS_TCP_CONNECTION_OFFLOAD,
}
/// `NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES = _NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;

/// `NDIS_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES` (not set: not a wireless adapter).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_native_802_11_attributes>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// Operation modes.
    pub OpModeCapability: ULONG,
    /// Transmit buffers.
    pub NumOfTXBuffers: ULONG,
    /// Receive buffers.
    pub NumOfRXBuffers: ULONG,
    /// 802.11d.
    pub MultiDomainCapabilityImplemented: BOOLEAN,
    /// PHYs.
    pub NumSupportedPhys: ULONG,
    /// Their attributes.
    pub SupportedPhyAttributes: PDOT11_PHY_ATTRIBUTES,
    /// Extensible station.
    pub ExtSTAAttributes: PDOT11_EXTSTA_ATTRIBUTES,
    /// Virtual Wi-Fi.
    pub VWiFiAttributes: PDOT11_VWIFI_ATTRIBUTES,
    /// Extensible access point.
    pub ExtAPAttributes: PDOT11_EXTAP_ATTRIBUTES,
    /// Wi-Fi Direct.
    pub WFDAttributes: PDOT11_WFD_ATTRIBUTES,
}
/// `NDIS_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES =
    _NDIS_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES;

/// `NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES` (not set: no virtualization support).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_hardware_assist_attributes>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// Header-data split.
    pub HDSplitAttributes: PNDIS_HD_SPLIT_ATTRIBUTES,
    /// Receive filters the hardware has.
    pub HardwareReceiveFilterCapabilities: PNDIS_RECEIVE_FILTER_CAPABILITIES,
    /// Receive filters enabled.
    pub CurrentReceiveFilterCapabilities: PNDIS_RECEIVE_FILTER_CAPABILITIES,
    /// NIC switch, hardware.
    pub HardwareNicSwitchCapabilities: PNDIS_NIC_SWITCH_CAPABILITIES,
    /// NIC switch, enabled.
    pub CurrentNicSwitchCapabilities: PNDIS_NIC_SWITCH_CAPABILITIES,
    /// SR-IOV, hardware.
    pub HardwareSriovCapabilities: PNDIS_SRIOV_CAPABILITIES,
    /// SR-IOV, enabled.
    pub CurrentSriovCapabilities: PNDIS_SRIOV_CAPABILITIES,
    /// Quality of service, hardware.
    pub HardwareQosCapabilities: PNDIS_QOS_CAPABILITIES,
    /// Quality of service, enabled.
    pub CurrentQosCapabilities: PNDIS_QOS_CAPABILITIES,
    /// GFT, hardware.
    pub HardwareGftOffloadCapabilities: PNDIS_GFT_OFFLOAD_CAPABILITIES,
    /// GFT, enabled.
    pub CurrentGftOffloadCapabilities: PNDIS_GFT_OFFLOAD_CAPABILITIES,
}
/// `NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES =
    _NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES;

/// `NDIS_MINIPORT_ADAPTER_NDK_ATTRIBUTES` (not set: no RDMA).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_ndk_attributes>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_MINIPORT_ADAPTER_NDK_ATTRIBUTES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// NDK enabled.
    pub Enabled: BOOLEAN,
    /// Its capabilities.
    pub NdkCapabilities: PNDIS_NDK_CAPABILITIES,
}
/// `NDIS_MINIPORT_ADAPTER_NDK_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADAPTER_NDK_ATTRIBUTES = _NDIS_MINIPORT_ADAPTER_NDK_ATTRIBUTES;

/// `NDIS_MINIPORT_ADAPTER_PACKET_DIRECT_ATTRIBUTES` (not set: no `PacketDirect`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_packet_direct_attributes>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_MINIPORT_ADAPTER_PACKET_DIRECT_ATTRIBUTES {
    /// The object header.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// DMA address bits.
    pub DmaAddressWidth: UCHAR,
}
/// `NDIS_MINIPORT_ADAPTER_PACKET_DIRECT_ATTRIBUTES`.
pub type NDIS_MINIPORT_ADAPTER_PACKET_DIRECT_ATTRIBUTES =
    _NDIS_MINIPORT_ADAPTER_PACKET_DIRECT_ATTRIBUTES;
