//! `NET_BUFFER_LIST` bookkeeping: the NBL pools, pool NBLs and MDLs a driver allocates through
//! [`crate::sys`] (`NdisAllocateNetBufferListPool`, `NdisAllocateNetBufferAndNetBufferList`,
//! `NdisAllocateMdl`), and the host's ("protocol's") own send NBLs ([`FrameChain`]).
//!
//! Every object lives in one process-wide table keyed by its address, tagged with the machine
//! it belongs to. A table per machine would not do: the host calls [`nbl_id`],
//! [`free_host_nbl`] and [`is_pool_nbl`] with nothing but a pointer, possibly from a harness
//! thread that is no virtual processor, and an address identifies a live object process-wide.
//! Each machine's `Shared` holds a [`MachineObjects`]; its address is the machine's tag, and its
//! `Drop` frees whatever that machine's driver left allocated.
//!
//! Only the record types of leak reports are public (they appear in
//! [`AdapterLeaks`](crate::host::AdapterLeaks)); the rest is the crate-internal API the host
//! and `sys::nbl` use.

// The miniport host uses most of the chain API; `FrameChain::ids` and `nbl_id` only the tests.
#[cfg_attr(not(test), allow(dead_code))]
mod chain;

#[allow(unused_imports)] // `FrameChain` and `nbl_id` are read by the unit tests only.
pub(crate) use chain::{
    FrameChain, build_send_chain, build_send_chain_split, free_host_nbl, locate, mdl_flags,
    nb_fragments, nbl_id, read_nb_data, system_address,
};

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::Mutex;

use crate::machine::{Shared, lock};
use crate::sys::{
    _NET_BUFFER__bindgen_ty_1__bindgen_ty_1 as NbData,
    _NET_BUFFER_LIST__bindgen_ty_1__bindgen_ty_1 as NblLinks, NDIS_HANDLE, NET_BUFFER,
    NET_BUFFER_LIST, NET_BUFFER_LIST_POOL_PARAMETERS, PMDL, PNET_BUFFER_LIST,
};

/// An NBL pool not freed (`NdisAllocateNetBufferListPool` without `NdisFreeNetBufferListPool`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NblPoolAllocation {
    /// The pool handle the driver got.
    pub handle: usize,
    /// `PoolTag` of its parameters.
    pub tag: u32,
    /// How many NBLs allocated from it are not freed.
    pub outstanding_nbls: usize,
    /// The `NdisHandle` it was allocated with (the adapter handle).
    pub owner: usize,
    /// Where the driver allocated it.
    pub location: &'static Location<'static>,
}

/// A pool NBL not freed (`NdisAllocateNetBufferAndNetBufferList` without
/// `NdisFreeNetBufferList`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NblAllocation {
    /// The `NET_BUFFER_LIST` address.
    pub addr: usize,
    /// The pool it came from.
    pub pool: usize,
    /// Whether it is indicated to NDIS (the host) and not yet returned.
    pub indicated: bool,
    /// The owner of its pool.
    pub owner: usize,
    /// Where the driver allocated it.
    pub location: &'static Location<'static>,
}

/// An MDL not freed (`NdisAllocateMdl` without `NdisFreeMdl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdlAllocation {
    /// The MDL address.
    pub addr: usize,
    /// The virtual address it describes.
    pub virt: usize,
    /// Its length in bytes.
    pub len: usize,
    /// The `NdisHandle` it was allocated with.
    pub owner: usize,
    /// Where the driver allocated it.
    pub location: &'static Location<'static>,
}

/// A raw pointer to a heap block this module owns (made by `Box::into_raw`).
struct Raw<T>(*mut T);

// SAFETY: the blocks are plain data (NDIS structures and byte buffers) owned by the table; the
// raw pointers inside them are addresses the driver manages, never dereferenced by moving the
// block between threads. Every access to a block's contents goes through the table's lock or
// through a pointer the driver or host was given, as with the real NDIS.
unsafe impl<T> Send for Raw<T> {}

impl<T> Raw<T> {
    fn new(value: T) -> Self {
        Self(Box::into_raw(Box::new(value)))
    }

    fn addr(&self) -> usize {
        self.0 as usize
    }

    /// Frees the block.
    ///
    /// # Safety
    /// Nothing uses the block afterwards, and it is freed once (the caller removed it from the
    /// table under the lock).
    unsafe fn free(self) {
        // SAFETY: made by `Box::into_raw` in `new` and freed once (see the contract).
        drop(unsafe { Box::from_raw(self.0) });
    }
}

