//! `MiniportOidRequest`: a snapshot of the adapter under its locks, the OID layer
//! ([`crate::miniport::oid`]) on it with no lock held, then the validated change applied under the
//! `state` lock. Every request completes before the handler returns.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>

use core::sync::atomic::Ordering;

use super::super::hw::NdisStall;
use super::super::oid::{
    AdapterInfo, Counters, InterruptModeration, OidRequest, SetAction, receive_filter,
};
use super::{Adapter, DEFAULT_INTERRUPTS_PER_SECOND, initial_info};
use crate::e1000::{Statistics, filter, interrupts, phy};
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
        match handled.action {
            Some(SetAction::RestartAutoNegotiation) => self.restart_autonegotiation(cx),
            Some(action) => {
                self.apply(cx, action);
                handled.status
            }
            None => handled.status,
        }
    }

    /// The adapter as the OIDs see it: state, then the send and receive counters, taken in
    /// lock order; the NIC's read-to-clear counters are accumulated on the way.
    fn snapshot(&self, cx: &mut Locked<'_, Unlocked>) -> AdapterInfo {
        // The ~21 read-to-clear counter registers are read before the lock (each read is a
        // bus transaction, a VM exit under a hypervisor); only the sums happen under it.
        let delta = self.read_nic_statistics();
        let mut info = self.state.with(cx, |state, cx| {
            state.nic.add(&delta);
            let mut info = initial_info(self.addresses, state.link);
            info.packet_filter = state.packet_filter;
            info.multicast = state.multicast;
            info.lookahead = state.lookahead;
            info.interrupt_moderation = state.moderation;
            info.nic = state.nic;
            info.counters = self.recv.with_nested(cx, |recv, _| {
                let mut joined = Counters::joined(&self.tx_traffic.snapshot(), &recv.counters);
                // Frames the ring dropped (error bits, bad length, runts, fragments).
                joined.rx_errors = joined.rx_errors.wrapping_add(recv.ring.drops().total());
                joined
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
        let delta = self.read_nic_statistics();
        if delta != Statistics::default() {
            self.state.lock(cx).nic.add(&delta);
        }
    }

    /// Reads (and so clears) the NIC's counters, with no lock held: zero for a removed device.
    /// Two readers at once each get their own part (read-to-clear), and both parts are added.
    fn read_nic_statistics(&self) -> Statistics {
        if self.removed.load(Ordering::Acquire) {
            return Statistics::default();
        }
        let mut delta = Statistics::default();
        delta.accumulate(&self.regs);
        delta
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
            // Needs MDIC polling (stalls): done outside the lock by the caller.
            SetAction::RestartAutoNegotiation => {}
        });
    }

    /// `OID_GEN_LINK_PARAMETERS` asking for auto-negotiation: the PHY restarts it (MDIC write
    /// of PHY control with bits 12 and 9), outside any spin lock since MDIC is polled with
    /// stalls; a resulting change arrives as LSC and the DPC indicates it. A PHY that does
    /// not answer fails the request with `NDIS_STATUS_HARD_ERRORS`; a removed device with
    /// `NDIS_STATUS_ADAPTER_REMOVED`.
    fn restart_autonegotiation(&self, cx: &mut Locked<'_, Unlocked>) -> sys::NDIS_STATUS {
        if self.removed.load(Ordering::Acquire) {
            return sys::NDIS_STATUS_ADAPTER_REMOVED;
        }
        match phy::restart_autonegotiation(&self.regs, &mut NdisStall::new(cx)) {
            Ok(()) => sys::NDIS_STATUS_SUCCESS,
            Err(e) => {
                crate::trace_error!("restarting auto-negotiation failed: {e}");
                sys::NDIS_STATUS_HARD_ERRORS
            }
        }
    }
}
