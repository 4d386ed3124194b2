//! Physical memory (what `NdisMAllocateSharedMemory` hands out and the device reaches by DMA)
//! and pool memory (what `NdisAllocateMemoryWithTagPriority` hands out).

use std::alloc::Layout;
use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::{Arc, Mutex};

use e1000_model::dma::{DmaError, DmaMemory};

use super::{DeviceError, GuestRam};
use crate::machine::lock;

/// The page size of the simulated machine (x64).
pub const PAGE_SIZE: usize = 4096;

/// The first physical address [`PhysicalMemory`] hands out (below it: nothing, so a zero or
/// small physical address in a descriptor is never backed).
pub const PHYSICAL_BASE: u64 = 0x0010_0000;

/// The alignment of pool allocations (`MEMORY_ALLOCATION_ALIGNMENT` on x64).
pub const POOL_ALIGNMENT: usize = 16;

/// One outstanding shared-memory allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedAllocation {
    /// The virtual address the driver got (host address).
    pub virt: usize,
    /// The physical address the driver got (what the device reaches).
    pub phys: u64,
    /// The length the driver asked for.
    pub len: usize,
    /// The handle it was allocated for (adapter handle as an integer).
    pub owner: usize,
    /// Where the driver allocated it.
    pub location: &'static Location<'static>,
}

struct Region {
    alloc: SharedAllocation,
    /// Where the bytes live.
    backing: Backing,
}

/// Where a region's bytes live.
enum Backing {
    /// A host allocation of this layout (whole pages, page aligned), freed with the region.
    Heap(Layout),
    /// Pages of a device's guest RAM ([`GuestRam`]): the region is its place in that RAM.
    Guest {
        /// Whole pages taken, guard page not included.
        bytes: u64,
    },
}

#[derive(Default)]
struct PhysInner {
    /// By physical address.
    regions: BTreeMap<u64, Region>,
    next: u64,
    /// The guest RAM shared memory is carved from, once a device brought one.
    ram: Option<Arc<dyn GuestRam>>,
}

/// Why a free was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FreeError {
    /// No allocation starts at that address.
    NotAllocated,
    /// The allocation exists but the length or the other address does not match it.
    Mismatch(SharedAllocation),
}

/// The machine's physical address space: page-aligned, zero-initialised regions, each with a
/// host (virtual) address and a physical address, separated by unbacked guard pages. It is the
/// [`DmaMemory`] the e1000 model reaches: a DMA that is not entirely inside one allocation
/// fails (the model records a fault).
///
/// When a device brings its own guest RAM ([`PhysicalMemory::use_guest_ram`], for QEMU's
/// e1000), regions are carved from that RAM instead: the physical address is the guest's, the
/// virtual address is where this process maps it, and the device's DMA lands in the driver's
/// buffers with no copy.
///
/// Backs `NdisMAllocateSharedMemory` / `NdisMFreeSharedMemory`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemory>).
pub struct PhysicalMemory {
    inner: Mutex<PhysInner>,
}

impl Default for PhysicalMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for PhysicalMemory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PhysicalMemory")
            .field("allocations", &lock(&self.inner).regions.len())
            .finish_non_exhaustive()
    }
}

impl PhysicalMemory {
    /// An empty address space.
    #[must_use]
    pub fn new() -> Self {
        Self {
            inner: Mutex::new(PhysInner {
                regions: BTreeMap::new(),
                next: PHYSICAL_BASE,
                ram: None,
            }),
        }
    }

    /// From now on, carve shared memory from `ram` (a device's guest RAM).
    ///
    /// # Errors
    /// When shared memory is already allocated (it would not be where the device can reach
    /// it) or another device's RAM is already in use.
    pub fn use_guest_ram(&self, ram: Arc<dyn GuestRam>) -> Result<(), DeviceError> {
        let mut inner = lock(&self.inner);
        if inner.ram.is_some() {
            return Err(DeviceError(
                "the machine's shared memory already comes from another device's RAM".into(),
            ));
        }
        if !inner.regions.is_empty() {
            return Err(DeviceError(format!(
                "{} shared-memory allocations exist outside the device's RAM: plug the device \
                 before the driver allocates",
                inner.regions.len()
            )));
        }
        inner.ram = Some(ram);
        Ok(())
    }

