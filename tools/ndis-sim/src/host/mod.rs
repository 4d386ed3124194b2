//! The NDIS side of a miniport driver and its adapters (the protocol edge: [`LoadedDriver`],
//! [`Adapter`]), and what NDIS checks when an adapter halts.
//!
//! The NDIS verifier's accounting at `MiniportHaltEx`: everything the driver allocated for the
//! adapter (pool memory, shared memory, BAR mappings, scatter/gather DMA, timer objects) has been
//! freed and its interrupt has been deregistered (`Init_RegisterInterrupt`: registered in
//! Initialize ⇒ deregistered in Halt); no timer object is still set (`CancelTimerObject`).
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_halt>

pub(crate) mod adapter;
pub(crate) mod datapath;
pub(crate) mod driver;
pub(crate) mod oid;

pub use adapter::{Adapter, AdapterCounters, StatusIndication};
pub use datapath::{ReceivedFrame, SendCompletion};
pub(crate) use driver::HostState;
pub use driver::{DriverEntry, LoadedDriver};
pub use oid::OidResult;

use std::panic::Location;
use std::sync::atomic::Ordering;

use crate::TimerObjectInfo;
use crate::bus::{IoMapping, PoolAllocation, SgDmaRegistration, SharedAllocation};
use crate::machine::processor::{self, violation};
use crate::machine::{Machine, Shared, lock};
use crate::sys;
use crate::verifier::Rule;

/// What an adapter still holds.
#[derive(Clone, Debug, Default)]
pub struct AdapterLeaks {
    /// Pool memory not freed (`NdisAllocateMemoryWithTagPriority`).
    pub pool: Vec<PoolAllocation>,
    /// Shared memory not freed (`NdisMAllocateSharedMemory`).
    pub shared_memory: Vec<SharedAllocation>,
    /// BAR mappings not unmapped (`NdisMMapIoSpace`).
    pub io_mappings: Vec<IoMapping>,
    /// Where the still-registered interrupt on the adapter's line was registered.
    pub interrupt: Option<&'static Location<'static>>,
    /// Scatter/gather DMA not deregistered (`NdisMRegisterScatterGatherDma`).
    pub sg_dma: Vec<SgDmaRegistration>,
    /// Timer objects allocated with the adapter handle and not freed
    /// (`NdisAllocateTimerObject`); `set` ones are also still in the timer queue.
    pub timers: Vec<TimerObjectInfo>,
    /// NBL pools not freed (`NdisAllocateNetBufferListPool`).
    pub nbl_pools: Vec<crate::nbl::NblPoolAllocation>,
    /// Pool NBLs not freed (`NdisAllocateNetBufferAndNetBufferList`), by their pool's owner.
    pub nbls: Vec<crate::nbl::NblAllocation>,
    /// MDLs not freed (`NdisAllocateMdl`).
    pub mdls: Vec<crate::nbl::MdlAllocation>,
}

impl AdapterLeaks {
    /// Whether nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pool.is_empty()
            && self.shared_memory.is_empty()
            && self.io_mappings.is_empty()
            && self.interrupt.is_none()
            && self.sg_dma.is_empty()
            && self.timers.is_empty()
            && self.nbl_pools.is_empty()
            && self.nbls.is_empty()
            && self.mdls.is_empty()
    }
}

impl core::fmt::Display for AdapterLeaks {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for a in &self.pool {
            writeln!(
                f,
                "pool {:#x} ({} bytes, tag {:?}) allocated at {}",
                a.addr,
                a.len,
                String::from_utf8_lossy(&a.tag.to_le_bytes()),
                a.location
            )?;
        }
        for a in &self.shared_memory {
            writeln!(
                f,
                "shared memory {:#x} / phys {:#x} ({} bytes) allocated at {}",
                a.virt, a.phys, a.len, a.location
            )?;
        }
        for m in &self.io_mappings {
            writeln!(
                f,
                "BAR mapping {:#x} of phys {:#x} ({} bytes) mapped at {}",
                m.virt, m.phys, m.len, m.location
            )?;
        }
        if let Some(at) = self.interrupt {
            writeln!(f, "interrupt registered at {at} still registered")?;
        }
        for r in &self.sg_dma {
            writeln!(
                f,
                "scatter/gather DMA handle {:#x} registered at {} still registered",
                r.handle, r.location
            )?;
        }
        for t in &self.timers {
            let set = t
                .set_at
                .filter(|_| t.set)
                .map_or(String::new(), |at| format!(", still set (set at {at})"));
            writeln!(
                f,
                "timer object {:#x} (tag {:?}) allocated at {} not freed{set}",
                t.handle,
                String::from_utf8_lossy(&t.tag.to_le_bytes()),
                t.allocated_at
            )?;
        }
        for p in &self.nbl_pools {
            writeln!(
                f,
                "NBL pool {:#x} (tag {:?}, {} NBL(s) outstanding) allocated at {}",
                p.handle,
                String::from_utf8_lossy(&p.tag.to_le_bytes()),
                p.outstanding_nbls,
                p.location
            )?;
        }
        for n in &self.nbls {
            let state = if n.indicated {
                ", indicated to NDIS"
            } else {
                ""
            };
            writeln!(
                f,
                "NBL {:#x} of pool {:#x}{state} allocated at {}",
                n.addr, n.pool, n.location
            )?;
        }
        for m in &self.mdls {
            writeln!(
                f,
                "MDL {:#x} of {:#x} ({} bytes) allocated at {}",
                m.addr, m.virt, m.len, m.location
            )?;
        }
        Ok(())
    }
}

