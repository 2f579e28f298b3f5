// The additional section of entry-family packets (§1.4): nickname, group, and the UTF-8 or iptux extension.
import type {EntryExtension} from './types.js'

import {Buffer} from 'node:buffer'

import {decodeText, encodeText} from './charset.js'

const NUL = 0x00
const LF = 0x0a

/** The byte spans of an entry body, before any decoding (§5: split on bytes first). */
export interface EntryBodyParts {
  nickname: Uint8Array
  /** Empty when absent. */
  group: Uint8Array
  /** The UTF-8 extension part, starting with `\n` (§1.4). */
  extension?: Uint8Array
  /** iptux's `icon \0 encoding` parts (§1.4, §9). */
  iptux?: {encoding: Uint8Array; icon: Uint8Array}
  /** Every byte of the body outside the extension, for the charset guess (§5). */
  legacy: Uint8Array[]
}

export interface EntryBody {
  nickname: string
  group: string
  extension?: EntryExtension
  iptux?: {encoding?: string; icon?: string}
}

export interface EntryBodyFields {
  nickname: string
  group: string
  user: string
  host: string
  vs?: string
  /** False: `nick \0 group \0` alone, as Feiqiu writes it (it reads the whole section as GBK). Default true. */
  utf8Extension?: boolean
}

/** Where the parts of an entry body are (§1.4), as offsets into the bytes; a part that is absent starts at -1. */
export interface EntrySpans {
  /** The nickname is bytes[start, nicknameEnd). */
  nicknameEnd: number
  groupStart: number
  groupEnd: number
  /** The UTF-8 extension part, starting with `\n`. */
  extensionStart: number
  extensionEnd: number
  /** iptux's `icon \0 encoding` parts (§1.4, §9). */
  iconStart: number
  iconEnd: number
  encodingStart: number
  encodingEnd: number
}

// Start and end offsets of parts 0..4, filled by findEntrySpans (which runs to its end before it is called again).
const starts = new Int32Array(5)
const ends = new Int32Array(5)

/** Part i exists and starts with `\n`. */
function isExtensionPart(bytes: Uint8Array, i: number, count: number): boolean {
  return i < count && starts[i] < ends[i] && bytes[starts[i]] === LF
}

/** The parts of the entry body bytes[start…] (§5: cut on bytes before any decoding), into `out`. */
export function findEntrySpans(bytes: Uint8Array, start: number, out: EntrySpans): void {
  // A part ends at the next NUL or at the end; the fifth runs to the end.
  let count = 1
  starts[0] = start
  for (; count < 5; count++) {
    const at = bytes.indexOf(NUL, starts[count - 1])
    if (at === -1) break
    ends[count - 1] = at
    starts[count] = at + 1
  }

  ends[count - 1] = bytes.length
  // Windows v4 and the spec: `nick\0group\0\nUN:…`; Windows also accepts `nick\0\nUN:…` (§1.4).
  const extension = isExtensionPart(bytes, 2, count) ? 2 : isExtensionPart(bytes, 1, count) ? 1 : -1
  // iptux: `nick\0group\0icon\0encoding\0`; a run of padding NULs is not an iptux extension.
  const iptux = extension < 0 && count > 3 && (ends[2] > starts[2] || ends[3] > starts[3])
  const group = count > 1 && extension !== 1 ? 1 : -1
  out.nicknameEnd = ends[0]
  out.groupStart = group < 0 ? -1 : starts[1]
  out.groupEnd = group < 0 ? -1 : ends[1]
  out.extensionStart = extension < 0 ? -1 : starts[extension]
  out.extensionEnd = extension < 0 ? -1 : ends[extension]
  out.iconStart = iptux ? starts[2] : -1
  out.iconEnd = iptux ? ends[2] : -1
  out.encodingStart = iptux ? starts[3] : -1
  out.encodingEnd = iptux ? ends[3] : -1
}

