//! One miniport adapter as NDIS drives it: Initialize (with the e1000's resources), the
//! Paused / Restarting / Running / Pausing states, Halt, Shutdown, surprise removal, and the
//! hang check with its reset.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use std::panic::Location;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::AdapterLeaks;
use super::datapath::{self, HostNbl};
use super::driver::{DriverRecord, LoadedDriver, call_handler, host_violation};
use crate::Handler;
use crate::bus::{BAR0_LEN, PciDevice, PluggedE1000};
use crate::machine::processor::{DISPATCH, PASSIVE};
use crate::machine::{Machine, lock};
use crate::rng::SplitMix64;
use crate::sys::{
    self, BOOLEAN, CM_PARTIAL_RESOURCE_DESCRIPTOR, CM_PARTIAL_RESOURCE_LIST,
    NDIS_MINIPORT_INIT_PARAMETERS, NDIS_MINIPORT_PAUSE_PARAMETERS,
    NDIS_MINIPORT_RESTART_PARAMETERS, NDIS_OBJECT_HEADER, NDIS_STATUS, NDIS_STATUS_SUCCESS,
    NET_DEVICE_PNP_EVENT,
};
use crate::sys::{
    CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE, CM_RESOURCE_MEMORY_READ_WRITE,
    CmResourceShareDeviceExclusive, CmResourceShareShared, CmResourceTypeInterrupt,
    CmResourceTypeMemory, NDIS_OBJECT_TYPE_DEFAULT, NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS,
    NDIS_PAUSE_NDIS_INTERNAL, NDIS_STATUS_PENDING, NdisDevicePnPEventSurpriseRemoved,
    NdisShutdownBugCheck,
};
use crate::verifier::Rule;

/// How long (wall clock) the machine must stay without the completion the host waits for before
/// the host lets the simulated clock run: a miniport that completes promptly never sees the
/// clock move, one that waits for a timer or never completes does.
pub(crate) const QUIET_BEFORE_CLOCK_RUNS: Duration = Duration::from_millis(300);
/// How far the simulated clock moves per step while the host waits.
pub(crate) const WAIT_CLOCK_STEP_NS: u64 = 500_000_000;
/// How long (simulated) the host waits for a completion with no timed rule of its own (Pause,
/// Restart, Reset) before it panics naming it: a driver bug must fail the test, not hang it.
pub(crate) const WAIT_LIMIT_NS: u64 = 60_000_000_000;

/// How many turns a host waiting for a completion takes on a serial machine before it
/// declares the completion lost (counted, so the verdict is the same on every rerun).
pub(crate) const SERIAL_COMPLETION_ROUNDS: u32 = 100_000;

/// The NDIS state of an adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// `MiniportInitializeEx` is running.
    Initializing,
    /// Initialized or paused: no sends, no receive indications.
    Paused,
    /// `MiniportRestart` called, not yet complete.
    Restarting,
    /// Sends and receives flow.
    Running,
    /// `MiniportPause` called, not yet complete.
    Pausing,
    /// `MiniportHaltEx` is running.
    Halting,
    /// `MiniportHaltEx` returned (or Initialize failed).
    Halted,
}

/// A completion the miniport owes for a call that returned `NDIS_STATUS_PENDING`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Pending {
    /// The handler is running or returned PENDING: a completion is expected.
    pub(crate) expected: bool,
    /// The status the completion carried (`NdisMPauseComplete`: SUCCESS).
    pub(crate) completed: Option<NDIS_STATUS>,
}

/// The host-side state of an adapter, reachable from `sys` functions through its handle.
pub(crate) struct AdapterState {
    /// The `NdisMiniportHandle` (the plugged device's adapter handle).
    pub(crate) handle: usize,
    pub(crate) driver: Arc<DriverRecord>,
    pub(crate) device: Arc<PciDevice>,
    pub(crate) st: Mutex<AdapterInner>,
    pub(crate) cv: Condvar,
    /// NDIS issues one OID request at a time to a miniport.
    pub(crate) oid_serial: Mutex<()>,
}

/// A status indication the miniport made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusIndication {
    /// `StatusCode` (`NDIS_STATUS_LINK_STATE`, ...).
    pub code: NDIS_STATUS,
    /// The `StatusBuffer` bytes.
    pub payload: Vec<u8>,
}

