//! The driver's ETW events from a run, as JSON lines (`--events FILE`): one object per event,
//! `{"provider", "event", "level", "keyword", "fields": {name: value}}` in that order (fields in
//! payload order), integers as JSON
//! numbers (hexadecimal and status fields too), booleans and strings as themselves. This is
//! the shape `tools/windows/Trace-Rse1k.ps1` writes from a Windows trace, so the two can be
//! compared event by event.

use std::io::Write;
use std::path::Path;

use ndis_sim::etw::{EtwEvent, EtwValue};
use serde_json::{Map, Value, json};

/// One event as its JSON object.
#[must_use]
pub fn to_json(event: &EtwEvent) -> Value {
    let fields: Map<String, Value> = event
        .fields
        .iter()
        .map(|(name, value)| {
            let value = match value {
                EtwValue::Bool(v) => json!(v),
                EtwValue::U32(v) | EtwValue::Hex32(v) | EtwValue::NtStatus(v) => json!(v),
                EtwValue::U64(v) | EtwValue::Hex64(v) => json!(v),
                EtwValue::Str(v) => json!(v),
            };
            (name.clone(), value)
        })
        .collect();
    json!({
        "provider": event.provider,
        "event": event.name,
        "level": event.level,
        "keyword": event.keyword,
        "fields": fields,
    })
}

/// Writes `events` to `path` as JSON lines.
///
/// # Errors
/// The file could not be written.
pub fn write(path: &Path, events: &[EtwEvent]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for event in events {
        writeln!(out, "{}", to_json(event))?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver_job::{self, DeviceKind};
    use ndis_sim::{Machine, Schedule, Strategy, VerifierMode};

    #[test]
    fn the_main_job_writes_the_lifecycle_in_order() {
        // The main job's sequence on a short run (six batches of frames): Initialize, the
        // packet filter, Restart; Pause and Restart under load half-way; the link flap two
        // thirds in; the statistics OID, Pause, Halt. On the main job's serial schedule, so the
        // sequence is a function of the seed: with free host threads, whether the last Pause
        // pends (and a PauseComplete event follows) depends on when the host thread returns
        // the receive NBLs, and it did on a loaded CI machine.
        let machine = Machine::builder()
            .processors(2)
            .seed(0xE7)
            .mode(VerifierMode::Collect)
            .schedule(Schedule::Serial(Strategy::Sticky { n: 16 }))
            .build();
        let summary = driver_job::run(
            &machine,
            DeviceKind::Model,
            None,
            6 * 64,
            &indicatif::ProgressBar::hidden(),
        )
        .expect("the job runs");
        assert_eq!(summary.mismatches, 0);
        let events = machine.etw_events();
        let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "AdapterInitialized",
                "OidRequest",
                "Restart",
                "Pause",
                "Restart",
                "LinkState",
                "LinkState",
                "OidRequest",
                "Pause",
                "Halt"
            ]
        );
        let up: Vec<_> = events
            .iter()
            .filter(|e| e.name == "LinkState")
            .map(|e| e.field("Up").cloned())
            .collect();
        assert_eq!(
            up,
            [Some(EtwValue::Bool(false)), Some(EtwValue::Bool(true))]
        );
        assert!(
            machine.etw_errors().is_empty(),
            "{:?}",
            machine.etw_errors()
        );
        assert_eq!(machine.etw_registrations(), 0);
        assert!(machine.report().violations.is_empty());
        // Every line parses back with the event's name.
        for event in &events {
            let line = to_json(event).to_string();
            let back: Value = serde_json::from_str(&line).expect("valid JSON");
            assert_eq!(back["event"], json!(event.name));
        }
    }

    #[test]
    fn an_event_is_one_line_in_the_documented_shape() {
        let event = EtwEvent {
            provider: "Rse1k.Miniport".into(),
            name: "InitializeFailed".into(),
            level: 2,
            keyword: 5,
            fields: vec![
                ("Step".into(), EtwValue::Str("RX NBL".into())),
                ("Status".into(), EtwValue::NtStatus(0xC000_009A)),
                ("ErrorCode".into(), EtwValue::Hex32(0xC000_1389)),
                ("Up".into(), EtwValue::Bool(true)),
            ],
            processor: 1,
            irql: 0,
        };
        assert_eq!(
            to_json(&event).to_string(),
            r#"{"provider":"Rse1k.Miniport","event":"InitializeFailed","level":2,"keyword":5,"fields":{"Step":"RX NBL","Status":3221225626,"ErrorCode":3221230473,"Up":true}}"#
        );
    }
}
