//! Regression tests for the miniport bugs a review found by reading (each failed on the driver
//! before its fix; the commit that added it says how).

mod miniport_rig;

use miniport_rig::{Rig, peer_frame};
use rse1k::sys;

/// Bug 5: receive buffers the protocol holds must not block the ring. The protocol keeps the
/// first 8 NBLs indicated and returns the rest; 600 frames must all be indicated (with buffers
/// tied to descriptors, RDT stopped at the first held slot: 256 of 600, then nothing).
#[test]
fn reception_continues_while_the_protocol_holds_the_first_buffers() {
    let rig = Rig::new(2, 31);
    let adapter = rig.up();
    adapter.keep_next_received(8);
    let mut received = Vec::new();
    for i in 0..600u32 {
        rig.peer_send(&peer_frame(rig.station(), i, 100));
        if i % 8 == 7 {
            let want = (i + 1) as usize - received.len();
            received.extend(rig.wait_received_frames(&adapter, want));
        }
    }
    assert_eq!(received.len(), 600, "every frame indicated");
    let seqs: Vec<u32> = received
        .iter()
        .map(|f| u32::from_be_bytes(f.data[14..18].try_into().unwrap()))
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, none twice");
    let _ = adapter.pause();
    rig.finish(adapter);
}

/// The registration attributes say the driver handles surprise removal
/// (`NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK`: it has `MiniportDevicePnPEventNotify` and
/// never touches a removed device), so NDIS need not warn the user before removing it.
#[test]
fn registration_says_surprise_removal_is_ok() {
    let rig = Rig::new(1, 3);
    let adapter = rig.up();
    let flags = adapter.attribute_flags();
    assert_ne!(
        flags & sys::NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK,
        0,
        "AttributeFlags {flags:#x}"
    );
    let _ = adapter.pause();
    rig.finish(adapter);
}

/// `OID_GEN_LINK_PARAMETERS` asking for auto-negotiation restarts it in the PHY (MDIC write of
/// PHY control bit 9), not only re-asserting CTRL.SLU (which restarts nothing).
#[test]
fn link_parameters_restart_the_phys_auto_negotiation() {
    let rig = Rig::new(1, 5);
    let adapter = rig
        .driver
        .initialize(&rig.nic)
        .expect("Initialize succeeds");
    let before = rig.model.phy_autoneg_restarts();
    let mut params = [0u8; core::mem::size_of::<sys::NDIS_LINK_PARAMETERS>()];
    let header = [
        u8::try_from(sys::NDIS_OBJECT_TYPE_DEFAULT).unwrap(),
        u8::try_from(sys::NDIS_LINK_PARAMETERS_REVISION_1).unwrap(),
    ];
    params[..2].copy_from_slice(&header);
    let size = u16::try_from(params.len()).unwrap();
    params[2..4].copy_from_slice(&size.to_le_bytes());
    let flags = sys::NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED
        | sys::NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED
        | sys::NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED
        | sys::NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED;
    let at = core::mem::offset_of!(sys::NDIS_LINK_PARAMETERS, AutoNegotiationFlags);
    params[at..at + 4].copy_from_slice(&flags.to_le_bytes());
    let r = adapter.oid_set(sys::OID_GEN_LINK_PARAMETERS, &params);
    assert_eq!(r.status, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(rig.model.phy_autoneg_restarts(), before + 1);
    rig.finish(adapter);
}

/// The NIC's statistics registers (~21 read-to-clear reads, each a bus transaction and a VM
/// exit under a hypervisor) are read with no spin lock held: during an `OID_GEN_STATISTICS`
/// query, the trace of a serial run shows no `NdisReadRegisterUlong` between a spin-lock
/// acquisition and its release (they were all under `state`).
#[test]
fn statistics_registers_are_read_outside_every_spin_lock() {
    let rig = Rig::on(
        Rig::machine(1, 9)
            .schedule(ndis_sim::Schedule::Serial(ndis_sim::Strategy::Random))
            .trace_events(true),
    );
    let machine = &rig.machine;
    let adapter = rig
        .driver
        .initialize(&rig.nic)
        .expect("Initialize succeeds");
    let _ = machine.take_schedule_events();
    let r = adapter.oid_query(sys::OID_GEN_STATISTICS, 512);
    assert_eq!(r.status, sys::NDIS_STATUS_SUCCESS);
    let events = machine.take_schedule_events();
    let (mut depth, mut reads, mut under_lock) = (0i32, 0, 0);
    for e in &events {
        if e.contains("AcquireSpinLock") && !e.ends_with(" spin") {
            depth += 1;
        } else if e.contains("ReleaseSpinLock") {
            depth -= 1;
        } else if e.contains("NdisReadRegisterUlong") {
            reads += 1;
            if depth > 0 {
                under_lock += 1;
            }
        }
    }
    assert!(reads >= 19, "the counters were read: {reads} reads");
    assert_eq!(
        under_lock, 0,
        "{under_lock} of {reads} register reads under a spin lock"
    );
    rig.finish(adapter);
}

/// The send handler and the DPC copy queued frames into TX buffers under the `send` lock: at
/// most 16 per hold (each hold ends with its doorbell), never a whole ring. A chain of 400
/// frames fills the ring (16 per hold) and queues the rest; the DPC then posts them. Before
/// the fix the DPC copied all 145 under one hold and rang once (a TDT step of 145), and the
/// send handler copied 255 under one hold.
#[test]
fn the_dpc_posts_queued_frames_in_bounded_batches() {
    let rig = Rig::new(1, 13);
    let adapter = rig
        .driver
        .initialize(&rig.nic)
        .expect("Initialize succeeds");
    assert_eq!(adapter.restart(), sys::NDIS_STATUS_SUCCESS);
    let frames: Vec<Vec<u8>> = (0..400)
        .map(|i| miniport_rig::frame_to([2, 0, 0, 0, 0, 9], i, 60))
        .collect();
    let _ = rig.model.take_tdt_steps();
    adapter.send(0, &frames, false);
    let mut completed = 0;
    for _ in 0..2000 {
        completed += adapter.take_completions().len();
        if completed == 400 {
            break;
        }
        rig.machine.advance_clock(10_000);
        let now = rig.machine.virtual_time_ns();
        let _ = rig.peer.lock().unwrap().drain(now);
    }
    assert_eq!(completed, 400);
    let steps = rig.model.take_tdt_steps();
    assert_eq!(steps.iter().sum::<u32>(), 400);
    assert!(
        steps.iter().all(|&n| n <= 16),
        "more than 16 frames posted under one hold of the send lock: {steps:?}"
    );
    let _ = adapter.pause();
    rig.finish(adapter);
}
