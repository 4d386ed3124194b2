//! Ring geometry shared by the transmit and receive rings: a checked size and wrap-safe index
//! arithmetic.
//!
//! Indices are `u16` slot numbers below the ring size; nothing here ever computes an index by
//! plain `+` or `-` that could leave the ring or overflow.

use core::fmt;

use super::descriptors::DESCRIPTOR_SIZE;

/// [`DESCRIPTOR_SIZE`] as a register-width number.
const DESCRIPTOR_BYTES: u32 = 16;
const _: () = assert!(DESCRIPTOR_BYTES as usize == DESCRIPTOR_SIZE);

/// A descriptor count the NIC accepts: a multiple of 8 (the length register counts 128-byte
/// units) from 8 to [`RingSize::MAX`].
///
/// Held as the last slot's index (the count minus 1): [`RingSize::next`], which both rings
/// call for every frame, compares with it directly instead of computing it each time.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RingSize(u16);

impl fmt::Debug for RingSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RingSize")
            .field(&self.descriptors())
            .finish()
    }
}

/// A descriptor count the NIC cannot use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadRingSize {
    /// The count asked for.
    pub descriptors: usize,
}

impl fmt::Display for BadRingSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} descriptors: a ring holds a multiple of 8 from 8 to {}",
            self.descriptors,
            RingSize::MAX
        )
    }
}

impl RingSize {
    /// The largest ring: the length registers hold bits 19:7 of the byte length, so
    /// `0xF_FF80` bytes, 65 528 descriptors.
    pub const MAX: u16 = 65_528;

    /// Checks a descriptor count.
    ///
    /// # Errors
    /// [`BadRingSize`] unless `descriptors` is a multiple of 8 in `8..=RingSize::MAX`.
    pub const fn new(descriptors: usize) -> Result<Self, BadRingSize> {
        if descriptors >= 8 && descriptors <= Self::MAX as usize && descriptors.is_multiple_of(8) {
            // In range, so the narrowing keeps every bit; at least 8, so the last index is
            // one less without underflow.
            #[allow(clippy::cast_possible_truncation, reason = "checked against MAX above")]
            Ok(Self(descriptors as u16 - 1))
        } else {
            Err(BadRingSize { descriptors })
        }
    }

    /// Number of descriptors.
    #[must_use]
    pub const fn descriptors(self) -> u16 {
        // At most MAX - 1 + 1: no overflow.
        self.0 + 1
    }

    /// Number of descriptors as a `usize`, for sizing tables.
    #[must_use]
    pub const fn len(self) -> usize {
        self.0 as usize + 1
    }

    /// A ring is never empty; this exists because `len` does.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        false
    }

    /// The ring's length in bytes, as RDLEN/TDLEN take it (at most `0xF_FF80`).
    #[must_use]
    pub const fn bytes(self) -> u32 {
        // At most 65 528 × 16: no overflow.
        (self.0 as u32 + 1) * DESCRIPTOR_BYTES
    }

    /// The slot after `index`, wrapping to 0 at the end.
    #[must_use]
    pub const fn next(self, index: u16) -> u16 {
        if index >= self.0 { 0 } else { index + 1 }
    }

    /// The number of steps from `from` forward to `to` (both below the size), in `0..size`.
    #[must_use]
    pub const fn distance(self, from: u16, to: u16) -> u16 {
        if to >= from {
            to - from
        } else {
            // `0 < from - to <= last`, so the result is in range.
            self.0 - (from - to) + 1
        }
    }

    /// Whether `index` is a slot of this ring.
    #[must_use]
    pub const fn contains(self, index: u16) -> bool {
        index <= self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_multiples_of_eight_in_range() {
        for ok in [8, 16, 256, 4096, 65_528] {
            assert_eq!(RingSize::new(ok).map(RingSize::len), Ok(ok));
        }
        for bad in [0, 1, 7, 9, 12, 65_536, 65_529, usize::MAX] {
            assert_eq!(RingSize::new(bad), Err(BadRingSize { descriptors: bad }));
        }
        assert_eq!(RingSize::new(65_528).unwrap().bytes(), 0xF_FF80);
        assert_eq!(RingSize::new(8).unwrap().bytes(), 128);
        let size = RingSize::new(256).unwrap();
        assert_eq!((size.descriptors(), size.len()), (256, 256));
        // Shown as the count, not as the last index it holds.
        assert_eq!(alloc::format!("{size:?}"), "RingSize(256)");
    }

    #[test]
    fn indices_wrap() {
        let r = RingSize::new(8).unwrap();
        assert_eq!(r.next(0), 1);
        assert_eq!(r.next(7), 0);
        assert_eq!(r.distance(2, 5), 3);
        assert_eq!(r.distance(6, 1), 3);
        assert_eq!(r.distance(4, 4), 0);
        assert!(r.contains(7) && !r.contains(8));
        let big = RingSize::new(usize::from(RingSize::MAX)).unwrap();
        assert_eq!(big.next(RingSize::MAX - 1), 0);
        assert_eq!(big.distance(RingSize::MAX - 1, 0), 1);
        assert_eq!(big.distance(0, RingSize::MAX - 1), RingSize::MAX - 1);
    }

    #[test]
    fn walking_a_full_lap_returns_home_and_distances_add_up() {
        let r = RingSize::new(24).unwrap();
        for start in 0..24 {
            let mut i = start;
            for step in 0..24 {
                assert_eq!(r.distance(start, i), step);
                i = r.next(i);
            }
            assert_eq!(i, start);
        }
    }
}
