//! The NDIS host driving a tiny in-test miniport (not the product driver): the whole lifecycle
//! clean, then one deliberately broken variant per host rule, each caught in Collect mode.
#![allow(clippy::cast_possible_truncation)] // header fields are u8/u16; the constants are u32/usize
#![allow(clippy::many_single_char_names)] // r(ig), a(dapter), q(uery), s(et), c(ounters)

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use e1000_model::{E1000Config, Unplugged};
use ndis_sim::bus::PluggedE1000;
use ndis_sim::host::{Adapter, LoadedDriver};
use ndis_sim::sys::{self, NDIS_HANDLE, NDIS_STATUS, PNET_BUFFER_LIST, PVOID, ULONG};
use ndis_sim::{Machine, Rule, VerifierMode};

// Header values (ndis.h / ntddndis.h), checked against the public headers.
const PENDING: NDIS_STATUS = 0x103;
const NOT_SUPPORTED: NDIS_STATUS = 0xC000_00BB_u32.cast_signed();
const BAD_CHARACTERISTICS: NDIS_STATUS = 0xC001_0005_u32.cast_signed();
const BAD_VERSION: NDIS_STATUS = 0xC001_0004_u32.cast_signed();
const LINK_STATE: NDIS_STATUS = 0x4001_0017;
const OID_GEN_VENDOR_ID: u32 = 0x0001_010C;
const OID_GEN_CURRENT_PACKET_FILTER: u32 = 0x0001_010E;
const TAG: ULONG = u32::from_le_bytes(*b"tiny");

/// What a test's miniport does wrong (or how it behaves).
#[derive(Clone, Copy, Default, Debug)]
#[allow(clippy::struct_excessive_bools)] // one switch per deliberate bug
struct Faults {
    pause_pending: bool,
    pause_failure: bool,
    hold_sends: bool,
    complete_held_on_pause: bool,
    double_complete: bool,
    complete_unknown: bool,
    pause_complete_in_restart: bool,
    oid_pending: bool,
    oid_double: bool,
    irql_in_send: bool,
    leak: bool,
    no_general: bool,
    general_first: bool,
    hang: bool,
    /// Indicate a frame (with `NDIS_RECEIVE_FLAGS_RESOURCES`) from `MiniportPause` and
    /// `MiniportRestart`, as a driver draining its ring may: legal in Pausing and Restarting.
    indicate_in_pause_and_restart: bool,
    /// Pend every OID request and never complete it.
    oid_never: bool,
    /// Pend every OID request and complete it with `NDIS_STATUS_PENDING`.
    oid_complete_pending: bool,
    /// In Initialize, `NdisMAllocateSharedMemory` fails (injected); `Some(true)`: the miniport
    /// logs it with `NdisWriteErrorLogEntry`, `Some(false)`: it does not.
    shared_memory_failure_logged: Option<bool>,
    /// A DPC on another processor indicates one frame (RESOURCES) while the pause pends.
    indicate_while_pausing: bool,
    /// Registration attributes first sent with `sizeof` (32) instead of revision 1's size (28).
    registration_sizeof: bool,
}

/// The tiny miniport's adapter context.
struct Tiny {
    machine: Machine,
    handle: usize,
    faults: Faults,
    bar0: AtomicU64,
    held_sends: Mutex<Vec<usize>>,
    /// Receive NBLs lent to NDIS.
    lent: Mutex<HashMap<usize, RxNbl>>,
    returned: AtomicUsize,
    sends: AtomicUsize,
    pnp_events: AtomicUsize,
    shutdowns: AtomicUsize,
    leaked: AtomicUsize,
    /// What `NdisMSetMiniportAttributes` returned for `Faults::registration_sizeof`'s call.
    registration_sizeof_status: AtomicI32,
    /// (address, `NDIS_RETURN_FLAGS_DISPATCH_LEVEL`) of every returned NBL, in return order.
    return_log: Mutex<Vec<(usize, bool)>>,
    resets: AtomicUsize,
}

/// A receive NBL the tiny miniport built from boxes.
struct RxNbl {
    nbl: *mut sys::NET_BUFFER_LIST,
    nb: *mut sys::NET_BUFFER,
    mdl: *mut sys::MDL,
    data: *mut [u8],
}
// SAFETY: owned by the tiny miniport alone; only addresses cross threads.
unsafe impl Send for RxNbl {}

impl Drop for RxNbl {
    fn drop(&mut self) {
        // SAFETY: `nbl` came from `Box::into_raw` in `rx_nbl` and is freed once, here; NDIS
        // has returned it (or never had it) when its `RxNbl` is dropped.
        drop(unsafe { Box::from_raw(self.nbl) });
        // SAFETY: `nb` came from its own `Box::into_raw` in `rx_nbl`, freed once; the NBL
        // that pointed at it is gone.
        drop(unsafe { Box::from_raw(self.nb) });
        // SAFETY: `mdl` came from its own `Box::into_raw` in `rx_nbl`, freed once; the
        // NET_BUFFER that pointed at it is gone.
        drop(unsafe { Box::from_raw(self.mdl) });
        // SAFETY: `data` came from `Box::into_raw` of the boxed frame in `rx_nbl`, freed
        // once; the MDL that described it is gone.
        drop(unsafe { Box::from_raw(self.data) });
    }
}

fn rx_nbl(frame: &[u8]) -> RxNbl {
    let data = Box::into_raw(frame.to_vec().into_boxed_slice());
    let va = data.cast::<u8>() as usize;
    let mdl = Box::into_raw(Box::new(sys::MDL {
        Next: core::ptr::null_mut(),
        Size: 48,
        MdlFlags: 0x4, // MDL_SOURCE_IS_NONPAGED_POOL
        Process: core::ptr::null_mut(),
        MappedSystemVa: va as PVOID,
        StartVa: (va & !0xFFF) as PVOID,
        ByteCount: frame.len() as u32,
        ByteOffset: (va & 0xFFF) as u32,
    }));
    let mut nb = sys::NET_BUFFER::default();
    nb.__bindgen_anon_1.__bindgen_anon_1.CurrentMdl = mdl;
    nb.__bindgen_anon_1.__bindgen_anon_1.MdlChain = mdl;
    nb.__bindgen_anon_1
        .__bindgen_anon_1
        .__bindgen_anon_1
        .DataLength = frame.len() as u32;
    let nb = Box::into_raw(Box::new(nb));
    let mut nbl = sys::NET_BUFFER_LIST::default();
    nbl.__bindgen_anon_1.__bindgen_anon_1.FirstNetBuffer = nb;
    RxNbl {
        nbl: Box::into_raw(Box::new(nbl)),
        nb,
        mdl,
        data,
    }
}

/// Per-handle configuration the tests register before Initialize (tests run in parallel, each
/// with its own machine and handles).
fn registry() -> &'static Mutex<HashMap<usize, Arc<Tiny>>> {
    static R: OnceLock<Mutex<HashMap<usize, Arc<Tiny>>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Driver object → driver handle, for Unload.
fn driver_handles() -> &'static Mutex<HashMap<usize, usize>> {
    static R: OnceLock<Mutex<HashMap<usize, usize>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(HashMap::new()))
}

/// # Safety
/// `ctx` is a `Tiny` the registry keeps alive.
unsafe fn tiny<'a>(ctx: NDIS_HANDLE) -> &'a Tiny {
    // SAFETY: the caller guarantees it.
    unsafe { &*ctx.cast::<Tiny>() }
}

