//! Every rule, tripped by a broken copy of the real `inf/rse1k.inx`; and the real file passing.

use infcheck::{Finding, Rule, SourceKind, check};

const INX: &str = include_str!("../../../inf/rse1k.inx");

/// One broken INF: the rule it must trip, how it is checked, and the edits that break it.
struct Case {
    rule: Rule,
    kind: SourceKind,
    edits: &'static [(&'static str, &'static str)],
}

const fn case(
    rule: Rule,
    kind: SourceKind,
    edits: &'static [(&'static str, &'static str)],
) -> Case {
    Case { rule, kind, edits }
}

use SourceKind::{Inf, Inx};

const CASES: &[Case] = &[
    case(
        Rule::Syntax,
        Inx,
        &[(
            "Provider    = %ProviderName%",
            "Provider    = \"unterminated",
        )],
    ),
    case(
        Rule::Syntax,
        Inx,
        &[("[DestinationDirs]", "[DestinationDirs")],
    ),
    case(Rule::Syntax, Inx, &[(";----", "orphan = 1\n;----")]),
    case(
        Rule::DuplicateSection,
        Inx,
        &[("[Strings]", "[Version]\nExtra = 1\n\n[Strings]")],
    ),
    case(
        Rule::UndefinedString,
        Inx,
        &[(
            "Provider    = %ProviderName%",
            "Provider    = %NoSuchString%",
        )],
    ),
    case(
        Rule::MissingSection,
        Inx,
        &[(
            "Rse1k_Ndi.Reg, Rse1k_Params.Reg",
            "Rse1k_Ndi.Reg, Rse1k_Missing.Reg",
        )],
    ),
    case(
        Rule::MissingSection,
        Inx,
        &[("[Rse1k_Service]", "[Rse1k_Renamed]")],
    ),
    case(
        Rule::VersionSignature,
        Inx,
        &[("\"$WINDOWS NT$\"", "\"$Chicago$\"")],
    ),
    case(
        Rule::VersionClass,
        Inx,
        &[("Class       = Net", "Class       = System")],
    ),
    case(
        Rule::VersionClass,
        Inx,
        &[(
            "{4d36e972-e325-11ce-bfc1-08002be10318}",
            "{4d36e97d-e325-11ce-bfc1-08002be10318}",
        )],
    ),
    case(
        Rule::VersionProvider,
        Inx,
        &[("Provider    = %ProviderName%\n", "")],
    ),
    case(
        Rule::VersionCatalog,
        Inx,
        &[("CatalogFile = rse1k.cat", "CatalogFile = rse1k.txt")],
    ),
    case(
        Rule::VersionCatalog,
        Inx,
        &[("CatalogFile = rse1k.cat\n", "")],
    ),
    case(
        Rule::VersionDriverVer,
        Inx,
        &[(
            "PnpLockdown = 1",
            "PnpLockdown = 1\nDriverVer = 13/45/2026,1.0.0.0",
        )],
    ),
    case(Rule::VersionDriverVer, Inf, &[("$ARCH$", "amd64")]),
    case(
        Rule::VersionPnpLockdown,
        Inx,
        &[("PnpLockdown = 1", "PnpLockdown = 0")],
    ),
    case(
        Rule::ModelsDecoration,
        Inx,
        &[(
            "Rse1k, NT$ARCH$.10.0...19041",
            "Rse1k, NTamd64.10.0...19041",
        )],
    ),
    case(
        Rule::ModelsDecoration,
        Inx,
        &[("Rse1k, NT$ARCH$.10.0...19041", "Rse1k")],
    ),
    case(
        Rule::ModelsDecoration,
        Inf,
        &[(
            "PnpLockdown = 1",
            "PnpLockdown = 1\nDriverVer = 11/22/2026,0.1.0.0",
        )],
    ),
    case(
        Rule::ModelsMinimumBuild,
        Inx,
        &[
            (
                "Rse1k, NT$ARCH$.10.0...19041",
                "Rse1k, NT$ARCH$.10.0...18362",
            ),
            (
                "[Rse1k.NT$ARCH$.10.0...19041]",
                "[Rse1k.NT$ARCH$.10.0...18362]",
            ),
        ],
    ),
    case(
        Rule::ModelsMinimumBuild,
        Inx,
        &[
            ("Rse1k, NT$ARCH$.10.0...19041", "Rse1k, NT$ARCH$"),
            ("[Rse1k.NT$ARCH$.10.0...19041]", "[Rse1k.NT$ARCH$]"),
        ],
    ),
    case(
        Rule::ModelsHardwareIds,
        Inx,
        &[(
            "%Rse1k.DeviceDesc.100F% = Rse1k_Install, PCI\\VEN_8086&DEV_100F\n",
            "",
        )],
    ),
    case(
        Rule::NetControlFlags,
        Inx,
        &[(
            "ExcludeFromSelect = *",
            "ExcludeFromSelect = PCI\\VEN_8086&DEV_100E",
        )],
    ),
    case(
        Rule::NetControlFlags,
        Inx,
        &[("[ControlFlags]", "[NotControlFlags]")],
    ),
    case(
        Rule::NetCharacteristics,
        Inx,
        &[("Characteristics    = 0x84", "Characteristics    = 0x94")],
    ),
    case(
        Rule::NetCharacteristics,
        Inx,
        &[("Characteristics    = 0x84", "Characteristics    = 0x81")],
    ),
    case(
        Rule::NetCharacteristics,
        Inx,
        &[("Characteristics    = 0x84", "Characteristics    = 0x80")],
    ),
    case(
        Rule::NetBusType,
        Inx,
        &[("BusType            = 5", "BusType            = 1")],
    ),
    case(
        Rule::NetMediaKeywords,
        Inx,
        &[("*PhysicalMediaType = 14", "*PhysicalMediaType = 0")],
    ),
    case(
        Rule::NetMediaKeywords,
        Inx,
        &[("*IfType            = 6\n", "")],
    ),
    case(
        Rule::NetNdiInterfaces,
        Inx,
        &[("LowerRange, 0, \"ethernet\"", "LowerRange, 0, \"wan\"")],
    ),
    case(
        Rule::NetNdiInterfaces,
        Inx,
        &[("Service,    0, \"rse1k\"", "Service,    0, \"e1g60\"")],
    ),
    case(
        Rule::NetParams,
        Inx,
        &[("LimitText, 0, \"12\"", "LimitText, 0, \"17\"")],
    ),
    case(
        Rule::NetParams,
        Inx,
        &[("ParamDesc, 0, %InterruptModeration%\n", "")],
    ),
    case(
        Rule::NetParams,
        Inx,
        &[("default,   0, \"1\"", "default,   0, \"2\"")],
    ),
    case(
        Rule::NetUnsupportedKeyword,
        Inx,
        &[(
            "[Rse1k_Params.Reg]\n",
            "[Rse1k_Params.Reg]\nHKR, Ndi\\params\\*SpeedDuplex, ParamDesc, 0, \"Speed\"\n",
        )],
    ),
    case(
        Rule::ServiceAssociation,
        Inx,
        &[(
            "AddService = rse1k, 0x00000002",
            "AddService = rse1k, 0x00000000",
        )],
    ),
    case(
        Rule::ServiceFields,
        Inx,
        &[("StartType      = 3", "StartType      = 0")],
    ),
    case(
        Rule::ServiceBinary,
        Inx,
        &[("%13%\\rse1k.sys", "%12%\\rse1k.sys")],
    ),
    case(
        Rule::ServiceEventLog,
        Inx,
        &[(", Rse1k_Service, Rse1k_EventLog", ", Rse1k_Service")],
    ),
    case(
        Rule::ServiceEventLog,
        Inx,
        &[("HKR, , TypesSupported,", "HKR, , TypesSupportedX,")],
    ),
    case(
        Rule::DchDestinationDirs,
        Inx,
        &[("DefaultDestDir = 13", "DefaultDestDir = 12")],
    ),
    case(
        Rule::DchCopyFilesSource,
        Inx,
        &[("rse1k.sys = 1,,", "other.sys = 1,,")],
    ),
    case(
        Rule::DchCopyFilesSource,
        Inx,
        &[("rse1k.sys = 1,,", "rse1k.sys = 2,,")],
    ),
    case(
        Rule::DchCoInstallers,
        Inx,
        &[(
            "[Strings]",
            "[Rse1k_Install.NT.CoInstallers]\nCopyFiles = Rse1k_Driver.CopyFiles\n\n[Strings]",
        )],
    ),
    case(
        Rule::DchLegacyDirective,
        Inx,
        &[(
            "CopyFiles          = Rse1k_Driver.CopyFiles",
            "CopyFiles          = Rse1k_Driver.CopyFiles\nRegisterDlls       = Rse1k_Ndi.Reg",
        )],
    ),
    case(
        Rule::DchLegacyDirective,
        Inx,
        &[(
            "[Strings]",
            "[DefaultInstall.NT]\nCopyFiles = Rse1k_Driver.CopyFiles\n\n[Strings]",
        )],
    ),
    case(
        Rule::DchRegistryRoot,
        Inx,
        &[(
            "[Rse1k_Ndi.Reg]\n",
            "[Rse1k_Ndi.Reg]\nHKLM, Software\\rse1k, Debug, 0x00010001, 1\n",
        )],
    ),
];

fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = INX.to_owned();
    for (from, to) in edits {
        assert!(
            text.contains(from),
            "edit does not apply: `{from}` is not in inf/rse1k.inx"
        );
        text = text.replacen(from, to, 1);
    }
    text
}

fn show(findings: &[Finding]) -> String {
    findings.iter().fold(String::new(), |mut out, f| {
        out.push_str("\n  ");
        out.push_str(&f.to_string());
        out
    })
}

#[test]
fn the_real_inx_passes() {
    let findings = check(INX, SourceKind::Inx);
    assert!(findings.is_empty(), "inf/rse1k.inx:{}", show(&findings));
}

/// What stampinf does to the `.inx` (`-a amd64 -d * -v *`): fills every `$ARCH$` and writes
/// `DriverVer`.
fn stamped() -> String {
    INX.replace("$ARCH$", "amd64").replacen(
        "PnpLockdown = 1",
        "PnpLockdown = 1\nDriverVer = 11/22/2026,0.1.0.0",
        1,
    )
}

#[test]
fn the_stamped_inf_passes() {
    let findings = check(&stamped(), SourceKind::Inf);
    assert!(findings.is_empty(), "stamped rse1k.inf:{}", show(&findings));
}

#[test]
fn every_case_trips_its_rule() {
    let mut failures = Vec::new();
    for (index, case) in CASES.iter().enumerate() {
        let findings = check(&edited(case.edits), case.kind);
        if !findings.iter().any(|f| f.rule == case.rule) {
            failures.push(format!(
                "case {index} ({}) not tripped; got:{}",
                case.rule.id(),
                show(&findings)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_case() {
    let untested: Vec<_> = Rule::ALL
        .iter()
        .filter(|rule| !CASES.iter().any(|c| c.rule == **rule))
        .map(|r| r.id())
        .collect();
    assert!(untested.is_empty(), "rules no test trips: {untested:?}");
}

#[test]
fn findings_name_the_offending_line() {
    let text = edited(&[("PnpLockdown = 1", "PnpLockdown = 0")]);
    let line = text
        .lines()
        .position(|l| l.starts_with("PnpLockdown"))
        .expect("line")
        + 1;
    let findings = check(&text, SourceKind::Inx);
    assert_eq!(findings.len(), 1, "{}", show(&findings));
    assert_eq!(findings[0].line, line);
    assert_eq!(
        findings[0].render("inf/rse1k.inx"),
        format!("inf/rse1k.inx:{line}: error[version-pnplockdown]: PnpLockdown is `0`, expected 1")
    );
}

#[test]
fn arch_decorated_source_sections_are_read() {
    let text = INX.replace("[SourceDisksFiles]", "[SourceDisksFiles.amd64]");
    let findings = check(&text, SourceKind::Inx);
    assert!(findings.is_empty(), "{}", show(&findings));
}

#[test]
fn continuation_lines_are_joined() {
    let text = edited(&[("BusType            = 5", "BusType            = \\\n    5")]);
    let findings = check(&text, SourceKind::Inx);
    assert!(findings.is_empty(), "{}", show(&findings));
}

#[test]
fn source_kind_follows_the_extension() {
    assert_eq!(SourceKind::from_path("inf/rse1k.INX"), SourceKind::Inx);
    assert_eq!(
        SourceKind::from_path("target/rse1k_package/rse1k.inf"),
        SourceKind::Inf
    );
}
