//! NBL pools, `NET_BUFFER_LIST`s, MDLs and `MmMapLockedPagesSpecifyCache`: semantics as a driver
//! sees them through the structure fields, fault injection, and each rule with a deliberate
//! violation caught.
// bindgen emits #defines as u32; drivers narrow them to the field types like this.
#![allow(clippy::cast_possible_truncation)]

mod common;

use ndis_sim::sys::{self, MDL, NDIS_HANDLE, PMDL, PNET_BUFFER, PNET_BUFFER_LIST, PVOID};
use ndis_sim::{Machine, Rule, VerifierMode};

use common::rules;

const TAG: u32 = u32::from_le_bytes(*b"rse1");
const MDL_MAPPED_TO_SYSTEM_VA: i16 = 0x0001;
const MDL_SOURCE_IS_NONPAGED_POOL: i16 = 0x0004;
const KERNEL_MODE: i8 = 0;
const USER_MODE: i8 = 1;
/// `MmCached`.
const MM_CACHED: i32 = 1;
/// `NormalPagePriority | MdlMappingNoExecute`, what `MmGetSystemAddressForMdlSafe` callers pass.
const PRIORITY: u32 = 16 | 0x4000_0000;

fn machine() -> Machine {
    Machine::builder()
        .processors(2)
        .seed(11)
        .mode(VerifierMode::Collect)
        .build()
}

fn params(revision: u8, size: u16) -> sys::NET_BUFFER_LIST_POOL_PARAMETERS {
    sys::NET_BUFFER_LIST_POOL_PARAMETERS {
        Header: sys::NDIS_OBJECT_HEADER {
            Type: 0x80,
            Revision: revision,
            Size: size,
        },
        ProtocolId: 0,
        fAllocateNetBuffer: 1,
        ContextSize: 0,
        PoolTag: TAG,
        DataSize: 0,
    }
}

/// A revision 1 pool for `h` (must succeed).
fn pool(h: usize) -> NDIS_HANDLE {
    let mut p = params(1, 16);
    // SAFETY: valid parameters, on a virtual processor.
    let pool = unsafe { sys::NdisAllocateNetBufferListPool(h as NDIS_HANDLE, &raw mut p) };
    assert!(!pool.is_null());
    pool
}

/// Raises to `to`, runs `f`, lowers back.
fn at_irql<R>(to: u8, f: impl FnOnce() -> R) -> R {
    let mut old = 0;
    // SAFETY: raise, then lower to the IRQL raised from, on this processor.
    unsafe { sys::KeRaiseIrql(to, &raw mut old) };
    let r = f();
    // SAFETY: lowers to `old`, the IRQL the raise above saved on this processor; `f` has
    // returned, so nothing it started relies on the raised IRQL.
    unsafe { sys::KeLowerIrql(old) };
    r
}

fn first_nb(nbl: PNET_BUFFER_LIST) -> PNET_BUFFER {
    // SAFETY: a live NBL; the NET_BUFFER_LIST_HEADER view is the one the macros read.
    let nbl = unsafe { &*nbl };
    // SAFETY: both union members are plain data.
    unsafe { nbl.__bindgen_anon_1.__bindgen_anon_1.FirstNetBuffer }
}

/// `MmGetSystemAddressForMdlSafe`, as `wdm.h` defines it.
fn system_address(mdl: PMDL) -> PVOID {
    // SAFETY: a live MDL.
    let m = unsafe { &*mdl };
    if m.MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL) != 0 {
        m.MappedSystemVa
    } else {
        // SAFETY: a live, unmapped MDL.
        unsafe {
            sys::MmMapLockedPagesSpecifyCache(
                mdl,
                KERNEL_MODE,
                MM_CACHED,
                core::ptr::null_mut(),
                0,
                PRIORITY,
            )
        }
    }
}

