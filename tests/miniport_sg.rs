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

/// The end of a test: no list left with the driver, the Pause completes at once, then Halt
/// with exact accounting, no leaks and no violations.
fn close(rig: &Rig, adapter: ndis_sim::host::Adapter) {
    assert_eq!(
        rig.machine.sg_list_counts().outstanding,
        0,
        "every list freed"
    );
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
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
    close(&rig, adapter);
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
    close(&rig, adapter);
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
    close(&rig, adapter);
}

// The fast path: a send of one long frame with nothing waiting ahead of it is mapped before
// the send handler's one hold of the `send` lock, which posts it (`send_sg.rs`).

/// Acquisitions of the driver's `send` lock so far.
fn send_holds(rig: &Rig) -> u64 {
    rig.machine
        .report()
        .locks
        .iter()
        .filter(|l| l.name == "rse1k.send")
        .map(|l| l.acquisitions)
        .sum()
}

/// One long frame per call: one hold of `send` each, for the queue, the mapping and the post
/// together (before the fast path: two, the second after `NdisMAllocateNetBufferSGList`), and
/// none in the DPC that reclaims them.
#[test]
fn a_lone_long_frame_is_mapped_before_its_one_hold() {
    let rig = Rig::new(1, 151);
    let adapter = rig.up();
    let before = send_holds(&rig);
    let frames: Vec<Vec<u8>> = (0..20).map(|seq| frame_to(PEER, seq, 1514)).collect();
    let mut ids = Vec::new();
    for f in &frames {
        ids.extend(adapter.send(0, std::slice::from_ref(f), false));
        rig.pump(2);
    }
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(
        rig.drain_until(frames.len()),
        frames,
        "byte-exact and in order"
    );
    assert_eq!(
        send_holds(&rig) - before,
        20,
        "one send-lock hold per frame"
    );
    let lists = rig.machine.sg_list_counts();
    assert_eq!((lists.allocated, lists.outstanding), (20, 0));
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

/// With lists that NDIS delivers later, one sender's frames still reach the wire in its
/// order: a chain whose long frame waits for its list, then lone long and short frames, each
/// behind the last (a lone long frame takes the fast path only when nothing waits ahead of
/// it; a frame waiting on the fast path holds back everything behind it).
#[test]
fn fast_path_frames_keep_the_senders_order_when_lists_come_later() {
    for seed in 0..8u64 {
        let rig = Rig::random_switches(2, 157 + seed);
        let adapter = rig.up();
        rig.machine.defer_sg_lists(true);
        let frames: Vec<Vec<u8>> = [1514, 60, 1514, 100, 900, 1200]
            .into_iter()
            .zip(0u32..)
            .map(|(len, seq)| frame_to(PEER, seq, len))
            .collect();
        let mut ids = adapter.send(0, &frames[..2], true);
        for f in &frames[2..] {
            ids.extend(adapter.send(0, std::slice::from_ref(f), false));
        }
        rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_SUCCESS);
        assert_eq!(
            rig.drain_until(frames.len()),
            frames,
            "seed {seed}: byte-exact and in order"
        );
        let lists = rig.machine.sg_list_counts();
        assert_eq!((lists.allocated, lists.outstanding), (4, 0), "seed {seed}");
        assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
        rig.finish(adapter);
    }
}

/// A lone long frame whose list NDIS delivers after a surprise removal: the list is freed and
/// the send completes with `NDIS_STATUS_ADAPTER_REMOVED`, nothing posted to the gone device.
#[test]
fn a_fast_path_list_that_comes_after_surprise_removal_is_freed() {
    let rig = Rig::random_switches(2, 167);
    let adapter = rig.up();
    rig.machine.defer_sg_lists(true);
    let ids = adapter.send(0, &[frame_to(PEER, 1, 1514)], true);
    assert_eq!(rig.machine.sg_list_counts().outstanding, 1);
    adapter.surprise_remove();
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_ADAPTER_REMOVED);
    close(&rig, adapter);
}

/// A lone long frame whose mapping NDIS refuses fails with NDIS's status, counted, and the
/// next one takes the fast path again.
#[test]
fn a_fast_path_mapping_ndis_refuses_fails_its_frame_and_the_next_goes_out() {
    let rig = Rig::random_switches(1, 173);
    let adapter = rig.up();
    rig.machine.fail_allocations(1, 0);
    let refused = adapter.send(0, &[frame_to(PEER, 1, 1514)], true);
    rig.machine.fail_allocations(0, 0);
    rig.expect_completions(&adapter, &refused, sys::NDIS_STATUS_RESOURCES);
    let next = frame_to(PEER, 2, 1514);
    let ids = adapter.send(0, std::slice::from_ref(&next), true);
    rig.expect_completions(&adapter, &ids, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(rig.drain_until(1), vec![next]);
    assert_eq!(
        out_discards(&adapter),
        1,
        "the refused frame is a counted discard"
    );
    close(&rig, adapter);
}

/// A lone long frame sent while the sender's earlier frames wait for descriptors (the
/// transmitter is stuck, the ring full) queues behind them: the fast path is only for a frame
/// with nothing waiting ahead of it. After the reset, everything that waited goes out in the
/// sender's order, with no further send to push it.
#[test]
fn a_lone_long_frame_queues_behind_frames_waiting_for_descriptors() {
    let rig = Rig::random_switches(1, 179);
    let adapter = rig.up();
    rig.nic.device.set_tx_stuck(true);
    let mut frames: Vec<Vec<u8>> = (0..300).map(|seq| frame_to(PEER, seq, 60)).collect();
    let mut ids = adapter.send(0, &frames, false);
    let long = frame_to(PEER, 300, 1514);
    ids.extend(adapter.send(0, std::slice::from_ref(&long), false));
    frames.push(long);
    rig.pump(10);
    // The first check sees no progress; the second reports the hang, and the reset it brings
    // (the transmitter working again by then) aborts the ring's frames and posts what waited:
    // the first 16 itself, the rest from the DPC once those are sent.
    assert!(!adapter.check_for_hang());
    rig.nic.device.set_tx_stuck(false);
    assert!(adapter.check_for_hang(), "the stuck ring is a hang");
    rig.pump(10);
    let done = rig.wait_completions(&adapter, ids.len());
    assert_eq!(done.len(), ids.len(), "every send completed once");
    let wire = rig.drain_until(frames.len());
    let order: Vec<u32> = wire
        .iter()
        .map(|f| u32::from_be_bytes([f[14], f[15], f[16], f[17]]))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(order, sorted, "the wire keeps the sender's order");
    assert!(order.contains(&300), "the long frame went out: {order:?}");
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}
