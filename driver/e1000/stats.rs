//! Running totals of the NIC's statistics counters.
//!
//! The NIC's counters clear when read, so each read yields what happened since the previous
//! one; [`Statistics::accumulate`] adds those deltas to 64-bit totals that only the driver
//! keeps. Reads must therefore be serialised (one lock, one reader), and every read must be
//! added: a value read and thrown away is lost for good.

use super::access::Registers;
use super::regs::{Reg, stats};

/// 64-bit running totals, wrapping like the interface counters they feed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Statistics {
    /// CRC errors (CRCERRS).
    pub crc_errors: u64,
    /// Alignment errors (ALGNERRC).
    pub alignment_errors: u64,
    /// Symbol errors (SYMERRS).
    pub symbol_errors: u64,
    /// Receive errors (RXERRC).
    pub rx_errors: u64,
    /// Missed packets (MPC).
    pub missed: u64,
    /// Collisions (COLC).
    pub collisions: u64,
    /// Good packets received (GPRC).
    pub rx_good: u64,
    /// Broadcast packets received (BPRC).
    pub rx_broadcast: u64,
    /// Multicast packets received (MPRC).
    pub rx_multicast: u64,
    /// Good octets received (GORCL/GORCH).
    pub rx_octets: u64,
    /// Frames that found no free descriptor (RNBC).
    pub rx_no_buffers: u64,
    /// Undersized frames received (RUC).
    pub rx_undersize: u64,
    /// Oversized frames received (ROC).
    pub rx_oversize: u64,
    /// All packets received (TPR).
    pub rx_total: u64,
    /// Good packets transmitted (GPTC).
    pub tx_good: u64,
    /// Good octets transmitted (GOTCL/GOTCH).
    pub tx_octets: u64,
    /// Multicast packets transmitted (MPTC).
    pub tx_multicast: u64,
    /// Broadcast packets transmitted (BPTC).
    pub tx_broadcast: u64,
    /// All packets transmitted (TPT).
    pub tx_total: u64,
}

/// Adds a 32-bit counter read to its total.
fn add<R: Registers + ?Sized>(total: &mut u64, regs: &R, reg: Reg) {
    *total = total.wrapping_add(u64::from(regs.read(reg)));
}

/// Adds a 64-bit counter read to its total. The low half is read first: the manual requires
/// that order, and the high half's read is the one that clears the pair.
fn add64<R: Registers + ?Sized>(total: &mut u64, regs: &R, low: Reg, high: Reg) {
    let low = u64::from(regs.read(low));
    let high = u64::from(regs.read(high));
    *total = total.wrapping_add((high << 32) | low);
}

impl Statistics {
    /// All totals zero.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            crc_errors: 0,
            alignment_errors: 0,
            symbol_errors: 0,
            rx_errors: 0,
            missed: 0,
            collisions: 0,
            rx_good: 0,
            rx_broadcast: 0,
            rx_multicast: 0,
            rx_octets: 0,
            rx_no_buffers: 0,
            rx_undersize: 0,
            rx_oversize: 0,
            rx_total: 0,
            tx_good: 0,
            tx_octets: 0,
            tx_multicast: 0,
            tx_broadcast: 0,
            tx_total: 0,
        }
    }

    /// Reads (and so clears) every counter kept here and adds it to the totals.
    pub fn accumulate<R: Registers + ?Sized>(&mut self, regs: &R) {
        add(&mut self.crc_errors, regs, stats::CRCERRS);
        add(&mut self.alignment_errors, regs, stats::ALGNERRC);
        add(&mut self.symbol_errors, regs, stats::SYMERRS);
        add(&mut self.rx_errors, regs, stats::RXERRC);
        add(&mut self.missed, regs, stats::MPC);
        add(&mut self.collisions, regs, stats::COLC);
        add(&mut self.rx_good, regs, stats::GPRC);
        add(&mut self.rx_broadcast, regs, stats::BPRC);
        add(&mut self.rx_multicast, regs, stats::MPRC);
        add64(&mut self.rx_octets, regs, stats::GORCL, stats::GORCH);
        add(&mut self.rx_no_buffers, regs, stats::RNBC);
        add(&mut self.rx_undersize, regs, stats::RUC);
        add(&mut self.rx_oversize, regs, stats::ROC);
        add(&mut self.rx_total, regs, stats::TPR);
        add(&mut self.tx_good, regs, stats::GPTC);
        add64(&mut self.tx_octets, regs, stats::GOTCL, stats::GOTCH);
        add(&mut self.tx_multicast, regs, stats::MPTC);
        add(&mut self.tx_broadcast, regs, stats::BPTC);
        add(&mut self.tx_total, regs, stats::TPT);
    }

    /// Adds `other`'s totals to these (wrapping, as the counters do).
    pub fn add(&mut self, other: &Self) {
        let pairs = [
            (&mut self.crc_errors, other.crc_errors),
            (&mut self.alignment_errors, other.alignment_errors),
            (&mut self.symbol_errors, other.symbol_errors),
            (&mut self.rx_errors, other.rx_errors),
            (&mut self.missed, other.missed),
            (&mut self.collisions, other.collisions),
            (&mut self.rx_good, other.rx_good),
            (&mut self.rx_broadcast, other.rx_broadcast),
            (&mut self.rx_multicast, other.rx_multicast),
            (&mut self.rx_octets, other.rx_octets),
            (&mut self.rx_no_buffers, other.rx_no_buffers),
            (&mut self.rx_undersize, other.rx_undersize),
            (&mut self.rx_oversize, other.rx_oversize),
            (&mut self.rx_total, other.rx_total),
            (&mut self.tx_good, other.tx_good),
            (&mut self.tx_octets, other.tx_octets),
            (&mut self.tx_multicast, other.tx_multicast),
            (&mut self.tx_broadcast, other.tx_broadcast),
            (&mut self.tx_total, other.tx_total),
        ];
        for (total, part) in pairs {
            *total = total.wrapping_add(part);
        }
    }

    /// Good unicast packets received: good packets that were neither broadcast nor
    /// multicast.
    #[must_use]
    pub const fn rx_unicast(&self) -> u64 {
        self.rx_good
            .wrapping_sub(self.rx_broadcast)
            .wrapping_sub(self.rx_multicast)
    }

    /// Good unicast packets transmitted.
    #[must_use]
    pub const fn tx_unicast(&self) -> u64 {
        self.tx_good
            .wrapping_sub(self.tx_broadcast)
            .wrapping_sub(self.tx_multicast)
    }

    /// Received frames the NIC counted as bad (CRC, alignment, symbol, receive errors,
    /// undersize, oversize).
    #[must_use]
    pub const fn rx_bad(&self) -> u64 {
        self.crc_errors
            .wrapping_add(self.alignment_errors)
            .wrapping_add(self.symbol_errors)
            .wrapping_add(self.rx_errors)
            .wrapping_add(self.rx_undersize)
            .wrapping_add(self.rx_oversize)
    }
}

