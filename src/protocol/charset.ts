// Text charsets on the wire (§5). UTF-8 and Latin-1 via Buffer; everything else via iconv-lite.
import {Buffer, isUtf8} from 'node:buffer'
import {createRequire} from 'node:module'

import {decodeGbkPairs} from './gbk-pairs.js'

type Iconv = typeof import('iconv-lite')
let iconvLite: Iconv | undefined

/** iconv-lite, loaded on first use: UTF-8 traffic (and `--help`) never needs it. */
function iconv(): Iconv {
  iconvLite ??= createRequire(import.meta.url)('iconv-lite') as Iconv
  return iconvLite
}

// Buffer's own decoders, called on any Uint8Array without wrapping it in a Buffer first (what toString does).
const {latin1Slice, utf8Slice} = Buffer.prototype as unknown as {
  latin1Slice: (this: Uint8Array, start: number, end: number) => string
  utf8Slice: (this: Uint8Array, start: number, end: number) => string
}

/** The charsets worth naming in help texts (any iconv-lite name is accepted). */
export const SUPPORTED_CHARSETS: readonly string[] = ['utf-8', 'gbk', 'gb18030', 'cp932', 'shift_jis', 'euc-jp', 'big5']

const ALIASES: Readonly<Record<string, string>> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  gbk: 'gbk',
  cp936: 'gbk',
  'windows-936': 'gbk',
  ms936: 'gbk',
  gb2312: 'gbk',
  gb18030: 'gb18030',
  cp932: 'cp932',
  'windows-31j': 'cp932',
  ms932: 'cp932',
  shift_jis: 'shift_jis',
  'shift-jis': 'shift_jis',
  shiftjis: 'shift_jis',
  sjis: 'shift_jis',
  'euc-jp': 'euc-jp',
  eucjp: 'euc-jp',
  big5: 'big5',
  'big-5': 'big5',
  cp950: 'big5',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  iso88591: 'latin1',
}

/** Canonical lower-case name of a charset ('utf-8', 'gbk', 'gb18030', 'cp932', 'shift_jis', …), or undefined. */
export function normalizeCharset(name: string): string | undefined {
  if (typeof name !== 'string') return undefined
  if (Object.hasOwn(ALIASES, name)) return ALIASES[name] // already a trimmed lower-case alias
  const key = name.trim().toLowerCase()
  if (key === '') return undefined
  if (Object.hasOwn(ALIASES, key)) return ALIASES[key]
  return iconv().encodingExists(key) ? key : undefined
}

/** bytes[from, to) as Latin-1: each byte the character of the same value (ASCII text as it is). */
export function latin1Text(bytes: Uint8Array, from: number, to: number): string {
  return latin1Slice.call(bytes, from, to)
}

/** bytes[from, to) as UTF-8, as decodeText(bytes.subarray(from, to), 'utf-8') gives it. */
export function utf8Text(bytes: Uint8Array, from: number, to: number): string {
  return utf8Slice.call(bytes, from, to)
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes)
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

const ASCII_BYTES = Uint8Array.from({length: 0x80}, (_, i) => i)
// Bytes that end or split the fields of a datagram (NUL, BEL, LF, ':'), tried after a lead byte and after a lead
// byte and '0' (GB18030's 4-byte forms).
const SEPARATORS = [0x00, 0x07, 0x0a, 0x3a]
const asciiCompatibleCache = new Map<string, boolean>([
  ['utf-8', true],
  ['latin1', true],
])

/**
 * True when the charset keeps the IPMsg header intact (§1.2, §5): every ASCII character is the same single byte
 * both ways, no byte from 0x80 up decodes to ASCII, and no multi-byte sequence swallows a separator byte. GBK,
 * GB18030, CP932, EUC-JP, Big5, Latin-1 and the other single-byte code pages are; hex, base64, UTF-16, UTF-7 are not.
 */
export function isAsciiCompatible(charset: string): boolean {
  const name = normalizeCharset(charset)
  if (name === undefined) return false
  let ok = asciiCompatibleCache.get(name)
  if (ok === undefined) {
    ok = checkAsciiCompatible(name)
    asciiCompatibleCache.set(name, ok)
  }

  return ok
}

