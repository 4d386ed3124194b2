//! One e1000 adapter: what Initialize builds (in the order [`Adapter::initialize`] gives, and
//! why), and what Halt frees, in reverse.
//!
//! Locks (`docs/design.md` §2), acquired only in this order: [`StateLevel`] (phase, filter, multicast,
//! link) → [`SendLevel`] (send queue and TX ring) → [`RecvLevel`] (RX ring). Data the ISR
//! touches (the cause bits) lives in an [`InterruptShared`], never under a spin lock.

mod initialize;
mod interrupt;
mod lifecycle;
mod pnp;
mod receive;
mod reclaim;
mod requests;
mod send;
mod send_sg;

pub use initialize::EntryPoints;
pub use interrupt::link_state;
pub use reclaim::Reclaimer;
pub use send::DPC_PUMP_BATCH;
pub(crate) use send_sg::PREMAP_TAG;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use super::hw::{Bar0, SharedBlock};
use super::oid::{
    self, AdapterInfo, Counters as TrafficCounters, HardwareStatus, InterruptModeration,
    MulticastList, RingInfo, TxTraffic,
};
use crate::e1000::{
    Addresses, Causes, HangDetector, LinkStatus, MacAddress, RxRing, Statistics, TxPoster, TxRing,
};
use crate::ndis::{
    InFlight, MappedFrame, Mdl, MiniportAdapter, NblPool, RxNbl, SendQueue, SgDma, SgHandoff,
};
use crate::sync::{InterruptShared, NdisSpinLockBackend, SpinLock};
use crate::sys;

/// Descriptors in each ring (and TX/RX buffers: one per descriptor).
pub const RING_DESCRIPTORS: usize = 256;
/// Bytes of each packet buffer: a whole standard frame.
pub const BUFFER_BYTES: u32 = 2048;
/// The largest frame the driver sends or accepts: 1500 bytes of payload plus the 14-byte
/// Ethernet header (the NIC appends the FCS).
pub const MAX_FRAME: u32 = 1514;
/// The smallest frame the driver sends: an Ethernet header.
pub const MIN_FRAME: u32 = 14;
/// Below this many RX buffers left with the NIC, indications carry
/// `NDIS_RECEIVE_FLAGS_RESOURCES` and the buffers come straight back.
pub const RX_LOW_WATER: u32 = 16;
/// `MiniportCheckForHangEx` calls without TX progress before the adapter asks for a reset.
pub const HANG_CHECKS: u32 = 2;
/// Interrupts per second with moderation on (ITR).
pub const DEFAULT_INTERRUPTS_PER_SECOND: u32 = 8000;
/// Pool tag of the adapter's NBL pool ('e1kR' read little-endian: "Rk1e").
pub const POOL_TAG: u32 = u32::from_le_bytes(*b"e1kR");

pub use super::lock_order::{RecvLevel, SendLevel, StateLevel};

/// The adapter's NDIS state, as the miniport tracks it
/// (<https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// After Initialize and after Pause completes: no sends, no indications.
    Paused,
    /// After Restart.
    Running,
    /// `MiniportPause` is running: new sends are refused, nothing is indicated, and only
    /// the Pause handler itself may finish the pause (so `NdisMPauseComplete` is never called
    /// for a pause the handler is about to complete with `NDIS_STATUS_SUCCESS`).
    Pausing,
    /// `MiniportPause` returned `NDIS_STATUS_PENDING`: the last send completion or receive
    /// return finishes the pause with `NdisMPauseComplete`.
    PausePending,
}

/// Under the `state` lock.
#[derive(Debug)]
pub struct State {
    /// The NDIS phase.
    pub phase: Phase,
    /// `OID_GEN_CURRENT_PACKET_FILTER` (`NDIS_PACKET_TYPE_*`).
    pub packet_filter: u32,
    /// `OID_802_3_MULTICAST_LIST`.
    pub multicast: MulticastList,
    /// `OID_GEN_CURRENT_LOOKAHEAD`.
    pub lookahead: u32,
    /// `OID_GEN_INTERRUPT_MODERATION`.
    pub moderation: InterruptModeration,
    /// The link as last read.
    pub link: LinkStatus,
    /// The NIC's counters, accumulated (read-to-clear registers).
    pub nic: Statistics,
}

