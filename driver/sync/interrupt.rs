//! Data shared with the ISR: never behind a spin lock, only at DIRQL.
//!
//! "A miniport driver cannot use a spin lock to protect resources that its non-ISR functions
//! share with its `MiniportInterrupt` or `MiniportDisableInterruptEx` function. [...] a miniport
//! driver must call `NdisMSynchronizeWithInterruptEx` to have its `MiniportSynchronizeInterrupt`
//! function access those resources at DIRQL"
//! (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatespinlock>).
//!
//! [`InterruptShared<T>`] owns such data together with the [`Interrupt`] it is shared with, so
//! the data can only be reached where that interrupt's lock is held at DIRQL: inside
//! [`InterruptShared::synchronize`] (`NdisMSynchronizeWithInterruptEx`) or in the ISR through its
//! [`Dirql`] token ([`InterruptShared::isr`]).

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use super::heap::{AllocError, try_pin_box};
use super::irql::{Dirql, PassiveLevel};
use super::order::{Locked, Unlocked};
use crate::sys;

/// bindgen emits `TRUE` as `u32`; a `BOOLEAN` is a `UCHAR`.
const BOOLEAN_TRUE: sys::BOOLEAN = 1;
const BOOLEAN_FALSE: sys::BOOLEAN = 0;

/// A line-based interrupt registered with `NdisMRegisterInterruptEx`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterinterruptex>).
///
/// Holds the `NdisInterruptHandle` while registered (null otherwise), so a deregistered handle is
/// never passed to NDIS again (the `NdisMDeregisterInterruptEx` DDI-usage rule). Lives inside an
/// [`InterruptShared`], which registers and deregisters it.
pub struct Interrupt {
    handle: AtomicPtr<c_void>,
}

impl Interrupt {
    const fn unregistered() -> Self {
        Self {
            handle: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The handle, if registered. Acquire pairs with the Release store in `register`.
    fn handle(&self) -> Option<sys::NDIS_HANDLE> {
        let handle = self.handle.load(Ordering::Acquire);
        (!handle.is_null()).then_some(handle)
    }

    /// Whether the interrupt is registered now.
    #[must_use]
    pub fn is_registered(&self) -> bool {
        self.handle().is_some()
    }

    /// Queues the interrupt's DPC (`MiniportInterruptDPC`) on the processors in `processors`
    /// (group 0), with a null `MiniportDpcContext`.
    ///
    /// Wraps `NdisMQueueDpcEx`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismqueuedpcex>).
    /// Takes the root context: an NDIS call, so no spin lock may be held. Returns the processors
    /// NDIS queued a DPC for (a DPC already queued on a processor is not queued twice), or
    /// `None` when the interrupt is not registered.
    #[track_caller]
    pub fn queue_dpc(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        processors: sys::KAFFINITY,
    ) -> Option<sys::KAFFINITY> {
        let _ = cx;
        let handle = self.handle()?;
        let mut target = sys::GROUP_AFFINITY {
            Mask: processors,
            Group: 0,
            Reserved: [0; 3],
        };
        // SAFETY: `handle` is registered (deregistration clears it first); line-based, so
        // MessageId is 0; `target` lives across the call; a null MiniportDpcContext is allowed
        // and never dereferenced by this layer's DPC contract.
        let queued = unsafe { sys::NdisMQueueDpcEx(handle, 0, &raw mut target, ptr::null_mut()) };
        Some(queued)
    }
}

/// A `T` shared between the driver and the ISR of one [`Interrupt`], which it owns.
///
/// Pinned on the heap (nonpaged pool in the kernel) by [`InterruptShared::try_new`]. The data has
/// no accessor but two, both at that interrupt's DIRQL under its interrupt lock:
/// - [`InterruptShared::synchronize`], `NdisMSynchronizeWithInterruptEx` with a closure;
/// - [`InterruptShared::isr`], from `MiniportInterrupt` / `MiniportDisableInterruptEx` /
///   `MiniportEnableInterruptEx`, with the ISR-only [`Dirql`] token.
///
/// Neither hands out a lock context, so no spin lock is ever taken with the data in reach.
pub struct InterruptShared<T> {
    interrupt: Interrupt,
    data: UnsafeCell<T>,
    // The ISR reaches this object through the interrupt context pointer given to NDIS.
    _pinned: PhantomPinned,
}

// SAFETY: `data` is only reached under the interrupt's lock (synchronize or ISR), one holder at a
// time, so sharing the object only moves access to `T` between processors: `T: Send` suffices.
unsafe impl<T: Send> Sync for InterruptShared<T> {}

/// The closure and its result, passed to the trampoline as `SynchronizeContext`.
struct SyncCall<T, R, F> {
    f: Option<F>,
    data: *mut T,
    result: Option<R>,
}

/// The `MINIPORT_SYNCHRONIZE_INTERRUPT` function NDIS calls at DIRQL
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_synchronize_interrupt>).
unsafe extern "C" fn synchronize_trampoline<T, R, F: FnOnce(&mut T, &Dirql) -> R>(
    context: sys::NDIS_HANDLE,
) -> sys::BOOLEAN {
    // SAFETY: NDIS passes back the SynchronizeContext `synchronize` gave it: a live, exclusive
    // `SyncCall<T, R, F>` on that caller's stack, untouched while NDIS runs this function.
    let call = unsafe { &mut *context.cast::<SyncCall<T, R, F>>() };
    let Some(f) = call.f.take() else {
        return BOOLEAN_FALSE;
    };
    // SAFETY: NDIS runs this function at DIRQL holding the interrupt's lock, which the ISR and
    // every other synchronize call of this interrupt also hold: this is the only access to the
    // data, and the reference does not outlive the call.
    let data = unsafe { &mut *call.data };
    call.result = Some(f(data, &Dirql::mint()));
    BOOLEAN_TRUE
}

impl<T> InterruptShared<T> {
    /// Allocates and pins `data` with an unregistered interrupt.
    ///
    /// # Errors
    /// [`AllocError`] when the pool allocation fails.
    pub fn try_new(data: T) -> Result<Pin<Box<Self>>, AllocError> {
        try_pin_box(Self {
            interrupt: Interrupt::unregistered(),
            data: UnsafeCell::new(data),
            _pinned: PhantomPinned,
        })
    }

