//! The `ndis.h` bindgen configuration: the one source of truth shared by `build_kernel.rs` (the
//! Windows kernel build, on top of wdk-build's `wdk_default`) and `tools/kernel-check` (the same
//! generation on any OS, on top of its reproduction of `wdk_default`).
//!
//! Only the NDIS headers' own items are generated; everything they use from `wdm.h`/`ntddk.h`
//! (`KSPIN_LOCK`, `PVOID`, `PDEVICE_OBJECT`, ...) is left to wdk-sys, so each C type has exactly
//! one Rust type. `driver/sys/kernel.rs` includes the output inside a module that imports
//! `wdk_sys::*`, after the few items this file blocklists and that module defines itself.

/// Preprocessor definitions for `ndis.h`: a miniport driver, NDIS 6.83 structures, and the
/// supported floor, Windows 10 version 2004 (`NTDDI_WIN10_VB` = `0x0A000008`, build 19041;
/// `_WIN32_WINNT_WIN10` = `0x0A00`), the INF's `NT$ARCH$.10.0...19041` decoration.
pub const NDIS_DEFINES: [&str; 4] = [
    "NDIS_MINIPORT_DRIVER=1",
    "NDIS683_MINIPORT=1",
    "NTDDI_VERSION=0x0A000008",
    "_WIN32_WINNT=0x0A00",
];

/// The header bindgen reads. `ntddk.h` first, as a WDM driver's sources would.
pub const WRAPPER_HEADER: &str = "#include <ntddk.h>\n#include <ndis.h>\n";

/// Headers whose items are generated: `ndis.h`, its `ndis\*.h` parts, `ntddndis.h` (shared with
/// user mode: OIDs, `NDIS_OBJECT_HEADER` users, statistics) and the interface-type headers
/// `ntddndis.h` includes.
pub const NDIS_HEADER_FILES: &str = r"(?i).*[\\/](?:ndis|ntddndis|ifdef|nettypes|netiodef|netioddk|netpnp|ipifcons|ifmib|ndis[\\/].+)\.h";

/// Shared (user- and kernel-mode) headers that `ndis.h`'s items use and that wdk-sys does not
/// cover (it reads only `ntifs.h`, `ntddk.h` and `ntstrsafe.h`): IPv4/IPv6 addresses
/// (`inaddr.h`, `in6addr.h`), `SOCKADDR_INET` (`ws2def.h`, `ws2ipdef.h`), NDK adapter info
/// (`ndkinfo.h`), 802.11 types (`windot11.h`, `wlantypes.h`) and quality-of-service flow specs (`qos.h`,
/// `qossp.h`). Without them the NDIS structures that embed these types do not compile.
pub const SHARED_HEADER_FILES: &str =
    r"(?i).*[\\/](?:inaddr|in6addr|ws2def|ws2ipdef|ndkinfo|windot11|wlantypes|qos|qossp)\.h";

/// NDIS names to generate even if bindgen attributes them to another header.
pub const NDIS_ITEMS: [&str; 5] = [
    "Ndis.*",
    "NDIS_.*",
    "_NDIS_.*",
    "MINIPORT_.*",
    "_MINIPORT_.*",
];

/// Items not generated, each for a reason:
/// - C macros (or functions documented as macros) and `__inline` functions that
///   `driver/sys/kernel.rs` reproduces by their documented expansion, so that a declaration
///   bindgen might find cannot collide;
/// - `NDIS_INTERRUPT_MODE`, `typedef KINTERRUPT_MODE NDIS_INTERRUPT_MODE;`, which bindgen emits
///   as `pub use self::KINTERRUPT_MODE as NDIS_INTERRUPT_MODE` although `KINTERRUPT_MODE` comes
///   from wdk-sys (E0365); `driver/sys/kernel.rs` defines the alias;
/// - `NET_BUFFER_HEADER` and `NET_BUFFER_DATA` (legacy names, `ndis/nbl.h`), which declare an
///   anonymous member of a named type (`NET_BUFFER_DATA;`, an MS extension) that bindgen drops,
///   so its layout would be 16 bytes instead of 48; both builds define them in
///   `tools/ndis-sim/src/sys/net_buffer_legacy.rs` with the header's C++ declaration of those
///   members (`NetBufferData`, `NbDataLength`); `tools/kernel-check` takes their layout from
///   clang's record layout dump instead (`record_layout.rs`).
pub const BLOCKLIST: &[&str] = &[
    "NdisAcquireSpinLock",
    "NdisReleaseSpinLock",
    "NdisDprAcquireSpinLock",
    "NdisDprReleaseSpinLock",
    "NdisStallExecution",
    "NdisAllocateSpinLock",
    "NdisFreeSpinLock",
    "NDIS_INTERRUPT_MODE",
    "_NET_BUFFER_HEADER",
    "NET_BUFFER_HEADER",
    "_NET_BUFFER_DATA",
    "NET_BUFFER_DATA",
    "PNET_BUFFER_HEADER",
    "PNET_BUFFER_DATA",
];

