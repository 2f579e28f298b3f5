// OutgoingPacket → bytes: `"%s:%u:%s:%s:%u:"` then the body and one NUL (§1.2, §1.4, WM MakeMsg).
import type {EncodeOptions, EncodeResult, OutgoingPacket} from './types.js'

import {decodeText, encodeText, isAsciiCompatible, normalizeCharset} from './charset.js'
import {isEntryMode} from './constants.js'
import {encodeEntryBody} from './entry-body.js'
import {MAX_PACKET_NO} from './packet-number.js'

export type EncodeErrorCode = 'INVALID_FIELD' | 'INVALID_TEXT' | 'TOO_LARGE' | 'UNKNOWN_CHARSET' | 'UNSUPPORTED_CHARSET'

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
/**
 * iptux converts a datagram that is not valid UTF-8 to UTF-8 into its 8192-byte buffer (IXU ConvertEncode: every
 * byte counts, header and NULs included) and cuts what does not fit: GBK text grows by half on the way.
 */
export const DEFAULT_MAX_UTF8_BYTES = 8192
// One byte of any charset decodes to at most 3 bytes of UTF-8: below a third of the limit nothing needs checking.
const MAX_UTF8_GROWTH = 3
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

/** The longest prefix of `text` whose encoding `fits` (both limits here grow with the prefix). */
function fitText(text: string, room: number, charset: string, fits: (body: Uint8Array) => boolean): Uint8Array {
  // Every UTF-16 unit takes at least one byte, so nothing past room + 1 units can fit; the cut end is no boundary.
  const head = text.slice(0, room + 1)
  const ends = boundaries(head)
  if (head.length < text.length) ends.pop()
  let lo = 0
  let hi = ends.length - 1
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (fits(encodeText(head.slice(0, ends[mid]), charset))) lo = mid
    else hi = mid - 1
  }

  return encodeText(head.slice(0, ends[lo]), charset)
}

interface Limits {
  charset: string
  maxBytes: number
  maxUtf8: number
}

/** Why a datagram of these chunks (`size` bytes) is too large, or undefined when it fits both limits. */
function tooLarge(what: string, chunks: Uint8Array[], size: number, {charset, maxBytes, maxUtf8}: Limits) {
  if (size > maxBytes) {
    return new EncodeError('TOO_LARGE', `${what} is ${size} bytes encoded; the limit is ${maxBytes} bytes`)
  }

  if (charset === 'utf-8' || size * MAX_UTF8_GROWTH <= maxUtf8) return undefined
  const converted = Buffer.byteLength(decodeText(concat(chunks), charset), 'utf8')
  if (converted <= maxUtf8) return undefined
  return new EncodeError(
    'TOO_LARGE',
    `${what} is ${converted} bytes once converted to UTF-8, as iptux does with ${charset} text; the limit is ${maxUtf8} bytes`,
  )
}

// eslint-disable-next-line complexity -- a branch per mode family's body, until issue 14's codec table
export function encode(packet: OutgoingPacket, options: EncodeOptions = {}): EncodeResult {
  const charset = normalizeCharset(options.charset ?? 'utf-8')
  if (charset === undefined) {
    throw new EncodeError('UNKNOWN_CHARSET', `unknown charset "${options.charset}"; try utf-8, gbk, gb18030 or cp932`)
  }

  // §1.2: the header is ASCII; a charset that changes ASCII bytes (hex, UTF-16, …) makes the packet unreadable.
  if (charset !== 'utf-8' && !isAsciiCompatible(charset)) {
    throw new EncodeError(
      'UNSUPPORTED_CHARSET',
      `charset "${options.charset}" cannot carry the IPMsg header (ASCII bytes must stay as they are); try utf-8, gbk, gb18030 or cp932`,
    )
  }

  const maxBytes = checkInteger(options.maxBytes ?? DEFAULT_MAX_BYTES, 'the size limit', Number.MAX_SAFE_INTEGER)
  const maxUtf8 = checkInteger(
    options.maxUtf8Bytes ?? DEFAULT_MAX_UTF8_BYTES,
    'the UTF-8 size limit',
    Number.MAX_SAFE_INTEGER,
  )
  const limits: Limits = {charset, maxBytes, maxUtf8}
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
    const body = encodeEntryBody({nickname, group, user, host, vs, utf8Extension: packet.utf8Extension}, charset)
    const error = tooLarge('entry packet', [header, body], header.length + body.length, limits)
    if (error) throw error
    return {bytes: concat([header, body]), truncated: false}
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
  const room = maxBytes - header.length - 1
  const what = text === '' || room < 0 ? 'packet' : 'message'
  const error = tooLarge(what, [header, body, NUL], header.length + body.length + 1, limits)
  if (error === undefined) return {bytes: concat([header, body, NUL]), truncated: false}
  if (!options.truncate || room < 0 || tooLarge(what, [header, NUL], header.length + 1, limits)) throw error
  const fits = (fitted: Uint8Array) => !tooLarge(what, [header, fitted, NUL], header.length + fitted.length + 1, limits)
  const fitted = fitText(text.replaceAll('\r\n', '\n'), room, charset, fits)
  return {bytes: concat([header, fitted, NUL]), truncated: true}
}
