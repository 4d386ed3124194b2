//! The glue between `driver/e1000` (NIC logic, no NDIS) and NDIS: register access through the
//! mapped BAR0, stalls, and descriptor rings in shared memory. The one place in the driver
//! that touches device-visible memory directly (volatile accesses).

use core::ptr;
use core::sync::atomic::{Ordering, fence};

use crate::e1000::{DescriptorBytes, DescriptorMemory, Reg, Registers, Stall};
use crate::sync::{Locked, MAX_STALL_MICROSECONDS, Unlocked, stall_execution};
use crate::sys;

/// BAR0 mapped by `NdisMMapIoSpace`: registers read and written with
/// `NdisReadRegisterUlong` / `NdisWriteRegisterUlong`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreadregisterulong>
#[derive(Debug)]
pub struct Bar0 {
    base: *mut u8,
    length: u32,
}

// SAFETY: the mapping is device memory valid until `NdisMUnmapIoSpace` (Halt, after the
// interrupt is deregistered and every DPC has finished); register accesses are single
// volatile 32-bit operations the NIC serialises, so sharing the pointer between processors is
// what the hardware is built for.
unsafe impl Send for Bar0 {}
// SAFETY: as above.
unsafe impl Sync for Bar0 {}

impl Bar0 {
    /// Wraps a mapping of `length` bytes at `base`.
    ///
    /// # Safety
    /// `base` is the address `NdisMMapIoSpace` returned for `length` bytes, valid until this
    /// value is dropped and the mapping released.
    #[must_use]
    pub unsafe fn new(base: *mut u8, length: u32) -> Self {
        Self { base, length }
    }

    /// The mapped address (for `NdisMUnmapIoSpace`).
    #[must_use]
    pub fn base(&self) -> *mut u8 {
        self.base
    }

    /// The mapped length.
    #[must_use]
    pub fn length(&self) -> u32 {
        self.length
    }

    fn register(&self, reg: Reg) -> *mut sys::ULONG {
        debug_assert!(reg.offset() + 4 <= self.length);
        self.base.wrapping_add(reg.offset() as usize).cast()
    }
}

impl Registers for Bar0 {
    fn read(&self, reg: Reg) -> u32 {
        let mut value: sys::ULONG = 0;
        // SAFETY: `reg` is inside the mapping (offsets are checked against BAR0's size in
        // `driver/e1000/regs.rs`); `value` is a valid destination.
        unsafe { sys::NdisReadRegisterUlong(self.register(reg), &raw mut value) };
        value
    }

    fn write(&self, reg: Reg, value: u32) {
        // A register write can be a doorbell (TDT, RDT) telling the NIC to read descriptors
        // and buffers the CPU has just written: those writes must not be moved after it.
        // (`WRITE_REGISTER_ULONG` is a full barrier in the WDK; this keeps the compiler, and
        // weaker architectures, to the same order.)
        fence(Ordering::Release);
        // SAFETY: as in `read`.
        unsafe { sys::NdisWriteRegisterUlong(self.register(reg), value) };
    }
}

/// [`Stall`] over `NdisStallExecution`, in steps the `NdisStallExecution_Delay` rule allows.
pub struct NdisStall<'a, 'b> {
    cx: &'a mut Locked<'b, Unlocked>,
}

impl<'a, 'b> NdisStall<'a, 'b> {
    /// Stalls with the routine's root context (an NDIS call: no spin lock held).
    pub fn new(cx: &'a mut Locked<'b, Unlocked>) -> Self {
        Self { cx }
    }
}

impl Stall for NdisStall<'_, '_> {
    fn stall(&mut self, microseconds: u32) {
        const STEP: u32 = 10;
        const _: () = assert!(STEP <= MAX_STALL_MICROSECONDS);
        for _ in 0..microseconds.div_ceil(STEP) {
            stall_execution::<STEP>(self.cx);
        }
    }
}

/// A block of shared memory from `NdisMAllocateSharedMemory`: virtual and physical address.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemory>
#[derive(Debug)]
pub struct SharedBlock {
    va: *mut u8,
    pa: u64,
    length: u32,
}

// SAFETY: shared memory is nonpaged and valid until `free`; the driver serialises access to
// each part of it with its locks (descriptors) or ownership (buffers).
unsafe impl Send for SharedBlock {}
// SAFETY: as above.
unsafe impl Sync for SharedBlock {}

