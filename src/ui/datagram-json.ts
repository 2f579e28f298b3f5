// One line of `listen --ndjson`: the characters of JSON.stringify(toDatagramRecord(datagram)), written out
// directly. At tens of thousands of datagrams a second, building the record and walking it again costs more
// than decoding the datagram; test/ui/datagram-json.test.ts holds the two to the same output.
//
// A flood repeats itself: one source, one client, the same option set. The pieces that repeat (a quoted address or
// name, the client's and the options' JSON) are kept from the previous line and reused when the value is equal:
// each JSON.stringify call costs ~150 ns however small its argument, each escape test ~90 ns.
import type {Endpoint} from '../net/endpoint.js'
import type {ReceivedDatagram} from '../lan/received-datagram.js'
import type {ClientInfo} from '../protocol/types.js'

import {bodyCodec} from '../protocol/body-codecs.js'
import {sameClient} from '../protocol/client.js'

const NEEDS_ESCAPE = /["\\\u0000-\u001F\uD800-\uDFFF]/

const {base64Slice} = Buffer.prototype as unknown as {
  base64Slice: (this: Uint8Array, start: number, end: number) => string
}

/** A JSON string literal: as JSON.stringify writes it (which it is called for whenever anything needs escaping). */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`
}

/** quote() of the last string it was given, kept. */
class QuoteCache {
  private text = ''
  private quoted = '""'

  get(text: string): string {
    if (text !== this.text) {
      this.quoted = quote(text)
      this.text = text
    }

    return this.quoted
  }
}

const quoted = {
  address: new QuoteCache(),
  version: new QuoteCache(),
  user: new QuoteCache(),
  host: new QuoteCache(),
  mode: new QuoteCache(),
  charset: new QuoteCache(),
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true
  if (a === undefined || b === undefined || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

let lastOptions: string[] = []
let lastOptionsJson = '[]'

export function optionsJson(options: string[]): string {
  if (!sameStrings(options, lastOptions)) {
    lastOptionsJson = JSON.stringify(options)
    lastOptions = [...options] // a copy: the caller's array may change after
  }

  return lastOptionsJson
}

let lastClient: ClientInfo | undefined
let lastClientJson = ''

/** JSON.stringify(client), reused while the client has the same fields (sameClient) as the last one. */
export function clientJson(client: ClientInfo): string {
  if (lastClient === undefined || !sameClient(client, lastClient)) {
    lastClientJson = JSON.stringify(client)
    lastClient = {...client, parts: client.parts && [...client.parts]} // a copy: the caller's may change after
  }

  return lastClientJson
}

/** A JSON number as JSON.stringify writes it (NaN and ±Infinity become null). */
export function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null'
}

let lastMs = Number.NaN
let lastIso = ''
let minuteStart = Number.NaN
let minutePrefix = '' // "2026-11-22T14:31:"
/** 10000-01-01T00:00:00Z: from then on toISOString writes a 6-digit year with a sign. */
const YEAR_10000 = 253_402_300_800_000

/**
 * new Date(ms).toISOString(): the date, hour and minute from toISOString once a minute, the seconds and
 * milliseconds written here (toISOString costs ~0.8 µs; at 10,000 datagrams a second each one has its own ms).
 */
export function isoTime(ms: number): string {
  if (ms === lastMs) return lastIso
  lastMs = ms
  const inMinute = ms - minuteStart
  if (Number.isInteger(ms) && inMinute >= 0 && inMinute < 60_000) {
    const seconds = Math.floor(inMinute / 1000)
    const millis = inMinute % 1000
    lastIso = `${minutePrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
    return lastIso
  }

  lastIso = new Date(ms).toISOString()
  if (Number.isInteger(ms) && ms >= 0 && ms < YEAR_10000) {
    minuteStart = ms - (ms % 60_000)
    minutePrefix = lastIso.slice(0, 17)
  }

  return lastIso
}

/** `,"key":value` for a member of the packet's family (datagram-record.ts leaves out undefined and false too). */
function member(key: string, value: unknown): string {
  if (value === undefined || value === false) return ''
  if (value === true) return `,"${key}":true`
  if (typeof value === 'string') return `,"${key}":${quote(value)}`
  if (typeof value === 'number') return `,"${key}":${number(value)}`
  return `,"${key}":${JSON.stringify(value)}`
}

/** `"to":{…},"transport":"udp",` of a datagram read from a capture. */
function capturedJson(to: Endpoint, transport: string | undefined): string {
  return `"to":{"address":${quote(to.address)},"port":${number(to.port)}},${transport ? `"transport":"${transport}",` : ''}`
}

export function datagramJson(datagram: ReceivedDatagram): string {
  const {data, from, result} = datagram
  const raw = base64Slice.call(data, 0, data.length)
  // An ISO time holds digits, '-', '+', ':', '.', 'T' and 'Z': nothing to escape.
  const head =
    `{"receivedAt":"${isoTime(datagram.receivedAt)}","from":{"address":${quoted.address.get(from.address)},` +
    `"port":${number(from.port)}},${datagram.to ? capturedJson(datagram.to, datagram.transport) : ''}` +
    `"size":${number(data.length)},"ipmsg":${result.ok}`
  if (!result.ok) {
    const dialect = result.dialect ? `,"dialect":${JSON.stringify(result.dialect)}` : ''
    return `${head},"packet":null,"raw":"${raw}","error":${quote(result.error)}${dialect}}`
  }

  const p = result.packet
  let packet =
    `{"version":${quoted.version.get(p.version)},"client":${clientJson(p.client)},"packetNo":${number(p.packetNo)},` +
    `"user":${quoted.user.get(p.user)},"host":${quoted.host.get(p.host)},"command":${number(p.command)},` +
    `"mode":${quoted.mode.get(p.mode)},"options":${optionsJson(p.options)},"text":${quote(p.text)},` +
    `"nickname":${p.nickname === undefined ? 'null' : quote(p.nickname)},` +
    `"group":${p.group === undefined ? 'null' : quote(p.group)},"charset":${quoted.charset.get(p.charset)},` +
    `"acknowledges":${p.acknowledges === undefined ? 'null' : number(p.acknowledges)},` +
    `"attachments":${p.attachments === undefined || p.attachments.length === 0 ? '[]' : JSON.stringify(p.attachments)}`
  for (const field of bodyCodec(p.command).fields) packet += member(field, p[field])
  return `${head},"packet":${packet}},"raw":"${raw}"${datagram.duplicate ? ',"duplicate":true' : ''}}`
}
