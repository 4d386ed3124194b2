//! The send path: `MiniportSendNetBufferLists`, `MiniportCancelSend`, and the TX ring's
//! reclaim and pump (shared with the DPC, Pause, reset and removal).
//!
//! The pattern: take the `send` lock once, move NBLs between queue and ring, release it, then
//! complete what finished with the root context (`Locked<'_, Unlocked>`), which no guard can
//! be alive to lend.

use core::sync::atomic::{Ordering, fence};

use super::super::hw::DescriptorRing;
use super::reclaim::TxClaim;
use super::send_sg::{SendFollowUp, Staged};
use super::{
    Adapter, BUFFER_BYTES, COPY_THRESHOLD, MAX_FRAME, MAX_TX_SEGMENTS, MIN_FRAME, SendLevel,
    SendState, SgStage, TxFrame, TxToken,
};
use crate::e1000::PostRefused;
use crate::ndis::{InFlight, SendNbl, SendNbls, SendQueue};
use crate::sync::{DispatchLevel, Locked, Unlocked, at_dispatch_level};
use crate::sys;

/// Frames the send handler, the DPC and the reset post per hold of the `send` lock (each a
/// copy of up to 512 bytes or a mapped frame's descriptors; a whole ring would be 255 under
/// one hold).
pub const DPC_PUMP_BATCH: usize = 16;

/// Why [`Adapter::pump`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PumpStop {
    /// It took as many frames as it was allowed; more may wait.
    Limit,
    /// Frames wait for descriptors (`tx_backlog` is set).
    Full,
    /// The next frame waits for its scatter/gather list.
    Mapping,
    /// Nothing waits.
    Empty,
}

/// Why a send is refused before it reaches the NIC: an NBL without a `NET_BUFFER` is not a
/// packet (`NDIS_STATUS_INVALID_PACKET`); a `NET_BUFFER` (one Ethernet frame each) shorter
/// than a header or longer than header + MTU is `NDIS_STATUS_INVALID_LENGTH`. The whole NBL is
/// refused if any of its frames is: NDIS completes NBLs, not single `NET_BUFFER`s. Accepted:
/// whether the NBL is one frame longer than [`COPY_THRESHOLD`] (a candidate for the
/// scatter/gather fast path), read from the lengths this check reads anyway.
fn check_send(nbl: &SendNbl) -> Result<bool, sys::NDIS_STATUS> {
    if nbl.first_nb().is_none() {
        return Err(sys::NDIS_STATUS_INVALID_PACKET);
    }
    let (mut frames, mut longest) = (0u32, 0u32);
    for nb in nbl.net_buffers() {
        let length = nb.data_length();
        if !(MIN_FRAME..=MAX_FRAME).contains(&length) {
            return Err(sys::NDIS_STATUS_INVALID_LENGTH);
        }
        frames += 1;
        longest = longest.max(length);
    }
    Ok(frames == 1 && longest > COPY_THRESHOLD)
}

/// Frames an NBL refused whole stands for in the discard counter (at least one).
fn frames_of(nbl: &SendNbl) -> u64 {
    u64::try_from(nbl.nb_count().max(1)).unwrap_or(u64::MAX)
}

impl Adapter {
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

