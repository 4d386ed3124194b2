//! Every rule the verifier checks, broken on purpose, in `Collect` mode: the report must name
//! the documented rule and code, at the test's own call site. (A checker that cannot fail is a
//! defect: each test here fails if its check is removed.)
// bindgen emits #defines as u32; drivers narrow them to the field types like this.
#![allow(clippy::cast_possible_truncation)]
// Locks and hooks are boxed so their addresses stay put while processors use them; short
// names (m, a, b) keep the deliberately broken sequences readable.
#![allow(clippy::unnecessary_box_returns, clippy::many_single_char_names)]

mod common;

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use common::{DISPATCH, PASSIVE, characteristics_with, collect, irql, lower, raise};
use ndis_sim::sys::*;
use ndis_sim::{InterruptLine, Machine, Rule};

/// Asserts that `rule` was reported with these codes, at a call site in the tests.
#[track_caller]
fn assert_reported(m: &Machine, rule: Rule, bug_check: u32, p1: Option<u64>) {
    let report = m.report();
    let found = report.of(rule);
    assert!(!found.is_empty(), "{rule:?} was not reported:\n{report}");
    let v = found[0];
    assert_eq!(v.bug_check, bug_check, "{v}");
    assert_eq!(v.parameter1, p1, "{v}");
    assert_eq!(v.rule.bug_check(), bug_check);
    assert!(
        v.location.file().contains("tests"),
        "the location names the driver's call site, not the simulator: {v}"
    );
}

const C4: u32 = 0xC4;

fn ke_lock() -> Box<KSPIN_LOCK> {
    Box::new(0)
}

fn ndis_lock() -> Box<NDIS_SPIN_LOCK> {
    Box::new(NDIS_SPIN_LOCK::default())
}

fn addr<T>(b: &T) -> usize {
    std::ptr::from_ref(b) as usize
}

fn ke_init(l: usize) {
    // SAFETY: the lock outlives the machine's use of it.
    unsafe { KeInitializeSpinLock(l as PKSPIN_LOCK) };
}

fn ndis_alloc(l: usize) {
    // SAFETY: the lock outlives the machine's use of it.
    unsafe { NdisAllocateSpinLock(l as PNDIS_SPIN_LOCK) };
}

fn ke_acquire(l: usize) -> KIRQL {
    // SAFETY: test lock (initialised unless the test says otherwise).
    unsafe { KeAcquireSpinLockRaiseToDpc(l as PKSPIN_LOCK) }
}

fn ke_release(l: usize, new: KIRQL) {
    // SAFETY: test lock.
    unsafe { KeReleaseSpinLock(l as PKSPIN_LOCK, new) };
}

fn ndis_acquire(l: usize) {
    // SAFETY: test lock.
    unsafe { NdisAcquireSpinLock(l as PNDIS_SPIN_LOCK) };
}

fn ndis_release(l: usize) {
    // SAFETY: test lock.
    unsafe { NdisReleaseSpinLock(l as PNDIS_SPIN_LOCK) };
}

// ---- WDM DDI compliance rules ----

#[test]
fn spin_lock_rule_ke_lock_held_when_routine_ends() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ke_init(a);
        ke_acquire(a);
    });
    assert_reported(&m, Rule::SpinLock, C4, Some(0x0004_0009));
    // Recovered: the lock is free again and the IRQL back at PASSIVE.
    m.run_on(0, move || {
        assert_eq!(irql(), PASSIVE);
        let old = ke_acquire(a);
        ke_release(a, old);
    });
    assert_eq!(m.report().violations.len(), 1, "{}", m.report());
}

#[test]
fn spin_lock_rule_try_acquire_of_held_lock() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    let got = m.run_on(0, move || {
        ke_init(a);
        let old = ke_acquire(a);
        // SAFETY: test lock.
        let got = unsafe { KeTryToAcquireSpinLockAtDpcLevel(a as PKSPIN_LOCK) };
        ke_release(a, old);
        got
    });
    assert_eq!(got, 0);
    assert_reported(&m, Rule::SpinLock, C4, Some(0x0004_0009));
}

