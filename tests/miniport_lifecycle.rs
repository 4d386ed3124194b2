//! The driver through NDIS's life for it, in the simulator: OIDs, pause/restart and surprise
//! removal under load, allocation failure at Initialize, link flap, a hung transmitter and its
//! reset, filtering, bad sends. Every test ends with zero violations, exact NBL accounting and
//! nothing leaked at Halt.

mod miniport_rig;

use miniport_rig::{Rig, frame_to, peer_frame};
use rse1k::sys;

const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];

/// The statistics counter OIDs the driver answers (4 or 8 bytes).
const COUNTER_OIDS: [u32; 6] = [
    sys::OID_GEN_XMIT_OK,
    sys::OID_GEN_RCV_OK,
    sys::OID_GEN_XMIT_ERROR,
    sys::OID_GEN_RCV_ERROR,
    sys::OID_GEN_RCV_NO_BUFFER,
    sys::OID_802_3_RCV_ERROR_ALIGNMENT,
];

#[test]
fn every_supported_oid_answers_and_short_buffers_say_how_much() {
    let rig = Rig::new(2, 7);
    let adapter = rig.up();
    let list = adapter.oid_query(sys::OID_GEN_SUPPORTED_LIST, 1024);
    assert_eq!(list.status, sys::NDIS_STATUS_SUCCESS);
    let oids: Vec<u32> = list
        .data
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert!(oids.len() > 20);
    // OID_GEN_LINK_PARAMETERS is set-only.
    for &oid in oids.iter().filter(|&&o| o != sys::OID_GEN_LINK_PARAMETERS) {
        let full = adapter.oid_query(oid, 1024);
        assert_eq!(full.status, sys::NDIS_STATUS_SUCCESS, "query {oid:#x}");
        if full.bytes_written_or_read >= 4 {
            let short = adapter.oid_query(oid, 0);
            // "Querying 64-Bit Statistics OIDs": a counter into fewer than 4 bytes is
            // INVALID_LENGTH with BytesNeeded 8.
            let expected = if COUNTER_OIDS.contains(&oid) {
                sys::NDIS_STATUS_INVALID_LENGTH
            } else {
                sys::NDIS_STATUS_BUFFER_TOO_SHORT
            };
            assert_eq!(short.status, expected, "{oid:#x}");
            assert!(short.bytes_needed >= 4, "{oid:#x}: BytesNeeded");
        }
    }
    let unknown = adapter.oid_query(0x00FF_FFFF, 64);
    assert_eq!(unknown.status, sys::NDIS_STATUS_NOT_SUPPORTED);
    let mac = adapter.oid_query(sys::OID_802_3_CURRENT_ADDRESS, 6);
    assert_eq!(mac.data, rig.station());
    let _ = adapter.pause();
    rig.finish(adapter);
}

#[test]
fn bad_oid_values_get_the_documented_status() {
    let rig = Rig::new(1, 3);
    let adapter = rig.up();
    let set = |oid, data: &[u8]| adapter.oid_set(oid, data).status;
    // Unsupported packet filter bit (source routing).
    assert_eq!(
        set(sys::OID_GEN_CURRENT_PACKET_FILTER, &0x10u32.to_le_bytes()),
        sys::NDIS_STATUS_NOT_SUPPORTED
    );
    assert_eq!(
        set(sys::OID_GEN_CURRENT_PACKET_FILTER, &[1, 0]),
        sys::NDIS_STATUS_INVALID_LENGTH
    );
    // Multicast: not a multiple of 6, a unicast address, more than the list holds.
    assert_eq!(
        set(sys::OID_802_3_MULTICAST_LIST, &[1, 0, 0x5e, 0, 0]),
        sys::NDIS_STATUS_INVALID_LENGTH
    );
    // A unicast address in the list: the OID_802_3_MULTICAST_LIST page names
    // NDIS_STATUS_MULTICAST_FULL for an invalid multicast address.
    assert_eq!(
        set(sys::OID_802_3_MULTICAST_LIST, &[2, 0, 0, 0, 0, 1]),
        sys::NDIS_STATUS_MULTICAST_FULL
    );
    let too_many: Vec<u8> = (0..33u8).flat_map(|i| [1, 0, 0x5e, 0, 0, i]).collect();
    assert_eq!(
        set(sys::OID_802_3_MULTICAST_LIST, &too_many),
        sys::NDIS_STATUS_MULTICAST_FULL
    );
    assert_eq!(
        set(sys::OID_GEN_CURRENT_LOOKAHEAD, &100_000u32.to_le_bytes()),
        sys::NDIS_STATUS_INVALID_DATA
    );
    assert_eq!(set(0x00FF_FFFF, &[0; 4]), sys::NDIS_STATUS_NOT_SUPPORTED);
    let _ = adapter.pause();
    rig.finish(adapter);
}

