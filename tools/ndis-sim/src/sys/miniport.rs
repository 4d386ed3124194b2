//! The miniport-driver DDIs of `ndis.h`: registration, adapter attributes, the data path
//! (send completion, receive indication), OID completion, status indication, and the
//! completions of Pause, Restart and Reset. The NDIS side behind them is `crate::host`.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::enter_ndis_at_most;
use super::types::{BOOLEAN, NDIS_HANDLE, NDIS_STATUS, NDIS_STATUS_SUCCESS, PNDIS_HANDLE, ULONG};
use super::{
    NDIS_PORT_NUMBER, PDRIVER_OBJECT, PNDIS_MINIPORT_ADAPTER_ATTRIBUTES,
    PNDIS_MINIPORT_DRIVER_CHARACTERISTICS, PNDIS_OID_REQUEST, PNDIS_STATUS_INDICATION,
    PNET_BUFFER_LIST, PUNICODE_STRING,
};
use crate::Handler;
use crate::host::adapter::{AdapterState, Phase};
use crate::host::{datapath, driver, oid};
use crate::machine::processor::{Cpu, DISPATCH, PASSIVE, violation};
use crate::sys::{
    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, NDIS_STATUS_BAD_CHARACTERISTICS,
};
use crate::verifier::Rule;

/// The adapter behind `handle`; panics with a clear message for a handle the host did not
/// initialize.
fn adapter_of(cpu: &Cpu, handle: NDIS_HANDLE, api: &str) -> Arc<AdapterState> {
    cpu.shared.host.adapter(handle).unwrap_or_else(|| {
        panic!(
            "ndis-sim: {api}: {handle:p} is not the handle of an adapter the host initialized \
             (LoadedDriver::initialize)"
        )
    })
}

/// `NdisMRegisterMiniportDriver`: validates the characteristics (header type 0x8A, revision
/// 1–3 with a size covering it, `MajorNdisVersion` 6, every required handler: Initialize,
/// Halt, Unload, Pause, Restart, `OidRequest`, Send, Return, `CancelSend`,
/// `DevicePnPEventNotify`, Shutdown, `CancelOidRequest`, and Reset when `CheckForHang` is
/// given), keeps them and writes the driver handle. Returns `NDIS_STATUS_BAD_CHARACTERISTICS`
/// or `NDIS_STATUS_BAD_VERSION` otherwise. Checks `Irql_Miniport_Driver_Function` (PASSIVE).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterminiportdriver>
///
/// # Safety
/// `MiniportDriverCharacteristics` is null or valid for reads; `NdisMiniportDriverHandle` is
/// valid for a write; the handlers are sound to call as NDIS does until the driver unloads.
#[track_caller]
pub unsafe fn NdisMRegisterMiniportDriver(
    DriverObject: PDRIVER_OBJECT,
    RegistryPath: PUNICODE_STRING,
    MiniportDriverContext: NDIS_HANDLE,
    MiniportDriverCharacteristics: PNDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    NdisMiniportDriverHandle: PNDIS_HANDLE,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisMRegisterMiniportDriver";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiniportDriverFunction);
    let _ = RegistryPath;
    if MiniportDriverCharacteristics.is_null() {
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    }
    // SAFETY: the caller guarantees the characteristics are valid for reads.
    let chars = unsafe { &*MiniportDriverCharacteristics };
    match driver::validate(chars) {
        Ok(handlers) => {
            let handle = driver::register(
                &cpu.shared,
                DriverObject as usize,
                MiniportDriverContext as usize,
                handlers,
            );
            // SAFETY: the caller guarantees the out parameter is valid for a write.
            unsafe { NdisMiniportDriverHandle.write(handle) };
            NDIS_STATUS_SUCCESS
        }
        Err((status, why)) => {
            // Windows says only the status; the trace log says why, for the test's author.
            cpu.shared.trace(crate::machine::TraceLine {
                processor: cpu.index,
                irql: cpu.irql(),
                component: 0,
                level: 0,
                message: format!("ndis-sim host: {api} refused the characteristics: {why}"),
            });
            status
        }
    }
}

