//! Set OIDs: validation of the data, and the change the adapter is to apply.

use core::mem::offset_of;

use crate::sys::{
    NDIS_INTERRUPT_MODERATION_PARAMETERS, NDIS_LINK_PARAMETERS, NDIS_OID,
    NdisInterruptModerationDisabled, NdisInterruptModerationEnabled, NdisPauseFunctionsUnsupported,
    OID_802_3_MULTICAST_LIST, OID_GEN_CURRENT_LOOKAHEAD, OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_INTERRUPT_MODERATION, OID_GEN_LINK_PARAMETERS,
};

use super::error::OidError;
use super::info::{
    AdapterInfo, InterruptModeration, MAX_LOOKAHEAD, MulticastList, SUPPORTED_PACKET_FILTERS,
};
use super::wire::{self, Header, INTERRUPT_MODERATION_SIZE, LINK_PARAMETERS_SIZE};
use crate::sys::{
    NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED, NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED,
    NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED,
    NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED,
};

/// Every auto-negotiation flag of `NDIS_LINK_PARAMETERS::AutoNegotiationFlags`: speed each
/// way, duplex and pause functions. A link-parameters set with all of them is always accepted.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-link-parameters>
pub const AUTO_NEGOTIATE_ALL: u32 =
    AUTO_NEGOTIATE_SPEED_AND_DUPLEX | NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED;

/// The auto-negotiation flags a link-parameters set must carry: the driver leaves speed and
/// duplex to auto-negotiation and never forces them. These are also the flags the general
/// attributes report for a link that is up (`NdisLink::of`).
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-link-parameters>
pub const AUTO_NEGOTIATE_SPEED_AND_DUPLEX: u32 = NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED
    | NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED
    | NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED;

/// A validated set request: what the adapter applies (under its locks) before it completes
/// the request with `NDIS_STATUS_SUCCESS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetAction {
    /// `OID_GEN_CURRENT_PACKET_FILTER`: the new `NDIS_PACKET_TYPE_*` filter (only
    /// [`SUPPORTED_PACKET_FILTERS`] bits; 0 turns reception off). `info::receive_filter`
    /// gives the hardware filter.
    PacketFilter(u32),
    /// `OID_GEN_CURRENT_LOOKAHEAD`: the new lookahead (≤ [`MAX_LOOKAHEAD`]). Indications carry
    /// whole frames anyway; the value is kept to report it back.
    Lookahead(u32),
    /// `OID_802_3_MULTICAST_LIST`: the list that replaces the current one (empty clears it).
    Multicast(MulticastList),
    /// `OID_GEN_INTERRUPT_MODERATION`: moderation on (`true`) or off.
    InterruptModeration(bool),
    /// `OID_GEN_LINK_PARAMETERS` with everything auto-negotiated, the only form the driver
    /// accepts: the adapter restarts auto-negotiation (the OID page asks the miniport to
    /// reconfigure, and to indicate `NDIS_STATUS_LINK_STATE` if the link changes).
    RestartAutoNegotiation,
}

/// Validates the set request `oid` with `data` (the information buffer) against `info`.
/// On success, the action to apply and the bytes read (`BytesRead`).
///
/// Not handled, so `NDIS_STATUS_NOT_SUPPORTED`: every query-only OID, and
/// `OID_PNP_SET_POWER` / `OID_PNP_QUERY_POWER`. The driver does no power management: it
/// reports no power capabilities in its general attributes, so NDIS treats it as not
/// power-management aware and halts it across sleep rather than sending these.
///
/// # Errors
/// [`OidError::InvalidLength`] (with the length needed) for short data or a multicast list
/// that is not whole addresses; [`OidError::NotSupported`] for unknown OIDs, packet filter
/// bits outside [`SUPPORTED_PACKET_FILTERS`] (as Microsoft's samples answer) and forced
/// link parameters; [`OidError::InvalidData`] for a bad header, a lookahead over
/// [`MAX_LOOKAHEAD`], a moderation value other than enabled/disabled or moderation on an
/// adapter that reports it unsupported; [`OidError::MulticastFull`] /
/// [`OidError::InvalidMulticastAddress`] for the multicast list.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
pub fn set(oid: NDIS_OID, data: &[u8], info: &AdapterInfo) -> Result<(SetAction, usize), OidError> {
    match oid {
        OID_GEN_CURRENT_PACKET_FILTER => {
            let filter = ulong(data)?;
            if filter & !SUPPORTED_PACKET_FILTERS != 0 {
                return Err(OidError::NotSupported);
            }
            Ok((SetAction::PacketFilter(filter), 4))
        }
        OID_GEN_CURRENT_LOOKAHEAD => {
            let lookahead = ulong(data)?;
            if lookahead > MAX_LOOKAHEAD {
                return Err(OidError::InvalidData);
            }
            Ok((SetAction::Lookahead(lookahead), 4))
        }
        OID_802_3_MULTICAST_LIST => {
            let list = MulticastList::from_bytes(data)?;
            Ok((SetAction::Multicast(list), data.len()))
        }
        OID_GEN_INTERRUPT_MODERATION => interrupt_moderation(data, info),
        OID_GEN_LINK_PARAMETERS => link_parameters(data),
        _ => Err(OidError::NotSupported),
    }
}

