//! Miscellaneous NDIS functions and the simulator-only naming call.

use std::panic::Location;
use std::time::{Duration, Instant};

use super::types::ULONG;
use super::{enter, enter_ndis};
use crate::machine::processor::{self, violation};
use crate::machine::spinlock;
use crate::verifier::Rule;

/// The longest stall the `NdisStallExecution_Delay` rule allows, in microseconds.
pub const NDIS_STALL_LIMIT_US: ULONG = 50;

/// `NdisStallExecution`: busy-waits, opening interrupt windows as it goes. Checks
/// `NdisStallExecution_Delay` (more than 50 µs; the simulator then stalls at most 1 ms).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisstallexecution>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisStallExecution(MicrosecondsToStall: ULONG) {
    let location = Location::caller();
    let cpu = enter_ndis("NdisStallExecution", location);
    if MicrosecondsToStall > NDIS_STALL_LIMIT_US {
        violation(
            &cpu,
            Rule::StallTooLong,
            location,
            format!("NdisStallExecution({MicrosecondsToStall}) stalls longer than 50 us"),
        );
    }
    // The stall is time this processor spends: charged to the locks it holds (the hold limit),
    // without moving the machine's clock (other processors run meanwhile).
    cpu.shared.procs[cpu.index].spent_ns.fetch_add(
        u64::from(MicrosecondsToStall) * 1000,
        std::sync::atomic::Ordering::SeqCst,
    );
    if cpu.shared.sched.is_some() {
        // A serial machine: a stall is a few switch points (one per 10 us), no host time. They
        // are spin yields: a driver stalls to wait for the device or for another processor
        // (a rundown polling for a DPC to leave), so under PCT the staller drops below the
        // actor it waits for instead of keeping the turn for ever.
        for _ in 0..=MicrosecondsToStall.min(1000) / 10 {
            cpu.spin(|| processor::window(&cpu));
        }
        return;
    }
    let until = Instant::now() + Duration::from_micros(u64::from(MicrosecondsToStall.min(1000)));
    loop {
        processor::window(&cpu);
        // A stall only burns time; give the host core to other virtual processors meanwhile
        // (they may outnumber host cores, and one of them may be about to take an interrupt).
        std::thread::yield_now();
        if Instant::now() >= until {
            break;
        }
    }
}

/// Simulator only (the kernel build has an empty version): names a spin lock (`KSPIN_LOCK`,
/// `NDIS_SPIN_LOCK`) in reports and statistics. Not an NDIS function, so allowed anywhere.
///
/// # Safety
/// None (the pointer is only used as a key).
#[track_caller]
pub unsafe fn SimNameSpinLock(SpinLock: *const core::ffi::c_void, Name: &'static str) {
    let cpu = enter("SimNameSpinLock");
    spinlock::set_name(&cpu.shared, SpinLock as usize, Name);
}

/// Driver-object extensions by (driver object, client identification address): what
/// `IoAllocateDriverObjectExtension` allocated, freed when the driver object goes
/// ([`free_driver_object_extensions`], at unload and before a driver object is reused).
static DRIVER_EXTENSIONS: std::sync::Mutex<Vec<DriverExtension>> =
    std::sync::Mutex::new(Vec::new());

/// One extension: driver object, client identification address, the block.
type DriverExtension = (usize, usize, Box<[u64]>);

fn driver_extensions() -> std::sync::MutexGuard<'static, Vec<DriverExtension>> {
    DRIVER_EXTENSIONS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `IoAllocateDriverObjectExtension`: a zeroed, pointer-aligned block of
/// `DriverObjectExtensionSize` bytes owned by the driver object, found again by
/// `ClientIdentificationAddress`. `STATUS_OBJECT_NAME_COLLISION` if that address already has
/// one (the out-parameter then NULL).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocatedriverobjectextension>
///
/// # Safety
/// `DriverObjectExtension` is valid for a write.
#[track_caller]
pub unsafe fn IoAllocateDriverObjectExtension(
    DriverObject: super::PDRIVER_OBJECT,
    ClientIdentificationAddress: super::PVOID,
    DriverObjectExtensionSize: ULONG,
    DriverObjectExtension: *mut super::PVOID,
) -> super::NTSTATUS {
    let _cpu = enter("IoAllocateDriverObjectExtension");
    let key = (DriverObject as usize, ClientIdentificationAddress as usize);
    let mut all = driver_extensions();
    if all.iter().any(|(o, id, _)| (*o, *id) == key) {
        // SAFETY: the caller guarantees the out-parameter is writable.
        unsafe { DriverObjectExtension.write(core::ptr::null_mut()) };
        return STATUS_OBJECT_NAME_COLLISION;
    }
    let words = (DriverObjectExtensionSize as usize).div_ceil(8).max(1);
    let mut block = vec![0u64; words].into_boxed_slice();
    // SAFETY: the caller guarantees `DriverObjectExtension` is writable; the block it
    // receives is kept in the table below for as long as the driver object lives.
    unsafe { DriverObjectExtension.write(block.as_mut_ptr().cast()) };
    all.push((key.0, key.1, block));
    super::STATUS_SUCCESS
}

/// `IoGetDriverObjectExtension`: the block `IoAllocateDriverObjectExtension` allocated for
/// this driver object and client identification address, or NULL.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdriverobjectextension>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn IoGetDriverObjectExtension(
    DriverObject: super::PDRIVER_OBJECT,
    ClientIdentificationAddress: super::PVOID,
) -> super::PVOID {
    let _cpu = enter("IoGetDriverObjectExtension");
    let key = (DriverObject as usize, ClientIdentificationAddress as usize);
    driver_extensions()
        .iter_mut()
        .find(|(o, id, _)| (*o, *id) == key)
        .map_or(core::ptr::null_mut(), |(_, _, block)| {
            block.as_mut_ptr().cast()
        })
}

/// `STATUS_OBJECT_NAME_COLLISION`.
pub const STATUS_OBJECT_NAME_COLLISION: super::NTSTATUS = 0xC000_0035_u32.cast_signed();

/// Frees the extensions of `driver_object` (it was unloaded, or is about to be reused).
pub(crate) fn free_driver_object_extensions(driver_object: usize) {
    driver_extensions().retain(|(o, _, _)| *o != driver_object);
}
