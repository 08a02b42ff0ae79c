/** An ALZip egg: the "EGGA" header (version 1.0, a program id, reserved), its end-of-header marker, then data. */
export function buildEgg(): Buffer {
  return Buffer.concat([Buffer.from('EGGA'), Buffer.from([0x00, 0x01, 0x12, 0x34, 0x56, 0x78]), Buffer.alloc(4), Buffer.from([0xac, 0x82, 0x33, 0x08]), Buffer.alloc(64, 0x55)]);
}

/** A Mach-O program header (64-bit little-endian by default: x86_64, MH_EXECUTE), padded like a small program. */
export function buildMachO(magic: readonly number[] = [0xcf, 0xfa, 0xed, 0xfe]): Buffer {
  return Buffer.concat([Buffer.from(magic), Buffer.from([0x07, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]), Buffer.alloc(500)]);
}
