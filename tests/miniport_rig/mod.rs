//! The rig the miniport tests share: a simulated machine with an e1000 on an in-process cable,
//! the driver loaded through the protocol edge, and helpers to move frames.
#![allow(dead_code, reason = "each test file uses part of the rig")]

use std::sync::Arc;

use e1000_model::{CableEnd, DmaMemory, E1000, E1000Config, LinkConditions, Wire, cable};
use ndis_sim::bus::PluggedE1000;
use ndis_sim::host::{Adapter, LoadedDriver, ReceivedFrame, SendCompletion};
use ndis_sim::{Machine, MachineBuilder, Schedule, Strategy, VerifierMode};
use rse1k::sys;

/// How many times the waits below pump 50 µs of virtual time before giving up (1 s).
pub const PATIENCE_ROUNDS: u32 = 20_000;

/// A machine, its e1000, the far end of its cable, the loaded driver.
pub struct Rig {
    pub machine: Machine,
    pub nic: PluggedE1000,
    /// The model behind `nic`, for what only the model can tell (PHY restarts, TDT steps).
    pub model: Arc<E1000>,
    pub peer: std::sync::Mutex<CableEnd>,
    pub driver: LoadedDriver,
}

/// A frame from us to `dst`: a sequence number in the payload, `len` bytes in all.
pub fn frame_to(dst: [u8; 6], seq: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len.max(60)];
    f[..6].copy_from_slice(&dst);
    f[6..12].copy_from_slice(&[0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    f[12..14].copy_from_slice(&[0x88, 0xB5]);
    f[14..18].copy_from_slice(&seq.to_be_bytes());
    for (i, b) in f.iter_mut().enumerate().skip(18) {
        *b = (i ^ seq as usize).to_le_bytes()[0];
    }
    f
}

/// A frame from the peer to `station`.
pub fn peer_frame(station: [u8; 6], seq: u32, len: usize) -> Vec<u8> {
    let mut f = frame_to(station, seq, len);
    f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 9]);
    f
}

impl Rig {
    /// The machine every rig starts from: `processors`, `seed`, violations collected (not bug
    /// checks), free host threads; a test adds what it needs (a schedule, event tracing).
    pub fn machine(processors: usize, seed: u64) -> MachineBuilder {
        Machine::builder()
            .processors(processors)
            .seed(seed)
            .mode(VerifierMode::Collect)
    }

    /// A machine of `processors` that runs one actor at a time, switched by `seed` with the
    /// main job's strategy (keep the turn, switch one time in 16): the run is a function of
    /// the seed, never of host timing.
    pub fn new(processors: usize, seed: u64) -> Self {
        Self::on(
            Self::machine(processors, seed).schedule(Schedule::Serial(Strategy::Sticky { n: 16 })),
        )
    }

    /// Like [`Rig::new`], but switching by a uniform random draw at every switch point: the
    /// finer interleavings the race tests explore over many seeds.
    pub fn random_switches(processors: usize, seed: u64) -> Self {
        Self::on(Self::machine(processors, seed).schedule(Schedule::Serial(Strategy::Random)))
    }

    /// The machine `builder` builds, an 82540EM model on line 5 cabled to the peer, the driver
    /// loaded (`DriverEntry`).
    pub fn on(builder: MachineBuilder) -> Self {
        let machine = builder.build();
        let (near, far) = cable(LinkConditions::default());
        let dma: Arc<dyn DmaMemory> = machine.physical_memory();
        let model = Arc::new(E1000::new(E1000Config::default(), dma, Box::new(near)));
        let nic = machine
            .plug_device(5, model.clone())
            .expect("the model brings no RAM of its own, so it plugs");
        let driver = machine
            .load_driver(rse1k::miniport::driver_entry)
            .expect("DriverEntry succeeds");
        Self {
            machine,
            nic,
            model,
            peer: std::sync::Mutex::new(far),
            driver,
        }
    }

    /// Initialize, packet filter (directed + multicast + broadcast), Restart.
    pub fn up(&self) -> Adapter {
        let adapter = self
            .driver
            .initialize(&self.nic)
            .expect("Initialize succeeds");
        let filter = sys::NDIS_PACKET_TYPE_DIRECTED
            | sys::NDIS_PACKET_TYPE_MULTICAST
            | sys::NDIS_PACKET_TYPE_BROADCAST;
        let r = adapter.oid_set(sys::OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes());
        assert_eq!(r.status, sys::NDIS_STATUS_SUCCESS);
        assert_eq!(adapter.restart(), sys::NDIS_STATUS_SUCCESS);
        self.assert_clean();
        adapter
    }

    /// The station address (`OID_802_3_CURRENT_ADDRESS`).
    pub fn station(&self) -> [u8; 6] {
        self.nic.device.nic().mac()
    }

    /// Moves virtual time on by `steps` × 10 µs (mitigation timers, wire delivery).
    pub fn pump(&self, steps: u32) {
        for _ in 0..steps {
            self.machine.advance_clock(10_000);
        }
    }

    /// Sends `frame` from the peer.
    pub fn peer_send(&self, frame: &[u8]) {
        let now = self.machine.virtual_time_ns();
        self.peer.lock().unwrap().send(frame, now);
    }

    /// Frames the peer received, pumping until `n` arrived or [`PATIENCE_ROUNDS`] passed.
    pub fn drain_until(&self, n: usize) -> Vec<Vec<u8>> {
        self.gather(n, || {
            let now = self.machine.virtual_time_ns();
            self.peer
                .lock()
                .unwrap()
                .drain(now)
                .into_iter()
                .map(|f| f.data)
                .collect()
        })
    }

