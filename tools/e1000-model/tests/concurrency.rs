//! Several simulated processors at once, two models back to back, and the line callback.

mod common;

use std::sync::Arc;
use std::thread;

use common::{MAC, PEER, Rig, frame};
use e1000_model::descriptors::{RxDesc, TXD_CMD_EOP, TXD_CMD_RS, TxDesc};
use e1000_model::regs::{
    ICR, ICR_LSC, ICS, IMC, IMS, RCTL, RCTL_EN, RCTL_SECRC, RDBAL, RDLEN, RDT, STATUS, TCTL,
    TCTL_EN, TDBAL, TDLEN, TDT,
};
use e1000_model::{DmaMemory, E1000, E1000Config, LinkConditions, RegionMemory, cable};

#[test]
fn the_model_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<E1000>();
}

/// One thread transmits while others hammer the interrupt registers: every frame still goes
/// out exactly once and in order, no fault appears, and the line callback only ever reports
/// real changes.
#[test]
fn concurrent_mmio_from_several_processors() {
    let rig = Rig::new();
    rig.setup_tx(64);
    let rig = Arc::new(rig);
    let sender = {
        let rig = Arc::clone(&rig);
        thread::spawn(move || {
            let mut expected = Vec::new();
            for i in 0..200u32 {
                let slot = i % 64;
                let f = frame(PEER, MAC, 60, u8::try_from(i % 256).unwrap());
                rig.post_tx(slot, &f, TXD_CMD_EOP | TXD_CMD_RS);
                rig.write(TDT, (slot + 1) % 64);
                expected.push(f);
            }
            expected
        })
    };
    let hammers: Vec<_> = (0..3)
        .map(|_| {
            let rig = Arc::clone(&rig);
            thread::spawn(move || {
                let mut seen_lsc = 0u32;
                for _ in 0..500 {
                    rig.write(IMS, ICR_LSC);
                    rig.write(ICS, ICR_LSC);
                    if rig.read(ICR) & ICR_LSC != 0 {
                        seen_lsc += 1;
                    }
                    rig.write(IMC, ICR_LSC);
                    assert_ne!(rig.read(STATUS) & 2, 0);
                }
                seen_lsc
            })
        })
        .collect();
    let expected = sender.join().unwrap();
    let seen: u32 = hammers.into_iter().map(|h| h.join().unwrap()).sum();
    assert!((1..=1500).contains(&seen), "LSC reads: {seen}");
    let mut rig = Arc::try_unwrap(rig).ok().unwrap();
    assert_eq!(rig.sent(), expected);
    assert!(rig.nic.faults().is_empty());
    // The recorder saw a strictly alternating sequence: every change is a real change.
    let levels = rig.irq.levels();
    assert!(levels.windows(2).all(|w| w[0] != w[1]), "{levels:?}");
}

/// Two models on one cable: what A transmits, B receives.
#[test]
fn two_models_back_to_back() {
    let (end_a, end_b) = cable(LinkConditions::default());
    let mem = Arc::new(RegionMemory::new());
    let dma = Arc::clone(&mem) as Arc<dyn DmaMemory>;
    let a = E1000::new(
        E1000Config {
            mac: PEER,
            link_up: true,
        },
        Arc::clone(&dma),
        Box::new(end_a),
    );
    let b = E1000::new(E1000Config::default(), dma, Box::new(end_b));
    assert_eq!(b.mac(), MAC);
    // A's TX ring at 0x1000, its buffer at 0x2000; B's RX ring at 0x3000, buffers at 0x4000.
    for (base, len) in [
        (0x1000, 128),
        (0x2000, 2048),
        (0x3000, 128),
        (0x4000, 8 * 2048),
    ] {
        mem.map(base, len).unwrap();
    }
    let f = frame(MAC, PEER, 500, 42);
    mem.write(0x2000, &f).unwrap();
    let tx = TxDesc {
        addr: 0x2000,
        length: u16::try_from(f.len()).unwrap(),
        cmd: TXD_CMD_EOP | TXD_CMD_RS,
        ..TxDesc::default()
    };
    mem.write(0x1000, &tx.to_bytes()).unwrap();
    for i in 0..8u64 {
        let rx = RxDesc {
            addr: 0x4000 + i * 2048,
            ..RxDesc::default()
        };
        mem.write(0x3000 + i * 16, &rx.to_bytes()).unwrap();
    }
    b.mmio_write(RDBAL, 0x3000);
    b.mmio_write(RDLEN, 128);
    b.mmio_write(RDT, 7);
    b.mmio_write(RCTL, RCTL_EN | RCTL_SECRC);
    a.mmio_write(TDBAL, 0x1000);
    a.mmio_write(TDLEN, 128);
    a.mmio_write(TCTL, TCTL_EN);
    a.mmio_write(TDT, 1);
    assert_eq!(b.poll_wire(), 1);
    let mut got = vec![0u8; f.len()];
    mem.read(0x4000, &mut got).unwrap();
    assert_eq!(got, f);
    assert_eq!(a.stats().tx_frames, 1);
    assert_eq!(b.stats().rx_frames, 1);
}