    /// The interrupt this data is shared with (to queue its DPC).
    #[must_use]
    pub fn interrupt(&self) -> &Interrupt {
        &self.interrupt
    }

    /// Registers the interrupt whose ISR shares this data.
    ///
    /// Wraps `NdisMRegisterInterruptEx`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterinterruptex>),
    /// called from `MiniportInitializeEx` at `PASSIVE_LEVEL`. Takes the root context: no spin lock
    /// may be held across an NDIS call.
    ///
    /// # Errors
    /// The status NDIS returned, or `NDIS_STATUS_FAILURE` if this interrupt is already
    /// registered.
    ///
    /// `at` proves `PASSIVE_LEVEL`, as `NdisMRegisterInterruptEx` requires.
    ///
    /// # Safety
    /// - `characteristics` is a valid `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS` for a line-based
    ///   interrupt, whose ISR, disable and enable handlers reach this object's data only through
    ///   [`InterruptShared::isr`], with one [`Dirql::isr_entry`] token per call;
    /// - `interrupt_context` stays valid, and this object stays alive, until the interrupt is
    ///   deregistered (by [`InterruptShared::deregister`] or by dropping this object);
    /// - not called concurrently with itself or `deregister`.
    #[track_caller]
    pub unsafe fn register(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        adapter_handle: sys::NDIS_HANDLE,
        interrupt_context: sys::NDIS_HANDLE,
        characteristics: &mut sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    ) -> Result<(), sys::NDIS_STATUS> {
        let _ = (cx, at);
        if self.interrupt.is_registered() {
            return Err(sys::NDIS_STATUS_FAILURE);
        }
        let mut handle: sys::NDIS_HANDLE = ptr::null_mut();
        // SAFETY: the characteristics, context and IRQL are the caller's guarantees; `handle`
        // lives across the call and receives the interrupt handle.
        let status = unsafe {
            sys::NdisMRegisterInterruptEx(
                adapter_handle,
                interrupt_context,
                characteristics,
                &raw mut handle,
            )
        };
        if status != sys::NDIS_STATUS_SUCCESS {
            return Err(status);
        }
        // Release: a synchronize on another processor that sees the handle sees it complete.
        self.interrupt.handle.store(handle, Ordering::Release);
        Ok(())
    }

