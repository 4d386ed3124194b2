//! Transmit against the device model: frames posted on the driver's ring reach the wire
//! byte-exact, reclaim hands back exactly their tokens, and a stuck transmitter is noticed.

#[path = "e1000_rig.rs"]
mod rig;

use rig::{MAC, ModelRegs, PEER, Rig, frame};
use rse1k::e1000::regs::{self, tctl};
use rse1k::e1000::{HangDetector, PostRefused, Registers, Segment};

#[test]
fn a_posted_frame_reaches_the_wire_byte_exact_and_its_token_comes_back() {
    let mut rig = Rig::typical();
    let f = frame(PEER, MAC, 100, 7);
    let slot = rig.send(&f, 42);
    assert_eq!(slot, 0);
    assert_eq!(rig.wire(), vec![f]);
    assert_eq!(rig.reclaim(), vec![42]);
    assert!(rig.tx.is_idle());
    assert_eq!(rig.bench.nic.stats().tx_frames, 1);
    // The model wrote back DD, so nothing more to reclaim.
    assert_eq!(rig.reclaim(), Vec::<u32>::new());
    rig.assert_no_faults();
}

#[test]
fn nothing_goes_out_before_the_doorbell() {
    let mut rig = Rig::typical();
    let f = frame(PEER, MAC, 46, 1);
    let pa = rig.stage(&f);
    rig.tx
        .post(&rig.tx_mem, pa, u16::try_from(f.len()).unwrap(), 1)
        .unwrap();
    assert!(rig.wire().is_empty());
    assert_eq!(
        rig.reclaim(),
        Vec::<u32>::new(),
        "not done before it was sent"
    );
    rig.tx.doorbell(&ModelRegs(&rig.bench.nic));
    assert_eq!(rig.wire(), vec![f]);
    assert_eq!(rig.reclaim(), vec![1]);
}

#[test]
fn frames_in_several_segments_are_gathered_in_order() {
    let mut rig = Rig::typical();
    let f = frame(PEER, MAC, 300, 3);
    // Header, a middle part, and the tail, each in its own buffer.
    let parts = [&f[..14], &f[14..200], &f[200..]];
    let segments: Vec<Segment> = parts
        .iter()
        .map(|p| Segment {
            address: rig.stage(p),
            length: u16::try_from(p.len()).unwrap(),
        })
        .collect();
    let last = rig.tx.post_segments(&rig.tx_mem, &segments, 9).unwrap();
    assert_eq!(last, 2, "the token sits on the last descriptor");
    rig.tx.doorbell(&ModelRegs(&rig.bench.nic));
    assert_eq!(rig.wire(), vec![f]);
    assert_eq!(rig.reclaim(), vec![9]);
    assert_eq!(rig.tx.free(), 15);
    rig.assert_no_faults();
}

#[test]
fn many_laps_of_the_ring_keep_every_frame_and_token_in_order() {
    let mut rig = Rig::new(8, 8, rig::TYPICAL, &[]);
    let mut sent = Vec::new();
    let mut tokens = Vec::new();
    for token in 0..100u32 {
        // Vary the batch so the tail lands everywhere relative to the wrap.
        let len = 46 + usize::try_from(token % 17).unwrap() * 20;
        let f = frame(PEER, MAC, len, u8::try_from(token % 251).unwrap());
        rig.send(&f, token);
        sent.push(f);
        if token % 3 == 2 {
            tokens.extend(rig.reclaim());
        }
    }
    tokens.extend(rig.reclaim());
    assert_eq!(rig.wire(), sent);
    assert_eq!(tokens, (0..100).collect::<Vec<_>>());
    assert_eq!(rig.tx.completed(), 100);
    rig.assert_no_faults();
}

#[test]
fn a_full_ring_refuses_and_accepts_again_after_reclaim() {
    let mut rig = Rig::new(8, 8, rig::TYPICAL, &[]);
    // Stop the transmitter so nothing completes.
    rig.regs().modify(regs::TCTL, 0, tctl::EN);
    let f = frame(PEER, MAC, 46, 0);
    for token in 0..7 {
        let pa = rig.stage(&f);
        rig.tx.post(&rig.tx_mem, pa, 60, token).unwrap();
    }
    let pa = rig.stage(&f);
    let refused = rig.tx.post(&rig.tx_mem, pa, 60, 7).unwrap_err();
    assert_eq!((refused.token, refused.reason), (7, PostRefused::Full));
    rig.tx.doorbell(&ModelRegs(&rig.bench.nic));
    assert!(rig.wire().is_empty());
    // Re-enabling the transmitter makes the model walk the ring (TCTL write).
    rig.regs().modify(regs::TCTL, tctl::EN, 0);
    assert_eq!(rig.wire().len(), 7);
    assert_eq!(rig.reclaim(), (0..7).collect::<Vec<_>>());
    assert_eq!(rig.tx.free(), 7);
    rig.assert_no_faults();
}

#[test]
fn a_transmitter_that_makes_no_progress_is_reported_hung() {
    let mut rig = Rig::typical();
    let mut hang = HangDetector::new(3);
    // Traffic flowing: never hung.
    for token in 0..5 {
        rig.send(&frame(PEER, MAC, 46, 0), token);
        rig.reclaim();
        assert!(!hang.check(&rig.tx));
    }
    // The transmitter stops (as a wedged NIC would): frames stay in flight.
    ModelRegs(&rig.bench.nic).modify(regs::TCTL, 0, tctl::EN);
    rig.send(&frame(PEER, MAC, 46, 0), 99);
    let mut verdicts = Vec::new();
    for _ in 0..4 {
        rig.reclaim();
        verdicts.push(hang.check(&rig.tx));
    }
    assert_eq!(verdicts, [false, false, true, true]);
    // After an abort (the reset path) the ring is idle and not hung.
    let mut aborted = Vec::new();
    rig.tx.abort(|t| aborted.push(t));
    assert_eq!(aborted, vec![99]);
    assert!(!hang.check(&rig.tx));
}
