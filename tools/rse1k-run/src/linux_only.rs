//! The runs that need a Linux host, and what the runner says on any other (Windows included):
//! `--device qemu` drives QEMU through the `qemu-e1000` crate (Unix sockets, guest RAM in
//! `/dev/shm`, `prctl(PR_SET_PDEATHSIG)`), and `--tap` puts the Linux stack in a network
//! namespace behind a TAP device. Every other run (the main job on the model, `--explore`,
//! `--speed`, `--workload locks`) is the same on every host.

use crate::driver_job::DeviceKind;

/// Why `--device qemu` cannot run here.
pub const QEMU: &str = "--device qemu needs a Linux host: the qemu-e1000 backend talks to \
                        QEMU over Unix sockets, maps its guest RAM from /dev/shm and ties \
                        QEMU's life to this process with prctl(PR_SET_PDEATHSIG); use \
                        --device model (the default) on this host";

/// Why `--tap` cannot run here.
pub const TAP: &str = "--tap needs a Linux host: it creates a network namespace (ip netns, \
                       setns) with a TAP device (/dev/net/tun) for the Linux stack to answer \
                       from; the in-process peer (without --tap) runs on this host";

/// The reason a run asked for with `device` and `tap` needs Linux, or `None` when it runs on
/// any host.
pub fn requirement(device: DeviceKind, tap: bool) -> Option<&'static str> {
    if tap {
        Some(TAP)
    } else if device == DeviceKind::Qemu {
        Some(QEMU)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{DeviceKind, QEMU, TAP, requirement};

    #[test]
    fn only_qemu_and_tap_need_linux() {
        assert_eq!(requirement(DeviceKind::Model, false), None);
        assert_eq!(requirement(DeviceKind::Qemu, false), Some(QEMU));
        assert_eq!(requirement(DeviceKind::Model, true), Some(TAP));
        assert_eq!(requirement(DeviceKind::Qemu, true), Some(TAP));
    }
}