/// A frame on the TX ring, and what its descriptors point at.
#[derive(Debug, PartialEq, Eq)]
pub enum TxFrame {
    /// Copied into the TX buffer of descriptor `slot` (small frames, see
    /// [`COPY_THRESHOLD`]).
    Copied {
        /// The frame's reference to its NBL; the last one finished gives the NBL back
        /// ([`SendQueue::finish`]).
        frame: InFlight,
        /// The descriptor slot, whose TX buffer holds the frame.
        slot: u16,
    },
    /// Sent from the protocol's buffers through the scatter/gather list NDIS built for it;
    /// the list is freed (outside the lock) before the frame finishes.
    Mapped(MappedFrame),
}

/// A frame on the TX ring (the token of its last descriptor).
#[derive(Debug, PartialEq, Eq)]
pub struct TxToken {
    /// The frame and its buffers.
    pub frame: TxFrame,
    /// The frame's length (one `NET_BUFFER` of the NBL, which may have several).
    pub length: u16,
}

/// Frames longer than this are sent by scatter/gather DMA from the protocol's buffers; this
/// long or shorter, they are copied into the descriptor's preallocated TX buffer, as
/// Microsoft's e100bex sample copies small frames. A copy of at most 512 bytes (eight cache
/// lines) costs less than a scatter/gather round trip (an NDIS call that maps the buffers, a
/// descriptor per element, and a second NDIS call to unmap them when the frame is done), and
/// takes one descriptor.
pub const COPY_THRESHOLD: u32 = 512;

/// The most descriptors one frame may take. A frame whose `NET_BUFFER` has more than half
/// this many MDLs is copied instead (each MDL can add two elements); a list NDIS builds with
/// more elements fails the frame (`NDIS_STATUS_FAILURE`, counted as a transmit error).
pub const MAX_TX_SEGMENTS: usize = 16;

/// A frame between the send queue and the TX ring while NDIS maps it (scatter/gather). One
/// frame at a time: frames go on the ring in the order they were sent, so nothing passes a
/// frame being mapped.
#[derive(Debug, Default)]
pub enum SgStage {
    /// No frame being mapped.
    #[default]
    Idle,
    /// Taken from the queue for mapping; nobody has asked NDIS yet.
    ToMap(InFlight),
    /// `NdisMAllocateNetBufferSGList` was called; `MiniportProcessSGList` brings the list.
    Mapping(InFlight),
    /// Mapped, waiting for enough free descriptors.
    Mapped(MappedFrame),
}

/// Scatter/gather transmit state, under the `send` lock.
#[derive(Debug)]
pub struct SgState {
    /// The frame being mapped, if any.
    pub stage: SgStage,
    /// The fast path's frame ([`SgStage::Mapping`] or [`SgStage::Mapped`], never
    /// [`SgStage::ToMap`]): a lone long frame the send handler mapped before its hold, when
    /// nothing waited ahead of it (`send_sg.rs`). Posted before the stage and the queue.
    pub premap: SgStage,
    /// The send that put its frame in `premap` as [`SgStage::Mapping`] was refused (the
    /// adapter paused or gone): its list, when it comes, is freed and the frame finished with
    /// this status.
    pub premap_refusal: Option<sys::NDIS_STATUS>,
    /// A processor is inside `NdisMAllocateNetBufferSGList` for this adapter: it (not a
    /// `MiniportProcessSGList` called from inside that call) asks for the next list, so the
    /// calls never nest.
    pub allocating: bool,
    /// Mapped frames that left under this lock (aborted by a reset or a removal, refused,
    /// failed) whose lists are still to be freed, outside the lock, before the frames finish
    /// with the status beside them; frames the NIC sent are the reclaimer's, which frees their
    /// lists itself. Capacity `2 * RING_DESCRIPTORS`, reserved at Initialize: an abort adds at
    /// most a ring's worth, and the other paths one frame each, freed by the same caller's
    /// follow-up.
    pub retired: VecDeque<(MappedFrame, sys::NDIS_STATUS)>,
}

