//! ISR / DPC interleavings on the simulator, across many seeds.
//!
//! A "device" counts events and asserts its (level-triggered) line; the ISR acknowledges it,
//! adds the events to `InterruptShared` state through the ISR-only token and requests its DPC;
//! the DPC takes them with `synchronize` (`NdisMSynchronizeWithInterruptEx`) and totals them
//! under a spin lock taken with the Dpr path and the DPC-entry proof. The interleavings run on
//! the serial machine: the seed decides which processor runs at every switch point and which
//! takes each interrupt at which window, so the ISR preempts the producers, the DPCs and the
//! synchronize callers in different places on each seed, and a seed replays exactly (with
//! free host threads, how many events one ISR claimed depended on host timing). Every event must be
//! counted exactly once and the verifier must find nothing.

use core::ffi::c_void;
use core::ptr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rse1k::impl_lock_after;
use rse1k::sync::{
    DispatchLevel, InterruptShared, KeSpinLockBackend, Locked, NdisSpinLockBackend, PassiveLevel,
    SpinLock, Unlocked, stall_execution,
};
use rse1k::sys;

/// The DPCs' running total: a top-level lock.
enum TotalLevel {}
impl_lock_after!(Unlocked => TotalLevel);

/// What the ISR shares with the rest of the driver (the e1000's latched interrupt causes).
#[derive(Clone, Copy, Default)]
struct Causes {
    /// Events the ISR saw and no DPC has taken yet.
    pending: u64,
    /// ISR calls that claimed the interrupt.
    claims: u64,
}

struct Fixture {
    /// The device's event register: read-to-clear by the ISR.
    device: AtomicU64,
    line: ndis_sim::InterruptLine,
    shared: InterruptShared<Causes>,
    /// Events handled by DPCs (DPCs of one interrupt can run on several processors at once).
    handled: Pin<Box<SpinLock<u64, NdisSpinLockBackend, TotalLevel>>>,
    /// Taken by producers while they wait, so ISRs also preempt a spin-lock holder.
    scratch: Pin<Box<SpinLock<u64, KeSpinLockBackend, TotalLevel>>>,
    dpc_calls: AtomicU64,
}

const BOOLEAN_TRUE: sys::BOOLEAN = 1;
const BOOLEAN_FALSE: sys::BOOLEAN = 0;
const LINE: u32 = 5;
const PROCESSORS: usize = 3;
const EVENTS_PER_PRODUCER: u64 = 100;

/// `MiniportInterrupt`.
unsafe extern "C" fn isr(
    context: sys::NDIS_HANDLE,
    queue_default_dpc: sys::PBOOLEAN,
    _target_processors: sys::PULONG,
) -> sys::BOOLEAN {
    // SAFETY: the interrupt context is the `Fixture`, alive until after deregistration.
    let fx = unsafe { &*context.cast::<Fixture>() };
    // Acknowledge before reading, so an event raised after the read re-asserts the line.
    fx.line.deassert();
    let events = fx.device.swap(0, Ordering::AcqRel);
    if events == 0 {
        return BOOLEAN_FALSE; // not ours: the line may be shared
    }
    // SAFETY: this is the ISR of the interrupt `fx.shared` registered; one token per call.
    let mut token = unsafe { fx.shared.isr_entry() };
    let causes = token.data();
    causes.pending += events;
    causes.claims += 1;
    // SAFETY: NDIS passes a valid out-parameter for the default DPC request.
    unsafe { *queue_default_dpc = BOOLEAN_TRUE };
    BOOLEAN_TRUE
}

/// `MiniportInterruptDPC`.
unsafe extern "C" fn dpc(
    context: sys::NDIS_HANDLE,
    _dpc_context: sys::PVOID,
    _receive_throttle: sys::PVOID,
    _reserved: sys::PVOID,
) {
    // SAFETY: the interrupt context is the `Fixture`, alive until after deregistration.
    let fx = unsafe { &*context.cast::<Fixture>() };
    // SAFETY: a DPC routine's entry: no lock held, the routine's only root context.
    let mut cx = unsafe { Locked::<Unlocked>::new() };
    // SAFETY: NDIS calls MiniportInterruptDPC at DISPATCH_LEVEL; the proof dies with the call.
    let at = unsafe { DispatchLevel::assume() };
    let taken = fx
        .shared
        .synchronize(&mut cx, |causes, _dirql| {
            core::mem::take(&mut causes.pending)
        })
        .expect("the interrupt is registered while its DPC runs");
    *fx.handled.lock_dpr(&mut cx, &at) += taken;
    fx.dpc_calls.fetch_add(1, Ordering::Relaxed);
}

