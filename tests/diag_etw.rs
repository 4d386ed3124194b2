//! The driver's ETW events (`driver/diag`): the provider GUID against the documented hashing,
//! the metadata encoding against the format, the sequence the simulated driver writes, the
//! schema the simulator decodes against the driver's one table, and the event log entry of a
//! failed Initialize.

mod miniport_rig;

use miniport_rig::Rig;
use ndis_sim::etw::{EtwEvent, EtwValue};
use rse1k::diag::events::{self, ALL};
use rse1k::diag::schema::{FieldType, Value};
use rse1k::diag::wire::{self, PayloadError};
use rse1k::diag::{self, PROVIDER_ID, PROVIDER_ID_TEXT, PROVIDER_NAME, PROVIDER_TRAITS};
use rse1k::sys;
use sha1::{Digest, Sha1};

const PEER: [u8; 6] = [0x02, 0, 0, 0, 0, 9];

/// `bytes` as lower-case hexadecimal.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The provider GUID of `name` by the algorithm `TraceLoggingProvider.h` documents (the
/// EventSource name hash), as registry-format text.
fn provider_id_of(name: &str) -> String {
    const NAMESPACE: [u8; 16] = [
        0x48, 0x2C, 0x2D, 0xB2, 0xC3, 0x90, 0x47, 0xC8, 0x87, 0xF8, 0x1A, 0x15, 0xBF, 0xC1, 0x30,
        0xFB,
    ];
    let mut sha = Sha1::new();
    sha.update(NAMESPACE);
    for unit in name.to_uppercase().encode_utf16() {
        sha.update(unit.to_be_bytes());
    }
    let hash = sha.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[7] = (b[7] & 0x0F) | 0x50;
    // The bytes are a GUID in memory order: Data1..3 little-endian.
    format!(
        "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{}",
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_le_bytes([b[4], b[5]]),
        u16::from_le_bytes([b[6], b[7]]),
        b[8],
        b[9],
        hex(&b[10..])
    )
}

fn guid_text(g: &sys::GUID) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{}",
        g.Data1,
        g.Data2,
        g.Data3,
        g.Data4[0],
        g.Data4[1],
        hex(&g.Data4[2..])
    )
}

#[test]
fn the_provider_guid_is_the_documented_hash_of_its_name() {
    // The example TraceLoggingProvider.h gives for the algorithm.
    assert_eq!(
        provider_id_of("MyProvider"),
        "b3864c38-4273-58c5-545b-8b3608343471"
    );
    assert_eq!(provider_id_of(PROVIDER_NAME), PROVIDER_ID_TEXT);
    assert_eq!(guid_text(&PROVIDER_ID), PROVIDER_ID_TEXT);
}

#[test]
fn provider_traits_and_event_metadata_follow_the_format() {
    let mut traits = Vec::new();
    traits.extend_from_slice(
        &u16::try_from(2 + PROVIDER_NAME.len() + 1)
            .unwrap()
            .to_le_bytes(),
    );
    traits.extend_from_slice(PROVIDER_NAME.as_bytes());
    traits.push(0);
    assert_eq!(PROVIDER_TRAITS.as_slice(), traits.as_slice());

    // "Pause" with one field "Status": UINT32 (8) chained (0x80) to OutType NTSTATUS (14).
    let mut pause = vec![0, 0, 0];
    pause.extend_from_slice(b"Pause\0Status\0");
    pause.extend_from_slice(&[8 | 0x80, 14]);
    let size = u16::try_from(pause.len()).unwrap().to_le_bytes();
    pause[..2].copy_from_slice(&size);
    assert_eq!(events::PAUSE.metadata, pause.as_slice());

    // A string field: COUNTEDANSISTRING (23) chained to UTF8 (35); a hex field: HEXINT32 (20)
    // with no OutType.
    let failed = events::INITIALIZE_FAILED.metadata;
    let step = failed.windows(7).position(|w| w == b"Step\0\x97\x23");
    assert!(step.is_some(), "{failed:?}");
    let code = failed.windows(11).position(|w| w == b"ErrorCode\0\x14");
    assert!(code.is_some(), "{failed:?}");

    for event in ALL {
        let size = usize::from(u16::from_le_bytes([event.metadata[0], event.metadata[1]]));
        assert_eq!(size, event.metadata.len(), "{}", event.schema.name);
        assert!(event.schema.keyword != 0 && (event.schema.level as u8) != 0);
    }
    let mut names: Vec<_> = ALL.iter().map(|e| e.schema.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ALL.len(), "event names are unique");
}