    /// The lowest page-aligned guest-physical address in `ram`'s usable range with `bytes`
    /// free after it and an unbacked guard page on either side of every region.
    fn guest_gap(regions: &BTreeMap<u64, Region>, ram: &dyn GuestRam, bytes: u64) -> Option<u64> {
        let usable = ram.usable();
        let page = PAGE_SIZE as u64;
        let mut candidate = usable.start;
        for region in regions.values() {
            let Backing::Guest { bytes: taken } = region.backing else {
                continue;
            };
            if candidate.checked_add(bytes)?.checked_add(page)? <= region.alloc.phys {
                break;
            }
            candidate = candidate.max(region.alloc.phys + taken + page);
        }
        (candidate.checked_add(bytes)? <= usable.end).then_some(candidate)
    }

    /// Allocates `len` bytes (rounded up to whole pages, page aligned, zeroed) for `owner`.
    /// Returns the host (virtual) address and the physical address, or `None` for a zero
    /// length or when the host is out of memory.
    #[must_use]
    pub fn allocate(
        &self,
        len: usize,
        owner: usize,
        location: &'static Location<'static>,
    ) -> Option<(*mut u8, u64)> {
        if len == 0 {
            return None;
        }
        let pages = len.div_ceil(PAGE_SIZE);
        let layout = Layout::from_size_align(pages.checked_mul(PAGE_SIZE)?, PAGE_SIZE).ok()?;
        let mut inner = lock(&self.inner);
        if let Some(ram) = inner.ram.clone() {
            let bytes = layout.size() as u64;
            let phys = Self::guest_gap(&inner.regions, ram.as_ref(), bytes)?;
            let virt = ram.host_base().checked_add(usize::try_from(phys).ok()?)? as *mut u8;
            // SAFETY: `phys .. phys + bytes` is inside the RAM's usable range (`guest_gap`),
            // which `GuestRam`'s contract says is mapped and writable here, and no other
            // region overlaps it (so no driver pointer into it is live).
            unsafe { core::ptr::write_bytes(virt, 0, layout.size()) };
            inner.regions.insert(
                phys,
                Region {
                    alloc: SharedAllocation {
                        virt: virt as usize,
                        phys,
                        len,
                        owner,
                        location,
                    },
                    backing: Backing::Guest { bytes },
                },
            );
            return Some((virt, phys));
        }
        // SAFETY: the layout has a non-zero size.
        let virt = unsafe { std::alloc::alloc_zeroed(layout) };
        if virt.is_null() {
            return None;
        }
        let phys = inner.next;
        // One unbacked guard page after every region.
        inner.next = phys + (layout.size() + PAGE_SIZE) as u64;
        inner.regions.insert(
            phys,
            Region {
                alloc: SharedAllocation {
                    virt: virt as usize,
                    phys,
                    len,
                    owner,
                    location,
                },
                backing: Backing::Heap(layout),
            },
        );
        Some((virt, phys))
    }

    /// Frees the allocation at `virt` / `phys` of `len` bytes (all three must match what
    /// [`PhysicalMemory::allocate`] gave). Returns what was freed.
    ///
    /// # Errors
    /// [`FreeError`] when nothing matches; nothing is freed then.
    pub fn free(&self, virt: usize, len: usize, phys: u64) -> Result<SharedAllocation, FreeError> {
        let mut inner = lock(&self.inner);
        let Some(region) = inner.regions.get(&phys) else {
            return Err(FreeError::NotAllocated);
        };
        if region.alloc.virt != virt || region.alloc.len != len {
            return Err(FreeError::Mismatch(region.alloc.clone()));
        }
        let Some(region) = inner.regions.remove(&phys) else {
            return Err(FreeError::NotAllocated);
        };
        if let Backing::Heap(layout) = region.backing {
            // SAFETY: `virt` was returned by `alloc_zeroed` with this layout and is removed from
            // the map under the lock, so no DMA copy (which runs under the same lock) can still
            // use it.
            unsafe { std::alloc::dealloc(region.alloc.virt as *mut u8, layout) };
        }
        Ok(region.alloc)
    }