/// What the host counted for an adapter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AdapterCounters {
    /// NBLs given to `MiniportSendNetBufferLists`.
    pub sent: u64,
    /// NBLs completed with `NdisMSendNetBufferListsComplete`.
    pub completed: u64,
    /// Of those, completed with a status other than `NDIS_STATUS_SUCCESS`.
    pub failed: u64,
    /// NBLs indicated with `NdisMIndicateReceiveNetBufferLists`.
    pub indicated: u64,
    /// NBLs the host returned with `MiniportReturnNetBufferLists` (or at once, for
    /// `NDIS_RECEIVE_FLAGS_RESOURCES` indications).
    pub returned: u64,
    /// OID requests issued.
    pub oids: u64,
    /// Status indications.
    pub status_indications: u64,
}

#[allow(
    clippy::struct_excessive_bools,
    reason = "independent flags of the adapter's NDIS-side state"
)]
pub(crate) struct AdapterInner {
    pub(crate) phase: Phase,
    /// `MiniportAdapterContext` from the registration attributes.
    pub(crate) context: usize,
    pub(crate) registration_set: bool,
    /// `AttributeFlags` of the registration attributes (`NDIS_MINIPORT_ATTRIBUTES_*`).
    pub(crate) attribute_flags: u32,
    pub(crate) general_set: bool,
    pub(crate) pause: Pending,
    pub(crate) restart: Pending,
    pub(crate) reset: Pending,
    pub(crate) reset_addressing: bool,
    /// Sends the miniport owns, by NBL address.
    pub(crate) outstanding: FxHashMap<usize, HostNbl>,
    /// Completed host NBLs kept a while, so a second completion is recognised as one.
    pub(crate) graveyard: VecDeque<HostNbl>,
    pub(crate) completions: Vec<super::SendCompletion>,
    pub(crate) received: Vec<super::ReceivedFrame>,
    /// Indicated NBLs NDIS holds (by address), to be returned to the miniport.
    pub(crate) held: Vec<usize>,
    /// Return batches taken from `held` whose `MiniportReturnNetBufferLists` call is running.
    pub(crate) returning: usize,
    /// The protocol keeps its receives (`Adapter::hold_returns`): only Pause, Halt and
    /// `return_all_received` return them.
    pub(crate) holding: bool,
    /// Indicated NBLs the protocol keeps until a return of everything (Pause, Halt,
    /// [`Adapter::return_all_received`]), whatever `holding` says.
    pub(crate) kept: Vec<usize>,
    /// How many more indicated NBLs go to `kept`.
    pub(crate) keep_next: usize,
    pub(crate) status: Vec<StatusIndication>,
    pub(crate) oid: super::oid::OidSlot,
    /// The NDIS/WIFI timed rules' clocks.
    pub(crate) timed: super::timed::Deadlines,
    pub(crate) counters: AdapterCounters,
    pub(crate) rng: SplitMix64,
}

