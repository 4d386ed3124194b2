//! BAR0 register offsets and the bits of the registers the driver programs.
//!
//! Every register is a [`Reg`]: a byte offset into BAR0 that is, by construction, 4-aligned
//! and inside the 128 KiB window. The only ways to get one are the named constants below and
//! the bounds-checked constructors for the register arrays ([`Reg::mta`], [`Reg::ral`],
//! [`Reg::rah`]), so an implementation of [`Registers`](super::Registers) over a mapped BAR0
//! may rely on that invariant when it turns an offset into a pointer.
//!
//! The bits of each register live in a module named after it ([`ctrl`], [`rctl`], ...), so a
//! call site reads `rctl::EN | rctl::BAM` and cannot mix up registers whose bits share names.

/// Size of BAR0 (memory mapped registers) in bytes: 128 KiB.
pub const BAR0_SIZE: u32 = 128 * 1024;

/// A 32-bit register of BAR0, named by its byte offset.
///
/// Invariant: `offset() % 4 == 0` and `offset() < BAR0_SIZE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(u32);

#[allow(
    clippy::cast_possible_truncation,
    reason = "array indices are checked against the array lengths (at most 128) first"
)]
impl Reg {
    /// The byte offset into BAR0.
    #[must_use]
    pub const fn offset(self) -> u32 {
        self.0
    }

    /// Multicast table array register `index` (0..128), or `None` past the end.
    #[must_use]
    pub const fn mta(index: usize) -> Option<Self> {
        if index < MTA_LEN {
            // `index < 128`, so the offset stays below 0x5400.
            Some(Self(MTA_BASE + 4 * index as u32))
        } else {
            None
        }
    }

    /// Receive address low register of entry `index` (0..16), or `None` past the end.
    #[must_use]
    pub const fn ral(index: usize) -> Option<Self> {
        if index < RA_ENTRIES {
            Some(Self(RA_BASE + 8 * index as u32))
        } else {
            None
        }
    }

    /// Receive address high register of entry `index` (0..16), or `None` past the end.
    #[must_use]
    pub const fn rah(index: usize) -> Option<Self> {
        if index < RA_ENTRIES {
            Some(Self(RA_BASE + 4 + 8 * index as u32))
        } else {
            None
        }
    }
}

/// Device control.
pub const CTRL: Reg = Reg(0x0000);
/// Device status (read only).
pub const STATUS: Reg = Reg(0x0008);
/// EEPROM read.
pub const EERD: Reg = Reg(0x0014);
/// MDI control: reads and writes of the PHY's registers (8254x manual §13.4.30).
pub const MDIC: Reg = Reg(0x0020);
/// Interrupt cause read: reading clears every cause (and drops the line); writing clears the
/// written bits.
pub const ICR: Reg = Reg(0x00C0);
/// Interrupt throttling rate (256 ns units; 0 = no throttling).
pub const ITR: Reg = Reg(0x00C4);
/// Interrupt cause set: writing raises the written causes.
pub const ICS: Reg = Reg(0x00C8);
/// Interrupt mask set: writing enables the written causes; reading returns the mask.
pub const IMS: Reg = Reg(0x00D0);
/// Interrupt mask clear: writing disables the written causes.
pub const IMC: Reg = Reg(0x00D8);
/// Receive control.
pub const RCTL: Reg = Reg(0x0100);
/// Transmit control.
pub const TCTL: Reg = Reg(0x0400);
/// Transmit inter-packet gap.
pub const TIPG: Reg = Reg(0x0410);
/// Receive descriptor base address, low 32 bits.
pub const RDBAL: Reg = Reg(0x2800);
/// Receive descriptor base address, high 32 bits.
pub const RDBAH: Reg = Reg(0x2804);
/// Receive descriptor ring length in bytes.
pub const RDLEN: Reg = Reg(0x2808);
/// Receive descriptor head (advanced by the NIC).
pub const RDH: Reg = Reg(0x2810);
/// Receive descriptor tail (advanced by the driver).
pub const RDT: Reg = Reg(0x2818);
/// Receive delay timer.
pub const RDTR: Reg = Reg(0x2820);
/// Receive absolute interrupt delay.
pub const RADV: Reg = Reg(0x282C);
/// Transmit descriptor base address, low 32 bits.
pub const TDBAL: Reg = Reg(0x3800);
/// Transmit descriptor base address, high 32 bits.
pub const TDBAH: Reg = Reg(0x3804);
/// Transmit descriptor ring length in bytes.
pub const TDLEN: Reg = Reg(0x3808);
/// Transmit descriptor head (advanced by the NIC).
pub const TDH: Reg = Reg(0x3810);
/// Transmit descriptor tail (advanced by the driver).
pub const TDT: Reg = Reg(0x3818);
/// Transmit interrupt delay value.
pub const TIDV: Reg = Reg(0x3820);
/// Transmit absolute interrupt delay.
pub const TADV: Reg = Reg(0x382C);

