//! `[Version]`: signature, class, provider, catalog, `DriverVer`, `PnpLockdown`.

use crate::context::{Context, SourceKind};
use crate::finding::Rule;
use crate::parse::Section;

/// The setup class GUID of `Class = Net`.
pub const NET_CLASS_GUID: &str = "{4d36e972-e325-11ce-bfc1-08002be10318}";

/// Checks the `[Version]` section.
pub fn check(ctx: &mut Context) {
    let Some(version) = ctx.section("Version") else {
        ctx.report(0, Rule::MissingSection, "the INF has no [Version] section");
        return;
    };
    let line = version.line;
    let get = |ctx: &Context, key: &str| {
        version
            .first_with_key(key)
            .map(|e| (e.line, ctx.value(e, 0)))
    };

    match get(ctx, "Signature") {
        Some((_, v)) if v.eq_ignore_ascii_case("$WINDOWS NT$") => {}
        Some((l, v)) => ctx.report(
            l,
            Rule::VersionSignature,
            format!("Signature is `{v}`, expected \"$WINDOWS NT$\""),
        ),
        None => ctx.report(line, Rule::VersionSignature, "[Version] has no Signature"),
    }

    match get(ctx, "Class") {
        Some((_, v)) if v.eq_ignore_ascii_case("Net") => {}
        Some((l, v)) => ctx.report(
            l,
            Rule::VersionClass,
            format!("Class is `{v}`, expected Net"),
        ),
        None => ctx.report(line, Rule::VersionClass, "[Version] has no Class"),
    }
    match get(ctx, "ClassGuid") {
        Some((_, v)) if v.eq_ignore_ascii_case(NET_CLASS_GUID) => {}
        Some((l, v)) => ctx.report(
            l,
            Rule::VersionClass,
            format!("ClassGuid is `{v}`, expected {NET_CLASS_GUID} (Net)"),
        ),
        None => ctx.report(line, Rule::VersionClass, "[Version] has no ClassGuid"),
    }

    match get(ctx, "Provider") {
        Some((_, v)) if !v.trim().is_empty() => {}
        Some((l, _)) => ctx.report(l, Rule::VersionProvider, "Provider is empty"),
        None => ctx.report(line, Rule::VersionProvider, "[Version] has no Provider"),
    }

    check_catalog(ctx, &version);
    check_driver_ver(ctx, &version);

    match get(ctx, "PnpLockdown") {
        Some((_, v)) if v.trim() == "1" => {}
        Some((l, v)) => ctx.report(
            l,
            Rule::VersionPnpLockdown,
            format!("PnpLockdown is `{v}`, expected 1"),
        ),
        None => ctx.report(
            line,
            Rule::VersionPnpLockdown,
            "[Version] has no PnpLockdown = 1",
        ),
    }
}

fn check_catalog(ctx: &mut Context, version: &Section) {
    let catalogs: Vec<_> = version
        .entries
        .iter()
        .filter(|e| {
            e.key
                .as_deref()
                .is_some_and(|k| k.to_ascii_lowercase().starts_with("catalogfile"))
        })
        .map(|e| (e.line, ctx.value(e, 0)))
        .collect();
    if catalogs.is_empty() {
        ctx.report(
            version.line,
            Rule::VersionCatalog,
            "[Version] has no CatalogFile (a signed package needs one)",
        );
    }
    for (line, name) in catalogs {
        let path = std::path::Path::new(&name);
        let is_cat = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("cat"));
        let has_stem = path.file_stem().is_some_and(|stem| !stem.is_empty());
        if !is_cat || !has_stem || name.contains(['\\', '/']) {
            ctx.report(
                line,
                Rule::VersionCatalog,
                format!("CatalogFile `{name}` is not a bare *.cat file name"),
            );
        }
    }
}

fn check_driver_ver(ctx: &mut Context, version: &Section) {
    match version.first_with_key("DriverVer") {
        None if ctx.kind == SourceKind::Inx => {}
        None => ctx.report(
            version.line,
            Rule::VersionDriverVer,
            "[Version] has no DriverVer (run stampinf)",
        ),
        Some(entry) => {
            let date = ctx.value(entry, 0);
            let ver = ctx.value(entry, 1);
            if !valid_date(&date) {
                ctx.report(
                    entry.line,
                    Rule::VersionDriverVer,
                    format!("DriverVer date `{date}` is not mm/dd/yyyy"),
                );
            }
            if !ver.is_empty() && !valid_version(&ver) {
                ctx.report(
                    entry.line,
                    Rule::VersionDriverVer,
                    format!("DriverVer version `{ver}` is not w.x.y.z (each 0..=65535)"),
                );
            }
        }
    }
}

fn valid_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('/').collect();
    let number = |s: &str, digits: std::ops::RangeInclusive<usize>| {
        digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.len() != 3
        || !number(parts[0], 1..=2)
        || !number(parts[1], 1..=2)
        || !number(parts[2], 4..=4)
    {
        return false;
    }
    let month: u32 = parts[0].parse().unwrap_or(0);
    let day: u32 = parts[1].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn valid_version(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    (1..=4).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n <= 65535)
        })
}
