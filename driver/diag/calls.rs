//! Helpers that keep the driver's event call sites to one line: each turns what a handler has
//! in hand into an event's values, emits it, and hands back what the handler returns.

use super::events::{ADAPTER_INITIALIZED, HALT, LINK_STATE, OID_REQUEST};
use super::schema::{Event, Value};
use crate::e1000::{LinkStatus, MacAddress};
use crate::sys;

/// A station address as a `Hex64` value: the first octet in the highest of the low 48 bits,
/// so it prints as the address reads (`0x525400123456` for 52:54:00:12:34:56).
#[must_use]
pub fn mac(address: MacAddress) -> Value<'static> {
    let octets = address.octets();
    Value::U64(octets.iter().fold(0, |acc, &b| (acc << 8) | u64::from(b)))
}

/// The link speed in Mb/s as a `U32` value; 0 while the link is down.
#[must_use]
pub fn speed(link: LinkStatus) -> Value<'static> {
    let mbps = if link.up {
        link.speed.bits_per_second() / 1_000_000
    } else {
        0
    };
    Value::U32(u32::try_from(mbps).unwrap_or(u32::MAX))
}

/// Emits `event`, whose one field is a status, with `status`, and returns it: for the
/// handlers whose return value is the event (Pause, Restart, Reset).
#[must_use = "the handler returns the status"]
pub fn returned(event: &Event, status: sys::NDIS_STATUS) -> sys::NDIS_STATUS {
    super::emit(event, &[Value::status(status)]);
    status
}

/// Emits `AdapterInitialized`: the station address and the link bring-up found.
pub fn adapter_initialized(station: MacAddress, link: LinkStatus) {
    super::emit(
        &ADAPTER_INITIALIZED,
        &[mac(station), Value::Bool(link.up), speed(link)],
    );
}

/// Emits `Halt`.
pub fn halt(surprise_removed: bool) {
    super::emit(&HALT, &[Value::Bool(surprise_removed)]);
}

/// Emits `LinkState` for `link`.
pub fn link_state(link: LinkStatus) {
    super::emit(&LINK_STATE, &[Value::Bool(link.up), speed(link)]);
}

/// Emits `OidRequest` for `request`, which completed with `status`, and returns `status`.
///
/// # Safety
/// `request` is null or the valid request `MiniportOidRequest` was given (still valid: the
/// driver completes every request before the handler returns).
pub unsafe fn oid_request(
    request: sys::PNDIS_OID_REQUEST,
    status: sys::NDIS_STATUS,
) -> sys::NDIS_STATUS {
    if request.is_null() {
        return status;
    }
    // SAFETY: a valid request (the caller's contract).
    let kind = unsafe { sys::oid_request_type(request) };
    let oid = match kind {
        // SAFETY: a valid set request.
        sys::NdisRequestSetInformation => unsafe { sys::oid_request_set_information(request) }.oid,
        // SAFETY: a valid method request.
        sys::NdisRequestMethod => unsafe { sys::oid_request_method_oid(request) },
        // SAFETY: a valid request; for queries this is their OID, and for any other type the
        // union's first member is read as plain integers, which any bit pattern is.
        _ => unsafe { sys::oid_request_query_information(request) }.oid,
    };
    super::emit(
        &OID_REQUEST,
        &[
            Value::U32(oid),
            Value::U32(u32::try_from(kind).unwrap_or(u32::MAX)),
            Value::status(status),
        ],
    );
    status
}