/// The data of `nb` walked as a miniport walks it: from `CurrentMdl` at `CurrentMdlOffset`,
/// `DataLength` bytes across `Next`.
fn walk(nb: PNET_BUFFER) -> Vec<u8> {
    // SAFETY: a live NET_BUFFER.
    let nb = unsafe { &*nb };
    // SAFETY: both union members are plain data.
    let data = unsafe { nb.__bindgen_anon_1.__bindgen_anon_1 };
    // SAFETY: `DataLength` and `stDataLength` share the union and are both plain integers;
    // a miniport reads `DataLength`.
    let mut left = unsafe { data.__bindgen_anon_1.DataLength } as usize;
    let mut mdl = data.CurrentMdl;
    let mut offset = data.CurrentMdlOffset as usize;
    let mut out = Vec::new();
    while left > 0 {
        assert!(!mdl.is_null(), "the chain ends before DataLength");
        let va = system_address(mdl).cast::<u8>();
        // SAFETY: a live MDL.
        let m = unsafe { &*mdl };
        let take = (m.ByteCount as usize - offset).min(left);
        // SAFETY: the MDL describes ByteCount live bytes at `va`, and `offset < ByteCount`.
        let start = unsafe { va.add(offset) };
        // SAFETY: `take` bytes from `start` lie inside the MDL's buffer.
        out.extend_from_slice(unsafe { core::slice::from_raw_parts(start, take) });
        left -= take;
        offset = 0;
        mdl = m.Next;
    }
    out
}

#[test]
fn a_frame_split_over_mdls_reads_back_byte_exact_through_the_net_buffer_fields() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    for at_dispatch in [false, true] {
        let cpu = usize::from(at_dispatch);
        m.run_on(cpu, move || {
            let irql = if at_dispatch { 2 } else { 0 };
            at_irql(irql, || {
                let pool = pool(h);
                // Three pieces of pool memory: 10 + 20 + 30 bytes.
                let lens = [10u32, 20, 30];
                let bufs: Vec<*mut u8> = lens
                    .iter()
                    .map(|&len| {
                        // SAFETY: on a virtual processor.
                        let p = unsafe {
                            sys::NdisAllocateMemoryWithTagPriority(h as NDIS_HANDLE, len, TAG, 16)
                        };
                        p.cast::<u8>()
                    })
                    .collect();
                let mut byte = 0u8;
                for (&b, &len) in bufs.iter().zip(&lens) {
                    for i in 0..len as usize {
                        // SAFETY: inside the allocation.
                        let at = unsafe { b.add(i) };
                        // SAFETY: `at` is byte `i` < `len` of the live `len`-byte allocation
                        // `b`, which nothing else references yet.
                        unsafe { at.write(byte) };
                        byte += 1;
                    }
                }
                let mdls: Vec<PMDL> = bufs
                    .iter()
                    .zip(&lens)
                    // SAFETY: live pool memory.
                    .map(|(&b, &len)| unsafe {
                        sys::NdisAllocateMdl(h as NDIS_HANDLE, b.cast(), len)
                    })
                    .collect();
                for (i, (&mdl, (&b, &len))) in mdls.iter().zip(bufs.iter().zip(&lens)).enumerate() {
                    // SAFETY: a live MDL just allocated.
                    let md = unsafe { &mut *mdl };
                    assert_eq!(md.MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
                    assert_eq!(md.MappedSystemVa, b.cast());
                    assert_eq!(md.StartVa as usize, b as usize & !0xFFF);
                    assert_eq!(md.ByteOffset as usize, b as usize & 0xFFF);
                    assert_eq!(md.ByteCount, len);
                    assert!(md.Process.is_null());
                    md.Next = mdls.get(i + 1).copied().unwrap_or(core::ptr::null_mut());
                }
                // Data starts 15 bytes in: 5 bytes into the second MDL; 40 bytes long.
                // SAFETY: a live pool and MDL chain.
                let nbl = unsafe {
                    sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, mdls[0], 15, 40)
                };
                assert!(!nbl.is_null());
                // SAFETY: a live NBL.
                let l = unsafe { &*nbl };
                assert_eq!(l.NdisPoolHandle, pool);
                assert!(l.SourceHandle.is_null());
                assert!(l.Context.is_null(), "no context asked for");
                // SAFETY: plain-data union.
                assert!(unsafe { l.__bindgen_anon_1.__bindgen_anon_1.Next }.is_null());
                let nb = first_nb(nbl);
                assert!(!nb.is_null());
                // SAFETY: a live NET_BUFFER.
                let b = unsafe { &*nb };
                assert_eq!(b.NdisPoolHandle, pool);
                // SAFETY: plain-data union.
                let data = unsafe { b.__bindgen_anon_1.__bindgen_anon_1 };
                assert!(data.Next.is_null());
                assert_eq!(data.MdlChain, mdls[0]);
                assert_eq!(data.DataOffset, 15);
                assert_eq!((data.CurrentMdl, data.CurrentMdlOffset), (mdls[1], 5));
                assert_eq!(walk(nb), (15..55).collect::<Vec<u8>>());
                // SAFETY: the driver's own NBL, not indicated.
                unsafe { sys::NdisFreeNetBufferList(nbl) };
                for (mdl, b) in mdls.into_iter().zip(bufs) {
                    // SAFETY: no NBL uses them any more.
                    unsafe { sys::NdisFreeMdl(mdl) };
                    // SAFETY: `b` came from NdisAllocateMemoryWithTagPriority and its MDL,
                    // the only other reference, was freed just above; freed once.
                    unsafe { sys::NdisFreeMemory(b.cast(), 0, 0) };
                }
                // SAFETY: empty now.
                unsafe { sys::NdisFreeNetBufferListPool(pool) };
            });
        });
    }
    assert!(rules(&m).is_empty(), "{}", m.report());
    assert!(m.adapter_leaks(h as NDIS_HANDLE).is_empty());
}

