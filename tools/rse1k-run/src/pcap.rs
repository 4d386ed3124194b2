//! `--pcap FILE`: the frames crossing the wire, both ways, in a pcap file Wireshark opens
//! (Ethernet link type, microsecond host timestamps), written with the `pcap-file` crate.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use e1000_model::{Wire, WireFrame};
use pcap_file::pcap::{PcapPacket, PcapWriter};

/// The far end of the wire, recording every frame it sends (towards the NIC) and receives
/// (from the NIC).
pub struct PcapWire {
    inner: Box<dyn Wire>,
    writer: PcapWriter<BufWriter<File>>,
    /// Frames recorded.
    pub frames: u64,
    /// Frames that could not be written (disk full); counted, the traffic goes on.
    pub write_errors: u64,
}

impl PcapWire {
    /// Records what crosses `inner` into a new pcap file at `path`.
    ///
    /// # Errors
    /// When the file cannot be created.
    pub fn new(inner: Box<dyn Wire>, path: &Path) -> Result<Self, String> {
        let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let writer = PcapWriter::new(BufWriter::new(file))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self {
            inner,
            writer,
            frames: 0,
            write_errors: 0,
        })
    }

    fn record(&mut self, frame: &[u8]) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        match self.writer.write_packet(&PcapPacket::new(now, len, frame)) {
            Ok(_) => self.frames += 1,
            Err(_) => self.write_errors += 1,
        }
    }
}

impl Wire for PcapWire {
    fn send(&mut self, frame: &[u8], now_ns: u64) {
        self.record(frame);
        self.inner.send(frame, now_ns);
    }

    fn recv(&mut self, now_ns: u64) -> Option<WireFrame> {
        let frame = self.inner.recv(now_ns)?;
        self.record(&frame.data);
        Some(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use e1000_model::{LinkConditions, cable};
    use pcap_file::pcap::PcapReader;

    #[test]
    fn both_directions_are_recorded_in_order() {
        let path =
            std::env::temp_dir().join(format!("rse1k-pcap-test-{}.pcap", std::process::id()));
        let (mut near, far) = cable(LinkConditions::default());
        {
            let mut wire = PcapWire::new(Box::new(far), &path).expect("creates");
            wire.send(&[1u8; 60], 0);
            near.send(&[2u8; 64], 0);
            assert_eq!(wire.recv(0).map(|f| f.data), Some(vec![2u8; 64]));
            assert_eq!(wire.frames, 2);
        }
        let mut reader = PcapReader::new(File::open(&path).expect("opens")).expect("a pcap");
        let first = reader.next_packet().expect("one").expect("valid");
        assert_eq!(&*first.data, &[1u8; 60]);
        let second = reader.next_packet().expect("two").expect("valid");
        assert_eq!(&*second.data, &[2u8; 64]);
        assert!(reader.next_packet().is_none());
        let _ = std::fs::remove_file(&path);
    }
}
