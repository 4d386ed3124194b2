//! Helpers shared by the integration tests: a tiny "driver" made of raw `sys` calls.
#![allow(dead_code)]
// bindgen emits #defines as u32; drivers narrow them to the field types like this.
#![allow(clippy::cast_possible_truncation)]

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use ndis_sim::sys::*;
use ndis_sim::{InterruptLine, Machine, Rule, VerifierMode};

/// `DISPATCH_LEVEL` as a `KIRQL`.
pub const DISPATCH: KIRQL = DISPATCH_LEVEL as KIRQL;
/// `PASSIVE_LEVEL` as a `KIRQL`.
pub const PASSIVE: KIRQL = PASSIVE_LEVEL as KIRQL;

/// `KeRaiseIrql` to `to` on the current processor; returns the IRQL raised from. A test that
/// raises to a lower IRQL does so on purpose: the simulator reports it (`Rule::RaiseToLower`).
pub fn raise(to: KIRQL) -> KIRQL {
    let mut old = 0;
    // SAFETY: on a virtual processor (a `run_on` routine); `old` is a live local for the
    // previous IRQL; a wrong `to` is the simulator's to report, not undefined behaviour.
    unsafe { KeRaiseIrql(to, &raw mut old) };
    old
}

/// `KeLowerIrql` to `to` on the current processor (usually the IRQL [`raise`] returned). A test
/// that lowers to a higher IRQL does so on purpose: the simulator reports it
/// (`Rule::LowerToHigher`).
pub fn lower(to: KIRQL) {
    // SAFETY: on a virtual processor; the call only changes the processor's IRQL, and a wrong
    // `to` is the simulator's to report.
    unsafe { KeLowerIrql(to) };
}

/// The current IRQL.
pub fn irql() -> KIRQL {
    // SAFETY: a plain query, called on a virtual processor.
    unsafe { KeGetCurrentIrql() }
}

/// The rules of `m`'s report so far, in the order they were reported.
pub fn rules(m: &Machine) -> Vec<Rule> {
    m.report().violations.iter().map(|v| v.rule).collect()
}

/// A collecting machine.
pub fn collect(processors: usize) -> Machine {
    Machine::builder()
        .processors(processors)
        .seed(1)
        .mode(VerifierMode::Collect)
        .build()
}

/// Shared memory for raw locks: the simulator needs stable addresses.
pub struct Shared<T>(pub UnsafeCell<T>);
// SAFETY: the tests access the contents only under the simulated spin locks or through atomics.
unsafe impl<T> Sync for Shared<T> {}
impl<T> Shared<T> {
    pub fn new(v: T) -> Self {
        Self(UnsafeCell::new(v))
    }
    pub fn get(&self) -> *mut T {
        self.0.get()
    }
}

/// The interrupt context of the test driver.
pub struct Device {
    pub line: InterruptLine,
    /// ISR-shared state (only touched at DIRQL under the interrupt lock).
    pub cause: AtomicU32,
    pub isr_calls: AtomicU64,
    pub dpc_calls: AtomicU64,
    pub sync_calls: AtomicU64,
    pub handled: AtomicU64,
    pub handle: AtomicU64,
    /// DPC data lock.
    pub lock: Shared<NDIS_SPIN_LOCK>,
    pub counter: Shared<u64>,
}

impl Device {
    pub fn new(line: InterruptLine) -> Self {
        Self {
            line,
            cause: AtomicU32::new(0),
            isr_calls: AtomicU64::new(0),
            dpc_calls: AtomicU64::new(0),
            sync_calls: AtomicU64::new(0),
            handled: AtomicU64::new(0),
            handle: AtomicU64::new(0),
            lock: Shared::new(NDIS_SPIN_LOCK::default()),
            counter: Shared::new(0),
        }
    }

    pub fn handle(&self) -> NDIS_HANDLE {
        usize::try_from(self.handle.load(Ordering::SeqCst)).expect("handle") as NDIS_HANDLE
    }
}

/// ISR: reads and clears the "device" cause (deasserting the line), queues the DPC.
pub unsafe extern "C" fn isr(ctx: NDIS_HANDLE, queue: PBOOLEAN, _targets: PULONG) -> BOOLEAN {
    // SAFETY: the context is the Device registered with the interrupt.
    let dev = unsafe { &*ctx.cast::<Device>() };
    dev.isr_calls.fetch_add(1, Ordering::SeqCst);
    assert!(irql() > DISPATCH);
    dev.line.deassert();
    dev.cause.fetch_or(1, Ordering::SeqCst);
    // SAFETY: NDIS passes a valid out parameter.
    unsafe { queue.write(1) };
    1
}

unsafe extern "C" fn take_cause(ctx: NDIS_HANDLE) -> BOOLEAN {
    // SAFETY: the context is the Device.
    let dev = unsafe { &*ctx.cast::<Device>() };
    dev.sync_calls.fetch_add(1, Ordering::SeqCst);
    BOOLEAN::from(dev.cause.swap(0, Ordering::SeqCst) != 0)
}

