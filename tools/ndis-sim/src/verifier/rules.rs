//! The rules the verifier checks, with the names and codes of the public documents
//! (`docs/locking-rules.md` lists them with their codes).
//!
//! Where one misuse breaks two documented rules, one is reported as the primary
//! ([`Violation::rule`](super::Violation::rule), with its code) and the other is named in
//! [`Violation::detail`](super::Violation::detail). The choice is always the same:
//! - for a call the driver made through an NDIS spin-lock function (`NdisAcquireSpinLock`,
//!   `NdisDprAcquireSpinLock`, …) the NDIS rule for that function is primary, and the Driver
//!   Verifier check that the macro's `Ke*` expansion would trip on Windows goes in `detail`;
//! - for a `Ke*` call the Driver Verifier rule or check is primary;
//! - a recursive acquire on one processor is always `SPIN_LOCK_ALREADY_OWNED` (0x0F), with
//!   the `SpinLock` rule (0x00040009) named in `detail`;
//! - any spin-lock acquire inside an ISR or a `MiniportSynchronizeInterrupt` callback is
//!   [`Rule::SpinLockInIsr`], with the IRQL rule named in `detail`.

/// Bug check 0xC4 `DRIVER_VERIFIER_DETECTED_VIOLATION`: its parameter 1 names the rule.
pub const DRIVER_VERIFIER_DETECTED_VIOLATION: u32 = 0xC4;
/// Bug check 0x0F `SPIN_LOCK_ALREADY_OWNED`.
pub const SPIN_LOCK_ALREADY_OWNED: u32 = 0x0F;
/// Bug check 0x7C `BUGCODE_NDIS_DRIVER`.
pub const BUGCODE_NDIS_DRIVER: u32 = 0x7C;
/// Bug check 0x10 `SPIN_LOCK_NOT_OWNED`.
pub const SPIN_LOCK_NOT_OWNED: u32 = 0x10;
/// The `bug_check` of rules that Windows checks only at compile time (the NDIS rules of Static
/// Driver Verifier outside the NDIS/WIFI set) or only states in prose: no bug check code exists
/// for them. The simulator
/// still reports them, and in `BugCheck` mode still stops on them.
pub const NO_BUG_CHECK: u32 = 0;

/// The NDIS functions that may be called while an NDIS spin lock is held: the spin-lock
/// functions themselves ("release all NDIS spin locks before calling an NDIS function other
/// than an `NdisXxxSpinlock` function", Synchronization and Notification in Network Drivers,
/// <https://learn.microsoft.com/windows-hardware/drivers/network/synchronization-and-notification-in-network-drivers>).
/// Every other `Ndis*` entry point of [`crate::sys`] checks [`Rule::NdisCallUnderSpinLock`].
pub const CALLABLE_UNDER_NDIS_SPIN_LOCK: &[&str] = &[
    "NdisAllocateSpinLock",
    "NdisFreeSpinLock",
    "NdisAcquireSpinLock",
    "NdisReleaseSpinLock",
    "NdisDprAcquireSpinLock",
    "NdisDprReleaseSpinLock",
];