    /// Posts waiting frames in order while descriptors are free: first a frame NDIS has
    /// mapped ([`SgStage::Mapped`]), then queued frames (one `NET_BUFFER` each). A frame of at
    /// most [`COPY_THRESHOLD`] bytes is copied into the TX buffer of its descriptor; a longer
    /// one stops the pump as [`SgStage::ToMap`] (the caller asks NDIS for its list, outside
    /// the lock: [`Adapter::follow_up`]). An NBL whose frames all finished without reaching
    /// the ring (a copy failed) goes to `failed`.
    ///
    /// The copy runs under the `send` lock: the buffer belongs to the descriptor at the ring's
    /// tail, which only the lock holder may claim; copying outside would need a second
    /// reservation scheme for one copy of at most 512 bytes. At most `limit` frames are
    /// taken, so a caller bounds how long it holds the lock; true when the pump stopped
    /// at that limit (frames may still wait).
    ///
    /// A pump that stops for want of descriptors sets `tx_backlog`, so the reclaimer, which
    /// frees descriptors without this lock, pumps again after it. Each side writes its own
    /// variable (the flag here, the ring's clean index there), then a full fence, then reads the
    /// other's: at least one of the two sees the other, so the waiting frames are never left
    /// with nobody to post them (the same handshake as Linux's `netif_stop_queue` and the
    /// transmit clean-up).
    pub(super) fn pump(&self, send: &mut SendState, failed: &mut SendNbls, limit: usize) -> bool {
        let mem = self.descriptors_tx();
        let mut taken = 0;
        let stop = loop {
            if taken == limit {
                break PumpStop::Limit;
            }
            if !send.sg.slots_idle() {
                // The fast path's frame first (nothing waited ahead of it), then the stage's.
                let (from, slot) = if matches!(send.sg.premap, SgStage::Idle) {
                    (Staged::Stage, &send.sg.stage)
                } else {
                    (Staged::Premap, &send.sg.premap)
                };
                if !matches!(slot, SgStage::Mapped(_)) {
                    // Nothing passes a frame being mapped.
                    break PumpStop::Mapping;
                }
                // A second try after the handshake (the reclaimer may have freed descriptors
                // meanwhile), then it is the reclaimer's to pump.
                if !self.post_mapped(send, &mem, from) {
                    self.announce_backlog();
                    if !self.post_mapped(send, &mem, from) {
                        break PumpStop::Full;
                    }
                }
                taken += 1;
                continue;
            }
            if send.queue.is_empty() {
                break PumpStop::Empty;
            }
            if self.tx_ring.free() == 0 {
                self.announce_backlog();
                if self.tx_ring.free() == 0 {
                    break PumpStop::Full;
                }
            }
            let Some(frame) = send.queue.next_frame() else {
                break PumpStop::Empty;
            };
            taken += 1;
            let nb = frame.net_buffer();
            if nb.data_length() > COPY_THRESHOLD && nb.fragments() as usize <= MAX_TX_SEGMENTS / 2 {
                send.sg.stage = SgStage::ToMap(frame);
                break PumpStop::Mapping;
            }
            self.post_copy(send, &mem, frame, failed);
        };
        if stop == PumpStop::Limit {
            // Frames wait past the caller's limit. The send handler goes on pumping (and its
            // last pump clears the flag); Reset and MiniportProcessSGList leave them to the
            // reclaimer, which sees the flag after the frames posted here complete.
            self.tx_backlog.store(true, Ordering::Relaxed);
        } else if stop != PumpStop::Full {
            self.tx_backlog.store(false, Ordering::Relaxed);
        }
        // `Empty` is reached only past the slots' check, so both slots are idle then too.
        self.pipeline_idle
            .store(stop == PumpStop::Empty, Ordering::Release);
        self.tx_ring.doorbell_as(&mut send.poster, &self.regs);
        stop == PumpStop::Limit
    }

    /// Frames wait for descriptors: sets `tx_backlog` for the reclaimer, then the fence after
    /// which the caller looks at the ring again (see [`Adapter::pump`]).
    fn announce_backlog(&self) {
        self.tx_backlog.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
    }

