//! NDIS services a miniport may add as it grows: I/O work items, generic objects, `NET_BUFFER`
//! pools and `NET_BUFFER`s, I/O port ranges, `NdisMNetPnPEvent`, and the IRQL macros
//! `NDIS_RAISE_IRQL_TO_DISPATCH` / `NDIS_LOWER_IRQL`. Each with its documented IRQL and the
//! lifetime rules of its DDI compliance rule (checked when `MiniportHaltEx` returns).

use std::panic::Location;

use super::types::{
    KIRQL, NDIS_HANDLE, NDIS_OBJECT_HEADER, NDIS_STATUS, PKIRQL, PVOID, ULONG, ULONG_PTR, USHORT,
};
use super::{NDIS_PORT_NUMBER, SIZE_T, UINT};
use super::{
    NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS, PDRIVER_OBJECT, PMDL,
    PNET_BUFFER,
};
use super::{enter_ndis, enter_ndis_at_most};
use crate::Handler;
use crate::host::objects::{Deferred, Kind, Tracked};
use crate::machine::lock;
use crate::machine::processor::{self, Cpu, DISPATCH, PASSIVE, violation};
use crate::verifier::Rule;

/// `NDIS_IO_WORKITEM_ROUTINE`: `VOID (PVOID WorkItemContext, NDIS_HANDLE NdisIoWorkItemHandle)`.
pub type NDIS_IO_WORKITEM_ROUTINE = Option<unsafe extern "C" fn(PVOID, NDIS_HANDLE)>;

fn track(cpu: &Cpu, kind: Kind, owner: usize, location: &'static Location<'static>) -> usize {
    let mut objects = lock(&cpu.shared.host.objects);
    let addr = objects.fake_address();
    objects.live.insert(
        addr,
        Tracked {
            kind,
            owner,
            location,
        },
    );
    addr
}

/// Removes `addr` when `is` holds for its kind; its record, or `None` (nothing removed).
fn untrack(cpu: &Cpu, addr: usize, is: impl Fn(&Kind) -> bool) -> Option<Tracked> {
    let mut objects = lock(&cpu.shared.host.objects);
    if objects.live.get(&addr).is_some_and(|t| is(&t.kind)) {
        objects.live.remove(&addr)
    } else {
        None
    }
}

/// `NdisAllocateIoWorkItem`: a work item for the adapter `NdisObjectHandle`, tracked until
/// [`NdisFreeIoWorkItem`] (`Init_NdisAllocateIoWorkItem` at Halt). `IRQL <= DISPATCH_LEVEL`
/// (`Irql_Miscellaneous_Function`). Null when `Machine::fail_allocations` injects a failure.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocateioworkitem>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisAllocateIoWorkItem(NdisObjectHandle: NDIS_HANDLE) -> NDIS_HANDLE {
    let location = Location::caller();
    let api = "NdisAllocateIoWorkItem";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiscellaneousFunction);
    if cpu.shared.bus.inject_allocation_failure() {
        crate::host::objects::returned_null(&cpu, api, location);
        return core::ptr::null_mut();
    }
    track(
        &cpu,
        Kind::WorkItem { queued: false },
        NdisObjectHandle as usize,
        location,
    ) as NDIS_HANDLE
}

/// `NdisQueueIoWorkItem`: queues `Routine(WorkItemContext, NdisIoWorkItemHandle)`; the host
/// runs it at `PASSIVE_LEVEL` on a processor drawn from the seed at its next step (an edge
/// call, the background returner, a wait). `IRQL <= DISPATCH_LEVEL`. A freed or unknown item,
/// or one already queued, is [`Rule::InitNdisAllocateIoWorkItem`] (not queued).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisqueueioworkitem>
///
/// # Safety
/// `Routine` may be called with `WorkItemContext` at `PASSIVE_LEVEL` until it has run.
#[track_caller]
pub unsafe fn NdisQueueIoWorkItem(
    NdisIoWorkItemHandle: NDIS_HANDLE,
    Routine: NDIS_IO_WORKITEM_ROUTINE,
    WorkItemContext: PVOID,
) {
    let location = Location::caller();
    let api = "NdisQueueIoWorkItem";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiscellaneousFunction);
    let item = NdisIoWorkItemHandle as usize;
    let problem = {
        let mut objects = lock(&cpu.shared.host.objects);
        match (objects.live.get_mut(&item), Routine) {
            (
                Some(Tracked {
                    kind: Kind::WorkItem { queued },
                    ..
                }),
                Some(routine),
            ) => {
                if *queued {
                    Some("already queued")
                } else {
                    *queued = true;
                    objects.work.push_back(Deferred::WorkItem {
                        item,
                        routine,
                        context: WorkItemContext as usize,
                    });
                    None
                }
            }
            (
                Some(Tracked {
                    kind: Kind::WorkItem { .. },
                    ..
                }),
                None,
            ) => Some("no routine"),
            _ => Some("not an allocated work item (freed?)"),
        }
    };
    if let Some(p) = problem {
        violation(
            &cpu,
            Rule::InitNdisAllocateIoWorkItem,
            location,
            format!("{api}({NdisIoWorkItemHandle:p}): {p}"),
        );
    }
}

