//! Receive against the device model: frames from the wire are harvested byte-exact, buffers
//! go round the ring, and descriptors that are not a good single-buffer frame are dropped
//! and counted, never returned.

#[path = "e1000_rig.rs"]
mod rig;

use e1000_model::{DmaMemory, Fault};
use rig::{MAC, PEER, RX_BUFS, RX_RING, Rig, frame};
use rse1k::e1000::descriptors::{rx_errors, rx_status};
use rse1k::e1000::regs::{self, rctl};
use rse1k::e1000::{BufferSize, Causes, Registers, RxDescriptor, RxDrops};

#[test]
fn a_frame_from_the_wire_is_harvested_byte_exact() {
    let mut rig = Rig::typical();
    let f = frame(MAC, PEER, 200, 5);
    rig.inject(&f);
    // The model raised RXT0 and, with it unmasked, the line.
    assert!(rig.bench.nic.irq_asserted());
    let causes = Causes::from_bits(rig.regs().read(regs::ICR));
    assert!(causes.contains(Causes::RXT0));
    let (frame, data) = rig.harvest().unwrap();
    assert_eq!(data, f, "CRC stripped, nothing added");
    assert_eq!(frame.slot, 0);
    assert_eq!(usize::from(frame.length), f.len());
    assert_eq!(
        frame.status & (rx_status::DD | rx_status::EOP),
        rx_status::DD | rx_status::EOP
    );
    assert!(rig.harvest().is_none());
    assert_eq!(rig.rx.unfilled(), 1);
    rig.repost(frame.slot);
    assert_eq!(rig.rx.unfilled(), 0);
    rig.assert_no_faults();
}

#[test]
fn a_short_frame_arrives_padded_to_the_minimum() {
    let mut rig = Rig::typical();
    let f = frame(MAC, PEER, 10, 1);
    rig.inject(&f);
    let (_, data) = rig.harvest().unwrap();
    assert_eq!(data.len(), 60);
    assert_eq!(&data[..f.len()], &f[..]);
    assert!(data[f.len()..].iter().all(|&b| b == 0));
}

#[test]
fn buffers_go_round_the_ring_many_times() {
    let mut rig = Rig::new(8, 8, rig::TYPICAL, &[]);
    for i in 0..100u8 {
        let f = frame(MAC, PEER, 46 + usize::from(i) * 7, i);
        rig.inject(&f);
        let (frame, data) = rig.harvest().unwrap();
        assert_eq!(data, f, "frame {i}");
        assert_eq!(frame.slot, u16::from(i % 8));
        rig.repost(frame.slot);
    }
    assert_eq!(rig.rx.received(), 100);
    assert_eq!(rig.rx.drops(), RxDrops::default());
    rig.assert_no_faults();
}

#[test]
fn a_full_ring_makes_the_model_drop_and_any_returned_buffer_recovers_it() {
    let mut rig = Rig::new(8, 8, rig::TYPICAL, &[]);
    // Seven descriptors are the NIC's; the eighth frame finds none.
    let frames: Vec<Vec<u8>> = (0..8).map(|i| frame(MAC, PEER, 60, i)).collect();
    for f in &frames {
        rig.inject(f);
    }
    assert_eq!(rig.bench.nic.stats().rx_dropped_no_buffers, 1);
    let causes = Causes::from_bits(rig.regs().read(regs::ICR));
    assert!(causes.contains(Causes::RXO));
    let mut held = Vec::new();
    while let Some((frame, data)) = rig.harvest() {
        assert_eq!(data, frames[held.len()]);
        held.push(frame.slot);
    }
    assert_eq!(held.len(), 7);
    // The stack returns them in reverse and keeps the oldest: buffers are not tied to
    // descriptors, so each one returned goes back to the NIC at once.
    let rdt = |rig: &Rig| rig.regs().read(regs::RDT);
    let mut before = rdt(&rig);
    for &slot in held.iter().rev().take(6) {
        rig.repost(slot);
        assert_ne!(rdt(&rig), before, "a returned buffer is posted at once");
        before = rdt(&rig);
    }
    // The ring works again.
    let f = frame(MAC, PEER, 80, 99);
    rig.inject(&f);
    assert_eq!(rig.harvest().unwrap().1, f);
    rig.assert_no_faults();
}