#[test]
fn irql_ke_release_spin_lock_wrong_new_irql() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ke_init(a);
        let old = ke_acquire(a);
        assert_eq!(old, PASSIVE);
        ke_release(a, APC_LEVEL as KIRQL);
        // Recovery used the acquire's IRQL.
        assert_eq!(irql(), PASSIVE);
    });
    assert_reported(&m, Rule::IrqlKeReleaseSpinLock, C4, Some(0x0002_0015));
}

#[test]
fn irql_ke_dispatch_lte_acquire_above_dispatch() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ke_init(a);
        raise(5);
        let old = ke_acquire(a);
        ke_release(a, old);
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::IrqlKeDispatchLte, C4, Some(0x0002_0011));
}

#[test]
fn irql_dispatch_at_dpc_level_acquire_above_dispatch() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ke_init(a);
        raise(5);
        // SAFETY: test lock.
        unsafe { KeAcquireSpinLockAtDpcLevel(a as PKSPIN_LOCK) };
        // SAFETY: test lock.
        unsafe { KeReleaseSpinLockFromDpcLevel(a as PKSPIN_LOCK) };
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::IrqlDispatch, C4, Some(0x0002_0003));
}

#[test]
fn irql_return_work_item_returns_raised() {
    let m = collect(1);
    m.run_on(0, || {
        raise(DISPATCH);
    });
    assert_reported(&m, Rule::IrqlReturn, C4, Some(0x0002_001D));
    assert_eq!(m.run_on(0, irql), PASSIVE);
}

// ---- Driver Verifier automatic and deadlock-detection checks ----

#[test]
fn raise_to_lower_irql() {
    let m = collect(1);
    m.run_on(0, || {
        raise(DISPATCH);
        raise(PASSIVE);
        assert_eq!(irql(), DISPATCH, "recovery leaves the IRQL unchanged");
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::RaiseToLower, C4, Some(0x30));
}

#[test]
fn lower_to_higher_irql() {
    let m = collect(1);
    m.run_on(0, || {
        lower(DISPATCH);
        assert_eq!(irql(), PASSIVE);
    });
    assert_reported(&m, Rule::LowerToHigher, C4, Some(0x31));
}

#[test]
fn ke_double_release() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ke_init(a);
        let old = ke_acquire(a);
        ke_release(a, old);
        raise(DISPATCH);
        ke_release(a, PASSIVE);
    });
    assert_reported(&m, Rule::BadKeRelease, C4, Some(0x32));
    assert!(
        m.report().of(Rule::BadKeRelease)[0]
            .detail
            .contains("double release")
    );
}

#[test]
fn ke_release_below_dispatch() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ke_init(a);
        let old = ke_acquire(a);
        lower(PASSIVE);
        ke_release(a, old);
    });
    assert_reported(&m, Rule::BadKeRelease, C4, Some(0x32));
}

#[test]
fn at_dpc_level_acquire_below_dispatch() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ke_init(a);
        // SAFETY: test lock.
        unsafe { KeAcquireSpinLockAtDpcLevel(a as PKSPIN_LOCK) };
        raise(DISPATCH);
        // SAFETY: test lock.
        unsafe { KeReleaseSpinLockFromDpcLevel(a as PKSPIN_LOCK) };
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::AtDpcLevelBelowDispatch, C4, Some(0x40));
    assert!(
        m.report().of(Rule::AtDpcLevelBelowDispatch)[0]
            .detail
            .contains("IrqlDispatch")
    );
}

#[test]
fn lock_order_cycle_on_one_processor() {
    let m = collect(1);
    let (x, y) = (ke_lock(), ke_lock());
    let (a, b) = (addr(&*x), addr(&*y));
    m.run_on(0, move || {
        ke_init(a);
        ke_init(b);
        let o1 = ke_acquire(a);
        let o2 = ke_acquire(b);
        ke_release(b, o2);
        ke_release(a, o1);
        let o1 = ke_acquire(b);
        let o2 = ke_acquire(a);
        ke_release(a, o2);
        ke_release(b, o1);
    });
    assert_reported(&m, Rule::LockOrder, C4, Some(0x1001));
}

