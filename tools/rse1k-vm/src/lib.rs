//! rse1k-vm: one command from a Windows disk image to a QEMU test VM for rse1k.
//!
//! The VM it defines (the same on Linux and Windows hosts):
//! - q35 with UEFI firmware (OVMF / edk2) whose variable store has no Secure Boot keys enrolled,
//!   so Secure Boot is off and test signing and kernel debugging are allowed;
//! - the NIC under test, an `e1000` (82540EM, PCI 8086:100E) at PCI 0:[`TEST_NIC_SLOT`].0;
//! - a second NIC for the kernel debugger, an `e1000e` (82574L, on KDNET's supported list) at the
//!   fixed address 0:[`KDNET_NIC_SLOT`].0, so the `busparams` KDNET needs ([`KDNET_BUSPARAMS`])
//!   are known before the VM first boots;
//! - a read-only FAT USB disk labelled [`SHARE_LABEL`] holding the staged folder: the driver package,
//!   the test-machine scripts and `bringup-settings.txt` (host address, port, key, busparams) for
//!   `Start-Rse1kBringup.ps1`, which runs inside the VM;
//! - both NICs on QEMU user-mode networking: the guest reaches the host at [`HOST_IP`], where
//!   the debugger (`windbg`) listens for KDNET.
//!
//! Everything that decides the command line is plain data ([`VmConfig`] → [`qemu_args`]), so it
//! is tested without QEMU; `--probe` starts QEMU paused on the real command line and reads the
//! PCI topology back from its monitor ([`check_pci_topology`]).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// PCI slot (device number on bus 0) of the e1000 under test.
pub const TEST_NIC_SLOT: u8 = 3;
/// PCI slot of the e1000e the kernel debugger owns.
pub const KDNET_NIC_SLOT: u8 = 4;
/// `bcdedit /set {dbgsettings} busparams` for the KDNET NIC: bus.device.function.
pub const KDNET_BUSPARAMS: &str = "0.4.0";
/// The host as the guest sees it on QEMU user-mode networking.
pub const HOST_IP: &str = "10.0.2.2";
/// The volume label of the shared FAT disk (at most 11 characters).
pub const SHARE_LABEL: &str = "RSE1K";
/// PCI vendor and device of the NIC under test (82540EM) and of the KDNET NIC (82574L).
pub const TEST_NIC_PCI_ID: (u16, u16) = (0x8086, 0x100E);
/// See [`TEST_NIC_PCI_ID`].
pub const KDNET_NIC_PCI_ID: (u16, u16) = (0x8086, 0x10D3);

/// How QEMU runs guest code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accel {
    /// Linux KVM.
    Kvm,
    /// Windows Hypervisor Platform.
    Whpx,
    /// Software emulation (slow, works everywhere).
    Tcg,
}

impl Accel {
    /// The `-accel` value.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Kvm => "kvm",
            Self::Whpx => "whpx",
            Self::Tcg => "tcg",
        }
    }

    /// The `-cpu` model that suits it: the host's CPU under KVM, QEMU's most capable model
    /// otherwise (Windows 10 needs CMPXCHG16B and LAHF/SAHF, which the default `qemu64` lacks).
    #[must_use]
    pub const fn cpu(self) -> &'static str {
        match self {
            Self::Kvm => "host",
            Self::Whpx | Self::Tcg => "max",
        }
    }
}

/// Everything the command line depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmConfig {
    /// The Windows system disk (qcow2 or raw).
    pub image: PathBuf,
    /// A Windows installation ISO to boot first, for a blank image.
    pub install_iso: Option<PathBuf>,
    /// The UEFI firmware code (read-only), without Secure Boot enforcement.
    pub firmware_code: PathBuf,
    /// This VM's writable copy of the firmware variable store.
    pub firmware_vars: PathBuf,
    /// The staged folder shared into the VM.
    pub share_dir: PathBuf,
    /// Guest memory in MiB.
    pub memory_mib: u32,
    /// Virtual processors.
    pub cpus: u32,
    /// Accelerator.
    pub accel: Accel,
    /// `-display` value, or `None` for QEMU's default window.
    pub display: Option<String>,
}

/// The disk image format QEMU should assume, from the file name (`.qcow2` or raw).
#[must_use]
pub fn image_format(image: &Path) -> &'static str {
    match image.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("qcow2") => "qcow2",
        _ => "raw",
    }
}