#[test]
fn statistics_agree_with_xmit_ok_and_rcv_ok() {
    let rig = Rig::new(2, 11);
    let adapter = rig.up();
    for i in 0..50 {
        adapter.send(0, &[frame_to(PEER, i, 200)], false);
        rig.peer_send(&peer_frame(rig.station(), i, 100));
    }
    let _ = rig.drain_until(50);
    let _ = rig.wait_completions(&adapter, 50);
    let _ = rig.wait_received(&adapter, 50);
    let u64_of = |oid| {
        let r = adapter.oid_query(oid, 8);
        assert_eq!(r.status, sys::NDIS_STATUS_SUCCESS);
        u64::from_le_bytes(r.data[..8].try_into().unwrap())
    };
    assert_eq!(u64_of(sys::OID_GEN_XMIT_OK), 50);
    assert_eq!(u64_of(sys::OID_GEN_RCV_OK), 50);
    let stats = adapter.oid_query(sys::OID_GEN_STATISTICS, 512);
    assert_eq!(stats.status, sys::NDIS_STATUS_SUCCESS);
    // ifHCInUcastPkts at offset 8 + 3*8 = 32, ifHCOutUcastPkts at 8 + 7*8 = 64.
    let field = |off: usize| u64::from_le_bytes(stats.data[off..off + 8].try_into().unwrap());
    assert_eq!(field(32), 50, "ifHCInUcastPkts");
    assert_eq!(field(64), 50, "ifHCOutUcastPkts");
    let _ = adapter.pause();
    rig.finish(adapter);
}

#[test]
fn pause_and_restart_under_load_complete_every_send() {
    for seed in ndis_sim::test_seeds(4) {
        let rig = Rig::new(2, seed);
        let adapter = rig.up();
        let mut ids = Vec::new();
        for round in 0..3u32 {
            for i in 0..100u32 {
                let f = frame_to(PEER, round * 1000 + i, 64 + (i as usize % 900));
                ids.extend(adapter.send((i % 2) as usize, &[f], i % 2 == 1));
                rig.peer_send(&peer_frame(rig.station(), i, 80));
            }
            let status = adapter.pause();
            assert!(
                status == sys::NDIS_STATUS_SUCCESS || status == sys::NDIS_STATUS_PENDING,
                "seed {seed}: pause returned {status:#x}"
            );
            assert_eq!(adapter.restart(), sys::NDIS_STATUS_SUCCESS);
        }
        let done = rig.wait_completions(&adapter, ids.len());
        assert_eq!(
            done.len(),
            ids.len(),
            "seed {seed}: every send completed once"
        );
        assert!(
            done.iter().all(
                |c| c.status == sys::NDIS_STATUS_SUCCESS || c.status == sys::NDIS_STATUS_PAUSED
            )
        );
        let _ = adapter.pause();
        rig.finish(adapter);
    }
}

#[test]
fn surprise_removal_under_load_completes_everything_and_halts_clean() {
    for seed in ndis_sim::test_seeds(4) {
        let rig = Rig::new(2, seed);
        let adapter = rig.up();
        let mut ids = Vec::new();
        for i in 0..64u32 {
            ids.extend(adapter.send(0, &[frame_to(PEER, i, 300)], false));
        }
        adapter.surprise_remove();
        for i in 0..16u32 {
            ids.extend(adapter.send(1, &[frame_to(PEER, 100 + i, 300)], true));
        }
        let done = rig.wait_completions(&adapter, ids.len());
        assert_eq!(done.len(), ids.len(), "seed {seed}");
        assert!(
            done[64..]
                .iter()
                .all(|c| c.status == sys::NDIS_STATUS_ADAPTER_REMOVED)
        );
        let _ = adapter.pause();
        rig.finish(adapter);
    }
}

