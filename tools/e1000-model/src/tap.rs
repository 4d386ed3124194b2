//! A [`Wire`] to a Linux TAP interface (`/dev/net/tun`), so the model can talk to the host's
//! network stack. Needs `CAP_NET_ADMIN` (or a persistent TAP device owned by the user).
//!
//! The only `unsafe` in the crate is the `TUNSETIFF` ioctl here; the request and its
//! `struct ifreq` argument are built by plain functions that are tested without opening the
//! device.

use std::ffi::{c_int, c_ulong};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;

use crate::wire::{Wire, WireFrame};

/// `IFF_TAP`: an Ethernet (layer 2) device.
pub const IFF_TAP: i16 = 0x0002;
/// `IFF_NO_PI`: no packet-information header before each frame.
pub const IFF_NO_PI: i16 = 0x1000;
/// `IFNAMSIZ`: interface names are at most 15 bytes plus NUL.
pub const IFNAMSIZ: usize = 16;
/// Size of `struct ifreq` on 64-bit Linux (name plus a 24-byte union).
pub const IFREQ_SIZE: usize = 40;
/// `O_NONBLOCK` on Linux x86-64 and `AArch64`.
const O_NONBLOCK: c_int = 0o4000;

/// Builds an ioctl request number the way the kernel's `_IOC` macro does (generic layout
/// used by x86-64 and `AArch64`: 2 direction bits, 14 size bits, 8 type bits, 8 number bits).
#[must_use]
pub const fn ioc(dir: u32, ty: u8, nr: u8, size: u32) -> u32 {
    (dir << 30) | (size << 16) | ((ty as u32) << 8) | nr as u32
}

/// `_IOC_WRITE`.
pub const IOC_WRITE: u32 = 1;
/// `TUNSETIFF` = `_IOW('T', 202, int)`.
pub const TUNSETIFF: u32 = ioc(IOC_WRITE, b'T', 202, 4);

/// Encodes `struct ifreq { char ifr_name[16]; short ifr_flags; ... }` for `TUNSETIFF`.
///
/// # Errors
/// `InvalidInput` when `name` is empty, longer than 15 bytes, or contains a NUL or `/`.
pub fn encode_ifreq(name: &str, flags: i16) -> io::Result<[u8; IFREQ_SIZE]> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() >= IFNAMSIZ || bytes.iter().any(|&b| b == 0 || b == b'/') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid interface name {name:?}"),
        ));
    }
    let mut req = [0u8; IFREQ_SIZE];
    req[..bytes.len()].copy_from_slice(bytes);
    req[IFNAMSIZ..IFNAMSIZ + 2].copy_from_slice(&flags.to_ne_bytes());
    Ok(req)
}

/// The interface name the kernel wrote back into an `ifreq` (it may have filled in `%d`).
#[must_use]
pub fn decode_ifreq_name(req: &[u8; IFREQ_SIZE]) -> String {
    let name = &req[..IFNAMSIZ];
    let end = name.iter().position(|&b| b == 0).unwrap_or(IFNAMSIZ);
    String::from_utf8_lossy(&name[..end]).into_owned()
}

unsafe extern "C" {
    /// glibc's `int ioctl(int fd, unsigned long request, ...)`.
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
}

/// A TAP interface as the far end of the cable. Frames are read without blocking.
#[derive(Debug)]
pub struct TapWire {
    file: File,
    name: String,
    send_errors: u64,
    /// Reused for every read: the largest frame a TAP device can hand over.
    buf: Vec<u8>,
}

impl TapWire {
    /// Attaches to (creating if needed) the TAP interface `name` (`"tap%d"` lets the kernel
    /// choose). The interface must still be brought up by the host (`ip link set … up`).
    ///
    /// # Errors
    /// The name is invalid, `/dev/net/tun` is missing, or the caller lacks `CAP_NET_ADMIN`
    /// (`PermissionDenied`).
    pub fn open(name: &str) -> io::Result<Self> {
        let mut req = encode_ifreq(name, IFF_TAP | IFF_NO_PI)?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(O_NONBLOCK)
            .open("/dev/net/tun")?;
        // SAFETY: `file` is an open descriptor of /dev/net/tun for the whole call, and
        // TUNSETIFF reads and writes at most `struct ifreq` (IFREQ_SIZE bytes on 64-bit
        // Linux), which `req` provides and outlives the call.
        let rc = unsafe { ioctl(file.as_raw_fd(), c_ulong::from(TUNSETIFF), req.as_mut_ptr()) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Self {
            file,
            name: decode_ifreq_name(&req),
            send_errors: 0,
            buf: vec![0; 65536],
        })
    }

    /// The interface's name as the kernel assigned it.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Frames the kernel refused (for example while the interface is down).
    #[must_use]
    pub fn send_errors(&self) -> u64 {
        self.send_errors
    }
}

impl Wire for TapWire {
    fn send(&mut self, frame: &[u8], _now_ns: u64) {
        // A TAP write takes one whole frame or fails; a failure is what a cable to a dead
        // switch port looks like, so it is counted, not reported to the device.
        if self.file.write(frame).is_err() {
            self.send_errors += 1;
        }
    }

    fn recv(&mut self, _now_ns: u64) -> Option<WireFrame> {
        match self.file.read(&mut self.buf) {
            Ok(n) if n > 0 => Some(WireFrame {
                data: self.buf[..n].to_vec(),
                crc_ok: true,
            }),
            // WouldBlock (nothing queued) and errors alike: nothing arrived.
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tunsetiff_has_the_kernel_value() {
        assert_eq!(TUNSETIFF, 0x4004_54CA);
    }

    #[test]
    fn ifreq_encodes_name_and_flags() {
        let req = encode_ifreq("rse1k0", IFF_TAP | IFF_NO_PI).unwrap();
        assert_eq!(&req[..7], b"rse1k0\0");
        assert!(req[6..IFNAMSIZ].iter().all(|&b| b == 0));
        assert_eq!(i16::from_ne_bytes([req[16], req[17]]), 0x1002);
        assert!(req[18..].iter().all(|&b| b == 0));
        assert_eq!(decode_ifreq_name(&req), "rse1k0");
        let longest = "a".repeat(15);
        assert!(encode_ifreq(&longest, 0).is_ok());
        for bad in ["", "a\0b", "x/y", &"a".repeat(16)] {
            assert_eq!(
                encode_ifreq(bad, 0).unwrap_err().kind(),
                io::ErrorKind::InvalidInput
            );
        }
    }

    #[test]
    fn opens_a_tap_interface_when_permitted() {
        match TapWire::open("rse1k%d") {
            Ok(mut tap) => {
                assert!(tap.name().starts_with("rse1k"), "{}", tap.name());
                // The interface is down: nothing arrives.
                assert!(tap.recv(0).is_none());
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::NotFound
                ) || e.raw_os_error() == Some(1) =>
            {
                eprintln!(
                    "skipped: opening a TAP device needs /dev/net/tun and `CAP_NET_ADMIN` ({e})"
                );
            }
            Err(e) => panic!("unexpected TAP error: {e}"),
        }
    }
}
