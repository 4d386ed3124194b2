//! QEMU's e1000 as an ndis-sim device, without the driver: bring-up, registers, configuration
//! space, the link through QMP (with its autonegotiation delay), the refusal to claim fault
//! checks, cleanup. The driver's traffic over it is `rse1k-run --device qemu`.
//!
//! Needs `qemu-system-x86_64` (Debian: `apt-get install qemu-system-x86`). Without it the test
//! says it was not run (and fails under `CI=true`, where QEMU must be there). Linux only, like
//! the crate.
#![cfg(target_os = "linux")]

use std::time::{Duration, Instant};

use ndis_sim::bus::Device;
use qemu_e1000::{DgramWire, Netdev, QemuConfig, QemuE1000};

fn qemu_or_skip(name: &str) -> bool {
    let config = QemuConfig::new(Netdev::Tap {
        ifname: String::new(),
    });
    match qemu_e1000::probe(&config.binary) {
        Ok(_) => true,
        Err(e) if std::env::var_os("CI").is_some() => panic!("{name}: CI needs QEMU: {e}"),
        Err(e) => {
            eprintln!("{name}: NOT RUN: {e}; enable with `apt-get install qemu-system-x86`");
            false
        }
    }
}

#[test]
fn registers_wire_interrupt_and_link_on_qemu() {
    if !qemu_or_skip("registers_wire_interrupt_and_link_on_qemu") {
        return;
    }
    let wire = DgramWire::new().expect("wire");
    let nic = QemuE1000::spawn(&QemuConfig::new(wire.netdev())).expect("QEMU starts");
    // STATUS: link up, full duplex.
    assert_eq!(nic.mmio_read(0x8) & 0x3, 0x3);
    assert_eq!(nic.pci_config_read(0), 0x100E_8086);
    assert!(nic.faults().is_err(), "QEMU cannot check: it must say so");
    // RAL0/RAH0 hold the MAC.
    let ral = nic.mmio_read(0x5400).to_le_bytes();
    assert_eq!(ral, [0x52, 0x54, 0x00, 0x12]);
    assert!(nic.link_up());
    nic.set_link(false).expect("QMP set_link");
    assert!(!nic.link_up());
    nic.set_link(true).expect("QMP set_link");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !nic.link_up() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(nic.link_up(), "autonegotiation completes");
    nic.shutdown();
    assert_eq!(
        nic.mmio_read(0x8),
        u32::MAX,
        "nothing behind the bus once QEMU is gone"
    );
}
