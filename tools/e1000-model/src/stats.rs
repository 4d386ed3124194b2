//! Statistics: the read-to-clear counters at 0x4000–0x40FF, and the host-side
//! [`ModelStats`] that guest reads never clear.

use crate::filter::Destination;
use crate::regs::RegisterFile;

/// CRC error count (the model counts frames a [`crate::Wire`] delivered with a bad CRC).
pub const CRCERRS: u32 = 0x4000;
/// Missed packets (no receive descriptor available).
pub const MPC: u32 = 0x4010;
/// Good packets received, 64 bytes.
pub const PRC64: u32 = 0x405C;
/// Good packets received, 65–127 bytes.
pub const PRC127: u32 = 0x4060;
/// Good packets received, 128–255 bytes.
pub const PRC255: u32 = 0x4064;
/// Good packets received, 256–511 bytes.
pub const PRC511: u32 = 0x4068;
/// Good packets received, 512–1023 bytes.
pub const PRC1023: u32 = 0x406C;
/// Good packets received, 1024–1522 bytes.
pub const PRC1522: u32 = 0x4070;
/// Good packets received.
pub const GPRC: u32 = 0x4074;
/// Broadcast packets received.
pub const BPRC: u32 = 0x4078;
/// Multicast packets received.
pub const MPRC: u32 = 0x407C;
/// Good packets transmitted.
pub const GPTC: u32 = 0x4080;
/// Good octets received, low.
pub const GORCL: u32 = 0x4088;
/// Good octets received, high (reading it clears the pair).
pub const GORCH: u32 = 0x408C;
/// Good octets transmitted, low.
pub const GOTCL: u32 = 0x4090;
/// Good octets transmitted, high (reading it clears the pair).
pub const GOTCH: u32 = 0x4094;
/// Receive no buffers count.
pub const RNBC: u32 = 0x40A0;
/// Receive oversize count.
pub const ROC: u32 = 0x40AC;
/// Total octets received, low.
pub const TORL: u32 = 0x40C0;
/// Total octets received, high (reading it clears the pair).
pub const TORH: u32 = 0x40C4;
/// Total octets transmitted, low.
pub const TOTL: u32 = 0x40C8;
/// Total octets transmitted, high (reading it clears the pair).
pub const TOTH: u32 = 0x40CC;
/// Total packets received.
pub const TPR: u32 = 0x40D0;
/// Total packets transmitted.
pub const TPT: u32 = 0x40D4;
/// Packets transmitted, 64 bytes (then 127, 255, 511, 1023, 1522 every 4 bytes).
pub const PTC64: u32 = 0x40D8;
/// Multicast packets transmitted.
pub const MPTC: u32 = 0x40F0;
/// Broadcast packets transmitted.
pub const BPTC: u32 = 0x40F4;
/// First statistics register.
pub const FIRST: u32 = 0x4000;
/// Last statistics register.
pub const LAST: u32 = 0x40FC;
/// Bytes of Ethernet FCS, which every counted size includes (as the manual counts).
pub const FCS_LEN: usize = 4;

/// Counters kept for the host; guest reads never clear them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModelStats {
    /// Frames put on the wire.
    pub tx_frames: u64,
    /// Bytes put on the wire (no FCS).
    pub tx_bytes: u64,
    /// Complete frames not sent because the link was down.
    pub tx_dropped_link_down: u64,
    /// Frames written into receive buffers.
    pub rx_frames: u64,
    /// Bytes of those frames, as received from the wire (no padding, no FCS).
    pub rx_bytes: u64,
    /// Frames taken from the wire while RCTL.EN was clear or the link down.
    pub rx_dropped_disabled: u64,
    /// Frames the address filter rejected.
    pub rx_dropped_filtered: u64,
    /// Frames dropped for want of receive descriptors (each also raised RXO).
    pub rx_dropped_no_buffers: u64,
    /// Frames longer than RCTL.LPE allows.
    pub rx_dropped_oversized: u64,
    /// Frames the wire delivered with a bad CRC.
    pub rx_dropped_bad_crc: u64,
    /// Frames lost to a fault (ring misconfigured or DMA failed).
    pub rx_dropped_fault: u64,
    /// Times the interrupt line went from deasserted to asserted.
    pub irq_assertions: u64,
    /// CTRL.RST writes.
    pub resets: u64,
}

/// Whether `offset` is a statistics register.
#[must_use]
pub fn is_stat(offset: u32) -> bool {
    (FIRST..=LAST).contains(&offset)
}

/// Guest read of a statistics register: returns it and clears what the read clears.
///
/// As in QEMU: 32-bit counters clear on read; for the 64-bit octet counters reading the low
/// half does not clear, reading the high half clears both halves.
pub(crate) fn read(regs: &mut RegisterFile, offset: u32) -> u32 {
    let value = regs.get(offset);
    match offset {
        GORCL | GOTCL | TORL | TOTL => {}
        GORCH | GOTCH | TORH | TOTH => regs.set64(offset - 4, 0),
        _ => regs.set(offset, 0),
    }
    value
}

/// Counts one good received frame of `len` bytes (without FCS) to `dst`.
pub(crate) fn count_rx(regs: &mut RegisterFile, len: usize, dst: Destination) {
    let octets = len + FCS_LEN;
    inc(regs, TPR);
    inc(regs, GPRC);
    add64(regs, GORCL, octets);
    add64(regs, TORL, octets);
    if let Some(bin) = size_bin(PRC64, octets) {
        inc(regs, bin);
    }
    match dst {
        Destination::Broadcast => inc(regs, BPRC),
        Destination::Multicast => inc(regs, MPRC),
        Destination::Unicast => {}
    }
}

/// Counts one transmitted frame of `len` bytes (without FCS) to `dst`.
pub(crate) fn count_tx(regs: &mut RegisterFile, len: usize, dst: Destination) {
    let octets = len + FCS_LEN;
    inc(regs, TPT);
    inc(regs, GPTC);
    add64(regs, GOTCL, octets);
    add64(regs, TOTL, octets);
    if let Some(bin) = size_bin(PTC64, octets) {
        inc(regs, bin);
    }
    match dst {
        Destination::Broadcast => inc(regs, BPTC),
        Destination::Multicast => inc(regs, MPTC),
        Destination::Unicast => {}
    }
}

/// Increments a 32-bit counter, sticking at its maximum as the hardware does.
pub(crate) fn inc(regs: &mut RegisterFile, offset: u32) {
    regs.set(offset, regs.get(offset).saturating_add(1));
}

/// Adds to a 64-bit counter pair, sticking at its maximum.
fn add64(regs: &mut RegisterFile, low: u32, n: usize) {
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    regs.set64(low, regs.get64(low).saturating_add(n));
}

/// The size-bin register for a frame of `octets` (including FCS), given the 64-byte bin.
/// Frames outside 64–1522 (jumbo frames) are counted in no bin.
fn size_bin(first: u32, octets: usize) -> Option<u32> {
    let index = match octets {
        64 => 0,
        65..=127 => 1,
        128..=255 => 2,
        256..=511 => 3,
        512..=1023 => 4,
        1024..=1522 => 5,
        _ => return None,
    };
    Some(first + 4 * index)
}