/// A `ULONG` payload: at least 4 bytes (the first 4 are read).
fn ulong(data: &[u8]) -> Result<u32, OidError> {
    if data.len() < 4 {
        return Err(OidError::InvalidLength { needed: 4 });
    }
    Ok(wire::get_u32(data, 0))
}

/// Checks the length and the `NDIS_OBJECT_HEADER` of a structure payload.
fn structure(data: &[u8], revision_1_size: usize) -> Result<(), OidError> {
    if data.len() < revision_1_size {
        return Err(OidError::InvalidLength {
            needed: revision_1_size,
        });
    }
    if Header::read(data).accepts(revision_1_size, data.len()) {
        Ok(())
    } else {
        Err(OidError::InvalidData)
    }
}

/// `NDIS_INTERRUPT_MODERATION_PARAMETERS`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-interrupt-moderation>
fn interrupt_moderation(data: &[u8], info: &AdapterInfo) -> Result<(SetAction, usize), OidError> {
    structure(data, INTERRUPT_MODERATION_SIZE)?;
    // "If the driver reported NdisInterruptModerationNotSupported ... the driver should
    // return NDIS_STATUS_INVALID_DATA."
    if info.interrupt_moderation == InterruptModeration::NotSupported {
        return Err(OidError::InvalidData);
    }
    let value = wire::get_i32(
        data,
        offset_of!(NDIS_INTERRUPT_MODERATION_PARAMETERS, InterruptModeration),
    );
    // The page says "Enabled: enable; otherwise disable". Only the two values a set can mean
    // are accepted: `NdisInterruptModerationUnknown` / `NotSupported` (or anything outside the
    // enumeration) describe no setting, so they are out of bounds, which `MiniportOidRequest`
    // answers with NDIS_STATUS_INVALID_DATA.
    let enabled = if value == NdisInterruptModerationEnabled {
        true
    } else if value == NdisInterruptModerationDisabled {
        false
    } else {
        return Err(OidError::InvalidData);
    };
    Ok((
        SetAction::InterruptModeration(enabled),
        INTERRUPT_MODERATION_SIZE,
    ))
}

/// `NDIS_LINK_PARAMETERS`: accepted when speed and duplex are auto-negotiated, and pause
/// functions either auto-negotiated or `NdisPauseFunctionsUnsupported` (what the general
/// attributes report, so a requester echoing the reported link state is accepted). The
/// 8254x could force speed and duplex, but this driver does not, so a request to force them
/// (or to force pause frames on) is a supported OID asking for an unsupported operation:
/// `NDIS_STATUS_NOT_SUPPORTED` ("recognized, but not supported", `MiniportOidRequest`).
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-link-parameters>
fn link_parameters(data: &[u8]) -> Result<(SetAction, usize), OidError> {
    structure(data, LINK_PARAMETERS_SIZE)?;
    let flags = wire::get_u32(data, offset_of!(NDIS_LINK_PARAMETERS, AutoNegotiationFlags));
    if flags & AUTO_NEGOTIATE_SPEED_AND_DUPLEX != AUTO_NEGOTIATE_SPEED_AND_DUPLEX {
        return Err(OidError::NotSupported);
    }
    if flags & NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED == 0 {
        let pause = wire::get_i32(data, offset_of!(NDIS_LINK_PARAMETERS, PauseFunctions));
        if pause != NdisPauseFunctionsUnsupported {
            return Err(OidError::NotSupported);
        }
    }
    Ok((SetAction::RestartAutoNegotiation, LINK_PARAMETERS_SIZE))
}