#[test]
fn cross_processor_deadlock_is_reported_not_hung() {
    let m = collect(2);
    let (x, y) = (ke_lock(), ke_lock());
    let (a, b) = (addr(&*x), addr(&*y));
    m.run_on(0, move || {
        ke_init(a);
        ke_init(b);
    });
    let both_hold = Barrier::new(2);
    m.run_all(|cpu| {
        let (first, second) = if cpu == 0 { (a, b) } else { (b, a) };
        let o1 = ke_acquire(first);
        both_hold.wait();
        // SAFETY: test lock; at DISPATCH.
        unsafe { KeAcquireSpinLockAtDpcLevel(second as PKSPIN_LOCK) };
        // SAFETY: test lock.
        unsafe { KeReleaseSpinLockFromDpcLevel(second as PKSPIN_LOCK) };
        ke_release(first, o1);
    });
    assert_reported(&m, Rule::LockOrder, C4, Some(0x1001));
    let report = m.report();
    assert!(
        report
            .of(Rule::LockOrder)
            .iter()
            .any(|v| v.detail.starts_with("deadlock:")),
        "the actual deadlock is found while spinning and broken: {report}"
    );
}

/// A lock-order inversion on a serial machine (one processor at a time, switched by the
/// seed): processor 0 holds lock A and waits for B, processor 1 holds B and waits for A. Every
/// processor that can run waits on another; the report names the cycle (processor -> lock
/// held by -> ...), and the run ends (the deadlock is broken) instead of hanging.
#[test]
fn a_lock_order_inversion_on_a_serial_machine_reports_the_cycle() {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let m = Machine::builder()
            .processors(2)
            .seed(3)
            .mode(ndis_sim::VerifierMode::Collect)
            .schedule(ndis_sim::Schedule::Serial(ndis_sim::Strategy::Random))
            .build();
        let (x, y) = (ke_lock(), ke_lock());
        let (a, b) = (addr(&*x), addr(&*y));
        m.run_on(0, move || {
            ke_init(a);
            ke_init(b);
            // SAFETY: the names are keyed by the locks' addresses only.
            unsafe { SimNameSpinLock(a as *const core::ffi::c_void, "lock A") };
            // SAFETY: the simulator uses `b` (the boxed lock `y`'s address) only as a key for
            // the name; nothing is read through it.
            unsafe { SimNameSpinLock(b as *const core::ffi::c_void, "lock B") };
        });
        let holding = [AtomicBool::new(false), AtomicBool::new(false)];
        m.run_all(|cpu| {
            let (first, second) = if cpu == 0 { (a, b) } else { (b, a) };
            let o1 = ke_acquire(first);
            holding[cpu].store(true, Ordering::SeqCst);
            // Each waits for the other to hold its first lock; every simulator call is a
            // switch point, so the other processor gets its turn.
            while !holding[1 - cpu].load(Ordering::SeqCst) {
                let _ = irql();
            }
            // SAFETY: test lock; at DISPATCH.
            unsafe { KeAcquireSpinLockAtDpcLevel(second as PKSPIN_LOCK) };
            // SAFETY: test lock.
            unsafe { KeReleaseSpinLockFromDpcLevel(second as PKSPIN_LOCK) };
            ke_release(first, o1);
        });
        let _ = done_tx.send(m.report());
    });
    let report = done_rx
        .recv_timeout(std::time::Duration::from_mins(5))
        .expect("the deadlocked serial run hung instead of reporting its cycle");
    let cycles = [
        "processor 0 -> lock B held by processor 1 -> lock A held by processor 0",
        "processor 1 -> lock A held by processor 0 -> lock B held by processor 1",
    ];
    assert!(
        report.of(Rule::LockOrder).iter().any(|v| {
            v.detail.starts_with("deadlock:") && cycles.iter().any(|c| v.detail.contains(c))
        }),
        "the report names the wait-for cycle: {report}"
    );
}