#[test]
fn allocation_failure_at_initialize_unwinds_without_leaks() {
    // Every allocation fails, then about half, a tenth, one in a hundred (seeded): Initialize
    // either succeeds or fails with NDIS_STATUS_RESOURCES, and a failure leaves nothing behind
    // (the host runs the Halt leak checks on a failed Initialize).
    let mut failures = 0;
    for (per_million, seed) in [
        (1_000_000, 1),
        (500_000, 2),
        (100_000, 3),
        (10_000, 4),
        (20_000, 5),
    ] {
        let rig = Rig::new(1, seed);
        rig.machine.fail_allocations(0, per_million);
        let result = rig.driver.initialize(&rig.nic);
        rig.machine.fail_allocations(0, 0);
        match result {
            Ok(adapter) => {
                let _ = adapter.halt(sys::NdisHaltDeviceDisabled);
            }
            Err(status) => {
                failures += 1;
                assert_eq!(status, sys::NDIS_STATUS_RESOURCES, "rate {per_million}");
            }
        }
        rig.assert_clean();
        let adapter = rig.up();
        let _ = adapter.pause();
        rig.finish(adapter);
    }
    assert!(failures >= 2, "the injection reached Initialize");
}

#[test]
fn link_flap_is_indicated_both_ways() {
    let rig = Rig::new(2, 13);
    let adapter = rig.up();
    rig.nic
        .device
        .nic()
        .set_link(false)
        .expect("the model's link always moves");
    rig.pump(50);
    wait_for(&rig, || {
        adapter
            .link_state()
            .is_some_and(|l| l.MediaConnectState == sys::MediaConnectStateDisconnected)
    });
    rig.nic
        .device
        .nic()
        .set_link(true)
        .expect("the model's link always moves");
    rig.pump(50);
    wait_for(&rig, || {
        adapter
            .link_state()
            .is_some_and(|l| l.MediaConnectState == sys::MediaConnectStateConnected)
    });
    let speed = adapter.oid_query(sys::OID_GEN_LINK_SPEED, 4);
    assert!(u32::from_le_bytes(speed.data[..4].try_into().unwrap()) > 0);
    let _ = adapter.pause();
    rig.finish(adapter);
}

#[test]
fn a_hung_transmitter_is_detected_and_reset_without_losing_sends() {
    let rig = Rig::new(2, 17);
    let adapter = rig.up();
    let mut ids = rig.hang_transmitter(&adapter, PEER);
    ids.extend(adapter.send(1, &[frame_to(PEER, 99, 120)], true));
    let done = rig.wait_completions(&adapter, ids.len());
    assert_eq!(
        done.len(),
        ids.len(),
        "every send completed once, none lost"
    );
    assert!(done.iter().any(|c| c.status == sys::NDIS_STATUS_SUCCESS));
    let _ = adapter.pause();
    rig.finish(adapter);
}

#[test]
fn receive_filters_follow_the_packet_filter_and_multicast_list() {
    let rig = Rig::new(1, 19);
    let adapter = rig.up();
    let group = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x42];
    let other_group = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x43];
    let stranger = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
    assert_eq!(
        adapter
            .oid_set(sys::OID_802_3_MULTICAST_LIST, &group)
            .status,
        sys::NDIS_STATUS_SUCCESS
    );
    let send_to = |dst: [u8; 6], seq: u32| {
        let mut f = peer_frame(dst, seq, 64);
        f[..6].copy_from_slice(&dst);
        rig.peer_send(&f);
        rig.pump(20);
    };
    send_to([0xff; 6], 1);
    send_to(group, 2);
    send_to(other_group, 3);
    send_to(stranger, 4);
    let got = rig.wait_received(&adapter, 2);
    let seqs: Vec<u8> = got.iter().map(|f| f[17]).collect();
    assert_eq!(seqs, [1, 2], "broadcast and the listed group only");
    let promiscuous = sys::NDIS_PACKET_TYPE_PROMISCUOUS;
    assert_eq!(
        adapter
            .oid_set(
                sys::OID_GEN_CURRENT_PACKET_FILTER,
                &promiscuous.to_le_bytes()
            )
            .status,
        sys::NDIS_STATUS_SUCCESS
    );
    send_to(stranger, 5);
    let got = rig.wait_received(&adapter, 1);
    assert_eq!(got.iter().map(|f| f[17]).collect::<Vec<_>>(), [5]);
    let _ = adapter.pause();
    rig.finish(adapter);
}

