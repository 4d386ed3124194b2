//! ETW's kernel-mode provider functions (wdm.h), with the names and layouts bindgen emits for
//! x64, recording into the machine's ETW session (`crate::etw`).
//!
//! Registration is per machine: a handle names its provider (the same value on every machine,
//! as the driver's one static handle expects when several machines load it at once), and each
//! machine tracks its own registrations. Misuse (writing with a handle this machine has not
//! registered, unregistering twice, registering or unregistering above `PASSIVE_LEVEL`) and
//! events that do not decode are `Machine::etw_errors` entries.
// bindgen's name for the anonymous union, kept so driver code compiles against both builds.
#![allow(clippy::pub_underscore_fields)]

use core::ffi::c_void;
use std::panic::Location;

use super::enter_at;
use super::ndis_types::{GUID, ULONGLONG};
use super::types::{NTSTATUS, PVOID, UCHAR, ULONG, USHORT};
use crate::etw::{self, Written};
use crate::machine::lock;
use crate::machine::processor::{Cpu, PASSIVE};

/// `REGHANDLE`.
pub type REGHANDLE = ULONGLONG;
/// `PREGHANDLE`.
pub type PREGHANDLE = *mut ULONGLONG;
/// `LPCGUID`.
pub type LPCGUID = *const GUID;

/// `EVENT_DESCRIPTOR`.
/// <https://learn.microsoft.com/windows/win32/api/evntprov/ns-evntprov-event_descriptor>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _EVENT_DESCRIPTOR {
    /// Id.
    pub Id: USHORT,
    /// Version.
    pub Version: UCHAR,
    /// Channel.
    pub Channel: UCHAR,
    /// Level.
    pub Level: UCHAR,
    /// Opcode.
    pub Opcode: UCHAR,
    /// Task.
    pub Task: USHORT,
    /// Keyword.
    pub Keyword: ULONGLONG,
}
/// `EVENT_DESCRIPTOR`.
pub type EVENT_DESCRIPTOR = _EVENT_DESCRIPTOR;
/// `PCEVENT_DESCRIPTOR`.
pub type PCEVENT_DESCRIPTOR = *const EVENT_DESCRIPTOR;

/// The `{ Type, Reserved1, Reserved2 }` view of `EVENT_DATA_DESCRIPTOR.Reserved`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _EVENT_DATA_DESCRIPTOR__bindgen_ty_1__bindgen_ty_1 {
    /// `EVENT_DATA_DESCRIPTOR_TYPE_*`.
    pub Type: UCHAR,
    /// Reserved.
    pub Reserved1: UCHAR,
    /// Reserved.
    pub Reserved2: USHORT,
}

/// `EVENT_DATA_DESCRIPTOR`'s anonymous union.
#[repr(C)]
#[derive(Clone, Copy)]
pub union _EVENT_DATA_DESCRIPTOR__bindgen_ty_1 {
    /// The whole 32 bits.
    pub Reserved: ULONG,
    /// The type byte and two reserved fields.
    pub __bindgen_anon_1: _EVENT_DATA_DESCRIPTOR__bindgen_ty_1__bindgen_ty_1,
}

/// `EVENT_DATA_DESCRIPTOR`.
/// <https://learn.microsoft.com/windows/win32/api/evntprov/ns-evntprov-event_data_descriptor>
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _EVENT_DATA_DESCRIPTOR {
    /// The data's address.
    pub Ptr: ULONGLONG,
    /// Its size in bytes.
    pub Size: ULONG,
    /// `Reserved` / `Type`.
    pub __bindgen_anon_1: _EVENT_DATA_DESCRIPTOR__bindgen_ty_1,
}
/// `EVENT_DATA_DESCRIPTOR`.
pub type EVENT_DATA_DESCRIPTOR = _EVENT_DATA_DESCRIPTOR;
/// `PEVENT_DATA_DESCRIPTOR`.
pub type PEVENT_DATA_DESCRIPTOR = *mut _EVENT_DATA_DESCRIPTOR;

/// `EVENT_FILTER_DESCRIPTOR` (only pointed to).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _EVENT_FILTER_DESCRIPTOR {
    /// Ptr.
    pub Ptr: ULONGLONG,
    /// Size.
    pub Size: ULONG,
    /// Type.
    pub Type: ULONG,
}
/// `PEVENT_FILTER_DESCRIPTOR`.
pub type PEVENT_FILTER_DESCRIPTOR = *mut _EVENT_FILTER_DESCRIPTOR;