/// A path inside a QEMU `key=value,...` option: commas doubled, as QEMU's option syntax escapes
/// them.
#[must_use]
pub fn option_path(path: &Path) -> String {
    path.to_string_lossy().replace(',', ",,")
}

/// The QEMU arguments (without the program name) for `config`.
#[must_use]
pub fn qemu_args(config: &VmConfig) -> Vec<OsString> {
    let mut args: Vec<String> = Vec::new();
    let mut push = |parts: &[&str]| args.extend(parts.iter().map(|p| (*p).to_owned()));
    push(&["-name", "rse1k-test"]);
    push(&["-machine", "q35"]);
    push(&["-accel", config.accel.name()]);
    push(&["-cpu", config.accel.cpu()]);
    let memory = config.memory_mib.to_string();
    let cpus = config.cpus.to_string();
    push(&["-m", &memory, "-smp", &cpus]);
    // UEFI: firmware code read-only, this VM's own variable store (no Secure Boot keys).
    let code = format!(
        "if=pflash,format=raw,unit=0,readonly=on,file={}",
        option_path(&config.firmware_code)
    );
    let vars = format!(
        "if=pflash,format=raw,unit=1,file={}",
        option_path(&config.firmware_vars)
    );
    push(&["-drive", &code, "-drive", &vars]);
    // The system disk and, for an installation, the ISO, on the q35 AHCI controller (Windows
    // has its driver inbox; virtio would need extra drivers during setup).
    let system = format!(
        "if=none,id=system,format={},file={}",
        image_format(&config.image),
        option_path(&config.image)
    );
    push(&["-drive", &system]);
    push(&["-device", "ide-hd,drive=system,bus=ide.0,bootindex=1"]);
    if let Some(iso) = &config.install_iso {
        let cdrom = format!(
            "if=none,id=install,media=cdrom,readonly=on,file={}",
            option_path(iso)
        );
        push(&["-drive", &cdrom]);
        push(&["-device", "ide-cd,drive=install,bus=ide.1,bootindex=0"]);
    }
    // USB: a tablet so the pointer follows the host's, and the shared folder as a read-only
    // USB disk that QEMU builds from the directory (vvfat; an IDE disk cannot be read-only).
    // Windows has the xHCI and mass-storage drivers inbox.
    push(&["-device", "qemu-xhci,id=xhci", "-device", "usb-tablet"]);
    let share = format!(
        "driver=vvfat,node-name=rse1k-share,read-only=on,label={SHARE_LABEL},dir={}",
        option_path(&config.share_dir)
    );
    push(&["-blockdev", &share]);
    push(&[
        "-device",
        "usb-storage,drive=rse1k-share,id=rse1k-share-disk",
    ]);
    // NIC under test and KDNET NIC, each at a fixed slot on the root bus.
    let test_nic = format!(
        "e1000,netdev=test,bus=pcie.0,addr={TEST_NIC_SLOT:#x},mac=52:54:00:e1:00:01,id=rse1k-test-nic"
    );
    let kd_nic = format!(
        "e1000e,netdev=kd,bus=pcie.0,addr={KDNET_NIC_SLOT:#x},mac=52:54:00:e1:00:02,id=rse1k-kdnet-nic"
    );
    push(&["-netdev", "user,id=test", "-device", &test_nic]);
    push(&["-netdev", "user,id=kd", "-device", &kd_nic]);
    if let Some(display) = &config.display {
        push(&["-display", display]);
    }
    args.into_iter().map(OsString::from).collect()
}

/// A command line for display: each argument quoted for a POSIX shell when it needs it.
#[must_use]
pub fn shell_line(program: &str, args: &[OsString]) -> String {
    let mut line = quote(program);
    for arg in args {
        line.push(' ');
        line.push_str(&quote(&arg.to_string_lossy()));
    }
    line
}

