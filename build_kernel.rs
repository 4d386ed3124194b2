//! Kernel build (feature `kernel`, Windows + WDK only).
//!
//! 1. Configures the WDM driver link through wdk-build 0.6 (`Config::from_env_auto` reads
//!    `[package.metadata.wdk.driver-model] driver-type = "WDM"` from Cargo.toml;
//!    `Config::configure_binary_build` emits the WDK library search path and the `/DRIVER`,
//!    `/ENTRY:DriverEntry`, `/SUBSYSTEM:NATIVE`, `/INTEGRITYCHECK`, ... linker arguments, and fails
//!    unless `+crt-static` is on, which `.cargo/config.toml` sets).
//! 2. Generates `$OUT_DIR/ndis.rs` with bindgen over `ndis.h`, starting from
//!    `bindgen::Builder::wdk_default(&config)` (wdk-build's `BuilderExt`: the WDK include paths,
//!    `_KERNEL_MODE`/`_AMD64_` defines, MS compatibility flags, `core` types, `Default` derives).
//!    Only the NDIS headers' own items are generated; everything they use from `wdm.h`/`ntddk.h`
//!    (`KSPIN_LOCK`, `PVOID`, `PDEVICE_OBJECT`, ...) is left to wdk-sys, so each C type has exactly
//!    one Rust type. `driver/sys/kernel.rs` includes the file inside a module that imports
//!    `wdk_sys::*`.
//! 3. Links `ndis.lib` (the import library of ndis.sys), which wdk-build does not: it links only
//!    `ntoskrnl`, `hal`, `wmilib` and `BufferOverflowFastFailK` for WDM.
//!
//! NDIS version: the driver is an NDIS 6.83 miniport (`NDIS683_MINIPORT`, introduced with
//! Windows 10 version 1903; "Introduction to NDIS 6.83"). Its supported floor is later, Windows
//! 10 version 2004 (build 19041), where `ExAllocatePool2` (the allocator in `driver/pool.rs`)
//! exists; the INF models decoration is `NT$ARCH$.10.0...19041` to match (`docs/windows.md`,
//! "Supported Windows"). `NDIS_MINIPORT_DRIVER` selects the miniport half of `ndis.h`.

use std::{env, path::PathBuf};

use wdk_build::{BuilderExt, Config};

/// Preprocessor definitions for `ndis.h`: a miniport driver, NDIS 6.83 structures.
const NDIS_DEFINES: [&str; 2] = ["NDIS_MINIPORT_DRIVER=1", "NDIS683_MINIPORT=1"];

/// The header bindgen reads. `ntddk.h` first, as a WDM driver's sources would.
const WRAPPER_HEADER: &str = "#include <ntddk.h>\n#include <ndis.h>\n";

/// Headers whose items are generated: `ndis.h`, its `ndis\*.h` parts, `ntddndis.h` (shared with
/// user mode: OIDs, `NDIS_OBJECT_HEADER` users, statistics) and the interface-type headers
/// `ntddndis.h` includes. Anything else comes from wdk-sys; if a Windows build reports a missing
/// type, the header that defines it belongs in this list.
const NDIS_HEADER_FILES: &str = r"(?i).*[\\/](?:ndis|ntddndis|ifdef|nettypes|netiodef|netioddk|netpnp|ipifcons|ifmib|ndis[\\/].+)\.h";

/// NDIS names to generate even if bindgen attributes them to another header.
const NDIS_ITEMS: [&str; 5] = [
    "Ndis.*",
    "NDIS_.*",
    "_NDIS_.*",
    "MINIPORT_.*",
    "_MINIPORT_.*",
];

/// C macros (or functions documented as macros) that `driver/sys/kernel.rs` reproduces by their
/// documented expansion; blocklisted so that a declaration bindgen might find cannot collide.
const REIMPLEMENTED: [&str; 5] = [
    "NdisAcquireSpinLock",
    "NdisReleaseSpinLock",
    "NdisDprAcquireSpinLock",
    "NdisDprReleaseSpinLock",
    "NdisStallExecution",
];

/// Entry point, called from `build.rs` when the `kernel` feature is on.
pub fn main() {
    println!("cargo::rerun-if-changed=build_kernel.rs");

    let config = Config::from_env_auto()
        .expect("wdk-build could not read [package.metadata.wdk] from Cargo.toml");
    config
        .configure_binary_build()
        .expect("wdk-build could not configure the WDM binary build (is the WDK installed, and +crt-static on?)");

    generate_ndis_bindings(&config);

    println!("cargo::rustc-link-lib=ndis");
}

/// Runs bindgen over [`WRAPPER_HEADER`] and writes `$OUT_DIR/ndis.rs`.
fn generate_ndis_bindings(config: &Config) {
    let mut builder = bindgen::Builder::wdk_default(config)
        .expect("wdk-build could not create its default bindgen builder")
        .header_contents("rse1k-ndis.h", WRAPPER_HEADER)
        .clang_args(
            NDIS_DEFINES
                .iter()
                .map(|define| format!("--define-macro={define}")),
        )
        .allowlist_file(NDIS_HEADER_FILES)
        .allowlist_recursively(false)
        // The sys layer names enum constants as ndis.h does (`NDIS_CONNECT_LINE_BASED`), not
        // inside the per-enum modules wdk_default chooses for wdk-sys.
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .layout_tests(false);
    for item in NDIS_ITEMS {
        builder = builder.allowlist_item(item);
    }
    for item in REIMPLEMENTED {
        builder = builder.blocklist_item(item);
    }

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts"))
        .join("ndis.rs");
    builder
        .generate()
        .expect("bindgen could not generate the ndis.h bindings")
        .write_to_file(&out)
        .unwrap_or_else(|error| panic!("could not write {}: {error}", out.display()));
}
