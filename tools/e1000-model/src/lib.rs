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
//!   callback told of every change;
//! - checks [`E1000::faults`]: everything the driver did wrong that real hardware would punish
//!   unpredictably (bad descriptors, unmapped buffers, misconfigured rings, stray MMIO).
//!
//! Transmission happens synchronously inside the TDT write, as in QEMU.
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
