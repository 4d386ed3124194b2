//! The machine's bus: physical memory the devices reach by DMA, pool memory, and PCI devices
//! (any [`Device`]: the e1000 model, or QEMU's e1000) with their BAR0 mapped into the driver's
//! address space.
//!
//! A mapped BAR is a host reservation that is never dereferenced: `NdisReadRegisterUlong` /
//! `NdisWriteRegisterUlong` look the address up here and reach [`Device::mmio_read`] /
//! [`Device::mmio_write`] instead. After a surprise removal every register and configuration read
//! returns all ones and writes are dropped, as on a bus with nothing behind it.

mod device;
mod harness;
pub mod memory;

pub use device::{Device, DeviceError, GuestRam};

pub use harness::PluggedE1000;

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use e1000_model::IrqLine;

pub use memory::{
    FreeError, PAGE_SIZE, PHYSICAL_BASE, POOL_ALIGNMENT, PhysicalMemory, PoolAllocation,
    PoolMemory, SharedAllocation,
};

use crate::machine::{InterruptLine, Shared, lock};

/// The physical address of the first plugged device's BAR0 (each next device is 1 MiB up).
pub const BAR0_BASE: u64 = 0xF000_0000;

/// The length of the e1000's BAR0 (128 KiB).
pub const BAR0_LEN: u32 = 0x2_0000;

/// A PCI device on the bus: the device, where its BAR0 lives, and whether it is gone.
pub struct PciDevice {
    nic: Arc<dyn Device>,
    bar0: u64,
    line: u32,
    removed: AtomicBool,
    tx_stuck: AtomicBool,
}

impl core::fmt::Debug for PciDevice {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PciDevice")
            .field("device", &self.nic.name())
            .field("bar0", &format_args!("{:#x}", self.bar0))
            .field("line", &self.line)
            .field("removed", &self.removed())
            .finish_non_exhaustive()
    }
}

impl PciDevice {
    /// The device (the e1000 model, or QEMU's).
    #[must_use]
    pub fn nic(&self) -> &Arc<dyn Device> {
        &self.nic
    }

    /// The physical address of BAR0.
    #[must_use]
    pub fn bar0(&self) -> u64 {
        self.bar0
    }

    /// The interrupt line the device drives.
    #[must_use]
    pub fn line(&self) -> u32 {
        self.line
    }

    /// Whether the device has been surprise-removed.
    #[must_use]
    pub fn removed(&self) -> bool {
        self.removed.load(Ordering::SeqCst)
    }

    /// A 32-bit register read at `offset` into BAR0 (all ones once removed).
    #[must_use]
    pub fn read_register(&self, offset: u32) -> u32 {
        if self.removed() {
            u32::MAX
        } else {
            self.nic.mmio_read(offset)
        }
    }

    /// A 32-bit register write at `offset` into BAR0 (dropped once removed; a TDT write is
    /// dropped while the transmitter is stuck).
    pub fn write_register(&self, offset: u32, value: u32) {
        if self.removed() || (offset == e1000_model::regs::TDT && self.tx_stuck()) {
            return;
        }
        self.nic.mmio_write(offset, value);
    }

    /// Whether the transmitter is stuck (fault injection).
    #[must_use]
    pub fn tx_stuck(&self) -> bool {
        self.tx_stuck.load(Ordering::SeqCst)
    }

    /// Fault injection: a stuck transmitter ignores new work (TDT writes are dropped, so queued
    /// descriptors are never sent or written back) until unstuck; then the driver's next TDT
    /// write restarts it.
    pub fn set_tx_stuck(&self, stuck: bool) {
        self.tx_stuck.store(stuck, Ordering::SeqCst);
    }

    /// Reads `buf.len()` bytes of PCI configuration space from `offset` (all ones once
    /// removed, and past the 256-byte space).
    pub fn read_config(&self, offset: u32, buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            let Some(at) = u32::try_from(i).ok().and_then(|i| offset.checked_add(i)) else {
                *b = 0xFF;
                continue;
            };
            *b = if self.removed() || at >= 256 {
                0xFF
            } else {
                let dword = self.nic.pci_config_read(at & !3);
                dword.to_le_bytes()[(at & 3) as usize]
            };
        }
    }
}

/// The model's interrupt output wired to a machine's interrupt line. Holds the machine weakly,
/// so a device outliving its machine does not keep it alive.
struct LineAdapter {
    shared: Weak<Shared>,
    line: u32,
}

impl IrqLine for LineAdapter {
    fn set_level(&self, asserted: bool) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let line = InterruptLine::new(shared, self.line);
        if asserted {
            line.assert();
        } else {
            line.deassert();
        }
    }
}

