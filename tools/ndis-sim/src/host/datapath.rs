//! The data path at the protocol edge: sends (host-built NBL chains into
//! `MiniportSendNetBufferLists`, completions checked against what the miniport owns), and
//! receives (indications copied, held, and returned later in seeded out-of-order batches from
//! any processor at `PASSIVE_LEVEL` or `DISPATCH_LEVEL`).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/sending-network-data-with-net-buffer-lists>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/receiving-network-data>

use std::panic::Location;

use super::adapter::{Adapter, AdapterState, Phase, receives_allowed};
use super::driver::call_handler;
use crate::Handler;
use crate::machine::Machine;
use crate::machine::processor::{Cpu, DISPATCH, PASSIVE, violation};
use crate::sys::{
    NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RECEIVE_FLAGS_RESOURCES,
    NDIS_RETURN_FLAGS_DISPATCH_LEVEL, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL,
    NDIS_SEND_FLAGS_DISPATCH_LEVEL,
};
use crate::sys::{NDIS_STATUS, PNET_BUFFER, PNET_BUFFER_LIST, ULONG};
use crate::verifier::Rule;

/// How many completed host NBLs are kept to recognise a second completion.
const GRAVEYARD: usize = 4096;

/// One send NBL's completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendCompletion {
    /// The id [`Adapter::send`] returned for the NBL.
    pub id: u64,
    /// `NET_BUFFER_LIST_STATUS` at completion.
    pub status: NDIS_STATUS,
}

/// One received frame (one `NET_BUFFER` of an indicated NBL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedFrame {
    /// The frame's bytes.
    pub data: Vec<u8>,
    /// The processor that indicated it.
    pub cpu: usize,
    /// The `ReceiveFlags` of the indication.
    pub flags: ULONG,
}

/// A send NBL the host built with `nbl::build_send_chain` (seeded MDL splits, unmapped MDLs,
/// nonzero `DataOffset`s), freed with `nbl::free_host_nbl` when this value drops (after its
/// completion, from the graveyard).
pub(crate) struct HostNbl {
    pub(crate) id: u64,
    nbl: usize,
}

impl HostNbl {
    pub(crate) fn addr(&self) -> usize {
        self.nbl
    }
}

impl Drop for HostNbl {
    fn drop(&mut self) {
        // SAFETY: a live host-built NBL, dropped once: nothing refers to it any more (the
        // miniport completed it, or the adapter halted).
        unsafe { crate::nbl::free_host_nbl(self.nbl as PNET_BUFFER_LIST) };
    }
}

/// `NET_BUFFER_LIST_NEXT_NBL`.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`.
unsafe fn next_nbl(nbl: PNET_BUFFER_LIST) -> PNET_BUFFER_LIST {
    // SAFETY: the caller guarantees `nbl` is valid.
    let head = unsafe { &(*nbl).__bindgen_anon_1 };
    // SAFETY: the `Next`/`FirstNetBuffer` view is the one NDIS uses.
    unsafe { head.__bindgen_anon_1.Next }
}

/// Sets `NET_BUFFER_LIST_NEXT_NBL`.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST` the caller may write.
unsafe fn set_next_nbl(nbl: PNET_BUFFER_LIST, next: PNET_BUFFER_LIST) {
    // SAFETY: the caller guarantees `nbl` is valid and writable.
    let head = unsafe { &mut (*nbl).__bindgen_anon_1 };
    // Writing a union field is safe: every view is plain data.
    head.__bindgen_anon_1.Next = next;
}

/// `NET_BUFFER_LIST_FIRST_NB`.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`.
unsafe fn first_nb(nbl: PNET_BUFFER_LIST) -> PNET_BUFFER {
    // SAFETY: the caller guarantees `nbl` is valid.
    let head = unsafe { &(*nbl).__bindgen_anon_1 };
    // SAFETY: the `Next`/`FirstNetBuffer` view.
    unsafe { head.__bindgen_anon_1.FirstNetBuffer }
}

/// `NET_BUFFER_LIST_STATUS`.
///
/// # Safety
/// `nbl` points to a valid `NET_BUFFER_LIST`.
unsafe fn nbl_status(nbl: PNET_BUFFER_LIST) -> NDIS_STATUS {
    // SAFETY: the caller guarantees `nbl` is valid.
    let s = unsafe { &(*nbl).__bindgen_anon_2 };
    // SAFETY: every bit pattern is a valid status.
    unsafe { s.Status }
}

