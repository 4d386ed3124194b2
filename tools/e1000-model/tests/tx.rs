//! The transmit ring end to end: frames on the wire byte-exact, DD only with RS, TDH,
//! wrap-around, TXQE/TXDW, TCTL.EN, link down.

mod common;

use common::{MAC, PEER, Rig, TX_BUFS, frame};
use e1000_model::descriptors::{TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS, TXD_STAT_DD, TxDesc};
use e1000_model::regs::{ICR, ICR_TXDW, ICR_TXQE, TCTL, TCTL_EN, TDH, TDT};

#[test]
fn one_frame_goes_out_byte_exact_with_dd_and_tdh_advanced() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.quiesce();
    let f = frame(PEER, MAC, 100, 7);
    rig.post_tx(0, &f, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);
    rig.write(TDT, 1);
    assert_eq!(rig.sent(), vec![f.clone()]);
    assert_eq!(rig.read(TDH), 1);
    assert_eq!(rig.tx_desc(0).status & TXD_STAT_DD, TXD_STAT_DD);
    assert_eq!(rig.read(ICR), ICR_TXQE | ICR_TXDW);
    let stats = rig.nic.stats();
    assert_eq!((stats.tx_frames, stats.tx_bytes), (1, f.len() as u64));
    assert!(rig.nic.faults().is_empty());
}

#[test]
fn dd_is_written_back_only_with_rs() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.quiesce();
    rig.post_tx(0, &frame(PEER, MAC, 60, 1), TXD_CMD_EOP);
    rig.write(TDT, 1);
    assert_eq!(rig.sent().len(), 1);
    assert_eq!(rig.tx_desc(0).status, 0, "no RS: status untouched");
    assert_eq!(rig.read(ICR), ICR_TXQE, "TXQE without TXDW");
    rig.post_tx(1, &frame(PEER, MAC, 60, 2), TXD_CMD_EOP | TXD_CMD_RS);
    rig.write(TDT, 2);
    assert_eq!(rig.tx_desc(1).status, TXD_STAT_DD);
    assert_eq!(rig.read(ICR), ICR_TXQE | ICR_TXDW);
}

#[test]
fn a_frame_spans_descriptors_until_eop() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    let f = frame(PEER, MAC, 300, 3);
    rig.post_tx(0, &f[..14], 0);
    rig.post_tx(1, &f[14..200], TXD_CMD_RS);
    rig.post_tx(2, &f[200..], TXD_CMD_EOP | TXD_CMD_RS);
    rig.write(TDT, 3);
    assert_eq!(rig.sent(), vec![f]);
    assert_eq!(rig.tx_desc(0).status, 0);
    assert_eq!(rig.tx_desc(1).status, TXD_STAT_DD);
    assert_eq!(rig.tx_desc(2).status, TXD_STAT_DD);
}

#[test]
fn a_frame_may_be_split_across_tdt_writes() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    let f = frame(PEER, MAC, 80, 4);
    rig.post_tx(0, &f[..40], 0);
    rig.write(TDT, 1);
    assert!(rig.sent().is_empty(), "no EOP yet");
    assert_eq!(rig.read(TDH), 1);
    rig.post_tx(1, &f[40..], TXD_CMD_EOP);
    rig.write(TDT, 2);
    assert_eq!(rig.sent(), vec![f]);
}

#[test]
fn the_ring_wraps_around() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    let mut expected = Vec::new();
    // Three rounds of five frames through an 8-descriptor ring.
    let mut tail = 0u32;
    for round in 0..3u8 {
        for k in 0..5u8 {
            let f = frame(PEER, MAC, 46 + usize::from(k), round * 10 + k);
            rig.post_tx(tail, &f, TXD_CMD_EOP | TXD_CMD_RS);
            expected.push(f);
            tail = (tail + 1) % 8;
        }
        rig.write(TDT, tail);
        assert_eq!(rig.read(TDH), tail);
    }
    assert_eq!(rig.read(TDH), 15 % 8);
    assert_eq!(rig.sent(), expected);
}

#[test]
fn nothing_goes_out_until_tctl_en_and_then_at_once() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.write(TCTL, 0);
    rig.quiesce();
    rig.post_tx(0, &frame(PEER, MAC, 60, 5), TXD_CMD_EOP | TXD_CMD_RS);
    rig.write(TDT, 1);
    assert!(rig.sent().is_empty());
    assert_eq!(rig.read(TDH), 0);
    assert_eq!(rig.read(ICR), 0);
    rig.write(TCTL, TCTL_EN);
    assert_eq!(rig.sent().len(), 1);
    assert_eq!(rig.read(TDH), 1);
    assert_eq!(rig.read(ICR), ICR_TXQE | ICR_TXDW);
}

#[test]
fn frames_are_consumed_but_not_sent_while_the_link_is_down() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.nic.set_link(false);
    rig.post_tx(0, &frame(PEER, MAC, 60, 6), TXD_CMD_EOP | TXD_CMD_RS);
    rig.write(TDT, 1);
    assert!(rig.sent().is_empty());
    assert_eq!(rig.tx_desc(0).status, TXD_STAT_DD);
    assert_eq!(rig.nic.stats().tx_dropped_link_down, 1);
}

#[test]
fn descriptor_fields_other_than_status_are_left_alone() {
    let rig = Rig::new();
    rig.setup_tx(8);
    let d = TxDesc {
        addr: TX_BUFS,
        length: 60,
        cso: 0x11,
        cmd: TXD_CMD_EOP | TXD_CMD_RS,
        status: 0,
        css: 0x22,
        special: 0x3344,
    };
    rig.write_tx_desc(0, &d);
    rig.write(TDT, 1);
    assert_eq!(
        rig.tx_desc(0),
        TxDesc {
            status: TXD_STAT_DD,
            ..d
        }
    );
}
