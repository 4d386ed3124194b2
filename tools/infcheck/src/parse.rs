//! INF syntax: sections, entries, comments, quoting and line continuations.
//!
//! The grammar followed is the one the INF documentation gives ("General Syntax Rules for INF
//! Files"): `;` starts a comment outside double quotes; a `\` as the last non-blank character
//! joins the next line; `"` quotes a value and `""` inside quotes is a literal quote; an entry
//! is `key = value[, value...]` or a bare `value[, value...]`; section names are
//! case-insensitive.

use crate::finding::{Finding, Rule};

/// One entry (a line, after joining continuations) of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line where the entry starts.
    pub line: usize,
    /// The text left of the first unquoted `=`, trimmed, if there is one.
    pub key: Option<String>,
    /// The comma-separated values, trimmed and unquoted.
    pub values: Vec<String>,
}

impl Entry {
    /// The value at `index`, or `""` when absent.
    #[must_use]
    pub fn value(&self, index: usize) -> &str {
        self.values.get(index).map_or("", String::as_str)
    }

    /// Whether the key equals `name`, ignoring ASCII case.
    #[must_use]
    pub fn key_is(&self, name: &str) -> bool {
        self.key
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case(name))
    }
}

/// A `[section]` and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name between the brackets, trimmed, case preserved.
    pub name: String,
    /// 1-based line of the header.
    pub line: usize,
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

impl Section {
    /// The entries whose key is `name` (case-insensitive).
    pub fn entries_with_key<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.key_is(name))
    }

    /// The first entry whose key is `name` (case-insensitive).
    #[must_use]
    pub fn first_with_key(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key_is(name))
    }
}

/// A parsed INF file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inf {
    /// The sections, in file order (a repeated header yields a second `Section`).
    pub sections: Vec<Section>,
}

impl Inf {
    /// The first section called `name` (case-insensitive).
    #[must_use]
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }
}

/// Parses `text`, returning the tree and one [`Rule::Syntax`] finding per malformed line.
#[must_use]
pub fn parse(text: &str) -> (Inf, Vec<Finding>) {
    let mut inf = Inf::default();
    let mut findings = Vec::new();
    for logical in logical_lines(text, &mut findings) {
        let content = logical.text.trim();
        if content.is_empty() {
            continue;
        }
        if let Some(rest) = content.strip_prefix('[') {
            match rest.strip_suffix(']') {
                Some(name) if !name.trim().is_empty() => inf.sections.push(Section {
                    name: name.trim().to_owned(),
                    line: logical.line,
                    entries: Vec::new(),
                }),
                _ => findings.push(Finding {
                    line: logical.line,
                    rule: Rule::Syntax,
                    message: format!("malformed section header `{content}`"),
                }),
            }
            continue;
        }
        let Some(section) = inf.sections.last_mut() else {
            findings.push(Finding {
                line: logical.line,
                rule: Rule::Syntax,
                message: format!("entry `{content}` appears before any section header"),
            });
            continue;
        };
        section.entries.push(split_entry(content, logical.line));
    }
    (inf, findings)
}

/// A line after comments are removed and continuations joined.
struct LogicalLine {
    line: usize,
    text: String,
}

/// Joins continuation lines and strips comments, keeping quoted `;` and `\`.
fn logical_lines(text: &str, findings: &mut Vec<Finding>) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut pending: Option<LogicalLine> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let raw = raw.trim_end_matches('\r');
        let (code, unterminated) = strip_comment(raw);
        if unterminated {
            findings.push(Finding {
                line: number,
                rule: Rule::Syntax,
                message: "unterminated quoted string (a quoted value cannot span lines)".to_owned(),
            });
        }
        let trimmed = code.trim_end();
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (trimmed, false),
        };
        let mut current = pending.take().unwrap_or(LogicalLine {
            line: number,
            text: String::new(),
        });
        current.text.push_str(body);
        if continues {
            current.text.push(' ');
            pending = Some(current);
        } else {
            out.push(current);
        }
    }
    if let Some(last) = pending {
        findings.push(Finding {
            line: last.line,
            rule: Rule::Syntax,
            message: "line continuation `\\` at the end of the file".to_owned(),
        });
        out.push(last);
    }
    out
}

/// Returns the part of `raw` before an unquoted `;`, and whether a quote was left open.
fn strip_comment(raw: &str) -> (&str, bool) {
    let mut in_quote = false;
    for (i, c) in raw.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            ';' if !in_quote => return (&raw[..i], false),
            _ => {}
        }
    }
    (raw, in_quote)
}

/// Splits `key = v1, "v 2", ...` (quotes respected) into an [`Entry`].
fn split_entry(content: &str, line: usize) -> Entry {
    let (key, rhs) = match find_unquoted(content, '=') {
        Some(i) => (Some(unquote(content[..i].trim())), &content[i + 1..]),
        None => (None, content),
    };
    let mut values = Vec::new();
    let mut rest = rhs;
    while let Some(i) = find_unquoted(rest, ',') {
        values.push(unquote(rest[..i].trim()));
        rest = &rest[i + 1..];
    }
    values.push(unquote(rest.trim()));
    if values.len() == 1 && values[0].is_empty() && key.is_some() {
        values.clear();
    }
    Entry { line, key, values }
}

/// Byte index of the first `needle` outside double quotes.
fn find_unquoted(s: &str, needle: char) -> Option<usize> {
    let mut in_quote = false;
    for (i, c) in s.char_indices() {
        if c == '"' {
            in_quote = !in_quote;
        } else if c == needle && !in_quote {
            return Some(i);
        }
    }
    None
}

/// Removes the quotes of quoted runs and turns `""` inside quotes into `"`.
fn unquote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut in_quote = false;
    while let Some(c) = chars.next() {
        if c == '"' {
            if in_quote && chars.peek() == Some(&'"') {
                out.push('"');
                chars.next();
            } else {
                in_quote = !in_quote;
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_quotes_and_continuations() {
        let (inf, findings) = parse(
            "; header\n[A]\nkey = \"x;y\", \"say \"\"hi\"\"\" ; note\nlong = 1, \\\n   2\n\n[B]\nbare, value\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
        let a = inf.section("a").expect("section A");
        assert_eq!(a.entries[0].values, ["x;y", "say \"hi\""]);
        assert_eq!(a.entries[1].values, ["1", "2"]);
        assert_eq!(a.entries[1].line, 4);
        let b = inf.section("B").expect("section B");
        assert_eq!(b.entries[0].key, None);
        assert_eq!(b.entries[0].values, ["bare", "value"]);
    }

    #[test]
    fn empty_value_is_no_value() {
        let (inf, _) = parse("[A]\nk =\n");
        assert!(inf.sections[0].entries[0].values.is_empty());
    }
}
