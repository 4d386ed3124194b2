//! The Intel 8254x hardware layer: everything the driver knows about the NIC, and nothing of
//! NDIS.
//!
//! Plain data and small functions over two caller-supplied traits, so the whole layer runs
//! (and is tested) on any machine:
//! - [`Registers`]: 32-bit BAR0 accesses (the NDIS layer: `NdisReadRegisterUlong` /
//!   `NdisWriteRegisterUlong` over the mapped BAR0; tests: the device model);
//! - [`DescriptorMemory`]: the descriptor rings in DMA memory (the NDIS layer: volatile
//!   accesses to its shared memory; tests: the model's memory);
//! - and [`Stall`], the bounded busy wait the reset and EEPROM polls use.
//!
//! | module | one job |
//! |---|---|
//! | [`regs`] | register offsets ([`Reg`]), bits per register, interrupt [`Causes`] |
//! | [`descriptors`] | legacy RX/TX descriptors as 16-byte little-endian values |
//! | [`mod@ring`] | [`RingSize`] and wrap-safe index arithmetic |
//! | [`tx_ring`] | transmit bookkeeping: post, doorbell, reclaim, hang detection |
//! | [`rx_ring`] | receive bookkeeping: harvest with validation (runts dropped), any buffer to any empty descriptor, doorbell |
//! | [`filter`] | packet filter → RCTL, multicast hash (MTA), receive addresses |
//! | [`eeprom`] | EERD reads, checksum, permanent MAC address |
//! | [`bringup`] | reset and the documented bring-up sequence |
//! | [`interrupts`] | ICR/IMS/IMC/ICS/ITR as the ISR and DPC use them |
//! | [`link`] | link state from STATUS |
//! | [`stats`] | read-to-clear counters summed into 64-bit totals |
//!
//! The layer holds no globals and takes no locks: the miniport decides who may touch what
//! (see `docs/design.md` §2 and §5: the send lock holds the [`TxRing`]'s poster role, the DPC
//! or a handler its reclaimer role; the receive path owns the [`RxRing`]).
//! There is no `unsafe` here; the unsafe volatile accesses live in the NDIS layer's
//! implementations of the traits.

mod access;
pub mod bringup;
pub mod descriptors;
pub mod eeprom;
pub mod filter;
pub mod interrupts;
pub mod link;
mod mac;
pub mod phy;
pub mod regs;
pub mod ring;
pub mod rx_ring;
pub mod stats;
pub mod tx_ring;

pub use access::{POLL_INTERVAL_US, PollTimeout, Registers, Stall, poll};
pub use bringup::{Addresses, BringUp, BringUpError, RingKind, bring_up};
pub use descriptors::{
    DESCRIPTOR_SIZE, DescriptorBytes, DescriptorMemory, RxDescriptor, STATUS_OFFSET, TxDescriptor,
};
pub use eeprom::EepromError;
pub use filter::{MulticastTable, ReceiveFilter, mta_hash};
pub use link::{LinkStatus, Speed};
pub use mac::MacAddress;
pub use regs::{Causes, Reg};
pub use ring::{BadRingSize, RingSize};
pub use rx_ring::{BufferSize, NotFilled, RxDrops, RxFrame, RxRing, RxRingError};
pub use stats::Statistics;
pub use tx_ring::{
    HangDetector, PostError, PostRefused, Segment, TxCompletion, TxPoster, TxReclaimer, TxRing,
};
