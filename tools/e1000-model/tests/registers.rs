//! Register semantics: PCI identity, EEPROM through EERD, RA\[0\], STATUS, CTRL.RST, MMIO
//! bounds.

mod common;

use common::{MAC, Rig};
use e1000_model::eeprom::CHECKSUM_TARGET;
use e1000_model::regs::{
    CTRL, CTRL_ASDE, CTRL_RST, CTRL_SLU, EERD, EERD_DONE, EERD_START, IMS, RAH_AV, RAH0, RAL0,
    RCTL, RDLEN, STATUS, STATUS_LU, TDBAL, TIPG,
};
use e1000_model::{Fault, Ring, RingProblem};

fn eerd_word(rig: &Rig, addr: u32) -> u16 {
    rig.write(EERD, EERD_START | (addr << 8));
    let v = rig.read(EERD);
    assert_ne!(v & EERD_DONE, 0, "EERD completes at once");
    assert_eq!((v >> 8) & 0xFF, addr, "address reads back");
    u16::try_from(v >> 16).unwrap()
}

#[test]
fn pci_identity_and_bar_sizes() {
    let rig = Rig::new();
    let nic = &rig.nic;
    assert_eq!(nic.pci_config_read(0x00), 0x100E_8086);
    assert_eq!(nic.pci_config_read(0x08) >> 8, 0x02_0000);
    assert_eq!(nic.pci_config_read(0x3C) >> 8 & 0xFF, 1, "INTA");
    // BAR sizing: write all ones, read back the size mask.
    nic.pci_config_write(0x10, u32::MAX);
    assert_eq!(
        nic.pci_config_read(0x10),
        0xFFFE_0000,
        "128 KiB memory BAR, 32-bit"
    );
    nic.pci_config_write(0x10, 0xFEBC_0000);
    assert_eq!(nic.pci_config_read(0x10), 0xFEBC_0000);
    nic.pci_config_write(0x14, u32::MAX);
    assert_eq!(nic.pci_config_read(0x14), 0xFFFF_FFC1, "64-byte I/O BAR");
    nic.pci_config_write(0x04, 0x0006);
    assert_eq!(nic.pci_config_read(0x04) & 0xFFFF, 0x0006);
    nic.pci_config_write(0x3C, 0x0B);
    assert_eq!(nic.pci_config_read(0x3C) & 0xFF, 0x0B);
    nic.pci_config_write(0x00, 0);
    assert_eq!(
        nic.pci_config_read(0x00),
        0x100E_8086,
        "identity is read-only"
    );
}

#[test]
fn eeprom_via_eerd_has_mac_and_valid_checksum() {
    let rig = Rig::new();
    let words: Vec<u16> = (0..64).map(|a| eerd_word(&rig, a)).collect();
    let sum = words.iter().fold(0u16, |acc, w| acc.wrapping_add(*w));
    assert_eq!(sum, CHECKSUM_TARGET);
    let mac: Vec<u8> = words[..3].iter().flat_map(|w| w.to_le_bytes()).collect();
    assert_eq!(mac, MAC);
    assert_eq!(rig.nic.mac(), MAC);
    assert_eq!(words[0x0D], 0x100E);
    assert_eq!(words[0x0E], 0x8086);
    assert!(rig.nic.faults().is_empty());
}

#[test]
fn eerd_without_start_reads_back_as_written() {
    let rig = Rig::new();
    rig.write(EERD, 5 << 8);
    assert_eq!(rig.read(EERD), 5 << 8);
}

#[test]
fn ra0_is_preloaded_with_mac_and_address_valid() {
    let rig = Rig::new();
    assert_eq!(rig.read(RAL0), 0x1200_5452);
    assert_eq!(rig.read(RAH0), RAH_AV | 0x5634);
}

#[test]
fn status_lu_follows_the_link() {
    let rig = Rig::new();
    assert_ne!(rig.read(STATUS) & STATUS_LU, 0);
    assert_ne!(rig.read(STATUS) & 1, 0, "full duplex");
    rig.nic.set_link(false);
    assert_eq!(rig.read(STATUS) & STATUS_LU, 0);
    assert!(!rig.nic.link_up());
    rig.write(STATUS, u32::MAX);
    assert_eq!(rig.read(STATUS) & STATUS_LU, 0, "STATUS is read-only");
    rig.nic.set_link(true);
    assert_ne!(rig.read(STATUS) & STATUS_LU, 0);
}

