//! The timed rules of the NDIS/WIFI verification set, on the simulated clock: an OID request
//! completes within 12 s (`NdisTimedOidComplete`), every send within 30 s
//! (`NdisTimedDataSend`), and while sends are pending one of them completes at least every 22 s
//! (`NdisTimedDataHang`). Each is reported once per request, NBL or stall, when the virtual
//! clock passes its deadline: in `Machine::advance_clock`, and while the host waits for a
//! completion (the wait lets the clock run once the machine has been quiet for a while, so a
//! miniport that never completes is reported, not waited on forever).
//! <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-wifi-verification>

use rustc_hash::FxHashMap;

use crate::verifier::Rule;

/// `NdisTimedOidComplete`: an OID request completes within 12 s.
/// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndistimedoidcomplete>
pub(crate) const OID_LIMIT_NS: u64 = 12_000_000_000;
/// `NdisTimedDataSend`: a send completes within 30 s.
/// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndistimeddatasend>
pub(crate) const SEND_LIMIT_NS: u64 = 30_000_000_000;
/// `NdisTimedDataHang`: with sends pending, one completes within 22 s.
/// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndistimeddatahang>
pub(crate) const HANG_LIMIT_NS: u64 = 22_000_000_000;

/// What the timed rules remember of one adapter (virtual nanoseconds).
#[derive(Debug, Default)]
pub(crate) struct Deadlines {
    /// Outstanding send NBL → when it was sent and whether its lateness was reported.
    sends: FxHashMap<usize, (u64, bool)>,
    /// When the sends last made progress (the first one sent to an idle miniport, or the last
    /// completion).
    progress_at: u64,
    /// The current stall was reported.
    hang_reported: bool,
    /// The OID request in flight: when it was issued and whether its lateness was reported.
    oid: Option<(u64, bool)>,
}

impl Deadlines {
    /// NBLs handed to `MiniportSendNetBufferLists` at `now`.
    pub(crate) fn sent(&mut self, nbls: impl IntoIterator<Item = usize>, now: u64) {
        if self.sends.is_empty() {
            self.progress_at = now;
            self.hang_reported = false;
        }
        for n in nbls {
            self.sends.insert(n, (now, false));
        }
    }

    /// An NBL completed at `now`.
    pub(crate) fn completed(&mut self, nbl: usize, now: u64) {
        if self.sends.remove(&nbl).is_some() {
            self.progress_at = now;
            self.hang_reported = false;
        }
    }

    /// An OID request issued at `now` (`Some`), or finished (`None`).
    pub(crate) fn oid(&mut self, issued_at: Option<u64>) {
        self.oid = issued_at.map(|t| (t, false));
    }

    /// Whether the OID request in flight was reported late (the host stops waiting for it).
    pub(crate) fn oid_late(&self) -> bool {
        self.oid.is_some_and(|(_, reported)| reported)
    }

    /// The deadlines passed at `now` and not yet reported, marked reported.
    pub(crate) fn expired(&mut self, now: u64) -> Vec<(Rule, String)> {
        let mut out = Vec::new();
        if let Some((at, reported)) = &mut self.oid
            && !*reported
            && now.saturating_sub(*at) >= OID_LIMIT_NS
        {
            *reported = true;
            out.push((
                Rule::NdisTimedOidComplete,
                format!(
                    "an OID request issued at {} ms (virtual) is still not complete at {} ms: \
                     the limit is 12 s",
                    *at / 1_000_000,
                    now / 1_000_000
                ),
            ));
        }
        if !self.sends.is_empty()
            && !self.hang_reported
            && now.saturating_sub(self.progress_at) >= HANG_LIMIT_NS
        {
            self.hang_reported = true;
            out.push((
                Rule::NdisTimedDataHang,
                format!(
                    "{} send NBL(s) pending and none completed since {} ms (virtual; now {} ms): \
                     the limit is 22 s",
                    self.sends.len(),
                    self.progress_at / 1_000_000,
                    now / 1_000_000
                ),
            ));
        }
        let mut late: Vec<(usize, u64)> = self
            .sends
            .iter_mut()
            .filter(|(_, (at, reported))| !*reported && now.saturating_sub(*at) >= SEND_LIMIT_NS)
            .map(|(&nbl, (at, reported))| {
                *reported = true;
                (nbl, *at)
            })
            .collect();
        late.sort_unstable();
        for (nbl, at) in late {
            out.push((
                Rule::NdisTimedDataSend,
                format!(
                    "send NBL {nbl:#x} sent at {} ms (virtual) is still not complete at {} ms: \
                     the limit is 30 s",
                    at / 1_000_000,
                    now / 1_000_000
                ),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn each_deadline_is_reported_once_when_passed() {
        let mut d = Deadlines::default();
        d.sent([0x10, 0x20], 0);
        d.oid(Some(S));
        assert!(d.expired(12 * S).is_empty());
        let at13: Vec<Rule> = d.expired(13 * S).into_iter().map(|(r, _)| r).collect();
        assert_eq!(at13, [Rule::NdisTimedOidComplete]);
        assert!(d.oid_late());
        d.completed(0x10, 20 * S);
        assert!(
            d.expired(41 * S)
                .iter()
                .all(|(r, _)| *r != Rule::NdisTimedDataHang)
        );
        let at = d.expired(42 * S);
        assert_eq!(at.len(), 1, "{at:?}");
        assert_eq!(at[0].0, Rule::NdisTimedDataHang);
        // 0x20 was sent at 0: 30 s passed long ago, reported once (above, at 41 s).
        assert!(d.expired(100 * S).is_empty());
    }

    #[test]
    fn a_completion_restarts_the_hang_clock() {
        let mut d = Deadlines::default();
        d.sent([1], 0);
        d.sent([2], 10 * S);
        d.completed(1, 21 * S);
        assert!(d.expired(29 * S).is_empty());
        let rules: Vec<Rule> = d.expired(43 * S).into_iter().map(|(r, _)| r).collect();
        assert_eq!(rules, [Rule::NdisTimedDataHang, Rule::NdisTimedDataSend]);
    }
}
