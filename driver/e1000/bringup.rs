//! Bring-up: from whatever state the NIC is in to running with the driver's rings, in the
//! order the reference (`e1000.md`, after the 8254x manual) documents. Each step is public so the layer above can redo one (a new
//! filter, a link change) without a full reset; [`bring_up`] runs them all.
//!
//! Nothing here waits without a bound: the reset and EEPROM polls stall in steps of at most
//! [`POLL_INTERVAL_US`](super::POLL_INTERVAL_US) and give up with an error.

use core::fmt;

use super::access::{Registers, Stall, poll};
use super::eeprom::{self, EepromError};
use super::filter::{MulticastTable, ReceiveFilter, program_receive_address};
use super::interrupts;
use super::mac::MacAddress;
use super::regs::{
    CTRL, Causes, RA_ENTRIES, RADV, RCTL, RDBAH, RDBAL, RDH, RDLEN, RDT, RDTR, Reg, TADV, TCTL,
    TDBAH, TDBAL, TDH, TDLEN, TDT, TIDV, TIPG, ctrl, tctl, tipg,
};
use super::rx_ring::RxRing;
use super::tx_ring::TxRing;

/// How long CTRL.RST may stay set before the reset counts as failed, in µs. The manual asks
/// for at least 1 µs before the next access; QEMU clears it at once; 10 ms is far beyond any
/// working part.
pub const RESET_TIMEOUT_US: u32 = 10_000;

/// Which ring a [`BringUpError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingKind {
    /// The transmit ring.
    Tx,
    /// The receive ring.
    Rx,
}

/// Why the NIC could not be brought up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BringUpError {
    /// CTRL.RST was still set after [`RESET_TIMEOUT_US`]: the NIC is not answering.
    ResetTimeout {
        /// CTRL as last read.
        ctrl: u32,
        /// Microseconds waited.
        waited_us: u32,
    },
    /// The EEPROM could not be read or failed its checksum.
    Eeprom(EepromError),
    /// A ring's physical base address is 0 or not 16-byte aligned.
    RingMisaligned {
        /// Which ring.
        ring: RingKind,
        /// The address given.
        base: u64,
    },
    /// A ring still has work from before (posted frames, held receive buffers, or indices
    /// the NIC was already told): abort or restart it first.
    RingNotFresh {
        /// Which ring.
        ring: RingKind,
    },
    /// The station address asked for is not one (zero or a group address).
    InvalidStationAddress(MacAddress),
}

impl From<EepromError> for BringUpError {
    fn from(e: EepromError) -> Self {
        Self::Eeprom(e)
    }
}

impl fmt::Display for BringUpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ResetTimeout { ctrl, waited_us } => write!(
                f,
                "NIC reset did not complete in {waited_us} µs (CTRL {ctrl:#010x})"
            ),
            Self::Eeprom(e) => e.fmt(f),
            Self::RingMisaligned { ring, base } => {
                write!(f, "{ring:?} ring base {base:#x} is not 16-byte aligned")
            }
            Self::RingNotFresh { ring } => write!(f, "{ring:?} ring has work from before"),
            Self::InvalidStationAddress(mac) => write!(f, "{mac} is not a station address"),
        }
    }
}

/// Stops the NIC and resets it: mask all, receiver and transmitter off, CTRL.RST, wait for
/// it to clear, mask again (the reset may have changed the mask), and read ICR to drop any
/// cause left over. On success the NIC is quiet, nothing masked in, nothing pending; no
/// register is assumed to have been restored.
///
/// # Errors
/// [`BringUpError::ResetTimeout`] when CTRL.RST does not clear within [`RESET_TIMEOUT_US`].
pub fn reset<R: Registers + ?Sized, S: Stall + ?Sized>(
    regs: &R,
    stall: &mut S,
) -> Result<(), BringUpError> {
    interrupts::mask_all(regs);
    regs.write(RCTL, 0);
    regs.write(TCTL, 0);
    regs.modify(CTRL, ctrl::RST, 0);
    poll(regs, stall, CTRL, RESET_TIMEOUT_US, |v| v & ctrl::RST == 0).map_err(|t| {
        BringUpError::ResetTimeout {
            ctrl: t.last,
            waited_us: t.waited_us,
        }
    })?;
    interrupts::mask_all(regs);
    let _stale = interrupts::take_causes(regs);
    Ok(())
}