function checkAsciiCompatible(name: string): boolean {
  const codec = name === 'gbk' ? 'gb18030' : name
  const ascii = latin1Slice.call(ASCII_BYTES, 0, ASCII_BYTES.length)
  try {
    if (iconv().decode(asBuffer(ASCII_BYTES), codec, {stripBOM: false}) !== ascii) return false
    if (!iconv().encode(ascii, codec, {addBOM: false}).equals(asBuffer(ASCII_BYTES))) return false
    for (let lead = 0x80; lead <= 0xff; lead++) {
      if (/[\u0000-\u007F]/.test(iconv().decode(Buffer.of(lead), codec))) return false
      for (const separator of SEPARATORS) {
        const decoded = iconv().decode(Buffer.of(lead, separator), codec)
        if (!decoded.endsWith(String.fromCharCode(separator))) return false
        if (
          !iconv()
            .decode(Buffer.of(lead, 0x30, separator), codec)
            .endsWith(String.fromCharCode(separator))
        )
          return false
      }
    }
  } catch {
    return false
  }

  return true
}

/** The canonical name of a charset that can carry IPMsg (isAsciiCompatible), or undefined. */
export function ipmsgCharset(charset: string | undefined): string | undefined {
  if (charset === undefined) return undefined
  const name = normalizeCharset(charset)
  return name !== undefined && isAsciiCompatible(name) ? name : undefined
}

function isAscii(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  for (let i = from; i < to; i++) if (bytes[i] >= 0x80) return false
  return true
}

/** Decodes bytes; invalid sequences become U+FFFD and an unknown charset falls back to UTF-8. Never throws. */
export function decodeText(bytes: Uint8Array, charset: string): string {
  const name = normalizeCharset(charset) ?? 'utf-8'
  // Buffer's UTF-8 decoder keeps a leading BOM (TextDecoder would drop it), so text round-trips exactly.
  if (name === 'utf-8') return utf8Slice.call(bytes, 0, bytes.length)
  // iconv-lite's latin1 maps every byte to the code point of the same value, exactly as Buffer's does.
  if (name === 'latin1') return latin1Slice.call(bytes, 0, bytes.length)
  // Names, host names and Feiqiu's version field are mostly ASCII: no need for iconv-lite's decoder then.
  if (isAscii(bytes) && isAsciiCompatible(name)) return latin1Slice.call(bytes, 0, bytes.length)
  return decodeLegacy(bytes, 0, bytes.length, name)
}

/**
 * decodeText(bytes.subarray(from, to), name) for a canonical name (normalizeCharset's), without the subarray and
 * the name lookup: decode reads every field of a datagram through it.
 */
export function decodeSpan(bytes: Uint8Array, from: number, to: number, name: string): string {
  if (name === 'utf-8') return utf8Slice.call(bytes, from, to)
  if (name === 'latin1' || (isAscii(bytes, from, to) && isAsciiCompatible(name)))
    return latin1Slice.call(bytes, from, to)
  return decodeLegacy(bytes, from, to, name)
}

/** GB18030 through iconv-lite, the decoder the table of gbk-pairs.ts is made from. */
function decodeGb18030(bytes: Buffer): string {
  return iconv().decode(bytes, 'gb18030', {stripBOM: false})
}

/** bytes[from, to) in a charset other than UTF-8 and Latin-1, by its canonical name. */
function decodeLegacy(bytes: Uint8Array, from: number, to: number, name: string): string {
  // WHATWG Encoding: the GBK decoder is the GB18030 decoder (a superset), so 4-byte sequences still decode.
  const gb18030 = name === 'gbk' || name === 'gb18030'
  const text = gb18030 ? decodeGbkPairs(bytes, from, to, decodeGb18030) : undefined
  if (text !== undefined) return text
  const span = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from)
  return gb18030 ? decodeGb18030(span) : iconv().decode(span, name, {stripBOM: false})
}

/** Encodes text; characters the charset cannot hold become '?' (iconv-lite). Throws on an unknown charset. */
export function encodeText(text: string, charset: string): Uint8Array {
  const name = normalizeCharset(charset)
  if (name === undefined) throw new RangeError(`unknown charset "${charset}"`)
  // A fresh array: small Buffers share Node's pool, and a caller reading `.buffer` would see its neighbours.
  return new Uint8Array(name === 'utf-8' ? Buffer.from(text, 'utf8') : iconv().encode(text, name, {addBOM: false}))
}
