//! The data path: sends, the ISR and its DPC, receive indications and returns, link changes,
//! and the lifecycle steps that wait on them (Pause, surprise removal, hang and reset).
//!
//! The pattern everywhere: take the locks, move NBLs between queues and rings, release the locks,
//! then make the NDIS call (completion, indication, status) with the root context, which no
//! guard can be alive to lend (`Locked<'_, Unlocked>`).

use core::ptr;
use core::sync::atomic::Ordering;

use super::adapter::{
    Adapter, BUFFER_BYTES, IrqState, MAX_FRAME, MIN_FRAME, Phase, RX_LOW_WATER, RecvLevel,
    RecvState, SendLevel, SendState, StateLevel, TxToken,
};
use super::header;
use super::hw::DescriptorRing;
use crate::e1000::{Causes, LinkStatus, MacAddress, PostRefused, bringup, interrupts};
use crate::ndis::{ReceiveNbls, ReturnedNbls, RxNbl, SendNbl, SendNbls, SendQueue};
use crate::sync::{DispatchLevel, IsrToken, Locked, Unlocked};
use crate::sys;
use crate::{trace_info, trace_warn};

/// `NDIS_LINK_SPEED_UNKNOWN`.
const LINK_SPEED_UNKNOWN: u64 = u64::MAX;

/// The destination address of the frame in packet buffer `slot` of `buffers`.
fn destination(buffers: &super::hw::SharedBlock, slot: u16) -> MacAddress {
    let mut dst = [0u8; 6];
    // SAFETY: the slot's buffer holds a frame of at least 14 bytes (checked on send, validated
    // on receive) that the driver owns now.
    unsafe {
        ptr::copy_nonoverlapping(
            buffers.virtual_at(u32::from(slot) * BUFFER_BYTES),
            dst.as_mut_ptr(),
            6,
        );
    }
    MacAddress(dst)
}

/// Why a send is refused before it reaches the NIC: an NBL without a `NET_BUFFER` is not a
/// packet (`NDIS_STATUS_INVALID_PACKET`); a `NET_BUFFER` (one Ethernet frame each) shorter
/// than a header or longer than header + MTU is `NDIS_STATUS_INVALID_LENGTH`. The whole NBL is
/// refused if any of its frames is: NDIS completes NBLs, not single `NET_BUFFER`s.
fn check_send(nbl: &SendNbl) -> Result<(), sys::NDIS_STATUS> {
    if nbl.first_nb().is_none() {
        return Err(sys::NDIS_STATUS_INVALID_PACKET);
    }
    for nb in nbl.net_buffers() {
        let length = nb.data_length();
        if !(MIN_FRAME..=MAX_FRAME).contains(&length) {
            return Err(sys::NDIS_STATUS_INVALID_LENGTH);
        }
    }
    Ok(())
}

/// Frames an NBL refused whole stands for in the discard counter (at least one).
fn frames_of(nbl: &SendNbl) -> u64 {
    u64::try_from(nbl.nb_count().max(1)).unwrap_or(u64::MAX)
}