    /// The allocations of `owner` not yet freed (all of them with `None`), oldest first.
    #[must_use]
    pub fn outstanding(&self, owner: Option<usize>) -> Vec<SharedAllocation> {
        lock(&self.inner)
            .regions
            .values()
            .filter(|r| owner.is_none_or(|o| r.alloc.owner == o))
            .map(|r| r.alloc.clone())
            .collect()
    }

    /// Runs `f` with the host address of physical `addr .. addr + len`, if that lies inside one
    /// allocation; under the lock, so the allocation cannot be freed meanwhile.
    fn with_host<R>(&self, addr: u64, len: usize, f: impl FnOnce(*mut u8) -> R) -> Option<R> {
        let inner = lock(&self.inner);
        let (&base, region) = inner.regions.range(..=addr).next_back()?;
        let offset = usize::try_from(addr - base).ok()?;
        if offset.checked_add(len)? > region.alloc.len {
            return None;
        }
        Some(f(region.alloc.virt.wrapping_add(offset) as *mut u8))
    }

    /// The host address of physical address `addr`, if it is inside an allocation.
    #[must_use]
    pub fn host_address(&self, addr: u64) -> Option<usize> {
        self.with_host(addr, 1, |p| p as usize)
    }
}

impl DmaMemory for PhysicalMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), DmaError> {
        let len = buf.len();
        self.with_host(addr, len, |src| {
            // SAFETY: `src .. src + len` lies inside a live allocation (checked under the lock
            // that `free` takes), and `buf` is a distinct host buffer. The driver may write the
            // same bytes concurrently, as a CPU may while a device reads by DMA.
            unsafe { core::ptr::copy_nonoverlapping(src, buf.as_mut_ptr(), len) };
        })
        .ok_or(DmaError { addr, len })
    }

    fn write(&self, addr: u64, data: &[u8]) -> Result<(), DmaError> {
        let len = data.len();
        self.with_host(addr, len, |dst| {
            // SAFETY: `dst .. dst + len` lies inside a live allocation (checked under the lock
            // that `free` takes), and `data` is a distinct host buffer. The driver may read the
            // same bytes concurrently, as a CPU may while a device writes by DMA.
            unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), dst, len) };
        })
        .ok_or(DmaError { addr, len })
    }
}

impl Drop for PhysicalMemory {
    fn drop(&mut self) {
        let inner = self
            .inner
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for region in std::mem::take(&mut inner.regions).into_values() {
            if let Backing::Heap(layout) = region.backing {
                // SAFETY: allocated by `alloc_zeroed` with this layout and never freed (it was
                // still in the map); the driver that could use it has gone with the machine.
                unsafe { std::alloc::dealloc(region.alloc.virt as *mut u8, layout) };
            }
        }
    }
}

/// One outstanding pool allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolAllocation {
    /// Its address.
    pub addr: usize,
    /// The length asked for.
    pub len: usize,
    /// The pool tag.
    pub tag: u32,
    /// The handle it was allocated for.
    pub owner: usize,
    /// Where the driver allocated it.
    pub location: &'static Location<'static>,
}

/// Pool memory: `NdisAllocateMemoryWithTagPriority` / `NdisFreeMemory`, with the tag and
/// owner of every allocation kept for leak reports.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatememorywithtagpriority>
#[derive(Debug, Default)]
pub struct PoolMemory {
    allocations: Mutex<BTreeMap<usize, (PoolAllocation, Layout)>>,
}

