//! Bring-up against the device model: the registers it ends with, the MAC address through
//! EERD, and the failures it must report instead of hanging or trusting bad data.

#[path = "e1000_rig.rs"]
mod rig;

use e1000_model::E1000;
use rig::{Bench, ClockStall, MAC, ModelRegs, RX_RING, Rig, TX_RING, TYPICAL};
use rse1k::e1000::bringup::{self, RESET_TIMEOUT_US};
use rse1k::e1000::eeprom::{self, CHECKSUM_TARGET};
use rse1k::e1000::filter::receive_address;
use rse1k::e1000::regs::{self, ctrl, eerd, rctl, status};
use rse1k::e1000::{
    BringUp, BringUpError, BufferSize, Causes, EepromError, MacAddress, Reg, Registers, RingSize,
    RxRing, TxRing, bring_up,
};

/// Eight-slot rings in freshly mapped bench memory, for a bring-up outside the [`Rig`].
fn eight_slot_rings(bench: &Bench) -> (TxRing<u32>, RxRing) {
    bench.mem.map(TX_RING, 128).unwrap();
    bench.mem.map(RX_RING, 128).unwrap();
    let rx_mem = bench.ring_memory(RX_RING);
    let bufs: Vec<u64> = (0..8).map(|i| 0x50_0000 + i * 0x1000).collect();
    let rx = RxRing::with_buffers(&rx_mem, &bufs, BufferSize::B2048).unwrap();
    let tx = TxRing::new(RingSize::new(8).unwrap());
    (tx, rx)
}

/// A bring-up of `tx` and `rx` at the rig's ring addresses with the typical filter, no
/// multicast list, the driver's interrupt causes, no throttling, and `station` (`None`: the
/// EEPROM's address).
fn typical_plan<'a>(
    tx: &'a mut TxRing<u32>,
    rx: &'a mut RxRing,
    station: Option<MacAddress>,
) -> BringUp<'a, u32> {
    BringUp {
        tx,
        tx_base: TX_RING,
        rx,
        rx_base: RX_RING,
        filter: TYPICAL,
        multicast: &[],
        station,
        interrupts: Causes::DRIVER,
        throttle: 0,
    }
}

#[test]
fn bring_up_leaves_the_model_running_with_the_programmed_rings() {
    let rig = Rig::new(32, 64, TYPICAL, &[]);
    let nic = &rig.bench.nic;
    let read = |r: Reg| nic.mmio_read(r.offset());
    assert_eq!(nic.stats().resets, 1, "exactly one reset");
    // The rings the model will walk are the ones the driver built.
    assert_eq!(read(regs::TDBAL), u32::try_from(TX_RING).unwrap());
    assert_eq!(read(regs::TDBAH), 0);
    assert_eq!(read(regs::TDLEN), 32 * 16);
    assert_eq!((read(regs::TDH), read(regs::TDT)), (0, 0));
    assert_eq!(read(regs::RDBAL), u32::try_from(RX_RING).unwrap());
    assert_eq!(read(regs::RDLEN), 64 * 16);
    assert_eq!((read(regs::RDH), read(regs::RDT)), (0, 63));
    assert_eq!(rig.rx.tail(), 63);
    // Transmitter and receiver on, with the filter's bits and 2 KiB buffers.
    assert_ne!(read(regs::TCTL) & regs::tctl::EN, 0);
    assert_eq!(
        read(regs::RCTL),
        rctl::EN | rctl::BAM | rctl::SECRC | BufferSize::B2048.rctl_bits()
    );
    // Link: SLU set, resets released; the model reports the link up.
    let c = read(regs::CTRL);
    assert_eq!(c & (ctrl::SLU | ctrl::ASDE), ctrl::SLU | ctrl::ASDE);
    assert_eq!(c & (ctrl::LRST | ctrl::PHY_RST | ctrl::RST), 0);
    assert_ne!(read(regs::STATUS) & status::LU, 0);
    // Interrupts: exactly the driver's causes, nothing pending yet.
    assert_eq!(read(regs::IMS), Causes::DRIVER.bits());
    assert!(!nic.irq_asserted());
    // MTA cleared, RA[0] the station.
    for i in 0..regs::MTA_LEN {
        assert_eq!(read(Reg::mta(i).unwrap()), 0);
    }
    assert_eq!(receive_address(&rig.regs(), 0), Some(MacAddress(nic.mac())));
    rig.assert_no_faults();
}

#[test]
fn the_mac_comes_from_eerd_and_matches_the_eeprom() {
    let custom = [0x00, 0x1B, 0x21, 0xAB, 0xCD, 0xEF];
    let bench = Bench::new(custom);
    let regs = bench.regs();
    let mut stall = ClockStall::new(&bench.nic);
    let mac = eeprom::read_mac(&regs, &mut stall).unwrap();
    assert_eq!(mac, MacAddress(custom));
    assert_eq!(mac.0, bench.nic.mac());
    // Word by word, as the model's EEPROM image has them.
    let image = bench.nic.eeprom();
    for word in [0u8, 1, 2, 0x0E, 0x3F] {
        assert_eq!(
            eeprom::read_word(&regs, &mut stall, word).unwrap(),
            image[usize::from(word)]
        );
    }
    assert!(bench.nic.faults().is_empty());
}

