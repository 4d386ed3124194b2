//! rse1k: an NDIS 6 miniport driver for the Intel 8254x ("e1000") NIC.
//!
//! One source, two builds (see `docs/design.md`):
//! - `kernel` (Windows + WDK): a `.sys` linked against `ndis.sys` and `ntoskrnl.exe`;
//! - `host` (the default, any OS): the same code linked against `ndis-sim`, the user-mode NDIS
//!   and Ke whose verifier checks the documented locking and IRQL rules.
//!
//! Layers, bottom up: [`sys`] (the only module that knows which side it is on), [`sync`] (the safe
//! spin-lock layer), [`ndis`] (the typed gateway: every other NDIS call, behind the lock context
//! and IRQL proof its page requires, and owned NBLs), then the miniport itself.
#![no_std]
#![debugger_visualizer(natvis_file = "rse1k.natvis")]

#[cfg(all(feature = "host", feature = "kernel"))]
compile_error!(
    "features `host` and `kernel` are exclusive: kernel builds use \
     `--no-default-features --features kernel`"
);
#[cfg(not(any(feature = "host", feature = "kernel")))]
compile_error!(
    "enable exactly one of `host` (the default: build against ndis-sim) or `kernel` \
     (Windows + WDK: `--no-default-features --features kernel`)"
);

// `alloc` is available in both builds: in the kernel through the driver's own global allocator
// (`pool`: nonpaged pool tagged `Rs1k`, alignment honoured), on the host through std, which
// ndis-sim links.
extern crate alloc;

// Kernel build: the panic handler windows-drivers-rs provides, and the driver's allocator.
#[cfg(feature = "kernel")]
extern crate wdk_panic;
#[cfg(feature = "kernel")]
#[global_allocator]
static GLOBAL_ALLOCATOR: pool::DriverAllocator = pool::DriverAllocator;

pub mod diag;
pub mod e1000;
pub mod miniport;
pub mod ndis;
pub mod pool;
pub mod sync;
pub mod sys;
pub mod trace;
