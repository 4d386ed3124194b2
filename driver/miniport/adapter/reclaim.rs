//! Sent frames: who may reclaim the TX ring, and the reclaim itself, which takes no spin lock.
//!
//! The TX ring has two roles ([`TxRing::split_roles`](crate::e1000::TxRing::split_roles)): the
//! poster, kept under the `send` lock, and the reclaimer, which this file lends to one context
//! at a time. Who holds it is recorded under the interrupt lock, in [`IrqState::reclaimer`]:
//!
//! - **The DPC** takes it when the ISR saw a TX cause and nobody holds it, in the same
//!   `NdisMSynchronizeWithInterruptEx` call that takes the causes, and gives it back in the
//!   call that re-enables the interrupts. Reclaiming sent frames therefore costs the DPC no
//!   synchronization of its own, and no spin lock unless frames wait for descriptors.
//! - **A handler** (`MiniportPause`, `MiniportResetEx`, the surprise removal,
//!   `MiniportCheckForHangEx`) takes it when no DPC holds it. A DPC holds it only while it runs,
//!   and no DPC runs on a processor while a handler does, so a holding DPC is running on
//!   another processor and gives the role back within that one call. Pause, reset and removal
//!   wait for it, with no spin lock held (the DPC may need the `send`, `state` or `recv` lock
//!   before it is done); the hang check does not wait (the DPC is reclaiming anyway).
//! - **TX causes that arrive while a handler holds it** stay pending in [`IrqState`]. The
//!   handler, giving the role back, queues the DPC for them (`NdisMQueueDpcEx`). A DPC that
//!   holds the role takes such causes before it gives it back; a second call of the DPC running
//!   at the same time on another processor leaves them to the first.
//!
//! This is the shape of Linux's NAPI: the poll that owns a ring cleans it without the transmit
//! lock, and `napi_disable` waits for the poll to end.

use core::cell::UnsafeCell;
use core::sync::atomic::Ordering;

use super::super::hw::DescriptorRing;
use super::{Adapter, BUFFER_BYTES, IrqState, SendState, TxFrame, TxToken, frame_destination};
use crate::e1000::{Causes, MacAddress, TxReclaimer};
use crate::ndis::{SendNbls, SendQueue};
use crate::sync::{DispatchLevel, Locked, Unlocked, stall_execution};
use crate::sys;

/// Who holds the TX ring's reclaimer role (under the interrupt lock, in [`IrqState`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reclaimer {
    /// Nobody: the next DPC with a TX cause, or a handler, may take it.
    Nobody,
    /// A running call of `MiniportInterruptDPC`.
    Dpc,
    /// A handler: Pause, reset, surprise removal or the hang check.
    Handler,
}

impl Reclaimer {
    /// Under the interrupt lock: `by` takes the role if nobody holds it.
    fn take(&mut self, by: Self) -> bool {
        if *self == Self::Nobody {
            *self = by;
            true
        } else {
            false
        }
    }
}

/// The TX ring's reclaimer role, lent to one context at a time through a [`TxClaim`].
pub(super) struct ReclaimerRole {
    role: UnsafeCell<TxReclaimer>,
    /// Debug builds check the protocol where the simulator can see a breach: a second claim
    /// while one is out is a panic, even when the two holders' reclaims would not overlap in
    /// that run (each frame's reclaim is too short for a schedule to split it).
    #[cfg(debug_assertions)]
    lent: core::sync::atomic::AtomicBool,
}

// SAFETY: the role inside is reached only through `role`, which needs a `TxClaim`; claims are
// made only in this file, each after taking `IrqState::reclaimer` under the interrupt lock (or
// with the interrupt not registered, see `claim_tx_waiting`), so one exists at a time and the
// lock orders one holder's use before the next one's.
unsafe impl Sync for ReclaimerRole {}

