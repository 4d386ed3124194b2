//! One e1000 adapter: what Initialize builds (in the order [`Adapter::initialize`] gives, and
//! why), and what Halt frees, in reverse.
//!
//! Locks (`docs/design.md` §2), acquired only in this order: [`StateLevel`] (phase, filter, multicast,
//! link) → [`SendLevel`] (send queue and TX ring) → [`RecvLevel`] (RX ring). Data the ISR
//! touches (the cause bits) lives in an [`InterruptShared`], never under a spin lock.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use super::hw::{Bar0, DescriptorRing, NdisStall, SharedBlock};
use super::oid::{
    self, AdapterInfo, Counters as TrafficCounters, HardwareStatus, InterruptModeration,
    MulticastList, RingInfo,
};
use super::{header, trampolines};

/// `NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1`:
/// `RTL_SIZEOF_THROUGH_FIELD(..., InterfaceType)`, 28 on x64 (the structure's padded size is 32;
/// the header carries the revision's size, not `sizeof`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_adapter_registration_attributes>
const REGISTRATION_ATTRIBUTES_REVISION_1_SIZE: usize =
    core::mem::offset_of!(
        sys::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
        InterfaceType
    ) + core::mem::size_of::<sys::NDIS_INTERFACE_TYPE>();

/// `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1`:
/// `RTL_SIZEOF_THROUGH_FIELD(NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize)`, 36 on x64
/// (padded size 40).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_sg_dma_description>
const SG_DMA_DESCRIPTION_REVISION_1_SIZE: usize =
    core::mem::offset_of!(sys::NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize)
        + core::mem::size_of::<sys::ULONG>();
use crate::e1000::{
    Addresses, BringUp, BufferSize, Causes, HangDetector, LinkStatus, ReceiveFilter, RingSize,
    RxRing, Statistics, TxRing, bring_up, bringup, interrupts,
};
use crate::impl_lock_after;
use crate::ndis::{InFlight, Mdl, MiniportAdapter, NblPool, RxNbl, SendQueue, SgDma};
use crate::sync::{
    InterruptShared, Locked, NdisSpinLockBackend, PassiveLevel, SpinLock, Unlocked, try_box,
};
use crate::sys;
use crate::trace_error;

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

/// Lock level of [`State`].
pub enum StateLevel {}
/// Lock level of [`SendState`].
pub enum SendLevel {}
/// Lock level of [`RecvState`].
pub enum RecvLevel {}
impl_lock_after!(Unlocked => StateLevel);
impl_lock_after!(StateLevel => SendLevel);
impl_lock_after!(SendLevel => RecvLevel);

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

/// A frame on the TX ring: the NBL it came from and the slot whose buffer holds its copy.
#[derive(Debug, PartialEq, Eq)]
pub struct TxToken {
    /// The frame's reference to its NBL; the last one finished gives the NBL back
    /// ([`SendQueue::finish`]).
    pub frame: InFlight,
    /// The descriptor slot, whose TX buffer holds the frame.
    pub slot: u16,
    /// The frame's length (one `NET_BUFFER` of the NBL, which may have several).
    pub length: u16,
}

/// Under the `send` lock.
pub struct SendState {
    /// NBLs waiting for descriptors, linked through `MiniportReserved[0]`, with their count
    /// of unfinished frames in `MiniportReserved[1]`.
    pub queue: SendQueue,
    /// The TX ring bookkeeping.
    pub ring: TxRing<TxToken>,
    /// Stuck-transmitter detection.
    pub hang: HangDetector,
    /// Frames and bytes sent, by destination kind (the transmit half of the OID counters).
    pub counters: TrafficCounters,
}

/// Under the `recv` lock.
pub struct RecvState {
    /// The RX ring bookkeeping.
    pub ring: RxRing,
    /// Each RX buffer's NBL while the driver holds it (`None` while NDIS has it, between the
    /// indication and `MiniportReturnNetBufferLists`): an NBL is either here or indicated, by
    /// construction, never both.
    pub nbls: Vec<Option<RxNbl>>,
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
}

