//! Placeholder replaced by the lock-layer work in this session.
fn main() {}