/// One checked rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// WDM DDI compliance rule `SpinLock` (0xC4, P1 0x00040009): a `Ke*` spin lock is acquired
    /// again before it is released (by `KeTryToAcquireSpinLockAtDpcLevel`; a blocking recursive
    /// acquire is [`Rule::SpinLockAlreadyOwned`]), or is still held when the routine that
    /// acquired it ends.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-spinlock>
    SpinLock,
    /// WDM rule `IrqlKeReleaseSpinLock` (0xC4, P1 0x00020015): `KeReleaseSpinLock` with a
    /// `NewIrql` other than the IRQL the matching acquire returned.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkereleasespinlock>
    IrqlKeReleaseSpinLock,
    /// WDM rule `IrqlKeDispatchLte` (0xC4, P1 0x00020011): `KeAcquireSpinLock(RaiseToDpc)` above
    /// `DISPATCH_LEVEL`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkedispatchlte>
    IrqlKeDispatchLte,
    /// WDM rule `IrqlDispatch` (0xC4, P1 0x00020003): `KeAcquireSpinLockAtDpcLevel` above
    /// `DISPATCH_LEVEL`, or `KeReleaseSpinLockFromDpcLevel` at any IRQL other than
    /// `DISPATCH_LEVEL` (an acquire *below* `DISPATCH_LEVEL` is [`Rule::AtDpcLevelBelowDispatch`]).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqldispatch>
    IrqlDispatch,
    /// WDM rule `IrqlReturn` (0xC4, P1 0x0002001D): a routine (a `run_on` work item, a DPC, a
    /// `MiniportSynchronizeInterrupt` callback) returns at an IRQL other than the one it was
    /// called at.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlreturn>
    IrqlReturn,
    /// Driver Verifier 0xC4 P1 0x30: `KeRaiseIrql` to a lower IRQL.
    /// <https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc4--driver-verifier-detected-violation>
    RaiseToLower,
    /// Driver Verifier 0xC4 P1 0x31: `KeLowerIrql` to a higher IRQL.
    LowerToHigher,
    /// Driver Verifier 0xC4 P1 0x32: `KeReleaseSpinLock` at an IRQL other than `DISPATCH_LEVEL`,
    /// or a double release (the lock is free).
    BadKeRelease,
    /// Driver Verifier 0xC4 P1 0x40: `KeAcquireSpinLockAtDpcLevel` (or the `TryToAcquire`
    /// variant) below `DISPATCH_LEVEL`; the `IrqlDispatch` rule is named in `detail`.
    AtDpcLevelBelowDispatch,
    /// Driver Verifier 0xC4 P1 0x111: an ISR returned at an IRQL other than its DIRQL.
    IsrReturnedAtWrongIrql,
    /// Driver Verifier deadlock detection 0xC4 P1 0x1001: lock hierarchy violation (the lock
    /// graph has a cycle), or an actual cross-processor deadlock found while spinning.
    LockOrder,
    /// Driver Verifier deadlock detection 0xC4 P1 0x1003: locks released out of order.
    ReleaseOrder,
    /// Driver Verifier deadlock detection 0xC4 P1 0x1008: a lock acquired with the API of the
    /// other family (an `NDIS_SPIN_LOCK` through `Ke*`, a `KeInitializeSpinLock` lock through
    /// `Ndis*`).
    WrongAcquireApi,
    /// Driver Verifier deadlock detection 0xC4 P1 0x1009: a lock released with an API that does
    /// not pair with the one that acquired it (`Ndis` ↔ `NdisDpr` ↔ `Ke` ↔ `KeAtDpcLevel`); for
    /// NDIS locks the NDIS rule `SpinLockDprRelease` is named in `detail`.
    WrongReleaseApi,
    /// Bug check 0x0F `SPIN_LOCK_ALREADY_OWNED`: a processor acquires a spin lock it already
    /// holds (recursive acquire; an ISR or DPC taking a lock held by the code it interrupted).
    /// The acquire is not performed, so nothing hangs.
    /// <https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xf--spin-lock-already-owned>
    SpinLockAlreadyOwned,
    /// Bug check 0x10 `SPIN_LOCK_NOT_OWNED`: a `Ke*` release of a lock held by another
    /// processor. The release is not performed.
    /// <https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x10--spin-lock-not-owned>
    SpinLockNotOwned,
    /// NDIS rule `Irql_Synch_Function` (static-only on Windows): an NDIS spin-lock function at
    /// an IRQL its page does not allow (`NdisDpr*` exactly `DISPATCH_LEVEL`; `NdisAcquireSpinLock`
    /// at most `DISPATCH_LEVEL`; `NdisReleaseSpinLock` at `DISPATCH_LEVEL`).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-synch-function>
    IrqlSynchFunction,
    /// NDIS rule `Irql_Interrupt_Function` (static-only): `NdisMRegisterInterruptEx` /
    /// `NdisMDeregisterInterruptEx` above `PASSIVE_LEVEL`.
    IrqlInterruptFunction,
    /// NDIS rule `SpinLock` (static-only): an `NdisAcquireSpinLock` lock still held when the
    /// handler that acquired it returns.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-spinlock>
    NdisSpinLock,
    /// NDIS rule `SpinLockDpr` (static-only): an `NdisDprAcquireSpinLock` lock still held when
    /// the handler that acquired it returns.
    NdisSpinLockDpr,
    /// NDIS rule `SpinLockRelease` (static-only): `NdisReleaseSpinLock` of a lock this
    /// processor does not hold. Its WDM counterpart `SpinlockRelease` has P1 0x0004000B on its
    /// own page but 0x0004000A on the bug check 0xC4 page: the documents disagree, and neither
    /// is used here.
    NdisSpinLockRelease,
    /// NDIS rule `SpinLockDprRelease` (static-only): `NdisDprReleaseSpinLock` of a lock this
    /// processor does not hold.
    NdisSpinLockDprRelease,
    /// NDIS rule `SpinLockBalanced` (static-only): a handler releases a lock it did not acquire
    /// (for example a DPC releasing a lock held by the code it interrupted).
    SpinLockBalanced,
    /// NDIS rule `NdisMDeregisterInterruptEx` (static-only): `NdisMSynchronizeWithInterruptEx`
    /// after the interrupt was deregistered. The callback is not called.
    SyncAfterDeregister,
    /// NDIS rule `NdisStallExecution_Delay` (static-only, Warning set): a stall longer than
    /// 50 µs.
    StallTooLong,
    /// A spin lock acquired in an ISR or a `MiniportSynchronizeInterrupt` callback ("a miniport
    /// driver cannot use a spin lock to protect resources that its other functions share with
    /// `MiniportInterrupt`", `NdisAcquireSpinLock` page). No code exists.
    SpinLockInIsr,
    /// An `Ndis*` function other than the spin-lock functions called while an NDIS spin lock
    /// acquired in the same routine is held (Synchronization and Notification in Network
    /// Drivers). The exempt list is [`CALLABLE_UNDER_NDIS_SPIN_LOCK`]. No code exists.
    NdisCallUnderSpinLock,
    /// A spin lock used before `KeInitializeSpinLock` / `NdisAllocateSpinLock`, or after
    /// `NdisFreeSpinLock` ("must initialize … before it calls any other Ndis..SpinLock
    /// function", `NdisAcquireSpinLock` page). No code exists.
    UninitializedSpinLock,
    /// NDIS rule `Irql_Miniport_Driver_Function`: a miniport-driver function
    /// (`NdisMRegisterMiniportDriver`, `NdisMSetMiniportAttributes`, `NdisMMapIoSpace`,
    /// `NdisMAllocateSharedMemory`, `NdisMRegisterScatterGatherDma`, `NdisMFreeSharedMemory`, …)
    /// called above the IRQL its page allows.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-miniport-driver-function>
    IrqlMiniportDriverFunction,
    /// NDIS rule `Irql_Miscellaneous_Function`: a miscellaneous NDIS function
    /// (`NdisAllocateMemoryWithTagPriority`, `NdisFreeMemory`, …) above `DISPATCH_LEVEL`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-miscellaneous-function>
    IrqlMiscellaneousFunction,
    /// NDIS rule `NdisAllocateMemoryWithTagPriority`: the allocation carries no tag (tag 0).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisallocatememorywithtagpriority>
    AllocateMemoryTag,
    /// Bug check 0x7C `BUGCODE_NDIS_DRIVER` with parameter 1 = 0x01: `NdisMAllocateSharedMemory`
    /// called at raised IRQL (the simulator reports no parameter 1 for non-0xC4 checks; 0x01 is
    /// named here and in the violation's detail).
    /// <https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x7c--bugcode-ndis-driver>
    SharedMemoryAtRaisedIrql,
    /// A free (`NdisFreeMemory`, `NdisMFreeSharedMemory`, `NdisMUnmapIoSpace`) of memory that was
    /// not allocated, was already freed, or with a length or address other than the allocation's
    /// (on Windows, pool corruption or a `BAD_POOL_CALLER` bug check).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreememory>
    BadFree,
    /// NDIS rule `Init_RegisterInterrupt`: an interrupt registered in `MiniportInitializeEx` is
    /// still registered when `MiniportHaltEx` returns (or when Initialize fails).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-init-registerinterrupt>
    InitRegisterInterrupt,
    /// NDIS verifier: `MiniportHaltEx` returned with pool memory, shared memory, BAR mappings or
    /// scatter/gather lists of the adapter still allocated (scatter/gather lists are also
    /// reported when their DMA is deregistered with them still mapped).
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-verifier>
    LeakAtHalt,
    /// NDIS rule `Irql_SendRcv_Function`: `NdisMSendNetBufferListsComplete` or
    /// `NdisMIndicateReceiveNetBufferLists` above `DISPATCH_LEVEL`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-sendrcv-function>
    IrqlSendRcvFunction,
    /// NDIS rule `Irql_StatusIndication_Function`: `NdisMIndicateStatusEx` above `DISPATCH_LEVEL`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-statusindication-function>
    IrqlStatusIndicationFunction,
    /// NDIS rule `Irql_OID_Function`: `NdisMOidRequestComplete` above `DISPATCH_LEVEL`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-oid-function>
    IrqlOidFunction,
    /// NDIS rule `Irql_NetBuffer_Function`: an NBL, `NET_BUFFER`, MDL or pool function above the
    /// IRQL its page allows (`DISPATCH_LEVEL` on every page, the pool functions included), and
    /// `MmMapLockedPagesSpecifyCache` (`MmGetSystemAddressForMdlSafe`, no WDM rule) above its.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-netbuffer-function>
    IrqlNetBufferFunction,
    /// NDIS rule `Irql_Timer_Function`: a timer-object function above the IRQL its page allows
    /// (all four at most `DISPATCH_LEVEL`; `NdisCancelTimerObject` of a periodic timer at
    /// `PASSIVE_LEVEL`).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-timer-function>
    IrqlTimerFunction,
    /// NDIS rule `Irql_Gather_DMA_Function`: `NdisMRegisterScatterGatherDma` /
    /// `NdisMDeregisterScatterGatherDma` above `PASSIVE_LEVEL`, or `NdisMAllocateNetBufferSGList`
    /// above `DISPATCH_LEVEL`.
    IrqlGatherDmaFunction,
    /// NDIS rule `Flags_Irql`: `KeGetCurrentIrql` called in a handler whose flags already say
    /// whether it runs at `DISPATCH_LEVEL` (`MiniportSendNetBufferLists`,
    /// `MiniportReturnNetBufferLists`).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-flags-irql>
    FlagsIrql,
    /// NDIS rule `NdisMFreeSharedMemory`: shared memory freed from `MiniportShutdownEx`.
    NdisMFreeSharedMemory,
    /// NDIS rule `NdisMIndicateStatusEx`: a status indication after `MiniportHaltEx` returned.
    NdisMIndicateStatusEx,
    /// NDIS rule `NdisMMapIoSpace`: a BAR mapped outside `MiniportInitializeEx`.
    NdisMMapIoSpace,
    /// NDIS rule `CancelTimerObject`: a timer still set (not cancelled) when `MiniportHaltEx`
    /// returns, or freed while set.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-canceltimerobject>
    CancelTimerObject,
    /// NDIS rule `MiniportPause_Return`: `MiniportPause` returned something other than
    /// `NDIS_STATUS_SUCCESS` or `NDIS_STATUS_PENDING`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-miniportpause-return>
    MiniportPauseReturn,
    /// NDIS/WIFI rule `NdisOidDoubleComplete` (0xC4, P1 0x00091002): an OID request completed
    /// twice, completed with `NdisMOidRequestComplete` after the handler returned a status other
    /// than `NDIS_STATUS_PENDING`, or completed when it is not in flight. The same check stands
    /// for the SDV rules `DoubleComplete` and `DoubleCompleteWorkItem` (a completion deferred
    /// to a work item is checked the same way), named in `detail`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisoiddoublecomplete>
    NdisOidDoubleComplete,
    /// NDIS/WIFI rule `NdisOidComplete` (0xC4, P1 0x00091001): `NdisMOidRequestComplete` with
    /// `NDIS_STATUS_PENDING`, or an OID of the rule's table (`OID_PNP_SET_POWER`,
    /// `OID_802_3_DELETE_MULTICAST_ADDRESS`, ...) finished with a status the table does not allow.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisoidcomplete>
    NdisOidComplete,
    /// NDIS/WIFI rule `NdisOidDoubleRequest` (0xC4, P1 0x0009100E): NDIS issues the next OID
    /// request while the miniport still has not completed the previous one (the host gave up
    /// waiting for it after [`Rule::NdisTimedOidComplete`]).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisoiddoublerequest>
    NdisOidDoubleRequest,
    /// NDIS/WIFI rule `NdisTimedOidComplete` (0xC4, P1 0x00092003): an OID request not completed
    /// within 12 s of the simulated clock.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndistimedoidcomplete>
    NdisTimedOidComplete,
    /// NDIS/WIFI rule `NdisTimedDataSend` (0xC4, P1 0x0009200D): a send NBL not completed within
    /// 30 s of the simulated clock.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndistimeddatasend>
    NdisTimedDataSend,
    /// NDIS/WIFI rule `NdisTimedDataHang` (0xC4, P1 0x0009200F): sends pending and none
    /// completed for 22 s of the simulated clock.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndistimeddatahang>
    NdisTimedDataHang,
    /// NDIS rule `Init_RegisterSG` (SDV): scatter/gather DMA registered in Initialize and still
    /// registered when `MiniportHaltEx` returns (or when Initialize fails).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-init-registersg>
    InitRegisterSg,
    /// NDIS rule `NdisAllocateMdl` (SDV): an MDL of the adapter still allocated when
    /// `MiniportHaltEx` returns.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisallocatemdl>
    NdisAllocateMdl,
    /// NDIS rule `PeriodicTimer` (SDV): `NdisCancelTimerObject` of a timer set with a nonzero
    /// `MillisecondsPeriod` at an IRQL other than `PASSIVE_LEVEL`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-periodictimer>
    PeriodicTimer,
    /// NDIS rule `WriteErrorLog` (SDV): `NdisMAllocateSharedMemory` failed in
    /// `MiniportInitializeEx` and Initialize returned without `NdisWriteErrorLogEntry` after it.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-writeerrorlog>
    WriteErrorLog,
    /// NDIS rule `NullCheck` (SDV), as far as a run-time check can go: the driver dereferenced
    /// (a fault in the first 64 KiB) after an allocating DDI returned NULL to it on that
    /// processor. Reported from the fault handler, which then ends the process.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/nullcheckn>
    NullCheck,
    /// NDIS rule `Init_NdisAllocateIoWorkItem` (SDV): a work item allocated in Initialize not
    /// freed by the end of Halt (or of a failed Initialize); also a work item used or freed
    /// after it was freed, or freed while queued.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-init-ndisallocateioworkitem>
    InitNdisAllocateIoWorkItem,
    /// NDIS rule `Irql_IrqlSetting_Function` (SDV): `NDIS_RAISE_IRQL_TO_DISPATCH` above
    /// `DISPATCH_LEVEL`, or `NDIS_LOWER_IRQL` to an IRQL above the current one.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-irql-irqlsetting-function>
    IrqlIrqlSettingFunction,
    /// NDIS rule `NdisAllocateGenericObject` (SDV): a generic object still allocated when
    /// `MiniportHaltEx` returns, or freed twice.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisallocategenericobject>
    NdisAllocateGenericObject,
    /// NDIS rule `NdisAllocateNetBuffer` (SDV): a `NET_BUFFER` from `NdisAllocateNetBuffer`
    /// still allocated when `MiniportHaltEx` returns, or freed twice.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisallocatenetbuffer>
    NdisAllocateNetBuffer,
    /// NDIS rule `NdisMRegisterIoPortRange` (SDV): I/O ports registered outside
    /// `MiniportInitializeEx`, or before `NdisMSetMiniportAttributes`; also a range still
    /// registered when `MiniportHaltEx` returns.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndismregisterioportrange>
    NdisMRegisterIoPortRange,
    /// NDIS rule `NdisOpenConfigurationEx` (SDV): a configuration handle still open when the
    /// handler that opened it returns (Initialize) or when `MiniportHaltEx` returns; closed twice.
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndisopenconfigurationex>
    NdisOpenConfigurationEx,
    /// NDIS rule `NdisMNetPnPEventInOIDRequest` (SDV): `NdisMNetPnPEvent` called while an OID
    /// request is in flight (in `MiniportOidRequest` or before its `NdisMOidRequestComplete`).
    /// <https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-ndismnetpnpeventinoidrequest>
    NdisMNetPnPEventInOidRequest,
    /// `NdisMQueueDpcEx` with an interrupt handle already deregistered (the handle is invalid
    /// once `NdisMDeregisterInterruptEx` returns). No DPC is queued.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterinterruptex>
    QueueDpcAfterDeregister,
    /// Receive throttling: a `MiniportInterruptDPC` that set `MoreNblsPending` re-enabled the
    /// device's interrupts (NDIS calls the DPC again; interrupts stay masked until it clears the
    /// flag), or indicated more NBLs than `MaxNblsToIndicate`.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/receive-side-throttling>
    ReceiveThrottle,
    /// NDIS verifier: an NBL completed that the miniport does not own (never sent to it, or
    /// already completed), or a sent NBL not completed when NDIS needed it (Pause completed,
    /// Halt called).
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-verifier>
    SendAccounting,
    /// NDIS verifier: a receive indication while the adapter is paused, halted, or not yet
    /// restarted (while pausing is allowed: the miniport waits for those to return); or an indicated NBL not returned when Pause completes or Halt returns (the
    /// miniport must wait for its receives before completing Pause).
    ReceiveAccounting,
    /// NDIS: a lifecycle call in the wrong state: `NdisMPauseComplete` / `NdisMRestartComplete`
    /// with no pause or restart pending, attributes set outside Initialize or in the wrong order
    /// (registration attributes first), a handler returning a status its page does not allow.
    /// <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>
    MiniportState,
    /// A spin lock held longer than the machine's hold limit in virtual time spent by the
    /// holding processor (default
    /// 25 µs, [`crate::MachineBuilder::hold_limit_ns`]): "holding a spin lock for longer than 25
    /// microseconds degrades both system and driver performance" (`NdisAcquireSpinLock` page).
    /// Guidance, not a bug check; the host-time hold statistics ([`super::LockStats`]) stay
    /// counters only.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisacquirespinlock>
    SpinLockHeldTooLong,
}

