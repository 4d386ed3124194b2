//! The bus: an e1000 plugged into the machine (configuration space, interrupt line, surprise
//! removal), register macros on plain memory, physical memory reached by DMA.

use e1000_model::{E1000Config, Unplugged, pci, regs};
use ndis_sim::sys;
use ndis_sim::{Machine, VerifierMode};

fn machine() -> Machine {
    Machine::builder()
        .processors(2)
        .seed(11)
        .mode(VerifierMode::Collect)
        .build()
}

#[test]
fn get_bus_data_reads_the_e1000_identity_and_all_ones_after_removal() {
    let m = machine();
    let nic = m.plug_e1000(5, E1000Config::default(), Box::new(Unplugged));
    let handle = nic.handle as usize;
    let read_ids = |m: &Machine| {
        m.run_on(1, move || {
            let mut ids = [0u8; 4];
            // SAFETY: `ids` is 4 writable bytes; the handle comes from plug_e1000.
            let n = unsafe {
                sys::NdisMGetBusData(handle as sys::NDIS_HANDLE, 0, 0, ids.as_mut_ptr().cast(), 4)
            };
            (n, ids)
        })
    };
    let (n, ids) = read_ids(&m);
    assert_eq!(n, 4);
    assert_eq!(u16::from_le_bytes([ids[0], ids[1]]), pci::VENDOR_ID);
    assert_eq!(u16::from_le_bytes([ids[2], ids[3]]), pci::DEVICE_ID);
    m.surprise_remove(&nic.device);
    assert!(nic.device.removed());
    let (n, ids) = read_ids(&m);
    assert_eq!((n, ids), (4, [0xFF; 4]));
    assert_eq!(nic.device.read_register(regs::STATUS), u32::MAX);
    assert!(m.report().violations.is_empty());
}

#[test]
fn get_bus_data_refuses_other_spaces_and_adapters_without_a_device() {
    let m = machine();
    let nic = m.plug_e1000(5, E1000Config::default(), Box::new(Unplugged));
    let plain = m.adapter_handle(6) as usize;
    let handle = nic.handle as usize;
    let (other_space, no_device) = m.run_on(0, move || {
        let mut b = [0u8; 4];
        // SAFETY: `b` is 4 writable bytes; both handles belong to this machine.
        let other = unsafe {
            sys::NdisMGetBusData(handle as sys::NDIS_HANDLE, 4, 0, b.as_mut_ptr().cast(), 4)
        };
        // SAFETY: `b` is 4 writable bytes; `plain` is an adapter handle of this machine (one
        // with no device behind it).
        let none = unsafe {
            sys::NdisMGetBusData(plain as sys::NDIS_HANDLE, 0, 0, b.as_mut_ptr().cast(), 4)
        };
        (other, none)
    });
    assert_eq!((other_space, no_device), (0, 0));
}

#[test]
fn the_model_interrupt_output_drives_the_machine_line() {
    let m = machine();
    let nic = m.plug_e1000(9, E1000Config::default(), Box::new(Unplugged));
    let line = m.interrupt_line(9);
    assert!(!line.is_asserted());
    nic.device.write_register(regs::IMS, regs::ICR_LSC);
    nic.device.write_register(regs::ICS, regs::ICR_LSC);
    assert!(line.is_asserted());
    assert_ne!(nic.device.read_register(regs::ICR) & regs::ICR_LSC, 0);
    assert!(
        !line.is_asserted(),
        "reading ICR clears the cause and drops the line"
    );
}

#[test]
fn register_macros_on_unmapped_addresses_are_plain_volatile_accesses() {
    let m = machine();
    let v = m.run_on(0, || {
        let mut cell: sys::ULONG = 0;
        let mut out: sys::ULONG = 0;
        // SAFETY: `cell` is a live ULONG, not inside any BAR mapping.
        unsafe { sys::NdisWriteRegisterUlong(&raw mut cell, 0xA5A5_0001) };
        // SAFETY: `cell` is a live ULONG outside any BAR mapping, so a plain volatile read;
        // `out` is a live, writable ULONG.
        unsafe { sys::NdisReadRegisterUlong(&raw const cell, &raw mut out) };
        out
    });
    assert_eq!(v, 0xA5A5_0001);
}

#[test]
fn physical_memory_is_what_the_device_reaches() {
    use e1000_model::DmaMemory;
    let m = machine();
    let mem = m.physical_memory();
    let (virt, phys) = mem
        .allocate(64, 1, std::panic::Location::caller())
        .expect("allocates");
    mem.write(phys, b"frame").expect("backed");
    // SAFETY: `virt` is a live 64-byte allocation.
    assert_eq!(unsafe { core::slice::from_raw_parts(virt, 5) }, b"frame");
    assert_eq!(m.outstanding_shared_memory(None).len(), 1);
    mem.free(virt as usize, 64, phys).expect("frees");
    assert!(m.outstanding_shared_memory(None).is_empty());
}

