//! A test rig: a model on an in-process cable, memory with rings, and an interrupt recorder.
#![allow(dead_code, reason = "each test file uses a different part of the rig")]

use std::sync::{Arc, Mutex};

use e1000_model::descriptors::{RxDesc, TxDesc};
use e1000_model::regs::{
    IMC, RCTL, RCTL_BAM, RCTL_EN, RCTL_SECRC, RDBAH, RDBAL, RDH, RDLEN, RDT, TCTL, TCTL_EN,
    TCTL_PSP, TDBAH, TDBAL, TDH, TDLEN, TDT,
};
use e1000_model::{
    CableEnd, DmaMemory, E1000, E1000Config, IrqLine, LinkConditions, RegionMemory, Wire, cable,
};

/// The MAC the rig's NIC has.
pub const MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
/// Another station's MAC.
pub const PEER: [u8; 6] = [0x02, 0x00, 0x00, 0xAA, 0xBB, 0xCC];
/// Where the TX ring lives.
pub const TX_RING: u64 = 0x10_0000;
/// Where TX buffers live (4 KiB apart).
pub const TX_BUFS: u64 = 0x20_0000;
/// Where the RX ring lives.
pub const RX_RING: u64 = 0x30_0000;
/// Where RX buffers live (4 KiB apart; each buffer is its own region).
pub const RX_BUFS: u64 = 0x40_0000;
/// Spacing of buffers.
pub const BUF_STRIDE: u64 = 0x1000;

/// Records every level the model reports.
#[derive(Default)]
pub struct Recorder {
    pub levels: Mutex<Vec<bool>>,
}

impl IrqLine for Recorder {
    fn set_level(&self, asserted: bool) {
        self.levels.lock().unwrap().push(asserted);
    }
}

impl Recorder {
    pub fn levels(&self) -> Vec<bool> {
        self.levels.lock().unwrap().clone()
    }
}

pub struct Rig {
    pub nic: E1000,
    pub mem: Arc<RegionMemory>,
    pub peer: CableEnd,
    pub irq: Arc<Recorder>,
}

impl Rig {
    pub fn new() -> Self {
        Self::with(LinkConditions::default())
    }

    pub fn with(conditions: LinkConditions) -> Self {
        let mem = Arc::new(RegionMemory::new());
        let (nic_end, peer) = cable(conditions);
        let nic = E1000::new(
            E1000Config {
                mac: MAC,
                link_up: true,
            },
            Arc::clone(&mem) as Arc<dyn DmaMemory>,
            Box::new(nic_end),
        );
        let irq = Arc::new(Recorder::default());
        nic.connect_irq(Arc::clone(&irq) as Arc<dyn IrqLine>);
        Self {
            nic,
            mem,
            peer,
            irq,
        }
    }

    pub fn read(&self, offset: u32) -> u32 {
        self.nic.mmio_read(offset)
    }

    pub fn write(&self, offset: u32, value: u32) {
        self.nic.mmio_write(offset, value);
    }

    /// Maps a TX ring of `n` descriptors and `n` 4 KiB buffers; programs the registers and
    /// enables the transmitter.
    pub fn setup_tx(&self, n: u32) {
        self.mem.map(TX_RING, n as usize * 16).unwrap();
        self.mem
            .map(TX_BUFS, usize::try_from(u64::from(n) * BUF_STRIDE).unwrap())
            .unwrap();
        self.write(TDBAL, low(TX_RING));
        self.write(TDBAH, 0);
        self.write(TDLEN, n * 16);
        self.write(TDH, 0);
        self.write(TDT, 0);
        self.write(TCTL, TCTL_EN | TCTL_PSP | (0x0F << 4) | (0x40 << 12));
    }

