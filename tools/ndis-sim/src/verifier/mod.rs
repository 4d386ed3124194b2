//! The verifier: what a violation report holds, the machine-wide bookkeeping (the lock registry,
//! the lock graph, the statistics), and the report a test reads.

pub mod catalogue;
pub mod lock_graph;
pub mod rules;
pub mod stats;

use rustc_hash::FxHashMap;
use std::panic::Location;
use std::sync::Mutex;

pub use rules::Rule;
pub use stats::LockStats;

/// What the verifier does on a violation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VerifierMode {
    /// Like a bug check: the first violation prints the report and the seed, and the machine
    /// stops (every processor freezes at its next simulator call; `run_on` panics with the
    /// report).
    #[default]
    BugCheck,
    /// Record the violation and go on with a documented recovery (for example a recursive
    /// acquire is reported and not performed), so a test can read every violation afterwards.
    Collect,
}

/// One violation, as Driver Verifier would report it.
#[derive(Clone, Debug)]
pub struct Violation {
    /// The rule broken (the primary one when two apply; the other is named in `detail`).
    pub rule: Rule,
    /// The bug check Windows raises ([`rules::NO_BUG_CHECK`] for static-only rules).
    pub bug_check: u32,
    /// Bug check parameter 1 where documented (the rule ID for 0xC4).
    pub parameter1: Option<u64>,
    /// The driver's call site (or, at the end of a routine, the site that started it).
    pub location: &'static Location<'static>,
    /// The virtual processor.
    pub processor: usize,
    /// The IRQL when the violation was found.
    pub irql: u8,
    /// What happened, the lock involved, and any secondary rule.
    pub detail: String,
}

impl core::fmt::Display for Violation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "bug check {:#x}", self.bug_check)?;
        if let Some(p1) = self.parameter1 {
            write!(f, " P1 {p1:#x}")?;
        }
        write!(
            f,
            ": {} at {} on processor {} at IRQL {}: {}",
            self.rule, self.location, self.processor, self.irql, self.detail
        )
    }
}

/// Machine-wide counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Line assertions (transitions from deasserted to asserted).
    pub line_assertions: u64,
    /// ISR calls.
    pub isr_calls: u64,
    /// ISR calls that returned TRUE.
    pub isr_claimed: u64,
    /// DPCs queued (by an ISR or `NdisMQueueDpcEx`).
    pub dpcs_queued: u64,
    /// DPC handler calls.
    pub dpcs_run: u64,
    /// `MiniportSynchronizeInterrupt` calls.
    pub synchronized_calls: u64,
    /// Spin-lock acquisitions (all locks).
    pub lock_acquisitions: u64,
}

/// Everything the verifier knows at one moment.
#[derive(Clone, Debug)]
pub struct Report {
    /// The machine's seed.
    pub seed: u64,
    /// Violations in the order found.
    pub violations: Vec<Violation>,
    /// Per-lock statistics, ordered by address.
    pub locks: Vec<LockStats>,
    /// Machine-wide counters.
    pub counters: Counters,
}

impl Report {
    /// The violations of one rule.
    #[must_use]
    pub fn of(&self, rule: Rule) -> Vec<&Violation> {
        self.violations.iter().filter(|v| v.rule == rule).collect()
    }

    /// Whether any violation of `rule` was found.
    #[must_use]
    pub fn has(&self, rule: Rule) -> bool {
        self.violations.iter().any(|v| v.rule == rule)
    }

    /// The statistics of the lock with this name (or hex address).
    #[must_use]
    pub fn lock(&self, name: &str) -> Option<&LockStats> {
        self.locks.iter().find(|l| l.name == name)
    }
}

impl core::fmt::Display for Report {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(
            f,
            "ndis-sim report (seed {:#x}; replay with NDIS_SIM_SEED={:#x})",
            self.seed, self.seed
        )?;
        writeln!(f, "violations: {}", self.violations.len())?;
        for v in &self.violations {
            writeln!(f, "  {v}")?;
        }
        writeln!(f, "locks:")?;
        for l in &self.locks {
            writeln!(f, "  {l}")?;
        }
        write!(f, "counters: {:?}", self.counters)
    }
}

/// Which kind of object a lock address was initialised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LockKind {
    /// `KeInitializeSpinLock`.
    Ke,
    /// `NdisAllocateSpinLock`.
    Ndis,
}

/// What the verifier knows about one lock address.
#[derive(Debug)]
pub(crate) struct LockInfo {
    pub(crate) kind: Option<LockKind>,
    pub(crate) owner: Option<usize>,
    pub(crate) stats: LockStats,
}

/// The machine-wide verifier state. Never held while a violation is reported (a report in
/// `BugCheck` mode freezes the processor, and a frozen holder would hang the others).
#[derive(Debug, Default)]
pub(crate) struct Verifier {
    pub(crate) violations: Mutex<Vec<Violation>>,
    pub(crate) graph: Mutex<lock_graph::LockGraph>,
    pub(crate) locks: Mutex<FxHashMap<usize, LockInfo>>,
}

impl Verifier {
    pub(crate) fn with_lock<T>(&self, addr: usize, f: impl FnOnce(&mut LockInfo) -> T) -> T {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let info = locks.entry(addr).or_insert_with(|| LockInfo {
            kind: None,
            owner: None,
            stats: LockStats::new(addr),
        });
        f(info)
    }

    pub(crate) fn graph(&self) -> std::sync::MutexGuard<'_, lock_graph::LockGraph> {
        self.graph
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn lock_stats(&self) -> Vec<LockStats> {
        let locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out: Vec<LockStats> = locks
            .values()
            .filter(|l| l.stats.acquisitions > 0 || l.kind.is_some())
            .map(|l| l.stats.clone())
            .collect();
        out.sort_by_key(|l| l.address);
        out
    }
}
