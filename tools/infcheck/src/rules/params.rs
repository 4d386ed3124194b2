//! The `Ndi` registry values of the install section's `AddReg`: the service binding, the
//! interface ranges, and the Advanced-page keywords under `Ndi\params`.

use std::collections::BTreeMap;

use crate::context::Context;
use crate::finding::Rule;
use crate::parse::Section;

/// The keywords the driver reads and honours; any other `Ndi\params` keyword is a lie to the user.
pub const HONOURED_KEYWORDS: [&str; 2] = ["*InterruptModeration", "NetworkAddress"];

/// The `Ndi\params\<kw>` `type` values the network class installer knows.
pub const PARAM_TYPES: [&str; 6] = ["enum", "edit", "int", "long", "word", "dword"];

/// One `HKR, subkey, name, flags, value` line.
#[derive(Debug, Clone)]
struct RegValue {
    line: usize,
    subkey: String,
    name: String,
    data: String,
}

/// What `Ndi\params\<keyword>` defines.
#[derive(Debug, Default)]
struct Param {
    line: usize,
    attributes: BTreeMap<String, String>,
    enum_values: Vec<String>,
}

/// Checks `Ndi` (service, ranges) and `Ndi\params` of the `AddReg` sections of `install`.
pub fn check(ctx: &mut Context, install: &Section) {
    let values = reg_values(ctx, install);
    let service_name = service_name(ctx, install);
    check_ndi(ctx, install, &values, service_name.as_deref());
    check_params(ctx, &values);
}

fn reg_values(ctx: &Context, install: &Section) -> Vec<RegValue> {
    let mut out = Vec::new();
    for entry in install.entries_with_key("AddReg") {
        for name in entry.values.iter().filter(|v| !v.is_empty()) {
            let Some(section) = ctx.inf.section(name) else {
                continue;
            };
            for line in section
                .entries
                .iter()
                .filter(|e| e.key.is_none() && e.value(0).eq_ignore_ascii_case("HKR"))
            {
                out.push(RegValue {
                    line: line.line,
                    subkey: ctx.value(line, 1),
                    name: ctx.value(line, 2),
                    data: ctx.value(line, 4),
                });
            }
        }
    }
    out
}

fn service_name(ctx: &Context, install: &Section) -> Option<String> {
    let services = ctx.inf.section(&format!("{}.Services", install.name))?;
    services
        .entries_with_key("AddService")
        .find(|e| crate::context::parse_number(e.value(1)).is_some_and(|f| f & 0x2 != 0))
        .map(|e| ctx.value(e, 0))
}

fn check_ndi(ctx: &mut Context, install: &Section, values: &[RegValue], service: Option<&str>) {
    let find = |subkey: &str, name: &str| {
        values
            .iter()
            .find(|v| v.subkey.eq_ignore_ascii_case(subkey) && v.name.eq_ignore_ascii_case(name))
    };
    let expectations: [(&str, &str, Option<&str>); 3] = [
        ("Ndi", "Service", service),
        ("Ndi\\Interfaces", "UpperRange", Some("ndis5")),
        ("Ndi\\Interfaces", "LowerRange", Some("ethernet")),
    ];
    let mut reports = Vec::new();
    for (subkey, name, wanted) in expectations {
        match (find(subkey, name), wanted) {
            (None, _) => reports.push((
                install.line,
                format!(
                    "AddReg of [{}] does not set HKR,{subkey},{name}",
                    install.name
                ),
            )),
            (Some(v), Some(wanted))
                if !v
                    .data
                    .split(',')
                    .any(|d| d.trim().eq_ignore_ascii_case(wanted)) =>
            {
                reports.push((
                    v.line,
                    format!("HKR,{subkey},{name} is `{}`, expected `{wanted}`", v.data),
                ));
            }
            _ => {}
        }
    }
    for (line, message) in reports {
        ctx.report(line, Rule::NetNdiInterfaces, message);
    }
}

fn check_params(ctx: &mut Context, values: &[RegValue]) {
    let mut params: BTreeMap<String, Param> = BTreeMap::new();
    for value in values {
        let lower = value.subkey.to_ascii_lowercase();
        let Some(rest) = lower.strip_prefix("ndi\\params\\") else {
            continue;
        };
        let original_rest = &value.subkey[value.subkey.len() - rest.len()..];
        let (keyword, tail) = original_rest
            .split_once('\\')
            .unwrap_or((original_rest, ""));
        let param = params.entry(keyword.to_owned()).or_insert_with(|| Param {
            line: value.line,
            ..Param::default()
        });
        if tail.eq_ignore_ascii_case("enum") {
            param.enum_values.push(value.name.clone());
        } else if tail.is_empty() {
            param
                .attributes
                .insert(value.name.to_ascii_lowercase(), value.data.clone());
        }
    }
    for (keyword, param) in &params {
        if !HONOURED_KEYWORDS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(keyword))
        {
            ctx.report(
                param.line,
                Rule::NetUnsupportedKeyword,
                format!(
                    "keyword {keyword} is offered but the driver only honours {}",
                    HONOURED_KEYWORDS.join(", ")
                ),
            );
        }
        for required in ["paramdesc", "default", "type"] {
            if !param.attributes.contains_key(required) {
                ctx.report(
                    param.line,
                    Rule::NetParams,
                    format!("Ndi\\params\\{keyword} has no {required}"),
                );
            }
        }
        let kind = param
            .attributes
            .get("type")
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_default();
        if !kind.is_empty() && !PARAM_TYPES.contains(&kind.as_str()) {
            ctx.report(
                param.line,
                Rule::NetParams,
                format!(
                    "Ndi\\params\\{keyword} type `{kind}` is not one of {}",
                    PARAM_TYPES.join(", ")
                ),
            );
        }
        let default = param.attributes.get("default").cloned().unwrap_or_default();
        if kind == "enum" {
            if param.enum_values.is_empty() {
                ctx.report(
                    param.line,
                    Rule::NetParams,
                    format!("enum keyword {keyword} has no Ndi\\params\\{keyword}\\enum values"),
                );
            } else if !param.enum_values.contains(&default) {
                ctx.report(
                    param.line,
                    Rule::NetParams,
                    format!("default `{default}` of {keyword} is not one of its enum values"),
                );
            }
        }
        if keyword.eq_ignore_ascii_case("NetworkAddress")
            && param.attributes.get("limittext").map(String::as_str) != Some("12")
        {
            ctx.report(
                param.line,
                Rule::NetParams,
                "NetworkAddress needs LimitText = 12 (six bytes in hex)",
            );
        }
    }
}
