//! The kernel build's global allocator: nonpaged pool under the driver's own tag, with every
//! `Layout`'s alignment honoured.
//!
//! `ExAllocatePool2` (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepool2>)
//! exists from Windows 10 version 2004 (build 19041), the oldest Windows this driver supports
//! (`docs/windows.md`, "Supported Windows"), and is the allocator the WDK recommends from then on.
//! It returns memory aligned to `MEMORY_ALLOCATION_ALIGNMENT` (16 bytes on x64): enough for every
//! Rust type up to `u128`, but not for a type declared `#[repr(align(64))]` (a cache-line padded
//! counter, for instance). A request with a larger alignment is over-allocated by its alignment
//! and the returned pointer moved forward to the next aligned address, with the pool block's real
//! start stored in the word just below it, where `dealloc` finds it again ([`Padding`]).
//!
//! Every block carries [`POOL_TAG`]. The tag is what `!poolused`, `!pool` and Driver Verifier's
//! pool tracking show; a driver-specific tag is the only way to tell this driver's allocations
//! (and leaks) from those of every other Rust driver on the machine, which windows-drivers-rs's
//! `wdk-alloc` would all tag `rust`. Frees go through `ExFreePoolWithTag` with the same tag, so
//! Driver Verifier can also catch a block freed by the wrong owner.
//!
//! The arithmetic is plain code, tested on the host against a pool that gives exactly the
//! documented guarantee ([`allocate`] and [`free`] are generic over the [`Pool`]); the kernel part
//! is the two DDI calls in `NonPagedPool`.

use core::alloc::Layout;
use core::mem::size_of;

/// The pool tag of every allocation this driver makes, as `!poolused` prints it: `Rs1k`.
///
/// A tag is four characters stored in a `ULONG`, first character in the low byte; the debugger
/// prints the bytes in memory order.
pub const POOL_TAG: u32 = u32::from_le_bytes(*b"Rs1k");

/// The alignment `ExAllocatePool2` guarantees on x64 (`MEMORY_ALLOCATION_ALIGNMENT`, ntdef.h).
pub const POOL_ALIGNMENT: usize = 16;

/// The source of raw pool blocks: `ExAllocatePool2` / `ExFreePoolWithTag` in the kernel, a test
/// double on the host.
///
/// # Safety
/// `allocate` must return null or a block of at least `bytes` bytes aligned to
/// [`POOL_ALIGNMENT`], zero-filled when `zeroed` is set, that stays valid until passed to `free`.
pub unsafe trait Pool {
    /// A block of `bytes` bytes with `tag`, or null.
    fn allocate(&self, bytes: usize, tag: u32, zeroed: bool) -> *mut u8;

    /// Returns a block `allocate` gave out.
    ///
    /// # Safety
    /// `block` came from `allocate` on this pool with the same `tag` and was not freed since.
    unsafe fn free(&self, block: *mut u8, tag: u32);
}

/// How a `Layout` is served from the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// The pool's own alignment is enough: the block is the allocation.
    None,
    /// Over-allocated by the alignment; the allocation starts at the first aligned address at
    /// least [`POOL_ALIGNMENT`] bytes into the block, and the block's start is stored in the
    /// `usize` just below the allocation.
    Aligned,
}

impl Padding {
    /// The padding `layout` needs.
    #[must_use]
    pub const fn for_layout(layout: Layout) -> Self {
        if layout.align() <= POOL_ALIGNMENT {
            Self::None
        } else {
            Self::Aligned
        }
    }
}

/// The bytes to ask the pool for to serve `layout`, or `None` if that overflows `usize`.
///
/// A zero-sized layout still gets one byte: `ExAllocatePool2` with zero bytes is not documented
/// to return a unique pointer.
#[must_use]
pub const fn block_size(layout: Layout) -> Option<usize> {
    let size = if layout.size() == 0 { 1 } else { layout.size() };
    match Padding::for_layout(layout) {
        Padding::None => Some(size),
        // Moving from a POOL_ALIGNMENT-aligned block start past one POOL_ALIGNMENT-sized header
        // to the next multiple of `align` skips at most `align` bytes (align > POOL_ALIGNMENT,
        // both powers of two).
        Padding::Aligned => size.checked_add(layout.align()),
    }
}

/// Where the allocation starts inside a block that starts at address `block`: the first multiple
/// of `align` at least [`POOL_ALIGNMENT`] bytes past it (room for the stored block start).
#[must_use]
pub const fn aligned_start(block: usize, align: usize) -> usize {
    // `block + POOL_ALIGNMENT + align - 1` cannot overflow for a block the pool gave out of
    // `size + align` bytes: it ends below `block + size + align`.
    (block + POOL_ALIGNMENT + align - 1) & !(align - 1)
}

