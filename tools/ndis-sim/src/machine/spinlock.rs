//! The spin-lock engine shared by the `Ke*` and `Ndis*` functions: real spinning on the
//! driver's `KSPIN_LOCK` word (through [`crate::lock_word`]), with the verifier's checks
//! around it. The IRQL side (raise, restore) stays in the `sys` functions, which know their
//! API's rules.

use std::fmt::Write as _;
use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::Shared;
use super::processor::{self, Api, Cpu, Held, violation};
use crate::lock_word::{self, Acquired, Spin};
use crate::verifier::lock_graph::Edge;
use crate::verifier::{LockKind, Rule};

/// How many spin rounds pass between two host-thread yields while spinning.
pub(crate) const HOST_YIELD_EVERY: u32 = 16;

/// How many spin rounds pass between two looks for a cross-processor deadlock.
const DEADLOCK_CHECK_EVERY: u32 = 4096;

/// The name of a lock for reports (its `SimNameSpinLock` name, else its address).
pub(crate) fn name(shared: &Shared, addr: usize) -> String {
    shared.verifier.with_lock(addr, |i| i.stats.name.clone())
}

/// A lock's name in reports, looked up only when a report is written: acquire and release
/// are the simulator's hottest paths, and most of them report nothing.
#[derive(Clone, Copy)]
pub(crate) struct LockName<'a> {
    shared: &'a Shared,
    addr: usize,
}

impl std::fmt::Display for LockName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&name(self.shared, self.addr))
    }
}

/// Gives a lock a name in reports.
pub(crate) fn set_name(shared: &Shared, addr: usize, name: &str) {
    shared
        .verifier
        .with_lock(addr, |i| name.clone_into(&mut i.stats.name));
}

/// `addr` as the lock word.
fn word<'a>(addr: usize) -> &'a AtomicU64 {
    assert!(
        addr != 0 && addr.is_multiple_of(core::mem::align_of::<u64>()),
        "ndis-sim: {addr:#x} is not a valid KSPIN_LOCK address (null or misaligned)"
    );
    let ptr = addr as *mut u64;
    // SAFETY: the driver passed a pointer to a KSPIN_LOCK that it keeps alive and accesses
    // only through the spin-lock functions while the lock is in use, as the DDI requires;
    // it is non-null and 8-aligned (checked above), and every access to the word goes through
    // atomics from here on.
    unsafe { AtomicU64::from_ptr(ptr) }
}

/// `KeInitializeSpinLock` / `NdisAllocateSpinLock`: the word is free, the lock is known with
/// its kind, and its node in the lock graph starts afresh.
pub(crate) fn initialize(shared: &Shared, addr: usize, kind: LockKind) {
    word(addr).store(lock_word::FREE, Ordering::SeqCst);
    shared.verifier.with_lock(addr, |i| {
        i.kind = Some(kind);
        i.owner = None;
    });
    shared.verifier.graph().reset(addr);
}

/// `NdisFreeSpinLock`: the lock is no longer initialised.
pub(crate) fn free(shared: &Shared, addr: usize) {
    shared.verifier.with_lock(addr, |i| {
        i.kind = None;
        i.owner = None;
    });
    shared.verifier.graph().reset(addr);
}

const fn kind_of(api: Api) -> LockKind {
    if api.is_ndis() {
        LockKind::Ndis
    } else {
        LockKind::Ke
    }
}

/// How an acquire ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Got {
    /// The lock word names this processor.
    Taken,
    /// Reported and not performed (recursive acquire, or a deadlock broken in `Collect` mode);
    /// the matching release is consumed silently.
    Phantom,
    /// `KeTryToAcquireSpinLockAtDpcLevel` found it held.
    Busy,
}

