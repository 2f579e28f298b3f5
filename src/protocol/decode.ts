// bytes → Packet. Never throws: anything that is not a classic IPMsg datagram comes back as {ok: false}, with the
// dialect when it is a known one without the classic header (IPDict, IpMsg.Net V2).
// The header is read here; the body by the codec of the packet's mode (body-codecs.ts).
import type {BodyText} from './body-codec.js'
import type {DecodeOptions, DecodeResult, Packet} from './types.js'

import {bodyCodec} from './body-codecs.js'
import {decodeSpan, ipmsgCharset, isValidUtf8, latin1Text, utf8Text} from './charset.js'
import {identifyClient, isKnownVersion} from './client.js'
import {modeName, optionNames, UTF8OPT} from './constants.js'
import {type HeaderSpans, printable, scanHeaderInto} from './header.js'
import {IPDICT_MAGIC, parseIpDict} from './ipdict.js'
import {parseIpMsgNetFrame} from './ipmsgnet.js'

const DEFAULT_LEGACY_CHARSET = 'gb18030'
const NO_OPTIONS: DecodeOptions = Object.freeze({}) // a default made once: `= {}` would make one a call
const FEIQIU_VERSION = [0x31, 0x5f, 0x6c, 0x62, 0x74] // "1_lbt"

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}

/** A datagram in a charset: each slice decoded on its own. */
class CharsetText implements BodyText {
  bytes: Uint8Array = new Uint8Array(0)
  start = 0
  charset = 'utf-8'

  text(from: number, to: number): string {
    return decodeSpan(this.bytes, from, to, this.charset)
  }

  utf8(from: number, to: number): string {
    return utf8Text(this.bytes, from, to)
  }
}

/** A plain-ASCII datagram read as UTF-8: every byte is the character of the same value, so slices of one string. */
class AsciiText implements BodyText {
  readonly charset = 'utf-8'
  bytes: Uint8Array = new Uint8Array(0)
  start = 0
  firstEnd = 0
  latin1 = ''

  text(from: number, to: number): string {
    return this.latin1.slice(from, to)
  }

  utf8(from: number, to: number): string {
    return this.latin1.slice(from, to)
  }
}

// decode runs to its end before it is called again, and no codec keeps its body: one of each serves every datagram.
const header: HeaderSpans = {c1: 0, c2: 0, c3: 0, c4: 0, c5: 0, packetNo: 0, command: 0, bits: 0}
const asciiText = new AsciiText()
const charsetText = new CharsetText()

/** The legacy spans of §5 (user, host, the body but an entry's UTF-8 extension) are each valid UTF-8. */
function legacyIsUtf8(bytes: Uint8Array, {c2, c3, c4, c5, command}: HeaderSpans): boolean {
  // Every span is cut at ASCII bytes (':', NUL), so a datagram valid as a whole has each of them valid.
  if (isValidUtf8(bytes)) return true
  const body = bytes.subarray(c5 + 1)
  const split = bodyCodec(command).split?.(body)
  const legacy = [bytes.subarray(c2 + 1, c3), bytes.subarray(c3 + 1, c4), ...(split ? split.legacy : [body])]
  return legacy.every((span) => isValidUtf8(span))
}

/**
 * §5, as iptux itself reads (IXU ConvertEncode): UTF8OPT → UTF-8; Feiqiu → GBK; valid UTF-8 → UTF-8; otherwise
 * the legacy charset remembered for the peer, or the configured one. iptux's declared encoding is not used: it
 * writes `utf-8` there whatever it sends (IXC CreateIptuxExtra). Only ASCII-compatible charsets are used.
 */
function chooseCharset(bytes: Uint8Array, scan: HeaderSpans, options: DecodeOptions): string {
  if (scan.command & UTF8OPT) return 'utf-8'
  if (startsWith(bytes, FEIQIU_VERSION)) return 'gbk' // the version field, which runs to the first colon
  if (legacyIsUtf8(bytes, scan)) return 'utf-8'
  const peer = ipmsgCharset(options.peerCharset)
  return (peer !== 'utf-8' && peer) || ipmsgCharset(options.legacyCharset) || DEFAULT_LEGACY_CHARSET
}

/** The packet of a datagram whose version is known and whose text reads through `text`; the body's fields by its codec. */
function readPacket(version: string, scan: HeaderSpans, text: BodyText): Packet {
  const {c2, c3, c4, command} = scan
  const modeNo = command & 0xff
  const packet: Packet = {
    version,
    client: identifyClient(version),
    packetNo: scan.packetNo,
    user: '',
    host: '',
    command,
    mode: modeName(modeNo),
    modeNo,
    options: optionNames(command),
    text: '',
    charset: text.charset,
  }
  bodyCodec(command).decode(packet, text)
  // §1.4: an entry packet's UTF-8 extension names the sender (the codec put UN and HN in); else the header does.
  const {extension} = packet
  if (extension?.UN === undefined) packet.user = text.text(c2 + 1, c3)
  if (extension?.HN === undefined) packet.host = text.text(c3 + 1, c4)
  return packet
}

/**
 * The common case, fast: a plain-ASCII datagram whose charset is UTF-8 by §5 (UTF8OPT; or no Feiqiu version, so
 * every ASCII span is valid UTF-8). Every field is a slice of one string. Returns exactly what decodeGeneral
 * returns, or undefined to let decodeGeneral do it. The built code, SENDMSG 60 B: 5.5–6.1 M decodes/s with it, 2.7 M
 * without (2026-12-02).
 */
