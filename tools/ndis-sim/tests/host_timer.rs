//! NDIS timer objects on the virtual clock: `NdisAllocateTimerObject`, `NdisSetTimerObject`,
//! `NdisCancelTimerObject`, `NdisFreeTimerObject`, their rules and the Halt checks.
// bindgen emits #defines as u32; drivers narrow them to the field types like this.
#![allow(clippy::cast_possible_truncation)]

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use ndis_sim::sys::{self, NDIS_HANDLE, PVOID};
use ndis_sim::{Machine, Rule, VerifierMode};

use common::{lower, raise, rules};

const TAG: sys::ULONG = u32::from_le_bytes(*b"rsTm");
const MS: u64 = 1_000_000;
const NDIS_STATUS_BAD_CHARACTERISTICS: sys::NDIS_STATUS = 0xC001_0005_u32.cast_signed();

fn machine(processors: usize) -> Machine {
    Machine::builder()
        .processors(processors)
        .seed(3)
        .mode(VerifierMode::Collect)
        .build()
}

/// One call of the timer function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fire {
    at_ns: u64,
    irql: sys::KIRQL,
    context: usize,
}

/// What the test timer function records, and what it does when it runs.
struct Recorder {
    machine: Machine,
    fires: Mutex<Vec<Fire>>,
    /// Set again (one-shot, 1 ms later) from inside the timer function.
    rearm: AtomicBool,
    /// Return at the wrong IRQL (raise to DIRQL and stay there).
    misbehave: AtomicBool,
    /// The timer object (for re-arming), as an integer.
    timer: Mutex<usize>,
}

impl Recorder {
    fn new(machine: &Machine) -> Self {
        Self {
            machine: machine.clone(),
            fires: Mutex::new(Vec::new()),
            rearm: AtomicBool::new(false),
            misbehave: AtomicBool::new(false),
            timer: Mutex::new(0),
        }
    }

    fn fires(&self) -> Vec<Fire> {
        self.fires.lock().expect("lock").clone()
    }

    fn times_ms(&self) -> Vec<u64> {
        self.fires().iter().map(|f| f.at_ns / MS).collect()
    }
}

/// The `NDIS_TIMER_FUNCTION`: `FunctionContext` is a `Recorder`, or points one byte past it
/// (the "other context" of a `NdisSetTimerObject` call), which tells the two apart.
unsafe extern "C" fn timer_function(s1: PVOID, context: PVOID, s2: PVOID, s3: PVOID) {
    assert!(s1.is_null() && s2.is_null() && s3.is_null());
    let base = (context as usize) & !1;
    // SAFETY: the tests pass a live Recorder (or one byte past it) as the context.
    let rec = unsafe { &*(base as *const Recorder) };
    // SAFETY: a plain query on this processor.
    let irql = unsafe { sys::KeGetCurrentIrql() };
    rec.fires.lock().expect("lock").push(Fire {
        at_ns: rec.machine.virtual_time_ns(),
        irql,
        context: context as usize,
    });
    if rec.rearm.load(Ordering::SeqCst) {
        let t = *rec.timer.lock().expect("lock");
        // SAFETY: the timer object is live while the test runs.
        unsafe { sys::NdisSetTimerObject(t as NDIS_HANDLE, relative_ms(1), 0, context) };
    }
    if rec.misbehave.load(Ordering::SeqCst) {
        let mut old = 0;
        // SAFETY: deliberately returns raised (the simulator reports and restores it).
        unsafe { sys::KeRaiseIrql(5, &raw mut old) };
    }
}

fn characteristics(context: usize) -> sys::NDIS_TIMER_CHARACTERISTICS {
    sys::NDIS_TIMER_CHARACTERISTICS {
        Header: sys::NDIS_OBJECT_HEADER {
            Type: 0x97,  // NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS
            Revision: 1, // NDIS_TIMER_CHARACTERISTICS_REVISION_1
            Size: size_of::<sys::NDIS_TIMER_CHARACTERISTICS>() as u16,
        },
        AllocationTag: TAG,
        TimerFunction: Some(timer_function),
        FunctionContext: context as PVOID,
    }
}

fn relative_ms(ms: i64) -> sys::LARGE_INTEGER {
    sys::LARGE_INTEGER {
        QuadPart: -ms * 10_000,
    }
}

/// Allocates a timer for `owner` with `chars`; (status, handle).
fn allocate_with(owner: usize, mut chars: sys::NDIS_TIMER_CHARACTERISTICS) -> (i32, usize) {
    let mut t: NDIS_HANDLE = core::ptr::null_mut();
    // SAFETY: valid characteristics and out pointer.
    let st =
        unsafe { sys::NdisAllocateTimerObject(owner as NDIS_HANDLE, &raw mut chars, &raw mut t) };
    (st, t as usize)
}

