//! Receive filtering against the device model: the driver's MTA hash is the one the NIC
//! uses, and each packet-filter setting lets through exactly the frames it should.

#[path = "e1000_rig.rs"]
mod rig;

use rig::{MAC, PEER, Rig, TYPICAL, frame};
use rse1k::e1000::{MacAddress, ReceiveFilter, filter, mta_hash};

const GROUP: [u8; 6] = [0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB];

/// Sends a frame to `dst` and says whether the driver got it.
fn passes(rig: &mut Rig, dst: [u8; 6]) -> bool {
    rig.inject(&frame(dst, PEER, 60, dst[5]));
    match rig.harvest() {
        Some((f, data)) => {
            assert_eq!(&data[..6], &dst);
            rig.repost(f.slot);
            true
        }
        None => false,
    }
}

#[test]
fn the_hash_agrees_with_the_models_filter_for_many_addresses() {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..10_000 {
        // xorshift: a spread of addresses, reproducible.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let b = x.to_le_bytes();
        let addr = [b[0] | 1, b[1], b[2], b[3], b[4], b[5]];
        assert_eq!(
            mta_hash(MacAddress(addr)),
            e1000_model::filter::mta_hash(&addr, 0),
            "{addr:02x?}"
        );
    }
}

#[test]
fn a_listed_group_is_received_and_an_unlisted_one_is_not() {
    let listed = MacAddress(GROUP);
    let unlisted = [0x01, 0x00, 0x5E, 0x7F, 0x12, 0x34];
    assert_ne!(mta_hash(listed), mta_hash(MacAddress(unlisted)));
    let mut rig = Rig::new(16, 16, TYPICAL, &[listed]);
    assert!(passes(&mut rig, GROUP));
    assert!(!passes(&mut rig, unlisted));
    assert_eq!(rig.bench.nic.stats().rx_dropped_filtered, 1);
    // Changing the list at run time (the multicast-list OID) takes effect at once.
    let other = MacAddress(unlisted);
    filter::apply(&rig.regs(), &TYPICAL, &[other]);
    assert!(passes(&mut rig, unlisted));
    assert!(!passes(&mut rig, GROUP));
    rig.assert_no_faults();
}

#[test]
fn each_filter_setting_passes_what_it_should() {
    let foreign = [0x02, 0x00, 0x00, 0x99, 0x99, 0x99];
    let broadcast = [0xFF; 6];
    let dsts = [MAC, broadcast, GROUP, foreign];
    // For each setting: what the NIC passes and what the stack asked for, for
    // [to us, broadcast, unlisted group, someone else].
    let directed = ReceiveFilter {
        directed: true,
        ..ReceiveFilter::NONE
    };
    let all_multicast = ReceiveFilter {
        directed: true,
        all_multicast: true,
        ..ReceiveFilter::NONE
    };
    let promiscuous = ReceiveFilter {
        promiscuous: true,
        ..ReceiveFilter::NONE
    };
    let cases: [(ReceiveFilter, [bool; 4], [bool; 4]); 5] = [
        (ReceiveFilter::NONE, [false; 4], [false; 4]),
        (
            directed,
            [true, false, false, false],
            [true, false, false, false],
        ),
        (
            TYPICAL,
            [true, true, false, false],
            [true, true, false, false],
        ),
        // MPE passes every group address, broadcast included, though broadcast was not
        // asked for: the exact check is what keeps it from the stack.
        (
            all_multicast,
            [true, true, true, false],
            [true, false, true, false],
        ),
        (promiscuous, [true; 4], [true; 4]),
    ];
    for (setting, hardware, exact) in cases {
        let mut rig = Rig::new(16, 16, setting, &[]);
        let got = dsts.map(|dst| passes(&mut rig, dst));
        assert_eq!(got, hardware, "{setting:?}");
        let wanted = dsts.map(|dst| setting.accepts(MacAddress(dst), MacAddress(MAC), &[]));
        assert_eq!(wanted, exact, "{setting:?}");
        // The NIC never drops a frame the stack asked for.
        for (w, h) in wanted.into_iter().zip(got) {
            assert!(!w || h, "{setting:?}");
        }
        rig.assert_no_faults();
    }
}

#[test]
fn switching_the_filter_at_run_time_keeps_the_ring_configuration() {
    let mut rig = Rig::typical();
    assert!(!passes(&mut rig, [0x02, 0, 0, 1, 2, 3]));
    let promiscuous = ReceiveFilter {
        promiscuous: true,
        ..ReceiveFilter::NONE
    };
    filter::apply(&rig.regs(), &promiscuous, &[]);
    assert!(passes(&mut rig, [0x02, 0, 0, 1, 2, 3]));
    filter::apply(&rig.regs(), &ReceiveFilter::NONE, &[]);
    assert!(
        !passes(&mut rig, MAC),
        "an empty filter turns the receiver off"
    );
    filter::apply(&rig.regs(), &TYPICAL, &[]);
    assert!(passes(&mut rig, MAC));
    rig.assert_no_faults();
}
