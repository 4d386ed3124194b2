//! The receive path against a hostile e1000 ([`HostileE1000`]): a script of peer frames,
//! descriptor rewrites, all-ones register reads, spurious interrupts, sends and clock steps.
//! After it the hostility stops and the machine runs on; then:
//!
//! - no indicated frame is shorter than [`MIN_FRAME`] or longer than [`MAX_FRAME`] bytes
//!   (runts and oversize frames are dropped);
//! - when no register read lied (all-ones reads can hide the driver's own counters), the
//!   driver's receive error and discard counters (`OID_GEN_RCV_ERROR` +
//!   `OID_GEN_RCV_NO_BUFFER`) cover every frame it had to drop, a frame being a run of
//!   write-backs up to one with EOP (it found the receive ring's drops missing from those
//!   counters);
//! - Pause, Halt and Unload as in [`Board::finish`]: every send completed, every indication
//!   returned, nothing leaked, the verifier clean.

use std::sync::Arc;

use arbitrary::Arbitrary;
use e1000_model::{LinkConditions, cable};
use rse1k::sys;

use crate::board::{Board, PEER, frame, machine};
use crate::hostile::{HostileE1000, MAX_FRAME, MIN_FRAME, Tamper};
use crate::{Finding, finding};

/// Events per input at most.
const MAX_EVENTS: usize = 64;
/// Clock steps (10 µs each) after the script, for the driver to catch up.
const SETTLE_STEPS: u32 = 300;

/// A script of what the device and its peer do.
#[derive(Arbitrary, Clone, Debug)]
pub struct RxScript {
    /// Seeds the machine's schedule and the host's choices.
    pub seed: u16,
    /// The events, in order (at most [`MAX_EVENTS`]).
    pub events: Vec<Event>,
}

/// One thing that happens.
#[derive(Arbitrary, Clone, Debug)]
pub enum Event {
    /// The peer sends a frame of `len` bytes (modulo 1,515, at least 14) to the station
    /// (`to` even), the broadcast address, or a multicast group.
    PeerFrame {
        /// The frame's length.
        len: u16,
        /// Who it is for.
        to: u8,
    },
    /// The next receive write-back is rewritten.
    Tamper(Tamper),
    /// The next `n` register reads (modulo 16) return all ones.
    AllOnes(u8),
    /// The interrupt line is raised with no cause for one clock step.
    Spurious,
    /// The driver sends a frame of `len` bytes (modulo 1,515, at least 14).
    Send(u16),
    /// The clock moves on by `n` × 10 µs (modulo 64).
    Pump(u8),
}

fn clamp_len(len: u16) -> usize {
    usize::from(len % 1515).max(14)
}

/// Runs `script` against the driver on the hostile e1000.
///
/// # Errors
/// The first [`Finding`].
pub fn run(script: &RxScript) -> Result<(), Finding> {
    let machine = machine(0x0B5E_0000 | u64::from(script.seed));
    let (near, far) = cable(LinkConditions::default());
    let device = Arc::new(HostileE1000::new(machine.physical_memory(), Box::new(near)));
    let mut board = Board::boot(machine, Arc::clone(&device) as _, far)?;
    let station = board.station();
    let mut indicated = Vec::new();
    let mut lied = false;
    device.arm(true);
    for (seq, event) in (0u32..).zip(script.events.iter().take(MAX_EVENTS)) {
        match *event {
            Event::PeerFrame { len, to } => {
                let dst = match to % 4 {
                    0 | 1 => station,
                    2 => [0xFF; 6],
                    _ => [0x01, 0, 0x5E, 0, 0, 1],
                };
                board.peer_send(&frame(dst, PEER, seq, clamp_len(len)));
            }
            Event::Tamper(t) => device.tamper(t),
            Event::AllOnes(n) => {
                lied = true;
                device.all_ones(u32::from(n % 16));
            }
            Event::Spurious => {
                device.spurious_interrupt();
                board.pump(1);
                device.settle_line();
            }
            Event::Send(len) => {
                let f = frame(PEER, station, seq, clamp_len(len));
                board
                    .adapter
                    .send(0, std::slice::from_ref(&f), seq % 2 == 0);
            }
            Event::Pump(n) => board.pump(u32::from(n % 64)),
        }
        indicated.extend(board.adapter.take_received());
        let _ = board.adapter.take_completions();
        let _ = board.peer_drain();
    }
    device.arm(false);
    device.settle_line();
    for _ in 0..SETTLE_STEPS {
        board.pump(1);
        indicated.extend(board.adapter.take_received());
        let _ = board.adapter.take_completions();
        let _ = board.peer_drain();
    }
    for f in &indicated {
        let len = f.data.len();
        if len < usize::from(MIN_FRAME) || len > usize::from(MAX_FRAME) {
            return finding!(
                "a {len}-byte frame was indicated (runts below {MIN_FRAME} and frames over \
                 {MAX_FRAME} bytes must be dropped and counted)"
            );
        }
    }
    if !lied {
        check_counted(&board, &device)?;
    }
    board.finish()
}

/// Every bad write-back the driver saw is in its error or discard counters.
fn check_counted(board: &Board, device: &HostileE1000) -> Result<(), Finding> {
    let bad = device.bad_write_backs();
    if bad.is_empty() || device.withheld() != 0 {
        // A withheld descriptor stalls the ring: what lies behind it is never seen.
        return Ok(());
    }
    let counted = board.counter(sys::OID_GEN_RCV_ERROR) + board.counter(sys::OID_GEN_RCV_NO_BUFFER);
    if counted < bad.len() as u64 {
        return finding!(
            "{} bad frames written back ({bad:?}), but OID_GEN_RCV_ERROR + \
             OID_GEN_RCV_NO_BUFFER = {counted}",
            bad.len()
        );
    }
    Ok(())
}
