//! OID requests and status indications at the protocol edge.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/oid-request-processing>

use std::collections::VecDeque;
use std::panic::Location;

use super::adapter::{Adapter, AdapterState, Phase, StatusIndication, header};
use super::driver::{call_handler, host_violation};
use crate::Handler;
use crate::machine::processor::{Cpu, PASSIVE, violation};
use crate::sys::{
    NDIS_LINK_STATE, NDIS_OID, NDIS_OID_REQUEST, NDIS_STATUS, PNDIS_OID_REQUEST,
    PNDIS_STATUS_INDICATION,
};
use crate::sys::{
    NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_STATUS_LINK_STATE,
    NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_PENDING, NDIS_STATUS_REQUEST_ABORTED,
    NDIS_STATUS_SUCCESS, NdisRequestMethod, NdisRequestQueryInformation,
    NdisRequestQueryStatistics, NdisRequestSetInformation, OID_PNP_SET_POWER,
};
use crate::verifier::Rule;

/// How many finished requests are kept to recognise a late second completion.
const FINISHED: usize = 64;

/// The outcome of an OID request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidResult {
    /// The final status (returned, or given to `NdisMOidRequestComplete`).
    pub status: NDIS_STATUS,
    /// For a query: the first `BytesWritten` bytes of the buffer; for a set: empty.
    pub data: Vec<u8>,
    /// `BytesWritten` (query) or `BytesRead` (set).
    pub bytes_written_or_read: u32,
    /// `BytesNeeded`.
    pub bytes_needed: u32,
}

/// `NDIS_OID_REQUEST::DATA.METHOD_INFORMATION` (bindgen's name for the anonymous struct).
#[allow(
    clippy::used_underscore_items,
    reason = "bindgen names the anonymous struct; this alias is the one place that spells it"
)]
type MethodInformation = crate::sys::_NDIS_OID_REQUEST__REQUEST_DATA__METHOD;

/// The type of an OID request the host issues (`NDIS_OID_REQUEST::RequestType`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/oidrequest/ns-oidrequest-ndis_oid_request>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OidKind {
    /// `NdisRequestQueryInformation`.
    Query,
    /// `NdisRequestQueryStatistics` (a query NDIS issues for statistics).
    QueryStatistics,
    /// `NdisRequestSetInformation`.
    Set,
    /// `NdisRequestMethod` with this `MethodId`.
    Method {
        /// `METHOD_INFORMATION::MethodId`.
        method_id: u32,
    },
}

/// An OID request as NDIS issues it. The information buffer the host allocates is exactly the
/// length it declares (so a miniport that reads or writes past it is caught by the host's
/// memory checks, never fed more than it was told), `misalign` bytes past the start of its
/// allocation (which the host allocator aligns to at least 8 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidCall {
    /// The request type.
    pub kind: OidKind,
    /// The OID.
    pub oid: NDIS_OID,
    /// A set's data or a method's input (ignored for queries).
    pub input: Vec<u8>,
    /// A query's `InformationBufferLength` or a method's `OutputBufferLength` (a set's length
    /// is `input.len()`; a method's buffer holds the larger of input and output).
    pub buffer_len: usize,
    /// How far past its allocation's (8-byte aligned) start the information buffer begins
    /// (taken modulo 8): odd alignments for the miniport's reads and writes.
    pub misalign: usize,
}

/// A request the host built: the `NDIS_OID_REQUEST` and its information buffer (`len` bytes at
/// `offset` into `buf`), owned through raw pointers the miniport may write through until the
/// request completes.
pub(crate) struct OidReq {
    req: *mut NDIS_OID_REQUEST,
    buf: *mut [u8],
    offset: usize,
    len: usize,
    kind: OidKind,
}

// SAFETY: the allocations are owned by this value alone.
unsafe impl Send for OidReq {}

impl OidReq {
    /// The information buffer's bytes (the miniport is done with them).
    fn bytes(&self) -> &[u8] {
        // SAFETY: `buf` holds `offset + len` bytes (built so by `Adapter::build`): `offset` is
        // inside the allocation.
        let start = unsafe { self.buf.cast::<u8>().add(self.offset) };
        // SAFETY: `len` bytes from `start` are the allocation's, the host's; the miniport no
        // longer writes them.
        unsafe { core::slice::from_raw_parts(start, self.len) }
    }

