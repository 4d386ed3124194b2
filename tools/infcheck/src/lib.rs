//! infcheck: checks the rse1k INF, or its stampinf source, on any OS.
//!
//! It parses INF syntax (sections, comments, quoting, continuations, `[Strings]` tokens, the
//! stampinf `$ARCH$` placeholder) and applies the rules a physical NDIS adapter INF must meet
//! for `InfVerif /w` (universal + DCH) and for this driver. One [`Finding`] per broken rule
//! and place. The rules are listed in [`Rule::ALL`]; `tests/rules.rs` trips each one.

pub mod context;
pub mod encoding;
pub mod finding;
pub mod parse;
pub mod resolve;
pub mod rules;
pub mod strings;

pub use context::SourceKind;
pub use encoding::{DecodeError, decode};
pub use finding::{Finding, Rule};

/// Checks INF `text`; `kind` says whether it is an `.inx` (stampinf source) or a stamped `.inf`.
#[must_use]
pub fn check(text: &str, kind: SourceKind) -> Vec<Finding> {
    let (raw, findings) = parse::parse(text);
    let inf = match kind {
        SourceKind::Inx => parse::parse(&text.replace("$ARCH$", context::STAMP_ARCH)).0,
        SourceKind::Inf => raw.clone(),
    };
    let mut ctx = context::Context::new(raw, inf, kind, findings);
    rules::check_all(&mut ctx);
    ctx.into_findings()
}
