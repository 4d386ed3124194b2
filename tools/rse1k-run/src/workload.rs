//! The workload: the miniport's locking pattern, through the safe lock layer only.
//!
//! Three spin locks in the order `docs/design.md` fixes for the miniport (`state → send → recv`), an
//! interrupt line whose ISR shares cause bits with the DPC through `InterruptShared`, and every
//! processor doing what the miniport's paths will do:
//! - the send path (PASSIVE or DISPATCH, as NDIS calls `MiniportSendNetBufferLists`): `state`
//!   with `NdisAcquireSpinLock`, then `send` nested with the Dpr variant, queueing "frames";
//!   then the device raises a TX-done interrupt;
//! - the ISR (DIRQL): takes the cause bits from the device, stores them in the shared data,
//!   asks for the DPC;
//! - the DPC (DISPATCH): takes the causes with `NdisMSynchronizeWithInterruptEx`, then
//!   `state → send → recv` with the Dpr variants, completing what was queued;
//! - the receive-return path: `recv` alone, from PASSIVE, with the Ke backend.
//!
//! Every counter is checked exactly at the end: frames queued = frames completed + frames still
//! queued; causes raised = causes seen by the DPCs.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use ndis_sim::{InterruptLine, Machine};
use rse1k::sync::{
    AllocError, DispatchLevel, InterruptShared, IsrToken, KeSpinLockBackend, Locked,
    NdisSpinLockBackend, PassiveLevel, SpinLock, Unlocked,
};
use rse1k::sys;

// The driver's own lock order (state → send → recv), not a copy of it.
pub use rse1k::miniport::lock_order::{RecvLevel, SendLevel, StateLevel};

/// The TX-done cause bit of the device's interrupt cause register.
const CAUSE_TX_DONE: u32 = 1 << 0;
/// The "receive" cause bit.
const CAUSE_RX: u32 = 1 << 7;
/// The line the simulated device's interrupt is wired to.
const LINE: u32 = 1;

/// Adapter state, under the `state` lock.
struct AdapterState {
    running: bool,
    sends_seen: u64,
}

/// The send queue, under the `send` lock.
struct SendQueue {
    queued: u64,
    completed: u64,
}

/// The receive ring's bookkeeping, under the `recv` lock.
struct RecvRing {
    indicated: u64,
    returned: u64,
}

/// Interrupt causes, shared between the ISR and the DPC.
#[derive(Clone, Copy, Default)]
struct Causes {
    pending: u32,
    isr_claims: u64,
}

/// A device whose cause register is set by "hardware" and read-to-clear by the ISR, with an
/// interrupt-enable bit (the e1000's IMS/IMC, reduced to one bit).
struct Device {
    icr: AtomicU32,
    enabled: AtomicBool,
    line: InterruptLine,
    causes_raised: AtomicU64,
}

impl Device {
    fn raise(&self, cause: u32) {
        self.causes_raised.fetch_add(1, Ordering::Relaxed);
        self.icr.fetch_or(cause, Ordering::AcqRel);
        if self.enabled.load(Ordering::Acquire) {
            self.line.assert();
        }
    }

    /// `MiniportDisableInterruptEx`: mask, so the line drops.
    fn disable(&self) {
        self.enabled.store(false, Ordering::Release);
        self.line.deassert();
    }

    /// `MiniportEnableInterruptEx`: unmask; causes that arrived while masked assert the line.
    fn enable(&self) {
        self.enabled.store(true, Ordering::Release);
        if self.icr.load(Ordering::Acquire) != 0 {
            self.line.assert();
        }
    }
}

/// The adapter: three spin locks, data shared with the ISR, and the device.
pub struct Adapter {
    state: Pin<Box<SpinLock<AdapterState, NdisSpinLockBackend, StateLevel>>>,
    send: Pin<Box<SpinLock<SendQueue, NdisSpinLockBackend, SendLevel>>>,
    recv: Pin<Box<SpinLock<RecvRing, KeSpinLockBackend, RecvLevel>>>,
    shared: InterruptShared<Causes>,
    device: Device,
    dpc_causes_tx: AtomicU64,
    dpc_causes_rx: AtomicU64,
}

/// What the workload counted, checked for exactness by [`Totals::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Frames the send path queued.
    pub sends: u64,
    /// Frames the DPC completed.
    pub completed: u64,
    /// Frames still queued at the end.
    pub still_queued: u64,
    /// Receive indications and returns.
    pub indicated: u64,
    /// Receive returns.
    pub returned: u64,
    /// ISR calls that found a cause.
    pub isr_claims: u64,
    /// TX-done causes the DPCs saw.
    pub dpc_tx_causes: u64,
    /// Interrupts the device raised.
    pub causes_raised: u64,
}

