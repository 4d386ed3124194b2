//! Faults: things the driver did that real hardware would punish unpredictably.
//!
//! The model never turns a bad register value or descriptor into undefined behaviour or a
//! panic. It records a [`Fault`], does the least surprising thing (documented on each
//! variant), and carries on, so that a test can assert that a run produced no fault at all.

use std::fmt;

/// Which descriptor ring a fault concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ring {
    /// The receive ring (RDBAL/RDBAH/RDLEN/RDH/RDT).
    Rx,
    /// The transmit ring (TDBAL/TDBAH/TDLEN/TDH/TDT).
    Tx,
}

/// What is wrong with a ring's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RingProblem {
    /// The ring has work (head ≠ tail) but its length register is zero.
    ZeroLength,
    /// The length register was written with a value that is not a multiple of 128 bytes; the
    /// model keeps the value rounded down, as QEMU does.
    LengthNotMultipleOf128 {
        /// The value written.
        written: u32,
    },
    /// The base-low register was written with a value not aligned to 16 bytes; the model
    /// ignores the low 4 bits, as QEMU does.
    BaseMisaligned {
        /// The value written.
        written: u32,
    },
    /// The head register points past the end of the ring; nothing is processed.
    HeadOutOfRange {
        /// Head register.
        head: u32,
        /// Descriptors in the ring.
        count: u32,
    },
    /// The tail register points past the end of the ring; nothing is processed.
    TailOutOfRange {
        /// Tail register.
        tail: u32,
        /// Descriptors in the ring.
        count: u32,
    },
}

/// A fault the model detected and recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// MMIO at an offset outside BAR0: reads return 0, writes are ignored.
    MmioOutOfRange {
        /// The offset.
        offset: u32,
    },
    /// MMIO at an offset that is not 4-aligned: reads return 0, writes are ignored.
    MmioUnaligned {
        /// The offset.
        offset: u32,
    },
    /// EERD asked for a word past the 64-word EEPROM: the read completes with data 0.
    EepromAddressOutOfRange {
        /// The word address.
        addr: u32,
    },
    /// A ring is misconfigured (see [`RingProblem`] for what the model does).
    RingMisconfigured {
        /// Which ring.
        ring: Ring,
        /// What is wrong.
        problem: RingProblem,
    },
    /// A descriptor could not be read or written back: processing of that ring stops at it,
    /// with the head register still pointing at it.
    DescriptorDma {
        /// Which ring.
        ring: Ring,
        /// Index of the descriptor.
        index: u32,
        /// Its guest-physical address.
        addr: u64,
    },
    /// A transmit buffer could not be read: the frame it belongs to is discarded, the
    /// descriptor is consumed (and written back if RS asks for it).
    TxBufferDma {
        /// Index of the descriptor.
        index: u32,
        /// Buffer address.
        addr: u64,
        /// Buffer length.
        len: u16,
    },
    /// A transmit descriptor with length 0: it adds nothing to the frame and is consumed.
    TxZeroLength {
        /// Index of the descriptor.
        index: u32,
    },
    /// A frame built from transmit descriptors grew past [`crate::MAX_FRAME`] bytes: it is
    /// discarded at its end-of-packet descriptor.
    TxOversized {
        /// Bytes the frame would have had.
        len: usize,
    },
    /// A transmit descriptor with DEXT (context or data descriptor), which the model does not
    /// implement: the frame it belongs to is discarded, the descriptor consumed.
    TxExtendedDescriptor {
        /// Index of the descriptor.
        index: u32,
    },
    /// A receive buffer could not be written: the descriptor is written back with DD, EOP,
    /// length 0 and the RXE error bit, and the rest of the frame is dropped.
    RxBufferDma {
        /// Index of the descriptor.
        index: u32,
        /// Buffer address.
        addr: u64,
    },
    /// A receive descriptor with buffer address 0: as QEMU does, it is written back with DD
    /// and no data, and the frame continues in the next descriptor.
    RxNullBuffer {
        /// Index of the descriptor.
        index: u32,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Recorded faults: the first [`FaultLog::CAPACITY`] in order, and a count of all.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultLog {
    recorded: Vec<Fault>,
    total: u64,
}

impl FaultLog {
    /// How many faults are kept; a driver stuck in a loop must not exhaust host memory.
    pub(crate) const CAPACITY: usize = 4096;

    /// Records one fault.
    pub(crate) fn record(&mut self, fault: Fault) {
        self.total = self.total.saturating_add(1);
        if self.recorded.len() < Self::CAPACITY {
            self.recorded.push(fault);
        }
    }

    /// The faults kept.
    pub(crate) fn recorded(&self) -> &[Fault] {
        &self.recorded
    }

    /// Takes the faults kept, leaving the total count as it was.
    pub(crate) fn take(&mut self) -> Vec<Fault> {
        std::mem::take(&mut self.recorded)
    }

    /// Faults recorded since the model was created, including those not kept.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }
}