impl AdapterState {
    fn new(machine: &Machine, driver: &Arc<DriverRecord>, device: &PluggedE1000) -> Arc<Self> {
        let handle = device.handle as usize;
        Arc::new(AdapterState {
            handle,
            driver: Arc::clone(driver),
            device: Arc::clone(&device.device),
            st: Mutex::new(AdapterInner {
                phase: Phase::Initializing,
                context: 0,
                registration_set: false,
                attribute_flags: 0,
                general_set: false,
                pause: Pending::default(),
                restart: Pending::default(),
                reset: Pending::default(),
                reset_addressing: false,
                outstanding: FxHashMap::default(),
                graveyard: VecDeque::new(),
                completions: Vec::new(),
                received: Vec::new(),
                held: Vec::new(),
                returning: 0,
                holding: false,
                kept: Vec::new(),
                keep_next: 0,
                status: Vec::new(),
                oid: super::oid::OidSlot::default(),
                timed: super::timed::Deadlines::default(),
                counters: AdapterCounters::default(),
                // Seeded by the device's bus position, not the handle's address (which differs from
                // run to run), so a seed fixes the host's choices too.
                rng: SplitMix64::new(machine.seed() ^ device.device.bar0().rotate_left(17)),
            }),
            cv: Condvar::new(),
            oid_serial: Mutex::new(()),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, AdapterInner> {
        lock(&self.st)
    }

    pub(crate) fn is_halted(&self) -> bool {
        self.lock().phase == Phase::Halted
    }

    pub(crate) fn context(&self) -> sys::NDIS_HANDLE {
        self.lock().context as sys::NDIS_HANDLE
    }

    /// Wakes the host waiting for a completion.
    pub(crate) fn notify(&self) {
        self.cv.notify_all();
    }

    /// Waits (on the test thread, holding no processor) until `done` holds, giving the
    /// returner a chance between checks so a miniport waiting for its receives can finish.
    /// Once the machine has been quiet for [`QUIET_BEFORE_CLOCK_RUNS`] (on a serial machine:
    /// once no other actor can run), the simulated clock runs in [`WAIT_CLOCK_STEP_NS`] steps
    /// (timers expire, the timed rules are checked); the wait gives up, returning `false`, when
    /// `give_up` holds after a step.
    ///
    /// # Panics
    /// After [`WAIT_LIMIT_NS`] of simulated time (or, on a serial machine, after
    /// [`SERIAL_COMPLETION_ROUNDS`] turns while other actors ran), naming `what`; when the
    /// machine halts.
    pub(crate) fn wait_for(
        &self,
        machine: &Machine,
        what: &str,
        mut done: impl FnMut(&mut AdapterInner) -> bool,
        mut give_up: impl FnMut(&AdapterInner) -> bool,
    ) -> bool {
        let quiet_until = Instant::now() + QUIET_BEFORE_CLOCK_RUNS;
        let started = machine.virtual_time_ns();
        let serial = machine.host_actor().is_some();
        let mut rounds = 0u32;
        loop {
            assert!(!machine.halted(), "{}", machine.shared().halt_message());
            if done(&mut self.lock()) {
                return true;
            }
            datapath::return_held(self, machine, true);
            let quiet = if serial {
                // One actor at a time: give the turn away; the machine is quiet when no other
                // actor can run (counted, so the verdict is the same on every rerun).
                let quiet = crate::machine::processor::host_switch(
                    machine.shared(),
                    "NDIS waiting for a completion",
                    true,
                )
                .is_err();
                rounds += 1;
                assert!(
                    rounds < SERIAL_COMPLETION_ROUNDS,
                    "ndis-sim: HANG: the miniport never completed {what} \
                     ({SERIAL_COMPLETION_ROUNDS} host turns while others ran: {}; seed {:#x})",
                    machine
                        .shared()
                        .sched
                        .as_ref()
                        .map(crate::machine::schedule::Scheduler::describe)
                        .unwrap_or_default(),
                    machine.seed()
                );
                if done(&mut self.lock()) {
                    return true;
                }
                quiet
            } else {
                let g = self.lock();
                let (mut g, _) = self
                    .cv
                    .wait_timeout(g, Duration::from_millis(2))
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if done(&mut g) {
                    return true;
                }
                drop(g);
                Instant::now() >= quiet_until
            };
            if quiet {
                let waited = machine.virtual_time_ns().saturating_sub(started);
                assert!(
                    waited < WAIT_LIMIT_NS,
                    "ndis-sim: HANG: the miniport never completed {what} (waited {} s of \
                     simulated time; seed {:#x})",
                    waited / 1_000_000_000,
                    machine.seed()
                );
                let _ = machine.advance_clock(WAIT_CLOCK_STEP_NS);
                assert!(!machine.halted(), "{}", machine.shared().halt_message());
                if give_up(&self.lock()) {
                    return false;
                }
            }
        }
    }
}

/// A miniport adapter the host initialized: the protocol edge of the simulator. Cloning gives
/// another handle to the same adapter.
#[derive(Clone)]
pub struct Adapter {
    pub(crate) machine: Machine,
    pub(crate) state: Arc<AdapterState>,
    /// Shared by the clones of this handle: the background returner stops when the last
    /// one is gone.
    _alive: Arc<()>,
}

impl core::fmt::Debug for Adapter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Adapter")
            .field("handle", &format_args!("{:#x}", self.state.handle))
            .field("phase", &self.state.lock().phase)
            .finish_non_exhaustive()
    }
}

/// `AllocatedResources` for the e1000: a memory range (BAR0) and a line-based interrupt, laid
/// out as `CM_PARTIAL_RESOURCE_LIST` with `Count = 2` (the second descriptor follows the first).
#[repr(C, packed(4))]
struct Resources {
    list: CM_PARTIAL_RESOURCE_LIST,
    interrupt: CM_PARTIAL_RESOURCE_DESCRIPTOR,
}

/// A `sys` constant (`u32` for a `#define`, the enum typedef for an enum member, as bindgen
/// emits them) in a `UCHAR` header or descriptor field. Every one stored here (object types,
/// revisions, `CmResourceType*`, `CmResourceShare*`) is below 0x100; the panic cannot happen.
fn uchar<T: TryInto<u8> + Copy + core::fmt::Debug>(value: T) -> u8 {
    value
        .try_into()
        .unwrap_or_else(|_| panic!("ndis-sim: {value:?} does not fit a UCHAR field"))
}

/// As [`uchar`], for the `USHORT` `Flags` of a resource descriptor.
fn ushort(value: u32) -> u16 {
    u16::try_from(value)
        .unwrap_or_else(|_| panic!("ndis-sim: {value:#x} does not fit a USHORT field"))
}

fn resources(device: &PciDevice, processors: usize) -> Resources {
    let mut memory = CM_PARTIAL_RESOURCE_DESCRIPTOR {
        Type: uchar(CmResourceTypeMemory),
        ShareDisposition: uchar(CmResourceShareDeviceExclusive),
        Flags: ushort(CM_RESOURCE_MEMORY_READ_WRITE),
        ..Default::default()
    };
    memory.u.Memory.Start.QuadPart = i64::try_from(device.bar0()).unwrap_or(i64::MAX);
    memory.u.Memory.Length = BAR0_LEN;
    let mut interrupt = CM_PARTIAL_RESOURCE_DESCRIPTOR {
        Type: uchar(CmResourceTypeInterrupt),
        ShareDisposition: uchar(CmResourceShareShared),
        Flags: ushort(CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE),
        ..Default::default()
    };
    let line = device.line();
    interrupt.u.Interrupt.Level = line;
    interrupt.u.Interrupt.Vector = line;
    interrupt.u.Interrupt.Affinity = if processors >= 64 {
        u64::MAX
    } else {
        (1u64 << processors) - 1
    };
    Resources {
        list: CM_PARTIAL_RESOURCE_LIST {
            Version: 1,
            Revision: 1,
            Count: 2,
            PartialDescriptors: [memory],
        },
        interrupt,
    }
}

/// An `NDIS_OBJECT_HEADER` for a structure the host hands the miniport (`kind` and `revision` are
/// `sys` constants, `size` its `size_of`).
pub(super) fn header(kind: u32, revision: u32, size: usize) -> NDIS_OBJECT_HEADER {
    NDIS_OBJECT_HEADER {
        Type: uchar(kind),
        Revision: uchar(revision),
        Size: u16::try_from(size).unwrap_or(u16::MAX),
    }
}

impl LoadedDriver {
    /// `MiniportInitializeEx` for the plugged e1000 on processor 0 at `PASSIVE_LEVEL`, with
    /// `AllocatedResources` = BAR0 (`CmResourceTypeMemory`, 128 KiB) and the device's line
    /// (`CmResourceTypeInterrupt`, level-sensitive); the `NdisMiniportHandle` is the plugged
    /// device's adapter handle. Checks at its return that the registration and general
    /// attributes were set ([`Rule::MiniportState`]); on failure, that the driver released
    /// everything (the Halt checks). On success the adapter is Paused, as NDIS leaves it.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_initialize>
    ///
    /// # Errors
    /// The status `MiniportInitializeEx` returned when it failed.
    ///
    /// # Panics
    /// When the device is already initialized, and as [`Machine::run_on`].
    pub fn initialize(&self, device: &PluggedE1000) -> Result<Adapter, NDIS_STATUS> {
        let machine = &self.machine;
        let handle = device.handle as usize;
        let state = AdapterState::new(machine, &self.record, device);
        {
            let mut adapters = lock(&machine.shared().host.adapters);
            assert!(
                !adapters
                    .iter()
                    .any(|a| a.handle == handle && a.lock().phase != Phase::Halted),
                "ndis-sim: LoadedDriver::initialize: adapter {handle:#x} is already initialized"
            );
            adapters.push(Arc::clone(&state));
        }
        let resources = resources(&device.device, machine.processors());
        let params = NDIS_MINIPORT_INIT_PARAMETERS {
            Header: header(
                NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS,
                1,
                core::mem::size_of::<NDIS_MINIPORT_INIT_PARAMETERS>(),
            ),
            Flags: 0,
            AllocatedResources: core::ptr::from_ref(&resources.list).cast_mut(),
            IMDeviceInstanceContext: core::ptr::null_mut(),
            MiniportAddDeviceContext: core::ptr::null_mut(),
            IfIndex: u32::try_from(lock(&machine.shared().host.adapters).len()).unwrap_or(0),
            NetLuid: sys::NET_LUID {
                // IF_TYPE_ETHERNET_CSMACD (6) in the LUID's type bits, the handle as index.
                Value: (6u64 << 48) | (handle as u64 & 0xFF_FFFF),
            },
            DefaultPortAuthStates: core::ptr::null_mut(),
            PciDeviceCustomProperties: core::ptr::null_mut(),
        };
        let init = self
            .record
            .handlers
            .initialize
            .expect("validated at registration");
        let context = self.record.context;
        let params_addr = core::ptr::from_ref(&params) as usize;
        let location = Location::caller();
        let (status, leaks) = machine.run_on(0, move || {
            let cpu = crate::machine::processor::current("MiniportInitializeEx");
            let status =
                crate::machine::processor::run_handler(&cpu, Handler::Initialize, location, || {
                    // SAFETY: the handle is the adapter's, the parameters and the resources
                    // they point to outlive the call.
                    unsafe {
                        init(
                            handle as sys::NDIS_HANDLE,
                            context as sys::NDIS_HANDLE,
                            params_addr as sys::PNDIS_MINIPORT_INIT_PARAMETERS,
                        )
                    }
                });
            // WriteErrorLog: a failed shared-memory allocation is logged before Initialize ends.
            crate::sys::check_initialize_logged(&cpu, handle);
            // A failed Initialize must leave nothing behind (Init_RegisterInterrupt names the
            // failure path too).
            let leaks =
                (status != NDIS_STATUS_SUCCESS).then(|| super::check_halted(handle as _, location));
            (status, leaks)
        });
        // The parameters and resources lived through the call; NDIS frees them after it.
        let _ = (params, resources, leaks);
        if status != NDIS_STATUS_SUCCESS {
            state.lock().phase = Phase::Halted;
            if status == NDIS_STATUS_PENDING {
                host_violation(
                    machine,
                    Rule::MiniportState,
                    "MiniportInitializeEx returned NDIS_STATUS_PENDING, which it may not".into(),
                );
            }
            return Err(status);
        }
        let (registration, general) = {
            let mut g = state.lock();
            g.phase = Phase::Paused;
            (g.registration_set, g.general_set)
        };
        if !registration || !general {
            host_violation(
                machine,
                Rule::MiniportState,
                format!(
                    "MiniportInitializeEx returned success without {}",
                    if registration {
                        "general attributes (NdisMSetMiniportAttributes)"
                    } else {
                        "registration attributes (NdisMSetMiniportAttributes)"
                    }
                ),
            );
        }
        let alive = Arc::new(());
        datapath::spawn_returner(machine, &state, &alive);
        Ok(Adapter {
            machine: machine.clone(),
            state,
            _alive: alive,
        })
    }
}

impl Adapter {
    /// The `AttributeFlags` the driver set in its registration attributes
    /// (`NDIS_MINIPORT_ATTRIBUTES_*`).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_registration_attributes>
    #[must_use]
    pub fn attribute_flags(&self) -> u32 {
        self.state.lock().attribute_flags
    }

