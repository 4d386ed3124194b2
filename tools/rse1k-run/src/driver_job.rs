//! The driver job: rse1k's miniport, unmodified, on a simulated machine with an e1000 — this
//! project's model on an in-process cable, or QEMU's own e1000 on a Unix datagram wire.
//! Traffic both ways (checked byte-exact and in order), a pause/restart and a link flap in the
//! middle, statistics by OID, then Halt and Unload.

#[cfg(target_os = "linux")]
use std::sync::Arc;
use std::time::{Duration, Instant};

use e1000_model::{E1000Config, LinkConditions, Wire, cable};
use indicatif::ProgressBar;
use ndis_sim::Machine;
use ndis_sim::bus::PluggedE1000;
use ndis_sim::host::Adapter;
#[cfg(target_os = "linux")]
use qemu_e1000::{DgramWire, QemuConfig, QemuE1000};
use rse1k::sys;

/// The peer's MAC address.
const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];
/// Frames sent per batch in each direction (below the 256-descriptor rings, so the NIC never
/// has to drop for lack of buffers while the host returns receives).
const BATCH: u32 = 64;
/// How long to wait for a batch before declaring frames lost.
const PATIENCE: Duration = Duration::from_secs(20);
/// Once every send is done, how long (host time) with no new receive before the batch's missing
/// receives are counted as not indicated: longer than QEMU's 1 s receive gate after an RCTL
/// write, so a frame held by it is not miscounted.
const QUIET: Duration = Duration::from_millis(1500);
/// The interrupt line the NIC is plugged on.
const LINE: u32 = 5;

/// Which e1000 the driver runs on.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    /// This project's model (tools/e1000-model), on the machine's virtual clock.
    Model,
    /// QEMU's own e1000 (hw/net/e1000.c), over qtest; needs `qemu-system-x86_64`.
    Qemu,
}

/// The e1000 plugged into the machine, the far end of its wire, and the QEMU process behind
/// it (stopped at the end of the run: the machine may outlive it).
pub struct Bench {
    /// The adapter handle and the bus device.
    pub nic: PluggedE1000,
    /// The other end of the wire.
    pub peer: Box<dyn Wire>,
    /// QEMU, when the device is QEMU's.
    #[cfg(target_os = "linux")]
    pub qemu: Option<Arc<QemuE1000>>,
}

#[cfg(target_os = "linux")]
impl Drop for Bench {
    fn drop(&mut self) {
        if let Some(qemu) = &self.qemu {
            qemu.shutdown();
        }
    }
}

/// Plugs the chosen e1000 into `machine` on an in-process wire.
///
/// # Errors
/// When QEMU cannot be started.
pub fn plug(machine: &Machine, kind: DeviceKind) -> Result<Bench, String> {
    match kind {
        DeviceKind::Model => {
            let (near, far) = cable(LinkConditions::default());
            let nic = machine.plug_e1000(LINE, E1000Config::default(), Box::new(near));
            Ok(Bench {
                nic,
                peer: Box::new(far),
                #[cfg(target_os = "linux")]
                qemu: None,
            })
        }
        #[cfg(not(target_os = "linux"))]
        DeviceKind::Qemu => Err(crate::linux_only::QEMU.to_owned()),
        #[cfg(target_os = "linux")]
        DeviceKind::Qemu => {
            let wire = DgramWire::new().map_err(|e| e.to_string())?;
            let qemu = Arc::new(
                QemuE1000::spawn(&QemuConfig::new(wire.netdev()))
                    .map_err(|e| format!("QEMU: {e}"))?,
            );
            let nic = machine
                .plug_device(LINE, Arc::clone(&qemu) as _)
                .map_err(|e| format!("plugging QEMU's e1000: {e}"))?;
            Ok(Bench {
                nic,
                peer: Box::new(wire),
                qemu: Some(qemu),
            })
        }
    }
}
/// How many 40 µs clock pumps to wait for a batch (or a link change) before declaring frames
/// lost: counted, not timed, so a run is the same on every host.
const PATIENCE_ROUNDS: u32 = 200_000;