/// Offset of the first multicast table array register.
const MTA_BASE: u32 = 0x5200;
/// Number of multicast table array registers (4096 hash bits).
pub const MTA_LEN: usize = 128;
/// Offset of receive address low, entry 0 (entry `n` is 8 bytes further per step).
const RA_BASE: u32 = 0x5400;
/// Number of receive address entries.
pub const RA_ENTRIES: usize = 16;

/// Statistics registers (0x4000–0x40FF). Each clears when read, so every read must be added
/// to a running total (see [`Statistics`](super::Statistics)).
pub mod stats {
    use super::Reg;

    /// CRC error count.
    pub const CRCERRS: Reg = Reg(0x4000);
    /// Alignment error count.
    pub const ALGNERRC: Reg = Reg(0x4004);
    /// Symbol error count.
    pub const SYMERRS: Reg = Reg(0x4008);
    /// Receive error count.
    pub const RXERRC: Reg = Reg(0x400C);
    /// Missed packets (no room in the receive FIFO or no descriptor).
    pub const MPC: Reg = Reg(0x4010);
    /// Collision count.
    pub const COLC: Reg = Reg(0x4028);
    /// Good packets received.
    pub const GPRC: Reg = Reg(0x4074);
    /// Broadcast packets received.
    pub const BPRC: Reg = Reg(0x4078);
    /// Multicast packets received.
    pub const MPRC: Reg = Reg(0x407C);
    /// Good packets transmitted.
    pub const GPTC: Reg = Reg(0x4080);
    /// Good octets received, low 32 bits (read before the high half).
    pub const GORCL: Reg = Reg(0x4088);
    /// Good octets received, high 32 bits.
    pub const GORCH: Reg = Reg(0x408C);
    /// Good octets transmitted, low 32 bits (read before the high half).
    pub const GOTCL: Reg = Reg(0x4090);
    /// Good octets transmitted, high 32 bits.
    pub const GOTCH: Reg = Reg(0x4094);
    /// Receive no buffers (frames that found no free descriptor).
    pub const RNBC: Reg = Reg(0x40A0);
    /// Receive undersize count.
    pub const RUC: Reg = Reg(0x40A4);
    /// Receive oversize count.
    pub const ROC: Reg = Reg(0x40AC);
    /// Total packets received.
    pub const TPR: Reg = Reg(0x40D0);
    /// Total packets transmitted.
    pub const TPT: Reg = Reg(0x40D4);
    /// Multicast packets transmitted.
    pub const MPTC: Reg = Reg(0x40F0);
    /// Broadcast packets transmitted.
    pub const BPTC: Reg = Reg(0x40F4);
}

/// CTRL bits.
pub mod ctrl {
    /// Link reset: held set, the link stays down.
    pub const LRST: u32 = 1 << 3;
    /// Auto-speed detection enable.
    pub const ASDE: u32 = 1 << 5;
    /// Set link up (the MAC follows the PHY's link instead of forcing it down).
    pub const SLU: u32 = 1 << 6;
    /// Device reset; self-clearing when the reset is done.
    pub const RST: u32 = 1 << 26;
    /// VLAN mode enable (the driver does not tag).
    pub const VME: u32 = 1 << 30;
    /// PHY reset.
    pub const PHY_RST: u32 = 1 << 31;
}

/// STATUS bits.
pub mod status {
    /// Full duplex.
    pub const FD: u32 = 1 << 0;
    /// Link up.
    pub const LU: u32 = 1 << 1;
    /// Shift of the 2-bit speed field (0 = 10, 1 = 100, 2 and 3 = 1000 Mb/s).
    pub const SPEED_SHIFT: u32 = 6;
}

