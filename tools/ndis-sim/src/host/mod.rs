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
pub(crate) mod null_check;
pub(crate) mod objects;
pub(crate) mod oid;
pub(crate) mod throttle;
pub(crate) mod timed;

pub use adapter::{Adapter, AdapterCounters, StatusIndication};
pub use datapath::{ReceivedFrame, SendCompletion};
pub(crate) use driver::HostState;
pub use driver::{DriverEntry, LoadedDriver};
pub use objects::{ErrorLogEntry, SgListAllocation, SgListCounts};
pub use oid::{OidCall, OidKind, OidResult};

use std::panic::Location;
use std::sync::Arc;
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
    /// Scatter/gather lists not freed (`NdisMAllocateNetBufferSGList`).
    pub sg_lists: Vec<SgListAllocation>,
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
            && self.sg_lists.is_empty()
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
        for l in &self.sg_lists {
            writeln!(
                f,
                "scatter/gather list {:#x} (NET_BUFFER {:#x}, {} bytes, DMA handle {:#x}) \
                 allocated at {} not freed",
                l.list, l.net_buffer, l.len, l.dma, l.location
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

/// A registry value for `NdisReadConfiguration` (`Machine::set_configuration`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigValue {
    /// A `REG_DWORD` (read as `NdisParameterInteger` or `NdisParameterHexInteger`).
    Integer(u32),
    /// A `REG_SZ` (read as `NdisParameterString`).
    String(String),
}

impl Machine {
    /// Sets the registry value `keyword` (case-insensitive, as the registry compares) of the
    /// adapter `handle`, for `NdisReadConfiguration` through `NdisOpenConfigurationEx`.
    pub fn set_configuration(&self, handle: sys::NDIS_HANDLE, keyword: &str, value: ConfigValue) {
        lock(&self.shared().host.objects)
            .registry
            .insert((handle as usize, keyword.to_ascii_lowercase()), value);
    }

    /// Every `NdisWriteErrorLogEntry` so far, in call order.
    #[must_use]
    pub fn error_log(&self) -> Vec<ErrorLogEntry> {
        lock(&self.shared().host.objects).error_log.clone()
    }

    /// Every ETW event the driver wrote (`EtwWriteTransfer`), decoded, in write order.
    #[must_use]
    pub fn etw_events(&self) -> Vec<crate::etw::EtwEvent> {
        lock(&self.shared().host.etw).events.clone()
    }

    /// ETW misuse and events that did not decode (empty for a correct driver).
    #[must_use]
    pub fn etw_errors(&self) -> Vec<String> {
        lock(&self.shared().host.etw).errors().to_vec()
    }

    /// Provider registrations still live on this machine (`EtwRegister` without
    /// `EtwUnregister`): 0 after a driver's Unload.
    #[must_use]
    pub fn etw_registrations(&self) -> usize {
        lock(&self.shared().host.etw)
            .registrations
            .values()
            .map(|r| r.count)
            .sum()
    }

    /// Runs the work NDIS owes the driver now (queued I/O work items, asynchronous
    /// shared-memory completions), as the host does at its edge calls.
    ///
    /// # Panics
    /// As [`Machine::run_on`].
    pub fn run_deferred_work(&self) {
        objects::run_deferred(self);
    }
}

/// Whether the adapter `handle` has set its registration attributes (`NdisMSetMiniportAttributes`).
pub(crate) fn registration_attributes_set(shared: &Shared, handle: sys::NDIS_HANDLE) -> bool {
    shared
        .host
        .adapter(handle)
        .is_some_and(|a| a.lock().registration_set)
}

/// Whether an OID request of the adapter `handle` is in flight (issued, not finished).
pub(crate) fn oid_in_flight(shared: &Shared, handle: sys::NDIS_HANDLE) -> bool {
    shared
        .host
        .adapter(handle)
        .is_some_and(|a| a.lock().oid.in_flight())
}

/// The `MiniportAdapterContext` of the adapter `handle` (0 when the host does not drive it).
pub(crate) fn adapter_context(shared: &Shared, handle: usize) -> usize {
    shared
        .host
        .adapter(handle as sys::NDIS_HANDLE)
        .map_or(0, |a| a.lock().context)
}

/// Reports the timed rules ([`timed`]) whose deadline the virtual clock has passed, for every
/// adapter the host drives; called after the clock moves. On the calling thread when it is a
/// processor, else on processor 0.
pub(crate) fn check_deadlines(machine: &Machine) {
    let now = machine.virtual_time_ns();
    let shared = machine.shared();
    let on_processor = (0..shared.processors()).any(|i| processor::is_processor_of(shared, i));
    let adapters = lock(&shared.host.adapters).clone();
    for a in adapters {
        let expired = a.lock().timed.expired(now);
        for (rule, detail) in expired {
            if on_processor {
                let cpu = processor::current("Machine::advance_clock");
                violation(&cpu, rule, Location::caller(), detail);
            } else {
                driver::host_violation(machine, rule, detail);
            }
        }
        a.notify();
    }
}

/// Whose generic objects must all be freed when the adapter `handle` halts: its driver's
/// when no other adapter of that driver is still up; every driver's for an adapter the host
/// does not drive (a harness calling `verify_halted` itself); none while another adapter of
/// the driver is up.
fn generic_object_scope(shared: &Shared, handle: sys::NDIS_HANDLE) -> objects::GenericScope {
    let Some(me) = shared.host.adapter(handle) else {
        return objects::GenericScope::All;
    };
    let others_up = lock(&shared.host.adapters)
        .iter()
        .any(|a| a.handle != me.handle && Arc::ptr_eq(&a.driver, &me.driver) && !a.is_halted());
    if others_up {
        objects::GenericScope::Skip
    } else {
        objects::GenericScope::Driver(me.driver.driver_object)
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
        sg_lists: sys::sg_lists_of(shared, owner, None),
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
/// reports [`Rule::InitRegisterInterrupt`] for an interrupt still registered (also the SDV rule
/// `Init_DeRegisterInterrupt`), [`Rule::InitRegisterSg`] for scatter/gather DMA still
/// registered, [`Rule::NdisAllocateMdl`] for MDLs, [`Rule::CancelTimerObject`] for a timer
/// object still set, and [`Rule::LeakAtHalt`] for the rest (pool and shared memory, mappings,
/// timer objects, NBL pools and NBLs). Returns what was found.
pub(crate) fn check_halted(
    handle: sys::NDIS_HANDLE,
    location: &'static Location<'static>,
) -> AdapterLeaks {
    let cpu = processor::current("MiniportHaltEx");
    let generic = generic_object_scope(&cpu.shared, handle);
    objects::check_halted(&cpu, handle as usize, generic, location);
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
    if !leaks.sg_dma.is_empty() {
        let at: Vec<String> = leaks
            .sg_dma
            .iter()
            .map(|r| format!("{:#x} (registered at {})", r.handle, r.location))
            .collect();
        violation(
            &cpu,
            Rule::InitRegisterSg,
            location,
            format!(
                "scatter/gather DMA {} still registered when MiniportHaltEx returns",
                at.join(", ")
            ),
        );
    }
    if !leaks.mdls.is_empty() {
        let at: Vec<String> = leaks
            .mdls
            .iter()
            .map(|m| format!("{:#x} (allocated at {})", m.addr, m.location))
            .collect();
        violation(
            &cpu,
            Rule::NdisAllocateMdl,
            location,
            format!(
                "MDL(s) {} still allocated when MiniportHaltEx returns",
                at.join(", ")
            ),
        );
    }
    let memory = AdapterLeaks {
        interrupt: None,
        sg_dma: Vec::new(),
        mdls: Vec::new(),
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