/// What the job measured.
#[derive(Debug, Default)]
pub struct Summary {
    /// Frames the driver sent that reached the wire.
    pub tx_frames: u64,
    /// Their bytes.
    pub tx_bytes: u64,
    /// Frames the peer sent that the driver indicated.
    pub rx_frames: u64,
    /// Their bytes.
    pub rx_bytes: u64,
    /// Sends completed with a status other than success (during pause: `NDIS_STATUS_PAUSED`).
    pub sends_failed: u64,
    /// Frames the peer sent that were not indicated (dropped by the NIC or the driver).
    pub rx_lost: u64,
    /// `OID_GEN_STATISTICS` at the end: (ifInDiscards, ifInErrors, ifOutErrors, ifOutDiscards).
    pub drops: (u64, u64, u64, u64),
    /// Link state indications seen.
    pub link_indications: usize,
    /// Frames that arrived changed or out of order (must be 0).
    pub mismatches: u64,
    /// Host wall-clock duration of the traffic phase.
    pub elapsed: Duration,
}

fn frame(dst: [u8; 6], src: [u8; 6], seq: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len.clamp(60, 1514)];
    f[..6].copy_from_slice(&dst);
    f[6..12].copy_from_slice(&src);
    f[12..14].copy_from_slice(&[0x88, 0xB5]);
    f[14..18].copy_from_slice(&seq.to_be_bytes());
    for (i, b) in f.iter_mut().enumerate().skip(18) {
        *b = (i ^ seq as usize).to_le_bytes()[0];
    }
    f
}

fn frame_len(seq: u32) -> usize {
    60 + (seq as usize * 97) % 1455
}

fn pump(machine: &Machine, steps: u32) {
    for _ in 0..steps {
        machine.advance_clock(10_000);
    }
}

