//! The data path: sends, the ISR and its DPC, receive indications and returns, link changes,
//! and the lifecycle steps that wait on them (Pause, surprise removal, hang and reset).
//!
//! The pattern everywhere: take the locks, move NBLs between queues and rings, release the locks,
//! then make the NDIS call (completion, indication, status) with the root context, which no
//! guard can be alive to lend (`Locked<'_, Unlocked>`).

use core::ptr;
use core::sync::atomic::Ordering;

use super::adapter::{
    Adapter, BUFFER_BYTES, MAX_FRAME, MIN_FRAME, Phase, RX_LOW_WATER, SendState, StateLevel,
    TxToken,
};
use super::header;
use super::hw::DescriptorRing;
use super::queue::{NblChain, finish_nbs, nb_count};
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

/// Why a send is refused before it reaches the NIC: an NBL without a `NET_BUFFER` is not a
/// packet (`NDIS_STATUS_INVALID_PACKET`); a `NET_BUFFER` (one Ethernet frame each) shorter
/// than a header or longer than header + MTU is `NDIS_STATUS_INVALID_LENGTH`. The whole NBL is
/// refused if any of its frames is: NDIS completes NBLs, not single `NET_BUFFER`s.
fn check_send(nbl: sys::PNET_BUFFER_LIST) -> Result<(), sys::NDIS_STATUS> {
    // SAFETY: NDIS gave the miniport this NBL.
    let mut nb = unsafe { sys::nbl_first_nb(nbl) };
    if nb.is_null() {
        return Err(sys::NDIS_STATUS_INVALID_PACKET);
    }
    while !nb.is_null() {
        // SAFETY: `nb` is in the NBL's list.
        let length = unsafe { sys::nb_data_length(nb) };
        if !(MIN_FRAME..=MAX_FRAME).contains(&length) {
            return Err(sys::NDIS_STATUS_INVALID_LENGTH);
        }
        // SAFETY: as above.
        nb = unsafe { sys::nb_next(nb) };
    }
    Ok(())
}