impl PoolMemory {
    /// Allocates `len` bytes (uninitialised, as pool memory is; the simulator fills them with
    /// 0xCD so that reading before writing shows) tagged `tag` for `owner`. `None` for a zero
    /// length or when the host is out of memory.
    #[must_use]
    pub fn allocate(
        &self,
        len: usize,
        tag: u32,
        owner: usize,
        location: &'static Location<'static>,
    ) -> Option<*mut u8> {
        if len == 0 {
            return None;
        }
        let layout = Layout::from_size_align(len, POOL_ALIGNMENT).ok()?;
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { std::alloc::alloc(layout) };
        if p.is_null() {
            return None;
        }
        // SAFETY: `p` is valid for `len` bytes of writes (just allocated).
        unsafe { core::ptr::write_bytes(p, 0xCD, len) };
        let alloc = PoolAllocation {
            addr: p as usize,
            len,
            tag,
            owner,
            location,
        };
        lock(&self.allocations).insert(p as usize, (alloc, layout));
        Some(p)
    }

    /// Frees the allocation at `addr`. Returns what was freed, or `None` when no allocation
    /// starts there (nothing is freed then).
    pub fn free(&self, addr: usize) -> Option<PoolAllocation> {
        let (alloc, layout) = lock(&self.allocations).remove(&addr)?;
        // SAFETY: allocated by `alloc` with this layout, and removed from the map so it cannot
        // be freed twice.
        unsafe { std::alloc::dealloc(addr as *mut u8, layout) };
        Some(alloc)
    }

    /// The allocations of `owner` not yet freed (all of them with `None`).
    #[must_use]
    pub fn outstanding(&self, owner: Option<usize>) -> Vec<PoolAllocation> {
        lock(&self.allocations)
            .values()
            .filter(|(a, _)| owner.is_none_or(|o| a.owner == o))
            .map(|(a, _)| a.clone())
            .collect()
    }
}

