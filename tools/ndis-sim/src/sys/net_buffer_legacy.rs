// `NET_BUFFER_DATA` and `NET_BUFFER_HEADER` (`ndis/nbl.h`, legacy names kept for source
// compatibility): the one definition both builds use. `net_buffer.rs` (the simulator) and
// `driver/sys/kernel.rs` (the kernel build) include this very file.
//
// C declares a member of each by its type name alone (`NET_BUFFER_DATA_LENGTH;` and
// `NET_BUFFER_DATA;`), an MS extension bindgen drops: its `NET_BUFFER_HEADER` would be a
// 16-byte union instead of 48 bytes. So the kernel build blocklists both
// (`build_ndis_bindgen.rs`) and these are the header's own C++ declarations, which name those
// members `NbDataLength` and `NetBufferData`. Their ABI facts come from clang's record layout
// dump of the real headers, as C and as C++, which must agree (`tools/kernel-check`,
// `record_layout.rs`); `tests/abi_facts.rs` compares this file's layout and field types with
// them, so a moved or retyped member here fails `cargo test` for both builds at once.
//
// The includer brings `NET_BUFFER`, `MDL`, `ULONG`, `_NET_BUFFER_DATA_LENGTH`, `_SLIST_HEADER`
// and `NET_BUFFER`'s generated head types into scope (no `use` of the sys items here, so
// `include!` works on both sides).

/// `NET_BUFFER_DATA`: the first members of a `NET_BUFFER` as a named structure, 48 bytes.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-_net_buffer>
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _NET_BUFFER_DATA {
    /// The next `NET_BUFFER` of the list.
    pub Next: *mut NET_BUFFER,
    /// The MDL holding `DataOffset`.
    pub CurrentMdl: *mut MDL,
    /// Offset of the data in `CurrentMdl`.
    pub CurrentMdlOffset: ULONG,
    /// `DataLength` / `stDataLength` (C: the anonymous `NET_BUFFER_DATA_LENGTH` member).
    pub NbDataLength: _NET_BUFFER_DATA_LENGTH,
    /// The first MDL.
    pub MdlChain: *mut MDL,
    /// Offset of the data from the start of `MdlChain`.
    pub DataOffset: ULONG,
}
/// `NET_BUFFER_DATA`.
pub type NET_BUFFER_DATA = _NET_BUFFER_DATA;
/// `PNET_BUFFER_DATA`.
pub type PNET_BUFFER_DATA = *mut NET_BUFFER_DATA;

/// `NET_BUFFER_HEADER`: a `NET_BUFFER`'s first union as a named type, 48 bytes, 16-aligned
/// (the `SLIST_HEADER`'s alignment).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-_net_buffer>
#[repr(C)]
#[derive(Clone, Copy)]
pub union _NET_BUFFER_HEADER {
    /// The `NET_BUFFER_DATA` view (C: the anonymous `NET_BUFFER_DATA` member).
    pub NetBufferData: _NET_BUFFER_DATA,
    /// The pool's free-list link.
    pub Link: _SLIST_HEADER,
}
/// `NET_BUFFER_HEADER`.
pub type NET_BUFFER_HEADER = _NET_BUFFER_HEADER;
/// `PNET_BUFFER_HEADER`.
pub type PNET_BUFFER_HEADER = *mut NET_BUFFER_HEADER;

// `NET_BUFFER_DATA` is, member for member, the anonymous structure at the head of `NET_BUFFER`
// (`ndis/nbl.h` declares both), which bindgen does generate, and checks against clang's layout
// in the kernel build (layout tests on). So each build checks this hand definition against its
// own generated one at compile time, with no number written here: a moved member fails the
// kernel build as well as the facts test.
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    type Head = _NET_BUFFER__bindgen_ty_1__bindgen_ty_1;
    type HeadUnion = _NET_BUFFER__bindgen_ty_1;
    assert!(size_of::<_NET_BUFFER_DATA>() == size_of::<Head>());
    assert!(align_of::<_NET_BUFFER_DATA>() == align_of::<Head>());
    assert!(offset_of!(_NET_BUFFER_DATA, Next) == offset_of!(Head, Next));
    assert!(offset_of!(_NET_BUFFER_DATA, CurrentMdl) == offset_of!(Head, CurrentMdl));
    assert!(offset_of!(_NET_BUFFER_DATA, CurrentMdlOffset) == offset_of!(Head, CurrentMdlOffset));
    assert!(offset_of!(_NET_BUFFER_DATA, NbDataLength) == offset_of!(Head, __bindgen_anon_1));
    assert!(offset_of!(_NET_BUFFER_DATA, MdlChain) == offset_of!(Head, MdlChain));
    assert!(offset_of!(_NET_BUFFER_DATA, DataOffset) == offset_of!(Head, DataOffset));
    // `NET_BUFFER_HEADER` is the union at the head of `NET_BUFFER` minus its anonymous view.
    assert!(size_of::<_NET_BUFFER_HEADER>() == size_of::<HeadUnion>());
    assert!(align_of::<_NET_BUFFER_HEADER>() == align_of::<HeadUnion>());
};
