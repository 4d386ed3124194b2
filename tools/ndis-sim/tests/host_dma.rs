//! Device memory and DMA on a plugged e1000: `NdisMMapIoSpace` / `NdisMUnmapIoSpace`,
//! `NdisMRegisterScatterGatherDma` / `NdisMDeregisterScatterGatherDma`,
//! `NdisMAllocateSharedMemory` / `NdisMFreeSharedMemory`, their rules and the leak check.
// bindgen emits #defines as u32; drivers narrow them to the field types like this.
#![allow(clippy::cast_possible_truncation)]

mod common;

use e1000_model::descriptors::{TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS, TXD_STAT_DD};
use e1000_model::{DmaMemory, E1000Config, Unplugged, regs};
use ndis_sim::bus::BAR0_LEN;
use ndis_sim::sys::{self, NDIS_HANDLE, PVOID};
use ndis_sim::{Handler, Machine, Rule, VerifierMode};

use common::{lower, raise, rules};

const NDIS_STATUS_INVALID_PARAMETER: sys::NDIS_STATUS = 0xC000_000D_u32.cast_signed();

fn machine() -> Machine {
    Machine::builder()
        .processors(2)
        .seed(9)
        .mode(VerifierMode::Collect)
        .build()
}

fn pa(x: u64) -> sys::NDIS_PHYSICAL_ADDRESS {
    sys::NDIS_PHYSICAL_ADDRESS {
        QuadPart: x.cast_signed(),
    }
}

/// Maps `len` bytes of BAR0 (from `bar0`) for adapter `h`; the address, or `None` on failure.
fn map(h: usize, phys: u64, len: u32) -> Option<usize> {
    let mut va: PVOID = core::ptr::null_mut();
    // SAFETY: valid out pointer; `h` is an adapter handle of this machine.
    let st = unsafe { sys::NdisMMapIoSpace(&raw mut va, h as NDIS_HANDLE, pa(phys), len) };
    if st == sys::NDIS_STATUS_SUCCESS {
        assert!(!va.is_null());
        Some(va as usize)
    } else {
        assert!(va.is_null());
        None
    }
}

fn unmap(h: usize, va: usize, len: u32) {
    // SAFETY: the mapping (if any) is no longer used.
    unsafe { sys::NdisMUnmapIoSpace(h as NDIS_HANDLE, va as PVOID, len) };
}

fn read_reg(va: usize, reg: u32) -> u32 {
    let mut v = 0;
    // SAFETY: inside a BAR mapping.
    unsafe { sys::NdisReadRegisterUlong((va + reg as usize) as *const u32, &raw mut v) };
    v
}

fn write_reg(va: usize, reg: u32, v: u32) {
    // SAFETY: inside a BAR mapping.
    unsafe { sys::NdisWriteRegisterUlong((va + reg as usize) as *mut u32, v) };
}

/// `MiniportProcessSGList`: never called, because the simulator does not model
/// `NdisMAllocateNetBufferSGList` (the description must still name one).
unsafe extern "C" fn process_sg_list(
    _device: sys::PDEVICE_OBJECT,
    _reserved: PVOID,
    _list: sys::PSCATTER_GATHER_LIST,
    _context: PVOID,
) {
}

fn sg_description() -> sys::NDIS_SG_DMA_DESCRIPTION {
    sys::NDIS_SG_DMA_DESCRIPTION {
        Header: sys::NDIS_OBJECT_HEADER {
            Type: 0x83,  // NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION
            Revision: 1, // NDIS_SG_DMA_DESCRIPTION_REVISION_1
            // NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1: through ScatterGatherListSize.
            Size: 36,
        },
        Flags: 1, // NDIS_SG_DMA_64_BIT_ADDRESS
        MaximumPhysicalMapping: 16384,
        ProcessSGListHandler: Some(process_sg_list),
        ..Default::default()
    }
}

