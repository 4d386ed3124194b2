//! The kernel allocator's arithmetic (`rse1k::pool`), against a pool double that gives exactly
//! what `ExAllocatePool2` documents and no more: blocks aligned to 16 bytes, never to 32.
//! Every layout's alignment must be honoured, every block freed with the driver's tag, and the
//! block freed must be the block allocated.

use std::alloc::{Layout, alloc, alloc_zeroed, dealloc};
use std::cell::RefCell;
use std::collections::BTreeMap;

use rse1k::pool::{self, POOL_ALIGNMENT, POOL_TAG, Padding, Pool};

/// A pool whose blocks sit 16 bytes past a 64-byte boundary: 16-aligned, never 32-aligned.
#[derive(Default)]
struct SixteenAlignedPool {
    /// Live blocks: address → (bytes, tag, zeroed).
    live: RefCell<BTreeMap<usize, (usize, u32, bool)>>,
    /// Frees seen: (address, tag).
    freed: RefCell<Vec<(usize, u32)>>,
}

impl SixteenAlignedPool {
    fn backing(bytes: usize) -> Layout {
        Layout::from_size_align(bytes + POOL_ALIGNMENT, 64).unwrap()
    }
}

// SAFETY: blocks are `bytes` long (the backing allocation is 16 longer, starting 16 earlier),
// 16-aligned, zeroed when asked, valid until `free`.
unsafe impl Pool for SixteenAlignedPool {
    fn allocate(&self, bytes: usize, tag: u32, zeroed: bool) -> *mut u8 {
        let layout = Self::backing(bytes);
        let base = if zeroed {
            // SAFETY: non-zero size.
            unsafe { alloc_zeroed(layout) }
        } else {
            // SAFETY: non-zero size.
            unsafe { alloc(layout) }
        };
        assert!(!base.is_null());
        // SAFETY: the backing allocation is POOL_ALIGNMENT bytes longer than the block.
        let block = unsafe { base.add(POOL_ALIGNMENT) };
        self.live
            .borrow_mut()
            .insert(block.addr(), (bytes, tag, zeroed));
        block
    }

    unsafe fn free(&self, block: *mut u8, tag: u32) {
        let (bytes, _, _) = self
            .live
            .borrow_mut()
            .remove(&block.addr())
            .unwrap_or_else(|| panic!("freed {block:p}, which is not a live block"));
        self.freed.borrow_mut().push((block.addr(), tag));
        // The block is POOL_ALIGNMENT past the start of its backing allocation.
        let base = block.wrapping_sub(POOL_ALIGNMENT);
        // SAFETY: `base` is the backing allocation `allocate` made with this layout.
        unsafe { dealloc(base, Self::backing(bytes)) };
    }
}

const ALIGNS: [usize; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 4096];
const SIZES: [usize; 6] = [1, 3, 16, 100, 4096, 5000];

#[test]
fn every_alignment_is_honoured_inside_the_block() {
    let pool = SixteenAlignedPool::default();
    for align in ALIGNS {
        for size in SIZES {
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: non-zero size.
            let ptr = unsafe { pool::allocate(&pool, layout, false) };
            assert!(!ptr.is_null());
            assert_eq!(ptr.addr() % align, 0, "{layout:?} at {ptr:p}");
            let (&block, &(bytes, tag, _)) = pool
                .live
                .borrow()
                .range(..=ptr.addr())
                .next_back()
                .expect("the allocation lies in a block");
            assert_eq!(tag, POOL_TAG);
            assert!(
                ptr.addr() + size <= block + bytes,
                "{layout:?} overruns its block"
            );
            // The whole allocation is writable.
            // SAFETY: `size` bytes at `ptr` lie inside the live block (checked above).
            unsafe { ptr.write_bytes(0xA5, size) };
            // SAFETY: allocated above with this layout.
            unsafe { pool::free(&pool, ptr, layout) };
            assert_eq!(pool.freed.borrow().last(), Some(&(block, POOL_TAG)));
        }
    }
    assert!(pool.live.borrow().is_empty(), "every block returned");
}

#[test]
fn the_pool_alone_would_misalign_wide_types() {
    // The failure the padding exists for (wdk-alloc passes the size only): a cache-line aligned
    // layout served straight from the pool is misaligned.
    let pool = SixteenAlignedPool::default();
    let block = pool.allocate(64, POOL_TAG, false);
    assert_ne!(block.addr() % 64, 0);
    // SAFETY: from this pool with this tag.
    unsafe { pool.free(block, POOL_TAG) };
    assert_eq!(
        Padding::for_layout(Layout::from_size_align(64, 64).unwrap()),
        Padding::Aligned
    );
    assert_eq!(
        Padding::for_layout(Layout::new::<u128>()),
        Padding::None,
        "what the pool guarantees costs nothing extra"
    );
}

#[test]
fn zeroed_requests_reach_the_pool_and_sizes_are_exact() {
    let pool = SixteenAlignedPool::default();
    let layout = Layout::from_size_align(40, 8).unwrap();
    // SAFETY: non-zero size.
    let ptr = unsafe { pool::allocate(&pool, layout, true) };
    assert_eq!(pool.live.borrow()[&ptr.addr()], (40, POOL_TAG, true));
    // SAFETY: 40 bytes were allocated, zeroed, and stay live until the free below.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, 40) };
    assert!(bytes.iter().all(|&b| b == 0));
    // SAFETY: allocated above with this layout.
    unsafe { pool::free(&pool, ptr, layout) };

    let wide = Layout::from_size_align(40, 64).unwrap();
    assert_eq!(pool::block_size(wide), Some(40 + 64));
    assert_eq!(pool::block_size(layout), Some(40));
    assert_eq!(
        pool::block_size(Layout::from_size_align(0, 1).unwrap()),
        Some(1)
    );
}

#[test]
fn an_exhausted_pool_gives_null_for_every_alignment() {
    struct Exhausted;
    // SAFETY: always null, so nothing is ever handed out.
    unsafe impl Pool for Exhausted {
        fn allocate(&self, _: usize, _: u32, _: bool) -> *mut u8 {
            std::ptr::null_mut()
        }
        unsafe fn free(&self, _: *mut u8, _: u32) {
            unreachable!("nothing was allocated")
        }
    }
    for align in ALIGNS {
        let layout = Layout::from_size_align(64, align).unwrap();
        // SAFETY: non-zero size.
        assert!(unsafe { pool::allocate(&Exhausted, layout, false) }.is_null());
    }
    // The largest valid layout still has a block size (a Layout's size is at most
    // isize::MAX - (align - 1), so size + align never overflows usize).
    let largest = Layout::from_size_align(isize::MAX.unsigned_abs() - 63, 64).unwrap();
    assert_eq!(
        pool::block_size(largest),
        Some(isize::MAX.unsigned_abs() + 1)
    );
}

#[test]
fn the_tag_reads_rs1k_in_the_debugger() {
    // !poolused prints the tag's bytes in memory order.
    assert_eq!(&POOL_TAG.to_le_bytes(), b"Rs1k");
    assert_ne!(POOL_TAG, u32::from_le_bytes(*b"rust"));
}
