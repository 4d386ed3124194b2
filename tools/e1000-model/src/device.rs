//! The device: register semantics, reset, link, clock, and the lock that makes it shareable.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::dma::DmaMemory;
use crate::eeprom::{EEPROM_WORDS, Eeprom};
use crate::fault::{Fault, FaultLog, Ring, RingProblem};
use crate::interrupts::{Interrupts, MitigationRegs};
use crate::pci::PciConfig;
use crate::phy::{self, Phy};
use crate::regs::{
    BAR0_SIZE, CTRL, CTRL_RST, EECD, EERD, EERD_ADDR_SHIFT, EERD_DATA_SHIFT, EERD_DONE, EERD_START,
    ICR, ICR_LSC, ICS, IMC, IMS, ITR, LEDCTL, MDIC, PBA, RADV, RAH_AV, RAH0, RAL0, RDBAL, RDH,
    RDLEN, RDT, RDTR, RegisterFile, STATUS, STATUS_LU, TADV, TCTL, TDBAL, TDH, TDLEN, TDT,
};
use crate::stats::{self, ModelStats};
use crate::wire::Wire;
use crate::{rx, tx};

/// How the model is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct E1000Config {
    /// The permanent MAC address (EEPROM words 0–2, RA\[0\] at power-on).
    pub mac: [u8; 6],
    /// Whether the cable is connected at power-on (STATUS.LU).
    pub link_up: bool,
}

impl Default for E1000Config {
    /// QEMU's default MAC address, 52:54:00:12:34:56, link up.
    fn default() -> Self {
        Self {
            mac: [0x52, 0x54, 0x00, 0x12, 0x34, 0x56],
            link_up: true,
        }
    }
}

/// Receives the `INTx` line level whenever it changes.
///
/// `set_level` is called synchronously, in order, with the model's lock held — from inside
/// whichever `E1000` method changed the level (`mmio_write`, `mmio_read` of ICR, `advance`,
/// `poll_wire`, `set_link`). It must therefore record the level and return; it must not call
/// any method of the same `E1000` (that would deadlock), nor wait for a lock that a thread
/// calling into this `E1000` might hold. A simulator records the level and delivers the
/// interrupt at its next interrupt window, after the MMIO access returns, as a CPU would.
pub trait IrqLine: Send + Sync {
    /// The line is now asserted (`true`) or deasserted (`false`).
    fn set_level(&self, asserted: bool);
}

/// STATUS as QEMU's 82540EM reports it with the link up: full duplex, 1000 Mb/s, with the
/// read-only bits QEMU sets. LU is added or removed with the link.
const STATUS_BASE: u32 = 0x8008_0781;
/// CTRL at power-on, as in QEMU: SLU, 1000 Mb/s, SWDPIN0 and SWDPIN2.
const CTRL_POWER_ON: u32 = 0x0044_0240;
/// EECD at power-on: EEPROM present, auto-read done.
const EECD_POWER_ON: u32 = 0x0000_0300;
/// PBA at power-on (48 KiB receive, 16 KiB transmit).
const PBA_POWER_ON: u32 = 0x0010_0030;
/// LEDCTL at power-on.
const LEDCTL_POWER_ON: u32 = 0x0000_0602;

/// Everything behind the lock.
pub(crate) struct State {
    pub(crate) regs: RegisterFile,
    /// Descriptors each TDT write handed over (the first 4096; see `E1000::take_tdt_steps`).
    pub(crate) tdt_steps: Vec<u32>,
    pub(crate) eeprom: Eeprom,
    pub(crate) irq: Interrupts,
    pub(crate) now_ns: u64,
    pub(crate) link_up: bool,
    /// The frame being gathered from transmit descriptors up to EOP.
    pub(crate) tx_frame: Vec<u8>,
    /// The frame being gathered is already lost (a fault hit one of its descriptors).
    pub(crate) tx_frame_bad: bool,
    pub(crate) faults: FaultLog,
    pub(crate) stats: ModelStats,
    pub(crate) pci: PciConfig,
    phy: Phy,
    pub(crate) wire: Box<dyn Wire>,
    irq_line: Option<Arc<dyn IrqLine>>,
}

impl State {
    /// Records a fault.
    pub(crate) fn fault(&mut self, fault: Fault) {
        self.faults.record(fault);
    }

    /// Adds interrupt causes (as an ICS write does) and re-evaluates the line.
    pub(crate) fn raise(&mut self, causes: u32) {
        let icr = self.irq.icr() | causes;
        self.set_icr(icr);
    }

