//! The repository stands alone: no file cites a document that lives outside it (the design brief
//! and reference notes the project started from), and every relative Markdown link resolves.

use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Names of documents outside the repository (built by `concat!` so this file does not cite
/// them itself).
const OUTSIDE: [&str; 5] = [
    concat!("DESIGN", ".md"),
    concat!("shared", "/reference"),
    concat!("../", "shared"),
    concat!("contract ", "section"),
    concat!("reference/", "ndis.md"),
];

const TEXT_EXTENSIONS: [&str; 12] = [
    "md", "rs", "toml", "ps1", "inx", "natvis", "js", "py", "sh", "yml", "yaml", "txt",
];

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') || name == ".ci" || name == ".github" {
                text_files(&path, out);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| TEXT_EXTENSIONS.contains(&e))
            || name == "run"
        {
            out.push(path);
        }
    }
}

fn all_text_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    text_files(Path::new(ROOT), &mut files);
    assert!(files.len() > 50, "the walk found the sources");
    files
}

/// Places in `text` that cite a document outside the repository.
fn outside_citations(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for name in OUTSIDE {
            if line.contains(name) {
                found.push((number + 1, name));
            }
        }
        // A bare rules or ndis note in backquotes is one of the outside notes;
        // `locking-rules.md` and `ndis-contract.md` are this repository's own.
        for bare in [concat!("`rules", ".md`"), concat!("`ndis", ".md`")] {
            if line.contains(bare) {
                found.push((number + 1, bare));
            }
        }
    }
    found
}

#[test]
fn no_file_cites_a_document_outside_the_repository() {
    let mut found = Vec::new();
    for path in all_text_files() {
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        for (line, name) in outside_citations(&text) {
            found.push(format!("{}:{line}: cites {name}", path.display()));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_catches_a_citation() {
    let cited = format!("see `{}` for the lock order", OUTSIDE[0]);
    assert_eq!(outside_citations(&cited), vec![(1, OUTSIDE[0])]);
    assert_eq!(
        outside_citations(concat!("codes in `rules", ".md`")).len(),
        1
    );
    assert!(outside_citations("codes in `docs/locking-rules.md`").is_empty());
}

#[test]
fn relative_markdown_links_resolve() {
    let mut broken = Vec::new();
    for path in all_text_files() {
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("utf-8 markdown");
        for (number, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(start) = rest.find("](") {
                let after = &rest[start + 2..];
                let Some(end) = after.find(')') else { break };
                let target = after[..end].split('#').next().unwrap_or("");
                rest = &after[end..];
                if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let resolved = path.parent().expect("a file has a parent").join(target);
                if !resolved.exists() {
                    broken.push(format!("{}:{}: {target}", path.display(), number + 1));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
