//! The host's ("protocol's") send NBLs, and reading a `NET_BUFFER`'s data the way NDIS does.
//!
//! A protocol hands a miniport NBLs whose data is laid out however the stack built it: a
//! header in one MDL and the payload in others, data starting past the beginning of the first
//! MDL (backfill left for lower layers), pages not mapped into system space. A miniport that
//! assumes one contiguous, mapped buffer at offset 0 works in a test that only builds those
//! and fails on Windows; [`build_send_chain`] builds all the shapes, chosen by a seed.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-architecture>

use super::{data_length, host_id, nb_data, nb_data_of, nbl_links, register_host, unregister_host};
use crate::rng::SplitMix64;
use crate::sys::{
    CSHORT, MDL, MDL_MAPPED_TO_SYSTEM_VA, MDL_SOURCE_IS_NONPAGED_POOL, NET_BUFFER, NET_BUFFER_LIST,
    PMDL, PNET_BUFFER, PNET_BUFFER_LIST,
};

/// `MDL_*` flags (`sys` has the `#define`s as bindgen emits them, `u32`) in the `CSHORT` of
/// `MDL::MdlFlags`. Every MDL flag is a bit of a 16-bit field, so the conversion loses nothing;
/// a value that does not fit fails const evaluation or panics.
#[expect(
    clippy::cast_possible_truncation,
    reason = "lossless: 16 bits, asserted first"
)]
pub(crate) const fn mdl_flags(flags: u32) -> CSHORT {
    assert!(flags <= 0xFFFF, "MDL flags are 16 bits");
    // The `MdlFlags` bit pattern (`CSHORT` is signed).
    (flags as u16).cast_signed()
}

/// The x64 page size, for `StartVa` / `ByteOffset`.
const PAGE: usize = crate::bus::PAGE_SIZE;

/// What fills the bytes of a host MDL before `DataOffset` (backfill): a driver that reads from
/// the MDL start instead of `CurrentMdlOffset` sends these.
pub(crate) const BACKFILL_POISON: u8 = 0xBF;
/// What fills the bytes of the last MDL past `DataLength`.
pub(crate) const TAIL_POISON: u8 = 0x7A;
/// What an unmapped MDL's `MappedSystemVa` points at: a driver that reads `MappedSystemVa`
/// without `MmGetSystemAddressForMdlSafe` sends these (rather than crashing the test process
/// as a wild pointer would; on Windows the field is meaningless until the MDL is mapped).
pub(crate) const UNMAPPED_POISON: u8 = 0xDB;

/// The address an NBL's `NdisPoolHandle` has when the host built it: the host's "protocol pool".
static HOST_POOL: u8 = 0;

/// One host-built NBL with everything it points at. `nbl` is first, so the NBL's address is
/// the block's.
#[repr(C)]
struct HostNbl {
    nbl: NET_BUFFER_LIST,
    nb: NET_BUFFER,
    /// The MDL chain (linked through `Next`; the vector is never resized after linking).
    mdls: Vec<MDL>,
    /// One separately allocated buffer per MDL, so the MDLs are not contiguous in memory.
    buffers: Vec<Vec<u8>>,
    /// What unmapped MDLs' `MappedSystemVa` points at (see [`UNMAPPED_POISON`]).
    decoys: Vec<Vec<u8>>,
}

/// The host's send NBLs for one `MiniportSendNetBufferLists` call: one NBL per frame, linked
/// through `NET_BUFFER_LIST::Next`, each with one `NET_BUFFER`.
///
/// The chain does not free its NBLs (the driver holds them until it completes them); free each
/// with [`free_host_nbl`] once completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FrameChain {
    head: usize,
    ids: Vec<u64>,
}

impl FrameChain {
    /// The first NBL (null for an empty chain).
    pub(crate) fn head(&self) -> PNET_BUFFER_LIST {
        self.head as PNET_BUFFER_LIST
    }

