//! The launcher's command line, checked without booting Windows: `--dry-run` output, refusal of
//! Secure Boot firmware, and `--probe` against a blank disk made with qemu-img, where QEMU itself
//! accepts the command line and reports the PCI topology the in-VM bring-up relies on.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn launcher(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rse1k-vm"))
        .args(args)
        .output()
        .expect("run rse1k-vm")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rse1k-vm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn text(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

#[test]
fn dry_run_prints_the_vm_and_changes_nothing() {
    let dir = temp_dir("dry");
    let state = dir.join("state");
    let image = dir.join("win10.qcow2");
    let out = launcher(&[
        "--image",
        text(&image),
        "--create-disk",
        "64G",
        "--state-dir",
        text(&state),
        "--firmware-code",
        "/fw/OVMF_CODE_4M.fd",
        "--firmware-vars",
        "/fw/OVMF_VARS_4M.fd",
        "--kdnet-key",
        "abc.def.123.xyz",
        "--accel",
        "tcg",
        "--dry-run",
    ]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(out.status.success(), "{stdout}");
    for wanted in [
        "-machine q35",
        "-accel tcg -cpu max",
        "if=pflash,format=raw,unit=0,readonly=on,file=/fw/OVMF_CODE_4M.fd",
        "e1000,netdev=test,bus=pcie.0,addr=0x3,",
        "e1000e,netdev=kd,bus=pcie.0,addr=0x4,",
        "driver=vvfat,node-name=rse1k-share,read-only=on,label=RSE1K",
        "format=qcow2,file=",
        "hostip=10.0.2.2",
        "busparams=0.4.0",
        "key=abc.def.123.xyz",
        "debugger: windbg -k net:port=50000,key=abc.def.123.xyz",
        "create -f qcow2",
    ] {
        assert!(stdout.contains(wanted), "missing `{wanted}` in:\n{stdout}");
    }
    assert!(!state.exists(), "a dry run created {}", state.display());
    assert!(!image.exists(), "a dry run created the disk");
}

#[test]
fn secure_boot_firmware_and_bad_keys_are_refused() {
    let dir = temp_dir("refuse");
    let base = [
        "--image",
        "/nonexistent.qcow2",
        "--state-dir",
        text(&dir),
        "--dry-run",
        "--firmware-vars",
        "/fw/OVMF_VARS_4M.ms.fd",
    ];
    let mut secure = base.to_vec();
    secure.extend(["--firmware-code", "/fw/OVMF_CODE_4M.secboot.fd"]);
    let out = launcher(&secure);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Secure Boot"));

    let mut bad_key = base.to_vec();
    bad_key.extend([
        "--firmware-code",
        "/fw/OVMF_CODE_4M.fd",
        "--kdnet-key",
        "not-a-key",
    ]);
    let out = launcher(&bad_key);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("KDNET key"));
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "the probe run is Linux CI's: .ci/run installs QEMU, qemu-img and OVMF under /usr/share/OVMF"
)]
fn probe_starts_qemu_on_a_blank_disk_and_finds_both_nics() {
    let ovmf = Path::new("/usr/share/OVMF/OVMF_CODE_4M.fd");
    if !(have("qemu-system-x86_64") && have("qemu-img") && ovmf.exists()) {
        // .ci/run installs qemu-system-x86, qemu-utils and ovmf; elsewhere say what is missing.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have qemu-system-x86_64, qemu-img and OVMF"
        );
        eprintln!("skipped: needs qemu-system-x86_64, qemu-img and /usr/share/OVMF");
        return;
    }
    let dir = temp_dir("probe");
    let image = dir.join("blank.qcow2");
    let package = dir.join("rse1k_package");
    std::fs::create_dir_all(&package).expect("package dir");
    std::fs::write(
        package.join("rse1k.inf"),
        "; placeholder INF for the share\r\n",
    )
    .expect("write");
    let state = dir.join("state");
    let out = launcher(&[
        "--image",
        text(&image),
        "--create-disk",
        "1G",
        "--package",
        text(&package),
        "--state-dir",
        text(&state),
        "--accel",
        "tcg",
        "--probe",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("probe ok"), "{stdout}");
    assert!(image.exists(), "the blank disk was created");
    // What the VM sees on the shared disk.
    let share = state.join("share");
    assert!(share.join("rse1k_package/rse1k.inf").exists());
    assert!(share.join("tools/Start-Rse1kBringup.ps1").exists());
    assert!(share.join("tools/Rse1kCommon.ps1").exists());
    let settings =
        std::fs::read_to_string(share.join("bringup-settings.txt")).expect("settings written");
    let key = std::fs::read_to_string(state.join("kdnet-key")).expect("key kept");
    assert!(
        settings.contains(&format!("key={}\r\n", key.trim())),
        "{settings}"
    );
    // A second run keeps the key: the debugger command stays valid across launches.
    let again = launcher(&[
        "--image",
        text(&image),
        "--state-dir",
        text(&state),
        "--dry-run",
    ]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains(&format!("key={}", key.trim())),
        "the saved key is reused"
    );
}