/// Link setup: CTRL.SLU and ASDE set (the MAC follows the PHY's autonegotiated link), link
/// and PHY reset released, VLAN mode off.
pub fn setup_link<R: Registers + ?Sized>(regs: &R) {
    regs.modify(
        CTRL,
        ctrl::SLU | ctrl::ASDE,
        ctrl::LRST | ctrl::PHY_RST | ctrl::VME,
    );
}

/// Invalidates receive address entries 1–15. A reset does not restore them on every part
/// (QEMU restores nothing), and a stale valid entry would pass frames nobody asked for.
pub fn clear_extra_addresses<R: Registers + ?Sized>(regs: &R) {
    for index in 1..RA_ENTRIES {
        if let Some(high) = Reg::rah(index) {
            regs.write(high, 0);
        }
    }
}

/// Interrupt moderation: ITR = `throttle`, and the per-descriptor delay timers (RDTR, RADV,
/// TIDV, TADV) zero, since the driver asks for no delayed write-back. Written explicitly
/// because a reset need not restore them.
pub fn program_delays<R: Registers + ?Sized>(regs: &R, throttle: u16) {
    interrupts::set_throttle(regs, throttle);
    for reg in [RDTR, RADV, TIDV, TADV] {
        regs.write(reg, 0);
    }
}

/// Checks a ring base address: non-zero and 16-byte aligned.
fn check_base(ring: RingKind, base: u64) -> Result<(), BringUpError> {
    if base == 0 || !base.is_multiple_of(16) {
        return Err(BringUpError::RingMisaligned { ring, base });
    }
    Ok(())
}

/// Writes a 64-bit base address to a low/high register pair.
fn write_base<R: Registers + ?Sized>(regs: &R, low: Reg, high: Reg, base: u64) {
    // Truncation is the point: the low and the high 32 bits.
    #[allow(clippy::cast_possible_truncation, reason = "splitting into halves")]
    {
        regs.write(low, base as u32);
        regs.write(high, (base >> 32) as u32);
    }
}

/// Programs the transmit ring (base, length, TDH = TDT = the ring's tail) and enables the
/// transmitter (TIPG for copper; TCTL = EN | PSP | CT | COLD for full duplex).
///
/// The caller is the ring's poster (it owns the ring, or holds its [`TxPoster`] role): nothing
/// is posted while the registers are written.
///
/// # Errors
/// [`BringUpError::RingMisaligned`] for a bad `base`; [`BringUpError::RingNotFresh`] when
/// frames are posted (abort them first).
///
/// [`TxPoster`]: super::tx_ring::TxPoster
pub fn program_tx<R: Registers + ?Sized, T>(
    regs: &R,
    ring: &TxRing<T>,
    base: u64,
) -> Result<(), BringUpError> {
    check_base(RingKind::Tx, base)?;
    if !ring.is_idle() {
        return Err(BringUpError::RingNotFresh { ring: RingKind::Tx });
    }
    write_base(regs, TDBAL, TDBAH, base);
    regs.write(TDLEN, ring.size().bytes());
    regs.write(TDH, u32::from(ring.tail()));
    regs.write(TDT, u32::from(ring.tail()));
    ring.programmed();
    regs.write(TIPG, tipg::COPPER);
    regs.write(
        TCTL,
        tctl::EN
            | tctl::PSP
            | (tctl::CT_DEFAULT << tctl::CT_SHIFT)
            | (tctl::COLD_FULL_DUPLEX << tctl::COLD_SHIFT),
    );
    Ok(())
}

