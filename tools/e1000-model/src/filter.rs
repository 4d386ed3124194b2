//! Receive address filtering: RCTL.UPE/MPE/BAM, the 16 receive address entries, and the
//! multicast table array.
//!
//! The order is QEMU's: unicast promiscuous accepts everything; multicast promiscuous accepts
//! any group address; BAM accepts broadcast; then an exact match against any valid receive
//! address entry; then the MTA hash bit. Like QEMU (and unlike the manual, which reserves the
//! MTA for multicast) the hash is looked up for every destination that reached it.

use crate::regs::{
    MTA, RA_ENTRIES, RAH_AV, RAH0, RAL0, RCTL_BAM, RCTL_MO_SHIFT, RCTL_MPE, RCTL_UPE, RegisterFile,
};

/// What kind of destination a frame has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Individual address (group bit clear).
    Unicast,
    /// Group address other than broadcast.
    Multicast,
    /// ff:ff:ff:ff:ff:ff.
    Broadcast,
}

impl Destination {
    /// Classifies a destination address.
    #[must_use]
    pub fn of(dst: &[u8; 6]) -> Self {
        if dst == &[0xFF; 6] {
            Self::Broadcast
        } else if dst[0] & 1 != 0 {
            Self::Multicast
        } else {
            Self::Unicast
        }
    }
}

/// The 12-bit MTA hash of `dst` for multicast offset `mo` (RCTL.MO, 0–3).
///
/// The manual's definition: MO = 0 takes address bits 47:36, 1 bits 46:35, 2 bits 45:34 and
/// 3 bits 43:32, counting the destination as a 48-bit little-endian number (so the hash comes
/// from the last two octets). Bits 11:5 of the hash pick the MTA register, bits 4:0 the bit.
#[must_use]
pub fn mta_hash(dst: &[u8; 6], mo: u32) -> u16 {
    let shift = match mo & 3 {
        0 => 4,
        1 => 3,
        2 => 2,
        _ => 0,
    };
    (u16::from_le_bytes([dst[4], dst[5]]) >> shift) & 0x0FFF
}

/// The destination address of a frame at least 6 bytes long.
pub(crate) fn destination(frame: &[u8]) -> [u8; 6] {
    let mut dst = [0u8; 6];
    for (d, s) in dst.iter_mut().zip(frame) {
        *d = *s;
    }
    dst
}

/// Whether the receive filter passes a frame with destination `dst` under `rctl`.
pub(crate) fn accepts(regs: &RegisterFile, rctl: u32, dst: [u8; 6]) -> bool {
    if rctl & RCTL_UPE != 0 {
        return true;
    }
    let kind = Destination::of(&dst);
    if kind != Destination::Unicast && rctl & RCTL_MPE != 0 {
        return true;
    }
    if kind == Destination::Broadcast && rctl & RCTL_BAM != 0 {
        return true;
    }
    for n in 0..RA_ENTRIES {
        let high = regs.get(RAH0 + 8 * n);
        if high & RAH_AV == 0 {
            continue;
        }
        let low = regs.get(RAL0 + 8 * n).to_le_bytes();
        let high = high.to_le_bytes();
        if dst == [low[0], low[1], low[2], low[3], high[0], high[1]] {
            return true;
        }
    }
    let hash = u32::from(mta_hash(&dst, rctl >> RCTL_MO_SHIFT));
    regs.get(MTA + 4 * (hash >> 5)) & (1 << (hash & 31)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_follows_the_manual_for_each_offset() {
        // 01:00:5e:00:00:01 → octets 4,5 = 0x00,0x01 → 0x0100 as a little-endian u16.
        let dst = [0x01, 0x00, 0x5E, 0x00, 0x00, 0x01];
        assert_eq!(mta_hash(&dst, 0), 0x010);
        assert_eq!(mta_hash(&dst, 1), 0x020);
        assert_eq!(mta_hash(&dst, 2), 0x040);
        assert_eq!(mta_hash(&dst, 3), 0x100);
        // The manual's worked example: 12:34:56:78:9A:BC with MO = 0 gives 0xBC9 —
        // octets 4,5 = 0x9A,0xBC → bits 47:36 = 0xBC9.
        let example = [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC];
        assert_eq!(mta_hash(&example, 0), 0xBC9);
        assert_eq!(mta_hash(&example, 3), 0xC9A);
    }

    #[test]
    fn classifies_destinations() {
        assert_eq!(Destination::of(&[0xFF; 6]), Destination::Broadcast);
        assert_eq!(
            Destination::of(&[0x01, 0, 0x5E, 0, 0, 1]),
            Destination::Multicast
        );
        assert_eq!(
            Destination::of(&[0x52, 0x54, 0, 0x12, 0x34, 0x56]),
            Destination::Unicast
        );
    }
}
