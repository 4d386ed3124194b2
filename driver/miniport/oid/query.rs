//! Query OIDs: the answer to each, as the bytes NDIS expects in the information buffer.

use core::mem::offset_of;

use crate::sys::{
    NDIS_INTERRUPT_MODERATION_PARAMETERS, NDIS_OID, NDIS_STATISTICS_BROADCAST_BYTES_RCV_SUPPORTED,
    NDIS_STATISTICS_BROADCAST_BYTES_XMIT_SUPPORTED, NDIS_STATISTICS_BROADCAST_FRAMES_RCV_SUPPORTED,
    NDIS_STATISTICS_BROADCAST_FRAMES_XMIT_SUPPORTED, NDIS_STATISTICS_BYTES_RCV_SUPPORTED,
    NDIS_STATISTICS_BYTES_XMIT_SUPPORTED, NDIS_STATISTICS_DIRECTED_BYTES_RCV_SUPPORTED,
    NDIS_STATISTICS_DIRECTED_BYTES_XMIT_SUPPORTED, NDIS_STATISTICS_DIRECTED_FRAMES_RCV_SUPPORTED,
    NDIS_STATISTICS_DIRECTED_FRAMES_XMIT_SUPPORTED,
    NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT,
    NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT, NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT, NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT,
    NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT,
    NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT,
    NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT, NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS,
    NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR, NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS,
    NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR, NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED,
    NDIS_STATISTICS_INFO, NDIS_STATISTICS_MULTICAST_BYTES_RCV_SUPPORTED,
    NDIS_STATISTICS_MULTICAST_BYTES_XMIT_SUPPORTED, NDIS_STATISTICS_MULTICAST_FRAMES_RCV_SUPPORTED,
    NDIS_STATISTICS_MULTICAST_FRAMES_XMIT_SUPPORTED, NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED,
    NDIS_STATISTICS_RCV_ERROR_SUPPORTED, NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED,
    NDIS_STATISTICS_RCV_OK_SUPPORTED, NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED,
    NDIS_STATISTICS_XMIT_ERROR_SUPPORTED, NDIS_STATISTICS_XMIT_OK_SUPPORTED, NdisMedium802_3,
    OID_802_3_CURRENT_ADDRESS, OID_802_3_MAXIMUM_LIST_SIZE, OID_802_3_MULTICAST_LIST,
    OID_802_3_PERMANENT_ADDRESS, OID_802_3_RCV_ERROR_ALIGNMENT, OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_DRIVER_VERSION, OID_GEN_HARDWARE_STATUS,
    OID_GEN_INTERRUPT_MODERATION, OID_GEN_LINK_PARAMETERS, OID_GEN_LINK_SPEED, OID_GEN_MAC_OPTIONS,
    OID_GEN_MAXIMUM_FRAME_SIZE, OID_GEN_MAXIMUM_LOOKAHEAD, OID_GEN_MAXIMUM_SEND_PACKETS,
    OID_GEN_MAXIMUM_TOTAL_SIZE, OID_GEN_MEDIA_CONNECT_STATUS, OID_GEN_MEDIA_IN_USE,
    OID_GEN_MEDIA_SUPPORTED, OID_GEN_RCV_ERROR, OID_GEN_RCV_NO_BUFFER, OID_GEN_RCV_OK,
    OID_GEN_RECEIVE_BLOCK_SIZE, OID_GEN_RECEIVE_BUFFER_SPACE, OID_GEN_STATISTICS,
    OID_GEN_SUPPORTED_LIST, OID_GEN_TRANSMIT_BLOCK_SIZE, OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_VENDOR_DESCRIPTION, OID_GEN_VENDOR_DRIVER_VERSION, OID_GEN_VENDOR_ID,
    OID_GEN_XMIT_ERROR, OID_GEN_XMIT_OK,
};

use super::error::OidError;
use super::info::{
    AdapterInfo, MAC_OPTIONS, MAX_LOOKAHEAD, MAX_MULTICAST_LIST, MAX_TOTAL_SIZE, MTU,
    NDIS_DRIVER_VERSION, VENDOR_DESCRIPTION, VENDOR_DRIVER_VERSION,
};
use super::wire::{
    self, Header, INTERRUPT_MODERATION_SIZE, NDIS_MEDIA_STATE_CONNECTED,
    NDIS_MEDIA_STATE_DISCONNECTED, STATISTICS_INFO_SIZE,
};