impl SharedBlock {
    /// Allocates `length` bytes (`PASSIVE_LEVEL`, Initialize only). `None` when NDIS has none,
    /// after logging the failure to the system event log (`NdisWriteErrorLogEntry` with
    /// `NDIS_ERROR_CODE_OUT_OF_RESOURCES` and the length), as the `WriteErrorLog` rule requires.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-writeerrorlog>
    pub fn allocate(
        cx: &mut Locked<'_, Unlocked>,
        adapter: sys::NDIS_HANDLE,
        length: u32,
    ) -> Option<Self> {
        let _ = cx;
        let mut va: sys::PVOID = ptr::null_mut();
        let mut pa = sys::large_integer(0);
        // SAFETY: both out-parameters are valid for writes; called at PASSIVE_LEVEL from
        // MiniportInitializeEx (the root context proves no spin lock is held).
        unsafe { sys::NdisMAllocateSharedMemory(adapter, length, 0, &raw mut va, &raw mut pa) };
        if va.is_null() {
            // SAFETY: the adapter's handle, one error value (the length asked for);
            // NdisWriteErrorLogEntry is callable at PASSIVE_LEVEL with no spin lock held.
            unsafe {
                sys::NdisWriteErrorLogEntry(
                    adapter,
                    sys::NDIS_ERROR_CODE_OUT_OF_RESOURCES,
                    1,
                    length,
                );
            };
        }
        (!va.is_null()).then(|| Self {
            va: va.cast(),
            pa: sys::physical_address(pa),
            length,
        })
    }

    /// Frees the block (`NdisMFreeSharedMemory`).
    pub fn free(self, cx: &mut Locked<'_, Unlocked>, adapter: sys::NDIS_HANDLE) {
        let _ = cx;
        let pa = sys::large_integer(self.pa.cast_signed());
        // SAFETY: the block came from `allocate` with these values and nothing uses it any more
        // (the NIC is reset and the interrupt deregistered before Halt frees).
        unsafe { sys::NdisMFreeSharedMemory(adapter, self.length, 0, self.va.cast(), pa) };
    }

    /// The physical address of byte `offset`.
    #[must_use]
    pub fn physical(&self, offset: u32) -> u64 {
        self.pa + u64::from(offset)
    }

    /// The virtual address of byte `offset`.
    #[must_use]
    pub fn virtual_at(&self, offset: u32) -> *mut u8 {
        debug_assert!(offset <= self.length);
        self.va.wrapping_add(offset as usize)
    }

    /// Copies `data` to `offset` (a buffer the NIC does not own now).
    pub fn write_bytes(&self, offset: u32, data: &[u8]) {
        assert!(offset as usize + data.len() <= self.length as usize);
        // SAFETY: the range is inside the block (asserted); the caller owns that buffer.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), self.virtual_at(offset), data.len()) };
    }
}

/// A descriptor ring inside a [`SharedBlock`]: 16-byte descriptors read and written with
/// volatile accesses (the NIC reads and writes them by DMA).
pub struct DescriptorRing<'a> {
    block: &'a SharedBlock,
}

impl<'a> DescriptorRing<'a> {
    /// The ring stored at the start of `block`.
    #[must_use]
    pub fn new(block: &'a SharedBlock) -> Self {
        Self { block }
    }

    fn slot(&self, index: u16) -> *mut DescriptorBytes {
        let offset = u32::from(index) * 16;
        assert!(
            offset + 16 <= self.block.length,
            "descriptor {index} past the ring"
        );
        self.block.virtual_at(offset).cast()
    }
}

impl DescriptorMemory for DescriptorRing<'_> {
    fn read(&self, index: u16) -> DescriptorBytes {
        // SAFETY: the slot is inside the block (asserted in `slot`); shared memory is
        // page-aligned so 16-byte slots are aligned; volatile because the NIC writes it.
        let bytes = unsafe { self.slot(index).read_volatile() };
        // The NIC writes a buffer before the descriptor that reports it (DD): reads of the
        // buffer that follow this read must not be moved before it.
        fence(Ordering::Acquire);
        bytes
    }

    fn write(&self, index: u16, bytes: &DescriptorBytes) {
        // The buffer a descriptor hands the NIC (a copied frame) is written before it.
        fence(Ordering::Release);
        // SAFETY: as in `read`.
        unsafe { self.slot(index).write_volatile(*bytes) };
    }
}