    /// Deregisters the interrupt; returns whether it was registered.
    ///
    /// Wraps `NdisMDeregisterInterruptEx`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterinterruptex>),
    /// which must be called at `PASSIVE_LEVEL` (`MiniportHaltEx`, or `MiniportInitializeEx` on
    /// failure). The handle is cleared before NDIS is called, so no later `synchronize` or
    /// `queue_dpc` can use it: those return `None` from then on. `at` proves `PASSIVE_LEVEL`.
    #[track_caller]
    pub fn deregister(&self, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel) -> bool {
        let _ = (cx, at);
        self.take_and_deregister()
    }

    #[track_caller]
    fn take_and_deregister(&self) -> bool {
        let handle = self
            .interrupt
            .handle
            .swap(ptr::null_mut(), Ordering::AcqRel);
        if handle.is_null() {
            return false;
        }
        // SAFETY: `handle` came from NdisMRegisterInterruptEx and the swap hands it to exactly
        // one caller, so it is deregistered once.
        unsafe { sys::NdisMDeregisterInterruptEx(handle) };
        true
    }

    /// Runs `f` on the data at the interrupt's DIRQL, excluding its ISR on every processor.
    ///
    /// Wraps `NdisMSynchronizeWithInterruptEx`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsynchronizewithinterruptex>)
    /// with a `MiniportSynchronizeInterrupt` trampoline. Takes the root context, so no spin lock
    /// is held by the caller, and the closure cannot capture it (it is borrowed by this call):
    /// no spin lock can be taken at DIRQL inside `f`. Keep `f` short, as an ISR.
    /// Returns `None`, without running `f`, when the interrupt is not registered.
    #[track_caller]
    pub fn synchronize<R, F>(&self, cx: &mut Locked<'_, Unlocked>, f: F) -> Option<R>
    where
        F: FnOnce(&mut T, &Dirql) -> R,
    {
        let _ = cx;
        let handle = self.interrupt.handle()?;
        let mut call = SyncCall {
            f: Some(f),
            data: self.data.get(),
            result: None,
        };
        // SAFETY: `handle` is registered (cleared before deregistration); line-based, so
        // MessageId is 0; the trampoline has the MINIPORT_SYNCHRONIZE_INTERRUPT signature and
        // reads `call`, which outlives this synchronous call and is not used during it.
        unsafe {
            sys::NdisMSynchronizeWithInterruptEx(
                handle,
                0,
                Some(synchronize_trampoline::<T, R, F>),
                (&raw mut call).cast(),
            )
        };
        call.result
    }

    /// The data, from the ISR (or `MiniportDisableInterruptEx` / `MiniportEnableInterruptEx`).
    ///
    /// NDIS calls those handlers at DIRQL holding the interrupt lock
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>); the
    /// token, created once per call by the `unsafe` [`Dirql::isr_entry`], is borrowed mutably
    /// for as long as the data is, so one call cannot hold two references to it.
    pub fn isr<'a>(&'a self, token: &'a mut Dirql) -> &'a mut T {
        let _ = token;
        // SAFETY: the token exists only inside this interrupt's ISR/disable/enable handler,
        // which NDIS runs under the interrupt lock that `synchronize` also holds; the exclusive
        // token borrow makes this the only reference for its lifetime.
        unsafe { &mut *self.data.get() }
    }
}

impl<T> Drop for InterruptShared<T> {
    /// Deregisters the interrupt if [`InterruptShared::deregister`] was not called, so the ISR
    /// never runs on freed data. Drop the object at `PASSIVE_LEVEL` (`MiniportHaltEx`) when it may
    /// still be registered; prefer the explicit `deregister`, which takes the root context.
    fn drop(&mut self) {
        self.take_and_deregister();
    }
}
