//! DCH (declarative, componentized, hardware-support-app-free) and isolation rules, file-wide.

use crate::context::{Context, STAMP_ARCH};
use crate::finding::Rule;
use crate::parse::{Entry, Inf, Section};

/// The driver store: the only destination an isolated driver package may copy to.
pub const DIRID_DRIVER_STORE: &str = "13";

/// Directives that run code or edit the system outside the device's keys.
pub const LEGACY_DIRECTIVES: [&str; 8] = [
    "RegisterDlls",
    "UnregisterDlls",
    "UpdateIniFields",
    "UpdateInis",
    "Ini2Reg",
    "ProfileItems",
    "DelFiles",
    "RenFiles",
];

/// Runs the DCH rules over every section.
pub fn check(ctx: &mut Context) {
    let mut reports: Vec<(usize, Rule, String)> = Vec::new();
    destination_dirs(&ctx.inf, &mut reports);
    copy_sources(ctx, &mut reports);
    for section in &ctx.inf.sections {
        let lower = section.name.to_ascii_lowercase();
        if lower.ends_with(".coinstallers") {
            reports.push((
                section.line,
                Rule::DchCoInstallers,
                format!("[{}] declares co-installers", section.name),
            ));
        }
        if lower.starts_with("defaultinstall") || lower.starts_with("defaultuninstall") {
            reports.push((
                section.line,
                Rule::DchLegacyDirective,
                format!("[{}] is not allowed in a PnP device INF", section.name),
            ));
        }
        for entry in &section.entries {
            if entry.key_is("CoInstallers") {
                reports.push((
                    entry.line,
                    Rule::DchCoInstallers,
                    "CoInstallers directive".to_owned(),
                ));
            }
            if let Some(key) = LEGACY_DIRECTIVES.iter().find(|d| entry.key_is(d)) {
                reports.push((
                    entry.line,
                    Rule::DchLegacyDirective,
                    format!("{key} is not declarative"),
                ));
            }
            if entry.key_is("AddReg") || entry.key_is("DelReg") {
                registry_roots(&ctx.inf, entry, &mut reports);
            }
        }
    }
    for (line, rule, message) in reports {
        ctx.report(line, rule, message);
    }
}

fn destination_dirs(inf: &Inf, reports: &mut Vec<(usize, Rule, String)>) {
    let Some(dirs) = inf.section("DestinationDirs") else {
        reports.push((
            0,
            Rule::DchDestinationDirs,
            "no [DestinationDirs] (DefaultDestDir = 13)".to_owned(),
        ));
        return;
    };
    for entry in &dirs.entries {
        if entry.value(0) != DIRID_DRIVER_STORE {
            reports.push((
                entry.line,
                Rule::DchDestinationDirs,
                format!(
                    "destination `{}` is not dirid 13 (the driver store)",
                    entry.values.join(",")
                ),
            ));
        }
    }
}

/// The undecorated section `base` and its x64 variant (`base.amd64`), which Setup also reads.
fn with_arch_variant<'a>(inf: &'a Inf, base: &str) -> Vec<&'a Section> {
    [base.to_owned(), format!("{base}.{STAMP_ARCH}")]
        .iter()
        .filter_map(|name| inf.section(name))
        .collect()
}

fn copy_sources(ctx: &Context, reports: &mut Vec<(usize, Rule, String)>) {
    let files = with_arch_variant(&ctx.inf, "SourceDisksFiles");
    let disks = with_arch_variant(&ctx.inf, "SourceDisksNames");
    for section in &ctx.inf.sections {
        for entry in section.entries_with_key("CopyFiles") {
            for name in entry.values.iter().filter(|v| !v.is_empty()) {
                for (line, file) in copied_files(&ctx.inf, entry.line, name) {
                    let listed = files
                        .iter()
                        .find_map(|s| s.entries.iter().find(|e| e.key_is(&file)));
                    match listed {
                        None => reports.push((
                            line,
                            Rule::DchCopyFilesSource,
                            format!("{file} is not in [SourceDisksFiles]"),
                        )),
                        Some(listing) => {
                            let disk = listing.value(0);
                            if !disks
                                .iter()
                                .any(|d| d.entries.iter().any(|e| e.key_is(disk)))
                            {
                                reports.push((
                                    listing.line,
                                    Rule::DchCopyFilesSource,
                                    format!("disk `{disk}` of {file} is not in [SourceDisksNames]"),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The source files a `CopyFiles` value names: `@file`, or every entry of a file-list section
/// (`destination[, source]`), each with its line.
fn copied_files(inf: &Inf, line: usize, value: &str) -> Vec<(usize, String)> {
    if let Some(file) = value.strip_prefix('@') {
        return vec![(line, file.to_owned())];
    }
    inf.section(value).map_or_else(Vec::new, |s| {
        s.entries
            .iter()
            .map(|e| {
                let source = if e.value(1).is_empty() {
                    e.value(0)
                } else {
                    e.value(1)
                };
                (e.line, source.to_owned())
            })
            .collect()
    })
}

fn registry_roots(inf: &Inf, directive: &Entry, reports: &mut Vec<(usize, Rule, String)>) {
    for name in directive.values.iter().filter(|v| !v.is_empty()) {
        let Some(section) = inf.section(name) else {
            continue;
        };
        for entry in section.entries.iter().filter(|e| e.key.is_none()) {
            let root = entry.value(0);
            if !root.eq_ignore_ascii_case("HKR") {
                reports.push((
                    entry.line,
                    Rule::DchRegistryRoot,
                    format!(
                        "registry root `{root}` in [{}]: a declarative INF writes under HKR only",
                        section.name
                    ),
                ));
            }
        }
    }
}
