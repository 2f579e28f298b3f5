// Capture files and frames made by hand, byte by byte from the formats' specifications (pcap-savefile(5), the
// pcapng draft, RFC 791/8200/768): independent of lanmsg's own writer, for the parser's unit tests.

export interface IpFields {
  from: string
  to: string
  protocol?: number
  id?: number
  /** Fragment offset in bytes (a multiple of 8). */
  offset?: number
  more?: boolean
}

function quad(address: string): number[] {
  return address.split('.').map(Number)
}

/** An IPv4 packet around `payload` (checksum left zero: lanmsg does not check it, as captures of sent packets often have it unset). */
export function ipv4(fields: IpFields, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(20)
  header[0] = 0x45
  header.writeUInt16BE(20 + payload.length, 2)
  header.writeUInt16BE(fields.id ?? 1, 4)
  header.writeUInt16BE(((fields.offset ?? 0) >> 3) | (fields.more ? 0x20_00 : 0), 6)
  header[8] = 64
  header[9] = fields.protocol ?? 17
  Buffer.from(quad(fields.from)).copy(header, 12)
  Buffer.from(quad(fields.to)).copy(header, 16)
  return Buffer.concat([header, payload])
}

/** A UDP header and its payload. */
export function udp(fromPort: number, toPort: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8)
  header.writeUInt16BE(fromPort, 0)
  header.writeUInt16BE(toPort, 2)
  header.writeUInt16BE(8 + payload.length, 4)
  return Buffer.concat([header, payload])
}

/** A TCP header (20 bytes, PSH ACK) and its payload. */
export function tcp(fromPort: number, toPort: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(20)
  header.writeUInt16BE(fromPort, 0)
  header.writeUInt16BE(toPort, 2)
  header[12] = 0x50
  header[13] = 0x18
  return Buffer.concat([header, payload])
}

/** An Ethernet frame (EtherType 0x0800 unless given), with 802.1Q tags before the EtherType if asked. */
export function ethernet(ip: Uint8Array, options: {etherType?: number; vlans?: number} = {}): Buffer {
  const header = Buffer.alloc(14 + 4 * (options.vlans ?? 0))
  header.fill(0x02, 0, 12)
  let at = 12
  for (let i = 0; i < (options.vlans ?? 0); i++, at += 4) {
    header.writeUInt16BE(0x81_00, at)
    header.writeUInt16BE(100 + i, at + 2)
  }

  header.writeUInt16BE(options.etherType ?? 0x08_00, at)
  return Buffer.concat([header, ip])
}

export interface Frame {
  timeUs: number
  bytes: Uint8Array
}

/** A pcap file: little- or big-endian, µs or ns timestamps. */
export function pcapFile(
  frames: Frame[],
  options: {linkType?: number; bigEndian?: boolean; nano?: boolean} = {},
): Buffer {
  const be = Boolean(options.bigEndian)
  const u32 = (value: number) => {
    const b = Buffer.alloc(4)
    if (be) b.writeUInt32BE(value >>> 0)
    else b.writeUInt32LE(value >>> 0)
    return b
  }

  const u16 = (value: number) => {
    const b = Buffer.alloc(2)
    if (be) b.writeUInt16BE(value)
    else b.writeUInt16LE(value)
    return b
  }

  const parts = [
    u32(options.nano ? 0xa1_b2_3c_4d : 0xa1_b2_c3_d4),
    u16(2),
    u16(4),
    u32(0),
    u32(0),
    u32(65_535),
    u32(options.linkType ?? 1),
  ]
  for (const frame of frames) {
    const seconds = Math.floor(frame.timeUs / 1e6)
    const micros = frame.timeUs - seconds * 1e6
    parts.push(u32(seconds), u32(options.nano ? micros * 1000 : micros), u32(frame.bytes.length))
    parts.push(u32(frame.bytes.length), Buffer.from(frame.bytes))
  }

  return Buffer.concat(parts)
}

function block(type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)])
  const length = Buffer.alloc(4)
  length.writeUInt32LE(12 + padded.length)
  const head = Buffer.alloc(4)
  head.writeUInt32LE(type)
  return Buffer.concat([head, length, padded, length])
}

/** A pcapng file (little-endian): one section, one interface per link type given, Enhanced Packet Blocks. */
export function pcapngFile(
  frames: Array<Frame & {interfaceId?: number}>,
  options: {linkTypes?: number[]; tsresol?: number} = {},
): Buffer {
  const shb = Buffer.alloc(16)
  shb.writeUInt32LE(0x1a_2b_3c_4d, 0)
  shb.writeUInt16LE(1, 4)
  shb.writeInt32LE(-1, 8)
  shb.writeInt32LE(-1, 12)
  const blocks = [block(0x0a_0d_0d_0a, shb)]
  for (const linkType of options.linkTypes ?? [1]) {
    const idb = Buffer.alloc(8)
    idb.writeUInt16LE(linkType, 0)
    idb.writeUInt32LE(0, 4)
    const opts =
      options.tsresol === undefined ? Buffer.alloc(0) : Buffer.from([9, 0, 1, 0, options.tsresol, 0, 0, 0, 0, 0, 0, 0]) // if_tsresol, then opt_endofopt
    blocks.push(block(1, Buffer.concat([idb, opts])))
  }

  // A block lanmsg has nothing to do with (Name Resolution): skipped.
  blocks.push(block(4, Buffer.from([0, 0, 0, 0])))
  const unitsPerUs = options.tsresol === undefined ? 1 : 10 ** options.tsresol / 1e6
  for (const frame of frames) {
    const head = Buffer.alloc(20)
    const units = (BigInt(frame.timeUs) * BigInt(Math.round(unitsPerUs * 1000))) / 1000n
    head.writeUInt32LE(frame.interfaceId ?? 0, 0)
    head.writeUInt32LE(Number(units >> 32n), 4)
    head.writeUInt32LE(Number(units & 0xff_ff_ff_ffn), 8)
    head.writeUInt32LE(frame.bytes.length, 12)
    head.writeUInt32LE(frame.bytes.length, 16)
    blocks.push(block(6, Buffer.concat([head, Buffer.from(frame.bytes)])))
  }

  return Buffer.concat(blocks)
}

/** An IPMsg datagram's bytes. */
export function ipmsg(packetNo: number, command: number, text: string): Buffer {
  return Buffer.from(`1:${packetNo}:alice:pc1:${command}:${text}\0`)
}
