//! Microsoft's NDIS DDI compliance rules (the eight NDIS rule sets of "DDI compliance rules",
//! 69 rules), whether each applies to an NDIS 6 hardware miniport such as rse1k, and the
//! [`Rule`] that checks it here. `docs/ndis-rules.md` is the same table in prose; a test keeps
//! the two, and every applicable rule's tripping test, in step.
//! <https://learn.microsoft.com/windows-hardware/drivers/devtest/sdv-rules-for-ndis-drivers>

use super::Rule;

/// One of the NDIS rule sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSet {
    /// DDI usage rule set (NDIS).
    DdiUsage,
    /// IRQL rule set (NDIS).
    Irql,
    /// Locking rule set (NDIS).
    Locking,
    /// Memory usage rule set (NDIS).
    MemoryUsage,
    /// Miscellaneous rule set (NDIS).
    Miscellaneous,
    /// `OidProcessing` rule set (NDIS).
    OidProcessing,
    /// Warning rule set (NDIS).
    Warning,
    /// NDIS/WIFI verification rule set: checked at run time by Driver Verifier (0xC4).
    NdisWifi,
}

/// Whether a documented rule applies to this miniport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// It governs DDIs or callbacks every NDIS 6 hardware miniport uses.
    Always,
    /// It governs DDIs this driver does not call today; the simulator provides them, so a
    /// driver that starts to is checked from the first call.
    OnceUsed,
    /// Not applicable, and why.
    No(&'static str),
}

/// One documented NDIS rule.
#[derive(Clone, Copy, Debug)]
pub struct NdisRule {
    /// The documented name.
    pub name: &'static str,
    /// Its rule set.
    pub set: RuleSet,
    /// Whether it applies.
    pub applies: Applies,
    /// The verifier rule that checks it (`None` when it does not apply).
    pub checked_by: Option<Rule>,
}

const FILTER: &str = "filter drivers only";
const PROTOCOL: &str = "protocol drivers only";
const CONDIS: &str = "CoNDIS (connection-oriented) drivers only";
const WLAN: &str = "native 802.11 (WLAN) miniports only";
const INTERMEDIATE: &str = "intermediate drivers only";
const PROTOCOL_OR_INTERMEDIATE: &str = "protocol and intermediate drivers only";
const INTERFACES: &str = "network interface providers only, drivers calling NdisIfRegisterInterface; NDIS registers a miniport's interface";

const fn r(
    name: &'static str,
    set: RuleSet,
    applies: Applies,
    checked_by: Option<Rule>,
) -> NdisRule {
    NdisRule {
        name,
        set,
        applies,
        checked_by,
    }
}

use Applies::{Always, No, OnceUsed};
use RuleSet::{
    DdiUsage, Irql, Locking, MemoryUsage, Miscellaneous, NdisWifi, OidProcessing, Warning,
};

