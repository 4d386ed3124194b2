//! Every event the driver writes, defined once: name, level, keyword, fields. The
//! simulator's recorder, the Windows decoding script and the docs (`docs/debugging.md`) all
//! follow this table; [`ALL`] lists it for the tests that compare them.

use super::schema::keyword::{HEALTH, LIFECYCLE, LINK, OID};
use super::schema::{Event, EventSchema, Field, FieldType, Level};
use super::wire;

/// Defines each event as a constant [`Event`] whose metadata blob is encoded at compile time,
/// and [`ALL`].
macro_rules! events {
    ($(
        $(#[$doc:meta])*
        $id:ident = $name:literal, $level:ident, $keyword:expr, [$($field:literal: $ty:ident),* $(,)?];
    )*) => {
        $(
            $(#[$doc])*
            pub const $id: Event = {
                const SCHEMA: EventSchema = EventSchema {
                    name: $name,
                    level: Level::$level,
                    keyword: $keyword,
                    fields: &[$(Field { name: $field, ty: FieldType::$ty }),*],
                };
                const METADATA: [u8; wire::event_metadata_len(&SCHEMA)] =
                    wire::event_metadata(&SCHEMA);
                Event { schema: SCHEMA, metadata: &METADATA }
            };
        )*
        /// Every event, in definition order.
        pub const ALL: &[Event] = &[$($id),*];
    };
}

events! {
    /// `MiniportInitializeEx` succeeded: the station address (low 48 bits, first octet
    /// highest) and the link as bring-up found it.
    ADAPTER_INITIALIZED = "AdapterInitialized", Information, LIFECYCLE,
        ["Station": Hex64, "LinkUp": Bool, "SpeedMbps": U32];
    /// `MiniportInitializeEx` failed: the step, the status returned to NDIS, and the
    /// `NDIS_ERROR_CODE_*` written to the system event log.
    INITIALIZE_FAILED = "InitializeFailed", Error, LIFECYCLE | HEALTH,
        ["Step": Str, "Status": NtStatus, "ErrorCode": Hex32];
    /// `MiniportHaltEx` (after a surprise removal when `SurpriseRemoved`).
    HALT = "Halt", Information, LIFECYCLE, ["SurpriseRemoved": Bool];
    /// `MiniportPause` returned: `NDIS_STATUS_SUCCESS`, or `NDIS_STATUS_PENDING` (then
    /// [`PAUSE_COMPLETE`] follows).
    PAUSE = "Pause", Information, LIFECYCLE, ["Status": NtStatus];
    /// A pended pause completed (`NdisMPauseComplete`).
    PAUSE_COMPLETE = "PauseComplete", Information, LIFECYCLE, [];
    /// `MiniportRestart` returned.
    RESTART = "Restart", Information, LIFECYCLE, ["Status": NtStatus];
    /// `MiniportOidRequest` completed: the OID, `NDIS_REQUEST_TYPE`, and the status.
    OID_REQUEST = "OidRequest", Verbose, OID,
        ["Oid": Hex32, "RequestType": U32, "Status": NtStatus];
    /// The link state indicated to NDIS (`NDIS_STATUS_LINK_STATE`); speed 0 while down.
    LINK_STATE = "LinkState", Information, LINK, ["Up": Bool, "SpeedMbps": U32];
    /// `MiniportCheckForHangEx` found the transmitter stuck and asked NDIS for a reset.
    HANG_DETECTED = "HangDetected", Warning, HEALTH, [];
    /// `MiniportResetEx` returned.
    RESET = "Reset", Warning, HEALTH, ["Status": NtStatus];
    /// `NdisDevicePnPEventSurpriseRemoved`: the device is gone.
    SURPRISE_REMOVAL = "SurpriseRemoval", Warning, HEALTH, [];
}