/// Rewrites descriptor `slot` in ring memory as if the NIC had written it back so.
fn corrupt(rig: &Rig, slot: u16, edit: impl FnOnce(&mut RxDescriptor)) {
    let addr = RX_RING + u64::from(slot) * 16;
    let mut raw = [0u8; 16];
    rig.bench.mem.read(addr, &mut raw).unwrap();
    let mut d = RxDescriptor::from_bytes(&raw);
    edit(&mut d);
    rig.bench.mem.write(addr, &d.to_bytes()).unwrap();
}

#[test]
fn descriptors_with_error_bits_or_bad_lengths_are_dropped_and_counted() {
    let mut rig = Rig::typical();
    let good = frame(MAC, PEER, 100, 0);
    for _ in 0..5 {
        rig.inject(&good);
    }
    corrupt(&rig, 0, |d| d.errors = rx_errors::CE);
    corrupt(&rig, 1, |d| d.errors = rx_errors::SE | rx_errors::RXE);
    corrupt(&rig, 2, |d| d.length = 0);
    corrupt(&rig, 3, |d| d.length = BufferSize::B2048.bytes() + 1);
    // Only slot 4 is a frame.
    let (frame, data) = rig.harvest().unwrap();
    assert_eq!((frame.slot, data), (4, good.clone()));
    assert!(rig.harvest().is_none());
    assert_eq!(
        rig.rx.drops(),
        RxDrops {
            errors: 2,
            bad_length: 2,
            runts: 0,
            fragmented: 0
        }
    );
    // The dropped buffers went straight back to the NIC.
    assert_eq!(rig.rx.unfilled(), 1);
    rig.repost(frame.slot);
    for _ in 0..15 {
        rig.inject(&good);
        let (frame, data) = rig.harvest().unwrap();
        assert_eq!(data, good);
        rig.repost(frame.slot);
    }
    rig.assert_no_faults();
}

#[test]
fn a_buffer_the_nic_could_not_write_is_dropped_on_its_rxe() {
    let mut rig = Rig::typical();
    // Slot 0's buffer vanishes: the model writes the descriptor back with RXE and no data.
    assert!(rig.bench.mem.unmap(RX_BUFS));
    rig.inject(&frame(MAC, PEER, 100, 0));
    assert!(rig.harvest().is_none());
    assert_eq!(rig.rx.drops().errors, 1);
    assert_eq!(
        rig.bench.nic.take_faults(),
        vec![Fault::RxBufferDma {
            index: 0,
            addr: RX_BUFS
        }]
    );
    // The next frame lands in slot 1 and is fine.
    let f = frame(MAC, PEER, 100, 1);
    rig.inject(&f);
    let (frame, data) = rig.harvest().unwrap();
    assert_eq!((frame.slot, data), (1, f));
}

#[test]
fn a_frame_spread_over_several_buffers_is_dropped_whole() {
    let mut rig = Rig::typical();
    // Make the NIC use 256-byte buffers behind the ring's back: a 600-byte frame takes three
    // descriptors, only the last with EOP.
    rig.regs()
        .modify(regs::RCTL, BufferSize::B256.rctl_bits(), 0);
    rig.inject(&frame(MAC, PEER, 586, 0));
    assert!(rig.harvest().is_none());
    assert_eq!(
        rig.rx.drops(),
        RxDrops {
            errors: 0,
            bad_length: 0,
            runts: 0,
            fragmented: 1
        }
    );
    // Back to 2 KiB: the next frame is whole, in the slot after the three.
    rig.regs()
        .modify(regs::RCTL, 0, BufferSize::B256.rctl_bits());
    assert_eq!(
        rig.regs().read(regs::RCTL) & !rctl::FILTER_MASK,
        rctl::SECRC | BufferSize::B2048.rctl_bits()
    );
    let f = frame(MAC, PEER, 586, 1);
    rig.inject(&f);
    let (frame, data) = rig.harvest().unwrap();
    assert_eq!((frame.slot, data), (3, f));
    rig.assert_no_faults();
}