#[test]
fn bad_sends_complete_with_a_failure_status_and_are_counted() {
    let rig = Rig::new(1, 23);
    let adapter = rig.up();
    let oversize = frame_to(PEER, 1, 1515);
    let tiny = vec![0u8; 10];
    let ids = adapter.send(0, &[oversize, tiny, frame_to(PEER, 2, 60)], false);
    let done = rig.wait_completions(&adapter, ids.len());
    let status = |id| done.iter().find(|c| c.id == id).map(|c| c.status);
    assert_eq!(status(ids[0]), Some(sys::NDIS_STATUS_INVALID_LENGTH));
    assert_eq!(status(ids[1]), Some(sys::NDIS_STATUS_INVALID_LENGTH));
    assert_eq!(status(ids[2]), Some(sys::NDIS_STATUS_SUCCESS));
    let statistics = adapter.oid_query(sys::OID_GEN_STATISTICS, 512);
    // ifOutDiscards at 8 + 11*8 = 96.
    let discards = u64::from_le_bytes(statistics.data[96..104].try_into().unwrap());
    assert_eq!(discards, 2);
    let _ = adapter.pause();
    rig.finish(adapter);
}

#[test]
fn a_slow_protocol_gets_low_resource_indications() {
    let rig = Rig::new(2, 29);
    let adapter = rig.up();
    adapter.hold_returns(true);
    let mut received = Vec::new();
    // 248 frames in groups of 8, each indicated before the next is sent: the protocol keeps
    // them all, so the last groups arrive with only a few buffers left with the NIC.
    for i in 0..248u32 {
        rig.peer_send(&peer_frame(rig.station(), i, 128));
        if i % 8 == 7 {
            let want = (i + 1) as usize - received.len();
            received.extend(rig.wait_received_frames(&adapter, want));
        }
    }
    assert_eq!(received.len(), 248);
    let low = received
        .iter()
        .filter(|f| f.flags & sys::NDIS_RECEIVE_FLAGS_RESOURCES != 0)
        .count();
    assert!(
        low > 0,
        "the driver indicated with NDIS_RECEIVE_FLAGS_RESOURCES when low"
    );
    // Once the protocol gives its buffers back, receives flow again.
    adapter.hold_returns(false);
    adapter.return_all_received();
    let mut after = Vec::new();
    for i in 0..64u32 {
        rig.peer_send(&peer_frame(rig.station(), 10_000 + i, 128));
        after.extend(rig.wait_received_frames(&adapter, 1));
    }
    assert_eq!(
        after.len(),
        64,
        "receives flow again once the protocol returns its buffers"
    );
    let seqs: Vec<u32> = received
        .iter()
        .chain(&after)
        .map(|f| u32::from_be_bytes(f.data[14..18].try_into().unwrap()))
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, none twice");
    let _ = adapter.pause();
    rig.finish(adapter);
}

/// Pumps the machine until `cond` (at most 100 ms of its virtual clock).
fn wait_for(rig: &Rig, mut cond: impl FnMut() -> bool) {
    for _ in 0..2_000 {
        if cond() {
            return;
        }
        rig.pump(5);
    }
    assert!(cond(), "not within 100 ms of virtual time");
}