/// Frames an NBL refused whole stands for in the discard counter (at least one).
fn frames_of(nbl: sys::PNET_BUFFER_LIST) -> u64 {
    // SAFETY: the NBL is the miniport's until it completes it.
    let n = unsafe { nb_count(nbl) };
    u64::try_from(n.max(1)).unwrap_or(u64::MAX)
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

    /// Posts queued frames (one `NET_BUFFER` each) while descriptors are free, copying each
    /// into the TX buffer of its descriptor. An NBL whose frames all finished without reaching
    /// the ring (a copy failed) goes to `failed`.
    ///
    /// The copy runs under the `send` lock: the buffer belongs to the descriptor at the ring's
    /// tail, which only the lock holder may claim; copying outside would need a second
    /// reservation scheme for one copy of at most 1514 bytes.
    fn pump(&self, send: &mut SendState, failed: &mut NblChain) {
        let mem = self.descriptors_tx();
        while send.ring.free() > 0 {
            let Some((nbl, nb)) = send.queue.next_frame() else {
                break;
            };
            let slot = send.ring.tail();
            let offset = u32::from(slot) * BUFFER_BYTES;
            // SAFETY: the NBL passed `check_send` and is the miniport's; the slot's buffer is
            // the driver's (its descriptor is free) and `BUFFER_BYTES` long.
            let copied =
                unsafe { copy_frame(nb, self.tx_buffers.virtual_at(offset), BUFFER_BYTES) };
            let Some(length) = copied else {
                // An MDL that could not be mapped (low resources): the frame is dropped.
                self.counters.tx_discards.fetch_add(1, Ordering::Relaxed);
                // SAFETY: an accepted NBL with this frame unfinished.
                if unsafe { finish_nbs(nbl, 1, sys::NDIS_STATUS_RESOURCES) } {
                    // SAFETY: nothing of it is left on the ring or in the queue.
                    unsafe { failed.push_as_is(nbl) };
                }
                continue;
            };
            let address = self.tx_buffers.physical(offset);
            let token = TxToken {
                nbl: nbl as usize,
                slot,
                length: u16::try_from(length).unwrap_or(u16::MAX),
            };
            if let Err(e) = send.ring.post(&mem, address, token.length, token) {
                // Not reachable with a free descriptor and a checked length; finish the frame
                // rather than lose it.
                debug_assert_ne!(e.reason, PostRefused::Full);
                self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
                // SAFETY: as above.
                if unsafe { finish_nbs(nbl, 1, sys::NDIS_STATUS_FAILURE) } {
                    // SAFETY: as above.
                    unsafe { failed.push_as_is(nbl) };
                }
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
                let dst = destination(&self.tx_buffers, c.token.slot);
                counters.count_tx(dst, usize::from(c.token.length));
                sys::NDIS_STATUS_SUCCESS
            } else {
                self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
                sys::NDIS_STATUS_FAILURE
            };
            // SAFETY: the token is the NBL posted for this descriptor; the miniport owns it
            // and this frame is one of its unfinished ones.
            if unsafe { finish_nbs(nbl, 1, status) } {
                // SAFETY: its last frame: complete it once.
                unsafe { done.push_as_is(nbl) };
            }
        });
    }

    /// Finishes every frame on the TX ring with `status` (the NIC will never report them:
    /// reset or surprise removal); NBLs with nothing left go to `done`. The count of frames.
    fn abort_ring(send: &mut SendState, status: sys::NDIS_STATUS, done: &mut NblChain) -> usize {
        send.ring.abort(|t| {
            let nbl = t.nbl as sys::PNET_BUFFER_LIST;
            // SAFETY: ring tokens are accepted NBLs with this frame unfinished.
            if unsafe { finish_nbs(nbl, 1, status) } {
                // SAFETY: its last frame: complete it once.
                unsafe { done.push_as_is(nbl) };
            }
        })
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
                    self.counters
                        .tx_discards
                        .fetch_add(frames_of(nbl), Ordering::Relaxed);
                    // SAFETY: as above.
                    unsafe { refused.push(nbl, status) };
                }
            }
            nbl = next;
        }
        // Queued under `state` → `send`, so that a Pause (which sets Pausing under `state` and
        // then empties the queue under `send`) sees every NBL accepted while Running.
        let refusal = {
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
                    Some(status) => {
                        // Frames dropped unsent (paused or removed) are discards too.
                        self.counters
                            .tx_discards
                            .fetch_add(frames_of(nbl), Ordering::Relaxed);
                        // SAFETY: as above; the chain no longer links it once requeued.
                        unsafe { refused.push(nbl, status) };
                    }
                    // SAFETY: as above; `check_send` saw a NET_BUFFER.
                    None => unsafe { send.queue.push_back(nbl) },
                }
                nbl = next;
            }
            refusal
        };
        // The copies into TX buffers need only the `send` lock, so `state` is not held for
        // them. Whatever a Pause emptied from the queue in between is not pumped; frames
        // pumped before it are on the ring, where the Pause waits for them.
        if refusal.is_none() {
            let mut pump = |send: &mut SendState| self.pump(send, &mut refused);
            match at {
                Some(at) => pump(&mut self.send.lock_dpr(cx, at)),
                None => pump(&mut self.send.lock(cx)),
            }
        }
        self.complete_sends(cx, &refused, at);
    }

    /// `MiniportInterrupt`: one ICR read (read-to-clear). The interrupt is this NIC's only if
    /// ICR holds a cause that is enabled now (ICR also reports masked causes, and the line may
    /// be shared); then every cause is masked until the DPC has run, and NDIS queues the DPC.
    /// All ones means the device is gone (a removed PCI device reads all ones): not ours.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>
    pub(crate) fn isr(&self, token: &mut Dirql) -> bool {
        let icr = interrupts::take_causes(&self.regs);
        if icr.bits() == u32::MAX {
            return false;
        }
        let shared = self.irq.isr(token);
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
    pub(crate) fn enable_from_ndis(&self, token: &mut Dirql) {
        if self.removed.load(Ordering::Acquire) {
            return;
        }
        self.irq.isr(token).enabled = Causes::DRIVER;
        interrupts::unmask(&self.regs, Causes::DRIVER);
    }

    /// `MiniportDisableInterruptEx` (`DIRQL`, under the interrupt lock).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_disable_interrupt>
    pub(crate) fn disable_from_ndis(&self, token: &mut Dirql) {
        self.irq.isr(token).enabled = Causes::NONE;
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
        if more && !throttle.is_null() {
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
        self.enable_interrupts(cx);
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
        // The phase is read, and this receive pass registered in `rx_outstanding` (one "pass
        // in progress" unit), under the `state` lock: a Pause, which sets Pausing under that
        // lock and completes only when `rx_outstanding` is zero, cannot complete between this
        // check and the indications below. Without the unit it could, and an indication would
        // reach NDIS after the adapter reported itself Paused.
        let running = {
            let state = self.state.lock_dpr(cx, at);
            let running = state.phase == Phase::Running;
            if running {
                self.rx_outstanding.fetch_add(1, Ordering::AcqRel);
            }
            running
        };
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
        let mut aborted = NblChain::new();
        {
            let mut state = self.state.lock(cx);
            let (state, cx, at) = state.parts();
            state.phase = Phase::Pausing;
            let mut send = self.send.lock_dpr(cx, at);
            let dropped = send.queue.abandon(sys::NDIS_STATUS_PAUSED, &mut aborted);
            self.counters
                .tx_discards
                .fetch_add(dropped as u64, Ordering::Relaxed);
            self.reclaim(&mut send, &mut aborted);
        }
        self.complete_sends(cx, &aborted, None);
        // The handler's decision, under the `state` lock: done now (SUCCESS), or PENDING and
        // left to whichever completion or return finds the adapter idle later. Deciding under
        // the lock that `try_complete_pause` also takes means no last return can slip between
        // the check and the hand-over unseen.
        let mut state = self.state.lock(cx);
        let (state, cx, at) = state.parts();
        if self.idle(cx, at) {
            state.phase = Phase::Paused;
            sys::NDIS_STATUS_SUCCESS
        } else {
            state.phase = Phase::PausePending;
            self.pause_pending.store(true, Ordering::Release);
            sys::NDIS_STATUS_PENDING
        }
    }

    /// Nothing queued, nothing on the TX ring, no indicated NBL out (and no receive pass
    /// under way): what a Pause waits for. Called holding the `state` lock.
    fn idle(&self, cx: &mut Locked<'_, StateLevel>, at: &DispatchLevel) -> bool {
        let idle = {
            let send = self.send.lock_dpr(cx, at);
            send.queue.is_empty() && send.ring.is_idle()
        };
        idle && self.rx_outstanding.load(Ordering::Acquire) == 0
    }

    /// Whether a pended pause can finish now; if so the adapter is Paused and the caller
    /// completes it with `NdisMPauseComplete`. `pause_pending` spares every completion and
    /// return the `state` lock while no pause is pending.
    fn try_complete_pause_inner(&self, cx: &mut Locked<'_, Unlocked>) -> bool {
        if !self.pause_pending.load(Ordering::Acquire) {
            return false;
        }
        let mut state = self.state.lock(cx);
        let (state, cx, at) = state.parts();
        if state.phase != Phase::PausePending || !self.idle(cx, at) {
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
            let send = &mut *send;
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
        }
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
        let mut done = NblChain::new();
        let hung = {
            let mut send = self.send.lock(cx);
            self.reclaim(&mut send, &mut done);
            let send = &mut *send;
            send.hang.check(&send.ring)
        };
        self.complete_sends(cx, &done, at);
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
        if self.removed.load(Ordering::Acquire) {
            // Nothing to reprogram (the removal already completed the ring's frames), and a
            // removed device must not be polled.
            trace_warn!("reset of a surprise-removed adapter");
            return sys::NDIS_STATUS_HARD_ERRORS;
        }
        let mut aborted = NblChain::new();
        let status = {
            let mut send = self.send.lock(cx);
            let send = &mut *send;
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
        };
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
            let frames = send.queue.cancel(
                // SAFETY: queued NBLs are the miniport's.
                |nbl| unsafe { sys::nbl_cancel_id(nbl) } == id,
                sys::NDIS_STATUS_SEND_ABORTED,
                &mut cancelled,
            );
            self.counters
                .tx_discards
                .fetch_add(frames as u64, Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::{check_send, copy_frame};
    use crate::miniport::adapter::{BUFFER_BYTES, MAX_FRAME};
    use crate::miniport::test_frames::Frame;
    use crate::sys;

    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| u8::try_from(i % 251).unwrap_or(0)).collect()
    }

    /// Copies `frame` into a fresh TX-sized buffer; the bytes copied, or `None`.
    fn copied(frame: &mut Frame, capacity: u32) -> Option<Vec<u8>> {
        let mut dst = vec![0u8; BUFFER_BYTES as usize];
        // SAFETY: the test owns the NB and its MDLs; `dst` holds BUFFER_BYTES >= capacity.
        let n = unsafe { copy_frame(frame.first_nb(), dst.as_mut_ptr(), capacity) }?;
        dst.truncate(n as usize);
        Some(dst)
    }

    #[test]
    fn one_mdl_copies_exactly() {
        let data = pattern(60);
        let mut f = Frame::new(&data, 0, &[60]);
        assert_eq!(copied(&mut f, BUFFER_BYTES), Some(data));
    }

    #[test]
    fn data_offset_and_a_frame_spanning_three_mdls() {
        let data = pattern(1514);
        // 100 bytes of someone else's data first; MDLs of 150, 1, and the rest.
        let mut f = Frame::new(&data, 100, &[150, 1]);
        assert_eq!(copied(&mut f, BUFFER_BYTES), Some(data));
    }

    #[test]
    fn offset_that_ends_the_first_mdl_starts_in_the_second() {
        let data = pattern(64);
        // The whole first MDL is before the data (CurrentMdlOffset == ByteCount).
        let mut f = Frame::new(&data, 32, &[32, 10, 10]);
        assert_eq!(copied(&mut f, BUFFER_BYTES), Some(data));
    }

    #[test]
    fn a_chain_shorter_than_the_data_length_is_refused() {
        let data = pattern(60);
        let mut f = Frame::new(&data, 0, &[30, 30]);
        f.set_length(61);
        assert_eq!(copied(&mut f, BUFFER_BYTES), None);
    }

    #[test]
    fn a_frame_larger_than_the_buffer_is_refused_before_copying() {
        let data = pattern(200);
        let mut f = Frame::new(&data, 0, &[200]);
        assert_eq!(copied(&mut f, 199), None);
        assert_eq!(copied(&mut f, 200), Some(data));
    }

    #[test]
    fn check_send_names_the_documented_status() {
        let mut empty = Frame::empty();
        assert_eq!(
            check_send(empty.ptr()),
            Err(sys::NDIS_STATUS_INVALID_PACKET)
        );

        // Several NET_BUFFERs are several frames: accepted when each is a valid frame,
        // refused whole when one is not.
        let mut two = Frame::new(&pattern(60), 0, &[60]);
        two.add_nb(60);
        assert_eq!(check_send(two.ptr()), Ok(()));
        let mut bad_second = Frame::new(&pattern(60), 0, &[60]);
        bad_second.add_nb(10);
        assert_eq!(
            check_send(bad_second.ptr()),
            Err(sys::NDIS_STATUS_INVALID_LENGTH)
        );

        for bad in [0, 13, MAX_FRAME as usize + 1, 9000] {
            let mut f = Frame::new(&pattern(bad), 0, &[bad.max(1)]);
            assert_eq!(
                check_send(f.ptr()),
                Err(sys::NDIS_STATUS_INVALID_LENGTH),
                "{bad} bytes"
            );
        }
        for good in [14, 60, MAX_FRAME as usize] {
            let mut f = Frame::new(&pattern(good), 0, &[good]);
            assert_eq!(check_send(f.ptr()), Ok(()), "{good} bytes");
        }
    }
}
