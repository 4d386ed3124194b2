//! Types and constants, as bindgen emits them for x64 `ndis.h` / `wdm.h` (`#define`s become
//! `u32` constants; typedefs become type aliases; structs are `#[repr(C)]` with the C names).

use core::ffi::c_void;

use super::capabilities::PIO_INTERRUPT_MESSAGE_INFO;

/// C `unsigned long` of the Windows (LLP64) ABI, 32 bits, as bindgen spells it for `_GUID`
/// (`::core::ffi::c_ulong` in the kernel build). Not `core::ffi::c_ulong`, which is 64 bits on
/// a Linux host.
pub type c_ulong = u32;
/// C `unsigned short`.
pub type c_ushort = u16;
/// C `unsigned char`.
pub type c_uchar = u8;
/// `UCHAR`.
pub type UCHAR = u8;
/// `USHORT`.
pub type USHORT = u16;
/// `ULONG` (32 bits on Windows, also on x64).
pub type ULONG = u32;
/// `LONG`.
pub type LONG = i32;
/// `ULONG_PTR` (x64).
pub type ULONG_PTR = u64;
/// `BOOLEAN`.
pub type BOOLEAN = UCHAR;
/// `PVOID`.
pub type PVOID = *mut c_void;
/// `PBOOLEAN`.
pub type PBOOLEAN = *mut BOOLEAN;
/// `PULONG`.
pub type PULONG = *mut ULONG;
/// `KIRQL`.
pub type KIRQL = UCHAR;
/// `PKIRQL`.
pub type PKIRQL = *mut KIRQL;
/// `KSPIN_LOCK`: <https://learn.microsoft.com/windows-hardware/drivers/kernel/introduction-to-spin-locks>
pub type KSPIN_LOCK = ULONG_PTR;
/// `PKSPIN_LOCK`.
pub type PKSPIN_LOCK = *mut KSPIN_LOCK;
/// `KAFFINITY`.
pub type KAFFINITY = ULONG_PTR;
/// `NTSTATUS`.
pub type NTSTATUS = LONG;
/// `NDIS_STATUS`.
pub type NDIS_STATUS = i32;
/// `NDIS_HANDLE`.
pub type NDIS_HANDLE = PVOID;
/// `PNDIS_HANDLE`.
pub type PNDIS_HANDLE = *mut NDIS_HANDLE;

/// `TRUE`.
pub const TRUE: u32 = 1;
/// `FALSE`.
pub const FALSE: u32 = 0;
/// `PASSIVE_LEVEL`.
pub const PASSIVE_LEVEL: u32 = 0;
/// `APC_LEVEL`.
pub const APC_LEVEL: u32 = 1;
/// `DISPATCH_LEVEL`.
pub const DISPATCH_LEVEL: u32 = 2;
/// `HIGH_LEVEL` (x64).
pub const HIGH_LEVEL: u32 = 15;

/// `NDIS_STATUS_SUCCESS`.
pub const NDIS_STATUS_SUCCESS: NDIS_STATUS = 0;
/// `NDIS_STATUS_FAILURE`.
pub const NDIS_STATUS_FAILURE: NDIS_STATUS = 0xC000_0001_u32.cast_signed();
/// `NDIS_STATUS_RESOURCES`.
pub const NDIS_STATUS_RESOURCES: NDIS_STATUS = 0xC000_009A_u32.cast_signed();

/// `NDIS_SPIN_LOCK`: the lock word and the IRQL `NdisAcquireSpinLock` raised from.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatespinlock>
#[repr(C)]
#[derive(Debug, Default)]
pub struct _NDIS_SPIN_LOCK {
    /// The `KSPIN_LOCK`.
    pub SpinLock: KSPIN_LOCK,
    /// The IRQL before `NdisAcquireSpinLock`, restored by `NdisReleaseSpinLock`.
    pub OldIrql: KIRQL,
}
/// `NDIS_SPIN_LOCK`.
pub type NDIS_SPIN_LOCK = _NDIS_SPIN_LOCK;
/// `PNDIS_SPIN_LOCK`.
pub type PNDIS_SPIN_LOCK = *mut _NDIS_SPIN_LOCK;