/// `NdisMDeregisterMiniportDriver`: marks the driver deregistered (what `LoadedDriver::unload`
/// checks after `MiniportDriverUnload`). Checks `Irql_Miniport_Driver_Function` (PASSIVE);
/// an unknown or already deregistered handle is [`Rule::MiniportState`].
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterminiportdriver>
///
/// # Safety
/// None beyond being called on a virtual processor (the handle is only used as a key).
#[track_caller]
pub unsafe fn NdisMDeregisterMiniportDriver(NdisMiniportDriverHandle: NDIS_HANDLE) {
    let location = Location::caller();
    let api = "NdisMDeregisterMiniportDriver";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiniportDriverFunction);
    let ok = cpu
        .shared
        .host
        .driver(NdisMiniportDriverHandle)
        .is_some_and(|d| !d.deregistered.swap(true, Ordering::SeqCst));
    if !ok {
        violation(
            &cpu,
            Rule::MiniportState,
            location,
            format!(
                "{api}({NdisMiniportDriverHandle:p}): not a registered driver handle, or \
                 deregistered twice"
            ),
        );
    }
}

/// `NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1` and `_2`: through
/// `InterfaceType`, 28 on x64 (the padded structure is 32).
const REGISTRATION_ATTRIBUTES_SIZE: usize = core::mem::offset_of!(
    super::ndis_types::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    InterfaceType
) + size_of::<super::ndis_types::NDIS_INTERFACE_TYPE>();

/// `NdisMSetMiniportAttributes`: the registration attributes (the adapter context, the
/// hang-check interval) must come first, in `MiniportInitializeEx`; general and other
/// attributes after them. Checks `Irql_Miniport_Driver_Function` (PASSIVE) and
/// [`Rule::MiniportState`] (outside Initialize, or not registration-first).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsetminiportattributes>
///
/// # Panics
/// When `NdisMiniportHandle` is not an adapter the host is initializing.
///
/// # Safety
/// `MiniportAttributes` is valid for reads of the member its header names.
#[track_caller]
pub unsafe fn NdisMSetMiniportAttributes(
    NdisMiniportHandle: NDIS_HANDLE,
    MiniportAttributes: PNDIS_MINIPORT_ADAPTER_ATTRIBUTES,
) -> NDIS_STATUS {
    let location = Location::caller();
    let api = "NdisMSetMiniportAttributes";
    let cpu = enter_ndis_at_most(api, location, PASSIVE, Rule::IrqlMiniportDriverFunction);
    let adapter = adapter_of(&cpu, NdisMiniportHandle, api);
    // SAFETY: the caller guarantees the attributes are valid for reads.
    let attributes = unsafe { &*MiniportAttributes };
    // SAFETY: every member of the union starts with the header.
    let header = unsafe { attributes.Header };
    let mut problem = None;
    {
        let mut g = adapter.lock();
        if !cpu.in_handler(Handler::Initialize) || g.phase != Phase::Initializing {
            problem = Some(format!(
                "{api} outside MiniportInitializeEx (adapter {:?})",
                g.phase
            ));
        }
        if u32::from(header.Type) == NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES
            && usize::from(header.Size) != REGISTRATION_ATTRIBUTES_SIZE
        {
            // Revisions 1 and 2 both end at `InterfaceType`.
            return super::ndis_status::NDIS_STATUS_INVALID_PARAMETER;
        }
        if u32::from(header.Type) == NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
            // SAFETY: the header says these are registration attributes.
            let reg = unsafe { attributes.RegistrationAttributes };
            g.context = reg.MiniportAdapterContext as usize;
            g.attribute_flags = reg.AttributeFlags;
            g.registration_set = true;
        } else {
            if !g.registration_set {
                problem = Some(format!(
                    "{api} with attributes of type {:#x} before the registration attributes \
                     (they must come first)",
                    header.Type
                ));
            }
            if u32::from(header.Type) == NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
                g.general_set = true;
            }
        }
    }
    if let Some(p) = problem {
        violation(&cpu, Rule::MiniportState, location, p);
    }
    NDIS_STATUS_SUCCESS
}