    /// The NBL ids, in chain order.
    pub(crate) fn ids(&self) -> Vec<u64> {
        self.ids.clone()
    }
}

/// Builds one NBL per frame (one `NET_BUFFER` each), chained in order. Chosen by `rng_seed`,
/// per frame: `DataOffset` nonzero about one time in three (backfill filled with
/// [`BACKFILL_POISON`]), unused bytes after the data about one time in four ([`TAIL_POISON`]),
/// the bytes split over 1 to 3 MDLs at random points (each MDL its own host buffer, at least
/// one byte long, so an MDL may hold backfill only), and each MDL either mapped
/// (`MDL_SOURCE_IS_NONPAGED_POOL` or `MDL_MAPPED_TO_SYSTEM_VA`) or not (flags 0: the driver must
/// map it with `MmGetSystemAddressForMdlSafe`). `CurrentMdl` / `CurrentMdlOffset` point at
/// `DataOffset` as `NdisAllocateNetBufferAndNetBufferList` sets them. Each NBL carries its id
/// in `NdisReserved[0]`.
pub(crate) fn build_send_chain(frames: &[Vec<u8>], rng_seed: u64) -> FrameChain {
    build_send_chain_split(frames, rng_seed, None)
}

/// [`build_send_chain`], with each frame's bytes split over exactly `mdls` MDLs (at most one
/// per byte) when given, instead of 1 to 3.
pub(crate) fn build_send_chain_split(
    frames: &[Vec<u8>],
    rng_seed: u64,
    mdls: Option<usize>,
) -> FrameChain {
    let mut rng = SplitMix64::new(rng_seed);
    let mut ids = Vec::with_capacity(frames.len());
    let mut nbls: Vec<*mut HostNbl> = Vec::with_capacity(frames.len());
    for frame in frames {
        let block = Box::into_raw(build_one(frame, &mut rng, mdls));
        let id = register_host(block as usize);
        // The id as NDIS-reserved pointer-sized data.
        let reserved = usize::try_from(id).unwrap_or(usize::MAX) as crate::sys::PVOID;
        // SAFETY: `block` was just made by `Box::into_raw` and nothing else refers to it yet.
        unsafe { (*block).nbl.NdisReserved[0] = reserved };
        // The NBL's NET_BUFFER is the block's (linked once the block has its final address).
        // SAFETY: `block` is live (made by `Box::into_raw` above and not freed in this
        // function); only the field's address is taken.
        let nb: PNET_BUFFER = unsafe { &raw mut (*block).nb };
        // SAFETY: `block` is live and not yet linked into the chain or handed to the driver,
        // so this is the only reference to its NBL while `this` lives.
        let this = unsafe { &mut (*block).nbl };
        nbl_links(this).FirstNetBuffer = nb;
        if let Some(&prev) = nbls.last() {
            // SAFETY: `prev` is the previous block of this loop, alive and not shared yet.
            let prev = unsafe { &mut (*prev).nbl };
            nbl_links(prev).Next = block.cast();
        }
        nbls.push(block);
        ids.push(id);
    }
    FrameChain {
        head: nbls.first().map_or(0, |&b| b as usize),
        ids,
    }
}

/// Cuts `total` (> 0) bytes into `n` (<= `total`) nonempty segments at random points.
fn split(total: usize, n: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut cuts = std::collections::BTreeSet::new();
    while cuts.len() + 1 < n {
        cuts.insert(1 + rng.below(total - 1));
    }
    let mut lens = Vec::with_capacity(n);
    let mut start = 0;
    for cut in cuts.into_iter().chain([total]) {
        lens.push(cut - start);
        start = cut;
    }
    lens
}