#[test]
fn bring_up_reports_both_addresses_and_programs_an_override() {
    let rig = Rig::typical();
    assert_eq!(rig.addresses.permanent, MacAddress(MAC));
    assert_eq!(rig.addresses.current, MacAddress(MAC));

    let bench = Bench::new(MAC);
    let (mut tx, mut rx) = eight_slot_rings(&bench);
    let local = MacAddress([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
    let addrs = bring_up(
        &bench.regs(),
        &mut ClockStall::new(&bench.nic),
        typical_plan(&mut tx, &mut rx, Some(local)),
    )
    .unwrap();
    assert_eq!(addrs.permanent, MacAddress(MAC));
    assert_eq!(addrs.current, local);
    assert_eq!(receive_address(&bench.regs(), 0), Some(local));
}

/// The model's registers, except that CTRL.RST never reads back clear.
struct StuckReset<'a>(ModelRegs<'a>);

impl Registers for StuckReset<'_> {
    fn read(&self, reg: Reg) -> u32 {
        let value = self.0.read(reg);
        if reg == regs::CTRL {
            value | ctrl::RST
        } else {
            value
        }
    }

    fn write(&self, reg: Reg, value: u32) {
        self.0.write(reg, value);
    }
}

#[test]
fn a_reset_that_never_completes_is_a_timeout_not_a_hang() {
    let bench = Bench::new(MAC);
    // Something pending and unmasked beforehand: bring-up must leave it masked.
    bench.nic.mmio_write(regs::IMS.offset(), Causes::ALL.bits());
    bench.nic.mmio_write(regs::ICS.offset(), Causes::LSC.bits());
    assert!(bench.nic.irq_asserted());
    let regs = StuckReset(bench.regs());
    let mut stall = ClockStall::new(&bench.nic);
    let err = bringup::reset(&regs, &mut stall).unwrap_err();
    let BringUpError::ResetTimeout {
        ctrl: last_ctrl,
        waited_us,
    } = err
    else {
        panic!("expected a reset timeout, got {err:?}");
    };
    assert_ne!(last_ctrl & ctrl::RST, 0);
    assert_eq!(waited_us, RESET_TIMEOUT_US);
    // Bounded, in NdisStallExecution-sized steps.
    assert_eq!(stall.total_us, u64::from(RESET_TIMEOUT_US));
    assert!(stall.longest_us <= 50);
    // The model did reset; interrupts are masked, so the line is down.
    assert_eq!(bench.nic.stats().resets, 1);
    assert_eq!(bench.nic.mmio_read(regs::IMS.offset()), 0);
    assert!(!bench.nic.irq_asserted());
    assert!(err.to_string().contains("did not complete"));
}

/// The model's registers with the EEPROM's word 0x3F read back one higher.
struct CorruptEeprom<'a>(&'a E1000);

impl Registers for CorruptEeprom<'_> {
    fn read(&self, reg: Reg) -> u32 {
        let value = self.0.mmio_read(reg.offset());
        let addr = (value >> eerd::ADDR_SHIFT) & 0xFF;
        if reg == regs::EERD && value & eerd::DONE != 0 && addr == 0x3F {
            value.wrapping_add(1 << eerd::DATA_SHIFT)
        } else {
            value
        }
    }

    fn write(&self, reg: Reg, value: u32) {
        self.0.mmio_write(reg.offset(), value);
    }
}

#[test]
fn a_bad_eeprom_checksum_fails_bring_up_with_a_clear_error() {
    let bench = Bench::new(MAC);
    let (mut tx, mut rx) = eight_slot_rings(&bench);
    let err = bring_up(
        &CorruptEeprom(&bench.nic),
        &mut ClockStall::new(&bench.nic),
        typical_plan(&mut tx, &mut rx, None),
    )
    .unwrap_err();
    assert_eq!(
        err,
        BringUpError::Eeprom(EepromError::Checksum {
            sum: CHECKSUM_TARGET.wrapping_add(1)
        })
    );
    assert!(err.to_string().contains("checksum"));
    // Stopped before the rings: the receiver and interrupts stay off.
    let nic = &bench.nic;
    assert_eq!(nic.mmio_read(regs::RCTL.offset()) & rctl::EN, 0);
    assert_eq!(nic.mmio_read(regs::IMS.offset()), 0);
    assert_eq!(nic.mmio_read(regs::TDLEN.offset()), 0);
}

#[test]
fn bring_up_twice_after_abort_and_restart_is_clean() {
    let mut rig = Rig::typical();
    let f = rig::frame(rig::PEER, MAC, 50, 1);
    rig.send(&f, 1);
    assert_eq!(rig.wire(), vec![f.clone()]);
    rig.inject(&rig::frame(MAC, rig::PEER, 50, 2));
    let (frame, _) = rig.harvest().unwrap();
    rig.repost(frame.slot);
    // Second bring-up (an NDIS reset): abort TX, restart RX, then the same sequence.
    let mut aborted = Vec::new();
    rig.tx.reclaim(&rig.tx_mem, |_| {});
    rig.tx.abort(|t| aborted.push(t));
    rig.rx.restart(&rig.rx_mem);
    let regs = ModelRegs(&rig.bench.nic);
    bring_up(
        &regs,
        &mut ClockStall::new(&rig.bench.nic),
        typical_plan(&mut rig.tx, &mut rig.rx, None),
    )
    .unwrap();
    assert!(
        aborted.is_empty(),
        "the frame had completed and was reclaimed"
    );
    assert_eq!(rig.bench.nic.stats().resets, 2);
    // Traffic works again both ways.
    rig.send(&f, 2);
    assert_eq!(rig.wire(), vec![f]);
    assert_eq!(rig.reclaim(), vec![2]);
    rig.inject(&rig::frame(MAC, rig::PEER, 50, 3));
    assert!(rig.harvest().is_some());
    rig.assert_no_faults();
}
