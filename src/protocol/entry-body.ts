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

export function splitEntryBody(body: Uint8Array): EntryBodyParts {
  // Start offsets of parts 0..4; a part ends at the next NUL or at the end.
  const starts = [0]
  const ends: number[] = []
  while (starts.length < 5) {
    const at = body.indexOf(NUL, starts.at(-1))
    if (at === -1) break
    ends.push(at)
    starts.push(at + 1)
  }

  ends.push(body.length)
  const part = (i: number): Uint8Array | undefined =>
    i < starts.length ? body.subarray(starts[i], ends[i]) : undefined
  const nickname = part(0)!
  const p1 = part(1)
  const p2 = part(2)
  const p3 = part(3)
  const without = (index: number): Uint8Array[] => [body.subarray(0, starts[index]), body.subarray(ends[index])]

  // Windows v4 and the spec: `nick\0group\0\nUN:…`; Windows also accepts `nick\0\nUN:…` (§1.4).
  if (p2 !== undefined && p2[0] === LF) {
    return {nickname, group: p1!, extension: p2, legacy: without(2)}
  }

  if (p1 !== undefined && p1[0] === LF) {
    return {nickname, group: new Uint8Array(0), extension: p1, legacy: without(1)}
  }

  const group = p1 ?? new Uint8Array(0)
  // iptux: `nick\0group\0icon\0encoding\0`; a run of padding NULs is not an iptux extension.
  if (p3 !== undefined && (p2!.length > 0 || p3.length > 0)) {
    return {nickname, group, iptux: {icon: p2!, encoding: p3}, legacy: [body]}
  }

  return {nickname, group, legacy: [body]}
}

/** `\nKEY:value` lines (always UTF-8, §1.4); later duplicates win, lines without a key are ignored. */
export function parseExtension(text: string): EntryExtension {
  const extension: EntryExtension = {}
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const key = line.slice(0, colon)
    if (!/^\w+$/.test(key) || key === '__proto__') continue
    extension[key] = line.slice(colon + 1)
  }

  return extension
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
