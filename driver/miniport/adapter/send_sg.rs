//! Scatter/gather transmit: frames longer than [`COPY_THRESHOLD`](super::COPY_THRESHOLD) go
//! out from the protocol's own buffers, through the list NDIS builds for their `NET_BUFFER`.
//!
//! The sequence, one frame at a time (frames reach the ring in the order they were sent, so
//! nothing passes a frame being mapped):
//! 1. the pump, under the `send` lock, takes the frame from the queue: [`SgStage::ToMap`];
//! 2. the hold that finds it so, if no processor is inside `NdisMAllocateNetBufferSGList`,
//!    claims it ([`SgStage::Mapping`], [`SendFollowUp`]), and after the hold, outside the lock
//!    at `DISPATCH_LEVEL`, calls `NdisMAllocateNetBufferSGList` ([`Adapter::follow_up`]);
//! 3. NDIS calls `MiniportProcessSGList` ([`Adapter::sg_list_ready`]) with the list — inside
//!    that call or later, on any processor. Inside the call it only leaves the list in the
//!    [`SgHandoff`](crate::ndis::SgHandoff) for the caller, whose one hold after the call
//!    pairs it with the frame ([`SgStage::Mapped`]), posts one descriptor per element once
//!    enough are free, pumps the frames behind it and claims the next mapping; later, the
//!    handler does the same in its own hold;
//! 4. when the frame's descriptors are written back, the reclaimer (no lock held, at
//!    `DISPATCH_LEVEL`) frees its list with `NdisMFreeNetBufferSGList` before the frame
//!    finishes and its NBL can complete ([`Adapter::reclaim_sent`]); a frame that leaves
//!    under the `send` lock instead (aborted by a reset or a removal, refused, or failed)
//!    joins the retire queue, and [`Adapter::release_retired`] frees its list outside the
//!    lock.
//!
//! Only the processor inside `NdisMAllocateNetBufferSGList` asks for the next list
//! ([`SgState::allocating`]): a `MiniportProcessSGList` that NDIS calls from inside that call
//! never calls it again, so the calls do not nest however many long frames follow each other.
//!
//! **The fast path** saves the hold of step 1: a send of one long frame with nothing waiting
//! ahead of it (`pipeline_idle`, the last pump's view) is mapped by the send handler before its
//! one hold ([`Adapter::send_premapped`]), which then posts it. The frame skips the queue and
//! the stage and waits, if at all, in [`SgState::premap`], posted before both. One such frame
//! at a time (`premap_claim`); its `MiniportProcessSGList` calls are told apart by their
//! context ([`Adapter::premap_context`]) and have their own hand-over. A frame that passes
//! frames queued meanwhile passes only frames sent at the same time on other processors,
//! whose order NDIS does not define; a sender's next frame sees the pipeline busy and queues
//! behind it.

use core::sync::atomic::Ordering;

use super::super::hw::DescriptorRing;
use super::{
    Adapter, COPY_THRESHOLD, DPC_PUMP_BATCH, MAX_TX_SEGMENTS, SendGate, SendState, SgStage,
    SgState, TxFrame, TxToken,
};
use crate::e1000::Segment;
use crate::ndis::{InFlight, MapRequest, MappedFrame, SendNbls, SendQueue, SgHandoff, SgList};
use crate::sync::{DispatchLevel, Locked, Unlocked};
use crate::sys;

/// Lists freed per hold of the `send` lock while the retire queue is emptied.
const RETIRE_BATCH: usize = 16;

/// The low address bit that marks the fast path's `MiniportProcessSGList` context (an
/// `Adapter` is at least 8-byte aligned, so the bit is free).
pub(crate) const PREMAP_TAG: usize = 1;
const _: () = assert!(core::mem::align_of::<Adapter>() > PREMAP_TAG);

/// Which slot a mapped frame waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Staged {
    /// [`SgState::stage`]: frames mapped one at a time from the queue.
    Stage,
    /// [`SgState::premap`]: the fast path's frame.
    Premap,
}

