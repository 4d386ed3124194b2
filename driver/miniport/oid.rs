//! OID requests: the mandatory set of `ndis.md` answered from the adapter's state, and the
//! general attributes built from the same values so the two never disagree.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
//!
//! Short buffers get `NDIS_STATUS_BUFFER_TOO_SHORT` with `BytesNeeded`; unknown OIDs
//! `NDIS_STATUS_NOT_SUPPORTED`; bad values `NDIS_STATUS_INVALID_DATA` /
//! `NDIS_STATUS_INVALID_LENGTH`; a multicast list longer than [`MAX_MULTICAST_LIST`]
//! `NDIS_STATUS_MULTICAST_FULL`. Every OID completes synchronously.

use core::sync::atomic::Ordering;

use super::adapter::{Adapter, BUFFER_BYTES, MAX_FRAME, MIN_FRAME, RING_DESCRIPTORS};
use super::datapath::link_state;
use super::header;
use crate::e1000::{Addresses, LinkStatus, MacAddress, ReceiveFilter, filter, interrupts};
use crate::sync::{Locked, Unlocked};
use crate::sys;

/// Multicast addresses the driver accepts in `OID_802_3_MULTICAST_LIST`. The NIC filters
/// multicast with a 4096-bit hash table, so any count works; the bound keeps the list (kept for
/// re-programming after a filter change) small.
pub const MAX_MULTICAST_LIST: usize = 32;
/// [`MAX_MULTICAST_LIST`] as NDIS counts it.
const MAX_MULTICAST_LIST_U32: u32 = 32;
const _: () = assert!(MAX_MULTICAST_LIST_U32 as usize == MAX_MULTICAST_LIST);
/// Interrupts per second with moderation on (ITR).
pub const DEFAULT_INTERRUPTS_PER_SECOND: u32 = 8000;
/// `NDIS_PACKET_TYPE_*` the NIC filters.
pub const SUPPORTED_PACKET_FILTERS: u32 = sys::NDIS_PACKET_TYPE_DIRECTED
    | sys::NDIS_PACKET_TYPE_MULTICAST
    | sys::NDIS_PACKET_TYPE_ALL_MULTICAST
    | sys::NDIS_PACKET_TYPE_BROADCAST
    | sys::NDIS_PACKET_TYPE_PROMISCUOUS;
/// `OID_GEN_VENDOR_DESCRIPTION`.
pub const VENDOR_DESCRIPTION: &[u8] = b"rse1k Intel 8254x (e1000) NDIS 6 miniport in Rust\0";
/// `OID_GEN_VENDOR_DRIVER_VERSION`: major in the high 16 bits.
pub const DRIVER_VERSION: u32 = 1 << 16;
/// `MAC_OPTIONS`: receives are indicated from a copy the protocol may keep; no NIC loopback.
pub const MAC_OPTIONS: u32 = sys::NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA
    | sys::NDIS_MAC_OPTION_TRANSFERS_NOT_PEND
    | sys::NDIS_MAC_OPTION_NO_LOOPBACK;
/// The statistics the driver keeps (`NDIS_STATISTICS_FLAGS_VALID_*`).
pub const VALID_STATISTICS: u32 = sys::NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV
    | sys::NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV
    | sys::NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV
    | sys::NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV
    | sys::NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS
    | sys::NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR
    | sys::NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT
    | sys::NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT
    | sys::NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR
    | sys::NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS;

