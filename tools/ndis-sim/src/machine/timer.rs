//! The machine's virtual clock and its timer objects.
//!
//! There is no timer interrupt: time moves only when the harness calls
//! `Machine::advance_clock`, which walks the clock forward expiry by expiry. At each expiry the
//! devices are advanced to that instant, the timer is dequeued (a periodic one is queued again
//! one period later, counted from its due time so it does not drift) and its DPC is queued on a
//! processor drawn from the seed, through the same per-processor DPC queue the interrupt DPCs
//! use. The DPC runs the `NDIS_TIMER_FUNCTION` at `DISPATCH_LEVEL` as a routine
//! (`Handler::Timer`). `advance_clock` waits for it to have run before it moves the clock on, so
//! a timer function sees the clock at its own due time and a test sees every expiry that is
//! due done when `advance_clock` returns.

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::processor::{self, Cpu, DISPATCH, Handler, run_handler};
use super::{Machine, Shared, dpc, lock};
use crate::sys;

/// The system time (`KeQuerySystemTime` units: 100 ns since 1601-01-01 UTC) at virtual time 0:
/// 2026-01-01 00:00:00 UTC. An absolute `DueTime` is taken relative to it.
pub(crate) const BOOT_SYSTEM_TIME: i64 = 134_116_992_000_000_000;

/// One timer object the driver holds, as the leak check reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerObjectInfo {
    /// The timer object handle the driver got.
    pub handle: usize,
    /// The `NdisHandle` it was allocated with.
    pub owner: usize,
    /// `NDIS_TIMER_CHARACTERISTICS::AllocationTag`.
    pub tag: u32,
    /// Where the driver allocated it.
    pub allocated_at: &'static Location<'static>,
    /// Whether it is in the timer queue (set and not yet expired, or periodic).
    pub set: bool,
    /// Where it was last set, if ever.
    pub set_at: Option<&'static Location<'static>>,
}

/// The immutable part of a timer object, and what its DPC needs.
pub(crate) struct TimerObj {
    pub(crate) handle: usize,
    function: sys::NDIS_TIMER_FUNCTION,
    /// Its DPC is queued on some processor.
    pub(crate) dpc_queued: AtomicBool,
    /// Its DPC is running (or popped and about to run).
    pub(crate) running: AtomicUsize,
    /// `NdisFreeTimerObject` was called: a DPC still in flight does nothing.
    freed: AtomicBool,
    allocated_at: &'static Location<'static>,
}

/// A timer object's schedule and bookkeeping (under the [`Timers`] lock).
struct Entry {
    obj: Arc<TimerObj>,
    owner: usize,
    tag: u32,
    default_context: usize,
    /// The virtual time it expires at, while it is in the timer queue.
    due: Option<u64>,
    /// Nanoseconds between expiries of a periodic timer (0: one-shot).
    period_ns: u64,
    context: usize,
    set_at: Option<&'static Location<'static>>,
}

impl Entry {
    fn info(&self) -> TimerObjectInfo {
        TimerObjectInfo {
            handle: self.obj.handle,
            owner: self.owner,
            tag: self.tag,
            allocated_at: self.obj.allocated_at,
            set: self.due.is_some(),
            set_at: self.set_at,
        }
    }
}

#[derive(Default)]
struct Inner {
    /// Virtual nanoseconds since the machine was built.
    now: u64,
    /// By handle.
    timers: BTreeMap<usize, Entry>,
    /// The next handle to hand out (a counter, so a stale handle never names a newer timer).
    next_handle: usize,
}

/// The virtual clock and the timer objects of one machine.
#[derive(Default)]
pub(crate) struct Timers {
    inner: Mutex<Inner>,
}

/// What a timer operation found about a handle that names no live timer object.
#[derive(Debug)]
pub(crate) struct NotATimer;

/// How a timer was when it was cancelled or freed.
pub(crate) struct WasSet {
    /// It was in the timer queue.
    pub(crate) queued: bool,
    /// It was last set as a periodic timer.
    pub(crate) periodic: bool,
}

impl Timers {
    /// The virtual time in nanoseconds.
    pub(crate) fn now(&self) -> u64 {
        lock(&self.inner).now
    }

    /// A new timer object; its handle.
    pub(crate) fn allocate(
        &self,
        owner: usize,
        tag: u32,
        function: sys::NDIS_TIMER_FUNCTION,
        default_context: usize,
        allocated_at: &'static Location<'static>,
    ) -> usize {
        let mut inner = lock(&self.inner);
        // Offset so that a handle is never null nor a small integer.
        let handle = 0x7133_0000 + inner.next_handle * 0x10;
        inner.next_handle += 1;
        let obj = Arc::new(TimerObj {
            handle,
            function,
            dpc_queued: AtomicBool::new(false),
            running: AtomicUsize::new(0),
            freed: AtomicBool::new(false),
            allocated_at,
        });
        inner.timers.insert(
            handle,
            Entry {
                obj,
                owner,
                tag,
                default_context,
                due: None,
                period_ns: 0,
                context: default_context,
                set_at: None,
            },
        );
        handle
    }

