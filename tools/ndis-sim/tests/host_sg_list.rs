//! Scatter/gather lists (`NdisMAllocateNetBufferSGList` / `NdisMFreeNetBufferSGList`): the
//! list describes the `NET_BUFFER`'s MDL chain from its current offset, `MiniportProcessSGList`
//! runs at `DISPATCH_LEVEL`, and each documented rule is caught when broken.
// bindgen emits #defines as u32; drivers narrow them to the field types like this.
#![allow(clippy::cast_possible_truncation)]

mod common;

use std::sync::Mutex;

use e1000_model::{DmaMemory, E1000Config, Unplugged};
use ndis_sim::sys::{self, NDIS_HANDLE, PVOID};
use ndis_sim::{Machine, Rule};

use common::{DISPATCH, PASSIVE, collect, irql, rules};

const PAGE: usize = 4096;

/// What `MiniportProcessSGList` saw: the IRQL it ran at, the list, its elements.
#[derive(Default)]
struct Seen {
    irql: Option<sys::KIRQL>,
    list: usize,
    elements: Vec<(u64, u32)>,
}

/// `MiniportProcessSGList`: records what it was given in the `Mutex<Seen>` behind `context`.
unsafe extern "C" fn process_sg_list(
    _device: sys::PDEVICE_OBJECT,
    _reserved: PVOID,
    list: sys::PSCATTER_GATHER_LIST,
    context: PVOID,
) {
    // SAFETY: every allocation in this file passes a leaked `Mutex<Seen>` as the context.
    let seen = unsafe { &*context.cast::<Mutex<Seen>>() };
    let mut seen = seen.lock().unwrap();
    seen.irql = Some(irql());
    seen.list = list as usize;
    // SAFETY: NDIS passes a valid list of `NumberOfElements` elements.
    let n = unsafe { (*list).NumberOfElements } as usize;
    // SAFETY: NDIS passes a valid list (the one just read from); only the field's address is
    // taken.
    let first = unsafe { &raw const (*list).Elements }.cast::<sys::SCATTER_GATHER_ELEMENT>();
    seen.elements = (0..n)
        .map(|i| {
            // SAFETY: element `i` < `n` is part of the list.
            let at = unsafe { first.add(i) };
            // SAFETY: `at` is element `i` < `n` of the valid list, and an element is plain
            // data, so reading a copy is sound.
            let e = unsafe { at.read() };
            // SAFETY: plain integer view of the union.
            (unsafe { e.Address.QuadPart }.cast_unsigned(), e.Length)
        })
        .collect();
}

/// A machine with an adapter that registered scatter/gather DMA: (machine, adapter, DMA).
fn registered() -> (Machine, usize, usize) {
    let m = collect(1);
    let h = m
        .plug_e1000(3, E1000Config::default(), Box::new(Unplugged))
        .handle as usize;
    let dma = common::register_sg_dma(&m, h, Some(process_sg_list), None);
    (m, h, dma)
}

