//! Receive filtering: which frames the NIC passes up, as RCTL bits, the multicast table
//! (MTA) hash and the receive address (RA) entries.
//!
//! The NIC filters coarsely: the station address always passes, the MTA is a 4096-bit hash
//! table (different groups can share a bit), and nothing can turn off directed frames alone.
//! [`ReceiveFilter::accepts`] gives the exact answer for a destination, so the layer above
//! can drop what the hardware let through but the stack did not ask for.

use super::access::Registers;
use super::mac::MacAddress;
use super::regs::{MTA_LEN, RCTL, Reg, rah, rctl};
use super::rx_ring::BufferSize;

/// Which kinds of frame the stack wants (the NDIS packet filter, in this layer's terms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent switches, one per packet type, as the stack sets them"
)]
pub struct ReceiveFilter {
    /// Frames to the station address.
    pub directed: bool,
    /// Frames to the listed multicast groups.
    pub multicast: bool,
    /// Frames to any multicast group.
    pub all_multicast: bool,
    /// Broadcast frames.
    pub broadcast: bool,
    /// Every frame.
    pub promiscuous: bool,
}

impl ReceiveFilter {
    /// Nothing: the receiver is turned off.
    pub const NONE: Self = Self {
        directed: false,
        multicast: false,
        all_multicast: false,
        broadcast: false,
        promiscuous: false,
    };

    /// Whether any kind of frame is wanted.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        !(self.directed
            || self.multicast
            || self.all_multicast
            || self.broadcast
            || self.promiscuous)
    }

    /// The filter bits of RCTL: EN when anything is wanted (the receiver is off otherwise,
    /// since the station address cannot be filtered out), UPE for promiscuous, MPE for
    /// all-multicast (or promiscuous), BAM for broadcast (or promiscuous). Listed multicast
    /// needs no bit: the MTA does it.
    #[must_use]
    pub const fn rctl_bits(&self) -> u32 {
        if self.is_empty() {
            return 0;
        }
        let mut bits = rctl::EN;
        if self.promiscuous {
            bits |= rctl::UPE | rctl::MPE | rctl::BAM;
        }
        if self.all_multicast {
            bits |= rctl::MPE;
        }
        if self.broadcast {
            bits |= rctl::BAM;
        }
        bits
    }

    /// The whole RCTL value the driver runs with: the filter bits, `buffer`'s size bits,
    /// CRC stripping, MO = 0 (the hash of [`mta_hash`]), RDMTS = half the ring, and no long
    /// packets.
    #[must_use]
    pub const fn rctl(&self, buffer: BufferSize) -> u32 {
        self.rctl_bits() | buffer.rctl_bits() | rctl::SECRC
    }

    /// Whether the stack wants a frame to `dst`, exactly: `station` is the current address,
    /// `groups` the multicast list.
    #[must_use]
    pub fn accepts(&self, dst: MacAddress, station: MacAddress, groups: &[MacAddress]) -> bool {
        if self.promiscuous {
            return true;
        }
        if dst.is_broadcast() {
            self.broadcast
        } else if dst.is_group() {
            self.all_multicast || (self.multicast && groups.contains(&dst))
        } else {
            self.directed && dst == station
        }
    }
}

/// The MTA bit of a destination address with RCTL.MO = 0: address bits 47:36, counting the
/// address as a 48-bit number whose first octet is its least significant byte. That is the
/// high nibble of octet 4 followed by octet 5. Bits 11:5 pick the MTA register, bits 4:0 the
/// bit in it.
#[must_use]
pub const fn mta_hash(dst: MacAddress) -> u16 {
    let o = dst.0;
    ((o[5] as u16) << 4) | ((o[4] as u16) >> 4)
}

/// The multicast table array: 4096 hash bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MulticastTable([u32; MTA_LEN]);

impl Default for MulticastTable {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl MulticastTable {
    /// No bit set: no multicast frame passes the hash.
    pub const EMPTY: Self = Self([0; MTA_LEN]);

    /// The table with the bit of every address of `groups` set.
    #[must_use]
    pub fn from_groups(groups: &[MacAddress]) -> Self {
        let mut table = Self::EMPTY;
        for &group in groups {
            table.insert(group);
        }
        table
    }

    /// Sets the bit of `group`.
    pub fn insert(&mut self, group: MacAddress) {
        let hash = usize::from(mta_hash(group));
        self.0[hash >> 5] |= 1 << (hash & 31);
    }

