//! The ABI facts table: sizes, alignments, field offsets and field types of every structure the
//! simulator mirrors (and the anonymous types bindgen nests in them), and the value of every
//! constant it mirrors, as the real headers define them. Numbers and names only.
//!
//! Layouts are clang's: bindgen writes them into its layout assertions (`"Size of X"`,
//! `"Offset of field: X::f"`), which is where they are read from; for the structures bindgen
//! cannot generate, from clang's record layout dump ([`crate::record_layout`]). Field types
//! are bindgen's spellings, normalized as the facts test normalizes the mirror's.
//!
//! `opaque.rs` is read first: the `wdm.h` types the simulator keeps opaque are facts in
//! bindgen's opaque form (a blob of their real size and alignment), not their fields.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
    fs,
    path::Path,
};

use regex::Regex;

use crate::record_layout::Record;

#[path = "../../ndis-sim/abi/items.rs"]
mod items;

/// Layout facts of one aggregate.
#[derive(Debug, Default)]
struct Layout {
    size: Option<u64>,
    align: Option<u64>,
    offsets: BTreeMap<String, u64>,
}

/// The layouts bindgen's assertions state in `source`. bindgen writes each assertion on one
/// line (`["Size of X"][size_of::<X>() - 8usize];`) or, when the line would be long, with the
/// message on a line of its own and a trailing comma (`[\n "Size of X",\n ][...]`): both are
/// read.
fn layouts(source: &str) -> BTreeMap<String, Layout> {
    let size = Regex::new(
        r#""Size of (\w+)",?\s*\]\[::core::mem::size_of::<\s*\w+,?\s*>\(\)\s*-\s*(\d+)usize\]"#,
    )
    .expect("valid regex");
    let align = Regex::new(
        r#""Alignment of (\w+)",?\s*\]\[::core::mem::align_of::<\s*\w+,?\s*>\(\)\s*-\s*(\d+)usize\]"#,
    )
    .expect("valid regex");
    let offset = Regex::new(
        r#""Offset of field: (\w+)::(\w+)",?\s*\]\[::core::mem::offset_of!\(\s*\w+,\s*\w+\s*,?\s*\)\s*-\s*(\d+)usize\]"#,
    )
    .expect("valid regex");
    let mut found: BTreeMap<String, Layout> = BTreeMap::new();
    for capture in size.captures_iter(source) {
        found.entry(capture[1].to_string()).or_default().size = capture[2].parse().ok();
    }
    for capture in align.captures_iter(source) {
        found.entry(capture[1].to_string()).or_default().align = capture[2].parse().ok();
    }
    for capture in offset.captures_iter(source) {
        if let Ok(value) = capture[3].parse() {
            found
                .entry(capture[1].to_string())
                .or_default()
                .offsets
                .insert(capture[2].to_string(), value);
        }
    }
    found
}

/// The mirror's struct/union and constant names (`tools/ndis-sim/src/sys/*.rs`).
fn mirror_names(project: &Path) -> Result<(BTreeSet<String>, BTreeSet<String>), String> {
    let dir = project.join("tools/ndis-sim/src/sys");
    let mut aggregates = BTreeSet::new();
    let mut constants = BTreeSet::new();
    let entries = fs::read_dir(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|error| error.to_string())?.path();
        if path.extension().is_none_or(|extension| extension != "rs") {
            continue;
        }
        let source = fs::read_to_string(&path).map_err(|error| error.to_string())?;
        aggregates.extend(items::aggregates(&source).into_iter().map(|a| a.name));
        constants.extend(items::constants(&source).into_iter().map(|c| c.0));
    }
    Ok((aggregates, constants))
}