/// A livelock (a processor that keeps running without ever waiting on another actor, here
/// polling a flag nobody sets) is not a deadlock the spin checks see: past the step limit the
/// serial machine halts with a report instead of running for ever.
#[test]
fn a_livelock_past_the_step_limit_is_reported_not_hung() {
    let m = Machine::builder()
        .processors(1)
        .seed(5)
        .mode(ndis_sim::VerifierMode::Collect)
        .schedule(ndis_sim::Schedule::Serial(ndis_sim::Strategy::Random))
        .step_limit(50_000)
        .build();
    let never = AtomicBool::new(false);
    let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        m.run_on(0, || {
            while !never.load(Ordering::SeqCst) {
                irql();
            }
        });
    }));
    assert!(
        ended.is_err(),
        "the work item cannot finish: the run is halted"
    );
    let report = m.report();
    assert!(
        report.of(Rule::LockOrder).iter().any(|v| v
            .detail
            .starts_with("livelock: no end after 50000 switch points")),
        "{report}"
    );
}

#[test]
fn release_order_a_b_sequence() {
    let m = collect(1);
    let (x, y) = (ndis_lock(), ndis_lock());
    let (a, b) = (addr(&*x), addr(&*y));
    m.run_on(0, move || {
        ndis_alloc(a);
        ndis_alloc(b);
        ndis_acquire(a);
        ndis_acquire(b);
        ndis_release(a);
        ndis_release(b);
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::ReleaseOrder, C4, Some(0x1003));
}

#[test]
fn wrong_acquire_api_ke_on_ndis_lock() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        let old = ke_acquire(a);
        ke_release(a, old);
    });
    assert_reported(&m, Rule::WrongAcquireApi, C4, Some(0x1008));
}

#[test]
fn wrong_release_api_ndis_acquire_dpr_release() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        ndis_acquire(a);
        // SAFETY: test lock.
        unsafe { NdisDprReleaseSpinLock(a as PNDIS_SPIN_LOCK) };
        assert_eq!(irql(), PASSIVE, "recovery restored the acquire's IRQL");
    });
    assert_reported(&m, Rule::WrongReleaseApi, C4, Some(0x1009));
}

// ---- Bug checks of their own ----

#[test]
fn recursive_acquire_is_already_owned_and_not_hung() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        ndis_acquire(a);
        ndis_acquire(a);
        ndis_release(a);
        assert_eq!(irql(), DISPATCH);
        ndis_release(a);
        assert_eq!(irql(), PASSIVE);
    });
    assert_reported(&m, Rule::SpinLockAlreadyOwned, 0x0F, None);
    assert_eq!(m.report().violations.len(), 1, "{}", m.report());
}

#[test]
fn spin_lock_not_owned_release_by_other_processor() {
    let m = collect(2);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || ke_init(a));
    let held = Barrier::new(2);
    let tried = Barrier::new(2);
    m.run_all(|cpu| {
        if cpu == 0 {
            let old = ke_acquire(a);
            held.wait();
            tried.wait();
            ke_release(a, old);
        } else {
            held.wait();
            raise(DISPATCH);
            ke_release(a, PASSIVE);
            tried.wait();
        }
    });
    assert_reported(&m, Rule::SpinLockNotOwned, 0x10, None);
}

// ---- NDIS rules ----

#[test]
fn irql_synch_function_dpr_acquire_at_passive() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        // SAFETY: test lock.
        unsafe { NdisDprAcquireSpinLock(a as PNDIS_SPIN_LOCK) };
        raise(DISPATCH);
        // SAFETY: test lock.
        unsafe { NdisDprReleaseSpinLock(a as PNDIS_SPIN_LOCK) };
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::IrqlSynchFunction, 0, None);
}

