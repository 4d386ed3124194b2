//! Statistics registers: what they count, read-to-clear, and the 64-bit pairs.

mod common;

use common::{MAC, PEER, Rig, frame};
use e1000_model::descriptors::{TXD_CMD_EOP, TXD_CMD_RS};
use e1000_model::regs::{RCTL, RDT, TDT};
use e1000_model::stats::{
    BPRC, BPTC, CRCERRS, GORCH, GORCL, GOTCH, GOTCL, GPRC, GPTC, MPC, MPRC, MPTC, PRC64, PRC127,
    PTC64, RNBC, TORH, TORL, TPR, TPT,
};

#[test]
fn receive_counters_count_and_clear_on_read() {
    let mut rig = Rig::new();
    rig.setup_rx(16, 0);
    rig.write(RCTL, rig.read(RCTL) | e1000_model::regs::RCTL_MPE);
    rig.inject(&frame(MAC, PEER, 100, 0)); // 114 + 4 = 118 octets
    rig.inject(&frame([0xFF; 6], PEER, 46, 0)); // 60 + 4 = 64 octets
    rig.inject(&frame([0x01, 0, 0x5E, 0, 0, 1], PEER, 46, 0)); // 64 octets
    assert_eq!(rig.read(GPRC), 3);
    assert_eq!(rig.read(GPRC), 0, "read-to-clear");
    assert_eq!(rig.read(TPR), 3);
    assert_eq!(rig.read(BPRC), 1);
    assert_eq!(rig.read(MPRC), 1);
    assert_eq!(rig.read(PRC64), 2);
    assert_eq!(rig.read(PRC127), 1);
    // 64-bit pairs: the low half does not clear, the high half clears both.
    assert_eq!(rig.read(GORCL), 118 + 64 + 64);
    assert_eq!(rig.read(GORCL), 246);
    assert_eq!(rig.read(GORCH), 0);
    assert_eq!(rig.read(GORCL), 0);
    assert_eq!(rig.read(TORL), 246);
    assert_eq!(rig.read(TORH), 0);
    assert_eq!(rig.read(TORL), 0);
    // The host-side counters are untouched by all that reading.
    assert_eq!(rig.nic.stats().rx_frames, 3);
}

#[test]
fn transmit_counters_count_and_clear_on_read() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.post_tx(0, &frame(PEER, MAC, 46, 0), TXD_CMD_EOP | TXD_CMD_RS);
    rig.post_tx(1, &frame([0xFF; 6], MAC, 46, 0), TXD_CMD_EOP | TXD_CMD_RS);
    rig.post_tx(2, &frame([0x01, 0, 0x5E, 0, 0, 1], MAC, 46, 0), TXD_CMD_EOP);
    rig.write(TDT, 3);
    assert_eq!(rig.sent().len(), 3);
    assert_eq!(rig.read(GPTC), 3);
    assert_eq!(rig.read(TPT), 3);
    assert_eq!(rig.read(BPTC), 1);
    assert_eq!(rig.read(MPTC), 1);
    assert_eq!(rig.read(PTC64), 3);
    assert_eq!(rig.read(GOTCL), 3 * 64);
    assert_eq!(rig.read(GOTCH), 0);
    assert_eq!(rig.read(GOTCL), 0);
    assert_eq!([rig.read(GPTC), rig.read(TPT), rig.read(PTC64)], [0; 3]);
}

#[test]
fn missed_packets_and_crc_errors_clear_on_read() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.write(RDT, 0);
    rig.inject(&frame(MAC, PEER, 60, 0));
    rig.inject(&frame(MAC, PEER, 60, 0));
    let now = rig.nic.now_ns();
    rig.peer.send_corrupted(&frame(MAC, PEER, 60, 0), now);
    rig.nic.poll_wire();
    assert_eq!(rig.read(MPC), 2);
    assert_eq!(rig.read(RNBC), 2);
    assert_eq!(rig.read(CRCERRS), 1);
    assert_eq!([rig.read(MPC), rig.read(RNBC), rig.read(CRCERRS)], [0; 3]);
}

#[test]
fn statistics_are_read_only() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.inject(&frame(MAC, PEER, 60, 0));
    rig.write(GPRC, 1000);
    assert_eq!(rig.read(GPRC), 1);
}
