// From a captured frame to the UDP datagram or TCP segment it carries, on the ports asked for: the link layer
// (Ethernet with VLAN tags, Linux cooked SLL and SLL2, raw IP, BSD loopback), IPv4 or IPv6 (extension headers
// skipped), fragments reassembled (ip-reassembly.ts). Pure: no clock but the packets' own, no I/O.
import {type ReassemblyLimits, Reassembler} from './ip-reassembly.js'

/** Link types (www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const

export interface Endpoint {
  address: string
  port: number
}

export interface TransportPayload {
  transport: 'tcp' | 'udp'
  from: Endpoint
  to: Endpoint
  payload: Uint8Array
}

export interface FrameStats {
  frames: number
  /** UDP datagrams and TCP segments on the ports asked for. */
  matched: number
  /** Frames whose snapshot length cut the datagram short (not decoded). */
  cutShort: number
  /** Frames of an unsupported link type. */
  unsupportedLink: number
}

const IPPROTO_TCP = 6
const IPPROTO_UDP = 17

export class FrameDecoder {
  readonly stats: FrameStats = {frames: 0, matched: 0, cutShort: 0, unsupportedLink: 0}
  readonly reassembler: Reassembler
  private readonly ports: Set<number>

  constructor(options: {ports: Iterable<number>; reassembly?: Partial<ReassemblyLimits>}) {
    this.ports = new Set(options.ports)
    this.reassembler = new Reassembler(options.reassembly)
  }

  /** The datagram or segment in this frame, when it is UDP or TCP on one of the ports (either end). */
  decode(linkType: number, timeUs: number, frame: Uint8Array): TransportPayload | undefined {
    this.stats.frames++
    const ip = ipStart(linkType, frame)
    if (ip < 0) {
      if (ip === UNSUPPORTED) this.stats.unsupportedLink++
      return undefined
    }

    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
    const version = frame.length > ip ? frame[ip] >> 4 : 0
    if (version === 4) return this.ipv4(frame, view, ip, timeUs)
    if (version === 6) return this.ipv6(frame, view, ip, timeUs)
    return undefined
  }

  private ipv4(frame: Uint8Array, view: DataView, at: number, timeUs: number): TransportPayload | undefined {
    if (frame.length - at < 20) return undefined
    const headerLength = (frame[at] & 0x0f) * 4
    const totalLength = view.getUint16(at + 2)
    if (headerLength < 20 || totalLength < headerLength) return undefined
    const protocol = frame[at + 9]
    if (protocol !== IPPROTO_UDP && protocol !== IPPROTO_TCP) return undefined
    if (at + totalLength > frame.length) {
      this.stats.cutShort++
      return undefined
    }

    const from = ipv4Text(frame, at + 12)
    const to = ipv4Text(frame, at + 16)
    const flags = view.getUint16(at + 6)
    let payload = frame.subarray(at + headerLength, at + totalLength)
    if (flags & 0x3f_ff) {
      // More fragments (0x2000) or a fragment offset: wait for the whole datagram.
      const key = `${from}>${to}/${protocol}/${view.getUint16(at + 4)}`
      const whole = this.reassembler.add(key, (flags & 0x1f_ff) * 8, (flags & 0x20_00) !== 0, payload, timeUs)
      if (whole === undefined) return undefined
      payload = whole
    }

    return this.transport(protocol, from, to, payload)
  }

  private ipv6(frame: Uint8Array, view: DataView, at: number, timeUs: number): TransportPayload | undefined {
    if (frame.length - at < 40) return undefined
    const end = at + 40 + view.getUint16(at + 4)
    if (end > frame.length) {
      this.stats.cutShort++
      return undefined
    }

    const from = ipv6Text(view, at + 8)
    const to = ipv6Text(view, at + 24)
    let next = frame[at + 6]
    let offset = at + 40
    // Extension headers: hop-by-hop (0), routing (43), destination options (60) and the fragment header (44).
    for (;;) {
      if (next === 0 || next === 43 || next === 60) {
        if (offset + 8 > end) return undefined
        next = frame[offset]
        offset += (frame[offset + 1] + 1) * 8
        continue
      }

      if (next === 44) {
        if (offset + 8 > end) return undefined
        const field = view.getUint16(offset + 2)
        const key = `${from}>${to}/${frame[offset]}/${view.getUint32(offset + 4)}`
        next = frame[offset]
        const whole = this.reassembler.add(
          key,
          field & 0xff_f8,
          (field & 1) !== 0,
          frame.subarray(offset + 8, end),
          timeUs,
        )
        if (whole === undefined) return undefined
        if (next !== IPPROTO_UDP && next !== IPPROTO_TCP) return undefined
        return this.transport(next, from, to, whole)
      }

      break
    }

    if (offset > end || (next !== IPPROTO_UDP && next !== IPPROTO_TCP)) return undefined
    return this.transport(next, from, to, frame.subarray(offset, end))
  }