impl Adapter {
    fn descriptors_tx(&self) -> DescriptorRing<'_> {
        DescriptorRing::new(&self.tx_desc)
    }

    fn descriptors_rx(&self) -> DescriptorRing<'_> {
        DescriptorRing::new(&self.rx_desc)
    }

    /// Completes `chain` (`NdisMSendNetBufferListsComplete`, through the gateway, which
    /// consumes it).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsendnetbufferlistscomplete>
    pub(crate) fn complete_sends(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        chain: SendNbls,
        at: Option<&DispatchLevel>,
    ) {
        self.handle.complete_sends(cx, chain, at);
    }

    /// Posts queued frames (one `NET_BUFFER` each) while descriptors are free, copying each
    /// into the TX buffer of its descriptor. An NBL whose frames all finished without reaching
    /// the ring (a copy failed) goes to `failed`.
    ///
    /// The copy runs under the `send` lock: the buffer belongs to the descriptor at the ring's
    /// tail, which only the lock holder may claim; copying outside would need a second
    /// reservation scheme for one copy of at most 1514 bytes.
    fn pump(&self, send: &mut SendState, failed: &mut SendNbls) {
        let mem = self.descriptors_tx();
        while send.ring.free() > 0 {
            let Some(frame) = send.queue.next_frame() else {
                break;
            };
            let slot = send.ring.tail();
            let offset = u32::from(slot) * BUFFER_BYTES;
            // SAFETY: the slot's buffer is the driver's (its descriptor is free, and only the
            // send lock holder claims it) and `BUFFER_BYTES` long.
            let copied = unsafe {
                frame
                    .net_buffer()
                    .copy_to(self.tx_buffers.virtual_at(offset), BUFFER_BYTES)
            };
            let Some(length) = copied else {
                // An MDL that could not be mapped (low resources): the frame is dropped.
                self.counters.tx_discards.fetch_add(1, Ordering::Relaxed);
                if let Some(nbl) = SendQueue::finish(frame, sys::NDIS_STATUS_RESOURCES) {
                    // Nothing of it is left on the ring or in the queue.
                    failed.push_as_is(nbl);
                }
                continue;
            };
            let address = self.tx_buffers.physical(offset);
            let length = u16::try_from(length).unwrap_or(u16::MAX);
            let token = TxToken {
                frame,
                slot,
                length,
            };
            if let Err(e) = send.ring.post(&mem, address, length, token) {
                // Not reachable with a free descriptor and a checked length; finish the frame
                // rather than lose it.
                debug_assert_ne!(e.reason, PostRefused::Full);
                self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
                if let Some(nbl) = SendQueue::finish(e.token.frame, sys::NDIS_STATUS_FAILURE) {
                    failed.push_as_is(nbl);
                }
            }
        }
        send.ring.doorbell(&self.regs);
    }

    /// Reclaims finished TX descriptors into `done`.
    fn reclaim(&self, send: &mut SendState, done: &mut SendNbls) {
        let mem = self.descriptors_tx();
        let SendState { ring, counters, .. } = send;
        ring.reclaim(&mem, |c| {
            let status = if c.sent() {
                let dst = destination(&self.tx_buffers, c.token.slot);
                counters.count_tx(dst, usize::from(c.token.length));
                sys::NDIS_STATUS_SUCCESS
            } else {
                self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
                sys::NDIS_STATUS_FAILURE
            };
            // Its last frame gives the NBL back, to be completed once.
            if let Some(nbl) = SendQueue::finish(c.token.frame, status) {
                done.push_as_is(nbl);
            }
        });
    }

    /// Finishes every frame on the TX ring with `status` (the NIC will never report them:
    /// reset or surprise removal); NBLs with nothing left go to `done`. The count of frames.
    fn abort_ring(send: &mut SendState, status: sys::NDIS_STATUS, done: &mut SendNbls) -> usize {
        send.ring.abort(|t| {
            if let Some(nbl) = SendQueue::finish(t.frame, status) {
                done.push_as_is(nbl);
            }
        })
    }

    /// `MiniportSendNetBufferLists`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>
    pub(crate) fn send(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        mut nbls: SendNbls,
        at: Option<&DispatchLevel>,
    ) {
        let mut refused = SendNbls::new();
        let mut accepted = SendNbls::new();
        // Outside any lock: split the chain into frames the NIC can take and the rest.
        while let Some(nbl) = nbls.pop_front() {
            match check_send(&nbl) {
                Ok(()) => accepted.push(nbl, sys::NDIS_STATUS_SUCCESS),
                Err(status) => {
                    self.counters
                        .tx_discards
                        .fetch_add(frames_of(&nbl), Ordering::Relaxed);
                    refused.push(nbl, status);
                }
            }
        }
        // Queued under `state` → `send`, so that a Pause (which sets Pausing under `state` and
        // then empties the queue under `send`) sees every NBL accepted while Running.
        let refusal = self.state.with(cx, |state, cx| {
            let refusal = if self.removed.load(Ordering::Acquire) {
                Some(sys::NDIS_STATUS_ADAPTER_REMOVED)
            } else if state.phase == Phase::Running {
                None
            } else {
                Some(sys::NDIS_STATUS_PAUSED)
            };
            self.send.with_nested(cx, |send, _| {
                while let Some(nbl) = accepted.pop_front() {
                    match refusal {
                        Some(status) => {
                            // Frames dropped unsent (paused or removed) are discards too.
                            self.counters
                                .tx_discards
                                .fetch_add(frames_of(&nbl), Ordering::Relaxed);
                            refused.push(nbl, status);
                        }
                        None => {
                            // `check_send` saw a NET_BUFFER, so the queue takes it.
                            if let Err(empty) = send.queue.push_back(nbl) {
                                refused.push(empty, sys::NDIS_STATUS_INVALID_PACKET);
                            }
                        }
                    }
                }
            });
            refusal
        });
        // The copies into TX buffers need only the `send` lock, so `state` is not held for
        // them. Whatever a Pause emptied from the queue in between is not pumped; frames
        // pumped before it are on the ring, where the Pause waits for them.
        if refusal.is_none() {
            let pump = |send: &mut SendState, _: &mut Locked<'_, SendLevel>| {
                self.pump(send, &mut refused);
            };
            match at {
                Some(at) => self.send.with_dpr(cx, at, pump),
                None => self.send.with(cx, pump),
            }
        }
        self.complete_sends(cx, refused, at);
    }

    /// `MiniportInterrupt`: one ICR read (read-to-clear). The interrupt is this NIC's only if
    /// ICR holds a cause that is enabled now (ICR also reports masked causes, and the line may
    /// be shared); then every cause is masked until the DPC has run, and NDIS queues the DPC.
    /// All ones means the device is gone (a removed PCI device reads all ones): not ours.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>
    pub(crate) fn isr(&self, token: &mut IsrToken<'_, IrqState>) -> bool {
        let icr = interrupts::take_causes(&self.regs);
        if icr.bits() == u32::MAX {
            return false;
        }
        let shared = token.data();
        // Kept even when not claimed: the read cleared them (see `IrqState::pending`).
        shared.pending = shared.pending.union(icr);
        if !icr.intersects(shared.enabled) {
            return false;
        }
        shared.enabled = Causes::NONE;
        interrupts::mask_all(&self.regs);
        self.counters.interrupts.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Enables the NIC's interrupts (IMS and the ISR's view of them) under the interrupt lock:
    /// the end of the DPC, and the end of Initialize.
    pub(crate) fn enable_interrupts(&self, cx: &mut Locked<'_, Unlocked>) {
        if self.removed.load(Ordering::Acquire) {
            return;
        }
        self.irq.synchronize(cx, |shared, _| {
            shared.enabled = Causes::DRIVER;
            interrupts::unmask(&self.regs, Causes::DRIVER);
        });
    }

    /// `MiniportEnableInterruptEx` (`DIRQL`, under the interrupt lock).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_enable_interrupt>
    pub(crate) fn enable_from_ndis(&self, token: &mut IsrToken<'_, IrqState>) {
        if self.removed.load(Ordering::Acquire) {
            return;
        }
        token.data().enabled = Causes::DRIVER;
        interrupts::unmask(&self.regs, Causes::DRIVER);
    }

    /// `MiniportDisableInterruptEx` (`DIRQL`, under the interrupt lock).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_disable_interrupt>
    pub(crate) fn disable_from_ndis(&self, token: &mut IsrToken<'_, IrqState>) {
        token.data().enabled = Causes::NONE;
        if !self.removed.load(Ordering::Acquire) {
            interrupts::mask_all(&self.regs);
        }
    }

    /// `MiniportInterruptDPC`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_interrupt_dpc>
    pub(crate) fn dpc(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        throttle: *mut sys::NDIS_RECEIVE_THROTTLE_PARAMETERS,
    ) {
        self.counters.dpcs.fetch_add(1, Ordering::Relaxed);
        let causes = self
            .irq
            .synchronize(cx, |shared, _| {
                core::mem::replace(&mut shared.pending, Causes::NONE)
            })
            .unwrap_or(Causes::NONE);
        self.transmit_done(cx, at);
        let limit = if throttle.is_null() {
            u32::MAX
        } else {
            // SAFETY: NDIS passes valid throttle parameters for this call.
            unsafe { (*throttle).MaxNblsToIndicate }
        };
        let more = self.receive(cx, at, limit);
        let called_again = more && !throttle.is_null();
        if called_again {
            // NDIS runs the DPC again for the rest.
            // SAFETY: as above.
            unsafe { (*throttle).set_MoreNblsPending(1) };
        }
        if causes.contains(Causes::LSC) {
            let link = LinkStatus::read(&self.regs);
            self.state.lock_dpr(cx, at).link = link;
            trace_info!("link {}", if link.up { "up" } else { "down" });
            self.indicate_link(cx, link);
        }
        if !called_again {
            // With MoreNblsPending set the interrupts stay masked: the next DPC call drains
            // the rest and re-enables them (receive-side throttling).
            self.enable_interrupts(cx);
        }
        self.try_complete_pause(cx);
    }

    /// Reclaims finished sends, starts queued ones, completes the finished ones.
    fn transmit_done(&self, cx: &mut Locked<'_, Unlocked>, at: &DispatchLevel) {
        let mut done = SendNbls::new();
        self.send.with_dpr(cx, at, |send, _| {
            self.reclaim(send, &mut done);
            self.pump(send, &mut done);
        });
        self.complete_sends(cx, done, Some(at));
    }

    /// Harvests up to `limit` frames and indicates them; whether more are waiting.
    fn receive(&self, cx: &mut Locked<'_, Unlocked>, at: &DispatchLevel, limit: u32) -> bool {
        // The phase is read, and this receive pass registered in `rx_outstanding` (one "pass
        // in progress" unit), under the `state` lock: a Pause, which sets Pausing under that
        // lock and completes only when `rx_outstanding` is zero, cannot complete between this
        // check and the indications below. Without the unit it could, and an indication would
        // reach NDIS after the adapter reported itself Paused.
        let running = self.state.with_dpr(cx, at, |state, _| {
            let running = state.phase == Phase::Running;
            if running {
                self.rx_outstanding.fetch_add(1, Ordering::AcqRel);
            }
            running
        });
        let more = self.harvest_and_indicate(cx, at, limit, running);
        if running {
            // The pass is over: its unit goes (indicated NBLs hold their own units); a Pause
            // waiting for it completes at the end of the DPC (`try_complete_pause`).
            self.rx_outstanding.fetch_sub(1, Ordering::AcqRel);
        }
        more
    }

    /// [`Self::receive`]'s work: harvest up to `limit` frames; indicate them if `running`,
    /// else give the buffers straight back.
    fn harvest_and_indicate(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        limit: u32,
        running: bool,
    ) -> bool {
        let mut chain = ReceiveNbls::new();
        let mut more = false;
        let low;
        {
            let mut recv = self.recv.lock_dpr(cx, at);
            let recv = &mut *recv;
            let mem = self.descriptors_rx();
            while chain.len() < limit {
                let Some(frame) = recv.ring.harvest(&mem) else {
                    break;
                };
                if !running {
                    // Paused: nothing may be indicated; the buffer goes straight back.
                    self.counters.rx_discards.fetch_add(1, Ordering::Relaxed);
                    let _ = recv.ring.repost(&mem, frame.slot);
                    continue;
                }
                let parked = recv
                    .nbls
                    .get_mut(usize::from(frame.slot))
                    .and_then(Option::take);
                let Some(mut nbl) = parked else {
                    // A slot is reposted only with its NBL back, so this cannot happen; the
                    // frame is counted as dropped and the buffer goes back, rather than lost.
                    trace_warn!("RX slot {} filled with its NBL not parked", frame.slot);
                    self.counters.rx_discards.fetch_add(1, Ordering::Relaxed);
                    let _ = recv.ring.repost(&mem, frame.slot);
                    continue;
                };
                // The MDL covers BUFFER_BYTES >= the frame length.
                nbl.set_frame_length(u32::from(frame.length));
                let dst = destination(&self.rx_buffers, frame.slot);
                recv.counters.count_rx(dst, usize::from(frame.length));
                chain.push(nbl);
            }
            if chain.len() >= limit {
                more = true;
            }
            let with_nic = recv.ring.size().descriptors() - recv.ring.held();
            low = u32::from(with_nic) < RX_LOW_WATER;
            recv.ring.doorbell(&self.regs);
        }
        if chain.is_empty() {
            return more;
        }
        if !low {
            // Counted before the call: NDIS may return them before it returns.
            self.rx_outstanding.fetch_add(chain.len(), Ordering::AcqRel);
            // NDIS owns the NBLs until `MiniportReturnNetBufferLists`: the chain is consumed.
            let _ = self.handle.indicate_receive(cx, chain, Some(at));
            return more;
        }
        // Low on buffers: indicate with NDIS_RECEIVE_FLAGS_RESOURCES in small groups; the
        // NBLs are the driver's again when each call returns and go straight back to the NIC.
        while !chain.is_empty() {
            let group = chain.split_front(RX_LOW_WATER);
            let back = self.handle.indicate_receive_resources(cx, group, Some(at));
            self.repost(cx, back, Some(at));
        }
        more
    }

    /// Parks the NBLs of returned (or RESOURCES-indicated) buffers again and gives the buffers
    /// back to the NIC.
    fn repost(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: impl IntoIterator<Item = RxNbl>,
        at: Option<&DispatchLevel>,
    ) {
        let work = |recv: &mut RecvState, _: &mut Locked<'_, RecvLevel>| {
            let mem = self.descriptors_rx();
            for nbl in nbls {
                let slot = nbl.slot();
                let parked = slot.and_then(|s| recv.nbls.get_mut(usize::from(s)));
                match parked {
                    Some(place @ None) => {
                        *place = Some(nbl);
                        if let Some(slot) = slot {
                            let _ = recv.ring.repost(&mem, slot);
                        }
                    }
                    // Not one of this driver's slots, or its slot already has its NBL: not
                    // ours to repost (and never indicated twice); NDIS keeps no claim on it.
                    _ => trace_warn!("returned NBL with unknown slot {slot:?}"),
                }
            }
            recv.ring.doorbell(&self.regs);
        };
        match at {
            Some(at) => self.recv.with_dpr(cx, at, work),
            None => self.recv.with(cx, work),
        }
    }

    /// `MiniportReturnNetBufferLists`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_return_net_buffer_lists>
    pub(crate) fn return_nbls(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: ReturnedNbls,
        at: Option<&DispatchLevel>,
    ) {
        let mut count = 0;
        self.repost(cx, nbls.inspect(|_| count += 1), at);
        self.rx_outstanding.fetch_sub(count, Ordering::AcqRel);
        self.try_complete_pause(cx);
    }

    /// Indicates `NDIS_STATUS_LINK_STATE`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>
    pub(crate) fn indicate_link(&self, cx: &mut Locked<'_, Unlocked>, link: LinkStatus) {
        let mut state = link_state(link);
        self.handle.indicate_link_state(cx, &mut state);
        crate::diag::link_state(link);
    }

    /// `MiniportRestart`: the adapter runs again.
    pub(crate) fn restart(&self, cx: &mut Locked<'_, Unlocked>) -> sys::NDIS_STATUS {
        self.state.lock(cx).phase = Phase::Running;
        sys::NDIS_STATUS_SUCCESS
    }

    /// `MiniportPause`: new sends are refused with `NDIS_STATUS_PAUSED` from now on; frames
    /// still queued (never given to the NIC) complete with `NDIS_STATUS_PAUSED` at once;
    /// frames already on the TX ring are left to finish on the wire and complete normally
    /// (the NIC sends them within microseconds, and aborting them would need a reset). Pause
    /// completes when the ring is empty and every indicated NBL is back: `NDIS_STATUS_SUCCESS`
    /// if that is already so, else `NDIS_STATUS_PENDING` and `NdisMPauseComplete` from the
    /// DPC or `MiniportReturnNetBufferLists` that finds it so. Received frames are dropped
    /// (buffers straight back to the NIC) from the moment Pause starts.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_pause>
    pub(crate) fn pause(&self, cx: &mut Locked<'_, Unlocked>) -> sys::NDIS_STATUS {
        let mut aborted = SendNbls::new();
        self.state.with(cx, |state, cx| {
            state.phase = Phase::Pausing;
            self.send.with_nested(cx, |send, _| {
                let dropped = send.queue.abandon(sys::NDIS_STATUS_PAUSED, &mut aborted);
                self.counters
                    .tx_discards
                    .fetch_add(dropped as u64, Ordering::Relaxed);
                self.reclaim(send, &mut aborted);
            });
        });
        self.complete_sends(cx, aborted, None);
        // The handler's decision, under the `state` lock: done now (SUCCESS), or PENDING and
        // left to whichever completion or return finds the adapter idle later. Deciding under
        // the lock that `try_complete_pause` also takes means no last return can slip between
        // the check and the hand-over unseen.
        self.state.with(cx, |state, cx| {
            if self.idle(cx) {
                state.phase = Phase::Paused;
                sys::NDIS_STATUS_SUCCESS
            } else {
                state.phase = Phase::PausePending;
                self.pause_pending.store(true, Ordering::Release);
                sys::NDIS_STATUS_PENDING
            }
        })
    }

    /// Nothing queued, nothing on the TX ring, no indicated NBL out (and no receive pass
    /// under way): what a Pause waits for. Called holding the `state` lock.
    fn idle(&self, cx: &mut Locked<'_, StateLevel>) -> bool {
        let idle = self
            .send
            .with_nested(cx, |send, _| send.queue.is_empty() && send.ring.is_idle());
        idle && self.rx_outstanding.load(Ordering::Acquire) == 0
    }

    /// Whether a pended pause can finish now; if so the adapter is Paused and the caller
    /// completes it with `NdisMPauseComplete`. `pause_pending` spares every completion and
    /// return the `state` lock while no pause is pending.
    fn try_complete_pause_inner(&self, cx: &mut Locked<'_, Unlocked>) -> bool {
        if !self.pause_pending.load(Ordering::Acquire) {
            return false;
        }
        self.state.with(cx, |state, cx| {
            if state.phase != Phase::PausePending || !self.idle(cx) {
                return false;
            }
            state.phase = Phase::Paused;
            self.pause_pending.swap(false, Ordering::AcqRel)
        })
    }

    /// Completes a pended Pause once nothing is outstanding (`NdisMPauseComplete`).
    pub(crate) fn try_complete_pause(&self, cx: &mut Locked<'_, Unlocked>) {
        if self.try_complete_pause_inner(cx) {
            // A pause pended, and `try_complete_pause_inner` hands its completion out once.
            self.handle.pause_complete(cx);
            crate::diag::emit(&crate::diag::events::PAUSE_COMPLETE, &[]);
        }
    }

    /// The device is gone (`NdisDevicePnPEventSurpriseRemoved`): never touch it again; frames
    /// on the TX ring will never complete, so they complete now, with
    /// `NDIS_STATUS_ADAPTER_REMOVED`, as do queued ones.
    pub(crate) fn surprise_removed(&self, cx: &mut Locked<'_, Unlocked>) {
        self.removed.store(true, Ordering::Release);
        trace_warn!("surprise removal");
        crate::diag::emit(&crate::diag::events::SURPRISE_REMOVAL, &[]);
        let mut aborted = SendNbls::new();
        self.send.with(cx, |send, _| {
            let queued = send
                .queue
                .abandon(sys::NDIS_STATUS_ADAPTER_REMOVED, &mut aborted);
            let on_ring = Self::abort_ring(send, sys::NDIS_STATUS_ADAPTER_REMOVED, &mut aborted);
            self.counters
                .tx_discards
                .fetch_add(queued as u64, Ordering::Relaxed);
            self.counters
                .tx_errors
                .fetch_add(on_ring as u64, Ordering::Relaxed);
        });
        self.complete_sends(cx, aborted, None);
        self.try_complete_pause(cx);
    }

    /// `MiniportShutdownEx`: quiet the NIC (mask interrupts, reset to stop DMA). No frees and no
    /// NDIS calls but the stall.
    pub(crate) fn shutdown(&self, cx: &mut Locked<'_, Unlocked>) {
        if self.removed.load(Ordering::Acquire) {
            return;
        }
        interrupts::mask_all(&self.regs);
        if let Err(e) = bringup::reset(&self.regs, &mut super::hw::NdisStall::new(cx)) {
            crate::trace_error!("shutdown: NIC reset failed: {e}");
        }
    }

    /// `MiniportCheckForHangEx`: TX descriptors in flight and no progress across
    /// [`super::adapter::HANG_CHECKS`] checks.
    pub(crate) fn check_for_hang(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: Option<&DispatchLevel>,
    ) -> bool {
        if self.removed.load(Ordering::Acquire) {
            return false;
        }
        // NDIS calls this every couple of seconds: a good moment to fold the NIC's 32-bit
        // read-to-clear counters into their 64-bit totals before they can wrap.
        self.accumulate_nic_statistics(cx);
        let mut done = SendNbls::new();
        let hung = self.send.with(cx, |send, _| {
            self.reclaim(send, &mut done);
            send.hang.check(&send.ring)
        });
        self.complete_sends(cx, done, at);
        if hung {
            trace_warn!("transmitter hung: asking NDIS for a reset");
            crate::diag::emit(&crate::diag::events::HANG_DETECTED, &[]);
        }
        hung
    }

    /// `MiniportResetEx`: the transmitter is reprogrammed from an empty ring. Frames it had
    /// taken complete with `NDIS_STATUS_REQUEST_ABORTED` (counted as errors); queued NBLs stay
    /// queued and go out on the fresh ring. The receiver keeps running: its buffers may be
    /// held by the stack.
    pub(crate) fn reset(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: Option<&DispatchLevel>,
    ) -> sys::NDIS_STATUS {
        self.counters.resets.fetch_add(1, Ordering::Relaxed);
        if self.removed.load(Ordering::Acquire) {
            // Nothing to reprogram (the removal already completed the ring's frames), and a
            // removed device must not be polled.
            trace_warn!("reset of a surprise-removed adapter");
            return sys::NDIS_STATUS_HARD_ERRORS;
        }
        let mut aborted = SendNbls::new();
        let status = self.send.with(cx, |send, _| {
            // Keep TCTL.EN off while the ring is rebuilt.
            let on_ring = Self::abort_ring(send, sys::NDIS_STATUS_REQUEST_ABORTED, &mut aborted);
            self.counters
                .tx_errors
                .fetch_add(on_ring as u64, Ordering::Relaxed);
            send.hang = crate::e1000::HangDetector::new(super::adapter::HANG_CHECKS);
            match bringup::program_tx(&self.regs, &mut send.ring, self.tx_desc.physical(0)) {
                Ok(()) => {
                    self.pump(send, &mut aborted);
                    sys::NDIS_STATUS_SUCCESS
                }
                Err(e) => {
                    crate::trace_error!("reset: TX reprogramming failed: {e}");
                    sys::NDIS_STATUS_HARD_ERRORS
                }
            }
        });
        self.complete_sends(cx, aborted, at);
        self.try_complete_pause(cx);
        status
    }

    /// `MiniportCancelSend`: queued NBLs with this cancel id complete with
    /// `NDIS_STATUS_SEND_ABORTED`; ones already on the ring finish normally.
    pub(crate) fn cancel_send(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        id: sys::PVOID,
        at: Option<&DispatchLevel>,
    ) {
        let mut cancelled = SendNbls::new();
        self.send.with(cx, |send, _| {
            let frames = send.queue.cancel(
                |nbl| nbl.cancel_id() == id,
                sys::NDIS_STATUS_SEND_ABORTED,
                &mut cancelled,
            );
            self.counters
                .tx_discards
                .fetch_add(frames as u64, Ordering::Relaxed);
        });
        self.complete_sends(cx, cancelled, at);
    }
}

