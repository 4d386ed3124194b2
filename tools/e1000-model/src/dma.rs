//! DMA: the device's view of guest-physical memory.
//!
//! The host implements [`DmaMemory`]; the model never touches host memory any other way. An
//! access that is not entirely inside memory the host mapped returns [`DmaError`], which the
//! model turns into a [`crate::Fault`] instead of reading garbage or panicking.
//!
//! [`RegionMemory`] is a ready-made implementation (a set of non-overlapping regions) for
//! tests and for hosts that have nothing better.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

/// A DMA access that the memory could not satisfy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaError {
    /// First guest-physical address of the failed access.
    pub addr: u64,
    /// Length of the failed access in bytes.
    pub len: usize,
}

impl fmt::Display for DmaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DMA to unmapped range {:#x}+{:#x}", self.addr, self.len)
    }
}

impl std::error::Error for DmaError {}

/// Guest-physical memory as the device sees it.
///
/// The model calls these methods while holding its own lock, so an implementation must not
/// call back into the [`crate::E1000`] it serves.
pub trait DmaMemory: Send + Sync {
    /// Fills `buf` from guest-physical `addr`.
    ///
    /// # Errors
    /// [`DmaError`] when any byte of `addr .. addr + buf.len()` is not mapped; `buf` may then
    /// hold anything.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), DmaError>;

    /// Copies `data` to guest-physical `addr`.
    ///
    /// # Errors
    /// [`DmaError`] when any byte of `addr .. addr + data.len()` is not mapped; nothing is
    /// written then.
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), DmaError>;
}

/// Guest-physical memory made of separate zero-initialised regions.
///
/// An access must lie entirely inside one region: a range that runs off the end of a region,
/// even into an adjacent one, is refused, which is how "address outside any allocation" is
/// detected.
#[derive(Debug, Default)]
pub struct RegionMemory {
    regions: Mutex<BTreeMap<u64, Vec<u8>>>,
}

impl RegionMemory {
    /// Memory with no region mapped.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps `len` zero bytes at `base`.
    ///
    /// # Errors
    /// [`DmaError`] naming the requested range when it is empty, wraps around the address
    /// space, or overlaps a region already mapped.
    pub fn map(&self, base: u64, len: usize) -> Result<(), DmaError> {
        let refused = DmaError { addr: base, len };
        let end = end_of(base, len).ok_or(refused)?;
        if len == 0 {
            return Err(refused);
        }
        let mut regions = lock(&self.regions);
        let overlaps = regions.iter().any(|(&b, r)| {
            let r_end = b.saturating_add(r.len() as u64);
            base < r_end && b < end
        });
        if overlaps {
            return Err(refused);
        }
        regions.insert(base, vec![0; len]);
        Ok(())
    }

    /// Unmaps the region that starts at `base`; returns whether there was one.
    pub fn unmap(&self, base: u64) -> bool {
        lock(&self.regions).remove(&base).is_some()
    }

    /// Runs `f` on the bytes of `addr .. addr + len` if one region holds them all.
    fn with_range<R>(
        &self,
        addr: u64,
        len: usize,
        f: impl FnOnce(&mut [u8]) -> R,
    ) -> Result<R, DmaError> {
        let refused = DmaError { addr, len };
        let end = end_of(addr, len).ok_or(refused)?;
        let mut regions = lock(&self.regions);
        let (&base, region) = regions.range_mut(..=addr).next_back().ok_or(refused)?;
        let start = usize::try_from(addr - base).map_err(|_| refused)?;
        let stop = usize::try_from(end - base).map_err(|_| refused)?;
        let bytes = region.get_mut(start..stop).ok_or(refused)?;
        Ok(f(bytes))
    }
}

impl DmaMemory for RegionMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), DmaError> {
        self.with_range(addr, buf.len(), |bytes| buf.copy_from_slice(bytes))
    }

    fn write(&self, addr: u64, data: &[u8]) -> Result<(), DmaError> {
        self.with_range(addr, data.len(), |bytes| bytes.copy_from_slice(data))
    }
}

/// One past the last address of `addr .. addr + len`, or `None` if that wraps.
fn end_of(addr: u64, len: usize) -> Option<u64> {
    addr.checked_add(u64::try_from(len).ok()?)
}

/// Locks a mutex, carrying on after a panic elsewhere: the regions stay consistent because
/// every update is a single insert, remove or copy.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_was_written() {
        let m = RegionMemory::new();
        m.map(0x1000, 0x100).unwrap();
        m.write(0x1010, &[1, 2, 3]).unwrap();
        let mut b = [0u8; 4];
        m.read(0x100F, &mut b).unwrap();
        assert_eq!(b, [0, 1, 2, 3]);
    }

    #[test]
    fn refuses_ranges_outside_one_region() {
        let m = RegionMemory::new();
        m.map(0x1000, 0x100).unwrap();
        m.map(0x1100, 0x100).unwrap();
        let mut b = [0u8; 4];
        assert!(m.read(0xFFF, &mut b).is_err());
        // Straddles two adjacent regions: still refused.
        assert!(m.read(0x10FE, &mut b).is_err());
        assert!(m.write(0x2000, &[0]).is_err());
        assert!(m.read(u64::MAX - 1, &mut b).is_err());
        assert!(m.map(0x1080, 0x10).is_err());
        assert!(m.map(0x3000, 0).is_err());
        assert!(m.unmap(0x1000));
        assert!(m.read(0x1000, &mut b).is_err());
    }
}