impl Drop for PoolMemory {
    fn drop(&mut self) {
        let map = self
            .allocations
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (addr, (_, layout)) in std::mem::take(map) {
            // SAFETY: allocated with this layout and never freed (still in the map).
            unsafe { std::alloc::dealloc(addr as *mut u8, layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_memory_is_page_aligned_and_reachable_by_dma() {
        let mem = PhysicalMemory::new();
        let here = Location::caller();
        let (virt, phys) = mem.allocate(100, 7, here).expect("allocates");
        assert_eq!(virt as usize % PAGE_SIZE, 0);
        assert_eq!(phys % PAGE_SIZE as u64, 0);
        mem.write(phys + 4, &[1, 2, 3]).expect("inside");
        // SAFETY: `virt` is a live 100-byte allocation.
        let seen = unsafe { core::slice::from_raw_parts(virt, 8) }.to_vec();
        assert_eq!(seen, [0, 0, 0, 0, 1, 2, 3, 0]);
        let mut buf = [0u8; 2];
        assert!(
            mem.read(phys + 99, &mut buf).is_err(),
            "runs past the length"
        );
        assert!(
            mem.read(phys + PAGE_SIZE as u64, &mut buf).is_err(),
            "guard page"
        );
        assert_eq!(mem.outstanding(Some(7)).len(), 1);
        assert!(matches!(
            mem.free(virt as usize, 99, phys),
            Err(FreeError::Mismatch(_))
        ));
        assert_eq!(mem.free(virt as usize, 100, phys).map(|a| a.owner), Ok(7));
        assert_eq!(
            mem.free(virt as usize, 100, phys),
            Err(FreeError::NotAllocated)
        );
        assert!(mem.outstanding(None).is_empty());
        assert!(mem.write(phys, &[1]).is_err(), "freed memory is unbacked");
    }

    /// Guest RAM for the test: a page-aligned host buffer standing in for QEMU's.
    struct TestRam {
        bytes: Box<[u8]>,
        base: usize,
    }

    impl TestRam {
        fn new(pages: usize) -> Self {
            let mut bytes = vec![0xEEu8; (pages + 1) * PAGE_SIZE].into_boxed_slice();
            let start = bytes.as_mut_ptr() as usize;
            let base = start.next_multiple_of(PAGE_SIZE);
            Self { bytes, base }
        }
    }

    // SAFETY: `usable` is pages 1..pages of the buffer (page 0 left out), all inside `bytes`,
    // which lives as long as the value.
    unsafe impl GuestRam for TestRam {
        fn host_base(&self) -> usize {
            debug_assert!(self.base < self.bytes.as_ptr() as usize + PAGE_SIZE);
            self.base
        }
        fn usable(&self) -> core::ops::Range<u64> {
            PAGE_SIZE as u64..(self.bytes.len() - PAGE_SIZE) as u64
        }
    }

    #[test]
    fn guest_ram_backs_shared_memory_with_guards_and_reuse() {
        let mem = PhysicalMemory::new();
        let ram = Arc::new(TestRam::new(8));
        let base = ram.host_base();
        mem.use_guest_ram(ram.clone())
            .expect("nothing allocated yet");
        assert!(
            mem.use_guest_ram(ram).is_err(),
            "one device's RAM at a time"
        );
        let here = Location::caller();
        let (a_virt, a) = mem.allocate(100, 1, here).expect("fits");
        assert_eq!(a, PAGE_SIZE as u64, "the first usable page");
        assert_eq!(
            a_virt as usize,
            base + PAGE_SIZE,
            "virtual = RAM base + physical"
        );
        // SAFETY: `a_virt` is a live 100-byte allocation.
        let fresh = unsafe { core::slice::from_raw_parts(a_virt, 100) };
        assert!(fresh.iter().all(|&b| b == 0), "zeroed over the RAM's 0xEE");
        let (_, b) = mem.allocate(PAGE_SIZE + 1, 1, here).expect("fits");
        assert_eq!(
            b,
            a + 2 * PAGE_SIZE as u64,
            "one guard page after the first"
        );
        mem.write(b + 5, &[7]).expect("DMA reaches it");
        let at = base + usize::try_from(b).expect("small") + 5;
        // SAFETY: physical b + 5 is inside the second allocation, mapped at base + b + 5.
        assert_eq!(unsafe { *(at as *const u8) }, 7);
        let (_, c) = mem.allocate(PAGE_SIZE, 1, here).expect("fits");
        assert_eq!(c, b + 3 * PAGE_SIZE as u64);
        assert!(
            mem.allocate(2 * PAGE_SIZE, 1, here).is_none(),
            "the RAM is full"
        );
        mem.free(a_virt as usize, 100, a).expect("frees");
        let (_, again) = mem
            .allocate(PAGE_SIZE, 1, here)
            .expect("the hole is reused");
        assert_eq!(again, a);
    }

    #[test]
    fn guest_ram_is_refused_once_heap_memory_is_handed_out() {
        let mem = PhysicalMemory::new();
        let _ = mem.allocate(1, 1, Location::caller()).expect("heap");
        assert!(mem.use_guest_ram(Arc::new(TestRam::new(2))).is_err());
    }

    #[test]
    fn pool_tracks_tag_and_owner() {
        let pool = PoolMemory::default();
        let p = pool
            .allocate(24, 0x6B31_6573, 3, Location::caller())
            .expect("allocates");
        assert_eq!(p as usize % POOL_ALIGNMENT, 0);
        assert_eq!(pool.outstanding(Some(3))[0].tag, 0x6B31_6573);
        assert!(pool.outstanding(Some(4)).is_empty());
        assert_eq!(pool.free(p as usize).map(|a| a.len), Some(24));
        assert_eq!(pool.free(p as usize), None);
        assert!(pool.allocate(0, 1, 3, Location::caller()).is_none());
    }
}
