//! The interrupt registers as the ISR, the DPC and bring-up use them: ICR is read once per
//! interrupt (reading clears it), IMS/IMC enable and disable causes.
//!
//! The line is level-triggered and shared: it is asserted while `ICR & IMS` is non-zero, so
//! an ISR that finds no cause must say the interrupt was not its own.

use super::access::Registers;
use super::regs::{Causes, ICR, ICS, IMC, IMS, ITR};

/// Reads and clears every pending cause (one ICR read), which also drops the line.
///
/// ICR also reports causes that are masked (TXQE after every transmit, for one), so the
/// interrupt is this NIC's only when the result intersects the enabled causes: an ISR on
/// the shared line compares with the mask it programmed, not with zero.
#[must_use = "the causes are cleared by this read; dropping them loses events"]
pub fn take_causes<R: Registers + ?Sized>(regs: &R) -> Causes {
    Causes::from_bits(regs.read(ICR))
}

/// Disables every cause (IMC = all ones): the first step of bring-up and what an ISR does
/// before queuing its DPC.
pub fn mask_all<R: Registers + ?Sized>(regs: &R) {
    regs.write(IMC, Causes::ALL.bits());
}

/// Disables `causes`, leaving the others as they are.
pub fn mask<R: Registers + ?Sized>(regs: &R, causes: Causes) {
    regs.write(IMC, causes.bits());
}

/// Enables `causes`, leaving the others as they are (the DPC's last step).
pub fn unmask<R: Registers + ?Sized>(regs: &R, causes: Causes) {
    regs.write(IMS, causes.bits());
}

/// The causes currently enabled.
#[must_use]
pub fn enabled<R: Registers + ?Sized>(regs: &R) -> Causes {
    Causes::from_bits(regs.read(IMS))
}

/// Raises `causes` as if the NIC had (ICS): a way to run the DPC on demand, for instance
/// to restart receive processing after buffers came back.
pub fn raise<R: Registers + ?Sized>(regs: &R, causes: Causes) {
    regs.write(ICS, causes.bits());
}

/// An interrupt rate limit for ITR: at most `per_second` interrupts a second (0 = no
/// limit). ITR counts the minimum gap in 256 ns units; a rate too low to express saturates
/// at the longest gap.
#[must_use]
pub const fn throttle_interval(per_second: u32) -> u16 {
    if per_second == 0 {
        return 0;
    }
    let units = 1_000_000_000 / 256 / per_second as u64;
    if units > u16::MAX as u64 {
        u16::MAX
    } else if units == 0 {
        1
    } else {
        // Checked against `u16::MAX` just above.
        #[allow(clippy::cast_possible_truncation, reason = "range checked")]
        {
            units as u16
        }
    }
}

/// Programs ITR with an interval from [`throttle_interval`] (0 turns throttling off).
pub fn set_throttle<R: Registers + ?Sized>(regs: &R, interval: u16) {
    regs.write(ITR, u32::from(interval));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::e1000::access::testing::FakeRegs;

    #[test]
    fn each_helper_writes_its_register() {
        let regs = FakeRegs::default();
        mask_all(&regs);
        mask(&regs, Causes::TXDW);
        unmask(&regs, Causes::DRIVER);
        raise(&regs, Causes::RXT0);
        set_throttle(&regs, 488);
        assert_eq!(
            regs.writes(),
            [
                (IMC.offset(), u32::MAX),
                (IMC.offset(), 1),
                (IMS.offset(), 0x95),
                (ICS.offset(), 0x80),
                (ITR.offset(), 488),
            ]
        );
        regs.set(ICR, 0x84);
        assert_eq!(take_causes(&regs), Causes::LSC | Causes::RXT0);
        assert_eq!(enabled(&regs), Causes::DRIVER);
    }

    #[test]
    fn throttle_intervals_are_in_256_ns_units() {
        assert_eq!(throttle_interval(0), 0);
        // 8000 a second: 125 µs = 488 × 256 ns.
        assert_eq!(throttle_interval(8000), 488);
        assert_eq!(throttle_interval(1), u16::MAX);
        assert_eq!(throttle_interval(u32::MAX), 1);
    }
}
