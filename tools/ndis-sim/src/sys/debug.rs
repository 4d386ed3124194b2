//! Debug output: the simulator's side of the driver's `DbgPrintEx` trace messages.
//!
//! `DbgPrintEx` is variadic, which Rust cannot define, so the driver reaches it through one
//! accessor in `driver/sys` that takes an already formatted message: in the kernel build it calls
//! `DbgPrintEx(ComponentId, Level, "%.*s", len, message)`; here it lands in the machine's trace
//! log (`Machine::trace_log`), and on standard error when `NDIS_SIM_TRACE` is set.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgprintex>

use super::enter;
use super::types::ULONG;
use crate::machine::TraceLine;

/// `DPFLTR_IHVNETWORK_ID` (dpfilter.h `_DPFLTR_TYPE`): the component id for IHV network drivers.
pub const DPFLTR_IHVNETWORK_ID: ULONG = 80;
/// `DPFLTR_ERROR_LEVEL`.
pub const DPFLTR_ERROR_LEVEL: ULONG = 0;
/// `DPFLTR_WARNING_LEVEL`.
pub const DPFLTR_WARNING_LEVEL: ULONG = 1;
/// `DPFLTR_TRACE_LEVEL`.
pub const DPFLTR_TRACE_LEVEL: ULONG = 2;
/// `DPFLTR_INFO_LEVEL`.
pub const DPFLTR_INFO_LEVEL: ULONG = 3;

/// `DbgPrintEx(ComponentId, Level, "%.*s", Message)`: records one trace message.
///
/// Not an NDIS function (allowed under a spin lock), and callable at any IRQL, as `DbgPrintEx`
/// is for ANSI messages.
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn dbg_print(ComponentId: ULONG, Level: ULONG, Message: &str) {
    let cpu = enter("DbgPrintEx");
    let line = TraceLine {
        processor: cpu.index,
        irql: cpu.irql(),
        component: ComponentId,
        level: Level,
        message: Message.to_owned(),
    };
    cpu.shared.trace(line);
}
