//! `MiniportOidRequest` fuzzing: a script of OID requests of any type, for any OID, with
//! short, long and odd-sized buffers at odd alignments, and huge multicast lists. Each answer
//! is checked against what its status promises
//! (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>):
//!
//! - the status is one the page lists for a finished request;
//! - a success writes (query) or reads (set) no more than the buffer holds;
//! - `NDIS_STATUS_BUFFER_TOO_SHORT` / `NDIS_STATUS_INVALID_LENGTH` on a query name a
//!   `BytesNeeded` larger than the buffer given, and the same query with that many bytes
//!   succeeds; on a set, a nonzero `BytesNeeded` is larger than the data given;
//! - `OID_802_3_MULTICAST_LIST`: a length that is not a multiple of 6 is
//!   `NDIS_STATUS_INVALID_LENGTH`, more addresses than `OID_802_3_MAXIMUM_LIST_SIZE` is
//!   `NDIS_STATUS_MULTICAST_FULL`, a valid list reads back as set;
//! - `OID_GEN_CURRENT_PACKET_FILTER`: a filter that was accepted reads back as set;
//! - a query or set answered successfully names an OID of `OID_GEN_SUPPORTED_LIST`.
//!
//! Then traffic both ways, Pause, Halt, Unload: nothing lost or leaked, verifier clean.

use std::sync::Arc;

use arbitrary::Arbitrary;
use e1000_model::{E1000, E1000Config, LinkConditions, cable};
use ndis_sim::host::{OidCall, OidKind, OidResult};
use rse1k::sys;

use crate::board::{Board, PEER, frame, machine};
use crate::{Finding, finding};

/// Requests per input at most (a longer script is cut).
const MAX_REQUESTS: usize = 24;
/// Largest buffer a request gets (bytes).
const MAX_BUFFER: usize = 8192;
/// Largest multicast list a request builds (addresses).
const MAX_MULTICAST: usize = 1024;

/// OIDs NDIS issues only to miniports that declared the feature, and that the verifier then
/// requires to succeed (`NdisOidComplete`'s table): not issued unless the driver lists them.
const RELEASING_OIDS: &[u32] = &[
    sys::OID_PNP_SET_POWER,
    0x0001_0228,
    0xFC03_0203,
    0x0001_0224,
    0x0001_0246,
    0x0001_0239,
    0x0101_0209,
    0xFD01_010B,
    0xFD01_010F,
    0x0F01_0107,
];

/// OIDs NDIS may send a miniport whatever it supports: general, 802.3, power, offload.
const KNOWN_OIDS: &[u32] = &[
    sys::OID_GEN_CURRENT_PACKET_FILTER,
    sys::OID_GEN_CURRENT_LOOKAHEAD,
    sys::OID_802_3_MULTICAST_LIST,
    sys::OID_GEN_INTERRUPT_MODERATION,
    sys::OID_GEN_LINK_PARAMETERS,
    sys::OID_GEN_LINK_STATE,
    sys::OID_GEN_STATISTICS,
    sys::OID_GEN_PROTOCOL_OPTIONS,
    sys::OID_PNP_QUERY_POWER,
    sys::OID_PNP_CAPABILITIES,
    sys::OID_PNP_ENABLE_WAKE_UP,
    sys::OID_PNP_ADD_WAKE_UP_PATTERN,
    sys::OID_GEN_PHYSICAL_MEDIUM,
    sys::OID_GEN_MAX_LINK_SPEED,
    sys::OID_GEN_MEDIA_DUPLEX_STATE,
    sys::OID_802_3_MAC_OPTIONS,
    0xFC01_020C, // OID_TCP_OFFLOAD_PARAMETERS
    0x0001_0203, // OID_GEN_RECEIVE_SCALE_CAPABILITIES
    0x0001_0204, // OID_GEN_RECEIVE_SCALE_PARAMETERS
    0xFF00_0000, // vendor range
];