/// What is left to do outside the `send` lock after a hold that may have changed the
/// scatter/gather state: read (and the mapping claimed) in that same hold, so asking NDIS for
/// a list costs no hold of its own. A claimed mapping must be asked for
/// ([`Adapter::follow_up`]): nobody else will.
#[derive(Debug, Default)]
#[must_use = "a claimed mapping must be asked for (Adapter::follow_up)"]
pub(super) struct SendFollowUp {
    /// The frame whose list this caller asks NDIS for (claimed: [`SgStage::Mapping`]).
    map: Option<MapRequest>,
    /// Lists wait to be freed.
    release: bool,
}

impl SendFollowUp {
    /// Under the `send` lock: claims the waiting frame's mapping if nobody is asking, and
    /// notes lists to free.
    pub(super) fn claim(send: &mut SendState) -> Self {
        Self {
            map: send.sg.take_request(),
            release: !send.sg.retired.is_empty(),
        }
    }

    /// Both follow-ups' work (a mapping is claimed by one hold at most: claiming sets
    /// [`SgState::allocating`]).
    pub(super) fn joined(self, other: Self) -> Self {
        Self {
            map: self.map.or(other.map),
            release: self.release || other.release,
        }
    }

    /// Whether anything is left to do.
    pub(super) fn is_empty(&self) -> bool {
        self.map.is_none() && !self.release
    }
}

impl SgState {
    /// Claims the waiting frame's mapping: it becomes [`SgStage::Mapping`] and the caller
    /// the one processor that calls `NdisMAllocateNetBufferSGList`.
    fn take_request(&mut self) -> Option<MapRequest> {
        if self.allocating {
            return None;
        }
        match core::mem::take(&mut self.stage) {
            SgStage::ToMap(frame) => {
                let request = frame.map_request();
                self.stage = SgStage::Mapping(frame);
                self.allocating = true;
                Some(request)
            }
            other => {
                self.stage = other;
                None
            }
        }
    }

    /// Gives up the frame waiting before the ring (Pause: one not yet mapped; surprise
    /// removal: also one mapped), finishing it with `status`: at once if it has no list,
    /// through the retire queue if it has. A frame NDIS is mapping stays: its list arrives in
    /// `MiniportProcessSGList`, which retires it if the adapter is gone. The count of frames
    /// given up.
    pub fn abandon(
        &mut self,
        status: sys::NDIS_STATUS,
        mapped_too: bool,
        done: &mut SendNbls,
    ) -> u64 {
        match core::mem::take(&mut self.stage) {
            SgStage::ToMap(frame) => {
                if let Some(nbl) = SendQueue::finish(frame, status) {
                    done.push_as_is(nbl);
                }
                1
            }
            SgStage::Mapped(mapped) if mapped_too => {
                self.retired.push_back((mapped, status));
                1
            }
            other => {
                self.stage = other;
                0
            }
        }
    }
}

/// The list's elements as TX segments, if they describe the frame (`length` bytes) in at most
/// [`MAX_TX_SEGMENTS`] nonempty pieces the descriptors can carry.
fn segments_of(list: &SgList, length: u32, out: &mut [Segment; MAX_TX_SEGMENTS]) -> Option<usize> {
    let n = list.len();
    if n == 0 || n > MAX_TX_SEGMENTS {
        return None;
    }
    let mut total: u32 = 0;
    for (i, slot) in out.iter_mut().enumerate().take(n) {
        let (address, bytes) = list.element(i)?;
        let piece = u16::try_from(bytes).ok().filter(|&b| b > 0)?;
        total = total.checked_add(bytes)?;
        *slot = Segment {
            address,
            length: piece,
        };
    }
    (total == length).then_some(n)
}

impl Adapter {
    /// The context `MiniportProcessSGList` receives: this adapter.
    fn sg_context(&self) -> sys::PVOID {
        core::ptr::from_ref(self).cast_mut().cast()
    }

    /// Posts the mapped frame ([`SgStage::Mapped`]): one descriptor per list element. False
    /// when fewer descriptors are free than it needs (it waits, mapped, and goes first once
    /// the reclaim frees them). A list that cannot describe the frame (more than
    /// [`MAX_TX_SEGMENTS`] elements, an element too long for a descriptor, a length other
    /// than the frame's) fails the frame with `NDIS_STATUS_FAILURE`, counted as a transmit
    /// error.
    pub(super) fn post_mapped(
        &self,
        send: &mut SendState,
        mem: &DescriptorRing<'_>,
        from: Staged,
    ) -> bool {
        let slot = match from {
            Staged::Stage => &mut send.sg.stage,
            Staged::Premap => &mut send.sg.premap,
        };
        let SgStage::Mapped(mapped) = core::mem::take(slot) else {
            return false;
        };
        let posted = self.post_mapped_frame(send, mem, mapped, from);
        if posted && from == Staged::Premap {
            // The fast path's frame left its slot: the next lone frame may take it.
            self.premap_claim.store(false, Ordering::Release);
        }
        posted
    }

