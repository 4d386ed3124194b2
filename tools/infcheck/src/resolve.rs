//! From `[Manufacturer]` to models, devices and their install sections, as Setup resolves them.

use crate::context::{Context, STAMP_ARCH};
use crate::parse::{Inf, Section};

/// One `[Manufacturer]` entry: a models section name and its target-OS decorations.
#[derive(Debug, Clone)]
pub struct Manufacturer {
    /// Line of the entry.
    pub line: usize,
    /// The models section base name.
    pub models: String,
    /// The decorations as written in the file being checked (stamped view).
    pub decorations: Vec<String>,
}

/// One device line of a models section.
#[derive(Debug, Clone)]
pub struct Device {
    /// Line of the device entry.
    pub line: usize,
    /// The `DDInstall` section base name.
    pub install: String,
    /// The hardware and compatible IDs.
    pub ids: Vec<String>,
}

/// The `[Manufacturer]` entries (stamped view).
#[must_use]
pub fn manufacturers(ctx: &Context) -> Vec<Manufacturer> {
    ctx.inf
        .section("Manufacturer")
        .map_or_else(Vec::new, |section| {
            section
                .entries
                .iter()
                .filter(|e| !e.value(0).is_empty())
                .map(|e| Manufacturer {
                    line: e.line,
                    models: e.value(0).to_owned(),
                    decorations: e
                        .values
                        .iter()
                        .skip(1)
                        .filter(|d| !d.is_empty())
                        .cloned()
                        .collect(),
                })
                .collect()
        })
}

/// The device entries of a models section.
#[must_use]
pub fn devices(section: &Section) -> Vec<Device> {
    section
        .entries
        .iter()
        .filter(|e| e.key.is_some())
        .map(|e| Device {
            line: e.line,
            install: e.value(0).to_owned(),
            ids: e
                .values
                .iter()
                .skip(1)
                .filter(|id| !id.is_empty())
                .cloned()
                .collect(),
        })
        .collect()
}

/// The `DDInstall` section Setup would use for `base` on x64: `base.NTamd64`, then `base.NT`,
/// then `base`.
#[must_use]
pub fn install_section<'a>(inf: &'a Inf, base: &str) -> Option<&'a Section> {
    [
        format!("{base}.NT{STAMP_ARCH}"),
        format!("{base}.NT"),
        base.to_owned(),
    ]
    .iter()
    .find_map(|name| inf.section(name))
}

/// Every distinct `DDInstall` section the models name; reports models and install sections that
/// do not exist.
pub fn install_sections(ctx: &mut Context) -> Vec<Section> {
    let mut found: Vec<Section> = Vec::new();
    for manufacturer in manufacturers(ctx) {
        for decoration in &manufacturer.decorations {
            let name = format!("{}.{decoration}", manufacturer.models);
            let Some(models) = ctx.section(&name) else {
                ctx.missing_section(manufacturer.line, &name, "[Manufacturer]");
                continue;
            };
            for device in devices(&models) {
                match install_section(&ctx.inf, &device.install).cloned() {
                    Some(section) => {
                        if !found
                            .iter()
                            .any(|s| s.name.eq_ignore_ascii_case(&section.name))
                        {
                            found.push(section);
                        }
                    }
                    None => ctx.missing_section(device.line, &device.install, "a models entry"),
                }
            }
        }
    }
    found
}
