//! Regression tests for the races a review found in the miniport, each run on the serial
//! (deterministic) simulator over fixed seeds: every schedule replays, so a failure here names
//! its seed and reruns the same way.

mod miniport_rig;

use miniport_rig::{Rig, frame_to};
use rse1k::sys;

const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];

/// Seeds each race is run under.
const SCHEDULES: u64 = 150;

/// Race 1: sends from three processors race surprise removal. Every NBL must complete (none
/// left on the ring of a removed device, where it would never complete), and the Pause NDIS
/// sends next must complete. Failed on the driver before the fix (the `removed` check ran
/// under `state`, the removal emptied queue and ring under `send` alone: a send checked, the
/// removal ran, the send queued and posted its NBL to a ring nobody would reclaim).
#[test]
fn sends_racing_surprise_removal_all_complete() {
    let mut failures = Vec::new();
    for seed in 0..SCHEDULES {
        let rig = Rig::random_switches(4, 0x5E9D_0000 + seed);
        let adapter = rig.up();
        let sender = &adapter;
        let actors: Vec<Box<dyn FnOnce() + Send + '_>> = (1..4usize)
            .map(|cpu| {
                Box::new(move || {
                    for seq in 0..4u32 {
                        let f = frame_to(PEER, seq, 60 + 40 * cpu);
                        sender.send(cpu, std::slice::from_ref(&f), seq % 2 == 0);
                    }
                }) as Box<dyn FnOnce() + Send + '_>
            })
            .chain(std::iter::once(
                Box::new(move || sender.surprise_remove()) as Box<dyn FnOnce() + Send + '_>
            ))
            .collect();
        rig.machine.concurrently(actors);
        rig.pump(4);
        let paused = adapter.pause();
        let c = adapter.counters();
        if c.sent != c.completed || paused != sys::NDIS_STATUS_SUCCESS {
            failures.push(format!(
                "seed {seed}: {} sent, {} completed, pause {paused:#x}",
                c.sent, c.completed
            ));
        }
        close(&rig, adapter);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Race 2: `MiniportShutdownEx` (at `PASSIVE_LEVEL`, and at `HIGH_LEVEL` as on a bug check)
/// while receives keep the interrupt path busy. After Shutdown returns the NIC's interrupt
/// mask must stay 0, also when a link change follows. Failed before the fix: a DPC finishing
/// on another processor unmasked (IMS 0x0 → 0x95).
#[test]
fn no_interrupt_is_unmasked_after_shutdown() {
    let mut failures = Vec::new();
    for seed in 0..SCHEDULES {
        let rig = Rig::random_switches(
            1 + usize::try_from(seed % 4).unwrap_or(0),
            0x5D00_0000 + seed,
        );
        let adapter = rig.up();
        for seq in 0..4 {
            rig.peer_send(&miniport_rig::peer_frame(rig.station(), seq, 100));
        }
        let action = if seed % 2 == 0 {
            sys::NdisShutdownPowerOff
        } else {
            sys::NdisShutdownBugCheck
        };
        let (machine, adapter_ref) = (&rig.machine, &adapter);
        machine.concurrently(vec![
            Box::new(move || pump(machine, 6)),
            Box::new(move || adapter_ref.shutdown(action)),
        ]);
        rig.pump(4);
        rig.nic.device.nic().set_link(false).expect("link down");
        rig.pump(4);
        let ims = rig.nic.device.nic().mmio_read(e1000_model::regs::IMS);
        if ims != 0 {
            failures.push(format!(
                "seed {seed}: IMS {ims:#x} after MiniportShutdownEx"
            ));
        }
        let _ = adapter.pause();
        close(&rig, adapter);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Race 3: surprise removal while a link change's interrupt and DPC are in flight. No link
/// indication may follow the return of `MiniportDevicePnPEventNotify`. Failed before the fix:
/// a late DPC read STATUS from the removed device (all ones) and indicated link up.
#[test]
fn no_link_indication_after_surprise_removal() {
    let mut failures = Vec::new();
    for seed in 0..SCHEDULES {
        let rig = Rig::random_switches(
            1 + usize::try_from(seed % 4).unwrap_or(0),
            0xDA00_0000 + seed,
        );
        let adapter = rig.up();
        rig.nic.device.nic().set_link(false).expect("link down");
        for _ in 0..200 {
            let down = adapter
                .link_state()
                .is_some_and(|l| l.MediaConnectState == sys::MediaConnectStateDisconnected);
            if down {
                break;
            }
            rig.pump(1);
        }
        rig.nic.device.nic().set_link(true).expect("link up");
        let after = std::sync::atomic::AtomicUsize::new(usize::MAX);
        let (machine, adapter_ref, after_ref) = (&rig.machine, &adapter, &after);
        machine.concurrently(vec![
            Box::new(move || pump(machine, 6)),
            Box::new(move || {
                adapter_ref.surprise_remove();
                let seen = adapter_ref.status_indications().len();
                after_ref.store(seen, std::sync::atomic::Ordering::SeqCst);
            }),
        ]);
        rig.pump(4);
        let seen = after.load(std::sync::atomic::Ordering::SeqCst);
        let late = adapter
            .status_indications()
            .into_iter()
            .skip(seen)
            .filter(|s| s.code == sys::NDIS_STATUS_LINK_STATE)
            .count();
        if late != 0 {
            failures.push(format!(
                "seed {seed}: {late} link indication(s) after removal"
            ));
        }
        let _ = adapter.pause();
        close(&rig, adapter);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Moves virtual time on by `steps` × 10 µs from a racing actor.
fn pump(machine: &ndis_sim::Machine, steps: u32) {
    for _ in 0..steps {
        machine.advance_clock(10_000);
    }
}

/// Halts the (paused) adapter and unloads the driver, so each schedule starts from scratch.
fn close(rig: &Rig, adapter: ndis_sim::host::Adapter) {
    let leaks = adapter.halt(sys::NdisHaltDeviceSurpriseRemoved);
    assert!(leaks.is_empty(), "leaks at halt:\n{leaks}");
    rig.driver.clone().unload();
}