fn header(kind: u8, revision: u8, size: usize) -> sys::NDIS_OBJECT_HEADER {
    sys::NDIS_OBJECT_HEADER {
        Type: kind,
        Revision: revision,
        Size: size as u16,
    }
}

unsafe extern "C" fn initialize(
    handle: NDIS_HANDLE,
    _driver_ctx: NDIS_HANDLE,
    params: sys::PNDIS_MINIPORT_INIT_PARAMETERS,
) -> NDIS_STATUS {
    let t = Arc::clone(&registry().lock().unwrap()[&(handle as usize)]);
    let ctx = Arc::as_ptr(&t).cast_mut();
    // SAFETY: NDIS passes valid parameters.
    let params = unsafe { &*params };
    // SAFETY: the resource list NDIS built.
    let list = unsafe { &*params.AllocatedResources };
    assert_eq!({ list.Count }, 2);
    let first = list.PartialDescriptors[0];
    assert_eq!(first.Type, 3, "memory first");
    // SAFETY: a memory descriptor.
    let memory = unsafe { first.u.Memory };
    // SAFETY: every bit pattern is a valid QuadPart.
    let start = unsafe { memory.Start.QuadPart };
    t.bar0.store(start.cast_unsigned(), Ordering::SeqCst);
    let mut general = sys::NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
        Header: header(
            0x9F,
            2,
            size_of::<sys::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES>(),
        ),
    };
    if t.faults.general_first {
        // SAFETY: valid handle and attributes.
        unsafe { sys::NdisMSetMiniportAttributes(handle, &raw mut general) };
    }
    let mut reg = sys::NDIS_MINIPORT_ADAPTER_ATTRIBUTES::default();
    if t.faults.registration_sizeof {
        reg.Header = header(
            0x9E,
            1,
            size_of::<sys::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES>(),
        );
        // SAFETY: valid handle and attributes.
        let s = unsafe { sys::NdisMSetMiniportAttributes(handle, &raw mut reg) };
        t.registration_sizeof_status.store(s, Ordering::SeqCst);
    }
    reg.RegistrationAttributes = sys::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
        // NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1: through InterfaceType.
        Header: header(0x9E, 1, 28),
        MiniportAdapterContext: ctx.cast(),
        AttributeFlags: 0x28, // HARDWARE_DEVICE | BUS_MASTER
        CheckForHangTimeInSeconds: 2,
        InterfaceType: 5, // NdisInterfacePci
    };
    // SAFETY: valid handle and attributes.
    let s = unsafe { sys::NdisMSetMiniportAttributes(handle, &raw mut reg) };
    assert_eq!(s, sys::NDIS_STATUS_SUCCESS);
    if !t.faults.no_general && !t.faults.general_first {
        // SAFETY: valid handle and attributes.
        unsafe { sys::NdisMSetMiniportAttributes(handle, &raw mut general) };
    }
    if t.faults.leak {
        // SAFETY: a plain allocation, deliberately never freed.
        let p = unsafe { sys::NdisAllocateMemoryWithTagPriority(handle, 64, TAG, 32) };
        t.leaked.store(p as usize, Ordering::SeqCst);
    }
    if let Some(logged) = t.faults.shared_memory_failure_logged {
        t.machine.fail_allocations(1, 0);
        let mut va: PVOID = core::ptr::null_mut();
        let mut pa = sys::NDIS_PHYSICAL_ADDRESS { QuadPart: 0 };
        // SAFETY: valid out pointers (the allocation fails by injection).
        unsafe { sys::NdisMAllocateSharedMemory(handle, 4096, 0, &raw mut va, &raw mut pa) };
        assert!(va.is_null());
        if logged {
            // SAFETY: the adapter's handle.
            unsafe {
                sys::NdisWriteErrorLogEntry(handle, sys::NDIS_ERROR_CODE_OUT_OF_RESOURCES, 1, 4096);
            };
        }
        return sys::NDIS_STATUS_RESOURCES;
    }
    sys::NDIS_STATUS_SUCCESS
}

unsafe extern "C" fn halt(_ctx: NDIS_HANDLE, _action: sys::NDIS_HALT_ACTION) {}

unsafe extern "C" fn unload(object: sys::PDRIVER_OBJECT) {
    let handle = driver_handles().lock().unwrap().remove(&(object as usize));
    if let Some(h) = handle {
        // SAFETY: the handle NdisMRegisterMiniportDriver gave.
        unsafe { sys::NdisMDeregisterMiniportDriver(h as NDIS_HANDLE) };
    }
}

unsafe extern "C" fn unload_without_deregister(_object: sys::PDRIVER_OBJECT) {}

/// Completes a chain of sends with SUCCESS.
fn complete(t: &Tiny, chain: usize, dispatch: bool) {
    let mut p = chain as PNET_BUFFER_LIST;
    while !p.is_null() {
        // SAFETY: an NBL the miniport owns.
        let nbl = unsafe { &mut *p };
        nbl.__bindgen_anon_2.Status = sys::NDIS_STATUS_SUCCESS;
        // SAFETY: the Next view.
        p = unsafe { nbl.__bindgen_anon_1.__bindgen_anon_1.Next };
    }
    // SAFETY: the chain is the miniport's to complete.
    unsafe {
        sys::NdisMSendNetBufferListsComplete(
            t.handle as NDIS_HANDLE,
            chain as PNET_BUFFER_LIST,
            u32::from(dispatch),
        );
    };
}

unsafe extern "C" fn pause(
    ctx: NDIS_HANDLE,
    _p: sys::PNDIS_MINIPORT_PAUSE_PARAMETERS,
) -> NDIS_STATUS {
    // SAFETY: our context.
    let t = unsafe { tiny(ctx) };
    if t.faults.complete_held_on_pause {
        for chain in std::mem::take(&mut *t.held_sends.lock().unwrap()) {
            complete(t, chain, false);
        }
    }
    if t.faults.indicate_in_pause_and_restart {
        indicate_one_with_resources(t);
    }
    if t.faults.pause_failure {
        return sys::NDIS_STATUS_FAILURE;
    }
    if t.faults.indicate_while_pausing {
        // A receive DPC that harvested its frame before the pause began, indicating on another
        // processor while MiniportPause pends; the pause completes once it has returned.
        let machine = t.machine.clone();
        let handle = t.handle;
        let context = ctx as usize;
        std::thread::spawn(move || {
            machine.run_on(1, move || {
                // SAFETY: the adapter context outlives the pending pause.
                let t = unsafe { tiny(context as NDIS_HANDLE) };
                let rx = rx_nbl(&frame(9, 60));
                do_indicate(t, rx.nbl, 1, true, sys::NDIS_RECEIVE_FLAGS_RESOURCES);
                drop(rx);
                // SAFETY: the adapter's handle; a pause is pending.
                unsafe { sys::NdisMPauseComplete(handle as NDIS_HANDLE) };
            });
        });
        return PENDING;
    }
    if t.faults.pause_pending {
        // Complete later, from another processor, as a DPC or work item would.
        let machine = t.machine.clone();
        let handle = t.handle;
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(5));
            machine.run_on(1, move || {
                // SAFETY: the adapter's handle; a pause is pending.
                unsafe { sys::NdisMPauseComplete(handle as NDIS_HANDLE) };
            });
        });
        return PENDING;
    }
    sys::NDIS_STATUS_SUCCESS
}

