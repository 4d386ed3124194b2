//! Scatter/gather transmit in the simulator, on a serial machine (each test a function of its
//! seed): long frames go out through `NdisMAllocateNetBufferSGList` lists, short ones and
//! frames of too many fragments are copied; Pause, reset and surprise removal free every
//! list and complete every send; a mapping NDIS refuses fails its frame with NDIS's status,
//! counted. Every test ends with zero violations (the simulator checks the list rules: exactly
//! `DISPATCH_LEVEL`, freed once with its own `NET_BUFFER`, none left at Halt), exact NBL
//! accounting and nothing leaked.

mod miniport_rig;

use miniport_rig::{Rig, frame_to};
use rse1k::miniport::adapter::{COPY_THRESHOLD, MAX_TX_SEGMENTS};
use rse1k::sys;

const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];

/// `ifOutDiscards` from `OID_GEN_STATISTICS` (at 8 + 11 * 8).
fn out_discards(adapter: &ndis_sim::host::Adapter) -> u64 {
    let statistics = adapter.oid_query(sys::OID_GEN_STATISTICS, 512);
    u64::from_le_bytes(statistics.data[96..104].try_into().unwrap())
}

#[test]
fn long_frames_go_out_through_scatter_gather_lists_and_short_ones_are_copied() {
    let rig = Rig::random_switches(2, 101);
    let adapter = rig.up();
    let threshold = COPY_THRESHOLD as usize;
    let lengths = [60, threshold, threshold + 1, 1000, 1514, 200, 1514];
    let frames: Vec<Vec<u8>> = (0u32..)
        .zip(lengths)
        .map(|(seq, len)| frame_to(PEER, seq, len))
        .collect();
    let ids = adapter.send(0, &frames, false);
    let wire = rig.drain_until(frames.len());
    assert_eq!(wire, frames, "byte-exact and in order");
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_SUCCESS);
    let lists = rig.machine.sg_list_counts();
    let long = lengths.iter().filter(|&&l| l > threshold).count() as u64;
    assert_eq!(
        lists.allocated, long,
        "one list per frame over the threshold"
    );
    assert_eq!(
        lists.outstanding, 0,
        "every list freed once its frame is done"
    );
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