/// 16 bytes aligned to `MEMORY_ALLOCATION_ALIGNMENT`, the unit of NBL context areas.
#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
pub(crate) struct Align16(pub(crate) [u8; 16]);

/// The memory of a pool NBL: the `NET_BUFFER_LIST` and its preallocated `NET_BUFFER`.
#[repr(C)]
#[derive(Default)]
pub(crate) struct PoolNblBlock {
    pub(crate) nbl: NET_BUFFER_LIST,
    pub(crate) nb: NET_BUFFER,
}

struct Pool {
    machine: usize,
    owner: usize,
    params: NET_BUFFER_LIST_POOL_PARAMETERS,
    location: &'static Location<'static>,
    /// The handle is the address of this block (the simulator's pool object).
    object: Raw<u64>,
    outstanding: usize,
}

struct PoolNbl {
    machine: usize,
    pool: usize,
    owner: usize,
    location: &'static Location<'static>,
    indicated: bool,
    block: Raw<PoolNblBlock>,
    /// The `NET_BUFFER_LIST_CONTEXT` area, when one was asked for.
    context: Option<Raw<Vec<Align16>>>,
}

struct DriverMdl {
    machine: usize,
    owner: usize,
    virt: usize,
    len: usize,
    location: &'static Location<'static>,
    mdl: Raw<crate::sys::MDL>,
}

struct Tables {
    pools: BTreeMap<usize, Pool>,
    nbls: BTreeMap<usize, PoolNbl>,
    mdls: BTreeMap<usize, DriverMdl>,
    /// Host-built NBLs (address → id).
    #[cfg_attr(not(test), allow(dead_code))]
    host: BTreeMap<usize, u64>,
    #[cfg_attr(not(test), allow(dead_code))]
    next_host_id: u64,
}

static TABLES: Mutex<Tables> = Mutex::new(Tables {
    pools: BTreeMap::new(),
    nbls: BTreeMap::new(),
    mdls: BTreeMap::new(),
    host: BTreeMap::new(),
    next_host_id: 1,
});

/// The per-machine anchor of the NBL tables: its address tags the machine's objects, and
/// dropping it (with the machine) frees what the machine's driver left allocated.
#[derive(Default)]
pub(crate) struct MachineObjects {
    /// Not zero-sized, so that its address is its own.
    _anchor: u8,
}

impl MachineObjects {
    fn id(&self) -> usize {
        core::ptr::from_ref(self) as usize
    }
}

impl Drop for MachineObjects {
    fn drop(&mut self) {
        let id = self.id();
        let mut t = lock(&TABLES);
        let pools: Vec<usize> = keys_of(&t.pools, |p| p.machine == id);
        let nbls: Vec<usize> = keys_of(&t.nbls, |n| n.machine == id);
        let mdls: Vec<usize> = keys_of(&t.mdls, |m| m.machine == id);
        for k in pools {
            if let Some(p) = t.pools.remove(&k) {
                // SAFETY: removed from the table under its lock; the machine (and its driver)
                // are gone, so nothing uses the pool object.
                unsafe { p.object.free() };
            }
        }
        for k in nbls {
            if let Some(n) = t.nbls.remove(&k) {
                free_pool_nbl(n);
            }
        }
        for k in mdls {
            if let Some(m) = t.mdls.remove(&k) {
                // SAFETY: removed from the table under its lock, so freed once; the machine
                // (and its driver) are gone, so nothing uses the MDL.
                unsafe { m.mdl.free() };
            }
        }
    }
}

fn keys_of<V>(map: &BTreeMap<usize, V>, f: impl Fn(&V) -> bool) -> Vec<usize> {
    map.iter().filter(|(_, v)| f(v)).map(|(k, _)| *k).collect()
}

fn free_pool_nbl(n: PoolNbl) {
    // SAFETY: the entry was removed from the table under its lock, so the block is freed once;
    // the driver gave it back (NdisFreeNetBufferList) or its machine is gone.
    unsafe { n.block.free() };
    if let Some(c) = n.context {
        // SAFETY: the context area belongs to the entry removed from the table under its
        // lock, so it is freed once, with its NBL block just freed above.
        unsafe { c.free() };
    }
}