unsafe extern "C" fn restart(
    ctx: NDIS_HANDLE,
    _p: sys::PNDIS_MINIPORT_RESTART_PARAMETERS,
) -> NDIS_STATUS {
    // SAFETY: our context.
    let t = unsafe { tiny(ctx) };
    if t.faults.pause_complete_in_restart {
        // SAFETY: valid handle; deliberately no pause pending.
        unsafe { sys::NdisMPauseComplete(t.handle as NDIS_HANDLE) };
    }
    if t.faults.indicate_in_pause_and_restart {
        indicate_one_with_resources(t);
    }
    sys::NDIS_STATUS_SUCCESS
}

/// One frame indicated with `NDIS_RECEIVE_FLAGS_RESOURCES` at `PASSIVE_LEVEL` (the NBL is the
/// miniport's again when the call returns).
fn indicate_one_with_resources(t: &Tiny) {
    let rx = rx_nbl(&frame(5, 60));
    do_indicate(t, rx.nbl, 1, false, 2);
    drop(rx);
}

unsafe extern "C" fn oid_request(ctx: NDIS_HANDLE, req: sys::PNDIS_OID_REQUEST) -> NDIS_STATUS {
    // SAFETY: our context.
    let t = unsafe { tiny(ctx) };
    // SAFETY: NDIS passes a valid request.
    let r = unsafe { &mut *req };
    // SAFETY: QUERY and SET share Oid at the same offset.
    let oid = unsafe { r.DATA.QUERY_INFORMATION.Oid };
    let status = match (r.RequestType, oid) {
        (0, OID_GEN_VENDOR_ID) => {
            // SAFETY: the QUERY view of a query.
            let q = unsafe { &mut r.DATA.QUERY_INFORMATION };
            if q.InformationBufferLength < 4 {
                q.BytesNeeded = 4;
                0xC001_0014_u32.cast_signed() // NDIS_STATUS_INVALID_LENGTH
            } else {
                // SAFETY: the buffer holds at least 4 bytes.
                unsafe {
                    q.InformationBuffer
                        .cast::<u32>()
                        .write_unaligned(0x0000_8086);
                };
                q.BytesWritten = 4;
                sys::NDIS_STATUS_SUCCESS
            }
        }
        (1, OID_GEN_CURRENT_PACKET_FILTER) => {
            // SAFETY: the SET view of a set.
            let s = unsafe { &mut r.DATA.SET_INFORMATION };
            s.BytesRead = 4;
            sys::NDIS_STATUS_SUCCESS
        }
        _ => NOT_SUPPORTED,
    };
    if t.faults.oid_double {
        // SAFETY: valid handle and request; deliberately completed and then returned.
        unsafe { sys::NdisMOidRequestComplete(t.handle as NDIS_HANDLE, req, status) };
        return status;
    }
    if t.faults.oid_never {
        return PENDING;
    }
    let status = if t.faults.oid_complete_pending {
        PENDING
    } else {
        status
    };
    if t.faults.oid_pending || t.faults.oid_complete_pending {
        let machine = t.machine.clone();
        let handle = t.handle;
        let req = req as usize;
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(5));
            machine.run_on(1, move || {
                let mut old = 0;
                // SAFETY: raise to DISPATCH as a DPC would run.
                unsafe { sys::KeRaiseIrql(2, &raw mut old) };
                // SAFETY: the pending request.
                unsafe {
                    sys::NdisMOidRequestComplete(
                        handle as NDIS_HANDLE,
                        req as sys::PNDIS_OID_REQUEST,
                        status,
                    );
                };
                // SAFETY: back to where it was.
                unsafe { sys::KeLowerIrql(old) };
            });
        });
        return PENDING;
    }
    status
}

unsafe extern "C" fn send(
    ctx: NDIS_HANDLE,
    nbls: PNET_BUFFER_LIST,
    _port: sys::NDIS_PORT_NUMBER,
    flags: ULONG,
) {
    // SAFETY: our context.
    let t = unsafe { tiny(ctx) };
    t.sends.fetch_add(1, Ordering::SeqCst);
    if t.faults.irql_in_send {
        // SAFETY: a plain query (the Flags_Irql bug).
        let _ = unsafe { sys::KeGetCurrentIrql() };
    }
    if t.faults.hold_sends {
        t.held_sends.lock().unwrap().push(nbls as usize);
        return;
    }
    complete(t, nbls as usize, flags & 1 != 0);
    if t.faults.double_complete {
        complete(t, nbls as usize, flags & 1 != 0);
    }
    if t.faults.complete_unknown {
        let stranger = Box::into_raw(Box::new(sys::NET_BUFFER_LIST::default()));
        complete(t, stranger as usize, flags & 1 != 0);
        // SAFETY: the host did not keep it (it is not its own).
        drop(unsafe { Box::from_raw(stranger) });
    }
}

unsafe extern "C" fn check_for_hang(ctx: NDIS_HANDLE) -> sys::BOOLEAN {
    // SAFETY: our context.
    sys::BOOLEAN::from(unsafe { tiny(ctx) }.faults.hang)
}

unsafe extern "C" fn reset(ctx: NDIS_HANDLE, addressing: *mut sys::BOOLEAN) -> NDIS_STATUS {
    // SAFETY: our context.
    let t = unsafe { tiny(ctx) };
    // SAFETY: NDIS passes a valid out parameter.
    unsafe { addressing.write(0) };
    t.resets.fetch_add(1, Ordering::SeqCst);
    let machine = t.machine.clone();
    let handle = t.handle;
    std::thread::spawn(move || {
        machine.run_on(1, move || {
            // SAFETY: the adapter's handle; a reset is pending.
            unsafe { sys::NdisMResetComplete(handle as NDIS_HANDLE, sys::NDIS_STATUS_SUCCESS, 0) };
        });
    });
    PENDING
}

unsafe extern "C" fn return_nbls(ctx: NDIS_HANDLE, nbls: PNET_BUFFER_LIST, flags: ULONG) {
    // SAFETY: our context.
    let t = unsafe { tiny(ctx) };
    let mut p = nbls;
    while !p.is_null() {
        // SAFETY: one of our receive NBLs, back from NDIS.
        let head = unsafe { &(*p).__bindgen_anon_1 };
        // SAFETY: the Next view.
        let next = unsafe { head.__bindgen_anon_1.Next };
        let rx = t.lent.lock().unwrap().remove(&(p as usize));
        assert!(
            rx.is_some(),
            "NDIS returned an NBL the miniport never indicated"
        );
        t.returned.fetch_add(1, Ordering::SeqCst);
        t.return_log
            .lock()
            .unwrap()
            .push((p as usize, flags & 1 != 0));
        p = next;
    }
}

unsafe extern "C" fn cancel_send(_ctx: NDIS_HANDLE, _id: PVOID) {}
unsafe extern "C" fn pnp(ctx: NDIS_HANDLE, _e: sys::PNET_DEVICE_PNP_EVENT) {
    // SAFETY: our context.
    unsafe { tiny(ctx) }
        .pnp_events
        .fetch_add(1, Ordering::SeqCst);
}
unsafe extern "C" fn shutdown(ctx: NDIS_HANDLE, _a: sys::NDIS_SHUTDOWN_ACTION) {
    // SAFETY: our context.
    unsafe { tiny(ctx) }
        .shutdowns
        .fetch_add(1, Ordering::SeqCst);
}
unsafe extern "C" fn cancel_oid(_ctx: NDIS_HANDLE, _id: PVOID) {}