/// One BAR mapping the driver holds (from `NdisMMapIoSpace`).
#[derive(Clone, Debug)]
pub struct IoMapping {
    /// The virtual address the driver got.
    pub virt: usize,
    /// The mapped length.
    pub len: usize,
    /// The physical address mapped.
    pub phys: u64,
    /// The adapter handle that mapped it.
    pub owner: usize,
    /// Where the driver mapped it.
    pub location: &'static Location<'static>,
    /// Host reservation that gives the mapping its unique addresses (never dereferenced).
    reservation: Arc<[u8]>,
    device: Arc<PciDevice>,
}

/// Injected allocation failures: the next `count` allocations fail, then each fails with
/// probability `per_million` / 1 000 000 (seeded).
#[derive(Debug)]
pub(crate) struct AllocFaults {
    count: u64,
    per_million: u32,
    rng: crate::rng::SplitMix64,
    injected: u64,
}

impl Default for AllocFaults {
    fn default() -> Self {
        Self {
            count: 0,
            per_million: 0,
            rng: crate::rng::SplitMix64::new(0),
            injected: 0,
        }
    }
}

/// The bus of one machine.
#[derive(Default)]
pub(crate) struct Bus {
    pub(crate) faults: Mutex<AllocFaults>,
    pub(crate) memory: Arc<PhysicalMemory>,
    pub(crate) pool: PoolMemory,
    pub(crate) devices: Mutex<Vec<Arc<PciDevice>>>,
    /// By virtual base address.
    pub(crate) mappings: Mutex<BTreeMap<usize, IoMapping>>,
    /// Scatter/gather DMA registrations (`NdisMRegisterScatterGatherDma`) not yet deregistered.
    pub(crate) sg_dma: Mutex<Vec<SgDmaRegistration>>,
}

/// A scatter/gather DMA registration the driver holds (from `NdisMRegisterScatterGatherDma`,
/// until `NdisMDeregisterScatterGatherDma`).
#[derive(Clone, Debug)]
pub struct SgDmaRegistration {
    /// The `NdisMiniportDmaHandle` the driver got.
    pub handle: usize,
    /// The adapter handle that registered it.
    pub owner: usize,
    /// `NDIS_SG_DMA_DESCRIPTION::Flags`.
    pub flags: u32,
    /// `NDIS_SG_DMA_DESCRIPTION::MaximumPhysicalMapping`.
    pub maximum_physical_mapping: u32,
    /// `NDIS_SG_DMA_DESCRIPTION::ProcessSGListHandler`.
    pub process_sg_list: crate::sys::MINIPORT_PROCESS_SG_LIST_HANDLER,
    /// `NDIS_SG_DMA_DESCRIPTION::SharedMemAllocateCompleteHandler`.
    pub allocate_complete: crate::sys::MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER,
    /// Where the driver registered it.
    pub location: &'static Location<'static>,
}

impl Bus {
    /// Whether this allocation fails by injection (and counts it when it does).
    pub(crate) fn inject_allocation_failure(&self) -> bool {
        let mut f = lock(&self.faults);
        let fail = if f.count > 0 {
            f.count -= 1;
            true
        } else {
            f.per_million > 0 && f.rng.below(1_000_000) < f.per_million as usize
        };
        if fail {
            f.injected += 1;
        }
        fail
    }

    /// Sets the failure plan (see [`AllocFaults`]); `seed` seeds the rate's draws.
    pub(crate) fn set_allocation_faults(&self, count: u64, per_million: u32, seed: u64) {
        let mut f = lock(&self.faults);
        f.count = count;
        f.per_million = per_million.min(1_000_000);
        f.rng = crate::rng::SplitMix64::new(seed ^ 0xA110_C8ED);
    }

    /// How many allocations failed by injection so far.
    pub(crate) fn injected_allocation_failures(&self) -> u64 {
        lock(&self.faults).injected
    }

    /// Plugs `nic` with its interrupt output on `line` of the machine `shared`. A device with
    /// its own guest RAM ([`Device::guest_ram`]) makes the machine's shared memory come from
    /// that RAM.
    ///
    /// # Errors
    /// When the device has its own RAM and the machine's memory cannot move to it (shared
    /// memory already allocated, or another device's RAM already in use).
    pub(crate) fn plug(
        &self,
        shared: &Arc<Shared>,
        line: u32,
        nic: Arc<dyn Device>,
    ) -> Result<Arc<PciDevice>, DeviceError> {
        if let Some(ram) = nic.guest_ram() {
            self.memory.use_guest_ram(ram)?;
        }
        nic.connect_irq(Arc::new(LineAdapter {
            shared: Arc::downgrade(shared),
            line,
        }));
        let mut devices = lock(&self.devices);
        let bar0 = BAR0_BASE + 0x10_0000 * devices.len() as u64;
        let device = Arc::new(PciDevice {
            nic,
            bar0,
            line,
            removed: AtomicBool::new(false),
            tx_stuck: AtomicBool::new(false),
        });
        devices.push(Arc::clone(&device));
        Ok(device)
    }