pub(crate) fn leaks_of(shared: &Shared, handle: sys::NDIS_HANDLE) -> AdapterLeaks {
    let owner = Some(handle as usize);
    let line = lock(&shared.adapters)
        .iter()
        .find(|a| {
            core::ptr::eq(
                std::sync::Arc::as_ptr(a).cast::<core::ffi::c_void>(),
                handle.cast_const(),
            )
        })
        .map(|a| a.line);
    let interrupt = line.and_then(|line| {
        lock(&shared.interrupts)
            .iter()
            .find(|i| i.line == line && !i.deregistered.load(Ordering::SeqCst))
            .map(|i| i.registered_at)
    });
    let (nbl_pools, nbls, mdls) = crate::nbl::outstanding_of(shared, owner);
    AdapterLeaks {
        pool: shared.bus.pool.outstanding(owner),
        shared_memory: shared.bus.memory.outstanding(owner),
        io_mappings: shared.bus.mappings_of(owner),
        interrupt,
        sg_dma: sys::sg_dma_of(shared, owner),
        timers: shared.timers.of_owner(owner),
        nbl_pools,
        nbls,
        mdls,
    }
}

impl Machine {
    /// What the adapter `handle` still holds (pool, shared memory, BAR mappings, interrupt,
    /// scatter/gather DMA, timer objects).
    #[must_use]
    pub fn adapter_leaks(&self, handle: sys::NDIS_HANDLE) -> AdapterLeaks {
        leaks_of(self.shared(), handle)
    }

    /// The check NDIS makes when `MiniportHaltEx` of adapter `handle` has returned (the host's
    /// Halt runs it; runners that call Halt themselves call this): on processor 0, reports
    /// [`Rule::LeakAtHalt`], [`Rule::InitRegisterInterrupt`] and [`Rule::CancelTimerObject`]
    /// for what is still held (or set), and returns it.
    ///
    /// # Panics
    /// As [`Machine::run_on`] (in `BugCheck` mode a leak halts the machine).
    #[track_caller]
    pub fn verify_halted(&self, handle: sys::NDIS_HANDLE) -> AdapterLeaks {
        let location = Location::caller();
        let h = handle as usize;
        self.run_on(0, move || check_halted(h as sys::NDIS_HANDLE, location))
    }
}

/// The NDIS verifier's check after `MiniportHaltEx` returned, on the processor that called it:
/// reports [`Rule::LeakAtHalt`] for memory, mappings, DMA registrations and timer objects,
/// [`Rule::InitRegisterInterrupt`] for an interrupt still registered and
/// [`Rule::CancelTimerObject`] for a timer object still set. Returns what was found.
pub(crate) fn check_halted(
    handle: sys::NDIS_HANDLE,
    location: &'static Location<'static>,
) -> AdapterLeaks {
    let cpu = processor::current("MiniportHaltEx");
    let leaks = leaks_of(&cpu.shared, handle);
    if let Some(at) = leaks.interrupt {
        violation(
            &cpu,
            Rule::InitRegisterInterrupt,
            location,
            format!(
                "the interrupt registered at {at} is still registered when MiniportHaltEx returns"
            ),
        );
    }
    let set: Vec<String> = leaks
        .timers
        .iter()
        .filter(|t| t.set)
        .map(|t| match t.set_at {
            Some(at) => format!("{:#x} (set at {at})", t.handle),
            None => format!("{:#x}", t.handle),
        })
        .collect();
    if !set.is_empty() {
        violation(
            &cpu,
            Rule::CancelTimerObject,
            location,
            format!(
                "timer object(s) {} still set when MiniportHaltEx returns: cancel them in Halt",
                set.join(", ")
            ),
        );
    }
    let memory = AdapterLeaks {
        interrupt: None,
        ..leaks.clone()
    };
    if !memory.is_empty() {
        violation(
            &cpu,
            Rule::LeakAtHalt,
            location,
            format!("MiniportHaltEx returned with resources still allocated:\n{memory}"),
        );
    }
    leaks
}