    /// What the miniport answered.
    fn result(&self, status: NDIS_STATUS) -> OidResult {
        // SAFETY: the request is the host's; the miniport is done with it.
        let r = unsafe { &*self.req };
        let (written, read_or_written, needed) = match self.kind {
            OidKind::Set => {
                // SAFETY: the SET view is the one this request was built with.
                let d = unsafe { r.DATA.SET_INFORMATION };
                (0, d.BytesRead, d.BytesNeeded)
            }
            OidKind::Query | OidKind::QueryStatistics => {
                // SAFETY: the QUERY view is the one this request was built with.
                let d = unsafe { r.DATA.QUERY_INFORMATION };
                (d.BytesWritten, d.BytesWritten, d.BytesNeeded)
            }
            OidKind::Method { .. } => {
                // SAFETY: the METHOD view is the one this request was built with.
                let d = unsafe { r.DATA.METHOD_INFORMATION };
                (d.BytesWritten, d.BytesWritten, d.BytesNeeded)
            }
        };
        let bytes = self.bytes();
        let n = (written as usize).min(bytes.len());
        OidResult {
            status,
            data: bytes[..n].to_vec(),
            bytes_written_or_read: read_or_written,
            bytes_needed: needed,
        }
    }
}

impl Drop for OidReq {
    fn drop(&mut self) {
        // SAFETY: `req` came from `Box::into_raw` and is freed once, here, when the request
        // is dropped.
        drop(unsafe { Box::from_raw(self.req) });
        // SAFETY: `buf` came from its own `Box::into_raw` and is freed once, here; `req`,
        // which pointed at it, is already gone.
        drop(unsafe { Box::from_raw(self.buf) });
    }
}

/// The request in flight (NDIS issues one at a time) and the recently finished ones.
#[derive(Default)]
pub(crate) struct OidSlot {
    current: Option<OidReq>,
    /// What the handler returned, once it has.
    returned: Option<NDIS_STATUS>,
    /// The status `NdisMOidRequestComplete` gave.
    completed: Option<NDIS_STATUS>,
    finished: VecDeque<OidReq>,
    /// Requests the host stopped waiting for after `NdisTimedOidComplete`, still the miniport's.
    abandoned: Vec<OidReq>,
}

impl OidSlot {
    /// Whether a request is in flight (issued and not finished, or left pending).
    pub(crate) fn in_flight(&self) -> bool {
        self.current.is_some() || !self.abandoned.is_empty()
    }
}

impl Adapter {
    /// Builds `call`'s request and its information buffer (exactly the declared length).
    fn build(call: &OidCall) -> OidReq {
        let len = match call.kind {
            OidKind::Query | OidKind::QueryStatistics => call.buffer_len,
            OidKind::Set => call.input.len(),
            OidKind::Method { .. } => call.buffer_len.max(call.input.len()),
        };
        let offset = call.misalign % 8;
        // Exactly `offset + len` bytes: a miniport that touches a byte past the declared length
        // touches memory that is not the buffer's (AddressSanitizer builds report it).
        let buf = Box::into_raw(vec![0u8; offset + len].into_boxed_slice());
        // SAFETY: `buf` holds `offset + len` bytes, just allocated, the host's alone.
        let info = unsafe { buf.cast::<u8>().add(offset) };
        let input = match call.kind {
            OidKind::Query | OidKind::QueryStatistics => &[][..],
            OidKind::Set | OidKind::Method { .. } => &call.input[..],
        };
        // SAFETY: `info` has room for `len` >= `input.len()` bytes.
        unsafe { core::ptr::copy_nonoverlapping(input.as_ptr(), info, input.len()) };
        let length = u32::try_from(len).expect("OID buffer below 4 GiB");
        let mut req = NDIS_OID_REQUEST {
            Header: header(
                NDIS_OBJECT_TYPE_OID_REQUEST,
                NDIS_OID_REQUEST_REVISION_1,
                core::mem::size_of::<NDIS_OID_REQUEST>(),
            ),
            RequestType: match call.kind {
                OidKind::Query => NdisRequestQueryInformation,
                OidKind::QueryStatistics => NdisRequestQueryStatistics,
                OidKind::Set => NdisRequestSetInformation,
                OidKind::Method { .. } => NdisRequestMethod,
            },
            ..Default::default()
        };
        // The counters start zero.
        match call.kind {
            OidKind::Query | OidKind::QueryStatistics => {
                req.DATA.QUERY_INFORMATION.Oid = call.oid;
                req.DATA.QUERY_INFORMATION.InformationBuffer = info.cast();
                req.DATA.QUERY_INFORMATION.InformationBufferLength = length;
            }
            OidKind::Set => {
                req.DATA.SET_INFORMATION.Oid = call.oid;
                req.DATA.SET_INFORMATION.InformationBuffer = info.cast();
                req.DATA.SET_INFORMATION.InformationBufferLength = length;
            }
            OidKind::Method { method_id } => {
                req.DATA.METHOD_INFORMATION = MethodInformation {
                    Oid: call.oid,
                    MethodId: method_id,
                    InformationBuffer: info.cast(),
                    InputBufferLength: u32::try_from(call.input.len()).unwrap_or(u32::MAX),
                    OutputBufferLength: u32::try_from(call.buffer_len).unwrap_or(u32::MAX),
                    BytesWritten: 0,
                    BytesRead: 0,
                    BytesNeeded: 0,
                };
            }
        }
        OidReq {
            req: Box::into_raw(Box::new(req)),
            buf,
            offset,
            len,
            kind: call.kind,
        }
    }