/// `NDIS_OBJECT_HEADER`.
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/objectheader/ns-objectheader-ndis_object_header>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _NDIS_OBJECT_HEADER {
    /// `NDIS_OBJECT_TYPE_*`.
    pub Type: UCHAR,
    /// Structure revision.
    pub Revision: UCHAR,
    /// Structure size.
    pub Size: USHORT,
}
/// `NDIS_OBJECT_HEADER`.
pub type NDIS_OBJECT_HEADER = _NDIS_OBJECT_HEADER;

/// `NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT` (`ndis.h`: 0x84).
pub const NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT: u32 = 0x84;
/// `NDIS_MINIPORT_INTERRUPT_REVISION_1`.
pub const NDIS_MINIPORT_INTERRUPT_REVISION_1: u32 = 1;

/// `MINIPORT_ISR`:
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>
pub type MINIPORT_ISR_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PBOOLEAN, PULONG) -> BOOLEAN>;
/// `MINIPORT_INTERRUPT_DPC`:
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_interrupt_dpc>
pub type MINIPORT_INTERRUPT_DPC_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE, PVOID, PVOID, PVOID)>;
/// `MINIPORT_DISABLE_INTERRUPT`.
pub type MINIPORT_DISABLE_INTERRUPT_HANDLER = Option<unsafe extern "C" fn(NDIS_HANDLE)>;
/// `MINIPORT_ENABLE_INTERRUPT`.
pub type MINIPORT_ENABLE_INTERRUPT_HANDLER = Option<unsafe extern "C" fn(NDIS_HANDLE)>;
/// `MINIPORT_SYNCHRONIZE_INTERRUPT`:
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_synchronize_interrupt>
pub type MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER =
    Option<unsafe extern "C" fn(NDIS_HANDLE) -> BOOLEAN>;

/// `NDIS_INTERRUPT_TYPE`.
pub type NDIS_INTERRUPT_TYPE = i32;
/// `NDIS_CONNECT_LINE_BASED`.
pub const NDIS_CONNECT_LINE_BASED: NDIS_INTERRUPT_TYPE = 1;

/// `MINIPORT_MESSAGE_INTERRUPT` (`MiniportMessageInterrupt`, an MSI ISR).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_message_interrupt>
pub type MINIPORT_MESSAGE_INTERRUPT =
    Option<unsafe extern "C" fn(NDIS_HANDLE, ULONG, PBOOLEAN, PULONG) -> BOOLEAN>;
/// `MINIPORT_MSI_ISR_HANDLER`.
pub type MINIPORT_MSI_ISR_HANDLER = MINIPORT_MESSAGE_INTERRUPT;
/// `MINIPORT_MESSAGE_INTERRUPT_DPC` (`MiniportMessageInterruptDPC`).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_message_interrupt_dpc>
pub type MINIPORT_MESSAGE_INTERRUPT_DPC =
    Option<unsafe extern "C" fn(NDIS_HANDLE, ULONG, PVOID, PVOID, PVOID)>;
/// `MINIPORT_MSI_INTERRUPT_DPC_HANDLER`.
pub type MINIPORT_MSI_INTERRUPT_DPC_HANDLER = MINIPORT_MESSAGE_INTERRUPT_DPC;
/// `MINIPORT_DISABLE_MESSAGE_INTERRUPT`.
pub type MINIPORT_DISABLE_MESSAGE_INTERRUPT = Option<unsafe extern "C" fn(NDIS_HANDLE, ULONG)>;
/// `MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER`.
pub type MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER = MINIPORT_DISABLE_MESSAGE_INTERRUPT;
/// `MINIPORT_ENABLE_MESSAGE_INTERRUPT`.
pub type MINIPORT_ENABLE_MESSAGE_INTERRUPT = Option<unsafe extern "C" fn(NDIS_HANDLE, ULONG)>;
/// `MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER`.
pub type MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER = MINIPORT_ENABLE_MESSAGE_INTERRUPT;