/// `NdisMSendNetBufferListsComplete`: gives the NBLs back to NDIS; every one must be owned by
/// the miniport ([`Rule::SendAccounting`]). Checks `Irql_SendRcv_Function` (above
/// `DISPATCH_LEVEL`, or a `DISPATCH_LEVEL` flag that does not match the IRQL).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsendnetbufferlistscomplete>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter the host initialized.
///
/// # Safety
/// `NetBufferList` is a chain of NBLs the miniport got from `MiniportSendNetBufferLists`.
#[track_caller]
pub unsafe fn NdisMSendNetBufferListsComplete(
    MiniportAdapterHandle: NDIS_HANDLE,
    NetBufferList: PNET_BUFFER_LIST,
    SendCompleteFlags: ULONG,
) {
    let location = Location::caller();
    let api = "NdisMSendNetBufferListsComplete";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlSendRcvFunction);
    let adapter = adapter_of(&cpu, MiniportAdapterHandle, api);
    datapath::send_complete(&cpu, &adapter, NetBufferList, SendCompleteFlags, location);
}

/// `NdisMIndicateReceiveNetBufferLists`: the host copies each `NET_BUFFER`'s frame and keeps
/// the NBLs until it returns them (at once with `NDIS_RECEIVE_FLAGS_RESOURCES`). Checks
/// `Irql_SendRcv_Function` and [`Rule::ReceiveAccounting`] (not Running; the count differs
/// from the chain; an NBL indicated again before its return).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismindicatereceivenetbufferlists>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter the host initialized.
///
/// # Safety
/// `NetBufferList` is a chain of valid NBLs whose MDLs describe readable memory.
#[track_caller]
pub unsafe fn NdisMIndicateReceiveNetBufferLists(
    MiniportAdapterHandle: NDIS_HANDLE,
    NetBufferList: PNET_BUFFER_LIST,
    PortNumber: NDIS_PORT_NUMBER,
    NumberOfNetBufferLists: ULONG,
    ReceiveFlags: ULONG,
) {
    let location = Location::caller();
    let api = "NdisMIndicateReceiveNetBufferLists";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlSendRcvFunction);
    let _ = PortNumber;
    let adapter = adapter_of(&cpu, MiniportAdapterHandle, api);
    datapath::indicate(
        &cpu,
        &adapter,
        NetBufferList,
        NumberOfNetBufferLists,
        ReceiveFlags,
        location,
    );
}

/// `NdisMIndicateStatusEx`: recorded for [`crate::host::Adapter::status_indications`]. Checks
/// `Irql_StatusIndication_Function` and the `NdisMIndicateStatusEx` rule (after Halt).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismindicatestatusex>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter the host initialized.
///
/// # Safety
/// `StatusIndication` is valid, with `StatusBufferSize` readable bytes at `StatusBuffer`.
#[track_caller]
pub unsafe fn NdisMIndicateStatusEx(
    MiniportAdapterHandle: NDIS_HANDLE,
    StatusIndication: PNDIS_STATUS_INDICATION,
) {
    let location = Location::caller();
    let api = "NdisMIndicateStatusEx";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlStatusIndicationFunction);
    let adapter = adapter_of(&cpu, MiniportAdapterHandle, api);
    oid::indicate_status(&cpu, &adapter, StatusIndication, location);
}