/// A `NET_BUFFER` over one MDL per buffer in `buffers` (chained), starting `offset` bytes into
/// the first, `len` bytes long; returns it.
fn net_buffer(m: &Machine, h: usize, buffers: &[&'static [u8]], offset: u32, len: u32) -> usize {
    let buffers: Vec<(usize, u32)> = buffers
        .iter()
        .map(|b| (b.as_ptr() as usize, b.len() as u32))
        .collect();
    m.run_on(0, move || {
        let mut head: sys::PMDL = core::ptr::null_mut();
        let mut tail: sys::PMDL = core::ptr::null_mut();
        for (va, n) in buffers {
            // SAFETY: `n` bytes of leaked (never freed) memory at `va`.
            let mdl = unsafe { sys::NdisAllocateMdl(h as NDIS_HANDLE, va as PVOID, n) };
            assert!(!mdl.is_null());
            if tail.is_null() {
                head = mdl;
            } else {
                // SAFETY: `tail` is the MDL allocated just before, not shared yet.
                unsafe { (*tail).Next = mdl };
            }
            tail = mdl;
        }
        let mut params = sys::NET_BUFFER_POOL_PARAMETERS {
            Header: sys::NDIS_OBJECT_HEADER {
                Type: 0x80, // NDIS_OBJECT_TYPE_DEFAULT
                Revision: 1,
                Size: size_of::<sys::NET_BUFFER_POOL_PARAMETERS>() as u16,
            },
            PoolTag: u32::from_le_bytes(*b"SgLt"),
            DataSize: 0,
        };
        // SAFETY: valid parameters.
        let pool = unsafe { sys::NdisAllocateNetBufferPool(h as NDIS_HANDLE, &raw mut params) };
        // SAFETY: the MDL chain maps `offset + len` bytes (the callers' buffers).
        let nb = unsafe { sys::NdisAllocateNetBuffer(pool, head, offset, u64::from(len)) };
        assert!(!nb.is_null());
        nb as usize
    })
}

/// `NdisMAllocateNetBufferSGList` of `nb` at `at` IRQL (the list buffer NDIS's own unless
/// `buffer` is given); the status and what `MiniportProcessSGList` saw.
fn allocate(
    m: &Machine,
    dma: usize,
    nb: usize,
    at: sys::KIRQL,
    buffer: Option<&'static mut [u64]>,
) -> (sys::NDIS_STATUS, Seen) {
    let seen: &'static Mutex<Seen> = Box::leak(Box::default());
    let context = std::ptr::from_ref(seen) as usize;
    let (buf, size) = buffer.map_or((0, 0), |b| (b.as_mut_ptr() as usize, b.len() * 8));
    let st = m.run_on(0, move || {
        let mut old = 0;
        // SAFETY: to `at` (at or above the current PASSIVE_LEVEL) and back below.
        unsafe { sys::KeRaiseIrql(at, &raw mut old) };
        // SAFETY: a registered handle and a valid NET_BUFFER; the buffer (if any) is leaked.
        let st = unsafe {
            sys::NdisMAllocateNetBufferSGList(
                dma as NDIS_HANDLE,
                nb as sys::PNET_BUFFER,
                context as PVOID,
                0,
                buf as PVOID,
                size as u32,
            )
        };
        // SAFETY: back to where it was.
        unsafe { sys::KeLowerIrql(old) };
        st
    });
    (st, std::mem::take(&mut *seen.lock().unwrap()))
}

/// `NdisMFreeNetBufferSGList` at `at` IRQL.
fn free(m: &Machine, dma: usize, list: usize, nb: usize, at: sys::KIRQL) {
    m.run_on(0, move || {
        let mut old = 0;
        // SAFETY: to `at` and back.
        unsafe { sys::KeRaiseIrql(at, &raw mut old) };
        // SAFETY: the device reads nothing: there is none in these tests.
        unsafe {
            sys::NdisMFreeNetBufferSGList(
                dma as NDIS_HANDLE,
                list as sys::PSCATTER_GATHER_LIST,
                nb as sys::PNET_BUFFER,
            );
        };
        // SAFETY: back down.
        unsafe { sys::KeLowerIrql(old) };
    });
}

fn leaked(bytes: Vec<u8>) -> &'static [u8] {
    Box::leak(bytes.into_boxed_slice())
}

/// How many pages `[addr, addr + len)` touches.
fn pages(addr: usize, len: usize) -> usize {
    (addr % PAGE + len).div_ceil(PAGE)
}

#[test]
fn the_list_describes_the_mdl_chain_from_the_current_offset() {
    let (m, h, dma) = registered();
    let first = leaked((0..100u32).map(|i| i as u8).collect());
    let middle = leaked((0..5000u32).map(|i| (i * 7) as u8).collect());
    let last = leaked((0..50u32).map(|i| (200 + i) as u8).collect());
    // 10 bytes into the first MDL, to 20 bytes into the third.
    let nb = net_buffer(&m, h, &[first, middle, last], 10, 90 + 5000 + 20);
    let (st, seen) = allocate(&m, dma, nb, DISPATCH, None);
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(seen.irql, Some(DISPATCH));

    let expected: Vec<u8> = [&first[10..], middle, &last[..20]].concat();
    let fragments = [
        (first.as_ptr() as usize + 10, 90),
        (middle.as_ptr() as usize, 5000),
        (last.as_ptr() as usize, 20),
    ];
    let want_elements: usize = fragments.iter().map(|&(p, n)| pages(p, n)).sum();
    assert_eq!(seen.elements.len(), want_elements, "{:x?}", seen.elements);
    let memory = m.physical_memory();
    let mut got = Vec::new();
    for &(phys, len) in &seen.elements {
        assert!(
            pages(phys as usize, len as usize) == 1,
            "an element crosses a page: {phys:#x} + {len}"
        );
        let mut bytes = vec![0; len as usize];
        memory
            .read(phys, &mut bytes)
            .expect("the device reaches it");
        got.extend(bytes);
    }
    assert_eq!(got, expected, "the elements hold the data in order");
    // Each fragment starts at its own page offset, as a map-register mapping does.
    let start = seen.elements[0].0 as usize;
    assert_eq!(start % PAGE, fragments[0].0 % PAGE);

    free(&m, dma, seen.list, nb, DISPATCH);
    assert!(rules(&m).is_empty(), "{}", m.report());
    assert!(m.adapter_leaks(h as NDIS_HANDLE).sg_lists.is_empty());
}

