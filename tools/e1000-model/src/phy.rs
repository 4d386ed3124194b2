//! The PHY behind MDIC (a Marvell 88E1011-style gigabit PHY at MDIO address 1).
//!
//! Enough for a driver that reads its PHY identity and link state or writes its control
//! registers: accesses complete at once (MDIC.R set when the driver reads MDIC back), an
//! access to another PHY address completes with MDIC.E, and the link bits of the status
//! registers follow the model's link. Nothing written to the PHY changes the link.

/// MDIC: data, bits 15:0.
pub const MDIC_DATA_MASK: u32 = 0xFFFF;
/// MDIC: PHY register address, shift of the 5-bit field.
pub const MDIC_REG_SHIFT: u32 = 16;
/// MDIC: PHY address, shift of the 5-bit field.
pub const MDIC_PHY_SHIFT: u32 = 21;
/// MDIC: opcode write (01 in bits 27:26).
pub const MDIC_OP_WRITE: u32 = 1 << 26;
/// MDIC: opcode read (10 in bits 27:26).
pub const MDIC_OP_READ: u32 = 2 << 26;
/// MDIC: ready (the access completed).
pub const MDIC_READY: u32 = 1 << 28;
/// MDIC: raise ICR.MDAC when the access completes.
pub const MDIC_INT_EN: u32 = 1 << 29;
/// MDIC: error (no PHY answered).
pub const MDIC_ERROR: u32 = 1 << 30;
/// ICR cause: MDI access complete.
pub const ICR_MDAC: u32 = 1 << 9;
/// The MDIO address the PHY answers at.
pub const PHY_ADDRESS: u32 = 1;

/// PHY register: control.
pub const PHY_CTRL: usize = 0;
/// PHY control: restart auto-negotiation (self-clearing).
pub const PHY_CTRL_RESTART_AN: u16 = 1 << 9;
/// PHY register: status.
pub const PHY_STATUS: usize = 1;
/// PHY register: identifier 1.
pub const PHY_ID1: usize = 2;
/// PHY register: identifier 2.
pub const PHY_ID2: usize = 3;
/// PHY register: Marvell PHY specific status.
pub const PHY_SPEC_STATUS: usize = 0x11;
/// PHY status: link up.
pub const PHY_STATUS_LINK: u16 = 1 << 2;
/// PHY status: auto-negotiation complete.
pub const PHY_STATUS_AN_DONE: u16 = 1 << 5;
/// PHY specific status: link up (real time).
pub const PHY_SPEC_STATUS_LINK: u16 = 1 << 10;

/// The PHY's registers.
#[derive(Clone, Debug)]
pub(crate) struct Phy {
    regs: [u16; 32],
    /// Auto-negotiation restarts asked for (control register bit 9 written as 1).
    pub(crate) autoneg_restarts: u64,
}

impl Default for Phy {
    fn default() -> Self {
        let mut regs = [0u16; 32];
        // Control: auto-negotiation enabled, 1000 Mb/s, full duplex.
        regs[PHY_CTRL] = 0x1140;
        // Status without the link bits (added on read): the abilities of a gigabit PHY.
        regs[PHY_STATUS] = 0x794D & !(PHY_STATUS_LINK | PHY_STATUS_AN_DONE);
        // Marvell OUI and the 88E1011 model, as the 82540EM's PHY reports them.
        regs[PHY_ID1] = 0x0141;
        regs[PHY_ID2] = 0x0C20;
        // Advertisement and link partner ability: 10/100 full and half duplex.
        regs[4] = 0x0DE1;
        regs[5] = 0x45E0;
        // 1000BASE-T control and status: full duplex advertised and received.
        regs[9] = 0x0E00;
        regs[10] = 0x3C00;
        // PHY specific status without the link bit: 1000 Mb/s, full duplex, resolved.
        regs[PHY_SPEC_STATUS] = 0xAC00 & !PHY_SPEC_STATUS_LINK;
        Self {
            regs,
            autoneg_restarts: 0,
        }
    }
}

