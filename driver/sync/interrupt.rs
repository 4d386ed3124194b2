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
//! [`InterruptShared::synchronize`] (`NdisMSynchronizeWithInterruptEx`) or in the ISR through an
//! [`IsrToken`] of that same interrupt ([`InterruptShared::isr_entry`]).
//!
//! Deregistration is explicit ([`InterruptShared::deregister`]: root context and a
//! [`PassiveLevel`] proof) and waits out every `synchronize` and `queue_dpc` already past its
//! handle check (a counted rundown, like `ExWaitForRundownProtectionRelease`), so neither can
//! pass NDIS a handle being deregistered. `Drop` makes no NDIS call: an object dropped while still
//! registered is leaked, never freed under a running ISR, and the simulator reports the
//! registration left behind at Halt (`Init_RegisterInterrupt`).

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::marker::PhantomPinned;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use super::heap::{AllocError, try_box};
use super::irql::{Dirql, PassiveLevel};
use super::ndis::stall_execution;
use super::order::{Locked, Unlocked};
use crate::sys;

/// bindgen emits `TRUE` as `u32`; a `BOOLEAN` is a `UCHAR`.
const BOOLEAN_TRUE: sys::BOOLEAN = 1;
const BOOLEAN_FALSE: sys::BOOLEAN = 0;

/// A line-based interrupt registered with `NdisMRegisterInterruptEx`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterinterruptex>).
///
/// Holds the `NdisInterruptHandle` while registered (null otherwise), so a deregistered handle is
/// never passed to NDIS again (the `NdisMDeregisterInterruptEx` DDI-usage rule), and counts the
/// calls using the handle now (the rundown that deregistration waits out). Lives inside an
/// [`InterruptShared`], which registers and deregisters it.
pub struct Interrupt {
    handle: AtomicPtr<c_void>,
    /// `synchronize` / `queue_dpc` calls between their handle check and their return.
    in_flight: AtomicUsize,
}

/// Rundown protection: while it lives, the handle it read stays registered.
struct InFlight<'a> {
    interrupt: &'a Interrupt,
    handle: sys::NDIS_HANDLE,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        // Release: the NDIS call happened before deregistration can see zero.
        self.interrupt.in_flight.fetch_sub(1, Ordering::Release);
    }
}

impl Interrupt {
    const fn unregistered() -> Self {
        Self {
            handle: AtomicPtr::new(ptr::null_mut()),
            in_flight: AtomicUsize::new(0),
        }
    }

    /// The handle, with rundown protection, if registered. The count goes up before the handle
    /// is read, and deregistration clears the handle before it reads the count (both SeqCst):
    /// either this call sees the handle cleared, or deregistration sees it counted and waits.
    fn enter(&self) -> Option<InFlight<'_>> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight {
            interrupt: self,
            handle: self.handle.load(Ordering::SeqCst),
        };
        (!guard.handle.is_null()).then_some(guard)
    }

    /// Whether the interrupt is registered now.
    #[must_use]
    pub fn is_registered(&self) -> bool {
        !self.handle.load(Ordering::Acquire).is_null()
    }

    /// Calls using the handle now (for tests of the rundown).
    #[must_use]
    pub fn calls_in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
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
        let registered = self.enter()?;
        let mut target = sys::GROUP_AFFINITY {
            Mask: processors,
            Group: 0,
            Reserved: [0; 3],
        };
        // SAFETY: the handle is registered and stays so until `registered` drops (rundown);
        // line-based, so MessageId is 0; `target` lives across the call; a null
        // MiniportDpcContext is allowed and never dereferenced by this layer's DPC contract.
        let queued =
            unsafe { sys::NdisMQueueDpcEx(registered.handle, 0, &raw mut target, ptr::null_mut()) };
        drop(registered);
        Some(queued)
    }
}

/// A `T` shared between the driver and the ISR of one [`Interrupt`], which it owns.
///
/// The interrupt and the data live in one heap allocation (nonpaged pool in the kernel) made by
/// [`InterruptShared::try_new`], at a fixed address. The data has no accessor but two, both at
/// that interrupt's DIRQL under its interrupt lock:
/// - [`InterruptShared::synchronize`], `NdisMSynchronizeWithInterruptEx` with a closure;
/// - [`IsrToken::data`], from `MiniportInterrupt` / `MiniportDisableInterruptEx` /
///   `MiniportEnableInterruptEx`, with the token of this interrupt
///   ([`InterruptShared::isr_entry`]).
///
/// Neither hands out a lock context, so no spin lock is ever taken with the data in reach.
pub struct InterruptShared<T> {
    inner: ptr::NonNull<Inner<T>>,
    _owns: core::marker::PhantomData<Inner<T>>,
}