#[test]
fn ctrl_power_on_has_slu_and_rst_self_clears_restoring_nothing() {
    let rig = Rig::new();
    assert_ne!(rig.read(CTRL) & CTRL_SLU, 0);
    rig.write(IMS, 0x84);
    rig.write(RCTL, 0x0400_8002);
    rig.write(TIPG, 0x0060_200A);
    rig.write(RAL0 + 8, 0x1122_3344);
    let ctrl = CTRL_SLU | CTRL_ASDE;
    rig.write(CTRL, ctrl | CTRL_RST);
    assert_eq!(rig.read(CTRL), ctrl, "RST reads back clear at once");
    assert_eq!(rig.read(IMS), 0x84);
    assert_eq!(rig.read(RCTL), 0x0400_8002);
    assert_eq!(rig.read(TIPG), 0x0060_200A);
    assert_eq!(rig.read(RAL0 + 8), 0x1122_3344);
    assert_eq!(rig.read(RAH0), RAH_AV | 0x5634);
    assert_eq!(rig.nic.stats().resets, 1);
}

#[test]
fn mmio_outside_bar0_or_unaligned_faults_and_does_nothing() {
    let rig = Rig::new();
    assert_eq!(rig.read(0x2_0000), 0);
    rig.write(0x2_0000, 1);
    assert_eq!(rig.read(TIPG + 2), 0);
    rig.write(TIPG + 1, 0xFFFF_FFFF);
    assert_eq!(rig.read(TIPG), 0);
    assert_eq!(
        rig.nic.take_faults(),
        vec![
            Fault::MmioOutOfRange { offset: 0x2_0000 },
            Fault::MmioOutOfRange { offset: 0x2_0000 },
            Fault::MmioUnaligned { offset: TIPG + 2 },
            Fault::MmioUnaligned { offset: TIPG + 1 },
        ]
    );
    assert!(rig.nic.faults().is_empty());
    assert_eq!(rig.nic.fault_count(), 4);
}

#[test]
fn eerd_past_the_eeprom_faults_and_reads_zero() {
    let rig = Rig::new();
    rig.write(EERD, EERD_START | (0x40 << 8));
    let v = rig.read(EERD);
    assert_ne!(v & EERD_DONE, 0);
    assert_eq!(v >> 16, 0);
    assert_eq!(
        rig.nic.faults(),
        vec![Fault::EepromAddressOutOfRange { addr: 0x40 }]
    );
}

#[test]
fn ring_length_and_base_are_masked_like_qemu_with_a_fault() {
    let rig = Rig::new();
    rig.write(RDLEN, 100);
    assert_eq!(rig.read(RDLEN), 0);
    rig.write(TDBAL, 0x1008);
    assert_eq!(
        rig.read(TDBAL),
        0x1008,
        "stored; the low bits are ignored on use"
    );
    assert_eq!(
        rig.nic.faults(),
        vec![
            Fault::RingMisconfigured {
                ring: Ring::Rx,
                problem: RingProblem::LengthNotMultipleOf128 { written: 100 },
            },
            Fault::RingMisconfigured {
                ring: Ring::Tx,
                problem: RingProblem::BaseMisaligned { written: 0x1008 },
            },
        ]
    );
}

#[test]
fn other_registers_are_plain_storage() {
    let rig = Rig::new();
    rig.write(TIPG, 0x0060_200A);
    assert_eq!(rig.read(TIPG), 0x0060_200A);
    rig.write(0x5200 + 4 * 127, 0x8000_0001);
    assert_eq!(rig.read(0x5200 + 4 * 127), 0x8000_0001);
}

#[test]
fn mdic_reads_the_phy_and_reports_link() {
    use e1000_model::phy::{
        ICR_MDAC, MDIC_DATA_MASK, MDIC_ERROR, MDIC_INT_EN, MDIC_OP_READ, MDIC_PHY_SHIFT,
        MDIC_READY, MDIC_REG_SHIFT,
    };
    use e1000_model::regs::{ICR, MDIC};
    let rig = Rig::new();
    let read_phy = |reg: u32| {
        rig.write(
            MDIC,
            MDIC_OP_READ | (1 << MDIC_PHY_SHIFT) | (reg << MDIC_REG_SHIFT),
        );
        let v = rig.read(MDIC);
        assert_ne!(v & MDIC_READY, 0);
        assert_eq!(v & MDIC_ERROR, 0);
        v & MDIC_DATA_MASK
    };
    assert_eq!(read_phy(2), 0x0141);
    assert_ne!(read_phy(1) & 4, 0, "PHY status: link up");
    rig.nic.set_link(false);
    assert_eq!(read_phy(1) & 4, 0);
    rig.read(ICR);
    rig.write(MDIC, MDIC_OP_READ | (1 << MDIC_PHY_SHIFT) | MDIC_INT_EN);
    assert_eq!(rig.read(ICR), ICR_MDAC);
}