/// Every OID the driver answers, query or set (`OID_GEN_SUPPORTED_LIST`, and the general
/// attributes' `SupportedOidList`). NDIS answers the rest from the general attributes.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-supported-list>
static SUPPORTED_OIDS: [NDIS_OID; 34] = [
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_DRIVER_VERSION,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_MAC_OPTIONS,
    OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MAXIMUM_SEND_PACKETS,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_LINK_PARAMETERS,
    OID_GEN_INTERRUPT_MODERATION,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_GEN_STATISTICS,
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
    OID_802_3_RCV_ERROR_ALIGNMENT,
];

/// The OIDs the driver answers, query or set: the `OID_GEN_SUPPORTED_LIST` answer and the
/// general attributes' `SupportedOidList` (`SupportedOidListLength` = `len() * 4`). The
/// slice lives in static memory, so the general attributes may point at it.
#[must_use]
pub const fn supported_oids() -> &'static [NDIS_OID] {
    &SUPPORTED_OIDS
}

/// The counters valid in the `NDIS_STATISTICS_INFO` of `OID_GEN_STATISTICS`
/// (`SupportedStatistics` there): every field is filled.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_statistics_info>
pub const STATISTICS_VALID_FLAGS: u32 = NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS
    | NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR
    | NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR
    | NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS
    | NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT;

/// The statistics the driver supports, for the general attributes' `SupportedStatistics`
/// (`NDIS_STATISTICS_*_SUPPORTED`): the five counter OIDs and everything
/// `OID_GEN_STATISTICS` fills ([`STATISTICS_VALID_FLAGS`]).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
#[must_use]
pub const fn supported_statistics() -> u32 {
    NDIS_STATISTICS_XMIT_OK_SUPPORTED
        | NDIS_STATISTICS_RCV_OK_SUPPORTED
        | NDIS_STATISTICS_XMIT_ERROR_SUPPORTED
        | NDIS_STATISTICS_RCV_ERROR_SUPPORTED
        | NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED
        | NDIS_STATISTICS_DIRECTED_BYTES_XMIT_SUPPORTED
        | NDIS_STATISTICS_DIRECTED_FRAMES_XMIT_SUPPORTED
        | NDIS_STATISTICS_MULTICAST_BYTES_XMIT_SUPPORTED
        | NDIS_STATISTICS_MULTICAST_FRAMES_XMIT_SUPPORTED
        | NDIS_STATISTICS_BROADCAST_BYTES_XMIT_SUPPORTED
        | NDIS_STATISTICS_BROADCAST_FRAMES_XMIT_SUPPORTED
        | NDIS_STATISTICS_DIRECTED_BYTES_RCV_SUPPORTED
        | NDIS_STATISTICS_DIRECTED_FRAMES_RCV_SUPPORTED
        | NDIS_STATISTICS_MULTICAST_BYTES_RCV_SUPPORTED
        | NDIS_STATISTICS_MULTICAST_FRAMES_RCV_SUPPORTED
        | NDIS_STATISTICS_BROADCAST_BYTES_RCV_SUPPORTED
        | NDIS_STATISTICS_BROADCAST_FRAMES_RCV_SUPPORTED
        | NDIS_STATISTICS_BYTES_RCV_SUPPORTED
        | NDIS_STATISTICS_BYTES_XMIT_SUPPORTED
        | NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED
        | NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED
        | NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED
}

/// A successful query: what to store in the request's `BytesWritten` and `BytesNeeded`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/oidrequest/ns-oidrequest-ndis_oid_request>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryAnswer {
    /// Bytes written at the start of the buffer.
    pub written: usize,
    /// The full size of the answer: equal to `written`, except for a 64-bit counter read
    /// into a 4-byte buffer (8 then, as the 64-bit statistics page requires).
    pub needed: usize,
}

