//! Statistics against the device model: the read-to-clear counters end up in running totals
//! that match the traffic, and a second read adds only what happened since.

#[path = "e1000_rig.rs"]
mod rig;

use rig::{MAC, PEER, Rig, frame};
use rse1k::e1000::{MacAddress, Statistics};

const GROUP: [u8; 6] = [0x01, 0x00, 0x5E, 0x00, 0x00, 0x01];

#[test]
fn totals_follow_the_traffic_across_read_to_clear_reads() {
    let mut rig = Rig::new(16, 16, rig::TYPICAL, &[MacAddress(GROUP)]);
    let mut stats = Statistics::new();
    // Counters from bring-up's reset are not traffic: start from a clean read.
    stats.accumulate(&rig.regs());
    let baseline = stats;

    // 3 unicast + 1 broadcast + 2 multicast received; 4 sent (1 broadcast).
    let received = [
        frame(MAC, PEER, 100, 0),
        frame(MAC, PEER, 200, 1),
        frame(MAC, PEER, 46, 2),
        frame([0xFF; 6], PEER, 46, 3),
        frame(GROUP, PEER, 46, 4),
        frame(GROUP, PEER, 500, 5),
    ];
    for f in &received {
        rig.inject(f);
        let (slot, _) = rig.harvest().unwrap();
        rig.repost(slot.slot);
    }
    let sent = [
        frame(PEER, MAC, 46, 6),
        frame(PEER, MAC, 1000, 7),
        frame(PEER, MAC, 46, 8),
        frame([0xFF; 6], MAC, 46, 9),
    ];
    for (token, f) in (0..).zip(&sent) {
        rig.send(f, token);
    }
    stats.accumulate(&rig.regs());
    let octets = |frames: &[Vec<u8>]| -> u64 {
        // The NIC counts the FCS, and pads short frames to 60 bytes first.
        frames.iter().map(|f| f.len().max(60) as u64 + 4).sum()
    };
    assert_eq!(stats.rx_good - baseline.rx_good, 6);
    assert_eq!(stats.rx_broadcast - baseline.rx_broadcast, 1);
    assert_eq!(stats.rx_multicast - baseline.rx_multicast, 2);
    assert_eq!(stats.rx_unicast() - baseline.rx_unicast(), 3);
    assert_eq!(stats.rx_octets - baseline.rx_octets, octets(&received));
    assert_eq!(stats.tx_good - baseline.tx_good, 4);
    assert_eq!(stats.tx_broadcast - baseline.tx_broadcast, 1);
    assert_eq!(stats.tx_unicast() - baseline.tx_unicast(), 3);
    assert_eq!(stats.tx_octets - baseline.tx_octets, octets(&sent));
    assert_eq!(stats.rx_total - baseline.rx_total, 6);
    assert_eq!(stats.tx_total - baseline.tx_total, 4);

    // The counters cleared: reading again with no traffic changes nothing ...
    let before = stats;
    stats.accumulate(&rig.regs());
    assert_eq!(stats, before);
    // ... and new traffic is added to the totals, not substituted for them.
    rig.inject(&received[0]);
    stats.accumulate(&rig.regs());
    assert_eq!(stats.rx_good, before.rx_good + 1);
    assert_eq!(stats.rx_octets, before.rx_octets + octets(&received[..1]));
    rig.assert_no_faults();
}

#[test]
fn frames_dropped_for_want_of_buffers_are_counted_as_missed() {
    let mut rig = Rig::new(8, 8, rig::TYPICAL, &[]);
    let mut stats = Statistics::new();
    stats.accumulate(&rig.regs());
    let baseline = stats;
    // Seven descriptors are the NIC's; three more frames find none.
    for i in 0..10 {
        rig.inject(&frame(MAC, PEER, 46, i));
    }
    stats.accumulate(&rig.regs());
    assert_eq!(stats.missed - baseline.missed, 3);
    assert_eq!(stats.rx_no_buffers - baseline.rx_no_buffers, 3);
    assert_eq!(stats.rx_good - baseline.rx_good, 7);
}
