// rse1k.js -- WinDbg JavaScript extension: finds rse1k adapters and decodes the e1000's TX and
// RX rings against its registers (TDH/TDT, RDH/RDT through BAR0) and its interrupt causes.
//
// Load it in a kernel debugging session once rse1k.sys's symbols are loaded:
//     .scriptload C:\rse1k\tools\rse1k.js
//     !rse1k                       lists rse1k adapters (from !ndiskd.netadapter) and decodes each
//     !rse1k 0xffffc50a12345000    decodes one adapter, given its MiniportAdapterContext
//     dx @$rse1k()                 the same, as objects (expand in the Locals/Data Model view)
//
// What it reads: the registers through the BAR0 mapping the driver keeps (Adapter.regs.base),
// and the descriptor rings through the driver's shared-memory mappings (Adapter.tx_desc.va,
// Adapter.rx_desc.va). It never reads ICR (0xC0): reading ICR clears it, which would steal the
// interrupt causes from the driver; the causes shown are the enabled mask (IMS) and the bits
// the ISR saved for the DPC (Adapter.irq ... pending), which the natvis also shows.
//
// The decoding below is plain JavaScript with no debugger calls, so it is tested off Windows
// (tests/windbg_script.rs runs it under node); the debugger glue is at the end.

"use strict";

// Register offsets in BAR0 (Intel 8254x Software Developer's Manual, section 13).
var RSE1K_REGISTERS = {
    CTRL: 0x0000,
    STATUS: 0x0008,
    IMS: 0x00D0,
    RCTL: 0x0100,
    TCTL: 0x0400,
    RDLEN: 0x2808,
    RDH: 0x2810,
    RDT: 0x2818,
    TDLEN: 0x3808,
    TDH: 0x3810,
    TDT: 0x3818
};

// Interrupt cause bits (ICR/IMS/ICS/IMC share the layout).
var RSE1K_CAUSES = [
    [0x00000001, "TXDW (transmit descriptor written back)"],
    [0x00000002, "TXQE (transmit queue empty)"],
    [0x00000004, "LSC (link status change)"],
    [0x00000008, "RXSEQ (receive sequence error)"],
    [0x00000010, "RXDMT0 (receive descriptors below threshold)"],
    [0x00000040, "RXO (receiver overrun)"],
    [0x00000080, "RXT0 (receiver timer)"],
    [0x00000200, "MDAC (MDI/O access complete)"],
    [0x00000400, "RXCFG (receiving /C/ ordered sets)"],
    [0x00008000, "TXD_LOW (transmit descriptors low)"],
    [0x00010000, "SRPD (small receive packet detected)"]
];

var RSE1K_DESCRIPTOR_BYTES = 16;

// The names of the cause bits set in `mask`, and any bits without a name.
function rse1kDecodeCauses(mask) {
    var names = [];
    var known = 0;
    for (var i = 0; i < RSE1K_CAUSES.length; i++) {
        known |= RSE1K_CAUSES[i][0];
        if ((mask & RSE1K_CAUSES[i][0]) !== 0) {
            names.push(RSE1K_CAUSES[i][1]);
        }
    }
    var unknown = (mask & ~known) >>> 0;
    if (unknown !== 0) {
        names.push("unnamed bits 0x" + unknown.toString(16));
    }
    return names;
}

// STATUS: full duplex (bit 0), link up (bit 1), speed (bits 7:6).
function rse1kDecodeStatus(status) {
    var speeds = ["10 Mb/s", "100 Mb/s", "1000 Mb/s", "1000 Mb/s"];
    return {
        linkUp: (status & 0x2) !== 0,
        fullDuplex: (status & 0x1) !== 0,
        speed: speeds[(status >>> 6) & 0x3]
    };
}

