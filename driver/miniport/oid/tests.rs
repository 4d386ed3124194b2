//! Tests of the OID layer: every OID's answer, short buffers, bad values, the limits, the
//! statistics' consistency, and the request wrapper over a real `NDIS_OID_REQUEST`.

use alloc::vec;
use alloc::vec::Vec;
use core::mem::offset_of;

use super::wire::{self, Header};
use super::*;
use crate::e1000::{LinkStatus, MacAddress, Speed, Statistics};
use crate::sys::*;

const PERMANENT: MacAddress = MacAddress([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
const CURRENT: MacAddress = MacAddress([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
const GROUP: MacAddress = MacAddress([0x01, 0x00, 0x5E, 0x00, 0x00, 0x01]);

/// An adapter with distinct, nonzero values everywhere, so a field read from the wrong place
/// shows.
fn info() -> AdapterInfo {
    let counters = Counters {
        rx_directed_frames: 100,
        rx_directed_bytes: 100_000,
        rx_multicast_frames: 20,
        rx_multicast_bytes: 2_000,
        rx_broadcast_frames: 3,
        rx_broadcast_bytes: 300,
        tx_directed_frames: 400,
        tx_directed_bytes: 400_000,
        tx_multicast_frames: 50,
        tx_multicast_bytes: 5_000,
        tx_broadcast_frames: 6,
        tx_broadcast_bytes: 600,
        rx_errors: 7,
        rx_discards: 8,
        tx_errors: 9,
        tx_discards: 10,
    };
    let nic = Statistics {
        crc_errors: 1,
        alignment_errors: 2,
        symbol_errors: 3,
        rx_errors: 4,
        missed: 5,
        rx_undersize: 6,
        rx_oversize: 7,
        rx_no_buffers: 1000,
        ..Statistics::new()
    };
    AdapterInfo {
        permanent_address: PERMANENT,
        current_address: CURRENT,
        link: LinkStatus {
            up: true,
            full_duplex: true,
            speed: Speed::Mbps1000,
        },
        packet_filter: NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST,
        multicast: MulticastList::new(&[GROUP]).unwrap(),
        lookahead: 256,
        interrupt_moderation: InterruptModeration::Enabled,
        hardware_status: HardwareStatus::Ready,
        rings: RingInfo {
            tx_descriptors: 256,
            rx_descriptors: 128,
            rx_buffer_size: 2048,
        },
        counters,
        nic,
    }
}

/// Queries `oid` with a buffer of `len` bytes (filled with 0xAA to show what is written).
fn ask(oid: NDIS_OID, info: &AdapterInfo, len: usize) -> (Result<QueryAnswer, OidError>, Vec<u8>) {
    let mut out = vec![0xAA; len];
    let result = query(oid, info, &mut out);
    (result, out)
}

/// The full answer to `oid` (asks with a generous buffer, checks the written length).
fn answer(oid: NDIS_OID, info: &AdapterInfo) -> Vec<u8> {
    let (result, mut out) = ask(oid, info, 512);
    let answer = result.unwrap_or_else(|e| panic!("query {oid:#x}: {e}"));
    out.truncate(answer.written);
    out
}

fn u32_of(oid: NDIS_OID, info: &AdapterInfo) -> u32 {
    let bytes = answer(oid, info);
    assert_eq!(bytes.len(), 4, "OID {oid:#x} answers a ULONG");
    wire::get_u32(&bytes, 0)
}

fn u64_of(oid: NDIS_OID, info: &AdapterInfo) -> u64 {
    let bytes = answer(oid, info);
    assert_eq!(bytes.len(), 8, "OID {oid:#x} answers a 64-bit counter");
    wire::get_u64(&bytes, 0)
}

/// OIDs that only a set uses.
const SET_ONLY: [NDIS_OID; 1] = [OID_GEN_LINK_PARAMETERS];
/// The counter OIDs (8 bytes, or 4).
const COUNTERS: [NDIS_OID; 6] = [
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_802_3_RCV_ERROR_ALIGNMENT,
];

#[test]
fn every_query_oid_answers_and_a_buffer_one_byte_short_gets_the_exact_size() {
    let info = info();
    for &oid in supported_oids() {
        if SET_ONLY.contains(&oid) || COUNTERS.contains(&oid) {
            continue;
        }
        let full = answer(oid, &info);
        assert!(!full.is_empty(), "{oid:#x} answered nothing");
        // Exactly the size: success, with BytesNeeded equal to it.
        let (exact, out) = ask(oid, &info, full.len());
        assert_eq!(
            exact,
            Ok(QueryAnswer {
                written: full.len(),
                needed: full.len()
            })
        );
        assert_eq!(out, full);
        // One byte short: BUFFER_TOO_SHORT with the exact size, nothing written.
        let (short, out) = ask(oid, &info, full.len() - 1);
        assert_eq!(short, Err(OidError::BufferTooShort { needed: full.len() }));
        assert!(
            out.iter().all(|b| *b == 0xAA),
            "{oid:#x} wrote into a short buffer"
        );
        let (empty, _) = ask(oid, &info, 0);
        assert_eq!(empty.unwrap_err().bytes_needed(), full.len());
        assert_eq!(empty.unwrap_err().status(), NDIS_STATUS_BUFFER_TOO_SHORT);
    }
}

#[test]
fn counters_answer_64_bits_or_the_low_32_with_8_needed() {
    let mut info = info();
    info.counters.tx_directed_frames = 0x1_0000_0005;
    for oid in COUNTERS {
        let full = u64_of(oid, &info);
        let (result, out) = ask(oid, &info, 16);
        assert_eq!(
            result,
            Ok(QueryAnswer {
                written: 8,
                needed: 8
            })
        );
        assert!(out[8..].iter().all(|b| *b == 0xAA));
        for len in 4..8 {
            let (result, out) = ask(oid, &info, len);
            assert_eq!(
                result,
                Ok(QueryAnswer {
                    written: 4,
                    needed: 8
                }),
                "{oid:#x}"
            );
            assert_eq!(
                u64::from(wire::get_u32(&out, 0)),
                full & 0xFFFF_FFFF,
                "{oid:#x}: the low 32 bits"
            );
        }
        for len in 0..4 {
            let (result, _) = ask(oid, &info, len);
            // Under 4 bytes: INVALID_LENGTH (not BUFFER_TOO_SHORT), 8 needed.
            assert_eq!(
                result,
                Err(OidError::InvalidLength { needed: 8 }),
                "{oid:#x}"
            );
            assert_eq!(result.unwrap_err().status(), NDIS_STATUS_INVALID_LENGTH);
        }
    }
    assert_eq!(u64_of(OID_GEN_XMIT_OK, &info), 0x1_0000_0005 + 50 + 6);
}

#[test]
fn unknown_oids_set_only_oids_and_power_oids_are_not_supported() {
    let info = info();
    for oid in [
        0,
        0xFFFF_FFFF,
        OID_PNP_SET_POWER,
        OID_PNP_QUERY_POWER,
        OID_GEN_PHYSICAL_MEDIUM,
        OID_GEN_LINK_STATE,
        OID_802_3_XMIT_ONE_COLLISION,
        OID_GEN_LINK_PARAMETERS,
    ] {
        let (result, out) = ask(oid, &info, 64);
        assert_eq!(result, Err(OidError::NotSupported), "query {oid:#x}");
        assert!(out.iter().all(|b| *b == 0xAA));
        assert!(!supported_oids().contains(&oid) || SET_ONLY.contains(&oid));
    }
    for oid in [0, OID_PNP_SET_POWER, OID_PNP_QUERY_POWER, OID_GEN_VENDOR_ID] {
        assert_eq!(
            set(oid, &[0; 4], &info),
            Err(OidError::NotSupported),
            "set {oid:#x}"
        );
    }
    assert_eq!(OidError::NotSupported.status(), NDIS_STATUS_NOT_SUPPORTED);
    assert_eq!(OidError::NotSupported.bytes_needed(), 0);
}

#[test]
fn the_supported_list_is_what_the_driver_answers() {
    let info = info();
    let bytes = answer(OID_GEN_SUPPORTED_LIST, &info);
    let listed: Vec<NDIS_OID> = bytes.chunks_exact(4).map(|c| wire::get_u32(c, 0)).collect();
    assert_eq!(listed, supported_oids());
    for (i, oid) in listed.iter().enumerate() {
        assert!(!listed[..i].contains(oid), "{oid:#x} listed twice");
        // Each listed OID is answered as a query or accepted as a set (recognised, even if
        // this data is rejected).
        let queried = query(*oid, &info, &mut [0; 512]);
        let set_result = set(*oid, &[0; 64], &info);
        assert!(
            queried.is_ok() || set_result != Err(OidError::NotSupported),
            "{oid:#x} is listed but neither queried nor set"
        );
    }
    for oid in SET_ONLY {
        assert!(listed.contains(&oid));
    }
}

#[test]
fn fixed_characteristics() {
    let info = info();
    assert_eq!(u32_of(OID_GEN_MAXIMUM_FRAME_SIZE, &info), 1500);
    assert_eq!(u32_of(OID_GEN_MAXIMUM_TOTAL_SIZE, &info), 1514);
    assert_eq!(u32_of(OID_GEN_TRANSMIT_BLOCK_SIZE, &info), 1514);
    assert_eq!(u32_of(OID_GEN_RECEIVE_BLOCK_SIZE, &info), 2048);
    assert_eq!(u32_of(OID_GEN_TRANSMIT_BUFFER_SPACE, &info), 256 * 1514);
    assert_eq!(u32_of(OID_GEN_RECEIVE_BUFFER_SPACE, &info), 128 * 2048);
    assert_eq!(u32_of(OID_GEN_MAXIMUM_LOOKAHEAD, &info), 1500);
    assert_eq!(u32_of(OID_GEN_CURRENT_LOOKAHEAD, &info), 256);
    assert_eq!(u32_of(OID_GEN_MAXIMUM_SEND_PACKETS, &info), 256);
    assert_eq!(u32_of(OID_GEN_MAC_OPTIONS, &info), MAC_OPTIONS);
    assert_ne!(MAC_OPTIONS & NDIS_MAC_OPTION_NO_LOOPBACK, 0);
    assert_eq!(u32_of(OID_802_3_MAXIMUM_LIST_SIZE, &info), 32);
    assert_eq!(
        u32_of(OID_GEN_CURRENT_PACKET_FILTER, &info),
        NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST
    );
    assert_eq!(u32_of(OID_GEN_MEDIA_SUPPORTED, &info), 0); // NdisMedium802_3
    assert_eq!(u32_of(OID_GEN_MEDIA_IN_USE, &info), 0);
    assert_eq!(
        u32_of(OID_GEN_HARDWARE_STATUS, &info).cast_signed(),
        NdisHardwareStatusReady
    );
    let mut removed = info;
    removed.hardware_status = HardwareStatus::NotReady;
    assert_eq!(
        u32_of(OID_GEN_HARDWARE_STATUS, &removed).cast_signed(),
        NdisHardwareStatusNotReady
    );
}

#[test]
fn versions_and_vendor() {
    let info = info();
    // A USHORT, major in the high byte: NDIS 6.83.
    assert_eq!(answer(OID_GEN_DRIVER_VERSION, &info), [0x53, 0x06]);
    assert_eq!(NDIS_DRIVER_VERSION, 0x0653);
    let version = u32_of(OID_GEN_VENDOR_DRIVER_VERSION, &info);
    assert_eq!(
        version >> 16,
        env!("CARGO_PKG_VERSION_MAJOR").parse::<u32>().unwrap()
    );
    assert_eq!(
        version & 0xFFFF,
        env!("CARGO_PKG_VERSION_MINOR").parse::<u32>().unwrap()
    );
    // The fixture's permanent address is QEMU's locally administered 52:54:00: no
    // IEEE-registered code, so 0xFFFFFF, then the NIC byte.
    assert_eq!(answer(OID_GEN_VENDOR_ID, &info), [0xFF, 0xFF, 0xFF, 0x00]);
    // A universally administered (Intel OUI 00:1B:21) address gives its OUI.
    let mut intel = info;
    intel.permanent_address = MacAddress([0x00, 0x1B, 0x21, 0x0A, 0x0B, 0x0C]);
    assert_eq!(answer(OID_GEN_VENDOR_ID, &intel), [0x00, 0x1B, 0x21, 0x00]);
    let description = answer(OID_GEN_VENDOR_DESCRIPTION, &info);
    assert_eq!(description.last(), Some(&0), "NUL-terminated");
    assert!(
        description[..description.len() - 1]
            .iter()
            .all(|b| b.is_ascii() && *b != 0)
    );
}

#[test]
fn addresses() {
    let info = info();
    assert_eq!(
        answer(OID_802_3_PERMANENT_ADDRESS, &info),
        PERMANENT.octets()
    );
    assert_eq!(answer(OID_802_3_CURRENT_ADDRESS, &info), CURRENT.octets());
    assert_eq!(answer(OID_802_3_MULTICAST_LIST, &info), GROUP.octets());
    let mut none = info;
    none.multicast = MulticastList::EMPTY;
    let (result, _) = ask(OID_802_3_MULTICAST_LIST, &none, 0);
    assert_eq!(
        result,
        Ok(QueryAnswer {
            written: 0,
            needed: 0
        })
    );
}

#[test]
fn link_speed_in_100_bps_units_and_media_state() {
    let mut info = info();
    assert_eq!(u32_of(OID_GEN_LINK_SPEED, &info), 10_000_000);
    info.link.speed = Speed::Mbps100;
    assert_eq!(u32_of(OID_GEN_LINK_SPEED, &info), 1_000_000);
    info.link.speed = Speed::Mbps10;
    assert_eq!(u32_of(OID_GEN_LINK_SPEED, &info), 100_000);
    assert_eq!(u32_of(OID_GEN_MEDIA_CONNECT_STATUS, &info), 0); // NdisMediaStateConnected
    info.link.up = false;
    assert_eq!(u32_of(OID_GEN_LINK_SPEED, &info), 0);
    assert_eq!(u32_of(OID_GEN_MEDIA_CONNECT_STATUS, &info), 1); // NdisMediaStateDisconnected
}

#[test]
fn interrupt_moderation_query_has_a_revision_1_header() {
    let mut info = info();
    let bytes = answer(OID_GEN_INTERRUPT_MODERATION, &info);
    assert_eq!(bytes.len(), 12);
    assert_eq!(
        Header::read(&bytes),
        Header {
            ty: 0x80,
            revision: 1,
            size: 12
        }
    );
    let at = offset_of!(NDIS_INTERRUPT_MODERATION_PARAMETERS, InterruptModeration);
    let flags = offset_of!(NDIS_INTERRUPT_MODERATION_PARAMETERS, Flags);
    assert_eq!(wire::get_u32(&bytes, flags), 0);
    assert_eq!(wire::get_i32(&bytes, at), NdisInterruptModerationEnabled);
    info.interrupt_moderation = InterruptModeration::Disabled;
    let bytes = answer(OID_GEN_INTERRUPT_MODERATION, &info);
    assert_eq!(wire::get_i32(&bytes, at), NdisInterruptModerationDisabled);
    info.interrupt_moderation = InterruptModeration::NotSupported;
    let bytes = answer(OID_GEN_INTERRUPT_MODERATION, &info);
    assert_eq!(
        wire::get_i32(&bytes, at),
        NdisInterruptModerationNotSupported
    );
}

/// Reads one `NDIS_STATISTICS_INFO` counter.
macro_rules! stat {
    ($bytes:expr, $field:ident) => {
        wire::get_u64(&$bytes, offset_of!(NDIS_STATISTICS_INFO, $field))
    };
}

#[test]
fn statistics_are_complete_and_agree_with_the_counter_oids() {
    let info = info();
    let s = answer(OID_GEN_STATISTICS, &info);
    assert_eq!(s.len(), 152);
    assert_eq!(s.len(), core::mem::size_of::<NDIS_STATISTICS_INFO>());
    assert_eq!(
        Header::read(&s),
        Header {
            ty: 0x80,
            revision: 1,
            size: 152
        }
    );
    let valid = wire::get_u32(&s, offset_of!(NDIS_STATISTICS_INFO, SupportedStatistics));
    assert_eq!(valid, STATISTICS_VALID_FLAGS);
    // XMIT_OK / RCV_OK are the sums of the per-kind frame counts.
    assert_eq!(
        u64_of(OID_GEN_XMIT_OK, &info),
        stat!(s, ifHCOutUcastPkts)
            + stat!(s, ifHCOutMulticastPkts)
            + stat!(s, ifHCOutBroadcastPkts)
    );
    assert_eq!(
        u64_of(OID_GEN_RCV_OK, &info),
        stat!(s, ifHCInUcastPkts) + stat!(s, ifHCInMulticastPkts) + stat!(s, ifHCInBroadcastPkts)
    );
    assert_eq!(u64_of(OID_GEN_XMIT_OK, &info), 456);
    assert_eq!(u64_of(OID_GEN_RCV_OK, &info), 123);
    assert_eq!(u64_of(OID_GEN_XMIT_ERROR, &info), stat!(s, ifOutErrors));
    assert_eq!(u64_of(OID_GEN_RCV_ERROR, &info), stat!(s, ifInErrors));
    assert_eq!(u64_of(OID_GEN_RCV_NO_BUFFER, &info), stat!(s, ifInDiscards));
    // The NIC's counters are in the error and loss totals: bad frames (1+2+3+4+6+7) and
    // missed frames (5), but not RNBC (the frames it counts are still received).
    assert_eq!(stat!(s, ifInErrors), 7 + 23);
    assert_eq!(stat!(s, ifInDiscards), 8 + 5);
    assert_eq!(stat!(s, ifOutDiscards), 10);
    assert_eq!(u64_of(OID_802_3_RCV_ERROR_ALIGNMENT, &info), 2);
    // Octets: the totals are the sums of the per-kind byte counts.
    assert_eq!(
        stat!(s, ifHCInOctets),
        stat!(s, ifHCInUcastOctets)
            + stat!(s, ifHCInMulticastOctets)
            + stat!(s, ifHCInBroadcastOctets)
    );
    assert_eq!(
        stat!(s, ifHCOutOctets),
        stat!(s, ifHCOutUcastOctets)
            + stat!(s, ifHCOutMulticastOctets)
            + stat!(s, ifHCOutBroadcastOctets)
    );
    assert_eq!(stat!(s, ifHCInOctets), 102_300);
    assert_eq!(stat!(s, ifHCOutOctets), 405_600);
    // Every field after the flags is filled (the fixture has no zero counter).
    let first = offset_of!(NDIS_STATISTICS_INFO, ifInDiscards);
    for (i, field) in s[first..].chunks_exact(8).enumerate() {
        assert_ne!(wire::get_u64(field, 0), 0, "counter {i} left empty");
    }
    let (short, _) = ask(OID_GEN_STATISTICS, &info, 151);
    assert_eq!(short, Err(OidError::BufferTooShort { needed: 152 }));
}

/// Each valid flag of `NDIS_STATISTICS_INFO` with its general-attributes counterpart.
fn statistics_flag_pairs() -> [(u32, u32); 18] {
    [
        (
            NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV,
            NDIS_STATISTICS_DIRECTED_FRAMES_RCV_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV,
            NDIS_STATISTICS_MULTICAST_FRAMES_RCV_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV,
            NDIS_STATISTICS_BROADCAST_FRAMES_RCV_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV,
            NDIS_STATISTICS_BYTES_RCV_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS,
            NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR,
            NDIS_STATISTICS_RCV_ERROR_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT,
            NDIS_STATISTICS_DIRECTED_FRAMES_XMIT_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT,
            NDIS_STATISTICS_MULTICAST_FRAMES_XMIT_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT,
            NDIS_STATISTICS_BROADCAST_FRAMES_XMIT_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT,
            NDIS_STATISTICS_BYTES_XMIT_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR,
            NDIS_STATISTICS_XMIT_ERROR_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS,
            NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV,
            NDIS_STATISTICS_DIRECTED_BYTES_RCV_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV,
            NDIS_STATISTICS_MULTICAST_BYTES_RCV_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV,
            NDIS_STATISTICS_BROADCAST_BYTES_RCV_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT,
            NDIS_STATISTICS_DIRECTED_BYTES_XMIT_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT,
            NDIS_STATISTICS_MULTICAST_BYTES_XMIT_SUPPORTED,
        ),
        (
            NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT,
            NDIS_STATISTICS_BROADCAST_BYTES_XMIT_SUPPORTED,
        ),
    ]
}

#[test]
fn general_attribute_statistics_match_the_filled_fields() {
    let pairs = statistics_flag_pairs();
    let mut valid = 0;
    for (valid_flag, supported_flag) in pairs {
        assert_ne!(STATISTICS_VALID_FLAGS & valid_flag, 0);
        assert_ne!(supported_statistics() & supported_flag, 0);
        valid |= valid_flag;
    }
    assert_eq!(
        valid, STATISTICS_VALID_FLAGS,
        "a valid flag without a counterpart"
    );
    // And the counter OIDs, and OID_GEN_STATISTICS itself.
    for flag in [
        NDIS_STATISTICS_XMIT_OK_SUPPORTED,
        NDIS_STATISTICS_RCV_OK_SUPPORTED,
        NDIS_STATISTICS_XMIT_ERROR_SUPPORTED,
        NDIS_STATISTICS_RCV_ERROR_SUPPORTED,
        NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED,
        NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED,
    ] {
        assert_ne!(supported_statistics() & flag, 0);
    }
    // Nothing claimed that is not answered.
    for flag in [
        NDIS_STATISTICS_RCV_CRC_ERROR_SUPPORTED,
        NDIS_STATISTICS_TRANSMIT_QUEUE_LENGTH_SUPPORTED,
    ] {
        assert_eq!(supported_statistics() & flag, 0);
    }
}

#[test]
fn counters_classify_by_destination() {
    let mut c = Counters::default();
    c.count_rx(CURRENT, 60);
    c.count_rx(GROUP, 70);
    c.count_rx(MacAddress::BROADCAST, 80);
    c.count_tx(PERMANENT, 100);
    c.count_tx(MacAddress::BROADCAST, 42);
    c.count_tx(GROUP, 30);
    assert_eq!((c.rx_directed_frames, c.rx_directed_bytes), (1, 60));
    assert_eq!((c.rx_multicast_frames, c.rx_multicast_bytes), (1, 70));
    assert_eq!((c.rx_broadcast_frames, c.rx_broadcast_bytes), (1, 80));
    assert_eq!(
        (
            c.tx_directed_frames,
            c.tx_broadcast_frames,
            c.tx_multicast_frames
        ),
        (1, 1, 1)
    );
    assert_eq!(
        (
            c.tx_directed_bytes,
            c.tx_broadcast_bytes,
            c.tx_multicast_bytes
        ),
        (100, 42, 30)
    );
    assert_eq!((c.rx_frames(), c.tx_frames()), (3, 3));
    c.tx_directed_frames = u64::MAX;
    c.count_tx(PERMANENT, 1);
    assert_eq!(c.tx_directed_frames, 0, "counters wrap");
}

// ----- sets -------------------------------------------------------------------------------

#[test]
fn packet_filter_set() {
    let info = info();
    for filter in [0, SUPPORTED_PACKET_FILTERS, NDIS_PACKET_TYPE_PROMISCUOUS] {
        assert_eq!(
            set(OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes(), &info),
            Ok((SetAction::PacketFilter(filter), 4))
        );
    }
    // Longer data: the first ULONG is read.
    let mut long = [0xFF; 8];
    long[..4].copy_from_slice(&NDIS_PACKET_TYPE_DIRECTED.to_le_bytes());
    assert_eq!(
        set(OID_GEN_CURRENT_PACKET_FILTER, &long, &info),
        Ok((SetAction::PacketFilter(NDIS_PACKET_TYPE_DIRECTED), 4))
    );
    for bad in [
        NDIS_PACKET_TYPE_ALL_LOCAL,
        NDIS_PACKET_TYPE_SOURCE_ROUTING,
        NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_FUNCTIONAL,
        NDIS_PACKET_TYPE_NO_LOCAL,
    ] {
        assert_eq!(
            set(OID_GEN_CURRENT_PACKET_FILTER, &bad.to_le_bytes(), &info),
            Err(OidError::NotSupported),
            "{bad:#x}"
        );
    }
    let short = set(OID_GEN_CURRENT_PACKET_FILTER, &[1, 0, 0], &info);
    assert_eq!(short, Err(OidError::InvalidLength { needed: 4 }));
    assert_eq!(short.unwrap_err().status(), NDIS_STATUS_INVALID_LENGTH);
    assert_eq!(short.unwrap_err().bytes_needed(), 4);
}

#[test]
fn receive_filter_follows_the_packet_filter() {
    let all = receive_filter(SUPPORTED_PACKET_FILTERS);
    assert!(all.directed && all.multicast && all.all_multicast && all.broadcast && all.promiscuous);
    assert!(receive_filter(0).is_empty());
    let some = receive_filter(NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_BROADCAST);
    assert!(some.multicast && some.broadcast && !some.directed && !some.promiscuous);
}

#[test]
fn lookahead_set() {
    let info = info();
    for value in [0, 128, 1500] {
        assert_eq!(
            set(OID_GEN_CURRENT_LOOKAHEAD, &u32::to_le_bytes(value), &info),
            Ok((SetAction::Lookahead(value), 4))
        );
    }
    let over = set(OID_GEN_CURRENT_LOOKAHEAD, &1501_u32.to_le_bytes(), &info);
    assert_eq!(over, Err(OidError::InvalidData));
    assert_eq!(over.unwrap_err().status(), NDIS_STATUS_INVALID_DATA);
    assert_eq!(
        set(OID_GEN_CURRENT_LOOKAHEAD, &[], &info),
        Err(OidError::InvalidLength { needed: 4 })
    );
}

/// An `NDIS_INTERRUPT_MODERATION_PARAMETERS` with `value`.
fn moderation(value: i32) -> [u8; 12] {
    let mut bytes = [0; 12];
    Header::default_revision_1(12).write(&mut bytes);
    wire::put_i32(
        &mut bytes,
        offset_of!(NDIS_INTERRUPT_MODERATION_PARAMETERS, InterruptModeration),
        value,
    );
    bytes
}

#[test]
fn interrupt_moderation_set() {
    let info = info();
    let on = set(
        OID_GEN_INTERRUPT_MODERATION,
        &moderation(NdisInterruptModerationEnabled),
        &info,
    );
    assert_eq!(on, Ok((SetAction::InterruptModeration(true), 12)));
    let off = set(
        OID_GEN_INTERRUPT_MODERATION,
        &moderation(NdisInterruptModerationDisabled),
        &info,
    );
    assert_eq!(off, Ok((SetAction::InterruptModeration(false), 12)));
    for bad in [
        NdisInterruptModerationUnknown,
        NdisInterruptModerationNotSupported,
        7,
    ] {
        assert_eq!(
            set(OID_GEN_INTERRUPT_MODERATION, &moderation(bad), &info),
            Err(OidError::InvalidData)
        );
    }
    // A later revision (longer) is read by its revision-1 fields.
    let mut later = [0; 16];
    later[..12].copy_from_slice(&moderation(NdisInterruptModerationEnabled));
    later[1] = 2;
    wire::put_u16(&mut later, 2, 16);
    assert_eq!(
        set(OID_GEN_INTERRUPT_MODERATION, &later, &info),
        Ok((SetAction::InterruptModeration(true), 12))
    );
    // Bad headers.
    let enabled = moderation(NdisInterruptModerationEnabled);
    for (at, value) in [(0, 0x81), (1, 0), (2, 11), (2, 13)] {
        let mut bad = enabled;
        bad[at] = value;
        assert_eq!(
            set(OID_GEN_INTERRUPT_MODERATION, &bad, &info),
            Err(OidError::InvalidData),
            "header byte {at} = {value}"
        );
    }
    assert_eq!(
        set(OID_GEN_INTERRUPT_MODERATION, &enabled[..11], &info),
        Err(OidError::InvalidLength { needed: 12 })
    );
    // An adapter that reports moderation unsupported refuses the set (the OID page).
    let mut unsupported = info;
    unsupported.interrupt_moderation = InterruptModeration::NotSupported;
    assert_eq!(
        set(OID_GEN_INTERRUPT_MODERATION, &enabled, &unsupported),
        Err(OidError::InvalidData)
    );
}

/// An `NDIS_LINK_PARAMETERS` with `flags` (and forced-looking values elsewhere).
fn link_parameters(flags: u32) -> [u8; 32] {
    let mut bytes = [0; 32];
    Header::default_revision_1(32).write(&mut bytes);
    wire::put_i32(
        &mut bytes,
        offset_of!(NDIS_LINK_PARAMETERS, MediaDuplexState),
        MediaDuplexStateFull,
    );
    wire::put_u64(
        &mut bytes,
        offset_of!(NDIS_LINK_PARAMETERS, XmitLinkSpeed),
        100_000_000,
    );
    wire::put_u64(
        &mut bytes,
        offset_of!(NDIS_LINK_PARAMETERS, RcvLinkSpeed),
        100_000_000,
    );
    wire::put_i32(
        &mut bytes,
        offset_of!(NDIS_LINK_PARAMETERS, PauseFunctions),
        NdisPauseFunctionsSendAndReceive,
    );
    wire::put_u32(
        &mut bytes,
        offset_of!(NDIS_LINK_PARAMETERS, AutoNegotiationFlags),
        flags,
    );
    bytes
}

#[test]
fn link_parameters_set_accepts_only_auto_negotiation() {
    let info = info();
    assert_eq!(
        core::mem::size_of::<NDIS_LINK_PARAMETERS>(),
        LINK_PARAMETERS_SIZE
    );
    assert_eq!(
        set(
            OID_GEN_LINK_PARAMETERS,
            &link_parameters(AUTO_NEGOTIATE_ALL),
            &info
        ),
        Ok((SetAction::RestartAutoNegotiation, 32))
    );
    for missing in [
        NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED,
        NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED,
        NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED,
        NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED,
    ] {
        assert_eq!(
            set(
                OID_GEN_LINK_PARAMETERS,
                &link_parameters(AUTO_NEGOTIATE_ALL & !missing),
                &info
            ),
            Err(OidError::NotSupported),
            "forcing {missing:#x}"
        );
    }
    // Pause frames not auto-negotiated but "unsupported", as the general attributes report
    // them: the reported link state echoed back is accepted.
    let mut echo = link_parameters(AUTO_NEGOTIATE_SPEED_AND_DUPLEX);
    wire::put_i32(
        &mut echo,
        offset_of!(NDIS_LINK_PARAMETERS, PauseFunctions),
        NdisPauseFunctionsUnsupported,
    );
    assert_eq!(
        set(OID_GEN_LINK_PARAMETERS, &echo, &info),
        Ok((SetAction::RestartAutoNegotiation, 32))
    );
    assert_eq!(
        general_attributes(&info).AutoNegotiationFlags,
        AUTO_NEGOTIATE_SPEED_AND_DUPLEX
    );
    // Forced speed with pause unsupported is still refused.
    let mut forced = echo;
    wire::put_u32(
        &mut forced,
        offset_of!(NDIS_LINK_PARAMETERS, AutoNegotiationFlags),
        NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED,
    );
    assert_eq!(
        set(OID_GEN_LINK_PARAMETERS, &forced, &info),
        Err(OidError::NotSupported)
    );
    let mut bad_type = link_parameters(AUTO_NEGOTIATE_ALL);
    bad_type[0] = 0x96;
    assert_eq!(
        set(OID_GEN_LINK_PARAMETERS, &bad_type, &info),
        Err(OidError::InvalidData)
    );
    let auto = link_parameters(AUTO_NEGOTIATE_ALL);
    assert_eq!(
        set(OID_GEN_LINK_PARAMETERS, &auto[..31], &info),
        Err(OidError::InvalidLength { needed: 32 })
    );
}

/// `count` distinct group addresses as set data.
fn groups(count: usize) -> Vec<u8> {
    (0..count)
        .flat_map(|i| [0x01, 0x00, 0x5E, 0x00, 0x01, u8::try_from(i).unwrap()])
        .collect()
}

#[test]
fn multicast_list_set() {
    let info = info();
    // Empty clears.
    assert_eq!(
        set(OID_802_3_MULTICAST_LIST, &[], &info),
        Ok((SetAction::Multicast(MulticastList::EMPTY), 0))
    );
    // Up to the maximum.
    for count in [1, 2, MAX_MULTICAST_LIST] {
        let data = groups(count);
        let (action, read) = set(OID_802_3_MULTICAST_LIST, &data, &info).unwrap();
        assert_eq!(read, count * 6);
        let SetAction::Multicast(list) = action else {
            panic!("{action:?}");
        };
        assert_eq!(list.len(), count);
        assert_eq!(
            list.as_slice()[count - 1].octets()[5],
            u8::try_from(count - 1).unwrap()
        );
        assert!(list.table().contains(list.as_slice()[0]));
    }
    // One over the limit.
    let full = set(
        OID_802_3_MULTICAST_LIST,
        &groups(MAX_MULTICAST_LIST + 1),
        &info,
    );
    assert_eq!(full, Err(OidError::MulticastFull));
    assert_eq!(full.unwrap_err().status(), NDIS_STATUS_MULTICAST_FULL);
    // Not whole addresses.
    for len in [1, 5, 7, 13] {
        let ragged = set(OID_802_3_MULTICAST_LIST, &groups(3)[..len], &info);
        assert_eq!(
            ragged,
            Err(OidError::InvalidLength { needed: 0 }),
            "{len} bytes"
        );
        assert_eq!(ragged.unwrap_err().status(), NDIS_STATUS_INVALID_LENGTH);
    }
    // A unicast address in the list.
    let mut data = groups(3);
    data[6] = 0x02;
    let bad = set(OID_802_3_MULTICAST_LIST, &data, &info);
    assert_eq!(bad, Err(OidError::InvalidMulticastAddress));
    assert_eq!(bad.unwrap_err().status(), NDIS_STATUS_MULTICAST_FULL);
    assert_eq!(
        MulticastList::new(&[GROUP; MAX_MULTICAST_LIST + 1]),
        Err(OidError::MulticastFull)
    );
    assert_eq!(
        MulticastList::new(&[CURRENT]),
        Err(OidError::InvalidMulticastAddress)
    );
    assert!(MulticastList::default().is_empty());
}

#[test]
fn error_statuses() {
    let cases = [
        (OidError::NotSupported, NDIS_STATUS_NOT_SUPPORTED, 0),
        (
            OidError::BufferTooShort { needed: 9 },
            NDIS_STATUS_BUFFER_TOO_SHORT,
            9,
        ),
        (
            OidError::InvalidLength { needed: 4 },
            NDIS_STATUS_INVALID_LENGTH,
            4,
        ),
        (OidError::InvalidData, NDIS_STATUS_INVALID_DATA, 0),
        (OidError::MulticastFull, NDIS_STATUS_MULTICAST_FULL, 0),
        (
            OidError::InvalidMulticastAddress,
            NDIS_STATUS_MULTICAST_FULL,
            0,
        ),
    ];
    for (error, status, needed) in cases {
        assert_eq!(error.status(), status, "{error}");
        assert_eq!(error.bytes_needed(), needed, "{error}");
    }
}

// ----- the request wrapper -----------------------------------------------------------------

/// A request of `ty` for `oid` over `buffer`.
fn request(ty: NDIS_REQUEST_TYPE, oid: NDIS_OID, buffer: &mut [u8]) -> NDIS_OID_REQUEST {
    let mut raw = NDIS_OID_REQUEST {
        RequestType: ty,
        ..NDIS_OID_REQUEST::default()
    };
    let length = u32::try_from(buffer.len()).unwrap();
    let pointer = if buffer.is_empty() {
        core::ptr::null_mut()
    } else {
        buffer.as_mut_ptr().cast()
    };
    if ty == NdisRequestSetInformation {
        raw.DATA.SET_INFORMATION.Oid = oid;
        raw.DATA.SET_INFORMATION.InformationBuffer = pointer;
        raw.DATA.SET_INFORMATION.InformationBufferLength = length;
        raw.DATA.SET_INFORMATION.BytesRead = 0xDEAD;
        raw.DATA.SET_INFORMATION.BytesNeeded = 0xDEAD;
    } else if ty == NdisRequestMethod {
        raw.DATA.METHOD_INFORMATION.Oid = oid;
        raw.DATA.METHOD_INFORMATION.BytesNeeded = 0xDEAD;
    } else {
        raw.DATA.QUERY_INFORMATION.Oid = oid;
        raw.DATA.QUERY_INFORMATION.InformationBuffer = pointer;
        raw.DATA.QUERY_INFORMATION.InformationBufferLength = length;
        raw.DATA.QUERY_INFORMATION.BytesWritten = 0xDEAD;
        raw.DATA.QUERY_INFORMATION.BytesNeeded = 0xDEAD;
    }
    raw
}

/// `(BytesWritten, BytesNeeded)` of a query.
fn query_counts(raw: &NDIS_OID_REQUEST) -> (u32, u32) {
    // SAFETY: the request was built as a query, so QUERY_INFORMATION is the member in use.
    let query = unsafe { raw.DATA.QUERY_INFORMATION };
    (query.BytesWritten, query.BytesNeeded)
}

/// `(BytesRead, BytesNeeded)` of a set.
fn set_counts(raw: &NDIS_OID_REQUEST) -> (u32, u32) {
    // SAFETY: the request was built as a set, so SET_INFORMATION is the member in use.
    let set = unsafe { raw.DATA.SET_INFORMATION };
    (set.BytesRead, set.BytesNeeded)
}

/// Handles `raw` through `OidRequest`.
fn handle(raw: &mut NDIS_OID_REQUEST, info: &AdapterInfo) -> Handled {
    // SAFETY: `raw` is a valid request for this call, its buffer outlives it, and nothing
    // else touches either meanwhile.
    let mut request = unsafe { OidRequest::from_raw(raw) }.unwrap();
    request.handle(info)
}

#[test]
fn request_query_writes_the_answer_and_the_counts() {
    let info = info();
    let mut buffer = [0_u8; 8];
    let mut raw = request(
        NdisRequestQueryInformation,
        OID_802_3_CURRENT_ADDRESS,
        &mut buffer,
    );
    {
        // SAFETY: `raw` is a request built just above over a buffer that outlives this block;
        // the wrapper is dropped at the block's end, before `raw` is read again.
        let request = unsafe { OidRequest::from_raw(&raw mut raw) }.unwrap();
        assert_eq!(request.kind(), Some(RequestKind::Query));
        assert_eq!(request.oid(), OID_802_3_CURRENT_ADDRESS);
        assert!(request.set_buffer().is_empty(), "a query has no set data");
    }
    assert_eq!(
        handle(&mut raw, &info),
        Handled {
            status: NDIS_STATUS_SUCCESS,
            action: None
        }
    );
    assert_eq!(query_counts(&raw), (6, 6));
    assert_eq!(buffer[..6], CURRENT.octets());

    // Statistics queries are queries too; a 4-byte counter read says 8 are needed.
    let mut small = [0_u8; 4];
    let mut raw = request(NdisRequestQueryStatistics, OID_GEN_RCV_OK, &mut small);
    assert_eq!(handle(&mut raw, &info).status, NDIS_STATUS_SUCCESS);
    assert_eq!(query_counts(&raw), (4, 8));
    assert_eq!(u32::from_le_bytes(small), 123);
}

#[test]
fn request_query_short_and_unknown() {
    let info = info();
    let mut buffer = [0_u8; 100];
    let mut raw = request(NdisRequestQueryInformation, OID_GEN_STATISTICS, &mut buffer);
    let handled = handle(&mut raw, &info);
    assert_eq!(handled.status, NDIS_STATUS_BUFFER_TOO_SHORT);
    assert_eq!(query_counts(&raw), (0, 152));
    assert!(buffer.iter().all(|b| *b == 0));

    let mut none: [u8; 0] = [];
    let mut raw = request(NdisRequestQueryInformation, OID_GEN_VENDOR_ID, &mut none);
    assert_eq!(handle(&mut raw, &info).status, NDIS_STATUS_BUFFER_TOO_SHORT);
    assert_eq!(query_counts(&raw), (0, 4));

    // A counter into 2 bytes: INVALID_LENGTH, nothing written, 8 needed.
    let mut tiny = [0_u8; 2];
    let mut raw = request(NdisRequestQueryStatistics, OID_GEN_XMIT_OK, &mut tiny);
    assert_eq!(handle(&mut raw, &info).status, NDIS_STATUS_INVALID_LENGTH);
    assert_eq!(query_counts(&raw), (0, 8));
    assert_eq!(tiny, [0, 0]);

    let mut raw = request(NdisRequestQueryInformation, 0x00FF_FF01, &mut buffer);
    assert_eq!(handle(&mut raw, &info).status, NDIS_STATUS_NOT_SUPPORTED);
    assert_eq!(query_counts(&raw), (0, 0));
}

#[test]
fn request_set_returns_the_action() {
    let info = info();
    let mut data = NDIS_PACKET_TYPE_MULTICAST.to_le_bytes();
    let mut raw = request(
        NdisRequestSetInformation,
        OID_GEN_CURRENT_PACKET_FILTER,
        &mut data,
    );
    {
        // SAFETY: `raw` is a request built just above over a buffer that outlives this block;
        // the wrapper is dropped at the block's end, before `raw` is read again.
        let mut request = unsafe { OidRequest::from_raw(&raw mut raw) }.unwrap();
        assert_eq!(request.kind(), Some(RequestKind::Set));
        assert_eq!(
            request.set_buffer(),
            NDIS_PACKET_TYPE_MULTICAST.to_le_bytes()
        );
        assert!(
            request.query_buffer().is_empty(),
            "a set has no query buffer"
        );
    }
    assert_eq!(
        handle(&mut raw, &info),
        Handled {
            status: NDIS_STATUS_SUCCESS,
            action: Some(SetAction::PacketFilter(NDIS_PACKET_TYPE_MULTICAST))
        }
    );
    assert_eq!(set_counts(&raw), (4, 0));

    let mut short = [0_u8; 2];
    let mut raw = request(
        NdisRequestSetInformation,
        OID_GEN_CURRENT_LOOKAHEAD,
        &mut short,
    );
    let handled = handle(&mut raw, &info);
    assert_eq!(
        handled,
        Handled {
            status: NDIS_STATUS_INVALID_LENGTH,
            action: None
        }
    );
    assert_eq!(set_counts(&raw), (0, 4));

    let mut list = groups(MAX_MULTICAST_LIST + 1);
    let mut raw = request(
        NdisRequestSetInformation,
        OID_802_3_MULTICAST_LIST,
        &mut list,
    );
    assert_eq!(handle(&mut raw, &info).status, NDIS_STATUS_MULTICAST_FULL);
}

#[test]
fn request_method_and_odd_types_are_not_supported() {
    let info = info();
    let mut none: [u8; 0] = [];
    let mut raw = request(NdisRequestMethod, OID_GEN_STATISTICS, &mut none);
    {
        // SAFETY: `raw` is a request built just above over a buffer that outlives this block;
        // the wrapper is dropped at the block's end, before `raw` is read again.
        let request = unsafe { OidRequest::from_raw(&raw mut raw) }.unwrap();
        assert_eq!(request.kind(), Some(RequestKind::Method));
        assert_eq!(request.oid(), OID_GEN_STATISTICS);
    }
    assert_eq!(handle(&mut raw, &info).status, NDIS_STATUS_NOT_SUPPORTED);
    // SAFETY: built as a method request.
    let needed = unsafe { raw.DATA.METHOD_INFORMATION.BytesNeeded };
    assert_eq!(needed, 0);

    let mut raw = request(7, OID_GEN_STATISTICS, &mut none); // NdisRequestTransferData
    {
        // SAFETY: `raw` is a request built just above over a buffer that outlives this block;
        // the wrapper is dropped at the block's end, before `raw` is read again.
        let request = unsafe { OidRequest::from_raw(&raw mut raw) }.unwrap();
        assert_eq!(request.kind(), None);
        assert_eq!(request.oid(), 0);
    }
    assert_eq!(handle(&mut raw, &info).status, NDIS_STATUS_NOT_SUPPORTED);
    // SAFETY: a null pointer is allowed.
    assert!(unsafe { OidRequest::from_raw(core::ptr::null_mut()) }.is_none());
}

#[test]
fn request_counts_can_be_set_one_by_one() {
    let mut buffer = [0_u8; 4];
    let mut raw = request(NdisRequestQueryInformation, OID_GEN_VENDOR_ID, &mut buffer);
    {
        // SAFETY: `raw` is a request built just above over a buffer that outlives this block;
        // the wrapper is dropped at the block's end, before `raw` is read again.
        let mut request = unsafe { OidRequest::from_raw(&raw mut raw) }.unwrap();
        assert_eq!(request.query_buffer().len(), 4);
        request.set_bytes_written(3);
        request.set_bytes_needed(11);
        request.set_bytes_read(99); // a query has no BytesRead: no effect on the others
    }
    assert_eq!(query_counts(&raw), (3, 11));
    let mut data = [0_u8; 4];
    let mut raw = request(NdisRequestSetInformation, OID_GEN_VENDOR_ID, &mut data);
    {
        // SAFETY: `raw` is a request built just above over a buffer that outlives this block;
        // the wrapper is dropped at the block's end, before `raw` is read again.
        let mut request = unsafe { OidRequest::from_raw(&raw mut raw) }.unwrap();
        request.set_bytes_read(4);
        request.set_bytes_needed(8);
    }
    assert_eq!(set_counts(&raw), (4, 8));
}

// ----- general attributes -------------------------------------------------------------------

#[test]
fn general_attributes_come_from_the_same_values() {
    let info = info();
    let a = general_attributes(&info);
    assert_eq!(
        (a.Header.Type, a.Header.Revision, usize::from(a.Header.Size)),
        (0x9F, 2, GENERAL_ATTRIBUTES_SIZE)
    );
    assert_eq!(
        GENERAL_ATTRIBUTES_SIZE,
        core::mem::size_of::<NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES>()
    );
    assert_eq!(a.MediaType, NdisMedium802_3);
    assert_eq!(a.PhysicalMediumType, NdisPhysicalMedium802_3);
    assert_eq!(a.MtuSize, u32_of(OID_GEN_MAXIMUM_FRAME_SIZE, &info));
    assert_eq!(a.LookaheadSize, u32_of(OID_GEN_MAXIMUM_LOOKAHEAD, &info));
    assert_eq!(a.MacOptions, u32_of(OID_GEN_MAC_OPTIONS, &info));
    assert_eq!(a.SupportedPacketFilters, SUPPORTED_PACKET_FILTERS);
    assert_eq!(
        a.MaxMulticastListSize,
        u32_of(OID_802_3_MAXIMUM_LIST_SIZE, &info)
    );
    assert_eq!(a.SupportedStatistics, supported_statistics());
    assert_eq!(a.MacAddressLength, 6);
    assert_eq!(
        a.PermanentMacAddress[..6],
        answer(OID_802_3_PERMANENT_ADDRESS, &info)
    );
    assert_eq!(
        a.CurrentMacAddress[..6],
        answer(OID_802_3_CURRENT_ADDRESS, &info)
    );
    assert!(a.CurrentMacAddress[6..].iter().all(|b| *b == 0));
    // The OID list is the OID_GEN_SUPPORTED_LIST answer, byte for byte.
    let listed = answer(OID_GEN_SUPPORTED_LIST, &info);
    assert_eq!(a.SupportedOidListLength as usize, listed.len());
    // SAFETY: the list points at the static OID table of SupportedOidListLength bytes.
    let table =
        unsafe { core::slice::from_raw_parts(a.SupportedOidList.cast::<u8>(), listed.len()) };
    assert_eq!(table, listed);
    // The link, up at 1 Gbit/s full duplex, in bit/s.
    assert_eq!(
        (a.XmitLinkSpeed, a.RcvLinkSpeed),
        (1_000_000_000, 1_000_000_000)
    );
    assert_eq!(
        (a.MaxXmitLinkSpeed, a.MaxRcvLinkSpeed),
        (MAX_LINK_SPEED, MAX_LINK_SPEED)
    );
    assert_eq!(a.MediaConnectState, MediaConnectStateConnected);
    assert_eq!(a.MediaDuplexState, MediaDuplexStateFull);
    assert_eq!(
        a.AutoNegotiationFlags,
        NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED
            | NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED
            | NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED
    );
    assert!(
        a.PowerManagementCapabilities.is_null(),
        "no power management"
    );
    assert_eq!(a.IfType, 6);
    assert_eq!(a.AccessType, NET_IF_ACCESS_BROADCAST);
}

#[test]
fn general_attributes_of_a_link_that_is_down() {
    let mut info = info();
    info.link.up = false;
    let a = general_attributes(&info);
    assert_eq!(a.MediaConnectState, MediaConnectStateDisconnected);
    assert_eq!(a.MediaDuplexState, MediaDuplexStateUnknown);
    assert_eq!(
        (a.XmitLinkSpeed, a.RcvLinkSpeed),
        (NDIS_LINK_SPEED_UNKNOWN, NDIS_LINK_SPEED_UNKNOWN)
    );
    assert_eq!(a.AutoNegotiationFlags, 0);
    info.link = LinkStatus {
        up: true,
        full_duplex: false,
        speed: Speed::Mbps100,
    };
    let link = NdisLink::of(info.link);
    assert_eq!(
        (link.duplex, link.speed),
        (MediaDuplexStateHalf, 100_000_000)
    );
}
