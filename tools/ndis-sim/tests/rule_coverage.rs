//! Every rule the verifier knows is caught by at least one test that commits it on purpose.
//!
//! The check reads this crate's test sources and looks for the rule named in an assertion
//! (`assert_reported(.., Rule::X ..)`, `assert_caught(.., Rule::X)`, `.of(Rule::X)`,
//! `rule == Rule::X`, `assert_eq!(rules(&m), [.., Rule::X, ..])`, ...), so a rule added to `Rule::ALL` without a deliberate-violation test
//! fails here, naming it.

use std::fs;
use std::path::Path;

use ndis_sim::Rule;

/// The forms a test uses to say "this rule was reported".
const ASSERTION_FORMS: &[&str] = &[
    "assert_reported(",
    "assert_caught(",
    ".of(Rule::",
    "rule == Rule::",
    "rule, Rule::",
    "Some(Rule::",
    "expect_rule(",
    "rules(&",
];

fn test_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("tests/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "rule_coverage.rs")
            {
                let text = fs::read_to_string(&path).expect("a test source is UTF-8");
                out.push((path.display().to_string(), text));
            }
        }
    }
    out
}

/// Whether `line` (or the statement it starts, up to 12 lines on) asserts `rule` was reported.
fn asserts_rule(lines: &[&str], i: usize, rule: &str) -> bool {
    let window = lines[i..lines.len().min(i + 12)].join(" ");
    let needle = format!("Rule::{rule}");
    let Some(at) = window.find(&needle) else {
        return false;
    };
    // The rule name must end there (Rule::SpinLock is not Rule::SpinLockDpr).
    let after = window[at + needle.len()..].chars().next();
    if after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return false;
    }
    ASSERTION_FORMS
        .iter()
        .any(|form| window.find(form).is_some_and(|f| f <= at && at - f < 600))
}

#[test]
fn every_rule_has_a_deliberate_violation_test() {
    let sources = test_sources();
    assert!(!sources.is_empty(), "no test sources found");
    let mut missing = Vec::new();
    for rule in Rule::ALL {
        let name = format!("{rule:?}");
        let found = sources.iter().any(|(_, text)| {
            let lines: Vec<&str> = text.lines().collect();
            (0..lines.len()).any(|i| asserts_rule(&lines, i, &name))
        });
        if !found {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "rules with no test that commits them and asserts the report: {missing:?}"
    );
}

#[test]
fn the_scan_itself_can_fail() {
    // A rule name no test asserts must not be found: the check is not vacuous.
    let sources = test_sources();
    let found = sources.iter().any(|(_, text)| {
        let lines: Vec<&str> = text.lines().collect();
        (0..lines.len()).any(|i| asserts_rule(&lines, i, "NoSuchRuleEver"))
    });
    assert!(!found);
}

/// `docs/ndis-rules.md` lists every documented NDIS rule of the catalogue once, with the
/// verifier rule that checks it, and names tripping tests that exist.
#[test]
fn the_ndis_rules_page_matches_the_catalogue() {
    use ndis_sim::verifier::catalogue::{Applies, NDIS_RULES};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let page = fs::read_to_string(root.join("docs/ndis-rules.md")).expect("docs/ndis-rules.md");
    let rows: Vec<&str> = page
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(" | `"))
        .collect();
    assert_eq!(rows.len(), NDIS_RULES.len(), "one row per documented rule");
    let tests = test_sources();
    for rule in NDIS_RULES {
        let row = rows
            .iter()
            .find(|r| r.contains(&format!(" | `{}` | ", rule.name)))
            .unwrap_or_else(|| panic!("{} is not on the page", rule.name));
        match (rule.applies, rule.checked_by) {
            (Applies::No(why), _) => assert!(row.contains(why), "{row}"),
            (_, Some(check)) => {
                assert!(row.contains(&format!("`Rule::{check:?}`")), "{row}");
                // Every tripping test named on the row exists in the file it names.
                let named = row
                    .rsplit(" | ")
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(" |");
                for test in named.split(", ").map(|t| t.trim_matches('`')) {
                    let (file, func) = test.split_once("::").expect("file::test");
                    let found = tests.iter().any(|(path, text)| {
                        path.ends_with(&format!("{file}.rs"))
                            && text.contains(&format!("fn {func}("))
                    });
                    assert!(found, "{test} named for {} does not exist", rule.name);
                }
            }
            (_, None) => panic!("{rule:?}"),
        }
    }
}