/// Serves `layout` from `pool`: [`block_size`] bytes tagged [`POOL_TAG`], moved to the
/// alignment when the pool's is not enough. Null when the pool is exhausted or the size overflows.
///
/// # Safety
/// `layout` has a non-zero size (the `GlobalAlloc::alloc` contract).
pub unsafe fn allocate<P: Pool>(pool: &P, layout: Layout, zeroed: bool) -> *mut u8 {
    let Some(bytes) = block_size(layout) else {
        return core::ptr::null_mut();
    };
    let block = pool.allocate(bytes, POOL_TAG, zeroed);
    if block.is_null() {
        return block;
    }
    match Padding::for_layout(layout) {
        Padding::None => block,
        Padding::Aligned => {
            let offset = aligned_start(block.addr(), layout.align()) - block.addr();
            // SAFETY: `offset` <= `layout.align()` (see `block_size`), so the result lies inside
            // the `bytes`-byte block the pool returned, with `layout.size()` bytes after it.
            let start = unsafe { block.add(offset) };
            let slot = block_start_slot(start);
            // SAFETY: `offset` >= POOL_ALIGNMENT >= size_of::<usize>(), so the slot below
            // `start` lies inside the block, before the caller's bytes; a byte array needs no
            // alignment.
            unsafe { slot.write(block.addr().to_ne_bytes()) };
            start
        }
    }
}

/// Where an [`Padding::Aligned`] allocation starting at `start` keeps its block's start address:
/// the `usize`-sized bytes just below it.
fn block_start_slot(start: *mut u8) -> *mut [u8; size_of::<usize>()] {
    start.wrapping_sub(size_of::<usize>()).cast()
}

/// Returns an allocation [`allocate`] made for `layout` to `pool`.
///
/// # Safety
/// `ptr` came from [`allocate`] on `pool` with this `layout` and was not freed since.
pub unsafe fn free<P: Pool>(pool: &P, ptr: *mut u8, layout: Layout) {
    let block = match Padding::for_layout(layout) {
        Padding::None => ptr,
        Padding::Aligned => {
            // SAFETY: `allocate` stored the block start in the slot just below `ptr` (inside
            // the same block), and nothing else writes there.
            let start = unsafe { block_start_slot(ptr).read() };
            ptr.with_addr(usize::from_ne_bytes(start))
        }
    };
    // SAFETY: `block` is the pool block `allocate` obtained with POOL_TAG (this function's
    // contract), freed once.
    unsafe { pool.free(block, POOL_TAG) };
}

/// Nonpaged pool through `ExAllocatePool2(POOL_FLAG_NON_PAGED, ...)` and `ExFreePoolWithTag`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exfreepoolwithtag>).
/// Nonpaged because the driver allocates at `DISPATCH_LEVEL` and keeps spin locks in its blocks;
/// `POOL_FLAG_NON_PAGED` is no-execute nonpaged pool.
#[cfg(feature = "kernel")]
pub struct NonPagedPool;

// SAFETY: ExAllocatePool2 returns null or a block of the requested size aligned to
// MEMORY_ALLOCATION_ALIGNMENT, zeroed unless POOL_FLAG_UNINITIALIZED is passed, valid until freed.
#[cfg(feature = "kernel")]
unsafe impl Pool for NonPagedPool {
    fn allocate(&self, bytes: usize, tag: u32, zeroed: bool) -> *mut u8 {
        let flags = if zeroed {
            wdk_sys::POOL_FLAG_NON_PAGED
        } else {
            wdk_sys::POOL_FLAG_NON_PAGED | wdk_sys::POOL_FLAG_UNINITIALIZED
        };
        // `usize` and `SIZE_T` are the same width on every Windows target.
        let bytes = bytes as wdk_sys::SIZE_T;
        // SAFETY: ExAllocatePool2 with nonpaged flags may be called at IRQL <= DISPATCH_LEVEL,
        // which is every context the driver allocates in; it has no other precondition.
        unsafe { wdk_sys::ntddk::ExAllocatePool2(flags, bytes, tag) }.cast()
    }

    unsafe fn free(&self, block: *mut u8, tag: u32) {
        // SAFETY: `block` came from ExAllocatePool2 with `tag` and is freed once (the trait
        // method's contract); freeing nonpaged pool is allowed at IRQL <= DISPATCH_LEVEL.
        unsafe { wdk_sys::ntddk::ExFreePoolWithTag(block.cast(), tag) };
    }
}

/// The kernel build's `#[global_allocator]`: [`allocate`] and [`free`] over [`NonPagedPool`].
#[cfg(feature = "kernel")]
pub struct DriverAllocator;

// SAFETY: `allocate` returns null or memory valid for `layout` (size and alignment) until the
// matching `free`; `alloc_zeroed` asks the pool to zero it.
#[cfg(feature = "kernel")]
unsafe impl core::alloc::GlobalAlloc for DriverAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: GlobalAlloc::alloc's caller guarantees a non-zero size.
        unsafe { allocate(&NonPagedPool, layout, false) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: GlobalAlloc::alloc_zeroed's caller guarantees a non-zero size.
        unsafe { allocate(&NonPagedPool, layout, true) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: GlobalAlloc::dealloc's caller passes a pointer this allocator returned for
        // `layout`.
        unsafe { free(&NonPagedPool, ptr, layout) };
    }
}

/// Size of the stored block start: it must fit in the [`POOL_ALIGNMENT`] bytes kept free below an
/// aligned allocation.
const _: () = assert!(size_of::<usize>() <= POOL_ALIGNMENT);