fn build_one(frame: &[u8], rng: &mut SplitMix64, mdls: Option<usize>) -> Box<HostNbl> {
    let offset = if rng.below(3) == 0 {
        1 + rng.below(64)
    } else {
        0
    };
    let tail = if rng.below(4) == 0 {
        1 + rng.below(16)
    } else {
        0
    };
    let total = (offset + frame.len() + tail).max(1);
    let n = mdls.unwrap_or_else(|| 1 + rng.below(3)).clamp(1, total);
    let mut bytes = vec![BACKFILL_POISON; offset];
    bytes.extend_from_slice(frame);
    bytes.resize(total, TAIL_POISON);
    let mut block = Box::new(HostNbl {
        nbl: NET_BUFFER_LIST::default(),
        nb: NET_BUFFER::default(),
        mdls: Vec::with_capacity(n),
        buffers: Vec::with_capacity(n),
        decoys: Vec::new(),
    });
    let mut at = 0;
    for len in split(total, n, rng) {
        let buffer = bytes[at..at + len].to_vec();
        at += len;
        let va = buffer.as_ptr() as usize;
        let (flags, mapped) = match rng.below(3) {
            0 => (mdl_flags(MDL_SOURCE_IS_NONPAGED_POOL), va),
            1 => (mdl_flags(MDL_MAPPED_TO_SYSTEM_VA), va),
            _ => {
                let decoy = vec![UNMAPPED_POISON; len];
                let p = decoy.as_ptr() as usize;
                block.decoys.push(decoy);
                (0, p)
            }
        };
        block.mdls.push(MDL {
            Size: mdl_size(),
            MdlFlags: flags,
            MappedSystemVa: mapped as crate::sys::PVOID,
            StartVa: (va & !(PAGE - 1)) as crate::sys::PVOID,
            ByteCount: u32::try_from(len).unwrap_or(u32::MAX),
            ByteOffset: u32::try_from(va & (PAGE - 1)).unwrap_or(0),
            ..MDL::default()
        });
        block.buffers.push(buffer);
    }
    // Link the MDLs: the vector is complete, so its elements no longer move.
    let base = block.mdls.as_mut_ptr();
    for i in 1..n {
        // SAFETY: `i - 1` and `i` are in bounds of the `n` MDLs just pushed.
        let prev = unsafe { base.add(i - 1) };
        // SAFETY: `i < n`, so `i` is in bounds of the `n` MDLs just pushed.
        let next = unsafe { base.add(i) };
        // SAFETY: `prev` points at an element of `block.mdls`, which nothing else borrows.
        unsafe { (*prev).Next = next };
    }
    let (current, current_offset) = locate(base, offset);
    let pool = (&raw const HOST_POOL).cast_mut().cast();
    block.nbl.NdisPoolHandle = pool;
    let nb = &mut block.nb;
    nb.NdisPoolHandle = pool;
    let data = nb_data(nb);
    data.MdlChain = base;
    data.DataOffset = u32::try_from(offset).unwrap_or(0);
    data.CurrentMdl = current;
    data.CurrentMdlOffset = current_offset;
    data.__bindgen_anon_1.stDataLength = frame.len() as u64;
    block
}

/// `Size` of an MDL without a PFN array: the simulator describes host memory, which has no
/// page frames (DMA goes through memory the driver allocated as shared memory).
fn mdl_size() -> CSHORT {
    CSHORT::try_from(size_of::<MDL>()).unwrap_or(CSHORT::MAX)
}

/// The MDL of chain `chain` holding byte `offset` of the chain, and the offset in it, as
/// `NdisAllocateNetBufferAndNetBufferList` sets `CurrentMdl` / `CurrentMdlOffset`: an offset at
/// the end of an MDL that has a successor is the start of the successor. `(null, 0)` when the
/// chain is shorter than `offset`.
pub(crate) fn locate(chain: PMDL, offset: usize) -> (PMDL, u32) {
    let mut mdl = chain;
    let mut left = offset;
    while !mdl.is_null() {
        // SAFETY: `mdl` is an MDL of a chain the caller (the driver, or `build_one`) made;
        // reading its fields is what NDIS does with the chain it is given.
        let m = unsafe { &*mdl };
        let (count, next) = (m.ByteCount as usize, m.Next);
        if left < count || (left == count && next.is_null()) {
            return (mdl, u32::try_from(left).unwrap_or(u32::MAX));
        }
        left -= count;
        mdl = next;
    }
    (core::ptr::null_mut(), 0)
}

