//! The harness side of the bus: plugging an e1000 (the model, or any [`Device`]) into a
//! [`Machine`], driving its clock, and reading what the driver still holds.

use std::sync::Arc;

use e1000_model::{E1000, E1000Config, Wire};

use super::{
    Device, DeviceError, IoMapping, PciDevice, PhysicalMemory, PoolAllocation, SharedAllocation,
};
use crate::machine::{AdapterBinding, Machine, lock};
use crate::sys;

/// An e1000 plugged into a [`Machine`]: the `MiniportAdapterHandle` NDIS gives the driver for
/// it, and the device.
#[derive(Debug, Clone)]
pub struct PluggedE1000 {
    /// The adapter handle: `NdisMRegisterInterruptEx` connects to the device's line,
    /// `NdisMGetBusData` reads its configuration space, `NdisMMapIoSpace` maps its BAR0.
    pub handle: sys::NDIS_HANDLE,
    /// The device (model, BAR0 address, removal state).
    pub device: Arc<PciDevice>,
}

impl Machine {
    /// Plugs an 82540EM built from `config` with `wire` into the machine: its DMA reaches the
    /// machine's [`PhysicalMemory`], its `INTx` output drives interrupt line `line`, and the
    /// returned adapter handle is bound to both.
    ///
    /// # Panics
    /// Never: the model reaches the machine's own memory, so plugging it cannot fail.
    #[must_use]
    pub fn plug_e1000(&self, line: u32, config: E1000Config, wire: Box<dyn Wire>) -> PluggedE1000 {
        let dma: Arc<dyn e1000_model::DmaMemory> = self.physical_memory();
        let nic = Arc::new(E1000::new(config, dma, wire));
        self.plug_device(line, nic)
            .expect("ndis-sim: the model has no RAM of its own, so plugging it cannot fail")
    }

    /// Plugs `nic` (any [`Device`]: the model, QEMU's e1000) into the machine: its `INTx`
    /// output drives interrupt line `line`, and the returned adapter handle is bound to it. A
    /// device with its own guest RAM ([`Device::guest_ram`]) must be plugged before the driver
    /// allocates shared memory: from then on shared memory is carved from that RAM.
    ///
    /// # Errors
    /// When the device brings its own RAM and shared memory was already allocated elsewhere.
    pub fn plug_device(
        &self,
        line: u32,
        nic: Arc<dyn Device>,
    ) -> Result<PluggedE1000, DeviceError> {
        let shared = self.shared();
        let device = shared.bus.plug(shared, line, nic)?;
        let binding = Arc::new(AdapterBinding {
            line,
            device: Some(Arc::clone(&device)),
        });
        let handle: *const AdapterBinding = Arc::as_ptr(&binding);
        lock(&shared.adapters).push(binding);
        Ok(PluggedE1000 {
            handle: handle.cast_mut().cast(),
            device,
        })
    }

    /// The machine's physical memory (what shared memory comes from and DMA reaches).
    #[must_use]
    pub fn physical_memory(&self) -> Arc<PhysicalMemory> {
        Arc::clone(&self.shared().bus.memory)
    }

    /// Moves the machine's virtual clock on by `ns`: every plugged device's clock with it (each
    /// step [`Device::advance`], then [`Device::poll_wire`] so it receives what its wire
    /// delivered),
    /// and every timer object due meanwhile expires at its due time, its
    /// `NDIS_TIMER_FUNCTION` running as a DPC on a processor drawn from the seed. Called from
    /// the test thread it returns only when those timer functions have run (called on a
    /// processor, it queues them without waiting). Then reports the timed rules of the
    /// NDIS/WIFI set whose deadline passed (`NdisTimedOidComplete`, `NdisTimedDataSend`,
    /// `NdisTimedDataHang`) for the adapters the host drives. Returns the frames received.
    #[allow(clippy::must_use_candidate)] // driving the clock is the point; the count is extra
    pub fn advance_clock(&self, ns: u64) -> usize {
        // A host moving the clock polls for what the processors do meanwhile: a spin yield.
        self.advance_clock_yielding(ns, true)
    }

    /// [`Machine::advance_clock`] as one of the actions a lifecycle scenario races (the device
    /// raising interrupts against an NDIS request), not as a host waiting for the processors:
    /// on a serial machine its switch point is an ordinary one, so PCT keeps the actor's
    /// priority instead of dropping it below every other actor (which would make every
    /// request win the race before the device runs).
    #[allow(clippy::must_use_candidate)] // driving the clock is the point; the count is extra
    pub fn advance_clock_racing(&self, ns: u64) -> usize {
        self.advance_clock_yielding(ns, false)
    }

    fn advance_clock_yielding(&self, ns: u64, spin: bool) -> usize {
        let _ = crate::machine::processor::host_switch(self.shared(), "advance_clock", spin);
        let frames = crate::machine::timer::advance(self.shared(), ns, |step| {
            let devices = lock(&self.shared().bus.devices).clone();
            devices
                .iter()
                .filter(|d| !d.removed())
                .map(|d| {
                    d.nic().advance(step);
                    d.nic().poll_wire()
                })
                .sum()
        });
        crate::host::check_deadlines(self);
        frames
    }

    /// Surprise removal of `device`: from now on its registers and configuration space read all
    /// ones and writes are dropped, and its interrupt line is no longer driven (deasserted: a
    /// device that is gone cannot hold `INTx` low, so an ISR that cannot clear the cause is not
    /// called for ever).
    pub fn surprise_remove(&self, device: &PciDevice) {
        super::Bus::remove(device);
        self.interrupt_line(device.line()).deassert();
    }

    /// Shared memory (`NdisMAllocateSharedMemory`) not yet freed, for `handle` or all.
    #[must_use]
    pub fn outstanding_shared_memory(
        &self,
        handle: Option<sys::NDIS_HANDLE>,
    ) -> Vec<SharedAllocation> {
        self.shared()
            .bus
            .memory
            .outstanding(handle.map(|h| h as usize))
    }

    /// Pool memory (`NdisAllocateMemoryWithTagPriority`) not yet freed, for `handle` or all.
    #[must_use]
    pub fn outstanding_pool(&self, handle: Option<sys::NDIS_HANDLE>) -> Vec<PoolAllocation> {
        self.shared()
            .bus
            .pool
            .outstanding(handle.map(|h| h as usize))
    }

    /// BAR mappings (`NdisMMapIoSpace`) not yet unmapped, for `handle` or all.
    #[must_use]
    pub fn outstanding_io_mappings(&self, handle: Option<sys::NDIS_HANDLE>) -> Vec<IoMapping> {
        self.shared().bus.mappings_of(handle.map(|h| h as usize))
    }

    /// Fault injection: the next `count` driver allocations (pool, shared memory, NBL pools and
    /// NBLs, MDLs, MDL mappings) fail, then each later one fails with probability
    /// `per_million` / 1 000 000, drawn from the machine's seed. `(0, 0)` turns injection off.
    pub fn fail_allocations(&self, count: u64, per_million: u32) {
        let shared = self.shared();
        shared
            .bus
            .set_allocation_faults(count, per_million, shared.seed);
    }

    /// How many driver allocations failed by injection so far.
    #[must_use]
    pub fn injected_allocation_failures(&self) -> u64 {
        self.shared().bus.injected_allocation_failures()
    }
}
