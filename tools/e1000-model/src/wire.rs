//! The other end of the cable.
//!
//! Frames on a [`Wire`] are whole Ethernet frames from the destination address to the end
//! of the payload, *without* the FCS (as a TAP device carries them). The model appends or
//! strips nothing on transmit; on receive it appends a computed FCS when RCTL.SECRC is clear.
//!
//! Time on a wire is the model's virtual clock, passed in by the caller: nothing here reads
//! a wall clock.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// A frame arriving from the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireFrame {
    /// The frame, without FCS.
    pub data: Vec<u8>,
    /// False when the frame arrived with a bad CRC: the NIC counts it in CRCERRS and drops it.
    pub crc_ok: bool,
}

/// The far end of the cable, as the device sees it.
///
/// The model calls these methods while holding its own lock, so an implementation must not
/// call back into the [`crate::E1000`] that owns it.
pub trait Wire: Send {
    /// Puts a frame on the cable at virtual time `now_ns`.
    fn send(&mut self, frame: &[u8], now_ns: u64);

    /// The next frame the cable delivers at or before virtual time `now_ns`, if any.
    fn recv(&mut self, now_ns: u64) -> Option<WireFrame>;
}

/// A cable plugged into nothing: everything sent is lost, nothing arrives.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unplugged;

impl Wire for Unplugged {
    fn send(&mut self, _frame: &[u8], _now_ns: u64) {}

    fn recv(&mut self, _now_ns: u64) -> Option<WireFrame> {
        None
    }
}

/// How an in-process [`cable`] misbehaves. The default is a perfect cable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkConditions {
    /// Frames lost, per million sent (in each direction).
    pub loss_per_million: u32,
    /// Frames delivered with a bad CRC, per million sent.
    pub corrupt_per_million: u32,
    /// Virtual nanoseconds between sending a frame and its becoming receivable.
    pub delay_ns: u64,
    /// Seed of the generator that decides loss and corruption; equal seeds, equal runs.
    pub seed: u64,
}

/// Counters of one direction of a cable, for the host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CableStats {
    /// Frames sent into this direction.
    pub sent: u64,
    /// Of those, frames lost.
    pub lost: u64,
    /// Of those, frames marked with a bad CRC.
    pub corrupted: u64,
}

/// A frame in flight.
#[derive(Debug)]
struct InFlight {
    deliver_at: u64,
    frame: WireFrame,
}

/// State shared by the two ends of a cable.
#[derive(Debug)]
struct CableState {
    conditions: LinkConditions,
    rng: SplitMix64,
    /// `queues[i]` holds frames travelling towards end `i`.
    queues: [VecDeque<InFlight>; 2],
    stats: [CableStats; 2],
}

/// One end of an in-process cable. Both ends implement [`Wire`]: give one to the model and
/// drive the other from a test or the host (or give it to a second model, back to back).
#[derive(Debug)]
pub struct CableEnd {
    shared: Arc<Mutex<CableState>>,
    side: usize,
}

/// A new cable: two ends, each receiving what the other sends.
///
/// Frames are delivered in order, each `conditions.delay_ns` after it was sent; loss and
/// corruption are drawn from a generator seeded with `conditions.seed`.
#[must_use]
pub fn cable(conditions: LinkConditions) -> (CableEnd, CableEnd) {
    let shared = Arc::new(Mutex::new(CableState {
        conditions,
        rng: SplitMix64(conditions.seed),
        queues: [VecDeque::new(), VecDeque::new()],
        stats: [CableStats::default(); 2],
    }));
    (
        CableEnd {
            shared: Arc::clone(&shared),
            side: 0,
        },
        CableEnd { shared, side: 1 },
    )
}

impl CableEnd {
    /// Sends a frame with a bad CRC (the receiver sees `crc_ok == false`), whatever the link
    /// conditions say.
    pub fn send_corrupted(&mut self, frame: &[u8], now_ns: u64) {
        self.push(frame, now_ns, true);
    }

