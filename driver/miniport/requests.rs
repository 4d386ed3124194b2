//! `MiniportOidRequest`: a snapshot of the adapter under its locks, the OID layer
//! ([`super::oid`]) on it with no lock held, then the validated change applied under the
//! `state` lock. Every request completes before the handler returns.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>

use core::sync::atomic::Ordering;

use super::adapter::{Adapter, DEFAULT_INTERRUPTS_PER_SECOND, initial_info};
use super::oid::{
    AdapterInfo, Counters, InterruptModeration, OidRequest, SetAction, receive_filter,
};
use crate::e1000::{bringup, filter, interrupts};
use crate::sync::{Locked, Unlocked};
use crate::sys;

impl Adapter {
    /// `MiniportOidRequest`.
    ///
    /// # Safety
    /// `request` is the valid request NDIS passed, with an information buffer of the length it
    /// states, not used by anyone else until this returns.
    pub(crate) unsafe fn oid_request(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        request: sys::PNDIS_OID_REQUEST,
    ) -> sys::NDIS_STATUS {
        // SAFETY: forwarded from the caller.
        let Some(mut request) = (unsafe { OidRequest::from_raw(request) }) else {
            return sys::NDIS_STATUS_INVALID_PARAMETER;
        };
        let info = self.snapshot(cx);
        let handled = request.handle(&info);
        if let Some(action) = handled.action {
            self.apply(cx, action);
        }
        handled.status
    }

    /// The adapter as the OIDs see it: state, then the send and receive counters, taken in
    /// lock order; the NIC's read-to-clear counters are accumulated on the way.
    fn snapshot(&self, cx: &mut Locked<'_, Unlocked>) -> AdapterInfo {
        let mut info = self.state.with(cx, |state, cx| {
            if !self.removed.load(Ordering::Acquire) {
                state.nic.accumulate(&self.regs);
            }
            let mut info = initial_info(self.addresses, state.link);
            info.packet_filter = state.packet_filter;
            info.multicast = state.multicast;
            info.lookahead = state.lookahead;
            info.interrupt_moderation = state.moderation;
            info.nic = state.nic;
            info.counters = self.send.with_nested(cx, |send, cx| {
                self.recv.with_nested(cx, |recv, _| {
                    Counters::joined(&send.counters, &recv.counters)
                })
            });
            info
        });
        let c = &mut info.counters;
        let load = |a: &core::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        c.rx_discards = load(&self.counters.rx_discards);
        c.tx_errors = load(&self.counters.tx_errors);
        c.tx_discards = load(&self.counters.tx_discards);
        info
    }

    /// Folds the NIC's read-to-clear counters into the totals (so that a 32-bit counter
    /// cannot wrap between two statistics queries); called from `MiniportCheckForHangEx`.
    pub(crate) fn accumulate_nic_statistics(&self, cx: &mut Locked<'_, Unlocked>) {
        if !self.removed.load(Ordering::Acquire) {
            self.state.lock(cx).nic.accumulate(&self.regs);
        }
    }

    /// Applies a validated set: the state first, then the NIC (not once it is removed).
    fn apply(&self, cx: &mut Locked<'_, Unlocked>, action: SetAction) {
        let present = !self.removed.load(Ordering::Acquire);
        self.state.with(cx, |state, _| match action {
            SetAction::PacketFilter(bits) => {
                state.packet_filter = bits;
                if present {
                    filter::apply(
                        &self.regs,
                        &receive_filter(bits),
                        state.multicast.as_slice(),
                    );
                }
            }
            SetAction::Lookahead(value) => state.lookahead = value,
            SetAction::Multicast(list) => {
                state.multicast = list;
                if present {
                    let filter_bits = receive_filter(state.packet_filter);
                    filter::apply(&self.regs, &filter_bits, state.multicast.as_slice());
                }
            }
            SetAction::InterruptModeration(on) => {
                state.moderation = if on {
                    InterruptModeration::Enabled
                } else {
                    InterruptModeration::Disabled
                };
                if present {
                    let interval = if on {
                        interrupts::throttle_interval(DEFAULT_INTERRUPTS_PER_SECOND)
                    } else {
                        0
                    };
                    interrupts::set_throttle(&self.regs, interval);
                }
            }
            // The driver never forces speed or duplex: re-asserting CTRL.SLU|ASDE lets the PHY
            // negotiate again; a resulting change arrives as LSC and is indicated by the DPC.
            SetAction::RestartAutoNegotiation => {
                if present {
                    bringup::setup_link(&self.regs);
                }
            }
        });
    }
}
