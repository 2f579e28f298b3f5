// One line of `listen --ndjson` encoded as UTF-8 straight into the output buffer: the bytes of
// Buffer.from(datagramJson(datagram)), without making the line as a string first. Building the line from ~40
// pieces, flattening it and encoding it cost more than decoding the datagram; here constant runs, with the values
// inside them that repeat from line to line, are copied from bytes encoded once, numbers are written as digits, ASCII
// text byte by byte (a long one natively, after one test), and the raw bytes as base64 from the datagram itself.
// Anything unusual (text to escape or beyond ASCII, JSON values) goes through the same helpers as datagramJson and is
// encoded where it stands; test/ui/datagram-json-bytes.test.ts holds the two to the same bytes.
import type {ReceivedDatagram} from '../lan/received-datagram.js'
import type {FamilyField} from '../protocol/body-codec.js'
import type {Packet} from '../protocol/types.js'

import {bodyCodec} from '../protocol/body-codecs.js'
import {clientJson, datagramJson, isoTime, number, optionsJson, quote} from './datagram-json.js'

/** Thrown (one object, never seen outside) when the line does not fit before `limit`. */
const FULL = new Error('the line does not fit')

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8')

/** From this size on, one native copy (set(), ~15 ns whatever the size) beats word stores (~0.25 ns a byte). */
const LONG_PIECE = 64

/** Bytes to copy, also as little-endian 32-bit words: four bytes a store copy ~300 bytes of a line in 60 % of the time. */
interface Piece {
  bytes: Uint8Array
  /** Empty for a long piece: set() copies it. */
  words: Int32Array
}

function piece(encoded: Uint8Array): Piece {
  const words = new Int32Array(encoded.length >= LONG_PIECE ? 0 : encoded.length >> 2)
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength)
  for (let i = 0; i < words.length; i++) words[i] = view.getInt32(i * 4, true)
  return {bytes: encoded, words}
}

const constant = (text: string): Piece => piece(bytes(text))
const PORT = constant(',"port":')
const SIZE = constant('},"size":')
const USER = constant(',"user":')
const HOST = constant(',"host":')
const NICKNAME = constant(',"nickname":')
const GROUP = constant(',"group":')
const CHARSET = constant(',"charset":')
const ACKNOWLEDGES = constant(',"acknowledges":')
const ATTACHMENTS = constant(',"attachments":')
const RAW = constant('},"raw":"')
const NULL = constant('null')
const TRUE = constant('true')
const EMPTY_LIST = constant('[]')
const END = constant('"}')
const END_DUPLICATE = constant('","duplicate":true}')
const BASE64 = bytes('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
/** Two base64 characters for every 12 bits (little-endian: the first in the low byte): 8 KiB, two loads a store. */
const BASE64_PAIRS = new Uint16Array(4096).map((_, bits) => BASE64[bits >>> 6] | (BASE64[bits & 63] << 8))
const QUOTE = 0x22
const EQUALS = 0x3d

// Every put* writes at buffer[at...] and returns where it ended: locals, not shared state, keep V8's loops tight.
let limit = 0
/** The output buffer as a DataView, for put()'s word stores; made again only when the buffer is another. */
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0))
let viewed: Uint8Array | undefined

function room(at: number, size: number): void {
  if (at + size > limit) throw FULL
}

function put(out: Buffer, at: number, {bytes, words}: Piece): number {
  const size = bytes.length
  room(at, size)
  if (size >= LONG_PIECE) {
    out.set(bytes, at)
    return at + size
  }

  const whole = words.length
  for (let i = 0; i < whole; i++) view.setInt32(at + i * 4, words[i], true)
  for (let i = whole * 4; i < size; i++) out[at + i] = bytes[i]
  return at + size
}

/** JSON text as it is (an ISO time, a number, JSON.stringify's output): UTF-8 has at most 3 bytes a UTF-16 unit. */
function putText(out: Buffer, at: number, text: string): number {
  room(at, text.length * 3)
  return at + out.write(text, at, 'utf8')
}

const UNSET = Symbol('unset')

/**
 * A constant run of the line with the values inside it that repeat from line to line (a batch's receive time, a
 * client's version and name, a command's mode and options, a message's charset), encoded once and copied while the
 * values are the same: one copy where there were up to eight pieces and strings.
 */
class RepeatedRun<A, B = undefined, C = undefined> {
  private a: A | typeof UNSET = UNSET
  private b: B | typeof UNSET = UNSET
  private c: C | typeof UNSET = UNSET
  private encoded: Piece = constant('')

  constructor(private readonly text: (a: A, b: B, c: C) => string) {}