/// Allocates a timer whose function records into `rec`.
fn allocate(m: &Machine, owner: usize, rec: &Recorder) -> usize {
    let ctx = std::ptr::from_ref(rec) as usize;
    let (st, t) = m.run_on(0, move || allocate_with(owner, characteristics(ctx)));
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    assert_ne!(t, 0);
    *rec.timer.lock().expect("lock") = t;
    t
}

fn set(t: usize, due: sys::LARGE_INTEGER, period_ms: i32, context: usize) -> bool {
    // SAFETY: a live timer object.
    unsafe { sys::NdisSetTimerObject(t as NDIS_HANDLE, due, period_ms, context as PVOID) != 0 }
}

fn cancel(t: usize) -> bool {
    // SAFETY: a live timer object.
    unsafe { sys::NdisCancelTimerObject(t as NDIS_HANDLE) != 0 }
}

fn free(t: usize) {
    // SAFETY: the timer function is not running.
    unsafe { sys::NdisFreeTimerObject(t as NDIS_HANDLE) };
}

#[test]
fn a_one_shot_timer_fires_once_at_its_due_time_at_dispatch() {
    let m = machine(2);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let t = allocate(&m, owner, &rec);
    let info = m.outstanding_timers(Some(owner as NDIS_HANDLE));
    assert_eq!(info.len(), 1);
    assert_eq!((info[0].handle, info[0].tag, info[0].set), (t, TAG, false));
    assert!(!m.run_on(1, move || set(t, relative_ms(10), 0, 0)));
    assert!(m.outstanding_timers(None)[0].set);
    m.advance_clock(9 * MS);
    assert!(rec.fires().is_empty());
    m.advance_clock(MS);
    let ctx = std::ptr::from_ref(&rec) as usize;
    assert_eq!(
        rec.fires(),
        [Fire {
            at_ns: 10 * MS,
            irql: 2,
            context: ctx
        }]
    );
    m.advance_clock(100 * MS);
    assert_eq!(rec.fires().len(), 1, "one-shot");
    assert_eq!(m.virtual_time_ns(), 110 * MS);
    assert!(!m.outstanding_timers(None)[0].set);
    // Cancelling an expired one-shot timer finds nothing queued.
    assert!(!m.run_on(0, move || cancel(t)));
    m.run_on(0, move || free(t));
    assert!(rules(&m).is_empty(), "{}", m.report());
    assert!(m.verify_halted(owner as NDIS_HANDLE).is_empty());
}

#[test]
fn a_periodic_timer_fires_every_period_until_cancelled() {
    let m = machine(3);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let t = allocate(&m, owner, &rec);
    // First expiry 5 ms from now, then every 10 ms; with a context of its own.
    let other = std::ptr::from_ref(&rec) as usize + 1;
    assert!(!m.run_on(0, move || set(t, relative_ms(5), 10, other)));
    m.advance_clock(50 * MS);
    assert_eq!(rec.times_ms(), [5, 15, 25, 35, 45]);
    assert!(
        rec.fires()
            .iter()
            .all(|f| f.irql == 2 && f.context == other)
    );
    // One long step fires as many times, each at its own virtual time.
    m.advance_clock(30 * MS);
    assert_eq!(rec.times_ms(), [5, 15, 25, 35, 45, 55, 65, 75]);
    // A periodic timer stays in the queue: setting it again says so and restarts it.
    assert!(m.run_on(1, move || set(t, relative_ms(1), 10, other)));
    m.advance_clock(12 * MS);
    assert_eq!(rec.times_ms()[8..], [81, 91]);
    // Cancelled at PASSIVE_LEVEL (as a periodic cancel must be): TRUE, and no more calls.
    assert!(m.run_on(0, move || cancel(t)));
    m.advance_clock(100 * MS);
    assert_eq!(rec.fires().len(), 10);
    m.run_on(0, move || free(t));
    assert!(rules(&m).is_empty(), "{}", m.report());
    assert!(m.outstanding_timers(None).is_empty());
}