#[test]
fn allocation_failure_at_any_step_of_initialize_unwinds_in_reverse() {
    // Seeded failure rates from high (failing among the first allocations: the four
    // shared-memory blocks, the NBL pool) to low enough that Initialize often gets
    // through its ~520 allocations (an MDL and an NBL per RX buffer): each
    // failure must be NDIS_STATUS_RESOURCES, name its step in the
    // trace, and leave nothing behind (the host runs the Halt leak checks after a failed
    // Initialize, and the verifier reports a leak as LeakAtHalt).
    let mut steps = std::collections::BTreeSet::new();
    let mut successes = 0;
    for seed in 0..48u64 {
        let rate = [200_000, 100_000, 20_000, 2_000][usize::try_from(seed % 4).unwrap()];
        let rig = Rig::new(1, 0x100 + seed);
        rig.machine.fail_allocations(0, rate);
        let result = rig.driver.initialize(&rig.nic);
        rig.machine.fail_allocations(0, 0);
        match result {
            Ok(adapter) => {
                successes += 1;
                let leaks = adapter.halt(sys::NdisHaltDeviceDisabled);
                assert!(leaks.is_empty(), "seed {seed}: {leaks}");
            }
            Err(status) => {
                assert_eq!(status, sys::NDIS_STATUS_RESOURCES, "seed {seed}");
                let (log, _) = rig.machine.trace_log();
                let step = log
                    .iter()
                    .find_map(|l| {
                        l.message
                            .split_once("MiniportInitializeEx failed at ")
                            .map(|(_, rest)| rest.split(':').next().unwrap_or("").to_owned())
                    })
                    .unwrap_or_else(|| panic!("seed {seed}: no trace names the failed step"));
                steps.insert(step);
            }
        }
        rig.assert_clean();
        rig.driver.clone().unload();
    }
    assert!(
        steps.len() >= 4,
        "the failures reached several steps of Initialize: {steps:?}"
    );
    // The first and the last allocations the simulator can fail (the adapter object and the
    // locks come from the global allocator, which it does not inject into).
    assert!(steps.contains("TX descriptors"), "{steps:?}");
    assert!(steps.contains("RX NBL"), "{steps:?}");
    assert!(successes > 0, "some runs got through: {steps:?}");
    eprintln!("failed steps: {steps:?}; {successes} initializations succeeded");
}

#[test]
fn shutdown_quiets_the_nic_without_freeing_at_either_irql() {
    for (action, seed) in [
        (sys::NdisShutdownPowerOff, 29),
        (sys::NdisShutdownBugCheck, 31),
    ] {
        let rig = Rig::new(2, seed);
        let adapter = rig.up();
        let ids = adapter.send(0, &[frame_to(PEER, 1, 200)], false);
        rig.peer_send(&peer_frame(rig.station(), 1, 100));
        assert_eq!(rig.wait_completions(&adapter, ids.len()).len(), ids.len());
        assert_eq!(rig.wait_received(&adapter, 1).len(), 1);
        // MiniportShutdownEx (at HIGH_LEVEL for a bug check): mask, reset; nothing freed, no
        // NDIS call but the stall (the verifier would report either).
        adapter.shutdown(action);
        rig.assert_clean();
        // The receiver is off: a frame from the wire is not indicated.
        rig.peer_send(&peer_frame(rig.station(), 2, 100));
        rig.pump(100);
        assert!(adapter.take_received().is_empty(), "action {action}");
        let _ = adapter.pause();
        rig.finish(adapter);
    }
}

#[test]
fn pause_pends_on_frames_stuck_on_the_ring_until_the_reset_completes_them() {
    // The hang checks start once MiniportPause has pended: before, on free host threads,
    // they could reset the NIC (completing the frames) before MiniportPause ran, which then
    // returned SUCCESS (2 of 50 runs under load).
    let rig = Rig::new(2, 37);
    let adapter = rig.up();
    rig.nic.device.set_tx_stuck(true);
    let ids = adapter.send(0, &[frame_to(PEER, 1, 100), frame_to(PEER, 2, 100)], false);
    // MiniportPause cannot finish: the frames sit on the ring. NDIS keeps calling
    // MiniportCheckForHangEx meanwhile; the reset it asks for completes the frames, and the
    // pended Pause with them.
    assert_eq!(
        rig.pause_resolved_by_hang_checks(&adapter),
        sys::NDIS_STATUS_PENDING
    );
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_REQUEST_ABORTED);
    rig.nic.device.set_tx_stuck(false);
    rig.finish(adapter);
}