#[test]
fn an_offset_at_the_end_of_an_mdl_starts_in_the_next_and_a_null_chain_needs_zeros() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    m.run_on(0, move || {
        let pool = pool(h);
        let a = [1u8; 8];
        let b = [2u8; 8];
        // SAFETY: the arrays outlive the MDLs (freed below).
        let first = unsafe { sys::NdisAllocateMdl(h as _, a.as_ptr().cast_mut().cast(), 8) };
        // SAFETY: the array `b` outlives the MDL (freed below); nothing writes through it.
        let second = unsafe { sys::NdisAllocateMdl(h as _, b.as_ptr().cast_mut().cast(), 8) };
        // SAFETY: a live MDL.
        unsafe { (*first).Next = second };
        // SAFETY: a live pool and chain.
        let nbl = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, first, 8, 8) };
        // SAFETY: a live NET_BUFFER.
        let nb = unsafe { &*first_nb(nbl) };
        // SAFETY: plain-data union.
        let data = unsafe { nb.__bindgen_anon_1.__bindgen_anon_1 };
        assert_eq!((data.CurrentMdl, data.CurrentMdlOffset), (second, 0));
        assert_eq!(walk(first_nb(nbl)), [2u8; 8]);
        // Beyond the chain, or an offset without a chain: refused.
        // SAFETY: a live pool and chain.
        let past = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, first, 17, 0) };
        assert!(past.is_null());
        let null = core::ptr::null_mut();
        // SAFETY: a live pool, no chain.
        let bad = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, null, 4, 0) };
        assert!(bad.is_null());
        // SAFETY: a live pool, no chain: an empty NET_BUFFER the driver fills in later.
        let empty = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, null, 0, 0) };
        assert!(!empty.is_null());
        for nbl in [nbl, empty] {
            // SAFETY: the driver's own NBLs.
            unsafe { sys::NdisFreeNetBufferList(nbl) };
        }
        for mdl in [first, second] {
            // SAFETY: no NBL uses them.
            unsafe { sys::NdisFreeMdl(mdl) };
        }
        // SAFETY: empty.
        unsafe { sys::NdisFreeNetBufferListPool(pool) };
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn context_areas_have_backfill_first_and_sizes_must_be_aligned() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    m.run_on(0, move || {
        let pool = pool(h);
        let null = core::ptr::null_mut();
        // SAFETY: a live pool.
        let nbl = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 16, 32, null, 0, 0) };
        // SAFETY: a live NBL.
        let ctx = unsafe { (*nbl).Context }.cast::<u8>();
        assert!(!ctx.is_null());
        assert_eq!(ctx as usize % 16, 0);
        // NET_BUFFER_LIST_CONTEXT: Next (8 bytes), Size (USHORT), Offset (USHORT).
        // SAFETY: the header of a live context area.
        let header = unsafe { core::slice::from_raw_parts(ctx, 12) };
        assert_eq!(&header[..8], &[0; 8], "Next is null");
        assert_eq!(u16::from_ne_bytes([header[8], header[9]]), 48);
        assert_eq!(u16::from_ne_bytes([header[10], header[11]]), 32);
        // SAFETY: a live pool; sizes not multiples of MEMORY_ALLOCATION_ALIGNMENT.
        let bad = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 8, 0, null, 0, 0) };
        assert!(bad.is_null());
        // SAFETY: a live pool and no chain; a data backfill of 24, not a multiple of
        // MEMORY_ALLOCATION_ALIGNMENT, is refused with null.
        let bad = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 24, null, 0, 0) };
        assert!(bad.is_null());
        // SAFETY: the driver's own NBL.
        unsafe { sys::NdisFreeNetBufferList(nbl) };
        // SAFETY: empty.
        unsafe { sys::NdisFreeNetBufferListPool(pool) };
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn bad_pool_parameters_give_null() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    m.run_on(0, move || {
        let alloc = |mut p: sys::NET_BUFFER_LIST_POOL_PARAMETERS| {
            // SAFETY: a structure of `size_of` bytes, whatever its header says.
            let pool = unsafe { sys::NdisAllocateNetBufferListPool(h as _, &raw mut p) };
            if !pool.is_null() {
                // SAFETY: an empty pool.
                unsafe { sys::NdisFreeNetBufferListPool(pool) };
            }
            !pool.is_null()
        };
        assert!(alloc(params(1, 16)));
        assert!(
            !alloc(params(2, 20)),
            "revision 2 (NDIS 6.87 Flags) is not an NDIS 6.83 structure"
        );
        assert!(!alloc(params(1, 15)), "size short of revision 1");
        assert!(!alloc(params(2, 16)), "size short of revision 2");
        assert!(!alloc(params(3, 24)), "unknown revision");
        let mut p = params(1, 16);
        p.Header.Type = 0x81;
        assert!(!alloc(p), "not NDIS_OBJECT_TYPE_DEFAULT");
        let mut p = params(1, 16);
        p.ContextSize = 8;
        assert!(!alloc(p), "ContextSize not a multiple of 16");
        p.ContextSize = 32;
        assert!(alloc(p));
        let mut p = params(1, 16);
        p.fAllocateNetBuffer = 0;
        p.DataSize = 256;
        assert!(!alloc(p), "DataSize without fAllocateNetBuffer");
        // SAFETY: a null pointer is refused.
        let pool = unsafe { sys::NdisAllocateNetBufferListPool(h as _, core::ptr::null_mut()) };
        assert!(pool.is_null());
        // A pool without preallocated NET_BUFFERs cannot serve the combined allocation.
        let mut p = params(1, 16);
        p.fAllocateNetBuffer = 0;
        // SAFETY: valid parameters.
        let pool = unsafe { sys::NdisAllocateNetBufferListPool(h as _, &raw mut p) };
        assert!(!pool.is_null());
        let null = core::ptr::null_mut();
        // SAFETY: a live pool.
        let nbl = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, null, 0, 0) };
        assert!(nbl.is_null());
        // SAFETY: empty.
        unsafe { sys::NdisFreeNetBufferListPool(pool) };
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn injected_failures_give_null_pools_nbls_mdls_and_mappings() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    let buf = vec![7u8; 64];
    let va = buf.as_ptr() as usize;
    // Each allocation once with a failure injected (null), then without (it succeeds).
    m.fail_allocations(1, 0);
    assert!(m.run_on(0, move || {
        let mut p = params(1, 16);
        // SAFETY: valid parameters.
        unsafe { sys::NdisAllocateNetBufferListPool(h as _, &raw mut p) }.is_null()
    }));
    let pool = m.run_on(0, move || pool(h) as usize);
    let null = || core::ptr::null_mut();
    let alloc_nbl = move || {
        // SAFETY: a live pool.
        let nbl = unsafe {
            sys::NdisAllocateNetBufferAndNetBufferList(pool as NDIS_HANDLE, 0, 0, null(), 0, 0)
        };
        nbl as usize
    };
    m.fail_allocations(1, 0);
    assert_eq!(m.run_on(0, alloc_nbl), 0);
    let nbl = m.run_on(0, alloc_nbl);
    assert_ne!(nbl, 0);
    // SAFETY: live memory (only recorded).
    let alloc_mdl = move || unsafe { sys::NdisAllocateMdl(h as _, va as PVOID, 64) } as usize;
    m.fail_allocations(1, 0);
    assert_eq!(m.run_on(0, alloc_mdl), 0);
    let mdl = m.run_on(0, alloc_mdl);
    assert_ne!(mdl, 0);
    // A mapping fails too (MmGetSystemAddressForMdlSafe returns null): an unmapped MDL.
    let mut unmapped = MDL {
        StartVa: (va & !0xFFF) as PVOID,
        ByteOffset: (va & 0xFFF) as u32,
        ByteCount: 64,
        ..MDL::default()
    };
    let u = &raw mut unmapped as usize;
    m.fail_allocations(1, 0);
    assert_eq!(m.run_on(0, move || system_address(u as PMDL) as usize), 0);
    // The work item has finished: the MDL is ours to read again.
    assert_eq!(unmapped.MdlFlags, 0, "a failed mapping changes nothing");
    assert_eq!(m.run_on(0, move || system_address(u as PMDL) as usize), va);
    assert_eq!(m.injected_allocation_failures(), 4);
    m.run_on(0, move || {
        // SAFETY: the driver's own NBL, never indicated, freed once.
        unsafe { sys::NdisFreeNetBufferList(nbl as PNET_BUFFER_LIST) };
        // SAFETY: the driver's own MDL (no NBL uses it), freed once.
        unsafe { sys::NdisFreeMdl(mdl as PMDL) };
        // SAFETY: the pool's only NBL was freed just above, so it is empty; freed once.
        unsafe { sys::NdisFreeNetBufferListPool(pool as NDIS_HANDLE) };
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
    drop(buf);
}

#[test]
fn mapping_an_unmapped_mdl_sets_mapped_to_system_va_once() {
    let m = machine();
    let buf = [0x11u8; 100];
    let va = buf.as_ptr() as usize + 3;
    let mut mdl = MDL {
        StartVa: (va & !0xFFF) as PVOID,
        ByteOffset: (va & 0xFFF) as u32,
        ByteCount: 90,
        MappedSystemVa: core::ptr::null_mut(),
        ..MDL::default()
    };
    let p = &raw mut mdl as usize;
    let (first, second) = m.run_on(0, move || {
        let first = system_address(p as PMDL) as usize;
        // SAFETY: a live MDL; a second map of a mapped MDL returns the mapping.
        let second = unsafe {
            sys::MmMapLockedPagesSpecifyCache(
                p as PMDL,
                KERNEL_MODE,
                MM_CACHED,
                core::ptr::null_mut(),
                0,
                PRIORITY,
            )
        } as usize;
        (first, second)
    });
    assert_eq!(first, va);
    assert_eq!(second, va);
    assert_eq!(mdl.MdlFlags, MDL_MAPPED_TO_SYSTEM_VA);
    assert_eq!(mdl.MappedSystemVa as usize, va);
    assert!(rules(&m).is_empty(), "{}", m.report());
}

/// Every function above its page's IRQL limit is `Irql_NetBuffer_Function`.
#[test]
fn calls_above_the_irql_limit_are_irql_netbuffer_function() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    let buf = vec![0u8; 32];
    let va = buf.as_ptr() as usize;
    let mut unmapped = MDL {
        StartVa: (va & !0xFFF) as PVOID,
        ByteOffset: (va & 0xFFF) as u32,
        ByteCount: 32,
        ..MDL::default()
    };
    let u = &raw mut unmapped as usize;
    m.run_on(0, move || {
        at_irql(5, || {
            let pool = pool(h);
            // SAFETY: live memory.
            let mdl = unsafe { sys::NdisAllocateMdl(h as _, va as PVOID, 32) };
            // SAFETY: a live pool and MDL.
            let nbl = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, mdl, 0, 32) };
            // SAFETY: a live unmapped MDL, KernelMode.
            let mapped = unsafe {
                sys::MmMapLockedPagesSpecifyCache(
                    u as PMDL,
                    KERNEL_MODE,
                    MM_CACHED,
                    core::ptr::null_mut(),
                    0,
                    PRIORITY,
                )
            };
            assert_eq!(mapped as usize, va);
            // SAFETY: the driver's own NBL, never indicated, freed once.
            unsafe { sys::NdisFreeNetBufferList(nbl) };
            // SAFETY: the driver's own MDL; the NBL that described it is freed, so nothing
            // uses it; freed once.
            unsafe { sys::NdisFreeMdl(mdl) };
            // SAFETY: the pool's only NBL is freed, so it is empty; freed once.
            unsafe { sys::NdisFreeNetBufferListPool(pool) };
        });
        // UserMode mappings are limited to APC_LEVEL.
        at_irql(2, || {
            // SAFETY: a live MDL (mapped already: the existing mapping comes back).
            unsafe {
                sys::MmMapLockedPagesSpecifyCache(
                    u as PMDL,
                    USER_MODE,
                    MM_CACHED,
                    core::ptr::null_mut(),
                    0,
                    PRIORITY,
                )
            };
        });
    });
    let report = m.report();
    let apis: Vec<String> = report
        .violations
        .iter()
        .map(|v| {
            assert_eq!(v.rule, Rule::IrqlNetBufferFunction, "{v}");
            v.detail
                .split('(')
                .next()
                .unwrap_or("")
                .split(' ')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        apis,
        [
            "NdisAllocateNetBufferListPool",
            "NdisAllocateMdl",
            "NdisAllocateNetBufferAndNetBufferList",
            "MmMapLockedPagesSpecifyCache",
            "NdisFreeNetBufferList",
            "NdisFreeMdl",
            "NdisFreeNetBufferListPool",
            "MmMapLockedPagesSpecifyCache",
        ],
        "{report}"
    );
    assert!(report.violations[7].detail.contains("UserMode"));
    drop(buf);
}

