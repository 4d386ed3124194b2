//! Receive filtering: own unicast, other unicast and UPE, broadcast and BAM, multicast through
//! the MTA hash and MPE, extra receive addresses and their valid bit.

mod common;

use common::{MAC, PEER, Rig, frame};
use e1000_model::filter::mta_hash;
use e1000_model::regs::{
    MTA, RAH_AV, RAH0, RAL0, RCTL, RCTL_BAM, RCTL_EN, RCTL_MO_SHIFT, RCTL_MPE, RCTL_SECRC,
    RCTL_UPE, RDH,
};

const OTHER: [u8; 6] = [0x52, 0x54, 0x00, 0x99, 0x99, 0x99];
const BROADCAST: [u8; 6] = [0xFF; 6];
const GROUP: [u8; 6] = [0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB];

/// Whether a frame to `dst` from the peer ends up in the ring.
fn received(rig: &mut Rig, dst: [u8; 6]) -> bool {
    let before = rig.read(RDH);
    rig.inject(&frame(dst, PEER, 60, 0));
    rig.read(RDH) != before
}

fn rig_with(rctl: u32) -> Rig {
    let rig = Rig::new();
    rig.setup_rx(32, 0);
    rig.write(RCTL, RCTL_EN | RCTL_SECRC | rctl);
    rig
}

fn set_mta_bit(rig: &Rig, dst: [u8; 6], mo: u32) {
    let hash = u32::from(mta_hash(&dst, mo));
    let reg = MTA + 4 * (hash >> 5);
    rig.write(reg, rig.read(reg) | (1 << (hash & 31)));
}

#[test]
fn own_unicast_is_accepted_and_others_dropped() {
    let mut rig = rig_with(0);
    assert!(received(&mut rig, MAC));
    assert!(!received(&mut rig, OTHER));
    assert_eq!(rig.nic.stats().rx_dropped_filtered, 1);
}

#[test]
fn upe_accepts_any_unicast() {
    let mut rig = rig_with(RCTL_UPE);
    assert!(received(&mut rig, OTHER));
    assert!(received(&mut rig, MAC));
}

#[test]
fn broadcast_needs_bam() {
    let mut rig = rig_with(0);
    assert!(!received(&mut rig, BROADCAST));
    rig.write(RCTL, rig.read(RCTL) | RCTL_BAM);
    assert!(received(&mut rig, BROADCAST));
}

#[test]
fn multicast_passes_through_its_mta_bit() {
    let mut rig = rig_with(0);
    assert!(!received(&mut rig, GROUP));
    set_mta_bit(&rig, GROUP, 0);
    assert!(received(&mut rig, GROUP));
    // A different group whose hash bit is clear is still dropped.
    assert!(!received(&mut rig, [0x01, 0x00, 0x5E, 0x00, 0x00, 0x01]));
}

#[test]
fn the_multicast_offset_selects_the_hash_bits() {
    let mut rig = rig_with(2 << RCTL_MO_SHIFT);
    set_mta_bit(&rig, GROUP, 0);
    let differs = mta_hash(&GROUP, 0) != mta_hash(&GROUP, 2);
    assert!(differs, "the test needs a group whose hashes differ");
    assert!(!received(&mut rig, GROUP), "MO = 2 looks at another bit");
    set_mta_bit(&rig, GROUP, 2);
    assert!(received(&mut rig, GROUP));
}

#[test]
fn mpe_accepts_every_multicast_but_not_unicast() {
    let mut rig = rig_with(RCTL_MPE);
    assert!(received(&mut rig, GROUP));
    assert!(
        received(&mut rig, BROADCAST),
        "broadcast is a group address"
    );
    assert!(!received(&mut rig, OTHER));
}

#[test]
fn extra_receive_addresses_count_only_when_valid() {
    let mut rig = rig_with(0);
    let ral = u32::from_le_bytes([OTHER[0], OTHER[1], OTHER[2], OTHER[3]]);
    let rah = u32::from_le_bytes([OTHER[4], OTHER[5], 0, 0]);
    rig.write(RAL0 + 8 * 15, ral);
    rig.write(RAH0 + 8 * 15, rah);
    assert!(!received(&mut rig, OTHER), "AV clear");
    rig.write(RAH0 + 8 * 15, rah | RAH_AV);
    assert!(received(&mut rig, OTHER));
    // Clearing AV on RA[0] stops the station's own address.
    rig.write(RAH0, rig.read(RAH0) & !RAH_AV);
    assert!(!received(&mut rig, MAC));
}
