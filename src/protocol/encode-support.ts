// What every body codec's encode shares: the error type, field checks and the two size limits (§1.7).
import {Buffer} from 'node:buffer'

import {decodeText, encodeText} from './charset.js'

export type EncodeErrorCode = 'INVALID_FIELD' | 'INVALID_TEXT' | 'TOO_LARGE' | 'UNKNOWN_CHARSET' | 'UNSUPPORTED_CHARSET'

export class EncodeError extends Error {
  readonly code: EncodeErrorCode

  constructor(code: EncodeErrorCode, message: string) {
    super(message)
    this.name = 'EncodeError'
    this.code = code
  }
}

// One byte of any charset decodes to at most 3 bytes of UTF-8: below a third of the limit nothing needs checking.
const MAX_UTF8_GROWTH = 3
export const NUL_BYTE = new Uint8Array([0])

export interface Limits {
  charset: string
  maxBytes: number
  maxUtf8: number
}

/** What a body codec's encode is given besides the packet: the encoded header, the limits, the truncate option. */
export interface EncodeContext {
  header: Uint8Array
  limits: Limits
  truncate: boolean
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }

  return out
}

export function checkInteger(value: unknown, what: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new EncodeError('INVALID_FIELD', `${what} must be an integer from 0 to ${max} (got ${String(value)})`)
  }

  return value
}

export function checkField(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new EncodeError('INVALID_FIELD', `${what} must be a string`)
  if (value.includes('\0')) throw new EncodeError('INVALID_FIELD', `${what} contains a NUL character`)
  return value
}

/** Why a datagram of these chunks (`size` bytes) is too large, or undefined when it fits both limits. */
export function tooLarge(what: string, chunks: Uint8Array[], size: number, {charset, maxBytes, maxUtf8}: Limits) {
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

/** Grapheme boundaries, so truncation never splits a character (or a multi-code-point emoji). */
function boundaries(text: string): number[] {
  const ends: number[] = [0]
  for (const {index, segment} of new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(text)) {
    ends.push(index + segment.length)
  }

  return ends
}

/** The longest prefix of `text` whose encoding `fits` (both limits here grow with the prefix). */
export function fitText(text: string, room: number, charset: string, fits: (body: Uint8Array) => boolean): Uint8Array {
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