/// Checks, then takes the lock at `addr` for this processor (spinning, with interrupt windows
/// for interrupts above the current IRQL). `old_irql` is what the matching release restores.
pub(crate) fn acquire(
    cpu: &Cpu,
    addr: usize,
    api: Api,
    old_irql: u8,
    try_only: bool,
    location: &'static Location<'static>,
) -> Got {
    let shared = &cpu.shared;
    let lock_name = LockName { shared, addr };
    let (kind, owner) = shared.verifier.with_lock(addr, |i| (i.kind, i.owner));
    check_kind(cpu, addr, api, kind, lock_name, location);

    if cpu.holds_really(addr) || owner == Some(cpu.index) {
        if try_only {
            violation(
                cpu,
                Rule::SpinLock,
                location,
                format!(
                    "{} of lock {lock_name}, which this processor already holds (acquired \
                     again before it was released); returns FALSE",
                    api.acquire_name()
                ),
            );
            return Got::Busy;
        }
        let ndis = match api {
            Api::Ndis => " and the NDIS rule SpinLock",
            Api::NdisDpr => " and the NDIS rule SpinLockDpr",
            _ => "",
        };
        violation(
            cpu,
            Rule::SpinLockAlreadyOwned,
            location,
            format!(
                "{} of lock {lock_name}, which this processor already holds (recursive \
                 acquire, or an ISR/DPC taking a lock of the code it interrupted): it would \
                 spin for ever; also breaks SpinLock (0xC4, P1 0x00040009){ndis}; not acquired",
                api.acquire_name()
            ),
        );
        push(cpu, addr, api, old_irql, true, location);
        return Got::Phantom;
    }

    check_order(cpu, addr, lock_name, location);

    let w = word(addr);
    let me = lock_word::owner_word(cpu.index);
    if try_only {
        return if lock_word::try_acquire(w, me).is_ok() {
            taken(cpu, addr, api, old_irql, false, Duration::ZERO, location);
            Got::Taken
        } else {
            Got::Busy
        };
    }
    let p = &shared.procs[cpu.index];
    let start = Instant::now();
    p.waiting_for.store(addr, Ordering::SeqCst);
    let mut rounds: u32 = 0;
    let mut suspicious = false;
    let mut deadlock: Option<Vec<(usize, usize)>> = None;
    let got = lock_word::acquire(w, me, |_| {
        if shared.halted.load(Ordering::SeqCst) {
            return Spin::Abandon;
        }
        cpu.spin(|| processor::window(cpu));
        rounds = rounds.wrapping_add(1);
        if shared.sched.is_none() && rounds.is_multiple_of(HOST_YIELD_EVERY) {
            // Virtual processors may outnumber host cores: let the holder run.
            std::thread::yield_now();
        }
        if rounds.is_multiple_of(DEADLOCK_CHECK_EVERY) {
            match wait_cycle(shared, cpu.index, addr) {
                // Seen twice in a row: not a snapshot taken mid-handover.
                Some(c) if suspicious => {
                    deadlock = Some(c);
                    return Spin::Abandon;
                }
                Some(_) => suspicious = true,
                None => suspicious = false,
            }
        }
        Spin::Continue
    });
    p.waiting_for.store(0, Ordering::SeqCst);
    match got {
        Acquired::Taken { contended } => {
            let spin = start.elapsed();
            taken(cpu, addr, api, old_irql, contended, spin, location);
            Got::Taken
        }
        Acquired::Abandoned => {
            processor::check_halt(cpu);
            let cycle = describe_cycle(shared, cpu.index, &deadlock.unwrap_or_default());
            violation(
                cpu,
                Rule::LockOrder,
                location,
                format!(
                    "deadlock: every processor of the cycle waits on another: {cycle}; \
                     {lock_name} not acquired, so the run can go on"
                ),
            );
            push(cpu, addr, api, old_irql, true, location);
            Got::Phantom
        }
    }
}

/// Initialisation (use before `KeInitializeSpinLock` / `NdisAllocateSpinLock`) and API family
/// (0x1008) checks of an acquire.
fn check_kind(
    cpu: &Cpu,
    addr: usize,
    api: Api,
    kind: Option<LockKind>,
    lock_name: LockName<'_>,
    location: &'static Location<'static>,
) {
    let shared = &cpu.shared;
    match kind {
        None => {
            violation(
                cpu,
                Rule::UninitializedSpinLock,
                location,
                format!(
                    "{} of lock {lock_name}, which was never initialised with \
                     KeInitializeSpinLock / NdisAllocateSpinLock (or was freed); the simulator \
                     initialises it",
                    api.acquire_name()
                ),
            );
            shared
                .verifier
                .with_lock(addr, |i| i.kind = Some(kind_of(api)));
        }
        Some(k) if k != kind_of(api) => violation(
            cpu,
            Rule::WrongAcquireApi,
            location,
            format!(
                "{} of lock {lock_name}, which was initialised with {}",
                api.acquire_name(),
                if k == LockKind::Ndis {
                    "NdisAllocateSpinLock (use the Ndis*SpinLock functions)"
                } else {
                    "KeInitializeSpinLock (use the Ke*SpinLock functions)"
                }
            ),
        ),
        Some(_) => {}
    }
}

