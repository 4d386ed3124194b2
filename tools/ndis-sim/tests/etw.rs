//! The ETW recorder: a well-formed TraceLogging event is decoded field by field, and every way
//! of getting the format or the registration wrong is an `etw_errors` entry, not an event.

mod common;

use common::{DISPATCH, collect};
use ndis_sim::Machine;
use ndis_sim::etw::EtwValue;
use ndis_sim::sys::{self, EVENT_DATA_DESCRIPTOR, EVENT_DESCRIPTOR, GUID, REGHANDLE};

const PROVIDER: GUID = GUID {
    Data1: 0x1234_5678,
    Data2: 0x9abc,
    Data3: 0x5def,
    Data4: [1, 2, 3, 4, 5, 6, 7, 8],
};

/// Provider traits of "Test.Provider".
fn traits() -> Vec<u8> {
    let mut t = vec![0, 0];
    t.extend_from_slice(b"Test.Provider\0");
    let n = u16::try_from(t.len()).unwrap().to_le_bytes();
    t[..2].copy_from_slice(&n);
    t
}

/// Metadata of event "Sample" with fields Up (UINT8 → BOOLEAN) and Count (UINT32).
fn metadata() -> Vec<u8> {
    let mut m = vec![0, 0, 0];
    m.extend_from_slice(b"Sample\0Up\0");
    m.extend_from_slice(&[4 | 0x80, 3]);
    m.extend_from_slice(b"Count\0");
    m.push(8);
    let n = u16::try_from(m.len()).unwrap().to_le_bytes();
    m[..2].copy_from_slice(&n);
    m
}

fn descriptor(bytes: &[u8], kind: u32) -> EVENT_DATA_DESCRIPTOR {
    EVENT_DATA_DESCRIPTOR {
        Ptr: bytes.as_ptr() as u64,
        Size: u32::try_from(bytes.len()).unwrap(),
        __bindgen_anon_1: sys::_EVENT_DATA_DESCRIPTOR__bindgen_ty_1 { Reserved: kind },
    }
}

fn register() -> REGHANDLE {
    let mut handle: REGHANDLE = 0;
    // SAFETY: valid GUID and out-handle.
    let status =
        unsafe { sys::EtwRegister(&PROVIDER, None, core::ptr::null_mut(), &raw mut handle) };
    assert_eq!(status, 0);
    let t = traits();
    // SAFETY: the traits live across the call.
    let status = unsafe {
        sys::EtwSetInformation(
            handle,
            sys::EventProviderSetTraits,
            t.as_ptr().cast_mut().cast(),
            u32::try_from(t.len()).unwrap(),
        )
    };
    assert_eq!(status, 0);
    handle
}

fn write(handle: REGHANDLE, metadata: &[u8], payload: &[u8], channel: u8) {
    let t = traits();
    let event = EVENT_DESCRIPTOR {
        Channel: channel,
        Level: 4,
        Keyword: 1,
        ..EVENT_DESCRIPTOR::default()
    };
    let mut data = [
        descriptor(&t, 2),
        descriptor(metadata, 1),
        descriptor(payload, 0),
    ];
    // SAFETY: everything described lives across the call.
    let _ = unsafe {
        sys::EtwWriteTransfer(
            handle,
            &raw const event,
            core::ptr::null(),
            core::ptr::null(),
            3,
            data.as_mut_ptr(),
        )
    };
}

fn payload(up: bool, count: u32) -> Vec<u8> {
    let mut p = vec![u8::from(up)];
    p.extend_from_slice(&count.to_le_bytes());
    p
}

fn run(m: &Machine, f: impl FnOnce() + Send) {
    m.run_on(0, f);
}

