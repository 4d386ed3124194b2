//! The device seam: what the bus and the harness need from a PCI network device, whatever
//! emulates it.
//!
//! Two devices implement [`Device`]: [`e1000_model::E1000`] (this project's model, in process,
//! on the machine's virtual clock) and QEMU's own `hw/net/e1000.c` driven over the qtest
//! protocol (the `qemu-e1000` crate, in another process, on the host's clock). The driver never
//! sees the difference: its register accesses reach [`Device::mmio_read`] /
//! [`Device::mmio_write`], its configuration-space reads reach [`Device::pci_config_read`],
//! and the memory it hands the device comes from the machine's
//! [`PhysicalMemory`](super::PhysicalMemory), which a device with its own RAM
//! ([`Device::guest_ram`]) provides.

use std::fmt;
use std::sync::Arc;

use e1000_model::{E1000, Fault, IrqLine};

/// Why a device refused a request: it cannot do it (a fault QEMU cannot inject, a check it
/// cannot make), or its backend failed (a QMP command was refused, QEMU is gone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceError(pub String);

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeviceError {}

/// Memory a device reaches by DMA without the machine's help: an external emulator's guest RAM
/// that this process also maps (QEMU's `memory-backend-file` in `/dev/shm`). Guest-physical
/// address `p` is the host byte at `host_base() + p`.
///
/// # Safety
/// `host_base() + p` must be a valid, writable host mapping for every `p` in
/// [`GuestRam::usable`], for as long as the value lives.
pub unsafe trait GuestRam: Send + Sync {
    /// The host address of guest-physical address 0.
    fn host_base(&self) -> usize;
    /// The guest-physical range the machine may hand out as shared memory (page aligned,
    /// clear of anything the emulator itself uses).
    fn usable(&self) -> core::ops::Range<u64>;
}

/// A PCI network device the bus can hold: register and configuration access, time, the
/// `INTx` line, the wire, the link, and the checks it makes on the driver.
pub trait Device: Send + Sync {
    /// A short name for reports ("e1000-model", "QEMU 7.2 e1000").
    fn name(&self) -> String;

    /// 32-bit read of BAR0 at byte `offset`.
    fn mmio_read(&self, offset: u32) -> u32;

    /// 32-bit write of BAR0 at byte `offset`.
    fn mmio_write(&self, offset: u32, value: u32);

    /// Reads the configuration-space dword containing `offset`.
    fn pci_config_read(&self, offset: u32) -> u32;

    /// Writes the configuration-space dword containing `offset`.
    fn pci_config_write(&self, offset: u32, value: u32);

    /// Connects the machine's interrupt line; the device tells it every level change (with
    /// its own lock held: the line records, it does not call back).
    fn connect_irq(&self, line: Arc<dyn IrqLine>);

    /// The machine's clock moved on by `ns`. A device on its own clock (QEMU under TCG runs on
    /// the host's) makes sure at least that much of its time has passed too, so whatever the
    /// driver waits for on the machine's clock the device has had time to do.
    fn advance(&self, ns: u64);

    /// Receives what the wire delivered; returns how many frames were taken (a device whose
    /// emulator receives by itself reports the frames it received since the last call).
    fn poll_wire(&self) -> usize;

    /// Connects or disconnects the cable.
    ///
    /// # Errors
    /// When the backend refuses (QMP error, emulator gone).
    fn set_link(&self, up: bool) -> Result<(), DeviceError>;

    /// Whether the link is up as the device reports it (STATUS.LU).
    fn link_up(&self) -> bool;

    /// The permanent MAC address.
    fn mac(&self) -> [u8; 6];

    /// Everything the driver did that real hardware would punish (bad descriptors, DMA outside
    /// shared memory, stray MMIO), as the device recorded it.
    ///
    /// # Errors
    /// When the device does not check (QEMU does not report such faults): a run must not read
    /// "no faults" from a device that never looked.
    fn faults(&self) -> Result<Vec<Fault>, DeviceError>;

    /// The device's own guest RAM, when its DMA reaches only that (QEMU): the machine then
    /// carves shared memory from it. `None` (the model) when the device reaches the machine's
    /// [`PhysicalMemory`](super::PhysicalMemory) through [`e1000_model::DmaMemory`].
    fn guest_ram(&self) -> Option<Arc<dyn GuestRam>> {
        None
    }
}

impl Device for E1000 {
    fn name(&self) -> String {
        "e1000-model".into()
    }

    fn mmio_read(&self, offset: u32) -> u32 {
        E1000::mmio_read(self, offset)
    }

    fn mmio_write(&self, offset: u32, value: u32) {
        E1000::mmio_write(self, offset, value);
    }

    fn pci_config_read(&self, offset: u32) -> u32 {
        E1000::pci_config_read(self, offset)
    }

    fn pci_config_write(&self, offset: u32, value: u32) {
        E1000::pci_config_write(self, offset, value);
    }

    fn connect_irq(&self, line: Arc<dyn IrqLine>) {
        E1000::connect_irq(self, line);
    }

    fn advance(&self, ns: u64) {
        E1000::advance(self, ns);
    }

    fn poll_wire(&self) -> usize {
        E1000::poll_wire(self)
    }

    fn set_link(&self, up: bool) -> Result<(), DeviceError> {
        E1000::set_link(self, up);
        Ok(())
    }

    fn link_up(&self) -> bool {
        E1000::link_up(self)
    }

    fn mac(&self) -> [u8; 6] {
        E1000::mac(self)
    }

    fn faults(&self) -> Result<Vec<Fault>, DeviceError> {
        Ok(E1000::faults(self))
    }
}
