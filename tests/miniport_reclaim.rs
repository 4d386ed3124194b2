//! The TX ring's reclaim without a spin lock (`driver/miniport/adapter/reclaim.rs`): the DPC
//! reclaims sent frames holding the ring's reclaimer role, not the `send` lock; frames that wait
//! for descriptors are posted by whoever frees them; and the handlers that also reclaim or
//! abort the ring (Pause, the hang check, reset, surprise removal) take the role in turn with
//! the DPC. Each runs the driver unmodified in the simulator, on serial schedules that replay
//! from their seed.

mod miniport_rig;

use std::collections::HashSet;

use miniport_rig::{Rig, frame_to};
use ndis_sim::host::Adapter;
use rse1k::sys;

const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];

/// Acquisitions of one of the driver's spin locks so far.
fn acquisitions(rig: &Rig, lock: &str) -> u64 {
    rig.machine
        .report()
        .locks
        .iter()
        .filter(|l| l.name == lock)
        .map(|l| l.acquisitions)
        .sum()
}

/// Every send in `ids` completed exactly once with success.
fn assert_each_completed_once(rig: &Rig, adapter: &Adapter, ids: &[u64], what: &str) {
    let done = rig.wait_completions(adapter, ids.len());
    let seen: HashSet<u64> = done.iter().map(|c| c.id).collect();
    assert_eq!(done.len(), ids.len(), "{what}: completions {done:?}");
    assert_eq!(seen.len(), ids.len(), "{what}: a send completed twice");
    assert!(
        done.iter()
            .all(|c| c.status == sys::NDIS_STATUS_SUCCESS && ids.contains(&c.id)),
        "{what}: {done:?}"
    );
}

/// One send per call, never more in flight than the ring holds: each send takes the `send`
/// lock once, and the DPC that reclaims the sent frames takes it not at all. Before the
/// reclaimer role, the DPC held `send` for every TX interrupt (135 holds, not 128, here).
#[test]
fn the_dpc_reclaims_sent_frames_without_the_send_lock() {
    let rig = Rig::new(1, 0xEC1A_0001);
    let adapter = rig.up();
    let before = acquisitions(&rig, "rse1k.send");
    let mut sent = 0u64;
    for batch in 0..4u32 {
        let ids: Vec<u64> = (0..32u32)
            .flat_map(|i| adapter.send(0, &[frame_to(PEER, batch * 32 + i, 200)], false))
            .collect();
        assert_each_completed_once(&rig, &adapter, &ids, "batch");
        sent += ids.len() as u64;
    }
    let holds = acquisitions(&rig, "rse1k.send") - before;
    assert_eq!(sent, 128);
    assert_eq!(
        holds, sent,
        "send-lock holds for {sent} one-frame sends whose frames the DPC reclaimed"
    );
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    rig.finish(adapter);
}

