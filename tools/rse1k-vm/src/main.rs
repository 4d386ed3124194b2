//! `rse1k-vm`: starts the rse1k test VM (see the library docs and `docs/windows.md`, "Test VM").
//!
//! ```text
//! cargo run -p rse1k-vm -- --image win10.qcow2 --package target/debug/rse1k_package
//! cargo run -p rse1k-vm -- --image win10.qcow2 --create-disk 64G --install-iso Win10.iso
//! cargo run -p rse1k-vm -- --image win10.qcow2 --dry-run     # print, change nothing
//! cargo run -p rse1k-vm -- --image blank.qcow2 --probe       # start paused, check PCI, quit
//! ```

use std::fs;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use clap::{Parser, ValueEnum};
use rse1k_vm::{
    Accel, KDNET_BUSPARAMS, VmConfig, bringup_settings, check_pci_topology, firmware_candidates,
    is_secure_boot_firmware, kdnet_key, parse_info_pci, qemu_args, shell_line, valid_kdnet_key,
    windbg_command,
};

/// Which accelerator to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum AccelChoice {
    /// KVM on Linux when /dev/kvm is usable, WHPX on Windows, TCG otherwise.
    Auto,
    /// Linux KVM.
    Kvm,
    /// Windows Hypervisor Platform.
    Whpx,
    /// Software emulation.
    Tcg,
}

