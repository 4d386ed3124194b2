//! Transmit: walking the legacy TX ring when TDT (or TCTL) is written.
//!
//! As in QEMU, transmission is synchronous: by the time the TDT write returns, every
//! descriptor from TDH up to TDT has been processed, frames are on the wire, DD is written
//! back for descriptors with RS (or RPS), TDH has caught up, and TXQE (plus TXDW when
//! anything was written back) is raised.

use crate::descriptors::RingGeometry;
use crate::descriptors::{
    DESC_SIZE, TXD_CMD_DEXT, TXD_CMD_EOP, TXD_CMD_IDE, TXD_CMD_RPS, TXD_CMD_RS, TXD_STAT_DD, TxDesc,
};
use crate::device::State;
use crate::dma::DmaMemory;
use crate::fault::{Fault, Ring};
use crate::filter::{Destination, destination};
use crate::regs::{ICR_TXDW, ICR_TXQE, TCTL, TCTL_EN, TDBAH, TDBAL, TDH, TDLEN, TDT};
use crate::stats;

/// The largest frame the model assembles from transmit descriptors (bytes, no FCS); the
/// 82540EM's transmit FIFO limits jumbo frames to about 16 KiB.
pub const MAX_FRAME: usize = 16384;

/// Processes the TX ring from TDH to TDT (called on TDT and TCTL writes).
pub(crate) fn transmit(s: &mut State, dma: &dyn DmaMemory) {
    if s.regs.get(TCTL) & TCTL_EN == 0 {
        return;
    }
    let mut head = s.regs.get(TDH);
    let tail = s.regs.get(TDT);
    let mut causes = ICR_TXQE;
    if head != tail {
        let base = s.regs.get64(TDBAL);
        debug_assert_eq!(TDBAH, TDBAL + 4);
        match RingGeometry::check(Ring::Tx, base, s.regs.get(TDLEN), head, tail) {
            Ok(ring) => {
                while head != tail {
                    match process_one(s, dma, ring, head) {
                        Ok(wrote_back) => {
                            if wrote_back {
                                causes |= ICR_TXDW;
                            }
                            head = ring.next(head);
                            s.regs.set(TDH, head);
                        }
                        Err(fault) => {
                            s.fault(fault);
                            break;
                        }
                    }
                }
            }
            Err(fault) => s.fault(fault),
        }
    }
    s.raise(causes);
}

/// Processes descriptor `index`. `Ok(true)` when DD was written back; `Err` when the
/// descriptor itself could not be read or written (the ring stops there).
fn process_one(
    s: &mut State,
    dma: &dyn DmaMemory,
    ring: RingGeometry,
    index: u32,
) -> Result<bool, Fault> {
    let addr = ring.desc_addr(index);
    let desc_fault = Fault::DescriptorDma {
        ring: Ring::Tx,
        index,
        addr,
    };
    let mut raw = [0u8; DESC_SIZE];
    dma.read(addr, &mut raw).map_err(|_| desc_fault)?;
    let desc = TxDesc::from_bytes(&raw);
    if desc.cmd & TXD_CMD_IDE != 0 {
        s.irq.note_tx_ide();
    }
    if desc.cmd & TXD_CMD_DEXT != 0 {
        s.fault(Fault::TxExtendedDescriptor { index });
        s.tx_frame_bad = true;
    } else {
        gather(s, dma, &desc, index);
    }
    if desc.cmd & TXD_CMD_EOP != 0 {
        finish_frame(s);
    }
    if desc.cmd & (TXD_CMD_RS | TXD_CMD_RPS) == 0 {
        return Ok(false);
    }
    dma.write(addr + TxDesc::STATUS_OFFSET, &[desc.status | TXD_STAT_DD])
        .map_err(|_| desc_fault)?;
    Ok(true)
}

/// Appends the data of a legacy descriptor to the frame being gathered.
fn gather(s: &mut State, dma: &dyn DmaMemory, desc: &TxDesc, index: u32) {
    let len = usize::from(desc.length);
    if len == 0 {
        s.fault(Fault::TxZeroLength { index });
        return;
    }
    if s.tx_frame_bad {
        return;
    }
    let new_len = s.tx_frame.len() + len;
    if new_len > MAX_FRAME {
        s.fault(Fault::TxOversized { len: new_len });
        s.tx_frame_bad = true;
        return;
    }
    let start = s.tx_frame.len();
    s.tx_frame.resize(new_len, 0);
    if dma.read(desc.addr, &mut s.tx_frame[start..]).is_err() {
        s.fault(Fault::TxBufferDma {
            index,
            addr: desc.addr,
            len: desc.length,
        });
        s.tx_frame_bad = true;
    }
}

/// Ends the frame being gathered: puts it on the wire unless it is lost.
fn finish_frame(s: &mut State) {
    let frame = std::mem::take(&mut s.tx_frame);
    let bad = std::mem::replace(&mut s.tx_frame_bad, false);
    if bad || frame.is_empty() {
        return;
    }
    if !s.link_up {
        s.stats.tx_dropped_link_down += 1;
        return;
    }
    let now = s.now_ns;
    s.wire.send(&frame, now);
    stats::count_tx(
        &mut s.regs,
        frame.len(),
        Destination::of(&destination(&frame)),
    );
    s.stats.tx_frames += 1;
    s.stats.tx_bytes += frame.len() as u64;
}