/// DPC: takes the cause through `NdisMSynchronizeWithInterruptEx`, then counts under the lock.
pub unsafe extern "C" fn dpc(ctx: NDIS_HANDLE, _c: PVOID, _t: PVOID, _r: PVOID) {
    // SAFETY: the context is the Device.
    let dev = unsafe { &*ctx.cast::<Device>() };
    dev.dpc_calls.fetch_add(1, Ordering::SeqCst);
    assert_eq!(irql(), DISPATCH);
    // SAFETY: the handle is registered; the callback and context are valid.
    let had = unsafe { NdisMSynchronizeWithInterruptEx(dev.handle(), 0, Some(take_cause), ctx) };
    if had != 0 {
        // SAFETY: the lock was allocated; the counter is only touched under it.
        unsafe {
            NdisDprAcquireSpinLock(dev.lock.get());
        }
        // SAFETY: under the lock.
        unsafe { *dev.counter.get() += 1 };
        // SAFETY: held.
        unsafe { NdisDprReleaseSpinLock(dev.lock.get()) };
        dev.handled.fetch_add(1, Ordering::SeqCst);
    }
}

/// Interrupt characteristics for the test driver.
pub fn characteristics() -> NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    characteristics_with(Some(isr), Some(dpc))
}

/// Interrupt characteristics with the given handlers.
pub fn characteristics_with(
    isr: MINIPORT_ISR_HANDLER,
    dpc: MINIPORT_INTERRUPT_DPC_HANDLER,
) -> NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
        Header: NDIS_OBJECT_HEADER {
            Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT as u8,
            Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1 as u8,
            Size: size_of::<NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS>() as u16,
        },
        InterruptHandler: isr,
        InterruptDpcHandler: dpc,
        ..Default::default()
    }
}

/// `NdisMRegisterInterruptEx` for the adapter handle `adapter`, from a routine on `processor`
/// at `PASSIVE_LEVEL`, with the characteristics `chars` builds there and the context at address
/// `ctx` (0 for none); returns the interrupt handle. The caller keeps the context alive until
/// it deregisters.
///
/// # Panics
/// Unless the registration succeeds.
pub fn register_interrupt(
    machine: &Machine,
    processor: usize,
    adapter: usize,
    ctx: usize,
    chars: impl FnOnce() -> NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS + Send,
) -> usize {
    machine.run_on(processor, move || {
        let mut chars = chars();
        let mut handle: NDIS_HANDLE = core::ptr::null_mut();
        // SAFETY: `adapter` is a handle of this machine, `chars` and `handle` are live locals,
        // and the caller keeps the context alive while the interrupt is registered.
        let status = unsafe {
            NdisMRegisterInterruptEx(
                adapter as NDIS_HANDLE,
                ctx as NDIS_HANDLE,
                &raw mut chars,
                &raw mut handle,
            )
        };
        assert_eq!(status, NDIS_STATUS_SUCCESS);
        handle as usize
    })
}

/// Registers the test driver's interrupt on `line` (run on a processor at PASSIVE).
pub fn register(machine: &Machine, dev: &Device, line: u32) {
    let adapter = machine.adapter_handle(line) as usize;
    let ctx = std::ptr::from_ref(dev) as usize;
    machine.run_on(0, move || {
        // SAFETY: ctx is the Device, alive for the whole test.
        let dev = unsafe { &*(ctx as *const Device) };
        // SAFETY: the lock lives in the Device for the whole test.
        unsafe { NdisAllocateSpinLock(dev.lock.get()) };
    });
    let handle = register_interrupt(machine, 0, adapter, ctx, characteristics);
    dev.handle.store(handle as u64, Ordering::SeqCst);
}

/// Deregisters (on processor 0, at PASSIVE).
pub fn deregister(machine: &Machine, dev: &Device) {
    let handle = dev.handle() as usize;
    machine.run_on(0, move || {
        // SAFETY: registered handle.
        unsafe { NdisMDeregisterInterruptEx(handle as NDIS_HANDLE) };
    });
}

/// Registers scatter/gather DMA for adapter `adapter` (`NdisMRegisterScatterGatherDma`, from
/// processor 0 at `PASSIVE_LEVEL`) with 64-bit addresses, 16 KiB mappings and these handlers;
/// returns the DMA handle as an integer (handles are not `Send`).
pub fn register_sg_dma(
    machine: &Machine,
    adapter: usize,
    process: MINIPORT_PROCESS_SG_LIST_HANDLER,
    shared_memory_done: MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER,
) -> usize {
    machine.run_on(0, move || {
        let mut desc = NDIS_SG_DMA_DESCRIPTION {
            Header: NDIS_OBJECT_HEADER {
                Type: 0x83,  // NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION
                Revision: 1, // NDIS_SG_DMA_DESCRIPTION_REVISION_1
                Size: 36,    // NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1
            },
            Flags: 1, // NDIS_SG_DMA_64_BIT_ADDRESS
            MaximumPhysicalMapping: 16_384,
            ProcessSGListHandler: process,
            SharedMemAllocateCompleteHandler: shared_memory_done,
            ..Default::default()
        };
        let mut dma: NDIS_HANDLE = core::ptr::null_mut();
        // SAFETY: `desc` is a complete revision-1 description and `dma` a valid out pointer;
        // `adapter` is a handle of this machine's plugged adapter.
        let status = unsafe {
            NdisMRegisterScatterGatherDma(adapter as NDIS_HANDLE, &raw mut desc, &raw mut dma)
        };
        assert_eq!(status, NDIS_STATUS_SUCCESS, "scatter/gather DMA registered");
        dma as usize
    })
}
