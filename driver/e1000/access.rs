//! How this layer reaches the NIC: 32-bit register accesses and a short busy wait, both
//! supplied by the caller.
//!
//! Keeping them behind traits is what makes the bring-up logic testable on any machine: the
//! NDIS layer implements [`Registers`] with `NdisReadRegisterUlong`/`NdisWriteRegisterUlong`
//! over the mapped BAR0 and [`Stall`] with `NdisStallExecution`; tests implement them over
//! the device model or a scripted register file.

use super::regs::Reg;

/// 32-bit access to the NIC's memory-mapped registers (BAR0).
///
/// Accesses take `&self`: a register access is a side effect on the device, not on the
/// implementing value, and the ISR, DPC and send paths all touch registers through one
/// shared mapping. Implementations must perform every call as exactly one 32-bit access, in
/// program order (volatile, uncached), because reads have side effects (ICR and the
/// statistics registers clear when read).
pub trait Registers {
    /// Reads the register.
    fn read(&self, reg: Reg) -> u32;

    /// Writes the register.
    fn write(&self, reg: Reg, value: u32);

    /// Read-modify-write: sets the bits of `set`, then clears the bits of `clear`.
    fn modify(&self, reg: Reg, set: u32, clear: u32) {
        let value = self.read(reg);
        self.write(reg, (value | set) & !clear);
    }
}

impl<R: Registers + ?Sized> Registers for &R {
    fn read(&self, reg: Reg) -> u32 {
        (**self).read(reg)
    }

    fn write(&self, reg: Reg, value: u32) {
        (**self).write(reg, value);
    }
}

/// A short busy wait between polls of a register.
///
/// The NDIS layer implements it with `NdisStallExecution`, which must not be asked for more
/// than 50 µs per call; this layer never asks for more than [`POLL_INTERVAL_US`].
pub trait Stall {
    /// Waits at least `microseconds` (at most [`POLL_INTERVAL_US`]).
    fn stall(&mut self, microseconds: u32);
}

/// The interval between two polls of a register that the NIC is expected to change, in µs.
/// Below the 50 µs `NdisStallExecution` allows per call.
pub const POLL_INTERVAL_US: u32 = 10;

/// A poll that gave up: the condition was still false after `waited_us` microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollTimeout {
    /// The last value read.
    pub last: u32,
    /// Microseconds stalled in total.
    pub waited_us: u32,
}

/// Reads `reg` until `done(value)` holds, stalling [`POLL_INTERVAL_US`] between reads, for at
/// most `timeout_us` microseconds in total. Returns the value that satisfied `done`.
///
/// The register is read once more after the last stall, so a change that lands during the
/// final interval is still seen.
///
/// # Errors
/// [`PollTimeout`] with the last value read when `done` never held.
pub fn poll<R: Registers + ?Sized, S: Stall + ?Sized>(
    regs: &R,
    stall: &mut S,
    reg: Reg,
    timeout_us: u32,
    done: impl Fn(u32) -> bool,
) -> Result<u32, PollTimeout> {
    let mut waited_us = 0u32;
    loop {
        let value = regs.read(reg);
        if done(value) {
            return Ok(value);
        }
        if waited_us >= timeout_us {
            return Err(PollTimeout {
                last: value,
                waited_us,
            });
        }
        let step = POLL_INTERVAL_US.min(timeout_us - waited_us);
        stall.stall(step);
        waited_us += step;
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A scripted register file for the unit tests of this layer.

    use core::cell::RefCell;

    use alloc::collections::BTreeMap;
    use alloc::vec::Vec;

    use super::{Registers, Stall};
    use crate::e1000::regs::Reg;

    /// Plain storage with a log of every access, and an optional hook that may change what
    /// a read returns.
    #[derive(Default)]
    pub(crate) struct FakeRegs {
        pub(crate) values: RefCell<BTreeMap<u32, u32>>,
        pub(crate) log: RefCell<Vec<Access>>,
        /// Called on every read with (offset, stored value); returns what the read yields.
        pub(crate) on_read: Option<fn(u32, u32) -> u32>,
    }

    /// One logged access.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum Access {
        Read(u32),
        Write(u32, u32),
    }

    impl FakeRegs {
        pub(crate) fn get(&self, reg: Reg) -> u32 {
            self.values
                .borrow()
                .get(&reg.offset())
                .copied()
                .unwrap_or(0)
        }

        pub(crate) fn set(&self, reg: Reg, value: u32) {
            self.values.borrow_mut().insert(reg.offset(), value);
        }

        pub(crate) fn writes(&self) -> Vec<(u32, u32)> {
            self.log
                .borrow()
                .iter()
                .filter_map(|a| match *a {
                    Access::Write(o, v) => Some((o, v)),
                    Access::Read(_) => None,
                })
                .collect()
        }
    }

    impl Registers for FakeRegs {
        fn read(&self, reg: Reg) -> u32 {
            self.log.borrow_mut().push(Access::Read(reg.offset()));
            let stored = self.get(reg);
            self.on_read.map_or(stored, |f| f(reg.offset(), stored))
        }

        fn write(&self, reg: Reg, value: u32) {
            self.log
                .borrow_mut()
                .push(Access::Write(reg.offset(), value));
            self.set(reg, value);
        }
    }

    /// Counts the time stalled and the longest single stall.
    #[derive(Default)]
    pub(crate) struct CountingStall {
        pub(crate) total_us: u64,
        pub(crate) longest_us: u32,
        pub(crate) calls: u32,
    }

    impl Stall for CountingStall {
        fn stall(&mut self, microseconds: u32) {
            self.total_us += u64::from(microseconds);
            self.longest_us = self.longest_us.max(microseconds);
            self.calls += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{CountingStall, FakeRegs};
    use super::*;
    use crate::e1000::regs::{CTRL, STATUS};

    #[test]
    fn poll_returns_as_soon_as_the_condition_holds() {
        let regs = FakeRegs::default();
        regs.set(STATUS, 2);
        let mut stall = CountingStall::default();
        assert_eq!(poll(&regs, &mut stall, STATUS, 100, |v| v & 2 != 0), Ok(2));
        assert_eq!(stall.calls, 0);
    }

    #[test]
    fn poll_gives_up_after_the_timeout_in_short_stalls() {
        let regs = FakeRegs::default();
        regs.set(CTRL, 7);
        let mut stall = CountingStall::default();
        let err = poll(&regs, &mut stall, CTRL, 95, |v| v == 0).unwrap_err();
        assert_eq!(
            err,
            PollTimeout {
                last: 7,
                waited_us: 95
            }
        );
        assert_eq!(stall.total_us, 95);
        assert!(stall.longest_us <= POLL_INTERVAL_US);
        assert_eq!(stall.calls, 10);
    }

    #[test]
    fn modify_sets_then_clears() {
        let regs = FakeRegs::default();
        regs.set(CTRL, 0b1010);
        regs.modify(CTRL, 0b0101, 0b1000);
        assert_eq!(regs.get(CTRL), 0b0111);
    }
}
