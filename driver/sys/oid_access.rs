//! Accessors for `NDIS_OID_REQUEST`'s `DATA` union, for both builds.
//!
//! bindgen names the union and its member structures after their C tags (`_REQUEST_DATA`,
//! `_QUERY`, ...) or `__bindgen_ty_N` depending on the header and version, while the member
//! and field names (`DATA`, `QUERY_INFORMATION`, `InformationBuffer`, ...) are the C names on
//! both sides. These functions name fields only, never the union's types, so the same code
//! compiles against the kernel bindings and the simulator's mirror.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/oidrequest/ns-oidrequest-ndis_oid_request>

use super::{NDIS_OID, NDIS_REQUEST_TYPE, PNDIS_OID_REQUEST, PVOID};

/// The OID and information buffer of a query or set request (`DATA.QUERY_INFORMATION` or
/// `DATA.SET_INFORMATION`: `Oid`, `InformationBuffer`, `InformationBufferLength`).
#[derive(Clone, Copy, Debug)]
pub struct OidInformation {
    /// The OID.
    pub oid: NDIS_OID,
    /// The information buffer (may be null when `length` is 0).
    pub buffer: PVOID,
    /// Its length in bytes.
    pub length: u32,
}

/// `RequestType`.
///
/// # Safety
/// `request` points to a valid `NDIS_OID_REQUEST` (as `MiniportOidRequest` receives it).
#[must_use]
pub unsafe fn oid_request_type(request: PNDIS_OID_REQUEST) -> NDIS_REQUEST_TYPE {
    // SAFETY: the caller guarantees `request` points to a valid request.
    unsafe { (*request).RequestType }
}

/// `DATA.QUERY_INFORMATION`'s OID and buffer.
///
/// # Safety
/// `request` points to a valid `NDIS_OID_REQUEST` whose `RequestType` is
/// `NdisRequestQueryInformation` or `NdisRequestQueryStatistics`.
#[must_use]
pub unsafe fn oid_request_query_information(request: PNDIS_OID_REQUEST) -> OidInformation {
    // SAFETY: the caller guarantees `request` points to a valid request; `DATA` is `Copy`
    // (integers and pointers), so this reads it by value.
    let data = unsafe { (*request).DATA };
    // SAFETY: the caller guarantees a query, so NDIS filled `QUERY_INFORMATION`; every member
    // is plain integers and pointers, valid for any bit pattern.
    let query = unsafe { data.QUERY_INFORMATION };
    OidInformation {
        oid: query.Oid,
        buffer: query.InformationBuffer,
        length: query.InformationBufferLength,
    }
}

/// `DATA.SET_INFORMATION`'s OID and buffer.
///
/// # Safety
/// `request` points to a valid `NDIS_OID_REQUEST` whose `RequestType` is
/// `NdisRequestSetInformation`.
#[must_use]
pub unsafe fn oid_request_set_information(request: PNDIS_OID_REQUEST) -> OidInformation {
    // SAFETY: the caller guarantees `request` points to a valid `NDIS_OID_REQUEST`; `DATA`
    // is plain `Copy` data, read whole.
    let data = unsafe { (*request).DATA };
    // SAFETY: the caller guarantees a set, so NDIS filled `SET_INFORMATION`; plain data.
    let set = unsafe { data.SET_INFORMATION };
    OidInformation {
        oid: set.Oid,
        buffer: set.InformationBuffer,
        length: set.InformationBufferLength,
    }
}

/// `DATA.METHOD_INFORMATION.Oid`.
///
/// # Safety
/// `request` points to a valid `NDIS_OID_REQUEST` whose `RequestType` is `NdisRequestMethod`.
#[must_use]
pub unsafe fn oid_request_method_oid(request: PNDIS_OID_REQUEST) -> NDIS_OID {
    // SAFETY: the caller guarantees `request` points to a valid `NDIS_OID_REQUEST`; `DATA`
    // is plain `Copy` data, read whole.
    let data = unsafe { (*request).DATA };
    // SAFETY: the caller guarantees a method request, so NDIS filled `METHOD_INFORMATION`.
    let method = unsafe { data.METHOD_INFORMATION };
    method.Oid
}

/// Stores `DATA.QUERY_INFORMATION.BytesWritten` and `.BytesNeeded`.
///
/// # Safety
/// `request` points to a valid `NDIS_OID_REQUEST` the caller may write (a query NDIS passed
/// to `MiniportOidRequest` and that is not completed yet).
pub unsafe fn oid_request_set_query_result(
    request: PNDIS_OID_REQUEST,
    bytes_written: u32,
    bytes_needed: u32,
) {
    // The union is copied out, updated and written back whole: a write through the pointer
    // to one union field would be two unsafe operations in one expression.
    // SAFETY: the caller guarantees `request` is valid; `DATA` is plain `Copy` data.
    let mut data = unsafe { (*request).DATA };
    data.QUERY_INFORMATION.BytesWritten = bytes_written;
    data.QUERY_INFORMATION.BytesNeeded = bytes_needed;
    // SAFETY: the caller guarantees `request` is valid and ours to write.
    unsafe { (*request).DATA = data };
}

/// Stores `DATA.SET_INFORMATION.BytesRead` and `.BytesNeeded`.
///
/// # Safety
/// As [`oid_request_set_query_result`], for a set.
pub unsafe fn oid_request_set_set_result(
    request: PNDIS_OID_REQUEST,
    bytes_read: u32,
    bytes_needed: u32,
) {
    // SAFETY: the caller guarantees `request` is valid (an uncompleted request NDIS passed
    // us); `DATA` is plain `Copy` data, read whole.
    let mut data = unsafe { (*request).DATA };
    data.SET_INFORMATION.BytesRead = bytes_read;
    data.SET_INFORMATION.BytesNeeded = bytes_needed;
    // SAFETY: the caller guarantees `request` is valid and ours to write until we complete
    // it; the whole union is written, no other field is touched.
    unsafe { (*request).DATA = data };
}

/// Stores `DATA.METHOD_INFORMATION.BytesWritten`, `.BytesRead` and `.BytesNeeded`.
///
/// # Safety
/// As [`oid_request_set_query_result`], for a method request.
pub unsafe fn oid_request_set_method_result(
    request: PNDIS_OID_REQUEST,
    bytes_written: u32,
    bytes_read: u32,
    bytes_needed: u32,
) {
    // SAFETY: the caller guarantees `request` is valid (an uncompleted request NDIS passed
    // us); `DATA` is plain `Copy` data, read whole.
    let mut data = unsafe { (*request).DATA };
    data.METHOD_INFORMATION.BytesWritten = bytes_written;
    data.METHOD_INFORMATION.BytesRead = bytes_read;
    data.METHOD_INFORMATION.BytesNeeded = bytes_needed;
    // SAFETY: the caller guarantees `request` is valid and ours to write until we complete
    // it; the whole union is written, no other field is touched.
    unsafe { (*request).DATA = data };
}