    /// [`Adapter::post_mapped`] for the frame taken out of its slot (put back there when the
    /// descriptors are too few).
    fn post_mapped_frame(
        &self,
        send: &mut SendState,
        mem: &DescriptorRing<'_>,
        mapped: MappedFrame,
        from: Staged,
    ) -> bool {
        let nb = mapped.frame().net_buffer();
        let length = nb.data_length();
        let mut segments = [Segment {
            address: 0,
            length: 0,
        }; MAX_TX_SEGMENTS];
        let Some(n) = segments_of(mapped.list(), length, &mut segments) else {
            crate::trace_error!("a scatter/gather list that does not describe its frame");
            self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
            send.sg
                .retired
                .push_back((mapped, sys::NDIS_STATUS_FAILURE));
            return true;
        };
        if n > usize::from(self.tx_ring.free()) {
            let slot = match from {
                Staged::Stage => &mut send.sg.stage,
                Staged::Premap => &mut send.sg.premap,
            };
            *slot = SgStage::Mapped(mapped);
            return false;
        }
        let token = TxToken {
            frame: TxFrame::Mapped(mapped),
            length: u16::try_from(length).unwrap_or(u16::MAX),
        };
        if let Err(e) = self
            .tx_ring
            .post_segments_as(&mut send.poster, mem, &segments[..n], token)
        {
            // Not reachable with enough free descriptors and checked segments.
            self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
            if let TxFrame::Mapped(mapped) = e.token.frame {
                send.sg
                    .retired
                    .push_back((mapped, sys::NDIS_STATUS_FAILURE));
            }
        }
        true
    }

    /// Asks NDIS for the list of the frame `first` names (claimed by the caller), and for the
    /// next ones' after it, as long as long frames follow. A refusal finishes the frame with
    /// NDIS's status (`NDIS_STATUS_RESOURCES`), counted as a discard, and the pump goes on.
    fn map_waiting(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        first: MapRequest,
        done: &mut SendNbls,
    ) {
        let mut request = Some(first);
        while let Some(next) = request.take() {
            self.sg_handoff.open();
            // SAFETY: the frame stays in `SgStage::Mapping`, unfinished, until its list is
            // paired with it (`accept_list`, here or in `sg_list_ready`) or this call fails
            // (below); the context is this adapter, as `MiniportProcessSGList` expects.
            let result = unsafe { self.dma.allocate_sg_list(cx, at, &next, self.sg_context()) };
            // A list NDIS delivered inside the call (the usual case) was left here by
            // `sg_list_ready`: it is posted in the same hold that ends this call's turn.
            let mut handed = self.sg_handoff.close();
            let (more, follow_up) = self.send.with_dpr(cx, at, |send, _| {
                send.sg.allocating = false;
                match result {
                    Ok(()) => self.accept_list(send, &mut handed),
                    Err(status) => {
                        crate::trace_warn!("NdisMAllocateNetBufferSGList failed: {status:#x}");
                        if let SgStage::Mapping(frame) = core::mem::take(&mut send.sg.stage) {
                            self.counters.tx_discards.fetch_add(1, Ordering::Relaxed);
                            if let Some(nbl) = SendQueue::finish(frame, status) {
                                done.push_as_is(nbl);
                            }
                        }
                    }
                }
                let more = self.pump(send, done, DPC_PUMP_BATCH);
                (more, SendFollowUp::claim(send))
            });
            if handed.is_some() {
                // NDIS broke its contract; without the NET_BUFFER the list cannot be freed.
                crate::trace_error!("a scatter/gather list for no frame being mapped");
            }
            let follow_up = if more {
                self.pump_rest(cx, at, done, follow_up)
            } else {
                follow_up
            };
            if follow_up.release {
                self.release_retired(cx, at, done);
            }
            request = follow_up.map;
        }
    }