    /// The `NdisMiniportHandle` the driver got in `MiniportInitializeEx`.
    #[must_use]
    pub fn handle(&self) -> sys::NDIS_HANDLE {
        self.state.handle as sys::NDIS_HANDLE
    }

    /// The device behind the adapter.
    #[must_use]
    pub fn device(&self) -> &Arc<PciDevice> {
        &self.state.device
    }

    /// What the host counted so far.
    #[must_use]
    pub fn counters(&self) -> AdapterCounters {
        self.state.lock().counters
    }

    fn phase(&self) -> Phase {
        self.state.lock().phase
    }

    /// `MiniportRestart` on processor 0 at `PASSIVE_LEVEL`; waits for `NdisMRestartComplete`
    /// when it returns `NDIS_STATUS_PENDING`. Success leaves the adapter Running; a failure
    /// leaves it Paused. Returns the final status.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_restart>
    ///
    /// # Panics
    /// When the adapter is not Paused (NDIS restarts only a paused adapter); after the
    /// completion timeout; as [`Machine::run_on`].
    #[must_use = "Restart may fail"]
    pub fn restart(&self) -> NDIS_STATUS {
        let phase = self.phase();
        assert!(
            phase == Phase::Paused,
            "ndis-sim: Adapter::restart in state {phase:?}: NDIS restarts only a Paused adapter"
        );
        let context = {
            let mut g = self.state.lock();
            g.phase = Phase::Restarting;
            g.restart = Pending {
                expected: true,
                completed: None,
            };
            g.context
        };
        let restart = self.state.driver.handlers.restart.expect("validated");
        let mut params = NDIS_MINIPORT_RESTART_PARAMETERS {
            Header: header(
                NDIS_OBJECT_TYPE_DEFAULT,
                1,
                core::mem::size_of::<NDIS_MINIPORT_RESTART_PARAMETERS>(),
            ),
            RestartAttributes: core::ptr::null_mut(),
            Flags: 0,
        };
        let params_addr = core::ptr::from_mut(&mut params) as usize;
        let returned = call_handler(&self.machine, 0, Handler::Restart, PASSIVE, move || {
            // SAFETY: the context is the adapter's; the parameters outlive the call.
            unsafe {
                restart(
                    context as sys::NDIS_HANDLE,
                    params_addr as sys::PNDIS_MINIPORT_RESTART_PARAMETERS,
                )
            }
        });
        let status = if returned == NDIS_STATUS_PENDING {
            self.state.wait_for(
                &self.machine,
                "MiniportRestart (NdisMRestartComplete)",
                |g| g.restart.completed.is_some(),
                |_| false,
            );
            self.state.lock().restart.completed.unwrap_or(returned)
        } else {
            let early = self.state.lock().restart.completed;
            if early.is_some() {
                host_violation(
                    &self.machine,
                    Rule::MiniportState,
                    format!(
                        "NdisMRestartComplete was called although MiniportRestart returned \
                         {returned:#x}, not NDIS_STATUS_PENDING"
                    ),
                );
            }
            returned
        };
        let mut g = self.state.lock();
        g.restart = Pending::default();
        g.phase = if status == NDIS_STATUS_SUCCESS {
            Phase::Running
        } else {
            Phase::Paused
        };
        status
    }

