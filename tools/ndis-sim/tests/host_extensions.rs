//! The DDIs a miniport adds as it grows (registry configuration, I/O work items, generic
//! objects, `NET_BUFFER`s, I/O ports, `NdisMNetPnPEvent`, the IRQL macros, scatter/gather lists,
//! asynchronous shared memory) and the receive-throttle rules: each used correctly without a
//! violation, then each lifetime or IRQL rule broken on purpose and caught (Collect mode).
#![allow(clippy::cast_possible_truncation)] // header fields are u8/u16

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{collect, rules};
use e1000_model::{E1000Config, Unplugged};
use ndis_sim::host::ConfigValue;
use ndis_sim::sys::{self, NDIS_HANDLE, PVOID};
use ndis_sim::{Handler, Machine, Rule};

fn plugged(m: &Machine, line: u32) -> usize {
    m.plug_e1000(line, E1000Config::default(), Box::new(Unplugged))
        .handle as usize
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn open_config(h: usize) -> usize {
    let mut object = sys::NDIS_CONFIGURATION_OBJECT {
        Header: sys::NDIS_OBJECT_HEADER {
            Type: sys::NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT as u8,
            Revision: 1,
            Size: size_of::<sys::NDIS_CONFIGURATION_OBJECT>() as u16,
        },
        NdisHandle: h as NDIS_HANDLE,
        Flags: 0,
    };
    let mut handle: NDIS_HANDLE = core::ptr::null_mut();
    // SAFETY: valid object and out pointer.
    let st = unsafe { sys::NdisOpenConfigurationEx(&raw mut object, &raw mut handle) };
    assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
    handle as usize
}

/// Reads `keyword` as `kind`: (status, integer, string).
fn read(config: usize, keyword: &str, kind: sys::NDIS_PARAMETER_TYPE) -> (i32, u32, String) {
    let mut text = utf16(keyword);
    let mut key = sys::NDIS_STRING {
        Length: (text.len() * 2) as u16,
        MaximumLength: (text.len() * 2) as u16,
        Buffer: text.as_mut_ptr(),
    };
    let mut status = 0;
    let mut value: sys::PNDIS_CONFIGURATION_PARAMETER = core::ptr::null_mut();
    // SAFETY: valid out pointers and keyword.
    unsafe {
        sys::NdisReadConfiguration(
            &raw mut status,
            &raw mut value,
            config as NDIS_HANDLE,
            &raw mut key,
            kind,
        );
    };
    if value.is_null() {
        return (status, 0, String::new());
    }
    // SAFETY: a parameter NDIS returned, valid until the handle is closed.
    let p = unsafe { *value };
    if p.ParameterType == sys::NdisParameterString {
        // SAFETY: the string view of a string parameter.
        let s = unsafe { p.ParameterData.StringData };
        // SAFETY: the buffer holds Length bytes.
        let units = unsafe { core::slice::from_raw_parts(s.Buffer, usize::from(s.Length) / 2) };
        (status, 0, String::from_utf16_lossy(units))
    } else {
        // SAFETY: the integer view of an integer parameter.
        (
            status,
            unsafe { p.ParameterData.IntegerData },
            String::new(),
        )
    }
}

fn close_config(config: usize) {
    // SAFETY: nothing read through the handle is used afterwards.
    unsafe { sys::NdisCloseConfiguration(config as NDIS_HANDLE) };
}

#[test]
fn configuration_reads_what_the_test_set_and_handles_must_be_closed() {
    let m = collect(1);
    let h = plugged(&m, 3);
    m.set_configuration(h as NDIS_HANDLE, "*JumboPacket", ConfigValue::Integer(9014));
    m.set_configuration(
        h as NDIS_HANDLE,
        "NetworkAddress",
        ConfigValue::String("02AABBCCDDEE".into()),
    );
    let (jumbo, address, missing) = m.run_as_handler(0, Handler::Initialize, move || {
        let c = open_config(h);
        let jumbo = read(c, "*jumbopacket", sys::NdisParameterInteger);
        let address = read(c, "NetworkAddress", sys::NdisParameterString);
        let missing = read(c, "*FlowControl", sys::NdisParameterInteger);
        close_config(c);
        (jumbo, address, missing)
    });
    assert_eq!(jumbo, (sys::NDIS_STATUS_SUCCESS, 9014, String::new()));
    assert_eq!(
        address,
        (sys::NDIS_STATUS_SUCCESS, 0, "02AABBCCDDEE".to_owned())
    );
    assert_eq!(missing.0, sys::NDIS_STATUS_FAILURE);
    assert!(rules(&m).is_empty(), "{}", m.report());
    // Closed twice, then one left open at Halt.
    m.run_on(0, move || {
        let c = open_config(h);
        close_config(c);
        close_config(c);
        let _left_open = open_config(h);
    });
    assert_eq!(rules(&m), [Rule::NdisOpenConfigurationEx]);
    let _ = m.verify_halted(h as NDIS_HANDLE);
    assert_eq!(
        rules(&m),
        [Rule::NdisOpenConfigurationEx; 2],
        "{}",
        m.report()
    );
}

static WORK_RUNS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn work(context: PVOID, _item: NDIS_HANDLE) {
    assert_eq!(common::irql(), common::PASSIVE);
    WORK_RUNS.fetch_add(context as usize, Ordering::SeqCst);
}

#[test]
fn work_items_run_at_passive_and_must_be_freed_by_halt() {
    let m = collect(2);
    let h = plugged(&m, 3);
    let item = m.run_as_handler(0, Handler::Initialize, move || {
        // SAFETY: plain handle use.
        let item = unsafe { sys::NdisAllocateIoWorkItem(h as NDIS_HANDLE) };
        // SAFETY: a valid routine; the context is a plain number.
        unsafe { sys::NdisQueueIoWorkItem(item, Some(work), 5 as PVOID) };
        item as usize
    });
    m.run_deferred_work();
    assert_eq!(WORK_RUNS.load(Ordering::SeqCst), 5);
    m.run_on(1, move || {
        // SAFETY: idle item.
        unsafe { sys::NdisFreeIoWorkItem(item as NDIS_HANDLE) };
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
    // Freed twice; then one allocated in Initialize and never freed.
    m.run_on(0, move || {
        // SAFETY: the bug is the second free.
        unsafe { sys::NdisFreeIoWorkItem(item as NDIS_HANDLE) };
    });
    m.run_as_handler(0, Handler::Initialize, move || {
        // SAFETY: plain handle use.
        let _ = unsafe { sys::NdisAllocateIoWorkItem(h as NDIS_HANDLE) };
    });
    let _ = m.verify_halted(h as NDIS_HANDLE);
    assert_eq!(
        rules(&m),
        [Rule::InitNdisAllocateIoWorkItem; 2],
        "{}",
        m.report()
    );
}

#[test]
fn generic_objects_and_net_buffers_are_freed_once_and_by_halt() {
    let m = collect(1);
    let h = plugged(&m, 3);
    m.run_on(0, move || {
        // SAFETY: a fake driver object pointer, used as a key only.
        let g = unsafe {
            sys::NdisAllocateGenericObject(0x1000 as sys::PDRIVER_OBJECT, 0x6b63_6974, 64)
        };
        assert!(!g.is_null());
        // SAFETY: the object has 64 bytes after its header.
        let body = unsafe { g.add(1) }.cast::<u8>();
        // SAFETY: `body` starts the 64 bytes the object was allocated with after its header;
        // the object is live until the free below.
        unsafe { body.write_bytes(0xAB, 64) };
        // SAFETY: allocated above.
        unsafe { sys::NdisFreeGenericObject(g) };
        let mut params = sys::NET_BUFFER_POOL_PARAMETERS {
            Header: sys::NDIS_OBJECT_HEADER {
                Type: 0x80,
                Revision: 1,
                Size: size_of::<sys::NET_BUFFER_POOL_PARAMETERS>() as u16,
            },
            PoolTag: 0x6b63_6974,
            DataSize: 0,
        };
        // SAFETY: valid parameters.
        let pool = unsafe { sys::NdisAllocateNetBufferPool(h as NDIS_HANDLE, &raw mut params) };
        assert!(!pool.is_null());
        // SAFETY: no MDL chain (an empty NET_BUFFER).
        let nb = unsafe { sys::NdisAllocateNetBuffer(pool, core::ptr::null_mut(), 0, 0) };
        assert!(!nb.is_null());
        // SAFETY: allocated above.
        unsafe { sys::NdisFreeNetBuffer(nb) };
        // SAFETY: no NET_BUFFERs outstanding.
        unsafe { sys::NdisFreeNetBufferPool(pool) };
    });
    assert!(rules(&m).is_empty(), "{}", m.report());
    let (g, nb) = m.run_on(0, move || {
        // SAFETY: a fake driver object pointer, used as a key only; no body bytes asked for.
        let g = unsafe { sys::NdisAllocateGenericObject(0x1000 as sys::PDRIVER_OBJECT, 1, 0) };
        // SAFETY: freed once here ...
        unsafe { sys::NdisFreeGenericObject(g) };
        // SAFETY: ... and the bug is the second free.
        unsafe { sys::NdisFreeGenericObject(g) };
        let mut params = sys::NET_BUFFER_POOL_PARAMETERS {
            Header: sys::NDIS_OBJECT_HEADER {
                Type: 0x80,
                Revision: 1,
                Size: size_of::<sys::NET_BUFFER_POOL_PARAMETERS>() as u16,
            },
            PoolTag: 1,
            DataSize: 0,
        };
        // SAFETY: valid parameters.
        let pool = unsafe { sys::NdisAllocateNetBufferPool(h as NDIS_HANDLE, &raw mut params) };
        // SAFETY: `pool` was just allocated from valid parameters; no MDL chain (an empty
        // NET_BUFFER), deliberately never freed before Halt.
        let nb = unsafe { sys::NdisAllocateNetBuffer(pool, core::ptr::null_mut(), 0, 0) };
        // SAFETY: a generic object kept past Halt (the second bug).
        let kept = unsafe { sys::NdisAllocateGenericObject(0x1000 as sys::PDRIVER_OBJECT, 1, 0) };
        (kept as usize, nb as usize)
    });
    assert_eq!(rules(&m), [Rule::NdisAllocateGenericObject]);
    let _ = m.verify_halted(h as NDIS_HANDLE);
    let found = rules(&m);
    assert!(
        found.contains(&Rule::NdisAllocateNetBuffer),
        "{}",
        m.report()
    );
    assert_eq!(
        found
            .iter()
            .filter(|r| **r == Rule::NdisAllocateGenericObject)
            .count(),
        2,
        "{}",
        m.report()
    );
    m.run_on(0, move || {
        // SAFETY: still allocated (Halt reported it, did not free it): a correct free.
        unsafe { sys::NdisFreeNetBuffer(nb as sys::PNET_BUFFER) };
        // SAFETY: the second free of `nb`, on purpose: the simulator finds it in no table and
        // refuses it (the same rule) before touching memory.
        unsafe { sys::NdisFreeNetBuffer(nb as sys::PNET_BUFFER) };
        // SAFETY: still allocated.
        unsafe { sys::NdisFreeGenericObject(g as sys::PNDIS_GENERIC_OBJECT) };
    });
    assert_eq!(rules(&m).last(), Some(&Rule::NdisAllocateNetBuffer));
}

#[test]
fn io_ports_only_in_initialize_after_the_attributes_and_released_by_halt() {
    let m = collect(1);
    let h = plugged(&m, 3);
    let offset = m.run_as_handler(0, Handler::Restart, move || {
        let mut offset: PVOID = core::ptr::null_mut();
        // SAFETY: a writable slot.
        let st = unsafe {
            sys::NdisMRegisterIoPortRange(&raw mut offset, h as NDIS_HANDLE, 0xC000, 0x40)
        };
        assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
        offset as usize
    });
    assert_eq!(rules(&m), [Rule::NdisMRegisterIoPortRange]);
    let _ = m.verify_halted(h as NDIS_HANDLE);
    assert_eq!(rules(&m), [Rule::NdisMRegisterIoPortRange; 2]);
    m.run_on(0, move || {
        // SAFETY: the registered range.
        unsafe { sys::NdisMDeregisterIoPortRange(h as NDIS_HANDLE, 0xC000, 0x40, offset as PVOID) };
    });
    let _ = m.verify_halted(h as NDIS_HANDLE);
    assert_eq!(rules(&m).len(), 2, "released: {}", m.report());
}

#[test]
fn net_pnp_event_in_an_oid_request_and_the_irql_macros() {
    let m = collect(1);
    let h = plugged(&m, 3);
    let event = move || {
        let mut n = sys::NET_PNP_EVENT_NOTIFICATION {
            Header: sys::NDIS_OBJECT_HEADER {
                Type: 0x80,
                Revision: 1,
                Size: size_of::<sys::NET_PNP_EVENT_NOTIFICATION>() as u16,
            },
            PortNumber: 0,
            NetPnPEvent: sys::NET_PNP_EVENT {
                NetEvent: 0,
                Buffer: core::ptr::null_mut(),
                BufferLength: 0,
                NdisReserved: [0; 4],
                TransportReserved: [0; 4],
                TdiReserved: [0; 4],
                TdiClientReserved: [0; 4],
            },
            Flags: 0,
            SwitchId: 0,
            VPortId: 0,
        };
        // SAFETY: a valid notification.
        unsafe { sys::NdisMNetPnPEvent(h as NDIS_HANDLE, &raw mut n) }
    };
    assert_eq!(m.run_on(0, event), sys::NDIS_STATUS_SUCCESS);
    assert!(rules(&m).is_empty());
    let _ = m.run_as_handler(0, Handler::OidRequest, event);
    assert_eq!(rules(&m), [Rule::NdisMNetPnPEventInOidRequest]);
    m.run_on(0, || {
        let mut old = 0;
        // SAFETY: raise and lower as a pair (legal).
        unsafe { sys::NDIS_RAISE_IRQL_TO_DISPATCH(&raw mut old) };
        assert_eq!(common::irql(), common::DISPATCH);
        // SAFETY: back to the IRQL it came from.
        unsafe { sys::NDIS_LOWER_IRQL(old, common::DISPATCH) };
    });
    assert_eq!(rules(&m).len(), 1);
    m.run_on(0, || {
        let mut old = 0;
        // SAFETY: raising to DIRQL 5 first; the macro would then lower (the bug).
        unsafe { sys::KeRaiseIrql(5, &raw mut old) };
        let mut again = 0;
        // SAFETY: the bug.
        unsafe { sys::NDIS_RAISE_IRQL_TO_DISPATCH(&raw mut again) };
        // SAFETY: "lowering" to a higher IRQL: the bug.
        unsafe { sys::NDIS_LOWER_IRQL(7, 5) };
        // SAFETY: back down.
        unsafe { sys::KeLowerIrql(old) };
    });
    assert_eq!(rules(&m)[1..], [Rule::IrqlIrqlSettingFunction; 2]);
}

static SG_SEEN: AtomicUsize = AtomicUsize::new(0);
static ASYNC_SEEN: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn process_sg(
    _d: sys::PDEVICE_OBJECT,
    _r: PVOID,
    list: sys::PSCATTER_GATHER_LIST,
    _c: PVOID,
) {
    assert_eq!(common::irql(), common::DISPATCH);
    // SAFETY: NDIS passes a valid list.
    SG_SEEN.store(
        unsafe { (*list).NumberOfElements } as usize,
        Ordering::SeqCst,
    );
}

unsafe extern "C" fn shared_done(
    _ctx: NDIS_HANDLE,
    va: PVOID,
    _pa: sys::PNDIS_PHYSICAL_ADDRESS,
    len: u32,
    _c: PVOID,
) {
    assert_eq!(common::irql(), common::DISPATCH);
    if !va.is_null() {
        ASYNC_SEEN.store(len as usize, Ordering::SeqCst);
    }
}

#[test]
fn sg_lists_and_async_shared_memory() {
    let m = collect(1);
    let h = plugged(&m, 3);
    let dma = common::register_sg_dma(&m, h, Some(process_sg), Some(shared_done));
    let data: &'static mut [u8] = Box::leak(vec![0x5A; 6000].into_boxed_slice());
    let va = data.as_mut_ptr() as usize;
    m.run_on(0, move || {
        // SAFETY: 6000 bytes of nonpaged (leaked) memory.
        let mdl = unsafe { sys::NdisAllocateMdl(h as NDIS_HANDLE, va as PVOID, 6000) };
        let mut params = sys::NET_BUFFER_POOL_PARAMETERS {
            Header: sys::NDIS_OBJECT_HEADER {
                Type: 0x80,
                Revision: 1,
                Size: size_of::<sys::NET_BUFFER_POOL_PARAMETERS>() as u16,
            },
            PoolTag: 1,
            DataSize: 0,
        };
        // SAFETY: valid parameters.
        let pool = unsafe { sys::NdisAllocateNetBufferPool(h as NDIS_HANDLE, &raw mut params) };
        // SAFETY: the MDL maps the 6000 bytes.
        let nb = unsafe { sys::NdisAllocateNetBuffer(pool, mdl, 0, 6000) };
        let mut old = 0;
        // SAFETY: to DISPATCH, as a send path runs.
        unsafe { sys::KeRaiseIrql(2, &raw mut old) };
        // SAFETY: a registered handle, a valid NET_BUFFER; NDIS allocates the list.
        let st = unsafe {
            sys::NdisMAllocateNetBufferSGList(
                dma as NDIS_HANDLE,
                nb,
                core::ptr::null_mut(),
                0,
                core::ptr::null_mut(),
                0,
            )
        };
        assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
        // SAFETY: back down.
        unsafe { sys::KeLowerIrql(old) };
        (mdl as usize, pool as usize, nb as usize)
    });
    assert_eq!(
        SG_SEEN.load(Ordering::SeqCst),
        (va % 4096 + 6000).div_ceil(4096),
        "6000 bytes, one element per page they touch"
    );
    assert!(rules(&m).is_empty(), "{}", m.report());
    // At PASSIVE_LEVEL: both SG-list functions require DISPATCH_LEVEL.
    m.run_on(0, move || {
        // SAFETY: the bug is the IRQL; the list pointer is unknown (also a bad free).
        unsafe {
            sys::NdisMFreeNetBufferSGList(
                dma as NDIS_HANDLE,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
            );
        };
    });
    assert_eq!(rules(&m), [Rule::IrqlGatherDmaFunction, Rule::BadFree]);
    // SAFETY-free: async shared memory completes at DISPATCH at the host's next step.
    let st = m.run_on(0, move || {
        // SAFETY: a registered handle with a completion handler.
        unsafe {
            sys::NdisMAllocateSharedMemoryAsyncEx(
                dma as NDIS_HANDLE,
                8192,
                0,
                core::ptr::null_mut(),
            )
        }
    });
    assert_eq!(st, sys::NDIS_STATUS_PENDING);
    m.run_deferred_work();
    assert_eq!(ASYNC_SEEN.load(Ordering::SeqCst), 8192);
}

static MORE_CALLS: AtomicUsize = AtomicUsize::new(0);

/// A DPC that asks to be called again once, without masking the device's interrupts.
unsafe extern "C" fn dpc_more(_ctx: NDIS_HANDLE, _c: PVOID, throttle: PVOID, _r: PVOID) {
    let t = throttle.cast::<sys::NDIS_RECEIVE_THROTTLE_PARAMETERS>();
    if MORE_CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        // SAFETY: NDIS passes valid throttle parameters.
        unsafe { (*t).set_MoreNblsPending(1) };
    }
}

unsafe extern "C" fn isr_never(_ctx: NDIS_HANDLE, _q: *mut u8, _t: *mut u32) -> u8 {
    0
}

#[test]
fn more_nbls_pending_reruns_the_dpc_and_interrupts_must_stay_masked() {
    let m = collect(1);
    let plugged = m.plug_e1000(3, E1000Config::default(), Box::new(Unplugged));
    let h = plugged.handle as usize;
    // The device's receive interrupts enabled (IMS), as a driver that re-enabled them.
    plugged.device.write_register(0x00D0, 0x80);
    m.run_on(0, move || {
        let mut chars = common::characteristics_with(Some(isr_never), Some(dpc_more));
        let mut irq: NDIS_HANDLE = core::ptr::null_mut();
        // SAFETY: valid characteristics and out pointer.
        let st = unsafe {
            sys::NdisMRegisterInterruptEx(
                h as NDIS_HANDLE,
                core::ptr::null_mut(),
                &raw mut chars,
                &raw mut irq,
            )
        };
        assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
        let mut target = sys::GROUP_AFFINITY {
            Mask: 1,
            ..Default::default()
        };
        // SAFETY: a registered interrupt.
        let _ = unsafe { sys::NdisMQueueDpcEx(irq, 0, &raw mut target, core::ptr::null_mut()) };
        irq as usize
    });
    assert_eq!(
        MORE_CALLS.load(Ordering::SeqCst),
        2,
        "NDIS called the DPC again"
    );
    let report = m.report();
    assert_eq!(report.of(Rule::ReceiveThrottle).len(), 1, "{report}");
}

#[test]
fn a_null_from_an_allocation_then_dereferenced_is_null_check() {
    // The fault ends the process, so the check runs in a child: this same test binary, asked
    // to run only `null_check_child`.
    if std::env::var_os("NDIS_SIM_NULL_CHECK_CHILD").is_some() {
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "null_check_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("NDIS_SIM_NULL_CHECK_CHILD", "1")
        .output()
        .expect("the child runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child must fault: {stderr}");
    expect_rule(&stderr, Rule::NullCheck);
    assert!(
        stderr.contains("NdisAllocateMemoryWithTagPriority"),
        "{stderr}"
    );
}

/// Asserts the child's standard error names `rule` (by its documented name).
fn expect_rule(stderr: &str, rule: Rule) {
    assert!(
        stderr.contains(rule.name()),
        "expected {rule:?} in:\n{stderr}"
    );
}

#[test]
fn null_check_child() {
    if std::env::var_os("NDIS_SIM_NULL_CHECK_CHILD").is_none() {
        return;
    }
    let m = collect(1);
    let h = plugged(&m, 3);
    m.fail_allocations(1, 0);
    m.run_on(0, move || {
        // SAFETY: the allocation fails by injection; writing through NULL is the deliberate bug.
        let p = unsafe {
            sys::NdisAllocateMemoryWithTagPriority(h as NDIS_HANDLE, 64, 0x6b63_6974, 32)
        };
        // A field 16 bytes in: the address arithmetic itself is fine (wrapping).
        let field = p.cast::<u32>().wrapping_add(4);
        // SAFETY: none: this is the bug the rule catches (`field` is NULL + 16).
        unsafe { core::ptr::write_volatile(field, 1) };
    });
}
