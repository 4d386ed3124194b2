//! Per-lock statistics: acquisitions, contention, spin time and hold times.
//!
//! Hold times are host wall-clock times, so they are noisy (the host can preempt a virtual
//! processor at any moment, and an ISR nested inside a critical section counts towards it).
//! Holds longer than the documented 25 µs are counted, never reported as violations.

use std::time::Duration;

/// The hold time above which the NDIS pages say performance degrades.
pub const HOLD_GUIDANCE: Duration = Duration::from_micros(25);

/// Number of log2 buckets in [`LockStats::hold_histogram`].
pub const HISTOGRAM_BUCKETS: usize = 40;

/// Statistics for one lock (keyed by its address).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockStats {
    /// The name given with `SimNameSpinLock`, or the address in hex.
    pub name: String,
    /// The lock's address.
    pub address: usize,
    /// Successful acquisitions.
    pub acquisitions: u64,
    /// Acquisitions whose first attempt found the lock held.
    pub contended: u64,
    /// Total time spent spinning, in nanoseconds.
    pub spin_ns: u64,
    /// Longest hold, in nanoseconds.
    pub max_hold_ns: u64,
    /// Holds by duration: bucket `i` counts holds of `[2^i, 2^(i+1))` ns (bucket 0 also 0 ns).
    pub hold_histogram: [u64; HISTOGRAM_BUCKETS],
    /// The 99th percentile hold, as the upper bound of its histogram bucket (capped at the max).
    pub p99_hold_ns: u64,
    /// Holds longer than 25 µs ([`HOLD_GUIDANCE`]).
    pub holds_over_25us: u64,
}

impl LockStats {
    pub(crate) fn new(address: usize) -> Self {
        Self {
            name: format!("{address:#x}"),
            address,
            acquisitions: 0,
            contended: 0,
            spin_ns: 0,
            max_hold_ns: 0,
            hold_histogram: [0; HISTOGRAM_BUCKETS],
            p99_hold_ns: 0,
            holds_over_25us: 0,
        }
    }

    pub(crate) fn record_acquire(&mut self, contended: bool, spin: Duration) {
        self.acquisitions += 1;
        if contended {
            self.contended += 1;
        }
        self.spin_ns = self.spin_ns.saturating_add(nanos(spin));
    }

    pub(crate) fn record_hold(&mut self, hold: Duration) {
        let ns = nanos(hold);
        self.max_hold_ns = self.max_hold_ns.max(ns);
        let bucket = usize::try_from((ns | 1).ilog2()).unwrap_or(0);
        self.hold_histogram[bucket.min(HISTOGRAM_BUCKETS - 1)] += 1;
        if hold > HOLD_GUIDANCE {
            self.holds_over_25us += 1;
        }
        self.p99_hold_ns = self.percentile(99);
    }

    /// The `pct`-th percentile hold time from the histogram (upper bucket bound, capped at the
    /// maximum hold).
    #[must_use]
    pub fn percentile(&self, pct: u64) -> u64 {
        let total: u64 = self.hold_histogram.iter().sum();
        if total == 0 {
            return 0;
        }
        let wanted = (total * pct).div_ceil(100);
        let mut seen = 0;
        for (i, count) in self.hold_histogram.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                let upper = (1u64 << (i + 1)).saturating_sub(1);
                return upper.min(self.max_hold_ns);
            }
        }
        self.max_hold_ns
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl core::fmt::Display for LockStats {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{}: {} acquisitions, {} contended, spin {} ns, hold max {} ns, p99 {} ns, {} holds > 25 us",
            self.name,
            self.acquisitions,
            self.contended,
            self.spin_ns,
            self.max_hold_ns,
            self.p99_hold_ns,
            self.holds_over_25us
        )
    }
}

#[cfg(test)]
mod tests {
    use super::LockStats;
    use std::time::Duration;

    #[test]
    fn histogram_buckets_and_percentiles() {
        let mut s = LockStats::new(0x10);
        for _ in 0..99 {
            s.record_hold(Duration::from_nanos(100)); // bucket 6: [64, 128)
        }
        s.record_hold(Duration::from_micros(30)); // over the 25 us guidance
        assert_eq!(s.hold_histogram[6], 99);
        assert_eq!(s.hold_histogram.iter().sum::<u64>(), 100);
        assert_eq!(s.holds_over_25us, 1);
        assert_eq!(s.max_hold_ns, 30_000);
        assert_eq!(s.p99_hold_ns, 127);
        assert_eq!(s.percentile(100), 30_000);
        assert_eq!(s.name, "0x10");
    }
}