#[test]
fn irql_synch_function_acquire_above_dispatch() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        raise(5);
        ndis_acquire(a);
        ndis_release(a);
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::IrqlSynchFunction, 0, None);
}

#[test]
fn ndis_spin_lock_held_when_handler_returns() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        ndis_acquire(a);
    });
    assert_reported(&m, Rule::NdisSpinLock, 0, None);
    assert!(
        !m.report().has(Rule::IrqlReturn),
        "recovery restores the IRQL too"
    );
}

#[test]
fn ndis_spin_lock_dpr_held_when_handler_returns() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        raise(DISPATCH);
        // SAFETY: test lock.
        unsafe { NdisDprAcquireSpinLock(a as PNDIS_SPIN_LOCK) };
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::NdisSpinLockDpr, 0, None);
}

#[test]
fn ndis_spin_lock_release_without_acquire() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        raise(DISPATCH);
        ndis_release(a);
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::NdisSpinLockRelease, 0, None);
}

#[test]
fn ndis_spin_lock_dpr_release_without_acquire() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        raise(DISPATCH);
        // SAFETY: test lock.
        unsafe { NdisDprReleaseSpinLock(a as PNDIS_SPIN_LOCK) };
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::NdisSpinLockDprRelease, 0, None);
}

#[test]
fn ndis_stall_execution_delay() {
    let m = collect(1);
    // SAFETY: plain stall.
    m.run_on(0, || unsafe { NdisStallExecution(51) });
    assert_reported(&m, Rule::StallTooLong, 0, None);
    let clean = collect(1);
    // SAFETY: plain stall.
    clean.run_on(0, || unsafe { NdisStallExecution(50) });
    assert!(clean.report().violations.is_empty());
}

#[test]
fn ndis_call_under_spin_lock() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        ndis_acquire(a);
        // SAFETY: plain stall.
        unsafe { NdisStallExecution(1) };
        ndis_release(a);
    });
    assert_reported(&m, Rule::NdisCallUnderSpinLock, 0, None);
}

#[test]
fn uninitialized_spin_lock() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        let old = ke_acquire(a);
        ke_release(a, old);
    });
    assert_reported(&m, Rule::UninitializedSpinLock, 0, None);
}

#[test]
fn freed_ndis_spin_lock_is_uninitialized() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ndis_alloc(a);
        // SAFETY: test lock.
        unsafe { NdisFreeSpinLock(a as PNDIS_SPIN_LOCK) };
        ndis_acquire(a);
        ndis_release(a);
    });
    assert_reported(&m, Rule::UninitializedSpinLock, 0, None);
}

// ---- Interrupt rules, through a driver whose ISR/DPC run test closures ----

type Hook = Box<dyn Fn() + Sync>;

struct Hooks {
    line: InterruptLine,
    isr: Hook,
    dpc: Hook,
    isr_calls: AtomicU64,
    dpc_calls: AtomicU64,
    done: AtomicBool,
}

unsafe extern "C" fn hook_isr(ctx: NDIS_HANDLE, queue: PBOOLEAN, _t: PULONG) -> BOOLEAN {
    // SAFETY: the context is the Hooks registered with the interrupt.
    let h = unsafe { &*ctx.cast::<Hooks>() };
    h.line.deassert();
    h.isr_calls.fetch_add(1, Ordering::SeqCst);
    (h.isr)();
    // SAFETY: NDIS passes a valid out parameter.
    unsafe { queue.write(1) };
    1
}

unsafe extern "C" fn hook_dpc(ctx: NDIS_HANDLE, _c: PVOID, _t: PVOID, _r: PVOID) {
    // SAFETY: the context is the Hooks.
    let h = unsafe { &*ctx.cast::<Hooks>() };
    (h.dpc)();
    h.dpc_calls.fetch_add(1, Ordering::SeqCst);
    h.done.store(true, Ordering::SeqCst);
}

fn hooks(m: &Machine, line: u32, isr: Hook, dpc: Hook) -> Box<Hooks> {
    Box::new(Hooks {
        line: m.interrupt_line(line),
        isr,
        dpc,
        isr_calls: AtomicU64::new(0),
        dpc_calls: AtomicU64::new(0),
        done: AtomicBool::new(false),
    })
}