/// The lock-graph check (0x1001) of an acquire made while other locks are held.
fn check_order(
    cpu: &Cpu,
    addr: usize,
    lock_name: LockName<'_>,
    location: &'static Location<'static>,
) {
    let shared = &cpu.shared;
    let cycles: Vec<Vec<usize>> = {
        let mut graph = shared.verifier.graph();
        cpu.held_addrs()
            .into_iter()
            .filter_map(|held| match graph.add(held, addr) {
                Edge::Cycle { path, first: true } => Some(path),
                _ => None,
            })
            .collect()
    };
    for path in cycles {
        let names: Vec<String> = path.iter().map(|&a| name(shared, a)).collect();
        violation(
            cpu,
            Rule::LockOrder,
            location,
            format!(
                "acquiring {lock_name} while holding {} reverses the order already seen ({}); \
                 two processors taking them in these orders deadlock",
                names.last().cloned().unwrap_or_default(),
                names.join(" -> ")
            ),
        );
    }
}

/// The wait-for cycle through `me`, if the holder chain of `addr` leads back: each step is a
/// lock waited for and the processor that holds it, the last one held by `me`.
fn wait_cycle(shared: &Shared, me: usize, addr: usize) -> Option<Vec<(usize, usize)>> {
    let mut chain = Vec::new();
    let mut lock_addr = addr;
    for _ in 0..=shared.processors() {
        let owner = shared.verifier.with_lock(lock_addr, |i| i.owner)?;
        chain.push((lock_addr, owner));
        if owner == me {
            return Some(chain);
        }
        lock_addr = shared.procs[owner].waiting_for.load(Ordering::SeqCst);
        if lock_addr == 0 {
            return None;
        }
    }
    None
}

/// `processor 0 -> lock B held by processor 1 -> lock A held by processor 0`: the cycle as
/// the report names it (lock names from `SimNameSpinLock`, else addresses).
fn describe_cycle(shared: &Shared, me: usize, cycle: &[(usize, usize)]) -> String {
    let mut text = format!("processor {me}");
    for &(lock_addr, holder) in cycle {
        let _ = write!(
            text,
            " -> {} held by processor {holder}",
            name(shared, lock_addr)
        );
    }
    text
}

fn push(
    cpu: &Cpu,
    addr: usize,
    api: Api,
    old_irql: u8,
    phantom: bool,
    acquired_at: &'static Location<'static>,
) {
    cpu.push_held(Held {
        addr,
        api,
        old_irql,
        depth: cpu.routine_depth(),
        since: Instant::now(),
        since_virtual: spent_ns(cpu),
        acquired_at,
        phantom,
    });
}

fn taken(
    cpu: &Cpu,
    addr: usize,
    api: Api,
    old_irql: u8,
    contended: bool,
    spin: Duration,
    acquired_at: &'static Location<'static>,
) {
    cpu.shared.verifier.with_lock(addr, |i| {
        i.owner = Some(cpu.index);
        i.stats.record_acquire(contended, spin);
    });
    cpu.shared
        .counters
        .lock_acquisitions
        .fetch_add(1, Ordering::Relaxed);
    push(cpu, addr, api, old_irql, false, acquired_at);
}

