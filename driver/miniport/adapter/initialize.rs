//! `MiniportInitializeEx` and `MiniportHaltEx`: the adapter built as a sequence of named
//! steps, each adding what it acquires to one unwinding owner ([`Partial`]) that frees all of
//! it, newest first, if a later step fails; Halt hands the finished adapter back to the same
//! owner to free.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::super::header;
use super::super::hw::{Bar0, DescriptorRing, NdisStall, SharedBlock};
use super::super::oid::{self, InterruptModeration, MulticastList, TxTraffic};
use super::reclaim::ReclaimerRole;
use super::{
    Adapter, BUFFER_BYTES, Counters, HANG_CHECKS, IrqState, MAX_FRAME, POOL_TAG, Phase,
    RING_DESCRIPTORS, RecvState, Rundown, SendGate, SendState, SgStage, SgState, State,
    initial_info,
};
use crate::e1000::{
    Addresses, BringUp, BufferSize, Causes, HangDetector, LinkStatus, ReceiveFilter, RingSize,
    RxRing, Statistics, TxPoster, TxReclaimer, TxRing, bring_up, bringup, interrupts,
};
use crate::ndis::{Mdl, MiniportAdapter, NblPool, RxNbl, SendQueue, SgDma, SgHandoff};
use crate::sync::{InterruptShared, Locked, PassiveLevel, SpinLock, Unlocked, try_box};
use crate::sys;
use crate::trace_error;

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

/// The driver's entry points Initialize registers: the interrupt handlers and the
/// scatter-gather callback, passed in by the `extern "C"` layer so that this module does not
/// depend on it.
pub struct EntryPoints {
    /// `NdisMRegisterInterruptEx`'s characteristics (ISR, DPC, enable, disable).
    pub interrupt: sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    /// `MiniportProcessSGList`.
    pub process_sg_list: sys::MINIPORT_PROCESS_SG_LIST_HANDLER,
}