    /// Send completions, pumping until `n` or [`PATIENCE_ROUNDS`].
    pub fn wait_completions(&self, adapter: &Adapter, n: usize) -> Vec<SendCompletion> {
        self.gather(n, || adapter.take_completions())
    }

    /// Indicated frames, pumping until `n` or [`PATIENCE_ROUNDS`].
    pub fn wait_received(&self, adapter: &Adapter, n: usize) -> Vec<Vec<u8>> {
        self.wait_received_frames(adapter, n)
            .into_iter()
            .map(|f| f.data)
            .collect()
    }

    /// Indicated frames with their flags, pumping until `n` or [`PATIENCE_ROUNDS`].
    pub fn wait_received_frames(&self, adapter: &Adapter, n: usize) -> Vec<ReceivedFrame> {
        self.gather(n, || adapter.take_received())
    }

    /// What `take` yields, pumping 50 µs between tries, until `n` items or
    /// [`PATIENCE_ROUNDS`] tries: bounded in virtual time, so the same on every rerun.
    fn gather<T>(&self, n: usize, mut take: impl FnMut() -> Vec<T>) -> Vec<T> {
        let mut got = Vec::new();
        for _ in 0..PATIENCE_ROUNDS {
            got.extend(take());
            if got.len() >= n {
                break;
            }
            self.pump(5);
        }
        got
    }

    /// Sticks the transmitter, sends 8 frames to `dst` from processor 0 and calls
    /// `MiniportCheckForHangEx` four times, which must report the hang; then frees the
    /// transmitter. Returns the send ids (the reset the hang asks for completes them).
    pub fn hang_transmitter(&self, adapter: &Adapter, dst: [u8; 6]) -> Vec<u64> {
        self.nic.device.set_tx_stuck(true);
        let mut ids = Vec::new();
        for i in 0..8u32 {
            ids.extend(adapter.send(0, &[frame_to(dst, i, 120)], false));
        }
        Self::check_for_hang_until_reported(adapter);
        self.nic.device.set_tx_stuck(false);
        ids
    }

    /// Calls `MiniportCheckForHangEx` four times (NDIS's two-second checks over the
    /// driver's hang window) and asserts that one of them reports the hang, so NDIS resets.
    pub fn check_for_hang_until_reported(adapter: &Adapter) {
        let mut hung = false;
        for _ in 0..4 {
            hung |= adapter.check_for_hang();
        }
        assert!(hung, "the stuck transmitter was seen as a hang");
    }

    /// Pauses while frames are stuck on the ring: `MiniportPause` must pend, NDIS keeps calling
    /// `MiniportCheckForHangEx` meanwhile, and the reset it asks for lets the pended Pause
    /// finish. The two are actors of the machine; the checks start only once `MiniportPause`
    /// has returned (its `Pause` ETW event is written on the way out), so a reset can never
    /// empty the ring before `MiniportPause` looks at it. Returns Pause's status.
    pub fn pause_resolved_by_hang_checks(&self, adapter: &Adapter) -> sys::NDIS_STATUS {
        let paused = std::sync::Mutex::new(None);
        let hung = std::sync::atomic::AtomicBool::new(false);
        let machine = &self.machine;
        let (paused_ref, hung_ref) = (&paused, &hung);
        machine.concurrently(vec![
            Box::new(move || *paused_ref.lock().unwrap() = Some(adapter.pause())),
            Box::new(move || {
                while !machine.etw_events().iter().any(|e| e.name == "Pause") {
                    machine.advance_clock(10_000);
                }
                while paused_ref.lock().unwrap().is_none() {
                    if adapter.check_for_hang() {
                        hung_ref.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    machine.advance_clock(10_000);
                }
            }),
        ]);
        assert!(hung.into_inner(), "the stuck frames were seen as a hang");
        paused
            .into_inner()
            .unwrap()
            .expect("the pause actor ran to its end")
    }

    /// Waits for the completions of the sends `ids` and asserts each completed once, with
    /// `status`. Returns them.
    pub fn expect_completions(
        &self,
        adapter: &Adapter,
        ids: &[u64],
        status: sys::NDIS_STATUS,
    ) -> Vec<SendCompletion> {
        let done = self.wait_completions(adapter, ids.len());
        assert_eq!(
            done.len(),
            ids.len(),
            "every send completed once, none lost"
        );
        assert!(
            done.iter()
                .all(|c| c.status == status && ids.contains(&c.id)),
            "expected every send completed with {status:#x}: {done:?}"
        );
        done
    }

    /// Panics with the report if the verifier saw anything.
    pub fn assert_clean(&self) {
        let report = self.machine.report();
        assert!(report.violations.is_empty(), "{report}");
    }

    /// Exact NBL accounting of a paused adapter: every NBL sent was completed once, every NBL
    /// indicated came back once (the host counts both at the NDIS edge).
    pub fn assert_accounted(adapter: &Adapter) {
        let c = adapter.counters();
        assert_eq!(c.sent, c.completed, "sent vs completed NBLs: {c:?}");
        assert_eq!(c.indicated, c.returned, "indicated vs returned NBLs: {c:?}");
    }

    /// Halt (the adapter must be paused), exact NBL accounting, no leaks, unload, no
    /// violations.
    pub fn finish(&self, adapter: Adapter) {
        Self::assert_accounted(&adapter);
        let leaks = adapter.halt(sys::NdisHaltDeviceDisabled);
        assert!(leaks.is_empty(), "leaks at halt:\n{leaks}");
        self.driver.clone().unload();
        self.assert_clean();
    }
}