/// `NdisMOidRequestComplete`: completes the pending OID request. Checks `Irql_OID_Function`
/// and `DoubleComplete`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismoidrequestcomplete>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter the host initialized.
///
/// # Safety
/// None beyond being called on a virtual processor (the request is compared, not read).
#[track_caller]
pub unsafe fn NdisMOidRequestComplete(
    MiniportAdapterHandle: NDIS_HANDLE,
    OidRequest: PNDIS_OID_REQUEST,
    Status: NDIS_STATUS,
) {
    let location = Location::caller();
    let api = "NdisMOidRequestComplete";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlOidFunction);
    let adapter = adapter_of(&cpu, MiniportAdapterHandle, api);
    oid::oid_complete(&cpu, &adapter, OidRequest, Status, location);
}

/// Completes a pending lifecycle operation (`field` of the adapter) or reports
/// [`Rule::MiniportState`] when none is pending.
fn complete_pending(
    cpu: &Cpu,
    adapter: &AdapterState,
    api: &str,
    location: &'static Location<'static>,
    status: NDIS_STATUS,
    pick: impl FnOnce(
        &mut crate::host::adapter::AdapterInner,
    ) -> Option<&mut crate::host::adapter::Pending>,
) {
    let ok = {
        let mut g = adapter.lock();
        match pick(&mut g) {
            Some(p) if p.expected && p.completed.is_none() => {
                p.completed = Some(status);
                true
            }
            _ => false,
        }
    };
    adapter.notify();
    if !ok {
        violation(
            cpu,
            Rule::MiniportState,
            location,
            format!("{api} with no operation pending that it completes"),
        );
    }
}

/// `NdisMPauseComplete`: completes a pending `MiniportPause`. Checks
/// `Irql_Miniport_Driver_Function` (above `DISPATCH_LEVEL`) and [`Rule::MiniportState`] (no
/// pause pending).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismpausecomplete>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter the host initialized.
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisMPauseComplete(MiniportAdapterHandle: NDIS_HANDLE) {
    let location = Location::caller();
    let api = "NdisMPauseComplete";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiniportDriverFunction);
    let adapter = adapter_of(&cpu, MiniportAdapterHandle, api);
    complete_pending(&cpu, &adapter, api, location, NDIS_STATUS_SUCCESS, |g| {
        (g.phase == Phase::Pausing).then_some(&mut g.pause)
    });
}

/// `NdisMRestartComplete`: completes a pending `MiniportRestart` with `Status`. Checks
/// `Irql_Miniport_Driver_Function` and [`Rule::MiniportState`] (no restart pending).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismrestartcomplete>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter the host initialized.
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisMRestartComplete(MiniportAdapterHandle: NDIS_HANDLE, Status: NDIS_STATUS) {
    let location = Location::caller();
    let api = "NdisMRestartComplete";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiniportDriverFunction);
    let adapter = adapter_of(&cpu, MiniportAdapterHandle, api);
    complete_pending(&cpu, &adapter, api, location, Status, |g| {
        (g.phase == Phase::Restarting).then_some(&mut g.restart)
    });
}

/// `NdisMResetComplete`: completes a pending `MiniportResetEx`. Checks
/// `Irql_Miniport_Driver_Function` and [`Rule::MiniportState`] (no reset pending).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismresetcomplete>
///
/// # Panics
/// When `MiniportAdapterHandle` is not an adapter the host initialized.
///
/// # Safety
/// None beyond being called on a virtual processor.
#[track_caller]
pub unsafe fn NdisMResetComplete(
    MiniportAdapterHandle: NDIS_HANDLE,
    Status: NDIS_STATUS,
    AddressingReset: BOOLEAN,
) {
    let location = Location::caller();
    let api = "NdisMResetComplete";
    let cpu = enter_ndis_at_most(api, location, DISPATCH, Rule::IrqlMiniportDriverFunction);
    let adapter = adapter_of(&cpu, MiniportAdapterHandle, api);
    complete_pending(&cpu, &adapter, api, location, Status, |g| {
        g.reset_addressing = AddressingReset != 0;
        Some(&mut g.reset)
    });
}