    /// Pumps [`DPC_PUMP_BATCH`] frames per hold until the pump stops short of its limit; the
    /// last hold claims what is left to do, joined with `so_far`.
    fn pump_rest(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        done: &mut SendNbls,
        so_far: SendFollowUp,
    ) -> SendFollowUp {
        let mut follow_up = so_far;
        loop {
            let (more, last) = self.send.with_dpr(cx, at, |send, _| {
                let more = self.pump(send, done, DPC_PUMP_BATCH);
                (more, SendFollowUp::claim(send))
            });
            follow_up = last.joined(follow_up);
            if !more {
                return follow_up;
            }
        }
    }

    /// Frees the lists the follow-up names and asks for the list of the mapping it claimed.
    pub(super) fn follow_up(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        follow_up: SendFollowUp,
        done: &mut SendNbls,
    ) {
        if follow_up.release {
            self.release_retired(cx, at, done);
        }
        if let Some(first) = follow_up.map {
            self.map_waiting(cx, at, first, done);
        }
    }

    /// `MiniportProcessSGList`: the list for the frame being mapped. It is posted (or waits for
    /// descriptors, or, the adapter gone, is retired with `NDIS_STATUS_ADAPTER_REMOVED`), the
    /// frames behind it are pumped, and the next long frame's list is asked for unless this
    /// call runs inside `NdisMAllocateNetBufferSGList` (whose caller asks for it).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_process_sg_list>
    pub(crate) fn sg_list_ready(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        list: SgList,
    ) {
        self.list_ready(cx, at, list, &self.sg_handoff, Self::accept_list);
    }

    /// `MiniportProcessSGList` for a list `handoff`'s caller did not take (it came after the
    /// caller's hold): paired with its frame by `accept` in one hold of `send`, which also
    /// pumps (the rest of a long queue goes out from the DPC, once the frames posted here raise
    /// TXDW) and claims what follows.
    fn list_ready(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        list: SgList,
        handoff: &SgHandoff,
        accept: fn(&Self, &mut SendState, &mut Option<SgList>),
    ) {
        // Inside the allocate call (or before its caller looked): the caller takes it.
        let Err(list) = handoff.offer(list) else {
            return;
        };
        let mut done = SendNbls::new();
        let mut list = Some(list);
        let follow_up = self.send.with_dpr(cx, at, |send, _| {
            accept(self, send, &mut list);
            let _ = self.pump(send, &mut done, DPC_PUMP_BATCH);
            SendFollowUp::claim(send)
        });
        if list.is_some() {
            // NDIS broke its contract; without the NET_BUFFER the list cannot be freed.
            crate::trace_error!("MiniportProcessSGList: a list for no frame being mapped");
        }
        self.follow_up(cx, at, follow_up, &mut done);
        self.complete_sends(cx, done, Some(at));
        self.try_complete_pause(cx);
    }

    /// Under the `send` lock: pairs `list` (taken from the option) with the frame being mapped
    /// and makes it the next to post ([`SgStage::Mapped`]), or, the adapter gone, retires it
    /// with `NDIS_STATUS_ADAPTER_REMOVED`. Leaves the option set when no frame is being
    /// mapped.
    fn accept_list(&self, send: &mut SendState, list: &mut Option<SgList>) {
        let SgStage::Mapping(frame) = core::mem::take(&mut send.sg.stage) else {
            return;
        };
        let Some(list) = list.take() else {
            send.sg.stage = SgStage::Mapping(frame);
            return;
        };
        // SAFETY: one frame is mapped at a time, and this is the list NDIS built for the frame
        // in `Mapping` (its request was the last one made).
        let mapped = unsafe { MappedFrame::new(frame, list) };
        if send.gate == SendGate::Removed {
            self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
            send.sg
                .retired
                .push_back((mapped, sys::NDIS_STATUS_ADAPTER_REMOVED));
        } else {
            send.sg.stage = SgStage::Mapped(mapped);
        }
    }

    /// The context of the fast path's `NdisMAllocateNetBufferSGList` calls: this adapter's
    /// address with [`PREMAP_TAG`] set, so `MiniportProcessSGList` routes their lists to
    /// [`Adapter::premap_list_ready`].
    fn premap_context(&self) -> sys::PVOID {
        core::ptr::from_ref(self)
            .cast::<u8>()
            .cast_mut()
            .wrapping_add(PREMAP_TAG)
            .cast()
    }