impl ReclaimerRole {
    /// The role, from the ring's split.
    pub(super) const fn new(role: TxReclaimer) -> Self {
        Self {
            role: UnsafeCell::new(role),
            #[cfg(debug_assertions)]
            lent: core::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The role, for the holder of `claim`.
    fn role<'a>(&'a self, claim: &'a mut TxClaim) -> &'a mut TxReclaimer {
        let _ = claim;
        // SAFETY: only one `TxClaim` exists at a time (see the `Sync` impl), and it is borrowed
        // mutably for as long as this reference lives.
        unsafe { &mut *self.role.get() }
    }

    /// A claim for `by`, which has just taken [`IrqState::reclaimer`].
    fn lend(&self, by: Reclaimer) -> TxClaim {
        #[cfg(debug_assertions)]
        assert!(
            !self.lent.swap(true, Ordering::AcqRel),
            "the TX reclaimer role lent twice ({by:?})"
        );
        TxClaim { by }
    }

    /// The claim is back (`IrqState::reclaimer` is about to say `Nobody`).
    #[allow(
        clippy::needless_pass_by_value,
        reason = "giving the role back consumes the claim, so it cannot be used after"
    )]
    fn give_back(&self, claim: TxClaim) {
        let _ = claim;
        #[cfg(debug_assertions)]
        self.lent.store(false, Ordering::Release);
    }
}

/// Proof that this context holds the TX ring's reclaimer role. Made only in this file; given
/// back with [`Adapter::give_back_tx`] (or, by the DPC, [`Adapter::dpc_end`]).
#[must_use = "the reclaimer role must be given back"]
pub(super) struct TxClaim {
    by: Reclaimer,
}

/// The DPC's first synchronized step: the causes to handle, and whether it took the reclaimer
/// role. TX causes are taken only with the role; without it (a handler or another DPC call
/// holds it) they stay pending for the holder.
pub(super) fn dpc_entry(shared: &mut IrqState) -> (Causes, bool) {
    let claimed = shared.pending.intersects(Causes::TX) && shared.reclaimer.take(Reclaimer::Dpc);
    let taken = if claimed {
        shared.pending
    } else {
        shared.pending.difference(Causes::TX)
    };
    shared.pending = shared.pending.difference(taken);
    (taken, claimed)
}

impl Adapter {
    /// Starts the DPC: the ISR's causes, and the reclaimer role if there are TX causes and
    /// nobody holds it.
    pub(super) fn dpc_start(&self, cx: &mut Locked<'_, Unlocked>) -> (Causes, Option<TxClaim>) {
        let (causes, claimed) = self
            .irq
            .synchronize(cx, |shared, _| dpc_entry(shared))
            .unwrap_or((Causes::NONE, false));
        (
            causes,
            claimed.then(|| self.tx_reclaimer.lend(Reclaimer::Dpc)),
        )
    }

    /// Ends the DPC: the role goes back (after the TX causes that arrived meanwhile are
    /// handled) and, unless NDIS calls the DPC again (`more_pending`), the interrupts are
    /// enabled, in the same synchronized call.
    pub(super) fn dpc_end(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        mut claim: Option<TxClaim>,
        more_pending: bool,
    ) {
        loop {
            let holds = claim.is_some();
            // Cleared before the role is given back under the interrupt lock below (a claim
            // taken after that sees it clear); set again if the role is kept.
            if let Some(held) = claim.take() {
                self.tx_reclaimer.give_back(held);
            }
            let again = self.irq.synchronize(cx, |shared, _| {
                if holds && shared.pending.intersects(Causes::TX) {
                    shared.pending = shared.pending.difference(Causes::TX);
                    return true;
                }
                if holds {
                    shared.reclaimer = Reclaimer::Nobody;
                }
                if !more_pending {
                    self.unmask(shared);
                }
                false
            });
            if again != Some(true) {
                return;
            }
            // Kept: TX causes came while it was held (never when `holds` is false).
            let mut held = self.tx_reclaimer.lend(Reclaimer::Dpc);
            self.transmit_done(cx, at, &mut held);
            claim = Some(held);
        }
    }

    /// Takes the reclaimer role for a handler, waiting while a DPC holds it (that DPC runs on
    /// another processor, and gives it back at its end). The root context proves no spin lock
    /// is held, which the DPC may need before it ends.
    pub(super) fn claim_tx_waiting(&self, cx: &mut Locked<'_, Unlocked>) -> TxClaim {
        loop {
            // `None`: not registered, which happens only during Halt (after the deregistration
            // waited out every DPC), when NDIS calls none of the handlers that reclaim, so no
            // DPC or other handler can hold the role.
            let taken = self
                .irq
                .synchronize(cx, |shared, _| shared.reclaimer.take(Reclaimer::Handler))
                .unwrap_or(true);
            if taken {
                break;
            }
            stall_execution::<10>(cx);
        }
        self.tx_reclaimer.lend(Reclaimer::Handler)
    }

