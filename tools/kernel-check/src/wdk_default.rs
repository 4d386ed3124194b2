//! wdk-build 0.6.0's `bindgen::Builder::wdk_default` for a WDM driver on x64, reproduced setting
//! by setting (wdk-build `src/bindgen.rs` `wdk_default`, `src/lib.rs` `include_paths`,
//! `preprocessor_definitions`, `wdk_bindgen_compiler_flags`), because wdk-build itself runs only
//! on Windows. What differs is only what a non-Windows host needs: clang is told the target
//! explicitly (a build script inherits it from cargo's `TARGET`), and the include path list gains
//! the case overlay ([`crate::headers`]) after the three WDK directories.

use std::{fmt::Write as _, path::Path};

use bindgen::{Builder, EnumVariation, Formatter, RustEdition, RustTarget};

/// Items wdk-build blocklists: deprecated or internal-use-only DDIs, and structures bindgen
/// cannot lay out (bitfields in `_MCG_CAP`, anonymous structs in the WHEA/USB ones).
const BLOCKLISTED: [&str; 30] = [
    "ExAllocatePoolWithTag",
    "ExAllocatePoolWithQuotaTag",
    "ExAllocatePoolWithTagPriority",
    "ExAllocatePool",
    "USBD_CalculateUsbBandwidth",
    "USBD_CreateConfigurationRequest",
    "USBD_Debug_LogEntry",
    "USBD_GetUSBDIVersion",
    "USBD_ParseConfigurationDescriptor",
    "USBD_QueryBusTime",
    "USBD_RegisterHcFilter",
    "IOCTL_USB_DIAG_IGNORE_HUBS_OFF",
    "IOCTL_USB_DIAG_IGNORE_HUBS_ON",
    "IOCTL_USB_DIAGNOSTIC_MODE_OFF",
    "IOCTL_USB_DIAGNOSTIC_MODE_ON",
    "IOCTL_USB_GET_HUB_CAPABILITIES",
    "IOCTL_USB_HCD_DISABLE_PORT",
    "IOCTL_USB_HCD_ENABLE_PORT",
    "IOCTL_USB_HCD_GET_STATS_1",
    "IOCTL_USB_HCD_GET_STATS_2",
    "IOCTL_USB_RESET_HUB",
    ".*MCG_CAP(?:__bindgen.*)?",
    ".*WHEA_XPF_MCA_SECTION",
    ".*WHEA_ARM_BUS_ERROR(?:__bindgen.*)?",
    ".*WHEA_ARM_PROCESSOR_ERROR",
    ".*WHEA_ARM_CACHE_ERROR",
    ".*ADDRESS0_OWNERSHIP_ACQUIRE",
    ".*USBDEVICE_ABORTIO",
    ".*USBDEVICE_STARTIO",
    ".*USBDEVICE_TREE_PURGEIO",
];

/// wdk-build's `preprocessor_definitions` for `CpuArchitecture::Amd64` and `DriverConfig::Wdm`.
const DEFINES: [&str; 4] = ["_WIN64", "_AMD64_", "AMD64", "_KERNEL_MODE"];

/// wdk-build's `wdk_bindgen_compiler_flags`.
const COMPILER_FLAGS: [&str; 13] = [
    "-fms-compatibility",
    "-fms-extensions",
    "-fdelayed-template-parsing",
    "--warn-=no-nonportable-include-path",
    "--warn-=no-pragma-pack",
    "--warn-=no-ignored-attributes",
    "--warn-=no-ignored-pragma-intrinsic",
    "--warn-=no-visibility",
    "--warn-=no-switch",
    "--warn-=no-comment",
    "--warn-=no-deprecated-declarations",
    "--warn-=no-invalid-token-paste",
    "--warn-=no-microsoft",
];

/// The clang arguments `wdk_default` gives bindgen: no builtins, the x64 MSVC target, the
/// include directories, wdk-build's definitions and compiler flags. Also what
/// [`crate::record_layout`] compiles with, so both see the headers the same way.
pub fn clang_args(include_dirs: &[&Path]) -> Vec<String> {
    let mut args = vec![
        "-fno-builtin".to_string(),
        "--target=x86_64-pc-windows-msvc".to_string(),
    ];
    for dir in include_dirs {
        args.push(format!("--include-directory={}", dir.display()));
    }
    for define in DEFINES {
        args.push(format!("--define-macro={define}"));
    }
    args.extend(COMPILER_FLAGS.iter().map(ToString::to_string));
    args
}

/// The builder `wdk_default` returns for a WDM x64 driver. `include_dirs` are `km/crt`, `km`,
/// `shared` (wdk-build's order), then any overlay directories.
pub fn wdk_default(include_dirs: &[&Path]) -> Builder {
    let mut builder = Builder::default()
        .use_core()
        .derive_default(true)
        .generate_cstr(true)
        .detect_include_paths(false)
        .clang_args(clang_args(include_dirs));
    for item in BLOCKLISTED {
        builder = builder.blocklist_item(item);
    }
    builder
        .opaque_type("_KGDTENTRY64")
        .opaque_type("_KIDTENTRY64")
        .no_default(".*tagMONITORINFOEXA")
        .must_use_type("NTSTATUS")
        .must_use_type("HRESULT")
        .default_enum_style(EnumVariation::ModuleConsts)
        .formatter(Formatter::Prettyplease)
        // wdk-build's `get_rust_target`: its own rust-version (1.91.0), read at its compile time;
        // `get_rust_edition`: wdk-build's edition (2024).
        .rust_target(RustTarget::stable(91, 0).expect("bindgen 0.73 supports Rust 1.91"))
        .rust_edition(RustEdition::Edition2024)
}

/// The `#include` lines wdk-sys 0.5.2 generates its WDM bindings from
/// (`Config::bindgen_header_contents` over `ApiSubset::Base`).
pub const WDK_SYS_HEADER: &str =
    "#include \"ntifs.h\"\n#include \"ntddk.h\"\n#include \"ntstrsafe.h\"\n";

/// The `#[link]` blocks wdk-build's `bindgen_library_link_raw_lines(ApiSubset::Base)` adds to
/// wdk-sys's `ntddk.rs` for WDM (`LinkDirective::render`).
pub fn wdk_sys_link_lines() -> String {
    let mut lines = String::new();
    for name in ["BufferOverflowFastFailK", "ntoskrnl", "hal", "wmilib"] {
        lines.push_str("#[cfg(not(any(test, feature = \"suppress-wdk-linking\")))]\n");
        let _ = writeln!(
            lines,
            "#[link(name = \"{name}\", kind = \"static\", modifiers = \"-bundle\")]"
        );
        lines.push_str("unsafe extern \"C\" {}\n");
    }
    lines
}
