//! The far end of a [`Netdev::Dgram`] wire, as an [`e1000_model::Wire`]: every frame QEMU's
//! e1000 transmits arrives as one datagram on our socket, every datagram we send to QEMU's
//! socket is a frame it receives. Unix datagram sockets in a private directory: no network
//! address is involved.
//!
//! While QEMU cannot receive (its 1 s gate after an RCTL write, a full ring, the link down) it
//! stops reading its socket, which queues only a few datagrams (`net.unix.max_dgram_qlen`,
//! 10 by default). Frames that do not fit wait here, in order, and are offered again on every
//! later `send` and `recv`, as a TAP device's queue would hold them.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

use e1000_model::{Wire, WireFrame};

use crate::{Netdev, QemuError};

/// Largest frame taken from the socket (QEMU's e1000 sends at most 16 KiB jumbo frames).
const MAX_FRAME: usize = 0x1_0000;

/// Most frames waiting for QEMU's socket; beyond that a frame is dropped and counted.
const MAX_BACKLOG: usize = 65_536;

/// Our end of the wire, and the directory holding both sockets (removed on drop).
#[derive(Debug)]
pub struct DgramWire {
    socket: UnixDatagram,
    dir: PathBuf,
    qemu: PathBuf,
    /// Frames waiting for room in QEMU's socket queue, oldest first.
    backlog: VecDeque<Vec<u8>>,
    /// Frames dropped: QEMU gone, or the backlog full.
    pub send_errors: u64,
}

impl DgramWire {
    /// Binds our socket in a new private directory.
    ///
    /// # Errors
    /// When the directory or the socket cannot be made.
    pub fn new() -> Result<Self, QemuError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static INSTANCE: AtomicU64 = AtomicU64::new(0);
        let n = INSTANCE.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("rse1k-wire-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(QemuError::io("wire directory"))?;
        let socket =
            UnixDatagram::bind(dir.join("peer.sock")).map_err(QemuError::io("wire socket"))?;
        socket
            .set_nonblocking(true)
            .map_err(QemuError::io("wire socket"))?;
        Ok(Self {
            socket,
            qemu: dir.join("qemu.sock"),
            dir,
            backlog: VecDeque::new(),
            send_errors: 0,
        })
    }

    /// Frames waiting for QEMU to read its socket.
    #[must_use]
    pub fn backlog(&self) -> usize {
        self.backlog.len()
    }

    /// Offers the backlog to QEMU's socket, oldest first, until it is full.
    fn flush(&mut self) {
        while let Some(frame) = self.backlog.front() {
            match self.socket.send_to(frame, &self.qemu) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(_) => self.send_errors += 1,
            }
            self.backlog.pop_front();
        }
    }

    /// The netdev QEMU needs to be our far end.
    #[must_use]
    pub fn netdev(&self) -> Netdev {
        Netdev::Dgram {
            qemu: self.qemu.clone(),
            peer: self.dir.join("peer.sock"),
        }
    }
}

impl Wire for DgramWire {
    fn send(&mut self, frame: &[u8], _now_ns: u64) {
        if self.backlog.len() < MAX_BACKLOG {
            self.backlog.push_back(frame.to_vec());
        } else {
            self.send_errors += 1;
        }
        self.flush();
    }

    fn recv(&mut self, _now_ns: u64) -> Option<WireFrame> {
        self.flush();
        let mut buf = vec![0u8; MAX_FRAME];
        match self.socket.recv(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                Some(WireFrame {
                    data: buf,
                    crc_ok: true,
                })
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => None,
            Err(_) => None,
        }
    }
}

impl Drop for DgramWire {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