#[test]
fn double_and_foreign_frees_are_bad_frees() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    let buf = vec![0u8; 16];
    let va = buf.as_ptr() as usize;
    m.run_on(0, move || {
        let pool = pool(h);
        let null = core::ptr::null_mut();
        // SAFETY: a live pool.
        let nbl = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, null, 0, 0) };
        // SAFETY: live memory.
        let mdl = unsafe { sys::NdisAllocateMdl(h as _, va as PVOID, 16) };
        // SAFETY: the driver's own NBL, never indicated: this first free is a correct one.
        unsafe { sys::NdisFreeNetBufferList(nbl) };
        // SAFETY: the second free of `nbl`, on purpose: the simulator finds it in no table
        // and refuses it before touching memory.
        unsafe { sys::NdisFreeNetBufferList(nbl) };
        // SAFETY: the driver's own MDL; its buffer `buf` outlives the test; first free.
        unsafe { sys::NdisFreeMdl(mdl) };
        // SAFETY: the second free of `mdl`, on purpose: refused before touching memory.
        unsafe { sys::NdisFreeMdl(mdl) };
        // SAFETY: the pool's only NBL is freed, so it is empty; first free.
        unsafe { sys::NdisFreeNetBufferListPool(pool) };
        // SAFETY: the second free of `pool`, on purpose: refused before touching memory.
        unsafe { sys::NdisFreeNetBufferListPool(pool) };
        // Allocating from the freed pool.
        // SAFETY: refused before touching memory.
        let late = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, null, 0, 0) };
        assert!(late.is_null());
        // An MDL the driver built itself was never allocated by NdisAllocateMdl.
        let mut own = MDL::default();
        // SAFETY: refused before touching memory.
        unsafe { sys::NdisFreeMdl(&raw mut own) };
    });
    assert_eq!(rules(&m), [Rule::BadFree; 5], "{}", m.report());
    let details: Vec<String> = m
        .report()
        .violations
        .iter()
        .map(|v| v.detail.clone())
        .collect();
    assert!(details[0].starts_with("NdisFreeNetBufferList("));
    assert!(details[1].starts_with("NdisFreeMdl("));
    assert!(details[2].starts_with("NdisFreeNetBufferListPool("));
    assert!(details[3].starts_with("NdisAllocateNetBufferAndNetBufferList("));
    assert!(details[4].starts_with("NdisFreeMdl("));
    drop(buf);
}