  piece(a: A, b: B, c: C): Piece {
    if (a !== this.a || b !== this.b || c !== this.c) {
      this.encoded = constant(this.text(a, b, c))
      this.a = a
      this.b = b
      this.c = c
    }

    return this.encoded
  }
}

// An ISO time holds digits, '-', ':', '.', 'T' and 'Z': nothing to escape.
const HEAD = new RepeatedRun((time: string) => `{"receivedAt":"${time}","from":{"address":`)
const PACKET_HEAD = new RepeatedRun(
  (version: string, client: string) =>
    `,"ipmsg":true,"packet":{"version":${quote(version)},"client":${client},"packetNo":`,
)
const COMMAND_RUN = new RepeatedRun(
  (command: number, mode: string, options: string) =>
    `,"command":${number(command)},"mode":${quote(mode)},"options":${options},"text":`,
)
/** After the text of a packet without entry names, acknowledgement, attachments or family fields (a message). */
const BARE_TAIL = new RepeatedRun(
  (charset: string) =>
    `,"nickname":null,"group":null,"charset":${quote(charset)},"acknowledges":null,"attachments":[]},"raw":"`,
)

/** From this length on, one regular-expression test and a native copy (~120 ns) beat the loop (~3 ns a character). */
const LONG_STRING = 64
/** A character JSON.stringify escapes, or one beyond ASCII (then UTF-8 is more than one byte). */
const NOT_PLAIN = /[^ !#-[\]-\u007F]/

/** A JSON string literal of `text`: ASCII with nothing to escape byte by byte, anything else as quote() writes it. */
function putString(out: Buffer, start: number, text: string): number {
  const size = text.length
  room(start, size + 2)
  out[start] = QUOTE
  let at = start + 1
  if (size >= LONG_STRING) {
    if (NOT_PLAIN.test(text)) return putText(out, start, quote(text))
    at += out.write(text, at, size, 'latin1')
  } else {
    for (let i = 0; i < size; i++, at++) {
      const c = text.charCodeAt(i)
      if (c < 0x20 || c === QUOTE || c === 0x5c || c >= 0x80) return putText(out, start, quote(text))
      out[at] = c
    }
  }

  out[at] = QUOTE
  return at + 1
}

/** Two decimal digits for every number below 100 (little-endian: the tens in the low byte). */
const DIGIT_PAIRS = new Uint16Array(100).map((_, n) => (0x30 + ((n / 10) | 0)) | ((0x30 + (n % 10)) << 8))

/** How many digits a non-negative 31-bit integer has: comparisons, not divisions. */
function digitCount(value: number): number {
  if (value < 100_000) return value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : value < 10_000 ? 4 : 5
  if (value < 10_000_000) return value < 1_000_000 ? 6 : 7
  return value < 100_000_000 ? 8 : value < 1_000_000_000 ? 9 : 10
}

/** A number as JSON.stringify writes it: a small non-negative integer as digits, two a store, others by String(). */
function putNumber(out: Buffer, at: number, value: number): number {
  if (!(value >= 0 && value <= 0x7f_ff_ff_ff && (value | 0) === value)) return putText(out, at, number(value))
  const end = at + digitCount(value)
  room(at, end - at)
  let i = end
  let rest = value
  for (; rest >= 100; i -= 2) {
    const next = (rest / 100) | 0
    view.setUint16(i - 2, DIGIT_PAIRS[rest - next * 100], true)
    rest = next
  }

  if (rest >= 10) view.setUint16(i - 2, DIGIT_PAIRS[rest], true)
  else out[i - 1] = 0x30 + rest
  return end
}

/** `data` in base64 with padding, as Buffer's base64Slice writes it. */
function putBase64(out: Buffer, at: number, data: Uint8Array): number {
  const size = data.length
  room(at, Math.ceil(size / 3) * 4)
  let i = 0
  for (; i + 2 < size; i += 3, at += 4) {
    const bits = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2]
    view.setInt32(at, BASE64_PAIRS[bits >>> 12] | (BASE64_PAIRS[bits & 4095] << 16), true) // four characters
  }

  if (i < size) {
    const two = i + 1 < size
    const bits = (data[i] << 16) | (two ? data[i + 1] << 8 : 0)
    out[at] = BASE64[bits >>> 18]
    out[at + 1] = BASE64[(bits >>> 12) & 63]
    out[at + 2] = two ? BASE64[(bits >>> 6) & 63] : EQUALS
    out[at + 3] = EQUALS
    at += 4
  }

  return at
}