#[test]
fn a_frame_of_many_fragments_waits_for_descriptors_and_nothing_passes_it() {
    let rig = Rig::random_switches(1, 103);
    let adapter = rig.up();
    // The transmitter takes nothing: 250 short frames take 250 of the ring's 255 usable
    // descriptors; the long frame behind them, in 8 MDLs, needs at least 8: it waits, mapped,
    // and the short one sent after it waits behind it.
    rig.nic.device.set_tx_stuck(true);
    let mut frames: Vec<Vec<u8>> = (0..250).map(|seq| frame_to(PEER, seq, 60)).collect();
    frames.push(frame_to(PEER, 250, 1514));
    let mut ids = adapter.send_fragmented(0, &frames, MAX_TX_SEGMENTS / 2, true);
    let behind = vec![frame_to(PEER, 251, 60)];
    ids.extend(adapter.send(0, &behind, false));
    rig.pump(100);
    assert!(adapter.take_completions().is_empty());
    assert_eq!(
        rig.machine.sg_list_counts().outstanding,
        1,
        "mapped, waiting"
    );
    // The reset NDIS asks for aborts what is on the ring: the 250 short frames, not the
    // waiting one, which goes out first on the fresh ring, then the one behind it.
    rig.nic.device.set_tx_stuck(false);
    Rig::check_for_hang_until_reported(&adapter);
    let mut wire = rig.drain_until(2);
    wire.truncate(2);
    assert_eq!(
        wire,
        [frames[250].clone(), behind[0].clone()],
        "byte-exact, in order"
    );
    let done = rig.wait_completions(&adapter, ids.len());
    assert_eq!(done.len(), ids.len());
    let status = |id| done.iter().find(|c| c.id == id).map(|c| c.status);
    for &id in &ids[..250] {
        assert_eq!(status(id), Some(sys::NDIS_STATUS_REQUEST_ABORTED));
    }
    assert_eq!(
        status(ids[250]),
        Some(sys::NDIS_STATUS_SUCCESS),
        "it waited"
    );
    assert_eq!(status(ids[251]), Some(sys::NDIS_STATUS_SUCCESS));
    assert_eq!(rig.machine.sg_list_counts().outstanding, 0);
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

#[test]
fn a_frame_of_more_fragments_than_a_frame_may_take_is_copied() {
    let rig = Rig::random_switches(1, 107);
    let adapter = rig.up();
    let frames = vec![frame_to(PEER, 1, 1514)];
    let ids = adapter.send_fragmented(0, &frames, 40, false);
    assert_eq!(rig.drain_until(1), frames, "byte-exact");
    let done = rig.wait_completions(&adapter, ids.len());
    assert_eq!(done[0].status, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(
        rig.machine.sg_list_counts().allocated,
        0,
        "copied, not mapped"
    );
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

#[test]
fn pause_pends_on_mapped_frames_until_the_reset_completes_them_and_frees_their_lists() {
    let rig = Rig::random_switches(2, 109);
    let adapter = rig.up();
    rig.nic.device.set_tx_stuck(true);
    let frames: Vec<Vec<u8>> = (0..3).map(|seq| frame_to(PEER, seq, 1400)).collect();
    let ids = adapter.send(0, &frames, false);
    assert_eq!(rig.machine.sg_list_counts().outstanding, 3);
    // MiniportPause cannot finish while the frames (and their lists) sit on the ring; the
    // reset NDIS's hang checks ask for completes them and frees their lists.
    assert_eq!(
        rig.pause_resolved_by_hang_checks(&adapter),
        sys::NDIS_STATUS_PENDING
    );
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_REQUEST_ABORTED);
    assert_eq!(rig.machine.sg_list_counts().outstanding, 0);
    rig.nic.device.set_tx_stuck(false);
    rig.finish(adapter);
}

#[test]
fn a_reset_aborts_mapped_frames_frees_their_lists_and_sends_go_on() {
    let rig = Rig::random_switches(2, 113);
    let adapter = rig.up();
    rig.nic.device.set_tx_stuck(true);
    let stuck: Vec<Vec<u8>> = (0..3).map(|seq| frame_to(PEER, seq, 1514)).collect();
    let ids = adapter.send(0, &stuck, false);
    assert_eq!(rig.machine.sg_list_counts().outstanding, 3);
    Rig::check_for_hang_until_reported(&adapter);
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_REQUEST_ABORTED);
    assert_eq!(rig.machine.sg_list_counts().outstanding, 0);
    rig.nic.device.set_tx_stuck(false);
    let after = vec![frame_to(PEER, 10, 1514)];
    let ids = adapter.send(1, &after, true);
    assert_eq!(rig.drain_until(1), after);
    let done = rig.wait_completions(&adapter, ids.len());
    assert_eq!(done[0].status, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

#[test]
fn surprise_removal_frees_every_list_and_completes_every_send() {
    let rig = Rig::random_switches(2, 127);
    let adapter = rig.up();
    rig.nic.device.set_tx_stuck(true);
    // More long frames than the ring holds: some on the ring, one mapped and waiting for
    // descriptors, the rest queued.
    let frames: Vec<Vec<u8>> = (0..120).map(|seq| frame_to(PEER, seq, 1514)).collect();
    let ids = adapter.send_fragmented(0, &frames, 3, false);
    assert!(rig.machine.sg_list_counts().outstanding > 1);
    adapter.surprise_remove();
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_ADAPTER_REMOVED);
    assert_eq!(rig.machine.sg_list_counts().outstanding, 0);
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

#[test]
fn a_mapping_ndis_refuses_fails_its_frame_with_resources_and_is_counted() {
    let rig = Rig::random_switches(1, 131);
    let adapter = rig.up();
    let frames = vec![
        frame_to(PEER, 1, 1514),
        frame_to(PEER, 2, 60),
        frame_to(PEER, 3, 1514),
    ];
    // The next allocation the driver makes is the first frame's list.
    rig.machine.fail_allocations(1, 0);
    let ids = adapter.send(0, &frames, true);
    rig.machine.fail_allocations(0, 0);
    let done = rig.wait_completions(&adapter, ids.len());
    let status = |id| done.iter().find(|c| c.id == id).map(|c| c.status);
    assert_eq!(status(ids[0]), Some(sys::NDIS_STATUS_RESOURCES));
    assert_eq!(status(ids[1]), Some(sys::NDIS_STATUS_SUCCESS));
    assert_eq!(status(ids[2]), Some(sys::NDIS_STATUS_SUCCESS));
    assert_eq!(
        rig.drain_until(2),
        frames[1..],
        "the others went out, in order"
    );
    assert_eq!(
        out_discards(&adapter),
        1,
        "the refused frame is a counted discard"
    );
    assert_eq!(rig.machine.sg_list_counts().allocated, 1);
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

#[test]
fn lists_ndis_delivers_later_go_out_in_order() {
    let rig = Rig::random_switches(2, 137);
    let adapter = rig.up();
    // MiniportProcessSGList runs after NdisMAllocateNetBufferSGList returns, on a processor
    // drawn from the seed: the frames behind a long one wait for its list, in order.
    rig.machine.defer_sg_lists(true);
    let lengths = [1514, 60, 900, 1514, 100, 700];
    let frames: Vec<Vec<u8>> = (0u32..)
        .zip(lengths)
        .map(|(seq, len)| frame_to(PEER, seq, len))
        .collect();
    let mut ids = adapter.send(0, &frames[..3], false);
    ids.extend(adapter.send(1, &frames[3..], true));
    // The host runs NDIS's deferred work (the lists) at its completion steps.
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_SUCCESS);
    let wire = rig.drain_until(frames.len());
    assert_eq!(wire, frames, "byte-exact and in order");
    let lists = rig.machine.sg_list_counts();
    assert_eq!(lists.allocated, 4);
    assert_eq!(lists.outstanding, 0);
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

#[test]
fn pause_with_lists_ndis_delivers_later_completes_everything() {
    let rig = Rig::random_switches(1, 139);
    let adapter = rig.up();
    rig.machine.defer_sg_lists(true);
    let frames = vec![frame_to(PEER, 1, 1514), frame_to(PEER, 2, 60)];
    let ids = adapter.send(0, &frames, true);
    // NDIS runs its deferred work (the long frame's list) as the pause begins; the Pause
    // completes only once both frames are out and complete.
    let status = adapter.pause();
    assert!(
        status == sys::NDIS_STATUS_SUCCESS || status == sys::NDIS_STATUS_PENDING,
        "{status:#x}"
    );
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(rig.drain_until(2), frames, "in order");
    assert_eq!(rig.machine.sg_list_counts().outstanding, 0);
    rig.finish(adapter);
}

#[test]
fn a_list_that_comes_after_surprise_removal_is_freed_and_its_send_completed() {
    let rig = Rig::random_switches(2, 149);
    let adapter = rig.up();
    rig.machine.defer_sg_lists(true);
    let frames = vec![frame_to(PEER, 1, 1514), frame_to(PEER, 2, 60)];
    let ids = adapter.send(0, &frames, true);
    assert_eq!(rig.machine.sg_list_counts().outstanding, 1);
    // Removed while NDIS maps the long frame (its list is still in NDIS's deferred work): the
    // short one behind it completes at once; the long one when its list comes (freed, never
    // posted to the gone device).
    adapter.surprise_remove();
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_ADAPTER_REMOVED);
    assert_eq!(rig.machine.sg_list_counts().outstanding, 0);
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}
