//! The `DDInstall` section of a physical NDIS adapter: `Characteristics`, `BusType`, media
//! keywords, and the sections its directives name.

use crate::context::{Context, parse_number};
use crate::finding::Rule;
use crate::parse::Section;

/// `NCF_VIRTUAL`: a virtual adapter (not this one).
pub const NCF_VIRTUAL: u64 = 0x1;
/// `NCF_SOFTWARE_ENUMERATED`: a software-enumerated adapter (not this one).
pub const NCF_SOFTWARE_ENUMERATED: u64 = 0x2;
/// `NCF_NO_SERVICE`: no driver service; not allowed with `NCF_PHYSICAL`.
pub const NCF_NO_SERVICE: u64 = 0x10;
/// `NCF_PHYSICAL`: a physical adapter.
pub const NCF_PHYSICAL: u64 = 0x4;
/// `NCF_HAS_UI`: the adapter has custom property pages (`Ndi\params`).
pub const NCF_HAS_UI: u64 = 0x80;

/// `BusType` of a PCI adapter (`INTERFACE_TYPE` `PCIBus`).
pub const BUS_TYPE_PCI: u64 = 5;

/// The media directives of an Ethernet adapter: `IF_TYPE_ETHERNET_CSMACD`, `NdisMedium802_3`,
/// `NdisPhysicalMedium802_3`.
pub const MEDIA_KEYWORDS: [(&str, u64); 3] = [
    ("*IfType", 6),
    ("*MediaType", 0),
    ("*PhysicalMediaType", 14),
];

/// Checks one `DDInstall` section.
pub fn check(ctx: &mut Context, section: &Section) {
    match section.first_with_key("Characteristics") {
        None => ctx.report(section.line, Rule::NetCharacteristics, format!("[{}] has no Characteristics", section.name)),
        Some(entry) => match parse_number(&ctx.value(entry, 0)) {
            Some(value) if value & NCF_PHYSICAL == 0 => {
                ctx.report(entry.line, Rule::NetCharacteristics, format!("Characteristics {value:#x} lacks NCF_PHYSICAL (0x4)"));
            }
            Some(value) if value & (NCF_VIRTUAL | NCF_SOFTWARE_ENUMERATED | NCF_NO_SERVICE) != 0 => ctx.report(
                entry.line,
                Rule::NetCharacteristics,
                format!("Characteristics {value:#x} combines NCF_PHYSICAL with NCF_VIRTUAL, NCF_SOFTWARE_ENUMERATED or NCF_NO_SERVICE"),
            ),
            Some(_) => {}
            None => ctx.report(entry.line, Rule::NetCharacteristics, "Characteristics is not a number"),
        },
    }

    match section.first_with_key("BusType") {
        Some(entry) if parse_number(&ctx.value(entry, 0)) == Some(BUS_TYPE_PCI) => {}
        Some(entry) => ctx.report(
            entry.line,
            Rule::NetBusType,
            format!("BusType is `{}`, expected 5 (PCI)", ctx.value(entry, 0)),
        ),
        None => ctx.report(
            section.line,
            Rule::NetBusType,
            format!(
                "[{}] has no BusType (required for a physical adapter)",
                section.name
            ),
        ),
    }

    for (keyword, wanted) in MEDIA_KEYWORDS {
        match section.first_with_key(keyword) {
            Some(entry) if parse_number(&ctx.value(entry, 0)) == Some(wanted) => {}
            Some(entry) => ctx.report(
                entry.line,
                Rule::NetMediaKeywords,
                format!("{keyword} is `{}`, expected {wanted}", ctx.value(entry, 0)),
            ),
            None => ctx.report(
                section.line,
                Rule::NetMediaKeywords,
                format!("[{}] has no {keyword} = {wanted}", section.name),
            ),
        }
    }

    for directive in ["AddReg", "CopyFiles", "DelReg"] {
        for entry in section.entries_with_key(directive) {
            for name in entry
                .values
                .iter()
                .filter(|v| !v.is_empty() && !v.starts_with('@'))
            {
                if ctx.inf.section(name).is_none() {
                    ctx.missing_section(entry.line, name, directive);
                }
            }
        }
    }
}