/// The id of host-built NBL `nbl` (also in its `NdisReserved[0]`); `None` for anything else.
pub(crate) fn nbl_id(nbl: PNET_BUFFER_LIST) -> Option<u64> {
    host_id(nbl as usize)
}

/// Frees host-built NBL `nbl` (after the driver completed it): the NBL, its `NET_BUFFER`, MDLs
/// and buffers; not the NBLs linked after it.
///
/// # Safety
/// Nothing uses `nbl` or anything it points at afterwards.
///
/// # Panics
/// When `nbl` is not a live host-built NBL (freed twice, or never built by
/// [`build_send_chain`]): a host bug.
pub(crate) unsafe fn free_host_nbl(nbl: PNET_BUFFER_LIST) {
    assert!(
        unregister_host(nbl as usize).is_some(),
        "ndis-sim: free_host_nbl({nbl:p}): not a live host-built NBL"
    );
    // SAFETY: registered by `build_send_chain` as a `Box<HostNbl>` made with `into_raw` (the NBL
    // is its first field), and just unregistered under the lock, so it is freed once.
    drop(unsafe { Box::from_raw(nbl.cast::<HostNbl>()) });
}

/// The system address of `mdl`'s buffer as NDIS reaches it: `MappedSystemVa` when the MDL is
/// mapped (`MDL_MAPPED_TO_SYSTEM_VA` or `MDL_SOURCE_IS_NONPAGED_POOL`), else its virtual address
/// (`StartVa + ByteOffset`), which in the simulator is also a system address.
///
/// # Safety
/// `mdl` points at a live MDL.
pub(crate) unsafe fn system_address(mdl: PMDL) -> usize {
    // SAFETY: the caller's contract.
    let m = unsafe { &*mdl };
    if m.MdlFlags & mdl_flags(MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL) != 0 {
        m.MappedSystemVa as usize
    } else {
        (m.StartVa as usize) + m.ByteOffset as usize
    }
}

/// The `DataLength` bytes of `nb`, read from `CurrentMdl` at `CurrentMdlOffset` on across the
/// MDL chain, as NDIS copies a frame (works for host NBLs and for the driver's pool NBLs, whose
/// MDLs describe its shared memory). Stops early (returns fewer bytes) when the chain ends
/// before `DataLength` bytes: the caller compares the length.
///
/// # Safety
/// `nb` points at a live `NET_BUFFER` whose MDL chain and buffers are live for the call.
pub(crate) unsafe fn read_nb_data(nb: PNET_BUFFER) -> Vec<u8> {
    // SAFETY: the caller's contract.
    let fragments = unsafe { nb_fragments(nb) };
    let mut out = Vec::with_capacity(fragments.iter().map(|f| f.1).sum());
    for (base, len) in fragments {
        // SAFETY: each fragment is `len` live bytes of an MDL of the chain (`nb_fragments`).
        out.extend_from_slice(unsafe { core::slice::from_raw_parts(base as *const u8, len) });
    }
    out
}