impl Adapter {
    /// Submits one NBL chain (one NBL per frame, one `NET_BUFFER` each) to
    /// `MiniportSendNetBufferLists` from processor `cpu`, at `PASSIVE_LEVEL`, or at
    /// `DISPATCH_LEVEL` with `NDIS_SEND_FLAGS_DISPATCH_LEVEL` (the flag is always truthful).
    /// Returns the NBL ids, in chain order; their completions come through
    /// [`Adapter::take_completions`].
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>
    ///
    /// # Panics
    /// When the adapter is not Running (NDIS sends only to a running adapter), `frames` is
    /// empty, or as [`Machine::run_on`].
    #[allow(clippy::must_use_candidate)] // the ids are for matching completions, if wanted
    pub fn send(&self, cpu: usize, frames: &[Vec<u8>], at_dispatch: bool) -> Vec<u64> {
        self.send_split(cpu, frames, None, at_dispatch)
    }

    /// [`Adapter::send`] with each frame's bytes split over exactly `mdls` MDLs (at most one
    /// per byte): a protocol's many-fragment frame.
    ///
    /// # Panics
    /// As [`Adapter::send`].
    #[allow(clippy::must_use_candidate)] // the ids are for matching completions, if wanted
    pub fn send_fragmented(
        &self,
        cpu: usize,
        frames: &[Vec<u8>],
        mdls: usize,
        at_dispatch: bool,
    ) -> Vec<u64> {
        self.send_split(cpu, frames, Some(mdls), at_dispatch)
    }

    fn send_split(
        &self,
        cpu: usize,
        frames: &[Vec<u8>],
        mdls: Option<usize>,
        at_dispatch: bool,
    ) -> Vec<u64> {
        assert!(!frames.is_empty(), "ndis-sim: Adapter::send with no frames");
        return_held(&self.state, &self.machine, false);
        let chain_seed = self.state.lock().rng.next_u64();
        let chain = crate::nbl::build_send_chain_split(frames, chain_seed, mdls);
        let head = chain.head() as usize;
        let ids = chain.ids();
        let mut nbls = Vec::with_capacity(ids.len());
        let mut p = chain.head();
        for &id in &ids {
            nbls.push(HostNbl {
                id,
                nbl: p as usize,
            });
            // SAFETY: the chain's NBLs are the host's, not yet lent to the miniport.
            p = unsafe { next_nbl(p) };
        }
        let now = self.machine.virtual_time_ns();
        let context = {
            let mut g = self.state.lock();
            assert!(
                g.phase == Phase::Running,
                "ndis-sim: Adapter::send in state {:?}: NDIS sends only to a Running adapter",
                g.phase
            );
            g.counters.sent += nbls.len() as u64;
            g.timed.sent(nbls.iter().map(HostNbl::addr), now);
            for n in nbls {
                g.outstanding.insert(n.addr(), n);
            }
            g.context
        };
        let send = self.state.driver.handlers.send.expect("validated");
        let (irql, flags) = if at_dispatch {
            (DISPATCH, NDIS_SEND_FLAGS_DISPATCH_LEVEL)
        } else {
            (PASSIVE, 0)
        };
        call_handler(&self.machine, cpu, Handler::Send, irql, move || {
            // SAFETY: the context is the adapter's; the chain is the host's, lent to the
            // miniport until it completes each NBL.
            unsafe { send(context as _, head as PNET_BUFFER_LIST, 0, flags) };
        });
        ids
    }

    /// The send completions since the last call (and a return step for held receives).
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    #[must_use]
    pub fn take_completions(&self) -> Vec<SendCompletion> {
        return_held(&self.state, &self.machine, false);
        std::mem::take(&mut self.state.lock().completions)
    }

    /// The frames indicated since the last call (after a return step: the host returns held
    /// NBLs to the miniport in seeded batches).
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    #[must_use]
    pub fn take_received(&self) -> Vec<ReceivedFrame> {
        return_held(&self.state, &self.machine, false);
        std::mem::take(&mut self.state.lock().received)
    }

    /// Makes the protocol keep the receives it is indicated (`true`) until Pause, Halt or
    /// [`Adapter::return_all_received`], as a slow protocol would: the miniport's free receive
    /// buffers run low and it must indicate with `NDIS_RECEIVE_FLAGS_RESOURCES`. `false` lets
    /// the background returner give them back again.
    pub fn hold_returns(&self, hold: bool) {
        self.state.lock().holding = hold;
    }

    /// Makes the protocol keep the next `n` receives it is indicated (without
    /// `NDIS_RECEIVE_FLAGS_RESOURCES`) until Pause, Halt or [`Adapter::return_all_received`],
    /// while it returns the others as usual: a protocol sitting on a few buffers.
    pub fn keep_next_received(&self, n: usize) {
        self.state.lock().keep_next = n;
    }

