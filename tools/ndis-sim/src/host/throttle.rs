//! Receive throttling: the `NDIS_RECEIVE_THROTTLE_PARAMETERS` NDIS passes to
//! `MiniportInterruptDPC`. The simulator draws `MaxNblsToIndicate` from the seed (often below
//! "all"), counts what the DPC indicates, runs the DPC again while it sets `MoreNblsPending`,
//! and reports [`Rule::ReceiveThrottle`] when the DPC indicates more than it was allowed or
//! leaves the device's interrupts enabled while it asks to be called again (the DPC, not the
//! interrupt, must drain the rest).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/receive-side-throttling>

use std::cell::Cell;
use std::panic::Location;

use crate::machine::processor::{Cpu, violation};
use crate::machine::{Shared, lock};
use crate::sys::{NDIS_INDICATE_ALL_NBLS, ULONG};
use crate::verifier::Rule;

/// The e1000's interrupt mask register (IMS): nonzero while any cause is enabled.
const E1000_IMS: u32 = 0x00D0;

thread_local! {
    /// On a processor running an interrupt DPC: (`MaxNblsToIndicate`, NBLs indicated so far).
    static ACTIVE: Cell<Option<(ULONG, usize)>> = const { Cell::new(None) };
}

/// The `MaxNblsToIndicate` for the next DPC call: "all" one time in four, else 1..=32.
pub(crate) fn draw_limit(shared: &Shared) -> ULONG {
    let mut rng = lock(&shared.rng);
    if rng.below(4) == 0 {
        NDIS_INDICATE_ALL_NBLS.cast_unsigned()
    } else {
        1 + ULONG::try_from(rng.below(32)).unwrap_or(0)
    }
}

/// A DPC call with `limit` begins on this processor.
pub(crate) fn begin(limit: ULONG) {
    ACTIVE.with(|a| a.set(Some((limit, 0))));
}

/// `n` NBLs were indicated (counted only inside a DPC call).
pub(crate) fn indicated(n: usize) {
    ACTIVE.with(|a| {
        if let Some((limit, so_far)) = a.get() {
            a.set(Some((limit, so_far + n)));
        }
    });
}

/// The DPC call of the interrupt on `line` returned with `more_pending`: checks the count and
/// the device's interrupt mask; returns whether NDIS calls the DPC again.
pub(crate) fn end(
    cpu: &Cpu,
    line: u32,
    more_pending: bool,
    location: &'static Location<'static>,
) -> bool {
    let Some((limit, count)) = ACTIVE.with(Cell::take) else {
        return false;
    };
    if limit != NDIS_INDICATE_ALL_NBLS.cast_unsigned() && count > limit as usize {
        violation(
            cpu,
            Rule::ReceiveThrottle,
            location,
            format!("MiniportInterruptDPC indicated {count} NBL(s) with MaxNblsToIndicate {limit}"),
        );
    }
    if !more_pending {
        return false;
    }
    let device = lock(&cpu.shared.bus.devices)
        .iter()
        .find(|d| d.line() == line && !d.removed())
        .cloned();
    if let Some(device) = device {
        let mask = device.read_register(E1000_IMS);
        if mask != 0 {
            violation(
                cpu,
                Rule::ReceiveThrottle,
                location,
                format!(
                    "MiniportInterruptDPC set MoreNblsPending and left the device's interrupts \
                     enabled (IMS {mask:#x}): NDIS calls the DPC again, so interrupts stay \
                     masked until it clears the flag"
                ),
            );
        }
    }
    true
}
