//! `driver/rse1k.natvis` rendered by the debugger itself: the host build of the lock layer's
//! types (the same `rse1k::sync::…` paths and field layout as the kernel build; the lock words are
//! ndis-sim's mirror of `NDIS_SPIN_LOCK` and `KSPIN_LOCK`) laid out in known states, then `cdb`
//! (Debugging Tools for Windows) loads the natvis with `.nvload` and every `dx` line below must
//! render as expected.
//!
//! - On every host, [`samples_build_without_violations`] builds the samples on the simulator
//!   (the verifier checks the lock order and IRQLs the probe uses), and
//!   [`expectations_follow_the_natvis_display_strings`] checks each expected rendering against
//!   the `DisplayString`s of the natvis entry it exercises, so a natvis edit that changes a
//!   rendering fails here too.
//! - On Linux, `under_gdb::natvis_field_paths_evaluate_under_gdb` runs the probe under `gdb`
//!   (the same types, field names and layout in DWARF as in the PDB) and evaluates every field
//!   path those natvis entries use (`Condition`s, `DisplayString` expressions, `Item`s), each
//!   compared or formatted one as a scalar: a path the standard library's layout no longer has
//!   (`ManuallyDrop` gained a `MaybeDangling` wrapper by Rust 1.95) fails here, on every change,
//!   not only on the Windows runner. `.ci/run` installs gdb; without it the test says NOT RUN,
//!   and under `CI=true` it fails.
//! - On Windows, [`natvis_renders_under_cdb`] runs this test binary under `cdb` (the child runs
//!   only [`natvis_probe_child`]), breaks in [`rse1k_natvis_break`], steps out to the frame that
//!   owns the samples and asserts on `dx`'s output. Without `cdb` it prints NOT RUN and how to
//!   install it; under `CI=true` (the Windows workflow) a missing `cdb` fails the test.
//!
//! The `cdb` command line (`-lines -cf script exe args`) and the `.nvload`, `bm`, `gu`, `dx`,
//! `.echo` and `q` commands are those of Microsoft's debugger reference:
//! <https://learn.microsoft.com/windows-hardware/drivers/debugger/cdb-command-line-options>,
//! <https://learn.microsoft.com/windows-hardware/drivers/debuggercmds/dx--display-visualizer-variables->,
//! <https://learn.microsoft.com/windows-hardware/drivers/debuggercmds/-nvload--natvis-load->.

use rse1k::impl_lock_after;
use rse1k::sync::{
    InterruptShared, KeSpinLockBackend, Locked, NdisSpinLockBackend, PassiveLevel, SpinLock,
    Unlocked,
};

/// The NDIS locks' level (acquired first).
enum NatvisOuter {}
/// The Ke locks' level (acquired under an NDIS lock, so at `DISPATCH_LEVEL`).
enum NatvisInner {}
impl_lock_after!(Unlocked => NatvisOuter);
impl_lock_after!(NatvisOuter => NatvisInner);

/// The environment variable that makes this binary the debuggee.
const CHILD: &str = "RSE1K_NATVIS_CHILD";

/// One `dx` command and what its output line must match: literal text, where `#` stands for a
/// number in any radix the debugger picks (`7`, `0x7`, `0x00000007`, a char suffix `'\x7'`
/// allowed) so the check is about the natvis, not about the debugger's number formatting.
struct Expectation {
    /// The `dx` expression (a local of [`natvis_probe_child`]'s frame).
    expression: &'static str,
    /// The natvis `Type Name` (as written in the file) whose view the sample must get.
    natvis_type: &'static str,
    /// The rendering, `#` for each number, in the order the natvis `DisplayString` prints them.
    rendering: &'static str,
    /// The numbers, in order.
    numbers: &'static [u64],
}

/// The natvis entries the samples exercise, as their `Type Name`s are written in the file.
const NDIS_LOCK: &str =
    "rse1k::sync::lock::SpinLock&lt;*,rse1k::sync::backend::NdisSpinLockBackend,*&gt;";
