//! The PHY behind MDIC: register reads and writes over the MDI interface, and the one
//! operation the driver needs, restarting auto-negotiation (8254x manual §13.4.30 MDIC; PHY
//! control register 0, IEEE 802.3 clause 22: bit 12 enables and bit 9 restarts
//! auto-negotiation).

use core::fmt;

use super::access::{POLL_INTERVAL_US, Registers, Stall};
use super::regs::MDIC;

/// MDIC: PHY register address, shift of the 5-bit field.
const REG_SHIFT: u32 = 16;
/// MDIC: PHY address, shift of the 5-bit field.
const PHY_SHIFT: u32 = 21;
/// MDIC opcode: write.
const OP_WRITE: u32 = 1 << 26;
/// MDIC opcode: read.
const OP_READ: u32 = 2 << 26;
/// MDIC: the access completed.
const READY: u32 = 1 << 28;
/// MDIC: the access failed (no PHY answered).
const ERROR: u32 = 1 << 30;
/// The MDIO address of the 8254x's internal PHY.
const PHY_ADDRESS: u32 = 1;
/// Polls of MDIC before an access is given up (640 µs; the manual's MDIO frame takes ~64 µs).
const MAX_POLLS: u32 = 64;

/// PHY register: control.
pub const PHY_CTRL: u8 = 0;
/// PHY control: restart auto-negotiation (self-clearing).
pub const CTRL_RESTART_AN: u16 = 1 << 9;
/// PHY control: auto-negotiation enable.
pub const CTRL_AN_ENABLE: u16 = 1 << 12;

/// An MDIC access that did not complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MdicError {
    /// MDIC.E: no PHY answered at the address.
    NoPhy,
    /// MDIC.R never set.
    Timeout,
    /// MDIC read all ones: the device is gone.
    Gone,
}

impl fmt::Display for MdicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoPhy => "MDIC: no PHY answered",
            Self::Timeout => "MDIC: access never completed",
            Self::Gone => "MDIC reads all ones: device gone",
        })
    }
}

/// One MDIC access (`op` with `data` to register `reg`), polled to completion.
fn access<R: Registers + ?Sized, S: Stall + ?Sized>(
    regs: &R,
    stall: &mut S,
    op: u32,
    reg: u8,
    data: u16,
) -> Result<u16, MdicError> {
    let request = op | (u32::from(reg & 0x1F) << REG_SHIFT) | (PHY_ADDRESS << PHY_SHIFT);
    regs.write(MDIC, request | u32::from(data));
    for _ in 0..MAX_POLLS {
        let value = regs.read(MDIC);
        if value == u32::MAX {
            return Err(MdicError::Gone);
        }
        if value & ERROR != 0 {
            return Err(MdicError::NoPhy);
        }
        if value & READY != 0 {
            return Ok(u16::try_from(value & 0xFFFF).unwrap_or(0));
        }
        stall.stall(POLL_INTERVAL_US);
    }
    Err(MdicError::Timeout)
}

/// Reads PHY register `reg`.
///
/// # Errors
/// [`MdicError`] when the access fails or never completes.
pub fn read<R: Registers + ?Sized, S: Stall + ?Sized>(
    regs: &R,
    stall: &mut S,
    reg: u8,
) -> Result<u16, MdicError> {
    access(regs, stall, OP_READ, reg, 0)
}

/// Writes `value` to PHY register `reg`.
///
/// # Errors
/// [`MdicError`] when the access fails or never completes.
pub fn write<R: Registers + ?Sized, S: Stall + ?Sized>(
    regs: &R,
    stall: &mut S,
    reg: u8,
    value: u16,
) -> Result<(), MdicError> {
    access(regs, stall, OP_WRITE, reg, value).map(|_| ())
}

/// Restarts auto-negotiation: PHY control read, then written back with auto-negotiation
/// enabled and restarted (the rest of the register kept). A new link result arrives as LSC.
///
/// # Errors
/// [`MdicError`] when an access fails.
pub fn restart_autonegotiation<R: Registers + ?Sized, S: Stall + ?Sized>(
    regs: &R,
    stall: &mut S,
) -> Result<(), MdicError> {
    let control = read(regs, stall, PHY_CTRL)?;
    write(
        regs,
        stall,
        PHY_CTRL,
        control | CTRL_AN_ENABLE | CTRL_RESTART_AN,
    )
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;
    use crate::e1000::access::testing::{Access, CountingStall, FakeRegs};

    /// A PHY that completes every access at once and reads control as 0x1140.
    fn instant(offset: u32, stored: u32) -> u32 {
        if offset == MDIC.offset() {
            let data = if stored & OP_READ != 0 {
                0x1140
            } else {
                stored & 0xFFFF
            };
            return (stored & !0xFFFF) | data | READY;
        }
        stored
    }

    #[test]
    fn restart_sets_bits_12_and_9_of_the_control_register() {
        let regs = FakeRegs {
            on_read: Some(instant),
            ..FakeRegs::default()
        };
        restart_autonegotiation(&regs, &mut CountingStall::default()).unwrap();
        let writes: Vec<u32> = regs
            .log
            .borrow()
            .iter()
            .filter_map(|a| match *a {
                Access::Write(o, v) if o == MDIC.offset() => Some(v),
                _ => None,
            })
            .collect();
        assert_eq!(writes.len(), 2, "a read, then a write");
        assert_eq!(writes[0] & (3 << 26), OP_READ);
        assert_eq!(writes[1] & (3 << 26), OP_WRITE);
        assert_eq!((writes[1] >> PHY_SHIFT) & 0x1F, PHY_ADDRESS);
        assert_eq!((writes[1] >> REG_SHIFT) & 0x1F, u32::from(PHY_CTRL));
        assert_eq!(writes[1] & 0xFFFF, 0x1140 | 0x1000 | 0x0200);
    }

    #[test]
    fn a_silent_or_missing_phy_is_an_error_not_a_hang() {
        let regs = FakeRegs::default();
        let mut stall = CountingStall::default();
        assert_eq!(read(&regs, &mut stall, PHY_CTRL), Err(MdicError::Timeout));
        assert_eq!(stall.calls, MAX_POLLS);
        let gone = FakeRegs {
            on_read: Some(|_, _| u32::MAX),
            ..FakeRegs::default()
        };
        assert_eq!(read(&gone, &mut stall, PHY_CTRL), Err(MdicError::Gone));
    }
}
