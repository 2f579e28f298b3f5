// The records of a pcap or pcapng capture file, parsed as its bytes arrive (a stream: no whole-file buffering).
// pcap: a 24-byte file header (magic a1b2c3d4 for µs or a1b23c4d for ns, in the writer's byte order) and 16-byte
// record headers. pcapng: blocks (type, length, body, length); Section Header Blocks set the byte order, Interface
// Description Blocks the link type and timestamp unit, Enhanced/Simple/obsolete Packet Blocks carry the frames.
// Pure: bytes in, frames out; a malformed or truncated file is a CaptureFileError that says how far it got.

/** One captured frame: its link type (LINKTYPE_*), its time in µs since the epoch and its bytes as captured. */
export type FrameHandler = (linkType: number, timeUs: number, frame: Uint8Array) => void

/** The file is not a capture, or is corrupt or cut short; `packets` were read before the fault. */
export class CaptureFileError extends Error {
  constructor(
    readonly reason: string,
    readonly packets: number,
  ) {
    super(`${reason} (after ${packets} ${packets === 1 ? 'packet' : 'packets'})`)
    this.name = 'CaptureFileError'
  }
}

/** A frame larger than this is a corrupt length (tcpdump's and Wireshark's largest snapshot length is 256 KiB). */
const MAX_FRAME = 262_144
/** A pcapng block larger than this is a corrupt length (dumpcap writes blocks of at most a frame plus options). */
const MAX_BLOCK = 16 << 20

const PCAPNG_SHB = 0x0a_0d_0d_0a
const PCAPNG_BYTE_ORDER = 0x1a_2b_3c_4d

interface Interface {
  linkType: number
  /** Timestamp units per µs (1 for the default 10^-6 s). */
  unitsPerUs: number
}

export class CaptureFileParser {
  /** Frames handed on so far. */
  packets = 0
  private pending: Buffer = Buffer.alloc(0)
  private format: 'pcap' | 'pcapng' | undefined
  private little = true
  /** pcap: the file's link type and timestamp divisor (1 for µs, 1000 for ns). */
  private linkType = 0
  private fractionPerUs = 1
  private interfaces: Interface[] = []
  private halted = false

  constructor(private readonly onFrame: FrameHandler) {}

