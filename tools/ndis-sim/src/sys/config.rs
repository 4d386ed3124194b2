//! Registry configuration (`NdisOpenConfigurationEx`, `NdisReadConfiguration`,
//! `NdisCloseConfiguration`) and the error log (`NdisWriteErrorLogEntry`). The values an adapter
//! reads are the ones a test set with `Machine::set_configuration`.

use std::panic::Location;

use super::enter_ndis_at_most;
use super::types::{
    NDIS_HANDLE, NDIS_OBJECT_HEADER, NDIS_STATUS, PNDIS_HANDLE, PVOID, ULONG, USHORT,
};
use super::{
    NDIS_CONFIGURATION_OBJECT_REVISION_1, NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT,
    NDIS_STATUS_FAILURE, NDIS_STATUS_SUCCESS, PUNICODE_STRING, UNICODE_STRING,
};
use crate::Handler;
use crate::host::ConfigValue;
use crate::host::objects::{ErrorLogEntry, Kind, Tracked};
use crate::machine::lock;
use crate::machine::processor::{DISPATCH, PASSIVE, violation};
use crate::verifier::Rule;

/// `NDIS_STRING` (a `UNICODE_STRING`).
pub type NDIS_STRING = UNICODE_STRING;
/// `PNDIS_STRING`.
pub type PNDIS_STRING = PUNICODE_STRING;
/// `NDIS_ERROR_CODE`.
pub type NDIS_ERROR_CODE = ULONG;
/// `NDIS_ERROR_CODE_OUT_OF_RESOURCES` (`EVENT_NDIS_OUT_OF_RESOURCE`).
pub const NDIS_ERROR_CODE_OUT_OF_RESOURCES: NDIS_ERROR_CODE = 0xC000_1389;
/// `NDIS_ERROR_CODE_RESOURCE_CONFLICT` (`EVENT_NDIS_RESOURCE_CONFLICT`).
pub const NDIS_ERROR_CODE_RESOURCE_CONFLICT: NDIS_ERROR_CODE = 0xC000_1388;
/// `NDIS_ERROR_CODE_HARDWARE_FAILURE` (`EVENT_NDIS_HARDWARE_FAILURE`).
pub const NDIS_ERROR_CODE_HARDWARE_FAILURE: NDIS_ERROR_CODE = 0xC000_138A;
/// `NDIS_ERROR_CODE_ADAPTER_NOT_FOUND` (`EVENT_NDIS_ADAPTER_NOT_FOUND`).
pub const NDIS_ERROR_CODE_ADAPTER_NOT_FOUND: NDIS_ERROR_CODE = 0xC000_138B;
/// `NDIS_ERROR_CODE_DRIVER_FAILURE` (`EVENT_NDIS_DRIVER_FAILURE`).
pub const NDIS_ERROR_CODE_DRIVER_FAILURE: NDIS_ERROR_CODE = 0xC000_138D;

/// `NDIS_CONFIGURATION_OBJECT`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_configuration_object>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_CONFIGURATION_OBJECT {
    /// `NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// The `MiniportAdapterHandle`.
    pub NdisHandle: NDIS_HANDLE,
    /// 0 for a miniport.
    pub Flags: ULONG,
}
/// `NDIS_CONFIGURATION_OBJECT`.
pub type NDIS_CONFIGURATION_OBJECT = _NDIS_CONFIGURATION_OBJECT;
/// `PNDIS_CONFIGURATION_OBJECT`.
pub type PNDIS_CONFIGURATION_OBJECT = *mut NDIS_CONFIGURATION_OBJECT;

/// `NDIS_PARAMETER_TYPE`.
pub type NDIS_PARAMETER_TYPE = i32;
/// `NdisParameterInteger`.
pub const NdisParameterInteger: NDIS_PARAMETER_TYPE = 0;
/// `NdisParameterHexInteger`.
pub const NdisParameterHexInteger: NDIS_PARAMETER_TYPE = 1;
/// `NdisParameterString`.
pub const NdisParameterString: NDIS_PARAMETER_TYPE = 2;

