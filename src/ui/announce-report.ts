// What a person sees after an announce: the peers that answered, every other reply, and the delivery of
// unicasts that asked for a receipt. And the JSON document for scripts.
import type {AnnounceResult, ReceivedReply} from '../lan/announce.js'

import {toDatagramRecord, type DatagramRecord} from './datagram-record.js'
import {hostListJson, hostListLine, listedEntries, renderListed, viaOf} from './host-list-report.js'
import {clientLabel, datagramMode, datagramSummary} from './packet-summary.js'
import {PEER_IDENTITY_COLUMNS, peerIdentityCells} from './peer-columns.js'
import {type Column, renderTable, type Row, type TableOptions} from './table.js'

export interface ReplyRecord extends DatagramRecord {
  rttMs: number
  acknowledges: boolean
}

export function toReplyRecord(reply: ReceivedReply): ReplyRecord {
  return {...toDatagramRecord(reply), rttMs: reply.rttMs, acknowledges: reply.acknowledges}
}

/** The first members of the `announce --json` document: known once the socket is bound. */
export function announceJsonHead(result: Pick<AnnounceResult, 'local' | 'targets'>) {
  return {
    local: result.local,
    targets: result.targets.map((t) => ({
      address: t.address,
      port: t.port,
      interface: t.interface ?? null,
      kind: t.kind,
    })),
  }
}

/** The members of the `announce --json` document after the replies: known at the end. */
export function announceJsonTail(result: AnnounceResult) {
  const first = result.sent[0]
  const listed = listedEntries(result)
  return {
    sent: first
      ? {
          packetNo: first.packetNo,
          command: first.command,
          mode: first.mode,
          bytes: first.bytes,
          truncated: first.truncated,
        }
      : null,
    entry: result.entry,
    rounds: result.sent,
    waited: result.waited,
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
      ...(listed && {via: viaOf(listed, p.address, p.port)}),
    })),
    deliveries: result.deliveries.map((d) => ({
      address: d.target.address,
      port: d.target.port,
      round: d.round,
      packetNo: d.packetNo,
      charset: d.charset,
      lossy: d.lossy,
      delivered: d.delivered,
      attempts: d.attempts,
      rttMs: d.rttMs,
      unreachable: d.unreachable,
      cannotAnswer: d.cannotAnswer,
    })),
    echoes: result.echoes,
    repliesDropped: result.repliesDropped,
    duplicates: result.duplicates,
    kernelDrops: result.kernelDrops,
    sendErrors: result.sendErrors.map((e) => ({address: e.target.address, port: e.target.port, message: e.message})),
    sweep: result.sweep ?? null,
    ...(listed && hostListJson(result, listed)),
  }
}

const PEER_COLUMNS: Column[] = [
  ...PEER_IDENTITY_COLUMNS,
  {header: 'RTT', key: 'rtt', align: 'right', keep: true},
  {header: 'ACK', key: 'ack', keep: true},
]

/** --via: the host lists that named the peer ("-": heard by broadcast or sweep only). */
const VIA_COLUMN: Column = {header: 'VIA', key: 'via', drop: 6}

const REPLY_COLUMNS: Column[] = [
  {header: 'RTT', key: 'rtt', align: 'right', keep: true},
  {header: 'FROM', key: 'from', keep: true},
  {header: 'MODE', key: 'mode', keep: true},
  {header: 'ACK', key: 'ack', keep: true},
  {header: 'CONTENT', key: 'content'},
]

// Every cell of a delivery is short and matters: none is cut (the charset goes first on a narrow screen).
const DELIVERY_COLUMNS: Column[] = [
  {header: 'TARGET', key: 'target', keep: true},
  {header: 'PACKET', key: 'packetNo', align: 'right', keep: true},
  {header: 'DELIVERED', key: 'delivered', keep: true},
  {header: 'ATTEMPTS', key: 'attempts', align: 'right', keep: true},
  {header: 'RTT', key: 'rtt', align: 'right', keep: true},
  {header: 'CHARSET', key: 'charset', drop: 1},
]

/** The peers that answered; with --via, where each came from, the hosts listed but not heard, and each list. */
function peerSections(result: AnnounceResult, opts: TableOptions): string[] {
  const listed = listedEntries(result)
  const peerRows: Row[] = result.peers.map((p) => ({
    ...peerIdentityCells(p),
    rtt: `${p.rttMs}ms`,
    ack: p.acknowledged ? 'yes' : '',
    ...(listed && {via: viaOf(listed, p.address, p.port).join(', ') || '-'}),
  }))
  const columns = listed ? [...PEER_COLUMNS, VIA_COLUMN] : PEER_COLUMNS
  const sections = [peerRows.length > 0 ? renderTable(columns, peerRows, opts) : 'No IPMsg peer answered.']
  const silent = listed && renderListed(listed, opts)
  if (silent) sections.push(silent)
  for (const list of result.hostLists ?? []) sections.push(hostListLine(list))
  return sections
}

