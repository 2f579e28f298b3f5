// What `listen` shows a person: one aligned row per datagram as it arrives, and the presence table.
import type {PeerRow} from '../lan/presence.js'
import type {ReceivedDatagram} from '../lan/received-datagram.js'
import type {SentReply} from '../lan/listen-session.js'

import {paint} from './color.js'
import {clientLabel, datagramSummary} from './packet-summary.js'
import {PEER_IDENTITY_COLUMNS, peerIdentityCells} from './peer-columns.js'
import {type Column, renderHeader, renderRow, renderTable, type Row} from './table.js'
import {hexDump, safeText} from './terminal-safe.js'

const STREAM_COLUMNS: Column[] = [
  {header: 'TIME', key: 'time'},
  {header: 'FROM', key: 'from'},
  {header: 'MODE', key: 'mode'},
  {header: 'OPTIONS', key: 'options'},
  {header: 'SENDER', key: 'sender'},
  {header: 'CLIENT', key: 'client'},
  {header: 'CONTENT', key: 'content'},
]
const STREAM_WIDTHS = [12, 21, 12, 20, 24, 16, 40]

function clock(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

export class DatagramRows {
  private readonly widths: number[]
  private readonly palette: ReturnType<typeof paint>

  constructor(private readonly opts: {color: boolean; hex: boolean; width?: number}) {
    this.palette = paint(opts.color)
    const width = opts.width ?? 160
    const fixed = STREAM_WIDTHS.slice(0, -1).reduce((a, b) => a + b + 2, 0)
    this.widths = [...STREAM_WIDTHS.slice(0, -1), Math.max(20, width - fixed)]
  }

  header(): string {
    return renderHeader(STREAM_COLUMNS, this.widths, {color: this.opts.color})
  }

  row(datagram: ReceivedDatagram): string {
    const {result, from} = datagram
    const packet = result.ok ? result.packet : undefined
    const row: Row = {
      time: clock(datagram.receivedAt),
      from: `${from.address}:${from.port}`,
      mode: packet ? packet.mode : '(not IPMsg)',
      options: packet ? packet.options.map((o) => o.replace(/OPT$/, '')).join(',') : `${datagram.data.length} bytes`,
      sender: packet ? `${packet.user}@${packet.host}` : '',
      client: packet ? clientLabel(packet.client, packet.version) : '',
      content: datagramSummary(result, datagram.data.length),
    }
    const line = renderRow(STREAM_COLUMNS, this.widths, row)
    const text = packet ? line : this.palette.yellow(line)
    return this.opts.hex ? `${text}\n${hexDump(datagram.data)}` : text
  }

  reply(reply: SentReply): string {
    return this.palette.dim(
      `  → ${reply.mode} #${reply.packetNo} to ${reply.to.address}:${reply.to.port} (${safeText(reply.reason)})`,
    )
  }
}

const PEER_COLUMNS: Column[] = [
  ...PEER_IDENTITY_COLUMNS,
  {header: 'LAST SEEN', key: 'lastSeen'},
  {header: 'STATUS', key: 'status'},
]

export function renderPeers(rows: PeerRow[], opts: {color?: boolean; width?: number} = {}): string {
  if (rows.length === 0) return 'No IPMsg peer seen.'
  const table: Row[] = rows.map((p) => ({
    ...peerIdentityCells(p),
    lastSeen: clock(p.lastSeen),
    status: p.status,
  }))
  return renderTable(PEER_COLUMNS, table, opts)
}

/** Redraws the presence table in place on a terminal (cursor up, clear to end of screen). */
export class LivePeers {
  private lines = 0

  constructor(private readonly stream: NodeJS.WriteStream) {}

  draw(text: string): void {
    const up = this.lines > 0 ? `\u001B[${this.lines}F` : ''
    this.stream.write(`${up}\u001B[0J${text}\n`)
    this.lines = text.split('\n').length
  }
}