    /// `MiniportPause` on processor 0 at `PASSIVE_LEVEL`; while it is pending the host returns
    /// every indicated NBL (as protocols do) and waits for `NdisMPauseComplete`. Then checks
    /// NDIS's accounting: every sent NBL completed ([`Rule::SendAccounting`]); a return value
    /// other than SUCCESS / PENDING is [`Rule::MiniportPauseReturn`]. Receive indications
    /// while pausing or paused are reported when they happen ([`Rule::ReceiveAccounting`]).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_pause>
    ///
    /// # Panics
    /// When the adapter is not Running; after the completion timeout; as [`Machine::run_on`].
    #[allow(clippy::must_use_candidate)] // Pause cannot fail; the status is informative
    pub fn pause(&self) -> NDIS_STATUS {
        let phase = self.phase();
        assert!(
            phase == Phase::Running,
            "ndis-sim: Adapter::pause in state {phase:?}: NDIS pauses only a Running adapter"
        );
        let context = {
            let mut g = self.state.lock();
            g.phase = Phase::Pausing;
            g.pause = Pending {
                expected: true,
                completed: None,
            };
            g.context
        };
        // NDIS pauses the stack from the top: the protocols above have returned what they
        // held before MiniportPause runs (stragglers are returned while it pends).
        datapath::return_held(&self.state, &self.machine, true);
        let pause = self.state.driver.handlers.pause.expect("validated");
        let mut params = NDIS_MINIPORT_PAUSE_PARAMETERS {
            Header: header(
                NDIS_OBJECT_TYPE_DEFAULT,
                1,
                core::mem::size_of::<NDIS_MINIPORT_PAUSE_PARAMETERS>(),
            ),
            Flags: 0,
            PauseReason: NDIS_PAUSE_NDIS_INTERNAL,
        };
        let params_addr = core::ptr::from_mut(&mut params) as usize;
        let returned = call_handler(&self.machine, 0, Handler::Pause, PASSIVE, move || {
            // SAFETY: the context is the adapter's; the parameters outlive the call.
            unsafe {
                pause(
                    context as sys::NDIS_HANDLE,
                    params_addr as sys::PNDIS_MINIPORT_PAUSE_PARAMETERS,
                )
            }
        });
        if returned == NDIS_STATUS_PENDING {
            self.state.wait_for(
                &self.machine,
                "MiniportPause (NdisMPauseComplete)",
                |g| g.pause.completed.is_some(),
                |_| false,
            );
        } else {
            if returned != NDIS_STATUS_SUCCESS {
                host_violation(
                    &self.machine,
                    Rule::MiniportPauseReturn,
                    format!(
                        "MiniportPause returned {returned:#x}; only NDIS_STATUS_SUCCESS or \
                         NDIS_STATUS_PENDING are allowed"
                    ),
                );
            }
            if self.state.lock().pause.completed.is_some() {
                host_violation(
                    &self.machine,
                    Rule::MiniportState,
                    format!(
                        "NdisMPauseComplete was called although MiniportPause returned \
                         {returned:#x}, not NDIS_STATUS_PENDING"
                    ),
                );
            }
        }
        let outstanding = {
            let mut g = self.state.lock();
            g.pause = Pending::default();
            g.phase = Phase::Paused;
            g.outstanding.len()
        };
        if outstanding != 0 {
            host_violation(
                &self.machine,
                Rule::SendAccounting,
                format!(
                    "the pause completed with {outstanding} sent NBL(s) not completed \
                     (MiniportPause must complete every queued send first)"
                ),
            );
        }
        // Whatever the miniport indicated while pausing goes back now; it was reported.
        datapath::return_held(&self.state, &self.machine, true);
        returned
    }