impl SgState {
    /// Neither slot holds a frame (the queue may).
    #[must_use]
    pub fn slots_idle(&self) -> bool {
        matches!(self.stage, SgStage::Idle) && matches!(self.premap, SgStage::Idle)
    }

    /// Nothing being mapped and no list left to free.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        matches!(self.stage, SgStage::Idle)
            && matches!(self.premap, SgStage::Idle)
            && !self.allocating
            && self.retired.is_empty()
    }
}

/// Whether sends are taken: under the `send` lock, beside the queue and ring it guards, so a
/// send's check and its queueing are one critical section with a Pause's or a removal's
/// closing and emptying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendGate {
    /// Running: sends are queued and posted.
    Open,
    /// Paused or pausing: sends complete with `NDIS_STATUS_PAUSED`.
    Paused,
    /// Surprise-removed, for good: sends complete with `NDIS_STATUS_ADAPTER_REMOVED`.
    Removed,
}

impl SendGate {
    /// The status a send gets instead of being queued, if any.
    #[must_use]
    pub fn refusal(self) -> Option<sys::NDIS_STATUS> {
        match self {
            Self::Open => None,
            Self::Paused => Some(sys::NDIS_STATUS_PAUSED),
            Self::Removed => Some(sys::NDIS_STATUS_ADAPTER_REMOVED),
        }
    }

    /// Restart: open, unless the device is gone.
    pub fn open(&mut self) {
        if *self != Self::Removed {
            *self = Self::Open;
        }
    }

    /// Pause: closed, unless the device is gone (which says more).
    pub fn pause(&mut self) {
        if *self != Self::Removed {
            *self = Self::Paused;
        }
    }

    /// Surprise removal.
    pub fn remove(&mut self) {
        *self = Self::Removed;
    }
}

/// A count of operations in progress that an event must wait out (a rundown): each enters
/// unless the event has begun, and the event waits until none is in progress.
#[derive(Debug, Default)]
pub struct Rundown {
    active: AtomicU32,
    closed: AtomicBool,
}

/// One operation inside a [`Rundown`]; leaving it is dropping it.
pub struct RundownRef<'a>(&'a Rundown);

impl Drop for RundownRef<'_> {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Rundown {
    /// Open, nothing in progress.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            active: AtomicU32::new(0),
            closed: AtomicBool::new(false),
        }
    }

    /// Enters, or `None` once [`Rundown::close`] ran. Counted before the check, so a close
    /// that the check misses sees the count ([`Rundown::busy`]).
    pub fn enter(&self) -> Option<RundownRef<'_>> {
        self.active.fetch_add(1, Ordering::SeqCst);
        let entered = RundownRef(self);
        (!self.closed.load(Ordering::SeqCst)).then_some(entered)
    }

    /// Closes it: no [`Rundown::enter`] succeeds from now on.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    /// Whether an operation that entered is still in progress.
    #[must_use]
    pub fn busy(&self) -> bool {
        self.active.load(Ordering::SeqCst) != 0
    }
}

/// Under the `send` lock.
pub struct SendState {
    /// Whether sends are taken.
    pub gate: SendGate,
    /// NBLs waiting for descriptors, linked through `MiniportReserved[0]`, with their count
    /// of unfinished frames in `MiniportReserved[1]`.
    pub queue: SendQueue,
    /// The right to post on the TX ring ([`Adapter`]'s `tx_ring`): whoever holds this lock.
    pub poster: TxPoster,
    /// Stuck-transmitter detection.
    pub hang: HangDetector,
    /// Scatter/gather transmit.
    pub sg: SgState,
}

