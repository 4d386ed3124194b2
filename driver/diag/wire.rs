//! The TraceLogging wire format, written by hand (see the module docs of [`super`] for why):
//! provider traits, event metadata and payloads, as the WDK's `TraceLoggingProvider.h`
//! defines them ("This comment defines the TraceLogging encoding format").
//!
//! An event goes to `EtwWriteTransfer` as three `EVENT_DATA_DESCRIPTOR`s: the provider traits
//! (`Reserved` = `EVENT_DATA_DESCRIPTOR_TYPE_PROVIDER_METADATA`), the event's metadata
//! (`EVENT_DATA_DESCRIPTOR_TYPE_EVENT_METADATA`), then the payload (type 0). The event
//! descriptor has Id 0, Version 0 and the TraceLogging channel 11; decoders (TDH,
//! `tracerpt`, `Get-WinEvent`, WPA) read names and types from the metadata, no manifest needed.
//!
//! Layouts (byte-aligned, packed, little-endian):
//! - provider traits: `UINT16 Size` (of the whole), the UTF-8 provider name, NUL;
//! - event metadata: `UINT16 Size`, one extension byte 0 (no tags), the event name, NUL, then per
//!   field: its name, NUL, `InType` (with bit 0x80 when an `OutType` follows), [`OutType`];
//! - payload: the fields' values end to end: `UINT8`/`UINT32`/`UINT64` as themselves, a
//!   counted string as `UINT16` byte count then the bytes.
//!
//! Metadata is built by `const fn`s, so each event's blob is a constant in the image (as the C
//! header puts it in a metadata section) and a malformed schema fails the build.

use super::schema::{EventSchema, Value};

/// `WINEVENT_CHANNEL_TRACELOGGING`: the channel of every TraceLogging event.
pub const CHANNEL_TRACELOGGING: u8 = 11;
/// `EVENT_DATA_DESCRIPTOR_TYPE_NONE` (evntprov.h): payload.
pub const DESCRIPTOR_TYPE_NONE: u32 = 0;
/// `EVENT_DATA_DESCRIPTOR_TYPE_EVENT_METADATA` (evntprov.h).
pub const DESCRIPTOR_TYPE_EVENT_METADATA: u32 = 1;
/// `EVENT_DATA_DESCRIPTOR_TYPE_PROVIDER_METADATA` (evntprov.h).
pub const DESCRIPTOR_TYPE_PROVIDER_METADATA: u32 = 2;
/// The largest payload an event carries (a stack buffer at the call).
pub const MAX_PAYLOAD: usize = 256;
/// The longest string field, in bytes; longer strings are cut on a character boundary.
pub const MAX_STRING: usize = 128;

/// Panics (at compile time, in the `const` uses) unless `name` can be a NUL-terminated name.
const fn check_name(name: &str) {
    let bytes = name.as_bytes();
    assert!(!bytes.is_empty(), "empty TraceLogging name");
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i] != 0, "a TraceLogging name contains NUL");
        i += 1;
    }
}

/// Copies `name` and its NUL into `out` at `at`; returns the offset after them.
const fn put_name(out: &mut [u8], mut at: usize, name: &str) -> usize {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        out[at] = bytes[i];
        at += 1;
        i += 1;
    }
    out[at] = 0;
    at + 1
}

/// Writes the 16-bit size at the start of a blob of `N` bytes.
const fn put_size<const N: usize>(out: &mut [u8; N]) {
    assert!(
        N <= u16::MAX as usize,
        "TraceLogging blob larger than 64 KiB"
    );
    // In range: checked on the line above.
    #[allow(clippy::cast_possible_truncation, reason = "checked against u16::MAX")]
    let size = (N as u16).to_le_bytes();
    out[0] = size[0];
    out[1] = size[1];
}

/// The length of the provider traits of `name`.
#[must_use]
pub const fn provider_traits_len(name: &str) -> usize {
    2 + name.len() + 1
}

