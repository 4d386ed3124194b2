//! The simulator's mirror of the NDIS/WDM items (`src/sys`) against the ABI facts table
//! (`abi/facts.txt`): the real x64 sizes, alignments, field offsets, field types and constant
//! values, which `tools/kernel-check` writes from the WDK headers.
//!
//! Every difference fails the test, named, unless it is listed in `abi/known_differences.txt`;
//! a listed difference that no longer exists fails it too, so the list only shrinks.

#[allow(dead_code, reason = "the test uses part of the shared reader")]
#[path = "../abi/items.rs"]
mod items;

mod mirror {
    #![allow(
        clippy::cast_lossless,
        clippy::cast_possible_wrap,
        clippy::unnecessary_cast,
        reason = "generated: every integer constant widened to i128"
    )]
    include!(concat!(env!("OUT_DIR"), "/abi_mirror.rs"));
}

use std::collections::{BTreeMap, BTreeSet};

/// One aggregate of the facts table.
#[derive(Debug, Default)]
struct FactAggregate {
    size: Option<usize>,
    align: Option<usize>,
    /// (field, offset, normalized type), in declaration order.
    fields: Vec<(String, Option<usize>, String)>,
}

/// The facts table, parsed.
#[derive(Debug, Default)]
struct Facts {
    aggregates: BTreeMap<String, FactAggregate>,
    constants: BTreeMap<String, i128>,
}

fn number(text: &str) -> Option<usize> {
    text.parse().ok()
}

fn parse_facts(text: &str) -> Facts {
    let mut facts = Facts::default();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let words: Vec<&str> = line.splitn(5, ' ').collect();
        match words.as_slice() {
            [kind, name, "size", rest @ ..] if *kind == "struct" || *kind == "union" => {
                let rest: Vec<&str> = rest.iter().flat_map(|r| r.split(' ')).collect();
                let entry = facts.aggregates.entry((*name).to_string()).or_default();
                entry.size = rest.first().and_then(|s| number(s));
                entry.align = rest.get(2).and_then(|s| number(s));
            }
            ["field", name, field, offset, spelling] => {
                facts
                    .aggregates
                    .entry((*name).to_string())
                    .or_default()
                    .fields
                    .push((
                        (*field).to_string(),
                        number(offset),
                        (*spelling).to_string(),
                    ));
            }
            ["const", name, value] => {
                facts
                    .constants
                    .insert((*name).to_string(), value.parse().expect("integer"));
            }
            _ => panic!("abi/facts.txt: unreadable line {line:?}"),
        }
    }
    facts
}

/// The mirror's field types, read from `src/sys` (the layouts come from the compiler).
fn mirror_field_types() -> BTreeMap<String, Vec<(String, String)>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/sys");
    let mut types = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("src/sys") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).expect("source");
            for aggregate in items::aggregates(&source) {
                types.insert(aggregate.name, aggregate.fields);
            }
        }
    }
    types
}

/// Every difference between the mirror (layouts, field types, constants) and `facts`.
fn differences(
    layouts: &[mirror::MirrorLayout],
    field_types: &BTreeMap<String, Vec<(String, String)>>,
    constants: &[(&str, i128)],
    facts: &Facts,
) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for &(name, size, align, offsets) in layouts {
        let Some(fact) = facts.aggregates.get(name) else {
            found.insert(format!("{name}: not in the headers"));
            continue;
        };
        // A mirror with no public field, as bindgen writes an incomplete C type
        // (`_unused: [u8; 0]`), of a type that has fields: one difference, not its size too.
        if offsets.is_empty() && !fact.fields.is_empty() {
            found.insert(format!("{name}: opaque in the mirror"));
            continue;
        }
        if fact.size.is_some_and(|s| s != size) {
            found.insert(format!(
                "{name}: size {size}, real {}",
                fact.size.unwrap_or(0)
            ));
        }
        if fact.align.is_some_and(|a| a != align) {
            found.insert(format!(
                "{name}: align {align}, real {}",
                fact.align.unwrap_or(0)
            ));
        }
        let types = field_types.get(name).cloned().unwrap_or_default();
        for (field, real_offset, real_type) in &fact.fields {
            let Some(&(_, offset)) = offsets.iter().find(|(f, _)| f == field) else {
                found.insert(format!("{name}.{field}: missing"));
                continue;
            };
            if real_offset.is_some_and(|o| o != offset) {
                found.insert(format!(
                    "{name}.{field}: offset {offset}, real {}",
                    real_offset.unwrap_or(0)
                ));
            }
            if let Some((_, spelling)) = types.iter().find(|(f, _)| f == field)
                && spelling != real_type
            {
                found.insert(format!("{name}.{field}: type {spelling}, real {real_type}"));
            }
        }
        for (field, _) in offsets {
            if !fact.fields.iter().any(|(f, _, _)| f == field) {
                found.insert(format!("{name}.{field}: not in the headers"));
            }
        }
    }
    for &(name, value) in constants {
        if let Some(&real) = facts.constants.get(name)
            && real != value
        {
            found.insert(format!("{name}: value {value}, real {real}"));
        }
    }
    found
}

fn facts() -> Facts {
    parse_facts(include_str!("../abi/facts.txt"))
}

/// One indented line per difference.
fn lines(differences: &[&String]) -> String {
    differences
        .iter()
        .fold(String::new(), |mut text, difference| {
            text.push_str("  ");
            text.push_str(difference);
            text.push('\n');
            text
        })
}

