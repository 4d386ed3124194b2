//! Interrupt causes, mask, the `INTx` line, link changes and mitigation on the virtual clock.

mod common;

use common::{MAC, PEER, Rig, frame};
use e1000_model::descriptors::{TXD_CMD_EOP, TXD_CMD_IDE, TXD_CMD_RS};
use e1000_model::regs::{
    ICR, ICR_LSC, ICR_RXDMT0, ICR_RXO, ICR_RXT0, ICR_TXDW, ICR_TXQE, ICS, IMC, IMS, ITR, RADV,
    RDTR, TADV, TDT,
};

#[test]
fn icr_read_clears_all_causes_and_drops_the_line() {
    let rig = Rig::new();
    assert_eq!(rig.irq.levels(), vec![false], "told the level on connect");
    rig.write(IMS, ICR_LSC);
    rig.write(ICS, ICR_LSC | ICR_RXO);
    assert!(rig.nic.irq_asserted());
    assert_eq!(rig.read(ICR), ICR_LSC | ICR_RXO);
    assert!(!rig.nic.irq_asserted());
    assert_eq!(rig.read(ICR), 0);
    assert_eq!(rig.irq.levels(), vec![false, true, false]);
}

#[test]
fn icr_write_clears_only_the_written_bits() {
    let rig = Rig::new();
    rig.write(IMS, ICR_RXT0 | ICR_LSC);
    rig.write(ICS, ICR_RXT0 | ICR_LSC | ICR_TXQE);
    rig.write(ICR, ICR_RXT0);
    assert_eq!(
        rig.read(ICS),
        ICR_LSC | ICR_TXQE,
        "ICS shows ICR without clearing"
    );
    assert!(rig.nic.irq_asserted(), "LSC is still pending and unmasked");
    rig.write(ICR, ICR_LSC);
    assert!(!rig.nic.irq_asserted(), "only the masked TXQE is left");
    assert_eq!(rig.read(ICR), ICR_TXQE);
}

#[test]
fn ims_sets_and_imc_clears_the_mask_and_the_line_follows() {
    let rig = Rig::new();
    rig.write(ICS, ICR_TXDW);
    assert!(!rig.nic.irq_asserted(), "cause without mask: line low");
    rig.write(IMS, ICR_TXDW);
    assert!(
        rig.nic.irq_asserted(),
        "unmasking a pending cause raises the line"
    );
    rig.write(IMS, ICR_LSC);
    assert_eq!(rig.read(IMS), ICR_TXDW | ICR_LSC, "IMS accumulates");
    rig.write(IMC, ICR_TXDW);
    assert_eq!(rig.read(IMS), ICR_LSC);
    assert_eq!(rig.read(IMC), 0, "IMC is write-only");
    assert!(!rig.nic.irq_asserted());
    assert_eq!(rig.read(ICR), ICR_TXDW, "masking does not clear the cause");
    assert_eq!(rig.irq.levels(), vec![false, true, false]);
    assert_eq!(rig.nic.stats().irq_assertions, 1);
}

#[test]
fn link_flap_raises_lsc_each_time() {
    let rig = Rig::new();
    rig.write(IMS, ICR_LSC);
    rig.nic.set_link(true);
    assert!(!rig.nic.irq_asserted(), "no change, no LSC");
    rig.nic.set_link(false);
    assert!(rig.nic.irq_asserted());
    assert_eq!(rig.read(ICR), ICR_LSC);
    rig.nic.set_link(true);
    assert_eq!(rig.read(ICR), ICR_LSC);
    assert_eq!(rig.irq.levels(), vec![false, true, false, true, false]);
}

#[test]
fn without_mitigation_every_edge_is_immediate() {
    let rig = Rig::new();
    rig.write(IMS, ICR_LSC);
    for _ in 0..3 {
        rig.write(ICS, ICR_LSC);
        assert!(rig.nic.irq_asserted());
        rig.read(ICR);
    }
    assert_eq!(rig.nic.next_deadline_ns(), None);
    assert_eq!(rig.nic.stats().irq_assertions, 3);
}