impl Totals {
    /// The accounting that must hold exactly whatever the interleaving.
    ///
    /// # Errors
    /// A description of the first identity that does not hold.
    pub fn check(&self, expected_sends: u64) -> Result<(), String> {
        if self.sends != expected_sends {
            return Err(format!(
                "send path counted {} frames, expected {expected_sends}",
                self.sends
            ));
        }
        if self.completed + self.still_queued != self.sends {
            return Err(format!(
                "completed {} + still queued {} != sent {}",
                self.completed, self.still_queued, self.sends
            ));
        }
        if self.returned > self.indicated {
            return Err(format!(
                "returned {} receives but indicated only {}",
                self.returned, self.indicated
            ));
        }
        if self.isr_claims > self.causes_raised {
            return Err(format!(
                "the ISR claimed {} interrupts, the device raised {}",
                self.isr_claims, self.causes_raised
            ));
        }
        Ok(())
    }
}

impl Adapter {
    /// Allocates the locks and the shared data.
    ///
    /// # Errors
    /// [`AllocError`] when an allocation fails.
    pub fn new(cx: &Locked<'_, Unlocked>, machine: &Machine) -> Result<Self, AllocError> {
        Ok(Self {
            state: SpinLock::try_new(
                cx,
                "state",
                AdapterState {
                    running: true,
                    sends_seen: 0,
                },
            )?,
            send: SpinLock::try_new(
                cx,
                "send",
                SendQueue {
                    queued: 0,
                    completed: 0,
                },
            )?,
            recv: SpinLock::try_new(
                cx,
                "recv",
                RecvRing {
                    indicated: 0,
                    returned: 0,
                },
            )?,
            shared: InterruptShared::try_new(cx, Causes::default())?,
            device: Device {
                icr: AtomicU32::new(0),
                enabled: AtomicBool::new(true),
                line: machine.interrupt_line(LINE),
                causes_raised: AtomicU64::new(0),
            },
            dpc_causes_tx: AtomicU64::new(0),
            dpc_causes_rx: AtomicU64::new(0),
        })
    }

    /// Registers the interrupt (`NdisMRegisterInterruptEx`), at PASSIVE with no lock held.
    ///
    /// # Errors
    /// The NDIS status of a failed registration.
    pub fn register_interrupt(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        machine: &Machine,
    ) -> Result<(), sys::NDIS_STATUS> {
        let mut characteristics = interrupt_characteristics();
        let context: *const Self = self;
        // SAFETY: the handlers below reach the shared data only through `IsrToken::data`
        // with one ISR token per call; `self` outlives the registration (the caller deregisters
        // before dropping the adapter; `Drop` of a registered `InterruptShared` leaks it); we are
        // at PASSIVE_LEVEL in a run_on routine, registering once.
        unsafe {
            self.shared.register(
                cx,
                at,
                machine.adapter_handle(LINE),
                context.cast_mut().cast(),
                &mut characteristics,
            )
        }
    }

    /// Deregisters the interrupt (`NdisMDeregisterInterruptEx`).
    pub fn deregister_interrupt(&self, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel) {
        self.shared.deregister(cx, at);
    }

    /// The send path: `state` then `send`, as `MiniportSendNetBufferLists` will.
    fn send_frame(&self, cx: &mut Locked<'_, Unlocked>) {
        let mut state = self.state.lock(cx);
        let (state, cx, at) = state.parts();
        if !state.running {
            return;
        }
        state.sends_seen += 1;
        let mut queue = self.send.lock_dpr(cx, at);
        queue.queued += 1;
    }

    /// The receive-return path: `recv` alone (`MiniportReturnNetBufferLists`).
    fn return_receive(&self, cx: &mut Locked<'_, Unlocked>) {
        let mut ring = self.recv.lock(cx);
        if ring.returned < ring.indicated {
            ring.returned += 1;
        }
    }

    /// The DPC's body: causes through `NdisMSynchronizeWithInterruptEx`, then the locks in order.
    fn dpc(&self, cx: &mut Locked<'_, Unlocked>, at: &DispatchLevel) {
        let causes = self
            .shared
            .synchronize(cx, |causes, _dirql| core::mem::take(&mut causes.pending))
            .unwrap_or(0);
        if causes & CAUSE_TX_DONE != 0 {
            self.dpc_causes_tx.fetch_add(1, Ordering::Relaxed);
        }
        if causes & CAUSE_RX != 0 {
            self.dpc_causes_rx.fetch_add(1, Ordering::Relaxed);
        }
        let mut state = self.state.lock_dpr(cx, at);
        let (_state, cx, at) = state.parts();
        {
            let mut queue = self.send.lock_dpr(cx, at);
            if causes & CAUSE_TX_DONE != 0 {
                queue.completed += queue.queued;
                queue.queued = 0;
            }
            let (_queue, cx, at) = queue.parts();
            let mut ring = self.recv.lock_dpr(cx, at);
            if causes & CAUSE_RX != 0 {
                ring.indicated += 1;
            }
        }
    }

    /// The ISR's body: read-to-clear the device's causes; claim the interrupt if there were any.
    fn isr(&self, token: &mut IsrToken<'_, Causes>) -> bool {
        // Drop the line first, then read-and-clear: a cause raised in between re-asserts it.
        self.device.line.deassert();
        let icr = self.device.icr.swap(0, Ordering::AcqRel);
        if icr == 0 {
            return false; // not ours (the line is shared)
        }
        let causes = token.data();
        causes.pending |= icr;
        causes.isr_claims += 1;
        true
    }