/// Under the `recv` lock.
pub struct RecvState {
    /// Running: received frames are indicated (else dropped, buffers straight back). Set by
    /// Restart and cleared by Pause under this lock, so the DPC reads it in the same critical
    /// section as the harvest.
    pub indicating: bool,
    /// The RX ring bookkeeping.
    pub ring: RxRing,
    /// By buffer index (the NBL's buffer), the NBLs whose buffers are posted on the ring; not by
    /// descriptor slot, since the ring posts a dropped frame's buffer again at another slot.
    pub posted: Vec<Option<RxNbl>>,
    /// The receive buffer pool: NBLs (each with its buffer) that are the driver's and not on
    /// the ring. Any of them fills any empty descriptor. An NBL is posted, free or indicated
    /// (NDIS's until `MiniportReturnNetBufferLists`), by construction never two of them.
    pub free: Vec<RxNbl>,
    /// Frames and bytes indicated, by destination kind (the receive half of the OID
    /// counters).
    pub counters: TrafficCounters,
}

/// Counters kept without a lock (each is one atomic add on a path that is already serialised
/// or does not care about ordering between counters).
#[derive(Debug, Default)]
pub struct Counters {
    /// Sends failed by the NIC (collisions) or aborted by a reset.
    pub tx_errors: AtomicU64,
    /// Sends refused before the NIC (bad length, several `NET_BUFFERs`, unmapped MDL).
    pub tx_discards: AtomicU64,
    /// Frames dropped because the adapter was paused.
    pub rx_discards: AtomicU64,
    /// Interrupts claimed.
    pub interrupts: AtomicU64,
    /// DPCs run.
    pub dpcs: AtomicU64,
    /// Resets (`MiniportResetEx`).
    pub resets: AtomicU64,
}

/// What the ISR shares with the DPC (and `MiniportEnable/DisableInterruptEx`), only ever
/// reached at DIRQL under the interrupt lock ([`InterruptShared`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqState {
    /// Causes read from ICR and not yet handled by the DPC. Every read of ICR clears it, so
    /// whatever the ISR reads is kept here, also when the interrupt was not claimed (another
    /// device on a shared line while this NIC's causes are masked): nothing read is lost.
    pub pending: Causes,
    /// The causes IMS enables now: [`Causes::DRIVER`] while the NIC may interrupt, none
    /// between the ISR and the end of its DPC. The ISR claims an interrupt only if ICR holds
    /// one of these (ICR also reports masked causes).
    pub enabled: Causes,
    /// Who holds the TX ring's reclaimer role ([`Reclaimer`]).
    pub reclaimer: Reclaimer,
}

impl IrqState {
    /// Nothing pending, everything masked (the NIC after bring-up), nobody reclaiming.
    pub const MASKED: Self = Self {
        pending: Causes::NONE,
        enabled: Causes::NONE,
        reclaimer: Reclaimer::Nobody,
    };
}

