//! The link as STATUS reports it: up or down, duplex, speed.

use super::access::Registers;
use super::regs::{STATUS, status};

/// Link speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Speed {
    /// 10 Mb/s.
    Mbps10,
    /// 100 Mb/s.
    Mbps100,
    /// 1000 Mb/s.
    Mbps1000,
}

impl Speed {
    /// Bits per second, as link-state reports want it.
    #[must_use]
    pub const fn bits_per_second(self) -> u64 {
        match self {
            Self::Mbps10 => 10_000_000,
            Self::Mbps100 => 100_000_000,
            Self::Mbps1000 => 1_000_000_000,
        }
    }
}

/// The link state read from STATUS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkStatus {
    /// STATUS.LU.
    pub up: bool,
    /// STATUS.FD.
    pub full_duplex: bool,
    /// STATUS.SPEED (meaningful only while up).
    pub speed: Speed,
}

impl LinkStatus {
    /// Decodes a STATUS value.
    #[must_use]
    pub const fn from_status(value: u32) -> Self {
        let speed = match (value >> status::SPEED_SHIFT) & 3 {
            0 => Speed::Mbps10,
            1 => Speed::Mbps100,
            _ => Speed::Mbps1000,
        };
        Self {
            up: value & status::LU != 0,
            full_duplex: value & status::FD != 0,
            speed,
        }
    }

    /// Reads STATUS (no side effects) and decodes it.
    pub fn read<R: Registers + ?Sized>(regs: &R) -> Self {
        Self::from_status(regs.read(STATUS))
    }

    /// Reads STATUS, or `None` when it reads all ones: a removed PCI device answers every
    /// read so, and all ones would otherwise decode as "link up, full duplex".
    pub fn read_present<R: Registers + ?Sized>(regs: &R) -> Option<Self> {
        let status = regs.read(STATUS);
        (status != u32::MAX).then(|| Self::from_status(status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_ones_is_a_device_gone_not_a_link() {
        use crate::e1000::access::testing::FakeRegs;
        let regs = FakeRegs::default();
        regs.set(STATUS, u32::MAX);
        assert_eq!(LinkStatus::read_present(&regs), None);
        assert!(
            LinkStatus::read(&regs).up,
            "what the plain read would have said"
        );
        regs.set(STATUS, 0x8008_0783);
        assert!(LinkStatus::read_present(&regs).is_some_and(|l| l.up));
    }

    #[test]
    fn decodes_status() {
        // What QEMU's 82540EM reports with the link up.
        let s = LinkStatus::from_status(0x8008_0783);
        assert_eq!(
            s,
            LinkStatus {
                up: true,
                full_duplex: true,
                speed: Speed::Mbps1000
            }
        );
        assert_eq!(s.speed.bits_per_second(), 1_000_000_000);
        let down = LinkStatus::from_status(0x8008_0781);
        assert!(!down.up);
        assert_eq!(LinkStatus::from_status(0x40).speed, Speed::Mbps100);
        assert_eq!(LinkStatus::from_status(0).speed, Speed::Mbps10);
        assert_eq!(LinkStatus::from_status(0xC0).speed, Speed::Mbps1000);
        assert_eq!(Speed::Mbps100.bits_per_second(), 100_000_000);
        assert_eq!(Speed::Mbps10.bits_per_second(), 10_000_000);
    }
}