/// Checks, then releases the lock at `addr`. Returns the held entry (for the IRQL restore), or
/// `None` when this processor does not hold it (reported; nothing is released).
pub(crate) fn release(
    cpu: &Cpu,
    addr: usize,
    api: Api,
    location: &'static Location<'static>,
) -> Option<Held> {
    let shared = &cpu.shared;
    let lock_name = LockName { shared, addr };
    let (kind, owner) = shared.verifier.with_lock(addr, |i| (i.kind, i.owner));
    if kind.is_none() {
        violation(
            cpu,
            Rule::UninitializedSpinLock,
            location,
            format!(
                "{} of lock {lock_name}, which was never initialised (or was freed)",
                api.release_name()
            ),
        );
    }
    let Some(i) = cpu.find_held(addr) else {
        let whose = match owner {
            Some(o) => format!("held by processor {o}"),
            None => "free".to_owned(),
        };
        let (rule, also) = match api {
            Api::Ndis => (
                Rule::NdisSpinLockRelease,
                "; its KeReleaseSpinLock expansion is 0xC4 P1 0x32 or bug check 0x10",
            ),
            Api::NdisDpr => (
                Rule::NdisSpinLockDprRelease,
                "; its KeReleaseSpinLockFromDpcLevel expansion is bug check 0x10",
            ),
            _ if owner.is_some() => (Rule::SpinLockNotOwned, ""),
            _ => (Rule::BadKeRelease, " (double release)"),
        };
        violation(
            cpu,
            rule,
            location,
            format!(
                "{} of lock {lock_name}, which this processor does not hold (it is {whose}){also}; \
                 not released",
                api.release_name()
            ),
        );
        return None;
    };
    let h = cpu.held_at(i);
    if !h.api.pairs_with(api) {
        let also = if h.api.is_ndis() || api.is_ndis() {
            "; also the NDIS rules SpinLockRelease / SpinLockDprRelease"
        } else {
            ""
        };
        violation(
            cpu,
            Rule::WrongReleaseApi,
            location,
            format!(
                "lock {lock_name} acquired with {} is released with {}{also}",
                h.api.acquire_name(),
                api.release_name()
            ),
        );
    }
    if i + 1 != cpu.held_len() {
        let top = cpu.held_at(cpu.held_len() - 1);
        violation(
            cpu,
            Rule::ReleaseOrder,
            location,
            format!(
                "lock {lock_name} released while {} (acquired after it) is still held: \
                 release in the reverse order of acquisition",
                name(shared, top.addr)
            ),
        );
    }
    if h.depth < cpu.routine_depth() {
        violation(
            cpu,
            Rule::SpinLockBalanced,
            location,
            format!(
                "lock {lock_name} was acquired by the code this routine interrupted, and this \
                 routine releases it"
            ),
        );
    }
    let h = cpu.remove_held(i);
    if !h.phantom {
        check_hold_limit(cpu, &h, lock_name, location);
        force_release(cpu, &h);
    }
    Some(h)
}

/// The virtual time this processor's own routines have spent so far.
fn spent_ns(cpu: &Cpu) -> u64 {
    cpu.shared.procs[cpu.index]
        .spent_ns
        .load(std::sync::atomic::Ordering::SeqCst)
}

/// Reports a hold longer than the machine's limit on the virtual clock
/// ([`Rule::SpinLockHeldTooLong`]; 25 µs unless [`crate::MachineBuilder::hold_limit_ns`] says
/// otherwise). Virtual time, not host time: the report is the same on every run of a seed. The
/// time charged is what the holding processor itself spent while holding the lock (its routine
/// advancing the clock, or stalling with `NdisStallExecution`); the harness's clock steps from the test thread are steps of the outside world, not
/// work done under the lock, and are not charged to whichever lock happens to be held then.
fn check_hold_limit(
    cpu: &Cpu,
    h: &Held,
    lock_name: LockName<'_>,
    location: &'static std::panic::Location<'static>,
) {
    let held_ns = spent_ns(cpu).saturating_sub(h.since_virtual);
    let limit = cpu.shared.hold_limit_ns;
    if held_ns > limit {
        violation(
            cpu,
            Rule::SpinLockHeldTooLong,
            location,
            format!(
                "lock {lock_name}, acquired at {}, held for {held_ns} ns of simulated time, over \
                 the {limit} ns limit (NdisAcquireSpinLock: longer than 25 microseconds degrades \
                 performance)",
                h.acquired_at
            ),
        );
    }
}

/// Releases the word of a really held lock and records its hold time.
pub(crate) fn force_release(cpu: &Cpu, h: &Held) {
    let hold = h.since.elapsed();
    cpu.shared.verifier.with_lock(h.addr, |i| {
        i.owner = None;
        i.stats.record_hold(hold);
    });
    // Cannot fail: the word names this processor since the acquire.
    let _ = lock_word::release(word(h.addr), lock_word::owner_word(cpu.index));
}