impl IrqState {
    /// Nothing pending, everything masked (the NIC after bring-up).
    pub const MASKED: Self = Self {
        pending: Causes::NONE,
        enabled: Causes::NONE,
    };
}

/// The adapter: `MiniportAdapterContext`.
pub struct Adapter {
    /// `NdisMiniportHandle` / `MiniportAdapterHandle`.
    pub handle: MiniportAdapter,
    /// BAR0.
    pub regs: Bar0,
    /// `NdisMRegisterScatterGatherDma`'s registration.
    pub dma: SgDma,
    /// TX descriptors.
    pub tx_desc: SharedBlock,
    /// RX descriptors.
    pub rx_desc: SharedBlock,
    /// TX packet buffers, one per descriptor.
    pub tx_buffers: SharedBlock,
    /// RX packet buffers, one per descriptor.
    pub rx_buffers: SharedBlock,
    /// The NBL pool for receive indications.
    pub nbl_pool: NblPool,
    /// One MDL per RX buffer (its NBL is parked in [`RecvState::nbls`] or with NDIS).
    pub rx_mdls: Vec<Mdl>,
    /// Permanent and current station address.
    pub addresses: Addresses,
    /// Phase, filters, link.
    pub state: core::pin::Pin<alloc::boxed::Box<SpinLock<State, NdisSpinLockBackend, StateLevel>>>,
    /// Send queue and TX ring.
    pub send:
        core::pin::Pin<alloc::boxed::Box<SpinLock<SendState, NdisSpinLockBackend, SendLevel>>>,
    /// RX ring.
    pub recv:
        core::pin::Pin<alloc::boxed::Box<SpinLock<RecvState, NdisSpinLockBackend, RecvLevel>>>,
    /// Cause bits the ISR saw, taken by the DPC, and the enabled mask.
    pub irq: InterruptShared<IrqState>,
    /// A Pause is pended (completed with `NdisMPauseComplete`).
    pub pause_pending: AtomicBool,
    /// The device was surprise-removed: never touch the hardware again.
    pub removed: AtomicBool,
    /// Receive NBLs indicated and not yet returned.
    pub rx_outstanding: AtomicU32,
    /// Statistics.
    pub counters: Counters,
}

/// Resources acquired so far by Initialize, released in reverse if a later step fails.
#[derive(Default)]
struct Partial {
    bar: Option<Bar0>,
    dma: Option<SgDma>,
    blocks: Vec<SharedBlock>,
    pool: Option<NblPool>,
    rx_nbls: Vec<RxNbl>,
    rx_mdls: Vec<Mdl>,
    /// Bring-up has begun: the NIC may write by DMA into the rings and buffers (the receiver
    /// is on once bring-up finishes), so it is reset before they are freed.
    nic_started: bool,
}

impl Partial {
    /// Releases everything, newest first; a NIC that was started is masked and reset first,
    /// so no DMA reaches memory after it is freed.
    fn release(self, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel, handle: MiniportAdapter) {
        if self.nic_started
            && let Some(bar) = &self.bar
        {
            interrupts::mask_all(bar);
            if let Err(e) = bringup::reset(bar, &mut NdisStall::new(cx)) {
                trace_error!("unwinding Initialize: NIC reset failed: {e}");
            }
        }
        // Each NBL before the MDL it describes, then the pool they came from.
        for nbl in self.rx_nbls.into_iter().rev() {
            nbl.free(cx);
        }
        for mdl in self.rx_mdls.into_iter().rev() {
            // SAFETY: the NBLs over the MDLs were freed just above (Halt and a failed
            // Initialize run with every RX NBL back with the driver).
            unsafe { mdl.free(cx) };
        }
        if let Some(pool) = self.pool {
            // SAFETY: every NBL from the pool was freed above.
            unsafe { pool.free(cx) };
        }
        for block in self.blocks.into_iter().rev() {
            // SAFETY: the NIC no longer reaches the blocks (it was reset above if it had
            // started, or never started), and their MDLs were freed above.
            unsafe { block.free(cx, at, handle) };
        }
        if let Some(dma) = self.dma {
            dma.deregister(cx, at);
        }
        if let Some(bar) = self.bar {
            bar.into_io_space().unmap(cx, at, handle);
        }
    }
}

