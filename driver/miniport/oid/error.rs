//! Why an OID request failed, and the `NDIS_STATUS` and `BytesNeeded` each failure reports.
//!
//! The status codes follow `MiniportOidRequest`'s documentation
//! (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>):
//! `NDIS_STATUS_BUFFER_TOO_SHORT` when "the buffer is too small to hold the requested data"
//! (a query), `NDIS_STATUS_INVALID_LENGTH` when "`InformationBufferLength` is incorrect for
//! the OID" (a set whose data is short or not a whole number of elements),
//! `NDIS_STATUS_INVALID_DATA` when a parameter is invalid, `NDIS_STATUS_NOT_SUPPORTED` when
//! the OID is recognised but not supported, and the OID pages' own codes where they name one
//! (`NDIS_STATUS_MULTICAST_FULL` for `OID_802_3_MULTICAST_LIST`).

use core::fmt;

use crate::sys::{
    NDIS_STATUS, NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_INVALID_DATA,
    NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_MULTICAST_FULL, NDIS_STATUS_NOT_SUPPORTED,
};

/// A failed OID request.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OidError {
    /// The driver does not answer this OID (or not this kind of request for it):
    /// `NDIS_STATUS_NOT_SUPPORTED`. Also a packet filter with bits the NIC cannot filter,
    /// and link parameters that would force what the driver only auto-negotiates.
    NotSupported,
    /// A query buffer too small for the answer: `NDIS_STATUS_BUFFER_TOO_SHORT`, with
    /// `BytesNeeded` = `needed`.
    BufferTooShort {
        /// The buffer length the answer needs.
        needed: usize,
    },
    /// Set data of the wrong length: `NDIS_STATUS_INVALID_LENGTH`, with `BytesNeeded` =
    /// `needed` when the data was too short, 0 when no length fixes it (a multicast list
    /// that is not a whole number of 6-byte addresses).
    InvalidLength {
        /// The length the data needs, or 0.
        needed: usize,
    },
    /// Set data with an invalid value (a bad `NDIS_OBJECT_HEADER`, a lookahead over the
    /// maximum, an interrupt moderation value other than enabled or disabled):
    /// `NDIS_STATUS_INVALID_DATA`.
    InvalidData,
    /// More multicast addresses than [`MAX_MULTICAST_LIST`](super::MAX_MULTICAST_LIST):
    /// `NDIS_STATUS_MULTICAST_FULL`.
    MulticastFull,
    /// A multicast list entry without the group bit. The `OID_802_3_MULTICAST_LIST` page
    /// gives `NDIS_STATUS_MULTICAST_FULL` for "an invalid multicast address" too, so that is
    /// the status; the variant stays separate so the adapter's log can tell them apart.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-802-3-multicast-list>
    InvalidMulticastAddress,
}

impl OidError {
    /// The `NDIS_STATUS` `MiniportOidRequest` returns (or completes) with.
    #[must_use]
    pub const fn status(self) -> NDIS_STATUS {
        match self {
            Self::NotSupported => NDIS_STATUS_NOT_SUPPORTED,
            Self::BufferTooShort { .. } => NDIS_STATUS_BUFFER_TOO_SHORT,
            Self::InvalidLength { .. } => NDIS_STATUS_INVALID_LENGTH,
            Self::InvalidData => NDIS_STATUS_INVALID_DATA,
            Self::MulticastFull | Self::InvalidMulticastAddress => NDIS_STATUS_MULTICAST_FULL,
        }
    }

    /// The `BytesNeeded` to report with the status (0 where no length is needed).
    #[must_use]
    pub const fn bytes_needed(self) -> usize {
        match self {
            Self::BufferTooShort { needed } | Self::InvalidLength { needed } => needed,
            Self::NotSupported
            | Self::InvalidData
            | Self::MulticastFull
            | Self::InvalidMulticastAddress => 0,
        }
    }
}

impl fmt::Display for OidError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSupported => out.write_str("OID not supported"),
            Self::BufferTooShort { needed } => {
                write!(out, "buffer too short: {needed} bytes needed")
            }
            Self::InvalidLength { needed: 0 } => out.write_str("invalid data length"),
            Self::InvalidLength { needed } => write!(out, "data too short: {needed} bytes needed"),
            Self::InvalidData => out.write_str("invalid data"),
            Self::MulticastFull => out.write_str("multicast list full"),
            Self::InvalidMulticastAddress => out.write_str("not a multicast address"),
        }
    }
}
