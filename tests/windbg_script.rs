//! `tools/windows/rse1k.js`, the debugger extension, off Windows: its decoding part runs under
//! node against descriptor rings and registers made here, and its register offsets are the
//! driver's own (`driver/e1000/regs.rs`). The glue that calls the debugger needs the debugger's host and is not run here.

use std::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/windows/rse1k.js");
const REGS: &str = include_str!("../driver/e1000/regs.rs");

/// Runs `body` under node with the script's decoding functions as `r`; its stdout.
fn node(body: &str) -> Option<String> {
    let program = format!("const r = require({SCRIPT:?});\n{body}");
    let Ok(out) = Command::new("node").arg("-e").arg(&program).output() else {
        // .ci/run installs nodejs; elsewhere say what is missing.
        assert!(std::env::var_os("CI").is_none(), "CI must have node");
        eprintln!("skipped: needs node");
        return None;
    };
    assert!(
        out.status.success(),
        "node failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("utf-8"))
}

/// `pub const NAME: Reg = Reg(0x....);` in the driver's register map.
fn driver_offset(name: &str) -> u32 {
    let needle = format!("pub const {name}: Reg = Reg(0x");
    let start = REGS
        .find(&needle)
        .unwrap_or_else(|| panic!("{name} not in regs.rs"))
        + needle.len();
    let hex: String = REGS[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    u32::from_str_radix(&hex, 16).expect("hex offset")
}

#[test]
fn register_offsets_are_the_drivers() {
    let Some(out) = node("console.log(JSON.stringify(r.registers));") else {
        return;
    };
    let body = out.trim().trim_start_matches('{').trim_end_matches('}');
    let mut checked = 0;
    for pair in body.split(',') {
        let (name, value) = pair.split_once(':').expect("name:value");
        let name = name.trim_matches('"');
        let value: u32 = value.parse().expect("number");
        assert_eq!(value, driver_offset(name), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 11);
    assert!(
        !out.contains("\"ICR\""),
        "the script must never read ICR (read-to-clear)"
    );
}

#[test]
fn causes_status_and_rings_decode() {
    let Some(out) = node(
        r#"
console.log(r.decodeCauses(0x9d | 0x80000000).join("|"));
const s = r.decodeStatus(0x80 | 0x2 | 0x1);
console.log(s.linkUp, s.fullDuplex, s.speed);
const tx = r.ringSummary("TX", 256 * 16, 250, 3);
console.log(tx.count, tx.nicOwned, tx.problems.length);
const bad = r.ringSummary("RX", 100, 7, 300);
console.log(bad.problems.length);
const desc = [0x00,0x10,0x00,0x00,0x01,0,0,0, 0xea,0x05, 0,0x09, 0x01, 0,0,0];
const d = r.decodeTxDescriptor(desc);
console.log(d.address.toString(16), d.length, d.endOfPacket, d.reportStatus, d.done);
const rd = r.decodeRxDescriptor([0,0,0,0,0,0,0,0, 0x40,0, 0,0, 0x03, 0x00, 0,0]);
console.log(rd.length, rd.done, rd.endOfPacket, rd.errors);
"#,
    ) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "TXDW (transmit descriptor written back)|LSC (link status change)|RXSEQ (receive sequence error)|RXDMT0 (receive descriptors below threshold)|RXT0 (receiver timer)|unnamed bits 0x80000000"
    );
    assert_eq!(lines[1], "true true 1000 Mb/s");
    // 250 → 3 on a 256-descriptor ring wraps: 9 descriptors queued.
    assert_eq!(lines[2], "256 9 0");
    // A length that is not a multiple of 128 and a tail outside the ring are both reported.
    assert_eq!(lines[3], "3");
    assert_eq!(lines[4], "100001000 1514 true true true");
    assert_eq!(lines[5], "64 true true 0");
}

#[test]
fn the_report_flags_a_descriptor_the_nic_owns_but_marked_done() {
    let Some(out) = node(
        r#"
const regs = { CTRL: 0x40, STATUS: 0x83, IMS: 0x9d, RCTL: 0x2, TCTL: 0x2, RDLEN: 128, RDH: 0, RDT: 7,
               TDLEN: 128, TDH: 2, TDT: 4 };
const zero = () => new Array(16).fill(0);
const done = () => { const d = zero(); d[12] = 1; return d; };
// TX: slots 0-1 done (the driver has not reclaimed them), 2-3 owned by the NIC; slot 3 is
// wrongly done. RX: nothing done.
const tx = [done(), done(), zero(), done(), zero(), zero(), zero(), zero()];
const rx = [zero(), zero(), zero(), zero(), zero(), zero(), zero(), zero()];
console.log(r.report(regs, tx, rx, 0x80).join("\n"));
"#,
    ) else {
        return;
    };
    assert!(out.contains("link up, 1000 Mb/s, full duplex"), "{out}");
    assert!(
        out.contains("TX ring: 8 descriptors, head 2, tail 4: 2 descriptor(s) queued"),
        "{out}"
    );
    assert!(
        out.contains("PROBLEM: slot 3 is owned by the NIC but already marked done"),
        "{out}"
    );
    assert!(
        out.contains("2 descriptor(s) done and waiting for the driver to reclaim"),
        "{out}"
    );
    assert!(
        out.contains("RX ring: 8 descriptors, head 0, tail 7: 7 descriptor(s) ready"),
        "{out}"
    );
    assert!(
        out.contains("causes saved by the ISR for the DPC (0x80): RXT0"),
        "{out}"
    );
}