/// A script of OID requests.
#[derive(Arbitrary, Clone, Debug)]
pub struct OidScript {
    /// Seeds the machine's schedule and the host's choices.
    pub seed: u16,
    /// The requests, in order (at most [`MAX_REQUESTS`]).
    pub requests: Vec<Request>,
}

/// One OID request.
#[derive(Arbitrary, Clone, Debug)]
pub struct Request {
    /// Query, statistics query, set or method.
    pub kind: Kind,
    /// Which OID.
    pub oid: Pick,
    /// A set's data or a method's input.
    pub payload: Payload,
    /// A query's buffer or a method's output length (modulo [`MAX_BUFFER`] + 1).
    pub buffer_len: u16,
    /// Bytes past an 8-byte boundary where the buffer starts.
    pub misalign: u8,
}

/// The request type.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Kind {
    /// `NdisRequestQueryInformation`.
    Query,
    /// `NdisRequestQueryStatistics`.
    QueryStatistics,
    /// `NdisRequestSetInformation`.
    Set,
    /// `NdisRequestMethod` with this method id.
    Method(u32),
}

/// How the OID is chosen.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Pick {
    /// Entry `n` (modulo its length) of the driver's `OID_GEN_SUPPORTED_LIST`.
    Supported(u8),
    /// Entry `n` of [`KNOWN_OIDS`].
    Known(u8),
    /// Any value.
    Raw(u32),
}

/// A set's data.
#[derive(Arbitrary, Clone, Debug)]
pub enum Payload {
    /// These bytes.
    Bytes(Vec<u8>),
    /// A little-endian `u32`.
    U32(u32),
    /// `count` 6-byte addresses (modulo [`MAX_MULTICAST`] + 1), group bit set unless
    /// `unicast`, plus `extra` stray bytes (modulo 6).
    Addresses {
        /// How many addresses.
        count: u16,
        /// Whether the addresses lack the group bit.
        unicast: bool,
        /// Bytes after the last whole address.
        extra: u8,
    },
}

impl Payload {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Self::Bytes(b) => b.iter().copied().take(MAX_BUFFER).collect(),
            Self::U32(v) => v.to_le_bytes().to_vec(),
            Self::Addresses {
                count,
                unicast,
                extra,
            } => {
                let n = usize::from(*count) % (MAX_MULTICAST + 1);
                let mut out = Vec::with_capacity(n * 6 + 5);
                for i in 0..n {
                    let [hi, lo] = u16::try_from(i).unwrap_or(u16::MAX).to_be_bytes();
                    out.extend_from_slice(&[
                        if *unicast { 0x02 } else { 0x01 },
                        0,
                        0x5E,
                        0,
                        hi,
                        lo,
                    ]);
                }
                out.extend(std::iter::repeat_n(0xEE, usize::from(*extra) % 6));
                out
            }
        }
    }
}

/// What the harness learnt from the driver before the script.
struct Facts {
    supported: Vec<u32>,
    max_multicast: usize,
}

/// Statuses `MiniportOidRequest`'s page lists for a finished request.
const DOCUMENTED: &[i32] = &[
    sys::NDIS_STATUS_SUCCESS,
    sys::NDIS_STATUS_NOT_ACCEPTED,
    sys::NDIS_STATUS_INVALID_OID,
    sys::NDIS_STATUS_INVALID_LENGTH,
    sys::NDIS_STATUS_INVALID_DATA,
    sys::NDIS_STATUS_NOT_SUPPORTED,
    sys::NDIS_STATUS_BUFFER_TOO_SHORT,
    sys::NDIS_STATUS_MULTICAST_FULL,
    sys::NDIS_STATUS_RESOURCES,
    sys::NDIS_STATUS_REQUEST_ABORTED,
    sys::NDIS_STATUS_FAILURE,
];