    /// Maps `len` bytes of `device`'s BAR0 from physical `phys` (for `NdisMMapIoSpace`,
    /// sys/dma.rs). `None` when the range is not inside BAR0 or is empty.
    pub(crate) fn map(
        &self,
        device: &Arc<PciDevice>,
        phys: u64,
        len: usize,
        owner: usize,
        location: &'static Location<'static>,
    ) -> Option<usize> {
        let end = phys.checked_add(len as u64)?;
        if len == 0 || phys < device.bar0 || end > device.bar0 + u64::from(BAR0_LEN) {
            return None;
        }
        let reservation: Arc<[u8]> = vec![0u8; len].into();
        let virt = reservation.as_ptr() as usize;
        lock(&self.mappings).insert(
            virt,
            IoMapping {
                virt,
                len,
                phys,
                owner,
                location,
                reservation,
                device: Arc::clone(device),
            },
        );
        Some(virt)
    }

    /// Unmaps the mapping at `virt` of `len` bytes (for `NdisMUnmapIoSpace`). Returns it, or
    /// `None` when nothing of that length is mapped there.
    pub(crate) fn unmap(&self, virt: usize, len: usize) -> Option<IoMapping> {
        let mut mappings = lock(&self.mappings);
        if mappings.get(&virt)?.len != len {
            return None;
        }
        mappings.remove(&virt)
    }

    /// The device and BAR0 offset behind virtual address `addr` when it is inside a mapping
    /// and the 4-byte access fits in it.
    pub(crate) fn resolve(&self, addr: usize) -> Option<(Arc<PciDevice>, u32)> {
        let mappings = lock(&self.mappings);
        let (_, m) = mappings.range(..=addr).next_back()?;
        let offset = addr - m.virt;
        if offset + 4 > m.len {
            return None;
        }
        debug_assert!(m.reservation.len() == m.len);
        let bar_offset = (m.phys - m.device.bar0) + offset as u64;
        Some((Arc::clone(&m.device), u32::try_from(bar_offset).ok()?))
    }

    /// The mappings `owner` still holds (all with `None`).
    pub(crate) fn mappings_of(&self, owner: Option<usize>) -> Vec<IoMapping> {
        lock(&self.mappings)
            .values()
            .filter(|m| owner.is_none_or(|o| m.owner == o))
            .cloned()
            .collect()
    }

    /// Surprise removal: the device answers all ones from now on.
    pub(crate) fn remove(device: &PciDevice) {
        device.removed.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Machine;
    use e1000_model::{E1000Config, Unplugged, regs};

    #[test]
    fn a_mapping_resolves_to_the_device_register_and_unmaps_once() {
        let m = Machine::builder().processors(1).seed(1).build();
        let nic = m.plug_e1000(3, E1000Config::default(), Box::new(Unplugged));
        let bus = &m.shared().bus;
        let here = Location::caller();
        assert!(
            bus.map(&nic.device, nic.device.bar0() - 4, 8, 1, here)
                .is_none()
        );
        assert!(
            bus.map(
                &nic.device,
                nic.device.bar0(),
                BAR0_LEN as usize + 4,
                1,
                here
            )
            .is_none()
        );
        let virt = bus
            .map(&nic.device, nic.device.bar0(), BAR0_LEN as usize, 1, here)
            .expect("maps");
        let (dev, off) = bus.resolve(virt + regs::STATUS as usize).expect("inside");
        assert_eq!(off, regs::STATUS);
        assert!(Arc::ptr_eq(&dev, &nic.device));
        assert!(
            bus.resolve(virt + BAR0_LEN as usize - 2).is_none(),
            "runs off the end"
        );
        assert_eq!(bus.mappings_of(Some(1)).len(), 1);
        assert!(bus.unmap(virt, 4).is_none(), "wrong length");
        assert!(bus.unmap(virt, BAR0_LEN as usize).is_some());
        assert!(bus.resolve(virt).is_none());
        assert!(bus.mappings_of(None).is_empty());
    }
}
