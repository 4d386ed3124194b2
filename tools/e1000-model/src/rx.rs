//! Receive: one frame from the wire into posted buffers of the legacy RX ring.
//!
//! Conditions, as in QEMU: RCTL.EN set, link up, and descriptors owned by the hardware
//! (RDH ≠ RDT) with enough buffer space for the whole frame. A frame that finds no room is
//! dropped, counted in MPC and RNBC, and raises RXO. A received frame is padded to 60 bytes,
//! followed by its FCS unless RCTL.SECRC is set, spread over as many buffers as it needs
//! (size from RCTL.BSIZE/BSEX), each written back with DD (EOP on the last); then RXT0 is
//! raised, with RXDMT0 when the descriptors left to the hardware fall to the RCTL.RDMTS
//! fraction of the ring.

use crate::descriptors::{
    DESC_SIZE, RXD_ERR_RXE, RXD_STAT_DD, RXD_STAT_EOP, RXD_STAT_IXSM, RingGeometry, RxDesc,
};
use crate::device::State;
use crate::dma::DmaMemory;
use crate::fault::{Fault, Ring};
use crate::filter::{Destination, accepts, destination};
use crate::regs::{
    ICR_RXDMT0, ICR_RXO, ICR_RXT0, RCTL, RCTL_BSEX, RCTL_BSIZE_SHIFT, RCTL_EN, RCTL_LPE,
    RCTL_RDMTS_SHIFT, RCTL_SECRC, RDBAL, RDH, RDLEN, RDT,
};
use crate::stats::{self, CRCERRS, MPC, RNBC, ROC};
use crate::wire::WireFrame;

/// Frames are padded to this length before anything else (the Ethernet minimum without FCS).
pub const MIN_FRAME: usize = 60;
/// The longest frame accepted without RCTL.LPE (a VLAN-tagged 1522-byte frame without FCS).
pub const MAX_STANDARD_FRAME: usize = 1518;
/// The longest frame accepted with RCTL.LPE.
pub const MAX_LONG_FRAME: usize = 16384;

/// Receive buffer size in bytes selected by RCTL.BSIZE and RCTL.BSEX.
#[must_use]
pub fn buffer_size(rctl: u32) -> usize {
    let extended = rctl & RCTL_BSEX != 0;
    match ((rctl >> RCTL_BSIZE_SHIFT) & 3, extended) {
        (0, _) => 2048,
        (1, false) => 1024,
        (2, false) => 512,
        (3, false) => 256,
        (1, true) => 16384,
        (2, true) => 8192,
        _ => 4096,
    }
}

/// Receives (or drops) one frame from the wire.
pub(crate) fn receive(s: &mut State, dma: &dyn DmaMemory, frame: &WireFrame) {
    let rctl = s.regs.get(RCTL);
    if rctl & RCTL_EN == 0 || !s.link_up {
        s.stats.rx_dropped_disabled += 1;
        return;
    }
    if !frame.crc_ok {
        stats::inc(&mut s.regs, CRCERRS);
        s.stats.rx_dropped_bad_crc += 1;
        return;
    }
    let limit = if rctl & RCTL_LPE != 0 {
        MAX_LONG_FRAME
    } else {
        MAX_STANDARD_FRAME
    };
    if frame.data.len() > limit {
        stats::inc(&mut s.regs, ROC);
        s.stats.rx_dropped_oversized += 1;
        return;
    }
    let mut data = frame.data.clone();
    if data.len() < MIN_FRAME {
        data.resize(MIN_FRAME, 0);
    }
    let dst = destination(&data);
    if !accepts(&s.regs, rctl, dst) {
        s.stats.rx_dropped_filtered += 1;
        return;
    }
    let counted_len = data.len();
    if rctl & RCTL_SECRC == 0 {
        let fcs = crc32(&data);
        data.extend_from_slice(&fcs.to_le_bytes());
    }

    let head = s.regs.get(RDH);
    let tail = s.regs.get(RDT);
    let ring = if head == tail {
        None
    } else {
        match RingGeometry::check(Ring::Rx, s.regs.get64(RDBAL), s.regs.get(RDLEN), head, tail) {
            Ok(ring) => Some(ring),
            Err(fault) => {
                s.fault(fault);
                s.stats.rx_dropped_fault += 1;
                return;
            }
        }
    };
    let bufsize = buffer_size(rctl);
    let Some(ring) = ring.filter(|r| fits(*r, head, tail, bufsize, data.len())) else {
        overrun(s);
        return;
    };

    match deliver(s, dma, ring, &data, bufsize) {
        Delivery::Complete => {
            stats::count_rx(&mut s.regs, counted_len, Destination::of(&dst));
            s.stats.rx_frames += 1;
            s.stats.rx_bytes += frame.data.len() as u64;
        }
        Delivery::Lost => s.stats.rx_dropped_fault += 1,
        Delivery::Stalled => {
            s.stats.rx_dropped_fault += 1;
            return;
        }
        Delivery::Overrun => {
            overrun(s);
            return;
        }
    }
    let mut causes = ICR_RXT0;
    let rdmts = (rctl >> RCTL_RDMTS_SHIFT) & 3;
    if below_threshold(ring, s.regs.get(RDH), s.regs.get(RDT), rdmts) {
        causes |= ICR_RXDMT0;
    }
    s.raise(causes);
}

