//! Bus access: PCI configuration space (`NdisMGetBusData`) and device registers
//! (`NdisReadRegisterUlong` / `NdisWriteRegisterUlong`).

use std::panic::Location;
use std::sync::Arc;

use super::consts::PCI_WHICHSPACE_CONFIG;
use super::types::{NDIS_HANDLE, PULONG, PVOID, ULONG};
use super::{enter, enter_ndis};
use crate::machine::{AdapterBinding, Shared, lock};

/// The adapter binding behind `handle`, or a panic naming `api`.
pub(crate) fn adapter(shared: &Shared, handle: NDIS_HANDLE, api: &str) -> Arc<AdapterBinding> {
    lock(&shared.adapters)
        .iter()
        .find(|a| {
            core::ptr::eq(
                Arc::as_ptr(a).cast::<core::ffi::c_void>(),
                handle.cast_const(),
            )
        })
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "ndis-sim: {api}: {handle:p} is not an adapter handle of this machine \
                 (use Machine::plug_e1000 or Machine::adapter_handle)"
            )
        })
}

/// `NdisMGetBusData`: copies `Length` bytes of the adapter's PCI configuration space from
/// `Offset` into `Buffer` and returns the number copied (0 for another `WhichSpace` or an
/// adapter without a device; after surprise removal the bytes read all ones, as on real
/// hardware). Any IRQL up to `DISPATCH_LEVEL` is allowed.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismgetbusdata>
///
/// # Panics
/// When `NdisMiniportHandle` is not an adapter handle of this machine.
///
/// # Safety
/// `Buffer` is valid for writes of `Length` bytes.
#[track_caller]
pub unsafe fn NdisMGetBusData(
    NdisMiniportHandle: NDIS_HANDLE,
    WhichSpace: ULONG,
    Offset: ULONG,
    Buffer: PVOID,
    Length: ULONG,
) -> ULONG {
    let location = Location::caller();
    let cpu = enter_ndis("NdisMGetBusData", location);
    let binding = adapter(&cpu.shared, NdisMiniportHandle, "NdisMGetBusData");
    let Some(device) = binding.device.as_ref() else {
        return 0;
    };
    // Configuration space is the only one `NdisMGetBusData` reads here.
    if WhichSpace != PCI_WHICHSPACE_CONFIG || Length == 0 {
        return 0;
    }
    // SAFETY: the caller guarantees `Buffer` is valid for `Length` bytes of writes.
    let buf = unsafe { core::slice::from_raw_parts_mut(Buffer.cast::<u8>(), Length as usize) };
    device.read_config(Offset, buf);
    Length
}

/// `NdisReadRegisterUlong`, as the C macro behaves: `*Data = *(volatile ULONG *)Register`.
/// An address inside a BAR mapping from `NdisMMapIoSpace` reaches the device
/// (`E1000::mmio_read`; all ones after surprise removal); any other address is read as memory.
/// Not a function in C, so callable at any IRQL and under any lock.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreadregisterulong>
///
/// # Safety
/// `Data` is valid for a write; `Register` is inside a mapping or valid for a volatile read.
#[track_caller]
pub unsafe fn NdisReadRegisterUlong(Register: *const ULONG, Data: PULONG) {
    let cpu = enter("NdisReadRegisterUlong");
    let value = match cpu.shared.bus.resolve(Register as usize) {
        Some((device, offset)) => device.read_register(offset),
        // SAFETY: the caller guarantees a non-mapped `Register` is valid for a volatile read.
        None => unsafe { Register.read_volatile() },
    };
    // SAFETY: the caller guarantees `Data` is valid for a write.
    unsafe { Data.write(value) };
}

/// `NdisWriteRegisterUlong`, as the C macro behaves: `*(volatile ULONG *)Register = Data`.
/// An address inside a BAR mapping reaches the device (`E1000::mmio_write`; dropped after
/// surprise removal); any other address is written as memory. Callable at any IRQL.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndiswriteregisterulong>
///
/// # Safety
/// `Register` is inside a mapping or valid for a volatile write.
#[track_caller]
pub unsafe fn NdisWriteRegisterUlong(Register: PULONG, Data: ULONG) {
    let cpu = enter("NdisWriteRegisterUlong");
    match cpu.shared.bus.resolve(Register as usize) {
        Some((device, offset)) => device.write_register(offset, Data),
        // SAFETY: the caller guarantees a non-mapped `Register` is valid for a volatile write.
        None => unsafe { Register.write_volatile(Data) },
    }
}