const KE_LOCK: &str =
    "rse1k::sync::lock::SpinLock&lt;*,rse1k::sync::backend::KeSpinLockBackend,*&gt;";
const KE_GUARD: &str = "rse1k::sync::lock::LockGuard&lt;*,rse1k::sync::backend::KeSpinLockBackend,*,rse1k::sync::lock::Raised&gt;";
const ANY_GUARD: &str = "rse1k::sync::lock::LockGuard&lt;*,*,*,rse1k::sync::lock::Raised&gt;";
const INTERRUPT_SHARED: &str = "rse1k::sync::interrupt::InterruptShared&lt;*&gt;";
const PASSIVE: &str = "rse1k::sync::irql::PassiveLevel";

/// The body of the natvis `<Type Name="name">` entry.
fn natvis_entry<'a>(natvis: &'a str, name: &str) -> Option<&'a str> {
    let start = natvis.find(&format!("<Type Name=\"{name}\">"))?;
    let rest = &natvis[start..];
    Some(&rest[..rest.find("</Type>")?])
}

/// What each sample must look like (see [`natvis_probe_child`] for their states).
const EXPECTATIONS: &[Expectation] = &[
    Expectation {
        expression: "*free_ndis",
        natvis_type: NDIS_LOCK,
        rendering: "{ free, # }",
        numbers: &[7],
    },
    Expectation {
        expression: "*held_ndis",
        natvis_type: NDIS_LOCK,
        rendering: "{ held, OldIrql=#, # }",
        numbers: &[0, 11],
    },
    Expectation {
        expression: "*free_ke",
        natvis_type: KE_LOCK,
        rendering: "{ free, # }",
        numbers: &[13],
    },
    Expectation {
        // The simulator's lock word names the owner: processor 0 + 1.
        expression: "*held_ke",
        natvis_type: KE_LOCK,
        rendering: "{ held (#), # }",
        numbers: &[1, 17],
    },
    Expectation {
        expression: "ndis_guard",
        natvis_type: ANY_GUARD,
        rendering: "{ guard of { held, OldIrql=#, # } }",
        numbers: &[0, 11],
    },
    Expectation {
        // Taken under the NDIS lock: the IRQL it restores is DISPATCH_LEVEL.
        expression: "ke_guard",
        natvis_type: KE_GUARD,
        rendering: "{ guard, restores IRQL # on drop }",
        numbers: &[2],
    },
    Expectation {
        expression: "*shared",
        natvis_type: INTERRUPT_SHARED,
        rendering: "{ interrupt not registered, # }",
        numbers: &[19],
    },
    Expectation {
        expression: "passive",
        natvis_type: PASSIVE,
        rendering: "{ proof: IRQL = PASSIVE_LEVEL }",
        numbers: &[],
    },
];

/// Where the debugger stops: the probe calls it with every sample in its own frame, and the
/// debugger's `gu` returns to that frame. Never inlined, so it keeps its own symbol.
#[inline(never)]
fn rse1k_natvis_break() {
    std::hint::black_box(());
}