    /// Returns every indicated NBL the host still holds to the miniport now.
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    pub fn return_all_received(&self) {
        return_held(&self.state, &self.machine, true);
    }
}

/// A return step: the held NBLs (all of them, or a seeded part) are shuffled and returned to
/// `MiniportReturnNetBufferLists` in batches of 1–4, each from a seeded processor at a seeded
/// IRQL (`PASSIVE_LEVEL` or `DISPATCH_LEVEL`, `NDIS_RETURN_FLAGS_DISPATCH_LEVEL` truthful).
/// Runs on the test thread only (it uses `run_on`).
pub(crate) fn return_held(state: &AdapterState, machine: &Machine, all: bool) {
    // NDIS's deferred work (I/O work items, asynchronous shared-memory completions) runs at
    // the same steps as the returns.
    super::objects::run_deferred(machine);
    let processors = machine.processors();
    let (batches, context) = {
        let mut g = state.lock();
        if all && !matches!(g.phase, Phase::Halting | Phase::Halted) {
            let kept = std::mem::take(&mut g.kept);
            g.held.extend(kept);
        }
        if g.held.is_empty()
            || matches!(g.phase, Phase::Halting | Phase::Halted)
            || (g.holding && !all)
        {
            return;
        }
        let mut held = std::mem::take(&mut g.held);
        // Fisher-Yates with the adapter's seeded stream: returns come out of order.
        for i in (1..held.len()).rev() {
            let j = g.rng.below(i + 1);
            held.swap(i, j);
        }
        let take = if all {
            held.len()
        } else {
            1 + g.rng.below(held.len())
        };
        g.held = held.split_off(take);
        let mut batches = Vec::new();
        while !held.is_empty() {
            let n = (1 + g.rng.below(4)).min(held.len());
            let rest = held.split_off(n);
            let cpu = g.rng.below(processors);
            let dispatch = g.rng.below(2) == 1;
            batches.push((std::mem::replace(&mut held, rest), cpu, dispatch));
        }
        g.returning += batches.len();
        (batches, g.context)
    };
    let ret = state.driver.handlers.return_nbls.expect("validated");
    for (batch, cpu, dispatch) in batches {
        for pair in batch.windows(2) {
            // SAFETY: NDIS owns indicated NBLs until it returns them, and may relink them.
            unsafe { set_next_nbl(pair[0] as PNET_BUFFER_LIST, pair[1] as PNET_BUFFER_LIST) };
        }
        for &nbl in &batch {
            // The pool's own mark: freeing an NBL NDIS still holds is a ReceiveAccounting
            // violation in NdisFreeNetBufferList.
            crate::nbl::mark_returned(nbl as PNET_BUFFER_LIST);
        }
        let last = *batch.last().expect("batches are non-empty");
        // SAFETY: `last` is an NBL of this batch, indicated and not yet returned, so NDIS
        // still owns it and may end the chain at it.
        unsafe { set_next_nbl(last as PNET_BUFFER_LIST, core::ptr::null_mut()) };
        state.lock().counters.returned += batch.len() as u64;
        let head = batch[0];
        let (irql, flags) = if dispatch {
            (DISPATCH, NDIS_RETURN_FLAGS_DISPATCH_LEVEL)
        } else {
            (PASSIVE, 0)
        };
        call_handler(machine, cpu, Handler::Return, irql, move || {
            // SAFETY: the context is the adapter's; the chain is the miniport's own NBLs.
            unsafe { ret(context as _, head as PNET_BUFFER_LIST, flags) };
        });
        state.lock().returning -= 1;
        state.notify();
    }
}

/// How often the background returner looks for held receives.
const RETURNER_PERIOD: std::time::Duration = std::time::Duration::from_millis(1);
/// The same period on a serial machine, in switch points.
const RETURNER_STEPS: u64 = 500;