/// The adapter: `MiniportAdapterContext`. Its fields are private to this module and the
/// handler families below it (one file each, each its own `impl Adapter`).
pub struct Adapter {
    /// `NdisMiniportHandle` / `MiniportAdapterHandle`.
    handle: MiniportAdapter,
    /// BAR0.
    regs: Bar0,
    /// `NdisMRegisterScatterGatherDma`'s registration.
    dma: SgDma,
    /// A list `MiniportProcessSGList` received inside `NdisMAllocateNetBufferSGList`, for
    /// that call's caller.
    sg_handoff: SgHandoff,
    /// The same for the fast path's calls (`send_sg.rs`), told apart by their context.
    premap_handoff: SgHandoff,
    /// The fast path is in use: from the send handler's claim until its frame leaves
    /// [`SgState::premap`]. One frame at a time.
    premap_claim: AtomicBool,
    /// Nothing waits to be posted (queue, stage and premap empty), as the last pump left it: a
    /// hint for the fast path, written under the `send` lock. Stale only while another
    /// processor sends, whose frames a lone frame may pass.
    pipeline_idle: AtomicBool,
    /// TX descriptors.
    tx_desc: SharedBlock,
    /// RX descriptors.
    rx_desc: SharedBlock,
    /// TX packet buffers, one per descriptor.
    tx_buffers: SharedBlock,
    /// RX packet buffers, one per descriptor.
    rx_buffers: SharedBlock,
    /// The NBL pool for receive indications.
    nbl_pool: NblPool,
    /// One MDL per RX buffer (its NBL is parked in [`RecvState::nbls`] or with NDIS).
    rx_mdls: Vec<Mdl>,
    /// Permanent and current station address.
    addresses: Addresses,
    /// Phase, filters, link.
    state: core::pin::Pin<alloc::boxed::Box<SpinLock<State, NdisSpinLockBackend, StateLevel>>>,
    /// The TX ring: posted under the `send` lock (its [`TxPoster`] lives there), reclaimed by
    /// the holder of `tx_reclaimer`, with no lock between the two.
    tx_ring: TxRing<TxToken>,
    /// The TX ring's reclaimer role, held by one context at a time ([`Reclaimer`]).
    tx_reclaimer: reclaim::ReclaimerRole,
    /// Frames and bytes sent, by destination kind (the transmit half of the OID counters),
    /// counted by the reclaimer.
    tx_traffic: TxTraffic,
    /// Frames wait for TX descriptors (the pump stopped at a full ring): the reclaimer pumps
    /// after it frees some. Set under the `send` lock, read by the reclaimer without it.
    tx_backlog: AtomicBool,
    /// Send queue and the TX ring's poster.
    send: core::pin::Pin<alloc::boxed::Box<SpinLock<SendState, NdisSpinLockBackend, SendLevel>>>,
    /// RX ring.
    recv: core::pin::Pin<alloc::boxed::Box<SpinLock<RecvState, NdisSpinLockBackend, RecvLevel>>>,
    /// Cause bits the ISR saw, taken by the DPC, and the enabled mask.
    irq: InterruptShared<IrqState>,
    /// A Pause is pended (completed with `NdisMPauseComplete`).
    pause_pending: AtomicBool,
    /// The device was surprise-removed: never touch the hardware again.
    removed: AtomicBool,
    /// Shutdown or Halt quieted the NIC: nothing unmasks its interrupts again.
    quiesced: AtomicBool,
    /// Link reports (a DPC reading STATUS and indicating) in progress: the removal's rundown.
    link_reports: Rundown,
    /// Receive NBLs indicated and not yet returned.
    rx_outstanding: AtomicU32,
    /// The last DPC stopped receiving at NDIS's throttle limit: the next one harvests even
    /// without a receive cause (NDIS calls it again without an interrupt).
    rx_backlog: AtomicBool,
    /// Statistics.
    counters: Counters,
}

/// The adapter as the OIDs describe it before any traffic: what the general attributes say.
#[must_use]
pub fn initial_info(addresses: Addresses, link: LinkStatus) -> AdapterInfo {
    AdapterInfo {
        permanent_address: addresses.permanent,
        current_address: addresses.current,
        link,
        packet_filter: 0,
        multicast: MulticastList::EMPTY,
        lookahead: oid::MAX_LOOKAHEAD,
        interrupt_moderation: InterruptModeration::Enabled,
        hardware_status: HardwareStatus::Ready,
        rings: RingInfo {
            tx_descriptors: RING_DESCRIPTORS_U32,
            rx_descriptors: RING_DESCRIPTORS_U32,
            rx_buffer_size: BUFFER_BYTES,
        },
        counters: TrafficCounters::default(),
        nic: Statistics::default(),
    }
}

/// The destination address of the frame at `offset` in `buffers`.
fn frame_destination(buffers: &SharedBlock, offset: u32) -> MacAddress {
    let mut dst = [0u8; 6];
    // SAFETY: the buffer at `offset` holds a frame of at least 14 bytes (checked on send,
    // validated on receive) that the driver owns now, inside the block.
    unsafe { ptr::copy_nonoverlapping(buffers.virtual_at(offset), dst.as_mut_ptr(), 6) };
    MacAddress(dst)
}

/// [`RING_DESCRIPTORS`] as NDIS counts it.
const RING_DESCRIPTORS_U32: u32 = 256;
const _: () = assert!(RING_DESCRIPTORS_U32 as usize == RING_DESCRIPTORS);
