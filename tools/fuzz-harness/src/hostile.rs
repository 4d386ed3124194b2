//! A hostile e1000 behind the simulator's device seam ([`ndis_sim::bus::Device`]): this
//! project's model, with a hand on its DMA and its registers. Once armed it
//!
//! - rewrites receive descriptors as the model writes them back ([`Tamper`]: status, length,
//!   error bits), in the ring the driver programmed (RDBAL/RDBAH/RDLEN, as written);
//! - answers register reads with all ones (a device that fell off the bus, for a while; IMS
//!   excepted, see [`HostileE1000::mmio_read`](Device::mmio_read));
//! - raises its interrupt line with no cause behind it (a spurious, shared-line interrupt).
//!
//! It records every write-back a correct driver must not indicate (runt, oversize, error bits,
//! no EOP) so the harness can check those were dropped and counted.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arbitrary::Arbitrary;
use e1000_model::dma::{DmaError, DmaMemory};
use e1000_model::{E1000, E1000Config, Fault, IrqLine, Wire, regs};
use ndis_sim::bus::{Device, DeviceError, PhysicalMemory};

/// Size of a legacy receive descriptor.
const DESC_SIZE: usize = 16;
/// RX descriptor status: descriptor done.
const STATUS_DD: u8 = 0x01;
/// RX descriptor status: end of packet.
const STATUS_EOP: u8 = 0x02;
/// Shortest frame a driver may indicate: a whole Ethernet header.
pub const MIN_FRAME: u16 = 14;
/// Longest frame (without FCS) an 82540EM with long-packet reception off delivers: 1,514
/// bytes, 1,518 with an 802.1Q tag.
pub const MAX_FRAME: u16 = 1518;

/// A rewrite of the next receive descriptor the device writes back.
#[derive(Arbitrary, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tamper {
    /// The length field.
    pub length: Option<u16>,
    /// The status byte (DD, EOP, ...).
    pub status: Option<u8>,
    /// The errors byte.
    pub errors: Option<u8>,
}

/// A write-back the driver must drop: what made it bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadWriteBack {
    /// The descriptor's length.
    pub length: u16,
    /// Its status.
    pub status: u8,
    /// Its errors.
    pub errors: u8,
}

/// What the hostile side does and saw.
#[derive(Default)]
struct Hostility {
    armed: bool,
    rdbal: u32,
    rdbah: u32,
    rdlen: u32,
    tampers: VecDeque<Tamper>,
    all_ones_reads: u32,
    line: Option<Arc<dyn IrqLine>>,
    /// Frames with DD set that a driver must drop, one entry per frame: the first bad
    /// write-back of it.
    bad: Vec<BadWriteBack>,
    /// The last write-back had no EOP: the next one belongs to the same frame (the driver
    /// drops such a frame once, whatever its parts say, and counts it once).
    continuing: bool,
    /// Write-backs whose DD the device cleared (the slot never completes).
    withheld: u64,
}

impl Hostility {
    fn in_rx_ring(&self, addr: u64, len: usize) -> bool {
        let base = u64::from(self.rdbah) << 32 | u64::from(self.rdbal);
        len == DESC_SIZE && self.rdlen != 0 && addr >= base && addr < base + u64::from(self.rdlen)
    }
}

/// The shared hostile state.
#[derive(Clone, Default)]
struct Plan(Arc<Mutex<Hostility>>);

impl Plan {
    fn lock(&self) -> MutexGuard<'_, Hostility> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The model's DMA through the hostile hand.
struct TamperingDma {
    memory: Arc<PhysicalMemory>,
    plan: Plan,
}

impl DmaMemory for TamperingDma {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), DmaError> {
        self.memory.read(addr, buf)
    }

    fn write(&self, addr: u64, data: &[u8]) -> Result<(), DmaError> {
        let mut plan = self.plan.lock();
        if !plan.armed || !plan.in_rx_ring(addr, data.len()) {
            drop(plan);
            return self.memory.write(addr, data);
        }
        let mut desc = [0u8; DESC_SIZE];
        desc.copy_from_slice(data);
        if let Some(t) = plan.tampers.pop_front() {
            if let Some(length) = t.length {
                desc[8..10].copy_from_slice(&length.to_le_bytes());
            }
            if let Some(status) = t.status {
                desc[12] = status;
            }
            if let Some(errors) = t.errors {
                desc[13] = errors;
            }
        }
        let (length, status, errors) = (u16::from_le_bytes([desc[8], desc[9]]), desc[12], desc[13]);
        if status & STATUS_DD == 0 {
            plan.withheld += 1;
        } else {
            let part_of_previous = plan.continuing;
            plan.continuing = status & STATUS_EOP == 0;
            let bad = status & STATUS_EOP == 0
                || errors != 0
                || !(MIN_FRAME..=MAX_FRAME).contains(&length);
            // A frame is one packet to the counters: a part after a part without EOP was
            // counted with the first (which was bad: it had no EOP).
            if bad && !part_of_previous {
                plan.bad.push(BadWriteBack {
                    length,
                    status,
                    errors,
                });
            }
        }
        drop(plan);
        self.memory.write(addr, &desc)
    }
}