/// The differences `abi/known_differences.txt` lists: one a line, `<difference> # <why>`.
///
/// # Panics
/// A line without its reason: a difference stays only with a reason on its line.
fn known_differences(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (difference, why) = line.split_once(" # ").unwrap_or((line, ""));
            assert!(
                !why.trim().is_empty(),
                "abi/known_differences.txt: {line:?} does not say why it stays (`<difference> # <why>`)"
            );
            difference.trim().to_string()
        })
        .collect()
}

#[test]
fn the_mirror_matches_the_real_headers_except_the_listed_differences() {
    let found = differences(
        mirror::MIRROR_LAYOUTS,
        &mirror_field_types(),
        mirror::MIRROR_CONSTANTS,
        &facts(),
    );
    let known = known_differences(include_str!("../abi/known_differences.txt"));
    let new: Vec<_> = found.difference(&known).collect();
    let fixed: Vec<_> = known.difference(&found).collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "the mirror differs from abi/facts.txt:\n{}\nlisted in abi/known_differences.txt but no \
         longer different (remove them):\n{}",
        lines(&new),
        lines(&fixed),
    );
}

#[test]
fn the_facts_cover_the_mirror() {
    let facts = facts();
    let covered = mirror::MIRROR_LAYOUTS
        .iter()
        .filter(|(name, ..)| facts.aggregates.contains_key(*name))
        .count();
    assert!(
        covered >= 100,
        "only {covered} mirrored structures have facts"
    );
    let values = mirror::MIRROR_CONSTANTS
        .iter()
        .filter(|(name, _)| facts.constants.contains_key(*name))
        .count();
    assert!(values >= 350, "only {values} mirrored constants have facts");
}

#[test]
fn a_moved_field_a_resized_structure_and_a_changed_constant_are_caught() {
    // The mirror's own NDIS_OBJECT_HEADER, checked against facts that say otherwise.
    let header = mirror::MIRROR_LAYOUTS
        .iter()
        .find(|(name, ..)| *name == "_NDIS_OBJECT_HEADER")
        .expect("mirrored");
    let types = mirror_field_types();
    let facts = parse_facts(
        "struct _NDIS_OBJECT_HEADER size 8 align 2\n\
         field _NDIS_OBJECT_HEADER Type 0 UCHAR\n\
         field _NDIS_OBJECT_HEADER Revision 2 UCHAR\n\
         field _NDIS_OBJECT_HEADER Size 2 ULONG\n\
         const NDIS_OBJECT_TYPE_DEFAULT 129\n",
    );
    let found = differences(
        std::slice::from_ref(header),
        &types,
        &[("NDIS_OBJECT_TYPE_DEFAULT", 0x80)],
        &facts,
    );
    let expected: BTreeSet<String> = [
        "_NDIS_OBJECT_HEADER: size 4, real 8",
        "_NDIS_OBJECT_HEADER.Revision: offset 1, real 2",
        "_NDIS_OBJECT_HEADER.Size: type USHORT, real ULONG",
        "NDIS_OBJECT_TYPE_DEFAULT: value 128, real 129",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_hand_defined_member_and_an_opaque_blob_are_compared_like_any_other() {
    // The mirror's own `_NET_BUFFER_DATA` (the definition the kernel build includes too) and
    // `_IRP` (a bindgen opaque blob), against facts in which clang put `MdlChain` elsewhere and
    // the IRP is one 16-byte unit larger.
    let mirrored = |wanted: &str| {
        *mirror::MIRROR_LAYOUTS
            .iter()
            .find(|(name, ..)| *name == wanted)
            .expect("mirrored")
    };
    let facts = parse_facts(
        "struct _NET_BUFFER_DATA size 48 align 8\n\
         field _NET_BUFFER_DATA Next 0 *mut NET_BUFFER\n\
         field _NET_BUFFER_DATA CurrentMdl 8 *mut MDL\n\
         field _NET_BUFFER_DATA CurrentMdlOffset 16 ULONG\n\
         field _NET_BUFFER_DATA NbDataLength 24 _NET_BUFFER_DATA_LENGTH\n\
         field _NET_BUFFER_DATA MdlChain 40 *mut MDL\n\
         field _NET_BUFFER_DATA DataOffset 32 ULONG\n\
         struct _IRP size 224 align 16\n\
         field _IRP _bindgen_opaque_blob - __BindgenOpaqueArray16<[u8; 224]>\n",
    );
    let found = differences(
        &[mirrored("_NET_BUFFER_DATA"), mirrored("_IRP")],
        &mirror_field_types(),
        &[],
        &facts,
    );
    let expected: BTreeSet<String> = [
        "_NET_BUFFER_DATA.MdlChain: offset 32, real 40",
        "_NET_BUFFER_DATA.DataOffset: offset 40, real 32",
        "_IRP: size 208, real 224",
        "_IRP._bindgen_opaque_blob: type __BindgenOpaqueArray16<[u8; 208]>, real \
         __BindgenOpaqueArray16<[u8; 224]>",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_listed_difference_needs_its_reason() {
    let listed = known_differences("# comment\n_X: opaque in the mirror # only pointers to it\n");
    assert_eq!(
        listed,
        BTreeSet::from(["_X: opaque in the mirror".to_string()])
    );
    let unexplained = std::panic::catch_unwind(|| known_differences("_X: size 0, real 8\n"));
    assert!(unexplained.is_err(), "a line without a reason is refused");
}