#[test]
fn a_payload_that_does_not_match_its_schema_is_refused() {
    let mut out = [0u8; wire::MAX_PAYLOAD];
    let pause = &events::PAUSE.schema;
    assert_eq!(
        wire::encode_payload(pause, &[Value::U32(0)], &mut out),
        Ok(4)
    );
    assert_eq!(
        wire::encode_payload(pause, &[Value::U64(0)], &mut out),
        Err(PayloadError::Type(0))
    );
    assert_eq!(
        wire::encode_payload(pause, &[], &mut out),
        Err(PayloadError::Count)
    );
    // A string longer than the limit is cut on a character boundary, its count saying so.
    let failed = &events::INITIALIZE_FAILED.schema;
    let long = "é".repeat(wire::MAX_STRING);
    let values = [Value::Str(&long), Value::U32(1), Value::U32(2)];
    let length = wire::encode_payload(failed, &values, &mut out).unwrap();
    let count = usize::from(u16::from_le_bytes([out[0], out[1]]));
    assert_eq!(count, wire::MAX_STRING);
    assert!(std::str::from_utf8(&out[2..2 + count]).is_ok());
    assert_eq!(length, 2 + count + 8);
}

/// The simulator's decoding of each event agrees with the driver's table: same name, level,
/// keyword, and field names and types in order.
fn assert_schema_matches(recorded: &[EtwEvent]) {
    for event in recorded {
        assert_eq!(event.provider, PROVIDER_NAME);
        let defined = ALL
            .iter()
            .find(|e| e.schema.name == event.name)
            .unwrap_or_else(|| panic!("{} is not in diag::events::ALL", event.name));
        assert_eq!(event.level, defined.schema.level as u8, "{}", event.name);
        assert_eq!(event.keyword, defined.schema.keyword, "{}", event.name);
        let decoded: Vec<(&str, &str)> = event
            .fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.type_name()))
            .collect();
        let table: Vec<(&str, &str)> = defined
            .schema
            .fields
            .iter()
            .map(|f| (f.name, f.ty.name()))
            .collect();
        assert_eq!(decoded, table, "{}", event.name);
    }
}