/// Runs `script` against the driver on this project's e1000 model.
///
/// # Errors
/// The first [`Finding`].
pub fn run(script: &OidScript) -> Result<(), Finding> {
    let machine = machine(0x01D0_0000 | u64::from(script.seed));
    let (near, far) = cable(LinkConditions::default());
    let nic = Arc::new(E1000::new(
        E1000Config::default(),
        machine.physical_memory(),
        Box::new(near),
    ));
    let mut board = Board::boot(machine, nic, far)?;
    let facts = learn(&board)?;
    for (i, request) in script.requests.iter().take(MAX_REQUESTS).enumerate() {
        let Some(call) = call_for(request, &facts) else {
            continue;
        };
        let answer = board.adapter.oid_request(&call);
        check(&board, &facts, &call, &answer)
            .map_err(|f| Finding(format!("request {i} {call:?}: {f}")))?;
    }
    traffic(&mut board);
    board.finish()
}

/// The supported OIDs and the multicast list size, queried as NDIS would.
fn learn(board: &Board) -> Result<Facts, Finding> {
    let list = board
        .query(sys::OID_GEN_SUPPORTED_LIST, 4096)
        .map_err(|s| Finding(format!("OID_GEN_SUPPORTED_LIST failed: {s:#x}")))?;
    let supported = list
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let max = board
        .query(sys::OID_802_3_MAXIMUM_LIST_SIZE, 4)
        .map_err(|s| Finding(format!("OID_802_3_MAXIMUM_LIST_SIZE failed: {s:#x}")))?;
    let max_multicast = max
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes) as usize;
    Ok(Facts {
        supported,
        max_multicast,
    })
}

/// The request `r` stands for; `None` for one NDIS never issues to this driver.
fn call_for(r: &Request, facts: &Facts) -> Option<OidCall> {
    let oid = match r.oid {
        Pick::Supported(n) => *facts
            .supported
            .get(usize::from(n) % facts.supported.len().max(1))?,
        Pick::Known(n) => KNOWN_OIDS[usize::from(n) % KNOWN_OIDS.len()],
        Pick::Raw(v) => v,
    };
    if RELEASING_OIDS.contains(&oid) && !facts.supported.contains(&oid) {
        return None;
    }
    let kind = match r.kind {
        Kind::Query => OidKind::Query,
        Kind::QueryStatistics => OidKind::QueryStatistics,
        Kind::Set => OidKind::Set,
        Kind::Method(method_id) => OidKind::Method { method_id },
    };
    let input = r.payload.bytes();
    Some(OidCall {
        kind,
        oid,
        buffer_len: if kind == OidKind::Set {
            input.len()
        } else {
            usize::from(r.buffer_len) % (MAX_BUFFER + 1)
        },
        input,
        misalign: usize::from(r.misalign),
    })
}

/// Checks one answer (see the module documentation).
fn check(board: &Board, facts: &Facts, call: &OidCall, a: &OidResult) -> Result<(), Finding> {
    if !DOCUMENTED.contains(&a.status) {
        return finding!("finished with {:#x}, not a status the page lists", a.status);
    }
    let ok = a.status == sys::NDIS_STATUS_SUCCESS;
    let short = a.status == sys::NDIS_STATUS_BUFFER_TOO_SHORT
        || a.status == sys::NDIS_STATUS_INVALID_LENGTH;
    let needed = a.bytes_needed as usize;
    match call.kind {
        OidKind::Query | OidKind::QueryStatistics | OidKind::Method { .. } => {
            let written = a.bytes_written_or_read as usize;
            if ok && written > call.buffer_len {
                return finding!(
                    "wrote {written} bytes into a {}-byte buffer",
                    call.buffer_len
                );
            }
            if short && needed <= call.buffer_len {
                return finding!(
                    "{:#x} with BytesNeeded {needed} for a {}-byte buffer",
                    a.status,
                    call.buffer_len
                );
            }
            if short && matches!(call.kind, OidKind::Query | OidKind::QueryStatistics) {
                let retry = OidCall {
                    buffer_len: needed,
                    ..call.clone()
                };
                let again = board.adapter.oid_request(&retry);
                if again.status != sys::NDIS_STATUS_SUCCESS {
                    return finding!(
                        "BytesNeeded {needed}, but a {needed}-byte buffer gets {:#x}",
                        again.status
                    );
                }
            }
        }
        OidKind::Set => {
            let read = a.bytes_written_or_read as usize;
            if ok && read > call.input.len() {
                return finding!("read {read} bytes of {}", call.input.len());
            }
            if short && needed != 0 && needed <= call.input.len() {
                return finding!(
                    "{:#x} with BytesNeeded {needed} for {} bytes of data",
                    a.status,
                    call.input.len()
                );
            }
        }
    }
    if ok && call.kind != OidKind::QueryStatistics && !facts.supported.contains(&call.oid) {
        if let OidKind::Method { .. } = call.kind {
            return finding!("a method request succeeded for an OID not in the supported list");
        }
        return finding!("succeeded for an OID not in OID_GEN_SUPPORTED_LIST");
    }
    if call.kind == OidKind::Set {
        check_set(board, facts, call, a)?;
    }
    Ok(())
}

