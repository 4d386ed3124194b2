//! The lock rules the type system holds, shown as programs that must not compile (trybuild).
//!
//! One file per misuse under `tests/compile-fail/`, each with the `.stderr` the compiler must
//! print (regenerate with `TRYBUILD=overwrite` and read each one: the error must be the rule's,
//! not an unrelated one). `tests/compile-fail/pass/` is the control: correct code compiles and
//! runs, so the failures are not the harness failing to build anything.

#[test]
fn lock_misuse_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile-fail/*.rs");
    cases.pass("tests/compile-fail/pass/*.rs");
}
