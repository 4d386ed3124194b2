//! `MiniportOidRequest` on the adapter's side: a snapshot of the adapter for the OID layer
//! ([`super::oid`], which decides every answer and status), and the application of a
//! validated set to the adapter's state and the NIC.
//!
//! Every request completes before `MiniportOidRequest` returns (the handler's return value is
//! its status; nothing pends), so `MiniportCancelOidRequest` never finds one to cancel.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>

use core::sync::atomic::Ordering;

use super::adapter::{Adapter, BUFFER_BYTES, RING_DESCRIPTORS};
use super::oid::{
    self, AdapterInfo, HardwareStatus, InterruptModeration, OidRequest, RingInfo, SetAction,
};
use crate::e1000::{Addresses, LinkStatus, bringup, filter, interrupts};
use crate::sync::{Locked, Unlocked};
use crate::sys;
use crate::{trace_info, trace_warn};

/// Interrupts per second with moderation on (the ITR throttle Initialize programs and
/// `OID_GEN_INTERRUPT_MODERATION` turns on and off).
pub const DEFAULT_INTERRUPTS_PER_SECOND: u32 = 8000;

/// The ring dimensions the buffer-space OIDs report.
#[must_use]
pub fn ring_info() -> RingInfo {
    let descriptors = u32::try_from(RING_DESCRIPTORS).unwrap_or(u32::MAX);
    RingInfo {
        tx_descriptors: descriptors,
        rx_descriptors: descriptors,
        rx_buffer_size: BUFFER_BYTES,
    }
}

/// What the OID layer knows of an adapter that has just been brought up: for the general
/// attributes of `MiniportInitializeEx`, before the adapter (and its locks) exist.
#[must_use]
pub fn initial_info(addresses: Addresses, link: LinkStatus) -> AdapterInfo {
    AdapterInfo {
        permanent_address: addresses.permanent,
        current_address: addresses.current,
        link,
        packet_filter: 0,
        multicast: oid::MulticastList::EMPTY,
        lookahead: oid::MAX_LOOKAHEAD,
        interrupt_moderation: InterruptModeration::Enabled,
        hardware_status: HardwareStatus::Ready,
        rings: ring_info(),
        counters: oid::Counters::default(),
        nic: crate::e1000::Statistics::new(),
    }
}

/// The frame statistics of both directions: the transmit fields counted under the `send`
/// lock, the receive fields under the `recv` lock.
fn merge(tx: &oid::Counters, rx: &oid::Counters, rx_ring_drops: u64) -> oid::Counters {
    oid::Counters {
        rx_directed_frames: rx.rx_directed_frames,
        rx_directed_bytes: rx.rx_directed_bytes,
        rx_multicast_frames: rx.rx_multicast_frames,
        rx_multicast_bytes: rx.rx_multicast_bytes,
        rx_broadcast_frames: rx.rx_broadcast_frames,
        rx_broadcast_bytes: rx.rx_broadcast_bytes,
        // The RX ring's own drops (descriptor errors, bad lengths, fragments) are receive
        // errors the driver saw; `rx.rx_errors` stays for anything counted outside the ring.
        rx_errors: rx.rx_errors.wrapping_add(rx_ring_drops),
        rx_discards: rx.rx_discards,
        tx_directed_frames: tx.tx_directed_frames,
        tx_directed_bytes: tx.tx_directed_bytes,
        tx_multicast_frames: tx.tx_multicast_frames,
        tx_multicast_bytes: tx.tx_multicast_bytes,
        tx_broadcast_frames: tx.tx_broadcast_frames,
        tx_broadcast_bytes: tx.tx_broadcast_bytes,
        tx_errors: tx.tx_errors,
        tx_discards: tx.tx_discards,
    }
}

