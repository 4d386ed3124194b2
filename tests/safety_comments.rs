//! Every `// SAFETY:` comment says why its own `unsafe` block holds. A comment that points
//! elsewhere ("as above", "as in `send`", "same as before") goes stale silently when the code
//! it points to moves or changes, and a reviewer cannot check the block in front of them; the
//! project's rule is one reason per block, written where the block is.

use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Openings of a SAFETY reason that defer to another place instead of giving one (compared in
/// lower case, after `SAFETY:`).
const POINTERS_ELSEWHERE: [&str; 8] = [
    "as above",
    "see above",
    "same as",
    "as before",
    "as in ",
    "as for ",
    "ditto",
    "likewise",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of `text` (1-based) whose SAFETY comment defers to another place.
fn deferring_comments(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter_map(|(number, line)| {
            let reason = line.split_once("// SAFETY:")?.1.trim_start().to_lowercase();
            POINTERS_ELSEWHERE
                .iter()
                .any(|p| reason.starts_with(p))
                .then_some(number + 1)
        })
        .collect()
}

#[test]
fn every_safety_comment_gives_its_own_reason() {
    let mut files = Vec::new();
    rust_files(Path::new(ROOT), &mut files);
    assert!(files.len() > 100, "the walk found the sources");
    let this_file = Path::new(ROOT).join(file!());
    let mut found = Vec::new();
    for file in files.iter().filter(|f| **f != this_file) {
        let text = fs::read_to_string(file).expect("readable source");
        for line in deferring_comments(&text) {
            found.push(format!("{}:{line}", file.display()));
        }
    }
    assert!(
        found.is_empty(),
        "SAFETY comments that point elsewhere instead of saying why their block holds:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_deferring_comment_is_found_and_an_own_reason_is_not() {
    let text = "    // SAFETY: as above.\n    let a = unsafe { f() };\n    \
                // SAFETY: `p` is non-null and aligned (checked above).\n    \
                let b = unsafe { p.read() };\n        // SAFETY: As in `send`.\n";
    assert_eq!(deferring_comments(text), [1, 5]);
}