/// The samples in their states, then [`rse1k_natvis_break`] while they are alive: two NDIS locks
/// (one free, one held by a guard), two Ke locks (one free, one held under the NDIS one), an
/// interrupt-shared cell not registered, a `PASSIVE_LEVEL` proof.
fn lay_out_samples() {
    let machine = ndis_sim::Machine::builder().processors(1).build();
    machine.run_on(0, || {
        // SAFETY: the start of a routine on a simulated processor at PASSIVE_LEVEL: no lock
        // held, the only root context.
        let mut cx = unsafe { Locked::<Unlocked>::new() };
        // SAFETY: run_on starts the routine at PASSIVE_LEVEL; the proof is only displayed.
        let passive = unsafe { PassiveLevel::assume() };
        let free_ndis_lock =
            SpinLock::<u32, NdisSpinLockBackend, NatvisOuter>::try_new(&cx, "natvis.free_ndis", 7)
                .expect("pool");
        let held_ndis_lock =
            SpinLock::<u32, NdisSpinLockBackend, NatvisOuter>::try_new(&cx, "natvis.held_ndis", 11)
                .expect("pool");
        let free_ke_lock =
            SpinLock::<u32, KeSpinLockBackend, NatvisInner>::try_new(&cx, "natvis.free_ke", 13)
                .expect("pool");
        let held_ke_lock =
            SpinLock::<u32, KeSpinLockBackend, NatvisInner>::try_new(&cx, "natvis.held_ke", 17)
                .expect("pool");
        let shared_cell = InterruptShared::try_new(&cx, 19_u32).expect("pool");
        // References, so `dx *name` reaches the visualised type whatever the box around it.
        let free_ndis = &*free_ndis_lock;
        let held_ndis = &*held_ndis_lock;
        let free_ke = &*free_ke_lock;
        let held_ke = &*held_ke_lock;
        let shared = &shared_cell;
        {
            let mut ndis_guard = held_ndis.lock(&mut cx);
            let ke_guard = held_ke.lock(ndis_guard.locked());
            rse1k_natvis_break();
            std::hint::black_box((&ke_guard, free_ndis, free_ke, shared, &passive));
        }
    });
    let report = machine.report();
    assert!(report.violations.is_empty(), "{report}");
}

#[test]
fn samples_build_without_violations() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    lay_out_samples();
}

/// The debuggee's side: only when [`CHILD`] is set (by [`natvis_renders_under_cdb`]).
#[test]
fn natvis_probe_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    lay_out_samples();
}

/// `DisplayString` templates of the natvis with every `{expression}` replaced by `#` and `{{`,
/// `}}` unescaped, as the debugger prints them (the numbers aside).
fn display_templates(natvis: &str) -> Vec<String> {
    natvis
        .split("<DisplayString")
        .skip(1)
        .filter_map(|rest| {
            // The start tag ends at the first `>` outside its quoted attributes (a `Condition`
            // may hold `->`).
            let mut quoted = false;
            let start = rest.char_indices().find_map(|(at, c)| match c {
                '"' => {
                    quoted = !quoted;
                    None
                }
                '>' if !quoted => Some(at + 1),
                _ => None,
            })?;
            let end = rest.find("</DisplayString>")?;
            Some(template(&rest[start..end]))
        })
        .collect()
}

