//! `[Manufacturer]` and models: target-OS decoration and the e1000 hardware IDs.

use crate::context::{Context, SourceKind};
use crate::finding::Rule;
use crate::resolve::{devices, manufacturers};

/// The hardware IDs the driver supports: the `82540EM` of QEMU and `VirtualBox`, the `82545EM` of `VMware`.
pub const HARDWARE_IDS: [&str; 2] = ["PCI\\VEN_8086&DEV_100E", "PCI\\VEN_8086&DEV_100F"];

/// The oldest Windows build the driver loads on: Windows 10 version 2004, where
/// `ExAllocatePool2` (the driver's allocator) first exists. The kernel build's `NTDDI_VERSION`
/// (`NTDDI_WIN10_VB`) names the same release.
pub const MINIMUM_BUILD: u64 = 19041;

/// Checks decorations (`NT$ARCH$` in an `.inx`, `NTamd64`/`NTarm64` once stamped) and IDs.
pub fn check(ctx: &mut Context) {
    if ctx.inf.section("Manufacturer").is_none() {
        ctx.report(
            0,
            Rule::MissingSection,
            "the INF has no [Manufacturer] section",
        );
        return;
    }
    check_arch_placeholder(ctx);
    check_control_flags(ctx);
    for manufacturer in manufacturers(ctx) {
        if manufacturer.decorations.is_empty() {
            ctx.report(
                manufacturer.line,
                Rule::ModelsDecoration,
                format!(
                    "models section `{}` has no NT$ARCH$ target-OS decoration",
                    manufacturer.models
                ),
            );
        }
        for decoration in &manufacturer.decorations {
            if !valid_decoration(decoration) {
                ctx.report(
                    manufacturer.line,
                    Rule::ModelsDecoration,
                    format!("decoration `{decoration}` is not NT<arch>[.major.minor[.product[.suite[.build]]]] for amd64/arm64"),
                );
            }
            match decoration_build(decoration) {
                Some(build) if build >= MINIMUM_BUILD => {}
                Some(build) => ctx.report(
                    manufacturer.line,
                    Rule::ModelsMinimumBuild,
                    format!("decoration `{decoration}` targets build {build}, below the driver's floor {MINIMUM_BUILD} (Windows 10 version 2004: ExAllocatePool2 is missing before it, and the driver would fail to load with Code 39)"),
                ),
                None => ctx.report(
                    manufacturer.line,
                    Rule::ModelsMinimumBuild,
                    format!("decoration `{decoration}` has no build number: write NT$ARCH$.10.0...{MINIMUM_BUILD} so Windows before version 2004 does not pick the driver"),
                ),
            }
            let name = format!("{}.{decoration}", manufacturer.models);
            if let Some(section) = ctx.section(&name) {
                let ids: Vec<String> = devices(&section)
                    .iter()
                    .flat_map(|d| d.ids.iter().map(|id| id.to_ascii_uppercase()))
                    .collect();
                for wanted in HARDWARE_IDS {
                    if !ids.iter().any(|id| id == wanted) {
                        ctx.report(
                            section.line,
                            Rule::ModelsHardwareIds,
                            format!("[{name}] does not list {wanted}"),
                        );
                    }
                }
            }
        }
    }
}

/// A network adapter INF excludes its Plug and Play hardware IDs from manual selection
/// ("Installation Requirements for Network Adapters": `ExcludeFromSelect` per adapter, or `*`).
fn check_control_flags(ctx: &mut Context) {
    let Some(flags) = ctx.section("ControlFlags") else {
        ctx.report(
            0,
            Rule::NetControlFlags,
            "no [ControlFlags] with ExcludeFromSelect for the PnP hardware IDs",
        );
        return;
    };
    let excluded: Vec<String> = flags
        .entries_with_key("ExcludeFromSelect")
        .flat_map(|e| e.values.iter().map(|v| v.to_ascii_uppercase()))
        .collect();
    if excluded.iter().any(|v| v == "*") {
        return;
    }
    for wanted in HARDWARE_IDS {
        if !excluded.iter().any(|v| v == wanted) {
            ctx.report(
                flags.line,
                Rule::NetControlFlags,
                format!("ExcludeFromSelect does not name {wanted} (or *)"),
            );
        }
    }
}

/// In an `.inx` every decoration must use `$ARCH$`; in a stamped INF none may remain.
fn check_arch_placeholder(ctx: &mut Context) {
    let mut reports = Vec::new();
    match ctx.kind {
        SourceKind::Inx => {
            if let Some(section) = ctx.raw.section("Manufacturer") {
                for entry in &section.entries {
                    for decoration in entry.values.iter().skip(1).filter(|d| !d.is_empty()) {
                        if !decoration.to_ascii_uppercase().starts_with("NT$ARCH$") {
                            reports.push((entry.line, format!("decoration `{decoration}` in an .inx must start with NT$ARCH$ (stampinf -a fills it)")));
                        }
                    }
                }
            }
        }
        SourceKind::Inf => {
            for section in &ctx.raw.sections {
                if section.name.contains("$ARCH$") {
                    reports.push((
                        section.line,
                        format!(
                            "section [{}] still contains $ARCH$: run stampinf -a",
                            section.name
                        ),
                    ));
                }
                for entry in &section.entries {
                    if entry
                        .values
                        .iter()
                        .chain(entry.key.iter())
                        .any(|v| v.contains("$ARCH$"))
                    {
                        reports.push((
                            entry.line,
                            "$ARCH$ left in a stamped INF: run stampinf -a".to_owned(),
                        ));
                    }
                }
            }
        }
    }
    for (line, message) in reports {
        ctx.report(line, Rule::ModelsDecoration, message);
    }
}

fn valid_decoration(decoration: &str) -> bool {
    let mut parts = decoration.split('.');
    let head = parts.next().unwrap_or("").to_ascii_lowercase();
    if head != "ntamd64" && head != "ntarm64" {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    rest.len() <= 5 && rest.iter().all(|p| p.is_empty() || parse_field(p))
}

/// The build number of a decoration `NT<arch>.major.minor.product.suite.build`, if it has one.
fn decoration_build(decoration: &str) -> Option<u64> {
    let build = decoration.split('.').nth(5)?;
    crate::context::parse_number(build)
}

fn parse_field(field: &str) -> bool {
    crate::context::parse_number(field).is_some()
}