/// Largest fixed answer: the multicast list (32 × 6 = 192 bytes).
const SCRATCH: usize = 192;
const _: () = assert!(SUPPORTED_OIDS.len() * 4 <= SCRATCH);
const _: () = assert!(MAX_MULTICAST_LIST * 6 <= SCRATCH);
const _: () = assert!(STATISTICS_INFO_SIZE <= SCRATCH);
const _: () = assert!(VENDOR_DESCRIPTION.len() <= SCRATCH);
const _: () = assert!(INTERRUPT_MODERATION_SIZE <= SCRATCH);

/// The answer to one query before it meets the caller's buffer.
enum Reply {
    /// A fixed-size value: the buffer must hold all of it.
    Fixed { bytes: [u8; SCRATCH], len: usize },
    /// A statistics counter: 8 bytes, or its low 32 bits into a 4-byte buffer.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/querying-64-bit-statistics-oids>
    Counter(u64),
}

impl Reply {
    fn bytes(data: &[u8]) -> Self {
        let mut bytes = [0; SCRATCH];
        bytes[..data.len()].copy_from_slice(data);
        Self::Fixed {
            bytes,
            len: data.len(),
        }
    }

    fn u32(value: u32) -> Self {
        Self::bytes(&value.to_le_bytes())
    }

    fn i32(value: i32) -> Self {
        Self::bytes(&value.to_le_bytes())
    }

    /// A structure written by `fill` into `len` zeroed bytes.
    fn with(len: usize, fill: impl FnOnce(&mut [u8])) -> Self {
        let mut bytes = [0; SCRATCH];
        fill(&mut bytes[..len]);
        Self::Fixed { bytes, len }
    }
}

/// Answers the query `oid` from `info` into `out` (the request's information buffer).
///
/// # Errors
/// [`OidError::NotSupported`] for an OID the driver does not answer as a query (see
/// [`supported_oids`]; set-only OIDs such as `OID_GEN_LINK_PARAMETERS` and the power OIDs
/// the driver does not implement included); [`OidError::BufferTooShort`] with the exact
/// size when `out` cannot hold the answer; for a statistics counter (`OID_GEN_XMIT_OK`,
/// `OID_GEN_RCV_OK`, `OID_GEN_XMIT_ERROR`, `OID_GEN_RCV_ERROR`, `OID_GEN_RCV_NO_BUFFER`,
/// `OID_802_3_RCV_ERROR_ALIGNMENT`) a buffer shorter than 4 bytes is
/// [`OidError::InvalidLength`] with 8 needed, as the 64-bit statistics page requires.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/querying-64-bit-statistics-oids>
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
pub fn query(oid: NDIS_OID, info: &AdapterInfo, out: &mut [u8]) -> Result<QueryAnswer, OidError> {
    match reply(oid, info)? {
        Reply::Fixed { bytes, len } => {
            let dst = out
                .get_mut(..len)
                .ok_or(OidError::BufferTooShort { needed: len })?;
            dst.copy_from_slice(&bytes[..len]);
            Ok(QueryAnswer {
                written: len,
                needed: len,
            })
        }
        Reply::Counter(value) => {
            let bytes = value.to_le_bytes();
            // "Querying 64-Bit Statistics OIDs": 8 or more bytes get the value, 4 to 7 the
            // low 32 bits (success, BytesNeeded 8), fewer than 4 NDIS_STATUS_INVALID_LENGTH
            // with BytesNeeded 8 (not BUFFER_TOO_SHORT: the page names the status).
            let written = if out.len() >= 8 {
                8
            } else if out.len() >= 4 {
                4
            } else {
                return Err(OidError::InvalidLength { needed: 8 });
            };
            out[..written].copy_from_slice(&bytes[..written]);
            Ok(QueryAnswer { written, needed: 8 })
        }
    }
}