impl Adapter {
    /// The adapter as the OID layer sees it, taken under `state` → `send` → `recv` (the
    /// documented order), with the NIC's read-to-clear counters folded in while `state` is
    /// held (their one reader). The locks are released when this returns.
    pub(crate) fn snapshot(&self, cx: &mut Locked<'_, Unlocked>) -> AdapterInfo {
        let present = !self.removed.load(Ordering::Acquire);
        let mut state = self.state.lock(cx);
        let (state, cx, at) = state.parts();
        if present {
            state.nic.accumulate(&self.regs);
        }
        let tx = self.send.lock_dpr(cx, at).counters;
        let (rx, drops) = {
            let recv = self.recv.lock_dpr(cx, at);
            (recv.counters, recv.ring.drops().total())
        };
        AdapterInfo {
            permanent_address: self.addresses.permanent,
            current_address: self.addresses.current,
            link: state.link,
            packet_filter: state.packet_filter,
            multicast: state.multicast,
            lookahead: state.lookahead,
            interrupt_moderation: state.moderation,
            hardware_status: if present {
                HardwareStatus::Ready
            } else {
                HardwareStatus::NotReady
            },
            rings: ring_info(),
            counters: merge(&tx, &rx, drops),
            nic: state.nic,
        }
    }

    /// Folds the NIC's read-to-clear counters into the totals (so that a 32-bit counter
    /// cannot wrap between two statistics queries); called from `MiniportCheckForHangEx`.
    pub(crate) fn accumulate_nic_statistics(&self, cx: &mut Locked<'_, Unlocked>) {
        if !self.removed.load(Ordering::Acquire) {
            self.state.lock(cx).nic.accumulate(&self.regs);
        }
    }

    /// `MiniportOidRequest`: answers from a snapshot, applies a validated set, completes
    /// synchronously (the return value is the status).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
    ///
    /// # Safety
    /// `request` is the request NDIS passed to `MiniportOidRequest`, with an information
    /// buffer valid for the length it states (`OidRequest::from_raw`'s contract).
    pub(crate) unsafe fn oid_request(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        request: sys::PNDIS_OID_REQUEST,
    ) -> sys::NDIS_STATUS {
        // SAFETY: forwarded from the caller; NDIS lends the request until it is completed,
        // which is when this function returns.
        let Some(mut request) = (unsafe { OidRequest::from_raw(request) }) else {
            trace_warn!("MiniportOidRequest without a request");
            return sys::NDIS_STATUS_INVALID_PARAMETER;
        };
        let info = self.snapshot(cx);
        let handled = request.handle(&info);
        if let Some(action) = handled.action {
            self.apply(cx, action);
        }
        handled.status
    }

    /// Applies a validated set: the adapter's state first, then the NIC registers it implies
    /// (under the `state` lock, so two sets cannot program the filter out of order). A
    /// removed device keeps the state and is not touched.
    fn apply(&self, cx: &mut Locked<'_, Unlocked>, action: SetAction) {
        let present = !self.removed.load(Ordering::Acquire);
        let mut state = self.state.lock(cx);
        match action {
            SetAction::PacketFilter(bits) => {
                state.packet_filter = bits;
                if present {
                    filter::apply(
                        &self.regs,
                        &oid::receive_filter(bits),
                        state.multicast.as_slice(),
                    );
                }
            }
            SetAction::Multicast(list) => {
                state.multicast = list;
                if present {
                    filter::apply(
                        &self.regs,
                        &oid::receive_filter(state.packet_filter),
                        state.multicast.as_slice(),
                    );
                }
            }
            SetAction::Lookahead(bytes) => state.lookahead = bytes,
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
            SetAction::RestartAutoNegotiation => {
                // The driver never forces speed or duplex: re-asserting SLU|ASDE lets the
                // PHY negotiate again; a resulting change arrives as LSC and is indicated by
                // the DPC.
                if present {
                    bringup::setup_link(&self.regs);
                }
                trace_info!("link parameters: auto-negotiation");
            }
        }
    }
}