    /// Puts `data` into TX buffer `i` and writes descriptor `i` with `cmd`.
    pub fn post_tx(&self, i: u32, data: &[u8], cmd: u8) {
        let buf = TX_BUFS + u64::from(i) * BUF_STRIDE;
        self.mem.write(buf, data).unwrap();
        self.write_tx_desc(
            i,
            &TxDesc {
                addr: buf,
                length: u16::try_from(data.len()).unwrap(),
                cmd,
                ..TxDesc::default()
            },
        );
    }

    pub fn write_tx_desc(&self, i: u32, d: &TxDesc) {
        self.mem
            .write(TX_RING + u64::from(i) * 16, &d.to_bytes())
            .unwrap();
    }

    pub fn tx_desc(&self, i: u32) -> TxDesc {
        let mut b = [0u8; 16];
        self.mem.read(TX_RING + u64::from(i) * 16, &mut b).unwrap();
        TxDesc::from_bytes(&b)
    }

    /// Maps an RX ring of `n` descriptors, each with its own 4 KiB buffer region; RDH = 0,
    /// RDT = n - 1 (all but one posted), RCTL = EN | BAM | SECRC | `extra`.
    pub fn setup_rx(&self, n: u32, extra: u32) {
        self.mem.map(RX_RING, n as usize * 16).unwrap();
        for i in 0..n {
            let buf = rx_buf(i);
            self.mem
                .map(buf, usize::try_from(BUF_STRIDE).unwrap())
                .unwrap();
            self.write_rx_desc(
                i,
                &RxDesc {
                    addr: buf,
                    ..RxDesc::default()
                },
            );
        }
        self.write(RDBAL, low(RX_RING));
        self.write(RDBAH, 0);
        self.write(RDLEN, n * 16);
        self.write(RDH, 0);
        self.write(RDT, n - 1);
        self.write(RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC | extra);
    }

    pub fn write_rx_desc(&self, i: u32, d: &RxDesc) {
        self.mem
            .write(RX_RING + u64::from(i) * 16, &d.to_bytes())
            .unwrap();
    }

    pub fn rx_desc(&self, i: u32) -> RxDesc {
        let mut b = [0u8; 16];
        self.mem.read(RX_RING + u64::from(i) * 16, &mut b).unwrap();
        RxDesc::from_bytes(&b)
    }

    /// The bytes of RX buffer `i` that descriptor `i` says were written.
    pub fn rx_data(&self, i: u32) -> Vec<u8> {
        let d = self.rx_desc(i);
        let mut b = vec![0u8; usize::from(d.length)];
        self.mem.read(d.addr, &mut b).unwrap();
        b
    }

    /// Sends `frame` from the peer and lets the NIC receive it.
    pub fn inject(&mut self, frame: &[u8]) -> usize {
        let now = self.nic.now_ns();
        self.peer.send(frame, now);
        self.nic.poll_wire()
    }

    /// Frames the NIC put on the wire so far.
    pub fn sent(&mut self) -> Vec<Vec<u8>> {
        let now = self.nic.now_ns();
        self.peer.drain(now).into_iter().map(|f| f.data).collect()
    }

    /// Masks every interrupt and clears every cause (the bring-up sequence's first step).
    pub fn quiesce(&self) {
        self.write(IMC, u32::MAX);
        self.read(e1000_model::regs::ICR);
    }
}

/// RX buffer address of descriptor `i`.
pub fn rx_buf(i: u32) -> u64 {
    RX_BUFS + u64::from(i) * BUF_STRIDE
}

/// The low 32 bits of an address.
pub fn low(addr: u64) -> u32 {
    u32::try_from(addr & 0xFFFF_FFFF).unwrap()
}

/// An Ethernet frame from `src` to `dst` with `len` payload bytes derived from `seed`.
pub fn frame(dst: [u8; 6], src: [u8; 6], len: usize, seed: u8) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + len);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&[0x88, 0xB5]);
    f.extend((0..len).map(|i| seed.wrapping_add(u8::try_from(i % 251).unwrap())));
    f
}