/// `BINARY_DATA`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct BINARY_DATA {
    /// Length in bytes.
    pub Length: USHORT,
    /// The bytes.
    pub Buffer: PVOID,
}

/// The `ParameterData` union of `NDIS_CONFIGURATION_PARAMETER`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NDIS_CONFIGURATION_PARAMETER__bindgen_ty_1 {
    /// `NdisParameterInteger` / `NdisParameterHexInteger`.
    pub IntegerData: ULONG,
    /// `NdisParameterString`.
    pub StringData: NDIS_STRING,
    /// `NdisParameterBinary`.
    pub BinaryData: BINARY_DATA,
}

/// `NDIS_CONFIGURATION_PARAMETER`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_configuration_parameter>
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _NDIS_CONFIGURATION_PARAMETER {
    /// What `ParameterData` holds.
    pub ParameterType: NDIS_PARAMETER_TYPE,
    /// The value.
    pub ParameterData: _NDIS_CONFIGURATION_PARAMETER__bindgen_ty_1,
}
/// `NDIS_CONFIGURATION_PARAMETER`.
pub type NDIS_CONFIGURATION_PARAMETER = _NDIS_CONFIGURATION_PARAMETER;
/// `PNDIS_CONFIGURATION_PARAMETER`.
pub type PNDIS_CONFIGURATION_PARAMETER = *mut NDIS_CONFIGURATION_PARAMETER;

/// `NdisOpenConfigurationEx`: opens the adapter's registry key at `PASSIVE_LEVEL`
/// (`Irql_Miscellaneous_Function` otherwise). The handle is tracked until
/// [`NdisCloseConfiguration`]; one still open when `MiniportHaltEx` returns is
/// [`Rule::NdisOpenConfigurationEx`]. A bad object header is `NDIS_STATUS_FAILURE`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisopenconfigurationex>
///
/// # Safety
/// `ConfigObject` is valid for reads; `ConfigurationHandle` for writes.
#[track_caller]
pub unsafe fn NdisOpenConfigurationEx(
    ConfigObject: PNDIS_CONFIGURATION_OBJECT,
    ConfigurationHandle: PNDIS_HANDLE,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisOpenConfigurationEx";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiscellaneousFunction);
    // SAFETY: the caller guarantees a readable object.
    let object = unsafe { *ConfigObject };
    if u32::from(object.Header.Type) != NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT
        || u32::from(object.Header.Revision) < NDIS_CONFIGURATION_OBJECT_REVISION_1
        || usize::from(object.Header.Size) < core::mem::size_of::<NDIS_CONFIGURATION_OBJECT>()
    {
        return NDIS_STATUS_FAILURE;
    }
    let handle = {
        let mut objects = lock(&cpu.shared.host.objects);
        let handle = objects.fake_address();
        objects.live.insert(
            handle,
            Tracked {
                kind: Kind::Config,
                owner: object.NdisHandle as usize,
                location,
            },
        );
        handle
    };
    // SAFETY: the caller guarantees a writable handle slot.
    unsafe { *ConfigurationHandle = handle as NDIS_HANDLE };
    NDIS_STATUS_SUCCESS
}

/// The UTF-16 text of a `UNICODE_STRING`.
///
/// # Safety
/// `s` is valid, its `Buffer` holding `Length` bytes.
unsafe fn read_string(s: PNDIS_STRING) -> String {
    // SAFETY: the caller guarantees a valid string.
    let s = unsafe { *s };
    if s.Buffer.is_null() {
        return String::new();
    }
    // SAFETY: `Buffer` holds `Length` bytes of UTF-16.
    let units = unsafe { core::slice::from_raw_parts(s.Buffer, usize::from(s.Length) / 2) };
    String::from_utf16_lossy(units)
}

