//! `DDInstall.Services` and the service install section.

use crate::context::{Context, parse_number};
use crate::finding::Rule;
use crate::parse::{Entry, Section};

/// `SPSVCINST_ASSOCSERVICE`: the service is the device's function driver.
pub const SPSVCINST_ASSOCSERVICE: u64 = 0x2;

/// The service binary, in the driver store (dirid 13) as DCH isolation requires.
pub const SERVICE_BINARY: &str = "%13%\\rse1k.sys";

/// `SERVICE_KERNEL_DRIVER`, `SERVICE_DEMAND_START`, `SERVICE_ERROR_NORMAL`.
pub const SERVICE_FIELDS: [(&str, u64); 3] =
    [("ServiceType", 1), ("StartType", 3), ("ErrorControl", 1)];

/// Checks the `.Services` section of `install` and the service it installs.
pub fn check(ctx: &mut Context, install: &Section) {
    let name = format!("{}.Services", install.name);
    let Some(services) = ctx.section(&name) else {
        ctx.missing_section(
            install.line,
            &name,
            &format!("install section [{}]", install.name),
        );
        return;
    };
    let associated: Vec<_> = services
        .entries_with_key("AddService")
        .filter(|e| {
            parse_number(e.value(1)).is_some_and(|flags| flags & SPSVCINST_ASSOCSERVICE != 0)
        })
        .cloned()
        .collect();
    if associated.len() != 1 {
        ctx.report(
            services.line,
            Rule::ServiceAssociation,
            format!("[{name}] must have exactly one AddService with flag 0x2 (SPSVCINST_ASSOCSERVICE), found {}", associated.len()),
        );
    }
    if let [entry] = associated.as_slice() {
        check_event_log(ctx, entry);
    }
    for entry in services.entries_with_key("AddService") {
        let section_name = ctx.value(entry, 2);
        if section_name.is_empty() {
            ctx.report(
                entry.line,
                Rule::ServiceFields,
                "AddService names no service install section",
            );
            continue;
        }
        match ctx.section(&section_name) {
            Some(section) => check_service(ctx, &section),
            None => ctx.missing_section(entry.line, &section_name, "AddService"),
        }
    }
}

/// The value names an event log source needs (`AddService` "EventLogInstallSection"):
/// `EventMessageFile` (where Event Viewer finds the text of the driver's error log entries) and
/// `TypesSupported`.
pub const EVENT_LOG_VALUES: [&str; 2] = ["EventMessageFile", "TypesSupported"];

/// The function driver's `AddService` names an event log install section (its fourth field)
/// whose `AddReg` sections write [`EVENT_LOG_VALUES`] under `HKR`.
fn check_event_log(ctx: &mut Context, add_service: &Entry) {
    let section_name = ctx.value(add_service, 3);
    if section_name.is_empty() {
        ctx.report(
            add_service.line,
            Rule::ServiceEventLog,
            "AddService names no event log install section: NdisWriteErrorLogEntry entries would have no message text",
        );
        return;
    }
    let Some(section) = ctx.section(&section_name) else {
        ctx.missing_section(add_service.line, &section_name, "AddService (event log)");
        return;
    };
    let mut written = Vec::new();
    for add_reg in section.entries_with_key("AddReg") {
        for name in add_reg.values.clone() {
            match ctx.section(&name) {
                Some(reg) => written.extend(
                    reg.entries
                        .iter()
                        .filter(|e| e.key.is_none() && e.value(0).eq_ignore_ascii_case("HKR"))
                        .map(|e| e.value(2).to_owned()),
                ),
                None => ctx.missing_section(add_reg.line, &name, "AddReg"),
            }
        }
    }
    for wanted in EVENT_LOG_VALUES {
        if !written.iter().any(|w| w.eq_ignore_ascii_case(wanted)) {
            ctx.report(
                section.line,
                Rule::ServiceEventLog,
                format!("[{section_name}] writes no HKR value {wanted}"),
            );
        }
    }
}

fn check_service(ctx: &mut Context, service: &Section) {
    for (field, wanted) in SERVICE_FIELDS {
        match service.first_with_key(field) {
            Some(entry) if parse_number(&ctx.value(entry, 0)) == Some(wanted) => {}
            Some(entry) => ctx.report(
                entry.line,
                Rule::ServiceFields,
                format!("{field} is `{}`, expected {wanted}", ctx.value(entry, 0)),
            ),
            None => ctx.report(
                service.line,
                Rule::ServiceFields,
                format!("[{}] has no {field} = {wanted}", service.name),
            ),
        }
    }
    match service.first_with_key("ServiceBinary") {
        Some(entry) if ctx.value(entry, 0).eq_ignore_ascii_case(SERVICE_BINARY) => {}
        Some(entry) => ctx.report(
            entry.line,
            Rule::ServiceBinary,
            format!(
                "ServiceBinary is `{}`, expected {SERVICE_BINARY} (run from the driver store)",
                ctx.value(entry, 0)
            ),
        ),
        None => ctx.report(
            service.line,
            Rule::ServiceBinary,
            format!("[{}] has no ServiceBinary", service.name),
        ),
    }
}
