//! Legacy receive and transmit descriptors (16 bytes, little endian), and the geometry of the
//! rings they live in.
//!
//! Plain data with conversions to and from their in-memory layout, used by the model to read
//! and write back rings, and by hosts and tests to build rings the way a driver would.

use crate::fault::{Fault, Ring, RingProblem};

/// Size of one descriptor in bytes.
pub const DESC_SIZE: usize = 16;

/// RX status: descriptor done.
pub const RXD_STAT_DD: u8 = 1 << 0;
/// RX status: end of packet.
pub const RXD_STAT_EOP: u8 = 1 << 1;
/// RX status: ignore checksum indication (the model computes no receive checksums).
pub const RXD_STAT_IXSM: u8 = 1 << 2;
/// RX errors: receive data error (set by the model when it could not DMA the frame).
pub const RXD_ERR_RXE: u8 = 1 << 7;

/// TX command: end of packet.
pub const TXD_CMD_EOP: u8 = 1 << 0;
/// TX command: insert FCS (frames on a [`crate::Wire`] never carry an FCS).
pub const TXD_CMD_IFCS: u8 = 1 << 1;
/// TX command: insert checksum (not modelled).
pub const TXD_CMD_IC: u8 = 1 << 2;
/// TX command: report status (write DD back).
pub const TXD_CMD_RS: u8 = 1 << 3;
/// TX command: report packet sent (treated like RS, as QEMU does).
pub const TXD_CMD_RPS: u8 = 1 << 4;
/// TX command: descriptor extension (context/data descriptors; not modelled).
pub const TXD_CMD_DEXT: u8 = 1 << 5;
/// TX command: VLAN packet enable (not modelled).
pub const TXD_CMD_VLE: u8 = 1 << 6;
/// TX command: interrupt delay enable (makes TADV count, as in QEMU).
pub const TXD_CMD_IDE: u8 = 1 << 7;
/// TX status: descriptor done.
pub const TXD_STAT_DD: u8 = 1 << 0;

/// A legacy receive descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxDesc {
    /// Guest-physical address of the receive buffer.
    pub addr: u64,
    /// Bytes written to the buffer.
    pub length: u16,
    /// Packet checksum (the model writes 0).
    pub checksum: u16,
    /// Status bits (`RXD_STAT_*`).
    pub status: u8,
    /// Error bits (`RXD_ERR_*`).
    pub errors: u8,
    /// VLAN tag (the model writes 0).
    pub special: u16,
}

impl RxDesc {
    /// Decodes the in-memory layout.
    #[must_use]
    pub fn from_bytes(b: &[u8; DESC_SIZE]) -> Self {
        Self {
            addr: u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            length: u16::from_le_bytes([b[8], b[9]]),
            checksum: u16::from_le_bytes([b[10], b[11]]),
            status: b[12],
            errors: b[13],
            special: u16::from_le_bytes([b[14], b[15]]),
        }
    }

    /// Encodes the in-memory layout.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; DESC_SIZE] {
        let mut b = [0u8; DESC_SIZE];
        b[0..8].copy_from_slice(&self.addr.to_le_bytes());
        b[8..10].copy_from_slice(&self.length.to_le_bytes());
        b[10..12].copy_from_slice(&self.checksum.to_le_bytes());
        b[12] = self.status;
        b[13] = self.errors;
        b[14..16].copy_from_slice(&self.special.to_le_bytes());
        b
    }
}

/// A legacy transmit descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxDesc {
    /// Guest-physical address of the data.
    pub addr: u64,
    /// Bytes of data at `addr`.
    pub length: u16,
    /// Checksum offset (not modelled).
    pub cso: u8,
    /// Command bits (`TXD_CMD_*`).
    pub cmd: u8,
    /// Status bits (`TXD_STAT_*`).
    pub status: u8,
    /// Checksum start (not modelled).
    pub css: u8,
    /// VLAN tag (not modelled).
    pub special: u16,
}

impl TxDesc {
    /// Byte offset of the status field inside a descriptor.
    pub const STATUS_OFFSET: u64 = 12;

    /// Decodes the in-memory layout.
    #[must_use]
    pub fn from_bytes(b: &[u8; DESC_SIZE]) -> Self {
        Self {
            addr: u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            length: u16::from_le_bytes([b[8], b[9]]),
            cso: b[10],
            cmd: b[11],
            status: b[12],
            css: b[13],
            special: u16::from_le_bytes([b[14], b[15]]),
        }
    }

    /// Encodes the in-memory layout.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; DESC_SIZE] {
        let mut b = [0u8; DESC_SIZE];
        b[0..8].copy_from_slice(&self.addr.to_le_bytes());
        b[8..10].copy_from_slice(&self.length.to_le_bytes());
        b[10] = self.cso;
        b[11] = self.cmd;
        b[12] = self.status;
        b[13] = self.css;
        b[14..16].copy_from_slice(&self.special.to_le_bytes());
        b
    }
}

/// [`DESC_SIZE`] as a register-sized number.
const DESC_BYTES: u32 = 16;

/// A ring as the registers describe it, checked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RingGeometry {
    /// Guest-physical address of descriptor 0.
    pub(crate) base: u64,
    /// Descriptors in the ring.
    pub(crate) count: u32,
}

impl RingGeometry {
    /// Address of descriptor `index`.
    pub(crate) fn desc_addr(self, index: u32) -> u64 {
        self.base + u64::from(index) * u64::from(DESC_BYTES)
    }

    /// The index after `index`, wrapping.
    pub(crate) fn next(self, index: u32) -> u32 {
        if index + 1 >= self.count {
            0
        } else {
            index + 1
        }
    }

    /// Checks a ring with work in it; `Err` carries the fault to record.
    pub(crate) fn check(
        ring: Ring,
        base: u64,
        len_bytes: u32,
        head: u32,
        tail: u32,
    ) -> Result<Self, Fault> {
        let misconfigured = |problem| Fault::RingMisconfigured { ring, problem };
        let count = len_bytes / DESC_BYTES;
        if count == 0 {
            return Err(misconfigured(RingProblem::ZeroLength));
        }
        if head >= count {
            return Err(misconfigured(RingProblem::HeadOutOfRange { head, count }));
        }
        if tail >= count {
            return Err(misconfigured(RingProblem::TailOutOfRange { tail, count }));
        }
        // The low 4 bits of the base are ignored, as in QEMU (a fault was recorded when
        // they were written).
        Ok(Self {
            base: base & !0xF,
            count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rx_layout_round_trips() {
        let d = RxDesc {
            addr: 0x0102_0304_0506_0708,
            length: 0x1112,
            checksum: 0x2122,
            status: 0x31,
            errors: 0x41,
            special: 0x5152,
        };
        let b = d.to_bytes();
        assert_eq!(b[0], 0x08);
        assert_eq!(b[7], 0x01);
        assert_eq!(&b[8..10], &[0x12, 0x11]);
        assert_eq!(b[12], 0x31);
        assert_eq!(b[13], 0x41);
        assert_eq!(RxDesc::from_bytes(&b), d);
    }

    #[test]
    fn tx_layout_round_trips() {
        let d = TxDesc {
            addr: 0xAABB_CCDD_0000_1000,
            length: 60,
            cso: 1,
            cmd: TXD_CMD_EOP | TXD_CMD_RS,
            status: 0,
            css: 2,
            special: 3,
        };
        let b = d.to_bytes();
        assert_eq!(&b[8..10], &[60, 0]);
        assert_eq!(b[11], 0x09);
        assert_eq!(TxDesc::from_bytes(&b), d);
    }
}