/// `NdisFreeIoWorkItem`: frees a work item that is not queued. `IRQL <= DISPATCH_LEVEL`. An
/// unknown, freed or still queued item is [`Rule::InitNdisAllocateIoWorkItem`] (not freed).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreeioworkitem>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisFreeIoWorkItem(NdisIoWorkItemHandle: NDIS_HANDLE) {
    let location = Location::caller();
    let api = "NdisFreeIoWorkItem";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiscellaneousFunction);
    let item = NdisIoWorkItemHandle as usize;
    let freed = untrack(&cpu, item, |k| *k == Kind::WorkItem { queued: false });
    if freed.is_none() {
        violation(
            &cpu,
            Rule::InitNdisAllocateIoWorkItem,
            location,
            format!(
                "{api}({NdisIoWorkItemHandle:p}): not an allocated, idle work item (queued, or freed already)"
            ),
        );
    }
}

/// `NDIS_GENERIC_OBJECT`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_generic_object>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NDIS_GENERIC_OBJECT {
    /// `NDIS_OBJECT_TYPE_GENERIC_OBJECT`.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved for NDIS.
    pub Caller: PVOID,
    /// Reserved for NDIS.
    pub CallersCaller: PVOID,
    /// The driver object passed to `NdisAllocateGenericObject`.
    pub DriverObject: PDRIVER_OBJECT,
}
/// `NDIS_GENERIC_OBJECT`.
pub type NDIS_GENERIC_OBJECT = _NDIS_GENERIC_OBJECT;
/// `PNDIS_GENERIC_OBJECT`.
pub type PNDIS_GENERIC_OBJECT = *mut NDIS_GENERIC_OBJECT;
/// `NDIS_OBJECT_TYPE_GENERIC_OBJECT`.
pub const NDIS_OBJECT_TYPE_GENERIC_OBJECT: u32 = 0x95;

/// `NdisAllocateGenericObject`: an `NDIS_GENERIC_OBJECT` followed by `Size` bytes, zeroed,
/// tracked by driver object until [`NdisFreeGenericObject`] (`NdisAllocateGenericObject` rule
/// when the driver's last adapter halts with one still allocated). `IRQL <= DISPATCH_LEVEL`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocategenericobject>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisAllocateGenericObject(
    DriverObject: PDRIVER_OBJECT,
    Tag: ULONG,
    Size: USHORT,
) -> PNDIS_GENERIC_OBJECT {
    let location = Location::caller();
    let api = "NdisAllocateGenericObject";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiscellaneousFunction);
    let _ = Tag;
    if cpu.shared.bus.inject_allocation_failure() {
        crate::host::objects::returned_null(&cpu, api, location);
        return core::ptr::null_mut();
    }
    let bytes = core::mem::size_of::<NDIS_GENERIC_OBJECT>() + usize::from(Size);
    let words = bytes.div_ceil(8);
    let memory: Box<[u64]> = vec![0u64; words].into_boxed_slice();
    let object = Box::into_raw(memory).cast::<NDIS_GENERIC_OBJECT>();
    // SAFETY: the allocation is 8-aligned and holds an NDIS_GENERIC_OBJECT.
    unsafe {
        (*object).Header = NDIS_OBJECT_HEADER {
            Type: 0x95,
            Revision: 1,
            Size: u16::try_from(core::mem::size_of::<NDIS_GENERIC_OBJECT>()).unwrap_or(0),
        };
    }
    // SAFETY: `object` is the 8-aligned allocation made above, large enough for an
    // NDIS_GENERIC_OBJECT, and not yet visible to anyone else.
    unsafe { (*object).DriverObject = DriverObject };
    lock(&cpu.shared.host.objects).live.insert(
        object as usize,
        Tracked {
            kind: Kind::GenericObject {
                driver_object: DriverObject as usize,
            },
            owner: words,
            location,
        },
    );
    object
}