/// `NdisReadConfiguration`: the value a test set for the adapter and `Keyword`
/// (`Machine::set_configuration`, keywords compared case-insensitively) as an
/// `NDIS_CONFIGURATION_PARAMETER` that stays valid until the handle is closed;
/// `NDIS_STATUS_FAILURE` and null when none was set, or when an integer was asked of a string.
/// `PASSIVE_LEVEL` (`Irql_Miscellaneous_Function`); an unknown or closed handle is
/// [`Rule::NdisOpenConfigurationEx`].
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreadconfiguration>
///
/// # Safety
/// `Status` and `ParameterValue` are valid for writes; `Keyword` is a valid string.
#[track_caller]
#[allow(
    clippy::used_underscore_items,
    reason = "bindgen names the anonymous ParameterData union _NDIS_CONFIGURATION_PARAMETER__bindgen_ty_1"
)]
pub unsafe fn NdisReadConfiguration(
    Status: *mut NDIS_STATUS,
    ParameterValue: *mut PNDIS_CONFIGURATION_PARAMETER,
    ConfigurationHandle: NDIS_HANDLE,
    Keyword: PNDIS_STRING,
    ParameterType: NDIS_PARAMETER_TYPE,
) {
    let location = Location::caller();
    let api = "NdisReadConfiguration";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiscellaneousFunction);
    // SAFETY: the caller guarantees a valid keyword.
    let keyword = unsafe { read_string(Keyword) }.to_ascii_lowercase();
    let found = {
        let objects = lock(&cpu.shared.host.objects);
        match objects.live.get(&(ConfigurationHandle as usize)) {
            Some(t) if t.kind == Kind::Config => {
                Ok(objects.registry.get(&(t.owner, keyword.clone())).cloned())
            }
            _ => Err(()),
        }
    };
    let value = found.unwrap_or_else(|()| {
        violation(
            &cpu,
            Rule::NdisOpenConfigurationEx,
            location,
            format!("{api}({ConfigurationHandle:p}): not an open configuration handle"),
        );
        None
    });
    let parameter = match (value, ParameterType) {
        (Some(ConfigValue::Integer(v)), NdisParameterInteger | NdisParameterHexInteger) => {
            Some(NDIS_CONFIGURATION_PARAMETER {
                ParameterType,
                ParameterData: _NDIS_CONFIGURATION_PARAMETER__bindgen_ty_1 { IntegerData: v },
            })
        }
        (Some(ConfigValue::String(text)), NdisParameterString) => {
            let units: Vec<u16> = text.encode_utf16().collect();
            let bytes = USHORT::try_from(units.len() * 2).unwrap_or(USHORT::MAX & !1);
            let buffer = Box::into_raw(units.into_boxed_slice());
            lock(&cpu.shared.host.objects).strings.push((
                ConfigurationHandle as usize,
                buffer.cast::<u16>() as usize,
                bytes,
            ));
            Some(NDIS_CONFIGURATION_PARAMETER {
                ParameterType,
                ParameterData: _NDIS_CONFIGURATION_PARAMETER__bindgen_ty_1 {
                    StringData: NDIS_STRING {
                        Length: bytes,
                        MaximumLength: bytes,
                        Buffer: buffer.cast(),
                    },
                },
            })
        }
        _ => None,
    };
    let (status, out) = match parameter {
        Some(p) => {
            let boxed = Box::into_raw(Box::new(p));
            lock(&cpu.shared.host.objects)
                .parameters
                .push((ConfigurationHandle as usize, boxed as usize));
            (NDIS_STATUS_SUCCESS, boxed)
        }
        None => (NDIS_STATUS_FAILURE, core::ptr::null_mut()),
    };
    // SAFETY: the caller guarantees `Status` is valid for a write.
    unsafe { *Status = status };
    // SAFETY: the caller guarantees `ParameterValue` is valid for a write.
    unsafe { *ParameterValue = out };
}