// One ring against its head and tail registers. TX: the NIC owns [head, tail) and still has to
// send those descriptors; RX: the NIC owns [head, tail) and may fill them. A head or tail
// outside the ring, or a length that is not a whole number of descriptors, is a bug (the NIC
// hangs or the driver programmed it wrong).
function rse1kRingSummary(kind, lengthBytes, head, tail) {
    var count = Math.floor(lengthBytes / RSE1K_DESCRIPTOR_BYTES);
    var problems = [];
    if (lengthBytes % 128 !== 0 || count === 0) {
        problems.push("length " + lengthBytes + " is not a non-zero multiple of 128 bytes");
    }
    if (head >= count) { problems.push("head " + head + " is outside the ring of " + count); }
    if (tail >= count) { problems.push("tail " + tail + " is outside the ring of " + count); }
    var nicOwned = count > 0 ? ((tail - head) % count + count) % count : 0;
    var meaning;
    if (kind === "TX") {
        meaning = nicOwned === 0 ? "idle: every queued frame was sent" :
            nicOwned + " descriptor(s) queued for the NIC to send";
    } else {
        meaning = nicOwned === 0 ? "empty: no descriptor for the NIC to fill (receives are dropped)" :
            nicOwned + " descriptor(s) ready for the NIC to fill";
    }
    return { kind: kind, count: count, head: head, tail: tail, nicOwned: nicOwned,
             meaning: meaning, problems: problems };
}

function rse1kLittleEndian(bytes, offset, size) {
    var value = 0;
    for (var i = size - 1; i >= 0; i--) {
        value = value * 256 + bytes[offset + i];
    }
    return value;
}

// A legacy transmit descriptor: buffer address, length, CSO, CMD, STA (DD = bit 0).
function rse1kDecodeTxDescriptor(bytes) {
    var cmd = bytes[11];
    var status = bytes[12];
    return {
        address: rse1kLittleEndian(bytes, 0, 8),
        length: rse1kLittleEndian(bytes, 8, 2),
        endOfPacket: (cmd & 0x01) !== 0,
        reportStatus: (cmd & 0x08) !== 0,
        done: (status & 0x01) !== 0
    };
}

// A receive descriptor: buffer address, length, checksum, STA (DD = bit 0, EOP = bit 1), errors.
function rse1kDecodeRxDescriptor(bytes) {
    var status = bytes[12];
    return {
        address: rse1kLittleEndian(bytes, 0, 8),
        length: rse1kLittleEndian(bytes, 8, 2),
        done: (status & 0x01) !== 0,
        endOfPacket: (status & 0x02) !== 0,
        errors: bytes[13]
    };
}

function rse1kHex(value) {
    return "0x" + value.toString(16);
}

// The text report for one adapter: `regs` maps register names to values; `txDescriptors` and
// `rxDescriptors` are arrays of 16-byte arrays (the whole ring, or none when unreadable);
// `pendingCauses` is what the ISR saved for the DPC, or null.
function rse1kReport(regs, txDescriptors, rxDescriptors, pendingCauses) {
    var lines = [];
    var status = rse1kDecodeStatus(regs.STATUS);
    lines.push("link " + (status.linkUp ? "up" : "down") + ", " + status.speed + ", " +
        (status.fullDuplex ? "full" : "half") + " duplex; CTRL " + rse1kHex(regs.CTRL) +
        " RCTL " + rse1kHex(regs.RCTL) + " TCTL " + rse1kHex(regs.TCTL));
    var enabled = rse1kDecodeCauses(regs.IMS);
    lines.push("interrupts enabled (IMS " + rse1kHex(regs.IMS) + "): " +
        (enabled.length ? enabled.join(", ") : "none (masked: the DPC is running or the adapter is paused/halted)"));
    if (pendingCauses !== null && pendingCauses !== undefined) {
        var pending = rse1kDecodeCauses(pendingCauses);
        lines.push("causes saved by the ISR for the DPC (" + rse1kHex(pendingCauses) + "): " +
            (pending.length ? pending.join(", ") : "none"));
    }
    var rings = [
        [rse1kRingSummary("TX", regs.TDLEN, regs.TDH, regs.TDT), txDescriptors, rse1kDecodeTxDescriptor],
        [rse1kRingSummary("RX", regs.RDLEN, regs.RDH, regs.RDT), rxDescriptors, rse1kDecodeRxDescriptor]
    ];
    for (var r = 0; r < rings.length; r++) {
        var ring = rings[r][0];
        lines.push(ring.kind + " ring: " + ring.count + " descriptors, head " + ring.head +
            ", tail " + ring.tail + ": " + ring.meaning);
        for (var p = 0; p < ring.problems.length; p++) {
            lines.push("  PROBLEM: " + ring.problems[p]);
        }
        var descriptors = rings[r][1] || [];
        var decode = rings[r][2];
        var doneNotReclaimed = 0;
        for (var i = 0; i < descriptors.length && ring.count > 0; i++) {
            var d = decode(descriptors[i]);
            var nicOwns = ((i - ring.head) % ring.count + ring.count) % ring.count < ring.nicOwned;
            if (!nicOwns && d.done) { doneNotReclaimed++; }
            if (nicOwns && d.done) {
                lines.push("  PROBLEM: slot " + i + " is owned by the NIC but already marked done");
            }
        }
        if (descriptors.length > 0) {
            lines.push("  " + doneNotReclaimed + " descriptor(s) done and waiting for the driver" +
                (ring.kind === "TX" ? " to reclaim" : " to indicate"));
        }
    }
    return lines;
}