/// The answer to `oid`, or `NotSupported`.
fn reply(oid: NDIS_OID, info: &AdapterInfo) -> Result<Reply, OidError> {
    let reply = match oid {
        OID_GEN_SUPPORTED_LIST => Reply::with(SUPPORTED_OIDS.len() * 4, |out| {
            for (i, oid) in SUPPORTED_OIDS.iter().enumerate() {
                wire::put_u32(out, i * 4, *oid);
            }
        }),
        OID_GEN_HARDWARE_STATUS => Reply::i32(info.hardware_status.to_ndis()),
        OID_GEN_MEDIA_SUPPORTED | OID_GEN_MEDIA_IN_USE => Reply::i32(NdisMedium802_3),
        OID_GEN_MAXIMUM_LOOKAHEAD => Reply::u32(MAX_LOOKAHEAD),
        OID_GEN_MAXIMUM_FRAME_SIZE => Reply::u32(MTU),
        OID_GEN_LINK_SPEED => Reply::u32(link_speed(info)),
        OID_GEN_TRANSMIT_BUFFER_SPACE => {
            Reply::u32(info.rings.tx_descriptors.saturating_mul(MAX_TOTAL_SIZE))
        }
        OID_GEN_RECEIVE_BUFFER_SPACE => Reply::u32(
            info.rings
                .rx_descriptors
                .saturating_mul(info.rings.rx_buffer_size),
        ),
        OID_GEN_TRANSMIT_BLOCK_SIZE | OID_GEN_MAXIMUM_TOTAL_SIZE => Reply::u32(MAX_TOTAL_SIZE),
        OID_GEN_RECEIVE_BLOCK_SIZE => Reply::u32(info.rings.rx_buffer_size),
        OID_GEN_VENDOR_ID => Reply::bytes(&vendor_id(info)),
        OID_GEN_VENDOR_DESCRIPTION => Reply::bytes(VENDOR_DESCRIPTION),
        OID_GEN_CURRENT_PACKET_FILTER => Reply::u32(info.packet_filter),
        OID_GEN_CURRENT_LOOKAHEAD => Reply::u32(info.lookahead),
        OID_GEN_DRIVER_VERSION => Reply::bytes(&NDIS_DRIVER_VERSION.to_le_bytes()),
        OID_GEN_MAC_OPTIONS => Reply::u32(MAC_OPTIONS),
        OID_GEN_MEDIA_CONNECT_STATUS => Reply::u32(if info.link.up {
            NDIS_MEDIA_STATE_CONNECTED
        } else {
            NDIS_MEDIA_STATE_DISCONNECTED
        }),
        OID_GEN_MAXIMUM_SEND_PACKETS => Reply::u32(info.rings.tx_descriptors),
        OID_GEN_VENDOR_DRIVER_VERSION => Reply::u32(VENDOR_DRIVER_VERSION),
        OID_GEN_INTERRUPT_MODERATION => Reply::with(INTERRUPT_MODERATION_SIZE, |out| {
            Header::default_revision_1(INTERRUPT_MODERATION_SIZE).write(out);
            // Flags stay 0: switching moderation needs neither a reset nor a reinitialise.
            wire::put_i32(
                out,
                offset_of!(NDIS_INTERRUPT_MODERATION_PARAMETERS, InterruptModeration),
                info.interrupt_moderation.to_ndis(),
            );
        }),
        OID_GEN_XMIT_OK => Reply::Counter(info.counters.tx_frames()),
        OID_GEN_RCV_OK => Reply::Counter(info.counters.rx_frames()),
        OID_GEN_XMIT_ERROR => Reply::Counter(info.counters.tx_errors),
        OID_GEN_RCV_ERROR => Reply::Counter(info.rx_errors()),
        OID_GEN_RCV_NO_BUFFER => Reply::Counter(info.rx_discards()),
        OID_802_3_RCV_ERROR_ALIGNMENT => Reply::Counter(info.nic.alignment_errors),
        OID_GEN_STATISTICS => Reply::with(STATISTICS_INFO_SIZE, |out| statistics(info, out)),
        OID_802_3_PERMANENT_ADDRESS => Reply::bytes(&info.permanent_address.octets()),
        OID_802_3_CURRENT_ADDRESS => Reply::bytes(&info.current_address.octets()),
        OID_802_3_MULTICAST_LIST => {
            let list = info.multicast.as_slice();
            Reply::with(list.len() * 6, |out| {
                for (chunk, address) in out.chunks_exact_mut(6).zip(list) {
                    chunk.copy_from_slice(&address.octets());
                }
            })
        }
        OID_802_3_MAXIMUM_LIST_SIZE => Reply::u32(wire::count(MAX_MULTICAST_LIST)),
        _ => return Err(OidError::NotSupported),
    };
    Ok(reply)
}