/// `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS`. The MSI members are `None`/null here (the
/// 82540EM has no MSI).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_interrupt_characteristics>
#[repr(C)]
#[derive(Debug)]
pub struct _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    /// Type `NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// `MiniportInterrupt`.
    pub InterruptHandler: MINIPORT_ISR_HANDLER,
    /// `MiniportInterruptDPC`.
    pub InterruptDpcHandler: MINIPORT_INTERRUPT_DPC_HANDLER,
    /// `MiniportDisableInterruptEx`.
    pub DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT_HANDLER,
    /// `MiniportEnableInterruptEx`.
    pub EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT_HANDLER,
    /// MSI supported (FALSE here).
    pub MsiSupported: BOOLEAN,
    /// MSI synchronisation with all messages.
    pub MsiSyncWithAllMessages: BOOLEAN,
    /// MSI ISR (unused).
    pub MessageInterruptHandler: MINIPORT_MSI_ISR_HANDLER,
    /// MSI DPC (unused).
    pub MessageInterruptDpcHandler: MINIPORT_MSI_INTERRUPT_DPC_HANDLER,
    /// MSI disable (unused).
    pub DisableMessageInterruptHandler: MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER,
    /// MSI enable (unused).
    pub EnableMessageInterruptHandler: MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER,
    /// Out: the interrupt type NDIS connected (`NDIS_CONNECT_LINE_BASED` here).
    pub InterruptType: NDIS_INTERRUPT_TYPE,
    /// Out: MSI message table (null here).
    pub MessageInfoTable: PIO_INTERRUPT_MESSAGE_INFO,
}
/// All zero, as bindgen's `derive_default` produces (the pointers null, the handlers `None`).
impl Default for _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    fn default() -> Self {
        Self {
            Header: NDIS_OBJECT_HEADER::default(),
            InterruptHandler: None,
            InterruptDpcHandler: None,
            DisableInterruptHandler: None,
            EnableInterruptHandler: None,
            MsiSupported: 0,
            MsiSyncWithAllMessages: 0,
            MessageInterruptHandler: None,
            MessageInterruptDpcHandler: None,
            DisableMessageInterruptHandler: None,
            EnableMessageInterruptHandler: None,
            InterruptType: 0,
            MessageInfoTable: core::ptr::null_mut(),
        }
    }
}
/// `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS`.
pub type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;
/// `PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS`.
pub type PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = *mut _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;

/// `GROUP_AFFINITY`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct _GROUP_AFFINITY {
    /// Processors in the group.
    pub Mask: KAFFINITY,
    /// The group (only 0 exists here).
    pub Group: USHORT,
    /// Reserved.
    pub Reserved: [USHORT; 3],
}
/// `GROUP_AFFINITY`.
pub type GROUP_AFFINITY = _GROUP_AFFINITY;
/// `PGROUP_AFFINITY`.
pub type PGROUP_AFFINITY = *mut _GROUP_AFFINITY;

/// `NDIS_RECEIVE_THROTTLE_PARAMETERS`, what the `ReceiveThrottleParameters` argument of
/// `MiniportInterruptDPC` points to (NDIS 6.20+).
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_receive_throttle_parameters>
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
#[allow(
    clippy::pub_underscore_fields,
    reason = "the field names bindgen gives a bit-field unit and its padding"
)]
pub struct _NDIS_RECEIVE_THROTTLE_PARAMETERS {
    /// How many NBLs the DPC may indicate.
    pub MaxNblsToIndicate: ULONG,
    /// `ULONG MoreNblsPending : 1`: out, set when more are pending
    /// ([`Self::MoreNblsPending`], [`Self::set_MoreNblsPending`]).
    pub _bitfield_1: __BindgenBitfieldUnit<[u8; 1]>,
    /// The rest of the `ULONG` the bit field is declared in.
    pub __bindgen_padding_0: [u8; 3],
}
#[allow(
    clippy::used_underscore_binding,
    reason = "bindgen's name for the bit-field unit the accessors read"
)]
impl _NDIS_RECEIVE_THROTTLE_PARAMETERS {
    /// The `MoreNblsPending` bit.
    #[must_use]
    pub fn MoreNblsPending(&self) -> ULONG {
        ULONG::from(self._bitfield_1.get_bit(0))
    }
    /// Sets the `MoreNblsPending` bit to the low bit of `val`.
    pub fn set_MoreNblsPending(&mut self, val: ULONG) {
        self._bitfield_1.set_bit(0, val & 1 != 0);
    }
}
/// `NDIS_RECEIVE_THROTTLE_PARAMETERS`.
pub type NDIS_RECEIVE_THROTTLE_PARAMETERS = _NDIS_RECEIVE_THROTTLE_PARAMETERS;
/// `NDIS_INDICATE_ALL_NBLS` (no limit): ndis.h defines it as `(~0ul)`, which bindgen emits as
/// the `i32` -1; compare it with `MaxNblsToIndicate` (a `ULONG`) through `cast_unsigned`.
pub const NDIS_INDICATE_ALL_NBLS: i32 = -1;