    /// The send handler's fast path, for `accepted` holding one NBL of one long frame
    /// (`check_send` said so): if the frame can be mapped whole, nothing waits to be posted,
    /// and no other lone frame is on the fast path, the frame (its NBL taken past the queue),
    /// with the fast path claimed. Else `accepted` is left as it was.
    pub(super) fn try_premap(&self, accepted: &mut SendNbls) -> Option<InFlight> {
        if accepted.len() != 1 || !self.pipeline_idle.load(Ordering::Acquire) {
            return None;
        }
        // The only NBL: popped and pushed back leaves the chain as it was.
        let nbl = accepted.pop_front()?;
        let lone = nbl.nb_count() == 1
            && nbl.first_nb().is_some_and(|nb| {
                nb.data_length() > COPY_THRESHOLD && nb.fragments() as usize <= MAX_TX_SEGMENTS / 2
            });
        let claimed = lone
            && self
                .premap_claim
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok();
        if !claimed {
            accepted.push_as_is(nbl);
            return None;
        }
        match SendQueue::take_alone(nbl) {
            Ok(frame) => Some(frame),
            Err(nbl) => {
                self.premap_claim.store(false, Ordering::Release);
                accepted.push_as_is(nbl);
                None
            }
        }
    }

    /// The fast path: maps `frame` (`NdisMAllocateNetBufferSGList`, outside the lock), then in
    /// one hold of `send` checks the gate, puts the frame in [`SgState::premap`] and pumps,
    /// which posts it. A list NDIS delivers later goes to [`Adapter::premap_list_ready`].
    /// Finished NBLs go to `done`.
    pub(super) fn send_premapped(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        frame: InFlight,
        done: &mut SendNbls,
    ) {
        self.premap_handoff.open();
        let request = frame.map_request();
        // SAFETY: the frame stays unfinished until its list is paired with it (in the hold
        // below, or in `premap_list_ready`) or this call fails (below); the context routes
        // the list to the fast path, whose one frame this is (`premap_claim`).
        let result = unsafe {
            self.dma
                .allocate_sg_list(cx, at, &request, self.premap_context())
        };
        let (more, follow_up) = self.send.with_dpr(cx, at, |send, _| {
            // Closed inside the hold: a list that comes later finds the frame in `premap`
            // (`premap_list_ready` takes this lock).
            let handed = self.premap_handoff.close();
            self.stage_premapped(send, frame, result, handed, done);
            let more = self.pump(send, done, DPC_PUMP_BATCH);
            (more, SendFollowUp::claim(send))
        });
        let follow_up = if more {
            self.pump_rest(cx, at, done, follow_up)
        } else {
            follow_up
        };
        self.follow_up(cx, at, follow_up, done);
    }

    /// Under the `send` lock: the fast path's frame after its allocate call returned `result`
    /// and the hand-over gave `handed`. Mapped and the gate open: it waits in
    /// [`SgState::premap`] for the pump. Refused by NDIS: finished with NDIS's status. Refused
    /// by the gate: retired with the gate's status (its list freed after the hold). List still
    /// to come: it waits as [`SgStage::Mapping`], with the gate's refusal noted.
    fn stage_premapped(
        &self,
        send: &mut SendState,
        frame: InFlight,
        result: Result<(), sys::NDIS_STATUS>,
        handed: Option<SgList>,
        done: &mut SendNbls,
    ) {
        let refusal = send.gate.refusal();
        match (result, handed) {
            (Err(status), handed) => {
                if handed.is_some() {
                    // NDIS broke its contract; without a request the list cannot be freed.
                    crate::trace_error!("a scatter/gather list for a refused request");
                }
                crate::trace_warn!("NdisMAllocateNetBufferSGList failed: {status:#x}");
                self.counters.tx_discards.fetch_add(1, Ordering::Relaxed);
                if let Some(nbl) = SendQueue::finish(frame, status) {
                    done.push_as_is(nbl);
                }
                self.premap_claim.store(false, Ordering::Release);
            }
            (Ok(()), Some(list)) => {
                // SAFETY: the fast path maps one frame at a time (`premap_claim`), and this is
                // the list NDIS built for its request.
                let mapped = unsafe { MappedFrame::new(frame, list) };
                if let Some(status) = refusal {
                    self.counters.tx_discards.fetch_add(1, Ordering::Relaxed);
                    send.sg.retired.push_back((mapped, status));
                    self.premap_claim.store(false, Ordering::Release);
                } else {
                    send.sg.premap = SgStage::Mapped(mapped);
                }
            }
            (Ok(()), None) => {
                if refusal.is_some() {
                    self.counters.tx_discards.fetch_add(1, Ordering::Relaxed);
                }
                send.sg.premap = SgStage::Mapping(frame);
                send.sg.premap_refusal = refusal;
            }
        }
    }

