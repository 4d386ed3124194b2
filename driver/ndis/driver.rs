//! `MiniportDriver`: the driver's registration with NDIS.

use core::ptr;

use crate::sync::{Locked, PassiveLevel, Unlocked};
use crate::sys;

/// The `NdisMiniportDriverHandle` from `NdisMRegisterMiniportDriver`, until
/// [`MiniportDriver::deregister`].
#[derive(Debug, PartialEq, Eq)]
pub struct MiniportDriver(sys::NDIS_HANDLE);

// SAFETY: an opaque NDIS handle, valid on every processor until deregistered (consumed).
unsafe impl Send for MiniportDriver {}
// SAFETY: NDIS accepts the driver handle from any processor; shared use only reads it.
unsafe impl Sync for MiniportDriver {}

/// The client identification address of the driver's one driver-object extension: the
/// address of this function (unique in the image, and no global is needed for it).
fn extension_id() -> sys::PVOID {
    let id: fn() -> sys::PVOID = extension_id;
    id as sys::PVOID
}

impl MiniportDriver {
    /// `NdisMRegisterMiniportDriver`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterminiportdriver>,
    /// `PASSIVE_LEVEL`, from `DriverEntry`).
    ///
    /// # Errors
    /// The status NDIS returned.
    ///
    /// # Safety
    /// `driver` and `registry_path` are `DriverEntry`'s arguments; the handlers in
    /// `characteristics` have the signatures and contracts their pages describe.
    #[track_caller]
    pub unsafe fn register(
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        driver: sys::PDRIVER_OBJECT,
        registry_path: sys::PUNICODE_STRING,
        characteristics: &mut sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    ) -> Result<Self, sys::NDIS_STATUS> {
        let _ = (cx, at);
        let mut handle: sys::NDIS_HANDLE = ptr::null_mut();
        // SAFETY: the caller's guarantees; the characteristics and out-handle are valid for the
        // call (NDIS copies the characteristics).
        let status = unsafe {
            sys::NdisMRegisterMiniportDriver(
                driver,
                registry_path,
                ptr::null_mut(),
                characteristics,
                &raw mut handle,
            )
        };
        if status == sys::NDIS_STATUS_SUCCESS {
            Ok(Self(handle))
        } else {
            Err(status)
        }
    }

    /// The raw handle, to keep across `DriverEntry` and `MiniportDriverUnload`.
    #[must_use]
    pub fn into_raw(self) -> sys::NDIS_HANDLE {
        self.0
    }

    /// Takes back a handle kept by [`MiniportDriver::into_raw`].
    ///
    /// # Safety
    /// `handle` came from `into_raw` and is taken back once.
    #[must_use]
    pub unsafe fn from_raw(handle: sys::NDIS_HANDLE) -> Self {
        Self(handle)
    }

    /// Keeps the registration in the driver object's own extension
    /// (`IoAllocateDriverObjectExtension`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocatedriverobjectextension>),
    /// for [`MiniportDriver::take_kept`] in `MiniportDriverUnload`, which NDIS gives nothing
    /// but the driver object: the driver needs no global.
    ///
    /// # Errors
    /// The registration back, with the status, when the extension cannot be allocated.
    ///
    /// # Safety
    /// `driver` is `DriverEntry`'s driver object.
    pub unsafe fn keep(
        self,
        at: &PassiveLevel,
        driver: sys::PDRIVER_OBJECT,
    ) -> Result<(), (Self, sys::NTSTATUS)> {
        let _ = at;
        let mut extension: sys::PVOID = ptr::null_mut();
        let size = u32::try_from(core::mem::size_of::<sys::NDIS_HANDLE>()).unwrap_or(8);
        // SAFETY: the caller's driver object; the out-parameter is valid for the call.
        let status = unsafe {
            sys::IoAllocateDriverObjectExtension(driver, extension_id(), size, &raw mut extension)
        };
        // NT_SUCCESS: a status below zero is an error.
        if status < 0 || extension.is_null() {
            return Err((self, status));
        }
        // SAFETY: the extension is pointer-sized and pointer-aligned (pool memory), the
        // driver object's until it is deleted, and written only here and in `take_kept`.
        unsafe { extension.cast::<sys::NDIS_HANDLE>().write(self.0) };
        Ok(())
    }

    /// Takes back the registration [`MiniportDriver::keep`] stored for `driver`
    /// (`IoGetDriverObjectExtension`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdriverobjectextension>),
    /// once: the extension is cleared.
    ///
    /// # Safety
    /// `driver` is `MiniportDriverUnload`'s driver object.
    #[must_use]
    pub unsafe fn take_kept(at: &PassiveLevel, driver: sys::PDRIVER_OBJECT) -> Option<Self> {
        let _ = at;
        // SAFETY: the caller's driver object.
        let extension = unsafe { sys::IoGetDriverObjectExtension(driver, extension_id()) };
        if extension.is_null() {
            return None;
        }
        // SAFETY: `keep` allocated it pointer-sized and wrote a handle (or NULL after a take).
        let handle = unsafe {
            extension
                .cast::<sys::NDIS_HANDLE>()
                .replace(ptr::null_mut())
        };
        (!handle.is_null()).then_some(Self(handle))
    }

    /// `NdisMDeregisterMiniportDriver`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterminiportdriver>,
    /// `PASSIVE_LEVEL`, from `MiniportDriverUnload` or a failing `DriverEntry`). Consumes the
    /// registration.
    #[track_caller]
    pub fn deregister(self, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel) {
        let _ = (cx, at);
        // SAFETY: the handle came from NdisMRegisterMiniportDriver and is deregistered once
        // (consumed).
        unsafe { sys::NdisMDeregisterMiniportDriver(self.0) };
    }
}
