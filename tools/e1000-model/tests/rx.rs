//! The receive ring end to end: byte-exact buffers, DD|EOP, length, RDH, RXT0, RXDMT0, RXO,
//! CRC, padding, multi-buffer frames, and the conditions for receiving at all.

mod common;

use common::{MAC, PEER, Rig, frame, rx_buf};
use e1000_model::descriptors::{RXD_STAT_DD, RXD_STAT_EOP, RxDesc};
use e1000_model::regs::{
    ICR, ICR_RXDMT0, ICR_RXO, ICR_RXT0, RCTL, RCTL_BAM, RCTL_BSIZE_SHIFT, RCTL_EN, RCTL_LPE,
    RCTL_RDMTS_SHIFT, RDH, RDT,
};
use e1000_model::rx::crc32;
use e1000_model::stats::{CRCERRS, MPC, ROC};
use e1000_model::{E1000, LinkConditions, Wire};

const DONE: u8 = RXD_STAT_DD | RXD_STAT_EOP;

#[test]
fn a_frame_lands_byte_exact_with_dd_eop_length_and_rdh() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.quiesce();
    let f = frame(MAC, PEER, 200, 9);
    assert_eq!(rig.inject(&f), 1);
    let d = rig.rx_desc(0);
    assert_eq!(d.status & DONE, DONE);
    assert_eq!(usize::from(d.length), f.len());
    assert_eq!(d.errors, 0);
    assert_eq!(d.addr, rx_buf(0), "the buffer address is kept");
    assert_eq!(rig.rx_data(0), f);
    assert_eq!(rig.read(RDH), 1);
    assert_eq!(rig.read(ICR), ICR_RXT0);
    assert_eq!(rig.rx_desc(1).status, 0, "the next descriptor is untouched");
    let stats = rig.nic.stats();
    assert_eq!((stats.rx_frames, stats.rx_bytes), (1, f.len() as u64));
}

#[test]
fn without_secrc_the_fcs_follows_the_frame() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.write(RCTL, RCTL_EN | RCTL_BAM);
    let f = frame(MAC, PEER, 100, 1);
    rig.inject(&f);
    let data = rig.rx_data(0);
    assert_eq!(data.len(), f.len() + 4);
    assert_eq!(&data[..f.len()], &f[..]);
    assert_eq!(data[f.len()..], crc32(&f).to_le_bytes());
}

#[test]
fn short_frames_are_padded_to_60_bytes() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    let f = frame(MAC, PEER, 10, 2);
    rig.inject(&f);
    let data = rig.rx_data(0);
    assert_eq!(data.len(), 60);
    assert_eq!(&data[..f.len()], &f[..]);
    assert!(data[f.len()..].iter().all(|&b| b == 0));
}

#[test]
fn a_large_frame_spans_small_buffers_with_eop_on_the_last() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 3 << RCTL_BSIZE_SHIFT); // 256-byte buffers
    let f = frame(MAC, PEER, 600, 3); // 614 bytes: 256 + 256 + 102
    rig.inject(&f);
    let lens: Vec<u16> = (0..3).map(|i| rig.rx_desc(i).length).collect();
    assert_eq!(lens, vec![256, 256, 102]);
    assert_eq!(rig.rx_desc(0).status & DONE, RXD_STAT_DD);
    assert_eq!(rig.rx_desc(1).status & DONE, RXD_STAT_DD);
    assert_eq!(rig.rx_desc(2).status & DONE, DONE);
    let joined: Vec<u8> = (0..3).flat_map(|i| rig.rx_data(i)).collect();
    assert_eq!(joined, f);
    assert_eq!(rig.read(RDH), 3);
}

#[test]
fn out_of_descriptors_raises_rxo_and_counts_mpc() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0); // 7 descriptors posted
    rig.quiesce();
    for k in 0..7 {
        rig.inject(&frame(MAC, PEER, 60, k));
    }
    assert_eq!(rig.read(RDH), 7);
    assert_eq!(rig.read(ICR) & ICR_RXO, 0);
    rig.inject(&frame(MAC, PEER, 60, 99));
    assert_eq!(rig.read(ICR), ICR_RXO);
    assert_eq!(rig.read(MPC), 1);
    assert_eq!(rig.nic.stats().rx_dropped_no_buffers, 1);
    // Returning descriptors makes room again, wrapping around.
    rig.write(RDT, 5);
    rig.inject(&frame(MAC, PEER, 60, 100));
    assert_eq!(rig.read(RDH), 0);
    assert_eq!(rig.rx_desc(7).status & DONE, DONE);
    assert_eq!(rig.rx_data(7)[14], 100);
}

#[test]
fn a_frame_larger_than_the_posted_buffers_is_an_overrun() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 3 << RCTL_BSIZE_SHIFT); // 256-byte buffers
    rig.write(RDT, 2); // 2 × 256 bytes posted
    rig.quiesce();
    rig.inject(&frame(MAC, PEER, 600, 0));
    assert_eq!(rig.read(ICR), ICR_RXO);
    assert_eq!(rig.read(RDH), 0);
}