#[cfg(test)]
mod tests {
    use core::cell::RefCell;

    use alloc::collections::BTreeMap;

    use super::*;
    use crate::e1000::access::testing::{Access, FakeRegs};

    /// Counters that clear when read, as the NIC's do.
    #[derive(Default)]
    struct ClearOnRead(RefCell<BTreeMap<u32, u32>>);

    impl ClearOnRead {
        fn set(&self, reg: Reg, value: u32) {
            self.0.borrow_mut().insert(reg.offset(), value);
        }
    }

    impl Registers for ClearOnRead {
        fn read(&self, reg: Reg) -> u32 {
            self.0.borrow_mut().remove(&reg.offset()).unwrap_or(0)
        }

        fn write(&self, reg: Reg, value: u32) {
            self.set(reg, value);
        }
    }

    #[test]
    fn accumulates_deltas_across_reads() {
        let regs = ClearOnRead::default();
        let mut s = Statistics::new();
        regs.set(stats::GPRC, 10);
        regs.set(stats::BPRC, 2);
        regs.set(stats::MPRC, 3);
        regs.set(stats::GORCL, 0xFFFF_FFF0);
        regs.set(stats::GORCH, 1);
        regs.set(stats::MPC, 4);
        s.accumulate(&regs);
        regs.set(stats::GPRC, 5);
        regs.set(stats::GORCL, 0x20);
        s.accumulate(&regs);
        assert_eq!(s.rx_good, 15);
        assert_eq!(s.rx_unicast(), 10);
        assert_eq!(s.rx_octets, 0x1_FFFF_FFF0 + 0x20);
        assert_eq!(s.missed, 4);
        // A third pass with nothing new changes nothing.
        let before = s;
        s.accumulate(&regs);
        assert_eq!(s, before);
    }

    #[test]
    fn reads_the_low_half_before_the_high_half() {
        let regs = FakeRegs::default();
        Statistics::new().accumulate(&regs);
        let log = regs.log.borrow();
        let pos = |o: Reg| log.iter().position(|a| *a == Access::Read(o.offset()));
        assert!(pos(stats::GORCL) < pos(stats::GORCH));
        assert!(pos(stats::GOTCL) < pos(stats::GOTCH));
        assert!(pos(stats::GORCH).is_some() && pos(stats::GOTCH).is_some());
    }

    #[test]
    fn totals_wrap_instead_of_overflowing() {
        let regs = FakeRegs::default();
        let mut s = Statistics {
            tx_good: u64::MAX,
            ..Statistics::new()
        };
        regs.set(stats::GPTC, 2);
        s.accumulate(&regs);
        assert_eq!(s.tx_good, 1);
        assert_eq!(Statistics::default(), Statistics::new());
    }

    #[test]
    fn derived_counts() {
        let s = Statistics {
            tx_good: 9,
            tx_broadcast: 1,
            tx_multicast: 2,
            crc_errors: 1,
            rx_oversize: 2,
            symbol_errors: 3,
            ..Statistics::new()
        };
        assert_eq!(s.tx_unicast(), 6);
        assert_eq!(s.rx_bad(), 6);
    }
}
