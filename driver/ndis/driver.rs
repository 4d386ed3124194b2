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
// SAFETY: as above.
unsafe impl Sync for MiniportDriver {}

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
