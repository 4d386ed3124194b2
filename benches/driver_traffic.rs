//! Frames per second through the driver and the device model, on one and two simulated
//! processors, and spin-lock acquisitions per frame. Reported, not asserted: the machines this
//! runs on are shared and noisy, and the simulator's bookkeeping dominates the cost, so the
//! numbers compare configurations of one run rather than predict kernel throughput.

#[path = "../tests/miniport_rig/mod.rs"]
mod miniport_rig;

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use miniport_rig::{Rig, frame_to, peer_frame};

/// Frames each way per measured batch (below the ring size, so nothing is dropped).
const BATCH: u32 = 128;
const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];

/// Sends `BATCH` frames each way and waits for all of them; returns the time taken.
fn batch(rig: &Rig, adapter: &ndis_sim::host::Adapter, round: u32) -> Duration {
    let start = Instant::now();
    for i in 0..BATCH {
        let seq = round * BATCH + i;
        adapter.send(
            (i % 2) as usize % rig.machine.processors(),
            &[frame_to(PEER, seq, 512)],
            i % 2 == 1,
        );
        rig.peer_send(&peer_frame(rig.station(), seq, 512));
    }
    let _ = rig.drain_until(BATCH as usize);
    let _ = rig.wait_completions(adapter, BATCH as usize);
    let _ = rig.wait_received(adapter, BATCH as usize);
    start.elapsed()
}

fn traffic(c: &mut Criterion) {
    let mut group = c.benchmark_group("driver_traffic");
    group.throughput(Throughput::Elements(u64::from(2 * BATCH)));
    group.sample_size(20);
    for processors in [1usize, 2] {
        let rig = Rig::new(processors, 42);
        let adapter = rig.up();
        let mut round = 0;
        group.bench_function(format!("{processors}_processors"), |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    total += batch(&rig, &adapter, round);
                    round += 1;
                }
                total
            });
        });
        let report = rig.machine.report();
        let frames = u64::from(round) * u64::from(2 * BATCH);
        let acquisitions: u64 = report
            .locks
            .iter()
            .filter(|l| l.name.starts_with("rse1k."))
            .map(|l| l.acquisitions)
            .sum();
        #[allow(clippy::cast_precision_loss, reason = "a ratio for display")]
        let per_frame = acquisitions as f64 / frames.max(1) as f64;
        println!(
            "driver_traffic/{processors}_processors: {frames} frames, {per_frame:.2} spin-lock \
             acquisitions per frame, {} violations",
            report.violations.len()
        );
        let _ = adapter.pause();
        rig.finish(adapter);
    }
    group.finish();
}

criterion_group!(benches, traffic);
criterion_main!(benches);