fn names(recorded: &[EtwEvent]) -> Vec<&str> {
    recorded.iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn the_lifecycle_writes_the_expected_events_in_order() {
    let rig = Rig::new(2, 0xE7);
    let adapter = rig.up();
    assert_eq!(adapter.pause(), sys::NDIS_STATUS_SUCCESS);
    assert_eq!(adapter.restart(), sys::NDIS_STATUS_SUCCESS);
    let stats = adapter.oid_query(sys::OID_GEN_STATISTICS, 512);
    assert_eq!(stats.status, sys::NDIS_STATUS_SUCCESS);
    let _ = adapter.pause();
    rig.finish(adapter);

    let recorded = rig.machine.etw_events();
    assert_eq!(
        names(&recorded),
        [
            "AdapterInitialized",
            "OidRequest",
            "Restart",
            "Pause",
            "Restart",
            "OidRequest",
            "Pause",
            "Halt"
        ]
    );
    assert_schema_matches(&recorded);
    let station = rig
        .station()
        .iter()
        .fold(0u64, |a, &b| (a << 8) | u64::from(b));
    assert_eq!(
        recorded[0].field("Station"),
        Some(&EtwValue::Hex64(station))
    );
    assert_eq!(
        recorded[1].field("Oid"),
        Some(&EtwValue::Hex32(sys::OID_GEN_CURRENT_PACKET_FILTER))
    );
    assert_eq!(
        recorded[5].field("Oid"),
        Some(&EtwValue::Hex32(sys::OID_GEN_STATISTICS))
    );
    assert_eq!(recorded[3].field("Status"), Some(&EtwValue::NtStatus(0)));
    assert_eq!(
        recorded[7].field("SurpriseRemoved"),
        Some(&EtwValue::Bool(false))
    );
    assert!(
        rig.machine.etw_errors().is_empty(),
        "{:?}",
        rig.machine.etw_errors()
    );
    assert_eq!(rig.machine.etw_registrations(), 0, "Unload unregisters");
    assert_eq!(diag::rejected_events(), 0);
}

#[test]
fn hang_reset_and_surprise_removal_are_events() {
    let rig = Rig::new(2, 17);
    let adapter = rig.up();
    let ids = rig.hang_transmitter(&adapter, PEER);
    let _ = rig.wait_completions(&adapter, ids.len());
    adapter.surprise_remove();
    let _ = adapter.pause();
    rig.finish(adapter);

    let recorded = rig.machine.etw_events();
    let seen = names(&recorded);
    let at = |name: &str| {
        seen.iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("no {name} in {seen:?}"))
    };
    assert!(at("HangDetected") < at("Reset"), "{seen:?}");
    assert!(at("Reset") < at("SurpriseRemoval"), "{seen:?}");
    assert!(at("SurpriseRemoval") < at("Halt"), "{seen:?}");
    let halt = &recorded[at("Halt")];
    assert_eq!(halt.field("SurpriseRemoved"), Some(&EtwValue::Bool(true)));
    assert_schema_matches(&recorded);
    assert!(
        rig.machine.etw_errors().is_empty(),
        "{:?}",
        rig.machine.etw_errors()
    );
}

#[test]
fn every_failed_initialize_writes_one_error_log_entry_and_one_event() {
    let mut failures = 0;
    for seed in 0..24u64 {
        let rate = [200_000, 20_000, 2_000][usize::try_from(seed % 3).unwrap()];
        let rig = Rig::new(1, 0x700 + seed);
        rig.machine.fail_allocations(0, rate);
        let result = rig.driver.initialize(&rig.nic);
        rig.machine.fail_allocations(0, 0);
        let log = rig.machine.error_log();
        let recorded = rig.machine.etw_events();
        match result {
            Ok(adapter) => {
                assert!(log.is_empty(), "seed {seed}: {log:?}");
                let _ = adapter.halt(sys::NdisHaltDeviceDisabled);
            }
            Err(status) => {
                failures += 1;
                assert_eq!(log.len(), 1, "seed {seed}: one entry per failure: {log:?}");
                assert_eq!(log[0].code, diag::error_code(status), "seed {seed}");
                assert_eq!(log[0].code, sys::NDIS_ERROR_CODE_OUT_OF_RESOURCES);
                assert_eq!(log[0].values, [status.cast_unsigned()], "seed {seed}");
                let failed: Vec<_> = recorded
                    .iter()
                    .filter(|e| e.name == "InitializeFailed")
                    .collect();
                assert_eq!(failed.len(), 1, "seed {seed}: {recorded:?}");
                assert_eq!(
                    failed[0].field("Status"),
                    Some(&EtwValue::NtStatus(status.cast_unsigned()))
                );
                assert_eq!(
                    failed[0].field("ErrorCode"),
                    Some(&EtwValue::Hex32(sys::NDIS_ERROR_CODE_OUT_OF_RESOURCES))
                );
                assert!(matches!(failed[0].field("Step"), Some(EtwValue::Str(s)) if !s.is_empty()));
                assert_schema_matches(&recorded);
            }
        }
        rig.assert_clean();
        rig.driver.clone().unload();
        assert!(rig.machine.etw_errors().is_empty());
    }
    assert!(
        failures >= 4,
        "the injection reached Initialize ({failures} failures)"
    );
}