    /// `MiniportHaltEx(action)` on processor 0 at `PASSIVE_LEVEL`, then the NDIS verifier's
    /// Halt checks (pool, shared memory, mappings: [`Rule::LeakAtHalt`]; interrupt:
    /// [`Rule::InitRegisterInterrupt`]; and what other helpers add to `check_halted`).
    /// Returns what the adapter still held.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_halt>
    ///
    /// # Panics
    /// When the adapter is not Paused (NDIS pauses before halting); when an indicated NBL was
    /// never returned (the host's own invariant); as [`Machine::run_on`].
    #[must_use = "the leaks are also reported as violations; a test usually asserts none"]
    pub fn halt(self, action: sys::NDIS_HALT_ACTION) -> AdapterLeaks {
        let phase = self.phase();
        assert!(
            phase == Phase::Paused,
            "ndis-sim: Adapter::halt in state {phase:?}: NDIS halts only a Paused adapter"
        );
        datapath::return_held(&self.state, &self.machine, true);
        let context = {
            let mut g = self.state.lock();
            assert!(
                g.held.is_empty(),
                "ndis-sim host invariant: {} indicated NBL(s) not returned before Halt",
                g.held.len()
            );
            g.phase = Phase::Halting;
            g.context
        };
        // A background return batch may still be in the miniport: NDIS never overlaps it with
        // Halt.
        self.state.wait_for(
            &self.machine,
            "the return batches in flight",
            |g| g.returning == 0,
            |_| false,
        );
        let halt = self.state.driver.handlers.halt.expect("validated");
        let handle = self.state.handle;
        let location = Location::caller();
        let leaks = self.machine.run_on(0, move || {
            let cpu = crate::machine::processor::current("MiniportHaltEx");
            crate::machine::processor::run_handler(&cpu, Handler::Halt, location, || {
                // SAFETY: the context is the adapter's.
                unsafe { halt(context as sys::NDIS_HANDLE, action) };
            });
            super::check_halted(handle as sys::NDIS_HANDLE, location)
        });
        let mut g = self.state.lock();
        g.phase = Phase::Halted;
        // Host NBLs the miniport never completed were reported at Pause; free them now.
        g.outstanding.clear();
        g.graveyard.clear();
        leaks
    }

