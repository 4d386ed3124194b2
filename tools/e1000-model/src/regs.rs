//! BAR0 register offsets and bit definitions of the 82540EM, and the register file itself.
//!
//! Offsets are byte offsets into BAR0 (memory mapped, 128 KiB). Only the registers the model
//! gives a meaning to are named here; every other 32-bit location of BAR0 behaves as plain
//! storage.

/// Size of BAR0 in bytes (128 KiB).
pub const BAR0_SIZE: u32 = 128 * 1024;

/// Device control.
pub const CTRL: u32 = 0x0000;
/// Device status (read-only).
pub const STATUS: u32 = 0x0008;
/// EEPROM/flash control (bit-banging interface; stored, not modelled).
pub const EECD: u32 = 0x0010;
/// EEPROM read register.
pub const EERD: u32 = 0x0014;
/// Extended device control.
pub const CTRL_EXT: u32 = 0x0018;
/// MDI control (PHY access).
pub const MDIC: u32 = 0x0020;
/// Interrupt cause read.
pub const ICR: u32 = 0x00C0;
/// Interrupt throttling (256 ns units).
pub const ITR: u32 = 0x00C4;
/// Interrupt cause set.
pub const ICS: u32 = 0x00C8;
/// Interrupt mask set / read.
pub const IMS: u32 = 0x00D0;
/// Interrupt mask clear.
pub const IMC: u32 = 0x00D8;
/// Receive control.
pub const RCTL: u32 = 0x0100;
/// Transmit control.
pub const TCTL: u32 = 0x0400;
/// Transmit inter-packet gap (stored, no effect on a virtual wire).
pub const TIPG: u32 = 0x0410;
/// LED control (stored).
pub const LEDCTL: u32 = 0x0E00;
/// Packet buffer allocation (stored).
pub const PBA: u32 = 0x1000;
/// Receive descriptor base address, low 32 bits.
pub const RDBAL: u32 = 0x2800;
/// Receive descriptor base address, high 32 bits.
pub const RDBAH: u32 = 0x2804;
/// Receive descriptor ring length in bytes.
pub const RDLEN: u32 = 0x2808;
/// Receive descriptor head.
pub const RDH: u32 = 0x2810;
/// Receive descriptor tail.
pub const RDT: u32 = 0x2818;
/// Receive delay timer (only enables RADV, as in QEMU).
pub const RDTR: u32 = 0x2820;
/// Receive absolute interrupt delay (1.024 µs units).
pub const RADV: u32 = 0x282C;
/// Transmit descriptor base address, low 32 bits.
pub const TDBAL: u32 = 0x3800;
/// Transmit descriptor base address, high 32 bits.
pub const TDBAH: u32 = 0x3804;
/// Transmit descriptor ring length in bytes.
pub const TDLEN: u32 = 0x3808;
/// Transmit descriptor head.
pub const TDH: u32 = 0x3810;
/// Transmit descriptor tail.
pub const TDT: u32 = 0x3818;
/// Transmit interrupt delay (stored; relative timers are not modelled, as in QEMU).
pub const TIDV: u32 = 0x3820;
/// Transmit absolute interrupt delay (1.024 µs units).
pub const TADV: u32 = 0x382C;
/// First of the 128 multicast table array registers.
pub const MTA: u32 = 0x5200;
/// Number of MTA registers.
pub const MTA_LEN: u32 = 128;
/// Receive address low, entry 0 (entry `n` is at `RAL0 + 8 * n`).
pub const RAL0: u32 = 0x5400;
/// Receive address high, entry 0 (entry `n` is at `RAH0 + 8 * n`).
pub const RAH0: u32 = 0x5404;
/// Number of receive address entries.
pub const RA_ENTRIES: u32 = 16;

/// CTRL: set link up.
pub const CTRL_SLU: u32 = 1 << 6;
/// CTRL: auto speed detection enable.
pub const CTRL_ASDE: u32 = 1 << 5;
/// CTRL: link reset.
pub const CTRL_LRST: u32 = 1 << 3;
/// CTRL: device reset (self-clearing).
pub const CTRL_RST: u32 = 1 << 26;
/// CTRL: VLAN mode enable.
pub const CTRL_VME: u32 = 1 << 30;
/// CTRL: PHY reset.
pub const CTRL_PHY_RST: u32 = 1 << 31;

