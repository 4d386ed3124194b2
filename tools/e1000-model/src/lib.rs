//! An Intel 82540EM ("e1000") device model, as QEMU emulates it, for the rse1k user-mode
//! simulator.
//!
//! The model knows nothing of NDIS. A host (the simulator) owns an [`E1000`] and:
//! - forwards the driver's 32-bit BAR0 accesses to [`E1000::mmio_read`] /
//!   [`E1000::mmio_write`] and configuration-space accesses to [`E1000::pci_config_read`] /
//!   [`E1000::pci_config_write`];
//! - gives it guest-physical memory through a [`DmaMemory`] it implements (or
//!   [`RegionMemory`]);
//! - plugs a [`Wire`] into it: an in-process [`cable`] (with optional seeded loss, corruption
//!   and delay), [`Unplugged`], or a Linux TAP device (feature `tap`);
//! - drives time: [`E1000::advance`] moves the virtual clock (mitigation timers; nothing reads
//!   a wall clock) and [`E1000::poll_wire`] receives what the wire delivered;
//! - watches the level-triggered `INTx` line through [`E1000::irq_asserted`] or an [`IrqLine`]
//!   callback told of every change (called with the model's lock held: record, don't re-enter);
//! - checks [`E1000::faults`]: everything the driver did wrong that real hardware would punish
//!   unpredictably (bad descriptors, unmapped buffers, misconfigured rings, stray MMIO).
//!
//! ```
//! use std::sync::Arc;
//! use e1000_model::{E1000, E1000Config, RegionMemory, Unplugged, regs};
//!
//! let nic = E1000::new(E1000Config::default(), Arc::new(RegionMemory::new()), Box::new(Unplugged));
//! nic.mmio_write(regs::EERD, regs::EERD_START); // read EEPROM word 0
//! let eerd = nic.mmio_read(regs::EERD);
//! assert_ne!(eerd & regs::EERD_DONE, 0);
//! assert_eq!(eerd >> 16, 0x5452); // 52:54 of the default MAC
//! ```
//!
//! # What is modelled
//! - BAR0 (128 KiB): CTRL (RST self-clears), STATUS (LU follows the link), EERD (completes at
//!   once; 64-word EEPROM, MAC in words 0–2, checksum 0xBABA), MDIC (a PHY at address 1),
//!   ICR/ICS/IMS/IMC, ITR/TADV/RADV/RDTR mitigation, RCTL, TCTL, the legacy RX and TX rings,
//!   RA\[0..15\], MTA, the statistics block 0x4000–0x40FF. Every other dword is plain storage.
//! - Interrupts: ICR read-to-clear, write-1-to-clear, ICS set, IMS/IMC mask; the line is
//!   `(ICR & IMS) != 0`, held back by mitigation windows ([`interrupts`]).
//! - Transmit: synchronous on TDT/TCTL writes ([`tx`]). Receive: from the wire on
//!   [`E1000::poll_wire`] ([`rx`]), filtered as in [`filter`].
//! - PCI configuration space: identity, BAR0/BAR1 sizing, command, interrupt line/pin.
//!
//! # What is not modelled, and why
//! - Context/data (DEXT) transmit descriptors, TSO, checksum offload (CSO/CSS/IC, RXCSUM),
//!   VLAN tagging and filtering: the rse1k driver uses none of them; a DEXT descriptor is a
//!   [`Fault::TxExtendedDescriptor`].
//! - The relative timers TIDV and RDTR (as in QEMU, RDTR only enables RADV).
//! - The EEPROM bit-bang interface (EECD), flow control, wake-up, manageability, the I/O BAR:
//!   the driver uses EERD and BAR0 only.
//! - TCTL.PSP padding and IFCS: frames go on the wire exactly as the descriptors give them
//!   (as in QEMU); frames on a [`Wire`] never carry an FCS.
//! - CTRL.SLU/LRST do not move the link: only [`E1000::set_link`] does.
//! - The PCI command register is stored but not enforced (DMA and MMIO work regardless).
//!
//! # Where the model follows QEMU rather than the manual
//! - CTRL.RST only self-clears; no register is restored.
//! - ICS reads back the current causes (the manual calls ICS write-only).
//! - The 64-bit octet counters clear when their high half is read; the low half alone does
//!   not clear.
//! - The MTA hash is consulted for any destination that reaches it, unicast included.
//! - RDLEN/TDLEN keep only bits 19:7 and ring bases ignore their low 4 bits (the model also
//!   records a fault).
//! - A null RX buffer address is skipped (written back with DD and no data).
//! - Mitigation: the first edge is immediate and opens a holdoff window of
//!   `max(500, min(...)) × 256 ns`; later edges wait for the window to close. One departure
//!   from QEMU, following `e1000.md` ("when set") and the manual (ITR = 0 disables
//!   throttling): with none of ITR/TADV/RADV programmed there is no window at all.
//! - RX status carries IXSM (no checksum was computed), and a frame that finds too few
//!   buffers is dropped with RXO and counted in MPC and RNBC.
//!
//! # Where the model departs from QEMU 7.2 on purpose
//! Running the driver on QEMU's own e1000 (`rse1k-run --device qemu`, the `qemu-e1000` crate)
//! shows three behaviours the model does not copy, each deliberately:
//! - **The 1 s receive gate.** QEMU arms a 1 s timer on every RCTL write and receives nothing
//!   until it expires (a workaround in `hw/net/e1000.c` for guests that write RCTL before their
//!   rings are ready). Real 8254x silicon has no such gate and the manual does not describe
//!   one; copying it would slow every simulated restart and filter change by a virtual second
//!   and hide nothing the driver must handle (the frames wait, none is lost).
//! - **A full receive ring.** QEMU holds the frame (its netdev queue, or the TAP's) until the
//!   driver moves RDT; the model drops it and counts RXO, MPC and RNBC, as the manual says the
//!   silicon does. The drop is the harder case for a driver (the counters must surface in
//!   `OID_GEN_STATISTICS`), so the model keeps it.
//! - **Link-up delay.** QEMU brings the link up 500 ms after `set_link up` or an
//!   autonegotiation restart (LU and LSC then); the model's [`E1000::set_link`] is immediate, so
//!   tests control the instant. A driver must not assume either: the workload waits (bounded)
//!   for the link indication on both devices.

pub mod descriptors;
mod device;
pub mod dma;
pub mod eeprom;
pub mod fault;
pub mod filter;
pub mod interrupts;
pub mod pci;
pub mod phy;
pub mod regs;
pub mod rx;
pub mod stats;
#[cfg(all(feature = "tap", target_os = "linux"))]
pub mod tap;
pub mod tx;
pub mod wire;

pub use device::{E1000, E1000Config, IrqLine};
pub use dma::{DmaError, DmaMemory, RegionMemory};
pub use fault::{Fault, Ring, RingProblem};
pub use stats::ModelStats;
pub use tx::MAX_FRAME;
pub use wire::{CableEnd, CableStats, LinkConditions, Unplugged, Wire, WireFrame, cable};