    /// Takes the reclaimer role for a handler if nobody holds it.
    pub(super) fn try_claim_tx(&self, cx: &mut Locked<'_, Unlocked>) -> Option<TxClaim> {
        let taken = self
            .irq
            .synchronize(cx, |shared, _| shared.reclaimer.take(Reclaimer::Handler))?;
        taken.then(|| self.tx_reclaimer.lend(Reclaimer::Handler))
    }

    /// A handler gives the reclaimer role back; TX causes left pending while it held the role
    /// get the DPC queued for them.
    pub(super) fn give_back_tx(&self, cx: &mut Locked<'_, Unlocked>, claim: TxClaim) {
        debug_assert_eq!(claim.by, Reclaimer::Handler);
        self.tx_reclaimer.give_back(claim);
        let owed = self.irq.synchronize(cx, |shared, _| {
            shared.reclaimer = Reclaimer::Nobody;
            shared.pending.intersects(Causes::TX)
        });
        if owed == Some(true) {
            // Processor 0: any processor will do; the DPC takes the causes and the role.
            let _ = self.irq.interrupt().queue_dpc(cx, 1);
        }
    }

    /// Reclaims the frames the NIC has finished, with no spin lock: copied frames finish, mapped
    /// ones have their list freed (`NdisMFreeNetBufferSGList`, at `DISPATCH_LEVEL`) and then
    /// finish; NBLs with nothing left go to `done`. The count of frames.
    pub(super) fn reclaim_sent(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        claim: &mut TxClaim,
        done: &mut SendNbls,
    ) -> usize {
        let mem = self.descriptors_tx();
        let role = self.tx_reclaimer.role(claim);
        let mut frames = 0;
        while let Some(c) = self.tx_ring.reclaim_one_as(role, &mem) {
            frames += 1;
            let status = if c.sent() {
                self.tx_traffic
                    .count(self.destination_of(&c.token), usize::from(c.token.length));
                sys::NDIS_STATUS_SUCCESS
            } else {
                self.counters.tx_errors.fetch_add(1, Ordering::Relaxed);
                sys::NDIS_STATUS_FAILURE
            };
            let frame = match c.token.frame {
                TxFrame::Copied { frame, .. } => frame,
                // SAFETY: the NIC wrote the frame's last descriptor back, so it reads none of
                // the list's pages any more.
                TxFrame::Mapped(mapped) => unsafe { self.dma.free_sg_list(cx, at, mapped) },
            };
            // Its last frame gives the NBL back, to be completed once.
            if let Some(nbl) = SendQueue::finish(frame, status) {
                done.push_as_is(nbl);
            }
        }
        frames
    }

    /// The destination address of a frame the NIC sent.
    fn destination_of(&self, token: &TxToken) -> MacAddress {
        match &token.frame {
            TxFrame::Copied { slot, .. } => {
                frame_destination(&self.tx_buffers, u32::from(*slot) * BUFFER_BYTES)
            }
            TxFrame::Mapped(mapped) => {
                // All zeros (unicast) if the header's MDL cannot be mapped.
                let mut destination = [0u8; 6];
                let _ = mapped.frame().net_buffer().copy_prefix(&mut destination);
                MacAddress(destination)
            }
        }
    }

    /// Finishes every frame on the TX ring with `status` (the NIC will never report them:
    /// reset or surprise removal), with both roles: the poster under the `send` lock, the
    /// reclaimer by `claim`. NBLs with nothing left go to `done`, mapped frames to the retire
    /// queue. The count of frames.
    pub(super) fn abort_ring(
        &self,
        send: &mut SendState,
        claim: &mut TxClaim,
        status: sys::NDIS_STATUS,
        done: &mut SendNbls,
    ) -> usize {
        let SendState { poster, sg, .. } = send;
        let role = self.tx_reclaimer.role(claim);
        self.tx_ring.abort_as(poster, role, |t| match t.frame {
            TxFrame::Copied { frame, .. } => {
                if let Some(nbl) = SendQueue::finish(frame, status) {
                    done.push_as_is(nbl);
                }
            }
            TxFrame::Mapped(mapped) => sg.retired.push_back((mapped, status)),
        })
    }

    pub(super) fn descriptors_tx(&self) -> DescriptorRing<'_> {
        DescriptorRing::new(&self.tx_desc)
    }
}
