//! The ETW provider: registration (`EtwRegister` + `EtwSetInformation(EventProviderSetTraits)`)
//! from `DriverEntry`, `EtwUnregister` from Unload, and [`emit`].

use core::ptr;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::schema::{Event, Value};
use super::wire;
use crate::sync::PassiveLevel;
use crate::sys;

/// The provider's name: what `wpr`, `logman` and `tracerpt` show, and what the provider GUID
/// is derived from.
pub const PROVIDER_NAME: &str = "Rse1k.Miniport";

/// The provider GUID, derived from [`PROVIDER_NAME`] by the EventSource hashing that
/// `TraceLoggingProvider.h` documents (SHA-1 over a fixed namespace and the upper-cased name
/// in UTF-16BE, first 16 bytes, version nibble 5). `tests/diag_etw.rs` recomputes it.
pub const PROVIDER_ID: sys::GUID = sys::GUID {
    Data1: 0xd66b_cbb3,
    Data2: 0xf523,
    Data3: 0x51d7,
    Data4: [0x03, 0x45, 0x31, 0x3c, 0x01, 0x0b, 0xcf, 0x44],
};

/// [`PROVIDER_ID`] in registry format, for `logman`/`wpr` and the docs.
pub const PROVIDER_ID_TEXT: &str = "d66bcbb3-f523-51d7-0345-313c010bcf44";

/// The provider traits of [`PROVIDER_NAME`] (`EventProviderSetTraits`, and the first data
/// descriptor of every event): a `static`, so every use points at the one copy in the image.
pub static PROVIDER_TRAITS: [u8; wire::provider_traits_len(PROVIDER_NAME)] =
    wire::provider_traits(PROVIDER_NAME);

/// The `REGHANDLE` from `EtwRegister`, valid while [`REGISTRATIONS`] is nonzero.
static HANDLE: AtomicU64 = AtomicU64::new(0);
/// Live registrations: one on Windows (one `DriverEntry` per image). The simulator loads the
/// same image into several machines at once, each registering the provider under the same
/// handle value; the count keeps the handle valid until the last one unregisters.
static REGISTRATIONS: AtomicU32 = AtomicU32::new(0);
/// Events not written because their values did not match their schema (a driver bug, counted
/// rather than asserted: diagnostics never stop the driver).
static REJECTED: AtomicU64 = AtomicU64::new(0);

/// Registers the provider (`EtwRegister`,
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwregister>, then
/// `EtwSetInformation(EventProviderSetTraits)`,
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwsetinformation>, both
/// `PASSIVE_LEVEL`), from `DriverEntry`. Without a registration events are dropped, nothing
/// else changes: false says so.
pub fn register(at: &PassiveLevel) -> bool {
    let _ = at;
    let mut handle: sys::REGHANDLE = 0;
    // SAFETY: the GUID and the out-handle are valid for the call; no enable callback.
    let status = unsafe { sys::EtwRegister(&PROVIDER_ID, None, ptr::null_mut(), &raw mut handle) };
    // NT_SUCCESS: success and informational codes are non-negative.
    if status < 0 {
        crate::trace_warn!("EtwRegister failed: {status:#x}; no ETW events from this load");
        return false;
    }
    // SAFETY: a handle EtwRegister just returned; the traits are a 'static of the length given,
    // which ETW only reads. Setting them is what makes ETW honour the descriptors' `Reserved`
    // field (the metadata descriptors' type), as `TraceLoggingProvider.h` describes.
    let traits = unsafe {
        sys::EtwSetInformation(
            handle,
            sys::EventProviderSetTraits,
            PROVIDER_TRAITS.as_ptr().cast_mut().cast(),
            traits_len(),
        )
    };
    if traits < 0 {
        // Without traits ETW would take the metadata for payload: no events rather than
        // garbled ones.
        crate::trace_warn!("EtwSetInformation(EventProviderSetTraits) failed: {traits:#x}");
        // SAFETY: the handle EtwRegister returned above, unregistered once.
        let _ = unsafe { sys::EtwUnregister(handle) };
        return false;
    }
    HANDLE.store(handle, Ordering::Release);
    REGISTRATIONS.fetch_add(1, Ordering::AcqRel);
    true
}

/// Unregisters the provider (`EtwUnregister`,
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwunregister>,
/// `PASSIVE_LEVEL`), from Unload, after every event.
pub fn unregister(at: &PassiveLevel) {
    let _ = at;
    let handle = HANDLE.load(Ordering::Acquire);
    let released = REGISTRATIONS.fetch_update(Ordering::AcqRel, Ordering::Acquire, |live| {
        live.checked_sub(1)
    });
    if released.is_err() {
        return;
    }
    // SAFETY: a handle EtwRegister returned and not yet unregistered by this caller.
    let _ = unsafe { sys::EtwUnregister(handle) };
}

/// Events dropped because their values did not match their schema.
#[must_use]
pub fn rejected_events() -> u64 {
    REJECTED.load(Ordering::Relaxed)
}

/// The length of [`PROVIDER_TRAITS`] as a `ULONG`.
fn traits_len() -> sys::ULONG {
    sys::ULONG::try_from(PROVIDER_TRAITS.len()).unwrap_or(0)
}

/// Writes `event` with `values` (one per field, in order) through `EtwWriteTransfer`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwwritetransfer>,
/// any IRQL; every buffer here is on the stack or in the image, both nonpaged). Nothing is
/// written before [`register`] or after the last [`unregister`]; values that do not match the
/// schema are counted ([`rejected_events`]) and nothing is written.
pub fn emit(event: &Event, values: &[Value<'_>]) {
    if REGISTRATIONS.load(Ordering::Acquire) == 0 {
        return;
    }
    let handle = HANDLE.load(Ordering::Acquire);
    let mut payload = [0u8; wire::MAX_PAYLOAD];
    let Ok(length) = wire::encode_payload(&event.schema, values, &mut payload) else {
        REJECTED.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let descriptor = sys::EVENT_DESCRIPTOR {
        Id: 0,
        Version: 0,
        Channel: wire::CHANNEL_TRACELOGGING,
        Level: event.schema.level as u8,
        Opcode: 0,
        Task: 0,
        Keyword: event.schema.keyword,
    };
    let mut data = [
        sys::event_data_descriptor(&PROVIDER_TRAITS, wire::DESCRIPTOR_TYPE_PROVIDER_METADATA),
        sys::event_data_descriptor(event.metadata, wire::DESCRIPTOR_TYPE_EVENT_METADATA),
        sys::event_data_descriptor(&payload[..length], wire::DESCRIPTOR_TYPE_NONE),
    ];
    let count = sys::ULONG::try_from(data.len()).unwrap_or(0);
    // SAFETY: the descriptor and the three data descriptors, and the bytes they point to, live
    // until the call returns; the handle is registered (checked above).
    let _ = unsafe {
        sys::EtwWriteTransfer(
            handle,
            &raw const descriptor,
            ptr::null(),
            ptr::null(),
            count,
            data.as_mut_ptr(),
        )
    };
}