/// One `DisplayString` body as a rendering pattern: `{{` → `{`, `}}` → `}`, `{expr}` → `#`.
fn template(body: &str) -> String {
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut depth = 1;
                for inner in chars.by_ref() {
                    match inner {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                }
                out.push('#');
            }
            _ => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Whether `rendering` comes from `template`, where a template `#` may stand for a whole nested
/// rendering (`{*lock}` shows the lock's own `DisplayString`) or a number.
fn follows(rendering: &str, template: &str, templates: &[String]) -> bool {
    if !template.contains('#') {
        return rendering == template;
    }
    let (before, after) = template.split_once('#').expect("checked above");
    let Some(rest) = rendering.strip_prefix(before) else {
        return false;
    };
    // Try every split of `rest` into what `#` covers and what the rest of the template covers.
    (0..=rest.len())
        .filter(|&at| rest.is_char_boundary(at))
        .any(|at| {
            let (covered, tail) = rest.split_at(at);
            let nested = covered == "#"
                || (covered.starts_with('{')
                    && templates.iter().any(|t| follows(covered, t, templates)));
            nested && follows(tail, after, templates)
        })
}

#[test]
fn expectations_follow_the_natvis_display_strings() {
    let natvis = include_str!("../driver/rse1k.natvis");
    let templates = display_templates(natvis);
    assert!(templates.len() >= 20, "{templates:?}");
    for e in EXPECTATIONS {
        assert_eq!(
            e.rendering.matches('#').count(),
            e.numbers.len(),
            "{}: one number per #",
            e.expression
        );
        let entry = natvis_entry(natvis, e.natvis_type)
            .unwrap_or_else(|| panic!("{}: no natvis entry {}", e.expression, e.natvis_type));
        // Its own DisplayStrings; a `#` may stand for a nested view of any entry (`{*lock}`).
        assert!(
            display_templates(entry)
                .iter()
                .any(|t| follows(e.rendering, t, &templates)),
            "{}: {:?} is not a rendering of any DisplayString of {}",
            e.expression,
            e.rendering,
            e.natvis_type
        );
    }
    // A changed DisplayString no longer matches the expectations written against it.
    let edited = natvis.replace("{{ free, {data.value} }}", "{{ unlocked, {data.value} }}");
    let edited_templates = display_templates(&edited);
    assert!(
        !edited_templates
            .iter()
            .any(|t| follows("{ free, # }", t, &edited_templates))
    );
}

/// Whether `line` (one line of `dx` output) shows `expected`'s rendering: the literal parts in
/// order, each `#` a number equal to the next of `expected.numbers`.
fn renders(line: &str, expected: &Expectation) -> bool {
    let mut rest = line;
    let mut numbers = expected.numbers.iter();
    let mut parts = expected.rendering.split('#').peekable();
    let first = parts.next().unwrap_or_default();
    let Some(at) = rest.find(first) else {
        return false;
    };
    rest = &rest[at + first.len()..];
    for part in parts {
        let Some(&want) = numbers.next() else {
            return false;
        };
        let Some((value, tail)) = leading_number(rest) else {
            return false;
        };
        if value != want || !tail.starts_with(part) {
            return false;
        }
        rest = &tail[part.len()..];
    }
    true
}

/// A number at the start of `text` as a debugger prints it (`17`, `0x11`, `0n17`, optionally
/// followed by a character literal such as ` '\x11'`), and the text after it.
fn leading_number(text: &str) -> Option<(u64, &str)> {
    let (radix, digits_start) = if let Some(hex) = text.strip_prefix("0x") {
        (16, hex)
    } else if let Some(dec) = text.strip_prefix("0n") {
        (10, dec)
    } else {
        (10, text)
    };
    let end = digits_start
        .find(|c: char| !c.is_ascii_hexdigit() || (radix == 10 && !c.is_ascii_digit()))
        .unwrap_or(digits_start.len());
    let value = u64::from_str_radix(&digits_start[..end], radix).ok()?;
    let mut tail = &digits_start[end..];
    if let Some(quoted) = tail.strip_prefix(" '")
        && let Some(close) = quoted.find('\'')
    {
        tail = &quoted[close + 1..];
    }
    Some((value, tail))
}

#[test]
fn the_output_check_accepts_any_radix_and_rejects_a_wrong_rendering() {
    let held = &EXPECTATIONS[1];
    for line in [
        "*held_ndis,d     : { held, OldIrql=0, 11 } [Type: rse1k::sync::lock::SpinLock<...>]",
        "*held_ndis       : { held, OldIrql=0x0, 0xb } [Type: rse1k::sync::lock::SpinLock<...>]",
    ] {
        assert!(renders(line, held), "{line}");
    }
    for line in [
        "*held_ndis,d     : { free, 11 } [Type: rse1k::sync::lock::SpinLock<...>]",
        "*held_ndis,d     : { held, OldIrql=0, 12 } [Type: rse1k::sync::lock::SpinLock<...>]",
        "*held_ndis,d     [Type: rse1k::sync::lock::SpinLock<...>]",
    ] {
        assert!(!renders(line, held), "{line}");
    }
    let guard = &EXPECTATIONS[5];
    assert!(renders(
        "ke_guard,d : { guard, restores IRQL 0x2 '\\x2' on drop } [Type: ...]",
        guard
    ));
}

#[cfg(windows)]
mod under_cdb {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use super::{CHILD, EXPECTATIONS, renders};

    /// Marks around the `dx` output in the debugger's transcript.
    const BEGIN: &str = "rse1k-natvis-begin";
    const END: &str = "rse1k-natvis-end";

    /// `cdb.exe` from `CDB` if set, else where the Windows SDK's Debugging Tools install it
    /// (`%ProgramFiles(x86)%\Windows Kits\10\Debuggers\x64`).
    fn cdb() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os("CDB") {
            return Some(PathBuf::from(path));
        }
        let root = std::env::var_os("ProgramFiles(x86)")?;
        let path = Path::new(&root).join(r"Windows Kits\10\Debuggers\x64\cdb.exe");
        path.exists().then_some(path)
    }

    /// The debugger script: load the natvis, stop in the probe's frame, one `dx` per expectation
    /// between the marks, quit (ending the debuggee).
    fn script(natvis: &Path) -> String {
        let mut lines = vec![
            format!(".nvload {}", natvis.display()),
            ".nvlist".to_owned(),
            "bm *!*::rse1k_natvis_break \"gu\"".to_owned(),
            "g".to_owned(),
            format!(".echo {BEGIN}"),
        ];
        lines.extend(
            EXPECTATIONS
                .iter()
                .map(|e| format!("dx {},d", e.expression)),
        );
        lines.push(format!(".echo {END}"));
        lines.push("q".to_owned());
        lines.join("\n") + "\n"
    }

    #[test]
    fn natvis_renders_under_cdb() {
        if std::env::var_os(CHILD).is_some() {
            return;
        }
        let Some(cdb) = cdb() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs cdb.exe (Debugging Tools for Windows) to check driver/rse1k.natvis"
            );
            eprintln!(
                "natvis_renders_under_cdb: NOT RUN: no cdb.exe; install the Debugging Tools for \
                 Windows (Windows SDK) or set CDB to its path"
            );
            return;
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let natvis = root.join("driver").join("rse1k.natvis");
        let script_path =
            std::env::temp_dir().join(format!("rse1k-natvis-{}.cdb", std::process::id()));
        std::fs::write(&script_path, script(&natvis)).expect("the debugger script is written");
        let exe = std::env::current_exe().expect("the test binary");
        let output = Command::new(&cdb)
            .arg("-lines")
            .arg("-cf")
            .arg(&script_path)
            .arg(&exe)
            .args([
                "--exact",
                "natvis_probe_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD, "1")
            .output()
            .expect("cdb starts");
        let _ = std::fs::remove_file(&script_path);
        let transcript = String::from_utf8_lossy(&output.stdout);
        let Some((_, after_begin)) = transcript.split_once(BEGIN) else {
            panic!("cdb never reached the probe's breakpoint:\n{transcript}");
        };
        let dx = after_begin.split(END).next().unwrap_or_default();
        let mut wrong = Vec::new();
        for e in EXPECTATIONS {
            let shown = dx
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{},d", e.expression)));
            match shown {
                Some(line) if renders(line, e) => {}
                Some(line) => wrong.push(format!(
                    "{}: expected {:?} with {:?}, cdb shows: {line}",
                    e.expression, e.rendering, e.numbers
                )),
                None => wrong.push(format!("{}: no dx output line", e.expression)),
            }
        }
        assert!(
            wrong.is_empty(),
            "the natvis renders wrongly under cdb:\n{}\n--- transcript ---\n{transcript}",
            wrong.join("\n")
        );
        println!("cdb rendered every sample as expected:{dx}");
    }
}

/// The expressions a natvis entry evaluates against its object: `Condition`s, the `{…}` parts of
/// its `DisplayString`s and its `Item`s, each with whether the debugger needs a scalar there (a
/// comparison operand, or a number format such as `,d` / `,x`). Literal items (`"$T2",sb`) are
/// left out: they read no field.
fn entry_expressions(entry: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut push = |raw: &str| {
        let raw = raw
            .trim()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        if raw.starts_with('"') {
            return;
        }
        let (expression, formatted) = match raw.rsplit_once(',') {
            Some((head, spec)) if spec.chars().all(|c| c.is_ascii_alphabetic()) => (head, true),
            _ => (raw.as_str(), false),
        };
        for operator in ["==", "!="] {
            if let Some((operand, _)) = expression.split_once(operator) {
                found.push((operand.trim().to_owned(), true));
                return;
            }
        }
        found.push((expression.trim().to_owned(), formatted));
    };
    for part in entry.split("Condition=\"").skip(1) {
        push(&part[..part.find('"').unwrap_or(0)]);
    }
    for part in entry.split("<DisplayString").skip(1) {
        // The start tag ends at the first `>` outside its quoted attributes.
        let mut quoted = false;
        let start = part
            .char_indices()
            .find_map(|(at, c)| match c {
                '"' => {
                    quoted = !quoted;
                    None
                }
                '>' if !quoted => Some(at + 1),
                _ => None,
            })
            .unwrap_or(0);
        let end = part.find("</DisplayString>").unwrap_or(start);
        let body = part[start..end].replace("{{", "").replace("}}", "");
        for piece in body.split('{').skip(1) {
            push(&piece[..piece.find('}').unwrap_or(piece.len())]);
        }
    }
    for part in entry.split("<Item Name=").skip(1) {
        let start = part.find('>').map_or(0, |at| at + 1);
        push(&part[start..part.find("</Item>").unwrap_or(start)]);
    }
    found
}

/// A natvis field path on `sample` as a gdb (Rust) expression: `a.b->c` is `(*(sample).a.b).c`,
/// and a leading `*` dereferences the result.
fn gdb_expression(sample: &str, natvis_expression: &str) -> String {
    let (deref, path) = match natvis_expression.strip_prefix('*') {
        Some(path) => (true, path),
        None => (false, natvis_expression),
    };
    let mut parts = path.split("->");
    let mut expression = format!("({sample}).{}", parts.next().unwrap_or_default());
    for part in parts {
        expression = format!("(*{expression}).{part}");
    }
    if deref {
        format!("*{expression}")
    } else {
        expression
    }
}

#[test]
fn natvis_expressions_are_read_and_translated() {
    let natvis = include_str!("../driver/rse1k.natvis");
    let lock = entry_expressions(natvis_entry(natvis, NDIS_LOCK).expect("entry"));
    for (expression, needs_scalar) in [
        ("state.value.value.value.__0.SpinLock", true),
        ("state.value.value.value.__0.OldIrql", true),
        ("data.value", false),
    ] {
        assert!(
            lock.contains(&(expression.to_owned(), needs_scalar)),
            "{expression}: {lock:?}"
        );
    }
    assert!(!lock.iter().any(|(e, _)| e.contains("$T2")), "{lock:?}");
    let shared = entry_expressions(natvis_entry(natvis, INTERRUPT_SHARED).expect("entry"));
    assert!(
        shared.contains(&("inner.pointer->interrupt.handle.p.value".to_owned(), true)),
        "{shared:?}"
    );
    assert_eq!(
        gdb_expression("*shared", "inner.pointer->data.value"),
        "(*(*shared).inner.pointer).data.value"
    );
    assert_eq!(gdb_expression("ndis_guard", "*lock"), "*(ndis_guard).lock");
}

#[cfg(target_os = "linux")]
mod under_gdb {
    use std::process::Command;

    use super::{CHILD, EXPECTATIONS, entry_expressions, gdb_expression, natvis_entry};

    /// Printed before each expression's result, so a missing result (gdb wrote an error to
    /// standard error instead) is attributed to its expression.
    const MARK: &str = "rse1k-natvis-path";

    /// Whether a gdb value is a scalar: a number, a boolean, a pointer (`(*mut T) 0x0`).
    fn scalar(value: &str) -> bool {
        let value = match value.strip_prefix('(') {
            Some(rest) => rest.split_once(") ").map_or(value, |(_, v)| v),
            None => value,
        };
        let decimal = value.strip_prefix('-').unwrap_or(value);
        value == "true"
            || value == "false"
            || (!decimal.is_empty() && decimal.chars().all(|c| c.is_ascii_digit()))
            || value
                .strip_prefix("0x")
                .is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
    }

    #[test]
    fn scalars_are_told_from_structures() {
        for value in [
            "0",
            "17",
            "-1",
            "true",
            "0x1",
            "(*mut core::ffi::c_void) 0x0",
        ] {
            assert!(scalar(value), "{value}");
        }
        for value in [
            "core::mem::maybe_dangling::MaybeDangling<u64> (1)",
            "ndis_sim::sys::types::_NDIS_SPIN_LOCK {SpinLock: 1, OldIrql: 0}",
            "",
        ] {
            assert!(!scalar(value), "{value}");
        }
    }

    #[test]
    fn natvis_field_paths_evaluate_under_gdb() {
        if std::env::var_os(CHILD).is_some() {
            return;
        }
        if Command::new("gdb").arg("--version").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs gdb to evaluate the natvis field paths (.ci/run installs it)"
            );
            eprintln!(
                "natvis_field_paths_evaluate_under_gdb: NOT RUN: needs gdb \
                 (apt-get install gdb)"
            );
            return;
        }
        let natvis = include_str!("../driver/rse1k.natvis");
        let mut checks = Vec::new();
        for e in EXPECTATIONS {
            let entry = natvis_entry(natvis, e.natvis_type).expect("checked by the other test");
            for (path, needs_scalar) in entry_expressions(entry) {
                let expression = gdb_expression(e.expression, &path);
                checks.push((e.expression, path, expression, needs_scalar));
            }
        }
        assert!(checks.len() >= 20, "too few expressions: {}", checks.len());
        let exe = std::env::current_exe().expect("the test binary");
        let mut gdb = Command::new("gdb");
        gdb.args(["-batch", "-nx", "-ex", "set debuginfod enabled off"])
            .args(["-ex", "break natvis_probe::rse1k_natvis_break"])
            .args(["-ex", "run", "-ex", "up"]);
        for (index, (_, _, expression, _)) in checks.iter().enumerate() {
            gdb.arg("-ex").arg(format!("echo {MARK} {index}\\n"));
            gdb.arg("-ex").arg(format!("print {expression}"));
        }
        let output = gdb
            .arg("--args")
            .arg(&exe)
            .args(["--exact", "natvis_probe_child", "--test-threads", "1"])
            .env(CHILD, "1")
            .output()
            .expect("gdb starts");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stdout.contains(&format!("{MARK} 0\n")),
            "gdb never reached the probe:\n{stdout}\n{stderr}"
        );
        let mut wrong = Vec::new();
        for (index, (sample, path, expression, needs_scalar)) in checks.iter().enumerate() {
            let after = stdout
                .split(&format!("{MARK} {index}\n"))
                .nth(1)
                .unwrap_or_default();
            let value = after
                .lines()
                .next()
                .filter(|line| line.starts_with('$'))
                .and_then(|line| line.split_once(" = "))
                .map(|(_, value)| value);
            match value {
                None => wrong.push(format!(
                    "{sample}: `{path}` does not evaluate (gdb: print {expression})"
                )),
                Some(value) if *needs_scalar && !scalar(value) => wrong.push(format!(
                    "{sample}: `{path}` is compared or formatted as a number but is {value}"
                )),
                Some(_) => {}
            }
        }
        assert!(
            wrong.is_empty(),
            "natvis field paths that do not fit the types:\n{}\n--- gdb errors ---\n{stderr}",
            wrong.join("\n")
        );
        println!(
            "gdb evaluated {} natvis expressions on the probe's samples",
            checks.len()
        );
    }
}