/// Starts the background returner of an adapter: while it is Running, a host thread returns a
/// seeded part of the held receives every [`RETURNER_PERIOD`] (as protocols return them when
/// they are done, not when the test asks), so a miniport with a small receive pool is not
/// starved by a test that only waits. On a serial machine it is a host actor sleeping
/// [`RETURNER_STEPS`] switch points between looks, so the seed decides when it returns. It
/// stops when every [`Adapter`] handle is dropped, the adapter halts, or the machine halts or
/// is dropped.
pub(crate) fn spawn_returner(
    machine: &Machine,
    state: &std::sync::Arc<AdapterState>,
    alive: &std::sync::Arc<()>,
) {
    let alive = std::sync::Arc::downgrade(alive);
    let state = std::sync::Arc::clone(state);
    let weak = machine.downgrade();
    let shared = std::sync::Arc::clone(machine.shared());
    let actor = shared
        .sched
        .as_ref()
        .filter(|s| !s.dissolved())
        .map(|s| s.add_host("returner"));
    let spawned = std::thread::Builder::new()
        .name("ndis-sim-returner".into())
        .spawn(move || {
            let sched = shared.sched.as_ref().zip(actor);
            if let Some((s, me)) = sched {
                crate::machine::processor::set_host_actor(&shared, me);
                s.start(me);
            }
            returner_loop(&weak, &state, &alive, sched);
            if let Some((s, me)) = sched {
                s.exit(me);
            }
        });
    // Without the thread, returns still happen at every edge call; nothing is lost.
    drop(spawned);
}

fn returner_loop(
    weak: &crate::machine::WeakMachine,
    state: &AdapterState,
    alive: &std::sync::Weak<()>,
    sched: Option<(&crate::machine::schedule::Scheduler, usize)>,
) {
    loop {
        match sched {
            Some((s, me)) if !s.dissolved() => s.sleep(me, RETURNER_STEPS),
            _ => std::thread::sleep(RETURNER_PERIOD),
        }
        let Some(machine) = weak.upgrade() else {
            return;
        };
        if alive.strong_count() == 0 || machine.halted() {
            return;
        }
        let phase = state.lock().phase;
        match phase {
            Phase::Halting | Phase::Halted => return,
            Phase::Running => {
                // A machine that halts under it makes run_on panic: the thread ends.
                let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    return_held(state, &machine, false);
                }));
                if step.is_err() {
                    return;
                }
            }
            _ => {}
        }
    }
}

/// Reports a `DISPATCH_LEVEL` flag set below `DISPATCH_LEVEL` (NDIS trusts a set flag to skip
/// raising the IRQL for its locks). A clear flag at `DISPATCH_LEVEL` is legal: a caller that does
/// not know its IRQL clears it and NDIS finds out ("Dispatch IRQL Tracking").
/// <https://learn.microsoft.com/windows-hardware/drivers/network/dispatch-irql-tracking>
fn check_flag(
    cpu: &Cpu,
    api: &str,
    flags: ULONG,
    bit: ULONG,
    location: &'static Location<'static>,
) {
    let irql = cpu.irql();
    if flags & bit != 0 && irql < DISPATCH {
        violation(
            cpu,
            Rule::IrqlSendRcvFunction,
            location,
            format!(
                "{api} at IRQL {irql} with the DISPATCH_LEVEL flag set: the flag may be set \
                 only at DISPATCH_LEVEL"
            ),
        );
    }
}

/// `NdisMSendNetBufferListsComplete` on the host side: every NBL of the chain must be one the
/// miniport owns ([`Rule::SendAccounting`] otherwise; the walk stops at the first foreign NBL,
/// whose `Next` cannot be trusted).
pub(crate) fn send_complete(
    cpu: &Cpu,
    state: &AdapterState,
    chain: PNET_BUFFER_LIST,
    flags: ULONG,
    location: &'static Location<'static>,
) {
    check_flag(
        cpu,
        "NdisMSendNetBufferListsComplete",
        flags,
        NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL,
        location,
    );
    let mut bad = None;
    let now = cpu.shared.timers.now();
    {
        let mut g = state.lock();
        let mut p = chain;
        while !p.is_null() {
            g.timed.completed(p as usize, now);
            let Some(host) = g.outstanding.remove(&(p as usize)) else {
                let twice = g.graveyard.iter().any(|h| h.addr() == p as usize);
                bad = Some(format!(
                    "NdisMSendNetBufferListsComplete of NBL {p:p}, which the miniport does not \
                     own ({})",
                    if twice {
                        "already completed"
                    } else {
                        "never sent to this adapter"
                    }
                ));
                break;
            };
            // SAFETY: the NBL is the host's (found in `outstanding`), valid until dropped.
            let next = unsafe { next_nbl(p) };
            // SAFETY: `p` is the host's NBL (found in `outstanding`, so not yet completed),
            // valid until its host handle drops; a plain field read.
            let status = unsafe { nbl_status(p) };
            g.completions.push(SendCompletion {
                id: host.id,
                status,
            });
            g.counters.completed += 1;
            if status != crate::sys::NDIS_STATUS_SUCCESS {
                g.counters.failed += 1;
            }
            g.graveyard.push_back(host);
            if g.graveyard.len() > GRAVEYARD {
                g.graveyard.pop_front();
            }
            p = next;
        }
    }
    state.notify();
    if let Some(detail) = bad {
        violation(cpu, Rule::SendAccounting, location, detail);
    }
}

