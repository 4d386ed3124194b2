//! The `infcheck` binary: exit codes and the `file:line: error[rule]: message` format.

use std::path::PathBuf;
use std::process::Command;

const INX: &str = include_str!("../../../inf/rse1k.inx");

fn infcheck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_infcheck"))
        .args(args)
        .output()
        .expect("run infcheck")
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("infcheck-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp INF");
    path
}

#[test]
fn the_real_inx_exits_zero() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../inf/rse1k.inx");
    let out = infcheck(&[path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_broken_inf_exits_one_with_located_messages() {
    let path = temp_file(
        "broken.inx",
        &INX.replacen("PnpLockdown = 1", "PnpLockdown = 0", 1),
    );
    let out = infcheck(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let line = INX
        .lines()
        .position(|l| l.starts_with("PnpLockdown"))
        .expect("line")
        + 1;
    let expected = format!("{}:{line}: error[version-pnplockdown]: ", path.display());
    assert!(stdout.starts_with(&expected), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

#[test]
fn usage_and_unreadable_files_exit_two() {
    assert_eq!(infcheck(&[]).status.code(), Some(2));
    assert_eq!(infcheck(&["/nonexistent/rse1k.inf"]).status.code(), Some(2));
}