/// EERD fields.
pub mod eerd {
    /// Start a read of the word whose address is in the address field.
    pub const START: u32 = 1 << 0;
    /// The read is done and the data field is valid.
    pub const DONE: u32 = 1 << 4;
    /// Shift of the word address field.
    pub const ADDR_SHIFT: u32 = 8;
    /// Shift of the 16-bit data field.
    pub const DATA_SHIFT: u32 = 16;
}

/// RCTL bits and fields.
pub mod rctl {
    /// Receiver enable.
    pub const EN: u32 = 1 << 1;
    /// Unicast promiscuous: accept every unicast frame.
    pub const UPE: u32 = 1 << 3;
    /// Multicast promiscuous: accept every group-addressed frame.
    pub const MPE: u32 = 1 << 4;
    /// Long packet enable (frames over 1522 bytes); the driver leaves it clear.
    pub const LPE: u32 = 1 << 5;
    /// Shift of the 2-bit descriptor minimum threshold field (0 = half the ring).
    pub const RDMTS_SHIFT: u32 = 8;
    /// Shift of the 2-bit multicast offset field (0 = hash on address bits 47:36).
    pub const MO_SHIFT: u32 = 12;
    /// Broadcast accept mode.
    pub const BAM: u32 = 1 << 15;
    /// Shift of the 2-bit buffer size field.
    pub const BSIZE_SHIFT: u32 = 16;
    /// Buffer size extension: multiplies the BSIZE sizes by 16.
    pub const BSEX: u32 = 1 << 25;
    /// Strip the Ethernet CRC before the frame is written to memory.
    pub const SECRC: u32 = 1 << 26;
    /// The bits a packet filter decides (see [`ReceiveFilter`](crate::e1000::ReceiveFilter)).
    pub const FILTER_MASK: u32 = EN | UPE | MPE | BAM;
}

/// TCTL bits and fields.
pub mod tctl {
    /// Transmitter enable.
    pub const EN: u32 = 1 << 1;
    /// Pad short packets to 64 bytes.
    pub const PSP: u32 = 1 << 3;
    /// Shift of the collision threshold field (bits 4–11).
    pub const CT_SHIFT: u32 = 4;
    /// Shift of the collision distance field (bits 12–21).
    pub const COLD_SHIFT: u32 = 12;
    /// Collision threshold the manual recommends, 0x0F (retries; matters in half duplex only).
    pub const CT_DEFAULT: u32 = 0x0F;
    /// Collision distance for full duplex (64-byte slot time).
    pub const COLD_FULL_DUPLEX: u32 = 0x40;
}

/// TIPG fields.
pub mod tipg {
    /// Shift of IPGR1.
    pub const IPGR1_SHIFT: u32 = 10;
    /// Shift of IPGR2.
    pub const IPGR2_SHIFT: u32 = 20;
    /// The values the reference gives for the 82540EM's copper interface: IPGT 10, IPGR1 8,
    /// IPGR2 6.
    pub const COPPER: u32 = 0xA | (8 << IPGR1_SHIFT) | (6 << IPGR2_SHIFT);
}

/// RAH bits.
pub mod rah {
    /// Address valid: the entry takes part in filtering.
    pub const AV: u32 = 1 << 31;
}

/// A set of interrupt causes, as ICR, ICS, IMS and IMC hold them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Causes(u32);

impl Causes {
    /// No cause.
    pub const NONE: Self = Self(0);
    /// Transmit descriptor written back (a descriptor with RS completed).
    pub const TXDW: Self = Self(1 << 0);
    /// Transmit queue empty.
    pub const TXQE: Self = Self(1 << 1);
    /// Link status change.
    pub const LSC: Self = Self(1 << 2);
    /// Receive descriptors fell to the minimum threshold.
    pub const RXDMT0: Self = Self(1 << 4);
    /// Receiver overrun: a frame found no descriptor.
    pub const RXO: Self = Self(1 << 6);
    /// Receiver timer: frames were written back.
    pub const RXT0: Self = Self(1 << 7);
    /// Every cause bit: what IMC is written with to mask everything.
    pub const ALL: Self = Self(u32::MAX);
    /// The causes the driver enables after bring-up: link, receive and transmit completion.
    pub const DRIVER: Self = Self(Self::LSC.0 | Self::RXT0.0 | Self::RXDMT0.0 | Self::TXDW.0);
    /// The transmit causes: a descriptor written back, the queue empty.
    pub const TX: Self = Self(Self::TXDW.0 | Self::TXQE.0);
    /// The receive causes: a frame received (timer), the ring low, an overrun.
    pub const RX: Self = Self(Self::RXT0.0 | Self::RXDMT0.0 | Self::RXO.0);

