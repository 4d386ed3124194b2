//! Every fault kind: recorded, counted, and handled without a panic or a stuck device.

mod common;

use common::{MAC, PEER, Rig, TX_BUFS, TX_RING, frame};
use e1000_model::descriptors::{
    RXD_ERR_RXE, RXD_STAT_DD, RXD_STAT_EOP, RxDesc, TXD_CMD_DEXT, TXD_CMD_EOP, TXD_CMD_RS,
    TXD_STAT_DD, TxDesc,
};
use e1000_model::regs::{
    ICR, ICR_RXT0, RCTL, RCTL_EN, RDBAL, RDH, RDLEN, RDT, TCTL, TCTL_EN, TDBAL, TDH, TDLEN, TDT,
};
use e1000_model::{Fault, MAX_FRAME, Ring, RingProblem};

fn misconfigured(ring: Ring, problem: RingProblem) -> Fault {
    Fault::RingMisconfigured { ring, problem }
}

#[test]
fn tx_ring_with_zero_length_is_a_fault() {
    let rig = Rig::new();
    rig.write(TCTL, TCTL_EN);
    assert!(
        rig.nic.faults().is_empty(),
        "an idle unconfigured ring is fine"
    );
    rig.write(TDT, 1);
    assert_eq!(rig.read(TDH), 0);
    assert_eq!(
        rig.nic.faults(),
        vec![misconfigured(Ring::Tx, RingProblem::ZeroLength)]
    );
}

#[test]
fn rx_ring_with_zero_length_is_a_fault() {
    let mut rig = Rig::new();
    rig.write(RDT, 1);
    rig.write(RCTL, RCTL_EN);
    rig.inject(&frame(MAC, PEER, 60, 0));
    assert_eq!(
        rig.nic.faults(),
        vec![misconfigured(Ring::Rx, RingProblem::ZeroLength)]
    );
    assert_eq!(rig.nic.stats().rx_dropped_fault, 1);
}

#[test]
fn head_and_tail_past_the_ring_are_faults() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.write(TDH, 9);
    rig.write(TDT, 1);
    rig.write(TDH, 0);
    rig.write(TDT, 20);
    rig.setup_rx(8, 0);
    rig.write(RDT, 100);
    rig.inject(&frame(MAC, PEER, 60, 0));
    assert_eq!(
        rig.nic.faults(),
        vec![
            misconfigured(Ring::Tx, RingProblem::HeadOutOfRange { head: 9, count: 8 }),
            misconfigured(Ring::Tx, RingProblem::TailOutOfRange { tail: 20, count: 8 }),
            misconfigured(
                Ring::Rx,
                RingProblem::TailOutOfRange {
                    tail: 100,
                    count: 8
                }
            ),
        ]
    );
    assert!(rig.sent().is_empty());
}

#[test]
fn unreadable_descriptors_stop_the_ring_where_they_are() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.write(TDBAL, 0x0F00_0000);
    rig.write(TDT, 2);
    assert_eq!(rig.read(TDH), 0, "the head stays on the bad descriptor");
    rig.setup_rx(8, 0);
    rig.write(RDBAL, 0x0E00_0000);
    rig.inject(&frame(MAC, PEER, 60, 0));
    assert_eq!(rig.read(RDH), 0);
    assert_eq!(
        rig.nic.faults(),
        vec![
            Fault::DescriptorDma {
                ring: Ring::Tx,
                index: 0,
                addr: 0x0F00_0000
            },
            Fault::DescriptorDma {
                ring: Ring::Rx,
                index: 0,
                addr: 0x0E00_0000
            },
        ]
    );
    // Fixing the base lets the rings run again.
    rig.write(TDBAL, common::low(TX_RING));
    rig.post_tx(0, &frame(PEER, MAC, 60, 0), TXD_CMD_EOP);
    rig.post_tx(1, &frame(PEER, MAC, 60, 1), TXD_CMD_EOP);
    rig.write(TDT, 2);
    assert_eq!(rig.sent().len(), 2);
}

#[test]
fn an_unmapped_tx_buffer_loses_its_frame_only() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.write_tx_desc(
        0,
        &TxDesc {
            addr: 0xDEAD_0000,
            length: 60,
            cmd: TXD_CMD_EOP | TXD_CMD_RS,
            ..TxDesc::default()
        },
    );
    let good = frame(PEER, MAC, 60, 1);
    rig.post_tx(1, &good, TXD_CMD_EOP | TXD_CMD_RS);
    rig.write(TDT, 2);
    assert_eq!(rig.sent(), vec![good]);
    assert_eq!(rig.tx_desc(0).status, TXD_STAT_DD, "consumed and reported");
    assert_eq!(rig.read(TDH), 2);
    assert_eq!(
        rig.nic.faults(),
        vec![Fault::TxBufferDma {
            index: 0,
            addr: 0xDEAD_0000,
            len: 60
        }]
    );
}

#[test]
fn a_zero_length_tx_descriptor_is_a_fault() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.post_tx(0, &[], TXD_CMD_EOP | TXD_CMD_RS);
    rig.write(TDT, 1);
    assert!(rig.sent().is_empty());
    assert_eq!(rig.tx_desc(0).status, TXD_STAT_DD);
    assert_eq!(rig.nic.faults(), vec![Fault::TxZeroLength { index: 0 }]);
}

