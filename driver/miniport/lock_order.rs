//! The adapter's lock order, declared once: [`StateLevel`] (phase, filters, link, NIC
//! statistics) → [`SendLevel`] (send gate, queue and TX ring) → [`RecvLevel`] (receive flag,
//! RX ring and buffer pool). A routine may take a later lock while holding an earlier one,
//! never the reverse; the types enforce it (`docs/design.md` §2). Data the ISR touches lives in
//! an `InterruptShared`, under no spin lock. The runner's lock workload (`tools/rse1k-run`)
//! uses these same levels.

use crate::impl_lock_after;

/// Lock level of the adapter state (`rse1k.state`), taken first.
pub enum StateLevel {}
/// Lock level of the send path (`rse1k.send`), taken under `state` if at all.
pub enum SendLevel {}
/// Lock level of the receive path (`rse1k.recv`), taken last.
pub enum RecvLevel {}

impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);
impl_lock_after!(SendLevel => RecvLevel);