    /// Causes from the raw register value.
    #[must_use]
    pub const fn from_bits(bits: u32) -> Self {
        Self(bits)
    }

    /// The raw register value.
    #[must_use]
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether no cause is set.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether any cause of `other` is set in `self`.
    #[must_use]
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether every cause of `other` is set in `self`.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The causes set in either.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The causes of `self` not in `other`.
    #[must_use]
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

impl core::ops::BitOr for Causes {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl core::ops::BitOrAssign for Causes {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = self.union(rhs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every named register, for the invariant check.
    const NAMED: [Reg; 50] = [
        CTRL,
        STATUS,
        EERD,
        ICR,
        ITR,
        ICS,
        IMS,
        IMC,
        RCTL,
        TCTL,
        TIPG,
        RDBAL,
        RDBAH,
        RDLEN,
        RDH,
        RDT,
        RDTR,
        RADV,
        TDBAL,
        TDBAH,
        TDLEN,
        TDH,
        TDT,
        TIDV,
        TADV,
        stats::CRCERRS,
        stats::ALGNERRC,
        stats::SYMERRS,
        stats::RXERRC,
        stats::MPC,
        stats::COLC,
        stats::GPRC,
        stats::BPRC,
        stats::MPRC,
        stats::GPTC,
        stats::GORCL,
        stats::GORCH,
        stats::GOTCL,
        stats::GOTCH,
        stats::RNBC,
        stats::RUC,
        stats::ROC,
        stats::TPR,
        stats::TPT,
        stats::MPTC,
        stats::BPTC,
        Reg(MTA_BASE),
        Reg(RA_BASE),
        Reg(RA_BASE + 4),
        Reg(0x40FC),
    ];

    #[test]
    fn every_register_is_aligned_and_inside_bar0() {
        let arrays = (0..MTA_LEN)
            .filter_map(Reg::mta)
            .chain((0..RA_ENTRIES).filter_map(Reg::ral))
            .chain((0..RA_ENTRIES).filter_map(Reg::rah));
        for reg in NAMED.into_iter().chain(arrays) {
            assert_eq!(reg.offset() % 4, 0, "{reg:?}");
            assert!(reg.offset() < BAR0_SIZE, "{reg:?}");
        }
    }

    #[test]
    fn arrays_are_bounds_checked_and_laid_out_as_the_manual_says() {
        assert_eq!(Reg::mta(0).map(Reg::offset), Some(0x5200));
        assert_eq!(Reg::mta(127).map(Reg::offset), Some(0x53FC));
        assert_eq!(Reg::mta(128), None);
        assert_eq!(Reg::ral(0).map(Reg::offset), Some(0x5400));
        assert_eq!(Reg::rah(0).map(Reg::offset), Some(0x5404));
        assert_eq!(Reg::ral(15).map(Reg::offset), Some(0x5478));
        assert_eq!(Reg::rah(15).map(Reg::offset), Some(0x547C));
        assert_eq!(Reg::ral(16), None);
        assert_eq!(Reg::rah(16), None);
    }

    #[test]
    fn bits_match_the_reference() {
        assert_eq!(ctrl::RST, 0x0400_0000);
        assert_eq!(ctrl::SLU | ctrl::ASDE, 0x60);
        assert_eq!(rctl::EN | rctl::BAM | rctl::SECRC, 0x0400_8002);
        assert_eq!(tipg::COPPER, 0x0060_200A);
        assert_eq!(Causes::DRIVER.bits(), 0x95);
        assert_eq!((Causes::TXDW | Causes::TXQE).bits(), 3);
        assert_eq!(Causes::RXO.bits(), 0x40);
    }

    #[test]
    fn cause_sets_behave_as_sets() {
        let c = Causes::from_bits(0x84);
        assert!(c.contains(Causes::LSC));
        assert!(c.contains(Causes::LSC | Causes::RXT0));
        assert!(!c.contains(Causes::LSC | Causes::TXDW));
        assert!(c.intersects(Causes::DRIVER));
        assert!(!c.intersects(Causes::TXQE));
        assert_eq!(c.difference(Causes::LSC), Causes::RXT0);
        assert!(Causes::NONE.is_empty());
        let mut d = Causes::NONE;
        d |= Causes::RXO;
        assert_eq!(d.bits(), 0x40);
    }
}