/// Where `nb`'s data lies: one `(host address, length)` per MDL it touches, from `CurrentMdl`
/// at `CurrentMdlOffset` until `DataLength` bytes (MDLs with no data in range are skipped).
/// Fewer bytes in all when the chain ends first.
///
/// # Safety
/// `nb` points at a live `NET_BUFFER` whose MDL chain is live for the call.
pub(crate) unsafe fn nb_fragments(nb: PNET_BUFFER) -> Vec<(usize, usize)> {
    // SAFETY: the caller's contract.
    let data = nb_data_of(unsafe { &*nb });
    let want = data_length(&data) as usize;
    let mut out = Vec::new();
    let mut got = 0;
    let mut mdl = data.CurrentMdl;
    let mut skip = data.CurrentMdlOffset as usize;
    while got < want && !mdl.is_null() {
        // SAFETY: `mdl` is an MDL of the live chain (the caller's contract).
        let m = unsafe { &*mdl };
        let (count, next) = (m.ByteCount as usize, m.Next);
        if skip < count {
            let take = (count - skip).min(want - got);
            // SAFETY: `mdl` is a live MDL of the chain (the caller's contract), the one `m`
            // was read from.
            let base = unsafe { system_address(mdl) };
            out.push((base + skip, take));
            got += take;
        }
        skip = skip.saturating_sub(count);
        mdl = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(seed: u64) -> Vec<Vec<u8>> {
        let mut rng = SplitMix64::new(seed ^ 0xF4A3);
        (0..=rng.below(6))
            .map(|i| {
                let len = [1, 2, 14, 60, 61, 100, 1514][rng.below(7)];
                (0..len)
                    .map(|j| u8::try_from((i * 31 + j * 7 + 3) % 251).unwrap_or(0))
                    .collect()
            })
            .collect()
    }

    /// Walks the chain through `Next`, as a driver does.
    fn nbls_of(chain: &FrameChain) -> Vec<PNET_BUFFER_LIST> {
        let mut out = Vec::new();
        let mut nbl = chain.head();
        while !nbl.is_null() {
            out.push(nbl);
            // SAFETY: a live host NBL of the chain.
            nbl = nbl_links(unsafe { &mut *nbl }).Next;
        }
        out
    }

    fn first_nb(nbl: PNET_BUFFER_LIST) -> PNET_BUFFER {
        // SAFETY: a live host NBL.
        nbl_links(unsafe { &mut *nbl }).FirstNetBuffer
    }

    fn mdls_of(nb: PNET_BUFFER) -> Vec<MDL> {
        // SAFETY: a live host NET_BUFFER.
        let mut mdl = nb_data_of(unsafe { &*nb }).MdlChain;
        let mut out = Vec::new();
        while !mdl.is_null() {
            // SAFETY: a live MDL of the chain.
            let m = unsafe { &*mdl };
            out.push(MDL {
                Next: m.Next,
                MappedSystemVa: m.MappedSystemVa,
                StartVa: m.StartVa,
                ..*m
            });
            mdl = m.Next;
        }
        out
    }

    #[test]
    fn every_seed_reads_back_byte_exact_and_ids_match() {
        for seed in crate::test_seeds(300) {
            let fs = frames(seed);
            let chain = build_send_chain(&fs, seed);
            let nbls = nbls_of(&chain);
            assert_eq!(nbls.len(), fs.len(), "seed {seed:#x}");
            let ids: Vec<_> = nbls.iter().map(|&n| nbl_id(n).expect("host NBL")).collect();
            assert_eq!(ids, chain.ids(), "seed {seed:#x}");
            for (&nbl, frame) in nbls.iter().zip(&fs) {
                // SAFETY: a live host NBL.
                let reserved = unsafe { (*nbl).NdisReserved[0] } as usize as u64;
                assert_eq!(Some(reserved), nbl_id(nbl));
                assert!(!super::super::is_pool_nbl(nbl));
                // SAFETY: a live host NET_BUFFER.
                let got = unsafe { read_nb_data(first_nb(nbl)) };
                assert_eq!(&got, frame, "seed {seed:#x}");
            }
            for nbl in nbls {
                // SAFETY: built above, not used afterwards.
                unsafe { free_host_nbl(nbl) };
                assert_eq!(nbl_id(nbl), None);
            }
        }
    }

    #[test]
    fn shapes_cover_splits_unmapped_mdls_and_offsets() {
        let (mut split_seen, mut three, mut unmapped, mut mapped, mut offset, mut mid_mdl) =
            (false, false, false, false, false, false);
        for seed in 0..200 {
            let chain = build_send_chain(&[vec![0x42; 100]], seed);
            let nbl = chain.head();
            let nb = first_nb(nbl);
            let mdls = mdls_of(nb);
            assert!((1..=3).contains(&mdls.len()));
            split_seen |= mdls.len() > 1;
            three |= mdls.len() == 3;
            // SAFETY: a live host NET_BUFFER.
            let data = nb_data_of(unsafe { &*nb });
            let total: u32 = mdls.iter().map(|m| m.ByteCount).sum();
            let len = data_length(&data);
            assert_eq!(len, 100);
            assert!(
                total >= data.DataOffset + len,
                "the chain holds offset + data"
            );
            offset |= data.DataOffset != 0;
            mid_mdl |= data.CurrentMdl != data.MdlChain;
            let (cur, cur_off) = locate(data.MdlChain, data.DataOffset as usize);
            assert_eq!((cur, cur_off), (data.CurrentMdl, data.CurrentMdlOffset));
            for m in &mdls {
                assert!(m.ByteCount > 0);
                assert_eq!(m.StartVa as usize % PAGE, 0);
                assert!((m.ByteOffset as usize) < PAGE);
                let va = m.StartVa as usize + m.ByteOffset as usize;
                if m.MdlFlags == 0 {
                    unmapped = true;
                    assert_ne!(m.MappedSystemVa as usize, va, "unmapped: decoy address");
                    // SAFETY: the decoy buffer has ByteCount bytes.
                    let decoy = unsafe { *m.MappedSystemVa.cast::<u8>() };
                    assert_eq!(decoy, UNMAPPED_POISON);
                } else {
                    mapped = true;
                    assert_eq!(m.MappedSystemVa as usize, va);
                }
            }
            if data.DataOffset > 0 {
                // The byte before the data is backfill poison.
                let (m, o) = locate(data.MdlChain, data.DataOffset as usize - 1);
                // SAFETY: `m` is an MDL of the live chain, `o` within it.
                let base = unsafe { system_address(m) };
                // SAFETY: byte `o` of that MDL's live buffer.
                let b = unsafe { *((base + o as usize) as *const u8) };
                assert_eq!(b, BACKFILL_POISON);
            }
            // SAFETY: built above, not used afterwards.
            unsafe { free_host_nbl(nbl) };
        }
        assert!(split_seen && three && unmapped && mapped && offset && mid_mdl);
    }

    #[test]
    fn locate_moves_past_an_mdl_that_ends_at_the_offset() {
        let mut second = MDL {
            ByteCount: 5,
            ..MDL::default()
        };
        let mut first = MDL {
            ByteCount: 3,
            Next: &raw mut second,
            ..MDL::default()
        };
        let first_p: PMDL = &raw mut first;
        let second_p: PMDL = first.Next;
        assert_eq!(locate(first_p, 0), (first_p, 0));
        assert_eq!(locate(first_p, 2), (first_p, 2));
        assert_eq!(locate(first_p, 3), (second_p, 0));
        assert_eq!(locate(first_p, 8), (second_p, 5), "end of the last MDL");
        assert_eq!(locate(first_p, 9), (core::ptr::null_mut(), 0));
    }

    #[test]
    #[should_panic(expected = "not a live host-built NBL")]
    fn freeing_a_host_nbl_twice_panics() {
        let chain = build_send_chain(&[vec![1, 2, 3]], 9);
        // SAFETY: built above, not used afterwards.
        unsafe { free_host_nbl(chain.head()) };
        // SAFETY: the second free is refused before touching memory.
        unsafe { free_host_nbl(chain.head()) };
    }

    #[test]
    fn empty_input_gives_an_empty_chain() {
        let chain = build_send_chain(&[], 1);
        assert!(chain.head().is_null());
        assert!(chain.ids().is_empty());
    }
}