/// Registers on processor 0 and returns the interrupt handle.
fn register_hooks(m: &Machine, h: &Hooks, line: u32) -> usize {
    let adapter = m.adapter_handle(line) as usize;
    let ctx = std::ptr::from_ref(h) as usize;
    common::register_interrupt(m, 0, adapter, ctx, || {
        characteristics_with(Some(hook_isr), Some(hook_dpc))
    })
}

/// Fires the line once on a one-processor machine and opens windows until the DPC ran.
fn fire_and_wait(m: &Machine, h: &Hooks) {
    h.line.assert();
    let done = &h.done;
    m.run_on(0, || {
        while !done.load(Ordering::SeqCst) {
            irql();
        }
    });
}

#[test]
fn isr_returned_at_wrong_irql() {
    let m = collect(1);
    let h = hooks(&m, 1, Box::new(|| lower(DISPATCH)), Box::new(|| {}));
    register_hooks(&m, &h, 1);
    fire_and_wait(&m, &h);
    assert_reported(&m, Rule::IsrReturnedAtWrongIrql, C4, Some(0x111));
}

#[test]
fn spin_lock_in_isr() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    m.run_on(0, move || ndis_alloc(a));
    let h = hooks(
        &m,
        2,
        Box::new(move || {
            ndis_acquire(a);
            ndis_release(a);
        }),
        Box::new(|| {}),
    );
    register_hooks(&m, &h, 2);
    fire_and_wait(&m, &h);
    assert_reported(&m, Rule::SpinLockInIsr, 0, None);
}

#[test]
fn isr_taking_lock_of_interrupted_code_is_already_owned() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || ke_init(a));
    let h = hooks(
        &m,
        4,
        Box::new(move || {
            // SAFETY: test lock (at DIRQL: reported, then found owned by this processor).
            unsafe { KeAcquireSpinLockAtDpcLevel(a as PKSPIN_LOCK) };
            // SAFETY: test lock.
            unsafe { KeReleaseSpinLockFromDpcLevel(a as PKSPIN_LOCK) };
        }),
        Box::new(|| {}),
    );
    register_hooks(&m, &h, 4);
    let line = h.line.clone();
    let calls = &h.isr_calls;
    m.run_on(0, move || {
        let old = ke_acquire(a);
        line.assert();
        // Interrupt windows while holding the lock: the ISR nests here.
        while calls.load(Ordering::SeqCst) == 0 {
            irql();
        }
        ke_release(a, old);
    });
    assert_reported(&m, Rule::SpinLockAlreadyOwned, 0x0F, None);
    assert!(m.report().has(Rule::SpinLockInIsr));
}

#[test]
fn spin_lock_balanced_isr_releases_lock_of_interrupted_code() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || ke_init(a));
    let h = hooks(
        &m,
        5,
        Box::new(move || {
            // SAFETY: test lock.
            unsafe { KeReleaseSpinLockFromDpcLevel(a as PKSPIN_LOCK) };
        }),
        Box::new(|| {}),
    );
    register_hooks(&m, &h, 5);
    let line = h.line.clone();
    let calls = &h.isr_calls;
    m.run_on(0, move || {
        raise(DISPATCH);
        // SAFETY: test lock.
        unsafe { KeAcquireSpinLockAtDpcLevel(a as PKSPIN_LOCK) };
        line.assert();
        while calls.load(Ordering::SeqCst) == 0 {
            irql();
        }
        lower(PASSIVE);
    });
    assert_reported(&m, Rule::SpinLockBalanced, 0, None);
}

