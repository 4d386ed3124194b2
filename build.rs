//! Build script for the rse1k driver.
//!
//! Host builds (the default `host` feature) need nothing generated: `driver/sys` re-exports the
//! simulator's mirror of the NDIS items. Kernel builds (`kernel`, Windows + WDK only) generate
//! the `ndis.h` bindings; that code lives in `build_kernel.rs`, compiled only with the feature, and
//! the bindgen configuration in `build_ndis_bindgen.rs`, which `tools/kernel-check` compiles too.

#[cfg(feature = "kernel")]
#[path = "build_kernel.rs"]
mod build_kernel;
// The ndis.h bindgen configuration, shared with tools/kernel-check.
#[cfg(feature = "kernel")]
#[path = "build_ndis_bindgen.rs"]
mod ndis_bindgen;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    #[cfg(feature = "kernel")]
    build_kernel::main();
}