#[test]
fn a_frame_on_the_wire_reaches_shared_memory_by_dma_and_raises_the_line() {
    use e1000_model::descriptors::{DESC_SIZE, RXD_STAT_DD, RxDesc};
    use e1000_model::{DmaMemory, LinkConditions, Wire, cable};
    let m = machine();
    let (near, mut far) = cable(LinkConditions::default());
    let nic = m.plug_e1000(7, E1000Config::default(), Box::new(near));
    let mem = m.physical_memory();
    let here = std::panic::Location::caller();
    let (_ring, ring_phys) = mem.allocate(8 * DESC_SIZE, 1, here).expect("ring");
    let mut buffers = Vec::new();
    for i in 0..8u64 {
        let (_buf, phys) = mem.allocate(2048, 1, here).expect("buffer");
        let desc = RxDesc {
            addr: phys,
            ..RxDesc::default()
        };
        mem.write(ring_phys + i * DESC_SIZE as u64, &desc.to_bytes())
            .expect("ring is backed");
        buffers.push(phys);
    }
    let dev = &nic.device;
    dev.write_register(regs::RDBAL, u32::try_from(ring_phys).expect("below 4 GiB"));
    dev.write_register(regs::RDBAH, 0);
    dev.write_register(regs::RDLEN, u32::try_from(8 * DESC_SIZE).expect("small"));
    dev.write_register(regs::RDH, 0);
    dev.write_register(regs::RDT, 7);
    dev.write_register(regs::IMS, regs::ICR_RXT0);
    dev.write_register(regs::RCTL, regs::RCTL_EN | regs::RCTL_BAM | regs::RCTL_UPE);
    let mut frame = vec![0xFFu8; 6];
    frame.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    frame.resize(60, 0x5A);
    far.send(&frame, 0);
    assert_eq!(m.advance_clock(1_000), 1);
    let mut raw = [0u8; DESC_SIZE];
    mem.read(ring_phys, &mut raw).expect("ring is backed");
    let desc = RxDesc::from_bytes(&raw);
    assert_ne!(desc.status & RXD_STAT_DD, 0);
    // The length counts the CRC the device appends (RCTL.SECRC is clear).
    assert_eq!(usize::from(desc.length), frame.len() + 4);
    let mut got = vec![0u8; frame.len()];
    mem.read(buffers[0], &mut got).expect("buffer is backed");
    assert_eq!(got, frame);
    assert!(m.interrupt_line(7).is_asserted());
    let faults = dev.nic().faults().expect("the model checks");
    assert!(faults.is_empty(), "{faults:?}");
    // After surprise removal the clock no longer reaches the device.
    m.surprise_remove(dev);
    far.send(&frame, 0);
    assert_eq!(m.advance_clock(1_000), 0);
}

#[test]
fn a_stuck_transmitter_drops_tail_writes_until_unstuck() {
    let m = machine();
    let nic = m.plug_e1000(7, E1000Config::default(), Box::new(Unplugged));
    let dev = &nic.device;
    dev.set_tx_stuck(true);
    assert!(dev.tx_stuck());
    dev.write_register(regs::TDT, 3);
    assert_eq!(dev.read_register(regs::TDT), 0);
    dev.set_tx_stuck(false);
    dev.write_register(regs::TDT, 3);
    assert_eq!(dev.read_register(regs::TDT), 3);
}

#[test]
fn a_link_flap_moves_status_lu_and_raises_lsc() {
    let m = machine();
    let nic = m.plug_e1000(8, E1000Config::default(), Box::new(Unplugged));
    let dev = &nic.device;
    dev.write_register(regs::IMS, regs::ICR_LSC);
    assert_ne!(dev.read_register(regs::STATUS) & regs::STATUS_LU, 0);
    dev.nic()
        .set_link(false)
        .expect("the model's link always moves");
    assert_eq!(dev.read_register(regs::STATUS) & regs::STATUS_LU, 0);
    assert!(m.interrupt_line(8).is_asserted());
    assert_ne!(dev.read_register(regs::ICR) & regs::ICR_LSC, 0);
    dev.nic()
        .set_link(true)
        .expect("the model's link always moves");
    assert_ne!(dev.read_register(regs::STATUS) & regs::STATUS_LU, 0);
    assert!(m.interrupt_line(8).is_asserted());
}