#[test]
fn irql_interrupt_function_register_at_dispatch() {
    let m = collect(1);
    let h = hooks(&m, 6, Box::new(|| {}), Box::new(|| {}));
    let adapter = m.adapter_handle(6) as usize;
    let ctx = std::ptr::from_ref(&*h) as usize;
    m.run_on(0, move || {
        let mut chars = characteristics_with(Some(hook_isr), Some(hook_dpc));
        let mut handle: NDIS_HANDLE = core::ptr::null_mut();
        raise(DISPATCH);
        // SAFETY: valid arguments (wrong IRQL on purpose).
        unsafe {
            NdisMRegisterInterruptEx(
                adapter as NDIS_HANDLE,
                ctx as NDIS_HANDLE,
                &raw mut chars,
                &raw mut handle,
            )
        };
        lower(PASSIVE);
        // SAFETY: the handle just registered.
        unsafe { NdisMDeregisterInterruptEx(handle) };
    });
    assert_reported(&m, Rule::IrqlInterruptFunction, 0, None);
}

unsafe extern "C" fn sync_true(_ctx: NDIS_HANDLE) -> BOOLEAN {
    1
}

#[test]
fn synchronize_after_deregister() {
    let m = collect(1);
    let h = hooks(&m, 7, Box::new(|| {}), Box::new(|| {}));
    let handle = register_hooks(&m, &h, 7);
    let r = m.run_on(0, move || {
        // SAFETY: registered handle.
        unsafe { NdisMDeregisterInterruptEx(handle as NDIS_HANDLE) };
        // SAFETY: the handle is still known to the simulator; the call itself is the bug.
        unsafe {
            NdisMSynchronizeWithInterruptEx(
                handle as NDIS_HANDLE,
                0,
                Some(sync_true),
                core::ptr::null_mut(),
            )
        }
    });
    assert_eq!(r, 0, "the callback is not called");
    assert_reported(&m, Rule::SyncAfterDeregister, 0, None);
}

/// "After `NdisMDeregisterInterruptEx` returns control, the miniport driver cannot call the
/// `NdisMSynchronizeWithInterruptEx` function": a DPC still running while another processor's
/// `NdisMDeregisterInterruptEx` waits for it may. The DPC waits until processor 0 is about to
/// deregister, lets it enter the call (switch points on a serial machine), then synchronizes:
/// the callback runs and nothing is reported; the same call after the return is reported
/// (`synchronize_after_deregister`).
#[test]
fn synchronize_from_a_dpc_in_flight_during_deregistration_is_legal() {
    static HANDLE: AtomicU64 = AtomicU64::new(0);
    static ABOUT_TO_DEREGISTER: AtomicBool = AtomicBool::new(false);
    static SYNCED: AtomicU64 = AtomicU64::new(0);
    let m = Machine::builder()
        .processors(2)
        .seed(11)
        .mode(ndis_sim::VerifierMode::Collect)
        .schedule(ndis_sim::Schedule::Serial(ndis_sim::Strategy::Random))
        .build();
    let h = hooks(
        &m,
        7,
        Box::new(|| {}),
        Box::new(|| {
            while !ABOUT_TO_DEREGISTER.load(Ordering::SeqCst) {
                irql();
            }
            // Processor 0 enters NdisMDeregisterInterruptEx and spins there for this DPC.
            for _ in 0..200 {
                irql();
            }
            // SAFETY: the registered handle; this DPC is still running.
            let r = unsafe {
                NdisMSynchronizeWithInterruptEx(
                    HANDLE.load(Ordering::SeqCst) as NDIS_HANDLE,
                    0,
                    Some(sync_true),
                    core::ptr::null_mut(),
                )
            };
            SYNCED.fetch_add(u64::from(r), Ordering::SeqCst);
        }),
    );
    let handle = register_hooks(&m, &h, 7);
    HANDLE.store(handle as u64, Ordering::SeqCst);
    h.line.assert();
    let dpc_running =
        || h.dpc_calls.load(Ordering::SeqCst) == 0 && h.isr_calls.load(Ordering::SeqCst) != 0;
    // Processor 1 takes the interrupt and runs the DPC; processor 0 deregisters meanwhile.
    m.run_all(|cpu| {
        if cpu == 0 {
            while !dpc_running() {
                irql();
            }
            ABOUT_TO_DEREGISTER.store(true, Ordering::SeqCst);
            // SAFETY: registered handle; PASSIVE_LEVEL.
            unsafe { NdisMDeregisterInterruptEx(handle as NDIS_HANDLE) };
        }
    });
    assert_eq!(SYNCED.load(Ordering::SeqCst), 1, "the callback ran");
    let report = m.report();
    assert!(report.violations.is_empty(), "{report}");
}