/// The `NDIS_LINK_STATE` for `link`.
pub fn link_state(link: LinkStatus) -> sys::NDIS_LINK_STATE {
    let speed = if link.up {
        link.speed.bits_per_second()
    } else {
        LINK_SPEED_UNKNOWN
    };
    sys::NDIS_LINK_STATE {
        Header: header(
            sys::NDIS_OBJECT_TYPE_DEFAULT,
            sys::NDIS_LINK_STATE_REVISION_1,
            core::mem::size_of::<sys::NDIS_LINK_STATE>(),
        ),
        MediaConnectState: if link.up {
            sys::MediaConnectStateConnected
        } else {
            sys::MediaConnectStateDisconnected
        },
        MediaDuplexState: if !link.up {
            sys::MediaDuplexStateUnknown
        } else if link.full_duplex {
            sys::MediaDuplexStateFull
        } else {
            sys::MediaDuplexStateHalf
        },
        XmitLinkSpeed: speed,
        RcvLinkSpeed: speed,
        PauseFunctions: sys::NdisPauseFunctionsUnsupported,
        AutoNegotiationFlags: 0,
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::check_send;
    use crate::miniport::adapter::MAX_FRAME;
    use crate::miniport::test_frames::Frame;
    use crate::ndis::SendNbl;
    use crate::sys;

    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| u8::try_from(i % 251).unwrap_or(0)).collect()
    }

    /// The test's frame as an owned send NBL (the test keeps the memory alive).
    fn owned(nbl: sys::PNET_BUFFER_LIST) -> SendNbl {
        // SAFETY: a test frame's NBL, handed to one value at a time.
        unsafe { SendNbl::from_raw_for_test(nbl) }
    }

    #[test]
    fn check_send_names_the_documented_status() {
        let mut empty = Frame::empty();
        assert_eq!(
            check_send(&owned(empty.ptr())),
            Err(sys::NDIS_STATUS_INVALID_PACKET)
        );

        // Several NET_BUFFERs are several frames: accepted when each is a valid frame,
        // refused whole when one is not.
        let mut two = Frame::new(&pattern(60), 0, &[60]);
        two.add_nb(60);
        assert_eq!(check_send(&owned(two.ptr())), Ok(()));
        let mut bad_second = Frame::new(&pattern(60), 0, &[60]);
        bad_second.add_nb(10);
        assert_eq!(
            check_send(&owned(bad_second.ptr())),
            Err(sys::NDIS_STATUS_INVALID_LENGTH)
        );

        for bad in [0, 13, MAX_FRAME as usize + 1, 9000] {
            let mut f = Frame::new(&pattern(bad), 0, &[bad.max(1)]);
            assert_eq!(
                check_send(&owned(f.ptr())),
                Err(sys::NDIS_STATUS_INVALID_LENGTH),
                "{bad} bytes"
            );
        }
        for good in [14, 60, MAX_FRAME as usize] {
            let mut f = Frame::new(&pattern(good), 0, &[good]);
            assert_eq!(check_send(&owned(f.ptr())), Ok(()), "{good} bytes");
        }
    }
}