/// Programs the receive ring (base, length, RDH, RDT) and then RCTL for `filter` (the
/// receiver stays off for an empty filter). The ring must be new or just restarted, so its
/// descriptors are all freshly posted.
///
/// # Errors
/// [`BringUpError::RingMisaligned`] for a bad `base`; [`BringUpError::RingNotFresh`] when
/// the ring was already programmed or holds frames.
pub fn program_rx<R: Registers + ?Sized>(
    regs: &R,
    ring: &mut RxRing,
    base: u64,
    filter: &ReceiveFilter,
) -> Result<(), BringUpError> {
    check_base(RingKind::Rx, base)?;
    if !ring.is_fresh() {
        return Err(BringUpError::RingNotFresh { ring: RingKind::Rx });
    }
    write_base(regs, RDBAL, RDBAH, base);
    regs.write(RDLEN, ring.size().bytes());
    regs.write(RDH, u32::from(ring.head()));
    regs.write(RDT, u32::from(ring.tail()));
    ring.programmed();
    // Last: the receiver starts only once the ring is in place.
    regs.write(RCTL, filter.rctl(ring.buffer_size()));
    Ok(())
}

/// Everything [`bring_up`] needs besides the register access and the stall.
#[derive(Debug)]
pub struct BringUp<'a, T> {
    /// The transmit ring (idle).
    pub tx: &'a mut TxRing<T>,
    /// Physical address of the transmit descriptors.
    pub tx_base: u64,
    /// The receive ring (new or restarted).
    pub rx: &'a mut RxRing,
    /// Physical address of the receive descriptors.
    pub rx_base: u64,
    /// The packet filter to start with ([`ReceiveFilter::NONE`] keeps the receiver off).
    pub filter: ReceiveFilter,
    /// The multicast list.
    pub multicast: &'a [MacAddress],
    /// The station address to use instead of the EEPROM's (a configured override).
    pub station: Option<MacAddress>,
    /// The causes to unmask at the end (usually [`Causes::DRIVER`]).
    pub interrupts: Causes,
    /// ITR: the minimum gap between interrupts in 256 ns units, from
    /// [`interrupts::throttle_interval`] (0 = no throttling).
    pub throttle: u16,
}

/// The addresses [`bring_up`] found and programmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addresses {
    /// The EEPROM's address.
    pub permanent: MacAddress,
    /// The address in RA\[0\]: the override if one was given, else the permanent one.
    pub current: MacAddress,
}

