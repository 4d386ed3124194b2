//! The typed gateway to NDIS: every NDIS function the miniport calls, as a safe wrapper that
//! takes the lock context and the IRQL proof its DDI page requires.
//!
//! "An NDIS driver should release all NDIS spin locks before calling an NDIS function other
//! than an `NdisXxxSpinlock` function"
//! (<https://learn.microsoft.com/windows-hardware/drivers/network/synchronization-and-notification-in-network-drivers>).
//! Every wrapper here takes `&mut Locked<'_, Unlocked>`, which each live spin-lock guard borrows,
//! so none can be called with a lock held; the ones whose page says `PASSIVE_LEVEL` also take a
//! [`PassiveLevel`](crate::sync::PassiveLevel) proof, which no guard hands out. The two register
//! accessors ([`IoSpace`]) are the exception the pages make: `NdisReadRegisterUlong` and
//! `NdisWriteRegisterUlong` run at any IRQL, the ISR's included, so they take nothing.
//!
//! | DDI | wrapper | IRQL (page) |
//! |---|---|---|
//! | `NdisMRegisterMiniportDriver` / `NdisMDeregisterMiniportDriver` | [`MiniportDriver`] | `PASSIVE_LEVEL` |
//! | `NdisMSetMiniportAttributes` | [`MiniportAdapter::set_registration_attributes`], [`MiniportAdapter::set_general_attributes`] | `PASSIVE_LEVEL` |
//! | `NdisMMapIoSpace` / `NdisMUnmapIoSpace` | [`MiniportAdapter::map_io_space`], [`IoSpace::unmap`] | `PASSIVE_LEVEL` |
//! | `NdisReadRegisterUlong` / `NdisWriteRegisterUlong` | [`IoSpace::read_ulong`], [`IoSpace::write_ulong`] | any |
//! | `NdisMRegisterScatterGatherDma` / `NdisMDeregisterScatterGatherDma` | [`MiniportAdapter::register_sg_dma`], [`SgDma::deregister`] | `PASSIVE_LEVEL` |
//! | `NdisMAllocateNetBufferSGList` / `NdisMFreeNetBufferSGList` | [`SgDma::allocate_sg_list`], [`SgDma::free_sg_list`] (consumes a [`MappedFrame`]) | exactly `DISPATCH_LEVEL` |
//! | `NdisMAllocateSharedMemory` / `NdisMFreeSharedMemory` | [`MiniportAdapter::allocate_shared_memory`], [`SharedMemory::free`] | `PASSIVE_LEVEL` |
//! | `NdisAllocateNetBufferListPool` / `NdisFreeNetBufferListPool` | [`MiniportAdapter::allocate_nbl_pool`], [`NblPool::free`] | <= `DISPATCH_LEVEL` |
//! | `NdisAllocateMdl` / `NdisFreeMdl` | [`SharedMemory::allocate_mdl`], [`Mdl::free`] | <= `DISPATCH_LEVEL` |
//! | `NdisAllocateNetBufferAndNetBufferList` / `NdisFreeNetBufferList` | [`NblPool::allocate_rx_nbl`], [`RxNbl::free`] | <= `DISPATCH_LEVEL` |
//! | `MmGetSystemAddressForMdlSafe` (a send frame's MDLs) | [`NetBuffer::copy_to`] | <= `DISPATCH_LEVEL` |
//! | `NdisMSendNetBufferListsComplete` | [`MiniportAdapter::complete_sends`] (consumes a [`SendNbls`]) | <= `DISPATCH_LEVEL` |
//! | `NdisMIndicateReceiveNetBufferLists` | [`MiniportAdapter::indicate_receive`], [`MiniportAdapter::indicate_receive_resources`] | <= `DISPATCH_LEVEL` |
//! | `NdisMIndicateStatusEx` | [`MiniportAdapter::indicate_link_state`] (typed), [`MiniportAdapter::indicate_status`] (`unsafe`: the payload's type is the code's) | <= `DISPATCH_LEVEL` |
//! | `NdisMPauseComplete` | [`MiniportAdapter::pause_complete`] | <= `DISPATCH_LEVEL` |
//!
//! NBLs travel as owned values ([`nbl`]): a send NBL NDIS handed over is a [`SendNbl`] until a
//! [`SendNbls`] chain carrying it is consumed by [`MiniportAdapter::complete_sends`]; a receive
//! NBL is an [`RxNbl`] while it is the driver's, consumed by an indication and handed back by
//! [`ReturnedNbls`]. No type outside this module holds an NBL pointer.
//!
//! The frees whose safety depends on something no type tracks (the device's DMA, an NBL still
//! describing an MDL, NBLs still out of a pool) are `unsafe` with that contract:
//! [`SharedMemory::free`], [`Mdl::free`], [`NblPool::free`]. The spin locks, the interrupt and
//! `NdisStallExecution` are wrapped by [`crate::sync`].

mod adapter;
mod driver;
mod memory;
pub mod nbl;
mod send_queue;
mod sg_list;

pub use adapter::{MiniportAdapter, NblPool, SgDma};
pub use driver::MiniportDriver;
pub use memory::{IoSpace, Mdl, SharedMemory};
pub use nbl::{InFlight, NetBuffer, ReceiveNbls, ReturnedNbls, RxNbl, SendNbl, SendNbls};
pub use send_queue::SendQueue;
pub use sg_list::{MapRequest, MappedFrame, SgHandoff, SgList};
