//! The QMP client: JSON commands over the monitor socket, for what qtest cannot do (the
//! link, quitting).
//! <https://www.qemu.org/docs/master/interop/qemu-qmp-ref.html>

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use serde_json::{Value, json};

use crate::QemuError;

/// Most lines (events) read while waiting for one command's answer.
const MAX_LINES_PER_ANSWER: usize = 1000;

/// A QMP session in command mode.
pub(crate) struct Qmp {
    stream: UnixStream,
    reader: BufReader<UnixStream>,
}

impl Qmp {
    /// Reads the greeting and enters command mode (`qmp_capabilities`).
    pub(crate) fn new(stream: UnixStream) -> Result<Self, QemuError> {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(QemuError::io("QMP socket"))?;
        let reader = BufReader::new(stream.try_clone().map_err(QemuError::io("QMP socket"))?);
        let mut qmp = Self { stream, reader };
        let greeting = qmp.read()?;
        if greeting.get("QMP").is_none() {
            return Err(QemuError::Protocol(format!("QMP greeting: {greeting}")));
        }
        qmp.execute("qmp_capabilities", None)?;
        Ok(qmp)
    }

    fn read(&mut self) -> Result<Value, QemuError> {
        let mut line = String::new();
        let n = self
            .reader
            .read_line(&mut line)
            .map_err(QemuError::io("QMP read"))?;
        if n == 0 {
            return Err(QemuError::Protocol("QEMU closed the QMP socket".into()));
        }
        serde_json::from_str(&line)
            .map_err(|e| QemuError::Protocol(format!("QMP sent `{}`: {e}", line.trim())))
    }

    /// Runs `command` and returns its `return` value (events in between are skipped).
    pub(crate) fn execute(
        &mut self,
        command: &str,
        arguments: Option<Value>,
    ) -> Result<Value, QemuError> {
        let mut request = json!({ "execute": command });
        if let Some(arguments) = arguments {
            request["arguments"] = arguments;
        }
        let mut text = request.to_string();
        text.push('\n');
        self.stream
            .write_all(text.as_bytes())
            .map_err(QemuError::io("QMP write"))?;
        for _ in 0..MAX_LINES_PER_ANSWER {
            let mut answer = self.read()?;
            if let Some(value) = answer.get_mut("return") {
                return Ok(value.take());
            }
            if let Some(error) = answer.get("error") {
                return Err(QemuError::Protocol(format!("QMP {command}: {error}")));
            }
        }
        Err(QemuError::Protocol(format!(
            "QMP {command}: no answer among {MAX_LINES_PER_ANSWER} events"
        )))
    }
}
