// OutgoingPacket → bytes: `"%s:%u:%s:%s:%u:"` then the body and one NUL (§1.2, §1.4, WM MakeMsg).
import type {EncodeOptions, EncodeResult, OutgoingPacket} from './types.js'

import {encodeText, normalizeCharset} from './charset.js'
import {isEntryMode} from './constants.js'
import {encodeEntryBody} from './entry-body.js'
import {MAX_PACKET_NO} from './packet-number.js'

export type EncodeErrorCode = 'INVALID_FIELD' | 'INVALID_TEXT' | 'TOO_LARGE' | 'UNKNOWN_CHARSET'

export class EncodeError extends Error {
  readonly code: EncodeErrorCode

  constructor(code: EncodeErrorCode, message: string) {
    super(message)
    this.name = 'EncodeError'
    this.code = code
  }
}

/** iptux reads at most 8191 bytes of a datagram (§1.7). */
export const DEFAULT_MAX_BYTES = 8191
const MAX_UINT32 = 0xffffffff
const NUL = new Uint8Array([0])

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }

  return out
}

function checkInteger(value: unknown, what: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new EncodeError('INVALID_FIELD', `${what} must be an integer from 0 to ${max} (got ${String(value)})`)
  }

  return value
}

function checkField(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new EncodeError('INVALID_FIELD', `${what} must be a string`)
  if (value.includes('\0')) throw new EncodeError('INVALID_FIELD', `${what} contains a NUL character`)
  return value
}

/** §1.2, PE §4.2: names must not contain `:`; the spec suggests `;`. */
function headerName(value: string): string {
  return value.replaceAll(':', ';')
}

/** Grapheme boundaries, so truncation never splits a character (or a multi-code-point emoji). */
function boundaries(text: string): number[] {
  const ends: number[] = [0]
  for (const {index, segment} of new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(text)) {
    ends.push(index + segment.length)
  }

  return ends
}

/** The longest prefix of `text` whose encoding fits in `room` bytes (encodings here are prefix-monotonic). */
function fitText(text: string, room: number, charset: string): Uint8Array {
  // Every UTF-16 unit takes at least one byte, so nothing past room + 1 units can fit; the cut end is no boundary.
  const head = text.slice(0, room + 1)
  const ends = boundaries(head)
  if (head.length < text.length) ends.pop()
  let lo = 0
  let hi = ends.length - 1
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (encodeText(head.slice(0, ends[mid]), charset).length <= room) lo = mid
    else hi = mid - 1
  }

  return encodeText(head.slice(0, ends[lo]), charset)
}

export function encode(packet: OutgoingPacket, options: EncodeOptions = {}): EncodeResult {
  const charset = normalizeCharset(options.charset ?? 'utf-8')
  if (charset === undefined) {
    throw new EncodeError('UNKNOWN_CHARSET', `unknown charset "${options.charset}"; try utf-8, gbk, gb18030 or cp932`)
  }

  const maxBytes = checkInteger(options.maxBytes ?? DEFAULT_MAX_BYTES, 'the size limit', Number.MAX_SAFE_INTEGER)
  const version = checkField(packet.version ?? '1', 'the version')
  if (version.includes(':')) throw new EncodeError('INVALID_FIELD', 'the version must not contain ":"')
  const packetNo = checkInteger(packet.packetNo, 'the packet number', MAX_PACKET_NO)
  const command = checkInteger(packet.command, 'the command', MAX_UINT32)
  const user = checkField(packet.user, 'the user name')
  const host = checkField(packet.host, 'the host name')

  const header = encodeText(`${version}:${packetNo}:${headerName(user)}:${headerName(host)}:${command}:`, charset)
  if (isEntryMode(command)) {
    const nickname = checkField(packet.nickname ?? '', 'the nickname')
    const group = checkField(packet.group ?? '', 'the group')
    const vs = packet.vs === undefined ? undefined : checkField(packet.vs, 'the VS version')
    if (vs?.includes('\n')) throw new EncodeError('INVALID_FIELD', 'the VS version must not contain a line break')
    const body = encodeEntryBody({nickname, group, user, host, vs}, charset)
    const bytes = concat([header, body])
    if (bytes.length > maxBytes) {
      throw new EncodeError(
        'TOO_LARGE',
        `entry packet is ${bytes.length} bytes encoded; the limit is ${maxBytes} bytes`,
      )
    }

    return {bytes, truncated: false}
  }

  if (packet.acknowledges !== undefined) {
    const acknowledges = checkInteger(packet.acknowledges, 'the acknowledged packet number', MAX_UINT32)
    const bytes = concat([header, encodeText(String(acknowledges), 'utf-8'), NUL])
    if (bytes.length > maxBytes) {
      throw new EncodeError('TOO_LARGE', `packet is ${bytes.length} bytes encoded; the limit is ${maxBytes} bytes`)
    }

    return {bytes, truncated: false}
  }

  const text = packet.text ?? ''
  if (typeof text !== 'string') throw new EncodeError('INVALID_TEXT', 'the text must be a string')
  if (text.includes('\0')) throw new EncodeError('INVALID_TEXT', 'the text contains a NUL character')
  // §1.5: line breaks are LF on the wire.
  const body = encodeText(text.replaceAll('\r\n', '\n'), charset)
  const size = header.length + body.length + 1
  if (size <= maxBytes) return {bytes: concat([header, body, NUL]), truncated: false}
  const room = maxBytes - header.length - 1
  if (!options.truncate || room < 0) {
    const what = text === '' || room < 0 ? 'packet' : 'message'
    throw new EncodeError('TOO_LARGE', `${what} is ${size} bytes encoded; the limit is ${maxBytes} bytes`)
  }

  const fitted = fitText(text.replaceAll('\r\n', '\n'), room, charset)
  return {bytes: concat([header, fitted, NUL]), truncated: true}
}