    /// Replaces ICR and re-evaluates the line.
    fn set_icr(&mut self, icr: u32) {
        let change = self.irq.update(icr, self.now_ns, self.mitigation());
        self.line_changed(change);
    }

    /// The registers that size mitigation windows.
    fn mitigation(&self) -> MitigationRegs {
        MitigationRegs {
            itr: self.regs.get(ITR),
            tadv: self.regs.get(TADV),
            radv: self.regs.get(RADV),
            rdtr: self.regs.get(RDTR),
        }
    }

    /// Tells the host about a level change, if there was one.
    fn line_changed(&mut self, change: Option<bool>) {
        if let Some(level) = change {
            if level {
                self.stats.irq_assertions += 1;
            }
            if let Some(line) = &self.irq_line {
                line.set_level(level);
            }
        }
    }

    /// STATUS as the driver reads it.
    fn status(&self) -> u32 {
        if self.link_up {
            STATUS_BASE | STATUS_LU
        } else {
            STATUS_BASE
        }
    }

    /// EERD as the driver reads it: the EEPROM completes a started read at once.
    fn eerd(&mut self) -> u32 {
        let written = self.regs.get(EERD);
        if written & EERD_START == 0 {
            return written;
        }
        let addr = (written >> EERD_ADDR_SHIFT) & 0xFF;
        let data = if let Some(word) = self.eeprom.word(addr as usize) {
            u32::from(word)
        } else {
            self.fault(Fault::EepromAddressOutOfRange { addr });
            0
        };
        (data << EERD_DATA_SHIFT) | EERD_DONE | (written & 0xFFFF & !EERD_DONE)
    }

    fn read(&mut self, offset: u32) -> u32 {
        match offset {
            STATUS => self.status(),
            EERD => self.eerd(),
            ICR => {
                // Read-to-clear: all causes go, and with them the line.
                let icr = self.irq.icr();
                self.set_icr(0);
                icr
            }
            // QEMU keeps ICS equal to ICR, so reading ICS shows the causes without clearing.
            ICS => self.irq.icr(),
            IMS => self.irq.ims(),
            IMC => 0,
            o if stats::is_stat(o) => stats::read(&mut self.regs, o),
            o => self.regs.get(o),
        }
    }

    fn write(&mut self, offset: u32, value: u32, dma: &dyn DmaMemory) {
        match offset {
            CTRL => {
                // RST self-clears and, as in QEMU, restores nothing: the driver programs
                // everything again after a reset.
                if value & CTRL_RST != 0 {
                    self.stats.resets += 1;
                }
                self.regs.set(CTRL, value & !CTRL_RST);
            }
            STATUS => {}
            MDIC => {
                // The PHY answers at once; MDIC reads back with READY (or ERROR).
                let result = self.phy.access(value, self.link_up);
                self.regs.set(MDIC, result);
                if value & phy::MDIC_INT_EN != 0 {
                    self.raise(phy::ICR_MDAC);
                }
            }
            ICR => {
                // Write-1-to-clear.
                let icr = self.irq.icr() & !value;
                self.set_icr(icr);
            }
            ICS => self.raise(value),
            IMS => {
                let change = self.irq.set_mask(value, self.now_ns, self.mitigation());
                self.line_changed(change);
            }
            IMC => {
                let change = self.irq.clear_mask(value, self.now_ns, self.mitigation());
                self.line_changed(change);
            }
            // 16-bit registers, as QEMU keeps them.
            ITR | RADV | TADV | RDH | RDT | TDH => self.regs.set(offset, value & 0xFFFF),
            RDTR => self.regs.set(offset, value & 0x8000_FFFF),
            RDLEN | TDLEN => {
                let ring = if offset == RDLEN { Ring::Rx } else { Ring::Tx };
                if value & 0x7F != 0 {
                    self.fault(Fault::RingMisconfigured {
                        ring,
                        problem: RingProblem::LengthNotMultipleOf128 { written: value },
                    });
                }
                self.regs.set(offset, value & 0x000F_FF80);
            }
            RDBAL | TDBAL => {
                let ring = if offset == RDBAL { Ring::Rx } else { Ring::Tx };
                if value & 0xF != 0 {
                    self.fault(Fault::RingMisconfigured {
                        ring,
                        problem: RingProblem::BaseMisaligned { written: value },
                    });
                }
                self.regs.set(offset, value);
            }
            TDT => {
                let descriptors = (self.regs.get(crate::regs::TDLEN) / 16).max(1);
                let step = (value & 0xFFFF).wrapping_sub(self.regs.get(TDT)) % descriptors;
                if self.tdt_steps.len() < 4096 {
                    self.tdt_steps.push(step);
                }
                self.regs.set(TDT, value & 0xFFFF);
                tx::transmit(self, dma);
            }
            TCTL => {
                self.regs.set(TCTL, value);
                tx::transmit(self, dma);
            }
            // Statistics are read-only.
            o if stats::is_stat(o) => {}
            o => self.regs.set(o, value),
        }
    }

