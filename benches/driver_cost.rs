//! What the driver costs per frame, counted, not timed: spin-lock acquisitions per frame (the
//! simulator's lock statistics) and, under callgrind, the driver's own instructions per frame in
//! each direction.
//!
//! `cargo bench --bench driver_cost` times one transmit and one receive batch with criterion
//! (host wall clock, for comparing changes on one machine). `driver_cost --count [--frames N]`
//! (what `benches/driver_cost_callgrind.sh` runs under callgrind) makes one deterministic run —
//! one simulated processor, serial schedule, fixed seed — sending N frames and then receiving
//! N frames in two phases, [`transmit_phase`] and [`receive_phase`], whose instructions
//! callgrind's `--dump-before` puts in output parts of their own; it prints the spin-lock
//! acquisitions of each phase.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use e1000_model::{CableEnd, E1000Config, LinkConditions, Wire, cable};
use ndis_sim::host::{Adapter, LoadedDriver};
use ndis_sim::{Machine, Schedule, Strategy, VerifierMode};
use rse1k::sys;

/// The seed of the counted run (any fixed value: the run is a function of it).
const SEED: u64 = 0xC057_0000_0000_0001;
/// The peer's MAC address.
const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];
/// Frames per batch: below the 256-descriptor rings, so nothing waits for ring space.
const BATCH: u32 = 64;
/// Frame length (bytes, without FCS) unless `--frame-len` says otherwise: the payload copy is
/// not what this counts. 512 is the longest frame the driver copies; longer ones go out by
/// scatter/gather DMA (`--frame-len 1514` counts that path).
const FRAME_LEN: usize = 512;
/// Clock pumps (10 µs each) a batch may take before the run is declared broken.
const PATIENCE: u32 = 100_000;

/// A one-processor serial machine with the driver up on the model's e1000.
struct Bench {
    machine: Machine,
    peer: CableEnd,
    station: [u8; 6],
    driver: LoadedDriver,
    adapter: Adapter,
    /// Bytes per frame.
    frame_len: usize,
}

/// What one phase moved and which locks it took.
struct Phase {
    frames: u64,
    acquisitions: u64,
}

fn frame(dst: [u8; 6], src: [u8; 6], seq: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len];
    f[..6].copy_from_slice(&dst);
    f[6..12].copy_from_slice(&src);
    f[12..14].copy_from_slice(&[0x88, 0xB5]);
    f[14..18].copy_from_slice(&seq.to_be_bytes());
    f
}

impl Bench {
    fn new(frame_len: usize) -> Self {
        let machine = Machine::builder()
            .processors(1)
            .seed(SEED)
            .mode(VerifierMode::BugCheck)
            .schedule(Schedule::Serial(Strategy::Sticky { n: 16 }))
            .build();
        let (near, far) = cable(LinkConditions::default());
        let nic = machine.plug_e1000(5, E1000Config::default(), Box::new(near));
        let driver = machine
            .load_driver(rse1k::miniport::driver_entry)
            .expect("DriverEntry succeeds");
        let adapter = driver.initialize(&nic).expect("Initialize succeeds");
        let filter = sys::NDIS_PACKET_TYPE_DIRECTED | sys::NDIS_PACKET_TYPE_BROADCAST;
        let set = adapter.oid_set(sys::OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes());
        assert_eq!(set.status, sys::NDIS_STATUS_SUCCESS, "packet filter");
        assert_eq!(adapter.restart(), sys::NDIS_STATUS_SUCCESS, "restart");
        let station = nic.device.nic().mac();
        Self {
            machine,
            peer: far,
            station,
            driver,
            adapter,
            frame_len,
        }
    }

    fn pump(&self) {
        self.machine.advance_clock(10_000);
    }

    /// Spin-lock acquisitions of the driver's locks so far.
    fn acquisitions(&self) -> u64 {
        self.machine
            .report()
            .locks
            .iter()
            .filter(|l| l.name.starts_with("rse1k."))
            .map(|l| l.acquisitions)
            .sum()
    }

    /// Sends one batch and waits until every frame reached the peer and every send completed.
    fn transmit_batch(&mut self, first: u32) {
        for seq in first..first + BATCH {
            let f = frame(PEER, self.station, seq, self.frame_len);
            self.adapter.send(0, std::slice::from_ref(&f), false);
        }
        let (mut wire, mut completed) = (0u32, 0u32);
        for _ in 0..PATIENCE {
            let now = self.machine.virtual_time_ns();
            wire += u32::try_from(self.peer.drain(now).len()).unwrap_or(u32::MAX);
            for c in self.adapter.take_completions() {
                assert_eq!(c.status, sys::NDIS_STATUS_SUCCESS, "send status");
                completed += 1;
            }
            if wire >= BATCH && completed >= BATCH {
                return;
            }
            self.pump();
        }
        panic!("transmit batch at {first}: {wire} on the wire, {completed} completed");
    }

    /// The peer sends one batch; waits until every frame was indicated and returned.
    fn receive_batch(&mut self, first: u32) {
        for seq in first..first + BATCH {
            let now = self.machine.virtual_time_ns();
            self.peer
                .send(&frame(self.station, PEER, seq, self.frame_len), now);
        }
        let mut received = 0u32;
        for _ in 0..PATIENCE {
            received += u32::try_from(self.adapter.take_received().len()).unwrap_or(u32::MAX);
            let c = self.adapter.counters();
            if received >= BATCH && c.returned == c.indicated {
                return;
            }
            self.pump();
        }
        panic!("receive batch at {first}: {received} indicated");
    }

