//! The machine's ETW session: what the driver registers with `EtwRegister`, and every event it
//! writes with `EtwWriteTransfer`, decoded from the `TraceLogging` wire format.
//!
//! The decoder here is independent of the driver's encoder (`driver/diag/wire.rs`): it reads
//! the provider traits, event metadata and payload the driver hands over as the WDK's
//! `TraceLoggingProvider.h` defines them, so an event whose payload does not match its
//! metadata (or metadata the format does not allow) is an [`EtwState::errors`] entry, not a
//! recorded event. `Machine::etw_events` gives the events in the order they were written;
//! `rse1k-run --events FILE` writes them as JSON lines.

use std::collections::HashMap;
use std::fmt;

/// A decoded field value, by the field's `TraceLogging` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EtwValue {
    /// `UINT8` with `OutType` `BOOLEAN`.
    Bool(bool),
    /// `UINT32`.
    U32(u32),
    /// `UINT64`.
    U64(u64),
    /// `HEXINT32`.
    Hex32(u32),
    /// `HEXINT64`.
    Hex64(u64),
    /// `UINT32` with `OutType` `NTSTATUS`.
    NtStatus(u32),
    /// `COUNTEDANSISTRING` (with `OutType` `UTF8`).
    Str(String),
}

impl EtwValue {
    /// The type's name, as the driver's schema spells it (`FieldType::name`).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Bool(_) => "bool",
            Self::U32(_) => "u32",
            Self::U64(_) => "u64",
            Self::Hex32(_) => "hex32",
            Self::Hex64(_) => "hex64",
            Self::NtStatus(_) => "ntstatus",
            Self::Str(_) => "string",
        }
    }
}

impl fmt::Display for EtwValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(v) => write!(f, "{v}"),
            Self::U32(v) => write!(f, "{v}"),
            Self::U64(v) => write!(f, "{v}"),
            Self::Hex32(v) | Self::NtStatus(v) => write!(f, "{v:#010x}"),
            Self::Hex64(v) => write!(f, "{v:#x}"),
            Self::Str(v) => write!(f, "{v}"),
        }
    }
}

/// One event the driver wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EtwEvent {
    /// The provider's name (from the provider traits).
    pub provider: String,
    /// The event's name (from its metadata).
    pub name: String,
    /// `EVENT_DESCRIPTOR.Level`.
    pub level: u8,
    /// `EVENT_DESCRIPTOR.Keyword`.
    pub keyword: u64,
    /// The fields, in payload order: name and value.
    pub fields: Vec<(String, EtwValue)>,
    /// The virtual processor that wrote it.
    pub processor: usize,
    /// Its IRQL at the time.
    pub irql: u8,
}