function decodeAsciiUtf8(bytes: Uint8Array, scan: HeaderSpans): DecodeResult | undefined {
  const {c1, c5, command, bits: headerBits} = scan
  if (!(command & UTF8OPT) && startsWith(bytes, FEIQIU_VERSION)) return undefined
  let bits = headerBits // the header's bytes, OR-ed by the scan that found it
  let i = c5 + 1
  for (; i < bytes.length && bytes[i] !== 0; i++) bits |= bytes[i]
  const firstEnd = i // the same pass finds where the body's first part ends
  for (; i < bytes.length; i++) bits |= bytes[i]
  if (bits >= 0x80) return undefined
  const s = latin1Text(bytes, 0, bytes.length)
  const version = s.slice(0, c1)
  if (version !== '1' && !isKnownVersion(version)) return undefined
  asciiText.bytes = bytes
  asciiText.start = c5 + 1
  asciiText.firstEnd = firstEnd
  asciiText.latin1 = s
  return {ok: true, packet: readPacket(version, scan, asciiText), raw: bytes}
}

/** Any classic datagram: the charset chosen by §5 from the bytes in the legacy charset, then every field decoded. */
function decodeGeneral(bytes: Uint8Array, scan: HeaderSpans, options: DecodeOptions): DecodeResult {
  const {c1, c5} = scan
  const latin1Version = latin1Text(bytes, 0, c1)
  if (!isKnownVersion(latin1Version)) {
    return {ok: false, error: `not IPMsg: version "${printable(bytes.subarray(0, c1))}" is not 1`, raw: bytes}
  }

  const charset = chooseCharset(bytes, scan, options)
  charsetText.bytes = bytes
  charsetText.start = c5 + 1
  charsetText.charset = charset
  // Every charset chosen is ASCII-compatible: an ASCII version reads the same in it as in Latin-1.
  const version = isAsciiSpan(bytes, 0, c1) ? latin1Version : charsetText.text(0, c1)
  return {ok: true, packet: readPacket(version, scan, charsetText), raw: bytes}
}

function isAsciiSpan(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] >= 0x80) return false
  return true
}

/** The checks every datagram goes through, then the fast path when `fast` and it applies, else the general one. */
function decodeChecked(bytes: Uint8Array, options: DecodeOptions, fast: boolean): DecodeResult {
  const raw = bytes
  if (bytes.length === 0) return {ok: false, error: 'empty datagram', raw}
  // Field notes §1.9: Windows v4.5+'s IPDict has no classic header; its outer keys are told, nothing decrypted.
  if (startsWith(bytes, IPDICT_MAGIC)) {
    const dict = parseIpDict(bytes)
    const error = `IPDict datagram (IP Messenger 4.5+), no classic header${dict.error ? `: ${dict.error}` : ''}`
    return {ok: false, error, dialect: {kind: 'ipdict', name: 'IPDict', dict}, raw}
  }

  // Field notes §2.1: IpMsg.Net's binary V2 frame starts with '2' too; its header numbers tell it from `2:…` text.
  const frame = bytes[0] === 0x32 ? parseIpMsgNetFrame(bytes) : undefined
  if (frame) {
    const error = 'IpMsg.Net V2 frame (gzip-compressed, no classic header)'
    return {ok: false, error, dialect: {kind: 'ipmsgnet-v2', name: 'IpMsg.Net V2', frame}, raw}
  }

  const reason = scanHeaderInto(bytes, header)
  if (reason !== undefined) return {ok: false, error: `not IPMsg: ${reason}`, raw}
  if (fast) return decodeAsciiUtf8(bytes, header) ?? decodeGeneral(bytes, header, options)
  return decodeGeneral(bytes, header, options)
}

function guarded(bytes: Uint8Array, options: DecodeOptions, fast: boolean): DecodeResult {
  try {
    if (!(bytes instanceof Uint8Array)) return {ok: false, error: 'not a byte array', raw: new Uint8Array(0)}
    return decodeChecked(bytes, options ?? NO_OPTIONS, fast)
  } catch (error) {
    return {
      ok: false,
      error: `undecodable datagram (${error instanceof Error ? error.message : String(error)})`,
      raw: bytes,
    }
  }
}

/** Decodes one datagram. Never throws, whatever the bytes. */
export function decode(bytes: Uint8Array, options: DecodeOptions = NO_OPTIONS): DecodeResult {
  return guarded(bytes, options, true)
}

/** decode without the ASCII fast path, for test/protocol/fast-path.test.ts (which holds the two to one result). */
export function decodeWithoutFastPath(bytes: Uint8Array, options: DecodeOptions = NO_OPTIONS): DecodeResult {
  return guarded(bytes, options, false)
}

/** The fast path alone, or undefined where it does not apply (for the same test: how often it is taken). */
export function decodeFastPathOnly(bytes: Uint8Array): DecodeResult | undefined {
  if (bytes.length === 0 || startsWith(bytes, IPDICT_MAGIC)) return undefined
  return scanHeaderInto(bytes, header) === undefined ? decodeAsciiUtf8(bytes, header) : undefined
}