/// Registers scatter/gather DMA for `h` with `desc`; the status, the handle and the list size.
fn register(h: usize, mut desc: sys::NDIS_SG_DMA_DESCRIPTION) -> (sys::NDIS_STATUS, usize, u32) {
    let mut handle: NDIS_HANDLE = core::ptr::null_mut();
    // SAFETY: valid description and out pointer; `h` is an adapter handle of this machine.
    let st = unsafe {
        sys::NdisMRegisterScatterGatherDma(h as NDIS_HANDLE, &raw mut desc, &raw mut handle)
    };
    (st, handle as usize, desc.ScatterGatherListSize)
}

fn deregister(dma: usize) {
    // SAFETY: the handle is only used as a key.
    unsafe { sys::NdisMDeregisterScatterGatherDma(dma as NDIS_HANDLE) };
}

/// Allocates shared memory for `h`; (virtual, physical).
fn alloc(h: usize, len: u32) -> (usize, u64) {
    let mut va: PVOID = core::ptr::null_mut();
    let mut p = pa(0);
    // SAFETY: valid out pointers.
    unsafe { sys::NdisMAllocateSharedMemory(h as NDIS_HANDLE, len, 0, &raw mut va, &raw mut p) };
    // SAFETY: plain integer view of the union.
    (va as usize, unsafe { p.QuadPart }.cast_unsigned())
}

fn free(h: usize, len: u32, va: usize, phys: u64) {
    // SAFETY: the memory is no longer used by the driver or the device.
    unsafe { sys::NdisMFreeSharedMemory(h as NDIS_HANDLE, len, 0, va as PVOID, pa(phys)) };
}

#[test]
fn mapped_bar0_reaches_the_device_and_reads_all_ones_after_removal() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let (h, bar0) = (nic.handle as usize, nic.device.bar0());
    let va = m.run_as_handler(0, Handler::Initialize, move || {
        map(h, bar0, BAR0_LEN).expect("maps BAR0")
    });
    let want = nic.device.read_register(regs::STATUS);
    assert_eq!(m.run_on(1, move || read_reg(va, regs::STATUS)), want);
    m.run_on(1, move || write_reg(va, regs::IMS, regs::ICR_LSC));
    assert_eq!(
        nic.device.read_register(regs::IMS) & regs::ICR_LSC,
        regs::ICR_LSC
    );
    // A window into BAR0 at an offset: its first register is the one at that offset.
    let window = m.run_on(0, move || {
        map(h, bar0 + 0x3800, 0x20).expect("maps a window")
    });
    m.run_on(0, move || write_reg(window, 0x08, 0x80));
    assert_eq!(nic.device.read_register(regs::TDLEN), 0x80);
    assert_eq!(m.adapter_leaks(nic.handle).io_mappings.len(), 2);
    m.surprise_remove(&nic.device);
    assert_eq!(m.run_on(1, move || read_reg(va, regs::STATUS)), u32::MAX);
    m.run_on(0, move || {
        unmap(h, window, 0x20);
        unmap(h, va, BAR0_LEN);
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
    assert!(m.verify_halted(nic.handle).is_empty());
}

#[test]
fn a_range_outside_bar0_or_an_adapter_without_device_fails() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let plain = m.adapter_handle(7) as usize;
    let (h, bar0) = (nic.handle as usize, nic.device.bar0());
    m.run_on(0, move || {
        assert_eq!(map(h, bar0 - 4, 8), None);
        assert_eq!(map(h, bar0 + 4, BAR0_LEN), None);
        assert_eq!(map(h, bar0, 0), None);
        assert_eq!(map(plain, bar0, 4), None);
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
    assert!(m.adapter_leaks(nic.handle).is_empty());
}

#[test]
fn map_io_space_rules_irql_outside_initialize_and_bad_unmap() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let (h, bar0) = (nic.handle as usize, nic.device.bar0());
    // At DISPATCH_LEVEL: Irql_Miniport_Driver_Function (the mapping is still made).
    let va = m.run_on(0, move || {
        let old = raise(2);
        let va = map(h, bar0, 0x100);
        lower(old);
        va.expect("maps")
    });
    assert_eq!(rules(&m), [Rule::IrqlMiniportDriverFunction]);
    // From MiniportRestart: the NdisMMapIoSpace rule (BARs are mapped in Initialize).
    let second = m.run_as_handler(1, Handler::Restart, move || map(h, bar0, 0x100));
    assert_eq!(
        rules(&m),
        [Rule::IrqlMiniportDriverFunction, Rule::NdisMMapIoSpace]
    );
    m.run_on(0, move || {
        // Wrong length: nothing unmapped.
        unmap(h, va, 0x104);
        // At DISPATCH_LEVEL: reported, unmapped.
        let old = raise(2);
        unmap(h, va, 0x100);
        lower(old);
        // Twice.
        unmap(h, va, 0x100);
        unmap(h, second.expect("maps"), 0x100);
    });
    assert_eq!(
        rules(&m),
        [
            Rule::IrqlMiniportDriverFunction,
            Rule::NdisMMapIoSpace,
            Rule::BadFree,
            Rule::IrqlMiniportDriverFunction,
            Rule::BadFree,
        ]
    );
    assert!(m.verify_halted(nic.handle).is_empty());
}

#[test]
fn an_unmapped_bar_is_a_leak_at_halt() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let (h, bar0) = (nic.handle as usize, nic.device.bar0());
    m.run_as_handler(0, Handler::Initialize, move || map(h, bar0, 0x100));
    let leaks = m.verify_halted(nic.handle);
    assert_eq!(leaks.io_mappings.len(), 1);
    assert_eq!(rules(&m), [Rule::LeakAtHalt]);
    assert!(leaks.to_string().contains("BAR mapping"), "{leaks}");
}

