//! The miniport driver as NDIS sees it: `DriverEntry`, the characteristics
//! `NdisMRegisterMiniportDriver` validates and keeps, and `MiniportDriverUnload`.

use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::adapter::AdapterState;
use crate::Handler;
use crate::machine::processor::{self, PASSIVE, run_handler, violation};
use crate::machine::{Machine, Shared, lock};
use crate::sys::{
    self, DRIVER_OBJECT, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, NDIS_STATUS, NTSTATUS,
    UNICODE_STRING,
};
use crate::sys::{NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, STATUS_UNSUCCESSFUL};
use crate::verifier::Rule;

/// `DRIVER_INITIALIZE`: the driver's `DriverEntry`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_initialize>
pub type DriverEntry = unsafe extern "C" fn(sys::PDRIVER_OBJECT, sys::PUNICODE_STRING) -> NTSTATUS;

/// The host's state in a machine: registered drivers and their adapters.
#[derive(Default)]
pub(crate) struct HostState {
    pub(crate) drivers: Mutex<Vec<Arc<DriverRecord>>>,
    pub(crate) adapters: Mutex<Vec<Arc<AdapterState>>>,
    /// Configuration handles, work items, generic objects, `NET_BUFFER`s, I/O ports, the
    /// error log and the deferred work NDIS owes.
    pub(crate) objects: Mutex<super::objects::Objects>,
    /// The ETW session: provider registrations and the events written (`crate::etw`).
    pub(crate) etw: Mutex<crate::etw::EtwState>,
}

impl HostState {
    /// The adapter whose `NdisMiniportHandle` is `handle`, if the host initialized it.
    pub(crate) fn adapter(&self, handle: sys::NDIS_HANDLE) -> Option<Arc<AdapterState>> {
        // The newest first: a re-initialized device reuses its handle.
        lock(&self.adapters)
            .iter()
            .rev()
            .find(|a| a.handle == handle as usize)
            .cloned()
    }

    /// The driver whose `NdisMiniportDriverHandle` is `handle`.
    pub(crate) fn driver(&self, handle: sys::NDIS_HANDLE) -> Option<Arc<DriverRecord>> {
        lock(&self.drivers)
            .iter()
            .find(|d| core::ptr::eq(Arc::as_ptr(d).cast(), handle.cast_const()))
            .cloned()
    }
}

/// The miniport handlers of `NDIS_MINIPORT_DRIVER_CHARACTERISTICS`, copied at registration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handlers {
    pub(crate) initialize: sys::MINIPORT_INITIALIZE_HANDLER,
    pub(crate) halt: sys::MINIPORT_HALT_HANDLER,
    pub(crate) unload: sys::MINIPORT_DRIVER_UNLOAD,
    pub(crate) pause: sys::MINIPORT_PAUSE_HANDLER,
    pub(crate) restart: sys::MINIPORT_RESTART_HANDLER,
    pub(crate) oid_request: sys::MINIPORT_OID_REQUEST_HANDLER,
    pub(crate) send: sys::MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER,
    pub(crate) return_nbls: sys::MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER,
    pub(crate) cancel_send: sys::MINIPORT_CANCEL_SEND_HANDLER,
    pub(crate) check_for_hang: sys::MINIPORT_CHECK_FOR_HANG_HANDLER,
    pub(crate) reset: sys::MINIPORT_RESET_HANDLER,
    pub(crate) pnp: sys::MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER,
    pub(crate) shutdown: sys::MINIPORT_SHUTDOWN_HANDLER,
    pub(crate) cancel_oid: sys::MINIPORT_CANCEL_OID_REQUEST_HANDLER,
}

/// A registered miniport driver. Its address is the `NdisMiniportDriverHandle`.
pub(crate) struct DriverRecord {
    pub(crate) driver_object: usize,
    pub(crate) context: usize,
    pub(crate) handlers: Handlers,
    pub(crate) deregistered: AtomicBool,
}

