//! `infcheck FILE...`: checks each INF (`.inf`) or stampinf source (`.inx`), UTF-16 with a byte
//! order mark or UTF-8 (`infcheck::decode`), printing one
//! `file:line: error[rule]: message` per finding; exits 1 if any file has a finding, 2 on
//! usage or I/O errors.

use std::process::ExitCode;

use infcheck::{Rule, SourceKind, check};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        eprintln!("usage: infcheck FILE.inx|FILE.inf...\n\nrules:");
        for rule in Rule::ALL {
            eprintln!("  {}", rule.id());
        }
        return ExitCode::from(2);
    }
    let mut failed = false;
    for path in &args {
        let text = match std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| infcheck::decode(&bytes).map_err(|e| e.to_string()))
        {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{path}: cannot read: {error}");
                return ExitCode::from(2);
            }
        };
        let findings = check(&text, SourceKind::from_path(path));
        for finding in &findings {
            println!("{}", finding.render(path));
        }
        if findings.is_empty() {
            eprintln!("{path}: ok");
        } else {
            eprintln!("{path}: {} finding(s)", findings.len());
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
