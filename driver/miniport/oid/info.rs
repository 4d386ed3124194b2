//! What the OID layer answers from: [`AdapterInfo`], a plain snapshot the adapter fills
//! under its locks, and the driver's fixed characteristics (sizes, versions, capabilities),
//! which the general attributes of `MiniportInitializeEx` use too.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::e1000::{LinkStatus, MacAddress, MulticastTable, ReceiveFilter, Statistics};
use crate::sys::{
    NDIS_HARDWARE_STATUS, NDIS_INTERRUPT_MODERATION, NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA,
    NDIS_MAC_OPTION_NO_LOOPBACK, NDIS_MAC_OPTION_TRANSFERS_NOT_PEND, NDIS_MINIPORT_MAJOR_VERSION,
    NDIS_MINIPORT_MINOR_VERSION, NDIS_PACKET_TYPE_ALL_MULTICAST, NDIS_PACKET_TYPE_BROADCAST,
    NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST, NDIS_PACKET_TYPE_PROMISCUOUS,
    NdisHardwareStatusClosing, NdisHardwareStatusInitializing, NdisHardwareStatusNotReady,
    NdisHardwareStatusReady, NdisHardwareStatusReset, NdisInterruptModerationDisabled,
    NdisInterruptModerationEnabled, NdisInterruptModerationNotSupported,
};

use super::error::OidError;

/// Ethernet MTU: the largest payload after the 14-byte header (`OID_GEN_MAXIMUM_FRAME_SIZE`,
/// the general attributes' `MtuSize`). The driver does not do jumbo frames.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-maximum-frame-size>
pub const MTU: u32 = 1500;
/// Ethernet header: destination, source, `EtherType`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-maximum-total-size>
pub const ETHERNET_HEADER: u32 = 14;
/// Largest frame with its header, without the FCS the NIC appends and strips
/// (`OID_GEN_MAXIMUM_TOTAL_SIZE`, `OID_GEN_TRANSMIT_BLOCK_SIZE`).
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-maximum-total-size>
pub const MAX_TOTAL_SIZE: u32 = MTU + ETHERNET_HEADER;
/// Largest lookahead: the whole payload, since every receive indication carries the whole
/// frame (`OID_GEN_MAXIMUM_LOOKAHEAD`; a larger `OID_GEN_CURRENT_LOOKAHEAD` set is invalid).
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-maximum-lookahead>
pub const MAX_LOOKAHEAD: u32 = MTU;

/// Longest multicast list the driver accepts (`OID_802_3_MAXIMUM_LIST_SIZE`, the general
/// attributes' `MaxMulticastListSize`). The 8254x filters multicast through a 4096-bit hash
/// table (MTA), so any number of groups programs correctly; the bound is the driver's, for
/// the exact per-frame check it keeps the list for (`ReceiveFilter::accepts`), and 32 keeps
/// the list a small fixed array in the adapter.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-802-3-maximum-list-size>
pub const MAX_MULTICAST_LIST: usize = 32;

/// The packet filters the NIC implements (`NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES::
/// SupportedPacketFilters`); a set with any other bit gets `NDIS_STATUS_NOT_SUPPORTED`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-current-packet-filter>
pub const SUPPORTED_PACKET_FILTERS: u32 = NDIS_PACKET_TYPE_DIRECTED
    | NDIS_PACKET_TYPE_MULTICAST
    | NDIS_PACKET_TYPE_ALL_MULTICAST
    | NDIS_PACKET_TYPE_BROADCAST
    | NDIS_PACKET_TYPE_PROMISCUOUS;

/// `OID_GEN_MAC_OPTIONS` and the general attributes' `MacOptions`: receive data may be
/// copied (indications carry whole frames in driver buffers), no legacy transfer pends, and
/// the NIC does not loop sent frames back, so NDIS does the loopback.
///
/// `NDIS_MAC_OPTION_8021P_PRIORITY` is deliberately absent although the page says NDIS 6
/// miniports "must set" it: the flag promises that the driver writes the priority of
/// `Ieee8021QNetBufferListInfo` into an 802.1Q tag on send and extracts it on receive, and
/// this driver does neither (no VLAN tag insertion or stripping, VME off). Claiming it would
/// misreport; whether NDIS or HLK insists on it is to be checked on Windows.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-mac-options>
pub const MAC_OPTIONS: u32 = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA
    | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND
    | NDIS_MAC_OPTION_NO_LOOPBACK;

