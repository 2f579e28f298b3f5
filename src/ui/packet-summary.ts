// Short, human descriptions of decoded packets: the client behind a version field, the options that matter
// to a person, and a one-line summary of the content. Safe for the terminal once passed through safeText.
import type {BodyFamily} from '../protocol/body-codec.js'
import type {ClientInfo, DecodeResult, Dialect, HostList, Packet} from '../protocol/types.js'

import {bodyCodec} from '../protocol/body-codecs.js'
import {MODES} from '../protocol/constants.js'

import {EscapedText} from './table.js'
import {safeBytesPreview, safeText} from './terminal-safe.js'

export function clientLabel(client: ClientInfo, version?: string): string {
  switch (client.kind) {
    case 'ipmsg': {
      // Field notes §1.5: Windows tells its platform and version in the `VS:` line of its entry packets.
      if (client.version === undefined) return 'IP Messenger'
      return `IP Messenger ${client.version}${client.platform ? ` (${client.platform})` : ''}`
    }

    case 'feige': {
      return client.version ? `Feige ${client.version}` : 'Feige'
    }

    case 'shiyeline': {
      return '内网通 (shiyeline)'
    }

    case 'iptux': {
      return client.version ? `iptux ${client.version}` : 'iptux'
    }

    case 'feiqiu': {
      return client.mac ? `Feiqiu (MAC ${client.mac})` : 'Feiqiu'
    }

    default: {
      return version === undefined ? 'unknown' : `unknown (${version})`
    }
  }
}

const NOTABLE: Record<string, string> = {
  ABSENCEOPT: 'absent',
  DIALUPOPT: 'dial-up',
  FILEATTACHOPT: 'files',
  ENCRYPTOPT: 'encryption',
  CAPUTF8OPT: 'utf-8',
  UTF8OPT: 'utf-8',
}

/** The options a person cares about in a peer list (absent, file transfer, encryption, UTF-8). */
export function notableOptions(options: readonly string[]): string[] {
  return [...new Set(options.map((o) => NOTABLE[o]).filter((o): o is string => o !== undefined))]
}

/** The content of a message: its text (or that it is encrypted) and its attachments. */
function messageSummary(packet: Packet): string {
  const parts = [packet.encrypted ? `(encrypted, ${packet.text.length} chars)` : packet.text]
  if (packet.attachments && packet.attachments.length > 0) {
    const names = packet.attachments.map((a) => a.name).join(', ')
    parts.push(`+${packet.attachments.length} file${packet.attachments.length === 1 ? '' : 's'}: ${names}`)
  }

  if (packet.attachmentErrors) parts.push(`(+${packet.attachmentErrors.length} unreadable file record(s))`)
  return parts.join(' ')
}

const MAX_LISTED = 16

/** One ANSLIST page (§3.10): the paging first (a narrow column cuts the end), then who is on it. */
function hostListSummary({count, errors, hosts, next}: HostList): string {
  let head = `host list: ${hosts.length} host${hosts.length === 1 ? '' : 's'}`
  if (count !== hosts.length + (errors?.length ?? 0)) head += ` (${count} announced)`
  if (errors) head += `, +${errors.length} unreadable`
  head += next === 0 ? ', complete' : `, more from #${next}`
  // A page can hold thousands of hosts; no row shows more than these, so no more are written.
  const shown = hosts.slice(0, MAX_LISTED).map((h) => `${h.nickname || h.user} (${h.address}:${h.port})`)
  if (hosts.length > MAX_LISTED) shown.push('…')
  return shown.length > 0 ? `${head}: ${shown.join(', ')}` : head
}

const HOST_LIST_ASKS: Readonly<Record<number, string>> = {
  [MODES.BR_ISGETLIST]: 'who can send a host list?',
  [MODES.BR_ISGETLIST2]: 'who can send a host list?',
  [MODES.OKGETLIST]: 'can send a host list',
}

function hostListModeSummary(packet: Packet): string {
  if (packet.hostList) return hostListSummary(packet.hostList)
  if (packet.listStart !== undefined) return `asks for the host list from #${packet.listStart}`
  return HOST_LIST_ASKS[packet.modeNo] ?? packet.text
}

/** A Feiqiu group message: its group and text, or why it could not be read (another sender's: its text). */
function groupChatSummary(packet: Packet): string {
  if (packet.groupChat === undefined) return packet.text
  const {groupId, encrypted} = packet.groupChat
  return encrypted === undefined ? `group ${groupId}: ${packet.text}` : `group message (encrypted: ${encrypted})`
}

