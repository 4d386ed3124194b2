//! Fuzz harnesses for rse1k's miniport, run in the simulator (`tools/ndis-sim`): each takes a
//! structured input ([`arbitrary::Arbitrary`]), drives the unmodified driver through one whole
//! lifecycle, and returns a [`Finding`] when the driver broke a rule the input must never make
//! it break. The same functions serve the coverage-guided fuzz targets (`fuzz/`, cargo-fuzz
//! and libFuzzer) and the bounded deterministic run in `cargo test` (`tests/fuzz_bounded.rs`).
//!
//! - [`oid_request`]: any OID, query / query-statistics / set / method, short and odd-sized
//!   buffers at odd alignments, huge multicast lists. Every request must finish with a status
//!   `MiniportOidRequest`'s page allows and the byte counts that status promises.
//! - [`hostile_rx`]: the receive path against a hostile e1000 ([`hostile::HostileE1000`]) that
//!   rewrites receive descriptors' status, length and error bits, reads all ones, and raises
//!   spurious interrupts. Runt and oversize frames must be dropped and counted.
//!
//! Both require, at the end: no panic, the verifier clean, every NBL the driver was given or
//! indicated accounted for, nothing leaked at Halt.

pub mod board;
pub mod hostile;
pub mod hostile_rx;
pub mod oid_request;

use std::fmt;

/// A rule the driver broke, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding(pub String);

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Finding {}

/// `Err(Finding)` with a formatted message.
macro_rules! finding {
    ($($arg:tt)*) => {
        Err($crate::Finding(format!($($arg)*)))
    };
}
pub(crate) use finding;