/// `OID_GEN_LINK_SPEED`: the speed in units of 100 bit/s, 0 while the link is down.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-link-speed>
fn link_speed(info: &AdapterInfo) -> u32 {
    if info.link.up {
        u32::try_from(info.link.speed.bits_per_second() / 100).unwrap_or(u32::MAX)
    } else {
        0
    }
}

/// `OID_GEN_VENDOR_ID`: the IEEE OUI, which the page says is the first three bytes of the
/// hardware address, then one vendor-assigned byte identifying the NIC, which this driver
/// leaves 0. A permanent address with the locally-administered bit (0x02 of the first
/// octet) carries no IEEE-registered code (QEMU's 52:54:00 is one), so the answer is then
/// the page's 0xFFFFFF for "vendors without an IEEE-registered code".
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-vendor-id>
fn vendor_id(info: &AdapterInfo) -> [u8; 4] {
    let address = info.permanent_address.octets();
    if address[0] & LOCALLY_ADMINISTERED != 0 {
        [0xFF, 0xFF, 0xFF, 0]
    } else {
        [address[0], address[1], address[2], 0]
    }
}

/// The IEEE 802 U/L bit of a MAC address's first octet: set for a locally administered
/// address, whose first three bytes are no registered OUI.
const LOCALLY_ADMINISTERED: u8 = 0x02;

/// `NDIS_STATISTICS_INFO`: the driver's counters by frame kind, with the NIC's error and
/// loss counters in `ifInErrors` / `ifInDiscards`. Each sum equals the corresponding counter
/// OID (`ifHCOut*Pkts` → `OID_GEN_XMIT_OK`, `ifHCIn*Pkts` → `OID_GEN_RCV_OK`, …).
fn statistics(info: &AdapterInfo, out: &mut [u8]) {
    macro_rules! put {
        ($field:ident, $value:expr) => {
            wire::put_u64(out, offset_of!(NDIS_STATISTICS_INFO, $field), $value)
        };
    }
    let c = &info.counters;
    Header::default_revision_1(STATISTICS_INFO_SIZE).write(out);
    wire::put_u32(
        out,
        offset_of!(NDIS_STATISTICS_INFO, SupportedStatistics),
        STATISTICS_VALID_FLAGS,
    );
    put!(ifInDiscards, info.rx_discards());
    put!(ifInErrors, info.rx_errors());
    put!(
        ifHCInOctets,
        c.rx_directed_bytes
            .wrapping_add(c.rx_multicast_bytes)
            .wrapping_add(c.rx_broadcast_bytes)
    );
    put!(ifHCInUcastPkts, c.rx_directed_frames);
    put!(ifHCInMulticastPkts, c.rx_multicast_frames);
    put!(ifHCInBroadcastPkts, c.rx_broadcast_frames);
    put!(
        ifHCOutOctets,
        c.tx_directed_bytes
            .wrapping_add(c.tx_multicast_bytes)
            .wrapping_add(c.tx_broadcast_bytes)
    );
    put!(ifHCOutUcastPkts, c.tx_directed_frames);
    put!(ifHCOutMulticastPkts, c.tx_multicast_frames);
    put!(ifHCOutBroadcastPkts, c.tx_broadcast_frames);
    put!(ifOutErrors, c.tx_errors);
    put!(ifOutDiscards, c.tx_discards);
    put!(ifHCInUcastOctets, c.rx_directed_bytes);
    put!(ifHCInMulticastOctets, c.rx_multicast_bytes);
    put!(ifHCInBroadcastOctets, c.rx_broadcast_bytes);
    put!(ifHCOutUcastOctets, c.tx_directed_bytes);
    put!(ifHCOutMulticastOctets, c.tx_multicast_bytes);
    put!(ifHCOutBroadcastOctets, c.tx_broadcast_bytes);
}
