//! Device-visible memory: the mapped register BAR, shared memory for DMA, and MDLs over it.

use core::ptr::{self, NonNull};

use crate::sync::{Locked, PassiveLevel, Unlocked};
use crate::sys;

use super::MiniportAdapter;

/// A register BAR mapped by `NdisMMapIoSpace`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismmapiospace>),
/// until [`IoSpace::unmap`].
#[derive(Debug)]
pub struct IoSpace {
    base: NonNull<u8>,
    length: u32,
}

// SAFETY: device memory valid until `unmap` (which consumes the value); register accesses are
// single volatile 32-bit operations the device serialises, so sharing the mapping between
// processors is what the hardware is built for.
unsafe impl Send for IoSpace {}
// SAFETY: shared references only issue single volatile accesses the device serialises.
unsafe impl Sync for IoSpace {}

impl IoSpace {
    pub(super) fn new(base: NonNull<u8>, length: u32) -> Self {
        Self { base, length }
    }

    /// The mapped length in bytes.
    #[must_use]
    pub fn length(&self) -> u32 {
        self.length
    }

    /// The register at byte `offset`, if a whole `ULONG` there is inside the mapping.
    fn register(&self, offset: u32) -> Option<*mut sys::ULONG> {
        let end = offset.checked_add(4)?;
        (end <= self.length && offset.is_multiple_of(4))
            .then(|| self.base.as_ptr().wrapping_add(offset as usize).cast())
    }

    /// Reads the 32-bit register at byte `offset` (`NdisReadRegisterUlong`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreadregisterulong>;
    /// any IRQL, so no context: the ISR reads registers too). An offset outside the mapping or
    /// not 4-aligned reads all ones, as a missing device would, and touches nothing.
    #[must_use]
    #[track_caller]
    pub fn read_ulong(&self, offset: u32) -> u32 {
        let Some(register) = self.register(offset) else {
            debug_assert!(false, "register {offset:#x} outside the mapping");
            return u32::MAX;
        };
        let mut value: sys::ULONG = 0;
        // SAFETY: `register` is an aligned ULONG inside the mapping (checked above), valid until
        // `unmap` consumes this value; `value` is a valid destination.
        unsafe { sys::NdisReadRegisterUlong(register, &raw mut value) };
        value
    }

    /// Writes the 32-bit register at byte `offset` (`NdisWriteRegisterUlong`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndiswriteregisterulong>;
    /// any IRQL). An offset outside the mapping or not 4-aligned is ignored.
    #[track_caller]
    pub fn write_ulong(&self, offset: u32, value: u32) {
        let Some(register) = self.register(offset) else {
            debug_assert!(false, "register {offset:#x} outside the mapping");
            return;
        };
        // SAFETY: `register` is an aligned ULONG inside the mapping (checked by `register`),
        // valid until `unmap` consumes this value, which cannot happen during this borrow.
        unsafe { sys::NdisWriteRegisterUlong(register, value) };
    }

    /// Unmaps the BAR (`NdisMUnmapIoSpace`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismunmapiospace>,
    /// `PASSIVE_LEVEL`). Consumes the mapping, so no register access can follow.
    #[track_caller]
    pub fn unmap(self, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel, adapter: MiniportAdapter) {
        let _ = (cx, at);
        // SAFETY: the mapping came from NdisMMapIoSpace for this adapter with this length, and
        // nothing uses it any more (consumed).
        unsafe { sys::NdisMUnmapIoSpace(adapter.raw(), self.base.as_ptr().cast(), self.length) };
    }
}

/// A block of shared memory from `NdisMAllocateSharedMemory`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemory>):
/// virtual and physical address, until [`SharedMemory::free`].
#[derive(Debug)]
pub struct SharedMemory {
    va: NonNull<u8>,
    pa: u64,
    length: u32,
}

// SAFETY: shared memory is nonpaged and valid until `free` (which consumes the value); the
// driver serialises access to each part of it with its locks (descriptors) or ownership
// (buffers).
unsafe impl Send for SharedMemory {}
// SAFETY: shared references only hand out addresses; the driver's locks and ownership
// serialise the accesses through them.
unsafe impl Sync for SharedMemory {}

impl SharedMemory {
    pub(super) fn new(va: NonNull<u8>, pa: u64, length: u32) -> Self {
        Self { va, pa, length }
    }

    /// The length in bytes.
    #[must_use]
    pub fn length(&self) -> u32 {
        self.length
    }