/// `PETWENABLECALLBACK`.
pub type PETWENABLECALLBACK =
    Option<unsafe extern "C" fn(LPCGUID, ULONG, UCHAR, u64, u64, PEVENT_FILTER_DESCRIPTOR, PVOID)>;

/// `EVENT_INFO_CLASS`.
pub type EVENT_INFO_CLASS = core::ffi::c_int;
/// `EventProviderSetTraits`.
pub const EventProviderSetTraits: EVENT_INFO_CLASS = 2;

/// `STATUS_INVALID_HANDLE`.
const STATUS_INVALID_HANDLE: NTSTATUS = 0xC000_0008_u32.cast_signed();
/// `STATUS_INVALID_PARAMETER`.
const STATUS_INVALID_PARAMETER: NTSTATUS = 0xC000_000D_u32.cast_signed();
/// `EVENT_DATA_DESCRIPTOR_TYPE_EVENT_METADATA`.
const TYPE_EVENT_METADATA: u8 = 1;
/// `EVENT_DATA_DESCRIPTOR_TYPE_PROVIDER_METADATA`.
const TYPE_PROVIDER_METADATA: u8 = 2;

/// Records an ETW misuse on `cpu`'s machine.
fn etw_error(cpu: &Cpu, location: &Location<'_>, message: &str) {
    lock(&cpu.shared.host.etw)
        .errors
        .push(format!("{message} (at {location})"));
}

/// Reports `api` above `PASSIVE_LEVEL`.
fn check_passive(cpu: &Cpu, api: &str, location: &Location<'_>) {
    let irql = cpu.irql();
    if irql > PASSIVE {
        etw_error(
            cpu,
            location,
            &format!("{api} at IRQL {irql} (PASSIVE_LEVEL only)"),
        );
    }
}

/// The handle of `guid`: the same on every machine.
fn handle_of(guid: &GUID) -> REGHANDLE {
    0xE700_0000_0000_0000 | (u64::from(guid.Data1) << 16) | u64::from(guid.Data2 ^ guid.Data3)
}

/// `EtwRegister` (`PASSIVE_LEVEL`): registers the provider on this machine.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwregister>
///
/// # Safety
/// `ProviderId` and `RegHandle` are valid.
#[must_use]
#[track_caller]
pub unsafe fn EtwRegister(
    ProviderId: LPCGUID,
    EnableCallback: PETWENABLECALLBACK,
    CallbackContext: PVOID,
    RegHandle: PREGHANDLE,
) -> NTSTATUS {
    let location = Location::caller();
    let cpu = enter_at("EtwRegister", Some(location));
    check_passive(&cpu, "EtwRegister", location);
    let _ = (EnableCallback, CallbackContext);
    if ProviderId.is_null() || RegHandle.is_null() {
        etw_error(&cpu, location, "EtwRegister with a null argument");
        return STATUS_INVALID_PARAMETER;
    }
    // SAFETY: the caller's contract.
    let handle = handle_of(unsafe { &*ProviderId });
    lock(&cpu.shared.host.etw)
        .registrations
        .entry(handle)
        .or_default()
        .count += 1;
    // SAFETY: the caller's contract.
    unsafe { RegHandle.write(handle) };
    0
}

/// `EtwUnregister` (`PASSIVE_LEVEL`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwunregister>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[must_use]
#[track_caller]
pub unsafe fn EtwUnregister(RegHandle: REGHANDLE) -> NTSTATUS {
    let location = Location::caller();
    let cpu = enter_at("EtwUnregister", Some(location));
    check_passive(&cpu, "EtwUnregister", location);
    let removed = {
        let mut state = lock(&cpu.shared.host.etw);
        match state.registrations.get_mut(&RegHandle) {
            Some(registration) if registration.count > 1 => {
                registration.count -= 1;
                true
            }
            Some(_) => state.registrations.remove(&RegHandle).is_some(),
            None => false,
        }
    };
    if removed {
        0
    } else {
        etw_error(
            &cpu,
            location,
            &format!("EtwUnregister({RegHandle:#x}): not registered"),
        );
        STATUS_INVALID_HANDLE
    }
}