/// A page of the Windows driver documentation, from its path under `drivers/`.
macro_rules! learn {
    ($path:literal) => {
        concat!(
            "https://learn.microsoft.com/windows-hardware/drivers/",
            $path
        )
    };
}

impl Rule {
    /// Every rule, for tables and exhaustive tests.
    pub const ALL: &'static [Rule] = &[
        Rule::SpinLock,
        Rule::IrqlKeReleaseSpinLock,
        Rule::IrqlKeDispatchLte,
        Rule::IrqlDispatch,
        Rule::IrqlReturn,
        Rule::RaiseToLower,
        Rule::LowerToHigher,
        Rule::BadKeRelease,
        Rule::AtDpcLevelBelowDispatch,
        Rule::IsrReturnedAtWrongIrql,
        Rule::LockOrder,
        Rule::ReleaseOrder,
        Rule::WrongAcquireApi,
        Rule::WrongReleaseApi,
        Rule::SpinLockAlreadyOwned,
        Rule::SpinLockNotOwned,
        Rule::IrqlSynchFunction,
        Rule::IrqlInterruptFunction,
        Rule::NdisSpinLock,
        Rule::NdisSpinLockDpr,
        Rule::NdisSpinLockRelease,
        Rule::NdisSpinLockDprRelease,
        Rule::SpinLockBalanced,
        Rule::SyncAfterDeregister,
        Rule::StallTooLong,
        Rule::SpinLockInIsr,
        Rule::NdisCallUnderSpinLock,
        Rule::UninitializedSpinLock,
        Rule::IrqlMiniportDriverFunction,
        Rule::IrqlMiscellaneousFunction,
        Rule::AllocateMemoryTag,
        Rule::SharedMemoryAtRaisedIrql,
        Rule::BadFree,
        Rule::InitRegisterInterrupt,
        Rule::LeakAtHalt,
        Rule::IrqlSendRcvFunction,
        Rule::IrqlStatusIndicationFunction,
        Rule::IrqlOidFunction,
        Rule::IrqlNetBufferFunction,
        Rule::IrqlTimerFunction,
        Rule::IrqlGatherDmaFunction,
        Rule::FlagsIrql,
        Rule::NdisMFreeSharedMemory,
        Rule::NdisMIndicateStatusEx,
        Rule::NdisMMapIoSpace,
        Rule::CancelTimerObject,
        Rule::MiniportPauseReturn,
        Rule::NdisOidDoubleComplete,
        Rule::NdisOidComplete,
        Rule::NdisOidDoubleRequest,
        Rule::NdisTimedOidComplete,
        Rule::NdisTimedDataSend,
        Rule::NdisTimedDataHang,
        Rule::InitRegisterSg,
        Rule::NdisAllocateMdl,
        Rule::PeriodicTimer,
        Rule::QueueDpcAfterDeregister,
        Rule::SendAccounting,
        Rule::ReceiveAccounting,
        Rule::MiniportState,
        Rule::WriteErrorLog,
        Rule::NullCheck,
        Rule::InitNdisAllocateIoWorkItem,
        Rule::IrqlIrqlSettingFunction,
        Rule::NdisAllocateGenericObject,
        Rule::NdisAllocateNetBuffer,
        Rule::NdisMRegisterIoPortRange,
        Rule::NdisOpenConfigurationEx,
        Rule::NdisMNetPnPEventInOidRequest,
        Rule::ReceiveThrottle,
        Rule::SpinLockHeldTooLong,
    ];

    /// The documented name of the rule (NDIS and WDM share the name `SpinLock`: see
    /// [`Rule::family`]).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Rule::SpinLock | Rule::NdisSpinLock => "SpinLock",
            Rule::IrqlKeReleaseSpinLock => "IrqlKeReleaseSpinLock",
            Rule::IrqlKeDispatchLte => "IrqlKeDispatchLte",
            Rule::IrqlDispatch => "IrqlDispatch",
            Rule::IrqlReturn => "IrqlReturn",
            Rule::RaiseToLower => "KeRaiseIrql to a lower IRQL",
            Rule::LowerToHigher => "KeLowerIrql to a higher IRQL",
            Rule::BadKeRelease => "KeReleaseSpinLock at IRQL != DISPATCH_LEVEL or double release",
            Rule::AtDpcLevelBelowDispatch => "KeAcquireSpinLockAtDpcLevel below DISPATCH_LEVEL",
            Rule::IsrReturnedAtWrongIrql => "ISR returned at a different IRQL",
            Rule::LockOrder => "lock hierarchy violation",
            Rule::ReleaseOrder => "locks released out of order",
            Rule::WrongAcquireApi => "lock acquired with the wrong API",
            Rule::WrongReleaseApi => "lock released with the wrong API",
            Rule::SpinLockAlreadyOwned => "SPIN_LOCK_ALREADY_OWNED",
            Rule::SpinLockNotOwned => "SPIN_LOCK_NOT_OWNED",
            Rule::IrqlSynchFunction => "Irql_Synch_Function",
            Rule::IrqlInterruptFunction => "Irql_Interrupt_Function",
            Rule::NdisSpinLockDpr => "SpinLockDpr",
            Rule::NdisSpinLockRelease => "SpinLockRelease",
            Rule::NdisSpinLockDprRelease => "SpinLockDprRelease",
            Rule::SpinLockBalanced => "SpinLockBalanced",
            Rule::SyncAfterDeregister => "NdisMDeregisterInterruptEx",
            Rule::StallTooLong => "NdisStallExecution_Delay",
            Rule::SpinLockInIsr => "spin lock used in MiniportInterrupt",
            Rule::NdisCallUnderSpinLock => "NdisXxx called while an NDIS spin lock is held",
            Rule::UninitializedSpinLock => "spin lock used before initialization",
            Rule::IrqlMiniportDriverFunction => "Irql_Miniport_Driver_Function",
            Rule::IrqlMiscellaneousFunction => "Irql_Miscellaneous_Function",
            Rule::AllocateMemoryTag => "NdisAllocateMemoryWithTagPriority",
            Rule::SharedMemoryAtRaisedIrql => {
                "BUGCODE_NDIS_DRIVER 0x01: shared memory allocated at raised IRQL"
            }
            Rule::BadFree => "free of memory that is not allocated as given",
            Rule::InitRegisterInterrupt => "Init_RegisterInterrupt",
            Rule::LeakAtHalt => "resources leaked at MiniportHaltEx",
            Rule::IrqlSendRcvFunction => "Irql_SendRcv_Function",
            Rule::IrqlStatusIndicationFunction => "Irql_StatusIndication_Function",
            Rule::IrqlOidFunction => "Irql_OID_Function",
            Rule::IrqlNetBufferFunction => "Irql_NetBuffer_Function",
            Rule::IrqlTimerFunction => "Irql_Timer_Function",
            Rule::IrqlGatherDmaFunction => "Irql_Gather_DMA_Function",
            Rule::FlagsIrql => "Flags_Irql",
            Rule::NdisMFreeSharedMemory => "NdisMFreeSharedMemory",
            Rule::NdisMIndicateStatusEx => "NdisMIndicateStatusEx",
            Rule::NdisMMapIoSpace => "NdisMMapIoSpace",
            Rule::CancelTimerObject => "CancelTimerObject",
            Rule::MiniportPauseReturn => "MiniportPause_Return",
            Rule::NdisOidDoubleComplete => "NdisOidDoubleComplete",
            Rule::NdisOidComplete => "NdisOidComplete",
            Rule::NdisOidDoubleRequest => "NdisOidDoubleRequest",
            Rule::NdisTimedOidComplete => "NdisTimedOidComplete",
            Rule::NdisTimedDataSend => "NdisTimedDataSend",
            Rule::NdisTimedDataHang => "NdisTimedDataHang",
            Rule::InitRegisterSg => "Init_RegisterSG",
            Rule::NdisAllocateMdl => "NdisAllocateMdl",
            Rule::PeriodicTimer => "PeriodicTimer",
            Rule::WriteErrorLog => "WriteErrorLog",
            Rule::NullCheck => "NullCheck",
            Rule::InitNdisAllocateIoWorkItem => "Init_NdisAllocateIoWorkItem",
            Rule::IrqlIrqlSettingFunction => "Irql_IrqlSetting_Function",
            Rule::NdisAllocateGenericObject => "NdisAllocateGenericObject",
            Rule::NdisAllocateNetBuffer => "NdisAllocateNetBuffer",
            Rule::NdisMRegisterIoPortRange => "NdisMRegisterIoPortRange",
            Rule::NdisOpenConfigurationEx => "NdisOpenConfigurationEx",
            Rule::NdisMNetPnPEventInOidRequest => "NdisMNetPnPEventInOIDRequest",
            Rule::QueueDpcAfterDeregister => "NdisMQueueDpcEx after deregistration",
            Rule::ReceiveThrottle => "receive throttling (MoreNblsPending)",
            Rule::SendAccounting => "send NBL accounting",
            Rule::ReceiveAccounting => "receive NBL accounting",
            Rule::MiniportState => "miniport adapter state",
            Rule::SpinLockHeldTooLong => "spin-lock hold limit",
        }
    }

    /// Where the rule is documented: `"wdm"` (DDI compliance rule), `"verifier"` (Driver
    /// Verifier check, 0xC4), `"bugcheck"` (a stop code of its own), `"ndis"` (NDIS DDI
    /// compliance rule that Microsoft checks at compile time with Static Driver Verifier),
    /// `"ndis-wifi"` (NDIS DDI compliance rule of the NDIS/WIFI verification set, checked at run
    /// time by Driver Verifier with 0xC4), `"ndis-doc"` (a requirement stated on an NDIS page,
    /// with no rule of its own).
    #[must_use]
    pub const fn family(self) -> &'static str {
        match self {
            Rule::SpinLock
            | Rule::IrqlKeReleaseSpinLock
            | Rule::IrqlKeDispatchLte
            | Rule::IrqlDispatch
            | Rule::IrqlReturn => "wdm",
            Rule::RaiseToLower
            | Rule::LowerToHigher
            | Rule::BadKeRelease
            | Rule::AtDpcLevelBelowDispatch
            | Rule::IsrReturnedAtWrongIrql
            | Rule::LockOrder
            | Rule::ReleaseOrder
            | Rule::WrongAcquireApi
            | Rule::WrongReleaseApi => "verifier",
            Rule::SpinLockAlreadyOwned
            | Rule::SpinLockNotOwned
            | Rule::SharedMemoryAtRaisedIrql => "bugcheck",
            Rule::IrqlSynchFunction
            | Rule::IrqlInterruptFunction
            | Rule::NdisSpinLock
            | Rule::NdisSpinLockDpr
            | Rule::NdisSpinLockRelease
            | Rule::NdisSpinLockDprRelease
            | Rule::SpinLockBalanced
            | Rule::SyncAfterDeregister
            | Rule::StallTooLong
            | Rule::IrqlMiniportDriverFunction
            | Rule::IrqlMiscellaneousFunction
            | Rule::AllocateMemoryTag
            | Rule::InitRegisterInterrupt
            | Rule::IrqlSendRcvFunction
            | Rule::IrqlStatusIndicationFunction
            | Rule::IrqlOidFunction
            | Rule::IrqlNetBufferFunction
            | Rule::IrqlTimerFunction
            | Rule::IrqlGatherDmaFunction
            | Rule::FlagsIrql
            | Rule::NdisMFreeSharedMemory
            | Rule::NdisMIndicateStatusEx
            | Rule::NdisMMapIoSpace
            | Rule::CancelTimerObject
            | Rule::MiniportPauseReturn
            | Rule::InitRegisterSg
            | Rule::NdisAllocateMdl
            | Rule::PeriodicTimer
            | Rule::WriteErrorLog
            | Rule::NullCheck
            | Rule::InitNdisAllocateIoWorkItem
            | Rule::IrqlIrqlSettingFunction
            | Rule::NdisAllocateGenericObject
            | Rule::NdisAllocateNetBuffer
            | Rule::NdisMRegisterIoPortRange
            | Rule::NdisOpenConfigurationEx
            | Rule::NdisMNetPnPEventInOidRequest => "ndis",
            Rule::NdisOidDoubleComplete
            | Rule::NdisOidComplete
            | Rule::NdisOidDoubleRequest
            | Rule::NdisTimedOidComplete
            | Rule::NdisTimedDataSend
            | Rule::NdisTimedDataHang => "ndis-wifi",
            Rule::SpinLockInIsr
            | Rule::NdisCallUnderSpinLock
            | Rule::UninitializedSpinLock
            | Rule::BadFree
            | Rule::LeakAtHalt
            | Rule::SendAccounting
            | Rule::ReceiveAccounting
            | Rule::MiniportState
            | Rule::QueueDpcAfterDeregister
            | Rule::ReceiveThrottle
            | Rule::SpinLockHeldTooLong => "ndis-doc",
        }
    }

    /// The bug check Windows raises for this rule ([`NO_BUG_CHECK`] when it raises none).
    #[must_use]
    pub const fn bug_check(self) -> u32 {
        match self.family().as_bytes() {
            b"wdm" | b"verifier" | b"ndis-wifi" => DRIVER_VERIFIER_DETECTED_VIOLATION,
            _ => match self {
                Rule::SpinLockAlreadyOwned => SPIN_LOCK_ALREADY_OWNED,
                Rule::SpinLockNotOwned => SPIN_LOCK_NOT_OWNED,
                Rule::SharedMemoryAtRaisedIrql => BUGCODE_NDIS_DRIVER,
                _ => NO_BUG_CHECK,
            },
        }
    }

    /// The documentation page of the rule (the rule's own page for DDI compliance rules, the
    /// bug check page for Driver Verifier checks, the DDI or concept page for stated
    /// requirements).
    #[must_use]
    #[allow(
        clippy::match_same_arms,
        reason = "one arm per rule, as in the README's table; several share a page"
    )]
    pub const fn page(self) -> &'static str {
        match self {
            Rule::SpinLock => learn!("devtest/wdm-spinlock"),
            Rule::IrqlKeReleaseSpinLock => learn!("devtest/wdm-irqlkereleasespinlock"),
            Rule::IrqlKeDispatchLte => learn!("devtest/wdm-irqlkedispatchlte"),
            Rule::IrqlDispatch => learn!("devtest/wdm-irqldispatch"),
            Rule::IrqlReturn => learn!("devtest/wdm-irqlreturn"),
            Rule::RaiseToLower
            | Rule::LowerToHigher
            | Rule::BadKeRelease
            | Rule::AtDpcLevelBelowDispatch
            | Rule::IsrReturnedAtWrongIrql
            | Rule::LockOrder
            | Rule::ReleaseOrder
            | Rule::WrongAcquireApi
            | Rule::WrongReleaseApi => {
                learn!("debugger/bug-check-0xc4--driver-verifier-detected-violation")
            }
            Rule::SpinLockAlreadyOwned => learn!("debugger/bug-check-0xf--spin-lock-already-owned"),
            Rule::SpinLockNotOwned => learn!("debugger/bug-check-0x10--spin-lock-not-owned"),
            Rule::IrqlSynchFunction => learn!("devtest/ndis-irql-synch-function"),
            Rule::IrqlInterruptFunction => learn!("devtest/ndis-irql-interrupt-function"),
            Rule::NdisSpinLock => learn!("devtest/ndis-spinlock"),
            Rule::NdisSpinLockDpr => learn!("devtest/ndis-spinlockdpr"),
            Rule::NdisSpinLockRelease => learn!("devtest/ndis-spinlockrelease"),
            Rule::NdisSpinLockDprRelease => learn!("devtest/ndis-spinlockdprrelease"),
            Rule::SpinLockBalanced => learn!("devtest/ndis-spinlockbalanced"),
            Rule::SyncAfterDeregister => learn!("devtest/ndis-ndismderegisterinterruptex"),
            Rule::StallTooLong => learn!("devtest/ndis-ndisstallexecution-delay"),
            Rule::SpinLockInIsr => learn!("ddi/ndis/nf-ndis-ndisacquirespinlock"),
            Rule::NdisCallUnderSpinLock => {
                learn!("network/synchronization-and-notification-in-network-drivers")
            }
            Rule::UninitializedSpinLock => learn!("ddi/ndis/nf-ndis-ndisacquirespinlock"),
            Rule::IrqlMiniportDriverFunction => {
                learn!("devtest/ndis-irql-miniport-driver-function")
            }
            Rule::IrqlMiscellaneousFunction => learn!("devtest/ndis-irql-miscellaneous-function"),
            Rule::AllocateMemoryTag => learn!("devtest/ndis-ndisallocatememorywithtagpriority"),
            Rule::SharedMemoryAtRaisedIrql => {
                learn!("debugger/bug-check-0x7c--bugcode-ndis-driver")
            }
            Rule::BadFree => learn!("ddi/ndis/nf-ndis-ndisfreememory"),
            Rule::InitRegisterInterrupt => learn!("devtest/ndis-init-registerinterrupt"),
            Rule::LeakAtHalt => learn!("network/ndis-verifier"),
            Rule::IrqlSendRcvFunction => learn!("devtest/ndis-irql-sendrcv-function"),
            Rule::IrqlStatusIndicationFunction => {
                learn!("devtest/ndis-irql-statusindication-function")
            }
            Rule::IrqlOidFunction => learn!("devtest/ndis-irql-oid-function"),
            Rule::IrqlNetBufferFunction => learn!("devtest/ndis-irql-netbuffer-function"),
            Rule::IrqlTimerFunction => learn!("devtest/ndis-irql-timer-function"),
            Rule::IrqlGatherDmaFunction => learn!("devtest/ndis-irql-gather-dma-function"),
            Rule::FlagsIrql => learn!("devtest/ndis-flags-irql"),
            Rule::NdisMFreeSharedMemory => learn!("devtest/ndis-ndismfreesharedmemory"),
            Rule::NdisMIndicateStatusEx => learn!("devtest/ndis-ndismindicatestatusex"),
            Rule::NdisMMapIoSpace => learn!("devtest/ndis-ndismmapiospace"),
            Rule::CancelTimerObject => learn!("devtest/ndis-canceltimerobject"),
            Rule::MiniportPauseReturn => learn!("devtest/ndis-miniportpause-return"),
            Rule::NdisOidDoubleComplete => learn!("devtest/ndis-ndisoiddoublecomplete"),
            Rule::NdisOidComplete => learn!("devtest/ndis-ndisoidcomplete"),
            Rule::NdisOidDoubleRequest => learn!("devtest/ndis-ndisoiddoublerequest"),
            Rule::NdisTimedOidComplete => learn!("devtest/ndis-ndistimedoidcomplete"),
            Rule::NdisTimedDataSend => learn!("devtest/ndis-ndistimeddatasend"),
            Rule::NdisTimedDataHang => learn!("devtest/ndis-ndistimeddatahang"),
            Rule::InitRegisterSg => learn!("devtest/ndis-init-registersg"),
            Rule::NdisAllocateMdl => learn!("devtest/ndis-ndisallocatemdl"),
            Rule::PeriodicTimer => learn!("devtest/ndis-periodictimer"),
            Rule::WriteErrorLog => learn!("devtest/ndis-writeerrorlog"),
            Rule::NullCheck => learn!("devtest/nullcheckn"),
            Rule::InitNdisAllocateIoWorkItem => learn!("devtest/ndis-init-ndisallocateioworkitem"),
            Rule::IrqlIrqlSettingFunction => learn!("devtest/ndis-irql-irqlsetting-function"),
            Rule::NdisAllocateGenericObject => learn!("devtest/ndis-ndisallocategenericobject"),
            Rule::NdisAllocateNetBuffer => learn!("devtest/ndis-ndisallocatenetbuffer"),
            Rule::NdisMRegisterIoPortRange => learn!("devtest/ndis-ndismregisterioportrange"),
            Rule::NdisOpenConfigurationEx => learn!("devtest/ndis-ndisopenconfigurationex"),
            Rule::NdisMNetPnPEventInOidRequest => {
                learn!("devtest/ndis-ndismnetpnpeventinoidrequest")
            }
            Rule::QueueDpcAfterDeregister => learn!("ddi/ndis/nf-ndis-ndismderegisterinterruptex"),
            Rule::ReceiveThrottle => learn!("network/receive-side-throttling"),
            Rule::SendAccounting => learn!("network/ndis-verifier"),
            Rule::ReceiveAccounting => learn!("network/ndis-verifier"),
            Rule::MiniportState => learn!("network/miniport-adapter-states-and-operations"),
            Rule::SpinLockHeldTooLong => learn!("ddi/ndis/nf-ndis-ndisacquirespinlock"),
        }
    }

    /// Bug check parameter 1 where the documents give one (the rule ID for 0xC4).
    #[must_use]
    pub const fn parameter1(self) -> Option<u64> {
        Some(match self {
            Rule::SpinLock => 0x0004_0009,
            Rule::IrqlKeReleaseSpinLock => 0x0002_0015,
            Rule::IrqlKeDispatchLte => 0x0002_0011,
            Rule::IrqlDispatch => 0x0002_0003,
            Rule::IrqlReturn => 0x0002_001D,
            Rule::RaiseToLower => 0x30,
            Rule::LowerToHigher => 0x31,
            Rule::BadKeRelease => 0x32,
            Rule::AtDpcLevelBelowDispatch => 0x40,
            Rule::IsrReturnedAtWrongIrql => 0x111,
            Rule::LockOrder => 0x1001,
            Rule::ReleaseOrder => 0x1003,
            Rule::WrongAcquireApi => 0x1008,
            Rule::WrongReleaseApi => 0x1009,
            Rule::NdisOidComplete => 0x0009_1001,
            Rule::NdisOidDoubleComplete => 0x0009_1002,
            Rule::NdisOidDoubleRequest => 0x0009_100E,
            Rule::NdisTimedOidComplete => 0x0009_2003,
            Rule::NdisTimedDataSend => 0x0009_200D,
            Rule::NdisTimedDataHang => 0x0009_200F,
            _ => return None,
        })
    }
}

impl core::fmt::Display for Rule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} ({})", self.name(), self.family())
    }
}
