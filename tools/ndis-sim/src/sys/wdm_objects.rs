//! The I/O manager's objects a miniport is handed (`wdm.h`): `DRIVER_OBJECT` in full, as
//! bindgen emits it for x64, and the types it and `DEVICE_OBJECT` only point to.
//!
//! A type a miniport only ever holds a pointer to (`DEVICE_OBJECT`, `IRP`, `FAST_IO_DISPATCH`)
//! is mirrored as bindgen renders it as an opaque type: one blob with the C type's size and
//! alignment, no fields. The kernel build has wdk-sys's full definitions of these; the ABI facts
//! hold bindgen's opaque rendering of the same header types (`tools/kernel-check`,
//! `MIRROR_OPAQUE_WDM_TYPES`), so the blob's size and alignment are checked, and a driver that
//! read one of their fields would not compile against the simulator.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_driver_object>

#![allow(
    clippy::pub_underscore_fields,
    reason = "bindgen's names for anonymous members and placeholders"
)]

use super::ndis_types::{CSHORT, PUNICODE_STRING, UNICODE_STRING};
use super::types::{__BindgenOpaqueArray8, __BindgenOpaqueArray16, NTSTATUS, PVOID, ULONG};

/// `DEVICE_OBJECT`: a bindgen opaque type. The simulator never makes one; a miniport sees only
/// a pointer to one (`MiniportProcessSGList`'s first parameter, null in the simulator) and
/// passes it on. <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_device_object>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _DEVICE_OBJECT {
    /// The object's bytes (336, 16-aligned on x64).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray16<[u8; 336]>,
}
/// `DEVICE_OBJECT`.
pub type DEVICE_OBJECT = _DEVICE_OBJECT;
/// `PDEVICE_OBJECT`.
pub type PDEVICE_OBJECT = *mut DEVICE_OBJECT;

/// `EPROCESS`: a process, incomplete in the headers; bindgen gives such a type one placeholder
/// byte (`MDL::Process` points to one; null for the system memory a miniport maps).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _EPROCESS {
    /// bindgen's placeholder.
    pub _address: u8,
}

/// `IRP`: a bindgen opaque type. NDIS owns a miniport's IRPs; only the handler types of
/// `DRIVER_OBJECT` name it. <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_irp>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _IRP {
    /// The packet's bytes (208, 16-aligned on x64).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray16<[u8; 208]>,
}

/// `FAST_IO_DISPATCH`: a bindgen opaque type. File systems' fast I/O table
/// (`DRIVER_OBJECT::FastIoDispatch`, null for a miniport).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_fast_io_dispatch>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _FAST_IO_DISPATCH {
    /// The table's bytes (28 routine pointers).
    pub _bindgen_opaque_blob: __BindgenOpaqueArray8<[u8; 224]>,
}
/// `PFAST_IO_DISPATCH`.
pub type PFAST_IO_DISPATCH = *mut _FAST_IO_DISPATCH;

/// `DRIVER_ADD_DEVICE`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_add_device>
pub type DRIVER_ADD_DEVICE =
    Option<unsafe extern "C" fn(*mut _DRIVER_OBJECT, *mut _DEVICE_OBJECT) -> NTSTATUS>;
/// `PDRIVER_ADD_DEVICE`.
pub type PDRIVER_ADD_DEVICE = DRIVER_ADD_DEVICE;

/// `DRIVER_EXTENSION`: the driver's `AddDevice` routine and service key (NDIS's, for a
/// miniport). <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_driver_extension>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _DRIVER_EXTENSION {
    /// Back to the driver object.
    pub DriverObject: *mut _DRIVER_OBJECT,
    /// `AddDevice`.
    pub AddDevice: PDRIVER_ADD_DEVICE,
    /// Reinitialization count.
    pub Count: ULONG,
    /// The service key's name.
    pub ServiceKeyName: UNICODE_STRING,
}
/// `PDRIVER_EXTENSION`.
pub type PDRIVER_EXTENSION = *mut _DRIVER_EXTENSION;

/// `DRIVER_INITIALIZE` (`DriverEntry`): <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_initialize>
pub type DRIVER_INITIALIZE =
    Option<unsafe extern "C" fn(*mut _DRIVER_OBJECT, PUNICODE_STRING) -> NTSTATUS>;
/// `PDRIVER_INITIALIZE`.
pub type PDRIVER_INITIALIZE = DRIVER_INITIALIZE;
/// `DRIVER_STARTIO`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_startio>
pub type DRIVER_STARTIO = Option<unsafe extern "C" fn(*mut _DEVICE_OBJECT, *mut _IRP)>;
/// `PDRIVER_STARTIO`.
pub type PDRIVER_STARTIO = DRIVER_STARTIO;
/// `DRIVER_UNLOAD`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_unload>
pub type DRIVER_UNLOAD = Option<unsafe extern "C" fn(*mut _DRIVER_OBJECT)>;
/// `PDRIVER_UNLOAD`.
pub type PDRIVER_UNLOAD = DRIVER_UNLOAD;
/// `DRIVER_DISPATCH`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_dispatch>
pub type DRIVER_DISPATCH = Option<unsafe extern "C" fn(*mut _DEVICE_OBJECT, *mut _IRP) -> NTSTATUS>;
/// `PDRIVER_DISPATCH`.
pub type PDRIVER_DISPATCH = DRIVER_DISPATCH;

/// `DRIVER_OBJECT`: what the I/O manager passes `DriverEntry`. A miniport passes it to
/// `NdisMRegisterMiniportDriver` and reads no field; NDIS fills the dispatch table.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_driver_object>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _DRIVER_OBJECT {
    /// `IO_TYPE_DRIVER` (4).
    pub Type: CSHORT,
    /// `sizeof(DRIVER_OBJECT)`.
    pub Size: CSHORT,
    /// The driver's first device object.
    pub DeviceObject: PDEVICE_OBJECT,
    /// `DRVO_*`.
    pub Flags: ULONG,
    /// Where the image is loaded.
    pub DriverStart: PVOID,
    /// Its size.
    pub DriverSize: ULONG,
    /// The loader's entry for the image.
    pub DriverSection: PVOID,
    /// `AddDevice` and the service key.
    pub DriverExtension: PDRIVER_EXTENSION,
    /// `\Driver\<service>`.
    pub DriverName: UNICODE_STRING,
    /// The registry path of the hardware database.
    pub HardwareDatabase: PUNICODE_STRING,
    /// Null for a miniport.
    pub FastIoDispatch: PFAST_IO_DISPATCH,
    /// `DriverEntry`.
    pub DriverInit: PDRIVER_INITIALIZE,
    /// `StartIo` (none for a miniport).
    pub DriverStartIo: PDRIVER_STARTIO,
    /// The unload routine (NDIS's, which calls `MiniportDriverUnload`).
    pub DriverUnload: PDRIVER_UNLOAD,
    /// The IRP dispatch table (NDIS's), `IRP_MJ_MAXIMUM_FUNCTION + 1` entries.
    pub MajorFunction: [PDRIVER_DISPATCH; 28],
}
/// `DRIVER_OBJECT`.
pub type DRIVER_OBJECT = _DRIVER_OBJECT;
/// `PDRIVER_OBJECT`.
pub type PDRIVER_OBJECT = *mut DRIVER_OBJECT;

impl Default for _DRIVER_OBJECT {
    /// All zero, as bindgen's `derive_default` produces.
    fn default() -> Self {
        // SAFETY: every field is an integer, a raw pointer, an `Option` of a function pointer,
        // or a `UNICODE_STRING` of those: all-zero is valid.
        unsafe { core::mem::zeroed() }
    }
}
