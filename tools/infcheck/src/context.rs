//! What every rule sees: the parsed (and, for an `.inx`, stamped) INF, its strings, and the
//! findings collected so far.

use crate::finding::{Finding, Rule};
use crate::parse::{Entry, Inf, Section};
use crate::strings::Strings;

/// Which file is being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A stampinf source (`.inx`): `$ARCH$` must decorate the models; `DriverVer` may be absent.
    Inx,
    /// A stamped INF (`.inf`): no `$ARCH$` may remain; `DriverVer` must be present.
    Inf,
}

impl SourceKind {
    /// `Inx` for a path ending in `.inx` (any case), `Inf` otherwise.
    #[must_use]
    pub fn from_path(path: &str) -> Self {
        let is_inx = std::path::Path::new(path)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("inx"));
        if is_inx { Self::Inx } else { Self::Inf }
    }
}

/// The architecture stampinf substitutes for `$ARCH$` when checking an `.inx` (`-a amd64`).
pub const STAMP_ARCH: &str = "amd64";

/// Shared state of one check.
#[derive(Debug)]
pub struct Context {
    /// The file as written.
    pub raw: Inf,
    /// The file as stampinf would leave it (`$ARCH$` replaced); equal to `raw` for an `.inf`.
    pub inf: Inf,
    /// The `[Strings]` table.
    pub strings: Strings,
    /// `.inx` or `.inf`.
    pub kind: SourceKind,
    findings: Vec<Finding>,
}

impl Context {
    /// Builds the context; `findings` are those the parser already produced.
    #[must_use]
    pub fn new(raw: Inf, inf: Inf, kind: SourceKind, findings: Vec<Finding>) -> Self {
        let strings = Strings::from_inf(&inf);
        Self {
            raw,
            inf,
            strings,
            kind,
            findings,
        }
    }

    /// Records a finding.
    pub fn report(&mut self, line: usize, rule: Rule, message: impl Into<String>) {
        self.findings.push(Finding {
            line,
            rule,
            message: message.into(),
        });
    }

    /// Records a [`Rule::MissingSection`] finding for `name`, referenced at `line`.
    pub fn missing_section(&mut self, line: usize, name: &str, referenced_by: &str) {
        self.report(
            line,
            Rule::MissingSection,
            format!("section [{name}] named by {referenced_by} does not exist"),
        );
    }

    /// The value at `index` of `entry` with `%tokens%` substituted.
    #[must_use]
    pub fn value(&self, entry: &Entry, index: usize) -> String {
        self.strings.expand(entry.value(index))
    }

    /// The findings, sorted by line then rule.
    #[must_use]
    pub fn into_findings(mut self) -> Vec<Finding> {
        self.findings.sort_by_key(|f| (f.line, f.rule));
        self.findings.dedup();
        self.findings
    }

    /// The section called `name` in the stamped view, cloned so rules can report while using it.
    #[must_use]
    pub fn section(&self, name: &str) -> Option<Section> {
        self.inf.section(name).cloned()
    }
}

/// Parses an integer written in decimal or as `0x` hex.
#[must_use]
pub fn parse_number(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