/// What Initialize failed at: the NDIS status to return and the step, for the trace.
struct InitError(sys::NDIS_STATUS, &'static str);

impl Adapter {
    /// `MiniportInitializeEx`. On failure everything acquired is released, newest first (the
    /// NIC reset first if bring-up began), a trace names the step, and the status says why
    /// (`NDIS_STATUS_RESOURCES` for any allocation).
    ///
    /// Order: registration attributes (before anything claims hardware) → BAR0 from
    /// `AllocatedResources` → `NdisMMapIoSpace` → scatter-gather DMA → shared memory (TX/RX
    /// rings and buffers) → NBL pool, one MDL + NBL per RX buffer → NIC reset and bring-up
    /// with interrupts masked (which reads the MAC from the EEPROM) → locks → general
    /// attributes → `NdisMRegisterInterruptEx`, last; then the NIC's interrupts are enabled.
    /// Two places differ from the textbook order (`docs/ndis-contract.md`), on purpose: the general attributes come
    /// after bring-up because they carry the MAC address and link state, which only the
    /// mapped and reset NIC can tell; and the locks come after bring-up because the rings
    /// move into them from there, so bring-up (up to 10 ms of stalls) never runs under a spin
    /// lock. Both still precede the interrupt, as required.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_initialize>
    ///
    /// # Safety
    /// Called from `MiniportInitializeEx` at `PASSIVE_LEVEL` with its arguments.
    pub unsafe fn initialize(
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        handle: sys::NDIS_HANDLE,
        params: sys::PNDIS_MINIPORT_INIT_PARAMETERS,
    ) -> sys::NDIS_STATUS {
        // SAFETY: MiniportInitializeEx's own handle; the adapter keeps it until Halt returns.
        let handle = unsafe { MiniportAdapter::from_raw(handle) };
        let mut partial = Partial::default();
        // SAFETY: forwarded from the caller.
        match unsafe { Self::build(cx, at, handle, params, &mut partial) } {
            Ok(()) => sys::NDIS_STATUS_SUCCESS,
            Err(InitError(status, step)) => {
                trace_error!("MiniportInitializeEx failed at {step}: status {status:#x}");
                crate::diag::initialize_failed(cx, handle, status, step);
                partial.release(cx, at, handle);
                status
            }
        }
    }

    #[allow(
        clippy::too_many_lines,
        reason = "the documented sequence, step by step"
    )]
    unsafe fn build(
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        handle: MiniportAdapter,
        params: sys::PNDIS_MINIPORT_INIT_PARAMETERS,
        partial: &mut Partial,
    ) -> Result<(), InitError> {
        // The adapter object first: its address is the context the registration names.
        let slot = try_box(core::mem::MaybeUninit::<Adapter>::uninit())
            .map_err(|_| InitError(sys::NDIS_STATUS_RESOURCES, "adapter allocation"))?;
        let context = alloc::boxed::Box::into_raw(slot);

        // 1. Registration attributes, before anything claims hardware.
        let mut registration = sys::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
            Header: header(
                sys::NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
                sys::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1,
                REGISTRATION_ATTRIBUTES_REVISION_1_SIZE,
            ),
            MiniportAdapterContext: context.cast(),
            AttributeFlags: sys::NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE
                | sys::NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER,
            CheckForHangTimeInSeconds: 0,
            InterfaceType: sys::NdisInterfacePci,
        };
        let free_context = |context: *mut core::mem::MaybeUninit<Adapter>| {
            // SAFETY: `context` came from `Box::into_raw` above and was not initialised.
            drop(unsafe { alloc::boxed::Box::from_raw(context) });
        };
        // SAFETY: the context is this adapter's allocation, which lives until Halt frees it
        // (or is freed below before Initialize fails, when NDIS will not call a handler).
        let registered = unsafe { handle.set_registration_attributes(cx, at, &mut registration) };
        if let Err(status) = registered {
            free_context(context);
            return Err(InitError(status, "registration attributes"));
        }

        // 3. Resources: BAR0 and the interrupt (read before the general attributes need the
        // MAC, which is read from the NIC).
        let mut bar = None;
        for index in 0.. {
            // SAFETY: NDIS passes valid init parameters with a valid resource list.
            let list = unsafe { (*params).AllocatedResources };
            // SAFETY: as above.
            let Some(resource) = (unsafe { sys::resource(list, index) }) else {
                break;
            };
            if let sys::Resource::Memory { start, length } = resource
                && bar.is_none()
                && length >= crate::e1000::regs::BAR0_SIZE
            {
                bar = Some((start, length));
            }
        }
        let Some((start, length)) = bar else {
            free_context(context);
            return Err(InitError(
                sys::NDIS_STATUS_RESOURCE_CONFLICT,
                "no memory BAR",
            ));
        };
        // SAFETY: the range is a memory resource of this adapter's AllocatedResources.
        let Ok(io) = (unsafe { handle.map_io_space(cx, at, start, length) }) else {
            free_context(context);
            return Err(InitError(sys::NDIS_STATUS_RESOURCES, "NdisMMapIoSpace"));
        };
        partial.bar = Some(Bar0::new(io));

        // 4. Scatter-gather DMA (required before shared memory), then shared memory.
        let mut description = sys::NDIS_SG_DMA_DESCRIPTION {
            Header: header(
                sys::NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
                sys::NDIS_SG_DMA_DESCRIPTION_REVISION_1,
                SG_DMA_DESCRIPTION_REVISION_1_SIZE,
            ),
            Flags: 0,
            MaximumPhysicalMapping: MAX_FRAME,
            ProcessSGListHandler: Some(trampolines::process_sg_list),
            SharedMemAllocateCompleteHandler: None,
            ScatterGatherListSize: 0,
        };
        let dma = match handle.register_sg_dma(cx, at, &mut description) {
            Ok(dma) => dma,
            Err(status) => {
                free_context(context);
                return Err(InitError(status, "NdisMRegisterScatterGatherDma"));
            }
        };
        partial.dma = Some(dma);
        let ring = RingSize::new(RING_DESCRIPTORS)
            .map_err(|_| InitError(sys::NDIS_STATUS_FAILURE, "ring size"));
        let ring = match ring {
            Ok(r) => r,
            Err(e) => {
                free_context(context);
                return Err(e);
            }
        };
        let buffers = u32::from(ring.descriptors()) * BUFFER_BYTES;
        for (what, len) in [
            ("TX descriptors", ring.bytes()),
            ("RX descriptors", ring.bytes()),
            ("TX buffers", buffers),
            ("RX buffers", buffers),
        ] {
            let Some(block) = handle.allocate_shared_memory(cx, at, len) else {
                free_context(context);
                return Err(InitError(sys::NDIS_STATUS_RESOURCES, what));
            };
            partial.blocks.push(block);
        }

        // 5. The NBL pool and one NBL + MDL per RX buffer.
        let Some(pool) = handle.allocate_nbl_pool(cx, POOL_TAG) else {
            free_context(context);
            return Err(InitError(sys::NDIS_STATUS_RESOURCES, "NBL pool"));
        };
        let pool = partial.pool.insert(pool);
        let rx_block = &partial.blocks[3];
        for slot in 0..ring.descriptors() {
            let offset = u32::from(slot) * BUFFER_BYTES;
            let Some(mdl) = rx_block.allocate_mdl(cx, handle, offset, BUFFER_BYTES) else {
                free_context(context);
                return Err(InitError(sys::NDIS_STATUS_RESOURCES, "RX MDL"));
            };
            let nbl = pool.allocate_rx_nbl(cx, &mdl, slot);
            partial.rx_mdls.push(mdl);
            let Some(nbl) = nbl else {
                free_context(context);
                return Err(InitError(sys::NDIS_STATUS_RESOURCES, "RX NBL"));
            };
            partial.rx_nbls.push(nbl);
        }

        // 6. Locks and interrupt-shared data.
        let tx_ring = TxRing::new(ring);
        let rx_addresses: Vec<u64> = (0..u32::from(ring.descriptors()))
            .map(|i| partial.blocks[3].physical(i * BUFFER_BYTES))
            .collect();
        let rx_ring = RxRing::new(
            &DescriptorRing::new(&partial.blocks[1]),
            &rx_addresses,
            BufferSize::B2048,
        )
        .map_err(|_| InitError(sys::NDIS_STATUS_FAILURE, "RX ring"));
        let mut rx_ring = match rx_ring {
            Ok(r) => r,
            Err(e) => {
                free_context(context);
                return Err(e);
            }
        };
        let mut tx_ring = tx_ring;

        // 7. Reset and bring up the NIC with interrupts masked; the receiver starts with the
        // filter off (NDIS sets the packet filter by OID).
        let Some(regs) = partial.bar.as_ref() else {
            unreachable!("BAR0 was mapped above");
        };
        partial.nic_started = true;
        let addresses = bring_up(
            regs,
            &mut NdisStall::new(cx),
            BringUp {
                tx: &mut tx_ring,
                tx_base: partial.blocks[0].physical(0),
                rx: &mut rx_ring,
                rx_base: partial.blocks[1].physical(0),
                filter: ReceiveFilter::NONE,
                multicast: &[],
                station: None,
                interrupts: Causes::NONE,
                throttle: interrupts::throttle_interval(DEFAULT_INTERRUPTS_PER_SECOND),
            },
        );
        let addresses = match addresses {
            Ok(a) => a,
            Err(e) => {
                trace_error!("NIC bring-up failed: {e}");
                free_context(context);
                return Err(InitError(
                    sys::NDIS_STATUS_ADAPTER_NOT_FOUND,
                    "NIC bring-up",
                ));
            }
        };
        let link = LinkStatus::read(regs);

        let cx_ref: &Locked<'_, Unlocked> = cx;
        let locks = (|| {
            let state = SpinLock::try_new(
                cx_ref,
                "rse1k.state",
                State {
                    phase: Phase::Paused,
                    packet_filter: 0,
                    multicast: MulticastList::EMPTY,
                    lookahead: oid::MAX_LOOKAHEAD,
                    moderation: InterruptModeration::Enabled,
                    link,
                    nic: Statistics::default(),
                },
            )?;
            let send = SpinLock::try_new(
                cx_ref,
                "rse1k.send",
                SendState {
                    queue: SendQueue::new(),
                    ring: tx_ring,
                    hang: HangDetector::new(HANG_CHECKS),
                    counters: TrafficCounters::default(),
                },
            )?;
            let recv = SpinLock::try_new(
                cx_ref,
                "rse1k.recv",
                RecvState {
                    ring: rx_ring,
                    // Filled below, once nothing else can fail.
                    nbls: Vec::new(),
                    counters: TrafficCounters::default(),
                },
            )?;
            let irq = InterruptShared::try_new(cx_ref, IrqState::MASKED)?;
            Ok::<_, crate::sync::AllocError>((state, send, recv, irq))
        })();
        let Ok((state, send, recv, irq)) = locks else {
            free_context(context);
            return Err(InitError(sys::NDIS_STATUS_RESOURCES, "locks"));
        };

        // 2. General attributes (the MAC is known now; still before the interrupt).
        let mut general = oid::general_attributes(&initial_info(addresses, link));
        // SAFETY: the general attributes' pointers are to 'static data.
        let set = unsafe { handle.set_general_attributes(cx, at, &mut general) };
        if let Err(status) = set {
            free_context(context);
            return Err(InitError(status, "general attributes"));
        }

        let parts = core::mem::take(partial);
        // Every RX NBL is the driver's now, parked with its buffer (slot order).
        let rx_nbls = parts.rx_nbls;
        recv.with(cx, |recv, _| {
            recv.nbls = rx_nbls.into_iter().map(Some).collect();
        });
        let mut blocks = parts.blocks.into_iter();
        let (Some(tx_desc), Some(rx_desc), Some(tx_buffers), Some(rx_buffers)) =
            (blocks.next(), blocks.next(), blocks.next(), blocks.next())
        else {
            unreachable!("four blocks were allocated above");
        };
        let adapter = Adapter {
            handle,
            regs: parts.bar.unwrap_or_else(|| unreachable!()),
            dma: parts
                .dma
                .unwrap_or_else(|| unreachable!("registered above")),
            tx_desc,
            rx_desc,
            tx_buffers,
            rx_buffers,
            nbl_pool: parts
                .pool
                .unwrap_or_else(|| unreachable!("allocated above")),
            rx_mdls: parts.rx_mdls,
            addresses,
            state,
            send,
            recv,
            irq,
            pause_pending: AtomicBool::new(false),
            removed: AtomicBool::new(false),
            rx_outstanding: AtomicU32::new(0),
            counters: Counters::default(),
        };
        // SAFETY: `context` is the uninitialised allocation made for this adapter.
        unsafe { context.cast::<Adapter>().write(adapter) };
        // SAFETY: just initialised; lives until Halt frees it.
        let adapter = unsafe { &*context.cast::<Adapter>() };

        // 8. The interrupt, last: the ISR may run before this returns.
        let mut characteristics = trampolines::interrupt_characteristics();
        // SAFETY: the adapter (the interrupt context) outlives the registration: Halt
        // deregisters before freeing it.
        let registered = unsafe {
            adapter
                .irq
                .register(cx, at, handle.raw(), context.cast(), &mut characteristics)
        };
        if let Err(status) = registered {
            // SAFETY: the adapter was just built and nothing else references it.
            let adapter = unsafe { alloc::boxed::Box::from_raw(context.cast::<Adapter>()) };
            adapter.release(cx, at, true);
            return Err(InitError(status, "NdisMRegisterInterruptEx"));
        }
        // Now the NIC may interrupt: enabled mask and IMS change together, under the
        // interrupt lock.
        adapter.enable_interrupts(cx);
        crate::diag::adapter_initialized(addresses.current, link);
        crate::trace_info!(
            "adapter initialized: station {}, link {}",
            addresses.current,
            if link.up { "up" } else { "down" }
        );
        Ok(())
    }

    /// Frees everything the adapter holds, newest first (Halt, or Initialize failing at its
    /// last step). The interrupt must be deregistered already; `nic_running` says the NIC
    /// still has to be stopped first (Halt has stopped it).
    pub fn release(
        self: alloc::boxed::Box<Self>,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        nic_running: bool,
    ) {
        let this = *self;
        // The parked RX NBLs (all of them: Halt and a failed Initialize run with none
        // indicated); one missing is reported by the simulator's leak check, never freed twice.
        let rx_nbls: Vec<RxNbl> = this
            .recv
            .with(cx, |recv, _| recv.nbls.drain(..).flatten().collect());
        let partial = Partial {
            bar: Some(this.regs),
            dma: Some(this.dma),
            blocks: alloc::vec![this.tx_desc, this.rx_desc, this.tx_buffers, this.rx_buffers],
            pool: Some(this.nbl_pool),
            rx_nbls,
            rx_mdls: this.rx_mdls,
            nic_started: nic_running,
        };
        partial.release(cx, at, this.handle);
    }

    /// `MiniportHaltEx`: mask and deregister the interrupt first (it waits for running DPCs),
    /// stop the NIC, then free in reverse order.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_halt>
    pub fn halt(self: alloc::boxed::Box<Self>, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel) {
        let present = !self.removed.load(Ordering::Acquire);
        crate::diag::halt(!present);
        if present {
            interrupts::mask_all(&self.regs);
        }
        self.irq.deregister(cx, at);
        if present {
            // Stop DMA before the memory it targets is freed.
            if let Err(e) = bringup::reset(&self.regs, &mut NdisStall::new(cx)) {
                trace_error!("halt: NIC reset failed: {e}");
            }
        }
        // NDIS halts a paused adapter, so nothing is queued; frames left on the ring by a
        // removed device were completed at removal.
        self.release(cx, at, false);
    }
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

/// [`RING_DESCRIPTORS`] as NDIS counts it.
const RING_DESCRIPTORS_U32: u32 = 256;
const _: () = assert!(RING_DESCRIPTORS_U32 as usize == RING_DESCRIPTORS);