    /// The physical (device) address of byte `offset`.
    #[must_use]
    pub fn physical(&self, offset: u32) -> u64 {
        self.pa + u64::from(offset)
    }

    /// The virtual address of byte `offset` (the pointer is valid while this value lives; what
    /// may be read or written through it is the caller's protocol with the device).
    #[must_use]
    pub fn virtual_at(&self, offset: u32) -> *mut u8 {
        debug_assert!(offset <= self.length);
        self.va.as_ptr().wrapping_add(offset as usize)
    }

    /// An MDL over `length` bytes at `offset` (`NdisAllocateMdl`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatemdl>,
    /// IRQL <= `DISPATCH_LEVEL`). `None` when the range is outside the block or NDIS has no
    /// memory. The MDL must be freed ([`Mdl::free`]) before this block is.
    #[track_caller]
    pub fn allocate_mdl(
        &self,
        cx: &mut Locked<'_, Unlocked>,
        adapter: MiniportAdapter,
        offset: u32,
        length: u32,
    ) -> Option<Mdl> {
        let _ = cx;
        if offset.checked_add(length)? > self.length {
            return None;
        }
        // SAFETY: the range is inside this nonpaged block (checked above), which outlives the
        // MDL (the caller frees the MDL first).
        let mdl =
            unsafe { sys::NdisAllocateMdl(adapter.raw(), self.virtual_at(offset).cast(), length) };
        NonNull::new(mdl).map(|mdl| Mdl { mdl })
    }

    /// Frees the block (`NdisMFreeSharedMemory`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismfreesharedmemory>,
    /// `PASSIVE_LEVEL`, never from `MiniportShutdownEx`). Consumes it: no access through it
    /// can follow.
    ///
    /// # Safety
    /// The device no longer reads or writes the block (reset first: no type can say what a
    /// NIC's DMA engine still holds), and every [`Mdl`] over it is freed.
    #[track_caller]
    pub unsafe fn free(
        self,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        adapter: MiniportAdapter,
    ) {
        let _ = (cx, at);
        let pa = sys::large_integer(self.pa.cast_signed());
        // SAFETY: the block came from NdisMAllocateSharedMemory for this adapter with these
        // values, uncached; nothing uses it any more (consumed; the device and MDLs are done
        // with it, the caller's contract).
        unsafe {
            sys::NdisMFreeSharedMemory(adapter.raw(), self.length, 0, self.va.as_ptr().cast(), pa);
        };
    }
}

/// An MDL from `NdisAllocateMdl` over part of a [`SharedMemory`] block.
#[derive(Debug)]
pub struct Mdl {
    mdl: NonNull<sys::MDL>,
}

// SAFETY: an MDL describes nonpaged memory; the driver frees it once (consumed).
unsafe impl Send for Mdl {}
// SAFETY: shared references only read the pointer.
unsafe impl Sync for Mdl {}

impl Mdl {
    pub(super) fn raw(&self) -> sys::PMDL {
        self.mdl.as_ptr()
    }

    /// Frees the MDL (`NdisFreeMdl`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreemdl>,
    /// IRQL <= `DISPATCH_LEVEL`).
    ///
    /// # Safety
    /// No NBL describes it any more (the NBL allocated over it is freed).
    #[track_caller]
    pub unsafe fn free(self, cx: &mut Locked<'_, Unlocked>) {
        let _ = cx;
        // SAFETY: the MDL came from NdisAllocateMdl and nothing refers to it any more (its NBL
        // is freed: the caller's order); consumed.
        unsafe { sys::NdisFreeMdl(self.raw()) };
    }
}

/// A null-checked shared-memory allocation, for [`MiniportAdapter::allocate_shared_memory`].
pub(super) fn allocate_shared(adapter: MiniportAdapter, length: u32) -> Option<SharedMemory> {
    let mut va: sys::PVOID = ptr::null_mut();
    let mut pa = sys::large_integer(0);
    // SAFETY: both out-parameters are valid for writes; the caller holds the PASSIVE_LEVEL
    // proof and the root context.
    unsafe { sys::NdisMAllocateSharedMemory(adapter.raw(), length, 0, &raw mut va, &raw mut pa) };
    // A failure is logged by Initialize's failure path (`crate::diag::initialize_failed`),
    // after this returns and before Initialize does, which satisfies the WriteErrorLog rule
    // (<https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-writeerrorlog>)
    // with one entry per failed Initialize.
    NonNull::new(va.cast::<u8>()).map(|va| SharedMemory::new(va, sys::physical_address(pa), length))
}