/// The hostile e1000: the model, its DMA and register reads in the hostile hand.
pub struct HostileE1000 {
    model: E1000,
    plan: Plan,
}

impl HostileE1000 {
    /// A model with `wire`, reaching `memory` through the hostile hand (disarmed).
    #[must_use]
    pub fn new(memory: Arc<PhysicalMemory>, wire: Box<dyn Wire>) -> Self {
        let plan = Plan::default();
        let dma = Arc::new(TamperingDma {
            memory,
            plan: plan.clone(),
        });
        Self {
            model: E1000::new(E1000Config::default(), dma, wire),
            plan,
        }
    }

    /// Starts (or stops) the hostility; stopping drops what is still planned.
    pub fn arm(&self, armed: bool) {
        let mut plan = self.plan.lock();
        plan.armed = armed;
        if !armed {
            plan.tampers.clear();
            plan.all_ones_reads = 0;
        }
    }

    /// Rewrites the next receive write-back with `tamper`.
    pub fn tamper(&self, tamper: Tamper) {
        self.plan.lock().tampers.push_back(tamper);
    }

    /// The next `n` register reads return all ones.
    pub fn all_ones(&self, n: u32) {
        let mut plan = self.plan.lock();
        plan.all_ones_reads = plan.all_ones_reads.saturating_add(n);
    }

    /// Asserts the interrupt line with no cause set (`ICR` stays as it is).
    pub fn spurious_interrupt(&self) {
        if let Some(line) = self.plan.lock().line.clone() {
            line.set_level(true);
        }
    }

    /// Gives the line back to the model's own level (ends a spurious interrupt).
    pub fn settle_line(&self) {
        if let Some(line) = self.plan.lock().line.clone() {
            line.set_level(self.model.irq_asserted());
        }
    }

    /// The frames a correct driver drops and counts: one entry per frame, its first bad
    /// write-back (the parts after a part without EOP belong to the same frame).
    #[must_use]
    pub fn bad_write_backs(&self) -> Vec<BadWriteBack> {
        self.plan.lock().bad.clone()
    }

    /// How many write-backs the device withheld (DD cleared).
    #[must_use]
    pub fn withheld(&self) -> u64 {
        self.plan.lock().withheld
    }
}

impl Device for HostileE1000 {
    fn name(&self) -> String {
        "hostile e1000-model".into()
    }

    fn mmio_read(&self, offset: u32) -> u32 {
        // IMS is not lied about: the simulator's verifier reads it (through this seam) to judge
        // the receive-throttle rule, and the driver's data path never reads it.
        if offset != regs::IMS {
            let mut plan = self.plan.lock();
            if plan.armed && plan.all_ones_reads > 0 {
                plan.all_ones_reads -= 1;
                return u32::MAX;
            }
        }
        self.model.mmio_read(offset)
    }

    fn mmio_write(&self, offset: u32, value: u32) {
        {
            let mut plan = self.plan.lock();
            match offset {
                regs::RDBAL => plan.rdbal = value,
                regs::RDBAH => plan.rdbah = value,
                regs::RDLEN => plan.rdlen = value,
                _ => {}
            }
        }
        self.model.mmio_write(offset, value);
    }

    fn pci_config_read(&self, offset: u32) -> u32 {
        self.model.pci_config_read(offset)
    }

    fn pci_config_write(&self, offset: u32, value: u32) {
        self.model.pci_config_write(offset, value);
    }

    fn connect_irq(&self, line: Arc<dyn IrqLine>) {
        self.plan.lock().line = Some(Arc::clone(&line));
        self.model.connect_irq(line);
    }

    fn advance(&self, ns: u64) {
        self.model.advance(ns);
    }

    fn poll_wire(&self) -> usize {
        self.model.poll_wire()
    }

    fn set_link(&self, up: bool) -> Result<(), DeviceError> {
        self.model.set_link(up);
        Ok(())
    }

    fn link_up(&self) -> bool {
        self.model.link_up()
    }

    fn mac(&self) -> [u8; 6] {
        self.model.mac()
    }

    fn faults(&self) -> Result<Vec<Fault>, DeviceError> {
        Ok(self.model.faults())
    }
}