/// Every NDIS DDI compliance rule Microsoft documents, in the order of its rule-set pages.
pub const NDIS_RULES: &[NdisRule] = &[
    r(
        "Init_DeRegisterInterrupt",
        DdiUsage,
        Always,
        Some(Rule::InitRegisterInterrupt),
    ),
    r(
        "Init_NdisAllocateIoWorkItem",
        DdiUsage,
        OnceUsed,
        Some(Rule::InitNdisAllocateIoWorkItem),
    ),
    r(
        "Init_RegisterInterrupt",
        DdiUsage,
        Always,
        Some(Rule::InitRegisterInterrupt),
    ),
    r(
        "Init_RegisterSG",
        DdiUsage,
        Always,
        Some(Rule::InitRegisterSg),
    ),
    r("NdisFDeregisterFilterDriver", DdiUsage, No(FILTER), None),
    r(
        "NdisMDeregisterInterruptEx",
        DdiUsage,
        Always,
        Some(Rule::SyncAfterDeregister),
    ),
    r("NullCheck", DdiUsage, Always, Some(Rule::NullCheck)),
    r("Flags_Irql", Irql, Always, Some(Rule::FlagsIrql)),
    r("Irql_CallManager_Function", Irql, No(CONDIS), None),
    r("Irql_Connection_Function", Irql, No(CONDIS), None),
    r("Irql_Filter_Driver_Function", Irql, No(FILTER), None),
    r(
        "Irql_Gather_DMA_Function",
        Irql,
        Always,
        Some(Rule::IrqlGatherDmaFunction),
    ),
    r("Irql_IM_Function", Irql, No(INTERMEDIATE), None),
    r("Irql_Interfaces_Function", Irql, No(INTERFACES), None),
    r(
        "Irql_Interrupt_Function",
        Irql,
        Always,
        Some(Rule::IrqlInterruptFunction),
    ),
    r(
        "Irql_IrqlSetting_Function",
        Irql,
        OnceUsed,
        Some(Rule::IrqlIrqlSettingFunction),
    ),
    r("Irql_MCM_Function", Irql, No(CONDIS), None),
    r("Irql_MCO_Function", Irql, No(CONDIS), None),
    r(
        "Irql_Miniport_Driver_Function",
        Irql,
        Always,
        Some(Rule::IrqlMiniportDriverFunction),
    ),
    r(
        "Irql_Miscellaneous_Function",
        Irql,
        Always,
        Some(Rule::IrqlMiscellaneousFunction),
    ),
    r(
        "Irql_NetBuffer_Function",
        Irql,
        Always,
        Some(Rule::IrqlNetBufferFunction),
    ),
    r(
        "Irql_OID_Function",
        Irql,
        Always,
        Some(Rule::IrqlOidFunction),
    ),
    r("Irql_Protocol_Driver_Function", Irql, No(PROTOCOL), None),
    r(
        "Irql_SendRcv_Function",
        Irql,
        Always,
        Some(Rule::IrqlSendRcvFunction),
    ),
    r(
        "Irql_StatusIndication_Function",
        Irql,
        Always,
        Some(Rule::IrqlStatusIndicationFunction),
    ),
    r(
        "Irql_Synch_Function",
        Irql,
        Always,
        Some(Rule::IrqlSynchFunction),
    ),
    r(
        "Irql_Timer_Function",
        Irql,
        Always,
        Some(Rule::IrqlTimerFunction),
    ),
    r("SpinLock", Locking, Always, Some(Rule::NdisSpinLock)),
    r(
        "SpinLockBalanced",
        Locking,
        Always,
        Some(Rule::SpinLockBalanced),
    ),
    r("SpinLockDpr", Locking, Always, Some(Rule::NdisSpinLockDpr)),
    r(
        "SpinLockDprRelease",
        Locking,
        Always,
        Some(Rule::NdisSpinLockDprRelease),
    ),
    r(
        "SpinLockRelease",
        Locking,
        Always,
        Some(Rule::NdisSpinLockRelease),
    ),
    r(
        "NdisAllocateGenericObject",
        MemoryUsage,
        OnceUsed,
        Some(Rule::NdisAllocateGenericObject),
    ),
    r(
        "NdisAllocateMdl",
        MemoryUsage,
        Always,
        Some(Rule::NdisAllocateMdl),
    ),
    r(
        "NdisAllocateMemoryWithTagPriority",
        MemoryUsage,
        Always,
        Some(Rule::AllocateMemoryTag),
    ),
    r(
        "NdisAllocateNetBuffer",
        MemoryUsage,
        OnceUsed,
        Some(Rule::NdisAllocateNetBuffer),
    ),
    r(
        "NdisMFreeSharedMemory",
        MemoryUsage,
        Always,
        Some(Rule::NdisMFreeSharedMemory),
    ),
    r(
        "NdisMIndicateStatusEx",
        MemoryUsage,
        Always,
        Some(Rule::NdisMIndicateStatusEx),
    ),
    r(
        "NdisMMapIoSpace",
        MemoryUsage,
        Always,
        Some(Rule::NdisMMapIoSpace),
    ),
    r(
        "NdisMRegisterIoPortRange",
        MemoryUsage,
        OnceUsed,
        Some(Rule::NdisMRegisterIoPortRange),
    ),
    r(
        "CancelTimerObject",
        Miscellaneous,
        Always,
        Some(Rule::CancelTimerObject),
    ),
    r(
        "MiniportPause_Return",
        Miscellaneous,
        Always,
        Some(Rule::MiniportPauseReturn),
    ),
    r(
        "NdisOpenConfigurationEx",
        Miscellaneous,
        OnceUsed,
        Some(Rule::NdisOpenConfigurationEx),
    ),
    r(
        "NdisQueryBindInstanceName",
        Miscellaneous,
        No(PROTOCOL),
        None,
    ),
    r(
        "NdisReEnumerateProtocolBindings",
        Miscellaneous,
        No(PROTOCOL_OR_INTERMEDIATE),
        None,
    ),
    r(
        "PeriodicTimer",
        Miscellaneous,
        Always,
        Some(Rule::PeriodicTimer),
    ),
    r(
        "WriteErrorLog",
        Miscellaneous,
        Always,
        Some(Rule::WriteErrorLog),
    ),
    r(
        "DoubleComplete",
        OidProcessing,
        Always,
        Some(Rule::NdisOidDoubleComplete),
    ),
    r(
        "DoubleCompleteWorkItem",
        OidProcessing,
        OnceUsed,
        Some(Rule::NdisOidDoubleComplete),
    ),
    r(
        "NdisMNetPnPEventInOIDRequest",
        OidProcessing,
        OnceUsed,
        Some(Rule::NdisMNetPnPEventInOidRequest),
    ),
    r(
        "NdisStallExecution_Delay",
        Warning,
        Always,
        Some(Rule::StallTooLong),
    ),
    r("NdisFilterTimedDataReceive", NdisWifi, No(FILTER), None),
    r("NdisFilterTimedDataSend", NdisWifi, No(FILTER), None),
    r("NdisFilterTimedPauseComplete", NdisWifi, No(FILTER), None),
    r(
        "NdisOidComplete",
        NdisWifi,
        Always,
        Some(Rule::NdisOidComplete),
    ),
    r(
        "NdisOidDoubleComplete",
        NdisWifi,
        Always,
        Some(Rule::NdisOidDoubleComplete),
    ),
    r(
        "NdisOidDoubleRequest",
        NdisWifi,
        Always,
        Some(Rule::NdisOidDoubleRequest),
    ),
    r(
        "NdisTimedDataHang",
        NdisWifi,
        Always,
        Some(Rule::NdisTimedDataHang),
    ),
    r(
        "NdisTimedDataSend",
        NdisWifi,
        Always,
        Some(Rule::NdisTimedDataSend),
    ),
    r(
        "NdisTimedOidComplete",
        NdisWifi,
        Always,
        Some(Rule::NdisTimedOidComplete),
    ),
    r("WlanAssert", NdisWifi, No(WLAN), None),
    r("WlanAssociation", NdisWifi, No(WLAN), None),
    r("WlanConnectionRoaming", NdisWifi, No(WLAN), None),
    r("WlanDisassociation", NdisWifi, No(WLAN), None),
    r("WlanTimedAssociation", NdisWifi, No(WLAN), None),
    r("WlanTimedConnectionRoaming", NdisWifi, No(WLAN), None),
    r("WlanTimedConnectRequest", NdisWifi, No(WLAN), None),
    r("WlanTimedLinkQuality", NdisWifi, No(WLAN), None),
    r("WlanTimedScan", NdisWifi, No(WLAN), None),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_nine_rules_forty_six_apply_each_checked_by_a_known_rule() {
        assert_eq!(NDIS_RULES.len(), 69);
        let always = NDIS_RULES.iter().filter(|r| r.applies == Always).count();
        let once = NDIS_RULES.iter().filter(|r| r.applies == OnceUsed).count();
        assert_eq!((always, once), (38, 8));
        for rule in NDIS_RULES {
            match (rule.applies, rule.checked_by) {
                (No(_), None) => {}
                (No(_), Some(_)) | (_, None) => panic!("{rule:?}"),
                (_, Some(check)) => assert!(Rule::ALL.contains(&check), "{rule:?}"),
            }
        }
    }

    #[test]
    fn the_ndis_wifi_rules_carry_driver_verifier_codes() {
        for rule in NDIS_RULES.iter().filter(|r| r.set == NdisWifi) {
            if let Some(check) = rule.checked_by {
                assert_eq!(check.bug_check(), 0xC4, "{rule:?}");
                assert_eq!(check.name(), rule.name, "{rule:?}");
            }
        }
    }
}
