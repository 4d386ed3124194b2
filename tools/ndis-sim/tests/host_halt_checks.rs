//! The NDIS verifier's accounting when `MiniportHaltEx` returns: leaks and a still-registered
//! interrupt are reported; a clean adapter reports nothing. The interrupt is registered on the
//! adapter handle of a plugged e1000 (its line is the device's).
#![allow(clippy::cast_possible_truncation)] // the header fields are u8/u16, the constants u32/usize

mod common;

use e1000_model::{E1000Config, Unplugged};
use ndis_sim::sys::{self, NDIS_HANDLE, PVOID};
use ndis_sim::{Machine, Rule, VerifierMode};

use common::rules;

const TAG: sys::ULONG = u32::from_le_bytes(*b"rse1");

unsafe extern "C" fn isr(
    _ctx: NDIS_HANDLE,
    queue: *mut sys::BOOLEAN,
    _t: *mut sys::ULONG,
) -> sys::BOOLEAN {
    // SAFETY: NDIS passes a valid out pointer.
    unsafe { queue.write(0) };
    0
}

unsafe extern "C" fn dpc(_ctx: NDIS_HANDLE, _c: PVOID, _t: PVOID, _r: PVOID) {}

fn machine() -> Machine {
    Machine::builder()
        .processors(2)
        .seed(3)
        .mode(VerifierMode::Collect)
        .build()
}

fn register(m: &Machine, adapter: NDIS_HANDLE) -> usize {
    // No context: the handlers ignore it.
    common::register_interrupt(m, 0, adapter as usize, 0, || {
        common::characteristics_with(Some(isr), Some(dpc))
    })
}

#[test]
fn a_clean_adapter_reports_nothing() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let h = nic.handle as usize;
    let irq = register(&m, nic.handle);
    m.run_on(1, move || {
        // SAFETY: called on a virtual processor.
        let p = unsafe { sys::NdisAllocateMemoryWithTagPriority(h as NDIS_HANDLE, 64, TAG, 16) };
        // SAFETY: just allocated.
        unsafe { sys::NdisFreeMemory(p, 64, 0) };
        // SAFETY: registered above, at PASSIVE.
        unsafe { sys::NdisMDeregisterInterruptEx(irq as NDIS_HANDLE) };
    });
    assert!(m.adapter_leaks(nic.handle).is_empty());
    assert!(m.verify_halted(nic.handle).is_empty());
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn leaked_pool_memory_is_leak_at_halt() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let other = m.adapter_handle(5);
    let h = nic.handle as usize;
    m.run_on(0, move || {
        // SAFETY: called on a virtual processor (leaked on purpose).
        unsafe { sys::NdisAllocateMemoryWithTagPriority(h as NDIS_HANDLE, 64, TAG, 16) };
    });
    assert!(m.verify_halted(other).is_empty(), "leaks are per adapter");
    let leaks = m.verify_halted(nic.handle);
    assert_eq!(leaks.pool.len(), 1);
    assert!(leaks.to_string().contains("rse1"), "{leaks}");
    assert_eq!(rules(&m), [Rule::LeakAtHalt]);
}

#[test]
fn an_interrupt_left_registered_is_init_register_interrupt() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let _irq = register(&m, nic.handle);
    let leaks = m.verify_halted(nic.handle);
    assert!(leaks.interrupt.is_some());
    assert_eq!(rules(&m), [Rule::InitRegisterInterrupt]);
}
