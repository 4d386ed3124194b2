//! The real layout of the structures bindgen cannot generate, from clang's own record layout
//! dump (`-Xclang -fdump-record-layouts`) of the headers.
//!
//! `NET_BUFFER_DATA` and `NET_BUFFER_HEADER` (`ndis/nbl.h`) declare a member by its type name
//! alone (`NET_BUFFER_DATA_LENGTH;`), an MS extension bindgen drops, so the kernel build
//! blocklists them and both builds define them by hand (`tools/ndis-sim/src/sys/
//! net_buffer_legacy.rs`). Their facts come from clang instead, compiled with the arguments
//! bindgen gets: once as C (the layout NDIS itself is built with; the anonymous member has no
//! name) and once as C++ (the header's `#ifdef __cplusplus` branch names the member
//! `NbDataLength` / `NetBufferData`, the names the hand definition uses). The two must agree
//! member by member in offset and type, or the facts are not written.

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use regex::Regex;

/// The hand-defined structures: (record tag, a typedef name `sizeof` can take).
pub const HAND_DEFINED: [(&str, &str); 2] = [
    ("_NET_BUFFER_DATA", "NET_BUFFER_DATA"),
    ("_NET_BUFFER_HEADER", "NET_BUFFER_HEADER"),
];

/// One record as clang lays it out: its direct members with their offsets and the Rust spelling
/// bindgen gives their types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record tag (`_NET_BUFFER_DATA`).
    pub name: String,
    /// `true` for a union.
    pub is_union: bool,
    /// `sizeof`, in bytes.
    pub size: u64,
    /// Alignment, in bytes.
    pub align: u64,
    /// (member name, byte offset, Rust type spelling), in declaration order; an anonymous
    /// member (C) has an empty name.
    pub fields: Vec<(String, u64, String)>,
}

/// The clang binary to run: `--clang` if given, else the one next to libclang
/// (`LIBCLANG_PATH`: `bin` on Windows, `lib` beside `bin` on Linux), else `clang` on `PATH`.
pub fn find_clang(given: Option<&Path>) -> PathBuf {
    if let Some(path) = given {
        return path.to_path_buf();
    }
    let name = if cfg!(windows) { "clang.exe" } else { "clang" };
    if let Some(libclang) = std::env::var_os("LIBCLANG_PATH") {
        let libclang = PathBuf::from(libclang);
        for dir in [libclang.clone(), libclang.join("../bin")] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    PathBuf::from(name)
}

/// The Rust spelling bindgen gives a member type as clang's dump prints it: a typedef name as
/// is, a record by its tag (`union _SLIST_HEADER` -> `_SLIST_HEADER`), a pointer as `*mut`.
/// Anything else (qualifiers, arrays, anonymous records) is refused rather than guessed.
fn rust_spelling(c_type: &str) -> Result<String, String> {
    let mut words: Vec<&str> = c_type.split_whitespace().collect();
    let mut pointers = 0;
    while words
        .last()
        .is_some_and(|word| word.chars().all(|c| c == '*'))
    {
        pointers += words.pop().map_or(0, str::len);
    }
    let base = match words.as_slice() {
        ["struct" | "union", tag] | [tag] => *tag,
        _ => {
            return Err(format!(
                "member type `{c_type}` has no bindgen spelling here"
            ));
        }
    };
    if base.is_empty() || !base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "member type `{c_type}` has no bindgen spelling here"
        ));
    }
    Ok(format!("{}{base}", "*mut ".repeat(pointers)))
}

