// Short, human descriptions of decoded packets: the client behind a version field, the options that matter
// to a person, and a one-line summary of the content. Safe for the terminal once passed through safeText.
import type {BodyFamily} from '../protocol/body-codec.js'
import type {ClientInfo, DecodeResult, HostList, Packet} from '../protocol/types.js'

import {bodyCodec} from '../protocol/body-codecs.js'
import {MODES} from '../protocol/constants.js'

import {EscapedText} from './table.js'
import {safeBytesPreview, safeText} from './terminal-safe.js'

export function clientLabel(client: ClientInfo, version?: string): string {
  switch (client.kind) {
    case 'ipmsg': {
      return 'IP Messenger'
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

/** One wording per body family (protocol/body-codecs.ts decides the family of each mode). */
const SUMMARIES: Readonly<Record<BodyFamily, (packet: Packet) => string>> = {
  entry: (packet) => (packet.group ? `${packet.nickname} [${packet.group}]` : (packet.nickname ?? '')),
  message: messageSummary,
  acknowledgement: (packet) => (packet.acknowledges === undefined ? packet.text : `ack #${packet.acknowledges}`),
  hostList: hostListModeSummary,
  groupChat: groupChatSummary,
  plain: (packet) => packet.text,
}

export function packetSummary(packet: Packet): string {
  return SUMMARIES[bodyCodec(packet.command).family](packet)
}

/**
 * Summary of any datagram for a table cell: the packet's content (escaped by the table, only as far as it is shown),
 * or an escaped byte preview of non-IPMsg data.
 */
export function datagramSummary(result: DecodeResult, size: number): EscapedText | string {
  if (result.ok) return packetSummary(result.packet)
  return new EscapedText(`${safeBytesPreview(result.raw, 48)} (${size} bytes; ${safeText(result.error)})`)
}
