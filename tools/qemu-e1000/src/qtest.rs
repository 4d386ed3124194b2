//! The qtest protocol client: one request line, one reply line (`OK ...`, `FAIL ...`), and —
//! once `irq_intercept_in ioapic` is on — `IRQ raise N` / `IRQ lower N` lines interleaved with
//! the replies or arriving on their own (a frame from the TAP while nobody asks anything).
//!
//! A reader thread owns the socket's read side: it records interrupt levels and hands replies
//! to the one caller waiting. Because it handles lines in order, when a reply comes back every
//! interrupt change the request caused has already been recorded.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::QemuError;

/// ISA IRQs the IOAPIC intercept reports (0–23).
const IRQS: usize = 24;

/// How long one request may wait for its reply before QEMU is declared hung.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Interrupt levels as the reader thread last saw them, and how many raises it saw per IRQ.
#[derive(Debug, Default)]
pub(crate) struct IrqLevels {
    level: [AtomicBool; IRQS],
    raises: [AtomicU64; IRQS],
}

impl IrqLevels {
    /// Whether ISA IRQ `irq` is raised.
    pub(crate) fn level(&self, irq: u8) -> bool {
        self.level
            .get(usize::from(irq))
            .is_some_and(|l| l.load(Ordering::SeqCst))
    }

    /// How many times ISA IRQ `irq` was raised since the intercept started.
    pub(crate) fn raises(&self, irq: u8) -> u64 {
        self.raises
            .get(usize::from(irq))
            .map_or(0, |r| r.load(Ordering::SeqCst))
    }

    fn note(&self, line: &str) -> bool {
        let mut words = line.split_ascii_whitespace();
        let (Some("IRQ"), Some(what), Some(num)) = (words.next(), words.next(), words.next())
        else {
            return false;
        };
        let Some(irq) = num.parse::<usize>().ok().filter(|&n| n < IRQS) else {
            return true;
        };
        let raised = what == "raise";
        self.level[irq].store(raised, Ordering::SeqCst);
        if raised {
            self.raises[irq].fetch_add(1, Ordering::SeqCst);
        }
        true
    }
}

struct Channel {
    stream: UnixStream,
    replies: Receiver<String>,
}

/// A connected qtest session.
pub(crate) struct Qtest {
    channel: Mutex<Channel>,
    irqs: Arc<IrqLevels>,
    reader: Mutex<Option<JoinHandle<()>>>,
}

impl Qtest {
    /// Takes over `stream` (QEMU's connection to our listening socket).
    pub(crate) fn new(stream: UnixStream) -> Result<Self, QemuError> {
        let read_side = stream.try_clone().map_err(QemuError::io("qtest socket"))?;
        let irqs = Arc::new(IrqLevels::default());
        let (tx, replies) = channel();
        let reader_irqs = Arc::clone(&irqs);
        let reader = std::thread::Builder::new()
            .name("qemu-e1000-qtest".into())
            .spawn(move || read_lines(read_side, &reader_irqs, &tx))
            .map_err(QemuError::io("qtest reader thread"))?;
        Ok(Self {
            channel: Mutex::new(Channel { stream, replies }),
            irqs,
            reader: Mutex::new(Some(reader)),
        })
    }

    /// The interrupt levels the reader records.
    pub(crate) fn irqs(&self) -> &IrqLevels {
        &self.irqs
    }

    /// Sends one request and returns what follows `OK` in its reply.
    pub(crate) fn request(&self, line: &str) -> Result<String, QemuError> {
        let channel = self.channel.lock().unwrap_or_else(PoisonError::into_inner);
        let mut stream = &channel.stream;
        stream
            .write_all(format!("{line}\n").as_bytes())
            .map_err(QemuError::io("qtest write"))?;
        let reply = match channel.replies.recv_timeout(REPLY_TIMEOUT) {
            Ok(reply) => reply,
            Err(RecvTimeoutError::Timeout) => {
                return Err(QemuError::Protocol(format!(
                    "no qtest reply to `{line}` within {REPLY_TIMEOUT:?}"
                )));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(QemuError::Protocol(format!(
                    "QEMU closed the qtest socket (request `{line}`)"
                )));
            }
        };
        match reply.strip_prefix("OK") {
            Some(rest) => Ok(rest.trim().to_owned()),
            None => Err(QemuError::Protocol(format!("`{line}`: {reply}"))),
        }
    }

    /// A request whose reply is one number (`OK 0x...`).
    pub(crate) fn request_value(&self, line: &str) -> Result<u64, QemuError> {
        let reply = self.request(line)?;
        let digits = reply.trim_start_matches("0x");
        u64::from_str_radix(digits, 16)
            .map_err(|e| QemuError::Protocol(format!("`{line}` answered `{reply}`: {e}")))
    }

    /// Closes the socket and waits for the reader thread.
    pub(crate) fn shutdown(&self) {
        {
            let channel = self.channel.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = channel.stream.shutdown(std::net::Shutdown::Both);
        }
        let reader = self
            .reader
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(reader) = reader {
            let _ = reader.join();
        }
    }
}

/// The reader thread: interrupt lines update `irqs`, every other line is a reply. Ends when the
/// socket closes (QEMU gone, or [`Qtest::shutdown`]).
fn read_lines(stream: UnixStream, irqs: &IrqLevels, replies: &Sender<String>) {
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else {
            return;
        };
        if !irqs.note(&line) && replies.send(line).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interrupt_lines_are_told_from_replies() {
        let irqs = IrqLevels::default();
        assert!(irqs.note("IRQ raise 11"));
        assert!(irqs.level(11));
        assert!(irqs.note("IRQ lower 11"));
        assert!(!irqs.level(11));
        assert!(irqs.note("IRQ raise 0"));
        assert_eq!(irqs.raises(0), 1);
        assert_eq!(irqs.raises(11), 1);
        assert!(!irqs.note("OK 0x80080783"));
        assert!(!irqs.note("FAIL Unknown command"));
        assert!(irqs.note("IRQ raise 99"), "out of range: still not a reply");
    }
}