#[test]
fn scatter_gather_registration_fills_the_list_size_and_is_kept_until_deregistered() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let h = nic.handle as usize;
    let (st, dma, size) = m.run_as_handler(0, Handler::Initialize, move || {
        register(h, sg_description())
    });
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    assert_ne!(dma, 0);
    // 16 KiB spans at most 5 pages: a 16-byte list header and five 24-byte elements.
    assert_eq!(size as usize, 16 + 5 * 24);
    let leaks = m.adapter_leaks(nic.handle);
    assert_eq!(leaks.sg_dma.len(), 1);
    assert_eq!(
        (
            leaks.sg_dma[0].handle,
            leaks.sg_dma[0].maximum_physical_mapping
        ),
        (dma, 16384)
    );
    // One channel per adapter.
    let (again, none, _) = m.run_on(1, move || register(h, sg_description()));
    assert_eq!((again, none), (sys::NDIS_STATUS_FAILURE, 0));
    m.run_on(0, move || deregister(dma));
    assert!(m.adapter_leaks(nic.handle).is_empty());
    // Registering again after deregistration works and gives a new handle.
    let (st, other, _) = m.run_on(0, move || register(h, sg_description()));
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    assert_ne!(other, dma);
    m.run_on(0, move || deregister(other));
    assert!(rules(&m).is_empty(), "{}", m.report());
    assert!(m.verify_halted(nic.handle).is_empty());
}