/// How delivering a frame into the ring went.
enum Delivery {
    /// Written, every descriptor written back.
    Complete,
    /// A buffer could not be written; its descriptor carries RXE; the frame is lost.
    Lost,
    /// A descriptor could not be read or written; the ring stops there.
    Stalled,
    /// Null buffers used up the hardware's descriptors before the frame was complete.
    Overrun,
}

/// Writes `data` into the ring from RDH on, advancing RDH.
fn deliver(
    s: &mut State,
    dma: &dyn DmaMemory,
    ring: RingGeometry,
    data: &[u8],
    bufsize: usize,
) -> Delivery {
    let tail = s.regs.get(RDT);
    let mut offset = 0;
    loop {
        let index = s.regs.get(RDH);
        if index == tail {
            return Delivery::Overrun;
        }
        let addr = ring.desc_addr(index);
        let stalled = Fault::DescriptorDma {
            ring: Ring::Rx,
            index,
            addr,
        };
        let mut raw = [0u8; DESC_SIZE];
        if dma.read(addr, &mut raw).is_err() {
            s.fault(stalled);
            return Delivery::Stalled;
        }
        let mut desc = RxDesc::from_bytes(&raw);
        desc.checksum = 0;
        desc.errors = 0;
        desc.special = 0;
        let mut lost = false;
        if desc.addr == 0 {
            // QEMU skips a null buffer: written back done, nothing in it, frame goes on.
            s.fault(Fault::RxNullBuffer { index });
            desc.status = RXD_STAT_DD;
        } else {
            let chunk = &data[offset..data.len().min(offset + bufsize)];
            offset += chunk.len();
            if dma.write(desc.addr, chunk).is_err() {
                s.fault(Fault::RxBufferDma {
                    index,
                    addr: desc.addr,
                });
                desc.length = 0;
                desc.errors = RXD_ERR_RXE;
                desc.status = RXD_STAT_DD | RXD_STAT_EOP;
                lost = true;
            } else {
                // Both fit in u16: chunk ≤ bufsize ≤ 16384.
                desc.length = u16::try_from(chunk.len()).unwrap_or(u16::MAX);
                desc.status = RXD_STAT_DD | RXD_STAT_IXSM;
                if offset == data.len() {
                    desc.status |= RXD_STAT_EOP;
                }
            }
        }
        if dma.write(addr, &desc.to_bytes()).is_err() {
            s.fault(stalled);
            return Delivery::Stalled;
        }
        s.regs.set(RDH, ring.next(index));
        if lost {
            return Delivery::Lost;
        }
        if offset == data.len() {
            return Delivery::Complete;
        }
    }
}

/// Whether the descriptors from `head` to `tail` hold `len` bytes (QEMU's check).
fn fits(ring: RingGeometry, head: u32, tail: u32, bufsize: usize, len: usize) -> bool {
    let available = if tail >= head {
        tail - head
    } else {
        ring.count - head + tail
    };
    len <= available as usize * bufsize
}

/// Whether the descriptors still owned by the hardware are at or below the RDMTS fraction
/// (1/2, 1/4, 1/8 of the ring; QEMU also gives the reserved value 3 a meaning, 1/16).
fn below_threshold(ring: RingGeometry, head: u32, tail: u32, rdmts: u32) -> bool {
    let owned = if tail >= head {
        tail - head
    } else {
        ring.count - head + tail
    };
    let ring_bytes = ring.count as usize * DESC_SIZE;
    owned as usize * DESC_SIZE <= ring_bytes >> (rdmts + 1)
}

/// No room for a frame: it is dropped and counted, and RXO is raised.
fn overrun(s: &mut State) {
    stats::inc(&mut s.regs, MPC);
    stats::inc(&mut s.regs, RNBC);
    s.stats.rx_dropped_no_buffers += 1;
    s.raise(ICR_RXO);
}

/// The Ethernet FCS (CRC-32, reflected, polynomial 0xEDB88320), transmitted least
/// significant byte first.
#[must_use]
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn buffer_sizes_follow_bsize_and_bsex() {
        assert_eq!(buffer_size(0), 2048);
        assert_eq!(buffer_size(1 << RCTL_BSIZE_SHIFT), 1024);
        assert_eq!(buffer_size(2 << RCTL_BSIZE_SHIFT), 512);
        assert_eq!(buffer_size(3 << RCTL_BSIZE_SHIFT), 256);
        assert_eq!(buffer_size(RCTL_BSEX | (1 << RCTL_BSIZE_SHIFT)), 16384);
        assert_eq!(buffer_size(RCTL_BSEX | (2 << RCTL_BSIZE_SHIFT)), 8192);
        assert_eq!(buffer_size(RCTL_BSEX | (3 << RCTL_BSIZE_SHIFT)), 4096);
    }
}