  /** Hands on every whole record in `chunk` (and what was left over from before); keeps the rest. */
  push(chunk: Buffer): void {
    if (this.halted) return
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    let offset = 0
    if (this.format === undefined) {
      if (data.length < 24) {
        this.pending = data
        return
      }

      offset = this.start(data)
    }

    offset = this.format === 'pcap' ? this.pcapRecords(data, offset) : this.pcapngBlocks(data, offset)
    // A copy of the rest, so that the chunk it came from can be collected.
    this.pending = offset === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(offset))
  }

  /** Hands on nothing more, not even the rest of a chunk being parsed (the reader has seen enough). */
  halt(): void {
    this.halted = true
  }

  /** The end of the file: anything left over is a record cut short. */
  end(): void {
    if (this.format === undefined) {
      throw new CaptureFileError(
        this.pending.length === 0 ? 'the capture file is empty' : 'not a pcap or pcapng file (too short)',
        0,
      )
    }

    if (this.pending.length > 0)
      throw new CaptureFileError(
        `the capture file ends in the middle of a record (${this.pending.length} bytes left)`,
        this.packets,
      )
  }

  private fail(reason: string): never {
    throw new CaptureFileError(reason, this.packets)
  }

  private u32(data: Buffer, at: number): number {
    return this.little ? data.readUInt32LE(at) : data.readUInt32BE(at)
  }

  private u16(data: Buffer, at: number): number {
    return this.little ? data.readUInt16LE(at) : data.readUInt16BE(at)
  }

  /** Reads the file header (pcap) or recognises the first block (pcapng); returns where the records start. */
  private start(data: Buffer): number {
    const magic = data.readUInt32LE(0)
    if (magic === PCAPNG_SHB) {
      this.format = 'pcapng'
      return 0
    }

    const formats: Record<number, [boolean, number]> = {
      0xa1_b2_c3_d4: [true, 1],
      0xd4_c3_b2_a1: [false, 1],
      0xa1_b2_3c_4d: [true, 1000],
      0x4d_3c_b2_a1: [false, 1000],
    }
    const known = formats[magic]
    if (known === undefined)
      this.fail(`not a pcap or pcapng file (magic number 0x${magic.toString(16).padStart(8, '0')})`)
    this.format = 'pcap'
    ;[this.little, this.fractionPerUs] = known
    // The upper bits of the link-type field carry the FCS length (pcap-savefile(5)).
    this.linkType = this.u32(data, 20) & 0xff_ff
    return 24
  }

  private pcapRecords(data: Buffer, offset: number): number {
    while (data.length - offset >= 16 && !this.halted) {
      const captured = this.u32(data, offset + 8)
      if (captured > MAX_FRAME) this.fail(`corrupt pcap record: a frame of ${captured} bytes`)
      if (data.length - offset - 16 < captured) break
      const seconds = this.u32(data, offset)
      const fraction = this.u32(data, offset + 4)
      const frame = data.subarray(offset + 16, offset + 16 + captured)
      offset += 16 + captured
      this.packets++
      this.onFrame(this.linkType, seconds * 1e6 + Math.floor(fraction / this.fractionPerUs), frame)
    }

    return offset
  }

  private pcapngBlocks(data: Buffer, offset: number): number {
    while (data.length - offset >= 12 && !this.halted) {
      const type = this.u32(data, offset)
      if (type === PCAPNG_SHB) this.sectionByteOrder(data, offset)
      const length = this.u32(data, offset + 4)
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK)
        this.fail(`corrupt pcapng block: type 0x${type.toString(16)}, length ${length}`)
      if (data.length - offset < length) break
      if (this.u32(data, offset + length - 4) !== length)
        this.fail(`corrupt pcapng block: type 0x${type.toString(16)}, its two lengths differ`)
      this.block(type, data.subarray(offset + 8, offset + length - 4))
      offset += length
    }

    return offset
  }

  private sectionByteOrder(data: Buffer, offset: number): void {
    const order = data.readUInt32LE(offset + 8)
    if (order === PCAPNG_BYTE_ORDER) this.little = true
    else if (order === 0x4d_3c_2b_1a) this.little = false
    else this.fail('corrupt pcapng section header (byte-order magic)')
    this.interfaces = [] // interface ids are per section
  }

  private block(type: number, body: Buffer): void {
    switch (type) {
      case 1: {
        this.interfaceBlock(body)
        break
      }

      case 6: {
        // Enhanced Packet Block: interface, timestamp (high, low), captured length, original length, data.
        if (body.length < 20) this.fail('corrupt pcapng packet block (too short)')
        const captured = this.u32(body, 12)
        if (captured > body.length - 20) this.fail('corrupt pcapng packet block (captured length)')
        this.packet(this.u32(body, 0), this.u32(body, 4), this.u32(body, 8), body.subarray(20, 20 + captured))
        break
      }

      case 3: {
        // Simple Packet Block: original length, data (as much as interface 0's snapshot length kept); no time.
        if (body.length < 4) this.fail('corrupt pcapng simple packet block')
        const captured = Math.min(this.u32(body, 0), body.length - 4)
        this.packet(0, 0, 0, body.subarray(4, 4 + captured))
        break
      }

      case 2: {
        // The obsolete Packet Block: interface (16 bits), drops (16 bits), then as the Enhanced Packet Block.
        if (body.length < 20) this.fail('corrupt pcapng packet block (too short)')
        const captured = this.u32(body, 12)
        if (captured > body.length - 20) this.fail('corrupt pcapng packet block (captured length)')
        this.packet(this.u16(body, 0), this.u32(body, 4), this.u32(body, 8), body.subarray(20, 20 + captured))
        break
      }

      default: // section header, statistics, name resolution, custom blocks: nothing to decode
    }
  }

  private interfaceBlock(body: Buffer): void {
    if (body.length < 8) this.fail('corrupt pcapng interface block')
    let unitsPerUs = 1
    // Options: code, length, value padded to 4 bytes; if_tsresol (9) sets the timestamp unit.
    for (let at = 8; at + 4 <= body.length;) {
      const code = this.u16(body, at)
      const length = this.u16(body, at + 2)
      if (code === 0) break
      if (code === 9 && length >= 1 && at + 5 <= body.length) {
        const resolution = body[at + 4]
        const unitsPerSecond = resolution & 0x80 ? 2 ** (resolution & 0x7f) : 10 ** resolution
        unitsPerUs = unitsPerSecond / 1e6
      }

      at += 4 + Math.ceil(length / 4) * 4
    }

    this.interfaces.push({linkType: this.u16(body, 0), unitsPerUs})
  }

  private packet(interfaceId: number, high: number, low: number, frame: Buffer): void {
    const link = this.interfaces[interfaceId]
    if (link === undefined) this.fail(`corrupt pcapng packet block: no interface ${interfaceId} described before it`)
    this.packets++
    this.onFrame(link.linkType, Math.floor((high * 2 ** 32 + low) / link.unitsPerUs), frame)
  }
}
