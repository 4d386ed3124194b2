//! The rig the `e1000_*` integration tests share: the hardware layer driving the real
//! `e1000_model::E1000` through its traits, with the model's `RegionMemory` as DMA memory and
//! an in-process cable to a test-controlled peer.
//!
//! The other test files include it with `#[path = "e1000_rig.rs"] mod rig;`. Compiled on its
//! own, its tests check the rig's adapters, so a broken rig cannot make the others pass.
#![allow(dead_code, reason = "each test file uses a different part of the rig")]

use std::cell::Cell;
use std::sync::Arc;

use e1000_model::{
    CableEnd, DmaMemory, E1000, E1000Config, LinkConditions, RegionMemory, Wire, cable,
};
use rse1k::e1000::{
    Addresses, BringUp, BufferSize, Causes, DescriptorBytes, DescriptorMemory, MacAddress,
    ReceiveFilter, Reg, Registers, RingSize, RxFrame, RxRing, Stall, TxRing, bring_up,
};

/// The NIC's permanent address in the rig.
pub(crate) const MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
/// Another station.
pub(crate) const PEER: [u8; 6] = [0x02, 0x00, 0x00, 0xAA, 0xBB, 0xCC];
/// Physical address of the TX descriptors.
pub(crate) const TX_RING: u64 = 0x10_0000;
/// Physical address of the RX descriptors.
pub(crate) const RX_RING: u64 = 0x20_0000;
/// First TX buffer (one 4 KiB region per token).
pub(crate) const TX_BUFS: u64 = 0x100_0000;
/// First RX buffer (one 4 KiB region per slot; only 2 KiB are the buffer).
pub(crate) const RX_BUFS: u64 = 0x200_0000;
/// Spacing of buffers.
pub(crate) const STRIDE: u64 = 0x1000;
/// TX buffers mapped.
pub(crate) const TX_BUFFERS: u32 = 512;

/// `Registers` over the model's BAR0.
pub(crate) struct ModelRegs<'a>(pub &'a E1000);

impl Registers for ModelRegs<'_> {
    fn read(&self, reg: Reg) -> u32 {
        self.0.mmio_read(reg.offset())
    }

    fn write(&self, reg: Reg, value: u32) {
        self.0.mmio_write(reg.offset(), value);
    }
}

/// `DescriptorMemory` over a ring in the model's DMA memory.
pub(crate) struct RingMemory {
    pub(crate) mem: Arc<RegionMemory>,
    pub(crate) base: u64,
}

impl RingMemory {
    fn addr(&self, index: u16) -> u64 {
        self.base + u64::from(index) * 16
    }
}

impl DescriptorMemory for RingMemory {
    fn read(&self, index: u16) -> DescriptorBytes {
        let mut b = [0u8; 16];
        self.mem
            .read(self.addr(index), &mut b)
            .expect("descriptor inside the mapped ring");
        b
    }

    fn write(&self, index: u16, bytes: &DescriptorBytes) {
        self.mem
            .write(self.addr(index), bytes)
            .expect("descriptor inside the mapped ring");
    }
}

/// A stall that advances the model's virtual clock, and counts.
pub(crate) struct ClockStall<'a> {
    pub(crate) nic: &'a E1000,
    pub(crate) total_us: u64,
    pub(crate) longest_us: u32,
}

impl<'a> ClockStall<'a> {
    pub(crate) fn new(nic: &'a E1000) -> Self {
        Self {
            nic,
            total_us: 0,
            longest_us: 0,
        }
    }
}

impl Stall for ClockStall<'_> {
    fn stall(&mut self, microseconds: u32) {
        self.total_us += u64::from(microseconds);
        self.longest_us = self.longest_us.max(microseconds);
        self.nic.advance(u64::from(microseconds) * 1000);
    }
}

/// A model on a cable, memory mapped for both rings and their buffers, not yet brought up.
pub(crate) struct Bench {
    pub(crate) nic: E1000,
    pub(crate) mem: Arc<RegionMemory>,
    pub(crate) peer: CableEnd,
}

impl Bench {
    pub(crate) fn new(mac: [u8; 6]) -> Self {
        let mem = Arc::new(RegionMemory::new());
        let (nic_end, peer) = cable(LinkConditions::default());
        let nic = E1000::new(
            E1000Config { mac, link_up: true },
            Arc::clone(&mem) as Arc<dyn DmaMemory>,
            Box::new(nic_end),
        );
        Self { nic, mem, peer }
    }

