// Host lists (§3.10): BR_ISGETLIST(2) "who can send a host list?", OKGETLIST "I can", GETLIST (body: the start
// index), ANSLIST (one page: `%5d\a%5d\a` next start and count, then 7 fields per host, each ended by `\a`).
import type {BodyCodec} from '../body-codec.js'
import type {HostList, ListedHost, ListedHostInput, OutgoingPacket} from '../types.js'

import {firstPartText} from '../body-codec.js'
import {encodeText} from '../charset.js'
import {MODES, OPTION_MASK, optionNames} from '../constants.js'
import {
  checkField,
  checkInteger,
  concat,
  type EncodeContext,
  EncodeError,
  NUL_BYTE,
  tooLarge,
} from '../encode-support.js'
import {encodeDecimalBody, parseDecimalBody} from './decimal.js'
import {encodeTextBody} from './plain.js'

const SEPARATOR = '\u0007'
/** Windows sends an empty nickname or group as `\b` (§3.10). */
const EMPTY = '\b'
const FIELDS_PER_HOST = 7
const MAX_INDEX = 0x7fffffff

/** Windows writes the indexes with %5d: right-aligned, space-padded. */
function parseIndex(field: string): number | undefined {
  const match = /^ *(\d{1,10})$/.exec(field)
  return match && Number(match[1]) <= MAX_INDEX ? Number(match[1]) : undefined
}

/** §3.10: the port field is htons(port) printed in decimal; swapping the two bytes back gives the port. */
function swapBytes(port: number): number {
  return ((port & 0xff) << 8) | (port >> 8)
}

/** One host's seven fields, or why they cannot be read. */
function readHost(fields: string[]): ListedHost | string {
  if (fields.length < FIELDS_PER_HOST) return `only ${fields.length} of the ${FIELDS_PER_HOST} fields`
  const [user, host, statusField, address, portField, nickname, group] = fields
  const status = parseDecimalBody(statusField)
  if (status === undefined) return `status "${statusField}" is not a number`
  if (address === '') return 'no address'
  const portAsSent = /^\d{1,5}$/.test(portField) ? Number(portField) : Number.NaN
  if (!(portAsSent <= 0xffff)) return `port "${portField}" is not a number from 0 to 65535`
  return {
    user,
    host,
    status,
    options: optionNames(status & OPTION_MASK),
    address,
    port: swapBytes(portAsSent),
    portAsSent,
    nickname: nickname === EMPTY ? '' : nickname,
    group: group === EMPTY ? '' : group,
  }
}

/** An ANSLIST body; undefined when it does not start with the two indexes. Unreadable hosts go to `errors`. */
export function parseHostList(text: string): HostList | undefined {
  const fields = text.split(SEPARATOR)
  if (fields.length < 2) return undefined
  const next = parseIndex(fields[0])
  const count = parseIndex(fields[1])
  if (next === undefined || count === undefined) return undefined
  const list: HostList = {next, count, hosts: []}
  // Every host ends with a separator: nothing follows the last one.
  const end = fields.at(-1) === '' ? fields.length - 1 : fields.length
  for (let at = 2; at < end; at += FIELDS_PER_HOST) {
    const entry = fields.slice(at, Math.min(at + FIELDS_PER_HOST, end))
    const host = readHost(entry)
    if (typeof host === 'string') (list.errors ??= []).push({entry: entry.join(SEPARATOR), error: host})
    else list.hosts.push(host)
  }

  return list
}

function listField(value: unknown, what: string): string {
  const text = checkField(value, what)
  if (text.includes(SEPARATOR)) throw new EncodeError('INVALID_FIELD', `${what} contains the separator \\a`)
  return text
}

function hostFields(host: ListedHostInput, i: number): string[] {
  const what = `host ${i + 1} of the list:`
  const address = listField(host.address, `${what} the address`)
  if (address === '') throw new EncodeError('INVALID_FIELD', `${what} the address is empty`)
  return [
    listField(host.user, `${what} the user name`),
    listField(host.host, `${what} the host name`),
    String(checkInteger(host.status, `${what} the status`, 0xffffffff)),
    address,
    String(swapBytes(checkInteger(host.port, `${what} the port`, 0xffff))),
    listField(host.nickname ?? '', `${what} the nickname`) || EMPTY,
    listField(host.group ?? '', `${what} the group`) || EMPTY,
  ]
}

/** One ANSLIST page as Windows writes it; never shortened (the caller pages a list that does not fit). */
function encodeHostList(list: OutgoingPacket['hostList'], {header, limits}: EncodeContext) {
  if (typeof list !== 'object' || list === null || !Array.isArray(list.hosts)) {
    throw new EncodeError('INVALID_FIELD', 'an ANSLIST needs a host list')
  }

  const next = checkInteger(list.next, 'the next start index', MAX_INDEX)
  let text = `${String(next).padStart(5)}${SEPARATOR}${String(list.hosts.length).padStart(5)}${SEPARATOR}`
  for (const [i, host] of list.hosts.entries()) text += hostFields(host, i).join(SEPARATOR) + SEPARATOR
  const body = encodeText(text, limits.charset)
  const error = tooLarge('host list', [header, body, NUL_BYTE], header.length + body.length + 1, limits)
  if (error) throw error
  return {bytes: concat([header, body, NUL_BYTE]), truncated: false}
}

export const hostListBody: BodyCodec = {
  family: 'hostList',
  fields: ['listStart', 'hostList'],
  decode(packet, body) {
    packet.text = firstPartText(body).text
    if (packet.modeNo === MODES.GETLIST) {
      // Windows sends the start index with %d (§3.10).
      if (/^\d{1,10}$/.test(packet.text) && Number(packet.text) <= MAX_INDEX) packet.listStart = Number(packet.text)
    } else if (packet.modeNo === MODES.ANSLIST) {
      const list = parseHostList(packet.text)
      if (list) packet.hostList = list
    }
  },
  encode(packet, ctx) {
    const mode = packet.command & 0xff
    if (mode === MODES.ANSLIST && packet.hostList !== undefined) return encodeHostList(packet.hostList, ctx)
    if (mode === MODES.GETLIST && packet.listStart !== undefined) {
      return encodeDecimalBody(packet.listStart, 'the start index', ctx, MAX_INDEX)
    }

    return encodeTextBody(packet.text ?? '', ctx)
  },
}
