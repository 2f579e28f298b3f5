// What `listen` shows a person: one aligned row per datagram as it arrives, and the presence table.
import type {Endpoint} from '../net/endpoint.js'
import type {PeerRow} from '../lan/presence.js'
import type {ReceivedDatagram} from '../lan/received-datagram.js'
import type {SentReply} from '../lan/listen-session.js'

import {paint} from './color.js'
import {type ScreenSize} from './live-view.js'
import {clientLabel, datagramMode, datagramSummary, dialectClient} from './packet-summary.js'
import {PEER_IDENTITY_COLUMNS, peerIdentityCells} from './peer-columns.js'
import {
  type Column,
  fitColumns,
  type Layout,
  renderHeader,
  renderRow,
  renderTable,
  type Row,
  type TableOptions,
  totalWidth,
} from './table.js'
import {hexDump, safeText} from './terminal-safe.js'

// Time, source and mode are never cut; on a narrow screen options, then client, then sender give way.
const STREAM_COLUMNS: Column[] = [
  {header: 'TIME', key: 'time', keep: true},
  {header: 'FROM', key: 'from', keep: true},
  {header: 'MODE', key: 'mode', keep: true},
  {header: 'OPTIONS', key: 'options', drop: 1},
  {header: 'SENDER', key: 'sender', drop: 3},
  {header: 'CLIENT', key: 'client', drop: 2},
  {header: 'CONTENT', key: 'content', keep: true},
]
/** 255.255.255.255:65535 is 21 columns; the content gets at least 24 and whatever the screen has left. */
const STREAM_WIDTHS = [12, 21, 12, 20, 24, 16, 24]
/** From a capture (--read), where each datagram went: after FROM, never cut. */
const TO_COLUMN: Column = {header: 'TO', key: 'to', keep: true}

function endpointText({address, port}: Endpoint): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}

function clock(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

export interface RowOptions {
  color: boolean
  hex: boolean
  /** The terminal's width; undefined for a pipe or file, where the content is shown whole. */
  width?: number
  /** Cut nothing (--wide). */
  wide?: boolean
  /** A TO column (datagrams from a capture file carry their destination). */
  destinations?: boolean
}

export class DatagramRows {
  private readonly layout: Layout
  private readonly palette: ReturnType<typeof paint>

  constructor(private readonly opts: RowOptions) {
    this.palette = paint(opts.color)
    const columns = opts.destinations
      ? [...STREAM_COLUMNS.slice(0, 2), TO_COLUMN, ...STREAM_COLUMNS.slice(2)]
      : STREAM_COLUMNS
    const widths = opts.destinations ? [...STREAM_WIDTHS.slice(0, 2), 21, ...STREAM_WIDTHS.slice(2)] : STREAM_WIDTHS
    const layout = fitColumns(columns, widths, {width: opts.width, wide: opts.wide})
    if (opts.width !== undefined && !opts.wide) {
      // The content takes the rest of the line.
      const last = layout.widths.length - 1
      layout.widths[last] = Math.max(layout.widths[last], opts.width - (totalWidth(layout) - layout.widths[last]))
    }

    this.layout = {...layout, wholeLast: opts.width === undefined}
  }

  header(): string {
    return renderHeader(this.layout, {color: this.opts.color})
  }

  row(datagram: ReceivedDatagram): string {
    const {result, from} = datagram
    const packet = result.ok ? result.packet : undefined
    const row: Row = {
      time: clock(datagram.receivedAt),
      from: endpointText(from),
      to: datagram.to ? endpointText(datagram.to) : '',
      mode: datagramMode(result),
      options: packet ? packet.options.map((o) => o.replace(/OPT$/, '')).join(',') : `${datagram.data.length} bytes`,
      sender: packet ? `${packet.user}@${packet.host}` : '',
      client: packet ? clientLabel(packet.client, packet.version) : dialectClient(result),
      content: datagramSummary(result, datagram.data.length),
    }
    const line = renderRow(this.layout, row)
    const text = packet || dialectClient(result) ? line : this.palette.yellow(line)
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
  {header: 'LAST SEEN', key: 'lastSeen', keep: true},
  {header: 'STATUS', key: 'status', keep: true},
]

export function renderPeers(rows: PeerRow[], opts: TableOptions = {}): string {
  if (rows.length === 0) return 'No IPMsg peer seen.'
  const table: Row[] = rows.map((p) => ({
    ...peerIdentityCells(p),
    lastSeen: clock(p.lastSeen),
    status: p.status,
  }))
  return renderTable(PEER_COLUMNS, table, opts)
}

/**
 * The presence table for a screen of `size`: as many peers as fit under the header (in the table's order) and a
 * line saying how many more there are. Only the peers shown are rendered.
 */
export function renderPeerScreen(
  rows: PeerRow[],
  size: ScreenSize,
  opts: {color?: boolean; wide?: boolean} = {},
): string {
  const header = opts.color ? 1 : 2
  if (rows.length <= size.rows - header)
    return renderPeers(rows, {...opts, width: opts.wide ? undefined : size.columns})
  const shown = Math.max(0, size.rows - header - 1)
  const table = renderPeers(rows.slice(0, shown), {...opts, width: opts.wide ? undefined : size.columns})
  return `${table}\n… ${rows.length - shown} more peers (${rows.length} in all; every one is listed at exit)`
}