impl EtwEvent {
    /// The value of field `name`.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&EtwValue> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// A provider registration.
#[derive(Clone, Debug, Default)]
pub(crate) struct Registration {
    /// `EtwRegister` calls not yet matched by `EtwUnregister` (ETW lets a provider register
    /// more than once; here every registration of a GUID shares its handle).
    pub(crate) count: usize,
    /// `EtwSetInformation(EventProviderSetTraits)`'s traits, once set.
    pub(crate) traits: Option<Vec<u8>>,
}

/// A machine's ETW state.
#[derive(Debug, Default)]
pub struct EtwState {
    /// Live registrations by handle.
    pub(crate) registrations: HashMap<u64, Registration>,
    /// Every decoded event, in write order.
    pub(crate) events: Vec<EtwEvent>,
    /// Misuse and malformed events: what the Windows decoders would reject or ETW would drop.
    pub(crate) errors: Vec<String>,
}

impl EtwState {
    /// The misuse and decoding errors so far.
    #[must_use]
    pub fn errors(&self) -> &[String] {
        &self.errors
    }
}

/// `TlgInUINT8` and the other `InType`s the decoder reads.
mod in_type {
    pub const UINT8: u8 = 4;
    pub const UINT32: u8 = 8;
    pub const UINT64: u8 = 10;
    pub const HEXINT32: u8 = 20;
    pub const HEXINT64: u8 = 21;
    pub const COUNTEDANSISTRING: u8 = 23;
    /// `_TlgInChain`.
    pub const CHAIN: u8 = 0x80;
    /// `_TlgInCountMask`: arrays, which the driver never writes.
    pub const COUNT_MASK: u8 = 0x60;
}

/// `TlgOut*`.
mod out_type {
    pub const BOOLEAN: u8 = 3;
    pub const NTSTATUS: u8 = 14;
    pub const UTF8: u8 = 35;
    /// `_TlgOutChain`: tag bytes follow.
    pub const CHAIN: u8 = 0x80;
}

/// Reads a NUL-terminated UTF-8 name at `*at`, moving past it.
fn read_name(bytes: &[u8], at: &mut usize) -> Result<String, String> {
    let rest = bytes.get(*at..).ok_or("name past the end")?;
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or("name without NUL")?;
    let name = std::str::from_utf8(&rest[..end]).map_err(|_| "name not UTF-8")?;
    if name.is_empty() {
        return Err("empty name".into());
    }
    *at += end + 1;
    Ok(name.to_owned())
}

/// Checks the 16-bit size prefix of a blob against its length.
fn check_size(blob: &[u8], what: &str) -> Result<(), String> {
    let size = blob
        .get(..2)
        .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
        .ok_or_else(|| format!("{what} shorter than its size field"))?;
    if size == blob.len() {
        Ok(())
    } else {
        Err(format!("{what} size field {size} but {} bytes", blob.len()))
    }
}

/// The provider name in provider traits (`ProviderMetadata`).
pub(crate) fn decode_traits(traits: &[u8]) -> Result<String, String> {
    check_size(traits, "provider traits")?;
    let mut at = 2;
    read_name(traits, &mut at)
}

/// A field's declared type, from its `InType` and `OutType`.
#[derive(Clone, Copy, Debug)]
enum Declared {
    Bool,
    U32,
    U64,
    Hex32,
    Hex64,
    NtStatus,
    Str,
}

/// The event name and field declarations in event metadata (`EventMetadata`).
fn decode_metadata(metadata: &[u8]) -> Result<(String, Vec<(String, Declared)>), String> {
    check_size(metadata, "event metadata")?;
    let mut at = 2;
    // Extension bytes: read until one has the high bit clear.
    loop {
        let byte = *metadata.get(at).ok_or("event extension past the end")?;
        at += 1;
        if byte & 0x80 == 0 {
            break;
        }
    }
    let name = read_name(metadata, &mut at)?;
    let mut fields = Vec::new();
    while at < metadata.len() {
        let field = read_name(metadata, &mut at)?;
        let raw_in = *metadata.get(at).ok_or("field without InType")?;
        at += 1;
        if raw_in & in_type::COUNT_MASK != 0 {
            return Err(format!(
                "field {field}: arrays are not written by this driver"
            ));
        }
        let out = if raw_in & in_type::CHAIN == 0 {
            0
        } else {
            let raw_out = *metadata.get(at).ok_or("field without OutType")?;
            at += 1;
            if raw_out & out_type::CHAIN != 0 {
                // Field tags: skip them as the format says.
                loop {
                    let byte = *metadata.get(at).ok_or("field tag past the end")?;
                    at += 1;
                    if byte & 0x80 == 0 {
                        break;
                    }
                }
            }
            raw_out & !out_type::CHAIN
        };
        let declared = match (raw_in & !in_type::CHAIN, out) {
            (in_type::UINT8, out_type::BOOLEAN) => Declared::Bool,
            (in_type::UINT32, 0) => Declared::U32,
            (in_type::UINT32, out_type::NTSTATUS) => Declared::NtStatus,
            (in_type::UINT64, 0) => Declared::U64,
            (in_type::HEXINT32, 0) => Declared::Hex32,
            (in_type::HEXINT64, 0) => Declared::Hex64,
            (in_type::COUNTEDANSISTRING, 0 | out_type::UTF8) => Declared::Str,
            (i, o) => return Err(format!("field {field}: InType {i} OutType {o} not decoded")),
        };
        fields.push((field, declared));
    }
    Ok((name, fields))
}

/// Decodes `payload` by `fields`; every byte must be consumed.
fn decode_payload(
    fields: Vec<(String, Declared)>,
    payload: &[u8],
) -> Result<Vec<(String, EtwValue)>, String> {
    let mut at = 0;
    let mut take = |n: usize, field: &str| -> Result<&[u8], String> {
        let bytes = payload
            .get(at..at + n)
            .ok_or_else(|| format!("payload ends inside field {field}"))?;
        at += n;
        Ok(bytes)
    };
    let mut values = Vec::with_capacity(fields.len());
    for (field, declared) in fields {
        let value = match declared {
            Declared::Bool => EtwValue::Bool(take(1, &field)?[0] != 0),
            Declared::U32 | Declared::Hex32 | Declared::NtStatus => {
                let b = take(4, &field)?;
                let v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                match declared {
                    Declared::U32 => EtwValue::U32(v),
                    Declared::Hex32 => EtwValue::Hex32(v),
                    _ => EtwValue::NtStatus(v),
                }
            }
            Declared::U64 | Declared::Hex64 => {
                let b = take(8, &field)?;
                let mut raw = [0u8; 8];
                raw.copy_from_slice(b);
                let v = u64::from_le_bytes(raw);
                if matches!(declared, Declared::U64) {
                    EtwValue::U64(v)
                } else {
                    EtwValue::Hex64(v)
                }
            }
            Declared::Str => {
                let b = take(2, &field)?;
                let len = usize::from(u16::from_le_bytes([b[0], b[1]]));
                let text = take(len, &field)?;
                EtwValue::Str(
                    std::str::from_utf8(text)
                        .map_err(|_| format!("field {field}: not UTF-8"))?
                        .to_owned(),
                )
            }
        };
        values.push((field, value));
    }
    if at == payload.len() {
        Ok(values)
    } else {
        Err(format!(
            "payload has {} bytes after the last field",
            payload.len() - at
        ))
    }
}

/// One written event's parts, gathered from its data descriptors.
pub(crate) struct Written<'a> {
    pub(crate) level: u8,
    pub(crate) channel: u8,
    pub(crate) keyword: u64,
    pub(crate) provider_traits: Option<&'a [u8]>,
    pub(crate) event_metadata: Option<&'a [u8]>,
    pub(crate) payload: Vec<u8>,
    pub(crate) processor: usize,
    pub(crate) irql: u8,
}