/// STATUS: full duplex.
pub const STATUS_FD: u32 = 1 << 0;
/// STATUS: link up.
pub const STATUS_LU: u32 = 1 << 1;

/// EERD: start a read.
pub const EERD_START: u32 = 1 << 0;
/// EERD: read done.
pub const EERD_DONE: u32 = 1 << 4;
/// EERD: shift of the word address.
pub const EERD_ADDR_SHIFT: u32 = 8;
/// EERD: shift of the data word.
pub const EERD_DATA_SHIFT: u32 = 16;

/// Interrupt cause: transmit descriptor written back.
pub const ICR_TXDW: u32 = 1 << 0;
/// Interrupt cause: transmit queue empty.
pub const ICR_TXQE: u32 = 1 << 1;
/// Interrupt cause: link status change.
pub const ICR_LSC: u32 = 1 << 2;
/// Interrupt cause: receive descriptor minimum threshold reached.
pub const ICR_RXDMT0: u32 = 1 << 4;
/// Interrupt cause: receiver overrun (out of descriptors).
pub const ICR_RXO: u32 = 1 << 6;
/// Interrupt cause: receiver timer (a frame was received).
pub const ICR_RXT0: u32 = 1 << 7;

/// RCTL: receiver enable.
pub const RCTL_EN: u32 = 1 << 1;
/// RCTL: store bad packets (accepted, no effect: the model never sees bad packets it keeps).
pub const RCTL_SBP: u32 = 1 << 2;
/// RCTL: unicast promiscuous.
pub const RCTL_UPE: u32 = 1 << 3;
/// RCTL: multicast promiscuous.
pub const RCTL_MPE: u32 = 1 << 4;
/// RCTL: long packet enable.
pub const RCTL_LPE: u32 = 1 << 5;
/// RCTL: receive descriptor minimum threshold size, shift of the 2-bit field.
pub const RCTL_RDMTS_SHIFT: u32 = 8;
/// RCTL: multicast offset, shift of the 2-bit field.
pub const RCTL_MO_SHIFT: u32 = 12;
/// RCTL: broadcast accept mode.
pub const RCTL_BAM: u32 = 1 << 15;
/// RCTL: buffer size, shift of the 2-bit field.
pub const RCTL_BSIZE_SHIFT: u32 = 16;
/// RCTL: buffer size extension.
pub const RCTL_BSEX: u32 = 1 << 25;
/// RCTL: strip Ethernet CRC.
pub const RCTL_SECRC: u32 = 1 << 26;

/// TCTL: transmitter enable.
pub const TCTL_EN: u32 = 1 << 1;
/// TCTL: pad short packets (stored; frames are sent as the driver built them, as in QEMU).
pub const TCTL_PSP: u32 = 1 << 3;

/// RAH: address valid.
pub const RAH_AV: u32 = 1 << 31;

/// The register file: every 32-bit location of BAR0, as plain storage.
///
/// Registers with side effects are handled by the device before or after touching this
/// storage; the rest (for example TIPG, FCAL, VFTA) simply keep what was written, which is
/// what a driver can observe of them on a virtual wire.
#[derive(Clone, Debug)]
pub(crate) struct RegisterFile {
    words: Vec<u32>,
}

impl RegisterFile {
    /// A register file with every register zero.
    pub(crate) fn new() -> Self {
        Self {
            words: vec![0; (BAR0_SIZE / 4) as usize],
        }
    }

    /// The value at `offset` (a 4-aligned offset below [`BAR0_SIZE`]).
    pub(crate) fn get(&self, offset: u32) -> u32 {
        self.words.get((offset / 4) as usize).copied().unwrap_or(0)
    }

    /// Stores `value` at `offset` (a 4-aligned offset below [`BAR0_SIZE`]).
    pub(crate) fn set(&mut self, offset: u32, value: u32) {
        if let Some(word) = self.words.get_mut((offset / 4) as usize) {
            *word = value;
        }
    }

    /// The 64-bit value of a low/high register pair.
    pub(crate) fn get64(&self, low: u32) -> u64 {
        u64::from(self.get(low)) | (u64::from(self.get(low + 4)) << 32)
    }

    /// Stores a 64-bit value into a low/high register pair.
    pub(crate) fn set64(&mut self, low: u32, value: u64) {
        let bytes = value.to_le_bytes();
        self.set(
            low,
            u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        );
        self.set(
            low + 4,
            u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
        );
    }
}
