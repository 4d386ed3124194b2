//! Legacy receive and transmit descriptors, and the memory rings of them live in.
//!
//! A descriptor is 16 bytes, little endian, in memory the NIC reads and writes by DMA. The
//! types here are plain values with explicit conversions to and from those bytes; the bytes
//! themselves are reached only through [`DescriptorMemory`], which the NDIS layer implements
//! over its shared memory (volatile accesses) and tests implement over the device model's
//! memory. Nothing in this layer dereferences a pointer.

use core::sync::atomic::{Ordering, fence};

/// Size of one descriptor in bytes.
pub const DESCRIPTOR_SIZE: usize = 16;

/// The bytes of one descriptor, as they are in ring memory.
pub type DescriptorBytes = [u8; DESCRIPTOR_SIZE];

/// Where the status byte (DD and the other write-back bits) lies in a descriptor, receive and
/// legacy transmit alike.
pub const STATUS_OFFSET: usize = 12;

/// Receive descriptor status bits.
pub mod rx_status {
    /// Descriptor done: the NIC has written the descriptor back.
    pub const DD: u8 = 1 << 0;
    /// End of packet: the last buffer of a frame.
    pub const EOP: u8 = 1 << 1;
    /// Ignore checksum indication (no receive checksum was computed).
    pub const IXSM: u8 = 1 << 2;
}

/// Receive descriptor error bits. Any of them means the frame must not be indicated: the
/// driver enables no receive checksum offload, so even the checksum bits (TCPE, IPE) are
/// never legitimately set.
pub mod rx_errors {
    /// CRC or alignment error.
    pub const CE: u8 = 1 << 0;
    /// Symbol error.
    pub const SE: u8 = 1 << 1;
    /// Sequence error.
    pub const SEQ: u8 = 1 << 2;
    /// Carrier extension error.
    pub const CXE: u8 = 1 << 4;
    /// TCP/UDP checksum error.
    pub const TCPE: u8 = 1 << 5;
    /// IP checksum error.
    pub const IPE: u8 = 1 << 6;
    /// Receive data error.
    pub const RXE: u8 = 1 << 7;
}

/// Transmit descriptor command bits.
pub mod tx_cmd {
    /// End of packet: the last descriptor of a frame.
    pub const EOP: u8 = 1 << 0;
    /// Insert the Ethernet FCS.
    pub const IFCS: u8 = 1 << 1;
    /// Report status: write DD back when the descriptor is done.
    pub const RS: u8 = 1 << 3;
    /// Interrupt delay enable (TIDV/TADV apply to this descriptor).
    pub const IDE: u8 = 1 << 7;
}

/// Transmit descriptor status bits.
pub mod tx_status {
    /// Descriptor done (written back only for descriptors with RS).
    pub const DD: u8 = 1 << 0;
    /// Excess collisions: the frame was not sent (half duplex only).
    pub const EC: u8 = 1 << 1;
    /// Late collision: the frame was not sent (half duplex only).
    pub const LC: u8 = 1 << 2;
}

/// A legacy receive descriptor.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxDescriptor {
    /// Physical address of the receive buffer.
    pub buffer: u64,
    /// Bytes the NIC wrote into the buffer.
    pub length: u16,
    /// Packet checksum (unused: no receive checksum offload).
    pub checksum: u16,
    /// Status bits ([`rx_status`]).
    pub status: u8,
    /// Error bits ([`rx_errors`]).
    pub errors: u8,
    /// VLAN tag (unused).
    pub special: u16,
}

/// A legacy transmit descriptor.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxDescriptor {
    /// Physical address of the data.
    pub buffer: u64,
    /// Bytes of data at `buffer`.
    pub length: u16,
    /// Checksum offset (unused: no checksum offload).
    pub cso: u8,
    /// Command bits ([`tx_cmd`]).
    pub cmd: u8,
    /// Status bits ([`tx_status`]).
    pub status: u8,
    /// Checksum start (unused).
    pub css: u8,
    /// VLAN tag (unused).
    pub special: u16,
}

// The `repr(C)` layouts are the wire layouts (no padding), so a debugger shows ring memory
// as these types; the conversions below never rely on it.
const _: () = assert!(size_of::<RxDescriptor>() == DESCRIPTOR_SIZE);
const _: () = assert!(size_of::<TxDescriptor>() == DESCRIPTOR_SIZE);

