//! The raw surface: Rust mirrors of the `ndis.h` / `wdm.h` items the driver uses, with the names
//! and types bindgen emits for x64, implemented on the simulated machine.
//!
//! Every function is a plain `pub unsafe fn` with `#[track_caller]`, so driver code calls them
//! exactly like the `unsafe extern "C"` items of wdk-sys, and the verifier can name the call
//! site. Every function is an interrupt window on the processor that calls it, and must be
//! called on a virtual processor (inside `Machine::run_on` or a callback the simulator makes);
//! anywhere else it panics with a message saying so.
//!
//! Organised by DDI family: [`types`], `ke` (IRQL and Ke spin locks), `ndis_lock` (NDIS spin
//! locks), `interrupt` (NDIS interrupts and DPCs), `config` (registry configuration, error log),
//! `services` (work items, generic objects, `NET_BUFFER`s, I/O ports, `PnP` events, IRQL macros),
//! `misc`, `debug` (`DbgPrintEx`), `etw` (the kernel-mode ETW provider functions).
#![allow(non_snake_case, non_camel_case_types, non_upper_case_globals)]

mod bus;
mod capabilities;
mod config;
mod consts;
mod debug;
mod dma;
mod etw;
mod interrupt;
mod ke;
mod memory;
mod miniport;
mod misc;
mod nbl;
mod ndis_lock;
mod ndis_types;
mod net_buffer;
mod resources;
mod services;
mod sg_list;
/// `NDIS_STATUS_*` codes (shared with the kernel build, which `include!`s the same file).
mod ndis_status {
    use super::types::NDIS_STATUS;
    include!("ndis_status.rs");
}
mod timer;
pub mod types;
mod wdm_objects;

pub use bus::*;
pub use capabilities::*;
pub use config::*;
pub use consts::*;
pub use debug::*;
pub use dma::*;
pub use etw::*;
pub use interrupt::*;
pub use ke::*;
pub use memory::*;
pub use miniport::*;
pub use misc::*;
pub use nbl::*;
pub use ndis_lock::*;
pub use ndis_status::*;
pub use ndis_types::*;
pub use net_buffer::*;
pub use resources::*;
pub use services::*;
pub use sg_list::*;
pub use timer::*;
pub use types::*;
pub use wdm_objects::*;

use std::panic::Location;
use std::rc::Rc;

use crate::machine::processor::{self, Cpu, DISPATCH};
use crate::verifier::Rule;
use crate::verifier::rules::CALLABLE_UNDER_NDIS_SPIN_LOCK;

/// Entry of every `sys` function: find the processor, open an interrupt window.
fn enter(api: &'static str) -> Rc<Cpu> {
    enter_at(api, None)
}

/// [`enter`], recording the call site (when known) for a serial machine's trace.
fn enter_at(api: &'static str, site: Option<&'static Location<'static>>) -> Rc<Cpu> {
    let cpu = processor::current(api);
    cpu.entering(api, site);
    processor::window(&cpu);
    cpu
}

/// Entry of every `Ndis*` function: [`enter`], then the "no `NdisXxx` under an NDIS spin lock"
/// check unless `api` is in [`CALLABLE_UNDER_NDIS_SPIN_LOCK`].
fn enter_ndis(api: &'static str, location: &'static Location<'static>) -> Rc<Cpu> {
    let cpu = enter_at(api, Some(location));
    if !CALLABLE_UNDER_NDIS_SPIN_LOCK.contains(&api) {
        let held = cpu.ndis_locks_held_here();
        if let Some(&addr) = held.first() {
            let name = crate::machine::spinlock::name(&cpu.shared, addr);
            processor::violation(
                &cpu,
                Rule::NdisCallUnderSpinLock,
                location,
                format!("{api} called while NDIS spin lock {name} is held"),
            );
        }
    }
    cpu
}

/// [`enter_ndis`], then [`check_irql_at_most`]: the entry of an `Ndis*` function whose page
/// allows IRQL <= `max`, checked as `rule`.
fn enter_ndis_at_most(
    api: &'static str,
    location: &'static Location<'static>,
    max: KIRQL,
    rule: Rule,
) -> Rc<Cpu> {
    let cpu = enter_ndis(api, location);
    check_irql_at_most(&cpu, api, max, rule, location);
    cpu
}

/// The IRQL limit of a DDI page in words, for violation details.
fn irql_limit(max: KIRQL) -> String {
    match u32::from(max) {
        PASSIVE_LEVEL => "PASSIVE_LEVEL".to_owned(),
        APC_LEVEL => "IRQL <= APC_LEVEL".to_owned(),
        DISPATCH_LEVEL => "IRQL <= DISPATCH_LEVEL".to_owned(),
        _ => format!("IRQL <= {max}"),
    }
}

/// Reports `rule` (the IRQL rule of `api`'s family) when `cpu` runs above `max`, the IRQL the
/// DDI page of `api` allows (`PASSIVE` for "only at `PASSIVE_LEVEL`"). Performed either way.
pub(crate) fn check_irql_at_most(
    cpu: &Cpu,
    api: &str,
    max: KIRQL,
    rule: Rule,
    location: &'static Location<'static>,
) {
    let irql = cpu.irql();
    if irql > max {
        violation_at_irql(cpu, api, irql, rule, location, &irql_limit(max));
    }
}

/// Reports a call of `api`, a DDI callable only at `DISPATCH_LEVEL`, at any other IRQL: `below`
/// under `DISPATCH_LEVEL`, `above` over it ([`Rule::SpinLockInIsr`] inside an ISR or synchronize
/// callback, as `ke::check_not_above_dispatch`). Every such DDI is, or expands to, a Ke call
/// that breaks `IrqlDispatch` there, so the detail names that rule when it is not the one
/// reported.
pub(crate) fn check_irql_exactly_dispatch(
    cpu: &Cpu,
    api: &str,
    below: Rule,
    above: Rule,
    location: &'static Location<'static>,
) {
    let irql = cpu.irql();
    if irql == DISPATCH {
        return;
    }
    if irql > DISPATCH && cpu.in_interrupt_routine() {
        ke::check_not_above_dispatch(cpu, api, above, location);
        return;
    }
    let rule = if irql < DISPATCH { below } else { above };
    let also = Rule::IrqlDispatch;
    let limit = if rule == also {
        "DISPATCH_LEVEL only".to_owned()
    } else {
        format!(
            "DISPATCH_LEVEL only; also breaks {} ({:#010x})",
            also.name(),
            also.parameter1().unwrap_or(0)
        )
    };
    violation_at_irql(cpu, api, irql, rule, location, &limit);
}

/// The one wording of an IRQL violation: `"{api} at IRQL {irql}: it is callable at {limit}"`.
/// Details start with the API name (tests take it from there).
fn violation_at_irql(
    cpu: &Cpu,
    api: &str,
    irql: KIRQL,
    rule: Rule,
    location: &'static Location<'static>,
    limit: &str,
) {
    processor::violation(
        cpu,
        rule,
        location,
        format!("{api} at IRQL {irql}: it is callable at {limit}"),
    );
}