    /// Surprise removal: the fast path's frame, if mapped and waiting for descriptors, is
    /// retired with `status` (its list freed after the hold). One still being mapped stays: its
    /// list, when it comes, finds the adapter gone. The count of frames given up.
    pub(super) fn abandon_premap(&self, send: &mut SendState, status: sys::NDIS_STATUS) -> u64 {
        match core::mem::take(&mut send.sg.premap) {
            SgStage::Mapped(mapped) => {
                send.sg.retired.push_back((mapped, status));
                self.premap_claim.store(false, Ordering::Release);
                1
            }
            other => {
                send.sg.premap = other;
                0
            }
        }
    }

    /// `MiniportProcessSGList` for a fast-path request: inside the allocate call (or before
    /// its caller's hold closed the hand-over) the list is left for the caller; later, it is
    /// paired with the frame waiting in [`SgState::premap`] and posted, or retired when the
    /// send was refused or the adapter is gone.
    pub(crate) fn premap_list_ready(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        list: SgList,
    ) {
        self.list_ready(cx, at, list, &self.premap_handoff, Self::accept_premap_list);
    }

    /// Under the `send` lock: pairs `list` with the fast path's frame in
    /// [`SgStage::Mapping`]. Leaves the option set when no such frame waits.
    fn accept_premap_list(&self, send: &mut SendState, list: &mut Option<SgList>) {
        let SgStage::Mapping(frame) = core::mem::take(&mut send.sg.premap) else {
            return;
        };
        let Some(list) = list.take() else {
            send.sg.premap = SgStage::Mapping(frame);
            return;
        };
        // SAFETY: the fast path maps one frame at a time, and this list came for its request.
        let mapped = unsafe { MappedFrame::new(frame, list) };
        let refusal = send.sg.premap_refusal.take();
        let gone = send.gate == SendGate::Removed;
        match refusal {
            Some(status) => send.sg.retired.push_back((mapped, status)),
            None if gone => {
                self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
                send.sg
                    .retired
                    .push_back((mapped, sys::NDIS_STATUS_ADAPTER_REMOVED));
            }
            None => {
                send.sg.premap = SgStage::Mapped(mapped);
                return;
            }
        }
        self.premap_claim.store(false, Ordering::Release);
    }

    /// Frees the lists of the retired frames (`NdisMFreeNetBufferSGList`, outside the lock,
    /// [`RETIRE_BATCH`] per hold) and finishes each frame with its status; NBLs with nothing
    /// left go to `done`.
    pub(super) fn release_retired(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        done: &mut SendNbls,
    ) {
        loop {
            let mut batch: [Option<(MappedFrame, sys::NDIS_STATUS)>; RETIRE_BATCH] =
                core::array::from_fn(|_| None);
            let more = self.send.with_dpr(cx, at, |send, _| {
                for slot in &mut batch {
                    let Some(retired) = send.sg.retired.pop_front() else {
                        break;
                    };
                    *slot = Some(retired);
                }
                !send.sg.retired.is_empty()
            });
            for (mapped, status) in batch.into_iter().flatten() {
                // SAFETY: a retired frame was aborted with the transmitter stopped or the
                // device gone (reset, removal), or never reached the ring: the device reads
                // none of its pages.
                let frame = unsafe { self.dma.free_sg_list(cx, at, mapped) };
                if let Some(nbl) = SendQueue::finish(frame, status) {
                    done.push_as_is(nbl);
                }
            }
            if !more {
                break;
            }
        }
    }
}