/// `EtwSetInformation` (`PASSIVE_LEVEL`): `EventProviderSetTraits` records the provider
/// traits; other classes are accepted and ignored.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwsetinformation>
///
/// # Safety
/// `EventInformation` is valid for `InformationLength` bytes.
#[must_use]
#[track_caller]
pub unsafe fn EtwSetInformation(
    RegHandle: REGHANDLE,
    InformationClass: EVENT_INFO_CLASS,
    EventInformation: PVOID,
    InformationLength: ULONG,
) -> NTSTATUS {
    let location = Location::caller();
    let cpu = enter_at("EtwSetInformation", Some(location));
    check_passive(&cpu, "EtwSetInformation", location);
    if InformationClass != EventProviderSetTraits {
        return 0;
    }
    if EventInformation.is_null() {
        etw_error(&cpu, location, "EtwSetInformation: null traits");
        return STATUS_INVALID_PARAMETER;
    }
    // SAFETY: the caller's contract.
    let traits = unsafe {
        core::slice::from_raw_parts(EventInformation.cast::<u8>(), InformationLength as usize)
    }
    .to_vec();
    if let Err(e) = etw::decode_traits(&traits) {
        etw_error(
            &cpu,
            location,
            &format!("EtwSetInformation: bad provider traits: {e}"),
        );
        return STATUS_INVALID_PARAMETER;
    }
    let mut state = lock(&cpu.shared.host.etw);
    let Some(registration) = state.registrations.get_mut(&RegHandle) else {
        drop(state);
        etw_error(
            &cpu,
            location,
            &format!("EtwSetInformation({RegHandle:#x}): not registered"),
        );
        return STATUS_INVALID_HANDLE;
    };
    registration.traits = Some(traits);
    0
}

/// `EtwWriteTransfer` (any IRQL): decodes the `TraceLogging` event and records it.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwwritetransfer>
///
/// # Safety
/// `EventDescriptor` is valid; `UserData` points to `UserDataCount` descriptors, each
/// describing readable memory.
#[must_use]
#[track_caller]
pub unsafe fn EtwWriteTransfer(
    RegHandle: REGHANDLE,
    EventDescriptor: PCEVENT_DESCRIPTOR,
    ActivityId: LPCGUID,
    RelatedActivityId: LPCGUID,
    UserDataCount: ULONG,
    UserData: PEVENT_DATA_DESCRIPTOR,
) -> NTSTATUS {
    let location = Location::caller();
    let cpu = enter_at("EtwWriteTransfer", Some(location));
    let _ = (ActivityId, RelatedActivityId);
    if !lock(&cpu.shared.host.etw)
        .registrations
        .contains_key(&RegHandle)
    {
        etw_error(
            &cpu,
            location,
            &format!("EtwWriteTransfer({RegHandle:#x}): not registered"),
        );
        return STATUS_INVALID_HANDLE;
    }
    if EventDescriptor.is_null() || (UserDataCount > 0 && UserData.is_null()) {
        etw_error(&cpu, location, "EtwWriteTransfer with a null argument");
        return STATUS_INVALID_PARAMETER;
    }
    // SAFETY: the caller's contract.
    let descriptor = unsafe { *EventDescriptor };
    // SAFETY: the caller's contract.
    let data = unsafe { core::slice::from_raw_parts(UserData, UserDataCount as usize) };
    let mut written = Written {
        level: descriptor.Level,
        channel: descriptor.Channel,
        keyword: descriptor.Keyword,
        provider_traits: None,
        event_metadata: None,
        payload: Vec::new(),
        processor: cpu.index,
        irql: cpu.irql(),
    };
    for item in data {
        let bytes: &[u8] = if item.Size == 0 {
            &[]
        } else {
            // SAFETY: the caller's contract: each descriptor describes readable memory.
            unsafe { core::slice::from_raw_parts(item.Ptr as *const u8, item.Size as usize) }
        };
        // SAFETY: both views of the union are plain integers.
        let kind = unsafe { item.__bindgen_anon_1.__bindgen_anon_1.Type };
        match kind {
            TYPE_PROVIDER_METADATA => written.provider_traits = Some(bytes),
            TYPE_EVENT_METADATA => written.event_metadata = Some(bytes),
            _ => written.payload.extend_from_slice(bytes),
        }
    }
    match etw::decode(&written) {
        Ok(event) => lock(&cpu.shared.host.etw).events.push(event),
        Err(e) => etw_error(&cpu, location, &format!("EtwWriteTransfer: {e}")),
    }
    0
}

// The layouts bindgen gives the wdm.h declarations on x64.
const _: () = assert!(core::mem::size_of::<EVENT_DESCRIPTOR>() == 16);
const _: () = assert!(core::mem::size_of::<EVENT_DATA_DESCRIPTOR>() == 16);
const _: () = assert!(core::mem::size_of::<*const c_void>() == 8);