/// Writes the facts table for the mirror of `project` from the bindings in `bindings` and the
/// clang layouts of the hand-defined structures to `out`; returns (structures, constants)
/// written.
///
/// # Errors
/// A file cannot be read or written.
pub fn write(
    project: &Path,
    bindings: &Path,
    hand_defined: &[Record],
    out: &Path,
) -> Result<(usize, usize), String> {
    let (mirror_aggregates, mirror_constants) = mirror_names(project)?;
    let mut declared = BTreeMap::new();
    let mut layout = BTreeMap::new();
    let mut values = BTreeMap::new();
    for record in hand_defined {
        declared.insert(
            record.name.clone(),
            items::Aggregate {
                name: record.name.clone(),
                is_union: record.is_union,
                fields: record
                    .fields
                    .iter()
                    .map(|(field, _, spelling)| (field.clone(), items::normalize_type(spelling)))
                    .collect(),
            },
        );
        layout.insert(
            record.name.clone(),
            Layout {
                size: Some(record.size),
                align: Some(record.align),
                offsets: record
                    .fields
                    .iter()
                    .map(|(field, offset, _)| (field.clone(), *offset))
                    .collect(),
            },
        );
    }
    for file in ["opaque.rs", "ndis.rs", "types.rs", "constants.rs"] {
        let path = bindings.join(file);
        let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for aggregate in items::aggregates(&source) {
            declared.entry(aggregate.name.clone()).or_insert(aggregate);
        }
        for (name, layout_facts) in layouts(&source) {
            layout.entry(name).or_insert(layout_facts);
        }
        for (name, _, value) in items::constants(&source) {
            if let Some(value) = items::integer_value(&value) {
                values.entry(name).or_insert(value);
            }
        }
    }

    let mut text = String::from(
        "# ABI facts: the real x64 layouts and values of what tools/ndis-sim/src/sys mirrors,\n\
         # from the WDK headers through bindgen and clang (clang's record layout dump for\n\
         # NET_BUFFER_DATA/HEADER, bindgen's opaque blobs for DEVICE_OBJECT, IRP and\n\
         # FAST_IO_DISPATCH). Written by `cargo run -p kernel-check`;\n\
         # compared with the mirror by tools/ndis-sim/tests/abi_facts.rs. Do not edit.\n\
         # struct|union NAME size N align N / field NAME FIELD OFFSET|- TYPE / const NAME VALUE\n",
    );
    let mut structures = 0;
    for (name, aggregate) in &declared {
        // bindgen's anonymous types nested in a mirrored one, unless the mirrored one is an
        // opaque blob (`opaque.rs` allowlists them with it; the blob has no such member).
        let nested = mirror_aggregates.iter().any(|m| {
            name.starts_with(&format!("{m}__bindgen_ty_"))
                && declared.get(m).is_some_and(|parent: &items::Aggregate| {
                    !parent
                        .fields
                        .iter()
                        .any(|(field, _)| field == "_bindgen_opaque_blob")
                })
        });
        if !mirror_aggregates.contains(name) && !nested {
            continue;
        }
        let facts = layout.get(name);
        let number = |n: Option<u64>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
        let _ = writeln!(
            text,
            "{} {name} size {} align {}",
            if aggregate.is_union {
                "union"
            } else {
                "struct"
            },
            number(facts.and_then(|f| f.size)),
            number(facts.and_then(|f| f.align)),
        );
        for (field, spelling) in &aggregate.fields {
            let offset = facts.and_then(|f| f.offsets.get(field).copied());
            let _ = writeln!(text, "field {name} {field} {} {spelling}", number(offset));
        }
        structures += 1;
    }
    let mut constants = 0;
    for name in &mirror_constants {
        if let Some(value) = values.get(name) {
            let _ = writeln!(text, "const {name} {value}");
            constants += 1;
        }
    }
    fs::write(out, text).map_err(|error| format!("{}: {error}", out.display()))?;
    Ok((structures, constants))
}

#[cfg(test)]
mod tests {
    use super::layouts;

    #[test]
    fn one_line_and_wrapped_assertions_are_both_read() {
        // As bindgen 0.73 writes them for `_MDL` (wdk-sys types.rs): short ones on one line,
        // long ones wrapped with a trailing comma after the message.
        let source = r#"
    ["Size of _MDL"][::core::mem::size_of::<_MDL>() - 48usize];
    ["Alignment of _MDL"][::core::mem::align_of::<_MDL>() - 8usize];
    ["Offset of field: _MDL::Next"][::core::mem::offset_of!(_MDL, Next) - 0usize];
    [
        "Offset of field: _MDL::MdlFlags",
    ][::core::mem::offset_of!(_MDL, MdlFlags) - 10usize];
    [
        "Size of _NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES",
    ][::core::mem::size_of::<_NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES>() - 224usize];
"#;
        let found = layouts(source);
        let mdl = &found["_MDL"];
        assert_eq!((mdl.size, mdl.align), (Some(48), Some(8)));
        assert_eq!(mdl.offsets.get("Next"), Some(&0));
        assert_eq!(mdl.offsets.get("MdlFlags"), Some(&10));
        assert_eq!(
            found["_NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES"].size,
            Some(224)
        );
    }
}