/// `OID_GEN_VENDOR_DESCRIPTION`: a NUL-terminated ANSI string.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-vendor-description>
pub const VENDOR_DESCRIPTION: &[u8] = b"Intel 8254x (e1000) Gigabit Ethernet - rse1k\0";

/// `OID_GEN_DRIVER_VERSION`: the NDIS version the driver registers, major in the high byte,
/// minor in the low byte (0x0653 for NDIS 6.83), a `USHORT`.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-driver-version>
pub const NDIS_DRIVER_VERSION: u16 = {
    assert!(NDIS_MINIPORT_MAJOR_VERSION <= 0xFF && NDIS_MINIPORT_MINOR_VERSION <= 0xFF);
    #[allow(
        clippy::cast_possible_truncation,
        reason = "both halves fit a byte (asserted above)"
    )]
    let version = ((NDIS_MINIPORT_MAJOR_VERSION << 8) | NDIS_MINIPORT_MINOR_VERSION) as u16;
    version
};

/// `OID_GEN_VENDOR_DRIVER_VERSION`: the driver's own version, major in the high 16 bits,
/// minor in the low 16 (from the crate version).
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-vendor-driver-version>
pub const VENDOR_DRIVER_VERSION: u32 = {
    let major = parse_version_part(env!("CARGO_PKG_VERSION_MAJOR"));
    let minor = parse_version_part(env!("CARGO_PKG_VERSION_MINOR"));
    (major << 16) | minor
};

/// A decimal version component that fits 16 bits, at compile time.
const fn parse_version_part(text: &str) -> u32 {
    let digits = text.as_bytes();
    assert!(!digits.is_empty());
    let mut value: u32 = 0;
    let mut i = 0;
    while i < digits.len() {
        assert!(digits[i].is_ascii_digit());
        value = value * 10 + (digits[i] - b'0') as u32;
        assert!(value <= 0xFFFF);
        i += 1;
    }
    value
}

/// The hardware status `OID_GEN_HARDWARE_STATUS` reports.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-hardware-status>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HardwareStatus {
    /// Initialised and working.
    #[default]
    Ready,
    /// `MiniportInitializeEx` has not finished.
    Initializing,
    /// A reset is under way.
    Reset,
    /// Halting.
    Closing,
    /// Not usable (surprise-removed, or the NIC stopped responding).
    NotReady,
}

impl HardwareStatus {
    /// The `NDIS_HARDWARE_STATUS` value.
    #[must_use]
    pub const fn to_ndis(self) -> NDIS_HARDWARE_STATUS {
        match self {
            Self::Ready => NdisHardwareStatusReady,
            Self::Initializing => NdisHardwareStatusInitializing,
            Self::Reset => NdisHardwareStatusReset,
            Self::Closing => NdisHardwareStatusClosing,
            Self::NotReady => NdisHardwareStatusNotReady,
        }
    }
}

/// Interrupt moderation as `OID_GEN_INTERRUPT_MODERATION` reports it.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-interrupt-moderation>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterruptModeration {
    /// The adapter cannot moderate: a set then gets `NDIS_STATUS_INVALID_DATA`, as the OID
    /// page requires.
    NotSupported,
    /// Moderation on (the 8254x's ITR throttles interrupts).
    Enabled,
    /// Moderation off: an interrupt per event.
    Disabled,
}

impl InterruptModeration {
    /// The `NDIS_INTERRUPT_MODERATION` value.
    #[must_use]
    pub const fn to_ndis(self) -> NDIS_INTERRUPT_MODERATION {
        match self {
            Self::NotSupported => NdisInterruptModerationNotSupported,
            Self::Enabled => NdisInterruptModerationEnabled,
            Self::Disabled => NdisInterruptModerationDisabled,
        }
    }
}

/// The ring dimensions behind the buffer-space OIDs (the adapter's choice at initialisation).
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-transmit-buffer-space>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingInfo {
    /// Transmit descriptors (`OID_GEN_MAXIMUM_SEND_PACKETS`; times [`MAX_TOTAL_SIZE`] is
    /// `OID_GEN_TRANSMIT_BUFFER_SPACE`).
    pub tx_descriptors: u32,
    /// Receive descriptors (times `rx_buffer_size` is `OID_GEN_RECEIVE_BUFFER_SPACE`).
    pub rx_descriptors: u32,
    /// Bytes of one receive buffer (`OID_GEN_RECEIVE_BLOCK_SIZE`).
    pub rx_buffer_size: u32,
}