// ---- debugger glue (WinDbg only) ------------------------------------------------------------

function rse1kRead32(address) {
    return host.memory.readMemoryValues(address, 1, 4)[0];
}

function rse1kReadRing(va, count) {
    var descriptors = [];
    for (var i = 0; i < count; i++) {
        descriptors.push(host.memory.readMemoryValues(va.add(i * RSE1K_DESCRIPTOR_BYTES), RSE1K_DESCRIPTOR_BYTES, 1));
    }
    return descriptors;
}

// The MiniportAdapterContext of every adapter !ndiskd.netadapter lists as rse1k.
function rse1kFindContexts() {
    var control = host.namespace.Debugger.Utility.Control;
    var contexts = [];
    var output = control.ExecuteCommand("!ndiskd.netadapter");
    for (var line of output) {
        if (!/rse1k/i.test(line)) { continue; }
        var handle = /(ffff[0-9a-f`]{12,})/i.exec(line);
        if (handle === null) { continue; }
        var address = host.parseInt64(handle[1].replace(/`/g, ""), 16);
        var block = host.createPointerObject(address, "ndis.sys", "_NDIS_MINIPORT_BLOCK *");
        contexts.push(block.MiniportAdapterContext.address);
    }
    return contexts;
}

function rse1kDecodeAdapter(context) {
    var adapter = host.createPointerObject(context, "rse1k.sys", "rse1k::miniport::adapter::Adapter *");
    var bar0 = adapter.regs.base.address;
    var regs = {};
    for (var name in RSE1K_REGISTERS) {
        regs[name] = rse1kRead32(bar0.add(RSE1K_REGISTERS[name]));
    }
    var tx = rse1kReadRing(adapter.tx_desc.va.address, Math.floor(regs.TDLEN / RSE1K_DESCRIPTOR_BYTES));
    var rx = rse1kReadRing(adapter.rx_desc.va.address, Math.floor(regs.RDLEN / RSE1K_DESCRIPTOR_BYTES));
    var lines = ["rse1k adapter " + context.toString(16) + " (dx -r1 (rse1k!rse1k::miniport::adapter::Adapter*)" +
        context.toString(16) + "), BAR0 " + bar0.toString(16)];
    return lines.concat(rse1kReport(regs, tx, rx, null));
}

// !rse1k [context]
function rse1kCommand(context) {
    var contexts = context === undefined ? rse1kFindContexts() : [context];
    if (contexts.length === 0) {
        host.diagnostics.debugLog("No rse1k adapter in !ndiskd.netadapter; pass a MiniportAdapterContext.\n");
    }
    var all = [];
    for (var i = 0; i < contexts.length; i++) {
        var lines = rse1kDecodeAdapter(contexts[i]);
        for (var j = 0; j < lines.length; j++) {
            host.diagnostics.debugLog(lines[j] + "\n");
        }
        all.push(lines);
    }
    return all;
}

function initializeScript() {
    return [
        new host.apiVersionSupport(1, 7),
        new host.functionAlias(rse1kCommand, "rse1k")
    ];
}

// Off Windows (node), expose the decoding for tests; WinDbg has no `module`.
if (typeof module !== "undefined" && module.exports) {
    module.exports = {
        decodeCauses: rse1kDecodeCauses,
        decodeStatus: rse1kDecodeStatus,
        ringSummary: rse1kRingSummary,
        decodeTxDescriptor: rse1kDecodeTxDescriptor,
        decodeRxDescriptor: rse1kDecodeRxDescriptor,
        report: rse1kReport,
        registers: RSE1K_REGISTERS
    };
}
