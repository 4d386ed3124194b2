//! QEMU's own e1000 (`hw/net/e1000.c`) as an [`ndis_sim::bus::Device`]: the same driver that
//! runs on this project's model runs, unmodified, on the device QEMU users' test VMs emulate.
//!
//! [`QemuE1000::spawn`] starts `qemu-system-x86_64` with one `-device e1000`, no BIOS (a 64 KiB
//! firmware image written at run time whose reset vector is `cli; hlt`: the vCPU halts at its
//! first instruction and nothing enumerates PCI behind our back) and guest RAM in a
//! `memory-backend-file` this process maps. Then:
//! - **registers** go over the qtest protocol (`readl` / `writel` of BAR0, placed at
//!   [`BAR0_ADDRESS`]; configuration space through ports 0xCF8/0xCFC);
//! - **DMA memory** is the guest RAM itself: [`Device::guest_ram`] makes the machine carve the
//!   driver's shared memory from it, so QEMU's DMA lands in the driver's buffers with no copy;
//! - **the interrupt** is the e1000's `INTx` as the IOAPIC sees it (`irq_intercept_in ioapic`),
//!   after routing the PIIX3's PIRQ lines (nothing else programs them: no firmware ran);
//! - **the link** goes through QMP `set_link`;
//! - **the wire** is a QEMU netdev: a pair of Unix datagram sockets ([`Netdev::Dgram`], one
//!   datagram per frame, for an in-process peer) or a TAP device ([`Netdev::Tap`]).
//!
//! # Time
//! Debian's QEMU has no qtest accelerator, so TCG runs the (halted) vCPU and QEMU's virtual
//! clock follows the host's. The machine's clock is virtual: [`Device::advance`] waits until at
//! least as much host time has passed since QEMU started as the machine's clock has advanced,
//! so anything the driver waits for on its clock (the 1 s receive gate after every RCTL write,
//! the 500 ms autonegotiation after `set_link up`, mitigation windows) QEMU has had time for.
//! Runs on QEMU are therefore not replayable from a seed.
//!
//! # What it cannot do
//! QEMU does not report what the model calls faults (DMA outside shared memory, bad
//! descriptors): [`Device::faults`] refuses rather than answer "none".
//!
//! # Cleanup
//! Dropping the device asks QEMU to quit, kills it by PID if it has not exited within 2 s, and
//! removes its sockets, its firmware image and the RAM file (unlinked as soon as it is mapped).
//!
//! # Linux only
//! The crate is empty on other hosts: it relies on Linux interfaces (`prctl(PR_SET_PDEATHSIG)`
//! so QEMU dies with this process, Unix sockets for qtest, QMP and the wire, `/dev/shm` for the
//! guest RAM file, process groups). `rse1k-run --device qemu` says so and exits non-zero there.
#![cfg(target_os = "linux")]

mod qmp;
mod qtest;
mod wire;

pub use wire::DgramWire;

use std::fmt;
use std::io::Read;
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use e1000_model::{Fault, IrqLine};
use ndis_sim::bus::{Device, DeviceError, GuestRam, PAGE_SIZE, PHYSICAL_BASE};
use serde_json::json;

use qmp::Qmp;
use qtest::Qtest;

/// Where BAR0 is placed in QEMU's PCI hole (the address `-m 128M`'s pc machine leaves free).
pub const BAR0_ADDRESS: u64 = 0xE000_0000;

/// The netdev id the e1000 is attached to (what QMP `set_link` names).
const NETDEV_ID: &str = "n0";

/// PIIX3 (00:01.0) PIRQ route control registers PIRQRC\[A..D\]: 0x60–0x63 of its configuration
/// space, 0x80 (disabled) at reset. The ISA IRQ each PIRQ is routed to (`SeaBIOS`'s choice).
const PIRQ_ROUTE: [u8; 4] = [10, 11, 5, 9];

/// The e1000's PCI identity: vendor 8086, device 100E (82540EM).
const E1000_ID: u32 = 0x100E_8086;