/// The frame and byte counters the driver keeps, 64-bit and wrapping like the interface
/// counters they feed (`NDIS_STATISTICS_INFO`). Directed, multicast and broadcast are told
/// apart by destination address ([`Counters::count_rx`], [`Counters::count_tx`]).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_statistics_info>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Directed frames indicated up.
    pub rx_directed_frames: u64,
    /// Their bytes (headers included, FCS not).
    pub rx_directed_bytes: u64,
    /// Multicast frames indicated up.
    pub rx_multicast_frames: u64,
    /// Their bytes.
    pub rx_multicast_bytes: u64,
    /// Broadcast frames indicated up.
    pub rx_broadcast_frames: u64,
    /// Their bytes.
    pub rx_broadcast_bytes: u64,
    /// Directed frames sent successfully.
    pub tx_directed_frames: u64,
    /// Their bytes.
    pub tx_directed_bytes: u64,
    /// Multicast frames sent successfully.
    pub tx_multicast_frames: u64,
    /// Their bytes.
    pub tx_multicast_bytes: u64,
    /// Broadcast frames sent successfully.
    pub tx_broadcast_frames: u64,
    /// Their bytes.
    pub tx_broadcast_bytes: u64,
    /// Received frames the driver rejected as bad (descriptor errors, bad length).
    pub rx_errors: u64,
    /// Received good frames the driver dropped for want of a resource (no free NBL).
    pub rx_discards: u64,
    /// Frames whose send failed.
    pub tx_errors: u64,
    /// Frames the driver dropped unsent (paused, reset, halting, malformed NBL).
    pub tx_discards: u64,
}

/// Adds one frame of `bytes` to a frame and a byte counter.
fn add_frame(frames: &mut u64, total: &mut u64, bytes: usize) {
    *frames = frames.wrapping_add(1);
    *total = total.wrapping_add(u64::try_from(bytes).unwrap_or(u64::MAX));
}

/// Which pair of counters a frame to `dst` adds to. Most frames are directed, so the group
/// bit (one byte) is tested first and only a group address is compared with broadcast.
fn class_of(dst: MacAddress) -> FrameClass {
    if !dst.is_group() {
        FrameClass::Directed
    } else if dst.is_broadcast() {
        FrameClass::Broadcast
    } else {
        FrameClass::Multicast
    }
}

/// The transmit half of [`Counters`], counted by whoever reclaims the TX ring and read by OID
/// snapshots with no lock: the reclaimer role passes between contexts (the DPC, a handler)
/// under the interrupt lock, so one context at a time writes, and each counter is an atomic a
/// reader may load at any time.
#[derive(Debug, Default)]
pub struct TxTraffic {
    /// Frames and bytes by [`FrameClass`]: directed, multicast, broadcast.
    frames: [AtomicU64; 3],
    bytes: [AtomicU64; 3],
}

impl TxTraffic {
    /// Counts a frame sent successfully: by its destination `dst`, `bytes` long. Called only
    /// by the holder of the reclaimer role (the one writer).
    pub fn count(&self, dst: MacAddress, bytes: usize) {
        let class = class_of(dst) as usize;
        // One writer at a time: a load and a store, no read-modify-write needed.
        let bump = |a: &AtomicU64, n: u64| {
            a.store(a.load(Ordering::Relaxed).wrapping_add(n), Ordering::Relaxed);
        };
        bump(&self.frames[class], 1);
        bump(&self.bytes[class], u64::try_from(bytes).unwrap_or(u64::MAX));
    }

    /// The counters now, in [`Counters`]' transmit fields (its other fields are zero).
    #[must_use]
    pub fn snapshot(&self) -> Counters {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let (d, m, b) = (
            FrameClass::Directed as usize,
            FrameClass::Multicast as usize,
            FrameClass::Broadcast as usize,
        );
        Counters {
            tx_directed_frames: load(&self.frames[d]),
            tx_directed_bytes: load(&self.bytes[d]),
            tx_multicast_frames: load(&self.frames[m]),
            tx_multicast_bytes: load(&self.bytes[m]),
            tx_broadcast_frames: load(&self.frames[b]),
            tx_broadcast_bytes: load(&self.bytes[b]),
            ..Counters::default()
        }
    }
}

/// The interface counters' three kinds of frame, by destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameClass {
    Directed = 0,
    Multicast = 1,
    Broadcast = 2,
}

