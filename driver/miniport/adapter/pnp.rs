//! Plug and play and shutdown: `MiniportDevicePnPEventNotify` (surprise removal) and
//! `MiniportShutdownEx`.

use core::sync::atomic::Ordering;

use super::Adapter;
use crate::e1000::{bringup, interrupts};
use crate::ndis::SendNbls;
use crate::sync::{Locked, Unlocked, at_dispatch_level, stall_execution};
use crate::sys;
use crate::trace_warn;

impl Adapter {
    /// The device is gone (`NdisDevicePnPEventSurpriseRemoved`): never touch it again; frames
    /// on the TX ring will never complete, so they complete now, with
    /// `NDIS_STATUS_ADAPTER_REMOVED`, as do queued ones.
    pub(crate) fn surprise_removed(&self, cx: &mut Locked<'_, Unlocked>) {
        self.removed.store(true, Ordering::SeqCst);
        self.link_reports.close();
        trace_warn!("surprise removal");
        crate::diag::emit(&crate::diag::events::SURPRISE_REMOVAL, &[]);
        // A link report that began before the store may still indicate: wait for it, so none
        // follows this handler's return (a DPC's report is a few register reads and one
        // indication; the wait is at PASSIVE_LEVEL).
        while self.link_reports.busy() {
            stall_execution::<10>(cx);
        }
        let mut aborted = SendNbls::new();
        // The ring's reclaimer role first, with no lock held (a DPC holding it may need the
        // `send` lock to finish), then the poster's lock.
        let mut claim = self.claim_tx_waiting(cx);
        self.send.with(cx, |send, _| {
            // Closed under the lock that guards queue and ring: no send after this queues.
            send.gate.remove();
            let queued = send
                .queue
                .abandon(sys::NDIS_STATUS_ADAPTER_REMOVED, &mut aborted);
            let on_ring = self.abort_ring(
                send,
                &mut claim,
                sys::NDIS_STATUS_ADAPTER_REMOVED,
                &mut aborted,
            ) as u64
                + send
                    .sg
                    .abandon(sys::NDIS_STATUS_ADAPTER_REMOVED, true, &mut aborted)
                + self.abandon_premap(send, sys::NDIS_STATUS_ADAPTER_REMOVED);
            self.counters
                .tx_discards
                .fetch_add(queued as u64, Ordering::Relaxed);
            self.counters
                .tx_errors
                .fetch_add(on_ring, Ordering::Relaxed);
        });
        self.give_back_tx(cx, claim);
        // The aborted frames' lists are freed at DISPATCH_LEVEL (their page); a frame NDIS is
        // still mapping is retired when its list arrives (`sg_list_ready`).
        at_dispatch_level(cx, None, |cx, at| {
            self.release_retired(cx, at, &mut aborted);
        });
        self.complete_sends(cx, aborted, None);
        self.try_complete_pause(cx);
    }

    /// `MiniportShutdownEx`: quiet the NIC (mask interrupts, reset to stop DMA). No frees and no
    /// NDIS calls but the stall.
    pub(crate) fn shutdown(&self, cx: &mut Locked<'_, Unlocked>) {
        // First: a DPC finishing elsewhere reads it after its own unmask (see `unmask`).
        self.quiesced.store(true, Ordering::SeqCst);
        if self.removed.load(Ordering::Acquire) {
            return;
        }
        interrupts::mask_all(&self.regs);
        if let Err(e) = bringup::reset(&self.regs, &mut super::super::hw::NdisStall::new(cx)) {
            crate::trace_error!("shutdown: NIC reset failed: {e}");
        }
    }
}
