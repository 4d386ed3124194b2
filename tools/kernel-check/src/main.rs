//! `kernel-check`: checks rse1k's kernel build on a machine without Windows.
//!
//! Given a directory of WDK + SDK headers (`km`, `km/crt`, `shared`), it
//! 1. generates the bindings a Windows build generates: wdk-sys 0.5.2's `types.rs`,
//!    `constants.rs` and `ntddk.rs` (its build script's three bindgen runs), and rse1k's
//!    `ndis.rs` with `build_ndis_bindgen.rs`, the configuration `build_kernel.rs` applies, on
//!    top of a faithful reproduction of wdk-build 0.6.0's `wdk_default`;
//! 2. lays out a scratch workspace (copies of the project and the wdk-* crates whose build
//!    scripts, which need the WDK installed, are replaced by ones that copy those bindings);
//! 3. writes the ABI facts table (`tools/ndis-sim/abi/facts.txt`, see `facts.rs`), which the
//!    simulator's facts test compares its mirror with: bindgen's layouts, bindgen's opaque
//!    rendering of the `wdm.h` types the mirror keeps opaque (`opaque.rs`), and clang's record
//!    layouts of the structures both builds define by hand (`record_layout.rs`);
//! 4. runs `cargo check` and clippy (`-D warnings`) on the driver's kernel build for
//!    `x86_64-pc-windows-msvc` with `-Zbuild-std=core,alloc`, and reports errors and warnings.
//!
//! Nothing but the facts table is written into the project, nothing into the header directory. See README.md, "Kernel check".

mod asm;
mod facts;
mod headers;
mod record_layout;
mod wdk_default;
mod workspace;

// The one NDIS bindgen configuration, shared with build_kernel.rs.
#[path = "../../../build_ndis_bindgen.rs"]
mod ndis_bindgen;

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
    thread,
    time::Instant,
};

use bindgen::CodegenConfig;
use clap::Parser;

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(about = "Checks rse1k's kernel build against real WDK headers, on any OS")]
struct Args {
    /// The WDK/SDK `Include\<version>` directory (holding `km`, `km/crt` and `shared`).
    #[arg(long)]
    headers: PathBuf,
    /// Scratch directory for the overlay, bindings, crate copies and target dir (default:
    /// `rse1k-kernel-check` in the temporary directory).
    #[arg(long)]
    scratch: Option<PathBuf>,
    /// The rustc with library sources used for `-Zbuild-std` (Debian: rustc-web + rust-web-src).
    #[arg(long, default_value = "/usr/bin/rustc")]
    rustc: PathBuf,
    /// The clippy-driver matching `--rustc` (Debian: rust-web-clippy).
    #[arg(long, default_value = "/usr/bin/clippy-driver")]
    clippy_driver: PathBuf,
    /// Reuse wdk-sys's bindings from an earlier run in the same scratch directory (they depend
    /// on the headers only; `ndis.rs` and `opaque.rs`, which depend on this project's
    /// configuration, are always regenerated).
    #[arg(long)]
    reuse_wdk_sys: bool,
    /// Only generate the bindings and write the ABI facts table; no cargo check (for a Windows
    /// machine, whose own kernel build is the check).
    #[arg(long)]
    facts_only: bool,
    /// The clang binary for the record layouts of the structures bindgen cannot generate
    /// (default: the clang next to `LIBCLANG_PATH`, else `clang` on `PATH`).
    #[arg(long)]
    clang: Option<PathBuf>,
    /// After the check, compile the kernel side (release) to assembly with the lock layer's
    /// probes (`driver/sync/asm_probe.rs`) and compare each acquire/release path with the raw
    /// call sequence (the zero-cost claim). Fails if a pair differs.
    #[arg(long)]
    emit_asm: bool,
}

/// The project root: two levels above this crate's manifest.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Generates one bindings file and reports how long it took.
fn generate(what: &str, builder: bindgen::Builder, out: &Path) -> Result<(), String> {
    let started = Instant::now();
    builder
        .generate()
        .map_err(|error| format!("bindgen failed on {what}: {error}"))?
        .write_to_file(out.join(what))
        .map_err(|error| format!("could not write {what}: {error}"))?;
    eprintln!("  {what} generated in {:.1?}", started.elapsed());
    Ok(())
}