export function splitEntryBody(body: Uint8Array): EntryBodyParts {
  const spans = {} as EntrySpans
  findEntrySpans(body, 0, spans)
  const nickname = body.subarray(0, spans.nicknameEnd)
  const group = spans.groupStart < 0 ? new Uint8Array(0) : body.subarray(spans.groupStart, spans.groupEnd)
  if (spans.extensionStart >= 0) {
    const extension = body.subarray(spans.extensionStart, spans.extensionEnd)
    const legacy = [body.subarray(0, spans.extensionStart), body.subarray(spans.extensionEnd)]
    return {nickname, group, extension, legacy}
  }

  if (spans.iconStart >= 0) {
    const icon = body.subarray(spans.iconStart, spans.iconEnd)
    const encoding = body.subarray(spans.encodingStart, spans.encodingEnd)
    return {nickname, group, iptux: {icon, encoding}, legacy: [body]}
  }

  return {nickname, group, legacy: [body]}
}

/** `\nKEY:value` lines (always UTF-8, §1.4); later duplicates win, lines without a key are ignored. */
export function parseExtension(text: string): EntryExtension {
  const extension: EntryExtension = {}
  // Line by line without splitting: a Windows entry packet has five lines, so each piece made is one kept.
  let colon = -1
  for (let from = 0; from <= text.length;) {
    let end = text.indexOf('\n', from)
    if (end === -1) end = text.length
    if (colon < from) colon = text.indexOf(':', from) // one search a colon, however many lines lack one
    if (colon === -1) break
    if (colon > from && colon < end && isWord(text, from, colon)) {
      const key = text.slice(from, colon)
      if (key !== '__proto__') extension[key] = text.slice(colon + 1, end)
    }

    from = end + 1
  }

  return extension
}

/** text[from, to) matches /^\w+$/ (ASCII letters, digits, `_`). */
function isWord(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f)) return false
  }

  return true
}

/** Decodes an entry body; extension values win over the legacy nickname and group (§1.4). */
export function decodeEntryBody(parts: EntryBodyParts, charset: string): EntryBody {
  const result: EntryBody = {nickname: decodeText(parts.nickname, charset), group: decodeText(parts.group, charset)}
  if (parts.extension) {
    const extension = parseExtension(decodeText(parts.extension, 'utf-8'))
    result.extension = extension
    if (extension.NN !== undefined) result.nickname = extension.NN
    if (extension.GN !== undefined) result.group = extension.GN
  }

  if (parts.iptux) {
    result.iptux = {}
    if (parts.iptux.icon.length > 0) result.iptux.icon = decodeText(parts.iptux.icon, charset)
    if (parts.iptux.encoding.length > 0) result.iptux.encoding = decodeText(parts.iptux.encoding, 'latin1')
  }

  return result
}

/**
 * `nick \0 group \0` in `charset`, then the Windows v4 extension `\nUN:…\nHN:…\nNN:…\nGN:…[\nVS:…]` in UTF-8
 * with no trailing NUL (§1.4). A value containing `\n` cannot travel as a line: the legacy field carries it.
 */
export function encodeEntryBody(fields: EntryBodyFields, charset: string): Uint8Array {
  const lines: Array<[string, string | undefined]> = [
    ['UN', fields.user],
    ['HN', fields.host],
    ['NN', fields.nickname],
    ['GN', fields.group],
    ['VS', fields.vs],
  ]
  let extension = ''
  for (const [key, value] of lines) {
    if (value !== undefined && !value.includes('\n') && !value.includes('\0')) extension += `\n${key}:${value}`
  }

  // A group starting with `\n` would look like the extension itself: an (empty) extension after it keeps it a group.
  if (extension === '' && fields.group.startsWith('\n')) extension = '\n'
  if (fields.utf8Extension === false) extension = ''
  const nul = new Uint8Array([NUL])
  return new Uint8Array(
    Buffer.concat([
      encodeText(fields.nickname, charset),
      nul,
      encodeText(fields.group, charset),
      nul,
      encodeText(extension, 'utf-8'),
    ]),
  )
}