/// The `{ Next, FirstNetBuffer }` view of an NBL's header union (what the
/// `NET_BUFFER_LIST_NEXT_NBL` / `NET_BUFFER_LIST_FIRST_NB` macros use).
pub(crate) fn nbl_links(nbl: &mut NET_BUFFER_LIST) -> &mut NblLinks {
    // SAFETY: both members of the union are plain data (pointers or integers) of the same
    // size, so every bit pattern is a valid `NblLinks`.
    unsafe { &mut nbl.__bindgen_anon_1.__bindgen_anon_1 }
}

/// The `NET_BUFFER_DATA` view of a `NET_BUFFER`'s header union (what the `NET_BUFFER_*` macros
/// use).
pub(crate) fn nb_data(nb: &mut NET_BUFFER) -> &mut NbData {
    // SAFETY: the members of the NET_BUFFER header union (the `NET_BUFFER_DATA` view and the
    // `SLIST_HEADER` link) are plain data (pointers and integers), so every bit pattern is a
    // valid `NbData`; the `&mut` borrows `nb` exclusively.
    unsafe { &mut nb.__bindgen_anon_1.__bindgen_anon_1 }
}

/// A copy of the `NET_BUFFER_DATA` view (see [`nb_data`]).
pub(crate) fn nb_data_of(nb: &NET_BUFFER) -> NbData {
    // SAFETY: the union's members are plain data, so reading a copy of the `NET_BUFFER_DATA`
    // view is valid whatever was written through the other member.
    unsafe { nb.__bindgen_anon_1.__bindgen_anon_1 }
}

/// `NET_BUFFER_DATA_LENGTH`: the `ULONG` member of the length union.
pub(crate) fn data_length(data: &NbData) -> u32 {
    // SAFETY: both members are integers; the `ULONG` is the low half on little-endian x64.
    unsafe { data.__bindgen_anon_1.DataLength }
}

/// The tag of `shared`'s machine in the tables.
pub(crate) fn machine_id(shared: &Shared) -> usize {
    shared.nbl.id()
}

// ------------------------------------------------------------------------------------------
// Pools
// ------------------------------------------------------------------------------------------

/// Registers a new pool for `owner` and returns its handle.
pub(crate) fn create_pool(
    machine: usize,
    owner: usize,
    params: NET_BUFFER_LIST_POOL_PARAMETERS,
    location: &'static Location<'static>,
) -> usize {
    let object = Raw::new(0x6E64_6973_4E42_4C50_u64);
    let handle = object.addr();
    lock(&TABLES).pools.insert(
        handle,
        Pool {
            machine,
            owner,
            params,
            location,
            object,
            outstanding: 0,
        },
    );
    handle
}

/// Why a pool could not be freed.
#[derive(Debug)]
pub(crate) enum PoolFreeError {
    /// No live pool has that handle.
    Unknown,
    /// NBLs allocated from it are still allocated (where each was allocated).
    Outstanding(Vec<&'static Location<'static>>),
}

/// Frees pool `handle` if it has no NBLs outstanding (else nothing is freed).
pub(crate) fn free_pool(handle: usize) -> Result<(), PoolFreeError> {
    let mut t = lock(&TABLES);
    let Some(pool) = t.pools.get(&handle) else {
        return Err(PoolFreeError::Unknown);
    };
    if pool.outstanding > 0 {
        let at = t
            .nbls
            .values()
            .filter(|n| n.pool == handle)
            .map(|n| n.location)
            .collect();
        return Err(PoolFreeError::Outstanding(at));
    }
    if let Some(p) = t.pools.remove(&handle) {
        // SAFETY: removed under the lock; the driver freed the pool and has no NBL from it.
        unsafe { p.object.free() };
    }
    Ok(())
}

/// The parameters and owner of pool `handle`, if it is live.
pub(crate) fn pool_info(handle: usize) -> Option<(NET_BUFFER_LIST_POOL_PARAMETERS, usize)> {
    lock(&TABLES)
        .pools
        .get(&handle)
        .map(|p| (p.params, p.owner))
}

// ------------------------------------------------------------------------------------------
// Pool NBLs
// ------------------------------------------------------------------------------------------

