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
//! Every line is `rse1k: <message>\n`. The IHV network component is shared by every NIC driver
//! on the machine, so the [`PREFIX`] is what tells rse1k's lines from the others' (and what a
//! debugger filter such as `.ofilter rse1k:*` matches); `DbgPrintEx` adds no line break of its
//! own, so without the trailing newline consecutive messages run together on one line.
//!
//! Messages are formatted into a fixed buffer on the stack (no allocation, so the macros work at
//! any IRQL up to DIRQL, as `DbgPrintEx` does for ANSI text); the message part is truncated to
//! [`MAX_MESSAGE`] bytes, marked with `...`, and the prefix and newline are always present.

use core::fmt::{self, Write};

use crate::sys;

/// The `DbgPrintEx` component id: `DPFLTR_IHVNETWORK_ID`, for IHV network drivers.
pub const COMPONENT: sys::ULONG = sys::DPFLTR_IHVNETWORK_ID;

/// The longest message, in bytes, after which it is truncated (prefix and newline not counted).
pub const MAX_MESSAGE: usize = 240;

/// What every trace line starts with: the driver's name, so its lines stand out among those of
/// every other driver printing on the IHV network component.
pub const PREFIX: &str = "rse1k: ";

/// The longest line handed to `DbgPrintEx`: [`PREFIX`], the message, a newline.
pub const MAX_LINE: usize = PREFIX.len() + MAX_MESSAGE + 1;

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

/// One trace line being formatted on the stack: [`PREFIX`], then at most [`MAX_MESSAGE`] bytes of
/// message, then a newline added by [`LineBuffer::finish`].
pub struct LineBuffer {
    bytes: [u8; MAX_LINE],
    /// Bytes of message written after the prefix.
    len: usize,
    truncated: bool,
}

impl LineBuffer {
    const TRUNCATION_MARK: &'static str = "...";

    /// An empty line: the prefix only.
    #[must_use]
    pub const fn new() -> Self {
        let mut bytes = [0; MAX_LINE];
        let prefix = PREFIX.as_bytes();
        let mut i = 0;
        while i < prefix.len() {
            bytes[i] = prefix[i];
            i += 1;
        }
        Self {
            bytes,
            len: 0,
            truncated: false,
        }
    }

    /// Formats `args` into a fresh line and returns it finished.
    pub fn format(&mut self, args: fmt::Arguments<'_>) -> &str {
        *self = Self::new();
        // A formatting error only means the buffer is full; what fits is kept, marked as cut.
        let _ = self.write_fmt(args);
        self.finish()
    }

    /// The whole line: prefix, the message (ending with `...` when something was cut), newline.
    fn finish(&mut self) -> &str {
        let body = PREFIX.len();
        if self.truncated {
            let keep = MAX_MESSAGE - Self::TRUNCATION_MARK.len();
            let mut end = self.len.min(keep);
            // Cut on a character boundary so the message stays valid UTF-8.
            while end > 0 && core::str::from_utf8(&self.bytes[body..body + end]).is_err() {
                end -= 1;
            }
            self.bytes[body + end..body + end + Self::TRUNCATION_MARK.len()]
                .copy_from_slice(Self::TRUNCATION_MARK.as_bytes());
            self.len = end + Self::TRUNCATION_MARK.len();
        }
        let line_end = body + self.len;
        self.bytes[line_end] = b'\n';
        // Only the prefix, whole `&str`s (or a prefix of one cut on a character boundary above)
        // and the newline were copied in.
        core::str::from_utf8(&self.bytes[..=line_end]).unwrap_or("")
    }
}

impl Default for LineBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl Write for LineBuffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = MAX_MESSAGE - self.len;
        let at = PREFIX.len() + self.len;
        if s.len() <= room {
            self.bytes[at..at + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
            Ok(())
        } else {
            let mut take = room;
            while take > 0 && !s.is_char_boundary(take) {
                take -= 1;
            }
            self.bytes[at..at + take].copy_from_slice(&s.as_bytes()[..take]);
            self.len += take;
            self.truncated = true;
            // Stop formatting: the rest would not fit anyway.
            Err(fmt::Error)
        }
    }
}

/// Formats `args` as one line (`rse1k: <message>\n`, see [`LineBuffer`]) and prints it with
/// `DbgPrintEx(`[`COMPONENT`]`, level, "%.*s", line)`.
///
/// Use the macros rather than calling this directly.
pub fn emit(level: Level, args: fmt::Arguments<'_>) {
    let mut buffer = LineBuffer::new();
    let message = buffer.format(args);
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