/// The record `tag` in a `-fdump-record-layouts` dump: the first block that lays it out.
fn parse_record(dump: &str, tag: &str) -> Result<Record, String> {
    let heading = Regex::new(r"^\s*0 \| (struct|union) (\w+)$").expect("valid regex");
    let member = Regex::new(r"^\s*(\d+) \| {3}(\S.*)$").expect("valid regex");
    let bit_field = Regex::new(r"^\s*\d+:\d+-\d+ \| {3}\S").expect("valid regex");
    let size = Regex::new(r"\[sizeof=(\d+)").expect("valid regex");
    let align = Regex::new(r"[\[ ]align=(\d+)").expect("valid regex");
    for block in dump.split("*** Dumping AST Record Layout") {
        let mut lines = block.lines().filter(|line| !line.trim().is_empty());
        let Some(first) = lines.next() else {
            continue;
        };
        let Some(found) = heading.captures(first) else {
            continue;
        };
        if &found[2] != tag {
            continue;
        }
        let mut record = Record {
            name: tag.to_string(),
            is_union: &found[1] == "union",
            size: 0,
            align: 0,
            fields: Vec::new(),
        };
        for line in lines {
            if bit_field.is_match(line) {
                return Err(format!(
                    "{tag}: a bit-field member ({line:?}) is not supported"
                ));
            }
            if let Some(captures) = member.captures(line) {
                let text = &captures[2];
                // A member without a name (C's anonymous member) ends in the separator space.
                let (c_type, name) = if text.ends_with(' ') {
                    (text.trim_end(), "")
                } else {
                    text.rsplit_once(' ')
                        .ok_or_else(|| format!("{tag}: unreadable member {line:?}"))?
                };
                let offset = captures[1]
                    .parse()
                    .map_err(|_| format!("{tag}: unreadable offset in {line:?}"))?;
                record
                    .fields
                    .push((name.to_string(), offset, rust_spelling(c_type)?));
            }
            if let Some(captures) = size.captures(line) {
                record.size = captures[1].parse().unwrap_or(0);
            }
            if let Some(captures) = align.captures(line) {
                record.align = captures[1].parse().unwrap_or(0);
            }
        }
        if record.size == 0 || record.align == 0 || record.fields.is_empty() {
            return Err(format!(
                "{tag}: no size, alignment or member in clang's dump"
            ));
        }
        return Ok(record);
    }
    Err(format!("clang's dump has no layout of {tag}"))
}

/// The C++ record's names on the C record's numbers, if the two agree member by member.
fn merge(c: &Record, cplusplus: &Record) -> Result<Record, String> {
    let same_shape = c.is_union == cplusplus.is_union
        && c.size == cplusplus.size
        && c.align == cplusplus.align
        && c.fields.len() == cplusplus.fields.len();
    let same_members = c.fields.iter().zip(&cplusplus.fields).all(
        |((c_name, c_offset, c_type), (name, offset, spelling))| {
            c_offset == offset && c_type == spelling && (c_name.is_empty() || c_name == name)
        },
    );
    if !same_shape || !same_members {
        return Err(format!(
            "{}: the C and C++ layouts differ:\n  C:   {c:?}\n  C++: {cplusplus:?}",
            c.name
        ));
    }
    if let Some((_, offset, _)) = cplusplus.fields.iter().find(|(name, ..)| name.is_empty()) {
        return Err(format!(
            "{}: the member at offset {offset} has no name in C++ either",
            c.name
        ));
    }
    Ok(cplusplus.clone())
}