/// The whole documented sequence: [`reset`], [`setup_link`], the MAC address from the
/// EEPROM (checksum validated) into RA\[0\], the MTA cleared and loaded, [`program_tx`],
/// [`program_rx`], and finally the interrupt mask.
///
/// On error the NIC is left reset or partly programmed with interrupts masked and the
/// receiver off until the step that failed; nothing half-enabled can interrupt.
///
/// # Errors
/// Any step's [`BringUpError`].
pub fn bring_up<R: Registers + ?Sized, S: Stall + ?Sized, T>(
    regs: &R,
    stall: &mut S,
    config: BringUp<'_, T>,
) -> Result<Addresses, BringUpError> {
    let BringUp {
        tx,
        tx_base,
        rx,
        rx_base,
        filter,
        multicast,
        station,
        interrupts: causes,
        throttle,
    } = config;
    if let Some(station) = station
        && !station.is_valid_station()
    {
        return Err(BringUpError::InvalidStationAddress(station));
    }
    // Everything that can be checked without the NIC is, before the NIC is touched.
    check_base(RingKind::Tx, tx_base)?;
    check_base(RingKind::Rx, rx_base)?;
    if !tx.is_idle() {
        return Err(BringUpError::RingNotFresh { ring: RingKind::Tx });
    }
    if !rx.is_fresh() {
        return Err(BringUpError::RingNotFresh { ring: RingKind::Rx });
    }
    reset(regs, stall)?;
    setup_link(regs);
    let permanent = eeprom::read_mac(regs, stall)?;
    let current = station.unwrap_or(permanent);
    program_receive_address(regs, 0, current);
    clear_extra_addresses(regs);
    program_delays(regs, throttle);
    // Every MTA register is written: cleared, or loaded with the list when listed
    // multicast is wanted. RCTL is written whole by `program_rx`, after the ring.
    let table = if filter.multicast {
        MulticastTable::from_groups(multicast)
    } else {
        MulticastTable::EMPTY
    };
    table.program(regs);
    program_tx(regs, tx, tx_base)?;
    program_rx(regs, rx, rx_base, &filter)?;
    interrupts::unmask(regs, causes);
    Ok(Addresses { permanent, current })
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;
    use crate::e1000::access::testing::{Access, CountingStall, FakeRegs};
    use crate::e1000::descriptors::testing::VecRing;
    use crate::e1000::regs::{EERD, ICR, IMC, IMS, ITR, rctl};
    use crate::e1000::ring::RingSize;
    use crate::e1000::rx_ring::BufferSize;

    /// CTRL.RST that never clears.
    fn stuck_reset(offset: u32, stored: u32) -> u32 {
        if offset == CTRL.offset() {
            stored | ctrl::RST
        } else {
            stored
        }
    }

    /// RST clears at once; EERD answers from a valid image of 52:54:00:12:34:56.
    fn working_nic(offset: u32, stored: u32) -> u32 {
        if offset == CTRL.offset() {
            return stored & !ctrl::RST;
        }
        if offset == EERD.offset() && stored & 1 != 0 {
            let word = (stored >> 8) & 0xFF;
            let data: u32 = match word {
                0 => 0x5452,
                1 => 0x1200,
                2 => 0x5634,
                0x3F => 0xBABA_u32.wrapping_sub(0x5452 + 0x1200 + 0x5634) & 0xFFFF,
                _ => 0,
            };
            return (data << 16) | 0x10 | stored;
        }
        stored
    }

    #[test]
    fn reset_follows_the_documented_order() {
        let regs = FakeRegs {
            on_read: Some(working_nic),
            ..FakeRegs::default()
        };
        regs.set(RCTL, rctl::EN);
        reset(&regs, &mut CountingStall::default()).unwrap();
        let log = regs.log.borrow().clone();
        let expected_prefix = [
            Access::Write(IMC.offset(), u32::MAX),
            Access::Write(RCTL.offset(), 0),
            Access::Write(TCTL.offset(), 0),
            Access::Read(CTRL.offset()),
            Access::Write(CTRL.offset(), ctrl::RST),
            Access::Read(CTRL.offset()),
            Access::Write(IMC.offset(), u32::MAX),
            Access::Read(ICR.offset()),
        ];
        assert_eq!(log, expected_prefix);
    }

    #[test]
    fn a_reset_that_never_completes_is_a_bounded_error() {
        let regs = FakeRegs {
            on_read: Some(stuck_reset),
            ..FakeRegs::default()
        };
        let mut stall = CountingStall::default();
        let err = reset(&regs, &mut stall).unwrap_err();
        assert!(matches!(
            err,
            BringUpError::ResetTimeout {
                waited_us: RESET_TIMEOUT_US,
                ..
            }
        ));
        assert_eq!(stall.total_us, u64::from(RESET_TIMEOUT_US));
        assert!(stall.longest_us <= 50);
        // Interrupts stay masked: the last IMC write came after nothing unmasked them.
        assert!(!regs.writes().iter().any(|&(o, _)| o == IMS.offset()));
    }

    #[test]
    fn link_setup_sets_slu_asde_and_clears_resets() {
        let regs = FakeRegs::default();
        regs.set(CTRL, ctrl::LRST | ctrl::PHY_RST | ctrl::VME | 0x100);
        setup_link(&regs);
        assert_eq!(regs.get(CTRL), ctrl::SLU | ctrl::ASDE | 0x100);
    }

    fn rings() -> (TxRing<u32>, RxRing, VecRing) {
        let mem = VecRing::new(8);
        let bufs: Vec<u64> = (1..=8).map(|i| i * 0x1000).collect();
        (
            TxRing::new(RingSize::new(8).unwrap()),
            RxRing::with_buffers(&mem, &bufs, BufferSize::B2048).unwrap(),
            mem,
        )
    }

    #[test]
    fn full_bring_up_programs_rings_addresses_and_mask() {
        let regs = FakeRegs {
            on_read: Some(working_nic),
            ..FakeRegs::default()
        };
        // Leftovers of an earlier life that a reset need not clear.
        regs.set(Reg::rah(3).unwrap(), 0x8000_1234);
        regs.set(RADV, 100);
        regs.set(TIDV, 100);
        let (mut tx, mut rx, _mem) = rings();
        let filter = ReceiveFilter {
            directed: true,
            multicast: true,
            broadcast: true,
            ..ReceiveFilter::NONE
        };
        let group = MacAddress([0x01, 0x00, 0x5E, 0x00, 0x00, 0x01]);
        let addrs = bring_up(
            &regs,
            &mut CountingStall::default(),
            BringUp {
                tx: &mut tx,
                tx_base: 0x1_2345_6780,
                rx: &mut rx,
                rx_base: 0x9000,
                filter,
                multicast: &[group],
                station: None,
                interrupts: Causes::DRIVER,
                throttle: 488,
            },
        )
        .unwrap();
        let mac = MacAddress([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        assert_eq!(
            addrs,
            Addresses {
                permanent: mac,
                current: mac
            }
        );
        assert_eq!(crate::e1000::filter::receive_address(&regs, 0), Some(mac));
        assert_eq!(regs.get(TDBAL), 0x2345_6780);
        assert_eq!(regs.get(TDBAH), 1);
        assert_eq!(regs.get(TDLEN), 128);
        assert_eq!((regs.get(TDH), regs.get(TDT)), (0, 0));
        assert_eq!(regs.get(TCTL), 0x0004_00FA);
        assert_eq!(regs.get(TIPG), tipg::COPPER);
        assert_eq!((regs.get(RDBAL), regs.get(RDBAH)), (0x9000, 0));
        assert_eq!(regs.get(RDLEN), 128);
        assert_eq!((regs.get(RDH), regs.get(RDT)), (0, 7));
        assert_eq!(regs.get(RCTL), rctl::EN | rctl::BAM | rctl::SECRC);
        assert_eq!(regs.get(crate::e1000::regs::Reg::mta(0).unwrap()), 1 << 16);
        assert_eq!(regs.get(IMS), Causes::DRIVER.bits());
        assert_eq!(regs.get(ITR), 488);
        assert_eq!((regs.get(RADV), regs.get(TIDV)), (0, 0));
        for index in 1..RA_ENTRIES {
            assert_eq!(crate::e1000::filter::receive_address(&regs, index), None);
        }
        assert_eq!(
            regs.get(CTRL) & (ctrl::SLU | ctrl::ASDE),
            ctrl::SLU | ctrl::ASDE
        );
        // IMS is the very last write, RCTL the one before it.
        let writes = regs.writes();
        assert_eq!(writes[writes.len() - 1].0, IMS.offset());
        assert_eq!(writes[writes.len() - 2].0, RCTL.offset());
        // The doorbells know what bring-up wrote: nothing new to ring.
        let before = regs.writes().len();
        tx.doorbell(&regs);
        rx.doorbell(&regs);
        assert_eq!(regs.writes().len(), before);
    }

    #[test]
    fn an_override_address_goes_into_ra0() {
        let regs = FakeRegs {
            on_read: Some(working_nic),
            ..FakeRegs::default()
        };
        let (mut tx, mut rx, _mem) = rings();
        let local = MacAddress([0x02, 0, 0, 0, 0, 1]);
        let addrs = bring_up(
            &regs,
            &mut CountingStall::default(),
            BringUp {
                tx: &mut tx,
                tx_base: 0x1000,
                rx: &mut rx,
                rx_base: 0x2000,
                filter: ReceiveFilter::NONE,
                multicast: &[],
                station: Some(local),
                interrupts: Causes::DRIVER,
                throttle: 0,
            },
        )
        .unwrap();
        assert_eq!(addrs.current, local);
        assert_ne!(addrs.permanent, local);
        assert_eq!(crate::e1000::filter::receive_address(&regs, 0), Some(local));
        assert_eq!(regs.get(RCTL) & rctl::EN, 0, "empty filter: receiver off");
    }

    /// Bring-up with everything but the inputs under test fixed.
    fn attempt(
        regs: &FakeRegs,
        tx: &mut TxRing<u32>,
        rx: &mut RxRing,
        bases: (u64, u64),
        station: Option<MacAddress>,
    ) -> Result<Addresses, BringUpError> {
        bring_up(
            regs,
            &mut CountingStall::default(),
            BringUp {
                tx,
                tx_base: bases.0,
                rx,
                rx_base: bases.1,
                filter: ReceiveFilter::NONE,
                multicast: &[],
                station,
                interrupts: Causes::DRIVER,
                throttle: 0,
            },
        )
    }

    #[test]
    fn bad_inputs_are_refused_before_touching_the_nic() {
        let (mut tx, mut rx, mem) = rings();
        let regs = FakeRegs::default();
        assert_eq!(
            attempt(&regs, &mut tx, &mut rx, (0x1008, 0x2000), None),
            Err(BringUpError::RingMisaligned {
                ring: RingKind::Tx,
                base: 0x1008
            })
        );
        assert_eq!(
            attempt(&regs, &mut tx, &mut rx, (0x1000, 0), None),
            Err(BringUpError::RingMisaligned {
                ring: RingKind::Rx,
                base: 0
            })
        );
        let group = MacAddress([1, 0, 0, 0, 0, 0]);
        assert_eq!(
            attempt(&regs, &mut tx, &mut rx, (0x1000, 0x2000), Some(group)),
            Err(BringUpError::InvalidStationAddress(group))
        );
        // Rings with history are refused too.
        tx.post(&mem, 0x5000, 60, 1).unwrap();
        assert_eq!(
            attempt(&regs, &mut tx, &mut rx, (0x1000, 0x2000), None),
            Err(BringUpError::RingNotFresh { ring: RingKind::Tx })
        );
        assert!(regs.log.borrow().is_empty(), "the NIC was not touched");
        tx.abort(|_| {});
        program_rx(&regs, &mut rx, 0x2000, &ReceiveFilter::NONE).unwrap();
        regs.log.borrow_mut().clear();
        assert_eq!(
            attempt(&regs, &mut tx, &mut rx, (0x1000, 0x2000), None),
            Err(BringUpError::RingNotFresh { ring: RingKind::Rx })
        );
        assert!(regs.log.borrow().is_empty(), "the NIC was not touched");
        // The ring steps refuse on their own as well.
        tx.post(&mem, 0x5000, 60, 2).unwrap();
        assert_eq!(
            program_tx(&regs, &tx, 0x1000),
            Err(BringUpError::RingNotFresh { ring: RingKind::Tx })
        );
        assert_eq!(
            program_rx(&regs, &mut rx, 0x2000, &ReceiveFilter::NONE),
            Err(BringUpError::RingNotFresh { ring: RingKind::Rx })
        );
        rx.restart(&mem);
        assert!(program_rx(&regs, &mut rx, 0x2000, &ReceiveFilter::NONE).is_ok());
    }

    #[test]
    fn errors_explain_themselves() {
        use alloc::string::ToString;
        let e = BringUpError::ResetTimeout {
            ctrl: ctrl::RST,
            waited_us: 10_000,
        };
        assert!(e.to_string().contains("did not complete"));
        let e = BringUpError::from(EepromError::Checksum { sum: 0x1234 });
        assert!(e.to_string().contains("checksum 0x1234"));
    }
}