export function renderAnnounceReport(result: AnnounceResult, opts: TableOptions = {}): string {
  const sections = peerSections(result, opts)

  // Every reply is shown once (a duplicate is not shown again): the peers table has one line a peer, this one every
  // datagram.
  const replies = result.replies.filter((r) => !r.duplicate)
  if (replies.length > 0) {
    const rows: Row[] = replies.map((r) => ({
      rtt: `${r.rttMs}ms`,
      from: `${r.from.address}:${r.from.port}`,
      mode: datagramMode(r.result),
      ack: r.acknowledges ? 'yes' : '',
      content: datagramSummary(r.result, r.data.length),
    }))
    sections.push(`Replies (${rows.length}):\n${renderTable(REPLY_COLUMNS, rows, opts)}`)
  }

  if (result.deliveries.length > 0) {
    const rows: Row[] = result.deliveries.map((d) => ({
      target: `${d.target.address}:${d.target.port}`,
      packetNo: d.packetNo,
      delivered: d.delivered
        ? 'yes'
        : d.unreachable
          ? 'NO (port unreachable)'
          : d.cannotAnswer
            ? 'no (cannot answer it)'
            : 'NO',
      attempts: d.attempts,
      rtt: d.rttMs === null ? '-' : `${d.rttMs}ms`,
      charset: d.lossy ? `${d.charset} (some as ?)` : d.charset,
    }))
    sections.push(`Delivery:\n${renderTable(DELIVERY_COLUMNS, rows, opts)}`)
  }

  const info = infoSection(result, opts)
  if (info) sections.push(info)
  const first = result.sent[0]
  sections.push(summaryLine(result))
  if (result.repliesDropped > 0)
    sections.push(`${result.repliesDropped} more replies were received but not kept (limit reached).`)
  if (result.kernelDrops)
    sections.push(`${result.kernelDrops} datagrams were dropped by the kernel (receive buffer full): never seen.`)
  if (first?.truncated) sections.push(`The message was truncated to fit in one datagram (${first.bytes} bytes).`)
  // One line a target, not one a round (--repeat).
  const lossy = new Map(result.deliveries.filter((d) => d.lossy).map((d) => [d.target, d.charset]))
  for (const [target, charset] of lossy) {
    sections.push(
      `${target.address}:${target.port} reads ${charset}, which cannot hold some characters: it got '?' for them.`,
    )
  }

  for (const e of result.sendErrors) sections.push(`Could not send to ${e.target.address}: ${e.message}`)
  const refused = new Set(
    result.deliveries.filter((d) => d.unreachable).map((d) => `${d.target.address}:${d.target.port}`),
  )
  for (const target of refused) {
    sections.push(`Nothing listens on UDP ${target} (it answered ICMP port unreachable), so it was not resent.`)
  }

  return sections.join('\n\n')
}

const INFO_COLUMNS: Column[] = [
  {header: 'PEER', key: 'peer'},
  {header: 'CLIENT (from its packets)', key: 'client'},
  {header: 'ANSWER', key: 'answer'},
]

/**
 * After GETINFO/GETABSENCEINFO, what is known of each peer: its answer, or, from clients that never answer (iptux,
 * Feiqiu, QIpMsg), the client and version that the header of every packet they send carries.
 */
function infoSection(result: AnnounceResult, opts: {color?: boolean; width?: number}): string | undefined {
  const asked = result.sent[0]?.mode
  if (asked !== 'GETINFO' && asked !== 'GETABSENCEINFO') return undefined
  const answerMode = asked === 'GETINFO' ? 'SENDINFO' : 'SENDABSENCEINFO'
  const rows: Row[] = result.peers.map((p) => {
    const answer = result.replies.find(
      (r) =>
        r.from.address === p.address && r.from.port === p.port && r.result.ok && r.result.packet.mode === answerMode,
    )
    return {
      peer: `${p.address}:${p.port}`,
      client: clientLabel(p.client),
      answer:
        answer && answer.result.ok
          ? `${answerMode}: ${answer.result.packet.text}`
          : `no ${answerMode} (${p.client.kind === 'iptux' || p.client.kind === 'feiqiu' ? `${p.client.name} never answers ${asked}` : 'it did not answer'})`,
    }
  })
  if (rows.length === 0) return undefined
  return `What is known (${asked}):\n${renderTable(INFO_COLUMNS, rows, opts)}`
}

/** "every address of 10.2.0.0/16 (1,200 of 65,534 probed at 100/s, stopped; 3 failed)" */
function sweptText(sweep: NonNullable<AnnounceResult['sweep']>): string {
  const n = (value: number) => value.toLocaleString('en-US')
  const how = sweep.complete ? `${n(sweep.sent)} probes` : `${n(sweep.sent)} of ${n(sweep.probes)} probed, stopped`
  const failed = sweep.failed > 0 ? `; ${n(sweep.failed)} could not be sent: ${sweep.firstError}` : ''
  return `every address of ${sweep.ranges.join(', ')} (${how} at ${sweep.rate}/s${failed})`
}

/** "Sent SENDMSG #n (b bytes) to … from UDP port p; r replies from n peers." (the entry and exit are in --json). */
export function summaryLine(result: AnnounceResult): string {
  const first = result.sent[0]
  const what = first?.mode ? `${first.mode} #${first.packetNo}` : 'raw datagram'
  const entered = result.entry ? ` after BR_ENTRY #${result.entry.packetNo}` : ''
  const replies = result.replies.filter((r) => !r.duplicate).length
  const to = result.targets.map((t) => `${t.address}:${t.port}`)
  if (result.sweep) to.push(sweptText(result.sweep))
  for (const list of result.hostLists ?? []) to.push(`the hosts listed by ${list.via}`)
  return [
    `Sent ${what} (${first?.bytes ?? 0} bytes)${entered} to ${to.join(', ')}`,
    `from UDP port ${result.local.port}; ${replies} repl${replies === 1 ? 'y' : 'ies'}` +
      (result.duplicates > 0 ? ` (and ${result.duplicates} duplicate${result.duplicates === 1 ? '' : 's'})` : '') +
      ` from ${result.peers.length} peer${result.peers.length === 1 ? '' : 's'}.`,
  ].join(' ')
}