    /// Whether the bit of `dst` is set (the frame passes the hash).
    #[must_use]
    pub fn contains(&self, dst: MacAddress) -> bool {
        let hash = usize::from(mta_hash(dst));
        self.0[hash >> 5] & (1 << (hash & 31)) != 0
    }

    /// The 128 register values.
    #[must_use]
    pub const fn words(&self) -> &[u32; MTA_LEN] {
        &self.0
    }

    /// Writes the table to the NIC's MTA registers.
    pub fn program<R: Registers + ?Sized>(&self, regs: &R) {
        for (index, &word) in self.0.iter().enumerate() {
            if let Some(reg) = Reg::mta(index) {
                regs.write(reg, word);
            }
        }
    }
}

/// Programs receive address entry `index` (0 is the station address) with `address`, valid.
/// Returns `false`, writing nothing, when `index` is not below 16.
///
/// The entry is invalidated first and the valid bit set last, so the NIC never matches a
/// half-written address.
pub fn program_receive_address<R: Registers + ?Sized>(
    regs: &R,
    index: usize,
    address: MacAddress,
) -> bool {
    let (Some(low), Some(high)) = (Reg::ral(index), Reg::rah(index)) else {
        return false;
    };
    let octets = address.0;
    regs.write(high, 0);
    regs.write(
        low,
        u32::from_le_bytes([octets[0], octets[1], octets[2], octets[3]]),
    );
    regs.write(
        high,
        u32::from_le_bytes([octets[4], octets[5], 0, 0]) | rah::AV,
    );
    true
}

/// Reads receive address entry `index` back: the address if its valid bit is set.
#[must_use]
pub fn receive_address<R: Registers + ?Sized>(regs: &R, index: usize) -> Option<MacAddress> {
    let high = regs.read(Reg::rah(index)?);
    if high & rah::AV == 0 {
        return None;
    }
    let low = regs.read(Reg::ral(index)?).to_le_bytes();
    let high = high.to_le_bytes();
    Some(MacAddress([
        low[0], low[1], low[2], low[3], high[0], high[1],
    ]))
}

/// Applies a packet filter: rewrites RCTL's filter bits (keeping the others, such as the
/// buffer size) and, when listed multicast is wanted, the MTA from `groups`; otherwise the
/// MTA is cleared so no stale group passes.
pub fn apply<R: Registers + ?Sized>(regs: &R, filter: &ReceiveFilter, groups: &[MacAddress]) {
    let table = if filter.multicast {
        MulticastTable::from_groups(groups)
    } else {
        MulticastTable::EMPTY
    };
    table.program(regs);
    regs.modify(
        RCTL,
        filter.rctl_bits(),
        rctl::FILTER_MASK & !filter.rctl_bits(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::e1000::access::testing::FakeRegs;
    use crate::e1000::regs::RCTL;

    const STATION: MacAddress = MacAddress([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    const GROUP: MacAddress = MacAddress([0x01, 0x00, 0x5E, 0x00, 0x00, 0x01]);
    const OTHER_GROUP: MacAddress = MacAddress([0x33, 0x33, 0x00, 0x00, 0x00, 0xFB]);
    const PEER: MacAddress = MacAddress([0x02, 0x00, 0x00, 0xAA, 0xBB, 0xCC]);

    #[test]
    fn hash_is_bits_47_to_36() {
        // The manual's example: 12:34:56:78:9A:BC hashes to 0xBC9 with MO = 0.
        assert_eq!(
            mta_hash(MacAddress([0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC])),
            0xBC9
        );
        assert_eq!(mta_hash(GROUP), 0x010);
        assert_eq!(mta_hash(MacAddress([0, 0, 0, 0, 0xF0, 0xFF])), 0xFFF);
        assert_eq!(mta_hash(MacAddress([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0])), 0);
    }

    #[test]
    fn table_sets_the_hashed_bit_only() {
        let t = MulticastTable::from_groups(&[GROUP]);
        // Hash 0x010: register 0, bit 16.
        assert_eq!(t.words()[0], 1 << 16);
        assert_eq!(t.words().iter().filter(|&&w| w != 0).count(), 1);
        assert!(t.contains(GROUP));
        assert!(!t.contains(OTHER_GROUP));
        let both = MulticastTable::from_groups(&[GROUP, OTHER_GROUP]);
        assert!(both.contains(OTHER_GROUP));
        let fb = usize::from(mta_hash(OTHER_GROUP));
        assert_eq!(both.words()[fb >> 5], 1 << (fb & 31));
        assert_eq!(MulticastTable::default(), MulticastTable::EMPTY);
    }

    #[test]
    fn rctl_bits_follow_the_filter() {
        assert_eq!(ReceiveFilter::NONE.rctl_bits(), 0);
        let directed = ReceiveFilter {
            directed: true,
            ..ReceiveFilter::NONE
        };
        assert_eq!(directed.rctl_bits(), rctl::EN);
        let typical = ReceiveFilter {
            directed: true,
            multicast: true,
            broadcast: true,
            ..ReceiveFilter::NONE
        };
        assert_eq!(typical.rctl_bits(), rctl::EN | rctl::BAM);
        let allmulti = ReceiveFilter {
            all_multicast: true,
            ..ReceiveFilter::NONE
        };
        assert_eq!(allmulti.rctl_bits(), rctl::EN | rctl::MPE);
        let promisc = ReceiveFilter {
            promiscuous: true,
            ..ReceiveFilter::NONE
        };
        assert_eq!(
            promisc.rctl_bits(),
            rctl::EN | rctl::UPE | rctl::MPE | rctl::BAM
        );
        assert_eq!(
            typical.rctl(BufferSize::B2048),
            rctl::EN | rctl::BAM | rctl::SECRC
        );
    }

    #[test]
    fn accepts_is_exact() {
        let typical = ReceiveFilter {
            directed: true,
            multicast: true,
            broadcast: true,
            ..ReceiveFilter::NONE
        };
        let groups = [GROUP];
        assert!(typical.accepts(STATION, STATION, &groups));
        assert!(!typical.accepts(PEER, STATION, &groups));
        assert!(typical.accepts(GROUP, STATION, &groups));
        assert!(!typical.accepts(OTHER_GROUP, STATION, &groups));
        assert!(typical.accepts(MacAddress::BROADCAST, STATION, &groups));
        let multicast_only = ReceiveFilter {
            multicast: true,
            ..ReceiveFilter::NONE
        };
        assert!(!multicast_only.accepts(STATION, STATION, &groups));
        assert!(!multicast_only.accepts(MacAddress::BROADCAST, STATION, &groups));
        let allmulti = ReceiveFilter {
            all_multicast: true,
            ..ReceiveFilter::NONE
        };
        assert!(allmulti.accepts(OTHER_GROUP, STATION, &[]));
        let promisc = ReceiveFilter {
            promiscuous: true,
            ..ReceiveFilter::NONE
        };
        assert!(promisc.accepts(PEER, STATION, &[]));
    }

    #[test]
    fn receive_address_is_invalidated_written_then_validated() {
        let regs = FakeRegs::default();
        assert!(program_receive_address(&regs, 0, STATION));
        assert_eq!(
            regs.writes(),
            [(0x5404, 0), (0x5400, 0x1200_5452), (0x5404, 0x8000_5634)]
        );
        assert_eq!(receive_address(&regs, 0), Some(STATION));
        assert_eq!(receive_address(&regs, 1), None);
        assert!(!program_receive_address(&regs, 16, STATION));
        assert_eq!(receive_address(&regs, 16), None);
    }

    #[test]
    fn apply_keeps_the_other_rctl_bits_and_clears_stale_groups() {
        let regs = FakeRegs::default();
        regs.set(
            RCTL,
            rctl::EN | rctl::UPE | rctl::MPE | rctl::SECRC | (1 << 16),
        );
        let typical = ReceiveFilter {
            directed: true,
            multicast: true,
            broadcast: true,
            ..ReceiveFilter::NONE
        };
        apply(&regs, &typical, &[GROUP]);
        assert_eq!(
            regs.get(RCTL),
            rctl::EN | rctl::BAM | rctl::SECRC | (1 << 16)
        );
        assert_eq!(regs.get(Reg::mta(0).unwrap()), 1 << 16);
        apply(&regs, &ReceiveFilter::NONE, &[GROUP]);
        assert_eq!(regs.get(RCTL), rctl::SECRC | (1 << 16));
        assert_eq!(regs.get(Reg::mta(0).unwrap()), 0);
    }
}
