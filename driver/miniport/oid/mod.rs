//! The OID layer: what `MiniportOidRequest` answers, as plain code.
//!
//! No NDIS calls, no locks, no globals: the adapter fills an [`AdapterInfo`] snapshot under
//! its locks, releases them, and asks [`query`] or [`set`]; a set returns a [`SetAction`] the
//! adapter then applies. [`OidRequest`] is the thin safe view of the `NDIS_OID_REQUEST` that
//! connects the two (`OidRequest::handle`). The general attributes of `MiniportInitializeEx`
//! take their capabilities from here too ([`supported_oids`], [`SUPPORTED_PACKET_FILTERS`],
//! [`MAX_MULTICAST_LIST`], [`supported_statistics`], [`MAC_OPTIONS`]), so what NDIS is told
//! and what the OIDs answer cannot drift apart.
//!
//! | module | one job |
//! |---|---|
//! | `attributes` | [`general_attributes`] for `MiniportInitializeEx`, from the same values |
//! | `info` | [`AdapterInfo`] and its parts; the driver's fixed characteristics |
//! | `query` | query OIDs → answer bytes; the supported OID list and statistics flags |
//! | `set` | set OIDs → validated [`SetAction`] |
//! | `error` | [`OidError`] → `NDIS_STATUS` and `BytesNeeded` |
//! | `request` | [`OidRequest`] over `PNDIS_OID_REQUEST` |
//! | `wire` | little-endian fields at the `crate::sys` structure offsets |
//!
//! Status choices (from the DDI pages; each function's docs say which page): a short query
//! buffer is `NDIS_STATUS_BUFFER_TOO_SHORT` with `BytesNeeded`; short or ragged set data is
//! `NDIS_STATUS_INVALID_LENGTH`; statistics counters answer 8 bytes, or the low 32 bits into
//! a 4-byte buffer with `BytesNeeded` = 8, and a buffer under 4 bytes is
//! `NDIS_STATUS_INVALID_LENGTH` with `BytesNeeded` = 8 (the 64-bit statistics page); unknown OIDs, method requests and the power OIDs
//! (no power management) are `NDIS_STATUS_NOT_SUPPORTED`.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>

mod attributes;
mod error;
mod info;
mod query;
mod request;
mod set;
mod wire;

#[cfg(test)]
mod tests;

pub use attributes::{
    GENERAL_ATTRIBUTES_SIZE, MAX_LINK_SPEED, NDIS_LINK_SPEED_UNKNOWN, NdisLink, general_attributes,
};
pub use error::OidError;
pub use info::{
    AdapterInfo, Counters, ETHERNET_HEADER, HardwareStatus, InterruptModeration, MAC_OPTIONS,
    MAX_LOOKAHEAD, MAX_MULTICAST_LIST, MAX_TOTAL_SIZE, MTU, MulticastList, NDIS_DRIVER_VERSION,
    RingInfo, SUPPORTED_PACKET_FILTERS, TxTraffic, VENDOR_DESCRIPTION, VENDOR_DRIVER_VERSION,
    receive_filter,
};
pub use query::{QueryAnswer, STATISTICS_VALID_FLAGS, query, supported_oids, supported_statistics};
pub use request::{Handled, OidRequest, RequestKind};
pub use set::{AUTO_NEGOTIATE_ALL, AUTO_NEGOTIATE_SPEED_AND_DUPLEX, SetAction, set};
pub use wire::{INTERRUPT_MODERATION_SIZE, LINK_PARAMETERS_SIZE, STATISTICS_INFO_SIZE};
