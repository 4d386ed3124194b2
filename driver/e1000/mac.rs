//! Ethernet MAC addresses.

use core::fmt;

/// A 48-bit Ethernet address, first octet first (as on the wire).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddress(pub [u8; 6]);

impl MacAddress {
    /// ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: Self = Self([0xFF; 6]);

    /// The octets.
    #[must_use]
    pub const fn octets(self) -> [u8; 6] {
        self.0
    }

    /// Whether the group (I/G) bit is set: multicast or broadcast.
    #[must_use]
    pub const fn is_group(self) -> bool {
        self.0[0] & 1 != 0
    }

    /// Whether this is the broadcast address.
    #[must_use]
    pub fn is_broadcast(self) -> bool {
        self == Self::BROADCAST
    }

    /// Whether this is a multicast address other than broadcast.
    #[must_use]
    pub fn is_multicast(self) -> bool {
        self.is_group() && !self.is_broadcast()
    }

    /// Whether this can be a station's own address: not a group address and not all zero.
    #[must_use]
    pub fn is_valid_station(self) -> bool {
        !self.is_group() && self.0 != [0; 6]
    }

    /// The destination address of an Ethernet frame, or `None` if it is shorter than 6 bytes.
    #[must_use]
    pub fn destination_of(frame: &[u8]) -> Option<Self> {
        let octets: [u8; 6] = frame.get(..6)?.try_into().ok()?;
        Some(Self(octets))
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, octet) in self.0.iter().enumerate() {
            if i != 0 {
                out.write_str(":")?;
            }
            write!(out, "{octet:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn classifies_addresses() {
        let station = MacAddress([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        assert!(station.is_valid_station());
        assert!(!station.is_group());
        let group = MacAddress([0x01, 0x00, 0x5E, 0x00, 0x00, 0x01]);
        assert!(group.is_multicast() && !group.is_broadcast());
        assert!(!group.is_valid_station());
        assert!(MacAddress::BROADCAST.is_broadcast());
        assert!(!MacAddress::BROADCAST.is_multicast());
        assert!(!MacAddress([0; 6]).is_valid_station());
    }

    #[test]
    fn reads_the_destination_and_prints_colon_hex() {
        let frame = [0x01, 0x02, 0x03, 0x04, 0x05, 0xAB, 0xFF];
        let dst = MacAddress::destination_of(&frame).unwrap();
        assert_eq!(dst.to_string(), "01:02:03:04:05:ab");
        assert_eq!(MacAddress::destination_of(&frame[..5]), None);
    }
}