#[test]
fn error_codes_follow_the_documented_table() {
    let table = [
        (
            sys::NDIS_STATUS_RESOURCES,
            sys::NDIS_ERROR_CODE_OUT_OF_RESOURCES,
        ),
        (
            sys::NDIS_STATUS_RESOURCE_CONFLICT,
            sys::NDIS_ERROR_CODE_RESOURCE_CONFLICT,
        ),
        (
            sys::NDIS_STATUS_ADAPTER_NOT_FOUND,
            sys::NDIS_ERROR_CODE_ADAPTER_NOT_FOUND,
        ),
        (
            sys::NDIS_STATUS_HARD_ERRORS,
            sys::NDIS_ERROR_CODE_HARDWARE_FAILURE,
        ),
        (
            sys::NDIS_STATUS_FAILURE,
            sys::NDIS_ERROR_CODE_DRIVER_FAILURE,
        ),
    ];
    for (status, code) in table {
        assert_eq!(diag::error_code(status), code, "{status:#x}");
    }
    // The values ndis.h / netevent.h give them.
    assert_eq!(sys::NDIS_ERROR_CODE_RESOURCE_CONFLICT, 0xC000_1388);
    assert_eq!(sys::NDIS_ERROR_CODE_OUT_OF_RESOURCES, 0xC000_1389);
    assert_eq!(sys::NDIS_ERROR_CODE_HARDWARE_FAILURE, 0xC000_138A);
    assert_eq!(sys::NDIS_ERROR_CODE_ADAPTER_NOT_FOUND, 0xC000_138B);
    assert_eq!(sys::NDIS_ERROR_CODE_DRIVER_FAILURE, 0xC000_138D);
}

#[test]
fn field_type_names_are_the_ones_the_decoders_print() {
    // The names the simulator's JSON and Trace-Rse1k.ps1's output use for each type.
    let names: Vec<_> = [
        FieldType::U32,
        FieldType::U64,
        FieldType::Hex32,
        FieldType::Hex64,
        FieldType::NtStatus,
        FieldType::Bool,
        FieldType::Str,
    ]
    .iter()
    .map(|t| t.name())
    .collect();
    assert_eq!(
        names,
        ["u32", "u64", "hex32", "hex64", "ntstatus", "bool", "string"]
    );
}

#[test]
fn the_windows_script_and_the_docs_name_the_same_provider_and_events() {
    let common = include_str!("../tools/windows/Rse1kCommon.ps1");
    assert!(
        common.contains(&format!("$script:Rse1kEtwProviderName = '{PROVIDER_NAME}'")),
        "Rse1kCommon.ps1 names another provider"
    );
    assert!(
        common.contains(&format!(
            "$script:Rse1kEtwProviderId = '{PROVIDER_ID_TEXT}'"
        )),
        "Rse1kCommon.ps1 has another provider GUID"
    );
    // docs/debugging.md §8: one table row per event, with its level, keyword and fields.
    let docs = include_str!("../docs/debugging.md");
    let rows: Vec<&str> = docs
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains(" | "))
        .collect();
    for event in ALL {
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("| `{}` |", event.schema.name)))
            .unwrap_or_else(|| panic!("docs/debugging.md has no row for {}", event.schema.name));
        let cells: Vec<&str> = row.split(" | ").collect();
        assert!(
            cells[1].starts_with(&(event.schema.level as u8).to_string()),
            "{row}"
        );
        assert!(
            cells[2].starts_with(&format!("{:#x}", event.schema.keyword)),
            "{row}"
        );
        for field in event.schema.fields {
            assert!(
                cells[3].contains(&format!("`{}` {}", field.name, field.ty.name())),
                "{row}: field {} {}",
                field.name,
                field.ty.name()
            );
        }
        if event.schema.fields.is_empty() {
            assert_eq!(cells[3], "—", "{row}");
        }
    }
    let documented = rows
        .iter()
        .filter(|r| {
            let cells: Vec<&str> = r.split(" | ").collect();
            cells.len() == 5
                && cells[2].contains("0x")
                && cells[1].chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .count();
    assert_eq!(
        documented,
        ALL.len(),
        "the docs list events the driver does not write"
    );
}