fn characteristics() -> sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
    sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
        Header: header(
            0x8A,
            2,
            size_of::<sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS>(),
        ),
        MajorNdisVersion: 6,
        MinorNdisVersion: 30,
        InitializeHandlerEx: Some(initialize),
        HaltHandlerEx: Some(halt),
        UnloadHandler: Some(unload),
        PauseHandler: Some(pause),
        RestartHandler: Some(restart),
        OidRequestHandler: Some(oid_request),
        SendNetBufferListsHandler: Some(send),
        ReturnNetBufferListsHandler: Some(return_nbls),
        CancelSendHandler: Some(cancel_send),
        DevicePnPEventNotifyHandler: Some(pnp),
        ShutdownHandlerEx: Some(shutdown),
        CancelOidRequestHandler: Some(cancel_oid),
        CheckForHangHandlerEx: Some(check_for_hang),
        ResetHandlerEx: Some(reset),
        ..Default::default()
    }
}

fn register_with(
    object: sys::PDRIVER_OBJECT,
    path: sys::PUNICODE_STRING,
    mut chars: sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
) -> sys::NTSTATUS {
    let mut handle: NDIS_HANDLE = core::ptr::null_mut();
    // SAFETY: valid characteristics and out pointer.
    let status = unsafe {
        sys::NdisMRegisterMiniportDriver(
            object,
            path,
            core::ptr::null_mut(),
            &raw mut chars,
            &raw mut handle,
        )
    };
    if status == sys::NDIS_STATUS_SUCCESS {
        driver_handles()
            .lock()
            .unwrap()
            .insert(object as usize, handle as usize);
    }
    status
}

unsafe extern "C" fn driver_entry(
    object: sys::PDRIVER_OBJECT,
    path: sys::PUNICODE_STRING,
) -> sys::NTSTATUS {
    register_with(object, path, characteristics())
}

unsafe extern "C" fn entry_missing_cancel_oid(
    object: sys::PDRIVER_OBJECT,
    path: sys::PUNICODE_STRING,
) -> sys::NTSTATUS {
    let mut c = characteristics();
    c.CancelOidRequestHandler = None;
    register_with(object, path, c)
}

unsafe extern "C" fn entry_ndis5(
    object: sys::PDRIVER_OBJECT,
    path: sys::PUNICODE_STRING,
) -> sys::NTSTATUS {
    let mut c = characteristics();
    c.MajorNdisVersion = 5;
    register_with(object, path, c)
}

unsafe extern "C" fn entry_at_dispatch(
    object: sys::PDRIVER_OBJECT,
    path: sys::PUNICODE_STRING,
) -> sys::NTSTATUS {
    let mut old = 0;
    // SAFETY: raising (the bug is registering at DISPATCH_LEVEL).
    unsafe { sys::KeRaiseIrql(2, &raw mut old) };
    let s = register_with(object, path, characteristics());
    // SAFETY: back to PASSIVE.
    unsafe { sys::KeLowerIrql(old) };
    s
}

unsafe extern "C" fn entry_no_deregister(
    object: sys::PDRIVER_OBJECT,
    path: sys::PUNICODE_STRING,
) -> sys::NTSTATUS {
    let mut c = characteristics();
    c.UnloadHandler = Some(unload_without_deregister);
    register_with(object, path, c)
}

struct Rig {
    machine: Machine,
    driver: LoadedDriver,
    plugged: PluggedE1000,
    tiny: Arc<Tiny>,
}

fn rig(faults: Faults) -> Rig {
    let machine = Machine::builder()
        .processors(2)
        .seed(11)
        .mode(VerifierMode::Collect)
        .build();
    let plugged = machine.plug_e1000(3, E1000Config::default(), Box::new(Unplugged));
    let tiny = Arc::new(Tiny {
        machine: machine.clone(),
        handle: plugged.handle as usize,
        faults,
        bar0: AtomicU64::new(0),
        held_sends: Mutex::new(Vec::new()),
        lent: Mutex::new(HashMap::new()),
        returned: AtomicUsize::new(0),
        sends: AtomicUsize::new(0),
        pnp_events: AtomicUsize::new(0),
        shutdowns: AtomicUsize::new(0),
        leaked: AtomicUsize::new(0),
        registration_sizeof_status: AtomicI32::new(0),
        return_log: Mutex::new(Vec::new()),
        resets: AtomicUsize::new(0),
    });
    registry()
        .lock()
        .unwrap()
        .insert(plugged.handle as usize, Arc::clone(&tiny));
    let driver = machine.load_driver(driver_entry).expect("DriverEntry");
    Rig {
        machine,
        driver,
        plugged,
        tiny,
    }
}

impl Rig {
    fn up(&self) -> Adapter {
        let a = self.driver.initialize(&self.plugged).expect("Initialize");
        assert_eq!(a.restart(), sys::NDIS_STATUS_SUCCESS);
        a
    }

    /// The tiny miniport indicates `frames` (one NBL each) on `cpu`.
    fn indicate(
        &self,
        cpu: usize,
        frames: &[&[u8]],
        dispatch: bool,
        resources: bool,
        count_off: u32,
    ) {
        let t = Arc::clone(&self.tiny);
        let frames: Vec<Vec<u8>> = frames.iter().map(|f| f.to_vec()).collect();
        self.machine.run_on(cpu, move || {
            let rx: Vec<RxNbl> = frames.iter().map(|f| rx_nbl(f)).collect();
            for pair in rx.windows(2) {
                // SAFETY: our NBLs.
                let head = unsafe { &mut (*pair[0].nbl).__bindgen_anon_1 };
                head.__bindgen_anon_1.Next = pair[1].nbl;
            }
            let head = rx[0].nbl;
            let n = rx.len() as u32;
            if resources {
                // NDIS_RECEIVE_FLAGS_RESOURCES: the NBLs are ours again when the call returns.
                do_indicate(&t, head, n + count_off, dispatch, 2);
                drop(rx);
            } else {
                let mut lent = t.lent.lock().unwrap();
                for r in rx {
                    lent.insert(r.nbl as usize, r);
                }
                drop(lent);
                do_indicate(&t, head, n + count_off, dispatch, 0);
            }
        });
    }
}

fn do_indicate(t: &Tiny, head: PNET_BUFFER_LIST, n: u32, dispatch: bool, flags: ULONG) {
    mark_source(t, head);
    let mut old = 0;
    if dispatch {
        // SAFETY: raising to DISPATCH as a DPC runs.
        unsafe { sys::KeRaiseIrql(2, &raw mut old) };
    }
    // SAFETY: our own chain of valid NBLs.
    unsafe {
        sys::NdisMIndicateReceiveNetBufferLists(
            t.handle as NDIS_HANDLE,
            head,
            0,
            n,
            flags | u32::from(dispatch),
        );
    };
    if dispatch {
        // SAFETY: back down.
        unsafe { sys::KeLowerIrql(old) };
    }
}

/// Sets `SourceHandle` = the adapter's handle on every NBL of the chain, as a miniport must
/// before it indicates.
fn mark_source(t: &Tiny, head: PNET_BUFFER_LIST) {
    let mut p = head;
    while !p.is_null() {
        // SAFETY: our own NBLs.
        unsafe { (*p).SourceHandle = t.handle as NDIS_HANDLE };
        // SAFETY: `p` is one of our own live NBLs (non-null, checked by the loop); a shared
        // view of its header, taken after the write above ended.
        let header = unsafe { &(*p).__bindgen_anon_1 };
        // SAFETY: the NBL-header view of our NBL.
        p = unsafe { header.__bindgen_anon_1.Next };
    }
}

