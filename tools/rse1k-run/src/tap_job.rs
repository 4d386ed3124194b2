//! `--tap`: real traffic. The driver's wire goes to a TAP inside a network namespace the run
//! creates (QEMU's `-netdev tap`, or e1000-model's TAP wire), the protocol above the miniport is
//! smoltcp bound to the simulated NDIS edge, and the peers are the Linux stack's own: ARP,
//! `ping` from the namespace to the smoltcp address, and a TCP transfer both ways between a
//! Linux socket in the namespace and a smoltcp socket, content checked. Every wait is bounded;
//! the namespace, QEMU and `ping` are removed or stopped by PID at the end.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use e1000_model::{E1000Config, Wire};
use ndis_sim::Machine;
use ndis_sim::bus::PluggedE1000;
use ndis_sim::host::Adapter;
use qemu_e1000::{Netdev, QemuConfig, QemuE1000};
use rse1k::sys;
use smoltcp::iface::{Config, Interface, SocketSet};
use smoltcp::socket::tcp;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};

use crate::driver_job::DeviceKind;
use crate::ndis_phy::NdisPhy;
use crate::netns::{LINUX_ADDR, Namespace, STACK_ADDR, TAP};

/// ICMP echoes `ping` sends.
pub const PINGS: u32 = 20;
/// Bytes each way over TCP.
pub const TCP_BYTES: usize = 4 << 20;
/// The Linux listener's port.
const PORT: u16 = 5201;
/// Bound on each phase (host time).
const PHASE_LIMIT: Duration = Duration::from_mins(2);

/// What the real-traffic run measured.
#[derive(Debug, Default)]
pub struct TapSummary {
    /// `ping` replies received, of [`PINGS`].
    pub ping_replies: u32,
    /// `ping`'s summary line.
    pub ping_line: String,
    /// Bytes smoltcp received from Linux, checked.
    pub tcp_in: usize,
    /// Bytes Linux received from smoltcp, checked.
    pub tcp_out: usize,
    /// Host time of the TCP transfer.
    pub tcp_elapsed: Duration,
    /// Frames smoltcp sent / received through the miniport.
    pub frames: (u64, u64),
    /// Send completions with a failure status.
    pub send_failures: u64,
}

/// `addr` as smoltcp's address type.
fn smoltcp_address(addr: [u8; 4]) -> IpAddress {
    IpAddress::Ipv4(Ipv4Addr::from(addr))
}

/// Byte `i` of the stream from Linux.
fn from_linux(i: usize) -> u8 {
    (i.wrapping_mul(7) ^ (i >> 11)).to_le_bytes()[0]
}

/// Byte `i` of the stream from smoltcp.
fn from_stack(i: usize) -> u8 {
    (i.wrapping_mul(13) ^ (i >> 9) ^ 0x5A).to_le_bytes()[0]
}

fn pump(machine: &Machine) {
    for _ in 0..4 {
        machine.advance_clock(10_000);
    }
    std::thread::yield_now();
}

struct Stack<'a> {
    iface: Interface,
    phy: NdisPhy<'a>,
    sockets: SocketSet<'static>,
    start: Instant,
}

impl Stack<'_> {
    fn poll(&mut self, machine: &Machine) {
        let now = smoltcp::time::Instant::from_micros(
            i64::try_from(self.start.elapsed().as_micros()).unwrap_or(i64::MAX),
        );
        self.iface.poll(now, &mut self.phy, &mut self.sockets);
        pump(machine);
    }
}

/// Plugs the device with its wire on the namespace's TAP.
fn plug(
    machine: &Machine,
    kind: DeviceKind,
    ns: &Namespace,
) -> Result<(PluggedE1000, Option<Arc<QemuE1000>>), String> {
    match kind {
        DeviceKind::Qemu => {
            let mut config = QemuConfig::new(Netdev::Tap { ifname: TAP.into() });
            config.prefix = ns.exec_prefix();
            let qemu = Arc::new(QemuE1000::spawn(&config).map_err(|e| format!("QEMU: {e}"))?);
            let nic = machine
                .plug_device(5, Arc::clone(&qemu) as _)
                .map_err(|e| e.to_string())?;
            Ok((nic, Some(qemu)))
        }
        DeviceKind::Model => {
            // The TAP exists only inside the namespace: attach to it from a thread there (the
            // file descriptor stays bound to the device whatever thread uses it).
            let wire = std::thread::scope(|s| {
                s.spawn(|| -> Result<Box<dyn Wire>, String> {
                    ns.enter_on_this_thread()?;
                    let tap = e1000_model::tap::TapWire::open(TAP)
                        .map_err(|e| format!("/dev/net/tun {TAP}: {e}"))?;
                    Ok(Box::new(tap))
                })
                .join()
                .map_err(|_| "the TAP thread panicked".to_string())?
            })?;
            let nic = machine.plug_e1000(5, E1000Config::default(), wire);
            Ok((nic, None))
        }
    }
}

