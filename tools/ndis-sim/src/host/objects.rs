//! The objects of the DDIs a miniport uses once it grows past the basics: configuration handles
//! (`NdisOpenConfigurationEx`), I/O work items, generic objects, `NET_BUFFER` pools and
//! `NET_BUFFER`s, registered I/O port ranges, and the error log. Each is kept with its owner
//! and the call site that made it, for the lifetime rules checked when `MiniportHaltEx` returns
//! and when a handler ends.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use std::panic::Location;

use crate::machine::processor::{Cpu, violation};
use crate::verifier::Rule;

/// What a tracked address is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A configuration handle (`NdisOpenConfigurationEx`), with the parameters read through it
    /// (kept until it is closed: `NdisReadConfiguration`'s result lives that long).
    Config,
    /// An I/O work item (`NdisAllocateIoWorkItem`); `queued` until its routine has started.
    WorkItem { queued: bool },
    /// A generic object (`NdisAllocateGenericObject`) of this driver object.
    GenericObject { driver_object: usize },
    /// A `NET_BUFFER` pool (`NdisAllocateNetBufferPool`).
    NetBufferPool,
    /// A `NET_BUFFER` (`NdisAllocateNetBuffer`) of this pool.
    NetBuffer { pool: usize },
    /// I/O ports registered with `NdisMRegisterIoPortRange`.
    IoPorts { first: u32, count: u32 },
}

/// One tracked object.
#[derive(Clone, Debug)]
pub(crate) struct Tracked {
    pub(crate) kind: Kind,
    /// The NDIS handle it was allocated with (the adapter's, for the miniport's objects).
    pub(crate) owner: usize,
    pub(crate) location: &'static Location<'static>,
}

/// Work NDIS owes the miniport, run by the host at its next step on a processor drawn from the
/// seed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Deferred {
    /// A queued I/O work item: its routine runs at `PASSIVE_LEVEL`.
    WorkItem {
        item: usize,
        routine: unsafe extern "C" fn(crate::sys::PVOID, crate::sys::NDIS_HANDLE),
        context: usize,
    },
    /// `MiniportSharedMemoryAllocateComplete` of an `NdisMAllocateSharedMemoryAsyncEx`, at
    /// `DISPATCH_LEVEL`.
    SharedMemory {
        handler: unsafe extern "C" fn(
            crate::sys::NDIS_HANDLE,
            crate::sys::PVOID,
            crate::sys::PNDIS_PHYSICAL_ADDRESS,
            crate::sys::ULONG,
            crate::sys::PVOID,
        ),
        adapter_context: usize,
        virt: usize,
        phys: u64,
        len: crate::sys::ULONG,
        context: usize,
    },
    /// `MiniportProcessSGList` of an `NdisMAllocateNetBufferSGList` that returned before
    /// calling it (NDIS does so when map registers are short), at `DISPATCH_LEVEL`.
    SgList {
        process: unsafe extern "C" fn(
            crate::sys::PDEVICE_OBJECT,
            crate::sys::PVOID,
            crate::sys::PSCATTER_GATHER_LIST,
            crate::sys::PVOID,
        ),
        list: usize,
        context: usize,
    },
}

/// A scatter/gather list from `NdisMAllocateNetBufferSGList`: what the driver sees of it
/// ([`SgListAllocation`]), the mapped copies of the data (host address, length, physical
/// address: one per MDL fragment), and the list's own memory when NDIS allocated it (in 8-byte
/// words).
#[derive(Clone, Debug)]
pub(crate) struct SgList {
    pub(crate) info: SgListAllocation,
    pub(crate) regions: Vec<(usize, usize, u64)>,
    pub(crate) own_words: Option<usize>,
}

/// Scatter/gather lists of a machine: how many the drivers allocated
/// (`NdisMAllocateNetBufferSGList` succeeded) and how many are not freed yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SgListCounts {
    /// Lists allocated since the machine started.
    pub allocated: u64,
    /// Lists allocated and not freed.
    pub outstanding: usize,
}

impl crate::Machine {
    /// Makes `NdisMAllocateNetBufferSGList` return before calling `MiniportProcessSGList`
    /// (`true`), which then runs later from NDIS's deferred work (at the host's next return
    /// step, on a processor drawn from the seed, at `DISPATCH_LEVEL`), as NDIS does when map
    /// registers are short; `false` (the default) calls it inside the allocation.
    pub fn defer_sg_lists(&self, defer: bool) {
        crate::machine::lock(&self.shared().host.objects).defer_sg_lists = defer;
    }

    /// The machine's scatter/gather list counts, for tests that check a driver maps (or does
    /// not map) its frames.
    #[must_use]
    pub fn sg_list_counts(&self) -> SgListCounts {
        let objects = crate::machine::lock(&self.shared().host.objects);
        SgListCounts {
            allocated: objects.sg_lists_allocated,
            outstanding: objects.sg_lists.len(),
        }
    }
}

