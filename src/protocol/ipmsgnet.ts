// IpMsg.Net's private "V2" frame (field notes §2.1, IpMsg.Net MessagePackerV2): `'2'`, u64 packet number, i32 total
// length, i32 part count, i32 part index (all little-endian), an ack byte, reserved bytes to 32, then gzip data.
import type {IpMsgNetFrame} from './types.js'

export const IPMSGNET_HEADER = 32
const VERSION_BYTE = 0x32 // '2'

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000
}

/**
 * The frame header, or undefined when the bytes are not one: more than 32 bytes, and numbers that agree (a part
 * inside the count, data no longer than the total, an ack byte of 0 or 1), which no text datagram `2:…` gives.
 */
export function parseIpMsgNetFrame(bytes: Uint8Array): IpMsgNetFrame | undefined {
  if (bytes.length <= IPMSGNET_HEADER || bytes[0] !== VERSION_BYTE) return undefined
  const totalLength = u32(bytes, 9)
  const parts = u32(bytes, 13)
  const part = u32(bytes, 17)
  const ack = bytes[21]
  const dataLength = bytes.length - IPMSGNET_HEADER
  if (parts === 0 || parts > 0xffff || part >= parts || ack > 1 || dataLength > totalLength) return undefined
  const packetNo = (BigInt(u32(bytes, 5)) << 32n) | BigInt(u32(bytes, 1))
  return {packetNo: packetNo.toString(), totalLength, parts, part, ack: ack === 1, dataLength}
}
