//! Kernel build (feature `kernel`, Windows + WDK only).
//!
//! 1. Configures the WDM driver link through wdk-build 0.6 (`Config::from_env_auto` reads
//!    `[package.metadata.wdk.driver-model] driver-type = "WDM"` from Cargo.toml;
//!    `Config::configure_binary_build` emits the WDK library search path and the `/DRIVER`,
//!    `/ENTRY:DriverEntry`, `/SUBSYSTEM:NATIVE`, `/INTEGRITYCHECK`, ... linker arguments, and fails
//!    unless `+crt-static` is on, which `.cargo/config.toml` sets).
//! 2. Generates `$OUT_DIR/ndis.rs` with bindgen over `ndis.h`, starting from
//!    `bindgen::Builder::wdk_default(&config)` (wdk-build's `BuilderExt`: the WDK include paths,
//!    `_KERNEL_MODE`/`_AMD64_` defines, MS compatibility flags, `core` types, `Default` derives)
//!    and applying `build_ndis_bindgen.rs`, the configuration `tools/kernel-check` applies too
//!    (defines, allowlists, blocklists, parse callbacks, layout tests on).
//! 3. Links `ndis.lib` (the import library of ndis.sys), which wdk-build does not: it links only
//!    `ntoskrnl`, `hal`, `wmilib` and `BufferOverflowFastFailK` for WDM.
//!
//! NDIS version: the driver is an NDIS 6.83 miniport (`NDIS683_MINIPORT`; "Introduction to NDIS
//! 6.83") built for Windows 10 version 2004 and later (`NTDDI_VERSION` = `NTDDI_WIN10_VB`),
//! matching the INF models decoration `NT$ARCH$.10.0...19041`. `NDIS_MINIPORT_DRIVER` selects the
//! miniport half of `ndis.h`.

use std::{env, path::PathBuf};

use wdk_build::{BuilderExt, Config};

use crate::ndis_bindgen;

/// Entry point, called from `build.rs` when the `kernel` feature is on.
pub fn main() {
    println!("cargo::rerun-if-changed=build_kernel.rs");
    println!("cargo::rerun-if-changed=build_ndis_bindgen.rs");

    let config = Config::from_env_auto()
        .expect("wdk-build could not read [package.metadata.wdk] from Cargo.toml");
    config
        .configure_binary_build()
        .expect("wdk-build could not configure the WDM binary build (is the WDK installed, and +crt-static on?)");

    generate_ndis_bindings(&config);

    println!("cargo::rustc-link-lib=ndis");
}

/// Runs bindgen over `ndis.h` with the shared configuration ([`ndis_bindgen::configure`]) on top
/// of wdk-build's `wdk_default`, and writes `$OUT_DIR/ndis.rs`.
fn generate_ndis_bindings(config: &Config) {
    let base = bindgen::Builder::wdk_default(config)
        .expect("wdk-build could not create its default bindgen builder");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts"))
        .join("ndis.rs");
    ndis_bindgen::configure(base)
        .generate()
        .expect("bindgen could not generate the ndis.h bindings")
        .write_to_file(&out)
        .unwrap_or_else(|error| panic!("could not write {}: {error}", out.display()));
}
