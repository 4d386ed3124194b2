//! The machine both harnesses run on: one simulated processor, serial schedule seeded by the
//! input (a run is a function of the input), the driver loaded and the adapter running, and
//! the end-of-run checks they share.

use std::sync::Arc;

use e1000_model::{CableEnd, Wire};
use ndis_sim::bus::{Device, PluggedE1000};
use ndis_sim::host::{Adapter, LoadedDriver};
use ndis_sim::{Machine, Schedule, Strategy, VerifierMode};
use rse1k::sys;

use crate::{Finding, finding};

/// The interrupt line the NIC is plugged on.
const LINE: u32 = 5;
/// The peer's MAC address.
pub const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];

/// A machine with the driver's adapter running on a plugged e1000.
pub struct Board {
    /// The simulated machine (collecting violations).
    pub machine: Machine,
    /// The plugged NIC.
    pub nic: PluggedE1000,
    /// The far end of the NIC's cable.
    pub peer: CableEnd,
    /// The loaded driver.
    pub driver: LoadedDriver,
    /// The adapter, Running with directed, multicast and broadcast reception.
    pub adapter: Adapter,
}

/// A collecting, serial, one-processor machine seeded with `seed`.
#[must_use]
pub fn machine(seed: u64) -> Machine {
    Machine::builder()
        .processors(1)
        .seed(seed)
        .mode(VerifierMode::Collect)
        .schedule(Schedule::Serial(Strategy::Sticky { n: 16 }))
        .build()
}

impl Board {
    /// Plugs `device` (whose wire's far end is `peer`) into `machine`, loads the driver,
    /// initializes, sets the packet filter and restarts.
    ///
    /// # Errors
    /// A [`Finding`] when a step the driver must pass on a healthy device fails.
    pub fn boot(
        machine: Machine,
        device: Arc<dyn Device>,
        peer: CableEnd,
    ) -> Result<Self, Finding> {
        let nic = machine
            .plug_device(LINE, device)
            .map_err(|e| Finding(format!("plugging the device: {e}")))?;
        let driver = machine
            .load_driver(rse1k::miniport::driver_entry)
            .map_err(|s| Finding(format!("DriverEntry failed: {s:#x}")))?;
        let adapter = driver
            .initialize(&nic)
            .map_err(|s| Finding(format!("MiniportInitializeEx failed: {s:#x}")))?;
        let filter = sys::NDIS_PACKET_TYPE_DIRECTED
            | sys::NDIS_PACKET_TYPE_MULTICAST
            | sys::NDIS_PACKET_TYPE_BROADCAST;
        let set = adapter.oid_set(sys::OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes());
        if set.status != sys::NDIS_STATUS_SUCCESS {
            return finding!("packet filter set failed: {:#x}", set.status);
        }
        let restarted = adapter.restart();
        if restarted != sys::NDIS_STATUS_SUCCESS {
            return finding!("MiniportRestart failed: {restarted:#x}");
        }
        Ok(Self {
            machine,
            nic,
            peer,
            driver,
            adapter,
        })
    }

    /// The station address.
    #[must_use]
    pub fn station(&self) -> [u8; 6] {
        self.nic.device.nic().mac()
    }

    /// Moves virtual time on by `steps` × 10 µs.
    pub fn pump(&self, steps: u32) {
        for _ in 0..steps {
            self.machine.advance_clock(10_000);
        }
    }

    /// The peer sends `frame`.
    pub fn peer_send(&mut self, frame: &[u8]) {
        let now = self.machine.virtual_time_ns();
        self.peer.send(frame, now);
    }

    /// Frames the peer received (taken off the wire).
    pub fn peer_drain(&mut self) -> usize {
        let now = self.machine.virtual_time_ns();
        self.peer.drain(now).len()
    }

    /// A query the harness makes for itself (statistics, lists): the answer's bytes, or the
    /// failure status.
    ///
    /// # Errors
    /// The status when the query did not succeed.
    pub fn query(&self, oid: sys::NDIS_OID, len: usize) -> Result<Vec<u8>, sys::NDIS_STATUS> {
        let r = self.adapter.oid_query(oid, len);
        if r.status == sys::NDIS_STATUS_SUCCESS {
            Ok(r.data)
        } else {
            Err(r.status)
        }
    }

    /// A 64-bit statistics counter (`OID_GEN_RCV_ERROR`, ...), 0 when it cannot be read.
    #[must_use]
    pub fn counter(&self, oid: sys::NDIS_OID) -> u64 {
        self.query(oid, 8)
            .ok()
            .and_then(|d| d.get(..8).and_then(|b| b.try_into().ok()))
            .map_or(0, u64::from_le_bytes)
    }

    /// Pause (every send completed, every indication returned), Halt (nothing leaked),
    /// Unload, and no violation in the whole run.
    ///
    /// # Errors
    /// The first of those that failed.
    pub fn finish(mut self) -> Result<(), Finding> {
        self.adapter.return_all_received();
        // The host waits for NdisMPauseComplete when Pause pends; the verifier judges the rest.
        let paused = self.adapter.pause();
        if paused != sys::NDIS_STATUS_SUCCESS && paused != sys::NDIS_STATUS_PENDING {
            return finding!("MiniportPause returned {paused:#x}");
        }
        let _ = self.peer_drain();
        let c = self.adapter.counters();
        if c.sent != c.completed {
            return finding!("{} NBLs sent, {} completed: {c:?}", c.sent, c.completed);
        }
        if c.indicated != c.returned {
            return finding!(
                "{} NBLs indicated, {} returned: {c:?}",
                c.indicated,
                c.returned
            );
        }
        let leaks = self.adapter.halt(sys::NdisHaltDeviceDisabled);
        if !leaks.is_empty() {
            return finding!("leaked at Halt:\n{leaks}");
        }
        self.driver.unload();
        let report = self.machine.report();
        if !report.violations.is_empty() {
            return finding!("verifier:\n{report}");
        }
        Ok(())
    }
}

/// A frame from `src` to `dst` of `len` bytes (at least the 14-byte header), its payload
/// numbered by `seq`.
#[must_use]
pub fn frame(dst: [u8; 6], src: [u8; 6], seq: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len.max(14)];
    f[..6].copy_from_slice(&dst);
    f[6..12].copy_from_slice(&src);
    f[12..14].copy_from_slice(&[0x88, 0xB5]);
    for (i, b) in f.iter_mut().enumerate().skip(14) {
        *b = (i ^ seq as usize).to_le_bytes()[0];
    }
    f
}