/// Registers a pool NBL built by `sys::NdisAllocateNetBufferAndNetBufferList`: takes the block
/// (and the context area) and returns the NBL pointer. `None` when the pool is gone.
pub(crate) fn add_pool_nbl(
    pool: usize,
    block: PoolNblBlock,
    context: Option<Vec<Align16>>,
    location: &'static Location<'static>,
) -> Option<PNET_BUFFER_LIST> {
    let mut t = lock(&TABLES);
    let p = t.pools.get_mut(&pool)?;
    p.outstanding += 1;
    let (machine, owner) = (p.machine, p.owner);
    let block = Raw::new(block);
    let context = context.map(Raw::new);
    if let Some(c) = &context {
        // The NBL points at its context area, as NDIS's does (`NET_BUFFER_LIST_CONTEXT`).
        // SAFETY: `c` is the vector just moved into a box this module owns; its buffer holds
        // at least one 16-byte unit (the header), and no other reference to it exists.
        let data = unsafe { (*c.0).as_mut_ptr() };
        // SAFETY: `block` was just made and is not shared yet.
        unsafe { (*block.0).nbl.Context = data.cast() };
    }
    let nbl = block.0.cast::<NET_BUFFER_LIST>();
    t.nbls.insert(
        nbl as usize,
        PoolNbl {
            machine,
            pool,
            owner,
            location,
            indicated: false,
            block,
            context,
        },
    );
    Some(nbl)
}

/// Why a pool NBL could not be freed.
#[derive(Debug)]
pub(crate) enum NblFreeError {
    /// Not an NBL allocated from a pool and not yet freed.
    Unknown,
    /// A host (protocol) NBL, sent to the driver: it is completed, not freed.
    Host(u64),
    /// Indicated to NDIS and not yet returned.
    Indicated(&'static Location<'static>),
}

/// Frees pool NBL `nbl` (nothing is freed on an error).
pub(crate) fn free_pool_nbl_at(nbl: usize) -> Result<(), NblFreeError> {
    let mut t = lock(&TABLES);
    if let Some(&id) = t.host.get(&nbl) {
        return Err(NblFreeError::Host(id));
    }
    let Some(n) = t.nbls.get(&nbl) else {
        return Err(NblFreeError::Unknown);
    };
    if n.indicated {
        return Err(NblFreeError::Indicated(n.location));
    }
    let Some(n) = t.nbls.remove(&nbl) else {
        return Err(NblFreeError::Unknown);
    };
    if let Some(p) = t.pools.get_mut(&n.pool) {
        p.outstanding -= 1;
    }
    drop(t);
    free_pool_nbl(n);
    Ok(())
}

/// Whether `nbl` is a live NBL allocated from an NBL pool (by any driver).
#[cfg_attr(not(test), allow(dead_code))] // Only the unit tests ask this.
pub(crate) fn is_pool_nbl(nbl: PNET_BUFFER_LIST) -> bool {
    lock(&TABLES).nbls.contains_key(&(nbl as usize))
}

/// The owner of a live pool NBL: the `NdisHandle` its pool was allocated with (the adapter
/// handle). `None` when `nbl` is not a live pool NBL.
#[cfg_attr(not(test), allow(dead_code))] // Only the unit tests ask this.
pub(crate) fn pool_nbl_owner(nbl: PNET_BUFFER_LIST) -> Option<NDIS_HANDLE> {
    lock(&TABLES)
        .nbls
        .get(&(nbl as usize))
        .map(|n| n.owner as NDIS_HANDLE)
}

/// Marks pool NBL `nbl` as indicated to NDIS (owned by NDIS until [`mark_returned`]):
/// `NdisFreeNetBufferList` of it is then a `ReceiveAccounting` violation. Returns false (and
/// marks nothing) when `nbl` is not a live pool NBL or is already marked.
pub(crate) fn mark_indicated(nbl: PNET_BUFFER_LIST) -> bool {
    match lock(&TABLES).nbls.get_mut(&(nbl as usize)) {
        Some(n) if !n.indicated => {
            n.indicated = true;
            true
        }
        _ => false,
    }
}

/// Clears the mark of [`mark_indicated`] (NDIS returned the NBL with
/// `MiniportReturnNetBufferLists`). Returns false when `nbl` is not a live pool NBL or was
/// not marked.
pub(crate) fn mark_returned(nbl: PNET_BUFFER_LIST) -> bool {
    match lock(&TABLES).nbls.get_mut(&(nbl as usize)) {
        Some(n) if n.indicated => {
            n.indicated = false;
            true
        }
        _ => false,
    }
}

/// Whether pool NBL `nbl` is marked indicated (owned by NDIS).
#[cfg_attr(not(test), allow(dead_code))] // Only the unit tests ask this.
pub(crate) fn is_indicated(nbl: PNET_BUFFER_LIST) -> bool {
    lock(&TABLES)
        .nbls
        .get(&(nbl as usize))
        .is_some_and(|n| n.indicated)
}

