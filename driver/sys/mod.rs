//! The raw NDIS and Ke items, with the Rust names and types bindgen produces from `ndis.h`.
//!
//! This is the only module that knows which side the driver is built for:
//! - `kernel`: the wdk-sys bindings plus the `ndis.h` bindings that `build.rs` generates, and
//!   small accessors that reproduce C macros by their documented expansion;
//! - `host`: `ndis_sim::sys`, the simulator's mirror of the same items.
//!
//! Everything above this module names items through `crate::sys` only, so a divergence between
//! bindgen's output and the mirror is fixed here, in one place.

#[cfg(feature = "host")]
pub use ndis_sim::sys::*;

#[cfg(feature = "kernel")]
mod kernel;
#[cfg(feature = "kernel")]
pub use kernel::*;

mod access;
pub use access::*;
// Accessors for NDIS_OID_REQUEST's DATA union (both builds).
mod oid_access;
pub use oid_access::*;
