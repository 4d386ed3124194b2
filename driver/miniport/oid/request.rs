//! A safe view of the `NDIS_OID_REQUEST` that `MiniportOidRequest` receives.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>

use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::sys::{
    NDIS_OID, NDIS_OID_REQUEST, NDIS_STATUS, NDIS_STATUS_SUCCESS, NdisRequestMethod,
    NdisRequestQueryInformation, NdisRequestQueryStatistics, NdisRequestSetInformation,
    OidInformation, PNDIS_OID_REQUEST, oid_request_method_oid, oid_request_query_information,
    oid_request_set_information, oid_request_set_method_result, oid_request_set_query_result,
    oid_request_set_set_result, oid_request_type,
};

use super::error::OidError;
use super::info::AdapterInfo;
use super::query::query;
use super::set::{SetAction, set};
use super::wire;

/// What an OID request asks.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/oidrequest/ns-oidrequest-ndis_oid_request>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// `NdisRequestQueryInformation` or `NdisRequestQueryStatistics`.
    Query,
    /// `NdisRequestSetInformation`.
    Set,
    /// `NdisRequestMethod`.
    Method,
}

/// The outcome of [`OidRequest::handle`]: the status to return (or complete with) and, for
/// a successful set, the change the adapter applies first.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handled {
    /// `NDIS_STATUS_SUCCESS` or the failure's status ([`OidError::status`]).
    pub status: NDIS_STATUS,
    /// The validated change of a successful set.
    pub action: Option<SetAction>,
}

/// One OID request, borrowed from NDIS for the duration of `MiniportOidRequest` (or until
/// `NdisMOidRequestComplete` for a pended one).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/oidrequest/ns-oidrequest-ndis_oid_request>
#[derive(Debug)]
pub struct OidRequest<'a> {
    raw: NonNull<NDIS_OID_REQUEST>,
    /// The `BytesWritten` this view has stored.
    written: usize,
    /// The `BytesRead` this view has stored.
    read: usize,
    /// The `BytesNeeded` this view has stored.
    needed: usize,
    _request: PhantomData<&'a mut NDIS_OID_REQUEST>,
}

