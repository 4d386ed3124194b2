//! smoltcp's `phy::Device` bound to the simulated NDIS protocol edge: what smoltcp transmits
//! is sent through the miniport (`MiniportSendNetBufferLists`), what the miniport indicates
//! (`NdisMIndicateReceiveNetBufferLists`) is what smoltcp receives. The protocol above the
//! driver is a real TCP/IP stack.

use std::collections::VecDeque;

use ndis_sim::host::Adapter;
use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

/// The miniport as smoltcp's Ethernet device.
pub struct NdisPhy<'a> {
    adapter: &'a Adapter,
    pending: VecDeque<Vec<u8>>,
    /// Frames smoltcp sent through the miniport.
    pub sent: u64,
    /// Sends the miniport completed with a failure status.
    pub send_failures: u64,
    /// Frames the miniport indicated to smoltcp.
    pub received: u64,
}

impl<'a> NdisPhy<'a> {
    /// smoltcp over `adapter` (Running).
    #[must_use]
    pub fn new(adapter: &'a Adapter) -> Self {
        Self {
            adapter,
            pending: VecDeque::new(),
            sent: 0,
            send_failures: 0,
            received: 0,
        }
    }

    fn collect(&mut self) {
        for completion in self.adapter.take_completions() {
            if completion.status != rse1k::sys::NDIS_STATUS_SUCCESS {
                self.send_failures += 1;
            }
        }
        for frame in self.adapter.take_received() {
            self.received += 1;
            self.pending.push_back(frame.data);
        }
    }
}

/// One indicated frame.
pub struct Rx(Vec<u8>);

/// Room for one frame to send.
pub struct Tx<'p, 'a> {
    phy: &'p mut NdisPhy<'a>,
}

impl phy::RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Tx<'_, '_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0u8; len];
        let result = f(&mut frame);
        self.phy.sent += 1;
        self.phy
            .adapter
            .send(0, std::slice::from_ref(&frame), false);
        result
    }
}

impl<'a> phy::Device for NdisPhy<'a> {
    type RxToken<'r>
        = Rx
    where
        Self: 'r;
    type TxToken<'t>
        = Tx<'t, 'a>
    where
        Self: 't;

    fn receive(&mut self, _now: Instant) -> Option<(Rx, Tx<'_, 'a>)> {
        self.collect();
        let frame = self.pending.pop_front()?;
        Some((Rx(frame), Tx { phy: self }))
    }

    fn transmit(&mut self, _now: Instant) -> Option<Tx<'_, 'a>> {
        self.collect();
        Some(Tx { phy: self })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = 1514;
        caps
    }
}
