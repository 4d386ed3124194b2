//! PCI configuration space of the 82540EM (type 0 header, no capabilities).

use crate::regs::BAR0_SIZE;

/// PCI vendor ID (Intel).
pub const VENDOR_ID: u16 = 0x8086;
/// PCI device ID of the 82540EM.
pub const DEVICE_ID: u16 = 0x100E;
/// Class code (network controller, Ethernet) in bits 31:8 of dword 2.
pub const CLASS_CODE: u32 = 0x02_0000;
/// Revision ID.
pub const REVISION_ID: u8 = 0x03;
/// Size of the I/O BAR (BAR1). The model decodes nothing through it.
pub const BAR1_SIZE: u32 = 0x40;
/// PCI command register: I/O space enable.
pub const COMMAND_IO: u16 = 1 << 0;
/// PCI command register: memory space enable.
pub const COMMAND_MEMORY: u16 = 1 << 1;
/// PCI command register: bus master enable.
pub const COMMAND_BUS_MASTER: u16 = 1 << 2;
/// PCI command register: `INTx` disable.
pub const COMMAND_INTX_DISABLE: u16 = 1 << 10;

/// The writable part of configuration space; everything else is constant.
///
/// The command register is stored and read back, but not enforced: the model answers MMIO
/// and performs DMA whatever it says, because the simulator's Plug and Play side may not bother to set
/// it and the driver cannot tell the difference.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PciConfig {
    command: u16,
    bar0: u32,
    bar1: u32,
    interrupt_line: u8,
}

impl PciConfig {
    /// Reads the dword containing `offset` (the low 2 bits are ignored).
    pub(crate) fn read(&self, offset: u32) -> u32 {
        match offset & !3 {
            // Identity; the subsystem (0x2C) is the same, as loaded from EEPROM words
            // 0x0B/0x0C.
            0x00 | 0x2C => u32::from(VENDOR_ID) | (u32::from(DEVICE_ID) << 16),
            0x04 => u32::from(self.command),
            0x08 => (CLASS_CODE << 8) | u32::from(REVISION_ID),
            // BAR0: 32-bit, non-prefetchable memory; bits below the size read as zero so
            // that writing all ones reveals the 128 KiB size.
            0x10 => self.bar0 & !(BAR0_SIZE - 1),
            // BAR1: I/O space (bit 0 set).
            0x14 => (self.bar1 & !(BAR1_SIZE - 1)) | 1,
            // Interrupt pin INTA (1), interrupt line as written.
            0x3C => u32::from(self.interrupt_line) | (1 << 8),
            _ => 0,
        }
    }

    /// Writes the dword containing `offset`; read-only fields ignore the write.
    pub(crate) fn write(&mut self, offset: u32, value: u32) {
        let [b0, b1, _, _] = value.to_le_bytes();
        match offset & !3 {
            0x04 => {
                self.command = u16::from_le_bytes([b0, b1])
                    & (COMMAND_IO | COMMAND_MEMORY | COMMAND_BUS_MASTER | COMMAND_INTX_DISABLE);
            }
            0x10 => self.bar0 = value,
            0x14 => self.bar1 = value,
            0x3C => self.interrupt_line = b0,
            _ => {}
        }
    }
}
