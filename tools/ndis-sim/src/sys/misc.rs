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
