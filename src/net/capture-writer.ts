// The bytes of a pcap file (pcap-savefile(5): µs timestamps, little-endian, link type Ethernet) that holds the
// datagrams lanmsg saw, each in a synthesised frame: Ethernet (zero MAC addresses), IPv4 or IPv6, UDP or TCP.
// The frame is never fragmented (Wireshark and tcpdump read frames of up to 256 KiB), and checksums that IPv4 lets
// be zero are zero. Pure: the caller writes the bytes.
import {isIPv4} from 'node:net'

import type {TransportPayload} from './captured-frames.js'

import {LINKTYPE} from './captured-frames.js'

/** The snapshot length in the file header: no frame is cut. */
const SNAPLEN = 262_144

export function pcapFileHeader(): Buffer {
  const header = Buffer.alloc(24)
  header.writeUInt32LE(0xa1_b2_c3_d4, 0)
  header.writeUInt16LE(2, 4)
  header.writeUInt16LE(4, 6)
  header.writeUInt32LE(SNAPLEN, 16)
  header.writeUInt32LE(LINKTYPE.ETHERNET, 20)
  return header
}

/** One record: its header (time, lengths) and the synthesised frame around the datagram. */
export function pcapRecord(timeUs: number, datagram: TransportPayload): Buffer {
  const v4 = isIPv4(datagram.from.address) && isIPv4(datagram.to.address)
  const transportHeader = datagram.transport === 'udp' ? 8 : 20
  const ipHeader = v4 ? 20 : 40
  const ipLength = ipHeader + transportHeader + datagram.payload.length
  const frameLength = 14 + ipLength
  const record = Buffer.alloc(16 + frameLength)
  const seconds = Math.floor(timeUs / 1e6)
  record.writeUInt32LE(seconds >>> 0, 0)
  record.writeUInt32LE(Math.floor(timeUs - seconds * 1e6), 4)
  record.writeUInt32LE(frameLength, 8)
  record.writeUInt32LE(frameLength, 12)
  const frame = record.subarray(16)
  frame.writeUInt16BE(v4 ? 0x08_00 : 0x86_dd, 12)
  const protocol = datagram.transport === 'udp' ? 17 : 6
  const ip = frame.subarray(14)
  if (v4) writeIpv4Header(ip, ipLength, protocol, datagram)
  else writeIpv6Header(ip, ipLength - 40, protocol, datagram)
  const segment = ip.subarray(ipHeader)
  segment.writeUInt16BE(datagram.from.port, 0)
  segment.writeUInt16BE(datagram.to.port, 2)
  if (datagram.transport === 'udp') {
    // A UDP length over 65,535 cannot be written; 0 then, as for an IPv6 jumbogram.
    const udpLength = 8 + datagram.payload.length
    segment.writeUInt16BE(udpLength <= 0xff_ff ? udpLength : 0, 4)
    if (!v4) segment.writeUInt16BE(checksum(segment, pseudoHeaderSum(ip, protocol, segment.length)) || 0xff_ff, 6)
  } else {
    segment[12] = 5 << 4 // data offset: 20 bytes, no options
    segment[13] = 0x18 // PSH, ACK
    segment.writeUInt16BE(0xff_ff, 14) // window
  }

  Buffer.from(datagram.payload.buffer, datagram.payload.byteOffset, datagram.payload.byteLength).copy(
    segment,
    transportHeader,
  )
  if (datagram.transport === 'tcp')
    segment.writeUInt16BE(checksum(segment, pseudoHeaderSum(ip, 6, segment.length), 16), 16)
  return record
}

function writeIpv4Header(ip: Buffer, length: number, protocol: number, datagram: TransportPayload): void {
  ip[0] = 0x45
  ip.writeUInt16BE(Math.min(length, 0xff_ff), 2)
  ip.writeUInt16BE(0x40_00, 6) // don't fragment
  ip[8] = 64
  ip[9] = protocol
  for (const [i, part] of datagram.from.address.split('.').entries()) ip[12 + i] = Number(part)
  for (const [i, part] of datagram.to.address.split('.').entries()) ip[16 + i] = Number(part)
  ip.writeUInt16BE(checksum(ip.subarray(0, 20), 0), 10)
}

function writeIpv6Header(ip: Buffer, payloadLength: number, protocol: number, datagram: TransportPayload): void {
  ip[0] = 0x60
  ip.writeUInt16BE(Math.min(payloadLength, 0xff_ff), 4)
  ip[6] = protocol
  ip[7] = 64
  ipv6Bytes(datagram.from.address).copy(ip, 8)
  ipv6Bytes(datagram.to.address).copy(ip, 24)
}

/** The 16 bytes of an IPv6 address in text (an IPv4 one becomes ::ffff:a.b.c.d). */
function ipv6Bytes(address: string): Buffer {
  const bytes = Buffer.alloc(16)
  if (isIPv4(address)) {
    bytes.writeUInt16BE(0xff_ff, 10)
    for (const [i, part] of address.split('.').entries()) bytes[12 + i] = Number(part)
    return bytes
  }

  // An IPv4 tail (::ffff:1.2.3.4) is two groups.
  // eslint-disable-next-line max-params -- String.replace's callback: the match, then one argument per group
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((n) => n.toString(16)).join(':'),
  )
  const [head, tail = ''] = text.includes('::') ? text.split('::') : [text, undefined]
  const left = head ? head.split(':') : []
  const right = text.includes('::') && tail ? tail.split(':') : []
  const groups = [...left, ...Array.from({length: 8 - left.length - right.length}, () => '0'), ...right]
  for (const [i, group] of groups.slice(0, 8).entries()) bytes.writeUInt16BE(Number.parseInt(group, 16) || 0, i * 2)
  return bytes
}

/** The sum over the pseudo-header (source, destination, protocol, length) that UDP and TCP checksums include. */
function pseudoHeaderSum(ip: Buffer, protocol: number, length: number): number {
  const v4 = ip[0] >> 4 === 4
  const addresses = v4 ? ip.subarray(12, 20) : ip.subarray(8, 40)
  return sum16(addresses, 0) + protocol + (length & 0xff_ff) + (length >>> 16)
}

function sum16(bytes: Uint8Array, initial: number): number {
  let sum = initial
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1]
  if (bytes.length % 2) sum += bytes.at(-1)! << 8
  return sum
}

/** The Internet checksum (RFC 1071) of bytes, with the checksum field at `skip` (if any) taken as zero. */
function checksum(bytes: Uint8Array, initial: number, skip = -1): number {
  let sum = sum16(bytes, initial)
  if (skip >= 0) sum -= (bytes[skip] << 8) | bytes[skip + 1]
  while (sum > 0xff_ff) sum = (sum & 0xff_ff) + (sum >>> 16)
  return ~sum & 0xff_ff
}