    /// Issues `call` to `MiniportOidRequest` on processor 0 at `PASSIVE_LEVEL` (NDIS issues
    /// one request at a time) and waits for `NdisMOidRequestComplete` when it pends.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
    ///
    /// # Panics
    /// When the adapter is halted or initializing; as [`Adapter::oid_query`].
    #[must_use]
    pub fn oid_request(&self, call: &OidCall) -> OidResult {
        let oid = call.oid;
        let _serial = crate::machine::lock(&self.state.oid_serial);
        super::datapath::return_held(&self.state, &self.machine, false);
        let built = Self::build(call);
        let addr = built.req as usize;
        self.check_no_request_pending(oid);
        let now = self.machine.virtual_time_ns();
        let context = {
            let mut g = self.state.lock();
            g.timed.oid(Some(now));
            assert!(
                !matches!(
                    g.phase,
                    Phase::Halting | Phase::Halted | Phase::Initializing
                ),
                "ndis-sim: an OID request to an adapter in state {:?}",
                g.phase
            );
            g.counters.oids += 1;
            g.oid.current = Some(built);
            g.oid.returned = None;
            g.oid.completed = None;
            g.context
        };
        let handler = self.state.driver.handlers.oid_request.expect("validated");
        let returned = call_handler(&self.machine, 0, Handler::OidRequest, PASSIVE, move || {
            // SAFETY: the context is the adapter's; the request and its buffer stay allocated
            // until the request is finished (kept a while after, to catch late completions).
            unsafe { handler(context as _, addr as PNDIS_OID_REQUEST) }
        });
        let early = {
            let mut g = self.state.lock();
            g.oid.returned = Some(returned);
            g.oid.completed
        };
        let status = if returned == NDIS_STATUS_PENDING {
            if !self.wait_for_oid(oid) {
                return OidResult {
                    status: NDIS_STATUS_PENDING,
                    data: Vec::new(),
                    bytes_written_or_read: 0,
                    bytes_needed: 0,
                };
            }
            self.state.lock().oid.completed.unwrap_or(returned)
        } else {
            if early.is_some() {
                host_violation(
                    &self.machine,
                    Rule::NdisOidDoubleComplete,
                    format!(
                        "OID {oid:#010x}: NdisMOidRequestComplete was called and \
                         MiniportOidRequest returned {returned:#x}, not NDIS_STATUS_PENDING \
                         (also the SDV rule DoubleComplete)"
                    ),
                );
            }
            check_final_status(oid, returned, |detail| {
                host_violation(&self.machine, Rule::NdisOidComplete, detail);
            });
            returned
        };
        let mut g = self.state.lock();
        g.timed.oid(None);
        let done = g.oid.current.take().expect("the request in flight");
        let result = done.result(status);
        g.oid.finished.push_back(done);
        if g.oid.finished.len() > FINISHED {
            g.oid.finished.pop_front();
        }
        result
    }
    /// `NdisOidDoubleRequest`: before NDIS issues `oid`, the miniport must have completed every
    /// earlier request (the host stops waiting for a late one, which stays pending).
    fn check_no_request_pending(&self, oid: NDIS_OID) {
        let stuck = self.state.lock().oid.abandoned.len();
        if stuck != 0 {
            host_violation(
                &self.machine,
                Rule::NdisOidDoubleRequest,
                format!(
                    "OID {oid:#010x} issued while {stuck} earlier request(s) are still pending \
                 (never completed)"
                ),
            );
        }
    }

    /// Waits for `NdisMOidRequestComplete` of the request in flight; `false` when it was
    /// reported late (`NdisTimedOidComplete`): the host stops waiting, and the request stays
    /// the miniport's (a next request is then `NdisOidDoubleRequest`).
    fn wait_for_oid(&self, oid: NDIS_OID) -> bool {
        let completed = self.state.wait_for(
            &self.machine,
            &format!("OID {oid:#010x} (NdisMOidRequestComplete)"),
            |g| g.oid.completed.is_some(),
            |g| g.timed.oid_late(),
        );
        if !completed {
            let mut g = self.state.lock();
            g.timed.oid(None);
            let stuck = g.oid.current.take().expect("the request in flight");
            g.oid.abandoned.push(stuck);
        }
        completed
    }

