//! The 64-word EEPROM behind EERD.
//!
//! Only the words a driver of the 82540EM reads are given contents: the MAC address (words
//! 0–2), the PCI identity words (0x0B–0x0E) and the checksum word 0x3F, chosen so that words
//! 0x00–0x3F add up to 0xBABA as the manual requires. The others read as zero.

/// Number of 16-bit words in the EEPROM.
pub const EEPROM_WORDS: usize = 64;
/// Index of the checksum word.
pub const CHECKSUM_WORD: usize = 0x3F;
/// What words 0x00–0x3F add up to (wrapping) in a valid image.
pub const CHECKSUM_TARGET: u16 = 0xBABA;
/// Word holding the PCI subsystem ID.
pub const SUBSYSTEM_ID_WORD: usize = 0x0B;
/// Word holding the PCI subsystem vendor ID.
pub const SUBSYSTEM_VENDOR_WORD: usize = 0x0C;
/// Word holding the PCI device ID.
pub const DEVICE_ID_WORD: usize = 0x0D;
/// Word holding the PCI vendor ID.
pub const VENDOR_ID_WORD: usize = 0x0E;

/// An EEPROM image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eeprom {
    words: [u16; EEPROM_WORDS],
}

impl Eeprom {
    /// The image of an 82540EM whose MAC address is `mac`, with a valid checksum.
    #[must_use]
    pub fn new(mac: [u8; 6]) -> Self {
        let mut words = [0u16; EEPROM_WORDS];
        // The MAC is stored as three little-endian words, first octet in the low byte.
        for (i, pair) in mac.chunks_exact(2).enumerate() {
            words[i] = u16::from_le_bytes([pair[0], pair[1]]);
        }
        // The identity words as QEMU's 82540EM image has them: the subsystem is the device
        // itself.
        words[SUBSYSTEM_ID_WORD] = crate::pci::DEVICE_ID;
        words[SUBSYSTEM_VENDOR_WORD] = crate::pci::VENDOR_ID;
        words[DEVICE_ID_WORD] = crate::pci::DEVICE_ID;
        words[VENDOR_ID_WORD] = crate::pci::VENDOR_ID;
        let sum = words[..CHECKSUM_WORD]
            .iter()
            .fold(0u16, |acc, w| acc.wrapping_add(*w));
        words[CHECKSUM_WORD] = CHECKSUM_TARGET.wrapping_sub(sum);
        Self { words }
    }

    /// The word at `index`, or `None` past the end of the EEPROM.
    #[must_use]
    pub fn word(&self, index: usize) -> Option<u16> {
        self.words.get(index).copied()
    }

    /// All words of the image.
    #[must_use]
    pub fn words(&self) -> &[u16; EEPROM_WORDS] {
        &self.words
    }

    /// The wrapping sum of all words; [`CHECKSUM_TARGET`] for a valid image.
    #[must_use]
    pub fn checksum(&self) -> u16 {
        self.words.iter().fold(0u16, |acc, w| acc.wrapping_add(*w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_0xbaba_for_any_mac() {
        for mac in [[0u8; 6], [0xFF; 6], [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]] {
            assert_eq!(Eeprom::new(mac).checksum(), CHECKSUM_TARGET);
        }
    }

    #[test]
    fn mac_is_in_words_0_to_2() {
        let e = Eeprom::new([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        assert_eq!(e.word(0), Some(0x5452));
        assert_eq!(e.word(1), Some(0x1200));
        assert_eq!(e.word(2), Some(0x5634));
        assert_eq!(e.word(EEPROM_WORDS), None);
    }
}
