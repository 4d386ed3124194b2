//! The receive path: harvesting the RX ring in the DPC, indications (normal, or with
//! `NDIS_RECEIVE_FLAGS_RESOURCES` when the buffer pool runs low), and
//! `MiniportReturnNetBufferLists`. Buffers are a pool: any free one fills any empty descriptor.

use core::sync::atomic::Ordering;

use super::super::hw::DescriptorRing;
use super::{Adapter, BUFFER_BYTES, RING_DESCRIPTORS, RX_LOW_WATER, RecvState, frame_destination};
use crate::e1000::RxFrame;
use crate::ndis::{ReceiveNbls, ReturnedNbls, RxNbl};
use crate::sync::{DispatchLevel, Locked, Unlocked};
use crate::trace_warn;

impl Adapter {
    pub(super) fn descriptors_rx(&self) -> DescriptorRing<'_> {
        DescriptorRing::new(&self.rx_desc)
    }

    /// Harvests up to `limit` frames and indicates them (or, while paused, gives the buffers
    /// straight back); whether more are waiting.
    ///
    /// Whether to indicate is read under the `recv` lock, in the critical section of the
    /// harvest, and a pass that will indicate registers in `rx_outstanding` (one "pass in
    /// progress" unit) there too: a Pause, which clears `indicating` under that lock and
    /// completes only when `rx_outstanding` is zero, cannot complete between the harvest and
    /// the indications. Without the unit it could, and an indication would reach NDIS after
    /// the adapter reported itself Paused.
    pub(super) fn receive(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        limit: u32,
    ) -> bool {
        let mut chain = ReceiveNbls::new();
        let mut more = false;
        let low;
        let running;
        {
            let mut recv = self.recv.lock_dpr(cx, at);
            let recv = &mut *recv;
            running = recv.indicating;
            if running {
                self.rx_outstanding.fetch_add(1, Ordering::AcqRel);
            }
            let mem = self.descriptors_rx();
            while chain.len() < limit {
                // Taken apart at once: with the whole frame alive to the end of the iteration
                // (the warning below borrowed a field of it) it was kept on the stack, stored
                // and reloaded for every frame (benches/driver_cost_callgrind.sh).
                let Some(RxFrame { buffer, length, .. }) = recv.ring.harvest(&mem) else {
                    break;
                };
                // By buffer, not by descriptor: the ring posts a dropped frame's buffer again at
                // its tail, another descriptor than the one it came from.
                let index = buffer
                    .checked_sub(self.rx_buffers.physical(0))
                    .map(|offset| offset / u64::from(BUFFER_BYTES))
                    .and_then(|index| u16::try_from(index).ok());
                let Some((index, mut nbl)) = index.and_then(|index| {
                    let nbl = recv.posted.get_mut(usize::from(index))?.take()?;
                    Some((index, nbl))
                }) else {
                    // Every posted buffer has its NBL, so this cannot happen; the frame is
                    // counted as dropped rather than its buffer lost.
                    trace_warn!("RX buffer {buffer:#x} filled without an NBL");
                    self.counters.rx_discards.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                if !running {
                    // Paused: nothing may be indicated; the buffer goes back to the pool.
                    self.counters.rx_discards.fetch_add(1, Ordering::Relaxed);
                    recv.free.push(nbl);
                    continue;
                }
                // The MDL covers BUFFER_BYTES >= the frame length.
                nbl.set_frame_length(u32::from(length));
                // The buffer's index is its NBL's slot (`posted` is by buffer index: `park`
                // and `refill` put each NBL at `posted[slot]`): the one at hand, not read again
                // from the NBL.
                let dst = frame_destination(&self.rx_buffers, u32::from(index) * BUFFER_BYTES);
                recv.counters.count_rx(dst, usize::from(length));
                chain.push(nbl);
            }
            if chain.len() >= limit {
                more = true;
            }
            self.refill(recv, &mem);
            // Buffers the driver still has besides this chain: with the NIC, or free.
            let owned = recv.ring.posted() + recv.free.len();
            low = u32::try_from(owned).unwrap_or(u32::MAX) < RX_LOW_WATER;
            recv.ring.doorbell(&self.regs);
        }
        self.indicate(cx, at, chain, low);
        if running {
            // The pass is over: its unit goes (indicated NBLs hold their own units); a Pause
            // waiting for it completes at the end of the DPC (`try_complete_pause`).
            self.rx_outstanding.fetch_sub(1, Ordering::AcqRel);
        }
        more
    }

    /// Indicates `chain`: normally (NDIS owns the NBLs until it returns them), or, with the
    /// driver `low` on buffers, with `NDIS_RECEIVE_FLAGS_RESOURCES` in small groups, the NBLs
    /// the driver's again when each call returns and their buffers straight back to the NIC.
    pub(super) fn indicate(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        at: &DispatchLevel,
        mut chain: ReceiveNbls,
        low: bool,
    ) {
        if chain.is_empty() {
            return;
        }
        if !low {
            // Counted before the call: NDIS may return them before it returns.
            self.rx_outstanding.fetch_add(chain.len(), Ordering::AcqRel);
            // NDIS owns the NBLs until `MiniportReturnNetBufferLists`: the chain is consumed.
            let _ = self.handle.indicate_receive(cx, chain, Some(at));
            return;
        }
        while !chain.is_empty() {
            let group = chain.split_front(RX_LOW_WATER);
            let back = self.handle.indicate_receive_resources(cx, group, Some(at));
            self.take_back(cx, back, Some(at));
        }
    }

    /// Posts free buffers at the ring's empty descriptors, as many as fit.
    // Inline: `take_back` calls it on every return of a few NBLs, and the call's prologue and
    // epilogue cost more per frame than the copy of the loop (benches/driver_cost_callgrind.sh:
    // 227.6 -> 221.7 driver instructions per received frame).
    #[inline]
    pub(super) fn refill(&self, recv: &mut RecvState, mem: &DescriptorRing<'_>) {
        while let Some(nbl) = recv.free.pop() {
            let index = nbl.slot();
            let buffer = index.map(|index| u32::from(index) * BUFFER_BYTES);
            let filled = buffer.map(|offset| recv.ring.fill(mem, self.rx_buffers.physical(offset)));
            if let (Some(index), Some(Ok(_))) = (index, filled) {
                recv.posted[usize::from(index)] = Some(nbl);
            } else {
                recv.free.push(nbl);
                break;
            }
        }
    }

    /// Takes back the NBLs of returned (or RESOURCES-indicated) buffers into the pool and
    /// gives the NIC as many buffers as it has empty descriptors for.
    pub(super) fn take_back(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: impl IntoIterator<Item = RxNbl>,
        at: Option<&DispatchLevel>,
    ) {
        // One body under either acquisition. The closure `with` and `with_dpr` would each call
        // is called from two places, so the compiler keeps it out of line: a call, a prologue
        // and an epilogue on every return of a few NBLs (measured with
        // benches/driver_cost_callgrind.sh). A guard of either kind keeps it inline.
        let (mut raised, mut at_dispatch);
        let recv: &mut RecvState = if let Some(at) = at {
            at_dispatch = self.recv.lock_dpr(cx, at);
            &mut at_dispatch
        } else {
            raised = self.recv.lock(cx);
            &mut raised
        };
        for nbl in nbls {
            if nbl.slot_below(RING_DESCRIPTORS).is_some() {
                recv.free.push(nbl);
            } else {
                // Not one of this driver's buffers: not ours to post; NDIS keeps no claim.
                trace_warn!("returned NBL with unknown buffer {:?}", nbl.slot());
            }
        }
        self.refill(recv, &self.descriptors_rx());
        recv.ring.doorbell(&self.regs);
    }

    /// `MiniportReturnNetBufferLists`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_return_net_buffer_lists>
    pub(crate) fn return_nbls(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        nbls: ReturnedNbls,
        at: Option<&DispatchLevel>,
    ) {
        let mut count = 0;
        self.take_back(cx, nbls.inspect(|_| count += 1), at);
        self.rx_outstanding.fetch_sub(count, Ordering::AcqRel);
        self.try_complete_pause(cx);
    }
}