/// The types a miniport that offloads nothing only ever points to, generated as bindgen opaque
/// types: a blob with clang's size and alignment for the type, no fields.
///
/// Each is the pointee of one `NDIS_MINIPORT_ADAPTER_*_ATTRIBUTES` member this driver leaves
/// null (task offload, TCP chimney, native 802.11, hardware assists, NDK). Their fields pull in
/// hundreds of further types (every offload version, the 802.11 PHY tables, the VMQ/SR-IOV/QoS
/// capability sets) that neither the driver nor the simulator reads. As blobs they keep their
/// real size and alignment, so a structure embedding one is still laid out as C lays it out,
/// and the simulator mirrors exactly that blob (the ABI facts compare both). A driver that sets
/// one of these attributes removes its type from this list and mirrors its fields: reading a
/// field of a blob does not compile.
pub const OPAQUE_TYPES: [&str; 14] = [
    "_NDIS_OFFLOAD",
    "_NDIS_TCP_CONNECTION_OFFLOAD",
    "DOT11_PHY_ATTRIBUTES",
    "DOT11_EXTSTA_ATTRIBUTES",
    "DOT11_VWIFI_ATTRIBUTES",
    "_DOT11_EXTAP_ATTRIBUTES",
    "_DOT11_WFD_ATTRIBUTES",
    "_NDIS_HD_SPLIT_ATTRIBUTES",
    "_NDIS_RECEIVE_FILTER_CAPABILITIES",
    "_NDIS_NIC_SWITCH_CAPABILITIES",
    "_NDIS_SRIOV_CAPABILITIES",
    "_NDIS_QOS_CAPABILITIES",
    "_NDIS_GFT_OFFLOAD_CAPABILITIES",
    "_NDIS_NDK_CAPABILITIES",
];

/// Answers bindgen's question "does this type, generated elsewhere (wdk-sys), implement this
/// trait?" for the types `ndis.h` uses from `wdm.h`.
///
/// With `allowlist_recursively(false)` bindgen does not see wdk-sys's definitions, cannot prove
/// that `SLIST_HEADER` or `LARGE_INTEGER` are `Copy`, and falls back to `__BindgenUnionField`
/// wrappers for every union holding one. wdk-sys derives `Copy` and `Default` on all its types
/// (`wdk_default`: `derive_default(true)`, bindgen's `Copy` derive), but not `Debug` on all of
/// them (`_LARGE_INTEGER`, `_KDPC`, `_KEVENT`, `_KTIMER` have none), so only those two are
/// claimed.
#[derive(Debug)]
pub struct WdkSysTypes;

impl bindgen::callbacks::ParseCallbacks for WdkSysTypes {
    fn blocklisted_type_implements_trait(
        &self,
        _name: &str,
        derive_trait: bindgen::callbacks::DeriveTrait,
    ) -> Option<bindgen::callbacks::ImplementsTrait> {
        match derive_trait {
            bindgen::callbacks::DeriveTrait::Copy | bindgen::callbacks::DeriveTrait::Default => {
                Some(bindgen::callbacks::ImplementsTrait::Yes)
            }
            _ => None,
        }
    }
}

/// Applies the NDIS configuration to `base`, a builder already set up the way wdk-build's
/// `wdk_default` sets it up for a WDM driver (include paths, `_KERNEL_MODE`/`_AMD64_`, MS
/// compatibility flags, `core` types, `Default` derives). Layout tests stay on: bindgen's
/// assertions compare every generated struct with clang's layout when the crate compiles.
pub fn configure(base: bindgen::Builder) -> bindgen::Builder {
    let mut builder = base
        .header_contents("rse1k-ndis.h", WRAPPER_HEADER)
        .clang_args(
            NDIS_DEFINES
                .iter()
                .map(|define| format!("--define-macro={define}")),
        )
        .allowlist_file(NDIS_HEADER_FILES)
        .allowlist_file(SHARED_HEADER_FILES)
        .allowlist_recursively(false)
        .parse_callbacks(Box::new(WdkSysTypes))
        // The sys layer names enum constants as ndis.h does (`NDIS_CONNECT_LINE_BASED`), not
        // inside the per-enum modules wdk_default chooses for wdk-sys.
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .layout_tests(true);
    for item in NDIS_ITEMS {
        builder = builder.allowlist_item(item);
    }
    for item in BLOCKLIST {
        builder = builder.blocklist_item(item);
    }
    for item in OPAQUE_TYPES {
        builder = builder.opaque_type(item);
    }
    builder
}
