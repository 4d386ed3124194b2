//! `driver/miniport` makes no NDIS or Ke call of its own: every one goes through the typed
//! gateway (`crate::ndis`) or the lock layer (`crate::sync`), which take the lock context and
//! the IRQL proof each DDI page requires. This test reads the miniport's sources and fails,
//! naming file and line, on any call of an `Ndis*` or `Ke*` function there.

use std::fs;
use std::path::{Path, PathBuf};

/// The code of `source` with comments and string/char literals blanked out (so a doc comment
/// or a trace message naming a DDI is not a call).
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// The `Ndis*` / `Ke*` calls in `source`: (line number, callee).
fn ndis_calls(source: &str) -> Vec<(usize, String)> {
    let code = code_only(source);
    let mut found = Vec::new();
    for (number, line) in code.lines().enumerate() {
        let bytes = line.as_bytes();
        for prefix in ["Ndis", "Ke"] {
            let mut from = 0;
            while let Some(at) = line[from..].find(prefix).map(|i| i + from) {
                from = at + prefix.len();
                // An identifier that starts here (not `SimNdisX`, not `my_Ndis`).
                let starts =
                    at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
                let name_end = line[at..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(line.len(), |i| i + at);
                let name = &line[at..name_end];
                let upper_next = name[prefix.len()..].starts_with(|c: char| c.is_ascii_uppercase());
                let called = line[name_end..].trim_start().starts_with('(')
                    || line[name_end..].trim_start().starts_with("::<");
                if starts && upper_next && called {
                    found.push((number + 1, name.to_owned()));
                }
            }
        }
    }
    found
}

/// Uses of the raw NBL / `NET_BUFFER` / MDL accessors of `crate::sys` in `source`: (line,
/// accessor). NBLs reach the miniport as owned values (`crate::ndis::nbl`), which keep the raw
/// pointers to themselves.
fn raw_nbl_accessors(source: &str) -> Vec<(usize, String)> {
    let code = code_only(source);
    let mut found = Vec::new();
    for (number, line) in code.lines().enumerate() {
        for accessor in [
            "sys::nbl_",
            "sys::set_nbl_",
            "sys::nb_",
            "sys::set_nb_",
            "sys::mdl_",
        ] {
            if let Some(at) = line.find(accessor) {
                let end = line[at..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .map_or(line.len(), |i| i + at);
                found.push((number + 1, line[at..end].to_owned()));
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("driver/miniport is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_scanner_finds_calls_and_ignores_comments_strings_and_constants() {
    let sample = r#"
        // sys::NdisMPauseComplete(handle) in a comment
        /* KeGetCurrentIrql() in a block comment */
        let s = "NdisMIndicateStatusEx(failed)";
        let k = sys::NdisInterfacePci;
        let irql = unsafe { sys::KeGetCurrentIrql() };
        unsafe {
            sys::NdisMSendNetBufferListsComplete(h, head, 0)
        };
        SimNdisName(x);
    "#;
    assert_eq!(
        ndis_calls(sample),
        [
            (6, "KeGetCurrentIrql".to_owned()),
            (8, "NdisMSendNetBufferListsComplete".to_owned())
        ]
    );
}

#[test]
fn driver_miniport_touches_no_raw_nbl_outside_its_test_frames() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("driver/miniport");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut raw = Vec::new();
    for file in files {
        // The unit tests' frame builder makes NBLs by hand: that is its job.
        if file.file_name().is_some_and(|n| n == "test_frames.rs") {
            continue;
        }
        let source = fs::read_to_string(&file).expect("a UTF-8 source");
        for (line, accessor) in raw_nbl_accessors(&source) {
            raw.push(format!("{}:{line}: {accessor}", file.display()));
        }
    }
    assert!(
        raw.is_empty(),
        "driver/miniport reaches into NBLs through raw accessors; use crate::ndis::nbl:\n{}",
        raw.join("\n")
    );
    assert_eq!(
        raw_nbl_accessors("let n = unsafe { sys::nbl_next(x) }; // sys::nb_next(y)"),
        [(1, "sys::nbl_next".to_owned())]
    );
}

#[test]
fn driver_miniport_calls_no_ndis_or_ke_function_directly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("driver/miniport");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 3, "the miniport's sources were not found");
    let mut direct = Vec::new();
    for file in files {
        let source = fs::read_to_string(&file).expect("a UTF-8 source");
        for (line, name) in ndis_calls(&source) {
            direct.push(format!("{}:{line}: {name}", file.display()));
        }
    }
    assert!(
        direct.is_empty(),
        "driver/miniport calls NDIS/Ke directly; go through crate::ndis or crate::sync:\n{}",
        direct.join("\n")
    );
}