/// The provider traits (`ProviderMetadata`) of `name`; `N` must be
/// [`provider_traits_len`]`(name)`.
///
/// # Panics
/// When `N` is not that length, or `name` is empty or holds a NUL: at compile time, the only
/// place it is evaluated (a `const`).
#[must_use]
pub const fn provider_traits<const N: usize>(name: &str) -> [u8; N] {
    assert!(N == provider_traits_len(name), "provider traits length");
    check_name(name);
    let mut out = [0u8; N];
    put_size(&mut out);
    let end = put_name(&mut out, 2, name);
    assert!(end == N);
    out
}

/// The length of the event metadata of `schema`.
#[must_use]
pub const fn event_metadata_len(schema: &EventSchema) -> usize {
    let mut len = 2 + 1 + schema.name.len() + 1;
    let mut i = 0;
    while i < schema.fields.len() {
        let field = &schema.fields[i];
        len += field.name.len() + 1 + 1;
        if field.ty.out_type().is_some() {
            len += 1;
        }
        i += 1;
    }
    len
}

/// The event metadata (`EventMetadata`) of `schema`; `N` must be
/// [`event_metadata_len`]`(schema)`.
///
/// # Panics
/// When `N` is not that length or a name is empty or holds a NUL: at compile time, the only
/// place it is evaluated (each event's `const` in [`super::events`]).
#[must_use]
pub const fn event_metadata<const N: usize>(schema: &EventSchema) -> [u8; N] {
    assert!(N == event_metadata_len(schema), "event metadata length");
    check_name(schema.name);
    let mut out = [0u8; N];
    put_size(&mut out);
    // One extension byte: no tags, high bit clear.
    out[2] = 0;
    let mut at = put_name(&mut out, 3, schema.name);
    let mut i = 0;
    while i < schema.fields.len() {
        let field = &schema.fields[i];
        check_name(field.name);
        at = put_name(&mut out, at, field.name);
        if let Some(out_type) = field.ty.out_type() {
            out[at] = field.ty.in_type() | super::schema::FieldType::IN_CHAIN;
            out[at + 1] = out_type;
            at += 2;
        } else {
            out[at] = field.ty.in_type();
            at += 1;
        }
        i += 1;
    }
    assert!(at == N);
    out
}

/// Why a payload could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadError {
    /// Not one value per field.
    Count,
    /// The value at this index is not of its field's type.
    Type(usize),
    /// The values do not fit in the buffer.
    TooLong,
}

/// Encodes `values` as the payload of `schema` into `out`; returns its length.
///
/// # Errors
/// [`PayloadError`]: the values do not match the schema, or do not fit.
pub fn encode_payload(
    schema: &EventSchema,
    values: &[Value<'_>],
    out: &mut [u8],
) -> Result<usize, PayloadError> {
    if values.len() != schema.fields.len() {
        return Err(PayloadError::Count);
    }
    let mut at = 0;
    for (index, (field, value)) in schema.fields.iter().zip(values).enumerate() {
        if !field.ty.accepts(value) {
            return Err(PayloadError::Type(index));
        }
        let mut put = |bytes: &[u8]| -> Result<(), PayloadError> {
            let end = at + bytes.len();
            out.get_mut(at..end)
                .ok_or(PayloadError::TooLong)?
                .copy_from_slice(bytes);
            at = end;
            Ok(())
        };
        match *value {
            Value::U32(v) => put(&v.to_le_bytes())?,
            Value::U64(v) => put(&v.to_le_bytes())?,
            Value::Bool(v) => put(&[u8::from(v)])?,
            Value::Str(s) => {
                let mut len = s.len().min(MAX_STRING);
                while !s.is_char_boundary(len) {
                    len -= 1;
                }
                // At most MAX_STRING (128): fits in 16 bits.
                let count = u16::try_from(len).map_err(|_| PayloadError::TooLong)?;
                put(&count.to_le_bytes())?;
                put(&s.as_bytes()[..len])?;
            }
        }
    }
    Ok(at)
}
