//! The data path: sends, the ISR and its DPC, receive indications and returns, link changes,
//! and the lifecycle steps that wait on them (Pause, surprise removal, hang and reset).
//!
//! The pattern everywhere: take the locks, move NBLs between queues and rings, release the locks,
//! then make the NDIS call (completion, indication, status) with the root context, which no
//! guard can be alive to lend (`Locked<'_, Unlocked>`).

use core::ptr;
use core::sync::atomic::Ordering;

use super::adapter::{
    Adapter, BUFFER_BYTES, MAX_FRAME, MIN_FRAME, Phase, RX_LOW_WATER, SendState, TxToken,
};
use super::header;
use super::hw::DescriptorRing;
use super::queue::NblChain;
use crate::e1000::{Causes, LinkStatus, MacAddress, PostRefused, bringup, interrupts};
use crate::sync::{Dirql, DispatchLevel, Locked, Unlocked};
use crate::sys;
use crate::{trace_info, trace_warn};

/// `NDIS_LINK_SPEED_UNKNOWN`.
const LINK_SPEED_UNKNOWN: u64 = u64::MAX;

/// Copies the data of `nb` (which may start inside its first MDL and span several, some not
/// yet mapped) into `dst`; the length copied, or `None` when an MDL cannot be mapped or the
/// chain is shorter than the data length.
///
/// # Safety
/// `nb` is a valid `NET_BUFFER` the miniport owns; `dst` is valid for `capacity` bytes.
unsafe fn copy_frame(nb: sys::PNET_BUFFER, dst: *mut u8, capacity: u32) -> Option<u32> {
    // SAFETY: the caller guarantees a valid NB.
    let length = unsafe { sys::nb_data_length(nb) };
    if length > capacity {
        return None;
    }
    // SAFETY: as above.
    let mut mdl = unsafe { sys::nb_current_mdl(nb) };
    // SAFETY: as above.
    let mut offset = unsafe { sys::nb_current_mdl_offset(nb) };
    let mut written = 0;
    while written < length {
        if mdl.is_null() {
            return None;
        }
        // SAFETY: `mdl` is in the NB's chain, valid while the miniport owns the NBL.
        let va = unsafe { sys::mdl_system_address(mdl) };
        if va.is_null() {
            return None;
        }
        // SAFETY: as above.
        let count = unsafe { sys::mdl_byte_count(mdl) };
        let n = count.saturating_sub(offset).min(length - written);
        let from = va.wrapping_add(offset as usize);
        let to = dst.wrapping_add(written as usize);
        // SAFETY: `from .. + n` is inside the MDL's buffer (`offset + n <= count`); `to .. + n`
        // is inside `capacity` (`written + n <= length <= capacity`).
        unsafe { ptr::copy_nonoverlapping(from, to, n as usize) };
        written += n;
        offset = 0;
        // SAFETY: as above.
        mdl = unsafe { sys::mdl_next(mdl) };
    }
    Some(length)
}

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

/// Why a send is refused before it reaches the NIC.
fn check_send(nbl: sys::PNET_BUFFER_LIST) -> Result<(), sys::NDIS_STATUS> {
    // SAFETY: NDIS gave the miniport this NBL.
    let nb = unsafe { sys::nbl_first_nb(nbl) };
    if nb.is_null() {
        return Err(sys::NDIS_STATUS_INVALID_PACKET);
    }
    // SAFETY: `nb` is the NBL's first NET_BUFFER.
    if !unsafe { sys::nb_next(nb) }.is_null() {
        // One frame per NBL: this driver does not take several NET_BUFFERs.
        return Err(sys::NDIS_STATUS_INVALID_PACKET);
    }
    // SAFETY: as above.
    let length = unsafe { sys::nb_data_length(nb) };
    if !(MIN_FRAME..=MAX_FRAME).contains(&length) {
        return Err(sys::NDIS_STATUS_INVALID_LENGTH);
    }
    Ok(())
}

