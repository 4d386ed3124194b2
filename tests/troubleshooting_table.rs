//! The status script and the documentation give the same diagnosis table: every device problem
//! code `Get-Rse1kStatus.ps1` explains (through `Rse1kCommon.ps1`) has a row in
//! `docs/windows.md`, "Troubleshooting", and every code that table names is explained by the
//! script. A code added to one and not the other fails here.

use std::collections::BTreeSet;

const COMMON: &str = include_str!("../tools/windows/Rse1kCommon.ps1");
const DOCS: &str = include_str!("../docs/windows.md");

/// `NN = 'Code NN (CM_PROB_...` keys of `$script:Rse1kProblemCauses`.
fn script_codes(script: &str) -> BTreeSet<u32> {
    let start = script
        .find("$script:Rse1kProblemCauses = @{")
        .expect("the cause table");
    let end = start + script[start..].find("\n}").expect("end of the table");
    script[start..end]
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once('=').map(|(key, _)| key.trim()))
        .filter_map(|key| key.parse().ok())
        .collect()
}

/// `Code NN` mentions in the troubleshooting section's test-machine table.
fn documented_codes(docs: &str) -> BTreeSet<u32> {
    let start = docs.find("### On the test machine").expect("the table");
    let end = start
        + docs[start..]
            .find("### On the build machine")
            .expect("next table");
    let mut codes = BTreeSet::new();
    for piece in docs[start..end].split("Code ").skip(1) {
        let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(code) = digits.parse() {
            codes.insert(code);
        }
    }
    codes
}

#[test]
fn script_and_docs_explain_the_same_problem_codes() {
    let script = script_codes(COMMON);
    let docs = documented_codes(DOCS);
    assert!(script.len() >= 5, "{script:?}");
    assert_eq!(script, docs, "Rse1kCommon.ps1 vs docs/windows.md");
}

#[test]
fn a_code_missing_from_the_docs_is_caught() {
    let script = script_codes(COMMON);
    let without_39 = DOCS.replace("| Code 39 (", "| (");
    assert_ne!(script, documented_codes(&without_39));
}