/// The OIDs whose effect the harness reads back.
fn check_set(board: &Board, facts: &Facts, call: &OidCall, a: &OidResult) -> Result<(), Finding> {
    let ok = a.status == sys::NDIS_STATUS_SUCCESS;
    if call.oid == sys::OID_802_3_MULTICAST_LIST {
        let len = call.input.len();
        let expected = if !len.is_multiple_of(6) {
            &[sys::NDIS_STATUS_INVALID_LENGTH][..]
        } else if len / 6 > facts.max_multicast {
            &[sys::NDIS_STATUS_MULTICAST_FULL][..]
        } else if call.input.chunks_exact(6).any(|m| m[0] & 1 == 0) {
            // The page's status for an invalid multicast address, or INVALID_DATA.
            &[
                sys::NDIS_STATUS_MULTICAST_FULL,
                sys::NDIS_STATUS_INVALID_DATA,
            ][..]
        } else {
            &[sys::NDIS_STATUS_SUCCESS][..]
        };
        if !expected.contains(&a.status) {
            return finding!(
                "multicast list of {len} bytes ({} addresses, maximum {}): {:#x}, expected one \
                 of {expected:#x?}",
                len / 6,
                facts.max_multicast,
                a.status
            );
        }
        if ok {
            let back = board
                .query(
                    sys::OID_802_3_MULTICAST_LIST,
                    6 * facts.max_multicast.max(1),
                )
                .map_err(|s| Finding(format!("reading the multicast list back: {s:#x}")))?;
            if back != call.input {
                return finding!("the multicast list reads back as {back:02x?}");
            }
        }
    }
    if call.oid == sys::OID_GEN_CURRENT_PACKET_FILTER && ok {
        let back = board
            .query(sys::OID_GEN_CURRENT_PACKET_FILTER, 4)
            .map_err(|s| Finding(format!("reading the packet filter back: {s:#x}")))?;
        if back.as_slice() != call.input.get(..4).unwrap_or(&[]) {
            return finding!("the packet filter reads back as {back:02x?}");
        }
    }
    Ok(())
}

/// A few frames each way (whatever the requests changed, sends complete and indications come
/// back: `finish` checks the accounting).
fn traffic(board: &mut Board) {
    let station = board.station();
    for seq in 0..4 {
        let f = frame(PEER, station, seq, 60 + 100 * seq as usize);
        board
            .adapter
            .send(0, std::slice::from_ref(&f), seq % 2 == 1);
        let to = if seq % 2 == 0 { station } else { [0xFF; 6] };
        board.peer_send(&frame(to, PEER, seq, 64));
    }
    for _ in 0..200 {
        board.pump(1);
        let _ = board.adapter.take_completions();
        let _ = board.adapter.take_received();
        let _ = board.peer_drain();
    }
}
