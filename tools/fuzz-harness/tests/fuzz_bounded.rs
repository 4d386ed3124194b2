//! The fuzz targets, bounded and deterministic, in `cargo test`: every input kept under
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` is replayed, then a fixed number of
//! inputs drawn from a fixed seed (`RSE1K_FUZZ_CASES` changes the number; `RSE1K_FUZZ_SHOW=1`
//! prints each input). Kept inputs are decoded as the libFuzzer targets decode them
//! (`Arbitrary::arbitrary_take_rest`), so a crash file from `cargo fuzz` replays here once
//! copied to `fuzz/regressions/<target>/`.

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use rse1k_fuzz::hostile_rx::{self, RxScript};
use rse1k_fuzz::oid_request::{self, OidScript};
use rse1k_fuzz::{Finding, board};

/// Random inputs per target when `RSE1K_FUZZ_CASES` is not set.
const CASES: u64 = 300;

fn cases() -> u64 {
    std::env::var("RSE1K_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES)
}

/// `fuzz/<dir>/<target>/*`, sorted.
fn kept_inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files: Vec<PathBuf> = ["corpus", "regressions"]
        .iter()
        .filter_map(|dir| std::fs::read_dir(root.join(dir).join(target)).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// The input bytes (`SplitMix64` from the seed) of case `i` (64 to 4,159 bytes).
fn random_input(seed: u64, i: u64) -> Vec<u8> {
    let mut state = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let len = 64 + usize::try_from(next() % 4096).unwrap_or(0);
    (0..len).map(|_| next().to_le_bytes()[0]).collect()
}

/// How a target's input is made.
struct Target<T> {
    name: &'static str,
    seed: u64,
    /// A random input of `n` steps from the bytes (the random cases: `arbitrary`'s own sizing
    /// of collections keeps scripts short, so the length is drawn here).
    random: fn(&mut Unstructured<'_>, usize) -> arbitrary::Result<T>,
    run: fn(&T) -> Result<(), Finding>,
}

fn show(what: &str, input: &impl std::fmt::Debug) {
    if std::env::var_os("RSE1K_FUZZ_SHOW").is_some() {
        eprintln!("{what}: {input:?}");
    }
}

fn bounded<T: for<'a> Arbitrary<'a> + std::fmt::Debug>(t: &Target<T>) {
    let mut failures = Vec::new();
    let mut ran = 0u64;
    for path in kept_inputs(t.name) {
        let bytes = std::fs::read(&path).expect("readable corpus file");
        // Decoded as the libFuzzer target decodes it.
        let Ok(input) = T::arbitrary_take_rest(Unstructured::new(&bytes)) else {
            continue;
        };
        let what = path.display().to_string();
        show(&what, &input);
        ran += 1;
        if let Err(f) = (t.run)(&input) {
            failures.push(format!("{what}: {f}"));
        }
    }
    for i in 0..cases() {
        let bytes = random_input(t.seed, i);
        let mut u = Unstructured::new(&bytes);
        let steps = 1 + usize::try_from(i % 48).unwrap_or(0);
        let Ok(input) = (t.random)(&mut u, steps) else {
            continue;
        };
        let what = format!("random case {i} of seed {:#x}", t.seed);
        show(&what, &input);
        ran += 1;
        if let Err(f) = (t.run)(&input) {
            failures.push(format!("{what}: {f}\ninput: {input:?}"));
        }
    }
    eprintln!("{}: {ran} inputs ran", t.name);
    assert!(ran >= cases() / 2, "{}: only {ran} inputs decoded", t.name);
    assert!(
        failures.is_empty(),
        "{} failing input(s) of {}:\n{}",
        failures.len(),
        t.name,
        failures.join("\n")
    );
}

#[test]
fn oid_request_bounded() {
    bounded(&Target {
        name: "oid_request",
        seed: 0x01D0_F022,
        random: |u, n| {
            Ok(OidScript {
                seed: u.arbitrary()?,
                requests: (0..n).map(|_| u.arbitrary()).collect::<Result<_, _>>()?,
            })
        },
        run: oid_request::run,
    });
}

#[test]
fn hostile_rx_bounded() {
    bounded(&Target {
        name: "hostile_rx",
        seed: 0x0B5E_F022,
        random: |u, n| {
            Ok(RxScript {
                seed: u.arbitrary()?,
                events: (0..n).map(|_| u.arbitrary()).collect::<Result<_, _>>()?,
            })
        },
        run: hostile_rx::run,
    });
}

/// The harness's own frames are what it says (the checks rely on their lengths).
#[test]
fn harness_frames_have_the_asked_length_and_header() {
    let f = board::frame([1; 6], [2; 6], 7, 100);
    assert_eq!(f.len(), 100);
    assert_eq!(&f[..12], &[1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    assert_eq!(board::frame([1; 6], [2; 6], 7, 3).len(), 14);
}
