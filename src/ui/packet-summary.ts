// Short, human descriptions of decoded packets: the client behind a version field, the options that matter
// to a person, and a one-line summary of the content. Safe for the terminal once passed through safeText.
import type {ClientInfo, DecodeResult, Packet} from '../protocol/types.js'

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

export function packetSummary(packet: Packet): string {
  const parts: string[] = []
  if (packet.groupChat !== undefined) {
    const {groupId, encrypted} = packet.groupChat
    parts.push(encrypted === undefined ? `group ${groupId}: ${packet.text}` : `group message (encrypted: ${encrypted})`)
  } else if (packet.nickname !== undefined) {
    parts.push(packet.group ? `${packet.nickname} [${packet.group}]` : packet.nickname)
  } else if (packet.acknowledges !== undefined) {
    parts.push(`ack #${packet.acknowledges}`)
  } else if (packet.encrypted) {
    parts.push(`(encrypted, ${packet.text.length} chars)`)
  } else {
    parts.push(packet.text)
  }

  if (packet.attachments && packet.attachments.length > 0) {
    const names = packet.attachments.map((a) => a.name).join(', ')
    parts.push(`+${packet.attachments.length} file${packet.attachments.length === 1 ? '' : 's'}: ${names}`)
  }

  if (packet.attachmentErrors) parts.push(`(+${packet.attachmentErrors.length} unreadable file record(s))`)

  return parts.join(' ')
}

/**
 * Summary of any datagram for a table cell: the packet's content (escaped by the table, only as far as it is shown),
 * or an escaped byte preview of non-IPMsg data.
 */
export function datagramSummary(result: DecodeResult, size: number): EscapedText | string {
  if (result.ok) return packetSummary(result.packet)
  return new EscapedText(`${safeBytesPreview(result.raw, 48)} (${size} bytes; ${safeText(result.error)})`)
}