#[test]
fn rxdmt0_when_free_descriptors_fall_to_the_threshold() {
    let mut rig = Rig::new();
    // 16 descriptors, 15 posted; RDMTS = 1/4: 4 or fewer left → RXDMT0.
    rig.setup_rx(16, 1 << RCTL_RDMTS_SHIFT);
    rig.quiesce();
    let mut with_dmt = Vec::new();
    for k in 0..12 {
        rig.inject(&frame(MAC, PEER, 60, k));
        with_dmt.push(rig.read(ICR) & ICR_RXDMT0 != 0);
    }
    // After frame k, 15 - (k + 1) descriptors are left.
    let expected: Vec<bool> = (0..12).map(|k| 15 - (k + 1) <= 4).collect();
    assert_eq!(with_dmt, expected);
    assert_eq!(with_dmt.iter().filter(|b| **b).count(), 2);
}

#[test]
fn rxdmt0_default_threshold_is_half() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.quiesce();
    let mut flags = Vec::new();
    for k in 0..4 {
        rig.inject(&frame(MAC, PEER, 60, k));
        flags.push(rig.read(ICR));
    }
    // 7 posted: after 1..4 frames, 6, 5, 4, 3 left; ≤ 4 is half of 8.
    assert_eq!(
        flags,
        vec![
            ICR_RXT0,
            ICR_RXT0,
            ICR_RXT0 | ICR_RXDMT0,
            ICR_RXT0 | ICR_RXDMT0
        ]
    );
}

#[test]
fn nothing_is_received_without_rctl_en_or_link() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.write(RCTL, RCTL_BAM);
    rig.inject(&frame(MAC, PEER, 60, 0));
    rig.write(RCTL, RCTL_EN | RCTL_BAM);
    rig.nic.set_link(false);
    rig.inject(&frame(MAC, PEER, 60, 1));
    assert_eq!(rig.read(RDH), 0);
    assert_eq!(rig.nic.stats().rx_dropped_disabled, 2);
    rig.nic.set_link(true);
    rig.inject(&frame(MAC, PEER, 60, 2));
    assert_eq!(rig.read(RDH), 1);
}

#[test]
fn nothing_is_received_with_rdh_equal_to_rdt() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.write(RDT, 0);
    rig.quiesce();
    rig.inject(&frame(MAC, PEER, 60, 0));
    assert_eq!(rig.read(ICR), ICR_RXO);
    assert_eq!(rig.rx_desc(0).status, 0);
}

#[test]
fn bad_crc_frames_count_in_crcerrs() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    let now = rig.nic.now_ns();
    rig.peer.send_corrupted(&frame(MAC, PEER, 60, 0), now);
    assert_eq!(rig.nic.poll_wire(), 1);
    assert_eq!(rig.read(RDH), 0);
    assert_eq!(rig.read(CRCERRS), 1);
    assert_eq!(rig.nic.stats().rx_dropped_bad_crc, 1);
}

#[test]
fn oversized_frames_need_lpe() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    let big = frame(MAC, PEER, 1600, 0);
    rig.inject(&big);
    assert_eq!(rig.read(RDH), 0);
    assert_eq!(rig.read(ROC), 1);
    rig.write(RCTL, rig.read(RCTL) | RCTL_LPE);
    rig.inject(&big);
    assert_eq!(rig.read(RDH), 1);
    assert_eq!(rig.rx_data(0), big);
    // A VLAN-sized frame (1518 bytes without FCS) passes without LPE.
    rig.write(RCTL, rig.read(RCTL) & !RCTL_LPE);
    rig.inject(&frame(MAC, PEER, 1518 - 14, 0));
    assert_eq!(rig.read(RDH), 2);
}

#[test]
fn the_wire_delay_is_in_virtual_time() {
    let mut rig = Rig::with(LinkConditions {
        delay_ns: 10_000,
        ..LinkConditions::default()
    });
    rig.setup_rx(8, 0);
    assert_eq!(rig.inject(&frame(MAC, PEER, 60, 0)), 0);
    rig.nic.advance(9_999);
    assert_eq!(rig.nic.poll_wire(), 0);
    rig.nic.advance(1);
    assert_eq!(rig.nic.poll_wire(), 1);
    assert_eq!(rig.read(RDH), 1);
}

#[test]
fn status_bits_left_by_the_driver_do_not_leak() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 3 << RCTL_BSIZE_SHIFT);
    // Stale EOP and errors in descriptor 0 from a previous use.
    rig.write_rx_desc(
        0,
        &RxDesc {
            addr: rx_buf(0),
            length: 7,
            status: RXD_STAT_EOP,
            errors: 0xFF,
            ..RxDesc::default()
        },
    );
    rig.inject(&frame(MAC, PEER, 400, 0));
    let d = rig.rx_desc(0);
    assert_eq!(d.status & RXD_STAT_EOP, 0);
    assert_eq!(d.errors, 0);
    assert_eq!(d.length, 256);
}

#[test]
fn one_poll_takes_at_most_the_budget() {
    let mut rig = Rig::new();
    let f = frame(MAC, PEER, 60, 0);
    for _ in 0..=E1000::POLL_BUDGET {
        rig.peer.send(&f, 0);
    }
    assert_eq!(rig.nic.poll_wire(), E1000::POLL_BUDGET);
    assert_eq!(rig.nic.poll_wire(), 1);
    assert_eq!(rig.nic.poll_wire(), 0);
    assert_eq!(
        rig.nic.stats().rx_dropped_disabled,
        E1000::POLL_BUDGET as u64 + 1
    );
}