/// What Initialize failed at: the NDIS status to return and the step, for the trace.
struct InitError(sys::NDIS_STATUS, &'static str);

/// What the adapter owns that must be freed: acquired step by step by Initialize, or taken
/// back from a halting adapter. Freed by [`Partial`]'s `Drop`.
#[derive(Default)]
struct Resources {
    /// The adapter's allocation (its address is the context NDIS hands back).
    context: Option<Box<MaybeUninit<Adapter>>>,
    bar: Option<Bar0>,
    dma: Option<SgDma>,
    /// TX descriptors, RX descriptors, TX buffers, RX buffers, in that order.
    blocks: Vec<SharedBlock>,
    pool: Option<NblPool>,
    rx_nbls: Vec<RxNbl>,
    rx_mdls: Vec<Mdl>,
    /// Bring-up has begun: the NIC may write by DMA into the rings and buffers, so it is
    /// reset before they are freed.
    nic_started: bool,
}

/// The one owner of a partly built (or halting) adapter: whatever it holds when dropped is
/// freed, newest first, the NIC reset first if bring-up began. Initialize's steps are its
/// methods; no error path frees anything by hand.
struct Partial<'c, 'l> {
    cx: &'c mut Locked<'l, Unlocked>,
    at: &'c PassiveLevel,
    handle: MiniportAdapter,
    res: Resources,
}

impl Drop for Partial<'_, '_> {
    fn drop(&mut self) {
        let res = core::mem::take(&mut self.res);
        release(self.cx, self.at, self.handle, res);
    }
}

/// Frees `res`, newest first.
fn release(
    cx: &mut Locked<'_, Unlocked>,
    at: &PassiveLevel,
    handle: MiniportAdapter,
    res: Resources,
) {
    if res.nic_started
        && let Some(bar) = &res.bar
    {
        interrupts::mask_all(bar);
        if let Err(e) = bringup::reset(bar, &mut NdisStall::new(cx)) {
            trace_error!("unwinding Initialize: NIC reset failed: {e}");
        }
    }
    // Each NBL before the MDL it describes, then the pool they came from.
    for nbl in res.rx_nbls.into_iter().rev() {
        nbl.free(cx);
    }
    for mdl in res.rx_mdls.into_iter().rev() {
        // SAFETY: the NBLs over the MDLs were freed just above (Halt and a failed
        // Initialize run with every RX NBL back with the driver).
        unsafe { mdl.free(cx) };
    }
    if let Some(pool) = res.pool {
        // SAFETY: every NBL from the pool was freed above.
        unsafe { pool.free(cx) };
    }
    for block in res.blocks.into_iter().rev() {
        // SAFETY: the NIC no longer reaches the blocks (it was reset above if it had started,
        // or never started), and their MDLs were freed above.
        unsafe { block.free(cx, at, handle) };
    }
    if let Some(dma) = res.dma {
        dma.deregister(cx, at);
    }
    if let Some(bar) = res.bar {
        bar.into_io_space().unmap(cx, at, handle);
    }
    drop(res.context);
}

/// The locks and interrupt-shared data, made once the rings exist.
struct Locks {
    state:
        core::pin::Pin<Box<SpinLock<State, crate::sync::NdisSpinLockBackend, super::StateLevel>>>,
    send: core::pin::Pin<
        Box<SpinLock<SendState, crate::sync::NdisSpinLockBackend, super::SendLevel>>,
    >,
    recv: core::pin::Pin<
        Box<SpinLock<RecvState, crate::sync::NdisSpinLockBackend, super::RecvLevel>>,
    >,
    irq: InterruptShared<IrqState>,
    /// The TX ring, shared by its poster (in `send`) and its reclaimer.
    tx_ring: TxRing<super::TxToken>,
    /// The TX ring's reclaimer role.
    tx_reclaimer: TxReclaimer,
}

impl<'c, 'l> Partial<'c, 'l> {
    /// Step 0: the adapter's allocation (its address is the context the registration names).
    fn new(
        cx: &'c mut Locked<'l, Unlocked>,
        at: &'c PassiveLevel,
        handle: MiniportAdapter,
    ) -> Result<Self, InitError> {
        let context = try_box(MaybeUninit::<Adapter>::uninit())
            .map_err(|_| InitError(sys::NDIS_STATUS_RESOURCES, "adapter allocation"))?;
        Ok(Self {
            cx,
            at,
            handle,
            res: Resources {
                context: Some(context),
                ..Resources::default()
            },
        })
    }

    /// The context NDIS will hand back: the adapter's allocation.
    fn context(&mut self) -> *mut core::ffi::c_void {
        self.res
            .context
            .as_mut()
            .map_or(core::ptr::null_mut(), |b| b.as_mut_ptr().cast())
    }

    /// Step 1: registration attributes, before anything claims hardware.
    fn set_registration_attributes(&mut self) -> Result<(), InitError> {
        let mut registration = sys::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
            Header: header(
                sys::NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
                sys::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1,
                REGISTRATION_ATTRIBUTES_REVISION_1_SIZE,
            ),
            MiniportAdapterContext: self.context(),
            // SURPRISE_REMOVE_OK: the driver handles NdisDevicePnPEventSurpriseRemoved and never
            // touches a removed device, so NDIS need not ask the user to stop it first.
            AttributeFlags: sys::NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE
                | sys::NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER
                | sys::NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK,
            CheckForHangTimeInSeconds: 0,
            InterfaceType: sys::NdisInterfacePci,
        };
        // SAFETY: the context is this adapter's allocation, which lives until Halt frees it
        // (or this owner frees it before Initialize fails, when NDIS calls no handler).
        unsafe {
            self.handle
                .set_registration_attributes(self.cx, self.at, &mut registration)
        }
        .map_err(|status| InitError(status, "registration attributes"))
    }

    /// Step 2: BAR0, the first memory resource large enough, mapped (`NdisMMapIoSpace`).
    ///
    /// # Safety
    /// `params` are `MiniportInitializeEx`'s, with a valid resource list.
    unsafe fn map_bar0(
        &mut self,
        params: sys::PNDIS_MINIPORT_INIT_PARAMETERS,
    ) -> Result<(), InitError> {
        let mut bar = None;
        for index in 0.. {
            // SAFETY: NDIS passes valid init parameters with a valid resource list.
            let list = unsafe { (*params).AllocatedResources };
            // SAFETY: `list` is the valid resource list NDIS passed; `resource` bounds-checks `index`.
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
        let (start, length) = bar.ok_or(InitError(
            sys::NDIS_STATUS_RESOURCE_CONFLICT,
            "no memory BAR",
        ))?;
        // SAFETY: the range is a memory resource of this adapter's AllocatedResources.
        let io = unsafe { self.handle.map_io_space(self.cx, self.at, start, length) }
            .map_err(|_| InitError(sys::NDIS_STATUS_RESOURCES, "NdisMMapIoSpace"))?;
        self.res.bar = Some(Bar0::new(io));
        Ok(())
    }

    /// Step 3: scatter-gather DMA (required before shared memory).
    fn register_dma(
        &mut self,
        process_sg_list: sys::MINIPORT_PROCESS_SG_LIST_HANDLER,
    ) -> Result<(), InitError> {
        let mut description = sys::NDIS_SG_DMA_DESCRIPTION {
            Header: header(
                sys::NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
                sys::NDIS_SG_DMA_DESCRIPTION_REVISION_1,
                SG_DMA_DESCRIPTION_REVISION_1_SIZE,
            ),
            Flags: 0,
            MaximumPhysicalMapping: MAX_FRAME,
            ProcessSGListHandler: process_sg_list,
            SharedMemAllocateCompleteHandler: None,
            ScatterGatherListSize: 0,
        };
        let dma = self
            .handle
            .register_sg_dma(self.cx, self.at, &mut description)
            .map_err(|status| InitError(status, "NdisMRegisterScatterGatherDma"))?;
        self.res.dma = Some(dma);
        Ok(())
    }

    /// Step 4: shared memory: TX and RX descriptor rings, TX and RX buffers.
    fn allocate_shared_memory(&mut self, ring: RingSize) -> Result<(), InitError> {
        let buffers = u32::from(ring.descriptors()) * BUFFER_BYTES;
        for (what, len) in [
            ("TX descriptors", ring.bytes()),
            ("RX descriptors", ring.bytes()),
            ("TX buffers", buffers),
            ("RX buffers", buffers),
        ] {
            let block = self
                .handle
                .allocate_shared_memory(self.cx, self.at, len)
                .ok_or(InitError(sys::NDIS_STATUS_RESOURCES, what))?;
            self.res.blocks.push(block);
        }
        Ok(())
    }

    /// Step 5: the NBL pool and one MDL + NBL per RX buffer.
    fn allocate_receive_nbls(&mut self, ring: RingSize) -> Result<(), InitError> {
        let pool = self
            .handle
            .allocate_nbl_pool(self.cx, POOL_TAG)
            .ok_or(InitError(sys::NDIS_STATUS_RESOURCES, "NBL pool"))?;
        let pool = self.res.pool.insert(pool);
        let rx_block = &self.res.blocks[3];
        for index in 0..ring.descriptors() {
            let offset = u32::from(index) * BUFFER_BYTES;
            let mdl = rx_block
                .allocate_mdl(self.cx, self.handle, offset, BUFFER_BYTES)
                .ok_or(InitError(sys::NDIS_STATUS_RESOURCES, "RX MDL"))?;
            let nbl = pool.allocate_rx_nbl(self.cx, &mdl, index);
            self.res.rx_mdls.push(mdl);
            let nbl = nbl.ok_or(InitError(sys::NDIS_STATUS_RESOURCES, "RX NBL"))?;
            self.res.rx_nbls.push(nbl);
        }
        Ok(())
    }

    /// Step 6: the rings, every RX buffer but the last posted (buffer i at slot i), and the
    /// NIC reset and brought up with interrupts masked; the receiver starts with the filter
    /// off (NDIS sets the packet filter by OID). The station address and the link.
    fn bring_up_nic(
        &mut self,
        ring: RingSize,
    ) -> Result<(TxRing<super::TxToken>, RxRing, Addresses, LinkStatus), InitError> {
        let mut tx_ring = TxRing::new(ring);
        let mut rx_ring = RxRing::new(ring, BufferSize::B2048);
        let rx_mem = DescriptorRing::new(&self.res.blocks[1]);
        for i in 0..u32::from(ring.descriptors()) {
            if rx_ring
                .fill(&rx_mem, self.res.blocks[3].physical(i * BUFFER_BYTES))
                .is_err()
            {
                break;
            }
        }
        self.res.nic_started = true;
        let regs = self
            .res
            .bar
            .as_ref()
            .ok_or(InitError(sys::NDIS_STATUS_FAILURE, "BAR0"))?;
        let addresses = bring_up(
            regs,
            &mut NdisStall::new(self.cx),
            BringUp {
                tx: &mut tx_ring,
                tx_base: self.res.blocks[0].physical(0),
                rx: &mut rx_ring,
                rx_base: self.res.blocks[1].physical(0),
                filter: ReceiveFilter::NONE,
                multicast: &[],
                station: None,
                interrupts: Causes::NONE,
                throttle: interrupts::throttle_interval(super::DEFAULT_INTERRUPTS_PER_SECOND),
            },
        )
        .map_err(|e| {
            trace_error!("NIC bring-up failed: {e}");
            InitError(sys::NDIS_STATUS_ADAPTER_NOT_FOUND, "NIC bring-up")
        })?;
        let link = LinkStatus::read(regs);
        Ok((tx_ring, rx_ring, addresses, link))
    }

    /// Step 7: the locks, with the RX ring and the TX ring's poster moved in, and the
    /// interrupt-shared data.
    fn create_locks(
        &self,
        mut tx: TxRing<super::TxToken>,
        rx: RxRing,
        link: LinkStatus,
    ) -> Result<Locks, InitError> {
        let cx: &Locked<'_, Unlocked> = self.cx;
        let (poster, tx_reclaimer) = tx
            .split_roles()
            .ok_or(InitError(sys::NDIS_STATUS_FAILURE, "TX ring roles"))?;
        let send_state = initial_send(poster).ok_or(InitError(
            sys::NDIS_STATUS_RESOURCES,
            "scatter/gather retire queue",
        ))?;
        let made = (|| {
            let state = SpinLock::try_new(cx, "rse1k.state", initial_state(link))?;
            let send = SpinLock::try_new(cx, "rse1k.send", send_state)?;
            let recv = SpinLock::try_new(cx, "rse1k.recv", initial_recv(rx))?;
            let irq = InterruptShared::try_new(cx, IrqState::MASKED)?;
            Ok::<_, crate::sync::AllocError>((state, send, recv, irq))
        })();
        let (state, send, recv, irq) =
            made.map_err(|_| InitError(sys::NDIS_STATUS_RESOURCES, "locks"))?;
        Ok(Locks {
            state,
            send,
            recv,
            irq,
            tx_ring: tx,
            tx_reclaimer,
        })
    }

    /// Step 8: general attributes (the MAC is known now; still before the interrupt).
    fn set_general_attributes(
        &mut self,
        addresses: Addresses,
        link: LinkStatus,
    ) -> Result<(), InitError> {
        let mut general = oid::general_attributes(&initial_info(addresses, link));
        // SAFETY: the general attributes' pointers are to 'static data.
        unsafe {
            self.handle
                .set_general_attributes(self.cx, self.at, &mut general)
        }
        .map_err(|status| InitError(status, "general attributes"))
    }

    /// Step 9: the adapter, in its allocation: everything acquired moves in (this owner is
    /// left empty); every RX NBL is posted with its buffer, but the last, which is free.
    fn into_adapter(
        mut self,
        locks: Locks,
        addresses: Addresses,
    ) -> Result<Box<Adapter>, InitError> {
        let complete = self.res.context.is_some()
            && self.res.bar.is_some()
            && self.res.dma.is_some()
            && self.res.pool.is_some()
            && self.res.blocks.len() == 4;
        if !complete {
            // Not reachable after steps 0–8; this owner frees what there is.
            return Err(InitError(sys::NDIS_STATUS_FAILURE, "adapter parts"));
        }
        let parts = core::mem::take(&mut self.res);
        let handle = self.handle;
        let (Some(context), Some(regs), Some(dma), Some(nbl_pool)) =
            (parts.context, parts.bar, parts.dma, parts.pool)
        else {
            unreachable!("checked above")
        };
        let mut blocks = parts.blocks.into_iter();
        let (Some(tx_desc), Some(rx_desc), Some(tx_buffers), Some(rx_buffers)) =
            (blocks.next(), blocks.next(), blocks.next(), blocks.next())
        else {
            unreachable!("checked above")
        };
        let rx_nbls = parts.rx_nbls;
        locks.recv.with(self.cx, |recv, _| park(recv, rx_nbls));
        Ok(Box::write(
            context,
            Adapter {
                handle,
                regs,
                dma,
                sg_handoff: SgHandoff::new(),
                premap_handoff: SgHandoff::new(),
                premap_claim: AtomicBool::new(false),
                pipeline_idle: AtomicBool::new(true),
                tx_desc,
                rx_desc,
                tx_buffers,
                rx_buffers,
                nbl_pool,
                rx_mdls: parts.rx_mdls,
                addresses,
                state: locks.state,
                tx_ring: locks.tx_ring,
                tx_reclaimer: ReclaimerRole::new(locks.tx_reclaimer),
                tx_traffic: TxTraffic::default(),
                tx_backlog: AtomicBool::new(false),
                send: locks.send,
                recv: locks.recv,
                irq: locks.irq,
                pause_pending: AtomicBool::new(false),
                removed: AtomicBool::new(false),
                quiesced: AtomicBool::new(false),
                link_reports: Rundown::new(),
                rx_outstanding: AtomicU32::new(0),
                rx_backlog: AtomicBool::new(false),
                counters: Counters::default(),
            },
        ))
    }
}

/// Parks the RX NBLs: NBL i's buffer went to slot i in `bring_up_nic`, but for the last NBLs,
/// which are free.
fn park(recv: &mut RecvState, rx_nbls: Vec<RxNbl>) {
    let posted = recv.ring.posted();
    for (i, nbl) in rx_nbls.into_iter().enumerate() {
        if i < posted {
            recv.posted.push(Some(nbl));
        } else {
            recv.free.push(nbl);
        }
    }
    recv.posted.resize_with(RING_DESCRIPTORS, || None);
}

/// The `state` lock's data after Initialize: Paused, no filter, the link as read.
fn initial_state(link: LinkStatus) -> State {
    State {
        phase: Phase::Paused,
        packet_filter: 0,
        multicast: MulticastList::EMPTY,
        lookahead: oid::MAX_LOOKAHEAD,
        moderation: InterruptModeration::Enabled,
        link,
        nic: Statistics::default(),
    }
}

/// The `send` lock's data after Initialize: the gate closed (Paused), nothing queued.
/// `None` when the retire queue's memory cannot be reserved.
fn initial_send(poster: TxPoster) -> Option<SendState> {
    let mut retired = VecDeque::new();
    retired.try_reserve_exact(2 * RING_DESCRIPTORS).ok()?;
    Some(SendState {
        gate: SendGate::Paused,
        queue: SendQueue::new(),
        poster,
        hang: HangDetector::new(HANG_CHECKS),
        sg: SgState {
            stage: SgStage::Idle,
            premap: SgStage::Idle,
            premap_refusal: None,
            allocating: false,
            retired,
        },
    })
}

/// The `recv` lock's data after Initialize: not indicating; the NBLs are parked once nothing
/// else can fail.
fn initial_recv(ring: RxRing) -> RecvState {
    RecvState {
        indicating: false,
        ring,
        posted: Vec::new(),
        free: Vec::new(),
        counters: oid::Counters::default(),
    }
}

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
    /// Two places differ from the textbook order (`docs/ndis-contract.md`), on purpose: the
    /// general attributes come after bring-up because they carry the MAC address and link
    /// state, which only the mapped and reset NIC can tell; and the locks come after bring-up
    /// because the rings move into them from there, so bring-up (up to 10 ms of stalls) never
    /// runs under a spin lock. Both still precede the interrupt, as required.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_initialize>
    ///
    /// # Safety
    /// Called from `MiniportInitializeEx` at `PASSIVE_LEVEL` with its arguments.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the interrupt characteristics are Copy in the kernel bindings but not in the \
                  simulator's mirror; taken by value in both builds"
    )]
    pub unsafe fn initialize(
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        handle: sys::NDIS_HANDLE,
        params: sys::PNDIS_MINIPORT_INIT_PARAMETERS,
        entry: EntryPoints,
    ) -> sys::NDIS_STATUS {
        // SAFETY: MiniportInitializeEx's own handle; the adapter keeps it until Halt returns.
        let handle = unsafe { MiniportAdapter::from_raw(handle) };
        // SAFETY: forwarded from the caller.
        let built = unsafe { Self::build(cx, at, handle, params, entry.process_sg_list) };
        let adapter = match built {
            Ok(adapter) => adapter,
            Err(InitError(status, step)) => {
                trace_error!("MiniportInitializeEx failed at {step}: status {status:#x}");
                crate::diag::initialize_failed(cx, handle, status, step);
                return status;
            }
        };
        match adapter.register_interrupt(cx, at, entry.interrupt) {
            Ok(()) => sys::NDIS_STATUS_SUCCESS,
            Err(InitError(status, step)) => {
                trace_error!("MiniportInitializeEx failed at {step}: status {status:#x}");
                crate::diag::initialize_failed(cx, handle, status, step);
                status
            }
        }
    }

    /// Steps 0–9, each releasing everything acquired before it if it fails.
    ///
    /// # Safety
    /// As [`Adapter::initialize`].
    unsafe fn build(
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        handle: MiniportAdapter,
        params: sys::PNDIS_MINIPORT_INIT_PARAMETERS,
        process_sg_list: sys::MINIPORT_PROCESS_SG_LIST_HANDLER,
    ) -> Result<Box<Adapter>, InitError> {
        let ring = RingSize::new(RING_DESCRIPTORS)
            .map_err(|_| InitError(sys::NDIS_STATUS_FAILURE, "ring size"))?;
        let mut partial = Partial::new(cx, at, handle)?;
        partial.set_registration_attributes()?;
        // SAFETY: forwarded from the caller.
        unsafe { partial.map_bar0(params) }?;
        partial.register_dma(process_sg_list)?;
        partial.allocate_shared_memory(ring)?;
        partial.allocate_receive_nbls(ring)?;
        let (tx, rx, addresses, link) = partial.bring_up_nic(ring)?;
        let locks = partial.create_locks(tx, rx, link)?;
        partial.set_general_attributes(addresses, link)?;
        partial.into_adapter(locks, addresses)
    }

    /// Step 10, last: the interrupt (the ISR may run before this returns), then the NIC's
    /// interrupts enabled. On failure the adapter is freed whole.
    fn register_interrupt(
        self: Box<Self>,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        mut characteristics: sys::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    ) -> Result<(), InitError> {
        let handle = self.handle;
        let context = Box::into_raw(self);
        // SAFETY: just made from a live box; NDIS holds the context until Halt frees it.
        let adapter = unsafe { &*context };
        // SAFETY: the adapter (the interrupt context) outlives the registration: Halt
        // deregisters before freeing it.
        let registered = unsafe {
            adapter
                .irq
                .register(cx, at, handle.raw(), context.cast(), &mut characteristics)
        };
        if let Err(status) = registered {
            // SAFETY: the adapter was just built, its interrupt never registered, and nothing
            // else references it.
            let adapter = unsafe { Box::from_raw(context) };
            adapter.release(cx, at, true);
            return Err(InitError(status, "NdisMRegisterInterruptEx"));
        }
        // Now the NIC may interrupt: enabled mask and IMS change together, under the
        // interrupt lock.
        adapter.enable_interrupts(cx);
        crate::diag::adapter_initialized(
            adapter.addresses.current,
            adapter.state.with(cx, |state, _| state.link),
        );
        crate::trace_info!(
            "adapter initialized: station {}, link {}",
            adapter.addresses.current,
            if adapter.state.with(cx, |state, _| state.link.up) {
                "up"
            } else {
                "down"
            }
        );
        Ok(())
    }

    /// Frees everything the adapter holds, newest first (Halt, or Initialize failing at its
    /// last step), through the same owner as a failed Initialize. The interrupt must be
    /// deregistered already; `nic_running` says the NIC still has to be stopped first (Halt
    /// has stopped it).
    fn release(
        self: Box<Self>,
        cx: &mut Locked<'_, Unlocked>,
        at: &PassiveLevel,
        nic_running: bool,
    ) {
        let this = *self;
        // The RX NBLs, posted or free (all of them: Halt and a failed Initialize run with none
        // indicated); one missing is reported by the simulator's leak check, never freed twice.
        let rx_nbls: Vec<RxNbl> = this.recv.with(cx, |recv, _| {
            let mut all: Vec<RxNbl> = recv.posted.drain(..).flatten().collect();
            all.append(&mut recv.free);
            all
        });
        let owner = Partial {
            cx,
            at,
            handle: this.handle,
            res: Resources {
                context: None,
                bar: Some(this.regs),
                dma: Some(this.dma),
                blocks: alloc::vec![this.tx_desc, this.rx_desc, this.tx_buffers, this.rx_buffers],
                pool: Some(this.nbl_pool),
                rx_nbls,
                rx_mdls: this.rx_mdls,
                nic_started: nic_running,
            },
        };
        drop(owner);
    }

    /// `MiniportHaltEx`: mask and deregister the interrupt first (it waits for running DPCs),
    /// stop the NIC, then free in reverse order.
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_halt>
    pub fn halt(self: Box<Self>, cx: &mut Locked<'_, Unlocked>, at: &PassiveLevel) {
        // Before the mask, which takes no interrupt lock: a DPC still running re-reads it after
        // its unmask (see `unmask`).
        self.quiesced.store(true, Ordering::SeqCst);
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
