//! `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`, built from the same values the OIDs answer,
//! so what NDIS is told at initialisation and what the OIDs say later cannot disagree.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>

use core::mem::{offset_of, size_of};

use crate::e1000::{LinkStatus, Speed};
use crate::sys::{
    IF_TYPE_ETHERNET_CSMACD, MediaConnectStateConnected, MediaConnectStateDisconnected,
    MediaDuplexStateFull, MediaDuplexStateHalf, MediaDuplexStateUnknown, NDIS_MEDIA_CONNECT_STATE,
    NDIS_MEDIA_DUPLEX_STATE, NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, NET_IF_ACCESS_BROADCAST,
    NET_IF_CONNECTION_DEDICATED, NET_IF_DIRECTION_SENDRECEIVE, NdisMedium802_3,
    NdisPauseFunctionsUnsupported, NdisPhysicalMedium802_3,
};

use super::info::{
    AdapterInfo, MAC_OPTIONS, MAX_LOOKAHEAD, MAX_MULTICAST_LIST, MTU, SUPPORTED_PACKET_FILTERS,
};
use super::query::{supported_oids, supported_statistics};
use super::set::AUTO_NEGOTIATE_SPEED_AND_DUPLEX;
use super::wire::{self};

/// `NDIS_LINK_SPEED_UNKNOWN` (`((ULONG64)(-1))`, `ndis.h`): the speed of a link that is down.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_link_state>
pub const NDIS_LINK_SPEED_UNKNOWN: u64 = u64::MAX;

/// The fastest the 8254x runs: 1 Gbit/s.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
pub const MAX_LINK_SPEED: u64 = Speed::Mbps1000.bits_per_second();

/// `NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2`: through
/// `PowerManagementCapabilitiesEx`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
pub const GENERAL_ATTRIBUTES_SIZE: usize = offset_of!(
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    PowerManagementCapabilitiesEx
) + size_of::<*mut core::ffi::c_void>();

/// The link as NDIS describes it (`NDIS_LINK_STATE` and the general attributes): connect
/// state, duplex, and speed in bit/s ([`NDIS_LINK_SPEED_UNKNOWN`] while down).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_link_state>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NdisLink {
    /// `MediaConnectState*`.
    pub connect: NDIS_MEDIA_CONNECT_STATE,
    /// `MediaDuplexState*`.
    pub duplex: NDIS_MEDIA_DUPLEX_STATE,
    /// Transmit and receive speed.
    pub speed: u64,
    /// `NDIS_LINK_STATE_*_AUTO_NEGOTIATED`: speed and duplex, once the link is up (the
    /// driver always auto-negotiates; flow control is not reported).
    pub auto_negotiation: u32,
}

impl NdisLink {
    /// The NDIS view of `link`.
    #[must_use]
    pub const fn of(link: LinkStatus) -> Self {
        if link.up {
            Self {
                connect: MediaConnectStateConnected,
                duplex: if link.full_duplex {
                    MediaDuplexStateFull
                } else {
                    MediaDuplexStateHalf
                },
                speed: link.speed.bits_per_second(),
                auto_negotiation: AUTO_NEGOTIATE_SPEED_AND_DUPLEX,
            }
        } else {
            Self {
                connect: MediaConnectStateDisconnected,
                duplex: MediaDuplexStateUnknown,
                speed: NDIS_LINK_SPEED_UNKNOWN,
                auto_negotiation: 0,
            }
        }
    }
}

// `SupportedPauseFunctions` is left at its default 0, which is `NdisPauseFunctionsUnsupported`
// (the field's C type differs between header versions, so it is not assigned).
const _: () = assert!(NdisPauseFunctionsUnsupported == 0);

/// A MAC address in the 32-byte field of the attributes.
fn address_field(address: [u8; 6]) -> [u8; 32] {
    let mut field = [0; 32];
    field[..6].copy_from_slice(&address);
    field
}

/// The general attributes for `info` (revision 2, NDIS 6.20 and later): 802.3, the MTU, the
/// link, the addresses, the capabilities this module answers with ([`supported_oids`],
/// [`SUPPORTED_PACKET_FILTERS`], [`MAX_MULTICAST_LIST`], [`supported_statistics`],
/// [`MAC_OPTIONS`]), no power management and no RSS (null capabilities). `SupportedOidList`
/// points at static memory, valid for as long as the driver is loaded; NDIS copies it.
#[must_use]
pub fn general_attributes(info: &AdapterInfo) -> NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
    let link = NdisLink::of(info.link);
    let oids = supported_oids();
    let mut attributes = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
        MediaType: NdisMedium802_3,
        PhysicalMediumType: NdisPhysicalMedium802_3,
        MtuSize: MTU,
        MaxXmitLinkSpeed: MAX_LINK_SPEED,
        XmitLinkSpeed: link.speed,
        MaxRcvLinkSpeed: MAX_LINK_SPEED,
        RcvLinkSpeed: link.speed,
        MediaConnectState: link.connect,
        MediaDuplexState: link.duplex,
        LookaheadSize: MAX_LOOKAHEAD,
        MacOptions: MAC_OPTIONS,
        SupportedPacketFilters: SUPPORTED_PACKET_FILTERS,
        MaxMulticastListSize: wire::count(MAX_MULTICAST_LIST),
        MacAddressLength: 6,
        PermanentMacAddress: address_field(info.permanent_address.octets()),
        CurrentMacAddress: address_field(info.current_address.octets()),
        AccessType: NET_IF_ACCESS_BROADCAST,
        DirectionType: NET_IF_DIRECTION_SENDRECEIVE,
        ConnectionType: NET_IF_CONNECTION_DEDICATED,
        IfType: u16::try_from(IF_TYPE_ETHERNET_CSMACD).unwrap_or(u16::MAX),
        IfConnectorPresent: 1,
        SupportedStatistics: supported_statistics(),
        SupportedOidList: oids.as_ptr().cast_mut(),
        SupportedOidListLength: wire::count(core::mem::size_of_val(oids)),
        AutoNegotiationFlags: link.auto_negotiation,
        ..NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES::default()
    };
    attributes.Header.Type = OBJECT_TYPE;
    attributes.Header.Revision = REVISION;
    attributes.Header.Size = wire::header_size(GENERAL_ATTRIBUTES_SIZE);
    attributes
}

/// The header's `Type` (`UCHAR`).
#[allow(
    clippy::cast_possible_truncation,
    reason = "0x9F fits a UCHAR; asserted below"
)]
const OBJECT_TYPE: u8 = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES as u8;
/// The header's `Revision` (`UCHAR`).
#[allow(
    clippy::cast_possible_truncation,
    reason = "2 fits a UCHAR; asserted below"
)]
const REVISION: u8 = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 as u8;
const _: () = assert!(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES <= 0xFF);
const _: () = assert!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 <= 0xFF);