/** p[field] by name: a load by a variable key goes megamorphic and, for a field the packet lacks, allocates. */
function familyValue(p: Packet, field: FamilyField): unknown {
  switch (field) {
    case 'attachmentErrors': {
      return p.attachmentErrors
    }

    case 'dict': {
      return p.dict
    }

    case 'encrypted': {
      return p.encrypted
    }

    case 'extension': {
      return p.extension
    }

    case 'extraParts': {
      return p.extraParts
    }

    case 'font': {
      return p.font
    }

    case 'groupChat': {
      return p.groupChat
    }

    case 'hostList': {
      return p.hostList
    }

    case 'imageId': {
      return p.imageId
    }

    case 'iptux': {
      return p.iptux
    }

    default: {
      field satisfies 'listStart' // the last one: a field added to FamilyField without a case fails to compile
      return p.listStart
    }
  }
}

/** `,"key":value` as datagramJson's member() writes it. */
function putMember(out: Buffer, at: number, key: string, value: unknown): number {
  if (value === undefined || value === false) return at
  at = putText(out, at, `,"${key}":`) // a Packet field's name: plain ASCII
  if (value === true) return put(out, at, TRUE)
  if (typeof value === 'string') return putString(out, at, value)
  if (typeof value === 'number') return putNumber(out, at, value)
  return putText(out, at, JSON.stringify(value))
}

/** True when the packet has no entry names, acknowledgement, attachments or family fields: BARE_TAIL follows its text. */
function bare(p: Packet): boolean {
  if (p.nickname !== undefined || p.group !== undefined || p.acknowledges !== undefined) return false
  if (p.attachments !== undefined && p.attachments.length > 0) return false
  for (const field of bodyCodec(p.command).fields) {
    const value = familyValue(p, field)
    if (value !== undefined && value !== false) return false
  }

  return true
}

/** What follows the text, member by member, up to the raw bytes' opening quote. */
function putTail(out: Buffer, at: number, p: Packet): number {
  at = put(out, at, NICKNAME)
  at = p.nickname === undefined ? put(out, at, NULL) : putString(out, at, p.nickname)
  at = put(out, at, GROUP)
  at = p.group === undefined ? put(out, at, NULL) : putString(out, at, p.group)
  at = put(out, at, CHARSET)
  at = putString(out, at, p.charset)
  at = put(out, at, ACKNOWLEDGES)
  at = p.acknowledges === undefined ? put(out, at, NULL) : putNumber(out, at, p.acknowledges)
  at = put(out, at, ATTACHMENTS)
  at =
    p.attachments === undefined || p.attachments.length === 0
      ? put(out, at, EMPTY_LIST)
      : putText(out, at, JSON.stringify(p.attachments))
  for (const field of bodyCodec(p.command).fields) at = putMember(out, at, field, familyValue(p, field))
  return put(out, at, RAW)
}

function putLine(out: Buffer, at: number, datagram: ReceivedDatagram): number {
  const {data, from, result} = datagram
  // An error or a captured datagram: rare enough for the string.
  if (!result.ok || datagram.to !== undefined) return putText(out, at, datagramJson(datagram))
  const p = result.packet
  at = put(out, at, HEAD.piece(isoTime(datagram.receivedAt), undefined, undefined)) // one time for a batch read
  at = putString(out, at, from.address)
  at = put(out, at, PORT)
  at = putNumber(out, at, from.port)
  at = put(out, at, SIZE)
  at = putNumber(out, at, data.length)
  at = put(out, at, PACKET_HEAD.piece(p.version, clientJson(p.client), undefined))
  at = putNumber(out, at, p.packetNo)
  at = put(out, at, USER)
  at = putString(out, at, p.user)
  at = put(out, at, HOST)
  at = putString(out, at, p.host)
  at = put(out, at, COMMAND_RUN.piece(p.command, p.mode, optionsJson(p.options)))
  at = putString(out, at, p.text)
  at = bare(p) ? put(out, at, BARE_TAIL.piece(p.charset, undefined, undefined)) : putTail(out, at, p)
  at = putBase64(out, at, data)
  return put(out, at, datagram.duplicate ? END_DUPLICATE : END)
}

/**
 * Writes the line of `datagram` (without its newline) into buffer[start, end); returns where it ends, or -1 when it
 * does not fit (what was written before `end` is then to be ignored).
 */
export function writeDatagramJson(datagram: ReceivedDatagram, buffer: Buffer, start: number, end: number): number {
  limit = end
  if (buffer !== viewed) {
    view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    viewed = buffer
  }

  try {
    return putLine(buffer, start, datagram)
  } catch (error) {
    if (error === FULL) return -1
    throw error
  }
}
