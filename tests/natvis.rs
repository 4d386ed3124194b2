//! `driver/rse1k.natvis` against the source it describes: every visualised Rust type exists at
//! the module path the natvis names (rustc writes the defining path to the PDB, so a moved or
//! renamed type silently loses its view), and every C type in a cast is qualified with the path
//! of the bindgen type in rse1k.pdb rather than a bare C name. The debugger itself checks the rest on
//! Windows.

use std::fs;
use std::path::Path;

const NATVIS: &str = include_str!("../driver/rse1k.natvis");
const GENERATED: &str = "rse1k::sys::kernel::ndis::";

/// `Type Name="rse1k::a::b::C&lt;..."` and `AlternativeType` names: the `rse1k::` paths.
fn visualised_types(natvis: &str) -> Vec<String> {
    natvis
        .split("Name=\"rse1k::")
        .skip(1)
        .map(|rest| {
            let end = rest.find(['"', '&']).unwrap_or(rest.len());
            format!("rse1k::{}", &rest[..end])
        })
        .collect()
}

/// Casts `(Type*)` in natvis expressions.
fn casts(natvis: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = natvis;
    while let Some(start) = rest.find('(') {
        rest = &rest[start + 1..];
        if let Some(end) = rest.find("*)") {
            let inner = &rest[..end];
            if !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            {
                found.push(inner.to_owned());
            }
        }
    }
    found
}

/// Whether `rse1k::a::b::Name` is declared in `driver/a/b.rs` or `driver/a/b/mod.rs`.
fn declared(path: &str) -> bool {
    let parts: Vec<&str> = path.split("::").skip(1).collect();
    let (name, modules) = parts.split_last().expect("a path has a name");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("driver");
    let file = root.join(modules.join("/")).with_extension("rs");
    let module = root.join(modules.join("/")).join("mod.rs");
    let source = fs::read_to_string(&file)
        .or_else(|_| fs::read_to_string(&module))
        .unwrap_or_default();
    ["struct", "enum", "union", "type"].iter().any(|kind| {
        source.contains(&format!("{kind} {name}<"))
            || source.contains(&format!("{kind} {name} "))
            || source.contains(&format!("{kind} {name};"))
            || source.contains(&format!("{kind} {name}("))
    })
}

#[test]
fn every_visualised_type_exists_where_the_natvis_says() {
    let types = visualised_types(NATVIS);
    assert!(types.len() >= 15, "{types:?}");
    let missing: Vec<&String> = types
        .iter()
        .filter(|t| !t.starts_with(GENERATED) && !declared(t))
        .collect();
    assert!(missing.is_empty(), "not declared at that path: {missing:?}");
}

#[test]
fn casts_name_the_bindgen_types_with_their_module_path() {
    let found = casts(NATVIS);
    assert!(!found.is_empty());
    let bare: Vec<&String> = found.iter().filter(|c| !c.starts_with("rse1k::")).collect();
    assert!(
        bare.is_empty(),
        "unqualified C type names in casts: {bare:?}"
    );
}

#[test]
fn the_checks_catch_a_moved_type_and_a_bare_cast() {
    let broken = NATVIS
        .replace(
            "rse1k::miniport::queue::NblQueue",
            "rse1k::miniport::NblQueue",
        )
        .replace(
            "(rse1k::sys::kernel::ndis::_NET_BUFFER_LIST*)MiniportReserved",
            "(_NET_BUFFER_LIST*)MiniportReserved",
        );
    assert!(
        visualised_types(&broken)
            .iter()
            .any(|t| !t.starts_with(GENERATED) && !declared(t))
    );
    assert!(casts(&broken).iter().any(|c| c == "_NET_BUFFER_LIST"));
}