    /// Frames travelling towards this end, deliverable now or later.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        lock(&self.shared).queues[self.side].len()
    }

    /// Counters of the direction from this end to the other.
    #[must_use]
    pub fn sent_stats(&self) -> CableStats {
        lock(&self.shared).stats[1 - self.side]
    }

    /// Takes every frame deliverable to this end at `now_ns`.
    pub fn drain(&mut self, now_ns: u64) -> Vec<WireFrame> {
        std::iter::from_fn(|| self.recv(now_ns)).collect()
    }

    fn push(&mut self, frame: &[u8], now_ns: u64, force_corrupt: bool) {
        let mut s = lock(&self.shared);
        let to = 1 - self.side;
        let c = s.conditions;
        s.stats[to].sent += 1;
        if s.rng.chance(c.loss_per_million) {
            s.stats[to].lost += 1;
            return;
        }
        let corrupt = force_corrupt || s.rng.chance(c.corrupt_per_million);
        if corrupt {
            s.stats[to].corrupted += 1;
        }
        s.queues[to].push_back(InFlight {
            deliver_at: now_ns.saturating_add(c.delay_ns),
            frame: WireFrame {
                data: frame.to_vec(),
                crc_ok: !corrupt,
            },
        });
    }
}

impl Wire for CableEnd {
    fn send(&mut self, frame: &[u8], now_ns: u64) {
        self.push(frame, now_ns, false);
    }

    fn recv(&mut self, now_ns: u64) -> Option<WireFrame> {
        let mut s = lock(&self.shared);
        let queue = &mut s.queues[self.side];
        if queue.front()?.deliver_at <= now_ns {
            queue.pop_front().map(|f| f.frame)
        } else {
            None
        }
    }
}

/// `SplitMix64`: a tiny, well-distributed, seedable generator (no dependency needed).
#[derive(Clone, Copy, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `per_million` / 1 000 000; draws nothing when it is 0, so a
    /// perfect cable consumes no randomness.
    fn chance(&mut self, per_million: u32) -> bool {
        per_million != 0 && self.next() % 1_000_000 < u64::from(per_million)
    }
}

/// Locks the cable, carrying on after a panic elsewhere (each update is self-contained).
fn lock(m: &Mutex<CableState>) -> std::sync::MutexGuard<'_, CableState> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_cross_in_order_after_the_delay() {
        let (mut a, mut b) = cable(LinkConditions {
            delay_ns: 100,
            ..LinkConditions::default()
        });
        a.send(&[1], 0);
        a.send(&[2], 50);
        assert_eq!(b.recv(99), None);
        assert_eq!(b.recv(100).map(|f| f.data), Some(vec![1]));
        assert_eq!(b.recv(100), None);
        assert_eq!(b.in_flight(), 1);
        assert_eq!(b.recv(150).map(|f| f.data), Some(vec![2]));
        b.send(&[3], 0);
        assert_eq!(a.drain(1000).len(), 1);
        assert!(a.recv(1000).is_none());
    }

    #[test]
    fn seeded_loss_is_reproducible_and_roughly_right() {
        let run = |seed| {
            let (mut a, mut b) = cable(LinkConditions {
                loss_per_million: 250_000,
                seed,
                ..LinkConditions::default()
            });
            for i in 0..1000u32 {
                a.send(&i.to_le_bytes(), 0);
            }
            (b.drain(0), a.sent_stats())
        };
        let (first, stats) = run(7);
        let (again, _) = run(7);
        let (other, _) = run(8);
        assert_eq!(first, again);
        assert_ne!(first, other);
        assert_eq!(stats.sent, 1000);
        assert_eq!(stats.lost + first.len() as u64, 1000);
        assert!((150..350).contains(&stats.lost), "lost {}", stats.lost);
    }

    #[test]
    fn corruption_marks_frames() {
        let (mut near, mut far) = cable(LinkConditions {
            corrupt_per_million: 1_000_000,
            ..LinkConditions::default()
        });
        near.send(&[9], 0);
        let frame = far.recv(0).unwrap();
        assert!(!frame.crc_ok);
        assert_eq!(near.sent_stats().corrupted, 1);
        let (mut tx_end, mut rx_end) = cable(LinkConditions::default());
        tx_end.send_corrupted(&[1], 0);
        tx_end.send(&[2], 0);
        assert!(!rx_end.recv(0).unwrap().crc_ok);
        assert!(rx_end.recv(0).unwrap().crc_ok);
        let mut unplugged = Unplugged;
        unplugged.send(&[1], 0);
        assert!(unplugged.recv(0).is_none());
    }
}