/// The OIDs this driver answers (`OID_GEN_SUPPORTED_LIST`, general attributes).
pub static SUPPORTED_OIDS: [sys::NDIS_OID; 31] = [
    sys::OID_GEN_SUPPORTED_LIST,
    sys::OID_GEN_HARDWARE_STATUS,
    sys::OID_GEN_MEDIA_SUPPORTED,
    sys::OID_GEN_MEDIA_IN_USE,
    sys::OID_GEN_MAXIMUM_LOOKAHEAD,
    sys::OID_GEN_MAXIMUM_FRAME_SIZE,
    sys::OID_GEN_LINK_SPEED,
    sys::OID_GEN_TRANSMIT_BUFFER_SPACE,
    sys::OID_GEN_RECEIVE_BUFFER_SPACE,
    sys::OID_GEN_TRANSMIT_BLOCK_SIZE,
    sys::OID_GEN_RECEIVE_BLOCK_SIZE,
    sys::OID_GEN_VENDOR_ID,
    sys::OID_GEN_VENDOR_DESCRIPTION,
    sys::OID_GEN_VENDOR_DRIVER_VERSION,
    sys::OID_GEN_CURRENT_PACKET_FILTER,
    sys::OID_GEN_CURRENT_LOOKAHEAD,
    sys::OID_GEN_DRIVER_VERSION,
    sys::OID_GEN_MAXIMUM_TOTAL_SIZE,
    sys::OID_GEN_MAC_OPTIONS,
    sys::OID_GEN_MEDIA_CONNECT_STATUS,
    sys::OID_GEN_MAXIMUM_SEND_PACKETS,
    sys::OID_GEN_XMIT_OK,
    sys::OID_GEN_RCV_OK,
    sys::OID_GEN_STATISTICS,
    sys::OID_GEN_INTERRUPT_MODERATION,
    sys::OID_GEN_LINK_PARAMETERS,
    sys::OID_GEN_LINK_STATE,
    sys::OID_802_3_PERMANENT_ADDRESS,
    sys::OID_802_3_CURRENT_ADDRESS,
    sys::OID_802_3_MULTICAST_LIST,
    sys::OID_802_3_MAXIMUM_LIST_SIZE,
];