    /// One processor's share of the workload.
    pub fn work(&self, cpu: usize, iterations: u64, progress: &dyn Fn()) {
        for i in 0..iterations {
            // SAFETY: called at the top of a run_on routine (PASSIVE_LEVEL), holding no spin lock;
            // the token is dropped at the end of this iteration.
            let mut cx = unsafe { Locked::new() };
            self.send_frame(&mut cx);
            if i.is_multiple_of(4) {
                self.device.raise(CAUSE_TX_DONE);
            }
            if (i + cpu as u64).is_multiple_of(7) {
                self.device.raise(CAUSE_RX);
            }
            self.return_receive(&mut cx);
            if i.is_multiple_of(16) {
                progress();
            }
        }
    }

    /// Final counts, read at PASSIVE through the locks and the interrupt synchronisation.
    pub fn totals(&self, cx: &mut Locked<'_, Unlocked>) -> Totals {
        let sends = self.state.lock(cx).sends_seen;
        let (completed, still_queued) = {
            let queue = self.send.lock(cx);
            (queue.completed, queue.queued)
        };
        let (indicated, returned) = {
            let ring = self.recv.lock(cx);
            (ring.indicated, ring.returned)
        };
        let isr_claims = self
            .shared
            .synchronize(cx, |causes, _| causes.isr_claims)
            .unwrap_or(0);
        Totals {
            sends,
            completed,
            still_queued,
            indicated,
            returned,
            isr_claims,
            dpc_tx_causes: self.dpc_causes_tx.load(Ordering::Relaxed),
            causes_raised: self.device.causes_raised.load(Ordering::Relaxed),
        }
    }
}

fn interrupt_characteristics() -> sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
        Header: sys::NDIS_OBJECT_HEADER {
            Type: u8::try_from(sys::NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT).unwrap_or(u8::MAX),
            Revision: u8::try_from(sys::NDIS_MINIPORT_INTERRUPT_REVISION_1).unwrap_or(1),
            Size: u16::try_from(size_of::<sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS>())
                .unwrap_or(u16::MAX),
        },
        InterruptHandler: Some(isr_handler),
        InterruptDpcHandler: Some(dpc_handler),
        DisableInterruptHandler: Some(disable_handler),
        EnableInterruptHandler: Some(enable_handler),
        ..Default::default()
    }
}

/// `MiniportInterrupt`.
unsafe extern "C" fn isr_handler(
    context: sys::NDIS_HANDLE,
    queue_default_dpc: sys::PBOOLEAN,
    _target_processors: sys::PULONG,
) -> sys::BOOLEAN {
    // SAFETY: the context registered in `register_interrupt` is the adapter, alive while the
    // interrupt is registered.
    let adapter = unsafe { &*context.cast::<Adapter>() };
    // SAFETY: the ISR of `adapter.shared`'s interrupt, at DIRQL under its lock; one token for
    // this call, dropped on return.
    let mut token = unsafe { adapter.shared.isr_entry() };
    let claimed = adapter.isr(&mut token);
    if claimed {
        // SAFETY: NDIS passes a valid out-parameter for the default DPC request.
        unsafe { queue_default_dpc.write(1) };
    }
    sys::BOOLEAN::from(claimed)
}

/// `MiniportInterruptDPC`.
unsafe extern "C" fn dpc_handler(
    context: sys::NDIS_HANDLE,
    _dpc_context: sys::PVOID,
    _receive_throttle: sys::PVOID,
    _reserved: sys::PVOID,
) {
    // SAFETY: `context` is the adapter registered as the interrupt's context in
    // `register_interrupt`; NDIS runs this DPC only while the interrupt is registered, and
    // the adapter outlives the registration.
    let adapter = unsafe { &*context.cast::<Adapter>() };
    // SAFETY: NDIS calls MiniportInterruptDPC at DISPATCH_LEVEL; the proof is dropped on return.
    let at = unsafe { DispatchLevel::assume() };
    // SAFETY: the DPC holds no spin lock at entry and runs at DISPATCH_LEVEL (not DIRQL).
    let mut cx = unsafe { Locked::new() };
    adapter.dpc(&mut cx, &at);
}

/// `MiniportDisableInterruptEx` (DIRQL, under the interrupt lock).
unsafe extern "C" fn disable_handler(context: sys::NDIS_HANDLE) {
    // SAFETY: `context` is the adapter registered in `register_interrupt`; NDIS calls the
    // disable handler only while the interrupt is registered, which the adapter outlives.
    let adapter = unsafe { &*context.cast::<Adapter>() };
    adapter.device.disable();
}

/// `MiniportEnableInterruptEx` (DIRQL, under the interrupt lock).
unsafe extern "C" fn enable_handler(context: sys::NDIS_HANDLE) {
    // SAFETY: `context` is the adapter registered in `register_interrupt`; NDIS calls the
    // enable handler only while the interrupt is registered, which the adapter outlives.
    let adapter = unsafe { &*context.cast::<Adapter>() };
    adapter.device.enable();
}