/// The end of `field` in the characteristics, for the header's size check per revision.
macro_rules! end_of {
    ($field:ident) => {
        core::mem::offset_of!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, $field)
            + core::mem::size_of::<usize>()
    };
}

/// `NdisMRegisterMiniportDriver`'s validation: the header (type, revision 1–3, a size that
/// covers the revision's fields), NDIS major version 6, and every handler the
/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS` page requires (`MiniportResetEx` only with
/// `MiniportCheckForHangEx`). `Err` carries `NDIS_STATUS_BAD_CHARACTERISTICS` or
/// `NDIS_STATUS_BAD_VERSION` with what was wrong.
pub(crate) fn validate(
    chars: &NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
) -> Result<Handlers, (NDIS_STATUS, String)> {
    use crate::sys::{NDIS_STATUS_BAD_CHARACTERISTICS as BAD, NDIS_STATUS_BAD_VERSION};
    let h = chars.Header;
    if u32::from(h.Type) != NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS {
        return Err((BAD, format!("header type {:#x}, not 0x8A", h.Type)));
    }
    let needed = match h.Revision {
        1 => end_of!(CancelOidRequestHandler),
        2 => end_of!(CancelDirectOidRequestHandler),
        3 => end_of!(SynchronousOidRequestHandler),
        r => return Err((BAD, format!("header revision {r} (1 to 3 exist)"))),
    };
    if usize::from(h.Size) < needed {
        return Err((
            BAD,
            format!(
                "header size {} is below the {needed} bytes of revision {}",
                h.Size, h.Revision
            ),
        ));
    }
    if chars.MajorNdisVersion != 6 {
        return Err((
            NDIS_STATUS_BAD_VERSION,
            format!(
                "MajorNdisVersion {} (an NDIS 6 miniport declares 6)",
                chars.MajorNdisVersion
            ),
        ));
    }
    let handlers = Handlers {
        initialize: chars.InitializeHandlerEx,
        halt: chars.HaltHandlerEx,
        unload: chars.UnloadHandler,
        pause: chars.PauseHandler,
        restart: chars.RestartHandler,
        oid_request: chars.OidRequestHandler,
        send: chars.SendNetBufferListsHandler,
        return_nbls: chars.ReturnNetBufferListsHandler,
        cancel_send: chars.CancelSendHandler,
        check_for_hang: chars.CheckForHangHandlerEx,
        reset: chars.ResetHandlerEx,
        pnp: chars.DevicePnPEventNotifyHandler,
        shutdown: chars.ShutdownHandlerEx,
        cancel_oid: chars.CancelOidRequestHandler,
    };
    let missing: Vec<&str> = [
        ("InitializeHandlerEx", handlers.initialize.is_some()),
        ("HaltHandlerEx", handlers.halt.is_some()),
        ("UnloadHandler", handlers.unload.is_some()),
        ("PauseHandler", handlers.pause.is_some()),
        ("RestartHandler", handlers.restart.is_some()),
        ("OidRequestHandler", handlers.oid_request.is_some()),
        ("SendNetBufferListsHandler", handlers.send.is_some()),
        (
            "ReturnNetBufferListsHandler",
            handlers.return_nbls.is_some(),
        ),
        ("CancelSendHandler", handlers.cancel_send.is_some()),
        ("DevicePnPEventNotifyHandler", handlers.pnp.is_some()),
        ("ShutdownHandlerEx", handlers.shutdown.is_some()),
        ("CancelOidRequestHandler", handlers.cancel_oid.is_some()),
        (
            "ResetHandlerEx (required with CheckForHangHandlerEx)",
            handlers.check_for_hang.is_none() || handlers.reset.is_some(),
        ),
    ]
    .into_iter()
    .filter_map(|(name, ok)| (!ok).then_some(name))
    .collect();
    if missing.is_empty() {
        Ok(handlers)
    } else {
        Err((BAD, format!("missing handlers: {}", missing.join(", "))))
    }
}

/// Keeps a validated registration and returns its handle.
pub(crate) fn register(
    shared: &Shared,
    driver_object: usize,
    context: usize,
    handlers: Handlers,
) -> sys::NDIS_HANDLE {
    let record = Arc::new(DriverRecord {
        driver_object,
        context,
        handlers,
        deregistered: AtomicBool::new(false),
    });
    let handle = Arc::as_ptr(&record).cast_mut().cast();
    lock(&shared.host.drivers).push(record);
    handle
}

/// Reports a violation the host finds on the test thread: on processor 0, as a work item (in
/// `BugCheck` mode this halts the machine and panics here with the report).
#[track_caller]
pub(crate) fn host_violation(machine: &Machine, rule: Rule, detail: String) {
    let location = Location::caller();
    machine.run_on(0, move || {
        let cpu = processor::current("the NDIS host");
        violation(&cpu, rule, location, detail);
    });
}

/// Calls a miniport handler on processor `cpu` at IRQL `irql` (`PASSIVE_LEVEL` or raised to
/// `DISPATCH_LEVEL` or higher for its duration) as routine `handler`, so the verifier's
/// routine-end checks (`IrqlReturn`, locks held) apply to it.
#[track_caller]
pub(crate) fn call_handler<R: Send>(
    machine: &Machine,
    cpu: usize,
    handler: Handler,
    irql: u8,
    f: impl FnOnce() -> R + Send,
) -> R {
    let location = Location::caller();
    machine.run_on(cpu, move || {
        let me = processor::current(handler.name());
        if irql > PASSIVE {
            me.set_irql(irql);
        }
        let r = run_handler(&me, handler, location, f);
        if irql > PASSIVE {
            processor::lower_irql(&me, PASSIVE);
        }
        r
    })
}

/// The memory NDIS passes to `DriverEntry`: the driver object and the registry path.
struct DriverObjects {
    object: Box<DRIVER_OBJECT>,
    path_buffer: Box<[u16]>,
    path: Box<UNICODE_STRING>,
}

// SAFETY: the objects are plain data the driver only reads; the raw pointer in `path` points into
// `path_buffer`, owned by the same value.
unsafe impl Send for DriverObjects {}
// SAFETY: nothing here is mutated after construction: the driver is given pointers made from
// shared references and only reads through them, so reads from several threads race nothing.
unsafe impl Sync for DriverObjects {}

/// A loaded miniport driver (after a successful `DriverEntry`): initialize adapters with it,
/// and unload it. Cloning gives another handle to the same driver.
#[derive(Clone)]
pub struct LoadedDriver {
    pub(crate) machine: Machine,
    pub(crate) record: Arc<DriverRecord>,
    objects: Arc<DriverObjects>,
}

impl core::fmt::Debug for LoadedDriver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LoadedDriver")
            .field(
                "driver_object",
                &format_args!("{:#x}", self.record.driver_object),
            )
            .finish_non_exhaustive()
    }
}

/// The registry path the host passes to `DriverEntry`.
const REGISTRY_PATH: &str = r"\Registry\Machine\System\CurrentControlSet\Services\rse1k";

impl Machine {
    /// Loads a miniport driver as the I/O manager and NDIS do: calls `entry` (`DriverEntry`) on
    /// processor 0 at `PASSIVE_LEVEL` as [`Handler::DriverEntry`], with a driver object and a
    /// registry path; the driver must call `NdisMRegisterMiniportDriver` there.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/initializing-a-miniport-driver>
    ///
    /// # Errors
    /// `DriverEntry`'s failure status; `STATUS_UNSUCCESSFUL` (with a [`Rule::MiniportState`]
    /// violation) when it succeeded without registering a miniport driver.
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    pub fn load_driver(&self, entry: DriverEntry) -> Result<LoadedDriver, NTSTATUS> {
        let buffer: Box<[u16]> = REGISTRY_PATH.encode_utf16().collect();
        let bytes = u16::try_from(buffer.len() * 2).unwrap_or(u16::MAX);
        let mut objects = DriverObjects {
            object: Box::new(DRIVER_OBJECT {
                Type: 4, // IO_TYPE_DRIVER
                Size: i16::try_from(core::mem::size_of::<DRIVER_OBJECT>()).unwrap_or(0),
                ..DRIVER_OBJECT::default()
            }),
            path: Box::new(UNICODE_STRING {
                Length: bytes,
                MaximumLength: bytes,
                Buffer: core::ptr::null_mut(),
            }),
            path_buffer: buffer,
        };
        objects.path.Buffer = objects.path_buffer.as_ptr().cast_mut();
        let object = core::ptr::from_ref::<DRIVER_OBJECT>(&objects.object) as usize;
        // A freed driver object's address may come back: nothing of its last life stays.
        crate::sys::free_driver_object_extensions(object);
        let path = core::ptr::from_ref::<UNICODE_STRING>(&objects.path) as usize;
        let status = call_handler(self, 0, Handler::DriverEntry, PASSIVE, move || {
            // SAFETY: the driver object and registry path live in `objects`, which outlives the
            // call; `entry` is the driver's DriverEntry.
            unsafe { entry(object as sys::PDRIVER_OBJECT, path as sys::PUNICODE_STRING) }
        });
        if status < 0 {
            return Err(status);
        }
        let record = lock(&self.shared().host.drivers)
            .iter()
            .rev()
            .find(|d| d.driver_object == object)
            .cloned();
        let Some(record) = record else {
            host_violation(
                self,
                Rule::MiniportState,
                "DriverEntry returned success without a successful \
                 NdisMRegisterMiniportDriver"
                    .to_owned(),
            );
            return Err(STATUS_UNSUCCESSFUL);
        };
        Ok(LoadedDriver {
            machine: self.clone(),
            record,
            objects: Arc::new(objects),
        })
    }
}

impl LoadedDriver {
    /// Unloads the driver: `MiniportDriverUnload` on processor 0 at `PASSIVE_LEVEL`, then checks
    /// that it called `NdisMDeregisterMiniportDriver` ([`Rule::MiniportState`] otherwise).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_unload>
    ///
    /// # Panics
    /// When an adapter of this driver has not been halted (NDIS halts every adapter first), and
    /// as [`Machine::run_on`].
    pub fn unload(self) {
        let live = lock(&self.machine.shared().host.adapters)
            .iter()
            .filter(|a| Arc::ptr_eq(&a.driver, &self.record) && !a.is_halted())
            .count();
        assert!(
            live == 0,
            "ndis-sim: LoadedDriver::unload with {live} adapter(s) not halted: NDIS halts every \
             adapter before MiniportDriverUnload"
        );
        let unload = self.record.handlers.unload;
        let object = core::ptr::from_ref::<DRIVER_OBJECT>(&self.objects.object) as usize;
        call_handler(&self.machine, 0, Handler::Unload, PASSIVE, move || {
            if let Some(unload) = unload {
                // SAFETY: the driver object is the one DriverEntry got, alive in `objects`.
                unsafe { unload(object as sys::PDRIVER_OBJECT) };
            }
        });
        crate::sys::free_driver_object_extensions(object);
        if !self.record.deregistered.load(Ordering::SeqCst) {
            host_violation(
                &self.machine,
                Rule::MiniportState,
                "MiniportDriverUnload returned without calling NdisMDeregisterMiniportDriver"
                    .to_owned(),
            );
        }
    }

    /// The `NdisMiniportDriverHandle` the driver got from `NdisMRegisterMiniportDriver`.
    #[must_use]
    pub fn handle(&self) -> sys::NDIS_HANDLE {
        Arc::as_ptr(&self.record).cast_mut().cast()
    }
}
