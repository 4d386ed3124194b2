//! `MiniportOidRequest` through the simulator: see `rse1k_fuzz::oid_request`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rse1k_fuzz::oid_request::{OidScript, run};

fuzz_target!(|script: OidScript| {
    if let Err(finding) = run(&script) {
        panic!("{finding}\ninput: {script:?}");
    }
});