impl Counters {
    /// Counts a frame indicated up: by its destination `dst`, `bytes` long.
    pub fn count_rx(&mut self, dst: MacAddress, bytes: usize) {
        let (frames, total) = match class_of(dst) {
            FrameClass::Directed => (&mut self.rx_directed_frames, &mut self.rx_directed_bytes),
            FrameClass::Multicast => (&mut self.rx_multicast_frames, &mut self.rx_multicast_bytes),
            FrameClass::Broadcast => (&mut self.rx_broadcast_frames, &mut self.rx_broadcast_bytes),
        };
        add_frame(frames, total, bytes);
    }

    /// Counts a frame sent successfully: by its destination `dst`, `bytes` long.
    pub fn count_tx(&mut self, dst: MacAddress, bytes: usize) {
        let (frames, total) = match class_of(dst) {
            FrameClass::Directed => (&mut self.tx_directed_frames, &mut self.tx_directed_bytes),
            FrameClass::Multicast => (&mut self.tx_multicast_frames, &mut self.tx_multicast_bytes),
            FrameClass::Broadcast => (&mut self.tx_broadcast_frames, &mut self.tx_broadcast_bytes),
        };
        add_frame(frames, total, bytes);
    }

    /// The transmit counters of `tx` with the receive counters of `rx`: each direction is
    /// counted under its own lock (`send`, `recv`), and an OID snapshot joins them.
    #[must_use]
    pub const fn joined(tx: &Self, rx: &Self) -> Self {
        Self {
            rx_directed_frames: rx.rx_directed_frames,
            rx_directed_bytes: rx.rx_directed_bytes,
            rx_multicast_frames: rx.rx_multicast_frames,
            rx_multicast_bytes: rx.rx_multicast_bytes,
            rx_broadcast_frames: rx.rx_broadcast_frames,
            rx_broadcast_bytes: rx.rx_broadcast_bytes,
            tx_directed_frames: tx.tx_directed_frames,
            tx_directed_bytes: tx.tx_directed_bytes,
            tx_multicast_frames: tx.tx_multicast_frames,
            tx_multicast_bytes: tx.tx_multicast_bytes,
            tx_broadcast_frames: tx.tx_broadcast_frames,
            tx_broadcast_bytes: tx.tx_broadcast_bytes,
            rx_errors: rx.rx_errors,
            rx_discards: rx.rx_discards,
            tx_errors: tx.tx_errors,
            tx_discards: tx.tx_discards,
        }
    }

    /// All frames received and indicated (`OID_GEN_RCV_OK`).
    #[must_use]
    pub const fn rx_frames(&self) -> u64 {
        self.rx_directed_frames
            .wrapping_add(self.rx_multicast_frames)
            .wrapping_add(self.rx_broadcast_frames)
    }

    /// All frames sent (`OID_GEN_XMIT_OK`).
    #[must_use]
    pub const fn tx_frames(&self) -> u64 {
        self.tx_directed_frames
            .wrapping_add(self.tx_multicast_frames)
            .wrapping_add(self.tx_broadcast_frames)
    }
}

/// The multicast addresses the stack set (`OID_802_3_MULTICAST_LIST`): at most
/// [`MAX_MULTICAST_LIST`] group addresses, in the order given. A plain `Copy` value, so the
/// adapter can keep it in its state and the OID layer can hand a new one over.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-802-3-multicast-list>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MulticastList {
    addresses: [MacAddress; MAX_MULTICAST_LIST],
    len: usize,
}

impl Default for MulticastList {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl MulticastList {
    /// No addresses (the state after reset, as the OID page requires).
    pub const EMPTY: Self = Self {
        addresses: [MacAddress([0; 6]); MAX_MULTICAST_LIST],
        len: 0,
    };

    /// A list of `addresses`: each must be a group address, and there may be at most
    /// [`MAX_MULTICAST_LIST`].
    ///
    /// # Errors
    /// [`OidError::MulticastFull`] for too many, [`OidError::InvalidMulticastAddress`] for an
    /// address without the group bit.
    pub fn new(addresses: &[MacAddress]) -> Result<Self, OidError> {
        if addresses.len() > MAX_MULTICAST_LIST {
            return Err(OidError::MulticastFull);
        }
        let mut list = Self::EMPTY;
        for (slot, address) in list.addresses.iter_mut().zip(addresses) {
            if !address.is_group() {
                return Err(OidError::InvalidMulticastAddress);
            }
            *slot = *address;
        }
        list.len = addresses.len();
        Ok(list)
    }

