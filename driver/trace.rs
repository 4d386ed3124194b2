//! Trace output: debug prints through `DbgPrintEx` with the IHV network component id.
//!
//! `DbgPrintEx(DPFLTR_IHVNETWORK_ID, Level, ...)`
//! (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgprintex>) shows a
//! message in the kernel debugger when the component's filter lets that level through, e.g.
//! `ed nt!Kd_IHVNETWORK_Mask 0xF` in the kernel debugger (see `docs/debugging.md`). In the host build the
//! same messages land in the simulator's trace log (`NDIS_SIM_TRACE=1` echoes them).
//!
//! Levels are used consistently:
//! - [`trace_error!`](crate::trace_error) (`DPFLTR_ERROR_LEVEL`): a failure the driver reports
//!   to NDIS with a status (initialisation failed, device removed, NIC hang and reset);
//! - [`trace_warn!`](crate::trace_warn) (`DPFLTR_WARNING_LEVEL`): bad input dropped or
//!   rejected and counted (a malformed receive descriptor, an oversize send);
//! - [`trace_info!`](crate::trace_info) (`DPFLTR_INFO_LEVEL`): lifecycle and OID detail, for
//!   development.
//!
//! Nothing is printed on the hot path of release builds: `trace_info!` compiles to nothing
//! without `debug_assertions`, and the send/receive paths use only `trace_info!`.
//!
//! Messages are formatted into a fixed buffer on the stack (no allocation, so the macros work at
//! any IRQL up to DIRQL, as `DbgPrintEx` does for ANSI text) and truncated to
//! [`MAX_MESSAGE`] bytes, marked with `...`.

use core::fmt::{self, Write};

use crate::sys;

/// The `DbgPrintEx` component id: `DPFLTR_IHVNETWORK_ID`, for IHV network drivers.
pub const COMPONENT: sys::ULONG = sys::DPFLTR_IHVNETWORK_ID;

/// The longest message, in bytes, after which it is truncated.
pub const MAX_MESSAGE: usize = 240;

/// A `DbgPrintEx` importance level (`DPFLTR_*_LEVEL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `DPFLTR_ERROR_LEVEL`: shown by default.
    Error,
    /// `DPFLTR_WARNING_LEVEL`.
    Warning,
    /// `DPFLTR_INFO_LEVEL`: development detail; compiled out of release builds.
    Info,
}

impl Level {
    /// The `DPFLTR_*_LEVEL` value.
    #[must_use]
    pub const fn dpfltr(self) -> sys::ULONG {
        match self {
            Self::Error => sys::DPFLTR_ERROR_LEVEL,
            Self::Warning => sys::DPFLTR_WARNING_LEVEL,
            Self::Info => sys::DPFLTR_INFO_LEVEL,
        }
    }
}

/// A message being formatted on the stack; keeps the first [`MAX_MESSAGE`] bytes.
struct MessageBuffer {
    bytes: [u8; MAX_MESSAGE],
    len: usize,
    truncated: bool,
}

impl MessageBuffer {
    const TRUNCATION_MARK: &'static str = "...";

    const fn new() -> Self {
        Self {
            bytes: [0; MAX_MESSAGE],
            len: 0,
            truncated: false,
        }
    }

    /// The text so far, ending with `...` when something was cut.
    fn finish(&mut self) -> &str {
        if self.truncated {
            let keep = MAX_MESSAGE - Self::TRUNCATION_MARK.len();
            let mut end = self.len.min(keep);
            // Cut on a character boundary so the message stays valid UTF-8.
            while end > 0 && core::str::from_utf8(&self.bytes[..end]).is_err() {
                end -= 1;
            }
            self.bytes[end..end + Self::TRUNCATION_MARK.len()]
                .copy_from_slice(Self::TRUNCATION_MARK.as_bytes());
            self.len = end + Self::TRUNCATION_MARK.len();
        }
        // Only whole `&str`s (or a prefix cut on a character boundary above) were copied in.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl Write for MessageBuffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = MAX_MESSAGE - self.len;
        if s.len() <= room {
            self.bytes[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
            Ok(())
        } else {
            let mut take = room;
            while take > 0 && !s.is_char_boundary(take) {
                take -= 1;
            }
            self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
            self.len += take;
            self.truncated = true;
            // Stop formatting: the rest would not fit anyway.
            Err(fmt::Error)
        }
    }
}

/// Formats `args` and prints it with `DbgPrintEx(`[`COMPONENT`]`, level, "%.*s", message)`.
///
/// Use the macros rather than calling this directly.
pub fn emit(level: Level, args: fmt::Arguments<'_>) {
    let mut buffer = MessageBuffer::new();
    // A formatting error only means the buffer is full; what fits is printed, marked as cut.
    let _ = buffer.write_fmt(args);
    let message = buffer.finish();
    // SAFETY: `message` is valid for the call; DbgPrintEx with an ANSI `%.*s` format may be
    // called at any IRQL <= DIRQL, which covers every driver routine.
    unsafe { sys::dbg_print(COMPONENT, level.dpfltr(), message) };
}

/// Prints an error (`DPFLTR_ERROR_LEVEL`): a failure reported to NDIS with a status.
#[macro_export]
macro_rules! trace_error {
    ($($arg:tt)*) => {
        $crate::trace::emit($crate::trace::Level::Error, format_args!($($arg)*))
    };
}

/// Prints a warning (`DPFLTR_WARNING_LEVEL`): bad input dropped or rejected, and counted.
#[macro_export]
macro_rules! trace_warn {
    ($($arg:tt)*) => {
        $crate::trace::emit($crate::trace::Level::Warning, format_args!($($arg)*))
    };
}

/// Prints development detail (`DPFLTR_INFO_LEVEL`); compiles to nothing in release builds, so it
/// is the only level allowed on the send and receive paths.
#[macro_export]
macro_rules! trace_info {
    ($($arg:tt)*) => {
        if cfg!(debug_assertions) {
            $crate::trace::emit($crate::trace::Level::Info, format_args!($($arg)*))
        }
    };
}
