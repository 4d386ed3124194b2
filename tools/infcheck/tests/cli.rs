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
    temp_bytes(name, text.as_bytes())
}

fn temp_bytes(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("infcheck-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp INF");
    path
}

/// `text` as UTF-16 LE with a byte order mark, as Windows tools save an INF.
fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
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

#[test]
fn a_utf16_inf_is_read_and_checked() {
    let good = temp_bytes("utf16.inx", &utf16le(INX));
    let out = infcheck(&[good.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The findings of a UTF-16 file are those of the same text in UTF-8.
    let broken = INX.replacen("PnpLockdown = 1", "PnpLockdown = 0", 1);
    let path = temp_bytes("utf16-broken.inx", &utf16le(&broken));
    let out = infcheck(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[version-pnplockdown]"));
}

#[test]
fn encodings_infcheck_reads() {
    let text = "[Version]\r\nSignature = \"$WINDOWS NT$\"\r\n";
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend_from_slice(text.as_bytes());
    for bytes in [utf16le(text), be, bom8, text.as_bytes().to_vec()] {
        assert_eq!(infcheck::decode(&bytes).as_deref(), Ok(text));
    }
    // A UTF-16 file cut in the middle of a code unit, a lone surrogate, ANSI text.
    assert_eq!(
        infcheck::decode(&[0xFF, 0xFE, b'[', 0, b'V']),
        Err(infcheck::DecodeError::OddUtf16Length)
    );
    assert_eq!(
        infcheck::decode(&[0xFF, 0xFE, b'[', 0, 0x00, 0xD8, b']', 0]),
        Err(infcheck::DecodeError::InvalidUtf16(1))
    );
    assert_eq!(
        infcheck::decode(b"; caf\xe9\r\n"),
        Err(infcheck::DecodeError::NotUtf8(5))
    );
    let ansi = temp_bytes("ansi.inf", b"; caf\xe9\r\n");
    assert_eq!(
        infcheck(&[ansi.to_str().expect("utf-8 path")])
            .status
            .code(),
        Some(2)
    );
}