/// A scatter/gather list the driver has not freed (`NdisMAllocateNetBufferSGList` without its
/// `NdisMFreeNetBufferSGList`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SgListAllocation {
    /// The `SCATTER_GATHER_LIST` address the driver was given.
    pub list: usize,
    /// The `NdisMiniportDmaHandle` it was allocated with.
    pub dma: usize,
    /// The adapter handle that registered that DMA.
    pub owner: usize,
    /// The `NET_BUFFER` it maps.
    pub net_buffer: usize,
    /// Bytes mapped (the `NET_BUFFER`'s `DataLength`).
    pub len: usize,
    /// Where the driver allocated it.
    pub location: &'static Location<'static>,
}

/// An `NdisWriteErrorLogEntry` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorLogEntry {
    /// `NdisAdapterHandle`.
    pub handle: usize,
    /// `ErrorCode` (`NDIS_ERROR_CODE_*`).
    pub code: u32,
    /// The error values.
    pub values: Vec<u32>,
}

/// Every tracked object of a machine, by address.
#[derive(Debug, Default)]
pub(crate) struct Objects {
    pub(crate) live: FxHashMap<usize, Tracked>,
    /// Registry values a test set for an adapter: (owner, keyword) → value.
    pub(crate) registry: FxHashMap<(usize, String), crate::host::ConfigValue>,
    pub(crate) work: VecDeque<Deferred>,
    /// Parameters read through a configuration handle: (handle, parameter address).
    pub(crate) parameters: Vec<(usize, usize)>,
    /// Their string buffers: (handle, buffer address, length in bytes).
    pub(crate) strings: Vec<(usize, usize, u16)>,
    /// Scatter/gather lists not yet freed, by list address.
    pub(crate) sg_lists: FxHashMap<usize, SgList>,
    /// Scatter/gather lists allocated since the machine started.
    pub(crate) sg_lists_allocated: u64,
    /// `MiniportProcessSGList` runs later, from the deferred work, instead of inside
    /// `NdisMAllocateNetBufferSGList` ([`crate::Machine::defer_sg_lists`]).
    pub(crate) defer_sg_lists: bool,
    pub(crate) error_log: Vec<ErrorLogEntry>,
    /// Per owner: where an `NdisMAllocateSharedMemory` failed in `MiniportInitializeEx` with no
    /// `NdisWriteErrorLogEntry` since.
    pub(crate) unlogged_failure: FxHashMap<usize, &'static Location<'static>>,
    next_fake_address: usize,
}

impl Objects {
    /// A fresh non-null address for an object whose memory the simulator does not hand out.
    pub(crate) fn fake_address(&mut self) -> usize {
        self.next_fake_address += 0x10;
        0x7FFF_0000_0000 + self.next_fake_address
    }

    /// The objects of `owner` (or of every owner) matching `f`.
    pub(crate) fn of(
        &self,
        owner: Option<usize>,
        f: impl Fn(&Kind) -> bool,
    ) -> Vec<(usize, Tracked)> {
        let mut out: Vec<(usize, Tracked)> = self
            .live
            .iter()
            .filter(|(_, t)| owner.is_none_or(|o| o == t.owner) && f(&t.kind))
            .map(|(&a, t)| (a, t.clone()))
            .collect();
        out.sort_by_key(|(a, _)| *a);
        out
    }
}

/// Whose generic objects the Halt check looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GenericScope {
    /// None (another adapter of the driver is still up).
    Skip,
    /// Those of this driver object (its last adapter halts).
    Driver(usize),
    /// Every driver's (an adapter the host does not drive).
    All,
}

