//! Hand-built `NET_BUFFER_LIST` / `NET_BUFFER` / `MDL` chains for the miniport's unit tests:
//! the same structures NDIS hands the driver, owned by the test (no pool, no simulator), with
//! the MDLs marked as nonpaged so `MmGetSystemAddressForMdlSafe` reads `MappedSystemVa`
//! without a mapping call. (Unmapped MDLs need the simulator's `MmMapLockedPagesSpecifyCache`;
//! the integration tests cover them through the host's send chains.)

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ptr;

use crate::sys;

/// One frame as NDIS could describe it: `data` split over MDLs of the given sizes, starting
/// `offset` bytes into the first MDL (the NB's `CurrentMdlOffset` / `DataOffset`).
#[allow(
    clippy::vec_box,
    reason = "each structure keeps its address while the Vec grows: they point at each other"
)]
pub struct Frame {
    /// The NBL (boxed: its address is what the driver sees).
    pub nbl: Box<sys::NET_BUFFER_LIST>,
    nbs: Vec<Box<sys::NET_BUFFER>>,
    mdls: Vec<Box<sys::MDL>>,
    buffers: Vec<Vec<u8>>,
}

impl Frame {
    /// One NB holding `data`, preceded by `offset` bytes of other data in the first MDL, split
    /// into MDLs of `sizes` bytes (the last MDL takes what is left, if anything).
    pub fn new(data: &[u8], offset: usize, sizes: &[usize]) -> Self {
        let mut whole = alloc::vec![0xEE; offset];
        whole.extend_from_slice(data);
        let mut buffers = Vec::new();
        let mut rest = &whole[..];
        for &size in sizes {
            let n = size.min(rest.len());
            buffers.push(rest[..n].to_vec());
            rest = &rest[n..];
        }
        if !rest.is_empty() {
            buffers.push(rest.to_vec());
        }
        let mut frame = Self {
            nbl: Box::default(),
            nbs: Vec::new(),
            mdls: Vec::new(),
            buffers,
        };
        frame.link_mdls();
        let first = frame
            .mdls
            .first_mut()
            .map_or(ptr::null_mut(), |m| &raw mut **m);
        frame.push_nb(first, offset, data.len());
        frame
    }

    /// An NBL without any `NET_BUFFER`.
    pub fn empty() -> Self {
        Self {
            nbl: Box::default(),
            nbs: Vec::new(),
            mdls: Vec::new(),
            buffers: Vec::new(),
        }
    }

    /// Adds a second (third, ...) NB describing the same MDL chain.
    pub fn add_nb(&mut self, length: usize) {
        let first = self
            .mdls
            .first_mut()
            .map_or(ptr::null_mut(), |m| &raw mut **m);
        self.push_nb(first, 0, length);
    }

    /// Overrides the first NB's `DataLength` (to describe more data than the chain holds).
    pub fn set_length(&mut self, length: u32) {
        let nb: *mut sys::NET_BUFFER = &raw mut *self.nbs[0];
        // SAFETY: the test owns the NB.
        unsafe { sys::set_nb_data_length(nb, length) };
    }

    /// The NBL pointer the driver is given.
    pub fn ptr(&mut self) -> sys::PNET_BUFFER_LIST {
        &raw mut *self.nbl
    }

    /// The first NB.
    pub fn first_nb(&mut self) -> sys::PNET_BUFFER {
        &raw mut *self.nbs[0]
    }

    fn link_mdls(&mut self) {
        let flags = i16::try_from(sys::MDL_SOURCE_IS_NONPAGED_POOL).unwrap_or(0);
        for buffer in &mut self.buffers {
            let mut mdl = Box::<sys::MDL>::default();
            mdl.MdlFlags = flags;
            mdl.MappedSystemVa = buffer.as_mut_ptr().cast();
            mdl.ByteCount = u32::try_from(buffer.len()).unwrap_or(u32::MAX);
            self.mdls.push(mdl);
        }
        for i in 1..self.mdls.len() {
            let next: *mut sys::MDL = &raw mut *self.mdls[i];
            self.mdls[i - 1].Next = next;
        }
    }

    fn push_nb(&mut self, first: sys::PMDL, offset: usize, length: usize) {
        let mut nb = Box::<sys::NET_BUFFER>::default();
        let nb_ptr: *mut sys::NET_BUFFER = &raw mut *nb;
        {
            // SAFETY: plain data in the test's own NB (the header union's data view).
            let data = unsafe { &mut nb.__bindgen_anon_1.__bindgen_anon_1 };
            data.MdlChain = first;
            data.CurrentMdl = first;
            data.CurrentMdlOffset = u32::try_from(offset).unwrap_or(u32::MAX);
            data.DataOffset = data.CurrentMdlOffset;
        }
        // SAFETY: the test owns the NB.
        unsafe { sys::set_nb_data_length(nb_ptr, u32::try_from(length).unwrap_or(u32::MAX)) };
        if let Some(last) = self.nbs.last_mut() {
            // Writing a union field is safe (plain pointer data in the test's own NB).
            last.__bindgen_anon_1.__bindgen_anon_1.Next = nb_ptr;
        } else {
            self.nbl.__bindgen_anon_1.__bindgen_anon_1.FirstNetBuffer = nb_ptr;
        }
        self.nbs.push(nb);
    }
}
