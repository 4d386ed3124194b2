//! The EEPROM through EERD: word reads, the checksum, and the permanent MAC address.

use core::fmt;

use super::access::{Registers, Stall, poll};
use super::mac::MacAddress;
use super::regs::{EERD, eerd};

/// Words covered by the checksum (0x00–0x3F).
pub const CHECKSUM_WORDS: u8 = 0x40;
/// What the words 0x00–0x3F add up to (wrapping) in a valid image.
pub const CHECKSUM_TARGET: u16 = 0xBABA;
/// How long one EERD read may take before it counts as failed, in µs. A read takes a few
/// µs on real parts; a thousand times that means the EEPROM is not answering.
pub const READ_TIMEOUT_US: u32 = 10_000;

/// Why the EEPROM could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EepromError {
    /// EERD never reported a read of `word` done.
    Timeout {
        /// The word being read.
        word: u8,
    },
    /// Words 0x00–0x3F do not add up to 0xBABA: the image is corrupt and its MAC address
    /// cannot be trusted.
    Checksum {
        /// What they add up to.
        sum: u16,
    },
    /// The checksum holds but words 0–2 are no station address (zero or a group address).
    InvalidAddress(MacAddress),
}

impl fmt::Display for EepromError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout { word } => write!(f, "EEPROM read of word {word:#04x} timed out"),
            Self::Checksum { sum } => write!(
                f,
                "EEPROM checksum {sum:#06x}, expected {CHECKSUM_TARGET:#06x}: image corrupt"
            ),
            Self::InvalidAddress(mac) => write!(f, "EEPROM holds no station address: {mac}"),
        }
    }
}

/// Reads EEPROM word `word` through EERD.
///
/// # Errors
/// [`EepromError::Timeout`] when EERD does not report the read done within
/// [`READ_TIMEOUT_US`].
pub fn read_word<R: Registers + ?Sized, S: Stall + ?Sized>(
    regs: &R,
    stall: &mut S,
    word: u8,
) -> Result<u16, EepromError> {
    regs.write(EERD, (u32::from(word) << eerd::ADDR_SHIFT) | eerd::START);
    let value = poll(regs, stall, EERD, READ_TIMEOUT_US, |v| v & eerd::DONE != 0)
        .map_err(|_| EepromError::Timeout { word })?;
    // The data field is the top 16 bits: the shift leaves nothing else.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "a 16-bit field shifted down"
    )]
    Ok((value >> eerd::DATA_SHIFT) as u16)
}

/// Reads words 0x00–0x3F, checks that they add up to 0xBABA, and returns the MAC address
/// held in words 0–2 (each word little endian: first octet in the low byte).
///
/// # Errors
/// [`EepromError::Timeout`] for a read that never completes, [`EepromError::Checksum`] for a
/// corrupt image, [`EepromError::InvalidAddress`] when words 0–2 are not a station address.
pub fn read_mac<R: Registers + ?Sized, S: Stall + ?Sized>(
    regs: &R,
    stall: &mut S,
) -> Result<MacAddress, EepromError> {
    let mut sum = 0u16;
    let mut mac = [0u8; 6];
    for word in 0..CHECKSUM_WORDS {
        let value = read_word(regs, stall, word)?;
        sum = sum.wrapping_add(value);
        if let Some(pair) = mac.chunks_exact_mut(2).nth(usize::from(word)) {
            pair.copy_from_slice(&value.to_le_bytes());
        }
    }
    if sum != CHECKSUM_TARGET {
        return Err(EepromError::Checksum { sum });
    }
    let mac = MacAddress(mac);
    if mac.is_valid_station() {
        Ok(mac)
    } else {
        Err(EepromError::InvalidAddress(mac))
    }
}

#[cfg(test)]
mod tests {
    use core::cell::RefCell;

    use super::*;
    use crate::e1000::access::testing::CountingStall;
    use crate::e1000::regs::Reg;

    /// An EEPROM behind EERD that answers after `delay` polls (or never).
    struct FakeEeprom {
        words: [u16; 64],
        eerd: RefCell<u32>,
        polls_left: RefCell<u32>,
        delay: Option<u32>,
    }

    impl FakeEeprom {
        fn new(mac: [u8; 6], fix_checksum: bool, delay: Option<u32>) -> Self {
            let mut words = [0u16; 64];
            for (i, pair) in mac.chunks_exact(2).enumerate() {
                words[i] = u16::from_le_bytes([pair[0], pair[1]]);
            }
            words[0x0E] = 0x8086;
            if fix_checksum {
                let sum = words[..0x3F].iter().fold(0u16, |a, w| a.wrapping_add(*w));
                words[0x3F] = CHECKSUM_TARGET.wrapping_sub(sum);
            }
            Self {
                words,
                eerd: RefCell::new(0),
                polls_left: RefCell::new(0),
                delay,
            }
        }
    }

    impl Registers for FakeEeprom {
        fn read(&self, reg: Reg) -> u32 {
            assert_eq!(reg, EERD);
            let written = *self.eerd.borrow();
            let Some(delay) = self.delay else {
                return written & !eerd::DONE;
            };
            let mut left = self.polls_left.borrow_mut();
            if *left < delay {
                *left += 1;
                return written;
            }
            let addr = (written >> eerd::ADDR_SHIFT) & 0xFF;
            (u32::from(self.words[addr as usize]) << eerd::DATA_SHIFT) | eerd::DONE | written
        }

        fn write(&self, reg: Reg, value: u32) {
            assert_eq!(reg, EERD);
            *self.eerd.borrow_mut() = value;
            *self.polls_left.borrow_mut() = 0;
        }
    }

    const MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

    #[test]
    fn reads_the_mac_from_a_valid_image() {
        let e = FakeEeprom::new(MAC, true, Some(3));
        let mut stall = CountingStall::default();
        assert_eq!(read_mac(&e, &mut stall), Ok(MacAddress(MAC)));
        // 64 words, 3 polls of waiting each.
        assert_eq!(stall.calls, 64 * 3);
    }

    #[test]
    fn a_bad_checksum_is_an_error() {
        let e = FakeEeprom::new(MAC, false, Some(0));
        let err = read_mac(&e, &mut CountingStall::default()).unwrap_err();
        let expected = [0x5452u16, 0x1200, 0x5634, 0x8086]
            .iter()
            .fold(0u16, |a, w| a.wrapping_add(*w));
        assert_eq!(err, EepromError::Checksum { sum: expected });
    }

    #[test]
    fn a_group_address_is_refused_even_with_a_good_checksum() {
        let group = [0x01, 0, 0x5E, 0, 0, 1];
        let e = FakeEeprom::new(group, true, Some(0));
        assert_eq!(
            read_mac(&e, &mut CountingStall::default()),
            Err(EepromError::InvalidAddress(MacAddress(group)))
        );
    }

    #[test]
    fn a_silent_eeprom_times_out_in_bounded_time() {
        let e = FakeEeprom::new(MAC, true, None);
        let mut stall = CountingStall::default();
        assert_eq!(
            read_word(&e, &mut stall, 5),
            Err(EepromError::Timeout { word: 5 })
        );
        assert_eq!(stall.total_us, u64::from(READ_TIMEOUT_US));
        assert_eq!(
            read_mac(&e, &mut stall),
            Err(EepromError::Timeout { word: 0 })
        );
    }
}