fn frame(n: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| n.wrapping_add(i as u8)).collect()
}

#[test]
fn the_whole_lifecycle_is_clean() {
    let r = rig(Faults {
        pause_pending: true,
        oid_pending: true,
        ..Faults::default()
    });
    let a = r.up();
    assert_eq!(r.tiny.bar0.load(Ordering::SeqCst), r.plugged.device.bar0());
    // Sends from both processors, at PASSIVE and at DISPATCH.
    let mut ids = Vec::new();
    for (i, (cpu, dispatch)) in [(0, false), (1, true), (1, false), (0, true)]
        .into_iter()
        .enumerate()
    {
        let frames = vec![frame(i as u8, 60), frame(i as u8 + 1, 1514)];
        ids.extend(a.send(cpu, &frames, dispatch));
    }
    let mut done = a.take_completions();
    done.sort_by_key(|c| c.id);
    assert_eq!(done.iter().map(|c| c.id).collect::<Vec<_>>(), ids);
    assert!(done.iter().all(|c| c.status == sys::NDIS_STATUS_SUCCESS));
    // Receives at PASSIVE and DISPATCH, one with RESOURCES (back at once).
    let f1 = frame(7, 64);
    let f2 = frame(9, 128);
    r.indicate(0, &[&f1, &f2], true, false, 0);
    r.indicate(1, &[&f2], false, true, 0);
    let got = a.take_received();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].data, f1);
    assert_eq!(got[1].data, f2);
    assert_eq!(got[0].flags & 1, 1);
    assert_eq!(got[2].cpu, 1);
    // OIDs: a pended query and a set.
    let q = a.oid_query(OID_GEN_VENDOR_ID, 4);
    assert_eq!(q.status, sys::NDIS_STATUS_SUCCESS);
    assert_eq!(q.data, 0x8086u32.to_le_bytes());
    let short = a.oid_query(OID_GEN_VENDOR_ID, 2);
    assert_eq!(short.bytes_needed, 4);
    let s = a.oid_set(OID_GEN_CURRENT_PACKET_FILTER, &1u32.to_le_bytes());
    assert_eq!(
        (s.status, s.bytes_written_or_read),
        (sys::NDIS_STATUS_SUCCESS, 4)
    );
    assert_eq!(a.oid_query(0x0001_0101, 16).status, NOT_SUPPORTED);
    // A link-state indication.
    let handle = a.handle() as usize;
    r.machine.run_on(1, move || {
        let mut ls = sys::NDIS_LINK_STATE {
            MediaConnectState: 1,
            XmitLinkSpeed: 1_000_000_000,
            RcvLinkSpeed: 1_000_000_000,
            ..Default::default()
        };
        let mut ind = sys::NDIS_STATUS_INDICATION {
            Header: header(0x98, 1, size_of::<sys::NDIS_STATUS_INDICATION>()),
            SourceHandle: handle as NDIS_HANDLE,
            StatusCode: LINK_STATE,
            StatusBuffer: (&raw mut ls).cast(),
            StatusBufferSize: size_of::<sys::NDIS_LINK_STATE>() as u32,
            ..Default::default()
        };
        // SAFETY: a valid indication.
        unsafe { sys::NdisMIndicateStatusEx(handle as NDIS_HANDLE, &raw mut ind) };
    });
    assert_eq!(a.link_state().map(|l| l.XmitLinkSpeed), Some(1_000_000_000));
    // Pause (pended, completed from processor 1), restart, pause again, halt.
    assert_eq!(a.pause(), PENDING);
    assert_eq!(
        r.tiny.returned.load(Ordering::SeqCst),
        2,
        "every indication returned by Pause"
    );
    assert_eq!(a.restart(), sys::NDIS_STATUS_SUCCESS);
    a.shutdown(0);
    assert_eq!(r.tiny.shutdowns.load(Ordering::SeqCst), 1);
    a.surprise_remove();
    assert_eq!(r.plugged.device.read_register(0), u32::MAX);
    assert_eq!(r.tiny.pnp_events.load(Ordering::SeqCst), 1);
    let _ = a.pause();
    let c = a.counters();
    assert_eq!((c.sent, c.completed, c.failed), (8, 8, 0));
    assert_eq!((c.indicated, c.returned), (3, 3));
    assert_eq!(c.oids, 4);
    assert_eq!(c.status_indications, 1);
    let leaks = a.halt(0);
    assert!(leaks.is_empty(), "{leaks}");
    r.driver.unload();
    let report = r.machine.report();
    assert!(report.violations.is_empty(), "{report}");
}

/// A rig whose report must contain `rule`, with the machine in Collect mode.
fn assert_caught(machine: &Machine, rule: Rule) {
    let report = machine.report();
    assert!(report.has(rule), "expected {rule:?}:\n{report}");
}

#[test]
fn missing_handler_is_bad_characteristics() {
    let m = Machine::builder()
        .processors(1)
        .seed(1)
        .mode(VerifierMode::Collect)
        .build();
    let status = m.run_on(0, || {
        let mut object = sys::DRIVER_OBJECT {
            Type: 4,
            Size: i16::try_from(size_of::<sys::DRIVER_OBJECT>()).unwrap_or(0),
            ..sys::DRIVER_OBJECT::default()
        };
        // SAFETY: a driver object that outlives the call.
        unsafe { entry_missing_cancel_oid(&raw mut object, core::ptr::null_mut()) }
    });
    assert_eq!(status, BAD_CHARACTERISTICS);
    assert_eq!(
        m.load_driver(entry_missing_cancel_oid).err(),
        Some(BAD_CHARACTERISTICS)
    );
}

#[test]
fn ndis_5_is_bad_version() {
    let m = Machine::builder()
        .processors(1)
        .seed(1)
        .mode(VerifierMode::Collect)
        .build();
    assert_eq!(m.load_driver(entry_ndis5).err(), Some(BAD_VERSION));
}

#[test]
fn register_at_dispatch_is_irql_miniport_driver_function() {
    let m = Machine::builder()
        .processors(1)
        .seed(1)
        .mode(VerifierMode::Collect)
        .build();
    let driver = m.load_driver(entry_at_dispatch).expect("registered anyway");
    assert_caught(&m, Rule::IrqlMiniportDriverFunction);
    driver.unload();
}

#[test]
fn unload_without_deregister_is_miniport_state() {
    let m = Machine::builder()
        .processors(1)
        .seed(1)
        .mode(VerifierMode::Collect)
        .build();
    let driver = m.load_driver(entry_no_deregister).expect("DriverEntry");
    assert!(m.report().violations.is_empty());
    driver.unload();
    assert_caught(&m, Rule::MiniportState);
}