    /// The list from `OID_802_3_MULTICAST_LIST` set data: 6-byte addresses back to back
    /// (an empty buffer clears the list).
    ///
    /// # Errors
    /// [`OidError::InvalidLength`] when the length is not a multiple of 6, then as [`Self::new`].
    pub fn from_bytes(data: &[u8]) -> Result<Self, OidError> {
        if !data.len().is_multiple_of(6) {
            return Err(OidError::InvalidLength { needed: 0 });
        }
        if data.len() / 6 > MAX_MULTICAST_LIST {
            return Err(OidError::MulticastFull);
        }
        let mut addresses = [MacAddress([0; 6]); MAX_MULTICAST_LIST];
        let mut len = 0;
        for (slot, chunk) in addresses.iter_mut().zip(data.chunks_exact(6)) {
            let mut octets = [0; 6];
            octets.copy_from_slice(chunk);
            *slot = MacAddress(octets);
            len += 1;
        }
        Self::new(&addresses[..len])
    }

    /// The addresses.
    #[must_use]
    pub fn as_slice(&self) -> &[MacAddress] {
        &self.addresses[..self.len]
    }

    /// How many addresses.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The NIC's multicast hash table for these groups.
    #[must_use]
    pub fn table(&self) -> MulticastTable {
        MulticastTable::from_groups(self.as_slice())
    }
}

/// The hardware filter for an NDIS packet filter (bits outside [`SUPPORTED_PACKET_FILTERS`]
/// are ignored; [`super::set`] has already refused them).
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-current-packet-filter>
#[must_use]
pub const fn receive_filter(packet_filter: u32) -> ReceiveFilter {
    ReceiveFilter {
        directed: packet_filter & NDIS_PACKET_TYPE_DIRECTED != 0,
        multicast: packet_filter & NDIS_PACKET_TYPE_MULTICAST != 0,
        all_multicast: packet_filter & NDIS_PACKET_TYPE_ALL_MULTICAST != 0,
        broadcast: packet_filter & NDIS_PACKET_TYPE_BROADCAST != 0,
        promiscuous: packet_filter & NDIS_PACKET_TYPE_PROMISCUOUS != 0,
    }
}

/// A snapshot of the adapter for one OID request, filled by the adapter under its locks and
/// read by [`super::query`] / [`super::set`] with none held.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdapterInfo {
    /// The burnt-in address (EEPROM) (`OID_802_3_PERMANENT_ADDRESS`; its first three bytes
    /// are the `OID_GEN_VENDOR_ID` OUI).
    pub permanent_address: MacAddress,
    /// The address in use (`OID_802_3_CURRENT_ADDRESS`).
    pub current_address: MacAddress,
    /// The link as STATUS last reported it.
    pub link: LinkStatus,
    /// The current `NDIS_PACKET_TYPE_*` filter.
    pub packet_filter: u32,
    /// The current multicast list.
    pub multicast: MulticastList,
    /// The current lookahead.
    pub lookahead: u32,
    /// Interrupt moderation.
    pub interrupt_moderation: InterruptModeration,
    /// `OID_GEN_HARDWARE_STATUS`.
    pub hardware_status: HardwareStatus,
    /// Ring dimensions.
    pub rings: RingInfo,
    /// The driver's frame and byte counters.
    pub counters: Counters,
    /// The NIC's statistics registers, accumulated (`e1000::Statistics`).
    pub nic: Statistics,
}

impl AdapterInfo {
    /// Received frames counted as errors: the driver's rejects plus the frames the NIC
    /// dropped as bad (`Statistics::rx_bad`) (`OID_GEN_RCV_ERROR`, `ifInErrors`).
    #[must_use]
    pub const fn rx_errors(&self) -> u64 {
        self.counters.rx_errors.wrapping_add(self.nic.rx_bad())
    }

    /// Received frames lost for want of buffer space: the driver's discards plus the
    /// frames the NIC missed because its FIFO was full (MPC) (`OID_GEN_RCV_NO_BUFFER`,
    /// `ifInDiscards`). RNBC is not added: the NIC still receives those frames into its
    /// FIFO when there is room, so they are not lost.
    #[must_use]
    pub const fn rx_discards(&self) -> u64 {
        self.counters.rx_discards.wrapping_add(self.nic.missed)
    }
}
