//! What a check reports: the rule broken, where, and why.

use core::fmt;

/// Every rule infcheck enforces. Each has a stable id (shown in messages) and a test in
/// `tests/rules.rs` with an INF that breaks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// The text is not valid INF syntax (unterminated quote or section header, entry outside a section).
    Syntax,
    /// The same section header appears twice (the sections would be silently merged).
    DuplicateSection,
    /// A `%token%` has no entry in `[Strings]`.
    UndefinedString,
    /// A directive names a section the file does not contain.
    MissingSection,
    /// `[Version]` `Signature` is not `"$WINDOWS NT$"`.
    VersionSignature,
    /// `[Version]` `Class`/`ClassGuid` are not `Net`/`{4d36e972-e325-11ce-bfc1-08002be10318}`.
    VersionClass,
    /// `[Version]` has no `Provider`.
    VersionProvider,
    /// `[Version]` has no `CatalogFile` naming a `.cat`.
    VersionCatalog,
    /// `DriverVer` is missing (stamped INF) or not `mm/dd/yyyy,w.x.y.z`.
    VersionDriverVer,
    /// `[Version]` lacks `PnpLockdown = 1`.
    VersionPnpLockdown,
    /// A `[Manufacturer]` models section is not decorated `NT$ARCH$[.10.0...build]`, or `$ARCH$` is left in a stamped INF.
    ModelsDecoration,
    /// A models decoration targets builds below the driver's floor, 19041 (Windows 10 version
    /// 2004): the allocator's `ExAllocatePool2` is missing there, so the driver would not load.
    ModelsMinimumBuild,
    /// A models section does not list both e1000 hardware IDs (8086:100E and 8086:100F).
    ModelsHardwareIds,
    /// `[ControlFlags]` does not exclude every hardware ID from manual selection (`ExcludeFromSelect`).
    NetControlFlags,
    /// The install section lacks `Characteristics` with `NCF_PHYSICAL`, or sets bits that exclude it.
    NetCharacteristics,
    /// The install section lacks `BusType = 5` (PCI), required for a physical adapter.
    NetBusType,
    /// `*IfType = 6`, `*MediaType = 0`, `*PhysicalMediaType = 14` are not all set in the install section.
    NetMediaKeywords,
    /// `Ndi` `Service`/`UpperRange`/`LowerRange` are missing or do not match the service and Ethernet.
    NetNdiInterfaces,
    /// An `Ndi\params` keyword lacks `ParamDesc`/`default`/`type`, or its default is not one of its values.
    NetParams,
    /// An `Ndi\params` keyword is offered that the driver does not honour.
    NetUnsupportedKeyword,
    /// The `.Services` section does not associate exactly one service (`AddService` flag `0x2`).
    ServiceAssociation,
    /// The service install section lacks `ServiceType = 1`, `StartType = 3` or `ErrorControl = 1`.
    ServiceFields,
    /// `ServiceBinary` is not `%13%\rse1k.sys` (DCH isolation: run from the driver store).
    ServiceBinary,
    /// The associated `AddService` installs no System event log source with an
    /// `EventMessageFile` and `TypesSupported` (`NdisWriteErrorLogEntry` entries would show
    /// without text).
    ServiceEventLog,
    /// A file destination is not dirid 13 (the driver store).
    DchDestinationDirs,
    /// A copied file is not listed in `[SourceDisksFiles]` with a disk in `[SourceDisksNames]`.
    DchCopyFilesSource,
    /// A co-installer is declared (not allowed in a DCH-compliant INF).
    DchCoInstallers,
    /// A legacy, non-declarative directive or section is used.
    DchLegacyDirective,
    /// A registry directive writes outside `HKR`.
    DchRegistryRoot,
}

impl Rule {
    /// Every rule, in report order.
    pub const ALL: [Rule; 29] = [
        Rule::Syntax,
        Rule::DuplicateSection,
        Rule::UndefinedString,
        Rule::MissingSection,
        Rule::VersionSignature,
        Rule::VersionClass,
        Rule::VersionProvider,
        Rule::VersionCatalog,
        Rule::VersionDriverVer,
        Rule::VersionPnpLockdown,
        Rule::ModelsDecoration,
        Rule::ModelsMinimumBuild,
        Rule::ModelsHardwareIds,
        Rule::NetControlFlags,
        Rule::NetCharacteristics,
        Rule::NetBusType,
        Rule::NetMediaKeywords,
        Rule::NetNdiInterfaces,
        Rule::NetParams,
        Rule::NetUnsupportedKeyword,
        Rule::ServiceAssociation,
        Rule::ServiceFields,
        Rule::ServiceBinary,
        Rule::ServiceEventLog,
        Rule::DchDestinationDirs,
        Rule::DchCopyFilesSource,
        Rule::DchCoInstallers,
        Rule::DchLegacyDirective,
        Rule::DchRegistryRoot,
    ];

    /// The stable id shown in messages, e.g. `version-pnplockdown`.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            Rule::Syntax => "syntax",
            Rule::DuplicateSection => "duplicate-section",
            Rule::UndefinedString => "undefined-string",
            Rule::MissingSection => "missing-section",
            Rule::VersionSignature => "version-signature",
            Rule::VersionClass => "version-class",
            Rule::VersionProvider => "version-provider",
            Rule::VersionCatalog => "version-catalog",
            Rule::VersionDriverVer => "version-driverver",
            Rule::VersionPnpLockdown => "version-pnplockdown",
            Rule::ModelsDecoration => "models-decoration",
            Rule::ModelsMinimumBuild => "models-minimum-build",
            Rule::ModelsHardwareIds => "models-hardware-ids",
            Rule::NetControlFlags => "net-control-flags",
            Rule::NetCharacteristics => "net-characteristics",
            Rule::NetBusType => "net-bustype",
            Rule::NetMediaKeywords => "net-media-keywords",
            Rule::NetNdiInterfaces => "net-ndi-interfaces",
            Rule::NetParams => "net-params",
            Rule::NetUnsupportedKeyword => "net-unsupported-keyword",
            Rule::ServiceAssociation => "service-association",
            Rule::ServiceFields => "service-fields",
            Rule::ServiceBinary => "service-binary",
            Rule::ServiceEventLog => "service-eventlog",
            Rule::DchDestinationDirs => "dch-destination-dirs",
            Rule::DchCopyFilesSource => "dch-copyfiles-source",
            Rule::DchCoInstallers => "dch-coinstallers",
            Rule::DchLegacyDirective => "dch-legacy-directive",
            Rule::DchRegistryRoot => "dch-registry-root",
        }
    }
}

/// One broken rule at one line (1-based; 0 when the problem is something missing from the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// 1-based line of the offending text; 0 when the finding is about something absent.
    pub line: usize,
    /// The rule broken.
    pub rule: Rule,
    /// A one-sentence explanation.
    pub message: String,
}

impl Finding {
    /// Formats the finding as `file:line: error[rule]: message`.
    #[must_use]
    pub fn render(&self, file: &str) -> String {
        format!(
            "{file}:{}: error[{}]: {}",
            self.line,
            self.rule.id(),
            self.message
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: error[{}]: {}",
            self.line,
            self.rule.id(),
            self.message
        )
    }
}