    pub(crate) fn regs(&self) -> ModelRegs<'_> {
        ModelRegs(&self.nic)
    }

    pub(crate) fn ring_memory(&self, base: u64) -> RingMemory {
        RingMemory {
            mem: Arc::clone(&self.mem),
            base,
        }
    }
}

/// A brought-up NIC with its rings.
pub(crate) struct Rig {
    pub(crate) bench: Bench,
    pub(crate) tx: TxRing<u32>,
    pub(crate) rx: RxRing,
    /// Buffers of harvested frames not yet given back, by the slot they came from.
    pub(crate) rx_out: std::collections::HashMap<u16, u64>,
    /// Buffers waiting for an empty descriptor.
    pub(crate) rx_spare: Vec<u64>,
    pub(crate) tx_mem: RingMemory,
    pub(crate) rx_mem: RingMemory,
    pub(crate) addresses: Addresses,
    /// Which TX buffer the next frame uses.
    next_tx_buffer: Cell<u32>,
}

/// The usual filter: directed, listed multicast, broadcast.
pub(crate) const TYPICAL: ReceiveFilter = ReceiveFilter {
    directed: true,
    multicast: true,
    broadcast: true,
    all_multicast: false,
    promiscuous: false,
};

impl Rig {
    /// A NIC with `tx_n` TX and `rx_n` RX descriptors brought up with `filter` and
    /// `multicast`, no interrupt throttling.
    pub(crate) fn new(
        tx_n: usize,
        rx_n: usize,
        filter: ReceiveFilter,
        multicast: &[MacAddress],
    ) -> Self {
        Self::throttled(tx_n, rx_n, filter, multicast, 0)
    }

    /// As [`Rig::new`], with ITR = `throttle`.
    pub(crate) fn throttled(
        tx_n: usize,
        rx_n: usize,
        filter: ReceiveFilter,
        multicast: &[MacAddress],
        throttle: u16,
    ) -> Self {
        let bench = Bench::new(MAC);
        bench.mem.map(TX_RING, tx_n * 16).unwrap();
        bench.mem.map(RX_RING, rx_n * 16).unwrap();
        for i in 0..u64::from(TX_BUFFERS) {
            bench.mem.map(TX_BUFS + i * STRIDE, 4096).unwrap();
        }
        let buffers: Vec<u64> = (0..rx_n as u64).map(|i| RX_BUFS + i * STRIDE).collect();
        for &b in &buffers {
            bench.mem.map(b, 2048).unwrap();
        }
        let tx_mem = bench.ring_memory(TX_RING);
        let rx_mem = bench.ring_memory(RX_RING);
        let mut tx = TxRing::new(RingSize::new(tx_n).unwrap());
        let mut rx = RxRing::with_buffers(&rx_mem, &buffers, BufferSize::B2048).unwrap();
        // `n - 1` buffers are posted; the last waits as the spare.
        let rx_spare = vec![buffers[buffers.len() - 1]];
        let addresses = {
            let regs = bench.regs();
            let mut stall = ClockStall::new(&bench.nic);
            bring_up(
                &regs,
                &mut stall,
                BringUp {
                    tx: &mut tx,
                    tx_base: TX_RING,
                    rx: &mut rx,
                    rx_base: RX_RING,
                    filter,
                    multicast,
                    station: None,
                    interrupts: Causes::DRIVER,
                    throttle,
                },
            )
            .expect("bring-up")
        };
        Self {
            bench,
            tx,
            rx,
            rx_out: std::collections::HashMap::new(),
            rx_spare,
            tx_mem,
            rx_mem,
            addresses,
            next_tx_buffer: Cell::new(0),
        }
    }

    /// The usual rig: 16 TX, 16 RX, [`TYPICAL`] filter, no groups.
    pub(crate) fn typical() -> Self {
        Self::new(16, 16, TYPICAL, &[])
    }