impl Adapter {
    fn descriptors_tx(&self) -> DescriptorRing<'_> {
        DescriptorRing::new(&self.tx_desc)
    }

    fn descriptors_rx(&self) -> DescriptorRing<'_> {
        DescriptorRing::new(&self.rx_desc)
    }

    /// Completes `chain` (`NdisMSendNetBufferListsComplete`).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsendnetbufferlistscomplete>
    pub(crate) fn complete_sends(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        chain: &NblChain,
        at: Option<&DispatchLevel>,
    ) {
        let _ = cx;
        if chain.is_empty() {
            return;
        }
        let flags = if at.is_some() {
            sys::NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
        } else {
            0
        };
        // SAFETY: every NBL of the chain was sent to this miniport and is completed once; no
        // spin lock is held (root context).
        unsafe { sys::NdisMSendNetBufferListsComplete(self.handle, chain.head(), flags) };
    }

    /// Posts queued NBLs while descriptors are free, copying each frame into the TX buffer of
    /// its descriptor. Frames that cannot be copied go to `failed`.
    fn pump(&self, send: &mut SendState, failed: &mut NblChain) {
        let mem = self.descriptors_tx();
        while send.ring.free() > 0 {
            let Some(nbl) = send.queue.pop_front() else {
                break;
            };
            let slot = send.ring.tail();
            let offset = u32::from(slot) * BUFFER_BYTES;
            // SAFETY: the miniport owns the NBL until it completes it.
            let nb = unsafe { sys::nbl_first_nb(nbl) };
            // SAFETY: the NBL passed `check_send`; the slot's buffer is the driver's (its
            // descriptor is free) and `BUFFER_BYTES` long.
            let copied =
                unsafe { copy_frame(nb, self.tx_buffers.virtual_at(offset), BUFFER_BYTES) };
            let Some(length) = copied else {
                self.counters.tx_discards.fetch_add(1, Ordering::Relaxed);
                // SAFETY: the miniport owns the NBL until it completes it.
                unsafe { failed.push(nbl, sys::NDIS_STATUS_RESOURCES) };
                continue;
            };
            let address = self.tx_buffers.physical(offset);
            let length16 = u16::try_from(length).unwrap_or(u16::MAX);
            let token = TxToken {
                nbl: nbl as usize,
                slot,
            };
            if let Err(e) = send.ring.post(&mem, address, length16, token) {
                // Not reachable with a free descriptor and a checked length; complete rather
                // than lose the NBL.
                debug_assert_ne!(e.reason, PostRefused::Full);
                // SAFETY: as above.
                unsafe { failed.push(nbl, sys::NDIS_STATUS_FAILURE) };
            }
        }
        send.ring.doorbell(&self.regs);
    }

    /// Reclaims finished TX descriptors into `done`.
    fn reclaim(&self, send: &mut SendState, done: &mut NblChain) {
        let mem = self.descriptors_tx();
        let SendState { ring, counters, .. } = send;
        ring.reclaim(&mem, |c| {
            let nbl = c.token.nbl as sys::PNET_BUFFER_LIST;
            let status = if c.sent() {
                let (dst, length) = self.sent_frame(nbl, c.token.slot);
                counters.count_tx(dst, length);
                sys::NDIS_STATUS_SUCCESS
            } else {
                self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
                sys::NDIS_STATUS_FAILURE
            };
            // SAFETY: the token is the NBL posted for this descriptor; the miniport owns it.
            unsafe { done.push(nbl, status) };
        });
    }

    /// The destination and length of the frame `nbl` sent from TX buffer `slot`.
    fn sent_frame(&self, nbl: sys::PNET_BUFFER_LIST, slot: u16) -> (MacAddress, usize) {
        // SAFETY: the NBL is the miniport's until completed; it passed `check_send`.
        let nb = unsafe { sys::nbl_first_nb(nbl) };
        // SAFETY: as above.
        let length = unsafe { sys::nb_data_length(nb) };
        (destination(&self.tx_buffers, slot), length as usize)
    }

    /// `MiniportSendNetBufferLists`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>
    pub(crate) fn send(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        mut nbl: sys::PNET_BUFFER_LIST,
        at: Option<&DispatchLevel>,
    ) {
        let mut refused = NblChain::new();
        let mut accepted = NblChain::new();
        // Outside any lock: split the chain into frames the NIC can take and the rest.
        while !nbl.is_null() {
            // SAFETY: NDIS gave the miniport this chain.
            let next = unsafe { sys::nbl_next(nbl) };
            match check_send(nbl) {
                // SAFETY: the miniport owns the NBL now.
                Ok(()) => unsafe { accepted.push(nbl, sys::NDIS_STATUS_SUCCESS) },
                Err(status) => {
                    self.counters.tx_discards.fetch_add(1, Ordering::Relaxed);
                    // SAFETY: as above.
                    unsafe { refused.push(nbl, status) };
                }
            }
            nbl = next;
        }
        {
            let mut state = self.state.lock(cx);
            let (state, cx, at_dispatch) = state.parts();
            let refusal = if self.removed.load(Ordering::Acquire) {
                Some(sys::NDIS_STATUS_ADAPTER_REMOVED)
            } else if state.phase == Phase::Running {
                None
            } else {
                Some(sys::NDIS_STATUS_PAUSED)
            };
            let mut send = self.send.lock_dpr(cx, at_dispatch);
            let mut nbl = accepted.head();
            while !nbl.is_null() {
                // SAFETY: the chain's NBLs are the miniport's.
                let next = unsafe { sys::nbl_next(nbl) };
                match refusal {
                    // SAFETY: as above; the chain no longer links it once requeued.
                    Some(status) => unsafe { refused.push(nbl, status) },
                    // SAFETY: as above.
                    None => unsafe { send.queue.push_back(nbl) },
                }
                nbl = next;
            }
            if refusal.is_none() {
                self.pump(&mut send, &mut refused);
            }
        }
        self.complete_sends(cx, &refused, at);
    }

    /// `MiniportInterrupt`: one ICR read (read-to-clear); ours only if it holds a cause this
    /// driver enabled (ICR also reports masked causes, and the line may be shared).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>
    pub(crate) fn isr(&self, token: &mut Dirql) -> bool {
        let icr = interrupts::take_causes(&self.regs);
        if icr.bits() == u32::MAX || !icr.intersects(Causes::DRIVER) {
            // All ones: the device is gone; nothing of ours.
            return false;
        }
        let saved = self.irq.isr(token);
        *saved = saved.union(icr);
        interrupts::mask_all(&self.regs);
        self.counters.interrupts.fetch_add(1, Ordering::Relaxed);
        true
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
            .synchronize(cx, |saved, _| core::mem::replace(saved, Causes::NONE))
            .unwrap_or(Causes::NONE);
        self.transmit_done(cx, at);
        let limit = if throttle.is_null() {
            u32::MAX
        } else {
            // SAFETY: NDIS passes valid throttle parameters for this call.
            unsafe { (*throttle).MaxNblsToIndicate }
        };
        let more = self.receive(cx, at, limit);
        if more && !throttle.is_null() {
            // NDIS runs the DPC again for the rest.
            // SAFETY: as above.
            unsafe { (*throttle).MoreNblsPending = 1 };
        }
        if causes.contains(Causes::LSC) {
            let link = LinkStatus::read(&self.regs);
            self.state.lock_dpr(cx, at).link = link;
            trace_info!("link {}", if link.up { "up" } else { "down" });
            self.indicate_link(cx, link);
        }
        if !self.removed.load(Ordering::Acquire) {
            self.irq.synchronize(cx, |_, _| {
                interrupts::unmask(&self.regs, Causes::DRIVER);
            });
        }
        self.try_complete_pause(cx);
    }

    /// Reclaims finished sends, starts queued ones, completes the finished ones.
    fn transmit_done(&self, cx: &mut Locked<'_, Unlocked>, at: &DispatchLevel) {
        let mut done = NblChain::new();
        {
            let mut send = self.send.lock_dpr(cx, at);
            self.reclaim(&mut send, &mut done);
            self.pump(&mut send, &mut done);
        }
        self.complete_sends(cx, &done, Some(at));
    }

    /// Harvests up to `limit` frames and indicates them; whether more are waiting.
    fn receive(&self, cx: &mut Locked<'_, Unlocked>, at: &DispatchLevel, limit: u32) -> bool {
        let running = self.state.lock_dpr(cx, at).phase == Phase::Running;
        let mut chain = NblChain::new();
        let mut more = false;
        let low;
        {
            let mut recv = self.recv.lock_dpr(cx, at);
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
                let buffer = self.rx[usize::from(frame.slot)];
                let nb = {
                    // SAFETY: the NBL is the driver's while its slot is held.
                    unsafe { sys::nbl_first_nb(buffer.nbl) }
                };
                // SAFETY: as above; the MDL covers BUFFER_BYTES >= the frame length.
                unsafe { sys::set_nb_data_length(nb, u32::from(frame.length)) };
                let dst = destination(&self.rx_buffers, frame.slot);
                recv.counters.count_rx(dst, usize::from(frame.length));
                // SAFETY: as above.
                unsafe { chain.push(buffer.nbl, sys::NDIS_STATUS_SUCCESS) };
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
            self.rx_outstanding.fetch_add(chain.len(), Ordering::AcqRel);
            // SAFETY: the chain's NBLs are the driver's RX NBLs, each describing one frame; no
            // spin lock is held.
            unsafe { self.indicate(chain.head(), chain.len(), 0) };
            return more;
        }
        // Low on buffers: indicate with NDIS_RECEIVE_FLAGS_RESOURCES in small groups, each
        // remembered here, since the chain links are NDIS's to touch during the call; the
        // NBLs are the driver's again when the call returns and go straight back to the NIC.
        let mut next = chain.head();
        while !next.is_null() {
            let mut group = [ptr::null_mut(); RX_LOW_WATER as usize];
            let mut n = 0;
            while n < group.len() && !next.is_null() {
                group[n] = next;
                // SAFETY: the NBL is the driver's (harvested, not yet indicated).
                next = unsafe { sys::nbl_next(next) };
                n += 1;
            }
            // SAFETY: as above: cut the group off the rest of the chain.
            unsafe { sys::set_nbl_next(group[n - 1], ptr::null_mut()) };
            // SAFETY: as above.
            unsafe {
                self.indicate(
                    group[0],
                    u32::try_from(n).unwrap_or(0),
                    sys::NDIS_RECEIVE_FLAGS_RESOURCES,
                );
            }
            self.repost(cx, group[..n].iter().copied(), Some(at));
        }
        more
    }

    /// `NdisMIndicateReceiveNetBufferLists` at `DISPATCH_LEVEL` with `extra` flags.
    ///
    /// # Safety
    /// `head` starts a chain of `count` of the driver's RX NBLs, each describing one frame.
    unsafe fn indicate(&self, head: sys::PNET_BUFFER_LIST, count: u32, extra: sys::ULONG) {
        // SAFETY: per the caller; called with no spin lock held (after the locks' scope).
        unsafe {
            sys::NdisMIndicateReceiveNetBufferLists(
                self.handle,
                head,
                sys::NDIS_DEFAULT_PORT_NUMBER,
                count,
                sys::NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL | extra,
            );
        }
    }

    /// Gives the buffers of returned (or RESOURCES-indicated) NBLs back to the NIC.
    fn repost(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: impl Iterator<Item = sys::PNET_BUFFER_LIST>,
        at: Option<&DispatchLevel>,
    ) {
        let work = |recv: &mut super::adapter::RecvState| {
            let mem = self.descriptors_rx();
            for nbl in nbls {
                // SAFETY: the NBL is the driver's again; slot 0 of MiniportReserved holds its
                // buffer's slot.
                let slot = unsafe { sys::nbl_miniport_reserved(nbl, 0) } as usize;
                if u16::try_from(slot)
                    .ok()
                    .and_then(|s| recv.ring.repost(&mem, s).ok())
                    .is_none()
                {
                    trace_warn!("returned NBL with unknown slot {slot}");
                }
            }
            recv.ring.doorbell(&self.regs);
        };
        match at {
            Some(at) => work(&mut self.recv.lock_dpr(cx, at)),
            None => work(&mut self.recv.lock(cx)),
        }
    }

    /// `MiniportReturnNetBufferLists`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_return_net_buffer_lists>
    pub(crate) fn return_nbls(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        nbl: sys::PNET_BUFFER_LIST,
        at: Option<&DispatchLevel>,
    ) {
        let mut count = 0;
        let chain = core::iter::successors((!nbl.is_null()).then_some(nbl), |&n| {
            // SAFETY: NDIS returned this chain to the driver; the links are valid.
            let next = unsafe { sys::nbl_next(n) };
            (!next.is_null()).then_some(next)
        })
        .inspect(|_| count += 1);
        self.repost(cx, chain, at);
        self.rx_outstanding.fetch_sub(count, Ordering::AcqRel);
        self.try_complete_pause(cx);
    }

    /// Indicates `NDIS_STATUS_LINK_STATE`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>
    pub(crate) fn indicate_link(&self, cx: &mut Locked<'_, Unlocked>, link: LinkStatus) {
        let _ = cx;
        let mut state = link_state(link);
        let mut indication = sys::NDIS_STATUS_INDICATION {
            Header: header(
                sys::NDIS_OBJECT_TYPE_STATUS_INDICATION,
                sys::NDIS_STATUS_INDICATION_REVISION_1,
                core::mem::size_of::<sys::NDIS_STATUS_INDICATION>(),
            ),
            SourceHandle: self.handle,
            StatusCode: sys::NDIS_STATUS_LINK_STATE,
            StatusBuffer: (&raw mut state).cast(),
            StatusBufferSize: u32::try_from(core::mem::size_of::<sys::NDIS_LINK_STATE>())
                .unwrap_or(0),
            ..Default::default()
        };
        // SAFETY: the indication and its payload live across the call; no spin lock held.
        unsafe { sys::NdisMIndicateStatusEx(self.handle, &raw mut indication) };
    }

    /// `MiniportRestart`: the adapter runs again.
    pub(crate) fn restart(&self, cx: &mut Locked<'_, Unlocked>) -> sys::NDIS_STATUS {
        self.state.lock(cx).phase = Phase::Running;
        sys::NDIS_STATUS_SUCCESS
    }

    /// `MiniportPause`: new sends are refused from now on; queued sends complete with
    /// `NDIS_STATUS_PAUSED`; Pause completes when the ring is empty and every indicated NBL is
    /// back (PENDING until then, completed by the DPC or the return handler).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_pause>
    pub(crate) fn pause(&self, cx: &mut Locked<'_, Unlocked>) -> sys::NDIS_STATUS {
        let mut aborted = NblChain::new();
        {
            let mut state = self.state.lock(cx);
            let (state, cx, at) = state.parts();
            state.phase = Phase::Pausing;
            let mut send = self.send.lock_dpr(cx, at);
            while let Some(nbl) = send.queue.pop_front() {
                // SAFETY: queued NBLs are the miniport's.
                unsafe { aborted.push(nbl, sys::NDIS_STATUS_PAUSED) };
            }
            self.reclaim(&mut send, &mut aborted);
        }
        self.complete_sends(cx, &aborted, None);
        self.pause_pending.store(true, Ordering::Release);
        if self.try_complete_pause_inner(cx) {
            sys::NDIS_STATUS_SUCCESS
        } else {
            sys::NDIS_STATUS_PENDING
        }
    }

    /// Whether the pause can finish now; if so the adapter is Paused and the pause no longer
    /// pending (the caller reports it: synchronously or with `NdisMPauseComplete`).
    fn try_complete_pause_inner(&self, cx: &mut Locked<'_, Unlocked>) -> bool {
        if !self.pause_pending.load(Ordering::Acquire) {
            return false;
        }
        let mut state = self.state.lock(cx);
        let (state, cx, at) = state.parts();
        if state.phase != Phase::Pausing {
            return false;
        }
        let idle = {
            let send = self.send.lock_dpr(cx, at);
            send.queue.is_empty() && send.ring.is_idle()
        };
        if !idle || self.rx_outstanding.load(Ordering::Acquire) != 0 {
            return false;
        }
        state.phase = Phase::Paused;
        self.pause_pending.swap(false, Ordering::AcqRel)
    }

    /// Completes a pended Pause once nothing is outstanding (`NdisMPauseComplete`).
    pub(crate) fn try_complete_pause(&self, cx: &mut Locked<'_, Unlocked>) {
        if self.try_complete_pause_inner(cx) {
            // SAFETY: a pause pended and is completed once; no spin lock held.
            unsafe { sys::NdisMPauseComplete(self.handle) };
        }
    }

    /// The device is gone (`NdisDevicePnPEventSurpriseRemoved`): never touch it again; frames
    /// on the TX ring will never complete, so they complete now, with
    /// `NDIS_STATUS_ADAPTER_REMOVED`, as do queued ones.
    pub(crate) fn surprise_removed(&self, cx: &mut Locked<'_, Unlocked>) {
        self.removed.store(true, Ordering::Release);
        trace_warn!("surprise removal");
        let mut aborted = NblChain::new();
        {
            let mut send = self.send.lock(cx);
            while let Some(nbl) = send.queue.pop_front() {
                // SAFETY: queued NBLs are the miniport's.
                unsafe { aborted.push(nbl, sys::NDIS_STATUS_ADAPTER_REMOVED) };
            }
            send.ring.abort(|t| {
                // SAFETY: ring tokens are the miniport's NBLs.
                unsafe { aborted.push(t.nbl as _, sys::NDIS_STATUS_ADAPTER_REMOVED) };
            });
        }
        self.counters
            .tx_errors
            .fetch_add(u64::from(aborted.len()), Ordering::Relaxed);
        self.complete_sends(cx, &aborted, None);
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
    pub(crate) fn check_for_hang(&self, cx: &mut Locked<'_, Unlocked>) -> bool {
        if self.removed.load(Ordering::Acquire) {
            return false;
        }
        let mut done = NblChain::new();
        let hung = {
            let mut send = self.send.lock(cx);
            self.reclaim(&mut send, &mut done);
            let send = &mut *send;
            send.hang.check(&send.ring)
        };
        self.complete_sends(cx, &done, None);
        if hung {
            trace_warn!("transmitter hung: asking NDIS for a reset");
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
        let mut aborted = NblChain::new();
        let status = {
            let mut send = self.send.lock(cx);
            let send = &mut *send;
            // Keep TCTL.EN off while the ring is rebuilt.
            send.ring.abort(|t| {
                // SAFETY: ring tokens are the miniport's NBLs.
                unsafe { aborted.push(t.nbl as _, sys::NDIS_STATUS_REQUEST_ABORTED) };
            });
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
        };
        self.counters
            .tx_errors
            .fetch_add(u64::from(aborted.len()), Ordering::Relaxed);
        self.complete_sends(cx, &aborted, at);
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
        let mut cancelled = NblChain::new();
        {
            let mut send = self.send.lock(cx);
            send.queue.remove_if(
                // SAFETY: queued NBLs are the miniport's.
                |nbl| unsafe { sys::nbl_cancel_id(nbl) } == id,
                // SAFETY: removed from the queue, still the miniport's.
                |nbl| unsafe { cancelled.push(nbl, sys::NDIS_STATUS_SEND_ABORTED) },
            );
        }
        self.complete_sends(cx, &cancelled, at);
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