/// How long QEMU has to connect its qtest and QMP sockets.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Something went wrong with QEMU.
#[derive(Debug)]
pub enum QemuError {
    /// QEMU is not installed (or not where `QEMU` points).
    NotInstalled(String),
    /// An I/O error on what the sentence names.
    Io(&'static str, std::io::Error),
    /// QEMU answered something unexpected, or not at all.
    Protocol(String),
}

impl QemuError {
    fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |e| Self::Io(what, e)
    }
}

impl fmt::Display for QemuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotInstalled(what) => write!(f, "QEMU is not available: {what}"),
            Self::Io(what, e) => write!(f, "{what}: {e}"),
            Self::Protocol(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for QemuError {}

impl From<QemuError> for DeviceError {
    fn from(e: QemuError) -> Self {
        DeviceError(e.to_string())
    }
}

/// What the e1000's netdev is connected to.
#[derive(Clone, Debug)]
pub enum Netdev {
    /// `-netdev dgram` between two Unix datagram sockets: QEMU binds `qemu`, sends every frame
    /// it transmits to `peer` as one datagram, and receives every datagram sent to `qemu`. The
    /// peer binds `peer` (before spawning) and is the other end of the wire.
    Dgram {
        /// The socket QEMU binds.
        qemu: PathBuf,
        /// The socket the peer binds.
        peer: PathBuf,
    },
    /// `-netdev tap` on an existing TAP interface (the caller creates it, and QEMU must be able
    /// to open it: root, or a persistent TAP owned by the user).
    Tap {
        /// The interface name.
        ifname: String,
    },
}

/// How to start QEMU.
#[derive(Clone, Debug)]
pub struct QemuConfig {
    /// The emulator (default: `$QEMU`, else `qemu-system-x86_64` on `PATH`).
    pub binary: PathBuf,
    /// Guest RAM in MiB (shared memory is carved from it above 1 MiB).
    pub ram_mib: u32,
    /// The e1000's MAC address.
    pub mac: [u8; 6],
    /// Its wire.
    pub netdev: Netdev,
    /// Run QEMU through this command first (for example `ip netns exec NS`).
    pub prefix: Vec<String>,
}

impl QemuConfig {
    /// 128 MiB, MAC 52:54:00:12:34:56, `$QEMU` or `qemu-system-x86_64`, on `netdev`.
    #[must_use]
    pub fn new(netdev: Netdev) -> Self {
        Self {
            binary: std::env::var_os("QEMU")
                .map_or_else(|| PathBuf::from("qemu-system-x86_64"), PathBuf::from),
            ram_mib: 128,
            mac: [0x52, 0x54, 0x00, 0x12, 0x34, 0x56],
            netdev,
            prefix: Vec::new(),
        }
    }
}

/// Whether a QEMU binary answers `--version` (so a test can say it was not run, and why).
///
/// # Errors
/// Why not: not found, or it failed.
pub fn probe(binary: &Path) -> Result<String, QemuError> {
    let out = Command::new(binary)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| QemuError::NotInstalled(format!("{}: {e}", binary.display())))?;
    if !out.status.success() {
        return Err(QemuError::NotInstalled(format!(
            "{} --version exited with {}",
            binary.display(),
            out.status
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned())
}

/// The guest RAM, mapped here: the `memory-backend-file` QEMU's pc machine uses as its RAM.
struct SharedRam {
    map: memmap2::MmapMut,
}

// SAFETY: `usable` is [1 MiB, size) and the mapping covers [0, size) for as long as `SharedRam`
// lives (it owns the mapping); the mapping is shared and writable.
unsafe impl GuestRam for SharedRam {
    fn host_base(&self) -> usize {
        self.map.as_ptr() as usize
    }

    fn usable(&self) -> core::ops::Range<u64> {
        PHYSICAL_BASE..(self.map.len() as u64 / PAGE_SIZE as u64) * PAGE_SIZE as u64
    }
}

/// The scratch directory and files of one QEMU, removed on drop.
struct Scratch {
    dir: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One QEMU process with one e1000, as an ndis-sim [`Device`].
pub struct QemuE1000 {
    child: Mutex<Option<Child>>,
    qtest: Qtest,
    qmp: Mutex<Qmp>,
    ram: Arc<SharedRam>,
    mac: [u8; 6],
    /// The e1000's slot on bus 0.
    slot: u8,
    /// The ISA IRQ the e1000's INTA reaches through the PIIX3.
    irq: u8,
    /// The level last told to the machine's line.
    told: Mutex<Option<bool>>,
    line: Mutex<Option<Arc<dyn IrqLine>>>,
    /// Host time when QEMU started (its virtual clock started then too).
    started: Instant,
    /// The machine's clock as [`Device::advance`] was told of it.
    machine_ns: AtomicU64,
    quit: AtomicBool,
    version: String,
    scratch: Mutex<Option<Scratch>>,
}

impl fmt::Debug for QemuE1000 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QemuE1000")
            .field("version", &self.version)
            .field("irq", &self.irq)
            .finish_non_exhaustive()
    }
}

/// A 64 KiB firmware image whose reset vector (0xFFFF0, the image's last 16 bytes) is
/// `cli; hlt; jmp $-3`: the vCPU halts with interrupts off and stays halted.
fn halt_firmware() -> Vec<u8> {
    let mut image = vec![0xFFu8; 0x1_0000];
    image[0xFFF0..0xFFF4].copy_from_slice(&[0xFA, 0xF4, 0xEB, 0xFD]);
    image
}

fn config_address(device: u8, offset: u32) -> u32 {
    0x8000_0000 | (u32::from(device) << 11) | (offset & 0xFC)
}

/// QEMU's command line (without the binary): the pc machine on TCG with the halt firmware, RAM
/// in `ram_path` shared with us, qtest and QMP connecting to our sockets, one e1000.
fn qemu_args(
    config: &QemuConfig,
    firmware: &Path,
    ram_path: &Path,
    qtest_path: &Path,
    qmp_path: &Path,
) -> Vec<String> {
    let m = config.mac;
    let mac = format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    );
    let netdev = match &config.netdev {
        Netdev::Dgram { qemu, peer } => format!(
            "dgram,id={NETDEV_ID},local.type=unix,local.path={},remote.type=unix,remote.path={}",
            qemu.display(),
            peer.display()
        ),
        Netdev::Tap { ifname } => {
            format!("tap,id={NETDEV_ID},ifname={ifname},script=no,downscript=no")
        }
    };
    let ram = config.ram_mib;
    vec![
        "-machine".into(),
        "pc,memory-backend=mem".into(),
        "-accel".into(),
        "tcg".into(),
        "-bios".into(),
        firmware.display().to_string(),
        "-m".into(),
        format!("{ram}M"),
        "-object".into(),
        format!(
            "memory-backend-file,id=mem,size={ram}M,mem-path={},share=on",
            ram_path.display()
        ),
        "-qtest".into(),
        format!("unix:{}", qtest_path.display()),
        "-qmp".into(),
        format!("unix:{}", qmp_path.display()),
        "-qtest-log".into(),
        "none".into(),
        "-display".into(),
        "none".into(),
        "-nodefaults".into(),
        "-device".into(),
        // romfile= : no option ROM (nothing would run it, and it needs no file then).
        format!("e1000,netdev={NETDEV_ID},mac={mac},romfile="),
        "-netdev".into(),
        netdev,
    ]
}

/// Accepts one connection on `listener` within [`CONNECT_TIMEOUT`], giving up early if `child`
/// exits.
fn accept(listener: &UnixListener, child: &mut Child, what: &str) -> Result<UnixStream, QemuError> {
    listener
        .set_nonblocking(true)
        .map_err(QemuError::io("listening socket"))?;
    let deadline = Instant::now() + CONNECT_TIMEOUT;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream
                    .set_nonblocking(false)
                    .map_err(QemuError::io("accepted socket"))?;
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(QemuError::Io("accept", e)),
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            return Err(QemuError::Protocol(format!(
                "QEMU exited ({status}) before connecting its {what} socket: {}",
                stderr.trim()
            )));
        }
        if Instant::now() > deadline {
            return Err(QemuError::Protocol(format!(
                "QEMU did not connect its {what} socket within {CONNECT_TIMEOUT:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// In the forked child: if this process dies without dropping the device (an abort, a kill),
/// the kernel kills QEMU too, so nothing is left running.
fn die_with_parent() -> std::io::Result<()> {
    // SAFETY: PR_SET_PDEATHSIG with a valid signal number only sets a flag on this process.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Kills `child` by its PID and reaps it.
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

impl QemuE1000 {
    /// Starts QEMU with `config` and brings the e1000 up on its PCI bus: PIRQ routing, BAR0 at
    /// [`BAR0_ADDRESS`], memory space and bus mastering on, the IOAPIC intercept.
    ///
    /// # Errors
    /// QEMU missing, failing to start, or answering unexpectedly (it is killed then).
    pub fn spawn(config: &QemuConfig) -> Result<Self, QemuError> {
        static INSTANCE: AtomicU64 = AtomicU64::new(0);
        let version = probe(&config.binary)?;
        let n = INSTANCE.fetch_add(1, Ordering::SeqCst);
        let tag = format!("rse1k-qemu-{}-{n}", std::process::id());
        let dir = std::env::temp_dir().join(&tag);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(QemuError::io("scratch directory"))?;
        let scratch = Scratch { dir: dir.clone() };
        let firmware = dir.join("halt.bin");
        std::fs::write(&firmware, halt_firmware()).map_err(QemuError::io("firmware image"))?;
        let qtest_path = dir.join("qtest.sock");
        let qmp_path = dir.join("qmp.sock");
        let qtest_listener =
            UnixListener::bind(&qtest_path).map_err(QemuError::io("qtest socket"))?;
        let qmp_listener = UnixListener::bind(&qmp_path).map_err(QemuError::io("QMP socket"))?;
        let ram_path = PathBuf::from("/dev/shm").join(&tag);
        let args = qemu_args(config, &firmware, &ram_path, &qtest_path, &qmp_path);
        let (program, prefix_args) = match config.prefix.split_first() {
            Some((first, rest)) => (PathBuf::from(first), rest.to_vec()),
            None => (config.binary.clone(), Vec::new()),
        };
        let mut command = Command::new(program);
        command.args(prefix_args);
        if !config.prefix.is_empty() {
            command.arg(&config.binary);
        }
        command
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0);
        // SAFETY: `die_with_parent` runs in the forked child before exec and only calls
        // `prctl`, which is async-signal-safe and allocates nothing.
        unsafe { command.pre_exec(die_with_parent) };
        let mut child = command
            .spawn()
            .map_err(|e| QemuError::NotInstalled(format!("{}: {e}", config.binary.display())))?;
        let connected = accept(&qtest_listener, &mut child, "qtest")
            .and_then(|q| Ok((q, accept(&qmp_listener, &mut child, "QMP")?)));
        let (qtest_stream, qmp_stream) = match connected {
            Ok(pair) => pair,
            Err(e) => {
                kill(&mut child);
                let _ = std::fs::remove_file(&ram_path);
                return Err(e);
            }
        };
        let set_up = Qtest::new(qtest_stream).and_then(|qtest| {
            let map = Self::open_guest_ram(&qtest, &ram_path, u64::from(config.ram_mib) << 20)?;
            let qmp = Qmp::new(qmp_stream)?;
            Ok((map, qtest, qmp))
        });
        // Both processes hold the file now (or QEMU is being killed): nothing needs its name
        // any more, so a crash cannot leave it behind.
        let _ = std::fs::remove_file(&ram_path);
        let (map, qtest, qmp) = match set_up {
            Ok(parts) => parts,
            Err(e) => {
                kill(&mut child);
                return Err(e);
            }
        };
        let mut device = Self {
            child: Mutex::new(Some(child)),
            qtest,
            qmp: Mutex::new(qmp),
            ram: Arc::new(SharedRam { map }),
            mac: config.mac,
            slot: 0,
            irq: 0,
            told: Mutex::new(None),
            line: Mutex::new(None),
            started: Instant::now(),
            machine_ns: AtomicU64::new(0),
            quit: AtomicBool::new(false),
            version,
            scratch: Mutex::new(Some(scratch)),
        };
        // On error `device` drops here, which kills QEMU.
        (device.slot, device.irq) = device.bring_up()?;
        Ok(device)
    }

    /// Maps QEMU's guest RAM file once QEMU has made it.
    ///
    /// QEMU connects its qtest and QMP sockets while it is still starting: it creates
    /// `memory-backend-*` objects after its character devices (so that allocating a large RAM
    /// cannot delay a monitor socket), so right after both connections the file may not exist
    /// yet (QEMU 7.2: 5 of 8 starts under load, up to 84 ms late). QEMU reads qtest requests
    /// only in its main loop, which runs once the machine and its RAM are built, so the file
    /// is there once a first request is answered.
    fn open_guest_ram(qtest: &Qtest, path: &Path, len: u64) -> Result<memmap2::MmapMut, QemuError> {
        qtest.request("endianness")?;
        Self::map_ram(path, len)
    }

    fn map_ram(path: &Path, len: u64) -> Result<memmap2::MmapMut, QemuError> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(QemuError::io("guest RAM file"))?;
        let size = file
            .metadata()
            .map_err(QemuError::io("guest RAM file"))?
            .len();
        if size < len {
            return Err(QemuError::Protocol(format!(
                "guest RAM file is {size} bytes, expected {len}"
            )));
        }
        // SAFETY: the file is QEMU's guest RAM: QEMU's DMA writes it while we hold the mapping,
        // which is exactly what shared memory is; no Rust reference into the mapping is held
        // across such a write (the machine hands out raw addresses, as NDIS does).
        unsafe {
            memmap2::MmapOptions::new()
                .len(usize::try_from(len).unwrap_or(0))
                .map_mut(&file)
        }
        .map_err(QemuError::io("mapping guest RAM"))
    }

    /// PIRQ routing, discovery, BAR0, command register, IOAPIC intercept. Returns the e1000's
    /// slot and the ISA IRQ of its `INTx`.
    fn bring_up(&self) -> Result<(u8, u8), QemuError> {
        self.qtest.request("irq_intercept_in ioapic")?;
        // PIIX3 at 00:01.0: route PIRQA..D (reset: 0x80, disabled).
        self.qtest
            .request(&format!("outl 0xcf8 {:#x}", config_address(1, 0x60)))?;
        for (n, irq) in PIRQ_ROUTE.iter().enumerate() {
            self.qtest
                .request(&format!("outb {:#x} {irq:#x}", 0xCFC + n))?;
        }
        let slot = (0..32u8)
            .find(|&dev| self.config_read(dev, 0).ok() == Some(E1000_ID))
            .ok_or_else(|| QemuError::Protocol("no 8086:100E on bus 0".into()))?;
        self.config_write(slot, 0x10, u32::try_from(BAR0_ADDRESS).unwrap_or(0))?;
        let command = self.config_read(slot, 0x04)?;
        // Memory space and bus master.
        self.config_write(slot, 0x04, (command & 0xFFFF) | 0x6)?;
        let pin = (self.config_read(slot, 0x3C)? >> 8) & 0xFF;
        if pin == 0 {
            return Err(QemuError::Protocol(
                "the e1000 reports no interrupt pin".into(),
            ));
        }
        // The PIIX3's swizzle (hw/isa/piix3.c): PIRQ = (slot + pin - 2) mod 4.
        let pirq = (u32::from(slot) + pin + 2) % 4;
        Ok((slot, PIRQ_ROUTE[pirq as usize]))
    }

    fn config_read(&self, slot: u8, offset: u32) -> Result<u32, QemuError> {
        self.qtest
            .request(&format!("outl 0xcf8 {:#x}", config_address(slot, offset)))?;
        let v = self.qtest.request_value("inl 0xcfc")?;
        Ok(u32::try_from(v).unwrap_or(u32::MAX))
    }

    fn config_write(&self, slot: u8, offset: u32, value: u32) -> Result<(), QemuError> {
        self.qtest
            .request(&format!("outl 0xcf8 {:#x}", config_address(slot, offset)))?;
        self.qtest.request(&format!("outl 0xcfc {value:#x}"))?;
        Ok(())
    }

    /// QEMU's version line.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// How many times the e1000's IRQ was raised (as the IOAPIC saw it).
    #[must_use]
    pub fn irq_raises(&self) -> u64 {
        self.qtest.irqs().raises(self.irq)
    }

    /// Tells the machine's line the level the reader last recorded, if it changed.
    fn sync_irq(&self) {
        let level = self.qtest.irqs().level(self.irq);
        let mut told = self.told.lock().unwrap_or_else(PoisonError::into_inner);
        if *told == Some(level) {
            return;
        }
        let line = self
            .line
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(line) = line {
            *told = Some(level);
            line.set_level(level);
        }
    }

    /// A register access failed: QEMU is gone or hung. The driver sees what a bus with nothing
    /// behind it returns; the failure is reported on stderr once.
    fn lost(&self, e: &QemuError) {
        if !self.quit.swap(true, Ordering::SeqCst) {
            eprintln!("qemu-e1000: {e}");
        }
    }
}

impl Device for QemuE1000 {
    fn name(&self) -> String {
        format!("QEMU e1000 ({})", self.version)
    }

    fn mmio_read(&self, offset: u32) -> u32 {
        let value = self
            .qtest
            .request_value(&format!("readl {:#x}", BAR0_ADDRESS + u64::from(offset)));
        self.sync_irq();
        match value {
            Ok(v) => u32::try_from(v).unwrap_or(u32::MAX),
            Err(e) => {
                self.lost(&e);
                u32::MAX
            }
        }
    }

    fn mmio_write(&self, offset: u32, value: u32) {
        let done = self.qtest.request(&format!(
            "writel {:#x} {value:#x}",
            BAR0_ADDRESS + u64::from(offset)
        ));
        self.sync_irq();
        if let Err(e) = done {
            self.lost(&e);
        }
    }

    fn pci_config_read(&self, offset: u32) -> u32 {
        self.config_read(self.slot, offset).unwrap_or_else(|e| {
            self.lost(&e);
            u32::MAX
        })
    }

    /// Passes configuration writes through, except to the BARs (0x10–0x27): BAR0 stays where
    /// the bus says it is.
    fn pci_config_write(&self, offset: u32, value: u32) {
        if (0x10..0x28).contains(&(offset & !3)) {
            return;
        }
        if let Err(e) = self.config_write(self.slot, offset, value) {
            self.lost(&e);
        }
    }

    fn connect_irq(&self, line: Arc<dyn IrqLine>) {
        *self.line.lock().unwrap_or_else(PoisonError::into_inner) = Some(line);
        *self.told.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.sync_irq();
    }

    fn advance(&self, ns: u64) {
        let machine = self.machine_ns.fetch_add(ns, Ordering::SeqCst) + ns;
        let due = Duration::from_nanos(machine);
        if let Some(ahead) = due.checked_sub(self.started.elapsed()) {
            std::thread::sleep(ahead);
        }
        self.sync_irq();
    }

    /// QEMU receives from its netdev by itself; this only brings the interrupt level up to date
    /// (a frame from the TAP raises it with no request in flight). Returns 0: what QEMU
    /// received is visible in the ring and the statistics registers, not here.
    fn poll_wire(&self) -> usize {
        self.sync_irq();
        0
    }

    fn set_link(&self, up: bool) -> Result<(), DeviceError> {
        self.qmp
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .execute("set_link", Some(json!({ "name": NETDEV_ID, "up": up })))?;
        Ok(())
    }

    fn link_up(&self) -> bool {
        // STATUS.LU (bit 1).
        self.mmio_read(0x8) & 0x2 != 0
    }

    fn mac(&self) -> [u8; 6] {
        self.mac
    }

    fn faults(&self) -> Result<Vec<Fault>, DeviceError> {
        Err(DeviceError(
            "QEMU's e1000 does not report driver faults (DMA outside shared memory, bad \
             descriptors): only e1000-model checks them"
                .into(),
        ))
    }

    fn guest_ram(&self) -> Option<Arc<dyn GuestRam>> {
        Some(Arc::clone(&self.ram) as Arc<dyn GuestRam>)
    }
}

impl QemuE1000 {
    /// Stops QEMU: QMP `quit`, then a kill by PID if it has not exited within 2 s; reaps it and
    /// removes its scratch files. The device reads all ones afterwards. Called by `Drop`; call
    /// it directly when the machine holding the device may outlive the run.
    pub fn shutdown(&self) {
        self.quit.store(true, Ordering::SeqCst);
        let child = self
            .child
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(mut child) = child else {
            return;
        };
        let quit = self
            .qmp
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .execute("quit", None);
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut exited = false;
        while quit.is_ok() && Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                exited = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if !exited {
            kill(&mut child);
        }
        self.qtest.shutdown();
        drop(
            self.scratch
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
    }
}

impl Drop for QemuE1000 {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_firmware_halts_at_the_reset_vector() {
        let image = halt_firmware();
        assert_eq!(image.len(), 0x1_0000);
        // cli; hlt; jmp back to the hlt.
        assert_eq!(&image[0xFFF0..0xFFF4], &[0xFA, 0xF4, 0xEB, 0xFD]);
    }

    /// A stand-in for QEMU's start-up order on the qtest socket: the guest RAM file appears
    /// only when the first request is read (QEMU's main loop starts after its memory backends
    /// exist), and the request is answered after that.
    #[test]
    fn guest_ram_is_mapped_only_after_qemu_answers_a_request() {
        use std::io::{BufRead, BufReader, Write};
        const LEN: u64 = 0x1_0000;
        let dir = std::env::temp_dir().join(format!("rse1k-ram-order-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        let ram_path = dir.join("ram");
        let _ = std::fs::remove_file(&ram_path);
        let (ours, theirs) = UnixStream::pair().expect("socket pair");
        let fake_qemu = {
            let ram_path = ram_path.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(theirs.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).expect("qtest read") == 0 {
                    return line;
                }
                let file = std::fs::File::create(&ram_path).expect("guest RAM file");
                file.set_len(LEN).expect("guest RAM size");
                (&theirs).write_all(b"OK little\n").expect("reply");
                line
            })
        };
        let qtest = Qtest::new(ours).expect("qtest");
        let mapped = QemuE1000::open_guest_ram(&qtest, &ram_path, LEN);
        qtest.shutdown();
        let request = fake_qemu.join().expect("fake QEMU");
        let _ = std::fs::remove_dir_all(&dir);
        let map = mapped.expect("the RAM file exists once the request is answered");
        assert_eq!(map.len() as u64, LEN);
        assert_eq!(request.trim(), "endianness");
    }

    #[test]
    fn configuration_addresses_follow_the_0xcf8_layout() {
        assert_eq!(config_address(2, 0x10), 0x8000_1010);
        assert_eq!(config_address(1, 0x62), 0x8000_0860);
    }
}