    pub(crate) fn regs(&self) -> ModelRegs<'_> {
        self.bench.regs()
    }

    /// Copies `frame` into a fresh TX buffer and returns its physical address.
    pub(crate) fn stage(&self, frame: &[u8]) -> u64 {
        let i = self.next_tx_buffer.get();
        self.next_tx_buffer.set((i + 1) % TX_BUFFERS);
        let pa = TX_BUFS + u64::from(i) * STRIDE;
        self.bench.mem.write(pa, frame).unwrap();
        pa
    }

    /// Posts `frame` (one segment) with `token` and rings the doorbell.
    pub(crate) fn send(&mut self, frame: &[u8], token: u32) -> u16 {
        let pa = self.stage(frame);
        let len = u16::try_from(frame.len()).unwrap();
        let slot = self
            .tx
            .post(&self.tx_mem, pa, len, token)
            .expect("room in the TX ring");
        let regs = ModelRegs(&self.bench.nic);
        self.tx.doorbell(&regs);
        slot
    }

    /// Every frame the NIC put on the wire since the last call.
    pub(crate) fn wire(&mut self) -> Vec<Vec<u8>> {
        let now = self.bench.nic.now_ns();
        self.bench
            .peer
            .drain(now)
            .into_iter()
            .map(|f| f.data)
            .collect()
    }

    /// Sends `frame` from the peer and lets the NIC take it off the wire.
    pub(crate) fn inject(&mut self, frame: &[u8]) {
        let now = self.bench.nic.now_ns();
        self.bench.peer.send(frame, now);
        assert_eq!(self.bench.nic.poll_wire(), 1);
    }

    /// The next harvested frame and its bytes.
    pub(crate) fn harvest(&mut self) -> Option<(RxFrame, Vec<u8>)> {
        let frame = self.rx.harvest(&self.rx_mem)?;
        let pa = frame.buffer;
        self.rx_out.insert(frame.slot, pa);
        let mut data = vec![0u8; usize::from(frame.length)];
        self.bench.mem.read(pa, &mut data).unwrap();
        Some((frame, data))
    }

    /// Gives back the buffer of the frame harvested from `slot`, posts every spare buffer
    /// that fits, and rings the RX doorbell.
    pub(crate) fn repost(&mut self, slot: u16) {
        let buffer = self.rx_out.remove(&slot).expect("a harvested slot");
        self.rx_spare.push(buffer);
        while let Some(b) = self.rx_spare.pop() {
            if self.rx.fill(&self.rx_mem, b).is_err() {
                self.rx_spare.push(b);
                break;
            }
        }
        let regs = ModelRegs(&self.bench.nic);
        self.rx.doorbell(&regs);
    }

    /// Every token the TX ring can reclaim now.
    pub(crate) fn reclaim(&mut self) -> Vec<u32> {
        let mut tokens = Vec::new();
        self.tx.reclaim(&self.tx_mem, |c| {
            assert!(c.sent());
            tokens.push(c.token);
        });
        tokens
    }

    /// Asserts the model recorded no fault.
    pub(crate) fn assert_no_faults(&self) {
        assert_eq!(self.bench.nic.faults(), vec![], "model faults");
    }
}

/// An Ethernet frame from `src` to `dst` with `EtherType` `0x88B5` (local experimental) and
/// `payload_len` bytes of a pattern seeded by `seed`.
pub(crate) fn frame(dst: [u8; 6], src: [u8; 6], payload_len: usize, seed: u8) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + payload_len);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&[0x88, 0xB5]);
    f.extend((0..payload_len).map(|i| {
        u8::try_from(i % 256)
            .unwrap()
            .wrapping_mul(31)
            .wrapping_add(seed)
    }));
    f
}

#[test]
fn rig_adapters_reach_the_model() {
    let bench = Bench::new(MAC);
    // Registers: a plain-storage register reads back, through the model.
    let regs = bench.regs();
    regs.write(rse1k::e1000::regs::TIPG, 0x1234);
    assert_eq!(bench.nic.mmio_read(0x0410), 0x1234);
    assert_eq!(regs.read(rse1k::e1000::regs::TIPG), 0x1234);
    // Ring memory: a descriptor written through the trait is in the model's memory.
    bench.mem.map(TX_RING, 128).unwrap();
    let ring = bench.ring_memory(TX_RING);
    ring.write(3, &[7; 16]);
    let mut raw = [0u8; 16];
    bench.mem.read(TX_RING + 48, &mut raw).unwrap();
    assert_eq!(raw, [7; 16]);
    assert_eq!(ring.read(3), [7; 16]);
    // The stall moves the model's clock.
    let mut stall = ClockStall::new(&bench.nic);
    stall.stall(7);
    assert_eq!(bench.nic.now_ns(), 7000);
}