/// The storage of C bit fields, as bindgen emits it for each run of bit fields: the bytes, with
/// accessors generated per field on the containing structure. Bit `i` is bit `i % 8` of byte
/// `i / 8` (little-endian, as on x64). The subset of bindgen's methods the mirror uses.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct __BindgenBitfieldUnit<Storage> {
    storage: Storage,
}
impl<const N: usize> __BindgenBitfieldUnit<[u8; N]> {
    /// A unit holding `storage`.
    #[must_use]
    pub const fn new(storage: [u8; N]) -> Self {
        Self { storage }
    }
    /// Bit `index`.
    ///
    /// # Panics
    /// `index` is outside the unit (`8 * N` bits).
    #[must_use]
    pub fn get_bit(&self, index: usize) -> bool {
        self.storage[index / 8] & (1 << (index % 8)) != 0
    }
    /// The `width`-bit field at bit `offset` (bindgen's `get`), as a `u64`.
    ///
    /// # Panics
    /// The field is outside the unit or wider than 64 bits.
    #[must_use]
    pub fn get(&self, offset: usize, width: u8) -> u64 {
        (0..usize::from(width)).fold(0, |value, i| {
            value | (u64::from(self.get_bit(offset + i)) << i)
        })
    }
    /// Sets the `width`-bit field at bit `offset` to the low `width` bits of `val` (bindgen's
    /// `set`).
    ///
    /// # Panics
    /// The field is outside the unit or wider than 64 bits.
    pub fn set(&mut self, offset: usize, width: u8, val: u64) {
        for i in 0..usize::from(width) {
            self.set_bit(offset + i, (val >> i) & 1 != 0);
        }
    }
    /// Sets bit `index` to `val`.
    ///
    /// # Panics
    /// `index` is outside the unit (`8 * N` bits).
    pub fn set_bit(&mut self, index: usize, val: bool) {
        let mask = 1 << (index % 8);
        if val {
            self.storage[index / 8] |= mask;
        } else {
            self.storage[index / 8] &= !mask;
        }
    }
}

/// A C flexible array member at the end of a structure (`Elements[]`), as bindgen emits it:
/// zero-sized, aligned as `T`; the elements follow the structure in memory.
#[repr(C)]
pub struct __IncompleteArrayField<T>(core::marker::PhantomData<T>, [T; 0]);
impl<T> __IncompleteArrayField<T> {
    /// The empty field.
    #[must_use]
    pub const fn new() -> Self {
        Self(core::marker::PhantomData, [])
    }
    /// The first element's address.
    #[must_use]
    pub const fn as_ptr(&self) -> *const T {
        core::ptr::from_ref(self).cast()
    }
    /// The first element's address, for writes.
    pub const fn as_mut_ptr(&mut self) -> *mut T {
        core::ptr::from_mut(self).cast()
    }
    /// The first `len` elements.
    ///
    /// # Safety
    /// `len` initialised elements follow the structure in the same allocation.
    #[must_use]
    pub const unsafe fn as_slice(&self, len: usize) -> &[T] {
        // SAFETY: the caller guarantees `len` elements at this address.
        unsafe { core::slice::from_raw_parts(self.as_ptr(), len) }
    }
}
impl<T> Default for __IncompleteArrayField<T> {
    fn default() -> Self {
        Self::new()
    }
}
impl<T> core::fmt::Debug for __IncompleteArrayField<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("__IncompleteArrayField")
    }
}

/// The storage of a bindgen opaque type (`_bindgen_opaque_blob`) whose blob is too long for
/// the array's own `Default`: the array, with the blob's natural alignment (that of `T`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct __BindgenOpaqueArray<T>(pub T);

/// [`__BindgenOpaqueArray`] for a type aligned to 8 bytes, as bindgen writes it: bytes, with
/// the alignment on the wrapper.
#[repr(C, align(8))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct __BindgenOpaqueArray8<T>(pub T);

/// [`__BindgenOpaqueArray`] for a type aligned to 16 bytes (one that holds a `KEVENT`,
/// `KDPC` or `SLIST_HEADER`).
#[repr(C, align(16))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct __BindgenOpaqueArray16<T>(pub T);