/// Runs the job for `frames` frames each way on `machine`, on the `kind` of e1000, recording
/// the wire to `pcap` when given.
///
/// # Errors
/// A message when a lifecycle step fails (the verifier's report says why).
pub fn run(
    machine: &Machine,
    kind: DeviceKind,
    pcap: Option<&std::path::Path>,
    frames: u32,
    progress: &ProgressBar,
) -> Result<Summary, String> {
    let mut bench = plug(machine, kind)?;
    if let Some(path) = pcap {
        let inner = std::mem::replace(&mut bench.peer, Box::new(e1000_model::Unplugged));
        bench.peer = Box::new(crate::pcap::PcapWire::new(inner, path)?);
    }
    let nic = bench.nic.clone();
    let peer: &mut dyn Wire = bench.peer.as_mut();
    let driver = machine
        .load_driver(rse1k::miniport::driver_entry)
        .map_err(|s| format!("DriverEntry failed: {s:#x}"))?;
    let adapter = driver
        .initialize(&nic)
        .map_err(|s| format!("MiniportInitializeEx failed: {s:#x}"))?;
    let station = nic.device.nic().mac();
    let filter = sys::NDIS_PACKET_TYPE_DIRECTED
        | sys::NDIS_PACKET_TYPE_MULTICAST
        | sys::NDIS_PACKET_TYPE_BROADCAST;
    let set = adapter.oid_set(sys::OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes());
    if set.status != sys::NDIS_STATUS_SUCCESS {
        return Err(format!("packet filter OID failed: {:#x}", set.status));
    }
    if adapter.restart() != sys::NDIS_STATUS_SUCCESS {
        return Err("MiniportRestart failed".into());
    }

    let mut summary = Summary::default();
    let start = Instant::now();
    let batches = frames.div_ceil(BATCH);
    for batch in 0..batches {
        if batch == batches * 2 / 3 {
            link_flap(machine, &nic, &adapter)?;
        }
        let first = batch * BATCH;
        let count = BATCH.min(frames - first);
        let mut out = Vec::new();
        for seq in first..first + count {
            let f = frame(PEER, station, seq, frame_len(seq));
            let cpu = (seq as usize) % machine.processors();
            adapter.send(cpu, std::slice::from_ref(&f), seq % 3 == 0);
            out.push(f);
            let inbound = frame(station, PEER, seq, frame_len(seq + 7));
            peer.send(&inbound, machine.virtual_time_ns());
        }
        if batch == batches / 2 {
            // Pause and restart under load: sends still queued complete with
            // NDIS_STATUS_PAUSED, frames arriving while paused are dropped and counted.
            adapter.pause();
            if adapter.restart() != sys::NDIS_STATUS_SUCCESS {
                return Err("MiniportRestart failed after the pause".into());
            }
        }
        exchange(
            machine,
            &adapter,
            &mut *peer,
            &out,
            first,
            count,
            station,
            &mut summary,
        )?;
        progress.inc(u64::from(count));
    }
    summary.elapsed = start.elapsed();

    let stats = adapter.oid_query(sys::OID_GEN_STATISTICS, 512);
    let field = |i: usize| {
        let at = 8 + i * 8;
        stats
            .data
            .get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    summary.drops = (field(0), field(1), field(10), field(11));
    summary.link_indications = adapter
        .status_indications()
        .iter()
        .filter(|s| s.code == sys::NDIS_STATUS_LINK_STATE)
        .count();
    adapter.pause();
    let leaks = adapter.halt(sys::NdisHaltDeviceDisabled);
    if !leaks.is_empty() {
        return Err(format!("leaks at Halt:\n{leaks}"));
    }
    driver.unload();
    Ok(summary)
}

/// Waits for a batch: the peer's copies of `out`, the completions, the indications of the
/// peer's frames; checks bytes and order.
#[allow(
    clippy::too_many_arguments,
    reason = "one batch's bookkeeping, kept in one place"
)]
fn exchange(
    machine: &Machine,
    adapter: &Adapter,
    peer: &mut dyn Wire,
    out: &[Vec<u8>],
    first: u32,
    count: u32,
    station: [u8; 6],
    summary: &mut Summary,
) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    let mut last_news = Instant::now();
    let mut rounds = 0u32;
    let mut wire = Vec::new();
    let mut completions = 0u32;
    let mut received = Vec::new();
    loop {
        let now = machine.virtual_time_ns();
        wire.extend(std::iter::from_fn(|| peer.recv(now)).map(|f| f.data));
        for c in adapter.take_completions() {
            completions += 1;
            if c.status != sys::NDIS_STATUS_SUCCESS {
                summary.sends_failed += 1;
            }
        }
        let before = received.len();
        received.extend(adapter.take_received().into_iter().map(|f| f.data));
        if received.len() != before {
            last_news = Instant::now();
        }
        let sent_ok = u32::try_from(out.len()).unwrap_or(u32::MAX);
        let wire_done = u32::try_from(wire.len()).unwrap_or(0)
            + u32::try_from(summary.sends_failed).unwrap_or(0)
            >= sent_ok;
        let sends_done = completions >= count && wire_done;
        if (sends_done && (received.len() >= count as usize || last_news.elapsed() > QUIET))
            || Instant::now() > deadline
            || rounds > PATIENCE_ROUNDS
        {
            break;
        }
        pump(machine, 4);
        rounds += 1;
    }
    if completions < count {
        return Err(format!("{} sends never completed", count - completions));
    }
    // What went out arrived in order, byte-exact (a send failed by the pause is skipped).
    let mut expected = out.iter();
    for got in &wire {
        if !expected.any(|e| e == got) {
            summary.mismatches += 1;
        }
        summary.tx_frames += 1;
        summary.tx_bytes += got.len() as u64;
    }
    let mut seq = first;
    for got in &received {
        while seq < first + count && *got != frame(station, PEER, seq, frame_len(seq + 7)) {
            seq += 1;
            summary.rx_lost += 1;
        }
        if seq == first + count {
            summary.mismatches += 1;
            continue;
        }
        seq += 1;
        summary.rx_frames += 1;
        summary.rx_bytes += got.len() as u64;
    }
    summary.rx_lost += u64::from(first + count - seq.min(first + count));
    Ok(())
}

/// Takes the link down, waits (bounded) for the driver to indicate it, brings it back and waits
/// for the driver to indicate that too (QEMU's link comes up only after 500 ms of
/// autonegotiation).
fn link_flap(machine: &Machine, nic: &PluggedE1000, adapter: &Adapter) -> Result<(), String> {
    nic.device
        .nic()
        .set_link(false)
        .map_err(|e| format!("link down: {e}"))?;
    pump(machine, 20);
    let mut rounds = 0u32;
    while adapter
        .link_state()
        .is_none_or(|l| l.MediaConnectState != sys::MediaConnectStateDisconnected)
        && rounds < PATIENCE_ROUNDS
    {
        pump(machine, 4);
        rounds += 1;
    }
    nic.device
        .nic()
        .set_link(true)
        .map_err(|e| format!("link up: {e}"))?;
    pump(machine, 20);
    let until = Instant::now() + PATIENCE;
    while adapter
        .link_state()
        .is_none_or(|l| l.MediaConnectState != sys::MediaConnectStateConnected)
        && Instant::now() < until
    {
        pump(machine, 4);
    }
    Ok(())
}