/// The `wdm.h` types the simulator mirrors as bindgen opaque types (a blob of the real size and
/// alignment), because a miniport only ever holds pointers to them: `DEVICE_OBJECT`
/// (`MiniportProcessSGList`'s first parameter, `DRIVER_OBJECT::DeviceObject`), `IRP` (the
/// dispatch routine types of `DRIVER_OBJECT`, whose table NDIS fills) and `FAST_IO_DISPATCH`
/// (`DRIVER_OBJECT::FastIoDispatch`, null for a miniport). Mirroring their fields would mean
/// mirroring `KDPC`, `KEVENT`, `KAPC`, `IO_STACK_LOCATION`, `FILE_OBJECT` and the fast I/O
/// routine types for nothing. The kernel build has wdk-sys's full definitions; their facts are
/// bindgen's opaque rendering of the same header types (`opaque.rs`, not part of the build).
pub const MIRROR_OPAQUE_WDM_TYPES: [&str; 3] = ["_DEVICE_OBJECT", "_IRP", "_FAST_IO_DISPATCH"];

/// The builder of one bindings file (`bindgen::Builder` is not `Send`, so each thread makes its
/// own).
fn builder_for(what: &str, include_dirs: &[&Path]) -> bindgen::Builder {
    let header = wdk_default::WDK_SYS_HEADER;
    let base = wdk_default::wdk_default(include_dirs);
    match what {
        "types.rs" => base
            .with_codegen_config(CodegenConfig::TYPES)
            .header_contents("types-input.h", header),
        "constants.rs" => base
            .with_codegen_config(CodegenConfig::VARS)
            .header_contents("constants-input.h", header),
        "ntddk.rs" => base
            .with_codegen_config((CodegenConfig::TYPES | CodegenConfig::VARS).complement())
            .header_contents("ntddk-input.h", header)
            .raw_line(wdk_default::wdk_sys_link_lines()),
        "opaque.rs" => {
            let mut builder = base
                .with_codegen_config(CodegenConfig::TYPES)
                .header_contents("opaque-input.h", header)
                .allowlist_recursively(false)
                .layout_tests(true);
            for name in MIRROR_OPAQUE_WDM_TYPES {
                builder = builder.allowlist_type(name).opaque_type(name);
            }
            builder
        }
        _ => ndis_bindgen::configure(base),
    }
}

/// Step 1: the four bindings files in `out`.
fn generate_bindings(
    include_dirs: &[&Path],
    out: &Path,
    reuse_wdk_sys: bool,
) -> Result<(), String> {
    fs::create_dir_all(out).map_err(|error| error.to_string())?;
    let have_wdk_sys = workspace::WDK_SYS_BINDINGS
        .iter()
        .all(|file| out.join(file).is_file());
    let mut jobs = vec!["ndis.rs", "opaque.rs"];
    if !(reuse_wdk_sys && have_wdk_sys) {
        jobs.extend(workspace::WDK_SYS_BINDINGS);
    }
    // Two at a time: libclang is the cost, and each run parses ntifs.h in full.
    let mut results = Vec::new();
    for batch in jobs.chunks(2) {
        thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|&what| {
                    scope.spawn(move || generate(what, builder_for(what, include_dirs), out))
                })
                .collect();
            for handle in handles {
                results.push(
                    handle
                        .join()
                        .unwrap_or_else(|_| Err("bindgen panicked".into())),
                );
            }
        });
    }
    results.into_iter().collect()
}