/// `NdisFreeGenericObject`: frees an object from [`NdisAllocateGenericObject`]. An unknown or
/// already freed object is [`Rule::NdisAllocateGenericObject`] (nothing freed).
/// `IRQL <= DISPATCH_LEVEL`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreegenericobject>
///
/// # Safety
/// Nothing uses the object after this call.
#[track_caller]
pub unsafe fn NdisFreeGenericObject(NdisObject: PNDIS_GENERIC_OBJECT) {
    let location = Location::caller();
    let api = "NdisFreeGenericObject";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiscellaneousFunction);
    match untrack(&cpu, NdisObject as usize, |k| {
        matches!(k, Kind::GenericObject { .. })
    }) {
        Some(t) => {
            let slice = core::ptr::slice_from_raw_parts_mut(NdisObject.cast::<u64>(), t.owner);
            // SAFETY: allocated as a boxed slice of `t.owner` words, freed once, here.
            drop(unsafe { Box::from_raw(slice) });
        }
        None => violation(
            &cpu,
            Rule::NdisAllocateGenericObject,
            location,
            format!("{api}({NdisObject:p}): not an allocated generic object (freed twice?)"),
        ),
    }
}

/// `NET_BUFFER_POOL_PARAMETERS` (revision 1; the NDIS 6.87 `Flags` member is not in the
/// Windows 10 2004 floor's headers): <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/ns-nblapi-net_buffer_pool_parameters>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NET_BUFFER_POOL_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// The pool tag.
    pub PoolTag: ULONG,
    /// Data to allocate with each `NET_BUFFER` (0: none).
    pub DataSize: ULONG,
}
/// `NET_BUFFER_POOL_PARAMETERS`.
pub type NET_BUFFER_POOL_PARAMETERS = _NET_BUFFER_POOL_PARAMETERS;
/// `PNET_BUFFER_POOL_PARAMETERS`.
pub type PNET_BUFFER_POOL_PARAMETERS = *mut NET_BUFFER_POOL_PARAMETERS;

/// `NdisAllocateNetBufferPool`: a pool handle tracked until [`NdisFreeNetBufferPool`] (a pool
/// left at Halt is [`Rule::LeakAtHalt`]). `IRQL <= DISPATCH_LEVEL`
/// (`Irql_NetBuffer_Function`). Null for a bad header.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisallocatenetbufferpool>
///
/// # Safety
/// `Parameters` is valid for reads.
#[track_caller]
pub unsafe fn NdisAllocateNetBufferPool(
    NdisHandle: NDIS_HANDLE,
    Parameters: PNET_BUFFER_POOL_PARAMETERS,
) -> NDIS_HANDLE {
    let location = Location::caller();
    let api = "NdisAllocateNetBufferPool";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    // SAFETY: the caller guarantees readable parameters.
    let p = unsafe { *Parameters };
    if p.Header.Type != 0x80 || p.Header.Revision != 1 || p.DataSize != 0 {
        // DataSize > 0 (NdisAllocateNetBufferMdlAndData) is not modelled.
        return core::ptr::null_mut();
    }
    track(&cpu, Kind::NetBufferPool, NdisHandle as usize, location) as NDIS_HANDLE
}

/// `NdisFreeNetBufferPool`. An unknown pool, or one with `NET_BUFFER`s outstanding, is
/// [`Rule::BadFree`] (nothing freed). `IRQL <= DISPATCH_LEVEL`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisfreenetbufferpool>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisFreeNetBufferPool(PoolHandle: NDIS_HANDLE) {
    let location = Location::caller();
    let api = "NdisFreeNetBufferPool";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    let pool = PoolHandle as usize;
    let busy = !lock(&cpu.shared.host.objects)
        .of(None, |k| *k == Kind::NetBuffer { pool })
        .is_empty();
    let freed = !busy && untrack(&cpu, pool, |k| *k == Kind::NetBufferPool).is_some();
    if !freed {
        violation(
            &cpu,
            Rule::BadFree,
            location,
            format!(
                "{api}({PoolHandle:p}): {}",
                if busy {
                    "NET_BUFFERs of the pool are outstanding"
                } else {
                    "not an allocated NET_BUFFER pool"
                }
            ),
        );
    }
}