#[test]
fn itr_holds_back_the_next_edge_until_the_window_closes() {
    let rig = Rig::new();
    rig.write(ITR, 1000); // 1000 × 256 ns = 256 µs
    rig.write(IMS, ICR_LSC);
    rig.nic.advance(5);
    rig.write(ICS, ICR_LSC);
    assert!(rig.nic.irq_asserted(), "the first edge is immediate");
    assert_eq!(rig.nic.next_deadline_ns(), Some(5 + 256_000));
    rig.read(ICR);
    rig.write(ICS, ICR_LSC);
    assert!(
        !rig.nic.irq_asserted(),
        "a new edge inside the window waits"
    );
    rig.nic.advance(255_999);
    assert!(!rig.nic.irq_asserted());
    rig.nic.advance(1);
    assert!(rig.nic.irq_asserted(), "asserted when the window closes");
    // The edge at the window's end opened a new window from that moment.
    assert_eq!(rig.nic.next_deadline_ns(), Some(5 + 2 * 256_000));
    rig.read(ICR);
    rig.nic.advance(1_000_000);
    assert_eq!(
        rig.nic.next_deadline_ns(),
        None,
        "window closes with nothing pending"
    );
    rig.write(ICS, ICR_LSC);
    assert!(rig.nic.irq_asserted());
}

#[test]
fn the_window_never_drops_below_500_units() {
    let rig = Rig::new();
    rig.write(ITR, 10);
    rig.write(IMS, ICR_LSC);
    rig.write(ICS, ICR_LSC);
    assert_eq!(rig.nic.next_deadline_ns(), Some(500 * 256));
}

#[test]
fn advance_handles_several_windows_in_one_step() {
    let rig = Rig::new();
    rig.write(ITR, 500);
    rig.write(IMS, ICR_LSC);
    rig.write(ICS, ICR_LSC);
    rig.read(ICR);
    rig.write(ICS, ICR_LSC);
    // The first window closes at 128 µs and asserts; the line stays up (ICR not read), so
    // the second window (to 256 µs) closes with no new edge.
    rig.nic.advance(10_000_000);
    assert!(rig.nic.irq_asserted());
    assert_eq!(rig.nic.now_ns(), 10_000_000);
    assert_eq!(rig.nic.next_deadline_ns(), None);
    assert_eq!(rig.nic.stats().irq_assertions, 2);
}

#[test]
fn radv_counts_only_with_rdtr_and_rxt0() {
    let mut rig = Rig::new();
    rig.setup_rx(8, 0);
    rig.write(RADV, 200); // 200 × 1.024 µs = 800 units
    rig.write(IMS, ICR_RXT0 | ICR_RXDMT0);
    rig.inject(&frame(MAC, PEER, 50, 1));
    assert!(rig.nic.irq_asserted());
    assert_eq!(rig.nic.next_deadline_ns(), None, "RDTR = 0: RADV unused");
    rig.read(ICR);
    rig.write(RDTR, 1);
    rig.inject(&frame(MAC, PEER, 50, 2));
    assert!(rig.nic.irq_asserted());
    assert_eq!(rig.nic.next_deadline_ns(), Some(800 * 256));
}

#[test]
fn tadv_counts_only_after_a_descriptor_with_ide() {
    let mut rig = Rig::new();
    rig.setup_tx(8);
    rig.write(TADV, 300); // 1200 units
    rig.write(IMS, ICR_TXDW);
    rig.post_tx(0, &frame(PEER, MAC, 50, 0), TXD_CMD_EOP | TXD_CMD_RS);
    rig.write(TDT, 1);
    assert!(rig.nic.irq_asserted());
    assert_eq!(rig.nic.next_deadline_ns(), None);
    rig.read(ICR);
    rig.post_tx(
        1,
        &frame(PEER, MAC, 50, 1),
        TXD_CMD_EOP | TXD_CMD_RS | TXD_CMD_IDE,
    );
    rig.write(TDT, 2);
    assert!(rig.nic.irq_asserted());
    assert_eq!(rig.nic.next_deadline_ns(), Some(1200 * 256));
    assert_eq!(rig.sent().len(), 2);
}