/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES` for an adapter with `addresses` and `link`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_general_attributes>
#[must_use]
pub fn general_attributes(
    addresses: Addresses,
    link: LinkStatus,
) -> sys::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
    let state = link_state(link);
    let mut permanent = [0u8; 32];
    permanent[..6].copy_from_slice(&addresses.permanent.0);
    let mut current = [0u8; 32];
    current[..6].copy_from_slice(&addresses.current.0);
    sys::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
        Header: header(
            sys::NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
            sys::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
            core::mem::size_of::<sys::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES>(),
        ),
        MediaType: sys::NdisMedium802_3,
        PhysicalMediumType: sys::NdisPhysicalMedium802_3,
        MtuSize: MAX_FRAME - MIN_FRAME,
        MaxXmitLinkSpeed: 1_000_000_000,
        MaxRcvLinkSpeed: 1_000_000_000,
        XmitLinkSpeed: state.XmitLinkSpeed,
        RcvLinkSpeed: state.RcvLinkSpeed,
        MediaConnectState: state.MediaConnectState,
        MediaDuplexState: state.MediaDuplexState,
        LookaheadSize: MAX_FRAME - MIN_FRAME,
        MacOptions: MAC_OPTIONS,
        SupportedPacketFilters: SUPPORTED_PACKET_FILTERS,
        MaxMulticastListSize: MAX_MULTICAST_LIST_U32,
        MacAddressLength: 6,
        PermanentMacAddress: permanent,
        CurrentMacAddress: current,
        AccessType: sys::NET_IF_ACCESS_BROADCAST,
        DirectionType: sys::NET_IF_DIRECTION_SENDRECEIVE,
        ConnectionType: sys::NET_IF_CONNECTION_DEDICATED,
        IfType: u16::try_from(sys::IF_TYPE_ETHERNET_CSMACD).unwrap_or(6),
        IfConnectorPresent: 1,
        SupportedStatistics: sys::NDIS_STATISTICS_XMIT_OK_SUPPORTED
            | sys::NDIS_STATISTICS_RCV_OK_SUPPORTED
            | sys::NDIS_STATISTICS_XMIT_ERROR_SUPPORTED
            | sys::NDIS_STATISTICS_RCV_ERROR_SUPPORTED
            | sys::NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED
            | sys::NDIS_STATISTICS_BYTES_RCV_SUPPORTED
            | sys::NDIS_STATISTICS_BYTES_XMIT_SUPPORTED
            | sys::NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED,
        SupportedPauseFunctions: sys::NdisPauseFunctionsUnsupported as u32,
        SupportedOidList: SUPPORTED_OIDS.as_ptr().cast_mut(),
        SupportedOidListLength: u32::try_from(core::mem::size_of_val(&SUPPORTED_OIDS)).unwrap_or(0),
        ..Default::default()
    }
}

/// A value to answer a query with.
#[allow(
    clippy::large_enum_variant,
    reason = "a short-lived stack value per OID request"
)]
enum Answer {
    U32(u32),
    /// A 64-bit counter: a 4-byte buffer gets the low half (the `OID_GEN_XMIT_OK` page allows
    /// either size).
    Counter(u64),
    Bytes([u8; 256], usize),
}

impl Answer {
    fn bytes(data: &[u8]) -> Self {
        let mut b = [0u8; 256];
        b[..data.len()].copy_from_slice(data);
        Self::Bytes(b, data.len())
    }

    fn of<T: Copy>(value: &T) -> Self {
        // SAFETY: `T` is a plain `repr(C)` NDIS structure (no padding read as uninitialised
        // matters to the caller, who copies bytes out); it is smaller than 256 bytes (asserted).
        let bytes = unsafe {
            core::slice::from_raw_parts(
                core::ptr::from_ref(value).cast::<u8>(),
                core::mem::size_of::<T>(),
            )
        };
        Self::bytes(bytes)
    }
}

/// What a request did: status, bytes written or read, bytes needed.
struct Outcome {
    status: sys::NDIS_STATUS,
    done: u32,
    needed: u32,
}

impl Outcome {
    const fn status(status: sys::NDIS_STATUS) -> Self {
        Self {
            status,
            done: 0,
            needed: 0,
        }
    }
}

fn ndis_filter(bits: u32) -> ReceiveFilter {
    ReceiveFilter {
        directed: bits & sys::NDIS_PACKET_TYPE_DIRECTED != 0,
        multicast: bits & sys::NDIS_PACKET_TYPE_MULTICAST != 0,
        all_multicast: bits & sys::NDIS_PACKET_TYPE_ALL_MULTICAST != 0,
        broadcast: bits & sys::NDIS_PACKET_TYPE_BROADCAST != 0,
        promiscuous: bits & sys::NDIS_PACKET_TYPE_PROMISCUOUS != 0,
    }
}

/// A buffer length as NDIS counts it (lengths here are far below 4 GiB).
fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn read_u32(data: &[u8]) -> Option<u32> {
    data.get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Adapter {
    /// `MiniportOidRequest`.
    ///
    /// # Safety
    /// `request` is the valid request NDIS passed, with an information buffer of the length it
    /// states.
    pub unsafe fn oid_request(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        request: sys::PNDIS_OID_REQUEST,
    ) -> sys::NDIS_STATUS {
        // SAFETY: the caller guarantees a valid request.
        let kind = unsafe { (*request).RequestType };
        if kind == sys::NdisRequestQueryInformation || kind == sys::NdisRequestQueryStatistics {
            // SAFETY: the caller guarantees a valid request, not otherwise in use.
            let request = unsafe { &mut *request };
            // SAFETY: the request type says QUERY_INFORMATION is the active member.
            let q = unsafe { &mut request.DATA.QUERY_INFORMATION };
            let out = if q.InformationBuffer.is_null() {
                &mut [][..]
            } else {
                // SAFETY: NDIS's buffer is valid for its stated length.
                unsafe {
                    core::slice::from_raw_parts_mut(
                        q.InformationBuffer.cast::<u8>(),
                        q.InformationBufferLength as usize,
                    )
                }
            };
            let o = self.query(cx, q.Oid, out);
            q.BytesWritten = o.done;
            q.BytesNeeded = o.needed;
            o.status
        } else if kind == sys::NdisRequestSetInformation {
            // SAFETY: the caller guarantees a valid request, not otherwise in use.
            let request = unsafe { &mut *request };
            // SAFETY: the request type says SET_INFORMATION is the active member.
            let s = unsafe { &mut request.DATA.SET_INFORMATION };
            let data = if s.InformationBuffer.is_null() {
                &[][..]
            } else {
                // SAFETY: as above.
                unsafe {
                    core::slice::from_raw_parts(
                        s.InformationBuffer.cast::<u8>(),
                        s.InformationBufferLength as usize,
                    )
                }
            };
            let o = self.set(cx, s.Oid, data);
            s.BytesRead = o.done;
            s.BytesNeeded = o.needed;
            o.status
        } else {
            sys::NDIS_STATUS_NOT_SUPPORTED
        }
    }

    fn statistics(&self, cx: &mut Locked<'_, Unlocked>) -> sys::NDIS_STATISTICS_INFO {
        let c = &self.counters;
        let nic = {
            let mut state = self.state.lock(cx);
            if !self.removed.load(Ordering::Acquire) {
                state.nic.accumulate(&self.regs);
            }
            state.nic
        };
        let load = |a: &core::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        let rx = load(&c.rx_frames);
        let rx_mc = load(&c.rx_multicast);
        let rx_bc = load(&c.rx_broadcast);
        sys::NDIS_STATISTICS_INFO {
            Header: header(
                sys::NDIS_OBJECT_TYPE_DEFAULT,
                sys::NDIS_STATISTICS_INFO_REVISION_1,
                core::mem::size_of::<sys::NDIS_STATISTICS_INFO>(),
            ),
            SupportedStatistics: VALID_STATISTICS,
            ifInDiscards: load(&c.rx_discards) + nic.missed + nic.rx_no_buffers,
            ifInErrors: nic.crc_errors + nic.alignment_errors + nic.rx_errors,
            ifHCInOctets: load(&c.rx_bytes),
            ifHCInUcastPkts: rx - rx_mc - rx_bc,
            ifHCInMulticastPkts: rx_mc,
            ifHCInBroadcastPkts: rx_bc,
            ifHCOutOctets: load(&c.tx_bytes),
            ifHCOutUcastPkts: load(&c.tx_frames),
            ifOutErrors: load(&c.tx_errors),
            ifOutDiscards: load(&c.tx_discards),
            ..Default::default()
        }
    }

    #[allow(
        clippy::too_many_lines,
        reason = "one arm per OID, as the OID list reads"
    )]
    fn query(&self, cx: &mut Locked<'_, Unlocked>, oid: sys::NDIS_OID, out: &mut [u8]) -> Outcome {
        let max_lookahead = MAX_FRAME - MIN_FRAME;
        let answer = match oid {
            sys::OID_GEN_SUPPORTED_LIST => {
                let mut b = [0u8; 256];
                for (i, o) in SUPPORTED_OIDS.iter().enumerate() {
                    b[i * 4..i * 4 + 4].copy_from_slice(&o.to_le_bytes());
                }
                Answer::Bytes(b, SUPPORTED_OIDS.len() * 4)
            }
            sys::OID_GEN_HARDWARE_STATUS => Answer::U32(sys::NdisHardwareStatusReady as u32),
            sys::OID_GEN_MEDIA_SUPPORTED | sys::OID_GEN_MEDIA_IN_USE => {
                Answer::U32(sys::NdisMedium802_3 as u32)
            }
            sys::OID_GEN_MAXIMUM_LOOKAHEAD | sys::OID_GEN_MAXIMUM_FRAME_SIZE => {
                Answer::U32(max_lookahead)
            }
            sys::OID_GEN_CURRENT_LOOKAHEAD => Answer::U32(self.state.lock(cx).lookahead),
            sys::OID_GEN_MAXIMUM_TOTAL_SIZE
            | sys::OID_GEN_TRANSMIT_BLOCK_SIZE
            | sys::OID_GEN_RECEIVE_BLOCK_SIZE => Answer::U32(MAX_FRAME),
            sys::OID_GEN_TRANSMIT_BUFFER_SPACE | sys::OID_GEN_RECEIVE_BUFFER_SPACE => {
                Answer::U32(u32_of(RING_DESCRIPTORS) * BUFFER_BYTES)
            }
            sys::OID_GEN_LINK_SPEED => {
                let link = self.state.lock(cx).link;
                // In units of 100 bit/s.
                Answer::U32(if link.up {
                    u32::try_from(link.speed.bits_per_second() / 100).unwrap_or(u32::MAX)
                } else {
                    0
                })
            }
            sys::OID_GEN_LINK_STATE => Answer::of(&link_state(self.state.lock(cx).link)),
            sys::OID_GEN_MEDIA_CONNECT_STATUS => {
                // NdisMediaStateConnected = 0, NdisMediaStateDisconnected = 1.
                Answer::U32(u32::from(!self.state.lock(cx).link.up))
            }
            sys::OID_GEN_VENDOR_ID => {
                let p = self.addresses.permanent.0;
                Answer::U32(u32::from_le_bytes([p[0], p[1], p[2], 0]))
            }
            sys::OID_GEN_VENDOR_DESCRIPTION => Answer::bytes(VENDOR_DESCRIPTION),
            sys::OID_GEN_VENDOR_DRIVER_VERSION => Answer::U32(DRIVER_VERSION),
            sys::OID_GEN_DRIVER_VERSION => Answer::U32(
                (sys::NDIS_MINIPORT_MAJOR_VERSION << 8) | sys::NDIS_MINIPORT_MINOR_VERSION,
            ),
            sys::OID_GEN_CURRENT_PACKET_FILTER => Answer::U32(self.state.lock(cx).packet_filter),
            sys::OID_GEN_MAC_OPTIONS => Answer::U32(MAC_OPTIONS),
            sys::OID_GEN_MAXIMUM_SEND_PACKETS => Answer::U32(1),
            sys::OID_GEN_XMIT_OK => {
                Answer::Counter(self.counters.tx_frames.load(Ordering::Relaxed))
            }
            sys::OID_GEN_RCV_OK => Answer::Counter(self.counters.rx_frames.load(Ordering::Relaxed)),
            sys::OID_GEN_XMIT_ERROR => Answer::Counter(self.statistics(cx).ifOutErrors),
            sys::OID_GEN_RCV_ERROR => Answer::Counter(self.statistics(cx).ifInErrors),
            sys::OID_GEN_RCV_NO_BUFFER => Answer::Counter(self.statistics(cx).ifInDiscards),
            sys::OID_GEN_STATISTICS => Answer::of(&self.statistics(cx)),
            sys::OID_GEN_INTERRUPT_MODERATION => {
                let on = self.state.lock(cx).moderation;
                Answer::of(&sys::NDIS_INTERRUPT_MODERATION_PARAMETERS {
                    Header: header(
                        sys::NDIS_OBJECT_TYPE_DEFAULT,
                        sys::NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1,
                        core::mem::size_of::<sys::NDIS_INTERRUPT_MODERATION_PARAMETERS>(),
                    ),
                    Flags: 0,
                    InterruptModeration: if on {
                        sys::NdisInterruptModerationEnabled
                    } else {
                        sys::NdisInterruptModerationDisabled
                    },
                })
            }
            sys::OID_802_3_PERMANENT_ADDRESS => Answer::bytes(&self.addresses.permanent.0),
            sys::OID_802_3_CURRENT_ADDRESS => Answer::bytes(&self.addresses.current.0),
            sys::OID_802_3_MAXIMUM_LIST_SIZE => Answer::U32(MAX_MULTICAST_LIST_U32),
            sys::OID_802_3_MULTICAST_LIST => {
                let state = self.state.lock(cx);
                let mut b = [0u8; 256];
                for (i, m) in state.multicast.iter().enumerate() {
                    b[i * 6..i * 6 + 6].copy_from_slice(&m.0);
                }
                Answer::Bytes(b, state.multicast.len() * 6)
            }
            _ => return Outcome::status(sys::NDIS_STATUS_NOT_SUPPORTED),
        };
        let (bytes, len, min): ([u8; 256], usize, usize) = match answer {
            Answer::U32(v) => {
                let mut b = [0u8; 256];
                b[..4].copy_from_slice(&v.to_le_bytes());
                (b, 4, 4)
            }
            Answer::Counter(v) => {
                let mut b = [0u8; 256];
                b[..8].copy_from_slice(&v.to_le_bytes());
                (b, 8, 4)
            }
            Answer::Bytes(b, n) => (b, n, n),
        };
        let n = if out.len() >= len {
            len
        } else if out.len() >= min {
            min
        } else {
            return Outcome {
                status: sys::NDIS_STATUS_BUFFER_TOO_SHORT,
                done: 0,
                needed: u32_of(len),
            };
        };
        out[..n].copy_from_slice(&bytes[..n]);
        Outcome {
            status: sys::NDIS_STATUS_SUCCESS,
            done: u32_of(n),
            needed: 0,
        }
    }

    #[allow(clippy::too_many_lines, reason = "one arm per OID")]
    fn set(&self, cx: &mut Locked<'_, Unlocked>, oid: sys::NDIS_OID, data: &[u8]) -> Outcome {
        let too_short = |needed: usize| Outcome {
            status: sys::NDIS_STATUS_INVALID_LENGTH,
            done: 0,
            needed: u32_of(needed),
        };
        let ok = |read: usize| Outcome {
            status: sys::NDIS_STATUS_SUCCESS,
            done: u32_of(read),
            needed: 0,
        };
        let present = !self.removed.load(Ordering::Acquire);
        match oid {
            sys::OID_GEN_CURRENT_PACKET_FILTER => {
                let Some(bits) = read_u32(data) else {
                    return too_short(4);
                };
                if bits & !SUPPORTED_PACKET_FILTERS != 0 {
                    return Outcome::status(sys::NDIS_STATUS_NOT_SUPPORTED);
                }
                let mut state = self.state.lock(cx);
                state.packet_filter = bits;
                if present {
                    filter::apply(&self.regs, &ndis_filter(bits), &state.multicast);
                }
                ok(4)
            }
            sys::OID_GEN_CURRENT_LOOKAHEAD => {
                let Some(value) = read_u32(data) else {
                    return too_short(4);
                };
                if value > MAX_FRAME - MIN_FRAME {
                    return Outcome::status(sys::NDIS_STATUS_INVALID_DATA);
                }
                self.state.lock(cx).lookahead = value;
                ok(4)
            }
            sys::OID_802_3_MULTICAST_LIST => {
                if !data.len().is_multiple_of(6) {
                    return Outcome {
                        status: sys::NDIS_STATUS_INVALID_LENGTH,
                        done: 0,
                        needed: u32_of(data.len() / 6 * 6 + 6),
                    };
                }
                if data.len() / 6 > MAX_MULTICAST_LIST {
                    return Outcome::status(sys::NDIS_STATUS_MULTICAST_FULL);
                }
                let mut list = alloc::vec::Vec::new();
                if list.try_reserve(data.len() / 6).is_err() {
                    return Outcome::status(sys::NDIS_STATUS_RESOURCES);
                }
                for chunk in data.chunks_exact(6) {
                    let mut a = [0u8; 6];
                    a.copy_from_slice(chunk);
                    let a = MacAddress(a);
                    if !a.is_multicast() {
                        return Outcome::status(sys::NDIS_STATUS_INVALID_DATA);
                    }
                    list.push(a);
                }
                let mut state = self.state.lock(cx);
                state.multicast = list;
                if present {
                    filter::apply(
                        &self.regs,
                        &ndis_filter(state.packet_filter),
                        &state.multicast,
                    );
                }
                ok(data.len())
            }
            sys::OID_GEN_INTERRUPT_MODERATION => {
                let size = core::mem::size_of::<sys::NDIS_INTERRUPT_MODERATION_PARAMETERS>();
                if data.len() < size {
                    return too_short(size);
                }
                // SAFETY: `data` holds at least `size` bytes; read unaligned as plain data.
                let p = unsafe {
                    data.as_ptr()
                        .cast::<sys::NDIS_INTERRUPT_MODERATION_PARAMETERS>()
                        .read_unaligned()
                };
                let on = match p.InterruptModeration {
                    x if x == sys::NdisInterruptModerationEnabled => true,
                    x if x == sys::NdisInterruptModerationDisabled => false,
                    _ => return Outcome::status(sys::NDIS_STATUS_INVALID_DATA),
                };
                if u32::from(p.Header.Type) != sys::NDIS_OBJECT_TYPE_DEFAULT {
                    return Outcome::status(sys::NDIS_STATUS_INVALID_DATA);
                }
                self.state.lock(cx).moderation = on;
                if present {
                    let per_second = if on { DEFAULT_INTERRUPTS_PER_SECOND } else { 0 };
                    let interval = if on {
                        interrupts::throttle_interval(per_second)
                    } else {
                        0
                    };
                    interrupts::set_throttle(&self.regs, interval);
                }
                ok(size)
            }
            sys::OID_GEN_LINK_PARAMETERS => {
                let size = core::mem::size_of::<sys::NDIS_LINK_PARAMETERS>();
                if data.len() < size {
                    return too_short(size);
                }
                // SAFETY: as above.
                let p = unsafe {
                    data.as_ptr()
                        .cast::<sys::NDIS_LINK_PARAMETERS>()
                        .read_unaligned()
                };
                // The driver does not force speed or duplex: only "auto" is accepted.
                let auto = p.MediaDuplexState == sys::MediaDuplexStateUnknown
                    && (p.XmitLinkSpeed == 0 || p.XmitLinkSpeed == u64::MAX)
                    && (p.RcvLinkSpeed == 0 || p.RcvLinkSpeed == u64::MAX);
                if auto {
                    ok(size)
                } else {
                    Outcome::status(sys::NDIS_STATUS_NOT_SUPPORTED)
                }
            }
            _ => Outcome::status(sys::NDIS_STATUS_NOT_SUPPORTED),
        }
    }
}
