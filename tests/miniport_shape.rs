//! The shape of `driver/miniport`, checked from its sources: no function longer than 100
//! lines, `Adapter` without a `pub` field, `adapter` and `trampolines` not importing each
//! other, and no mutable global (the driver object's extension keeps the one registration).

use std::fs;
use std::path::{Path, PathBuf};

/// The longest a function in `driver/miniport` may be, in lines (signature to closing brace).
const MAX_FUNCTION_LINES: usize = 100;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn miniport_sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("driver/miniport"),
        &mut files,
    );
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).expect("readable source");
            (p, text)
        })
        .collect()
}

/// Every `fn` item in `text` with its length in lines: from the line of its `fn` keyword to
/// the line of the brace that closes its body (rustfmt layout: the body's closing brace is the
/// first line after the signature at the `fn` line's indentation that starts with `}`).
fn function_lengths(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let is_fn = trimmed.starts_with("fn ")
            || trimmed.contains(" fn ") && !trimmed.starts_with("//") && !trimmed.contains(';');
        if !is_fn || trimmed.starts_with("//") {
            continue;
        }
        let Some(name) = trimmed
            .split("fn ")
            .nth(1)
            .and_then(|r| r.split(['(', '<']).next())
        else {
            continue;
        };
        let close = lines[i + 1..].iter().position(|l| {
            let t = l.trim_start();
            l.len() - t.len() == indent && t.starts_with('}')
        });
        // A one-line function or a declaration without a body closes on its own line.
        let end = if line.trim_end().ends_with('}') || line.trim_end().ends_with(';') {
            0
        } else {
            close.map_or(0, |c| c + 1)
        };
        found.push((name.to_owned(), i + 1, end + 1));
    }
    found
}

#[test]
fn no_function_in_the_miniport_is_longer_than_100_lines() {
    let mut long = Vec::new();
    for (path, text) in miniport_sources() {
        for (name, line, length) in function_lengths(&text) {
            if length > MAX_FUNCTION_LINES {
                long.push(format!(
                    "{}:{line} fn {name}: {length} lines",
                    path.display()
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_length_count_catches_a_long_function() {
    let body = "    let _x = 0;\n".repeat(120);
    let text =
        format!("/// Long.\nfn long_one() {{\n{body}}}\n\nfn short() {{\n    let _ = 1;\n}}\n");
    let lengths = function_lengths(&text);
    assert_eq!(lengths[0], ("long_one".to_owned(), 2, 122));
    assert_eq!(lengths[1], ("short".to_owned(), 125, 3));
}

#[test]
fn the_adapter_has_no_pub_field() {
    let adapter = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("driver/miniport/adapter.rs"),
    )
    .expect("adapter.rs");
    let start = adapter
        .find("pub struct Adapter {")
        .expect("the Adapter struct");
    let body = &adapter[start..start + adapter[start..].find("\n}").expect("its end")];
    let public: Vec<&str> = body
        .lines()
        .skip(1)
        .filter(|l| l.trim_start().starts_with("pub"))
        .collect();
    assert!(public.is_empty(), "pub fields of Adapter: {public:?}");
}

#[test]
fn adapter_and_trampolines_do_not_import_each_other() {
    for (path, text) in miniport_sources() {
        let in_adapter =
            path.components().any(|c| c.as_os_str() == "adapter") || path.ends_with("adapter.rs");
        if in_adapter {
            assert!(
                !text.contains("trampolines"),
                "{} names the trampolines",
                path.display()
            );
        }
    }
}

/// Whether a line declares mutable global state: `static mut`, or a `static` of an atomic or
/// a cell (immutable tables such as the supported-OID list are fine).
fn mutable_global(line: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix("pub ").unwrap_or(t);
    let t = t.strip_prefix("pub(crate) ").unwrap_or(t);
    t.starts_with("static mut ")
        || t.starts_with("static ")
            && ["Atomic", "Cell", "Mutex", "Lock"]
                .iter()
                .any(|m| t.contains(m))
}

#[test]
fn no_mutable_global_in_the_miniport() {
    for (path, text) in miniport_sources() {
        for (i, line) in text.lines().enumerate() {
            assert!(
                !mutable_global(line),
                "{}:{}: mutable global state: {}",
                path.display(),
                i + 1,
                line.trim()
            );
        }
    }
}

#[test]
fn the_global_check_catches_the_old_handle_table() {
    assert!(mutable_global(
        "static DRIVER_HANDLES: [(AtomicPtr<c_void>, AtomicPtr<c_void>); 64] = [const {"
    ));
    assert!(mutable_global("pub static mut COUNT: u32 = 0;"));
    assert!(!mutable_global("static SUPPORTED_OIDS: [NDIS_OID; 34] = ["));
}
