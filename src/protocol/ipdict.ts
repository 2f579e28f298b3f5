// Windows IP Messenger v4.5+'s IPDict (field notes §1.9): `IP2:<hexlen>:` then `key:<hexlen>:<value>` joined by
// `:`, then `:Z`. The format carries no types, so the known keys are typed here; the rest are told by length.
import type {IpDict, IpDictEntry} from './types.js'

import {decodeText, isValidUtf8} from './charset.js'
import {modeName} from './constants.js'

const COLON = 0x3a
const MAX_ENTRIES = 64
const MAX_TEXT = 256

/** Header and member-master keys that hold a (hex) integer (`src/ipmsg.h`). */
const INTEGER_KEYS = new Set(['VER', 'PKT', 'DATE', 'STAT', 'CMD', 'FLG', 'RPN', 'PORT', 'EF', 'UPT', 'POLL'])
/** Keys that hold text. */
const TEXT_KEYS = new Set(['UID', 'HID', 'NCK', 'GRP', 'CVER', 'BODY', 'IPAD', 'ADR', 'SVADR', 'ABSMD'])
/** Keys whose values are ciphertext: the RSA-encrypted AES key and the AES-CTR-encrypted inner dict. */
const ENCRYPTED_KEYS = new Set(['EK', 'EB'])
/** Binary keys: the IV, the signature, the public key. Told by length only. */
const BINARY_KEYS = new Set(['EI', 'SIGN', 'PUBE', 'PUBN', 'EC'])

export const IPDICT_MAGIC = [0x49, 0x50, 0x32, 0x3a] // "IP2:"

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = ''
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i])
  return s
}

/** The field up to the next colon, from `from` (at most `max` bytes), or undefined when there is none. */
function field(bytes: Uint8Array, from: number, end: number, max: number): number | undefined {
  const limit = Math.min(end, from + max + 1)
  for (let i = from; i < limit; i++) if (bytes[i] === COLON) return i
  return undefined
}

function hexNumber(text: string): number | undefined {
  return /^-?[\da-f]{1,13}$/i.test(text) ? Number.parseInt(text, 16) : undefined
}

/** A short text value: valid UTF-8 without control characters, else undefined (told by length). */
function textValue(bytes: Uint8Array): string | undefined {
  if (bytes.length > MAX_TEXT || !isValidUtf8(bytes)) return undefined
  const text = decodeText(bytes, 'utf-8')
  return /[\u0000-\u001F\u007F]/.test(text) ? undefined : text
}

function entryValue(key: string, bytes: Uint8Array): number | string | undefined {
  if (ENCRYPTED_KEYS.has(key) || BINARY_KEYS.has(key)) return undefined
  if (INTEGER_KEYS.has(key)) return hexNumber(ascii(bytes, 0, bytes.length)) ?? textValue(bytes)
  if (TEXT_KEYS.has(key)) return textValue(bytes)
  return textValue(bytes)
}

/** Reads `key:len:value` members of bytes[from, end) into dict; returns why it stopped early, if it did. */
function readEntries(bytes: Uint8Array, from: number, end: number, dict: IpDict): string | undefined {
  let at = from
  while (at < end) {
    if (dict.entries.length === MAX_ENTRIES) return `more than ${MAX_ENTRIES} keys; the rest not read`
    const keyEnd = field(bytes, at, end, 32)
    if (keyEnd === undefined) return `key at byte ${at} has no length`
    const key = ascii(bytes, at, keyEnd)
    const lengthEnd = field(bytes, keyEnd + 1, end, 13)
    const length = lengthEnd === undefined ? undefined : hexNumber(ascii(bytes, keyEnd + 1, lengthEnd))
    if (lengthEnd === undefined || length === undefined || length < 0) return `key ${JSON.stringify(key)} has no length`
    const valueEnd = lengthEnd + 1 + length
    if (valueEnd > end) return `key ${JSON.stringify(key)} is cut short (${length} bytes declared)`
    const entry: IpDictEntry = {key, length}
    const value = entryValue(key, bytes.subarray(lengthEnd + 1, valueEnd))
    if (value !== undefined) entry.value = value
    dict.entries.push(entry)
    if (ENCRYPTED_KEYS.has(key)) dict.encrypted.push(key)
    if (key === 'CMD' && typeof value === 'number') dict.mode = modeName(value)
    if (valueEnd < end && bytes[valueEnd] !== COLON) return `no ':' after the value of ${JSON.stringify(key)}`
    at = valueEnd + 1
  }

  return undefined
}

/** The outer keys of an IPDict. Never throws; what cannot be read is said in `error`. */
export function parseIpDict(bytes: Uint8Array): IpDict {
  const dict: IpDict = {entries: [], encrypted: []}
  const start = IPDICT_MAGIC.length
  const lengthEnd = field(bytes, start, bytes.length, 13)
  const declared = lengthEnd === undefined ? undefined : hexNumber(ascii(bytes, start, lengthEnd))
  if (lengthEnd === undefined || declared === undefined || declared < 0) {
    dict.error = 'no length after "IP2:"'
    return dict
  }

  const contentEnd = lengthEnd + 1 + declared
  const end = Math.min(contentEnd, bytes.length)
  const error = readEntries(bytes, lengthEnd + 1, end, dict)
  if (error !== undefined) dict.error = error
  else if (contentEnd > bytes.length) {
    dict.error = `cut short: ${declared} bytes declared, ${bytes.length - lengthEnd - 1} sent`
  }

  return dict
}