/// Starts a QEMU test VM for rse1k: UEFI with Secure Boot off, an e1000 under test, an e1000e
/// for KDNET at a fixed PCI address, and the driver package shared in on a read-only FAT disk.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// The Windows system disk (qcow2 or raw). With --create-disk it is created when missing.
    #[arg(long)]
    image: PathBuf,
    /// Create --image as a blank qcow2 of this size (e.g. 64G) when it does not exist.
    #[arg(long, value_name = "SIZE")]
    create_disk: Option<String>,
    /// A Windows installation ISO to boot first (for a blank disk).
    #[arg(long, value_name = "ISO")]
    install_iso: Option<PathBuf>,
    /// The package `cargo make` built (shared into the VM as `rse1k_package`).
    #[arg(long, default_value = "target/debug/rse1k_package")]
    package: PathBuf,
    /// The test-machine scripts (shared into the VM as tools).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../windows"))]
    scripts: PathBuf,
    /// Where the VM's firmware variables, KDNET key and staged share live.
    #[arg(long, default_value = "target/rse1k-vm")]
    state_dir: PathBuf,
    /// Guest memory in MiB.
    #[arg(long, default_value_t = 4096)]
    memory: u32,
    /// Virtual processors.
    #[arg(long, default_value_t = 2)]
    cpus: u32,
    /// Accelerator.
    #[arg(long, value_enum, default_value_t = AccelChoice::Auto)]
    accel: AccelChoice,
    /// UDP port the debugger listens on for KDNET (50000-50039).
    #[arg(long, default_value_t = 50000, value_parser = clap::value_parser!(u16).range(50000..=50039))]
    port: u16,
    /// KDNET key w.x.y.z (default: generated once and kept in the state directory).
    #[arg(long)]
    kdnet_key: Option<String>,
    /// The QEMU binary.
    #[arg(long, default_value = "qemu-system-x86_64")]
    qemu: String,
    /// The qemu-img binary (for --create-disk).
    #[arg(long, default_value = "qemu-img")]
    qemu_img: String,
    /// UEFI firmware code without Secure Boot (default: the first one found of the usual paths).
    #[arg(long, requires = "firmware_vars")]
    firmware_code: Option<PathBuf>,
    /// UEFI variable store template with no Secure Boot keys (copied once per VM).
    #[arg(long, requires = "firmware_code")]
    firmware_vars: Option<PathBuf>,
    /// QEMU -display value (default: QEMU's own window).
    #[arg(long)]
    display: Option<String>,
    /// Print what would be done and the QEMU command line; change nothing.
    #[arg(long, conflicts_with = "probe")]
    dry_run: bool,
    /// Stage everything, start QEMU paused, check the PCI topology from its monitor, and quit.
    #[arg(long)]
    probe: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("rse1k-vm: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let (code, vars_template) = firmware(args)?;
    if is_secure_boot_firmware(&code) {
        return Err(format!(
            "{} enforces Secure Boot, which refuses a test-signed driver: pass firmware without it",
            code.display()
        ));
    }
    let accel = choose_accel(args.accel);
    let vars = args.state_dir.join("OVMF_VARS.fd");
    let share = args.state_dir.join("share");
    let key_file = args.state_dir.join("kdnet-key");
    let key = match (&args.kdnet_key, fs::read_to_string(&key_file)) {
        (Some(key), _) => key.clone(),
        (None, Ok(saved)) => saved.trim().to_owned(),
        (None, Err(_)) => kdnet_key(entropy()),
    };
    if !valid_kdnet_key(&key) {
        return Err(format!(
            "KDNET key `{key}` is not four dot-separated base-36 words"
        ));
    }
    let config = VmConfig {
        image: args.image.clone(),
        install_iso: args.install_iso.clone(),
        firmware_code: code,
        firmware_vars: vars.clone(),
        share_dir: share.clone(),
        memory_mib: args.memory,
        cpus: args.cpus,
        accel,
        display: if args.probe {
            Some("none".to_owned())
        } else {
            args.display.clone()
        },
    };
    let qemu_line = qemu_args(&config);

    let create_disk = args.create_disk.as_ref().filter(|_| !args.image.exists());
    if args.dry_run {
        print_plan(
            args,
            create_disk,
            &vars_template,
            &vars,
            &share,
            &key,
            &qemu_line,
        );
        return Ok(ExitCode::SUCCESS);
    }

    prepare_state(args, create_disk, &vars_template, &vars)?;
    fs::write(&key_file, format!("{key}\n"))
        .map_err(|e| format!("cannot write {}: {e}", key_file.display()))?;
    stage_share(&share, &args.package, &args.scripts, args.port, &key)?;

    if args.probe {
        return probe(&args.qemu, &qemu_line);
    }
    println!(
        "Shared into the VM as drive {}: {}",
        rse1k_vm::SHARE_LABEL,
        share.display()
    );
    println!(
        "In the VM, elevated: powershell -ExecutionPolicy Bypass -File <{}:>\\tools\\Start-Rse1kBringup.ps1",
        rse1k_vm::SHARE_LABEL
    );
    println!(
        "KDNET: busparams {KDNET_BUSPARAMS}; on this host: {}",
        windbg_command(args.port, &key)
    );
    println!("{}", shell_line(&args.qemu, &qemu_line));
    let status = Command::new(&args.qemu)
        .args(&qemu_line)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", args.qemu))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Creates the state directory, the blank disk when asked, and this VM's variable store.
fn prepare_state(
    args: &Args,
    create_disk: Option<&String>,
    vars_template: &Path,
    vars: &Path,
) -> Result<(), String> {
    fs::create_dir_all(&args.state_dir)
        .map_err(|e| format!("cannot create {}: {e}", args.state_dir.display()))?;
    if let Some(size) = create_disk {
        let status = Command::new(&args.qemu_img)
            .args(["create", "-f", "qcow2"])
            .arg(&args.image)
            .arg(size)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", args.qemu_img))?;
        if !status.success() {
            return Err(format!("{} create failed: {status}", args.qemu_img));
        }
    }
    if !args.image.exists() {
        return Err(format!(
            "{} does not exist (pass --create-disk SIZE to create a blank one)",
            args.image.display()
        ));
    }
    if !vars.exists() {
        fs::copy(vars_template, vars).map_err(|e| {
            format!(
                "cannot copy the firmware variables {}: {e}",
                vars_template.display()
            )
        })?;
    }
    Ok(())
}

/// `--dry-run`: what a real run would do, and the QEMU command line.
fn print_plan(
    args: &Args,
    create_disk: Option<&String>,
    vars_template: &Path,
    vars: &Path,
    share: &Path,
    key: &str,
    qemu_line: &[std::ffi::OsString],
) {
    println!("would create: {}", args.state_dir.display());
    if let Some(size) = create_disk {
        println!(
            "would run: {} create -f qcow2 {} {size}",
            args.qemu_img,
            args.image.display()
        );
    }
    if !vars.exists() {
        println!(
            "would copy: {} -> {}",
            vars_template.display(),
            vars.display()
        );
    }
    println!(
        "would stage: {} (rse1k_package from {}, tools from {}, bringup-settings.txt)",
        share.display(),
        args.package.display(),
        args.scripts.display()
    );
    print!("{}", bringup_settings(args.port, key));
    println!("debugger: {}", windbg_command(args.port, key));
    println!("{}", shell_line(&args.qemu, qemu_line));
}

/// The firmware code and variable store template: given, or the first pair found.
fn firmware(args: &Args) -> Result<(PathBuf, PathBuf), String> {
    if let (Some(code), Some(vars)) = (&args.firmware_code, &args.firmware_vars) {
        return Ok((code.clone(), vars.clone()));
    }
    firmware_candidates()
        .into_iter()
        .find(|(code, vars)| code.exists() && vars.exists())
        .ok_or_else(|| {
            "no UEFI firmware found: install OVMF (Debian/Ubuntu `apt install ovmf`, Fedora/Arch \
             `edk2-ovmf`) or pass --firmware-code and --firmware-vars"
                .to_owned()
        })
}

fn choose_accel(choice: AccelChoice) -> Accel {
    match choice {
        AccelChoice::Kvm => Accel::Kvm,
        AccelChoice::Whpx => Accel::Whpx,
        AccelChoice::Tcg => Accel::Tcg,
        AccelChoice::Auto if cfg!(windows) => Accel::Whpx,
        AccelChoice::Auto => {
            let usable = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/kvm")
                .is_ok();
            if usable { Accel::Kvm } else { Accel::Tcg }
        }
    }
}

/// 256 bits from the standard library's randomly seeded hasher.
fn entropy() -> [u64; 4] {
    let state = RandomState::new();
    let mut words = [0; 4];
    for (index, word) in words.iter_mut().enumerate() {
        let mut hasher = state.build_hasher();
        hasher.write_usize(index);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        *word = hasher.finish();
    }
    words
}

/// Lays out the shared folder afresh: `rse1k_package\`, `tools\`, `bringup-settings.txt`.
fn stage_share(
    share: &Path,
    package: &Path,
    scripts: &Path,
    port: u16,
    key: &str,
) -> Result<(), String> {
    if share.exists() {
        fs::remove_dir_all(share).map_err(|e| format!("cannot clear {}: {e}", share.display()))?;
    }
    let tools = share.join("tools");
    fs::create_dir_all(&tools).map_err(|e| format!("cannot create {}: {e}", tools.display()))?;
    copy_files(scripts, &tools, |name| {
        Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ps1") || e.eq_ignore_ascii_case("js"))
    })?;
    if package.is_dir() {
        let target = share.join("rse1k_package");
        fs::create_dir_all(&target)
            .map_err(|e| format!("cannot create {}: {e}", target.display()))?;
        copy_files(package, &target, |_| true)?;
    } else {
        eprintln!(
            "rse1k-vm: warning: no package at {} (build it with `cargo make` on Windows); the \
             bring-up will stop at the install step until it is there",
            package.display()
        );
    }
    let settings = share.join("bringup-settings.txt");
    fs::write(&settings, bringup_settings(port, key).replace('\n', "\r\n"))
        .map_err(|e| format!("cannot write {}: {e}", settings.display()))
}

fn copy_files(from: &Path, to: &Path, wanted: impl Fn(&str) -> bool) -> Result<(), String> {
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if entry.path().is_file() && wanted(&name_text) {
            fs::copy(entry.path(), to.join(&name))
                .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Starts QEMU paused (`-S`) with its monitor on stdio, asks for `info pci` and `info block`,
/// quits, and checks the topology the bring-up relies on.
fn probe(qemu: &str, line: &[std::ffi::OsString]) -> Result<ExitCode, String> {
    let mut child = Command::new(qemu)
        .args(line)
        .args(["-S", "-monitor", "stdio", "-serial", "none"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {qemu}: {e}"))?;
    {
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        // The monitor reads commands in order; `quit` ends QEMU, which closes stdout.
        stdin
            .write_all(b"info pci\ninfo block\nquit\n")
            .map_err(|e| format!("cannot talk to the QEMU monitor: {e}"))?;
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .ok_or("no stdout")?
        .read_to_string(&mut out)
        .map_err(|e| format!("cannot read the QEMU monitor: {e}"))?;
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut err);
    }
    let status = child.wait().map_err(|e| format!("QEMU: {e}"))?;
    if !status.success() {
        return Err(format!("QEMU refused the command line ({status}): {err}"));
    }
    let functions = parse_info_pci(&out);
    check_pci_topology(&functions)?;
    if !out.contains("rse1k-share") {
        return Err(format!(
            "the shared disk is missing from `info block`:\n{out}"
        ));
    }
    println!(
        "probe ok: e1000 at 0.{}.0, e1000e (KDNET, busparams {KDNET_BUSPARAMS}) at 0.{}.0, shared disk present",
        rse1k_vm::TEST_NIC_SLOT,
        rse1k_vm::KDNET_NIC_SLOT
    );
    Ok(ExitCode::SUCCESS)
}