/// One line per object, for a violation's detail.
fn list(objects: &[(usize, Tracked)]) -> String {
    objects
        .iter()
        .map(|(a, t)| format!("{a:#x} (from {})", t.location))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The lifetime rules checked when `MiniportHaltEx` of `owner` returned (or Initialize failed):
/// configuration handles ([`Rule::NdisOpenConfigurationEx`]), work items
/// ([`Rule::InitNdisAllocateIoWorkItem`]), `NET_BUFFER`s ([`Rule::NdisAllocateNetBuffer`]),
/// I/O ports ([`Rule::NdisMRegisterIoPortRange`]), `NET_BUFFER` pools ([`Rule::LeakAtHalt`]),
/// and generic objects ([`Rule::NdisAllocateGenericObject`]) of the driver object `generic`
/// names.
pub(crate) fn check_halted(
    cpu: &Cpu,
    owner: usize,
    generic: GenericScope,
    location: &'static Location<'static>,
) {
    let objects = crate::machine::lock(&cpu.shared.host.objects);
    let config = objects.of(Some(owner), |k| *k == Kind::Config);
    let work = objects.of(Some(owner), |k| matches!(k, Kind::WorkItem { .. }));
    let nbs = objects.of(Some(owner), |k| matches!(k, Kind::NetBuffer { .. }));
    let ports = objects.of(Some(owner), |k| matches!(k, Kind::IoPorts { .. }));
    let pools = objects.of(Some(owner), |k| *k == Kind::NetBufferPool);
    let generic = objects.of(None, |k| match (k, generic) {
        (Kind::GenericObject { .. }, GenericScope::All) => true,
        (Kind::GenericObject { driver_object }, GenericScope::Driver(d)) => *driver_object == d,
        _ => false,
    });
    drop(objects);
    let checks = [
        (
            Rule::NdisOpenConfigurationEx,
            "configuration handle(s) still open",
            config,
        ),
        (
            Rule::InitNdisAllocateIoWorkItem,
            "I/O work item(s) not freed",
            work,
        ),
        (Rule::NdisAllocateNetBuffer, "NET_BUFFER(s) not freed", nbs),
        (
            Rule::NdisMRegisterIoPortRange,
            "I/O port range(s) still registered",
            ports,
        ),
        (Rule::LeakAtHalt, "NET_BUFFER pool(s) not freed", pools),
        (
            Rule::NdisAllocateGenericObject,
            "generic object(s) not freed",
            generic,
        ),
    ];
    for (rule, what, found) in checks {
        if !found.is_empty() {
            violation(
                cpu,
                rule,
                location,
                format!("{what} when MiniportHaltEx returns: {}", list(&found)),
            );
        }
    }
}

/// Runs the deferred work queued so far (work items at `PASSIVE_LEVEL`, shared-memory
/// completions at `DISPATCH_LEVEL`), each on a processor drawn from the seed. From the test
/// thread or the host's returner thread, never from a processor.
pub(crate) fn run_deferred(machine: &crate::Machine) {
    loop {
        let next = crate::machine::lock(&machine.shared().host.objects)
            .work
            .pop_front();
        let Some(work) = next else {
            return;
        };
        let cpu = crate::machine::lock(&machine.shared().rng).below(machine.processors());
        match work {
            Deferred::WorkItem {
                item,
                routine,
                context,
            } => {
                if let Some(Tracked {
                    kind: Kind::WorkItem { queued },
                    ..
                }) = crate::machine::lock(&machine.shared().host.objects)
                    .live
                    .get_mut(&item)
                {
                    *queued = false;
                }
                machine.run_on(cpu, move || {
                    // SAFETY: the driver queued this NDIS_IO_WORKITEM_ROUTINE with this context
                    // and item, to be called once at PASSIVE_LEVEL.
                    unsafe {
                        routine(
                            context as crate::sys::PVOID,
                            item as crate::sys::NDIS_HANDLE,
                        );
                    };
                });
            }
            Deferred::SharedMemory {
                handler,
                adapter_context,
                virt,
                phys,
                len,
                context,
            } => {
                machine.run_on(cpu, move || {
                    let me =
                        crate::machine::processor::current("MiniportSharedMemoryAllocateComplete");
                    let old = me.irql();
                    me.set_irql(crate::machine::processor::DISPATCH);
                    let mut pa = crate::sys::NDIS_PHYSICAL_ADDRESS {
                        QuadPart: phys.cast_signed(),
                    };
                    // SAFETY: the driver registered this handler for the completion of its
                    // NdisMAllocateSharedMemoryAsyncEx, called once at DISPATCH_LEVEL with the
                    // adapter's context, the memory (null on failure) and its context.
                    unsafe {
                        handler(
                            adapter_context as crate::sys::NDIS_HANDLE,
                            virt as crate::sys::PVOID,
                            &raw mut pa,
                            len,
                            context as crate::sys::PVOID,
                        );
                    };
                    crate::machine::processor::lower_irql(&me, old);
                });
            }
            Deferred::SgList {
                process,
                list,
                context,
            } => {
                machine.run_on(cpu, move || {
                    let me = crate::machine::processor::current("MiniportProcessSGList");
                    let old = me.irql();
                    me.set_irql(crate::machine::processor::DISPATCH);
                    // SAFETY: the driver registered this MINIPORT_PROCESS_SG_LIST handler and
                    // asked for this list with this context; it is called once, at
                    // DISPATCH_LEVEL, and the list lives until the driver frees it.
                    unsafe {
                        process(
                            core::ptr::null_mut(),
                            core::ptr::null_mut(),
                            list as crate::sys::PSCATTER_GATHER_LIST,
                            context as crate::sys::PVOID,
                        );
                    };
                    crate::machine::processor::lower_irql(&me, old);
                });
            }
        }
    }
}

/// A NULL an allocating DDI returned to the driver on this processor: the `NullCheck` fault
/// handler names it if the driver then dereferences near NULL.
pub(crate) fn returned_null(cpu: &Cpu, api: &str, location: &'static Location<'static>) {
    crate::host::null_check::returned_null(cpu, api, location);
}
