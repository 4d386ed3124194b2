//! Generates the mirror's layout table for the ABI facts test (`tests/abi_facts.rs`): for every
//! braced `pub struct`/`pub union` in `src/sys/*.rs`, its size, alignment and field offsets as
//! the compiler lays out `ndis_sim::sys::<name>`, and for every `pub const` with an integer
//! type, its value. Only names are read from the source; the numbers are the compiler's.

use std::{env, fmt::Write as _, fs, path::Path};

#[allow(dead_code, reason = "the build script uses part of the shared reader")]
#[path = "abi/items.rs"]
mod items;

/// Whether the table records a constant of this type: every integer type, and every alias the
/// mirror declares (each is an integer: `NDIS_STATUS`, the C enums bindgen emits as integer
/// aliases, `KIRQL`, ...). A constant of any other kind (a reference, an array, a tuple) is not
/// an ABI value; a non-integer alias would fail to compile in the generated `as i128`, loudly.
fn is_integer_type(spelling: &str) -> bool {
    !spelling.is_empty()
        && spelling
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn main() {
    let sys = Path::new("src/sys");
    println!("cargo::rerun-if-changed=abi/items.rs");
    println!("cargo::rerun-if-changed={}", sys.display());
    let mut files: Vec<_> = fs::read_dir(sys)
        .expect("src/sys exists")
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "rs"))
        .collect();
    files.sort();
    let mut table = String::from(
        "/// One aggregate of the mirror: (name, size, align, [(field, offset)]).\n\
         pub type MirrorLayout = (&'static str, usize, usize, &'static [(&'static str, usize)]);\n\
         /// The mirror's aggregates.\n\
         pub const MIRROR_LAYOUTS: &[MirrorLayout] = &[\n",
    );
    let mut constants = String::from("/// The mirror's integer constants.\n");
    constants.push_str("pub const MIRROR_CONSTANTS: &[(&str, i128)] = &[\n");
    for file in files {
        println!("cargo::rerun-if-changed={}", file.display());
        let source = fs::read_to_string(&file).expect("readable source");
        for aggregate in items::aggregates(&source) {
            let name = &aggregate.name;
            let _ = write!(
                table,
                "    (\"{name}\", ::core::mem::size_of::<ndis_sim::sys::{name}>(), \
                 ::core::mem::align_of::<ndis_sim::sys::{name}>(), &["
            );
            for (field, _) in &aggregate.fields {
                let _ = write!(
                    table,
                    "(\"{field}\", ::core::mem::offset_of!(ndis_sim::sys::{name}, {field})), "
                );
            }
            table.push_str("]),\n");
        }
        for (name, spelling, _) in items::constants(&source) {
            if is_integer_type(&spelling) {
                let _ = writeln!(
                    constants,
                    "    (\"{name}\", ndis_sim::sys::{name} as i128),"
                );
            }
        }
    }
    table.push_str("];\n");
    constants.push_str("];\n");
    let out = Path::new(&env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("abi_mirror.rs");
    fs::write(out, table + &constants).expect("OUT_DIR is writable");
}
