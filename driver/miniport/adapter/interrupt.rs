//! The interrupt path: `MiniportInterrupt` (ISR), `MiniportInterruptDPC`,
//! `MiniportEnable/DisableInterruptEx`, and link changes (STATUS read, link state indicated).

use core::sync::atomic::Ordering;

use super::super::header;
use super::{Adapter, IrqState};
use crate::e1000::{Causes, LinkStatus, interrupts};
use crate::sync::{DispatchLevel, IsrToken, Locked, Unlocked};
use crate::sys;
use crate::{trace_info, trace_warn};

/// `NDIS_LINK_SPEED_UNKNOWN`.
const LINK_SPEED_UNKNOWN: u64 = u64::MAX;

impl Adapter {
    /// The ISR token of this adapter's interrupt, for `MiniportInterrupt` and
    /// `MiniportEnable/DisableInterruptEx`.
    ///
    /// # Safety
    /// Called from one of those handlers of this adapter's interrupt, at DIRQL under its
    /// lock; one token per call, dropped on return.
    pub(crate) unsafe fn isr_entry(&self) -> IsrToken<'_, IrqState> {
        // SAFETY: forwarded from the caller.
        unsafe { self.irq.isr_entry() }
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
        self.irq.synchronize(cx, |shared, _| self.unmask(shared));
    }

    /// Unmasks the driver's causes unless the NIC was quieted (Shutdown, Halt) or removed.
    /// Called under the interrupt lock. `MiniportShutdownEx` may run at `HIGH_LEVEL` (a bug
    /// check), where the interrupt lock cannot be taken, so it only sets `quiesced` and masks:
    /// the flag is read again after the unmask, and whichever of the two masks runs last wins.
    /// Either Shutdown's store precedes that second read (the unmask is undone here), or the
    /// read precedes the store, and then the unmask precedes Shutdown's own mask.
    pub(super) fn unmask(&self, shared: &mut IrqState) {
        if self.quiesced.load(Ordering::SeqCst) || self.removed.load(Ordering::SeqCst) {
            return;
        }
        shared.enabled = Causes::DRIVER;
        interrupts::unmask(&self.regs, Causes::DRIVER);
        if self.quiesced.load(Ordering::SeqCst) {
            shared.enabled = Causes::NONE;
            interrupts::mask_all(&self.regs);
        }
    }

    /// `MiniportEnableInterruptEx` (`DIRQL`, under the interrupt lock).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_enable_interrupt>
    pub(crate) fn enable_from_ndis(&self, token: &mut IsrToken<'_, IrqState>) {
        self.unmask(token.data());
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
        // TX causes come with the ring's reclaimer role (`reclaim.rs`); without the role they
        // stay pending for whoever holds it.
        let (causes, mut claim) = self.dpc_start(cx);
        // Each half runs only when the NIC said it has work for it, so a DPC for received
        // frames does not touch the TX ring and one for sent frames not the `recv` lock.
        // Every TX write-back this driver asks for (RS) raises TXDW, every received frame
        // RXT0 (RXDMT0 / RXO when the ring runs low): nothing finished is left behind, and
        // `MiniportCheckForHangEx` reclaims the TX ring besides.
        if let Some(held) = claim.as_mut() {
            self.transmit_done(cx, at, held);
        }
        let limit = if throttle.is_null() {
            u32::MAX
        } else {
            // SAFETY: NDIS passes valid throttle parameters for this call.
            unsafe { (*throttle).MaxNblsToIndicate }
        };
        let backlog = self.rx_backlog.swap(false, Ordering::AcqRel);
        let more = (backlog || causes.intersects(Causes::RX)) && self.receive(cx, at, limit);
        let called_again = more && !throttle.is_null();
        if called_again {
            self.rx_backlog.store(true, Ordering::Release);
        }
        if called_again {
            // NDIS runs the DPC again for the rest.
            // SAFETY: `throttle` is non-null here and NDIS keeps it valid for this DPC call.
            unsafe { (*throttle).set_MoreNblsPending(1) };
        }
        if causes.contains(Causes::LSC) {
            self.link_changed(cx, at);
        }
        // With MoreNblsPending set the interrupts stay masked: the next DPC call drains the
        // rest and re-enables them (receive-side throttling).
        self.dpc_end(cx, at, claim, called_again);
        self.try_complete_pause(cx);
    }

    /// A link change: STATUS read and indicated, unless the device is gone. A surprise removal
    /// can land anywhere in here, so: the report holds the removal's rundown (the removal waits
    /// for it before returning, so no indication follows `MiniportDevicePnPEventNotify`), and
    /// STATUS reading all ones (a removed PCI device) is "gone", never "link up".
    pub(super) fn link_changed(&self, cx: &mut Locked<'_, Unlocked>, at: &DispatchLevel) {
        let Some(_report) = self.link_reports.enter() else {
            return;
        };
        let Some(link) = LinkStatus::read_present(&self.regs) else {
            trace_warn!("STATUS reads all ones: the device is gone");
            return;
        };
        self.state.lock_dpr(cx, at).link = link;
        trace_info!("link {}", if link.up { "up" } else { "down" });
        self.indicate_link(cx, link);
    }

    /// Indicates `NDIS_STATUS_LINK_STATE`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>
    pub(crate) fn indicate_link(&self, cx: &mut Locked<'_, Unlocked>, link: LinkStatus) {
        let mut state = link_state(link);
        self.handle.indicate_link_state(cx, &mut state);
        crate::diag::link_state(link);
    }
}

/// The `NDIS_LINK_STATE` for `link`.
#[must_use]
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