#[test]
fn queue_dpc_after_deregister() {
    let m = collect(1);
    let h = hooks(&m, 7, Box::new(|| {}), Box::new(|| {}));
    let handle = register_hooks(&m, &h, 7);
    let queued = m.run_on(0, move || {
        // SAFETY: registered handle.
        unsafe { NdisMDeregisterInterruptEx(handle as NDIS_HANDLE) };
        let mut target = GROUP_AFFINITY {
            Mask: 1,
            ..Default::default()
        };
        // SAFETY: the handle is still known to the simulator; the call itself is the bug.
        unsafe {
            NdisMQueueDpcEx(
                handle as NDIS_HANDLE,
                0,
                &raw mut target,
                core::ptr::null_mut(),
            )
        }
    });
    assert_eq!(queued, 0, "no DPC is queued");
    assert_reported(&m, Rule::QueueDpcAfterDeregister, 0, None);
}

#[test]
fn every_rule_has_a_name_and_consistent_codes() {
    for &rule in Rule::ALL {
        assert!(!rule.name().is_empty());
        assert!(
            rule.page()
                .starts_with("https://learn.microsoft.com/windows-hardware/drivers/"),
            "{rule:?}"
        );
        match rule.bug_check() {
            0xC4 => assert!(rule.parameter1().is_some(), "{rule:?}"),
            _ => assert!(rule.parameter1().is_none(), "{rule:?}"),
        }
    }
}

// ---- the hold limit (virtual time) ----

#[test]
fn spin_lock_held_too_long_in_virtual_time() {
    let m = collect(1);
    let l = ndis_lock();
    let a = addr(&*l);
    let machine = &m;
    m.run_on(0, move || {
        ndis_alloc(a);
        ndis_acquire(a);
        // This processor's routine spends 30 µs of virtual time under the lock.
        let _ = machine.advance_clock(30_000);
        ndis_release(a);
        // Within the limit: not reported.
        ndis_acquire(a);
        let _ = machine.advance_clock(20_000);
        ndis_release(a);
    });
    assert_reported(&m, Rule::SpinLockHeldTooLong, 0, None);
    assert_eq!(m.report().violations.len(), 1, "{}", m.report());
    // A step of the harness's clock from the test thread is not charged to a lock a processor
    // holds: it is the outside world moving, not work under the lock.
    let held = AtomicBool::new(false);
    let go = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            m.run_on(0, || {
                ndis_acquire(a);
                held.store(true, Ordering::SeqCst);
                while !go.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
                ndis_release(a);
            });
        });
        while !held.load(Ordering::SeqCst) {
            std::hint::spin_loop();
        }
        let _ = m.advance_clock(100_000);
        go.store(true, Ordering::SeqCst);
    });
    assert_eq!(m.report().violations.len(), 1, "{}", m.report());
}

#[test]
fn stalling_under_a_ke_lock_is_charged_to_the_hold_limit() {
    let m = collect(1);
    let l = ke_lock();
    let a = addr(&*l);
    m.run_on(0, move || {
        ke_init(a);
        let old = ke_acquire(a);
        // Three 10 µs stalls: allowed one by one (NdisStallExecution_Delay), 30 µs in all
        // under one lock.
        for _ in 0..3 {
            // SAFETY: a plain busy wait.
            unsafe { NdisStallExecution(10) };
        }
        ke_release(a, old);
    });
    let report = m.report();
    assert_eq!(report.of(Rule::SpinLockHeldTooLong).len(), 1, "{report}");
}