    /// `MiniportShutdownEx(action)` on processor 0: at `PASSIVE_LEVEL` for
    /// `NdisShutdownPowerOff`, at `HIGH_LEVEL` for `NdisShutdownBugCheck` (as NDIS calls it
    /// from a bug-check callback).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_shutdown>
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    pub fn shutdown(&self, action: sys::NDIS_SHUTDOWN_ACTION) {
        let shutdown = self.state.driver.handlers.shutdown.expect("validated");
        let context = self.state.context() as usize;
        let irql = if action == NdisShutdownBugCheck {
            u8::try_from(sys::HIGH_LEVEL).unwrap_or(15)
        } else {
            PASSIVE
        };
        call_handler(&self.machine, 0, Handler::Shutdown, irql, move || {
            // SAFETY: the context is the adapter's.
            unsafe { shutdown(context as sys::NDIS_HANDLE, action) };
        });
    }

    /// Surprise removal: the device disappears from the bus (its registers read all ones
    /// from now on), then `MiniportDevicePnPEventNotify(NdisDevicePnPEventSurpriseRemoved)` on
    /// processor 0 at `PASSIVE_LEVEL`. NDIS then pauses and halts the adapter: call
    /// [`Adapter::pause`] and [`Adapter::halt`].
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/handling-the-surprise-removal-of-a-nic>
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    pub fn surprise_remove(&self) {
        self.machine.surprise_remove(&self.state.device);
        let pnp = self.state.driver.handlers.pnp.expect("validated");
        let context = self.state.context() as usize;
        let mut event = NET_DEVICE_PNP_EVENT {
            Header: header(
                NDIS_OBJECT_TYPE_DEFAULT,
                1,
                core::mem::size_of::<NET_DEVICE_PNP_EVENT>(),
            ),
            PortNumber: 0,
            DevicePnPEvent: NdisDevicePnPEventSurpriseRemoved,
            InformationBuffer: core::ptr::null_mut(),
            InformationBufferLength: 0,
            NdisReserved: [0; 16],
        };
        let event_addr = core::ptr::from_mut(&mut event) as usize;
        call_handler(
            &self.machine,
            0,
            Handler::DevicePnPEventNotify,
            PASSIVE,
            move || {
                // SAFETY: the context is the adapter's; the event outlives the call.
                unsafe {
                    pnp(
                        context as sys::NDIS_HANDLE,
                        event_addr as sys::PNET_DEVICE_PNP_EVENT,
                    );
                };
            },
        );
    }

