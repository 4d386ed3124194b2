//! Diagnostics without a debugger: structured ETW events in the TraceLogging format, and the
//! system event log entry for a failed initialization.
//!
//! - [`schema`]: events as plain data (name, level, keyword, fields) and the values an event
//!   carries;
//! - [`events`]: the driver's events, defined once ([`events::ALL`]);
//! - [`wire`]: the TraceLogging encoding (provider traits, event metadata, payload);
//! - `provider`: registration (`EtwRegister` / `EtwSetInformation` / `EtwUnregister`) and
//!   [`emit`], the one call every event goes through (`EtwWriteTransfer`);
//! - `calls`: one-line call-site helpers ([`returned`], [`oid_request`], [`link_state`]);
//! - `error_log`: `NdisWriteErrorLogEntry` with a documented `NDIS_ERROR_CODE_*` for every
//!   Initialize failure ([`initialize_failed`]).
//!
//! Why by hand and not the `tracelogging` crate: that crate is `no_std` and has a
//! `kernel_mode` feature (it calls the same `Etw*` functions), but the kernel build links only
//! wdk-* crates, a rule of this project (every line that runs in the kernel is either ours or
//! windows-drivers-rs's). The format is small and documented in the WDK's
//! `TraceLoggingProvider.h`; [`wire`] implements the part the driver uses (scalar, boolean,
//! status and counted UTF-8 string fields), and the simulator decodes it with an independent
//! reader, so every event the simulated driver writes is checked against its metadata.
//!
//! In the host build the same bytes go to `ndis_sim::sys::EtwWriteTransfer`, whose recorder
//! decodes them (`Machine::etw_events`); `rse1k-run --events FILE` writes them as JSON lines,
//! the shape `tools/windows/Trace-Rse1k.ps1` decodes a Windows trace to.

mod calls;
mod error_log;
pub mod events;
mod provider;
pub mod schema;
pub mod wire;

pub use calls::{adapter_initialized, halt, link_state, mac, oid_request, returned, speed};
pub use error_log::{error_code, initialize_failed};
pub use provider::{
    PROVIDER_ID, PROVIDER_ID_TEXT, PROVIDER_NAME, PROVIDER_TRAITS, emit, register, rejected_events,
    unregister,
};
pub use schema::{Event, Value};
