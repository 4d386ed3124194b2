//! The adapter's lifecycle after Initialize: `MiniportRestart`, `MiniportPause` (pended until
//! the data path is idle), `MiniportCheckForHangEx` and `MiniportResetEx`.

use core::sync::atomic::Ordering;

use super::send_sg::SendFollowUp;
use super::{Adapter, DPC_PUMP_BATCH, Phase, StateLevel};
use crate::e1000::bringup;
use crate::ndis::SendNbls;
use crate::sync::{DispatchLevel, Locked, Unlocked, at_dispatch_level};
use crate::sys;
use crate::trace_warn;

impl Adapter {
    /// `MiniportRestart`: the adapter runs again.
    pub(crate) fn restart(&self, cx: &mut Locked<'_, Unlocked>) -> sys::NDIS_STATUS {
        self.state.with(cx, |state, cx| {
            state.phase = Phase::Running;
            self.send.with_nested(cx, |send, cx| {
                send.gate.open();
                self.recv.with_nested(cx, |recv, _| recv.indicating = true);
            });
        });
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
            self.send.with_nested(cx, |send, cx| {
                send.gate.pause();
                let dropped = send.queue.abandon(sys::NDIS_STATUS_PAUSED, &mut aborted) as u64
                    + send
                        .sg
                        .abandon(sys::NDIS_STATUS_PAUSED, false, &mut aborted);
                self.counters
                    .tx_discards
                    .fetch_add(dropped, Ordering::Relaxed);
                self.recv.with_nested(cx, |recv, _| recv.indicating = false);
            });
        });
        // Frames the NIC already sent are reclaimed now, so a Pause right after traffic can
        // finish at once; list frees and the reclaim run at DISPATCH_LEVEL (their pages).
        let mut claim = self.claim_tx_waiting(cx);
        at_dispatch_level(cx, None, |cx, at| {
            self.reclaim_sent(cx, at, &mut claim, &mut aborted);
            self.release_retired(cx, at, &mut aborted);
        });
        self.give_back_tx(cx, claim);
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

    /// Nothing queued, nothing being mapped, nothing on the TX ring, no scatter/gather list
    /// left to free, no indicated NBL out (and no receive pass under way): what a Pause waits
    /// for. Called holding the `state` lock.
    pub(super) fn idle(&self, cx: &mut Locked<'_, StateLevel>) -> bool {
        let idle = self.send.with_nested(cx, |send, _| {
            send.queue.is_empty() && self.tx_ring.is_idle() && send.sg.is_idle()
        });
        idle && self.rx_outstanding.load(Ordering::Acquire) == 0
    }

    /// Whether a pended pause can finish now; if so the adapter is Paused and the caller
    /// completes it with `NdisMPauseComplete`. `pause_pending` spares every completion and
    /// return the `state` lock while no pause is pending.
    pub(super) fn try_complete_pause_inner(&self, cx: &mut Locked<'_, Unlocked>) -> bool {
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

    /// Completes a pended Pause once nothing is outstanding (`NdisMPauseComplete`). Called
    /// after every completion and return: inline, it costs one load while no pause is pending.
    #[inline]
    pub(crate) fn try_complete_pause(&self, cx: &mut Locked<'_, Unlocked>) {
        if self.pause_pending.load(Ordering::Acquire) {
            self.complete_pending_pause(cx);
        }
    }

    /// [`Adapter::try_complete_pause`] with a pause pending.
    #[cold]
    fn complete_pending_pause(&self, cx: &mut Locked<'_, Unlocked>) {
        if self.try_complete_pause_inner(cx) {
            // A pause pended, and `try_complete_pause_inner` hands its completion out once.
            self.handle.pause_complete(cx);
            crate::diag::emit(&crate::diag::events::PAUSE_COMPLETE, &[]);
        }
    }

    /// `MiniportCheckForHangEx`: TX descriptors in flight and no progress across
    /// [`super::HANG_CHECKS`] checks.
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
        // Reclaims what a lost interrupt left behind, unless a DPC is reclaiming right now.
        if let Some(mut claim) = self.try_claim_tx(cx) {
            at_dispatch_level(cx, at, |cx, at| {
                self.reclaim_sent(cx, at, &mut claim, &mut done);
            });
            self.give_back_tx(cx, claim);
        }
        let (hung, release) = self.send.with(cx, |send, _| {
            (send.hang.check(&self.tx_ring), !send.sg.retired.is_empty())
        });
        if release {
            at_dispatch_level(cx, at, |cx, at| self.release_retired(cx, at, &mut done));
        }
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
        // Both roles of the ring: the reclaimer first, with no lock held (a DPC holding it may
        // need the `send` lock to finish), then the poster with the `send` lock.
        let mut claim = self.claim_tx_waiting(cx);
        let (status, follow_up) = self.send.with(cx, |send, _| {
            // Keep TCTL.EN off while the ring is rebuilt.
            let on_ring = self.abort_ring(
                send,
                &mut claim,
                sys::NDIS_STATUS_REQUEST_ABORTED,
                &mut aborted,
            );
            self.counters
                .tx_errors
                .fetch_add(on_ring as u64, Ordering::Relaxed);
            send.hang = crate::e1000::HangDetector::new(super::HANG_CHECKS);
            let status =
                match bringup::program_tx(&self.regs, &self.tx_ring, self.tx_desc.physical(0)) {
                    Ok(()) => {
                        self.pump(send, &mut aborted, DPC_PUMP_BATCH);
                        sys::NDIS_STATUS_SUCCESS
                    }
                    Err(e) => {
                        crate::trace_error!("reset: TX reprogramming failed: {e}");
                        sys::NDIS_STATUS_HARD_ERRORS
                    }
                };
            (status, SendFollowUp::claim(send))
        });
        self.give_back_tx(cx, claim);
        // Lists of aborted frames are freed, and a frame waiting to be mapped is asked for,
        // at DISPATCH_LEVEL (their pages); the rest of the queue goes out from the DPC.
        at_dispatch_level(cx, at, |cx, at| {
            self.follow_up(cx, at, follow_up, &mut aborted);
        });
        self.complete_sends(cx, aborted, at);
        self.try_complete_pause(cx);
        status
    }
}