fn characteristics() -> sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
        Header: sys::NDIS_OBJECT_HEADER {
            Type: u8::try_from(sys::NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT).expect("a UCHAR"),
            Revision: u8::try_from(sys::NDIS_MINIPORT_INTERRUPT_REVISION_1).expect("a UCHAR"),
            Size: u16::try_from(size_of::<sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS>())
                .expect("a USHORT"),
        },
        InterruptHandler: Some(isr),
        InterruptDpcHandler: Some(dpc),
        DisableInterruptHandler: None,
        EnableInterruptHandler: None,
        MsiSupported: 0,
        MsiSyncWithAllMessages: 0,
        MessageInterruptHandler: None,
        MessageInterruptDpcHandler: None,
        DisableMessageInterruptHandler: None,
        EnableMessageInterruptHandler: None,
        InterruptType: sys::NDIS_CONNECT_LINE_BASED,
        MessageInfoTable: core::ptr::null_mut(),
    }
}

fn handled(machine: &ndis_sim::Machine, fx: &Fixture) -> u64 {
    machine.run_on(0, || {
        // SAFETY: a new routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        *fx.handled.lock(&mut cx)
    })
}

fn run_seed(seed: u64) {
    let machine = ndis_sim::Machine::builder()
        .processors(PROCESSORS)
        .seed(seed)
        .schedule(ndis_sim::Schedule::Serial(ndis_sim::Strategy::Random))
        .build();
    let fx = registered_fixture(&machine);

    // Every processor produces events and waits for an ISR to take each one, so ISRs are
    // delivered one event at a time: over a routine at PASSIVE_LEVEL (the NdisStallExecution
    // windows), over a spin-lock holder at DISPATCH_LEVEL (the acquire windows), and next to
    // synchronize callers on other processors. DPCs then run nested on the same stacks.
    let claims_per_cpu: Vec<u64> = machine.run_all(|cpu| {
        // SAFETY: the start of a routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let mut claims_seen = 0;
        for event in 0..EVENTS_PER_PRODUCER {
            fx.device.fetch_add(1, Ordering::AcqRel);
            fx.line.assert();
            while fx.device.load(Ordering::Acquire) != 0 {
                if (event + u64::try_from(cpu).expect("small")) % 2 == 0 {
                    stall_execution::<1>(&mut cx);
                } else {
                    *fx.scratch.lock(&mut cx) += 1;
                }
            }
            let claims = fx
                .shared
                .synchronize(&mut cx, |causes, _dirql| causes.claims)
                .expect("registered");
            // `claims` only grows: the synchronize view is never torn or stale-backwards.
            assert!(claims >= claims_seen);
            claims_seen = claims;
        }
        claims_seen
    });
    assert_eq!(claims_per_cpu.len(), PROCESSORS);

    let produced = u64::try_from(PROCESSORS).expect("small") * EVENTS_PER_PRODUCER;
    let deadline = Instant::now() + Duration::from_secs(45);
    while handled(&machine, &fx) != produced {
        assert!(
            Instant::now() < deadline,
            "seed {seed:#x}: {} of {produced} events handled",
            handled(&machine, &fx)
        );
        std::thread::sleep(Duration::from_millis(1));
    }

    let (pending, claims, after_deregister) = machine.run_on(0, || {
        // SAFETY: a new routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let (pending, claims) = fx
            .shared
            .synchronize(&mut cx, |causes, _dirql| (causes.pending, causes.claims))
            .expect("registered");
        // SAFETY: a run_on routine at PASSIVE_LEVEL; no lock is held here.
        let passive = unsafe { PassiveLevel::assume() };
        assert!(fx.shared.deregister(&mut cx, &passive));
        // After deregistration the handle is gone: no NdisMSynchronizeWithInterruptEx on it.
        let after = fx.shared.synchronize(&mut cx, |causes, _| causes.claims);
        (pending, claims, after)
    });
    // Deregistered: no ISR runs any more, so the counters are final.
    let report = machine.report();
    assert_eq!(pending, 0, "seed {seed:#x}: events left behind");
    assert_eq!(after_deregister, None);
    assert_eq!(
        claims, report.counters.isr_claimed,
        "seed {seed:#x}: every claiming ISR updated the shared state once"
    );
    assert!(claims >= 1 && claims <= produced);
    assert!(fx.dpc_calls.load(Ordering::Relaxed) >= 1);

    machine.run_on(0, move || drop(fx));
    let report = machine.report();
    assert!(report.violations.is_empty(), "seed {seed:#x}: {report}");
    assert!(report.counters.synchronized_calls >= produced);
    // One event at a time per producer: most ISR calls claim a single event.
    assert!(
        report.counters.isr_claimed * 2 >= produced,
        "seed {seed:#x}: {report}"
    );
    println!("seed {seed:#x}: {:?}", report.counters);
}