    /// Moves the clock to `target`, closing every mitigation window that ends on the way at
    /// the moment it ends (a closing window can open the next one).
    fn advance_to(&mut self, target: u64) {
        while let Some(end) = self.irq.window_end().filter(|&end| end <= target) {
            self.now_ns = self.now_ns.max(end);
            let change = self.irq.expire(end, self.mitigation());
            self.line_changed(change);
        }
        self.now_ns = target;
    }

    fn set_link(&mut self, up: bool) {
        if up != self.link_up {
            self.link_up = up;
            self.raise(ICR_LSC);
        }
    }
}

/// An emulated Intel 82540EM.
///
/// Every method takes `&self` and serialises on one internal lock, so the host may call MMIO
/// from several simulated processors at once. DMA, the wire and the [`IrqLine`] are called
/// with that lock held (see their documentation).
///
/// The interrupt line is reported two ways: [`E1000::irq_asserted`] returns the level at any
/// time, and an [`IrqLine`] connected with [`E1000::connect_irq`] is told every change.
pub struct E1000 {
    state: Mutex<State>,
    dma: Arc<dyn DmaMemory>,
}

impl std::fmt::Debug for E1000 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("E1000")
            .field("now_ns", &s.now_ns)
            .field("link_up", &s.link_up)
            .field("icr", &s.irq.icr())
            .field("ims", &s.irq.ims())
            .field("irq", &s.irq.level())
            .field("faults", &s.faults.total())
            .finish_non_exhaustive()
    }
}

impl E1000 {
    /// Most frames one [`E1000::poll_wire`] call takes, so that a busy wire (a TAP device on
    /// a live network) cannot hold the device's lock indefinitely.
    pub const POLL_BUDGET: usize = 4096;

    /// A device at power-on: registers at their QEMU power-on values, RA\[0\] holding the MAC
    /// with the address-valid bit, virtual clock at 0, line deasserted.
    pub fn new(config: E1000Config, dma: Arc<dyn DmaMemory>, wire: Box<dyn Wire>) -> Self {
        let mut regs = RegisterFile::new();
        regs.set(CTRL, CTRL_POWER_ON);
        regs.set(EECD, EECD_POWER_ON);
        regs.set(PBA, PBA_POWER_ON);
        regs.set(LEDCTL, LEDCTL_POWER_ON);
        let m = config.mac;
        regs.set(RAL0, u32::from_le_bytes([m[0], m[1], m[2], m[3]]));
        regs.set(RAH0, u32::from_le_bytes([m[4], m[5], 0, 0]) | RAH_AV);
        let state = State {
            regs,
            eeprom: Eeprom::new(config.mac),
            irq: Interrupts::default(),
            now_ns: 0,
            link_up: config.link_up,
            tx_frame: Vec::new(),
            tx_frame_bad: false,
            faults: FaultLog::default(),
            tdt_steps: Vec::new(),
            stats: ModelStats::default(),
            pci: PciConfig::default(),
            phy: Phy::default(),
            wire,
            irq_line: None,
        };
        Self {
            state: Mutex::new(state),
            dma,
        }
    }

    /// Connects the host's interrupt line and tells it the current level at once.
    pub fn connect_irq(&self, line: Arc<dyn IrqLine>) {
        let mut s = self.lock();
        line.set_level(s.irq.level());
        s.irq_line = Some(line);
    }

    /// 32-bit read of BAR0 at byte `offset`.
    ///
    /// Side effects: ICR clears; statistics counters clear; EERD completes a started read.
    /// An offset past 128 KiB or not 4-aligned records a fault and reads 0.
    pub fn mmio_read(&self, offset: u32) -> u32 {
        let mut s = self.lock();
        if check_offset(&mut s, offset) {
            s.read(offset)
        } else {
            0
        }
    }

    /// 32-bit write of BAR0 at byte `offset`.
    ///
    /// Writing TDT or TCTL transmits synchronously; ICR/ICS/IMS/IMC act on the interrupt
    /// logic. An offset past 128 KiB or not 4-aligned records a fault and is ignored.
    pub fn mmio_write(&self, offset: u32, value: u32) {
        let mut s = self.lock();
        if check_offset(&mut s, offset) {
            s.write(offset, value, self.dma.as_ref());
        }
    }

