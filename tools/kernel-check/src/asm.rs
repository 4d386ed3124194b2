//! `--emit-asm`: the lock layer's zero-cost claim, shown on the kernel build's machine code.
//!
//! `driver/sync/asm_probe.rs` (compiled only with `--cfg rse1k_asm_probe`) exports each
//! acquire/release path of the lock layer next to the raw call sequence it stands for. The
//! release build of the kernel side is compiled to assembly (Intel syntax, one codegen unit)
//! and each pair's instructions are compared: the same instruction sequence (mnemonics, in
//! order, and the same imported routines called) means the layer costs nothing on that path;
//! otherwise both listings are printed. Operands are not compared: the layer's lock word and
//! data sit in one `SpinLock` object, the raw probe's in two pointers, so the addressing differs.

use std::fmt::Write as _;

/// (path, lock-layer probe, raw probe).
pub const PAIRS: [(&str, &str, &str); 5] = [
    (
        "NDIS, guard (lock + drop)",
        "rse1k_probe_ndis_guard",
        "rse1k_probe_ndis_raw",
    ),
    (
        "NDIS, scoped (with)",
        "rse1k_probe_ndis_with",
        "rse1k_probe_ndis_raw",
    ),
    (
        "NDIS, Dpr (lock_dpr + drop)",
        "rse1k_probe_ndis_dpr",
        "rse1k_probe_ndis_dpr_raw",
    ),
    (
        "Ke, guard (lock + drop)",
        "rse1k_probe_ke_guard",
        "rse1k_probe_ke_raw",
    ),
    (
        "Ke, Dpr (lock_dpr + drop)",
        "rse1k_probe_ke_dpr",
        "rse1k_probe_ke_dpr_raw",
    ),
];