/// The test adapter: allocated on a processor (the lock layer calls `NdisAllocateSpinLock`);
/// boxed by the caller so the ISR context address stays put.
fn new_fixture(root: &Locked<'_, Unlocked>, machine: &ndis_sim::Machine) -> Fixture {
    Fixture {
        device: AtomicU64::new(0),
        line: machine.interrupt_line(LINE),
        shared: InterruptShared::try_new(root, Causes::default()).expect("pool"),
        handled: SpinLock::try_new(root, "test.handled", 0).expect("pool"),
        scratch: SpinLock::try_new(root, "test.scratch", 0).expect("pool"),
        dpc_calls: AtomicU64::new(0),
    }
}

/// A fixture made on processor 0 (its locks are allocated there), boxed so that the address
/// the ISR gets as its context stays put.
fn boxed_fixture(machine: &ndis_sim::Machine) -> Box<Fixture> {
    machine.run_on(0, || {
        // SAFETY: the start of a routine on a simulated processor: no lock held, the only root
        // context.
        let root = unsafe { Locked::<Unlocked>::new() };
        Box::new(new_fixture(&root, machine))
    })
}

/// A boxed fixture with its interrupt registered on the adapter of line [`LINE`].
#[allow(
    clippy::unnecessary_box_returns,
    reason = "the interrupt is registered with the box's address as its context: it must not move"
)]
fn registered_fixture(machine: &ndis_sim::Machine) -> Box<Fixture> {
    let fx = boxed_fixture(machine);
    // Raw pointers are not Send: they cross into the processor's routine as exposed addresses.
    let adapter_addr = machine.adapter_handle(LINE).expose_provenance();
    let context_addr = (&raw const *fx).cast::<c_void>().expose_provenance();
    register(machine, &fx, adapter_addr, context_addr);
    fx
}

/// Registers the fixture's interrupt (`NdisMRegisterInterruptEx`) at `PASSIVE_LEVEL` on processor 0.
/// Raw pointers are not Send: they cross into the routine as exposed addresses.
fn register(machine: &ndis_sim::Machine, fx: &Fixture, adapter_addr: usize, context_addr: usize) {
    machine.run_on(0, || {
        // SAFETY: a new routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        // SAFETY: a run_on routine starts at PASSIVE_LEVEL and this one takes no lock.
        let passive = unsafe { PassiveLevel::assume() };
        let mut chars = characteristics();
        // SAFETY: the handlers reach the shared data only through `isr` with one token per
        // call; the context (`fx`) outlives the registration (each test deregisters before `fx`
        // is dropped); PASSIVE_LEVEL; not concurrent with another register/deregister.
        let registered = unsafe {
            fx.shared.register(
                &mut cx,
                &passive,
                ptr::with_exposed_provenance_mut(adapter_addr),
                ptr::with_exposed_provenance_mut(context_addr),
                &mut chars,
            )
        };
        registered.expect("NdisMRegisterInterruptEx");
    });
}

#[test]
fn isr_and_dpc_interleavings_across_seeds() {
    for seed in ndis_sim::test_seeds(24) {
        run_seed(seed);
    }
}