/// `WINEVENT_CHANNEL_TRACELOGGING`.
const CHANNEL_TRACELOGGING: u8 = 11;

/// Decodes a written `TraceLogging` event.
pub(crate) fn decode(written: &Written<'_>) -> Result<EtwEvent, String> {
    let traits = written
        .provider_traits
        .ok_or("no provider metadata descriptor (EVENT_DATA_DESCRIPTOR_TYPE_PROVIDER_METADATA)")?;
    let metadata = written
        .event_metadata
        .ok_or("no event metadata descriptor (EVENT_DATA_DESCRIPTOR_TYPE_EVENT_METADATA)")?;
    if written.channel != CHANNEL_TRACELOGGING {
        return Err(format!(
            "channel {} (TraceLogging events use 11)",
            written.channel
        ));
    }
    if written.level == 0 || written.keyword == 0 {
        return Err("level or keyword 0: sessions cannot select the event".into());
    }
    let provider = decode_traits(traits)?;
    let (name, declared) = decode_metadata(metadata)?;
    let fields =
        decode_payload(declared, &written.payload).map_err(|e| format!("event {name}: {e}"))?;
    Ok(EtwEvent {
        provider,
        name,
        level: written.level,
        keyword: written.keyword,
        fields,
        processor: written.processor,
        irql: written.irql,
    })
}
