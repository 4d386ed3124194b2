//! Interrupts and link state against the device model: the causes the ISR reads, the level
//! of the shared line, masking, throttling, and link changes.

#[path = "e1000_rig.rs"]
mod rig;

use rig::{MAC, PEER, Rig, TYPICAL, frame};
use rse1k::e1000::interrupts::{self, throttle_interval};
use rse1k::e1000::{Causes, LinkStatus, Speed};

#[test]
fn the_isr_pattern_reads_causes_once_and_drops_the_line() {
    let mut rig = Rig::typical();
    // Nothing enabled is pending: on a shared line this interrupt is someone else's. (The
    // TCTL write of bring-up left TXQE, which the driver does not enable.)
    assert!(!rig.bench.nic.irq_asserted());
    let stale = interrupts::take_causes(&rig.regs());
    assert!(!stale.intersects(Causes::DRIVER), "{stale:?}");
    rig.send(&frame(PEER, MAC, 46, 0), 1);
    rig.inject(&frame(MAC, PEER, 46, 1));
    assert!(rig.bench.nic.irq_asserted());
    let regs = rig.regs();
    // ISR: mask, take the causes (read-to-clear), leave the work to the DPC.
    interrupts::mask_all(&regs);
    let causes = interrupts::take_causes(&regs);
    assert!(causes.contains(Causes::TXDW | Causes::RXT0), "{causes:?}");
    assert!(!rig.bench.nic.irq_asserted());
    assert_eq!(
        interrupts::take_causes(&regs),
        Causes::NONE,
        "read cleared them"
    );
    // DPC: the work is done, then the mask comes back; nothing pending, so no interrupt.
    interrupts::unmask(&regs, Causes::DRIVER);
    assert_eq!(interrupts::enabled(&regs), Causes::DRIVER);
    assert!(!rig.bench.nic.irq_asserted());
    rig.assert_no_faults();
}

#[test]
fn masked_causes_stay_pending_without_asserting_the_line() {
    let mut rig = Rig::typical();
    interrupts::mask(&rig.regs(), Causes::RXT0 | Causes::RXDMT0);
    rig.inject(&frame(MAC, PEER, 46, 1));
    assert!(!rig.bench.nic.irq_asserted());
    // Unmasking with the cause still pending asserts the line at once.
    interrupts::unmask(&rig.regs(), Causes::RXT0);
    assert!(rig.bench.nic.irq_asserted());
    // A software-raised cause does too (the DPC-on-demand path).
    let causes = interrupts::take_causes(&rig.regs());
    assert!(causes.contains(Causes::RXT0));
    interrupts::raise(&rig.regs(), Causes::LSC);
    assert!(rig.bench.nic.irq_asserted());
}

#[test]
fn throttling_holds_the_next_interrupt_back() {
    // 4000 interrupts a second at most: 250 µs between them.
    let interval = throttle_interval(4000);
    assert_eq!(interval, 976);
    let mut rig = Rig::throttled(16, 16, TYPICAL, &[], interval);
    rig.inject(&frame(MAC, PEER, 46, 1));
    assert!(rig.bench.nic.irq_asserted(), "the first edge is immediate");
    let _ = interrupts::take_causes(&rig.regs());
    rig.inject(&frame(MAC, PEER, 46, 2));
    assert!(!rig.bench.nic.irq_asserted(), "held back inside the window");
    rig.bench.nic.advance(u64::from(interval) * 256 - 1);
    assert!(!rig.bench.nic.irq_asserted());
    rig.bench.nic.advance(1);
    assert!(
        rig.bench.nic.irq_asserted(),
        "released when the window closes"
    );
}

#[test]
fn link_changes_raise_lsc_and_show_in_status() {
    let rig = Rig::typical();
    let up = LinkStatus::read(&rig.regs());
    assert!(up.up && up.full_duplex);
    assert_eq!(up.speed, Speed::Mbps1000);
    rig.bench.nic.set_link(false);
    assert!(rig.bench.nic.irq_asserted());
    assert!(interrupts::take_causes(&rig.regs()).contains(Causes::LSC));
    assert!(!LinkStatus::read(&rig.regs()).up);
    rig.bench.nic.set_link(true);
    assert!(interrupts::take_causes(&rig.regs()).contains(Causes::LSC));
    assert!(LinkStatus::read(&rig.regs()).up);
}
