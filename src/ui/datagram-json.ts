// One line of `listen --ndjson`: the characters of JSON.stringify(toDatagramRecord(datagram)), written out
// directly. At tens of thousands of datagrams a second, building the record and walking it again costs more
// than decoding the datagram; test/ui/datagram-json.test.ts holds the two to the same output.
import type {ReceivedDatagram} from '../lan/received-datagram.js'

const NEEDS_ESCAPE = /["\\\u0000-\u001F\uD800-\uDFFF]/

/** A JSON string literal: as JSON.stringify writes it (which it is called for whenever anything needs escaping). */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`
}

/** A JSON number as JSON.stringify writes it (NaN and ±Infinity become null). */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null'
}

let lastMs = Number.NaN
let lastIso = ''

/** new Date(ms).toISOString(), computed once per millisecond (a burst arrives within a few). */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString()
    lastMs = ms
  }

  return lastIso
}

export function datagramJson(datagram: ReceivedDatagram): string {
  const {data, from, result} = datagram
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')
  const head =
    `{"receivedAt":${quote(isoTime(datagram.receivedAt))},"from":{"address":${quote(from.address)},` +
    `"port":${number(from.port)}},"size":${number(data.length)},"ipmsg":${result.ok}`
  if (!result.ok) return `${head},"packet":null,"raw":"${raw}","error":${quote(result.error)}}`
  const p = result.packet
  let packet =
    `{"version":${quote(p.version)},"client":${JSON.stringify(p.client)},"packetNo":${number(p.packetNo)},` +
    `"user":${quote(p.user)},"host":${quote(p.host)},"command":${number(p.command)},"mode":${quote(p.mode)},` +
    `"options":${JSON.stringify(p.options)},"text":${quote(p.text)},` +
    `"nickname":${p.nickname === undefined ? 'null' : quote(p.nickname)},` +
    `"group":${p.group === undefined ? 'null' : quote(p.group)},"charset":${quote(p.charset)},` +
    `"acknowledges":${p.acknowledges === undefined ? 'null' : number(p.acknowledges)},` +
    `"attachments":${JSON.stringify(p.attachments ?? [])}`
  if (p.font !== undefined) packet += `,"font":${quote(p.font)}`
  if (p.encrypted) packet += `,"encrypted":true`
  if (p.extension !== undefined) packet += `,"extension":${JSON.stringify(p.extension)}`
  if (p.iptux !== undefined) packet += `,"iptux":${JSON.stringify(p.iptux)}`
  return `${head},"packet":${packet}},"raw":"${raw}"}`
}