    /// A query OID request (`NdisRequestQueryInformation`) with a `buffer_len`-byte buffer,
    /// to `MiniportOidRequest` on processor 0 at `PASSIVE_LEVEL`; waits for
    /// `NdisMOidRequestComplete` when it pends.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
    ///
    /// # Panics
    /// When the adapter is halted; after the completion timeout; as [`Machine::run_on`](crate::Machine::run_on).
    #[must_use]
    pub fn oid_query(&self, oid: NDIS_OID, buffer_len: usize) -> OidResult {
        self.oid_request(&OidCall {
            kind: OidKind::Query,
            oid,
            input: Vec::new(),
            buffer_len,
            misalign: 0,
        })
    }

    /// A set OID request (`NdisRequestSetInformation`) carrying `data`, like
    /// [`Adapter::oid_query`].
    ///
    /// # Panics
    /// As [`Adapter::oid_query`].
    #[allow(clippy::must_use_candidate)] // the caller may not care about a set's outcome
    pub fn oid_set(&self, oid: NDIS_OID, data: &[u8]) -> OidResult {
        self.oid_request(&OidCall {
            kind: OidKind::Set,
            oid,
            input: data.to_vec(),
            buffer_len: data.len(),
            misalign: 0,
        })
    }

    /// The status indications so far.
    #[must_use]
    pub fn status_indications(&self) -> Vec<StatusIndication> {
        self.state.lock().status.clone()
    }

    /// The last `NDIS_STATUS_LINK_STATE` indication's `NDIS_LINK_STATE`, if any.
    #[must_use]
    pub fn link_state(&self) -> Option<NDIS_LINK_STATE> {
        let g = self.state.lock();
        let last = g
            .status
            .iter()
            .rev()
            .find(|s| s.code == NDIS_STATUS_LINK_STATE)?;
        if last.payload.len() < core::mem::size_of::<NDIS_LINK_STATE>() {
            return None;
        }
        // SAFETY: the payload holds at least one NDIS_LINK_STATE (plain integers); the read is
        // unaligned-safe.
        Some(unsafe {
            last.payload
                .as_ptr()
                .cast::<NDIS_LINK_STATE>()
                .read_unaligned()
        })
    }
}

/// `NdisMOidRequestComplete` on the host side: the request must be the one in flight, not yet
/// completed, whose handler did not return a final status ([`Rule::NdisOidDoubleComplete`]), with
/// a final status ([`Rule::NdisOidComplete`]: never `NDIS_STATUS_PENDING`, and for the OIDs of
/// the rule's table only the statuses it lists).
pub(crate) fn oid_complete(
    cpu: &Cpu,
    state: &AdapterState,
    request: PNDIS_OID_REQUEST,
    status: NDIS_STATUS,
    location: &'static Location<'static>,
) {
    // The checks are reported before the completion is recorded: the host thread waiting for
    // it reads the report as soon as it sees the completion.
    let mut oid = None;
    let mut valid = false;
    let problem = {
        let mut g = state.lock();
        let slot = &mut g.oid;
        if slot.current.as_ref().is_some_and(|c| c.req == request) {
            // SAFETY: the request in flight is the host's, allocated until it is finished.
            let r = unsafe { &*request };
            // SAFETY: QUERY and SET share the position of `Oid`; any value is an OID.
            oid = Some(unsafe { r.DATA.QUERY_INFORMATION.Oid });
            if slot.completed.is_some() {
                Some("completed twice".to_owned())
            } else if let Some(r) = slot.returned.filter(|&r| r != NDIS_STATUS_PENDING) {
                Some(format!(
                    "completed although MiniportOidRequest returned {r:#x}, not \
                     NDIS_STATUS_PENDING"
                ))
            } else {
                valid = true;
                None
            }
        } else if let Some(i) = slot.abandoned.iter().position(|a| a.req == request) {
            // Late (NdisTimedOidComplete was reported), but completed once: finished now.
            let late = slot.abandoned.remove(i);
            slot.finished.push_back(late);
            None
        } else if slot.finished.iter().any(|f| f.req == request) {
            Some("completed after it was already finished (twice, or after a final return)".into())
        } else {
            Some("not a request NDIS has in flight for this adapter".into())
        }
    };
    if let Some(p) = problem {
        violation(
            cpu,
            Rule::NdisOidDoubleComplete,
            location,
            format!(
                "NdisMOidRequestComplete({request:p}, {status:#x}): {p} (also the SDV rules \
                 DoubleComplete / DoubleCompleteWorkItem)"
            ),
        );
    }
    if status == NDIS_STATUS_PENDING {
        violation(
            cpu,
            Rule::NdisOidComplete,
            location,
            format!(
                "NdisMOidRequestComplete({request:p}, NDIS_STATUS_PENDING): PENDING is not a \
                 final status"
            ),
        );
    } else if let Some(oid) = oid {
        check_final_status(oid, status, |detail| {
            violation(cpu, Rule::NdisOidComplete, location, detail);
        });
    }
    if valid {
        let mut g = state.lock();
        if g.oid.current.as_ref().is_some_and(|c| c.req == request) && g.oid.completed.is_none() {
            g.oid.completed = Some(status);
        }
    }
    state.notify();
}