impl Phy {
    /// Performs the access an MDIC write asks for; returns the value MDIC then reads as.
    pub(crate) fn access(&mut self, mdic: u32, link_up: bool) -> u32 {
        let reg = ((mdic >> MDIC_REG_SHIFT) & 0x1F) as usize;
        let phy = (mdic >> MDIC_PHY_SHIFT) & 0x1F;
        let request = mdic & !(MDIC_READY | MDIC_ERROR);
        if phy != PHY_ADDRESS {
            return request | MDIC_READY | MDIC_ERROR;
        }
        match mdic & (3 << 26) {
            MDIC_OP_READ => {
                let value = u32::from(self.read(reg, link_up));
                (request & !MDIC_DATA_MASK) | value | MDIC_READY
            }
            MDIC_OP_WRITE => {
                // The reset bit (15) and the restart-auto-negotiation bit (9) of the control
                // register self-clear at once (the restart is counted: negotiation with the
                // model's partner completes at once, to the same result).
                let value = u16::try_from(mdic & MDIC_DATA_MASK).unwrap_or(0);
                self.regs[reg] = if reg == PHY_CTRL {
                    if value & PHY_CTRL_RESTART_AN != 0 {
                        self.autoneg_restarts += 1;
                    }
                    value & !(0x8000 | PHY_CTRL_RESTART_AN)
                } else {
                    value
                };
                request | MDIC_READY
            }
            _ => request | MDIC_READY | MDIC_ERROR,
        }
    }

    fn read(&self, reg: usize, link_up: bool) -> u16 {
        let value = self.regs[reg];
        match (reg, link_up) {
            (PHY_STATUS, true) => value | PHY_STATUS_LINK | PHY_STATUS_AN_DONE,
            (PHY_SPEC_STATUS, true) => value | PHY_SPEC_STATUS_LINK,
            _ => value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(phy: &mut Phy, reg: u32, link: bool) -> u32 {
        phy.access(
            MDIC_OP_READ | (PHY_ADDRESS << MDIC_PHY_SHIFT) | (reg << MDIC_REG_SHIFT),
            link,
        )
    }

    #[test]
    fn identity_and_link_bits() {
        let mut phy = Phy::default();
        let id1 = read(&mut phy, 2, true);
        assert_ne!(id1 & MDIC_READY, 0);
        assert_eq!(id1 & MDIC_ERROR, 0);
        assert_eq!(id1 & MDIC_DATA_MASK, 0x0141);
        assert_eq!(read(&mut phy, 3, true) & MDIC_DATA_MASK, 0x0C20);
        let up = read(&mut phy, 1, true) & MDIC_DATA_MASK;
        let down = read(&mut phy, 1, false) & MDIC_DATA_MASK;
        assert_eq!(up & u32::from(PHY_STATUS_LINK), u32::from(PHY_STATUS_LINK));
        assert_eq!(down & u32::from(PHY_STATUS_LINK), 0);
    }

    #[test]
    fn writes_stick_and_other_addresses_error() {
        let mut phy = Phy::default();
        let w = phy.access(
            MDIC_OP_WRITE | (1 << MDIC_PHY_SHIFT) | (4 << MDIC_REG_SHIFT) | 0x01E1,
            true,
        );
        assert_ne!(w & MDIC_READY, 0);
        assert_eq!(read(&mut phy, 4, true) & MDIC_DATA_MASK, 0x01E1);
        phy.access(MDIC_OP_WRITE | (1 << MDIC_PHY_SHIFT) | 0x9140, true);
        assert_eq!(
            read(&mut phy, 0, true) & MDIC_DATA_MASK,
            0x1140,
            "reset self-clears"
        );
        let e = phy.access(MDIC_OP_READ | (2 << MDIC_PHY_SHIFT), true);
        assert_ne!(e & MDIC_ERROR, 0);
        assert_ne!(e & MDIC_READY, 0);
    }
}