    /// Pause, Halt (no leaks), Unload, no violations.
    fn finish(self) {
        let paused = self.adapter.pause();
        assert!(
            paused == sys::NDIS_STATUS_SUCCESS || paused == sys::NDIS_STATUS_PENDING,
            "pause: {paused:#x}"
        );
        let leaks = self.adapter.halt(sys::NdisHaltDeviceDisabled);
        assert!(leaks.is_empty(), "leaks at halt:\n{leaks}");
        self.driver.unload();
        let report = self.machine.report();
        assert!(report.violations.is_empty(), "{report}");
    }
}

/// Sends `frames` frames (rounded up to whole batches). Callgrind dumps its counters when this
/// function and the next two `*_phase` functions start (`--dump-before=*driver_cost::*_phase`),
/// so one output part holds exactly this phase, on every thread of the machine.
#[inline(never)]
fn transmit_phase(bench: &mut Bench, frames: u32) -> Phase {
    run_batches(bench, frames, Bench::transmit_batch)
}

/// Receives `frames` frames (rounded up to whole batches); the callgrind part after
/// [`transmit_phase`]'s.
#[inline(never)]
fn receive_phase(bench: &mut Bench, frames: u32) -> Phase {
    run_batches(bench, frames, Bench::receive_batch)
}

/// The body of a phase: `batch` for whole batches of at least `frames` frames, and the lock
/// acquisitions they made. Its cost lands in the calling phase's callgrind part (a part
/// runs from one phase function's start to the next's).
fn run_batches(bench: &mut Bench, frames: u32, batch: fn(&mut Bench, u32)) -> Phase {
    let before = bench.acquisitions();
    let batches = frames.div_ceil(BATCH);
    for b in 0..batches {
        batch(bench, b * BATCH);
    }
    Phase {
        frames: u64::from(batches * BATCH),
        acquisitions: bench.acquisitions() - before,
    }
}

#[allow(clippy::cast_precision_loss, reason = "ratios for display")]
fn per_frame(count: u64, frames: u64) -> f64 {
    count as f64 / frames.max(1) as f64
}

/// The counted run: a warm-up batch each way (first-use costs are not per-frame costs), then
/// the two phases; prints one machine-readable line per phase and the combined figure.
fn count(frames: u32, frame_len: usize) {
    let mut bench = Bench::new(frame_len);
    black_box(warm_up(&mut bench));
    let tx = transmit_phase(&mut bench, frames);
    let rx = receive_phase(&mut bench, frames);
    println!(
        "driver_cost: 1 processor, seed {SEED:#x}, {} frames each way of {frame_len} bytes",
        tx.frames
    );
    println!(
        "locks transmit {} acquisitions {} frames {:.3} per frame",
        tx.acquisitions,
        tx.frames,
        per_frame(tx.acquisitions, tx.frames)
    );
    println!(
        "locks receive {} acquisitions {} frames {:.3} per frame",
        rx.acquisitions,
        rx.frames,
        per_frame(rx.acquisitions, rx.frames)
    );
    println!(
        "locks both {} acquisitions {} frames {:.3} per frame",
        tx.acquisitions + rx.acquisitions,
        tx.frames + rx.frames,
        per_frame(tx.acquisitions + rx.acquisitions, tx.frames + rx.frames)
    );
    teardown_phase(bench);
}

/// Pause, Halt, Unload: its start ends [`receive_phase`]'s callgrind part.
#[inline(never)]
fn teardown_phase(bench: Bench) {
    bench.finish();
}

/// One batch each way before anything is counted.
fn warm_up(bench: &mut Bench) -> u32 {
    bench.transmit_batch(0);
    bench.receive_batch(0);
    BATCH
}

/// Criterion: one batch each way per iteration, wall clock.
fn timed(c: &mut Criterion) {
    let mut bench = Bench::new(FRAME_LEN);
    let mut group = c.benchmark_group("driver_cost");
    group.throughput(Throughput::Elements(u64::from(BATCH)));
    group.sample_size(20);
    let mut seq = 0u32;
    group.bench_function("transmit_batch", |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                bench.transmit_batch(seq);
                seq = seq.wrapping_add(BATCH);
            }
            start.elapsed()
        });
    });
    group.bench_function("receive_batch", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let start = Instant::now();
                bench.receive_batch(seq);
                total += start.elapsed();
                seq = seq.wrapping_add(BATCH);
            }
            total
        });
    });
    group.finish();
    bench.finish();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--count") {
        let frames = args
            .iter()
            .position(|a| a == "--frames")
            .and_then(|i| args.get(i + 1))
            .map_or(Ok(4_096), |s| s.parse::<u32>())
            .expect("--frames N: a number");
        let frame_len = args
            .iter()
            .position(|a| a == "--frame-len")
            .and_then(|i| args.get(i + 1))
            .map_or(Ok(FRAME_LEN), |s| s.parse::<usize>())
            .expect("--frame-len N: a number");
        assert!(
            (60..=1514).contains(&frame_len),
            "--frame-len: 60 to 1514 bytes"
        );
        count(frames, frame_len);
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    timed(&mut criterion);
    criterion.final_summary();
}