/// The allocation: never moves (the ISR reaches it through the interrupt context), and is
/// leaked rather than freed if dropped while registered.
struct Inner<T> {
    interrupt: Interrupt,
    data: UnsafeCell<T>,
    _pinned: PhantomPinned,
}

// SAFETY: `data` is only reached under the interrupt's lock (synchronize or ISR), one holder at a
// time, so sharing the object only moves access to `T` between processors: `T: Send` suffices.
unsafe impl<T: Send> Sync for InterruptShared<T> {}
// SAFETY: owning the allocation moves `T` with it; the handle and counters are atomics.
unsafe impl<T: Send> Send for InterruptShared<T> {}

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
    /// Allocates `data` with an unregistered interrupt.
    ///
    /// `cx` (any level) proves IRQL <= `DISPATCH_LEVEL`, where pool allocation is allowed: no
    /// lock context is reachable inside a `synchronize` closure or an ISR.
    ///
    /// # Errors
    /// [`AllocError`] when the pool allocation fails.
    pub fn try_new<L>(cx: &Locked<'_, L>, data: T) -> Result<Self, AllocError> {
        let _ = cx;
        let inner = try_box(Inner {
            interrupt: Interrupt::unregistered(),
            data: UnsafeCell::new(data),
            _pinned: PhantomPinned,
        })?;
        Ok(Self {
            inner: ptr::NonNull::from(Box::leak(inner)),
            _owns: core::marker::PhantomData,
        })
    }

    fn inner(&self) -> &Inner<T> {
        // SAFETY: the allocation lives until `drop` (or forever, if leaked there).
        unsafe { self.inner.as_ref() }
    }

    /// The interrupt this data is shared with (to queue its DPC).
    #[must_use]
    pub fn interrupt(&self) -> &Interrupt {
        &self.inner().interrupt
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
    ///   an [`IsrToken`] from [`InterruptShared::isr_entry`], one per call;
    /// - `interrupt_context` stays valid, and this object stays alive, until the interrupt is
    ///   deregistered by [`InterruptShared::deregister`] (dropping the object while registered
    ///   leaks it rather than deregister);
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
        if self.interrupt().is_registered() {
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
        self.interrupt().handle.store(handle, Ordering::Release);
        Ok(())
    }

    /// Deregisters the interrupt; returns whether it was registered.
    ///
    /// Wraps `NdisMDeregisterInterruptEx`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterinterruptex>),
    /// which must be called at `PASSIVE_LEVEL` (`MiniportHaltEx`, or `MiniportInitializeEx` on
    /// failure): `at` proves it, and `cx` that no spin lock is held. The handle is cleared first,
    /// so no later `synchronize` or `queue_dpc` can use it (they return `None` from then on);
    /// then this waits, stalling a microsecond at a time, until every call that read the handle
    /// before has returned, and only then calls NDIS (the rundown).
    #[track_caller]
    pub fn deregister(&self, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel) -> bool {
        let _ = at;
        let interrupt = self.interrupt();
        let handle = interrupt.handle.swap(ptr::null_mut(), Ordering::SeqCst);
        if handle.is_null() {
            return false;
        }
        while interrupt.in_flight.load(Ordering::SeqCst) != 0 {
            // At PASSIVE_LEVEL with no lock held: the in-flight calls run on other processors
            // and finish (a synchronize is as short as an ISR).
            stall_execution::<1>(cx);
        }
        // SAFETY: `handle` came from NdisMRegisterInterruptEx; the swap handed it to this call
        // alone and no call using it is in flight, so it is deregistered once and never used
        // again.
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
    ///
    /// Nothing can be freed at DIRQL inside `f` (pool frees need IRQL <= `DISPATCH_LEVEL`):
    /// `f` is `Copy`, so it owns nothing with a destructor (no `SpinLock`, `Box` or guard can
    /// be moved in and dropped there), and the data is `Copy`, so it owns no pool either.
    /// (Allocating through the global allocator is not prevented by a type; the lock layer's
    /// own constructors need a lock context, which `f` cannot reach.)
    /// Returns `None`, without running `f`, when the interrupt is not registered.
    #[track_caller]
    pub fn synchronize<R, F>(&self, cx: &mut Locked<'_, Unlocked>, f: F) -> Option<R>
    where
        T: Copy,
        F: FnOnce(&mut T, &Dirql) -> R + Copy,
    {
        let _ = cx;
        let registered = self.interrupt().enter()?;
        let mut call = SyncCall {
            f: Some(f),
            data: self.inner().data.get(),
            result: None,
        };
        // SAFETY: the handle is registered and stays so until `registered` drops (rundown);
        // line-based, so MessageId is 0; the trampoline has the MINIPORT_SYNCHRONIZE_INTERRUPT
        // signature and reads `call`, which outlives this synchronous call and is not used
        // during it.
        unsafe {
            sys::NdisMSynchronizeWithInterruptEx(
                registered.handle,
                0,
                Some(synchronize_trampoline::<T, R, F>),
                (&raw mut call).cast(),
            )
        };
        drop(registered);
        call.result
    }

    /// The ISR token of this interrupt, at the entry of its `MiniportInterrupt`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>),
    /// `MiniportDisableInterruptEx` or `MiniportEnableInterruptEx` handler, which NDIS calls at
    /// DIRQL holding the interrupt's lock, the same lock `NdisMSynchronizeWithInterruptEx`
    /// holds. The token opens this object's data and no other's: it is branded by the reference
    /// it keeps.
    ///
    /// # Safety
    /// - Called only inside one of those handlers of the interrupt this object registered, at
    ///   most once per call of the handler (two tokens would hand out two `&mut` to the data);
    /// - the token is dropped before the handler returns.
    ///
    /// The data is plain (`Copy`): an ISR frees nothing through it.
    #[must_use]
    pub unsafe fn isr_entry(&self) -> IsrToken<'_, T>
    where
        T: Copy,
    {
        IsrToken {
            shared: self,
            dirql: Dirql::mint(),
        }
    }
}

/// Access to an [`InterruptShared`]'s data from its own ISR (or disable/enable handler).
///
/// Created by the `unsafe` [`InterruptShared::isr_entry`], once per handler call; it keeps a
/// reference to the object it was made for, so one interrupt's token cannot open another's
/// data. Not `Send`: it stands for this processor being at that interrupt's DIRQL.
pub struct IsrToken<'a, T> {
    shared: &'a InterruptShared<T>,
    dirql: Dirql,
}

impl<T> IsrToken<'_, T> {
    /// The data; the token is borrowed mutably for as long as the data is, so one handler
    /// call cannot hold two references to it.
    pub fn data(&mut self) -> &mut T {
        // SAFETY: the token exists only inside this interrupt's ISR/disable/enable handler
        // (isr_entry's contract), which NDIS runs under the interrupt lock that `synchronize`
        // also holds; the exclusive token borrow makes this the only reference for its life.
        unsafe { &mut *self.shared.inner().data.get() }
    }

    /// Proof that the processor is at the interrupt's DIRQL.
    #[must_use]
    pub fn dirql(&self) -> &Dirql {
        &self.dirql
    }
}

impl<T> Drop for InterruptShared<T> {
    /// Frees the data and the interrupt if the interrupt is not registered. If it still is
    /// ([`InterruptShared::deregister`] not called), nothing is freed: the ISR may still run on
    /// it, and `NdisMDeregisterInterruptEx` needs `PASSIVE_LEVEL` and no spin lock held, which
    /// `Drop` cannot know. The allocation is leaked and the registration stays, which the
    /// simulator reports at Halt (`Init_RegisterInterrupt`).
    fn drop(&mut self) {
        if self.interrupt().is_registered() {
            crate::trace_error!("InterruptShared dropped while registered: leaked");
            return;
        }
        // SAFETY: the allocation came from `Box::leak` in `try_new`, is not registered (no ISR
        // or synchronize can reach it: the handle is null and no call is in flight, since every
        // call borrows `self`), and is freed once.
        drop(unsafe { Box::from_raw(self.inner.as_ptr()) });
    }
}