#[test]
fn invalid_scatter_gather_descriptions_are_refused() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let h = nic.handle as usize;
    let bad: Vec<fn(&mut sys::NDIS_SG_DMA_DESCRIPTION)> = vec![
        |d| d.Header.Type = 0x84,
        |d| d.Header.Revision = 3,
        |d| d.Header.Revision = 0,
        |d| d.Header.Size -= 8,
        // sizeof (40, padded) is not revision 1's documented size.
        |d| d.Header.Size = size_of::<sys::NDIS_SG_DMA_DESCRIPTION>() as u16,
        |d| d.MaximumPhysicalMapping = 0,
        |d| d.ProcessSGListHandler = None,
    ];
    for (i, spoil) in bad.into_iter().enumerate() {
        let (st, dma, _) = m.run_on(0, move || {
            let mut d = sg_description();
            spoil(&mut d);
            register(h, d)
        });
        assert_eq!((st, dma), (NDIS_STATUS_INVALID_PARAMETER, 0), "case {i}");
    }
    // Revision 2 (NDIS 6.85) is accepted.
    let (st, dma, _) = m.run_on(0, move || {
        let mut d = sg_description();
        d.Header.Revision = 2;
        d.Header.Size = 48; // NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_2: through PdoOverride
        register(h, d)
    });
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    m.run_on(0, move || deregister(dma));
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn scatter_gather_rules_irql_bad_deregister_and_leak() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let h = nic.handle as usize;
    let dma = m.run_on(0, move || {
        let old = raise(2);
        let (st, dma, _) = register(h, sg_description());
        lower(old);
        assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
        dma
    });
    assert_eq!(rules(&m), [Rule::IrqlGatherDmaFunction]);
    m.run_on(1, move || {
        let old = raise(2);
        deregister(dma);
        lower(old);
        deregister(dma);
    });
    assert_eq!(
        rules(&m),
        [
            Rule::IrqlGatherDmaFunction,
            Rule::IrqlGatherDmaFunction,
            Rule::BadFree
        ]
    );
    m.run_on(0, move || register(h, sg_description()));
    let leaks = m.verify_halted(nic.handle);
    assert_eq!(leaks.sg_dma.len(), 1);
    assert_eq!(rules(&m).last(), Some(&Rule::InitRegisterSg));
    assert!(leaks.to_string().contains("scatter/gather"), "{leaks}");
}

#[test]
fn shared_memory_is_what_the_device_reaches_by_dma() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let (h, bar0) = (nic.handle as usize, nic.device.bar0());
    let (bar, dma, va, phys) = m.run_as_handler(0, Handler::Initialize, move || {
        let bar = map(h, bar0, BAR0_LEN).expect("maps");
        let (st, dma, _) = register(h, sg_description());
        assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
        let (va, phys) = alloc(h, 4096);
        (bar, dma, va, phys)
    });
    assert_ne!(va, 0);
    assert_eq!((va % 4096, phys % 4096), (0, 0));
    assert_eq!(m.physical_memory().host_address(phys), Some(va));
    assert_eq!(m.adapter_leaks(nic.handle).shared_memory.len(), 1);
    // What the device writes by DMA, the driver reads at the virtual address.
    m.physical_memory()
        .write(phys + 100, &[7, 8, 9])
        .expect("inside the allocation");
    // SAFETY: `va` is a live 4096-byte allocation.
    let seen = unsafe { core::slice::from_raw_parts((va + 100) as *const u8, 3) }.to_vec();
    assert_eq!(seen, [7, 8, 9]);
    // A real device DMA: one legacy transmit descriptor in the shared page (ring of 8 at
    // offset 0, a 60-byte frame at offset 2048); the e1000 reads it and writes DD back.
    m.run_on(1, move || {
        let desc = va as *mut u8;
        let mut raw = [0u8; 16];
        raw[..8].copy_from_slice(&(phys + 2048).to_le_bytes());
        raw[8..10].copy_from_slice(&60u16.to_le_bytes());
        raw[11] = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
        // SAFETY: the first 16 bytes of the live shared page.
        unsafe { core::ptr::copy_nonoverlapping(raw.as_ptr(), desc, 16) };
        write_reg(bar, regs::TDBAL, (phys & 0xFFFF_FFFF) as u32);
        write_reg(bar, regs::TDBAH, (phys >> 32) as u32);
        write_reg(bar, regs::TDLEN, 128);
        write_reg(bar, regs::TDH, 0);
        write_reg(bar, regs::TDT, 0);
        write_reg(bar, regs::TCTL, regs::TCTL_EN);
        write_reg(bar, regs::TDT, 1);
    });
    // SAFETY: the status byte of descriptor 0, in the live shared page.
    let status = unsafe { ((va + 12) as *const u8).read_volatile() };
    assert_eq!(
        status & TXD_STAT_DD,
        TXD_STAT_DD,
        "the device wrote DD back"
    );
    assert_eq!(nic.device.read_register(regs::TDH), 1);
    // Freed at DISPATCH_LEVEL (allowed), with the addresses and length as allocated.
    m.run_on(1, move || {
        let old = raise(2);
        free(h, 4096, va, phys);
        lower(old);
        deregister(dma);
        unmap(h, bar, BAR0_LEN);
    });
    assert!(m.physical_memory().host_address(phys).is_none());
    assert!(rules(&m).is_empty(), "{}", m.report());
    assert!(m.verify_halted(nic.handle).is_empty());
}

