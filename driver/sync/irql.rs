//! IRQL proofs: zero-sized tokens that stand for "the current processor is at this IRQL".
//!
//! `NdisDprAcquireSpinLock` and `KeAcquireSpinLockAtDpcLevel` may be called only at
//! `DISPATCH_LEVEL`; code at DIRQL (the ISR and `MiniportSynchronizeInterrupt` functions) may touch
//! the data it shares with the ISR and must not take spin locks. Rather than read the IRQL at run
//! time (the NDIS `Flags_Irql` rule forbids `KeGetCurrentIrql` where the flags already say it),
//! the layer passes proofs that are created where the IRQL is known.

use core::marker::PhantomData;

use crate::sys;

/// Proof that the current processor runs at `DISPATCH_LEVEL`.
///
/// Required by [`SpinLock::lock_dpr`](super::SpinLock::lock_dpr), which wraps
/// `NdisDprAcquireSpinLock` / `KeAcquireSpinLockAtDpcLevel`, both valid only at `DISPATCH_LEVEL`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisdpracquirespinlock>,
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel>).
///
/// Zero-sized, neither `Send` nor `Sync` (the IRQL belongs to one processor). Created by:
/// - a held guard: [`Guard::dispatch_level`](super::Guard::dispatch_level) (the proof borrows
///   the guard, so it cannot outlive the release that lowers the IRQL again);
/// - an NDIS `*_DISPATCH_LEVEL` flag: [`DispatchLevel::from_ndis_flags`];
/// - the entry of a DPC routine, or any other place the IRQL is known: [`DispatchLevel::assume`].
pub struct DispatchLevel {
    _not_send: PhantomData<*mut ()>,
}

impl DispatchLevel {
    pub(super) const fn mint() -> Self {
        Self {
            _not_send: PhantomData,
        }
    }

    /// The proof, for code that knows it runs at `DISPATCH_LEVEL`.
    ///
    /// The usual place is the entry of a DPC routine (`MiniportInterruptDPC`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_interrupt_dpc>),
    /// which NDIS always calls at `DISPATCH_LEVEL`.
    ///
    /// # Safety
    /// The current processor runs at exactly `DISPATCH_LEVEL` for as long as the proof (and every
    /// reference to it) lives; the proof is not kept past a point where the IRQL is lowered.
    #[must_use]
    pub const unsafe fn assume() -> Self {
        Self::mint()
    }

    /// The proof, if NDIS said so in a handler's flags.
    ///
    /// NDIS passes flags such as `NDIS_SEND_FLAGS_DISPATCH_LEVEL` (`MiniportSendNetBufferLists`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>)
    /// or `NDIS_RETURN_FLAGS_DISPATCH_LEVEL` (`MiniportReturnNetBufferLists`,
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_return_net_buffer_lists>)
    /// to tell the driver its IRQL; the NDIS `Flags_Irql` rule says to use them rather than call
    /// `KeGetCurrentIrql`. Returns `None` when `dispatch_level_flag` is not set in `flags`.
    ///
    /// # Safety
    /// `flags` are the flags NDIS passed to the handler that is running now, unmodified, and
    /// `dispatch_level_flag` is that handler's documented `*_DISPATCH_LEVEL` bit; the proof is
    /// dropped before the handler returns or lowers its IRQL.
    #[must_use]
    pub const unsafe fn from_ndis_flags(
        flags: sys::ULONG,
        dispatch_level_flag: sys::ULONG,
    ) -> Option<Self> {
        if flags & dispatch_level_flag == 0 {
            None
        } else {
            Some(Self::mint())
        }
    }
}

/// Proof that the current processor runs at `PASSIVE_LEVEL`.
///
/// Required by the NDIS calls documented as PASSIVE-only that this layer wraps:
/// `NdisMRegisterInterruptEx` and `NdisMDeregisterInterruptEx` (the NDIS `Irql_Interrupt_Function`
/// rule; <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterinterruptex>).
/// A root context ([`Locked<Unlocked>`](super::Locked)) only proves IRQL <= `DISPATCH_LEVEL`, so it
/// is not enough for those.
///
/// Zero-sized, neither `Send` nor `Sync`. Created only by [`PassiveLevel::assume`], at the entry of
/// a handler NDIS always calls at `PASSIVE_LEVEL` (`MiniportInitializeEx`, `MiniportHaltEx`,
/// `MiniportPause`, `MiniportRestart`, ...; see `docs/ndis-contract.md`). No guard hands one
/// out: holding a spin lock means `DISPATCH_LEVEL`.
pub struct PassiveLevel {
    _not_send: PhantomData<*mut ()>,
}

impl PassiveLevel {
    /// The proof, at the entry of a handler that NDIS calls at `PASSIVE_LEVEL`.
    ///
    /// # Safety
    /// The current processor runs at `PASSIVE_LEVEL` for as long as the proof (and every reference
    /// to it) lives: it is not kept across a spin-lock acquisition or an IRQL raise.
    #[must_use]
    pub const unsafe fn assume() -> Self {
        Self {
            _not_send: PhantomData,
        }
    }
}

/// Proof that the current processor runs at the interrupt's DIRQL holding its interrupt lock.
///
/// Handed to the closure of [`InterruptShared::synchronize`](super::InterruptShared::synchronize) by
/// shared reference, and created by [`Dirql::isr_entry`] in the ISR. It is not a lock context:
/// no [`SpinLock`](super::SpinLock) method accepts it, so no spin lock can be acquired at DIRQL
/// through this layer (`NdisAcquireSpinLock` requires IRQL <= `DISPATCH_LEVEL`:
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisacquirespinlock>).
/// A `&mut Dirql` (only an ISR has one) unlocks the interrupt's shared data through
/// [`InterruptShared::isr`](super::InterruptShared::isr).
pub struct Dirql {
    _not_send: PhantomData<*mut ()>,
}

impl Dirql {
    pub(super) const fn mint() -> Self {
        Self {
            _not_send: PhantomData,
        }
    }

    /// The ISR-only token.
    ///
    /// Created at the entry of `MiniportInterrupt`
    /// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>),
    /// `MiniportDisableInterruptEx` or `MiniportEnableInterruptEx`, which NDIS calls at DIRQL
    /// holding the interrupt's spin lock, the same lock `NdisMSynchronizeWithInterruptEx` holds.
    ///
    /// # Safety
    /// - Called only inside one of those handlers of the interrupt registered by the
    ///   [`Interrupt`](super::Interrupt) this token is used with, and at most once per call of
    ///   the handler (two tokens would hand out two `&mut` to the same data);
    /// - the token is dropped before the handler returns.
    #[must_use]
    pub const unsafe fn isr_entry() -> Self {
        Self::mint()
    }
}

// The proofs cost nothing at run time: they are types only.
const _: () = assert!(size_of::<DispatchLevel>() == 0 && size_of::<Dirql>() == 0);
