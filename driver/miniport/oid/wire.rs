//! OID payloads as bytes: little-endian values at the offsets of the `crate::sys` structures.
//!
//! Information buffers come from the requester with no alignment promise, so the OID layer
//! never casts them to structure pointers: it writes and reads each field at its
//! `offset_of!` in the bindgen (or mirror) structure, which keeps this code free of `unsafe`
//! and correct for whatever layout `crate::sys` has. Everything here is x64 (little-endian),
//! the only target the kernel build has.

use core::mem::{offset_of, size_of};

use crate::sys::{
    NDIS_INTERRUPT_MODERATION_PARAMETERS, NDIS_LINK_PARAMETERS, NDIS_OBJECT_TYPE_DEFAULT,
    NDIS_STATISTICS_INFO,
};

// Constants a miniport needs that `crate::sys` does not carry (yet); values checked against
// public copies of `ntddndis.h` / `ndis.h` (ReactOS and windows-rs agree).

/// `NdisMediaStateConnected` (`NDIS_MEDIA_STATE`): 0.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-media-connect-status>
pub(super) const NDIS_MEDIA_STATE_CONNECTED: u32 = 0;
/// `NdisMediaStateDisconnected` (`NDIS_MEDIA_STATE`): 1.
pub(super) const NDIS_MEDIA_STATE_DISCONNECTED: u32 = 1;
// The `NDIS_LINK_STATE_*_AUTO_NEGOTIATED` flags come from `crate::sys` (ntddndis.h).

/// `NDIS_OBJECT_TYPE_DEFAULT` as the `UCHAR` of `NDIS_OBJECT_HEADER::Type`.
#[allow(
    clippy::cast_possible_truncation,
    reason = "0x80 fits a UCHAR; the assertion below holds it at compile time"
)]
pub(super) const OBJECT_TYPE_DEFAULT: u8 = NDIS_OBJECT_TYPE_DEFAULT as u8;
const _: () = assert!(NDIS_OBJECT_TYPE_DEFAULT <= 0xFF);

/// `RTL_SIZEOF_THROUGH_FIELD`: the offset of a field plus its size, which is how `ndis.h`
/// defines every `NDIS_SIZEOF_*_REVISION_n`.
macro_rules! sizeof_through {
    ($ty:ty, $field:ident, $field_ty:ty) => {
        offset_of!($ty, $field) + size_of::<$field_ty>()
    };
}

/// `NDIS_SIZEOF_STATISTICS_INFO_REVISION_1`: through `ifHCOutBroadcastOctets`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_statistics_info>
pub const STATISTICS_INFO_SIZE: usize =
    sizeof_through!(NDIS_STATISTICS_INFO, ifHCOutBroadcastOctets, u64);
/// `NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1`: through `InterruptModeration`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_interrupt_moderation_parameters>
pub const INTERRUPT_MODERATION_SIZE: usize = sizeof_through!(
    NDIS_INTERRUPT_MODERATION_PARAMETERS,
    InterruptModeration,
    i32
);
/// `NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1`: through `AutoNegotiationFlags`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-link-parameters>
pub const LINK_PARAMETERS_SIZE: usize =
    sizeof_through!(NDIS_LINK_PARAMETERS, AutoNegotiationFlags, u32);

// The revision-1 sizes are what the documentation gives (152, 12 and 32 bytes on x64).
const _: () = assert!(STATISTICS_INFO_SIZE == 152);
const _: () = assert!(INTERRUPT_MODERATION_SIZE == 12);
const _: () = assert!(LINK_PARAMETERS_SIZE == 32);

/// A size as the `USHORT` of `NDIS_OBJECT_HEADER::Size`.
pub(super) const fn header_size(size: usize) -> u16 {
    assert!(size <= u16::MAX as usize);
    #[allow(
        clippy::cast_possible_truncation,
        reason = "checked against u16::MAX just above"
    )]
    let size = size as u16;
    size
}

/// The `NDIS_OBJECT_HEADER` at the start of an NDIS structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Header {
    /// `Type`.
    pub ty: u8,
    /// `Revision`.
    pub revision: u8,
    /// `Size`.
    pub size: u16,
}

impl Header {
    /// A `NDIS_OBJECT_TYPE_DEFAULT` header of revision 1 for a structure of `size` bytes.
    pub const fn default_revision_1(size: usize) -> Self {
        Self {
            ty: OBJECT_TYPE_DEFAULT,
            revision: 1,
            size: header_size(size),
        }
    }

    /// Writes the header at offset 0 (`Type`, `Revision`, `Size`, as `NDIS_OBJECT_HEADER`).
    pub fn write(self, out: &mut [u8]) {
        out[0] = self.ty;
        out[1] = self.revision;
        put_u16(out, 2, self.size);
    }

    /// Reads the header at offset 0 of `data` (at least 4 bytes).
    pub fn read(data: &[u8]) -> Self {
        Self {
            ty: data[0],
            revision: data[1],
            size: u16::from_le_bytes([data[2], data[3]]),
        }
    }

    /// The versioning rule for a structure the driver receives: the default type, revision 1
    /// or later, and a `Size` at least the revision-1 size and within the buffer. Later
    /// revisions only append fields, so the revision-1 fields are read from any of them.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/version-information-requirements-for-ndis-drivers>
    pub fn accepts(self, revision_1_size: usize, buffer_len: usize) -> bool {
        let size = usize::from(self.size);
        self.ty == OBJECT_TYPE_DEFAULT
            && self.revision >= 1
            && size >= revision_1_size
            && size <= buffer_len
    }
}

/// Writes `value` at `at`.
pub(super) fn put_u16(out: &mut [u8], at: usize, value: u16) {
    out[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

/// Writes `value` at `at`.
pub(super) fn put_u32(out: &mut [u8], at: usize, value: u32) {
    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// Writes `value` at `at`.
pub(super) fn put_i32(out: &mut [u8], at: usize, value: i32) {
    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// Writes `value` at `at`.
pub(super) fn put_u64(out: &mut [u8], at: usize, value: u64) {
    out[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// Reads the `u32` at `at`.
pub(super) fn get_u32(data: &[u8], at: usize) -> u32 {
    let mut bytes = [0; 4];
    bytes.copy_from_slice(&data[at..at + 4]);
    u32::from_le_bytes(bytes)
}

/// Reads the `i32` at `at`.
pub(super) fn get_i32(data: &[u8], at: usize) -> i32 {
    let mut bytes = [0; 4];
    bytes.copy_from_slice(&data[at..at + 4]);
    i32::from_le_bytes(bytes)
}

/// Reads the `u64` at `at`.
#[cfg(test)]
pub(super) fn get_u64(data: &[u8], at: usize) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&data[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// A byte count as the `UINT`/`ULONG` NDIS stores it (saturating: no OID buffer comes near
/// 4 GiB, and a saturated count still tells the requester "more than you have").
pub(super) fn count(bytes: usize) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}
