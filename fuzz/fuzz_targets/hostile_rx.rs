//! The receive path against a hostile e1000: see `rse1k_fuzz::hostile_rx`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rse1k_fuzz::hostile_rx::{RxScript, run};

fuzz_target!(|script: RxScript| {
    if let Err(finding) = run(&script) {
        panic!("{finding}\ninput: {script:?}");
    }
});