#[test]
fn an_oversized_tx_frame_is_discarded() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    let chunk = vec![0xAB; 4000];
    for i in 0..4 {
        rig.post_tx(i, &chunk, 0);
    }
    rig.post_tx(4, &chunk, TXD_CMD_EOP);
    let good = frame(PEER, MAC, 60, 0);
    rig.post_tx(5, &good, TXD_CMD_EOP);
    rig.write(TDT, 6);
    const { assert!(5 * 4000 > MAX_FRAME) };
    assert_eq!(rig.sent(), vec![good], "the next frame is unaffected");
    assert_eq!(rig.nic.faults(), vec![Fault::TxOversized { len: 20_000 }]);
}

#[test]
fn extended_tx_descriptors_are_a_fault() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.post_tx(
        0,
        &frame(PEER, MAC, 60, 0),
        TXD_CMD_DEXT | TXD_CMD_EOP | TXD_CMD_RS,
    );
    rig.write(TDT, 1);
    assert!(rig.sent().is_empty());
    assert_eq!(rig.tx_desc(0).status, TXD_STAT_DD);
    assert_eq!(
        rig.nic.faults(),
        vec![Fault::TxExtendedDescriptor { index: 0 }]
    );
}

#[test]
fn an_unmapped_rx_buffer_is_written_back_with_rxe() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.quiesce();
    rig.write_rx_desc(
        0,
        &RxDesc {
            addr: 0xBAD0_0000,
            ..RxDesc::default()
        },
    );
    rig.inject(&frame(MAC, PEER, 60, 0));
    let d = rig.rx_desc(0);
    assert_eq!(
        d.status & (RXD_STAT_DD | RXD_STAT_EOP),
        RXD_STAT_DD | RXD_STAT_EOP
    );
    assert_eq!(d.errors, RXD_ERR_RXE);
    assert_eq!(d.length, 0);
    assert_eq!(rig.read(RDH), 1);
    assert_eq!(rig.read(ICR), ICR_RXT0, "the driver is told to look at it");
    let good = frame(MAC, PEER, 60, 1);
    rig.inject(&good);
    assert_eq!(rig.rx_data(1), good);
    assert_eq!(
        rig.nic.faults(),
        vec![Fault::RxBufferDma {
            index: 0,
            addr: 0xBAD0_0000
        }]
    );
    assert_eq!(rig.nic.stats().rx_dropped_fault, 1);
}

#[test]
fn a_null_rx_buffer_is_skipped_as_qemu_does() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.write_rx_desc(0, &RxDesc::default());
    let f = frame(MAC, PEER, 60, 0);
    rig.inject(&f);
    assert_eq!(rig.rx_desc(0).status, RXD_STAT_DD);
    assert_eq!(rig.rx_desc(0).length, 0);
    assert_eq!(rig.rx_data(1), f);
    assert_eq!(rig.rx_desc(1).status & RXD_STAT_EOP, RXD_STAT_EOP);
    assert_eq!(rig.read(RDH), 2);
    assert_eq!(rig.nic.faults(), vec![Fault::RxNullBuffer { index: 0 }]);
}

#[test]
fn the_fault_log_keeps_4096_and_counts_all() {
    let rig = Rig::new();
    for _ in 0..5000 {
        rig.read(1);
    }
    assert_eq!(rig.nic.faults().len(), 4096);
    assert_eq!(rig.nic.fault_count(), 5000);
    assert_eq!(rig.nic.take_faults().len(), 4096);
    rig.read(3);
    assert_eq!(rig.nic.faults(), vec![Fault::MmioUnaligned { offset: 3 }]);
    assert_eq!(rig.nic.fault_count(), 5001);
}

/// Random register writes and random ring contents: the model may record faults, but must
/// never panic or hang.
#[test]
fn garbage_never_panics() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.setup_rx(8, 0);
    let mut seed = 0x1234_5678_9ABC_DEF0u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let regs = [TDBAL, TDLEN, TDH, TDT, RDBAL, RDLEN, RDH, RDT, RCTL, TCTL];
    for _ in 0..3000 {
        let r = next();
        let value = u32::try_from(next() & 0xFFFF_FFFF).unwrap();
        let small = value % 24;
        let reg = regs[usize::try_from(r % 10).unwrap()];
        match reg {
            TDH | TDT | RDH | RDT => rig.write(reg, small),
            TDLEN | RDLEN => rig.write(reg, small * 16),
            TDBAL => rig.write(
                reg,
                [common::low(TX_RING), value][usize::from(r & 0x100 != 0)],
            ),
            RDBAL => rig.write(
                reg,
                [common::low(common::RX_RING), value][usize::from(r & 0x100 != 0)],
            ),
            TCTL => rig.write(reg, TCTL_EN),
            _ => rig.write(reg, RCTL_EN | (value & !0x3)),
        }
        let mut junk = [0u8; 16];
        for b in &mut junk {
            *b = u8::try_from(next() & 0xFF).unwrap();
        }
        if r & 1 == 0 {
            // Keep some descriptors pointing into real buffers.
            junk[..8].copy_from_slice(&(TX_BUFS + (r & 0x3FFF)).to_le_bytes());
        }
        rig.write_tx_desc(u32::try_from(r % 8).unwrap(), &TxDesc::from_bytes(&junk));
        rig.write_rx_desc(
            u32::try_from((r >> 8) % 8).unwrap(),
            &RxDesc::from_bytes(&junk),
        );
        if r & 0x30 == 0 {
            rig.inject(&frame(MAC, PEER, usize::try_from(r % 3000).unwrap(), 0));
        }
    }
    assert!(rig.nic.fault_count() > 0);
}