#[test]
fn cancel_before_due_stops_the_call() {
    let m = machine(2);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let t = allocate(&m, owner, &rec);
    m.run_on(0, move || assert!(!set(t, relative_ms(10), 0, 0)));
    m.advance_clock(5 * MS);
    // From DISPATCH_LEVEL (allowed for a one-shot timer).
    let (first, second) = m.run_on(1, move || {
        let old = raise(2);
        let r = (cancel(t), cancel(t));
        lower(old);
        r
    });
    assert_eq!((first, second), (true, false));
    m.advance_clock(50 * MS);
    assert!(rec.fires().is_empty());
    // Set again, then set again before it expires: the second due time wins.
    assert!(!m.run_on(0, move || set(t, relative_ms(10), 0, 0)));
    assert!(m.run_on(0, move || set(t, relative_ms(20), 0, 0)));
    m.advance_clock(30 * MS);
    assert_eq!(rec.times_ms(), [75]);
    m.run_on(0, move || free(t));
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn absolute_due_times_are_on_the_system_time_scale() {
    let m = machine(2);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let t = allocate(&m, owner, &rec);
    m.advance_clock(3 * MS);
    // 2026-01-01 00:00:00 UTC plus 3 ms, in 100 ns units since 1601.
    assert_eq!(m.system_time(), 134_116_992_000_030_000);
    let at = m.system_time() + 30 * 10_000; // 30 ms from now, in 100 ns units
    m.run_on(0, move || set(t, sys::LARGE_INTEGER { QuadPart: at }, 0, 0));
    m.advance_clock(40 * MS);
    assert_eq!(rec.times_ms(), [33]);
    // A time in the past expires at the next clock step, even one of zero length.
    m.run_on(0, move || set(t, sys::LARGE_INTEGER { QuadPart: 1 }, 0, 0));
    m.advance_clock(0);
    assert_eq!(rec.times_ms(), [33, 43]);
    m.run_on(0, move || free(t));
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn a_timer_function_can_set_its_timer_again() {
    let m = machine(2);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let t = allocate(&m, owner, &rec);
    rec.rearm.store(true, Ordering::SeqCst);
    m.run_on(0, move || set(t, relative_ms(2), 0, 0));
    m.advance_clock(6 * MS);
    assert_eq!(rec.times_ms(), [2, 3, 4, 5, 6]);
    rec.rearm.store(false, Ordering::SeqCst);
    m.advance_clock(10 * MS);
    assert_eq!(rec.fires().len(), 6, "the last re-arm still fires once");
    m.run_on(0, move || free(t));
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn bad_characteristics_and_injected_failures_allocate_nothing() {
    let m = machine(1);
    let owner = m.adapter_handle(1) as usize;
    let bad: Vec<fn(&mut sys::NDIS_TIMER_CHARACTERISTICS)> = vec![
        |c| c.Header.Type = 0x84,
        |c| c.Header.Revision = 2,
        |c| c.Header.Size -= 8,
        |c| c.TimerFunction = None,
    ];
    for (i, spoil) in bad.into_iter().enumerate() {
        let got = m.run_on(0, move || {
            let mut c = characteristics(0);
            spoil(&mut c);
            allocate_with(owner, c)
        });
        assert_eq!(got, (NDIS_STATUS_BAD_CHARACTERISTICS, 0), "case {i}");
    }
    m.fail_allocations(1, 0);
    let got = m.run_on(0, move || allocate_with(owner, characteristics(0)));
    assert_eq!(got, (sys::NDIS_STATUS_RESOURCES, 0));
    assert!(m.outstanding_timers(None).is_empty());
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn timer_irql_rules() {
    let m = machine(2);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let ctx = std::ptr::from_ref(&rec) as usize;
    // Every timer function above DISPATCH_LEVEL: Irql_Timer_Function (each still performed).
    let t = m.run_on(0, move || {
        let old = raise(5);
        let (st, t) = allocate_with(owner, characteristics(ctx));
        assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
        set(t, relative_ms(10), 0, 0);
        assert!(cancel(t));
        free(t);
        lower(old);
        t
    });
    assert_eq!(rules(&m), [Rule::IrqlTimerFunction; 4]);
    assert_ne!(t, 0);
    // Cancelling a periodic timer at DISPATCH_LEVEL: it must be at PASSIVE_LEVEL.
    let t = allocate(&m, owner, &rec);
    let cancelled = m.run_on(1, move || {
        set(t, relative_ms(10), 10, 0);
        let old = raise(2);
        let r = cancel(t);
        lower(old);
        r
    });
    assert!(cancelled);
    assert_eq!(rules(&m).len(), 5);
    assert_eq!(rules(&m)[4], Rule::PeriodicTimer);
    m.run_on(0, move || free(t));
    assert_eq!(rules(&m).len(), 5, "{}", m.report());
}

#[test]
fn a_timer_function_returning_raised_is_caught_and_restored() {
    let m = machine(1);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let t = allocate(&m, owner, &rec);
    rec.misbehave.store(true, Ordering::SeqCst);
    m.run_on(0, move || set(t, relative_ms(1), 0, 0));
    m.advance_clock(MS);
    assert_eq!(rec.fires().len(), 1);
    let v = m.report().violations;
    assert_eq!(v.len(), 1, "{}", m.report());
    assert_eq!(v[0].rule, Rule::IrqlReturn);
    assert!(
        v[0].detail.contains("NDIS_TIMER_FUNCTION"),
        "{}",
        v[0].detail
    );
    // The processor is back at PASSIVE_LEVEL for the next work item.
    // SAFETY: a plain query.
    assert_eq!(m.run_on(0, || unsafe { sys::KeGetCurrentIrql() }), 0);
    m.run_on(0, move || free(t));
}

#[test]
fn freeing_a_set_timer_and_freeing_twice_are_caught() {
    let m = machine(2);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let t = allocate(&m, owner, &rec);
    m.run_on(0, move || {
        set(t, relative_ms(10), 0, 0);
        free(t);
        free(t);
    });
    assert_eq!(rules(&m), [Rule::CancelTimerObject, Rule::BadFree]);
    // Freed anyway: it never fires.
    m.advance_clock(20 * MS);
    assert!(rec.fires().is_empty());
    assert!(m.outstanding_timers(None).is_empty());
}

#[test]
fn a_timer_still_set_or_not_freed_at_halt_is_reported() {
    let m = machine(2);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let set_one = allocate(&m, owner, &rec);
    let idle_one = allocate(&m, owner, &rec);
    m.run_on(0, move || set(set_one, relative_ms(10), 100, 0));
    let leaks = m.verify_halted(owner as NDIS_HANDLE);
    assert_eq!(leaks.timers.len(), 2);
    assert_eq!(rules(&m), [Rule::CancelTimerObject, Rule::LeakAtHalt]);
    let v = m.report().violations;
    assert!(
        v[0].detail.contains(&format!("{set_one:#x}")),
        "{}",
        v[0].detail
    );
    assert!(
        !v[0].detail.contains(&format!("{idle_one:#x}")),
        "{}",
        v[0].detail
    );
    assert!(leaks.to_string().contains("still set"), "{leaks}");
    // Cancelled and freed: a second check finds nothing.
    m.run_on(0, move || {
        assert!(cancel(set_one));
        free(set_one);
        free(idle_one);
    });
    assert!(m.verify_halted(owner as NDIS_HANDLE).is_empty());
    assert_eq!(rules(&m).len(), 2);
}

#[test]
fn every_expiry_of_a_fast_periodic_timer_runs_at_its_time_on_four_processors() {
    // Forty expiries, each queued as a DPC on a processor drawn from the seed; each runs at
    // DISPATCH_LEVEL, at its own virtual time, before the clock moves on.
    let m = machine(4);
    let owner = m.adapter_handle(1) as usize;
    let rec = Recorder::new(&m);
    let t = allocate(&m, owner, &rec);
    m.run_on(0, move || set(t, relative_ms(1), 1, 0));
    m.advance_clock(40 * MS);
    assert_eq!(rec.times_ms(), (1..=40).collect::<Vec<_>>());
    assert!(rec.fires().iter().all(|f| f.irql == 2));
    m.run_on(0, move || assert!(cancel(t)));
    m.run_on(0, move || free(t));
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn cancelling_a_periodic_timer_waits_for_its_queued_call() {
    // Called on a processor, advance_clock queues the expired timer's call without waiting for
    // it; NdisCancelTimerObject of a periodic timer then flushes it (KeFlushQueuedDpcs): when
    // cancel returns, the call has run, wherever it was queued.
    for seed in ndis_sim::test_seeds(8) {
        let m = Machine::builder()
            .processors(2)
            .seed(seed)
            .mode(VerifierMode::Collect)
            .build();
        let owner = m.adapter_handle(1) as usize;
        let rec = Recorder::new(&m);
        let t = allocate(&m, owner, &rec);
        let rec_addr = std::ptr::from_ref(&rec) as usize;
        let clock = m.clone();
        m.run_on(0, move || {
            // SAFETY: the Recorder outlives this work item.
            let rec = unsafe { &*(rec_addr as *const Recorder) };
            set(t, relative_ms(1), 5, 0);
            clock.advance_clock(MS);
            assert!(cancel(t));
            assert_eq!(rec.times_ms(), [1], "seed {seed:#x}");
        });
        m.run_on(0, move || free(t));
        assert!(rules(&m).is_empty(), "{}", m.report());
    }
}