    /// Reads the configuration-space dword containing `offset`: vendor 0x8086, device
    /// 0x100E, class 0x020000, BAR0 32-bit memory of 128 KiB, BAR1 I/O of 64 bytes (not
    /// decoded), interrupt pin INTA.
    pub fn pci_config_read(&self, offset: u32) -> u32 {
        self.lock().pci.read(offset)
    }

    /// Writes the configuration-space dword containing `offset` (command, BARs, interrupt
    /// line; the rest is read-only).
    pub fn pci_config_write(&self, offset: u32, value: u32) {
        self.lock().pci.write(offset, value);
    }

    /// Advances the virtual clock by `ns`, firing mitigation timers that expire on the way.
    pub fn advance(&self, ns: u64) {
        let mut s = self.lock();
        let target = s.now_ns.saturating_add(ns);
        s.advance_to(target);
    }

    /// The virtual clock, in nanoseconds since power-on.
    pub fn now_ns(&self) -> u64 {
        self.lock().now_ns
    }

    /// When the open mitigation window closes (virtual ns), so a host with nothing else to do
    /// can advance straight to it; `None` when no window is open.
    pub fn next_deadline_ns(&self) -> Option<u64> {
        self.lock().irq.window_end()
    }

    /// Takes every frame the wire delivers at the current virtual time, up to
    /// [`E1000::POLL_BUDGET`], and receives it (or drops it, as the hardware would). Returns
    /// how many frames were taken from the wire; a host that gets the full budget back should
    /// call again.
    pub fn poll_wire(&self) -> usize {
        let mut s = self.lock();
        let mut taken = 0;
        while taken < Self::POLL_BUDGET {
            let now = s.now_ns;
            let Some(frame) = s.wire.recv(now) else {
                break;
            };
            taken += 1;
            rx::receive(&mut s, self.dma.as_ref(), &frame);
        }
        taken
    }

    /// Connects (`true`) or disconnects the cable. A change sets STATUS.LU accordingly and
    /// raises LSC; setting the level it already has does nothing.
    pub fn set_link(&self, up: bool) {
        self.lock().set_link(up);
    }

    /// How many times the driver restarted the PHY's auto-negotiation (PHY control register
    /// bit 9 written through MDIC).
    pub fn phy_autoneg_restarts(&self) -> u64 {
        self.lock().phy.autoneg_restarts
    }

    /// How many descriptors each TDT write handed over since the last call (how many frames
    /// a driver posted under one doorbell), in order; at most 4096 are kept.
    pub fn take_tdt_steps(&self) -> Vec<u32> {
        core::mem::take(&mut self.lock().tdt_steps)
    }

    /// Whether the link is up.
    pub fn link_up(&self) -> bool {
        self.lock().link_up
    }

    /// The `INTx` line level: `(ICR & IMS) != 0`, except while mitigation holds a new edge back.
    pub fn irq_asserted(&self) -> bool {
        self.lock().irq.level()
    }

    /// The faults recorded so far (the first 4096; see [`E1000::fault_count`]).
    pub fn faults(&self) -> Vec<Fault> {
        self.lock().faults.recorded().to_vec()
    }

    /// Takes the faults recorded so far, so the next call sees only new ones.
    pub fn take_faults(&self) -> Vec<Fault> {
        self.lock().faults.take()
    }

    /// How many faults were recorded since power-on, including any not kept.
    pub fn fault_count(&self) -> u64 {
        self.lock().faults.total()
    }

    /// Host-side counters (never cleared by the guest).
    pub fn stats(&self) -> ModelStats {
        self.lock().stats
    }

    /// The permanent MAC address (from the EEPROM).
    pub fn mac(&self) -> [u8; 6] {
        let words = *self.lock().eeprom.words();
        let mut mac = [0u8; 6];
        for (pair, word) in mac.chunks_exact_mut(2).zip(words) {
            pair.copy_from_slice(&word.to_le_bytes());
        }
        mac
    }

    /// The EEPROM image (64 words).
    pub fn eeprom(&self) -> [u16; EEPROM_WORDS] {
        *self.lock().eeprom.words()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held (only possible from a host callback) leaves the
        // registers as consistent as hardware would be mid-access; keep going.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether an MMIO offset is inside BAR0 and 4-aligned; records the fault when it is not.
fn check_offset(s: &mut State, offset: u32) -> bool {
    if offset >= BAR0_SIZE {
        s.fault(Fault::MmioOutOfRange { offset });
        false
    } else if !offset.is_multiple_of(4) {
        s.fault(Fault::MmioUnaligned { offset });
        false
    } else {
        true
    }
}