/// `NdisAllocateNetBuffer`: a zeroed `NET_BUFFER` over `MdlChain` with `DataOffset` and
/// `DataLength`, from a pool of [`NdisAllocateNetBufferPool`], tracked until
/// [`NdisFreeNetBuffer`] (the `NdisAllocateNetBuffer` rule at Halt). `IRQL <= DISPATCH_LEVEL`.
/// Null for an unknown pool or an injected failure.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisallocatenetbuffer>
///
/// # Safety
/// `MdlChain` is null or a valid MDL chain that outlives the `NET_BUFFER`.
#[track_caller]
pub unsafe fn NdisAllocateNetBuffer(
    PoolHandle: NDIS_HANDLE,
    MdlChain: PMDL,
    DataOffset: ULONG,
    DataLength: SIZE_T,
) -> PNET_BUFFER {
    let location = Location::caller();
    let api = "NdisAllocateNetBuffer";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    let pool = PoolHandle as usize;
    let owner = lock(&cpu.shared.host.objects)
        .live
        .get(&pool)
        .filter(|t| t.kind == Kind::NetBufferPool)
        .map(|t| t.owner);
    let Some(owner) = owner else {
        return core::ptr::null_mut();
    };
    if cpu.shared.bus.inject_allocation_failure() {
        crate::host::objects::returned_null(&cpu, api, location);
        return core::ptr::null_mut();
    }
    let mut nb = super::NET_BUFFER::default();
    // Writes to union fields (the NET_BUFFER_DATA view), which are safe.
    nb.__bindgen_anon_1.__bindgen_anon_1.MdlChain = MdlChain;
    nb.__bindgen_anon_1.__bindgen_anon_1.CurrentMdl = MdlChain;
    nb.__bindgen_anon_1.__bindgen_anon_1.CurrentMdlOffset = DataOffset;
    nb.__bindgen_anon_1
        .__bindgen_anon_1
        .__bindgen_anon_1
        .DataLength = ULONG::try_from(DataLength).unwrap_or(ULONG::MAX);
    nb.__bindgen_anon_1.__bindgen_anon_1.DataOffset = DataOffset;
    let nb = Box::into_raw(Box::new(nb));
    lock(&cpu.shared.host.objects).live.insert(
        nb as usize,
        Tracked {
            kind: Kind::NetBuffer { pool },
            owner,
            location,
        },
    );
    nb
}

/// `NdisFreeNetBuffer`. An unknown or already freed `NET_BUFFER` is
/// [`Rule::NdisAllocateNetBuffer`] (nothing freed). `IRQL <= DISPATCH_LEVEL`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisfreenetbuffer>
///
/// # Safety
/// Nothing uses the `NET_BUFFER` after this call.
#[track_caller]
pub unsafe fn NdisFreeNetBuffer(NetBuffer: PNET_BUFFER) {
    let location = Location::caller();
    let api = "NdisFreeNetBuffer";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlNetBufferFunction);
    if untrack(&cpu, NetBuffer as usize, |k| {
        matches!(k, Kind::NetBuffer { .. })
    })
    .is_some()
    {
        // SAFETY: made by Box::into_raw in NdisAllocateNetBuffer, freed once, here.
        drop(unsafe { Box::from_raw(NetBuffer) });
    } else {
        violation(
            &cpu,
            Rule::NdisAllocateNetBuffer,
            location,
            format!(
                "{api}({NetBuffer:p}): not a NET_BUFFER from NdisAllocateNetBuffer (freed twice?)"
            ),
        );
    }
}