    /// `MiniportCheckForHangEx` on processor 0 at `PASSIVE_LEVEL` (FALSE when the driver has
    /// none). When it returns TRUE the host, as NDIS, calls `MiniportResetEx` (at a seeded
    /// IRQL, `PASSIVE_LEVEL` or `DISPATCH_LEVEL`) and waits for `NdisMResetComplete` if it
    /// pends. Returns what the hang check returned.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_check_for_hang>
    ///
    /// # Panics
    /// After the completion timeout; as [`Machine::run_on`].
    #[must_use]
    pub fn check_for_hang(&self) -> bool {
        let Some(check) = self.state.driver.handlers.check_for_hang else {
            return false;
        };
        let context = self.state.context() as usize;
        let hung = call_handler(
            &self.machine,
            0,
            Handler::CheckForHang,
            PASSIVE,
            move || {
                // SAFETY: the context is the adapter's.
                unsafe { check(context as sys::NDIS_HANDLE) }
            },
        );
        if hung == 0 {
            return false;
        }
        let reset = self
            .state
            .driver
            .handlers
            .reset
            .expect("validated with CheckForHang");
        let irql = {
            let mut g = self.state.lock();
            g.reset = Pending {
                expected: true,
                completed: None,
            };
            if g.rng.below(2) == 0 {
                PASSIVE
            } else {
                DISPATCH
            }
        };
        let returned = call_handler(&self.machine, 0, Handler::Reset, irql, move || {
            let mut addressing: BOOLEAN = 0;
            // SAFETY: the context is the adapter's; `addressing` outlives the call.
            let status = unsafe { reset(context as sys::NDIS_HANDLE, &raw mut addressing) };
            (status, addressing)
        });
        if returned.0 == NDIS_STATUS_PENDING {
            self.state.wait_for(
                &self.machine,
                "MiniportResetEx (NdisMResetComplete)",
                |g| g.reset.completed.is_some(),
                |_| false,
            );
        }
        self.state.lock().reset = Pending::default();
        true
    }
}

/// Whether the adapter is in a state where NDIS accepts receive indications: Running, and also
/// Pausing ("Miniport adapter states and operations": the driver handles receives in the
/// Running and Pausing states, until it completes the pause) and Restarting (`MiniportRestart`:
/// the driver may indicate receives as soon as NDIS calls it, before `NdisMRestartComplete`).
/// <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_restart>
pub(crate) fn receives_allowed(phase: Phase) -> bool {
    matches!(phase, Phase::Running | Phase::Pausing | Phase::Restarting)
}
