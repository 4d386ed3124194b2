//! The event schema as plain data: what an event is called, its level and keyword, and its
//! fields' names and types. The kernel encoder ([`super::wire`]) turns it into TraceLogging
//! metadata; the simulator decodes that metadata back, so both builds share this one table.

/// An ETW level (`TRACE_LEVEL_*` / `WINEVENT_LEVEL_*`), as `EVENT_DESCRIPTOR.Level` carries it.
/// <https://learn.microsoft.com/windows/win32/api/evntprov/ns-evntprov-event_descriptor>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Level {
    /// `WINEVENT_LEVEL_CRITICAL` (1).
    Critical = 1,
    /// `WINEVENT_LEVEL_ERROR` (2): a failure reported to NDIS with a status.
    Error = 2,
    /// `WINEVENT_LEVEL_WARNING` (3): the adapter recovered from something (hang, removal).
    Warning = 3,
    /// `WINEVENT_LEVEL_INFO` (4): lifecycle.
    Information = 4,
    /// `WINEVENT_LEVEL_VERBOSE` (5): per-request detail (OIDs).
    Verbose = 5,
}

impl Level {
    /// The level's name as the decoders print it (and the simulator's JSON lines carry).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Critical => "Critical",
            Self::Error => "Error",
            Self::Warning => "Warning",
            Self::Information => "Information",
            Self::Verbose => "Verbose",
        }
    }
}

/// Keyword bits (`EVENT_DESCRIPTOR.Keyword`): what a session enables to choose events.
pub mod keyword {
    /// Initialize, Halt, Pause, Restart: the adapter's NDIS state.
    pub const LIFECYCLE: u64 = 0x1;
    /// `MiniportOidRequest`: each OID and the status it completed with.
    pub const OID: u64 = 0x2;
    /// Hang detection, reset, surprise removal, initialization failure.
    pub const HEALTH: u64 = 0x4;
    /// Link state changes indicated to NDIS.
    pub const LINK: u64 = 0x8;
}

/// A field's type: a TraceLogging `InType` and, where the default formatting is not the one
/// wanted, an `OutType` (`TlgIn_t` / `TlgOut_t` in the WDK's `TraceLoggingProvider.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// `UINT32`, printed in decimal.
    U32,
    /// `UINT64`, printed in decimal.
    U64,
    /// `HEXINT32`: an OID, a register value.
    Hex32,
    /// `HEXINT64`: a MAC address in its low 48 bits.
    Hex64,
    /// `UINT32` with `OutType` `NTSTATUS`: an `NDIS_STATUS`.
    NtStatus,
    /// `UINT8` with `OutType` `BOOLEAN`.
    Bool,
    /// `COUNTEDANSISTRING` with `OutType` `UTF8`: a 16-bit byte count, then the bytes.
    Str,
}

impl FieldType {
    /// `TlgInUINT8`.
    pub const IN_UINT8: u8 = 4;
    /// `TlgInUINT32`.
    pub const IN_UINT32: u8 = 8;
    /// `TlgInUINT64`.
    pub const IN_UINT64: u8 = 10;
    /// `TlgInHEXINT32`.
    pub const IN_HEXINT32: u8 = 20;
    /// `TlgInHEXINT64`.
    pub const IN_HEXINT64: u8 = 21;
    /// `TlgInCOUNTEDANSISTRING`.
    pub const IN_COUNTEDANSISTRING: u8 = 23;
    /// `_TlgInChain`: an `OutType` byte follows the `InType`.
    pub const IN_CHAIN: u8 = 0x80;
    /// `TlgOutBOOLEAN`.
    pub const OUT_BOOLEAN: u8 = 3;
    /// `TlgOutNTSTATUS`.
    pub const OUT_NTSTATUS: u8 = 14;
    /// `TlgOutUTF8`.
    pub const OUT_UTF8: u8 = 35;

    /// The `InType` (without the chain bit).
    #[must_use]
    pub const fn in_type(self) -> u8 {
        match self {
            Self::U32 | Self::NtStatus => Self::IN_UINT32,
            Self::U64 => Self::IN_UINT64,
            Self::Hex32 => Self::IN_HEXINT32,
            Self::Hex64 => Self::IN_HEXINT64,
            Self::Bool => Self::IN_UINT8,
            Self::Str => Self::IN_COUNTEDANSISTRING,
        }
    }

    /// The `OutType`, if the field has one.
    #[must_use]
    pub const fn out_type(self) -> Option<u8> {
        match self {
            Self::NtStatus => Some(Self::OUT_NTSTATUS),
            Self::Bool => Some(Self::OUT_BOOLEAN),
            Self::Str => Some(Self::OUT_UTF8),
            Self::U32 | Self::U64 | Self::Hex32 | Self::Hex64 => None,
        }
    }

    /// The type's name in the simulator's JSON lines and the Windows decoder's output.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::U32 => "u32",
            Self::U64 => "u64",
            Self::Hex32 => "hex32",
            Self::Hex64 => "hex64",
            Self::NtStatus => "ntstatus",
            Self::Bool => "bool",
            Self::Str => "string",
        }
    }

    /// Whether `value` is of this type.
    #[must_use]
    pub const fn accepts(self, value: &Value<'_>) -> bool {
        matches!(
            (self, value),
            (Self::U32 | Self::Hex32 | Self::NtStatus, Value::U32(_))
                | (Self::U64 | Self::Hex64, Value::U64(_))
                | (Self::Bool, Value::Bool(_))
                | (Self::Str, Value::Str(_))
        )
    }
}

/// One field of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The field's name (ASCII, no NUL).
    pub name: &'static str,
    /// Its type.
    pub ty: FieldType,
}

/// An event's schema: name, level, keyword, fields in payload order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventSchema {
    /// The event's name (the TraceLogging event name; ASCII, no NUL).
    pub name: &'static str,
    /// Its level.
    pub level: Level,
    /// Its keyword bits ([`keyword`]).
    pub keyword: u64,
    /// Its fields.
    pub fields: &'static [Field],
}

/// An event: its schema and the TraceLogging event metadata encoded from it at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The schema.
    pub schema: EventSchema,
    /// `EventMetadata` ([`super::wire::event_metadata`] of the schema).
    pub metadata: &'static [u8],
}

/// One field value handed to [`super::emit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// For [`FieldType::U32`], [`FieldType::Hex32`], [`FieldType::NtStatus`].
    U32(u32),
    /// For [`FieldType::U64`], [`FieldType::Hex64`].
    U64(u64),
    /// For [`FieldType::Bool`].
    Bool(bool),
    /// For [`FieldType::Str`].
    Str(&'a str),
}

impl Value<'_> {
    /// An `NDIS_STATUS` (an `NTSTATUS`), for a [`FieldType::NtStatus`] field.
    #[must_use]
    pub const fn status(status: i32) -> Self {
        Self::U32(status.cast_unsigned())
    }
}