#[test]
fn a_caller_buffer_holds_the_list_when_it_is_large_enough() {
    let (m, h, dma) = registered();
    let data = leaked(vec![0xA5; 3000]);
    let nb = net_buffer(&m, h, &[data], 0, 3000);
    let buffer: &'static mut [u64] = Box::leak(vec![0u64; 64].into_boxed_slice());
    let at = buffer.as_ptr() as usize;
    let (st, seen) = allocate(&m, dma, nb, DISPATCH, Some(buffer));
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(seen.list, at, "the list lives in ScatterGatherListBuffer");
    free(&m, dma, seen.list, nb, DISPATCH);
    // Too small (a header only): NDIS uses memory of its own.
    let small: &'static mut [u64] = Box::leak(vec![0u64; 1].into_boxed_slice());
    let at = small.as_ptr() as usize;
    let (st, seen) = allocate(&m, dma, nb, DISPATCH, Some(small));
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    assert_ne!(seen.list, at);
    free(&m, dma, seen.list, nb, DISPATCH);
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn allocating_below_dispatch_is_caught_and_the_callback_still_runs_at_dispatch() {
    let (m, h, dma) = registered();
    let nb = net_buffer(&m, h, &[leaked(vec![1; 64])], 0, 64);
    let (st, seen) = allocate(&m, dma, nb, PASSIVE, None);
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(rules(&m), [Rule::IrqlGatherDmaFunction]);
    assert_eq!(
        seen.irql,
        Some(DISPATCH),
        "MiniportProcessSGList at DISPATCH_LEVEL"
    );
    free(&m, dma, seen.list, nb, DISPATCH);
    assert_eq!(rules(&m), [Rule::IrqlGatherDmaFunction]);
}

#[test]
fn freeing_below_dispatch_is_caught() {
    let (m, h, dma) = registered();
    let nb = net_buffer(&m, h, &[leaked(vec![1; 64])], 0, 64);
    let (_, seen) = allocate(&m, dma, nb, DISPATCH, None);
    assert!(rules(&m).is_empty(), "{}", m.report());
    free(&m, dma, seen.list, nb, PASSIVE);
    assert_eq!(rules(&m), [Rule::IrqlGatherDmaFunction]);
    assert!(m.adapter_leaks(h as NDIS_HANDLE).sg_lists.is_empty());
}

#[test]
fn double_unknown_and_mismatched_frees_are_bad_frees_and_free_nothing() {
    let (m, h, dma) = registered();
    let nb = net_buffer(&m, h, &[leaked(vec![1; 64])], 0, 64);
    let other = net_buffer(&m, h, &[leaked(vec![2; 64])], 0, 64);
    let (_, seen) = allocate(&m, dma, nb, DISPATCH, None);
    // Another NET_BUFFER than the list's.
    free(&m, dma, seen.list, other, DISPATCH);
    assert_eq!(rules(&m), [Rule::BadFree]);
    assert_eq!(m.adapter_leaks(h as NDIS_HANDLE).sg_lists.len(), 1);
    // Another DMA handle than the list's.
    free(&m, dma + 0x10, seen.list, nb, DISPATCH);
    assert_eq!(rules(&m), [Rule::BadFree, Rule::BadFree]);
    // The right one, then again: the second is a double free.
    free(&m, dma, seen.list, nb, DISPATCH);
    assert_eq!(rules(&m).len(), 2, "{}", m.report());
    free(&m, dma, seen.list, nb, DISPATCH);
    // A list NDIS never allocated.
    free(&m, dma, 0x1234_5000, nb, DISPATCH);
    assert_eq!(rules(&m), [Rule::BadFree; 4]);
    assert!(m.adapter_leaks(h as NDIS_HANDLE).sg_lists.is_empty());
}

#[test]
fn lists_not_freed_at_deregistration_and_at_halt_are_leaks() {
    let (m, h, dma) = registered();
    let nb = net_buffer(&m, h, &[leaked(vec![1; 64])], 0, 64);
    let (_, seen) = allocate(&m, dma, nb, DISPATCH, None);
    assert!(rules(&m).is_empty(), "{}", m.report());
    m.run_on(0, move || {
        // SAFETY: the handle is only a key.
        unsafe { sys::NdisMDeregisterScatterGatherDma(dma as NDIS_HANDLE) };
    });
    assert_eq!(rules(&m), [Rule::LeakAtHalt]);
    let leaks = m.verify_halted(h as NDIS_HANDLE);
    assert_eq!(leaks.sg_lists.len(), 1, "{leaks}");
    assert_eq!(leaks.sg_lists[0].list, seen.list);
    assert!(leaks.to_string().contains("scatter/gather list"), "{leaks}");
    assert_eq!(rules(&m).last(), Some(&Rule::LeakAtHalt));
}