/// `Interrupt::queue_dpc` (`NdisMQueueDpcEx`) from a passive routine runs the DPC, which finds
/// nothing pending and counts nothing: queueing is safe with the root context.
#[test]
fn queued_dpc_runs_with_nothing_pending() {
    let machine = ndis_sim::Machine::builder().processors(2).build();
    let fx = registered_fixture(&machine);
    machine.run_on(0, || {
        // SAFETY: a new routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let queued = fx.shared.interrupt().queue_dpc(&mut cx, 0b10);
        assert_eq!(queued, Some(0b10));
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while fx.dpc_calls.load(Ordering::Acquire) == 0 {
        assert!(Instant::now() < deadline, "the queued DPC never ran");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(handled(&machine, &fx), 0);
    machine.run_on(0, || {
        // SAFETY: a new routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        // SAFETY: a run_on routine at PASSIVE_LEVEL; no lock is held here.
        let passive = unsafe { PassiveLevel::assume() };
        assert!(fx.shared.deregister(&mut cx, &passive));
        assert_eq!(fx.shared.interrupt().queue_dpc(&mut cx, 1), None);
    });
    machine.run_on(0, move || drop(fx));
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
}

/// Rounds of the deregistration race: the old layer (handle check, then the NDIS call, with
/// nothing between them) lost it within 2 to 8 rounds on every run.
const RACE_ROUNDS: usize = 24;

/// `deregister` waits out every `synchronize` already past its handle check (the rundown), so
/// `NdisMSynchronizeWithInterruptEx` never sees a deregistered handle (NDIS rule
/// `NdisMDeregisterInterruptEx`, reported as `SyncAfterDeregister`), however the processors
/// interleave; afterwards `synchronize` returns `None` and nothing is in flight.
#[test]
fn deregister_waits_out_synchronize_calls_in_flight() {
    for round in 0..RACE_ROUNDS {
        let machine = ndis_sim::Machine::builder()
            .processors(PROCESSORS)
            .mode(ndis_sim::VerifierMode::Collect)
            .build();
        let fx = registered_fixture(&machine);
        let calls: Vec<u64> = machine.run_all(|cpu| {
            // SAFETY: the start of a routine at PASSIVE_LEVEL: no lock held, the only root
            // context.
            let mut cx = unsafe { Locked::<Unlocked>::new() };
            if cpu == 0 {
                // Let the others get going, then deregister under their feet.
                for _ in 0..=round % 4 {
                    stall_execution::<1>(&mut cx);
                }
                // SAFETY: a run_on routine at PASSIVE_LEVEL; no lock is held here.
                let passive = unsafe { PassiveLevel::assume() };
                assert!(fx.shared.deregister(&mut cx, &passive));
                assert_eq!(fx.shared.interrupt().calls_in_flight(), 0);
                return 0;
            }
            let mut calls = 0;
            while fx
                .shared
                .synchronize(&mut cx, |causes, _dirql| causes.claims)
                .is_some()
            {
                calls += 1;
            }
            calls
        });
        assert!(!fx.shared.interrupt().is_registered());
        machine.run_on(0, move || drop(fx));
        let report = machine.report();
        assert!(
            report.violations.is_empty(),
            "round {round} ({} synchronize calls): {report}",
            calls.iter().sum::<u64>()
        );
    }
}

/// Dropping a still-registered `InterruptShared` makes no NDIS call (the old `Drop` called
/// `NdisMDeregisterInterruptEx`, which type-checked under a held spin lock at `DISPATCH_LEVEL`):
/// the object is leaked, never freed under its ISR, and no IRQL or lock rule is broken.
#[test]
fn dropping_a_registered_interrupt_under_a_spin_lock_makes_no_ndis_call() {
    const OTHER_LINE: u32 = LINE + 1;
    let machine = ndis_sim::Machine::builder()
        .processors(1)
        .mode(ndis_sim::VerifierMode::Collect)
        .build();
    let other_adapter = machine.adapter_handle(OTHER_LINE).expose_provenance();
    let fx = boxed_fixture(&machine);
    machine.run_on(0, || {
        // SAFETY: the start of a routine at PASSIVE_LEVEL: no lock held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        let doomed = InterruptShared::try_new(&cx, Causes::default()).expect("pool");
        let mut chars = characteristics();
        let registered = {
            // SAFETY: a `run_on` routine starts at PASSIVE_LEVEL and nothing before this raises
            // the IRQL; the proof lives only in this block, so it ends before the spin lock
            // below is taken.
            let passive = unsafe { PassiveLevel::assume() };
            // SAFETY: the line is never asserted, so the ISR (whose context would be the
            // fixture) never runs; PASSIVE_LEVEL; registered once.
            unsafe {
                doomed.register(
                    &mut cx,
                    &passive,
                    ptr::with_exposed_provenance_mut(other_adapter),
                    (&raw const *fx).cast_mut().cast(),
                    &mut chars,
                )
            }
        };
        registered.expect("NdisMRegisterInterruptEx");
        let guard = fx.scratch.lock(&mut cx);
        drop(doomed);
        drop(guard);
    });
    machine.run_on(0, move || drop(fx));
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
}
