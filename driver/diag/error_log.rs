//! The system event log entry (and the ETW event) for a failed `MiniportInitializeEx`.
//!
//! A user whose adapter shows Code 10 in Device Manager finds an entry in Event Viewer →
//! Windows Logs → System, source `rse1k` (the INF's event log source), with the message of
//! the `NDIS_ERROR_CODE_*` below and the `NDIS_STATUS` Initialize returned as its one data
//! value; the step is in the ETW event and the debugger trace. `docs/debugging.md` has the
//! table.

use super::events::INITIALIZE_FAILED;
use super::schema::Value;
use crate::ndis::MiniportAdapter;
use crate::sync::{Locked, Unlocked};
use crate::sys;

/// The `NDIS_ERROR_CODE_*` (ndis.h: the `EVENT_NDIS_*` messages of netevent.h) logged for an
/// Initialize that fails with `status`.
///
/// | status | error code |
/// |---|---|
/// | `NDIS_STATUS_RESOURCES` (an allocation failed) | `NDIS_ERROR_CODE_OUT_OF_RESOURCES` |
/// | `NDIS_STATUS_RESOURCE_CONFLICT` (no memory BAR among the resources) | `NDIS_ERROR_CODE_RESOURCE_CONFLICT` |
/// | `NDIS_STATUS_ADAPTER_NOT_FOUND` (the NIC did not come up) | `NDIS_ERROR_CODE_ADAPTER_NOT_FOUND` |
/// | `NDIS_STATUS_HARD_ERRORS` | `NDIS_ERROR_CODE_HARDWARE_FAILURE` |
/// | anything else (NDIS refused a registration) | `NDIS_ERROR_CODE_DRIVER_FAILURE` |
#[must_use]
pub const fn error_code(status: sys::NDIS_STATUS) -> sys::NDIS_ERROR_CODE {
    match status {
        sys::NDIS_STATUS_RESOURCES => sys::NDIS_ERROR_CODE_OUT_OF_RESOURCES,
        sys::NDIS_STATUS_RESOURCE_CONFLICT => sys::NDIS_ERROR_CODE_RESOURCE_CONFLICT,
        sys::NDIS_STATUS_ADAPTER_NOT_FOUND => sys::NDIS_ERROR_CODE_ADAPTER_NOT_FOUND,
        sys::NDIS_STATUS_HARD_ERRORS => sys::NDIS_ERROR_CODE_HARDWARE_FAILURE,
        _ => sys::NDIS_ERROR_CODE_DRIVER_FAILURE,
    }
}

/// `MiniportInitializeEx` failed at `step` with `status`: one `NdisWriteErrorLogEntry`
/// ([`error_code`] of the status, the status as its value) and the `InitializeFailed` event.
/// Called once, on Initialize's failure path, before it returns (which also satisfies the
/// `WriteErrorLog` rule for a failed shared-memory allocation).
pub fn initialize_failed(
    cx: &mut Locked<'_, Unlocked>,
    adapter: MiniportAdapter,
    status: sys::NDIS_STATUS,
    step: &str,
) {
    let code = error_code(status);
    adapter.write_error_log(cx, code, status.cast_unsigned());
    super::emit(
        &INITIALIZE_FAILED,
        &[Value::Str(step), Value::status(status), Value::U32(code)],
    );
}