/// The instructions of function `name` in `asm` (LLVM's Intel-syntax output): the lines after
/// its `name:` label up to the end of the function, without directives, labels and comments.
#[must_use]
pub fn function_body(asm: &str, name: &str) -> Option<Vec<String>> {
    let label = format!("{name}:");
    let mut lines = asm.lines().skip_while(|line| line.trim() != label);
    lines.next()?;
    let mut body = Vec::new();
    for line in lines {
        let line = line.split('#').next().unwrap_or("").trim();
        if line == ".seh_endproc" || line.starts_with(".def") || line.starts_with(".Lfunc_end") {
            break;
        }
        if line.is_empty() || line.starts_with('.') || line.ends_with(':') {
            continue;
        }
        body.push(line.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    Some(body)
}

/// The mnemonic of each instruction.
fn mnemonics(body: &[String]) -> Vec<&str> {
    body.iter()
        .map(|instruction| instruction.split(' ').next().unwrap_or(""))
        .collect()
}

/// The routines the body calls or tail-calls: the symbol operand of each `call` / `jmp`,
/// direct (`call X`) or through the import table (`call qword ptr [rip + __imp_X]`, named `X`).
/// Jumps to local labels (`.LBB0_1`) are not calls.
fn calls(body: &[String]) -> Vec<String> {
    body.iter()
        .filter(|instruction| {
            // A prefix may come first (`rex64 jmp`, a tail call).
            instruction
                .split(' ')
                .any(|token| token == "call" || token == "jmp")
        })
        .filter_map(|instruction| {
            let operand = instruction.rsplit(' ').next()?.trim_end_matches(']');
            let symbol = operand.strip_prefix("__imp_").unwrap_or(operand);
            (!symbol.starts_with('.') && !symbol.is_empty()).then(|| symbol.to_string())
        })
        .collect()
}

/// Compares every pair of [`PAIRS`] in `asm`; returns the report and whether every pair has
/// the same instruction sequence.
///
/// # Errors
/// A probe is missing from `asm`.
pub fn compare(asm: &str) -> Result<(String, bool), String> {
    let mut report = String::new();
    let mut all_same = true;
    for (path, layer, raw) in PAIRS {
        let layer_body =
            function_body(asm, layer).ok_or_else(|| format!("{layer} is not in the assembly"))?;
        let raw_body =
            function_body(asm, raw).ok_or_else(|| format!("{raw} is not in the assembly"))?;
        let same = mnemonics(&layer_body) == mnemonics(&raw_body)
            && calls(&layer_body) == calls(&raw_body);
        all_same &= same;
        let _ = writeln!(
            report,
            "  {path}: lock layer {} instructions, raw {} instructions, calls [{}]: {}",
            layer_body.len(),
            raw_body.len(),
            calls(&layer_body).join(", "),
            if same {
                "same instruction sequence"
            } else {
                "DIFFERENT"
            }
        );
        if !same {
            for (title, body) in [(layer, &layer_body), (raw, &raw_body)] {
                let _ = writeln!(report, "    {title}:");
                for instruction in body {
                    let _ = writeln!(report, "      {instruction}");
                }
            }
        }
    }
    Ok((report, all_same))
}

#[cfg(test)]
mod tests {
    use super::{calls, compare, function_body};

    const SAMPLE: &str = "\
\t.def\trse1k_probe_ke_raw;
rse1k_probe_ke_raw:
.seh_proc rse1k_probe_ke_raw
\tpush\trsi
\t.seh_pushreg rsi
\tmov\trsi, rdx                      # count
\tcall\tqword ptr [rip + __imp_KeAcquireSpinLockRaiseToDpc]
\tinc\tqword ptr [rsi]
.LBB0_1:
\tmov\tdl, al
\tpop\trsi
\trex64 jmp\tqword ptr [rip + __imp_KeReleaseSpinLock]
\t.seh_endproc
\t.def\trse1k_probe_ke_guard;
rse1k_probe_ke_guard:
\tpush\tr14
\tmov\tr14, rcx
\tcall\tqword ptr [rip + __imp_KeAcquireSpinLockRaiseToDpc]
\tinc\tqword ptr [r14 + 8]
\tmov\tdl, al
\tcall\tKeStallExecutionProcessor
\tjmp\t.LBB0_1
\tpop\tr14
\trex64 jmp\tqword ptr [rip + __imp_KeReleaseSpinLock]
\t.seh_endproc
";

    #[test]
    fn a_body_is_its_instructions_only() {
        let body = function_body(SAMPLE, "rse1k_probe_ke_raw").expect("present");
        assert_eq!(body.len(), 7);
        assert_eq!(body[1], "mov rsi, rdx");
        assert_eq!(
            calls(&body),
            ["KeAcquireSpinLockRaiseToDpc", "KeReleaseSpinLock"]
        );
        assert!(function_body(SAMPLE, "rse1k_probe_missing").is_none());
    }

    #[test]
    fn same_sequence_with_other_registers_is_the_same_and_an_extra_instruction_is_not() {
        let extra = SAMPLE
            .replace("\tcall\tKeStallExecutionProcessor\n\tjmp\t.LBB0_1\n", "")
            .replace(
                "\tinc\tqword ptr [r14 + 8]\n",
                "\tinc\tqword ptr [r14 + 8]\n\tmfence\n",
            );
        let pair_of = |asm: &str| {
            let layer = function_body(asm, "rse1k_probe_ke_guard").expect("present");
            let raw = function_body(asm, "rse1k_probe_ke_raw").expect("present");
            super::mnemonics(&layer) == super::mnemonics(&raw)
        };
        assert!(
            !pair_of(SAMPLE),
            "the guard sample has a call and a jump more"
        );
        let guard = function_body(SAMPLE, "rse1k_probe_ke_guard").expect("present");
        assert_eq!(
            calls(&guard),
            [
                "KeAcquireSpinLockRaiseToDpc",
                "KeStallExecutionProcessor",
                "KeReleaseSpinLock"
            ]
        );
        let same = SAMPLE.replace("\tcall\tKeStallExecutionProcessor\n\tjmp\t.LBB0_1\n", "");
        assert!(pair_of(&same));
        assert!(!pair_of(&extra));
        // The full comparison needs every probe.
        assert!(compare(SAMPLE).is_err());
    }
}