/// Runs the real-traffic job on `kind`.
///
/// # Errors
/// A message when the namespace, QEMU, the driver's lifecycle or a transfer fails.
pub fn run(machine: &Machine, kind: DeviceKind) -> Result<TapSummary, String> {
    let ns = Namespace::create()?;
    let (nic, qemu) = plug(machine, kind, &ns)?;
    let result = with_driver(machine, &nic, &ns);
    if let Some(qemu) = qemu {
        qemu.shutdown();
    }
    drop(ns);
    result
}

fn with_driver(
    machine: &Machine,
    nic: &PluggedE1000,
    ns: &Namespace,
) -> Result<TapSummary, String> {
    let driver = machine
        .load_driver(rse1k::miniport::driver_entry)
        .map_err(|s| format!("DriverEntry failed: {s:#x}"))?;
    let adapter = driver
        .initialize(nic)
        .map_err(|s| format!("MiniportInitializeEx failed: {s:#x}"))?;
    let filter = sys::NDIS_PACKET_TYPE_DIRECTED
        | sys::NDIS_PACKET_TYPE_MULTICAST
        | sys::NDIS_PACKET_TYPE_BROADCAST;
    let set = adapter.oid_set(sys::OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes());
    if set.status != sys::NDIS_STATUS_SUCCESS {
        return Err(format!("packet filter OID failed: {:#x}", set.status));
    }
    if adapter.restart() != sys::NDIS_STATUS_SUCCESS {
        return Err("MiniportRestart failed".into());
    }
    let summary = traffic(machine, &adapter, nic.device.nic().mac(), ns);
    adapter.pause();
    let leaks = adapter.halt(sys::NdisHaltDeviceDisabled);
    driver.unload();
    if !leaks.is_empty() {
        return Err(format!("leaks at Halt:\n{leaks}"));
    }
    summary
}

fn traffic(
    machine: &Machine,
    adapter: &Adapter,
    station: [u8; 6],
    ns: &Namespace,
) -> Result<TapSummary, String> {
    let mut phy = NdisPhy::new(adapter);
    let config = Config::new(HardwareAddress::Ethernet(EthernetAddress(station)));
    let mut iface = Interface::new(config, &mut phy, smoltcp::time::Instant::from_micros(0));
    iface.update_ip_addrs(|addrs| {
        let _ = addrs.push(IpCidr::new(smoltcp_address(STACK_ADDR), 24));
    });
    let mut stack = Stack {
        iface,
        phy,
        sockets: SocketSet::new(Vec::new()),
        start: Instant::now(),
    };
    let mut summary = TapSummary::default();
    ping(machine, &mut stack, ns, &mut summary)?;
    tcp_both_ways(machine, &mut stack, ns, &mut summary)?;
    summary.frames = (stack.phy.sent, stack.phy.received);
    summary.send_failures = stack.phy.send_failures;
    Ok(summary)
}

/// `ping -c PINGS` from the namespace to the smoltcp address; smoltcp answers.
fn ping(
    machine: &Machine,
    stack: &mut Stack<'_>,
    ns: &Namespace,
    summary: &mut TapSummary,
) -> Result<(), String> {
    let target = Ipv4Addr::from(STACK_ADDR).to_string();
    let mut child = Command::new("ip")
        .args(["netns", "exec", ns.name(), "ping", "-n", "-c"])
        .arg(PINGS.to_string())
        .args(["-i", "0.05", "-W", "5", &target])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("ping: {e}"))?;
    let deadline = Instant::now() + PHASE_LIMIT;
    loop {
        stack.poll(machine);
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("ping did not finish within {PHASE_LIMIT:?}"));
        }
    }
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut out);
    }
    let Some(line) = out
        .lines()
        .find(|l| l.contains("packets transmitted"))
        .map(str::to_owned)
    else {
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.read_to_string(&mut err);
        }
        return Err(format!(
            "ping printed no summary (install iputils-ping): {}",
            err.trim()
        ));
    };
    summary.ping_replies = line
        .split(", ")
        .find_map(|part| part.strip_suffix(" received")?.trim().parse().ok())
        .unwrap_or(0);
    summary.ping_line = line;
    Ok(())
}

