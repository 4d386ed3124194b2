//! `NdisMDeregisterInterruptEx` only at PASSIVE_LEVEL (NDIS `Irql_Interrupt_Function`): a DPC has
//! a root context and a DISPATCH_LEVEL proof, but no PASSIVE_LEVEL proof to deregister with.
use rse1k::sync::{DispatchLevel, InterruptShared, Locked, Unlocked};

fn dpc_body(cx: &mut Locked<'_, Unlocked>, at: &DispatchLevel, shared: &InterruptShared<u32>) {
    shared.deregister(cx, at);
}

fn main() {}