fn quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=,.:/@+%".contains(c))
    {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// The default firmware files for the host, tried in order: (code, variable store template).
/// Debian/Ubuntu `ovmf`, Fedora `edk2-ovmf`, Arch `edk2-ovmf`, and QEMU's own copies on Windows.
#[must_use]
pub fn firmware_candidates() -> Vec<(PathBuf, PathBuf)> {
    let pairs: &[(&str, &str)] = &[
        (
            "/usr/share/OVMF/OVMF_CODE_4M.fd",
            "/usr/share/OVMF/OVMF_VARS_4M.fd",
        ),
        (
            "/usr/share/OVMF/OVMF_CODE.fd",
            "/usr/share/OVMF/OVMF_VARS.fd",
        ),
        (
            "/usr/share/edk2/ovmf/OVMF_CODE.fd",
            "/usr/share/edk2/ovmf/OVMF_VARS.fd",
        ),
        (
            "/usr/share/edk2/x64/OVMF_CODE.4m.fd",
            "/usr/share/edk2/x64/OVMF_VARS.4m.fd",
        ),
        (
            r"C:\Program Files\qemu\share\edk2-x86_64-code.fd",
            r"C:\Program Files\qemu\share\edk2-i386-vars.fd",
        ),
    ];
    pairs
        .iter()
        .map(|(code, vars)| (PathBuf::from(code), PathBuf::from(vars)))
        .collect()
}

/// Whether a firmware code file enforces Secure Boot, judged by the distributions' naming
/// (`.secboot.`, `.ms.`, `-secure-`, `snakeoil`): such firmware refuses a test-signed driver.
#[must_use]
pub fn is_secure_boot_firmware(code: &Path) -> bool {
    let name = code
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    ["secboot", ".ms.", "secure", "snakeoil"]
        .iter()
        .any(|mark| name.contains(mark))
}

/// A KDNET key: four dot-separated base-36 words (`bcdedit /dbgsettings net ... key:w.x.y.z`),
/// from 256 bits of `entropy`.
#[must_use]
pub fn kdnet_key(entropy: [u64; 4]) -> String {
    entropy
        .iter()
        .map(|&word| base36(word))
        .collect::<Vec<_>>()
        .join(".")
}

fn base36(mut value: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[usize::try_from(value % 36).unwrap_or(0)]);
        value /= 36;
        if value == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Whether `key` has the shape KDNET accepts (four non-empty base-36 words).
#[must_use]
pub fn valid_kdnet_key(key: &str) -> bool {
    let words: Vec<&str> = key.split('.').collect();
    words.len() == 4
        && words
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// What the in-VM bring-up reads: `key=value` lines (`Start-Rse1kBringup.ps1` parses them).
#[must_use]
pub fn bringup_settings(port: u16, key: &str) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "hostip={HOST_IP}");
    let _ = writeln!(text, "port={port}");
    let _ = writeln!(text, "key={key}");
    let _ = writeln!(text, "busparams={KDNET_BUSPARAMS}");
    text
}

/// The `windbg` command that attaches to the VM once KDNET is on.
#[must_use]
pub fn windbg_command(port: u16, key: &str) -> String {
    format!("windbg -k net:port={port},key={key}")
}

/// One device on bus 0 as QEMU's `info pci` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PciFunction {
    /// Device (slot) number.
    pub slot: u8,
    /// Function number.
    pub function: u8,
    /// Vendor and device id.
    pub id: (u16, u16),
}

/// Parses the monitor's `info pci` text: `Bus  0, device   3, function 0:` followed by a line
/// ending with `PCI device 8086:100e`.
#[must_use]
pub fn parse_info_pci(text: &str) -> Vec<PciFunction> {
    let mut found = Vec::new();
    let mut at: Option<(u8, u8)> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Bus") {
            at = parse_location(rest);
        } else if let (Some((slot, function)), Some(id)) = (at, line.split("PCI device ").nth(1)) {
            if let Some((vendor, device)) = id.trim().split_once(':')
                && let (Ok(vendor), Ok(device)) = (
                    u16::from_str_radix(vendor.trim(), 16),
                    u16::from_str_radix(device.trim(), 16),
                )
            {
                found.push(PciFunction {
                    slot,
                    function,
                    id: (vendor, device),
                });
            }
            at = None;
        }
    }
    found
}

/// `  0, device   3, function 0:` → (3, 0), for bus 0 only.
fn parse_location(rest: &str) -> Option<(u8, u8)> {
    let mut fields = rest.trim_end_matches(':').split(',');
    let bus: u8 = fields.next()?.trim().parse().ok()?;
    let slot = fields
        .next()?
        .trim()
        .strip_prefix("device")?
        .trim()
        .parse()
        .ok()?;
    let function = fields
        .next()?
        .trim()
        .strip_prefix("function")?
        .trim()
        .parse()
        .ok()?;
    (bus == 0).then_some((slot, function))
}