#[test]
fn a_well_formed_event_is_decoded() {
    let m = collect(1);
    run(&m, || {
        let handle = register();
        // Any IRQL: write one at DISPATCH_LEVEL.
        let mut old = 0;
        // SAFETY: raise and lower in pairs on this processor.
        unsafe { sys::KeRaiseIrql(DISPATCH, &raw mut old) };
        write(handle, &metadata(), &payload(true, 7), 11);
        // SAFETY: lowers back to `old`, the IRQL the raise above saved on this processor.
        unsafe { sys::KeLowerIrql(old) };
        // SAFETY: registered above.
        assert_eq!(unsafe { sys::EtwUnregister(handle) }, 0);
    });
    let events = m.etw_events();
    assert_eq!(events.len(), 1, "{:?}", m.etw_errors());
    let e = &events[0];
    assert_eq!(
        (e.provider.as_str(), e.name.as_str()),
        ("Test.Provider", "Sample")
    );
    assert_eq!(e.field("Up"), Some(&EtwValue::Bool(true)));
    assert_eq!(e.field("Count"), Some(&EtwValue::U32(7)));
    assert_eq!(e.irql, DISPATCH);
    assert!(m.etw_errors().is_empty());
    assert_eq!(m.etw_registrations(), 0);
}

#[test]
fn malformed_events_and_misuse_are_errors_not_events() {
    let m = collect(1);
    run(&m, || {
        let handle = register();
        // The payload is a byte short of the metadata's fields.
        write(handle, &metadata(), &payload(true, 7)[..4], 11);
        // A byte too many.
        let mut long = payload(false, 1);
        long.push(0);
        write(handle, &metadata(), &long, 11);
        // The metadata's size field disagrees with its length.
        let mut bad = metadata();
        bad[0] ^= 1;
        write(handle, &bad, &payload(true, 7), 11);
        // Not the TraceLogging channel.
        write(handle, &metadata(), &payload(true, 7), 0);
        // SAFETY: registered above.
        assert_eq!(unsafe { sys::EtwUnregister(handle) }, 0);
        // After unregistering: neither a write nor a second unregister.
        write(handle, &metadata(), &payload(true, 7), 11);
        // SAFETY: a stale handle, on purpose.
        assert_ne!(unsafe { sys::EtwUnregister(handle) }, 0);
    });
    assert!(m.etw_events().is_empty(), "{:?}", m.etw_events());
    let errors = m.etw_errors();
    assert_eq!(errors.len(), 6, "{errors:#?}");
    assert!(
        errors[0].contains("payload ends inside field Count"),
        "{}",
        errors[0]
    );
    assert!(errors[1].contains("after the last field"), "{}", errors[1]);
    assert!(errors[2].contains("size field"), "{}", errors[2]);
    assert!(errors[3].contains("channel 0"), "{}", errors[3]);
    assert!(errors[4].contains("not registered"), "{}", errors[4]);
    assert!(errors[5].contains("not registered"), "{}", errors[5]);
}

#[test]
fn registering_above_passive_level_is_an_error() {
    let m = collect(1);
    run(&m, || {
        let mut old = 0;
        // SAFETY: raise and lower in pairs on this processor.
        unsafe { sys::KeRaiseIrql(DISPATCH, &raw mut old) };
        let handle = register();
        // SAFETY: lowers back to `old`, the IRQL the raise above saved on this processor;
        // `register` took no lock.
        unsafe { sys::KeLowerIrql(old) };
        // SAFETY: registered above.
        let _ = unsafe { sys::EtwUnregister(handle) };
    });
    let errors = m.etw_errors();
    assert!(
        errors.iter().any(|e| e.contains("EtwRegister at IRQL 2")),
        "{errors:#?}"
    );
}

#[test]
fn a_provider_may_register_twice_and_stays_registered_until_both_unregister() {
    let m = collect(1);
    run(&m, || {
        let first = register();
        let second = register();
        assert_eq!(first, second, "one handle per provider here");
        // SAFETY: registered above.
        assert_eq!(unsafe { sys::EtwUnregister(first) }, 0);
        write(second, &metadata(), &payload(false, 3), 11);
        // SAFETY: registered above.
        assert_eq!(unsafe { sys::EtwUnregister(second) }, 0);
    });
    assert_eq!(m.etw_events().len(), 1, "{:?}", m.etw_errors());
    assert!(m.etw_errors().is_empty(), "{:?}", m.etw_errors());
    assert_eq!(m.etw_registrations(), 0);
}