/** Feiqiu's private codes without a body (field notes §2.2): what they mean. */
const PRIVATE_WORDS: Readonly<Record<number, string>> = {
  [MODES.FEIQ_SHAKE]: 'window shake',
  [MODES.FEIQ_INPUTING]: 'typing…',
  [MODES.FEIQ_INPUT_END]: 'stopped typing',
  [MODES.FEIQ_OPEN_YOU]: 'opened a chat window',
}

function plainSummary(packet: Packet): string {
  const word = PRIVATE_WORDS[packet.modeNo]
  if (word === undefined) return packet.text
  return packet.text === '' ? word : `${word}: ${packet.text}`
}

function imageSummary(packet: Packet): string {
  if (packet.imageId === undefined) return packet.text
  return `image ${packet.imageId}${packet.text === '' ? '' : ` ${packet.text}`}`
}

/** One wording per body family (protocol/body-codecs.ts decides the family of each mode). */
const SUMMARIES: Readonly<Record<BodyFamily, (packet: Packet) => string>> = {
  entry: (packet) => (packet.group ? `${packet.nickname} [${packet.group}]` : (packet.nickname ?? '')),
  message: messageSummary,
  acknowledgement: (packet) => (packet.acknowledges === undefined ? packet.text : `ack #${packet.acknowledges}`),
  hostList: hostListModeSummary,
  groupChat: groupChatSummary,
  image: imageSummary,
  plain: plainSummary,
}

export function packetSummary(packet: Packet): string {
  return SUMMARIES[bodyCodec(packet.command).family](packet)
}

/** The MODE column: the packet's mode, the dialect of a datagram without a classic header, or '(not IPMsg)'. */
export function datagramMode(result: DecodeResult): string {
  if (result.ok) return result.packet.mode
  if (result.dialect) return result.dialect.kind === 'ipdict' ? 'IPDICT' : 'IPMSGNET_V2'
  return '(not IPMsg)'
}

/** The CLIENT column of a datagram without a classic header: who sends that dialect, or '' when none is known. */
export function dialectClient(result: DecodeResult): string {
  if (result.ok || !result.dialect) return ''
  return result.dialect.kind === 'ipdict' ? 'IP Messenger 4.5+' : 'IpMsg.Net'
}

const MAX_KEYS = 12
/** IPDict keys holding bit words (crypto flags, status, command): shown in hex, as src/ipmsg.h writes them. */
const FLAG_KEYS = new Set(['CMD', 'EF', 'FLG', 'STAT'])

/** An IPDict's outer keys (values shown short), then which are encrypted; a V2 frame's header. Raw network text. */
export function dialectSummary(dialect: Dialect): string {
  if (dialect.kind === 'ipmsgnet-v2') {
    const {ack, dataLength, packetNo, part, parts, totalLength} = dialect.frame
    return (
      `IpMsg.Net V2 #${packetNo}, part ${part + 1} of ${parts}, ${dataLength} of ${totalLength} compressed bytes` +
      (ack ? ', ack asked' : '')
    )
  }

  const {dict} = dialect
  const keys = dict.entries.slice(0, MAX_KEYS).map(({key, length, value}) => {
    if (value === undefined) return `${key} (${length} B)`
    const text =
      typeof value === 'number' && FLAG_KEYS.has(key) ? `0x${value.toString(16).toUpperCase()}` : String(value)
    return `${key}=${text.length > 24 ? `${text.slice(0, 24)}…` : text}`
  })
  if (dict.entries.length > MAX_KEYS) keys.push(`+${dict.entries.length - MAX_KEYS} more`)
  let summary = `IPDict${dict.mode ? ` ${dict.mode}` : ''}: ${keys.join(', ') || 'no keys'}`
  if (dict.encrypted.length > 0) summary += `; encrypted: ${dict.encrypted.join(', ')}`
  if (dict.error) summary += ` (${dict.error})`
  return summary
}

/**
 * Summary of any datagram for a table cell: the packet's content (escaped by the table, only as far as it is shown),
 * a known dialect's outline, or an escaped byte preview of non-IPMsg data.
 */
export function datagramSummary(result: DecodeResult, size: number): EscapedText | string {
  if (result.ok) return packetSummary(result.packet)
  if (result.dialect) return dialectSummary(result.dialect)
  return new EscapedText(`${safeBytesPreview(result.raw, 48)} (${size} bytes; ${safeText(result.error)})`)
}