/// `NdisMRegisterIoPortRange`: registers `NumberOfPorts` ports from `InitialPort` and returns
/// the port offset (the simulator models no port I/O: the offset is the port number, and the
/// ports are only tracked). `PASSIVE_LEVEL` (`Irql_Miniport_Driver_Function`); the
/// `NdisMRegisterIoPortRange` rule: only in `MiniportInitializeEx`, after
/// `NdisMSetMiniportAttributes`, and deregistered by the end of Halt.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterioportrange>
///
/// # Safety
/// `PortOffset` is valid for writes.
#[track_caller]
pub unsafe fn NdisMRegisterIoPortRange(
    PortOffset: *mut PVOID,
    MiniportAdapterHandle: NDIS_HANDLE,
    InitialPort: UINT,
    NumberOfPorts: UINT,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisMRegisterIoPortRange";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiniportDriverFunction);
    let in_initialize = cpu.in_handler(Handler::Initialize);
    let attributes_set =
        crate::host::registration_attributes_set(&cpu.shared, MiniportAdapterHandle);
    if !in_initialize || !attributes_set {
        violation(
            &cpu,
            Rule::NdisMRegisterIoPortRange,
            location,
            format!(
                "{api}({InitialPort:#x}, {NumberOfPorts}) {}",
                if in_initialize {
                    "before NdisMSetMiniportAttributes"
                } else {
                    "outside MiniportInitializeEx"
                }
            ),
        );
    }
    if NumberOfPorts == 0 {
        return NDIS_STATUS_FAILURE;
    }
    if cpu.shared.bus.inject_allocation_failure() {
        return NDIS_STATUS_RESOURCES;
    }
    let key = track(
        &cpu,
        Kind::IoPorts {
            first: InitialPort,
            count: NumberOfPorts,
        },
        MiniportAdapterHandle as usize,
        location,
    );
    let _ = key;
    // SAFETY: the caller guarantees a writable slot.
    unsafe { *PortOffset = ULONG_PTR::from(InitialPort) as PVOID };
    NDIS_STATUS_SUCCESS
}

/// `NdisMDeregisterIoPortRange`: the range must be one registered, with the same first port,
/// count and offset ([`Rule::BadFree`] otherwise; nothing released). `PASSIVE_LEVEL`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterioportrange>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisMDeregisterIoPortRange(
    MiniportAdapterHandle: NDIS_HANDLE,
    InitialPort: UINT,
    NumberOfPorts: UINT,
    PortOffset: PVOID,
) {
    let location = Location::caller();
    let api = "NdisMDeregisterIoPortRange";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiniportDriverFunction);
    let found = {
        let mut objects = lock(&cpu.shared.host.objects);
        let key = objects
            .live
            .iter()
            .find(|(_, t)| {
                t.owner == MiniportAdapterHandle as usize
                    && t.kind
                        == Kind::IoPorts {
                            first: InitialPort,
                            count: NumberOfPorts,
                        }
            })
            .map(|(&k, _)| k);
        key.filter(|_| PortOffset as usize == InitialPort as usize)
            .and_then(|k| objects.live.remove(&k))
    };
    if found.is_none() {
        violation(
            &cpu,
            Rule::BadFree,
            location,
            format!(
                "{api}({InitialPort:#x}, {NumberOfPorts}, {PortOffset:p}): not a registered range"
            ),
        );
    }
}

/// `NET_PNP_EVENT_CODE`.
pub type NET_PNP_EVENT_CODE = i32;

/// `NET_PNP_EVENT`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/netpnp/ns-netpnp-_net_pnp_event>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NET_PNP_EVENT {
    /// The event code.
    pub NetEvent: NET_PNP_EVENT_CODE,
    /// Event-specific data.
    pub Buffer: PVOID,
    /// Its length in bytes.
    pub BufferLength: ULONG,
    /// Reserved.
    pub NdisReserved: [ULONG_PTR; 4],
    /// Reserved.
    pub TransportReserved: [ULONG_PTR; 4],
    /// Reserved.
    pub TdiReserved: [ULONG_PTR; 4],
    /// Reserved.
    pub TdiClientReserved: [ULONG_PTR; 4],
}
/// `NET_PNP_EVENT`.
pub type NET_PNP_EVENT = _NET_PNP_EVENT;