impl OidRequest<'_> {
    /// Wraps the request `MiniportOidRequest` received; `None` for a null pointer.
    ///
    /// # Safety
    /// For the lifetime chosen: `raw` (if not null) points to a valid `NDIS_OID_REQUEST` that
    /// nothing else reads or writes (NDIS hands it to the miniport until the request is
    /// completed); its information buffer, unless null, is valid for reads of
    /// `InformationBufferLength` bytes and, for a query, for writes of as many, and does not
    /// overlap the request.
    #[must_use]
    pub unsafe fn from_raw(raw: PNDIS_OID_REQUEST) -> Option<Self> {
        NonNull::new(raw).map(|raw| Self {
            raw,
            written: 0,
            read: 0,
            needed: 0,
            _request: PhantomData,
        })
    }

    /// The pointer, for `NdisMOidRequestComplete`.
    #[must_use]
    pub fn as_raw(&self) -> PNDIS_OID_REQUEST {
        self.raw.as_ptr()
    }

    /// The request type; `None` for a type a miniport never gets.
    #[must_use]
    pub fn kind(&self) -> Option<RequestKind> {
        // SAFETY: `from_raw`'s contract: the request is valid.
        let ty = unsafe { oid_request_type(self.raw.as_ptr()) };
        // Compared, not matched: the enum constants keep their C (camel-case) names.
        if ty == NdisRequestQueryInformation || ty == NdisRequestQueryStatistics {
            Some(RequestKind::Query)
        } else if ty == NdisRequestSetInformation {
            Some(RequestKind::Set)
        } else if ty == NdisRequestMethod {
            Some(RequestKind::Method)
        } else {
            None
        }
    }

    /// The OID (0 for an unknown request type, which no OID has).
    #[must_use]
    pub fn oid(&self) -> NDIS_OID {
        match self.kind() {
            Some(RequestKind::Query | RequestKind::Set) => self.information().oid,
            // SAFETY: `from_raw`'s contract, and the type says `METHOD_INFORMATION` is filled.
            Some(RequestKind::Method) => unsafe { oid_request_method_oid(self.raw.as_ptr()) },
            None => 0,
        }
    }

    /// `QUERY_INFORMATION` or `SET_INFORMATION`, by kind (empty for other kinds).
    fn information(&self) -> OidInformation {
        match self.kind() {
            // SAFETY: `from_raw`'s contract, and the type says which member NDIS filled.
            Some(RequestKind::Query) => unsafe { oid_request_query_information(self.raw.as_ptr()) },
            // SAFETY: `from_raw`'s contract, and the type says NDIS filled the Set member.
            Some(RequestKind::Set) => unsafe { oid_request_set_information(self.raw.as_ptr()) },
            Some(RequestKind::Method) | None => OidInformation {
                oid: 0,
                buffer: core::ptr::null_mut(),
                length: 0,
            },
        }
    }

    /// The information buffer of a query, to write the answer into (empty for other kinds
    /// or a null buffer).
    pub fn query_buffer(&mut self) -> &mut [u8] {
        if self.kind() != Some(RequestKind::Query) {
            return &mut [];
        }
        let info = self.information();
        if info.buffer.is_null() || info.length == 0 {
            return &mut [];
        }
        // SAFETY: `from_raw`'s contract: a query's non-null buffer is valid for reads and
        // writes of `length` bytes, does not overlap the request, and nothing else touches
        // it while `self` (borrowed mutably here) lives. `u32` always fits `usize` on x64.
        unsafe { core::slice::from_raw_parts_mut(info.buffer.cast::<u8>(), info.length as usize) }
    }

    /// The information buffer of a set, to read the data from (empty for other kinds or a
    /// null buffer).
    #[must_use]
    pub fn set_buffer(&self) -> &[u8] {
        if self.kind() != Some(RequestKind::Set) {
            return &[];
        }
        let info = self.information();
        if info.buffer.is_null() || info.length == 0 {
            return &[];
        }
        // SAFETY: `from_raw`'s contract: a set's non-null buffer is valid for reads of
        // `length` bytes and is not written while `self` lives.
        unsafe { core::slice::from_raw_parts(info.buffer.cast::<u8>(), info.length as usize) }
    }

    /// Stores `BytesWritten` (a query or a method; ignored for a set).
    pub fn set_bytes_written(&mut self, bytes: usize) {
        self.written = bytes;
        self.store();
    }

    /// Stores `BytesRead` (a set or a method; ignored for a query).
    pub fn set_bytes_read(&mut self, bytes: usize) {
        self.read = bytes;
        self.store();
    }

    /// Stores `BytesNeeded`.
    pub fn set_bytes_needed(&mut self, bytes: usize) {
        self.needed = bytes;
        self.store();
    }

    /// Writes the byte counts this view holds into the member of the request's kind (all of
    /// them each time: the accessors write pairs, and NDIS only reads these fields).
    fn store(&mut self) {
        let raw = self.raw.as_ptr();
        let (written, read, needed) = (
            wire::count(self.written),
            wire::count(self.read),
            wire::count(self.needed),
        );
        match self.kind() {
            Some(RequestKind::Query) => {
                // SAFETY: `from_raw`'s contract: a valid request, ours to write.
                unsafe { oid_request_set_query_result(raw, written, needed) };
            }
            Some(RequestKind::Set) => {
                // SAFETY: `from_raw`'s contract: a valid Set request, ours to write.
                unsafe { oid_request_set_set_result(raw, read, needed) };
            }
            Some(RequestKind::Method) => {
                // SAFETY: `from_raw`'s contract: a valid Method request, ours to write.
                unsafe { oid_request_set_method_result(raw, written, read, needed) };
            }
            None => {}
        }
    }

    /// Answers the request from `info`: a query writes its answer and `BytesWritten` /
    /// `BytesNeeded`; a set is validated and sets `BytesRead` / `BytesNeeded` (the adapter
    /// applies [`Handled::action`] before completing); a method request, or a request type
    /// a miniport never gets, is `NDIS_STATUS_NOT_SUPPORTED` (the driver has no method OIDs).
    pub fn handle(&mut self, info: &AdapterInfo) -> Handled {
        let oid = self.oid();
        match self.kind() {
            Some(RequestKind::Query) => {
                let result = query(oid, info, self.query_buffer());
                match result {
                    Ok(answer) => {
                        self.written = answer.written;
                        self.needed = answer.needed;
                        self.store();
                        success(None)
                    }
                    Err(error) => self.fail(error),
                }
            }
            Some(RequestKind::Set) => match set(oid, self.set_buffer(), info) {
                Ok((action, read)) => {
                    self.read = read;
                    self.needed = 0;
                    self.store();
                    success(Some(action))
                }
                Err(error) => self.fail(error),
            },
            Some(RequestKind::Method) | None => self.fail(OidError::NotSupported),
        }
    }

    /// Records a failure: nothing written or read, `BytesNeeded` from the error.
    fn fail(&mut self, error: OidError) -> Handled {
        self.written = 0;
        self.read = 0;
        self.needed = error.bytes_needed();
        self.store();
        Handled {
            status: error.status(),
            action: None,
        }
    }
}

/// A successful outcome.
const fn success(action: Option<SetAction>) -> Handled {
    Handled {
        status: NDIS_STATUS_SUCCESS,
        action,
    }
}
