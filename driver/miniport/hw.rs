//! The glue between `driver/e1000` (NIC logic, no NDIS) and NDIS: register access through the
//! mapped BAR0, stalls, and descriptor rings in shared memory. The one place in the driver
//! that touches device-visible memory directly (volatile accesses).

use core::sync::atomic::{Ordering, fence};

use crate::e1000::descriptors::rx_status;
use crate::e1000::{DescriptorBytes, DescriptorMemory, Reg, Registers, STATUS_OFFSET, Stall};
use crate::ndis::{IoSpace, SharedMemory};
use crate::sync::{Locked, MAX_STALL_MICROSECONDS, Unlocked, stall_execution};

/// BAR0 mapped by `NdisMMapIoSpace`: the e1000's registers, read and written through the
/// gateway's [`IoSpace`] (`NdisReadRegisterUlong` / `NdisWriteRegisterUlong`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreadregisterulong>
#[derive(Debug)]
pub struct Bar0 {
    io: IoSpace,
}

impl Bar0 {
    /// The e1000's registers in `io`.
    #[must_use]
    pub fn new(io: IoSpace) -> Self {
        Self { io }
    }

    /// The mapping, to unmap it (Halt, or Initialize unwinding).
    #[must_use]
    pub fn into_io_space(self) -> IoSpace {
        self.io
    }
}

impl Registers for Bar0 {
    fn read(&self, reg: Reg) -> u32 {
        self.io.read_ulong(reg.offset())
    }

    fn write(&self, reg: Reg, value: u32) {
        // A register write can be a doorbell (TDT, RDT) telling the NIC to read descriptors
        // and buffers the CPU has just written: those writes must not be moved after it.
        // (`WRITE_REGISTER_ULONG` is a full barrier in the WDK; this keeps the compiler, and
        // weaker architectures, to the same order.)
        fence(Ordering::Release);
        self.io.write_ulong(reg.offset(), value);
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

/// A block of shared memory from `NdisMAllocateSharedMemory` (the gateway's type).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemory>
pub type SharedBlock = SharedMemory;

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

    /// Slot `index`, or `None` past the block. The rings never ask for one past it; if a bug
    /// did, the [`DescriptorMemory`] contract says to ignore the access (a panic here would
    /// be a bug check), so the callers below read zeros and drop writes.
    fn slot(&self, index: u16) -> Option<*mut DescriptorBytes> {
        let offset = u32::from(index) * 16;
        if offset + 16 > self.block.length() {
            debug_assert!(false, "descriptor {index} past the ring");
            return None;
        }
        Some(self.block.virtual_at(offset).cast())
    }

    /// Slot `index` as two 8-byte words (low, then high), `None` past the block.
    #[allow(
        clippy::cast_ptr_alignment,
        reason = "shared memory is page-aligned and slots are 16 bytes apart: 16-aligned"
    )]
    fn words(&self, index: u16) -> Option<*mut u64> {
        let words = self.slot(index)?.cast::<u64>();
        debug_assert!(words.is_aligned(), "descriptor {index} is not 8-aligned");
        Some(words)
    }
}

impl DescriptorRing<'_> {
    /// The descriptor at `words`, then an acquire fence. Two aligned 8-byte loads: a volatile
    /// read of the 16-byte array costs more instructions (measured with
    /// `benches/driver_cost_callgrind.sh`).
    ///
    /// # Safety
    /// `words` is a slot of this ring's block, as [`DescriptorRing::words`] returns it.
    unsafe fn load(words: *mut u64) -> DescriptorBytes {
        // SAFETY: the slot is inside the block (the caller got it from `words`, which checks);
        // shared memory is page-aligned, so the slot's first 8 bytes are 8-aligned; volatile
        // because the NIC writes them.
        let low = unsafe { words.read_volatile() };
        // SAFETY: the slot's second 8 bytes, inside it and 8-aligned (the slot is 16-aligned);
        // volatile because the NIC writes them.
        let high = unsafe { words.wrapping_add(1).read_volatile() };
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&low.to_ne_bytes());
        bytes[8..].copy_from_slice(&high.to_ne_bytes());
        // The NIC writes a buffer before the descriptor that reports it (DD): reads of the
        // buffer that follow this read must not be moved before it.
        fence(Ordering::Acquire);
        bytes
    }

    /// The status byte of the descriptor at `words`, then an acquire fence.
    ///
    /// # Safety
    /// `words` is a slot of this ring's block, as [`DescriptorRing::words`] returns it.
    unsafe fn load_status(words: *mut u64) -> u8 {
        let status = words.cast::<u8>().wrapping_add(STATUS_OFFSET);
        // SAFETY: the byte lies inside the slot, which is inside the block (the caller got it
        // from `words`, which checks); volatile because the NIC writes it.
        let status = unsafe { status.read_volatile() };
        // What the NIC wrote before setting DD (the rest of the descriptor, the buffer) is
        // read only after this.
        fence(Ordering::Acquire);
        status
    }
}

impl DescriptorMemory for DescriptorRing<'_> {
    fn read(&self, index: u16) -> DescriptorBytes {
        let Some(words) = self.words(index) else {
            return [0; 16];
        };
        // SAFETY: `words` is slot `index` of this ring's block, located and checked by `words`.
        unsafe { Self::load(words) }
    }

    fn read_status(&self, index: u16) -> u8 {
        let Some(words) = self.words(index) else {
            return 0;
        };
        // SAFETY: `words` is slot `index` of this ring's block, located and checked by `words`.
        unsafe { Self::load_status(words) }
    }

    fn read_if_done(&self, index: u16) -> Option<DescriptorBytes> {
        // The slot located and bounds-checked once for both reads (the default does it twice:
        // the fence between them makes the compiler load the block's address and length again).
        let words = self.words(index)?;
        // SAFETY: `words` is slot `index` of this ring's block, located and checked by `words`.
        if unsafe { Self::load_status(words) } & rx_status::DD == 0 {
            return None;
        }
        // SAFETY: still slot `index`, checked by `words` above; the status read's acquire fence
        // orders this read after DD was seen, as the trait asks.
        Some(unsafe { Self::load(words) })
    }

    fn write(&self, index: u16, bytes: &DescriptorBytes) {
        // The buffer a descriptor hands the NIC (a copied frame) is written before it.
        fence(Ordering::Release);
        // Two aligned 8-byte stores, as `read` loads. The NIC takes the descriptor only
        // at the doorbell, after a release fence, so it never sees one half written.
        let (mut low, mut high) = ([0u8; 8], [0u8; 8]);
        low.copy_from_slice(&bytes[..8]);
        high.copy_from_slice(&bytes[8..]);
        let (low, high) = (u64::from_ne_bytes(low), u64::from_ne_bytes(high));
        let Some(words) = self.words(index) else {
            return;
        };
        // SAFETY: the slot's first 8 bytes: inside the block (checked in `slot`) and
        // 8-aligned (shared memory is page-aligned); volatile because the NIC reads them.
        unsafe { words.write_volatile(low) };
        // SAFETY: the slot's second 8 bytes, inside it and 8-aligned; volatile because the
        // NIC reads them.
        unsafe { words.wrapping_add(1).write_volatile(high) };
    }
}