/// Counts the `error`/`warning` diagnostics of a `--message-format=short` cargo log.
fn count_diagnostics(log: &str) -> (usize, usize) {
    let mut errors = 0;
    let mut warnings = 0;
    for line in log.lines() {
        // Short format: `path:line:col: error[E0412]: ...`; summary lines are not counted.
        let Some((_, rest)) = line.split_once(": ") else {
            continue;
        };
        if line.starts_with("error: could not compile")
            || line.starts_with("error: aborting")
            || line.starts_with("warning: `")
            || line.starts_with("warning: build failed")
        {
            continue;
        }
        if rest.starts_with("error") || line.starts_with("error") {
            errors += 1;
        } else if rest.starts_with("warning") || line.starts_with("warning") {
            warnings += 1;
        }
    }
    (errors, warnings)
}

/// Step 5 (`--emit-asm`): the release build of the kernel side as assembly, with the probes;
/// returns the assembly text.
fn emit_asm(args: &Args, copy: &Path, scratch: &Path, bindings: &Path) -> Result<String, String> {
    let target = scratch.join("target");
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(copy)
        .args([
            "rustc",
            "--lib",
            "-p",
            "rse1k",
            "--release",
            "--crate-type",
            "rlib",
        ])
        .args(["--no-default-features", "--features", "kernel"])
        .args([
            "--target",
            "x86_64-pc-windows-msvc",
            "-Zbuild-std=core,alloc",
        ])
        .args([
            "--",
            "--emit=asm",
            "-Ccodegen-units=1",
            "--cfg",
            "rse1k_asm_probe",
        ])
        .args(["-Cllvm-args=-x86-asm-syntax=intel"])
        .env("RUSTC", &args.rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
        .env("RSE1K_KERNEL_CHECK_BINDINGS", bindings)
        .env_remove("RUSTUP_TOOLCHAIN");
    let output = command
        .output()
        .map_err(|error| format!("could not run cargo: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo rustc --emit=asm failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let deps = target.join("x86_64-pc-windows-msvc/release/deps");
    let newest = fs::read_dir(&deps)
        .map_err(|error| format!("{}: {error}", deps.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|extension| extension == "s")
                && path
                    .file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with("rse1k-"))
        })
        .max_by_key(|path| fs::metadata(path).and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no rse1k-*.s in {}", deps.display()))?;
    eprintln!("  {}", newest.display());
    fs::read_to_string(&newest).map_err(|error| format!("{}: {error}", newest.display()))
}

/// Step 3: `cargo check` (or clippy, through `RUSTC_WORKSPACE_WRAPPER`) of the kernel build in
/// the copy. Returns the log and (errors, warnings).
fn cargo_check(
    args: &Args,
    copy: &Path,
    scratch: &Path,
    bindings: &Path,
    clippy: bool,
) -> Result<(String, usize, usize), String> {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(copy)
        .args(["check", "--lib", "-p", "rse1k", "--no-default-features"])
        .args(["--features", "kernel", "--target", "x86_64-pc-windows-msvc"])
        .args(["-Zbuild-std=core,alloc", "--message-format=short"])
        .env("RUSTC", &args.rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("CARGO_PROFILE_DEV_PANIC", "abort")
        .env("RSE1K_KERNEL_CHECK_BINDINGS", bindings)
        // The project's rust-toolchain.toml pins rustup's toolchain; the build uses --rustc.
        .env_remove("RUSTUP_TOOLCHAIN");
    if clippy {
        // What `cargo clippy -- -D warnings` does: clippy-driver wraps rustc for the workspace's
        // own crates only, with its arguments in CLIPPY_ARGS.
        command
            .env("RUSTC_WORKSPACE_WRAPPER", &args.clippy_driver)
            .env(
                "CLIPPY_ARGS",
                "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
            );
    }
    let output = command
        .output()
        .map_err(|error| format!("could not run cargo: {error}"))?;
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    let (errors, warnings) = count_diagnostics(&log);
    if !output.status.success() && errors == 0 {
        return Err(format!("cargo failed without a diagnostic:\n{log}"));
    }
    Ok((log, errors, warnings))
}

fn run(args: &Args) -> Result<bool, String> {
    let scratch = args
        .scratch
        .clone()
        .unwrap_or_else(|| env::temp_dir().join("rse1k-kernel-check"));
    fs::create_dir_all(&scratch).map_err(|error| error.to_string())?;
    let scratch = fs::canonicalize(&scratch).map_err(|error| error.to_string())?;
    let project = fs::canonicalize(project_root()).map_err(|error| error.to_string())?;

    eprintln!("== headers: {}", args.headers.display());
    let mut dirs = headers::include_dirs(&args.headers).map_err(|error| error.to_string())?;
    let overlay = scratch.join("case-overlay");
    let links = headers::build_case_overlay(&dirs, &overlay).map_err(|error| error.to_string())?;
    eprintln!("  case overlay: {links} links in {}", overlay.display());
    dirs.push(overlay);

    eprintln!("== bindings (wdk-sys 0.5.2 and build_ndis_bindgen.rs)");
    let bindings = scratch.join("bindings");
    let dir_refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    generate_bindings(&dir_refs, &bindings, args.reuse_wdk_sys)?;

    let clang = record_layout::find_clang(args.clang.as_deref());
    eprintln!(
        "== record layouts of the hand-defined structures ({})",
        clang.display()
    );
    let hand_defined = record_layout::hand_defined(
        &clang,
        &[
            wdk_default::clang_args(&dir_refs),
            ndis_bindgen::NDIS_DEFINES
                .iter()
                .map(|define| format!("--define-macro={define}"))
                .collect(),
        ]
        .concat(),
        ndis_bindgen::WRAPPER_HEADER,
        &scratch,
    )?;

    let facts_path = project.join("tools/ndis-sim/abi/facts.txt");
    let (structures, constants) = facts::write(&project, &bindings, &hand_defined, &facts_path)?;
    eprintln!(
        "== ABI facts: {structures} structures, {constants} constants -> {}",
        facts_path.display()
    );

    if args.facts_only {
        return Ok(true);
    }

    eprintln!("== scratch workspace");
    let copy = workspace::prepare(&project, &scratch).map_err(|error| error.to_string())?;
    eprintln!("  {}", copy.display());

    let mut clean = true;
    for (name, clippy) in [("cargo check", false), ("clippy -D warnings", true)] {
        eprintln!(
            "== {name}: --no-default-features --features kernel --target x86_64-pc-windows-msvc"
        );
        let (log, errors, warnings) = cargo_check(args, &copy, &scratch, &bindings, clippy)?;
        let log_path = scratch.join(if clippy { "clippy.log" } else { "check.log" });
        fs::write(&log_path, &log).map_err(|error| error.to_string())?;
        for line in log
            .lines()
            .filter(|line| line.contains("error") || line.contains("warning"))
        {
            eprintln!("  {line}");
        }
        eprintln!(
            "{name}: {errors} errors, {warnings} warnings (log: {})",
            log_path.display()
        );
        clean &= errors == 0 && warnings == 0;
    }
    if args.emit_asm {
        eprintln!("== zero cost: lock layer vs raw calls, release kernel build, --emit=asm");
        let assembly = emit_asm(args, &copy, &scratch, &bindings)?;
        let (report, same) = asm::compare(&assembly)?;
        eprint!("{report}");
        fs::write(scratch.join("asm-report.txt"), &report).map_err(|error| error.to_string())?;
        eprintln!(
            "zero cost: {}",
            if same {
                "every path is the raw call sequence"
            } else {
                "a path DIFFERS from the raw call sequence"
            }
        );
        clean &= same;
    }
    Ok(clean)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => {
            eprintln!("kernel check: clean");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("kernel check: FAILED");
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("kernel-check: {message}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::count_diagnostics;

    #[test]
    fn short_format_diagnostics_are_counted_and_summaries_are_not() {
        let log = "driver/a.rs:1:2: error[E0412]: cannot find type `X`\n\
                   driver/b.rs:3:4: warning: unused import\n\
                   warning: `rse1k` (lib) generated 1 warning\n\
                   error: could not compile `rse1k` (lib) due to 1 previous error\n\
                   \x20  Compiling rse1k v0.1.0\n";
        assert_eq!(count_diagnostics(log), (1, 1));
    }
}
