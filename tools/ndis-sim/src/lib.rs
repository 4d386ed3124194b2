//! ndis-sim: a user-mode NDIS and Ke for testing NDIS miniports on any OS.
//!
//! - [`sys`]: the raw surface, mirroring the bindgen output for `ndis.h` / `wdm.h` items the
//!   driver uses, implemented on a simulated machine;
//! - [`Machine`]: virtual processors (host threads, each with its own IRQL), DPCs, level-triggered
//!   interrupt lines delivered at interrupt windows, and the verifier;
//! - [`Report`], [`Violation`], [`Rule`]: what the verifier found, with Driver Verifier's codes;
//! - [`etw`]: the ETW session the driver's `Etw*` calls write to, with the TraceLogging events
//!   decoded (`Machine::etw_events`).
//!
//! Host thread timing is not deterministic: two runs with the same seed may interleave
//! differently. The seed fixes the simulator's own choices (which processor takes each
//! interrupt and at which window), and a failing run prints it; `NDIS_SIM_SEED` replays it.

pub mod bus;
pub mod etw;
pub mod host;
pub mod lock_word;
mod machine;
pub mod nbl;
mod rng;
pub mod sys;
pub mod verifier;

pub use machine::processor::Handler;
pub use machine::timer::TimerObjectInfo;
pub use machine::{
    DEFAULT_HOLD_LIMIT_NS, InterruptLine, Machine, MachineBuilder, Schedule, Strategy,
    TRACE_LOG_LINES, TraceLine, env_seed, test_seeds,
};
pub use verifier::{Counters, LockStats, Report, Rule, VerifierMode, Violation};