/// The OIDs of the `NdisOidComplete` rule's table, which may finish only with
/// `NDIS_STATUS_SUCCESS`, `NDIS_STATUS_NOT_ACCEPTED` or (all but `OID_PNP_SET_POWER`)
/// `NDIS_STATUS_REQUEST_ABORTED`: they release something, and failing them would leave NDIS and
/// the miniport disagreeing about what is held.
/// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisoidcomplete>
const RELEASING_OIDS: &[NDIS_OID] = &[
    OID_PNP_SET_POWER,
    0x0001_0228, // OID_RECEIVE_FILTER_CLEAR_FILTER
    0xFC03_0203, // OID_TCP_TASK_IPSEC_OFFLOAD_V2_DELETE_SA
    0x0001_0224, // OID_RECEIVE_FILTER_FREE_QUEUE
    0x0001_0246, // OID_NIC_SWITCH_FREE_VF
    0x0001_0239, // OID_NIC_SWITCH_DELETE_SWITCH
    0x0101_0209, // OID_802_3_DELETE_MULTICAST_ADDRESS
    0xFD01_010B, // OID_PM_REMOVE_WOL_PATTERN
    0xFD01_010F, // OID_PM_REMOVE_PROTOCOL_OFFLOAD
    0x0F01_0107, // OID_TUNNEL_INTERFACE_RELEASE_OID
];

/// Calls `report` when `oid` is in the `NdisOidComplete` table and `status` (a final status,
/// returned or completed) is not one the table allows for it.
pub(crate) fn check_final_status(oid: NDIS_OID, status: NDIS_STATUS, report: impl FnOnce(String)) {
    if !RELEASING_OIDS.contains(&oid) {
        return;
    }
    let allowed = status == NDIS_STATUS_SUCCESS
        || status == NDIS_STATUS_NOT_ACCEPTED
        || (status == NDIS_STATUS_REQUEST_ABORTED && oid != OID_PNP_SET_POWER);
    if !allowed {
        report(format!(
            "OID {oid:#010x} finished with {status:#x}: this OID may only finish with \
             NDIS_STATUS_SUCCESS, NDIS_STATUS_NOT_ACCEPTED{}",
            if oid == OID_PNP_SET_POWER {
                ""
            } else {
                " or NDIS_STATUS_REQUEST_ABORTED"
            }
        ));
    }
}

/// `NdisMIndicateStatusEx` on the host side: records the code and payload; after Halt returned
/// it is [`Rule::NdisMIndicateStatusEx`].
pub(crate) fn indicate_status(
    cpu: &Cpu,
    state: &AdapterState,
    indication: PNDIS_STATUS_INDICATION,
    location: &'static Location<'static>,
) {
    // SAFETY: the miniport passes a valid status indication.
    let ind = unsafe { &*indication };
    let payload = if ind.StatusBuffer.is_null() || ind.StatusBufferSize == 0 {
        Vec::new()
    } else {
        // SAFETY: the indication's buffer holds `StatusBufferSize` bytes.
        unsafe {
            core::slice::from_raw_parts(
                ind.StatusBuffer.cast::<u8>(),
                ind.StatusBufferSize as usize,
            )
        }
        .to_vec()
    };
    let halted = {
        let mut g = state.lock();
        g.counters.status_indications += 1;
        let halted = g.phase == Phase::Halted;
        if !halted {
            g.status.push(StatusIndication {
                code: ind.StatusCode,
                payload,
            });
        }
        halted
    };
    if halted {
        violation(
            cpu,
            Rule::NdisMIndicateStatusEx,
            location,
            format!(
                "NdisMIndicateStatusEx({:#x}) after MiniportHaltEx returned",
                ind.StatusCode
            ),
        );
    }
}