    /// Copies `frame` into the TX buffer of the descriptor at the ring's tail (which is free)
    /// and posts it.
    fn post_copy(
        &self,
        send: &mut SendState,
        mem: &DescriptorRing<'_>,
        frame: InFlight,
        failed: &mut SendNbls,
    ) {
        let slot = self.tx_ring.tail();
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
            return;
        };
        let address = self.tx_buffers.physical(offset);
        let length = u16::try_from(length).unwrap_or(u16::MAX);
        let token = TxToken {
            frame: TxFrame::Copied { frame, slot },
            length,
        };
        if let Err(e) = self
            .tx_ring
            .post_as(&mut send.poster, mem, address, length, token)
        {
            // Not reachable with a free descriptor and a checked length; finish the frame
            // rather than lose it.
            debug_assert_ne!(e.reason, PostRefused::Full);
            self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
            Self::finish_token(send, e.token, sys::NDIS_STATUS_FAILURE, failed);
        }
    }

    /// Finishes a frame that leaves the ring (or never reached it) with `status`: a copied one
    /// now (its NBL to `done` if it was the last frame), a mapped one once its list is freed
    /// (it joins the retire queue).
    fn finish_token(
        send: &mut SendState,
        token: TxToken,
        status: sys::NDIS_STATUS,
        done: &mut SendNbls,
    ) {
        match token.frame {
            TxFrame::Copied { frame, .. } => {
                if let Some(nbl) = SendQueue::finish(frame, status) {
                    done.push_as_is(nbl);
                }
            }
            TxFrame::Mapped(mapped) => send.sg.retired.push_back((mapped, status)),
        }
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
        let mut lone_long = false;
        // Outside any lock: split the chain into frames the NIC can take and the rest.
        while let Some(nbl) = nbls.pop_front() {
            match check_send(&nbl) {
                Ok(long) => {
                    lone_long = long && accepted.is_empty();
                    accepted.push(nbl, sys::NDIS_STATUS_SUCCESS);
                }
                Err(status) => {
                    self.counters
                        .tx_discards
                        .fetch_add(frames_of(&nbl), Ordering::Relaxed);
                    refused.push(nbl, status);
                }
            }
        }
        // A lone long frame with nothing ahead of it is mapped first and posted in the one hold
        // (`send_sg.rs`, the fast path).
        if let Some(frame) = lone_long.then(|| self.try_premap(&mut accepted)).flatten() {
            at_dispatch_level(cx, at, |cx, at| {
                self.send_premapped(cx, at, frame, &mut refused);
            });
            self.complete_sends(cx, refused, at);
            self.try_complete_pause(cx);
            return;
        }
        // One `send` acquisition per chain: the gate (Running, Paused, Removed) lives under the
        // same lock as the queue and the ring, so a Pause or a surprise removal, which close
        // the gate and empty queue and ring under that lock, either sees these NBLs or is
        // seen by this send. Nothing accepted here can land on a ring nobody reclaims.
        let work = |send: &mut SendState, _: &mut Locked<'_, SendLevel>| {
            let refusal = send.gate.refusal();
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
            let more = refusal.is_none() && self.pump(send, &mut refused, DPC_PUMP_BATCH);
            (more, SendFollowUp::claim(send))
        };
        let (mut more, mut follow_up) = self.with_send(cx, at, work);
        // A long chain is posted [`DPC_PUMP_BATCH`] frames per hold, never a ring's worth.
        while more {
            let (again, last) = self.with_send(cx, at, |send, _| {
                let more = self.pump(send, &mut refused, DPC_PUMP_BATCH);
                (more, SendFollowUp::claim(send))
            });
            more = again;
            follow_up = last.joined(follow_up);
        }
        let mapped = !follow_up.is_empty();
        if mapped {
            at_dispatch_level(cx, at, |cx, at| {
                self.follow_up(cx, at, follow_up, &mut refused);
            });
        }
        self.complete_sends(cx, refused, at);
        if mapped {
            // A surprise removal while this call was mapping a frame retired it here; a Pause
            // pended on it completes now.
            self.try_complete_pause(cx);
        }
    }

    /// Runs `f` holding the `send` lock: the Dpr acquire when the caller proved
    /// `DISPATCH_LEVEL`, else the raising one.
    fn with_send<R>(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: Option<&DispatchLevel>,
        f: impl FnOnce(&mut SendState, &mut Locked<'_, SendLevel>) -> R,
    ) -> R {
        match at {
            Some(at) => self.send.with_dpr(cx, at, f),
            None => self.send.with(cx, f),
        }
    }

    /// Sent frames: reclaimed with no lock (the caller holds the reclaimer role); if frames
    /// wait for descriptors, they are pumped [`DPC_PUMP_BATCH`] per hold of the `send` lock
    /// (never a ring's worth of copies under one hold); the finished ones complete.
    pub(super) fn transmit_done(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        claim: &mut TxClaim,
    ) {
        let mut done = SendNbls::new();
        self.reclaim_sent(cx, at, claim, &mut done);
        // The other half of the handshake in `pump`: descriptors freed (the ring's clean index
        // stored), then the fence, then the flag read.
        fence(Ordering::SeqCst);
        if self.tx_backlog.load(Ordering::Relaxed) {
            let mut follow_up = SendFollowUp::default();
            loop {
                let (more, last) = self.send.with_dpr(cx, at, |send, _| {
                    let more = self.pump(send, &mut done, DPC_PUMP_BATCH);
                    (more, SendFollowUp::claim(send))
                });
                follow_up = last.joined(follow_up);
                if !more {
                    break;
                }
            }
            self.follow_up(cx, at, follow_up, &mut done);
        }
        self.complete_sends(cx, done, Some(at));
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

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::check_send;
    use crate::miniport::adapter::{COPY_THRESHOLD, MAX_FRAME};
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
        assert_eq!(check_send(&owned(two.ptr())), Ok(false));
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
            // One frame longer than the copy threshold is the fast path's.
            let lone_long = good > COPY_THRESHOLD as usize;
            assert_eq!(check_send(&owned(f.ptr())), Ok(lone_long), "{good} bytes");
        }
    }
}