/// `NdisCloseConfiguration`: closes a handle from [`NdisOpenConfigurationEx`] and frees the
/// parameters read through it. `PASSIVE_LEVEL`; an unknown or already closed handle is
/// [`Rule::NdisOpenConfigurationEx`] (nothing is closed).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndiscloseconfiguration>
///
/// # Safety
/// Nothing read through the handle is used after this call.
#[track_caller]
pub unsafe fn NdisCloseConfiguration(ConfigurationHandle: NDIS_HANDLE) {
    let location = Location::caller();
    let api = "NdisCloseConfiguration";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiscellaneousFunction);
    let h = ConfigurationHandle as usize;
    let (open, parameters, strings) = {
        let mut objects = lock(&cpu.shared.host.objects);
        let open = objects.live.get(&h).is_some_and(|t| t.kind == Kind::Config);
        if open {
            objects.live.remove(&h);
        }
        let (mine, rest): (Vec<_>, Vec<_>) = objects
            .parameters
            .drain(..)
            .partition(|&(owner, _)| owner == h);
        objects.parameters = rest;
        let (mine_s, rest_s): (Vec<_>, Vec<_>) = objects
            .strings
            .drain(..)
            .partition(|&(owner, _, _)| owner == h);
        objects.strings = rest_s;
        (open, mine, mine_s)
    };
    for (_, p) in parameters {
        // SAFETY: made by Box::into_raw in NdisReadConfiguration, freed once, here.
        drop(unsafe { Box::from_raw(p as PNDIS_CONFIGURATION_PARAMETER) });
    }
    for (_, s, bytes) in strings {
        let slice = core::ptr::slice_from_raw_parts_mut(s as *mut u16, usize::from(bytes) / 2);
        // SAFETY: made by Box::into_raw of a boxed slice of this length, freed once, here.
        drop(unsafe { Box::from_raw(slice) });
    }
    if !open {
        violation(
            &cpu,
            Rule::NdisOpenConfigurationEx,
            location,
            format!(
                "{api}({ConfigurationHandle:p}): not an open configuration handle (closed twice?)"
            ),
        );
    }
}

/// `NdisWriteErrorLogEntry` with one error value (the simulator's form of the variadic
/// function; the driver passes `NumberOfErrorValues` = 0 or 1 and one value, which the kernel
/// build's variadic declaration accepts as is). Records the entry
/// (`Machine::error_log`) and satisfies the `WriteErrorLog` rule for a failed shared-memory
/// allocation. `IRQL <= DISPATCH_LEVEL` (`Irql_Miscellaneous_Function`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndiswriteerrorlogentry>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisWriteErrorLogEntry(
    NdisAdapterHandle: NDIS_HANDLE,
    ErrorCode: NDIS_ERROR_CODE,
    NumberOfErrorValues: ULONG,
    Value: ULONG,
) {
    let location = Location::caller();
    let api = "NdisWriteErrorLogEntry";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiscellaneousFunction);
    let mut objects = lock(&cpu.shared.host.objects);
    objects
        .unlogged_failure
        .remove(&(NdisAdapterHandle as usize));
    objects.error_log.push(ErrorLogEntry {
        handle: NdisAdapterHandle as usize,
        code: ErrorCode,
        values: if NumberOfErrorValues == 0 {
            Vec::new()
        } else {
            vec![Value]
        },
    });
}

/// `WriteErrorLog` bookkeeping for `NdisMAllocateSharedMemory`: a failure in
/// `MiniportInitializeEx` must be logged before Initialize returns.
pub(crate) fn shared_memory_failed(
    cpu: &crate::machine::processor::Cpu,
    owner: usize,
    location: &'static Location<'static>,
) {
    if cpu.in_handler(Handler::Initialize) {
        lock(&cpu.shared.host.objects)
            .unlogged_failure
            .entry(owner)
            .or_insert(location);
    }
}

/// The `WriteErrorLog` check when `MiniportInitializeEx` of `owner` returns (reported at the
/// failed allocation's call site).
pub(crate) fn check_initialize_logged(cpu: &crate::machine::processor::Cpu, owner: usize) {
    let unlogged = lock(&cpu.shared.host.objects)
        .unlogged_failure
        .remove(&owner);
    if let Some(at) = unlogged {
        violation(
            cpu,
            Rule::WriteErrorLog,
            at,
            format!(
                "NdisMAllocateSharedMemory failed at {at} in MiniportInitializeEx and no \
                 NdisWriteErrorLogEntry followed"
            ),
        );
    }
}