/// Runs `clang` over `source` as `language` (`c` or `c++`) with `-fdump-record-layouts`.
fn dump(
    clang: &Path,
    clang_args: &[String],
    source: &Path,
    language: &str,
) -> Result<String, String> {
    let output = Command::new(clang)
        .args(clang_args)
        .args([
            "-fsyntax-only",
            "-Xclang",
            "-fdump-record-layouts",
            "-x",
            language,
        ])
        .arg(source)
        .output()
        .map_err(|error| format!("could not run {}: {error}", clang.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed on the headers ({language}):\n{}",
            clang.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The layouts of [`HAND_DEFINED`]: `wrapper` (the headers, as the kernel build's bindgen reads
/// them) plus a `sizeof` of each, compiled by `clang` with `clang_args` in `scratch`.
///
/// # Errors
/// clang cannot be run or fails, a record is missing from its dump, or C and C++ disagree.
pub fn hand_defined(
    clang: &Path,
    clang_args: &[String],
    wrapper: &str,
    scratch: &Path,
) -> Result<Vec<Record>, String> {
    let mut source = wrapper.to_string();
    for (index, (_, typedef)) in HAND_DEFINED.iter().enumerate() {
        // A use of the size makes clang lay the record out, and dump it.
        let _ = writeln!(
            source,
            "typedef char rse1k_layout_{index}[sizeof({typedef})];"
        );
    }
    let path = scratch.join("record-layouts.h");
    fs::write(&path, source).map_err(|error| format!("{}: {error}", path.display()))?;
    let c = dump(clang, clang_args, &path, "c")?;
    let cplusplus = dump(clang, clang_args, &path, "c++")?;
    HAND_DEFINED
        .iter()
        .map(|(tag, _)| merge(&parse_record(&c, tag)?, &parse_record(&cplusplus, tag)?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{merge, parse_record, rust_spelling};

    // As clang 19 dumps them for x64 `ndis/nbl.h` (C, then C++), trailing spaces included.
    const C_DUMP: &str = "
*** Dumping AST Record Layout
         0 | union _NET_BUFFER_DATA_LENGTH
         0 |   ULONG DataLength
         0 |   SIZE_T stDataLength
           | [sizeof=8, align=8]

*** Dumping AST Record Layout
         0 | struct _NET_BUFFER_DATA
         0 |   NET_BUFFER * Next
         8 |   MDL * CurrentMdl
        16 |   ULONG CurrentMdlOffset
        24 |   union _NET_BUFFER_DATA_LENGTH \n        24 |     ULONG DataLength
        24 |     SIZE_T stDataLength
        32 |   MDL * MdlChain
        40 |   ULONG DataOffset
           | [sizeof=48, align=8]
";
    const CPLUSPLUS_DUMP: &str = "
*** Dumping AST Record Layout
         0 | struct _NET_BUFFER_DATA
         0 |   NET_BUFFER * Next
         8 |   MDL * CurrentMdl
        16 |   ULONG CurrentMdlOffset
        24 |   union _NET_BUFFER_DATA_LENGTH NbDataLength
        24 |     ULONG DataLength
        24 |     SIZE_T stDataLength
        32 |   MDL * MdlChain
        40 |   ULONG DataOffset
           | [sizeof=48, align=8,
           |  nvsize=48, nvalign=8]
";

    #[test]
    fn direct_members_are_read_with_their_offsets_and_bindgen_spellings() {
        let record = parse_record(CPLUSPLUS_DUMP, "_NET_BUFFER_DATA").expect("dumped");
        assert_eq!((record.is_union, record.size, record.align), (false, 48, 8));
        let fields: Vec<(&str, u64, &str)> = record
            .fields
            .iter()
            .map(|(name, offset, spelling)| (name.as_str(), *offset, spelling.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("Next", 0, "*mut NET_BUFFER"),
                ("CurrentMdl", 8, "*mut MDL"),
                ("CurrentMdlOffset", 16, "ULONG"),
                ("NbDataLength", 24, "_NET_BUFFER_DATA_LENGTH"),
                ("MdlChain", 32, "*mut MDL"),
                ("DataOffset", 40, "ULONG"),
            ]
        );
    }

    #[test]
    fn c_gives_the_numbers_and_cplusplus_the_names_and_a_disagreement_is_refused() {
        let c = parse_record(C_DUMP, "_NET_BUFFER_DATA").expect("dumped");
        assert_eq!(c.fields[3].0, "", "C's anonymous member has no name");
        let cplusplus = parse_record(CPLUSPLUS_DUMP, "_NET_BUFFER_DATA").expect("dumped");
        assert_eq!(merge(&c, &cplusplus), Ok(cplusplus.clone()));
        let moved = CPLUSPLUS_DUMP.replace(
            "        32 |   MDL * MdlChain",
            "        36 |   MDL * MdlChain",
        );
        let moved = parse_record(&moved, "_NET_BUFFER_DATA").expect("dumped");
        assert!(merge(&c, &moved).is_err());
    }

    #[test]
    fn an_unknown_record_or_type_shape_is_an_error_not_a_guess() {
        assert!(parse_record(C_DUMP, "_NET_BUFFER_HEADER").is_err());
        assert!(rust_spelling("const ULONG").is_err());
        assert!(rust_spelling("union _NET_BUFFER::(anonymous at nbl.h:100:13)").is_err());
        assert_eq!(
            rust_spelling("NET_BUFFER **").as_deref(),
            Ok("*mut *mut NET_BUFFER")
        );
        assert_eq!(
            rust_spelling("union _SLIST_HEADER").as_deref(),
            Ok("_SLIST_HEADER")
        );
    }
}