#[test]
fn freeing_a_pool_with_nbls_outstanding_is_reported_and_frees_nothing() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    m.run_on(0, move || {
        let pool = pool(h);
        let null = core::ptr::null_mut();
        // SAFETY: a live pool.
        let nbl = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, null, 0, 0) };
        // SAFETY: refused: the NBL is still allocated.
        unsafe { sys::NdisFreeNetBufferListPool(pool) };
        // The pool is still usable, and freeing in the right order works.
        // SAFETY: the driver's own NBL.
        unsafe { sys::NdisFreeNetBufferList(nbl) };
        // SAFETY: empty now.
        unsafe { sys::NdisFreeNetBufferListPool(pool) };
    });
    let report = m.report();
    assert_eq!(rules(&m), [Rule::LeakAtHalt], "{report}");
    let detail = &report.violations[0].detail;
    assert!(detail.contains("NdisFreeNetBufferListPool(0x"), "{detail}");
    assert!(
        detail.contains("1 NBL(s)") && detail.contains("host_nbl.rs"),
        "{detail}"
    );
    assert!(m.adapter_leaks(h as NDIS_HANDLE).is_empty());
}

#[test]
fn leaks_are_listed_per_adapter_and_reported_at_halt() {
    let m = machine();
    let h = m.adapter_handle(1) as usize;
    let other = m.adapter_handle(2) as usize;
    let buf = vec![0u8; 16];
    let va = buf.as_ptr() as usize;
    m.run_on(0, move || {
        let pool = pool(h);
        let null = core::ptr::null_mut();
        // SAFETY: a live pool; leaked on purpose.
        unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, null, 0, 0) };
        // SAFETY: live memory; leaked on purpose.
        unsafe { sys::NdisAllocateMdl(h as _, va as PVOID, 16) };
        // The other adapter's pool is freed: it is not this adapter's leak either way.
        let theirs = self::pool(other);
        // SAFETY: empty.
        unsafe { sys::NdisFreeNetBufferListPool(theirs) };
    });
    let leaks = m.adapter_leaks(h as NDIS_HANDLE);
    assert_eq!(leaks.nbl_pools.len(), 1);
    assert_eq!(leaks.nbl_pools[0].tag, TAG);
    assert_eq!(leaks.nbl_pools[0].outstanding_nbls, 1);
    assert_eq!(leaks.nbls.len(), 1);
    assert_eq!(leaks.nbls[0].pool, leaks.nbl_pools[0].handle);
    assert!(!leaks.nbls[0].indicated);
    assert_eq!(leaks.mdls.len(), 1);
    assert_eq!((leaks.mdls[0].virt, leaks.mdls[0].len), (va, 16));
    assert!(!leaks.is_empty());
    assert!(m.adapter_leaks(other as NDIS_HANDLE).is_empty());
    let text = leaks.to_string();
    assert!(text.contains("NBL pool") && text.contains("MDL") && text.contains("host_nbl.rs"));
    let found = m.verify_halted(h as NDIS_HANDLE);
    assert_eq!(found.nbls.len(), 1);
    assert_eq!(
        rules(&m),
        [Rule::NdisAllocateMdl, Rule::LeakAtHalt],
        "{}",
        m.report()
    );
    assert!(m.report().violations[1].detail.contains("NBL pool"));
    drop(m);
    drop(buf);
}
