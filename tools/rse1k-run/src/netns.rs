//! A network namespace the run creates for itself, with one TAP device addressed inside it:
//! the Linux stack the driver talks to. Nothing outside the namespace is touched; dropping it
//! deletes the namespace (and with it the TAP).

use std::process::{Command, Stdio};

/// The Linux side's address (on the TAP, inside the namespace).
pub const LINUX_ADDR: [u8; 4] = [10, 77, 0, 1];
/// The driver side's address (smoltcp above the miniport).
pub const STACK_ADDR: [u8; 4] = [10, 77, 0, 2];
/// The TAP device's name inside the namespace.
pub const TAP: &str = "rse1ktap0";

/// `ip netns add NAME` and the TAP in it; `ip netns del NAME` on drop.
#[derive(Debug)]
pub struct Namespace {
    name: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ip {}: {e} (install iproute2)", args.join(" ")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {} (needs root: CAP_NET_ADMIN)",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Namespace {
    /// Creates `rse1k-<pid>` with the TAP at 10.77.0.1/24, up, and loopback up.
    ///
    /// # Errors
    /// When `ip` is missing or not allowed (not root), or the namespace exists.
    pub fn create() -> Result<Self, String> {
        let name = format!("rse1k-{}", std::process::id());
        ip(&["netns", "add", &name])?;
        let ns = Self { name };
        let n = ns.name.as_str();
        let addr = format!(
            "{}.{}.{}.{}/24",
            LINUX_ADDR[0], LINUX_ADDR[1], LINUX_ADDR[2], LINUX_ADDR[3]
        );
        ip(&["-n", n, "tuntap", "add", "dev", TAP, "mode", "tap"])?;
        ip(&["-n", n, "addr", "add", &addr, "dev", TAP])?;
        ip(&["-n", n, "link", "set", TAP, "up"])?;
        ip(&["-n", n, "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ip netns exec NAME`: the prefix that runs a command inside.
    #[must_use]
    pub fn exec_prefix(&self) -> Vec<String> {
        vec![
            "ip".into(),
            "netns".into(),
            "exec".into(),
            self.name.clone(),
        ]
    }

    /// Moves the calling thread into the namespace (for a Linux socket of the test's own).
    ///
    /// # Errors
    /// When the namespace file cannot be opened or `setns` fails.
    pub fn enter_on_this_thread(&self) -> Result<(), String> {
        use std::os::fd::AsRawFd;
        let path = format!("/run/netns/{}", self.name);
        let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
        // SAFETY: `file` is an open namespace file; setns only changes this thread's network
        // namespace.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        if rc == 0 {
            Ok(())
        } else {
            Err(format!("setns {path}: {}", std::io::Error::last_os_error()))
        }
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}