  /** The UDP datagram or TCP segment in an IP payload, when one of its ports is asked for. */
  private transport(protocol: number, from: string, to: string, segment: Uint8Array): TransportPayload | undefined {
    const minimum = protocol === IPPROTO_UDP ? 8 : 20
    if (segment.length < minimum) return undefined
    const fromPort = (segment[0] << 8) | segment[1]
    const toPort = (segment[2] << 8) | segment[3]
    if (!this.ports.has(toPort) && !this.ports.has(fromPort)) return undefined
    let payload: Uint8Array
    if (protocol === IPPROTO_UDP) {
      const length = (segment[4] << 8) | segment[5]
      // A UDP length shorter than the IP payload ends the datagram (Ethernet padding is not part of it).
      payload = segment.subarray(8, length >= 8 && length <= segment.length ? length : segment.length)
    } else {
      const dataOffset = (segment[12] >> 4) * 4
      if (dataOffset < 20 || dataOffset > segment.length) return undefined
      payload = segment.subarray(dataOffset)
    }

    this.stats.matched++
    return {
      transport: protocol === IPPROTO_UDP ? 'udp' : 'tcp',
      from: {address: from, port: fromPort},
      to: {address: to, port: toPort},
      payload,
    }
  }
}

const UNSUPPORTED = -2

function ethernetIpStart(frame: Uint8Array): number {
  let at = 12
  // 802.1Q and 802.1ad tags (one or more) before the EtherType.
  while (frame.length >= at + 2) {
    const type = (frame[at] << 8) | frame[at + 1]
    if (type === 0x81_00 || type === 0x88_a8 || type === 0x91_00) at += 4
    else return type === 0x08_00 || type === 0x86_dd ? at + 2 : -1
  }

  return -1
}

function loopbackIpStart(frame: Uint8Array): number {
  // The address family, in the byte order of the machine that wrote it (NULL) or network order (LOOP).
  if (frame.length < 4) return -1
  const family = frame[0] === 0 && frame[1] === 0 ? frame[3] | (frame[2] << 8) : frame[0] | (frame[1] << 8)
  // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS).
  return family === 2 || family === 10 || family === 24 || family === 28 || family === 30 ? 4 : -1
}

/** Where the IP header starts in a frame of this link type; -1 for a frame that carries no IP, UNSUPPORTED. */
function ipStart(linkType: number, frame: Uint8Array): number {
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      return ethernetIpStart(frame)
    }

    case LINKTYPE.LINUX_SLL: {
      return frame.length >= 16 && isIpEtherType((frame[14] << 8) | frame[15]) ? 16 : -1
    }

    case LINKTYPE.LINUX_SLL2: {
      return frame.length >= 20 && isIpEtherType((frame[0] << 8) | frame[1]) ? 20 : -1
    }

    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
    case 12: // DLT_RAW on some BSDs
    case 14: {
      return 0
    }

    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      return loopbackIpStart(frame)
    }

    default: {
      return UNSUPPORTED
    }
  }
}

function isIpEtherType(type: number): boolean {
  return type === 0x08_00 || type === 0x86_dd
}

function ipv4Text(frame: Uint8Array, at: number): string {
  return `${frame[at]}.${frame[at + 1]}.${frame[at + 2]}.${frame[at + 3]}`
}

/** An IPv6 address as RFC 5952 writes it: lower case, the longest run of two or more zero groups as "::". */
export function ipv6Text(view: DataView, at: number): string {
  const groups: number[] = []
  for (let i = 0; i < 8; i++) groups.push(view.getUint16(at + i * 2))
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }

    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i]
    i = j
  }

  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}