/// More frames than the ring holds, from two processors at once: the pump stops at a full ring
/// and leaves the rest to the reclaimer, which frees descriptors without the lock. Whatever the
/// interleaving of that hand-over, every frame goes out and completes once, and one sender's
/// frames reach the wire in its order.
#[test]
fn frames_waiting_for_descriptors_are_posted_after_a_lockless_reclaim() {
    let mut failures = Vec::new();
    for seed in 0..24u64 {
        let rig = Rig::random_switches(3, 0xEC1A_1000 + seed);
        let adapter = rig.up();
        let long_chain: Vec<Vec<u8>> = (0..300u32).map(|i| frame_to(PEER, i, 80)).collect();
        let ids = std::sync::Mutex::new(Vec::new());
        let (sender, ids_ref, chain) = (&adapter, &ids, &long_chain);
        rig.machine.concurrently(vec![
            Box::new(move || {
                let got = sender.send(1, chain, false);
                ids_ref.lock().unwrap().extend(got);
            }),
            Box::new(move || {
                for i in 0..60u32 {
                    let got = sender.send(2, &[frame_to(PEER, 10_000 + i, 700)], i % 2 == 0);
                    ids_ref.lock().unwrap().extend(got);
                }
            }),
        ]);
        let ids = ids.into_inner().unwrap();
        let done = rig.wait_completions(&adapter, ids.len());
        let wire = rig.drain_until(ids.len());
        let ok = done.len() == ids.len()
            && done.iter().all(|c| c.status == sys::NDIS_STATUS_SUCCESS)
            && wire.len() == ids.len();
        // The chain's frames carry sequence numbers 0..300 in bytes 14..18, in its order.
        let chain_order: Vec<u32> = wire
            .iter()
            .filter(|f| f.len() == 80)
            .map(|f| u32::from_be_bytes([f[14], f[15], f[16], f[17]]))
            .collect();
        if !ok || chain_order != (0..300).collect::<Vec<_>>() {
            failures.push(format!(
                "seed {seed}: {} sends, {} completed, {} on the wire, chain in order: {}",
                ids.len(),
                done.len(),
                wire.len(),
                chain_order == (0..300).collect::<Vec<_>>()
            ));
        }
        let _ = adapter.pause();
        rig.finish(adapter);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The handlers that reclaim (the hang check) or need the ring whole (Pause, which reclaims
/// before it decides) run while sends keep the DPC reclaiming on other processors: they take
/// the reclaimer role in turn with the DPC, so no frame is reclaimed twice or lost, and TX
/// causes that arrive while a handler holds the role still get their frames completed.
#[test]
fn handlers_and_the_dpc_take_the_reclaimer_role_in_turn() {
    let mut failures = Vec::new();
    for seed in 0..40u64 {
        let rig = Rig::random_switches(4, 0xEC1A_2000 + seed);
        let adapter = rig.up();
        let ids = std::sync::Mutex::new(Vec::new());
        let (a, ids_ref, machine) = (&adapter, &ids, &rig.machine);
        let senders = (1..3usize).map(|cpu| {
            Box::new(move || {
                for i in 0..30u32 {
                    // Copied and scatter/gather frames both.
                    let len = if i % 3 == 0 { 1000 } else { 100 };
                    let got = a.send(cpu, &[frame_to(PEER, i, len)], i % 2 == 1);
                    ids_ref.lock().unwrap().extend(got);
                }
            }) as Box<dyn FnOnce() + Send + '_>
        });
        let checker = Box::new(move || {
            for _ in 0..6 {
                // No transmitter is stuck here: a hang would be a bookkeeping error.
                assert!(!a.check_for_hang(), "a hang reported on a working NIC");
                machine.advance_clock(20_000);
            }
        }) as Box<dyn FnOnce() + Send + '_>;
        rig.machine
            .concurrently(senders.chain(std::iter::once(checker)).collect());
        let ids = ids.into_inner().unwrap();
        let done = rig.wait_completions(&adapter, ids.len());
        let unique: HashSet<u64> = done.iter().map(|c| c.id).collect();
        if done.len() != ids.len()
            || unique.len() != ids.len()
            || !done.iter().all(|c| c.status == sys::NDIS_STATUS_SUCCESS)
        {
            failures.push(format!(
                "seed {seed}: {} sends, {} completions ({} distinct)",
                ids.len(),
                done.len(),
                unique.len()
            ));
        }
        let paused = adapter.pause();
        if paused != sys::NDIS_STATUS_SUCCESS {
            failures.push(format!(
                "seed {seed}: pause {paused:#x} with nothing in flight"
            ));
        }
        rig.finish(adapter);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Pause while the DPC is reclaiming: the frames are sent first, then Pause runs while the
/// clock moves on in another actor, so the TX interrupts' DPCs reclaim at the same time. The
/// Pause handler waits for the reclaimer role (a DPC holding it gives it back at its end),
/// reclaims, and pends only while frames are still on the wire; every send completes once, with
/// success (each frame was on the ring when Pause came) and the pause completes.
#[test]
fn pause_takes_the_reclaimer_role_from_a_running_dpc() {
    let mut failures = Vec::new();
    for seed in 0..40u64 {
        let rig = Rig::random_switches(3, 0xEC1A_3000 + seed);
        let adapter = rig.up();
        let ids: Vec<u64> = (0..40u32)
            .flat_map(|i| adapter.send(1, &[frame_to(PEER, i, 100 + 20 * i as usize)], true))
            .collect();
        let paused = std::sync::Mutex::new(None);
        let (a, paused_ref, machine) = (&adapter, &paused, &rig.machine);
        rig.machine.concurrently(vec![
            Box::new(move || *paused_ref.lock().unwrap() = Some(a.pause())),
            Box::new(move || {
                for _ in 0..40 {
                    machine.advance_clock(5_000);
                }
            }),
        ]);
        let done = rig.wait_completions(&adapter, ids.len());
        let unique: HashSet<u64> = done.iter().map(|c| c.id).collect();
        let paused = paused.into_inner().unwrap();
        if done.len() != ids.len()
            || unique.len() != ids.len()
            || !done.iter().all(|c| c.status == sys::NDIS_STATUS_SUCCESS)
        {
            failures.push(format!(
                "seed {seed}: {} sends, {} completions ({} distinct), pause {paused:?}: {done:?}",
                ids.len(),
                done.len(),
                unique.len()
            ));
        }
        rig.pump(20);
        rig.finish(adapter);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A TX interrupt that comes while a handler (here the hang check) holds the reclaimer role:
/// its DPC leaves the TX causes pending, and the handler, giving the role back, queues the DPC
/// for them. Nothing else would reclaim that frame: the one send races the hang check, and no
/// frame, interrupt or further check follows. Without the queued DPC, some seeds leave the
/// send uncompleted.
#[test]
fn tx_causes_that_arrive_while_a_handler_holds_the_role_are_not_lost() {
    let mut failures = Vec::new();
    for seed in 0..100u64 {
        let rig = Rig::random_switches(3, 0xEC1A_4000 + seed);
        let adapter = rig.up();
        let ids = std::sync::Mutex::new(Vec::new());
        let (a, ids_ref, machine) = (&adapter, &ids, &rig.machine);
        rig.machine.concurrently(vec![
            Box::new(move || {
                let got = a.send(1, &[frame_to(PEER, 1, 700)], true);
                ids_ref.lock().unwrap().extend(got);
            }),
            Box::new(move || {
                assert!(!a.check_for_hang(), "a hang reported on a working NIC");
            }),
            Box::new(move || {
                for _ in 0..10 {
                    machine.advance_clock(5_000);
                }
            }),
        ]);
        let ids = ids.into_inner().unwrap();
        let done = rig.wait_completions(&adapter, ids.len());
        if done.len() != ids.len() {
            failures.push(format!(
                "seed {seed}: {} of {} sends completed",
                done.len(),
                ids.len()
            ));
            continue;
        }
        assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
        rig.finish(adapter);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