/// Two bytes of `b` from `at`, little endian.
fn le16(b: &DescriptorBytes, at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

/// Eight bytes of `b` from 0, little endian.
fn le64(b: &DescriptorBytes) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

impl RxDescriptor {
    /// A descriptor handing the buffer at `buffer` to the NIC: status and errors clear.
    #[must_use]
    pub const fn posted(buffer: u64) -> Self {
        Self {
            buffer,
            length: 0,
            checksum: 0,
            status: 0,
            errors: 0,
            special: 0,
        }
    }

    /// Decodes the memory layout.
    #[must_use]
    pub fn from_bytes(b: &DescriptorBytes) -> Self {
        Self {
            buffer: le64(b),
            length: le16(b, 8),
            checksum: le16(b, 10),
            status: b[STATUS_OFFSET],
            errors: b[13],
            special: le16(b, 14),
        }
    }

    /// Encodes the memory layout.
    #[must_use]
    pub fn to_bytes(&self) -> DescriptorBytes {
        let mut b = [0u8; DESCRIPTOR_SIZE];
        b[..8].copy_from_slice(&self.buffer.to_le_bytes());
        b[8..10].copy_from_slice(&self.length.to_le_bytes());
        b[10..12].copy_from_slice(&self.checksum.to_le_bytes());
        b[STATUS_OFFSET] = self.status;
        b[13] = self.errors;
        b[14..].copy_from_slice(&self.special.to_le_bytes());
        b
    }

    /// Whether the NIC has written this descriptor back.
    #[must_use]
    pub const fn is_done(&self) -> bool {
        self.status & rx_status::DD != 0
    }
}

impl TxDescriptor {
    /// Decodes the memory layout.
    #[must_use]
    pub fn from_bytes(b: &DescriptorBytes) -> Self {
        Self {
            buffer: le64(b),
            length: le16(b, 8),
            cso: b[10],
            cmd: b[11],
            status: b[STATUS_OFFSET],
            css: b[13],
            special: le16(b, 14),
        }
    }

    /// Encodes the memory layout.
    #[must_use]
    pub fn to_bytes(&self) -> DescriptorBytes {
        let mut b = [0u8; DESCRIPTOR_SIZE];
        b[..8].copy_from_slice(&self.buffer.to_le_bytes());
        b[8..10].copy_from_slice(&self.length.to_le_bytes());
        b[10] = self.cso;
        b[11] = self.cmd;
        b[STATUS_OFFSET] = self.status;
        b[13] = self.css;
        b[14..].copy_from_slice(&self.special.to_le_bytes());
        b
    }

    /// Whether the NIC has written this descriptor back.
    #[must_use]
    pub const fn is_done(&self) -> bool {
        self.status & tx_status::DD != 0
    }
}

/// The memory of one descriptor ring, shared with the NIC.
///
/// The rings call these methods only with `index` below the ring size they were built with.
/// An implementation over DMA memory must:
/// - access the bytes with volatile reads and writes (the NIC changes them behind the
///   compiler's back), and stay inside the ring even for an out-of-range index (ignore the
///   write, return zeros), so a caller bug cannot become a wild access;
/// - make [`DescriptorMemory::write`] visible to the NIC before a later register write (the
///   rings issue a release fence before every doorbell, which is enough on cache-coherent DMA
///   memory such as `NdisMAllocateSharedMemory` gives).
///
/// A receive descriptor is read twice when it is found done: its status byte for the DD bit
/// ([`DescriptorMemory::read_status`]), and the whole descriptor after an acquire fence, so an
/// implementation need not read the 16 bytes in any particular order.
pub trait DescriptorMemory {
    /// Reads descriptor `index`.
    fn read(&self, index: u16) -> DescriptorBytes;

    /// Reads the status byte of descriptor `index` (byte [`STATUS_OFFSET`] in both the
    /// receive and the legacy transmit layout): all a ring needs to learn whether the NIC
    /// wrote the descriptor back. Reads made after it must not be moved before it (an
    /// implementation over DMA memory issues an acquire fence). By default, byte
    /// [`STATUS_OFFSET`] of [`DescriptorMemory::read`].
    fn read_status(&self, index: u16) -> u8 {
        self.read(index)[STATUS_OFFSET]
    }

    /// Descriptor `index` if the NIC has written it back (DD set: bit 0 of the status byte in
    /// both layouts), `None` while it has not: the status byte, then an acquire fence, then the
    /// whole descriptor, as the receive ring reads a descriptor it harvests. By default
    /// [`DescriptorMemory::read_status`], the fence and [`DescriptorMemory::read`]; an
    /// implementation may locate (and bounds-check) the slot once for both reads.
    fn read_if_done(&self, index: u16) -> Option<DescriptorBytes> {
        if self.read_status(index) & rx_status::DD == 0 {
            return None;
        }
        // DD was seen; only now are the other fields final. Read them after the fence so a
        // read of the length that raced the write-back is not used.
        fence(Ordering::Acquire);
        Some(self.read(index))
    }

    /// Writes descriptor `index`.
    fn write(&self, index: u16, bytes: &DescriptorBytes);
}

impl<M: DescriptorMemory + ?Sized> DescriptorMemory for &M {
    fn read(&self, index: u16) -> DescriptorBytes {
        (**self).read(index)
    }

    fn read_status(&self, index: u16) -> u8 {
        (**self).read_status(index)
    }

    fn read_if_done(&self, index: u16) -> Option<DescriptorBytes> {
        (**self).read_if_done(index)
    }

    fn write(&self, index: u16, bytes: &DescriptorBytes) {
        (**self).write(index, bytes);
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Ring memory for unit tests: plain descriptors in a vector.

    use core::cell::RefCell;

    use alloc::vec;
    use alloc::vec::Vec;

    use super::{DESCRIPTOR_SIZE, DescriptorBytes, DescriptorMemory};

    /// A ring of `n` zeroed descriptors.
    pub(crate) struct VecRing(pub(crate) RefCell<Vec<DescriptorBytes>>);

    impl VecRing {
        pub(crate) fn new(n: usize) -> Self {
            Self(RefCell::new(vec![[0; DESCRIPTOR_SIZE]; n]))
        }

        pub(crate) fn get(&self, index: u16) -> DescriptorBytes {
            self.0.borrow()[usize::from(index)]
        }

        pub(crate) fn set(&self, index: u16, bytes: DescriptorBytes) {
            self.0.borrow_mut()[usize::from(index)] = bytes;
        }
    }

    impl DescriptorMemory for VecRing {
        fn read(&self, index: u16) -> DescriptorBytes {
            self.get(index)
        }

        fn write(&self, index: u16, bytes: &DescriptorBytes) {
            self.set(index, *bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rx_layout_is_the_manuals() {
        let d = RxDescriptor {
            buffer: 0x1122_3344_5566_7788,
            length: 0x05EA,
            checksum: 0xBEEF,
            status: rx_status::DD | rx_status::EOP,
            errors: rx_errors::RXE,
            special: 0x0102,
        };
        let b = d.to_bytes();
        assert_eq!(
            b,
            [
                0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0xEA, 0x05, 0xEF, 0xBE, 0x03, 0x80,
                0x02, 0x01
            ]
        );
        assert_eq!(RxDescriptor::from_bytes(&b), d);
        assert!(d.is_done());
        assert!(!RxDescriptor::posted(0x1000).is_done());
        assert_eq!(
            RxDescriptor::posted(0x1000).to_bytes()[..8],
            0x1000u64.to_le_bytes()
        );
    }

    #[test]
    fn tx_layout_is_the_manuals() {
        let d = TxDescriptor {
            buffer: 0x0000_0001_2345_6780,
            length: 60,
            cso: 0x11,
            cmd: tx_cmd::EOP | tx_cmd::IFCS | tx_cmd::RS,
            status: tx_status::DD,
            css: 0x22,
            special: 0x3344,
        };
        let b = d.to_bytes();
        assert_eq!(
            b,
            [
                0x80, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00, 60, 0, 0x11, 0x0B, 0x01, 0x22,
                0x44, 0x33
            ]
        );
        assert_eq!(TxDescriptor::from_bytes(&b), d);
        assert!(d.is_done());
    }

    #[test]
    fn decoding_any_bytes_round_trips() {
        // Every byte position maps to exactly one field: a moving marker survives decode and
        // encode unchanged in both layouts.
        for i in 0..DESCRIPTOR_SIZE {
            let mut b = [0u8; DESCRIPTOR_SIZE];
            b[i] = 0xA5;
            assert_eq!(RxDescriptor::from_bytes(&b).to_bytes(), b);
            assert_eq!(TxDescriptor::from_bytes(&b).to_bytes(), b);
        }
    }
}