/// `NET_PNP_EVENT_NOTIFICATION`: <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_net_pnp_event_notification>
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct _NET_PNP_EVENT_NOTIFICATION {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, `NET_PNP_EVENT_NOTIFICATION_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// The port.
    pub PortNumber: NDIS_PORT_NUMBER,
    /// The event.
    pub NetPnPEvent: NET_PNP_EVENT,
    /// `NET_EVENT_*` flags (NDIS 6.30 and later).
    pub Flags: ULONG,
    /// The NIC switch the event is for (SR-IOV; `NDIS_DEFAULT_SWITCH_ID` otherwise).
    pub SwitchId: NDIS_NIC_SWITCH_ID,
    /// The virtual port the event is for (SR-IOV; `NDIS_DEFAULT_VPORT_ID` otherwise).
    pub VPortId: NDIS_NIC_SWITCH_VPORT_ID,
}
/// `NDIS_NIC_SWITCH_ID`: a NIC switch's identifier.
pub type NDIS_NIC_SWITCH_ID = ULONG;
/// `NDIS_NIC_SWITCH_VPORT_ID`: a virtual port's identifier on a NIC switch.
pub type NDIS_NIC_SWITCH_VPORT_ID = ULONG;
/// `NET_PNP_EVENT_NOTIFICATION`.
pub type NET_PNP_EVENT_NOTIFICATION = _NET_PNP_EVENT_NOTIFICATION;
/// `PNET_PNP_EVENT_NOTIFICATION`.
pub type PNET_PNP_EVENT_NOTIFICATION = *mut NET_PNP_EVENT_NOTIFICATION;

/// `NdisMNetPnPEvent`: NDIS takes the event (the simulator records nothing else). `PASSIVE_LEVEL`
/// (`Irql_Miniport_Driver_Function`); inside `MiniportOidRequest`, or while an OID request of
/// the adapter is pending, it is [`Rule::NdisMNetPnPEventInOidRequest`].
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismnetpnpevent>
///
/// # Safety
/// `NetPnPEventNotification` is valid for reads.
#[track_caller]
pub unsafe fn NdisMNetPnPEvent(
    MiniportAdapterHandle: NDIS_HANDLE,
    NetPnPEventNotification: PNET_PNP_EVENT_NOTIFICATION,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisMNetPnPEvent";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiniportDriverFunction);
    // SAFETY: the caller guarantees a readable notification.
    let event = unsafe { (*NetPnPEventNotification).NetPnPEvent.NetEvent };
    let in_oid = cpu.in_handler(Handler::OidRequest)
        || crate::host::oid_in_flight(&cpu.shared, MiniportAdapterHandle);
    if in_oid {
        violation(
            &cpu,
            Rule::NdisMNetPnPEventInOidRequest,
            location,
            format!("{api}(event {event}) in the context of an OID request"),
        );
    }
    NDIS_STATUS_SUCCESS
}

/// `NDIS_RAISE_IRQL_TO_DISPATCH` (`KeRaiseIrql(DISPATCH_LEVEL, pIrql)`): above
/// `DISPATCH_LEVEL` it would lower the IRQL: [`Rule::IrqlIrqlSettingFunction`] (the IRQL is
/// left unchanged and the current IRQL stored).
/// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-irqlsetting-function>
///
/// # Safety
/// `Irql` is valid for writes.
#[track_caller]
pub unsafe fn NDIS_RAISE_IRQL_TO_DISPATCH(Irql: PKIRQL) {
    let location = Location::caller();
    let cpu = enter_ndis("NDIS_RAISE_IRQL_TO_DISPATCH", location);
    let old = cpu.irql();
    // SAFETY: the caller guarantees a writable IRQL slot.
    unsafe { *Irql = old };
    if old > DISPATCH {
        violation(
            &cpu,
            Rule::IrqlIrqlSettingFunction,
            location,
            format!("NDIS_RAISE_IRQL_TO_DISPATCH at IRQL {old}: it may only raise"),
        );
        return;
    }
    cpu.set_irql(DISPATCH);
}

/// `NDIS_LOWER_IRQL(OldIrql, CurIrql)` (`KeLowerIrql(OldIrql)` when they differ): `CurIrql`
/// must be the current IRQL and `OldIrql` not above it ([`Rule::IrqlIrqlSettingFunction`];
/// the IRQL is then left unchanged). DPCs run when it drops below `DISPATCH_LEVEL`.
/// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-irqlsetting-function>
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NDIS_LOWER_IRQL(OldIrql: KIRQL, CurIrql: KIRQL) {
    let location = Location::caller();
    let cpu = enter_ndis("NDIS_LOWER_IRQL", location);
    let now = cpu.irql();
    if CurIrql != now || OldIrql > now {
        violation(
            &cpu,
            Rule::IrqlIrqlSettingFunction,
            location,
            format!(
                "NDIS_LOWER_IRQL({OldIrql}, {CurIrql}) at IRQL {now}: it may only lower, from the current IRQL"
            ),
        );
        return;
    }
    if OldIrql != CurIrql {
        processor::lower_irql(&cpu, OldIrql);
    }
}