// ------------------------------------------------------------------------------------------
// MDLs
// ------------------------------------------------------------------------------------------

/// Registers an MDL built by `sys::NdisAllocateMdl` and returns its address.
pub(crate) fn add_mdl(
    machine: usize,
    owner: usize,
    mdl: crate::sys::MDL,
    location: &'static Location<'static>,
) -> PMDL {
    let virt = mdl.MappedSystemVa as usize;
    let len = mdl.ByteCount as usize;
    let mdl = Raw::new(mdl);
    let p = mdl.0;
    lock(&TABLES).mdls.insert(
        p as usize,
        DriverMdl {
            machine,
            owner,
            virt,
            len,
            location,
            mdl,
        },
    );
    p
}

/// Frees an MDL of [`add_mdl`]; false (nothing freed) when `mdl` is not a live one.
pub(crate) fn free_mdl(mdl: usize) -> bool {
    let Some(m) = lock(&TABLES).mdls.remove(&mdl) else {
        return false;
    };
    // SAFETY: removed under the lock; the driver gave the MDL back with NdisFreeMdl.
    unsafe { m.mdl.free() };
    true
}

// ------------------------------------------------------------------------------------------
// Leaks
// ------------------------------------------------------------------------------------------

/// What `owner` (every owner with `None`) of the machine of `shared` still holds: NBL pools,
/// pool NBLs (by the owner of their pool), MDLs; oldest address first.
pub(crate) fn outstanding_of(
    shared: &Shared,
    owner: Option<usize>,
) -> (
    Vec<NblPoolAllocation>,
    Vec<NblAllocation>,
    Vec<MdlAllocation>,
) {
    let machine = machine_id(shared);
    let mine = |m: usize, o: usize| m == machine && owner.is_none_or(|x| x == o);
    let t = lock(&TABLES);
    let pools = t
        .pools
        .iter()
        .filter(|(_, p)| mine(p.machine, p.owner))
        .map(|(&handle, p)| NblPoolAllocation {
            handle,
            tag: p.params.PoolTag,
            outstanding_nbls: p.outstanding,
            owner: p.owner,
            location: p.location,
        })
        .collect();
    let nbls = t
        .nbls
        .iter()
        .filter(|(_, n)| mine(n.machine, n.owner))
        .map(|(&addr, n)| NblAllocation {
            addr,
            pool: n.pool,
            indicated: n.indicated,
            owner: n.owner,
            location: n.location,
        })
        .collect();
    let mdls = t
        .mdls
        .iter()
        .filter(|(_, m)| mine(m.machine, m.owner))
        .map(|(&addr, m)| MdlAllocation {
            addr,
            virt: m.virt,
            len: m.len,
            owner: m.owner,
            location: m.location,
        })
        .collect();
    (pools, nbls, mdls)
}

// ------------------------------------------------------------------------------------------
// Host NBLs (used by `chain`)
// ------------------------------------------------------------------------------------------

/// Registers a host NBL at `addr` and returns its id (process-wide unique, from 1).
#[cfg_attr(not(test), allow(dead_code))] // Used by `chain`.
fn register_host(addr: usize) -> u64 {
    let mut t = lock(&TABLES);
    let id = t.next_host_id;
    t.next_host_id += 1;
    t.host.insert(addr, id);
    id
}

#[cfg_attr(not(test), allow(dead_code))] // Used by `chain`.
fn host_id(addr: usize) -> Option<u64> {
    lock(&TABLES).host.get(&addr).copied()
}