/// Checks that `info pci` shows the e1000 and the e1000e where the bring-up expects them.
///
/// # Errors
/// A sentence naming what is missing or misplaced.
pub fn check_pci_topology(functions: &[PciFunction]) -> Result<(), String> {
    for (what, slot, id) in [
        ("the e1000 under test", TEST_NIC_SLOT, TEST_NIC_PCI_ID),
        ("the KDNET e1000e", KDNET_NIC_SLOT, KDNET_NIC_PCI_ID),
    ] {
        let here = functions.iter().find(|f| f.slot == slot && f.function == 0);
        match here {
            Some(f) if f.id == id => {}
            Some(f) => {
                return Err(format!(
                    "{what} should be {:04x}:{:04x} at 0.{slot}.0, found {:04x}:{:04x}",
                    id.0, id.1, f.id.0, f.id.1
                ));
            }
            None => return Err(format!("{what} is not at PCI 0.{slot}.0")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO_PCI: &str = "  Bus  0, device   0, function 0:\n    Host bridge: PCI device 8086:29c0\n      PCI subsystem 1af4:1100\n  Bus  0, device   3, function 0:\n    Ethernet controller: PCI device 8086:100e\n      PCI subsystem 1af4:1100\n      IRQ 10, pin A\n  Bus  0, device   4, function 0:\n    Ethernet controller: PCI device 8086:10d3\n  Bus  1, device   3, function 0:\n    Ethernet controller: PCI device 8086:10d3\n";

    #[test]
    fn info_pci_is_read_for_bus_zero() {
        let functions = parse_info_pci(INFO_PCI);
        assert_eq!(
            functions,
            vec![
                PciFunction {
                    slot: 0,
                    function: 0,
                    id: (0x8086, 0x29c0)
                },
                PciFunction {
                    slot: 3,
                    function: 0,
                    id: TEST_NIC_PCI_ID
                },
                PciFunction {
                    slot: 4,
                    function: 0,
                    id: KDNET_NIC_PCI_ID
                },
            ]
        );
        assert_eq!(check_pci_topology(&functions), Ok(()));
    }

    #[test]
    fn a_misplaced_or_missing_nic_is_reported() {
        let swapped = INFO_PCI
            .replace("8086:100e", "8086:XXXX")
            .replace("8086:10d3\n  Bus  1", "8086:100e\n  Bus  1");
        let error = check_pci_topology(&parse_info_pci(&swapped)).unwrap_err();
        assert!(error.contains("e1000 under test"), "{error}");
        let without_kd = INFO_PCI.replace("device   4", "device   5");
        let error = check_pci_topology(&parse_info_pci(&without_kd)).unwrap_err();
        assert!(error.contains("not at PCI 0.4.0"), "{error}");
    }

    #[test]
    fn keys_paths_and_quoting() {
        let key = kdnet_key([0, 35, 36, u64::MAX]);
        assert_eq!(key, "0.z.10.3w5e11264sgsf");
        assert!(valid_kdnet_key(&key));
        assert!(!valid_kdnet_key("1.2.3"));
        assert!(!valid_kdnet_key("1.2..4"));
        assert_eq!(option_path(Path::new("/a,b/c")), "/a,,b/c");
        assert_eq!(image_format(Path::new("x.QCOW2")), "qcow2");
        assert_eq!(image_format(Path::new("x.img")), "raw");
        assert_eq!(
            shell_line("q", &["a b".into(), "it's".into(), "-m".into()]),
            r"q 'a b' 'it'\''s' -m"
        );
        assert!(is_secure_boot_firmware(Path::new(
            "OVMF_CODE_4M.secboot.fd"
        )));
        assert!(is_secure_boot_firmware(Path::new("OVMF_CODE_4M.ms.fd")));
        assert!(is_secure_boot_firmware(Path::new(
            "edk2-x86_64-secure-code.fd"
        )));
        assert!(!is_secure_boot_firmware(Path::new("OVMF_CODE_4M.fd")));
        assert!(!is_secure_boot_firmware(Path::new("edk2-x86_64-code.fd")));
    }
}