    /// `NdisSetTimerObject`: queues the timer at `due_time` (negative: relative, in 100 ns;
    /// otherwise absolute system time, see [`BOOT_SYSTEM_TIME`]; a time already past expires at
    /// the next `advance_clock`), periodic when `period_ms` > 0, with `context` (null: the
    /// characteristics' default). Returns whether it was already queued.
    pub(crate) fn set(
        &self,
        handle: usize,
        due_time: i64,
        period_ms: i32,
        context: usize,
        location: &'static Location<'static>,
    ) -> Result<bool, NotATimer> {
        let mut inner = lock(&self.inner);
        let now = inner.now;
        let e = inner.timers.get_mut(&handle).ok_or(NotATimer)?;
        let due = if due_time < 0 {
            now.saturating_add(due_time.unsigned_abs().saturating_mul(100))
        } else {
            let since_boot = due_time.saturating_sub(BOOT_SYSTEM_TIME).max(0);
            since_boot.cast_unsigned().saturating_mul(100).max(now)
        };
        let was = e.due.replace(due).is_some();
        e.period_ns = u64::try_from(period_ms).map_or(0, |ms| ms * 1_000_000);
        e.context = if context == 0 {
            e.default_context
        } else {
            context
        };
        e.set_at = Some(location);
        Ok(was)
    }

    /// `NdisCancelTimerObject`: dequeues the timer. An expired one-shot timer whose DPC is
    /// already queued still runs (as with `KeCancelTimer`).
    pub(crate) fn cancel(&self, handle: usize) -> Result<(WasSet, Arc<TimerObj>), NotATimer> {
        let mut inner = lock(&self.inner);
        let e = inner.timers.get_mut(&handle).ok_or(NotATimer)?;
        let was = WasSet {
            queued: e.due.take().is_some(),
            periodic: e.period_ns > 0,
        };
        Ok((was, Arc::clone(&e.obj)))
    }

    /// `NdisFreeTimerObject`: forgets the timer (dequeued first) and drops its queued DPC.
    pub(crate) fn free(&self, shared: &Shared, handle: usize) -> Result<WasSet, NotATimer> {
        let e = lock(&self.inner).timers.remove(&handle).ok_or(NotATimer)?;
        e.obj.freed.store(true, Ordering::SeqCst);
        dpc::cancel_timer(shared, &e.obj);
        Ok(WasSet {
            queued: e.due.is_some(),
            periodic: e.period_ns > 0,
        })
    }

    /// The timer objects allocated with `owner` and not freed (all with `None`).
    pub(crate) fn of_owner(&self, owner: Option<usize>) -> Vec<TimerObjectInfo> {
        lock(&self.inner)
            .timers
            .values()
            .filter(|e| owner.is_none_or(|o| e.owner == o))
            .map(Entry::info)
            .collect()
    }
}

/// What the clock does next.
enum Step {
    /// Expire this timer after moving the devices on by `ns`.
    Fire {
        ns: u64,
        timer: Arc<TimerObj>,
        context: usize,
    },
    /// No expiry left before the target: move the devices on by `ns` and stop.
    Last { ns: u64 },
}

/// Moves the virtual clock on by `ns`, expiring the timers due meanwhile in order of due time
/// (then of allocation), and moving the devices with `devices(step)` between expiries. Waits
/// for each expired timer's DPC to have run unless called on a processor of this machine (it
/// could be the one the DPC waits for). Returns the sum of what `devices` returned.
pub(crate) fn advance(
    shared: &Arc<Shared>,
    ns: u64,
    mut devices: impl FnMut(u64) -> usize,
) -> usize {
    let here = (0..shared.processors()).find(|&i| processor::is_processor_of(shared, i));
    let on_processor = here.is_some();
    if let Some(i) = here {
        // Time this processor's routine spends: charged to the locks it holds (hold limit).
        shared.procs[i]
            .spent_ns
            .fetch_add(ns, std::sync::atomic::Ordering::SeqCst);
    }
    let target = lock(&shared.timers.inner).now.saturating_add(ns);
    let mut frames = 0;
    loop {
        let step = {
            let mut inner = lock(&shared.timers.inner);
            let now = inner.now;
            let next = inner
                .timers
                .values_mut()
                .filter(|e| e.due.is_some_and(|d| d <= target))
                .min_by_key(|e| (e.due, e.obj.handle));
            match next {
                None => Step::Last { ns: target - now },
                Some(e) => {
                    let due = e.due.unwrap_or(now).max(now);
                    e.due = (e.period_ns > 0).then(|| due + e.period_ns);
                    let step = Step::Fire {
                        ns: due - now,
                        timer: Arc::clone(&e.obj),
                        context: e.context,
                    };
                    inner.now = due;
                    step
                }
            }
        };
        match step {
            Step::Last { ns } => {
                lock(&shared.timers.inner).now = target;
                return frames + devices(ns);
            }
            Step::Fire { ns, timer, context } => {
                frames += devices(ns);
                let cpu = lock(&shared.rng).below(shared.processors());
                dpc::queue_timer(shared, &timer, cpu, context);
                if !on_processor {
                    wait_for_dpc(shared, &timer);
                }
            }
        }
    }
}

