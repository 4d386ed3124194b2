//! Reads struct, union and constant declarations out of Rust source as bindgen and the
//! simulator's mirror write them: names, field names and field type spellings.
//!
//! Shared by `tools/kernel-check` (which reads bindgen's output to write the ABI facts table),
//! `tools/ndis-sim/build.rs` (which reads the mirror to generate its layout table) and the facts
//! test (which compares the two). No dependencies, so a build script can compile it.

/// A `#[repr(C)]` struct or union declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    /// The Rust name (`_NDIS_OBJECT_HEADER`).
    pub name: String,
    /// `true` for a `union`.
    pub is_union: bool,
    /// The public fields: (name, type as written, normalized with [`normalize_type`]).
    pub fields: Vec<(String, String)>,
}

/// Splits `text` at commas outside brackets.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut previous = ' ';
    for c in text.chars() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            // `->` is not a closing bracket.
            '>' if previous != '-' => depth -= 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
        previous = c;
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|part| part.trim().to_string())
        .filter(|part| !part.is_empty())
        .collect()
}

/// A type spelling with the differences that do not change the type removed: `::core::`
/// paths, `usize` suffixes of array lengths, parameter names of function pointer types,
/// whitespace and trailing commas.
#[must_use]
pub fn normalize_type(spelling: &str) -> String {
    let mut text = spelling
        .replace("::core::option::", "")
        .replace("::core::ffi::", "")
        .replace("core::ffi::", "")
        .replace("::core::", "")
        .replace("::std::", "");
    // Collapse whitespace.
    text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Array lengths: `[u8; 3usize]` -> `[u8; 3]`.
    text = text.replace("usize]", "]");
    // Parameter names: `fn(Context: PVOID, X: ULONG)` -> `fn(PVOID, ULONG)`.
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(position) = rest.find(": ") {
        let (before, after) = rest.split_at(position);
        let name_start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        out.push_str(&before[..name_start]);
        rest = &after[2..];
    }
    out.push_str(rest);
    out.replace(", )", ")")
        .replace(",)", ")")
        .replace(", >", ">")
        .replace(",>", ">")
        .replace("( ", "(")
        .replace("< ", "<")
        .replace(" >", ">")
}

/// The name after `pub struct ` / `pub union ` on a line that opens a braced declaration.
fn declaration_name(line: &str) -> Option<(String, bool)> {
    let trimmed = line.trim();
    let (rest, is_union) = if let Some(rest) = trimmed.strip_prefix("pub struct ") {
        (rest, false)
    } else {
        (trimmed.strip_prefix("pub union ")?, true)
    };
    let rest = rest.strip_suffix('{')?.trim();
    if rest.is_empty() || !rest.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    Some((rest.to_string(), is_union))
}

/// Every braced, non-generic `pub struct` and `pub union` of `source` with its fields.
#[must_use]
pub fn aggregates(source: &str) -> Vec<Aggregate> {
    let mut found = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let Some((name, is_union)) = declaration_name(line) else {
            continue;
        };
        let mut body = String::new();
        let mut depth = 1i32;
        for inner in lines.by_ref() {
            let trimmed = inner.trim();
            depth += i32::try_from(trimmed.matches('{').count()).unwrap_or(0);
            depth -= i32::try_from(trimmed.matches('}').count()).unwrap_or(0);
            if depth <= 0 {
                break;
            }
            if trimmed.starts_with("//") || trimmed.starts_with("#[") {
                continue;
            }
            body.push_str(trimmed);
            body.push(' ');
        }
        let fields = split_top_level(&body)
            .into_iter()
            .filter_map(|field| {
                // Private fields (an opaque mirror's placeholder) are not part of the surface.
                let field = field.strip_prefix("pub ")?;
                let (field_name, spelling) = field.split_once(':')?;
                Some((field_name.trim().to_string(), normalize_type(spelling)))
            })
            .collect();
        found.push(Aggregate {
            name,
            is_union,
            fields,
        });
    }
    found
}

/// Every one-line `pub const NAME: TYPE = VALUE;` of `source`: (name, type, value expression).
#[must_use]
pub fn constants(source: &str) -> Vec<(String, String, String)> {
    source
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("pub const ")?;
            let (name, rest) = rest.split_once(':')?;
            let (spelling, value) = rest.split_once('=')?;
            let value = value.trim().strip_suffix(';')?;
            Some((
                name.trim().to_string(),
                normalize_type(spelling),
                value.trim().to_string(),
            ))
        })
        .collect()
}

/// A constant's value, if its expression is a decimal integer literal with an optional leading
/// `-` (how bindgen writes every integer constant).
#[must_use]
pub fn integer_value(expression: &str) -> Option<i128> {
    let text = expression.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
