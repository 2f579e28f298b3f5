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

/** Writers of one byte order. */
function order(bigEndian: boolean) {
  return {
    u16: (b: Buffer, value: number, at: number) =>
      bigEndian ? b.writeUInt16BE(value, at) : b.writeUInt16LE(value, at),
    u32: (b: Buffer, value: number, at: number) =>
      bigEndian ? b.writeUInt32BE(value >>> 0, at) : b.writeUInt32LE(value >>> 0, at),
  }
}

function block(type: number, body: Buffer, bigEndian: boolean): Buffer {
  const {u32} = order(bigEndian)
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)])
  const length = Buffer.alloc(4)
  u32(length, 12 + padded.length, 0)
  const head = Buffer.alloc(4)
  u32(head, type, 0)
  return Buffer.concat([head, length, padded, length])
}

/** A pcapng file: one section in either byte order, one interface per link type given, Enhanced Packet Blocks. */
export function pcapngFile(
  frames: Array<Frame & {interfaceId?: number}>,
  options: {linkTypes?: number[]; tsresol?: number; bigEndian?: boolean} = {},
): Buffer {
  const be = Boolean(options.bigEndian)
  const {u16, u32} = order(be)
  const shb = Buffer.alloc(16)
  u32(shb, 0x1a_2b_3c_4d, 0)
  u16(shb, 1, 4)
  shb.fill(0xff, 8, 16) // section length: not given
  const blocks = [block(0x0a_0d_0d_0a, shb, be)]
  for (const linkType of options.linkTypes ?? [1]) {
    const idb = Buffer.alloc(8)
    u16(idb, linkType, 0)
    const opts = Buffer.alloc(options.tsresol === undefined ? 0 : 12)
    if (options.tsresol !== undefined) {
      u16(opts, 9, 0) // if_tsresol, one byte; then opt_endofopt
      u16(opts, 1, 2)
      opts[4] = options.tsresol
    }

    blocks.push(block(1, Buffer.concat([idb, opts]), be))
  }

  // A block lanmsg has nothing to do with (Name Resolution): skipped.
  blocks.push(block(4, Buffer.from([0, 0, 0, 0]), be))
  const unitsPerUs = options.tsresol === undefined ? 1 : 10 ** options.tsresol / 1e6
  for (const frame of frames) {
    const head = Buffer.alloc(20)
    const units = (BigInt(frame.timeUs) * BigInt(Math.round(unitsPerUs * 1000))) / 1000n
    u32(head, frame.interfaceId ?? 0, 0)
    u32(head, Number(units >> 32n), 4)
    u32(head, Number(units & 0xff_ff_ff_ffn), 8)
    u32(head, frame.bytes.length, 12)
    u32(head, frame.bytes.length, 16)
    blocks.push(block(6, Buffer.concat([head, Buffer.from(frame.bytes)]), be))
  }

  return Buffer.concat(blocks)
}

/** An IPMsg datagram's bytes. */
export function ipmsg(packetNo: number, command: number, text: string): Buffer {
  return Buffer.from(`1:${packetNo}:alice:pc1:${command}:${text}\0`)
}