/// Waits (on a host thread that is not a processor) until `timer`'s DPC is neither queued nor
/// running, or the machine has stopped.
fn wait_for_dpc(shared: &Shared, timer: &TimerObj) {
    while timer.dpc_queued.load(Ordering::SeqCst) || timer.running.load(Ordering::SeqCst) > 0 {
        if shared.halted.load(Ordering::SeqCst) || shared.shutting_down.load(Ordering::SeqCst) {
            return;
        }
        if processor::host_switch(shared, "advance_clock (timer DPC)", true).is_err() {
            return;
        }
        if shared
            .sched
            .as_ref()
            .is_none_or(super::schedule::Scheduler::dissolved)
        {
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
    }
}

/// What `NdisCancelTimerObject` does for a periodic timer (`KeFlushQueuedDpcs`): on processor
/// `cpu` at `PASSIVE_LEVEL`, waits until the timer's DPC is neither queued nor running,
/// opening interrupt windows so this processor's own queued DPCs run meanwhile.
pub(crate) fn flush(cpu: &Cpu, timer: &TimerObj) {
    while timer.dpc_queued.load(Ordering::SeqCst) || timer.running.load(Ordering::SeqCst) > 0 {
        cpu.spin(|| processor::window(cpu));
        if cpu.shared.sched.is_none() {
            std::thread::yield_now();
        }
    }
}

/// Runs a timer's DPC on `cpu`: the `NDIS_TIMER_FUNCTION(NULL, context, NULL, NULL)` at
/// `DISPATCH_LEVEL` as a `Handler::Timer` routine (the IRQL and leftover locks are checked
/// when it returns). Nothing when the timer was freed meanwhile.
pub(crate) fn run_dpc(cpu: &Cpu, timer: &TimerObj, context: usize) {
    if !timer.freed.load(Ordering::SeqCst)
        && let Some(f) = timer.function
    {
        let old = cpu.irql();
        cpu.set_irql(DISPATCH);
        run_handler(cpu, Handler::Timer, timer.allocated_at, || {
            // SAFETY: the driver gave this NDIS_TIMER_FUNCTION in the characteristics of a timer
            // object it has not freed, to be called at DISPATCH_LEVEL with the context it set
            // (or the default); the three system-specific parameters are reserved (NULL).
            unsafe {
                f(
                    core::ptr::null_mut(),
                    context as sys::PVOID,
                    core::ptr::null_mut(),
                    core::ptr::null_mut(),
                );
            }
        });
        cpu.set_irql(old);
    }
    timer.running.fetch_sub(1, Ordering::SeqCst);
}

impl Machine {
    /// The virtual clock: nanoseconds since the machine was built, moved only by
    /// [`Machine::advance_clock`].
    #[must_use]
    pub fn virtual_time_ns(&self) -> u64 {
        self.shared().timers.now()
    }

    /// The system time in `KeQuerySystemTime` units (100 ns since 1601-01-01 UTC) the virtual
    /// clock stands for: 2026-01-01 00:00:00 UTC at virtual time 0. An absolute `DueTime` for
    /// `NdisSetTimerObject` is read on this scale.
    #[must_use]
    pub fn system_time(&self) -> i64 {
        let ticks = i64::try_from(self.virtual_time_ns() / 100).unwrap_or(i64::MAX);
        BOOT_SYSTEM_TIME.saturating_add(ticks)
    }

    /// Timer objects (`NdisAllocateTimerObject`) not yet freed, for `handle` or all.
    #[must_use]
    pub fn outstanding_timers(&self, handle: Option<sys::NDIS_HANDLE>) -> Vec<TimerObjectInfo> {
        self.shared().timers.of_owner(handle.map(|h| h as usize))
    }
}