/// The Linux side: listens in the namespace, sends [`TCP_BYTES`] and reads as many, checking
/// them. Returns the bytes it received intact.
fn linux_peer(ns: &Namespace) -> Result<usize, String> {
    ns.enter_on_this_thread()?;
    let listener = TcpListener::bind((Ipv4Addr::from(LINUX_ADDR), PORT))
        .map_err(|e| format!("Linux listener: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + PHASE_LIMIT;
    let mut stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(format!("accept: {e}")),
        }
        if Instant::now() > deadline {
            return Err("smoltcp never connected".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    stream.set_nonblocking(false).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(PHASE_LIMIT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(PHASE_LIMIT))
        .map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let sender = std::thread::spawn(move || -> Result<(), String> {
        let data: Vec<u8> = (0..TCP_BYTES).map(from_linux).collect();
        writer
            .write_all(&data)
            .map_err(|e| format!("Linux send: {e}"))
    });
    let mut got = vec![0u8; TCP_BYTES];
    stream
        .read_exact(&mut got)
        .map_err(|e| format!("Linux receive: {e}"))?;
    sender
        .join()
        .map_err(|_| "Linux sender panicked".to_string())??;
    Ok(got
        .iter()
        .enumerate()
        .take_while(|&(i, &byte)| byte == from_stack(i))
        .count())
}

/// [`TCP_BYTES`] each way between a Linux socket in the namespace and a smoltcp socket.
fn tcp_both_ways(
    machine: &Machine,
    stack: &mut Stack<'_>,
    ns: &Namespace,
    summary: &mut TapSummary,
) -> Result<(), String> {
    let start = Instant::now();
    std::thread::scope(|scope| -> Result<(), String> {
        let linux = scope.spawn(|| linux_peer(ns));
        let socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; 256 * 1024]),
            tcp::SocketBuffer::new(vec![0; 256 * 1024]),
        );
        let handle = stack.sockets.add(socket);
        // The listener may not be up yet: connect once it is (bounded).
        std::thread::sleep(Duration::from_millis(200));
        stack
            .sockets
            .get_mut::<tcp::Socket>(handle)
            .connect(
                stack.iface.context(),
                (smoltcp_address(LINUX_ADDR), PORT),
                49152,
            )
            .map_err(|e| format!("smoltcp connect: {e}"))?;
        let mut sent = 0usize;
        let mut received = 0usize;
        let mut intact = true;
        let deadline = Instant::now() + PHASE_LIMIT;
        let mut chunk = vec![0u8; 64 * 1024];
        while (sent < TCP_BYTES || received < TCP_BYTES) && Instant::now() < deadline {
            stack.poll(machine);
            let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
            if socket.can_send() && sent < TCP_BYTES {
                let n = chunk.len().min(TCP_BYTES - sent);
                for (i, byte) in chunk[..n].iter_mut().enumerate() {
                    *byte = from_stack(sent + i);
                }
                sent += socket.send_slice(&chunk[..n]).unwrap_or(0);
            }
            while socket.can_recv() {
                let n = socket.recv_slice(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                intact &= chunk[..n]
                    .iter()
                    .enumerate()
                    .all(|(i, &byte)| byte == from_linux(received + i));
                received += n;
            }
        }
        // Let the last segments and ACKs drain, then close (bounded).
        let linger = Instant::now() + Duration::from_secs(10);
        while !linux.is_finished() && Instant::now() < linger {
            stack.poll(machine);
        }
        stack.sockets.get_mut::<tcp::Socket>(handle).close();
        for _ in 0..200 {
            stack.poll(machine);
        }
        let linux_intact = linux
            .join()
            .map_err(|_| "the Linux peer panicked".to_string())??;
        summary.tcp_in = if intact { received } else { 0 };
        summary.tcp_out = linux_intact;
        Ok(())
    })?;
    summary.tcp_elapsed = start.elapsed();
    Ok(())
}