#[test]
fn shared_memory_allocation_failures_return_null() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let h = nic.handle as usize;
    let dma = m.run_on(0, move || register(h, sg_description()).1);
    m.fail_allocations(1, 0);
    let (failed, zero, ok) = m.run_on(0, move || (alloc(h, 64), alloc(h, 0), alloc(h, 64)));
    assert_eq!(failed, (0, 0));
    assert_eq!(zero, (0, 0));
    assert_ne!(ok.0, 0);
    assert_eq!(m.injected_allocation_failures(), 1);
    m.run_on(0, move || {
        free(h, 64, ok.0, ok.1);
        deregister(dma);
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
}

#[test]
fn shared_memory_rules_raised_irql_no_dma_channel_shutdown_and_bad_frees() {
    let m = machine();
    let nic = m.plug_e1000(4, E1000Config::default(), Box::new(Unplugged));
    let h = nic.handle as usize;
    // Before NdisMRegisterScatterGatherDma: MiniportState (the allocation is made anyway).
    let early = m.run_on(0, move || alloc(h, 64));
    assert_ne!(early.0, 0);
    assert_eq!(rules(&m), [Rule::MiniportState]);
    let dma = m.run_on(0, move || register(h, sg_description()).1);
    // At DISPATCH_LEVEL: bug check 0x7C, parameter 1 = 0x01.
    let raised = m.run_on(1, move || {
        let old = raise(2);
        let got = alloc(h, 64);
        lower(old);
        got
    });
    let v = m.report().violations;
    assert_eq!(v[1].rule, Rule::SharedMemoryAtRaisedIrql);
    assert_eq!(v[1].bug_check, 0x7C);
    assert!(v[1].detail.contains("0x01"), "{}", v[1].detail);
    m.run_on(0, move || {
        // Wrong length, wrong physical address, unknown address: nothing freed.
        free(h, 65, early.0, early.1);
        free(h, 64, early.0, early.1 + 4096);
        free(h, 64, early.0 + 8, early.1);
        // Above DISPATCH_LEVEL: reported, freed.
        let old = raise(5);
        free(h, 64, early.0, early.1);
        lower(old);
        // Double free.
        free(h, 64, early.0, early.1);
    });
    // From MiniportShutdownEx: the NdisMFreeSharedMemory rule (freed anyway).
    m.run_as_handler(1, Handler::Shutdown, move || {
        free(h, 64, raised.0, raised.1);
    });
    assert_eq!(
        rules(&m),
        [
            Rule::MiniportState,
            Rule::SharedMemoryAtRaisedIrql,
            Rule::BadFree,
            Rule::BadFree,
            Rule::BadFree,
            Rule::IrqlMiniportDriverFunction,
            Rule::BadFree,
            Rule::NdisMFreeSharedMemory,
        ]
    );
    assert!(m.adapter_leaks(nic.handle).shared_memory.is_empty());
    // Shared memory still allocated at Halt is a leak.
    m.run_on(0, move || alloc(h, 32));
    let leaks = m.verify_halted(nic.handle);
    assert_eq!(leaks.shared_memory.len(), 1);
    assert_eq!(leaks.sg_dma.len(), 1);
    assert_eq!(rules(&m).last(), Some(&Rule::LeakAtHalt));
    m.run_on(0, move || deregister(dma));
}