/// `NdisMIndicateReceiveNetBufferLists` on the host side: copies every `NET_BUFFER`'s frame,
/// checks the count, the adapter state and ownership ([`Rule::ReceiveAccounting`]), and holds
/// the NBLs for a later return unless `NDIS_RECEIVE_FLAGS_RESOURCES` gives them back at once.
pub(crate) fn indicate(
    cpu: &Cpu,
    state: &AdapterState,
    chain: PNET_BUFFER_LIST,
    count: ULONG,
    flags: ULONG,
    location: &'static Location<'static>,
) {
    check_flag(
        cpu,
        "NdisMIndicateReceiveNetBufferLists",
        flags,
        NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL,
        location,
    );
    let mut nbls = Vec::new();
    let mut frames = Vec::new();
    let mut foreign_source = 0usize;
    let mut p = chain;
    while !p.is_null() {
        nbls.push(p as usize);
        // SAFETY: the miniport passes a chain of valid NBLs it owns.
        if unsafe { (*p).SourceHandle } as usize != state.handle {
            foreign_source += 1;
        }
        // SAFETY: the miniport passes a chain of valid NBLs it owns.
        let mut nb = unsafe { first_nb(p) };
        while !nb.is_null() {
            frames.push(ReceivedFrame {
                // SAFETY: a valid NET_BUFFER of a valid NBL.
                data: unsafe { crate::nbl::read_nb_data(nb) },
                cpu: cpu.index,
                flags,
            });
            // SAFETY: `nb` is a NET_BUFFER of the miniport's valid NBL `p` (checked non-null
            // by the loop); only a shared view of its header is taken.
            let head = unsafe { &(*nb).__bindgen_anon_1 };
            // SAFETY: the `NET_BUFFER_DATA` view.
            nb = unsafe { head.__bindgen_anon_1.Next };
        }
        // SAFETY: `p` is a valid NBL of the chain the miniport indicated and owns for the
        // call (non-null, checked by the loop).
        p = unsafe { next_nbl(p) };
    }
    let mut problems = Vec::new();
    if foreign_source != 0 {
        problems.push(format!(
            "{foreign_source} NBL(s) with a SourceHandle other than the MiniportAdapterHandle \
             {:#x} (NdisMIndicateReceiveNetBufferLists: a miniport sets SourceHandle to it)",
            state.handle
        ));
    }
    super::throttle::indicated(nbls.len());
    if nbls.len() != count as usize {
        problems.push(format!(
            "NumberOfNetBufferLists is {count} but the chain has {} NBL(s)",
            nbls.len()
        ));
    }
    {
        let mut g = state.lock();
        let phase = g.phase;
        if !receives_allowed(phase) {
            problems.push(format!(
                "a receive indication while the adapter is {}",
                match phase {
                    Phase::Initializing | Phase::Paused => "paused (not restarted)",
                    Phase::Restarting => "restarting (MiniportRestart not complete)",
                    Phase::Pausing => "pausing",
                    Phase::Halting | Phase::Halted => "halted",
                    Phase::Running => "running",
                }
            ));
        }
        let twice = nbls.iter().filter(|a| g.held.contains(a)).count();
        if twice != 0 {
            problems.push(format!(
                "{twice} NBL(s) indicated again before NDIS returned them"
            ));
        }
        g.counters.indicated += nbls.len() as u64;
        if receives_allowed(phase) {
            g.received.extend(frames);
        }
        if flags & NDIS_RECEIVE_FLAGS_RESOURCES != 0 {
            g.counters.returned += nbls.len() as u64;
        } else if !matches!(phase, Phase::Halting | Phase::Halted) {
            for &a in &nbls {
                crate::nbl::mark_indicated(a as PNET_BUFFER_LIST);
            }
            // Paused or not, NDIS owns them now; a wrongly indicated NBL goes back at the next
            // return step.
            let fresh: Vec<usize> = nbls
                .iter()
                .copied()
                .filter(|a| !g.held.contains(a) && !g.kept.contains(a))
                .collect();
            let keep = g.keep_next.min(fresh.len());
            g.keep_next -= keep;
            g.kept.extend_from_slice(&fresh[..keep]);
            g.held.extend_from_slice(&fresh[keep..]);
        }
    }
    state.notify();
    for p in problems {
        violation(cpu, Rule::ReceiveAccounting, location, p);
    }
}
