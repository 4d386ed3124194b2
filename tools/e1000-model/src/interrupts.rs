//! Interrupt causes, mask, the `INTx` line, and interrupt mitigation on the virtual clock.
//!
//! The line is level-triggered and follows `(ICR & IMS) != 0`, with one exception:
//! mitigation. Mitigation works as in QEMU: when the line rises, a holdoff window opens;
//! while it is open a *new* rising edge is postponed (the line stays low even though causes
//! are pending) until the window closes, when the line is re-evaluated — and, if it rises
//! then, a new window opens. The window length is
//! `max(500, min(TADV × 4 if a TX descriptor asked for IDE and TXDW/TXQE is pending,
//!               RADV × 4 if RDTR ≠ 0 and RXT0 is pending,
//!               ITR)) × 256 ns`,
//! where zero values take no part in the minimum. Unlike QEMU, when none of the three
//! applies there is no window at all (the manual: ITR = 0 disables throttling), so a driver
//! that never programs mitigation sees every edge at once and the host need not advance the
//! clock for interrupts to flow.

/// Nanoseconds per ITR unit (and a quarter of a TADV/RADV unit of 1.024 µs).
pub const ITR_UNIT_NS: u64 = 256;
/// The shortest window, in ITR units (QEMU's floor, 7813 interrupts per second).
pub const MIN_WINDOW_UNITS: u64 = 500;

/// The registers that size the mitigation window, read when a window opens.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MitigationRegs {
    /// ITR, 256 ns units.
    pub(crate) itr: u32,
    /// TADV, 1.024 µs units.
    pub(crate) tadv: u32,
    /// RADV, 1.024 µs units.
    pub(crate) radv: u32,
    /// RDTR; zero disables RADV.
    pub(crate) rdtr: u32,
}

/// Interrupt state: ICR, IMS, the line, and the mitigation window.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interrupts {
    icr: u32,
    ims: u32,
    level: bool,
    /// Virtual time at which the open mitigation window closes.
    window_end: Option<u64>,
    /// A transmit descriptor with IDE was processed since the last window opened.
    tx_ide: bool,
}

impl Interrupts {
    /// Pending causes.
    pub(crate) fn icr(&self) -> u32 {
        self.icr
    }

    /// The mask.
    pub(crate) fn ims(&self) -> u32 {
        self.ims
    }

    /// The line level.
    pub(crate) fn level(&self) -> bool {
        self.level
    }

    /// When the open mitigation window closes, if one is open.
    pub(crate) fn window_end(&self) -> Option<u64> {
        self.window_end
    }

    /// Notes that a transmit descriptor asked for a delayed interrupt (IDE).
    pub(crate) fn note_tx_ide(&mut self) {
        self.tx_ide = true;
    }

    /// Sets the mask bits in `bits` (IMS write).
    pub(crate) fn set_mask(&mut self, bits: u32, now: u64, regs: MitigationRegs) -> Option<bool> {
        self.ims |= bits;
        self.update(self.icr, now, regs)
    }

    /// Clears the mask bits in `bits` (IMC write).
    pub(crate) fn clear_mask(&mut self, bits: u32, now: u64, regs: MitigationRegs) -> Option<bool> {
        self.ims &= !bits;
        self.update(self.icr, now, regs)
    }

    /// Replaces ICR with `icr` and re-evaluates the line. Returns the new level if it changed.
    pub(crate) fn update(&mut self, icr: u32, now: u64, regs: MitigationRegs) -> Option<bool> {
        self.icr = icr;
        let pending = self.icr & self.ims;
        if !self.level && pending != 0 {
            // A rising edge. Inside a window it waits for the window to close.
            if self.window_end.is_some() {
                return None;
            }
            if let Some(units) = self.window_units(pending, regs) {
                self.window_end = Some(now.saturating_add(units * ITR_UNIT_NS));
                self.tx_ide = false;
            }
        }
        let level = pending != 0;
        if level == self.level {
            None
        } else {
            self.level = level;
            Some(level)
        }
    }

    /// Closes the window if it ends at or before `now`, re-evaluating the line as of the
    /// window's end. Returns the new level if it changed.
    pub(crate) fn expire(&mut self, now: u64, regs: MitigationRegs) -> Option<bool> {
        match self.window_end {
            Some(end) if end <= now => {
                self.window_end = None;
                self.update(self.icr, end, regs)
            }
            _ => None,
        }
    }

    /// The window for a rising edge with `pending` causes, in ITR units, or `None` when
    /// mitigation is not programmed.
    fn window_units(&self, pending: u32, regs: MitigationRegs) -> Option<u64> {
        use crate::regs::{ICR_RXT0, ICR_TXDW, ICR_TXQE};
        let mut delay: Option<u64> = None;
        let mut consider = |units: u64| {
            if units != 0 {
                delay = Some(delay.map_or(units, |d| d.min(units)));
            }
        };
        if self.tx_ide && pending & (ICR_TXQE | ICR_TXDW) != 0 {
            consider(u64::from(regs.tadv & 0xFFFF) * 4);
        }
        if regs.rdtr & 0xFFFF != 0 && pending & ICR_RXT0 != 0 {
            consider(u64::from(regs.radv & 0xFFFF) * 4);
        }
        consider(u64::from(regs.itr & 0xFFFF));
        delay.map(|d| d.max(MIN_WINDOW_UNITS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regs::{ICR_LSC, ICR_RXT0, ICR_TXDW};

    const NONE: MitigationRegs = MitigationRegs {
        itr: 0,
        tadv: 0,
        radv: 0,
        rdtr: 0,
    };

    #[test]
    fn line_follows_icr_and_ims_without_mitigation() {
        let mut i = Interrupts::default();
        assert_eq!(
            i.update(ICR_LSC, 0, NONE),
            None,
            "masked cause keeps the line low"
        );
        assert_eq!(i.set_mask(ICR_LSC, 0, NONE), Some(true));
        assert_eq!(i.window_end(), None);
        assert_eq!(i.update(0, 0, NONE), Some(false));
        assert_eq!(i.update(ICR_LSC, 0, NONE), Some(true));
        assert_eq!(i.clear_mask(ICR_LSC, 0, NONE), Some(false));
    }

    #[test]
    fn window_takes_the_smallest_programmed_delay_with_a_floor() {
        let mut i = Interrupts::default();
        i.set_mask(u32::MAX, 0, NONE);
        let regs = MitigationRegs {
            itr: 1000,
            tadv: 100,
            radv: 600,
            rdtr: 1,
        };
        // RXT0: min(RADV*4 = 2400, ITR = 1000) = 1000; TADV does not count without IDE.
        assert_eq!(i.update(ICR_RXT0 | ICR_TXDW, 10, regs), Some(true));
        assert_eq!(i.window_end(), Some(10 + 1000 * 256));
        i.update(0, 20, regs);
        i.expire(u64::MAX, regs);
        // With IDE, TADV*4 = 400 is the smallest, floored to 500.
        i.note_tx_ide();
        assert_eq!(i.update(ICR_TXDW, 30, regs), Some(true));
        assert_eq!(i.window_end(), Some(30 + 500 * 256));
    }
}