#[cfg_attr(not(test), allow(dead_code))] // Used by `chain`.
fn unregister_host(addr: usize) -> Option<u64> {
    lock(&TABLES).host.remove(&addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys;
    use crate::{Machine, Rule, VerifierMode};

    fn params() -> sys::NET_BUFFER_LIST_POOL_PARAMETERS {
        sys::NET_BUFFER_LIST_POOL_PARAMETERS {
            Header: sys::NDIS_OBJECT_HEADER {
                Type: 0x80,
                Revision: 1,
                Size: 16,
            },
            fAllocateNetBuffer: 1,
            PoolTag: u32::from_le_bytes(*b"rse1"),
            ..Default::default()
        }
    }

    /// The host's view of a driver's receive NBL: marks, owner, data, and the
    /// `ReceiveAccounting` check of a free while NDIS owns it.
    #[test]
    fn indicated_nbl_cannot_be_freed_until_returned() {
        let m = Machine::builder()
            .processors(1)
            .seed(3)
            .mode(VerifierMode::Collect)
            .build();
        let adapter = m.adapter_handle(1) as usize;
        m.run_on(0, move || {
            let frame: Vec<u8> = (0..64u8).collect();
            let mut p = params();
            // SAFETY: valid parameters.
            let pool = unsafe { sys::NdisAllocateNetBufferListPool(adapter as _, &raw mut p) };
            // SAFETY: `frame` outlives the MDL.
            let mdl =
                unsafe { sys::NdisAllocateMdl(adapter as _, frame.as_ptr().cast_mut().cast(), 64) };
            // SAFETY: a live pool and MDL.
            let nbl = unsafe { sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, mdl, 4, 60) };
            assert!(is_pool_nbl(nbl));
            assert_eq!(pool_nbl_owner(nbl), Some(adapter as NDIS_HANDLE));
            assert_eq!(nbl_id(nbl), None, "a pool NBL has no host id");
            // SAFETY: a live pool NBL.
            let nb = nbl_links(unsafe { &mut *nbl }).FirstNetBuffer;
            // SAFETY: a live NET_BUFFER over `frame`.
            assert_eq!(unsafe { read_nb_data(nb) }, frame[4..]);
            assert!(mark_indicated(nbl));
            assert!(!mark_indicated(nbl), "already indicated");
            assert!(is_indicated(nbl));
            // SAFETY: refused (NDIS owns it): nothing is freed.
            unsafe { sys::NdisFreeNetBufferList(nbl) };
            assert!(is_pool_nbl(nbl));
            assert!(mark_returned(nbl));
            assert!(!mark_returned(nbl), "not indicated any more");
            // SAFETY: returned; freed once.
            unsafe { sys::NdisFreeNetBufferList(nbl) };
            assert!(!is_pool_nbl(nbl));
            assert!(!mark_indicated(nbl), "freed NBLs cannot be marked");
            // SAFETY: no NBL uses them any more.
            unsafe { sys::NdisFreeMdl(mdl) };
            // SAFETY: empty pool.
            unsafe { sys::NdisFreeNetBufferListPool(pool) };
        });
        let found: Vec<Rule> = m.report().violations.iter().map(|v| v.rule).collect();
        assert_eq!(found, [Rule::ReceiveAccounting]);
        assert!(m.adapter_leaks(adapter as NDIS_HANDLE).is_empty());
    }

    #[test]
    fn a_driver_freeing_a_sent_nbl_is_a_bad_free() {
        let m = Machine::builder()
            .processors(1)
            .seed(5)
            .mode(VerifierMode::Collect)
            .build();
        let chain = build_send_chain(&[vec![1, 2, 3]], 5);
        let head = chain.head() as usize;
        m.run_on(0, move || {
            // SAFETY: refused (a host NBL is completed, not freed): nothing is freed.
            unsafe { sys::NdisFreeNetBufferList(head as PNET_BUFFER_LIST) };
        });
        let report = m.report();
        assert_eq!(report.violations.len(), 1, "{report}");
        assert_eq!(report.violations[0].rule, Rule::BadFree);
        assert!(
            report.violations[0]
                .detail
                .contains("NdisMSendNetBufferListsComplete")
        );
        assert_eq!(nbl_id(chain.head()), chain.ids().first().copied());
        // SAFETY: built above, still live (the driver's free was refused), freed once.
        unsafe { free_host_nbl(chain.head()) };
    }

    #[test]
    fn a_dropped_machine_frees_what_its_driver_leaked() {
        let m = Machine::builder()
            .processors(1)
            .seed(4)
            .mode(VerifierMode::Collect)
            .build();
        let adapter = m.adapter_handle(1) as usize;
        let nbl = m.run_on(0, move || {
            let mut p = params();
            // SAFETY: valid parameters.
            let pool = unsafe { sys::NdisAllocateNetBufferListPool(adapter as _, &raw mut p) };
            // SAFETY: a live pool, no MDL chain.
            let nbl = unsafe {
                sys::NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, core::ptr::null_mut(), 0, 0)
            };
            nbl as usize
        });
        assert!(is_pool_nbl(nbl as PNET_BUFFER_LIST));
        drop(m);
        assert!(!is_pool_nbl(nbl as PNET_BUFFER_LIST));
    }
}
