// What a person sees after an announce: the peers that answered, every other reply, and the delivery of
// unicasts that asked for a receipt. And the JSON document for scripts.
import type {AnnounceResult, Reply} from '../lan/announce.js'

import {toDatagramRecord, type DatagramRecord} from './datagram-record.js'
import {datagramSummary} from './packet-summary.js'
import {PEER_IDENTITY_COLUMNS, peerIdentityCells} from './peer-columns.js'
import {type Column, renderTable, type Row, type TableOptions} from './table.js'

export interface ReplyRecord extends DatagramRecord {
  rttMs: number
  acknowledges: boolean
}

export function toReplyRecord(reply: Reply): ReplyRecord {
  return {...toDatagramRecord(reply), rttMs: reply.rttMs, acknowledges: reply.acknowledges}
}

/** The `announce --json` document. */
export function announceJson(result: AnnounceResult) {
  const first = result.sent[0]
  return {
    local: result.local,
    targets: result.targets.map((t) => ({
      address: t.address,
      port: t.port,
      interface: t.interface ?? null,
      kind: t.kind,
    })),
    sent: first
      ? {
          packetNo: first.packetNo,
          command: first.command,
          mode: first.mode,
          bytes: first.bytes,
          truncated: first.truncated,
        }
      : null,
    rounds: result.sent,
    replies: result.replies.map((r) => toReplyRecord(r)),
    peers: result.peers.map((p) => ({
      address: p.address,
      port: p.port,
      user: p.user,
      host: p.host,
      nickname: p.nickname,
      group: p.group,
      client: p.client,
      options: p.options,
      status: p.status,
      rttMs: p.rttMs,
      acknowledged: p.acknowledged,
    })),
    deliveries: result.deliveries.map((d) => ({
      address: d.target.address,
      port: d.target.port,
      round: d.round,
      packetNo: d.packetNo,
      delivered: d.delivered,
      attempts: d.attempts,
      rttMs: d.rttMs,
    })),
    echoes: result.echoes,
    repliesDropped: result.repliesDropped,
    sendErrors: result.sendErrors.map((e) => ({address: e.target.address, port: e.target.port, message: e.message})),
  }
}

const PEER_COLUMNS: Column[] = [
  ...PEER_IDENTITY_COLUMNS,
  {header: 'RTT', key: 'rtt', align: 'right', keep: true},
  {header: 'ACK', key: 'ack', keep: true},
]

const REPLY_COLUMNS: Column[] = [
  {header: 'RTT', key: 'rtt', align: 'right', keep: true},
  {header: 'FROM', key: 'from', keep: true},
  {header: 'MODE', key: 'mode', keep: true},
  {header: 'ACK', key: 'ack', keep: true},
  {header: 'CONTENT', key: 'content'},
]

// Every cell of a delivery is short and matters: none is cut.
const DELIVERY_COLUMNS: Column[] = [
  {header: 'TARGET', key: 'target', keep: true},
  {header: 'PACKET', key: 'packetNo', align: 'right', keep: true},
  {header: 'DELIVERED', key: 'delivered', keep: true},
  {header: 'ATTEMPTS', key: 'attempts', align: 'right', keep: true},
  {header: 'RTT', key: 'rtt', align: 'right', keep: true},
]

export function renderAnnounceReport(result: AnnounceResult, opts: TableOptions = {}): string {
  const sections: string[] = []
  const peerRows: Row[] = result.peers.map((p) => ({
    ...peerIdentityCells(p),
    rtt: `${p.rttMs}ms`,
    ack: p.acknowledged ? 'yes' : '',
  }))
  sections.push(peerRows.length > 0 ? renderTable(PEER_COLUMNS, peerRows, opts) : 'No IPMsg peer answered.')

  // Every reply is shown: the peers table has one line a peer, this one every datagram.
  if (result.replies.length > 0) {
    const rows: Row[] = result.replies.map((r) => ({
      rtt: `${r.rttMs}ms`,
      from: `${r.from.address}:${r.from.port}`,
      mode: r.result.ok ? r.result.packet.mode : '(not IPMsg)',
      ack: r.acknowledges ? 'yes' : '',
      content: datagramSummary(r.result, r.data.length),
    }))
    sections.push(`Replies (${rows.length}):\n${renderTable(REPLY_COLUMNS, rows, opts)}`)
  }

  if (result.deliveries.length > 0) {
    const rows: Row[] = result.deliveries.map((d) => ({
      target: `${d.target.address}:${d.target.port}`,
      packetNo: d.packetNo,
      delivered: d.delivered ? 'yes' : 'NO',
      attempts: d.attempts,
      rtt: d.rttMs === null ? '-' : `${d.rttMs}ms`,
    }))
    sections.push(`Delivery:\n${renderTable(DELIVERY_COLUMNS, rows, opts)}`)
  }

  const first = result.sent[0]
  const what = first?.mode ? `${first.mode} #${first.packetNo}` : 'raw datagram'
  const summary = [
    `Sent ${what} (${first?.bytes ?? 0} bytes) to ${result.targets.map((t) => `${t.address}:${t.port}`).join(', ')}`,
    `from UDP port ${result.local.port}; ${result.replies.length} repl${result.replies.length === 1 ? 'y' : 'ies'} from ${result.peers.length} peer${result.peers.length === 1 ? '' : 's'}.`,
  ].join(' ')
  sections.push(summary)
  if (result.repliesDropped > 0)
    sections.push(`${result.repliesDropped} more replies were received but not kept (limit reached).`)
  if (first?.truncated) sections.push(`The message was truncated to fit in one datagram (${first.bytes} bytes).`)
  for (const e of result.sendErrors) sections.push(`Could not send to ${e.target.address}: ${e.message}`)
  return sections.join('\n\n')
}