#[test]
fn double_send_completion_is_send_accounting() {
    let r = rig(Faults {
        double_complete: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.send(0, &[frame(1, 60)], false);
    assert_caught(&r.machine, Rule::SendAccounting);
    assert!(
        r.machine.report().of(Rule::SendAccounting)[0]
            .detail
            .contains("already completed")
    );
}

#[test]
fn completing_a_foreign_nbl_is_send_accounting() {
    let r = rig(Faults {
        complete_unknown: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.send(1, &[frame(1, 60)], true);
    assert_caught(&r.machine, Rule::SendAccounting);
    assert!(
        r.machine.report().of(Rule::SendAccounting)[0]
            .detail
            .contains("never sent")
    );
}

#[test]
fn pause_with_sends_outstanding_is_send_accounting() {
    let r = rig(Faults {
        hold_sends: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.send(0, &[frame(1, 60), frame(2, 60)], false);
    assert!(r.machine.report().violations.is_empty());
    let _ = a.pause();
    assert_caught(&r.machine, Rule::SendAccounting);
}

#[test]
fn pause_completing_held_sends_is_clean() {
    let r = rig(Faults {
        hold_sends: true,
        complete_held_on_pause: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.send(0, &[frame(1, 60), frame(2, 60)], false);
    assert!(a.take_completions().is_empty());
    let _ = a.pause();
    assert_eq!(a.take_completions().len(), 2);
    let report = r.machine.report();
    assert!(report.violations.is_empty(), "{report}");
}

#[test]
fn indication_while_paused_is_receive_accounting_and_returned() {
    let r = rig(Faults::default());
    let a = r.driver.initialize(&r.plugged).expect("Initialize");
    let f = frame(3, 60);
    r.indicate(0, &[&f], false, false, 0);
    assert_caught(&r.machine, Rule::ReceiveAccounting);
    assert!(
        a.take_received().is_empty(),
        "NDIS drops an indication while paused"
    );
    a.return_all_received();
    assert_eq!(r.tiny.returned.load(Ordering::SeqCst), 1);
    let _ = a.halt(0);
}

/// `MiniportPause`'s page: while pausing, the miniport waits for its indications to return;
/// "Pausing a Binding": protocols handle receive indications as usual while pausing. A DPC
/// that harvested before the pause began may still indicate: not a violation (QEMU's e1000,
/// interrupting in real time, does this to the rse1k driver during `rse1k-run --device qemu`).
#[test]
fn indication_while_pausing_is_allowed() {
    let r = rig(Faults {
        indicate_while_pausing: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.pause();
    let report = r.machine.report();
    assert!(report.violations.is_empty(), "{report}");
    assert_eq!(a.take_received().len(), 1, "NDIS took the frame");
    let _ = a.halt(0);
}

#[test]
fn indications_while_pausing_and_restarting_are_legal() {
    // "Miniport adapter states and operations": receives are handled in Running and Pausing;
    // MiniportRestart: the driver may indicate as soon as it is called.
    let r = rig(Faults {
        indicate_in_pause_and_restart: true,
        ..Faults::default()
    });
    let a = r.up();
    assert_eq!(a.pause(), sys::NDIS_STATUS_SUCCESS);
    assert_eq!(a.restart(), sys::NDIS_STATUS_SUCCESS);
    assert_eq!(a.pause(), sys::NDIS_STATUS_SUCCESS);
    assert_eq!(a.counters().indicated, 4);
    let _ = a.halt(0);
    let report = r.machine.report();
    assert!(report.violations.is_empty(), "{report}");
}

#[test]
fn a_clear_dispatch_flag_at_dispatch_is_legal_a_set_one_at_passive_is_not() {
    // "Dispatch IRQL Tracking": a caller that does not know its IRQL clears the flag.
    let r = rig(Faults::default());
    let a = r.up();
    let t = Arc::clone(&r.tiny);
    r.machine.run_on(0, move || {
        let rx = rx_nbl(&frame(6, 60));
        mark_source(&t, rx.nbl);
        let mut old = 0;
        // SAFETY: raising to DISPATCH as a DPC runs; lowered below.
        unsafe { sys::KeRaiseIrql(2, &raw mut old) };
        // SAFETY: our own valid NBL; RESOURCES, no DISPATCH_LEVEL flag.
        unsafe {
            sys::NdisMIndicateReceiveNetBufferLists(t.handle as NDIS_HANDLE, rx.nbl, 0, 1, 2);
        };
        // SAFETY: back down.
        unsafe { sys::KeLowerIrql(old) };
        drop(rx);
    });
    let report = r.machine.report();
    assert!(report.violations.is_empty(), "{report}");
    let t = Arc::clone(&r.tiny);
    r.machine.run_on(0, move || {
        let rx = rx_nbl(&frame(6, 60));
        mark_source(&t, rx.nbl);
        // SAFETY: our own valid NBL; the DISPATCH_LEVEL flag set at PASSIVE_LEVEL (the bug).
        unsafe {
            sys::NdisMIndicateReceiveNetBufferLists(t.handle as NDIS_HANDLE, rx.nbl, 0, 1, 3);
        };
        drop(rx);
    });
    assert_caught(&r.machine, Rule::IrqlSendRcvFunction);
    let _ = a.pause();
}

#[test]
fn a_receive_nbl_without_its_source_handle_is_receive_accounting() {
    let r = rig(Faults::default());
    let a = r.up();
    let t = Arc::clone(&r.tiny);
    r.machine.run_on(0, move || {
        let rx = rx_nbl(&frame(6, 60));
        // SAFETY: our own valid NBL, SourceHandle left null (the bug); RESOURCES.
        unsafe {
            sys::NdisMIndicateReceiveNetBufferLists(t.handle as NDIS_HANDLE, rx.nbl, 0, 1, 2);
        };
        drop(rx);
    });
    let report = r.machine.report();
    let found = report.of(Rule::ReceiveAccounting);
    assert_eq!(found.len(), 1, "{report}");
    assert!(found[0].detail.contains("SourceHandle"), "{report}");
    let _ = a.pause();
}

/// A DPC that indicates 40 frames at once (with `NDIS_RECEIVE_FLAGS_RESOURCES`), whatever
/// `MaxNblsToIndicate` says (the bug).
unsafe extern "C" fn dpc_ignoring_throttle(ctx: NDIS_HANDLE, _c: PVOID, _t: PVOID, _r: PVOID) {
    // SAFETY: the context is the rig's Tiny, alive for the test.
    let t = unsafe { &*ctx.cast::<Tiny>() };
    let rx: Vec<RxNbl> = (0..40).map(|i| rx_nbl(&frame(i, 60))).collect();
    for pair in rx.windows(2) {
        // SAFETY: our NBLs.
        let head = unsafe { &mut (*pair[0].nbl).__bindgen_anon_1 };
        head.__bindgen_anon_1.Next = pair[1].nbl;
    }
    mark_source(t, rx[0].nbl);
    // SAFETY: our own chain, at DISPATCH_LEVEL (a DPC), RESOURCES.
    unsafe {
        sys::NdisMIndicateReceiveNetBufferLists(t.handle as NDIS_HANDLE, rx[0].nbl, 0, 40, 3);
    };
    drop(rx);
}

unsafe extern "C" fn isr_unclaimed(_ctx: NDIS_HANDLE, _q: *mut u8, _t: *mut u32) -> u8 {
    0
}

#[test]
fn indicating_more_than_max_nbls_to_indicate_is_receive_throttle() {
    let r = rig(Faults::default());
    let a = r.up();
    let h = r.tiny.handle;
    let ctx = Arc::as_ptr(&r.tiny) as usize;
    // MaxNblsToIndicate is drawn from the seed ("all" one time in four): queue DPCs until one
    // gets a limit (at most 16; each is at most 32).
    r.machine.run_on(0, move || {
        let mut chars = sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
            Header: header(
                0x84,
                1,
                size_of::<sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS>(),
            ),
            InterruptHandler: Some(isr_unclaimed),
            InterruptDpcHandler: Some(dpc_ignoring_throttle),
            ..Default::default()
        };
        let mut irq: NDIS_HANDLE = core::ptr::null_mut();
        // SAFETY: valid characteristics, context and out pointer.
        let st = unsafe {
            sys::NdisMRegisterInterruptEx(
                h as NDIS_HANDLE,
                ctx as NDIS_HANDLE,
                &raw mut chars,
                &raw mut irq,
            )
        };
        assert_eq!(st, sys::NDIS_STATUS_SUCCESS);
        let mut target = sys::GROUP_AFFINITY {
            Mask: 1,
            ..Default::default()
        };
        for _ in 0..16 {
            // SAFETY: a registered interrupt; the DPC runs when this routine ends its window.
            let _ = unsafe { sys::NdisMQueueDpcEx(irq, 0, &raw mut target, core::ptr::null_mut()) };
            let mut old = 0;
            // SAFETY: raise and lower: the queued DPC runs on the way down.
            unsafe { sys::KeRaiseIrql(2, &raw mut old) };
            // SAFETY: back down.
            unsafe { sys::KeLowerIrql(old) };
        }
        // SAFETY: registered above.
        unsafe { sys::NdisMDeregisterInterruptEx(irq) };
    });
    let report = r.machine.report();
    let throttled = report.of(Rule::ReceiveThrottle);
    assert!(!throttled.is_empty(), "{report}");
    assert!(
        throttled[0].detail.contains("MaxNblsToIndicate"),
        "{report}"
    );
    let _ = a.pause();
}

#[test]
fn wrong_nbl_count_is_receive_accounting() {
    let r = rig(Faults::default());
    let a = r.up();
    let f = frame(3, 60);
    r.indicate(1, &[&f, &f], true, false, 1);
    assert_caught(&r.machine, Rule::ReceiveAccounting);
    let _ = a.pause();
}

#[test]
fn pause_complete_without_pause_is_miniport_state() {
    let r = rig(Faults {
        pause_complete_in_restart: true,
        ..Faults::default()
    });
    let _a = r.up();
    assert_caught(&r.machine, Rule::MiniportState);
}

#[test]
fn pause_returning_failure_is_miniport_pause_return() {
    let r = rig(Faults {
        pause_failure: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.pause();
    assert_caught(&r.machine, Rule::MiniportPauseReturn);
}

#[test]
fn oid_completed_and_returned_is_double_complete() {
    let r = rig(Faults {
        oid_double: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.oid_query(OID_GEN_VENDOR_ID, 4);
    assert_caught(&r.machine, Rule::NdisOidDoubleComplete);
}

#[test]
fn an_oid_never_completed_is_timed_oid_complete_and_the_next_is_a_double_request() {
    let r = rig(Faults {
        oid_never: true,
        ..Faults::default()
    });
    let a = r.up();
    let before = r.machine.virtual_time_ns();
    let q = a.oid_query(OID_GEN_VENDOR_ID, 4);
    assert_eq!(q.status, PENDING, "never completed");
    let waited = r.machine.virtual_time_ns() - before;
    assert!(
        (12_000_000_000..13_000_000_000).contains(&waited),
        "reported on the simulated clock at 12 s, waited {waited} ns"
    );
    let report = r.machine.report();
    let late = report.of(Rule::NdisTimedOidComplete);
    assert_eq!(late.len(), 1, "{report}");
    assert_eq!(
        (late[0].bug_check, late[0].parameter1),
        (0xC4, Some(0x0009_2003))
    );
    let _ = a.oid_query(OID_GEN_VENDOR_ID, 4);
    let report = r.machine.report();
    let double = report.of(Rule::NdisOidDoubleRequest);
    assert_eq!(double.len(), 1, "{report}");
    assert_eq!(double[0].parameter1, Some(0x0009_100E));
}

#[test]
fn completing_an_oid_with_pending_is_ndis_oid_complete() {
    let r = rig(Faults {
        oid_complete_pending: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.oid_query(OID_GEN_VENDOR_ID, 4);
    let report = r.machine.report();
    let bad = report.of(Rule::NdisOidComplete);
    assert_eq!(bad.len(), 1, "{report}");
    assert_eq!(
        (bad[0].bug_check, bad[0].parameter1),
        (0xC4, Some(0x0009_1001))
    );
}

#[test]
fn failing_a_releasing_oid_is_ndis_oid_complete() {
    // OID_802_3_DELETE_MULTICAST_ADDRESS may finish only with SUCCESS, NOT_ACCEPTED or
    // REQUEST_ABORTED; the tiny miniport answers NOT_SUPPORTED.
    let r = rig(Faults::default());
    let a = r.up();
    let _ = a.oid_set(0x0101_0209, &[0; 6]);
    assert_caught(&r.machine, Rule::NdisOidComplete);
    let clean = rig(Faults::default());
    let b = clean.up();
    let _ = b.oid_set(OID_GEN_CURRENT_PACKET_FILTER, &1u32.to_le_bytes());
    assert!(clean.machine.report().violations.is_empty());
}

#[test]
fn sends_held_are_timed_data_hang_at_22_s_and_timed_data_send_at_30_s() {
    let r = rig(Faults {
        hold_sends: true,
        complete_held_on_pause: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.send(0, &[frame(1, 60)], false);
    let _ = r.machine.advance_clock(21_999_999_999);
    assert!(r.machine.report().violations.is_empty());
    let _ = r.machine.advance_clock(1);
    let report = r.machine.report();
    let hang = report.of(Rule::NdisTimedDataHang);
    assert_eq!(hang.len(), 1, "{report}");
    assert_eq!(
        (hang[0].bug_check, hang[0].parameter1),
        (0xC4, Some(0x0009_200F))
    );
    assert!(!report.has(Rule::NdisTimedDataSend));
    let _ = r.machine.advance_clock(8_000_000_000);
    let report = r.machine.report();
    let late = report.of(Rule::NdisTimedDataSend);
    assert_eq!(late.len(), 1, "{report}");
    assert_eq!(late[0].parameter1, Some(0x0009_200D));
    let _ = a.pause();
    assert_eq!(a.take_completions().len(), 1);
}

#[test]
fn sends_completed_in_time_are_clean_however_long_the_clock_runs() {
    let r = rig(Faults::default());
    let a = r.up();
    for i in 0..4 {
        let _ = a.send(0, &[frame(i, 60)], false);
        let _ = r.machine.advance_clock(20_000_000_000);
    }
    let _ = a.pause();
    let report = r.machine.report();
    assert!(report.violations.is_empty(), "{report}");
}

#[test]
fn a_shared_memory_failure_in_initialize_must_be_logged() {
    let r = rig(Faults {
        shared_memory_failure_logged: Some(false),
        ..Faults::default()
    });
    assert!(r.driver.initialize(&r.plugged).is_err());
    let report = r.machine.report();
    assert_eq!(report.of(Rule::WriteErrorLog).len(), 1, "{report}");
    let logged = rig(Faults {
        shared_memory_failure_logged: Some(true),
        ..Faults::default()
    });
    assert!(logged.driver.initialize(&logged.plugged).is_err());
    assert!(!logged.machine.report().has(Rule::WriteErrorLog));
    assert_eq!(logged.machine.error_log().len(), 1);
}

#[test]
fn status_after_halt_is_ndis_m_indicate_status_ex() {
    let r = rig(Faults::default());
    let a = r.up();
    let _ = a.pause();
    let handle = a.handle() as usize;
    let _ = a.halt(0);
    r.machine.run_on(0, move || {
        let mut ind = sys::NDIS_STATUS_INDICATION {
            Header: header(0x98, 1, size_of::<sys::NDIS_STATUS_INDICATION>()),
            StatusCode: LINK_STATE,
            ..Default::default()
        };
        // SAFETY: a valid indication (the bug is the timing).
        unsafe { sys::NdisMIndicateStatusEx(handle as NDIS_HANDLE, &raw mut ind) };
    });
    assert_caught(&r.machine, Rule::NdisMIndicateStatusEx);
}

#[test]
fn ke_get_current_irql_in_send_is_flags_irql() {
    let r = rig(Faults {
        irql_in_send: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.send(0, &[frame(1, 60)], true);
    assert_caught(&r.machine, Rule::FlagsIrql);
}

#[test]
fn leak_at_halt_is_reported() {
    let r = rig(Faults {
        leak: true,
        ..Faults::default()
    });
    let a = r.up();
    let _ = a.pause();
    let leaks = a.halt(0);
    assert_eq!(leaks.pool.len(), 1);
    assert_caught(&r.machine, Rule::LeakAtHalt);
}

#[test]
fn initialize_without_general_attributes_is_miniport_state() {
    let r = rig(Faults {
        no_general: true,
        ..Faults::default()
    });
    let _a = r.driver.initialize(&r.plugged).expect("Initialize");
    assert_caught(&r.machine, Rule::MiniportState);
}

#[test]
fn registration_attributes_with_sizeof_instead_of_the_revision_size_are_refused() {
    let r = rig(Faults {
        registration_sizeof: true,
        ..Faults::default()
    });
    let _a = r.driver.initialize(&r.plugged).expect("Initialize");
    assert_eq!(
        r.tiny.registration_sizeof_status.load(Ordering::SeqCst),
        sys::NDIS_STATUS_INVALID_PARAMETER
    );
}

#[test]
fn general_attributes_before_registration_is_miniport_state() {
    let r = rig(Faults {
        general_first: true,
        ..Faults::default()
    });
    let _a = r.driver.initialize(&r.plugged).expect("Initialize");
    assert_caught(&r.machine, Rule::MiniportState);
    assert!(
        r.machine.report().of(Rule::MiniportState)[0]
            .detail
            .contains("first")
    );
}

/// Calls `f` on processor 0 at DIRQL 5 (above `DISPATCH_LEVEL`).
fn at_dirql(m: &Machine, f: impl FnOnce() + Send) {
    m.run_on(0, move || {
        let mut old = 0;
        // SAFETY: raising; lowered below.
        unsafe { sys::KeRaiseIrql(5, &raw mut old) };
        f();
        // SAFETY: back down.
        unsafe { sys::KeLowerIrql(old) };
    });
}

#[test]
fn completions_and_indications_above_dispatch_are_irql_rules() {
    let r = rig(Faults::default());
    let a = r.up();
    let h = a.handle() as usize;
    at_dirql(&r.machine, move || {
        // SAFETY: an empty chain (only the IRQL is wrong).
        unsafe { sys::NdisMSendNetBufferListsComplete(h as NDIS_HANDLE, core::ptr::null_mut(), 0) };
    });
    assert_caught(&r.machine, Rule::IrqlSendRcvFunction);
    at_dirql(&r.machine, move || {
        let mut ind = sys::NDIS_STATUS_INDICATION::default();
        // SAFETY: a valid (empty) indication.
        unsafe { sys::NdisMIndicateStatusEx(h as NDIS_HANDLE, &raw mut ind) };
    });
    assert_caught(&r.machine, Rule::IrqlStatusIndicationFunction);
    at_dirql(&r.machine, move || {
        // SAFETY: the request pointer is only compared.
        unsafe { sys::NdisMOidRequestComplete(h as NDIS_HANDLE, core::ptr::null_mut(), 0) };
    });
    assert_caught(&r.machine, Rule::IrqlOidFunction);
    assert_caught(&r.machine, Rule::NdisOidDoubleComplete);
    at_dirql(&r.machine, move || {
        // SAFETY: valid handle (no pause pending either).
        unsafe { sys::NdisMRestartComplete(h as NDIS_HANDLE, 0) };
    });
    assert_caught(&r.machine, Rule::IrqlMiniportDriverFunction);
    let _ = a.pause();
}

#[test]
fn a_bug_check_halts_the_host_instead_of_hanging() {
    let machine = Machine::builder().processors(2).seed(5).build();
    let plugged = machine.plug_e1000(3, E1000Config::default(), Box::new(Unplugged));
    let tiny = Arc::new(Tiny {
        machine: machine.clone(),
        handle: plugged.handle as usize,
        faults: Faults {
            double_complete: true,
            ..Faults::default()
        },
        bar0: AtomicU64::new(0),
        held_sends: Mutex::new(Vec::new()),
        lent: Mutex::new(HashMap::new()),
        returned: AtomicUsize::new(0),
        sends: AtomicUsize::new(0),
        pnp_events: AtomicUsize::new(0),
        shutdowns: AtomicUsize::new(0),
        leaked: AtomicUsize::new(0),
        registration_sizeof_status: AtomicI32::new(0),
        return_log: Mutex::new(Vec::new()),
        resets: AtomicUsize::new(0),
    });
    registry()
        .lock()
        .unwrap()
        .insert(plugged.handle as usize, tiny);
    let driver = machine.load_driver(driver_entry).expect("DriverEntry");
    let a = driver.initialize(&plugged).expect("Initialize");
    assert_eq!(a.restart(), 0);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        a.send(0, &[frame(1, 60)], false)
    }));
    let message = *r
        .expect_err("the bug check reaches the test")
        .downcast::<String>()
        .expect("a message");
    assert!(message.contains("send NBL accounting"), "{message}");
}

#[test]
fn receives_come_back_out_of_order_without_being_asked() {
    let r = rig(Faults::default());
    let a = r.up();
    let frames: Vec<Vec<u8>> = (0..32).map(|i| frame(i, 60)).collect();
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    let order: Vec<usize> = {
        r.indicate(0, &refs, true, false, 0);
        let mut lent: Vec<usize> = r.tiny.lent.lock().unwrap().keys().copied().collect();
        lent.sort_unstable();
        lent
    };
    // No edge call: the background returner gives them back.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while r.tiny.returned.load(Ordering::SeqCst) < 32 {
        assert!(
            std::time::Instant::now() < deadline,
            "receives never returned"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let log = r.tiny.return_log.lock().unwrap().clone();
    let mut returned: Vec<usize> = log.iter().map(|&(p, _)| p).collect();
    let in_chain_order = returned.windows(2).all(|w| w[0] < w[1]);
    returned.sort_unstable();
    assert_eq!(returned, order, "each indicated NBL returned exactly once");
    assert!(!in_chain_order, "returns come out of order");
    assert!(
        log.iter().any(|&(_, d)| d) && log.iter().any(|&(_, d)| !d),
        "both IRQLs"
    );
    assert_eq!(a.take_received().len(), 32);
    let _ = a.pause();
    let report = r.machine.report();
    assert!(report.violations.is_empty(), "{report}");
}

#[test]
fn a_hang_leads_to_a_reset_completed_later() {
    let r = rig(Faults {
        hang: true,
        ..Faults::default()
    });
    let a = r.up();
    assert!(a.check_for_hang());
    assert_eq!(r.tiny.resets.load(Ordering::SeqCst), 1);
    let h = a.handle() as usize;
    r.machine.run_on(0, move || {
        // SAFETY: valid handle; deliberately no reset pending.
        unsafe { sys::NdisMResetComplete(h as NDIS_HANDLE, 0, 0) };
    });
    assert_caught(&r.machine, Rule::MiniportState);
    let _ = a.pause();
}
