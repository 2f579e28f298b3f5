// Where a listen's datagrams go on stdout, in one of four modes: rows (a header, one row per datagram and per reply
// sent, then the peers and the summary), --ndjson (one line per datagram, the summary on stderr), --json (a document
// whose records are written as they arrive, so that a long capture costs no memory) or --peers (only the table of
// peers, redrawn in place on a terminal). A closed pipe or a failed write ends the run (the goodbye is still sent);
// the failure is kept for the command to report (exit 8).
import type {CaptureStats} from '../lan/capture-replay.js'
import type {ListenEvents, ListenSession} from '../lan/listen-session.js'
import type {ReceivedDatagram} from '../lan/received-datagram.js'

import {animationEnabled, colorEnabled} from './color.js'
import {datagramJson} from './datagram-json.js'
import {writeDatagramJson} from './datagram-json-bytes.js'
import {JsonDocument} from './json-document.js'
import {LineWriter} from './line-writer.js'
import {listenSummary} from './listen-summary.js'
import {DatagramRows, renderPeers, renderPeerScreen} from './listen-view.js'
import {LiveView} from './live-view.js'

/** Output not yet taken by stdout's reader beyond which listen stops showing datagrams until it drains. */
export const OUTPUT_BACKLOG_BYTES = 1 << 20
/** Larger datagrams' NDJSON lines are made as strings (datagramJson): the buffer may not hold them. */
const ENCODED_MAX_BYTES = 4096

/** What the output needs of a session: its events, its counters and a way to pause it for a slow reader. */
export type ListenSource = Pick<ListenSession, 'holdOutput' | 'presence' | 'responder' | 'resumeOutput' | 'stats'> & {
  on<K extends keyof ListenEvents>(event: K, listener: (...args: ListenEvents[K]) => void): unknown
}

export interface ListenOutputOptions {
  json: boolean
  ndjson?: boolean
  peers?: boolean
  hex?: boolean
  wide?: boolean
  /** Stop after this many datagrams have been shown (--count). */
  count?: number
  /** --read: rows have a TO column. */
  destinations?: boolean
  /** --respond: the summary says how many replies were sent. */
  respond?: boolean
  stdout?: NodeJS.WriteStream
  stderr?: NodeJS.WritableStream
  /** Backlog (bytes) beyond which the session is held; default OUTPUT_BACKLOG_BYTES. */
  backlogBytes?: number
}

export class ListenOutput {
  /** Datagrams shown (duplicates are not counted). */
  private shown = 0
  private readonly out: LineWriter
  private readonly document: JsonDocument | undefined
  private readonly stdout: NodeJS.WriteStream
  private readonly color: boolean
  private live: LiveView | undefined

  /** `done` ends the run: --count reached, or stdout closed or failed. */
  constructor(
    private readonly options: ListenOutputOptions,
    private readonly done: () => void,
  ) {
    this.stdout = options.stdout ?? process.stdout
    this.color = colorEnabled(this.stdout)
    // A closed pipe ends the run quietly; a failed write (a full disk) ends it too, and is reported (exit 8).
    this.out = new LineWriter(this.stdout, done, done)
    // --json is written as it goes (records one a line): memory does not grow with the capture.
    this.document = options.json ? new JsonDocument(this.out, 'packets') : undefined
  }

  private get rowsMode(): boolean {
    return !this.options.json && !this.options.ndjson && !this.options.peers
  }

  /** Cut to the terminal's width only on a terminal: into a pipe or a file every text is whole. */
  private get width(): number | undefined {
    return this.stdout.isTTY && !this.options.wide ? this.stdout.columns : undefined
  }

  /** The write error that ended the output, if one did. */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.out.failure
  }

  /** Ends a document already begun with this error (see BaseCommand.openDocument). */
  fail(error: Record<string, unknown>): boolean {
    return this.document?.fail(error) ?? false
  }

  /** Shows what the session hears from now on. Call it right after the socket opens, before anything can arrive. */
  attach(session: ListenSource): void {
    const {options, out} = this
    const rows = new DatagramRows({
      color: this.color,
      hex: Boolean(options.hex),
      width: this.width,
      wide: options.wide || !this.stdout.isTTY,
      destinations: options.destinations,
    })
    if (options.peers && animationEnabled(this.stdout)) {
      const render = (size: {columns: number; rows: number}) =>
        renderPeerScreen(session.presence.rows(), size, {color: this.color, wide: options.wide})
      this.live = new LiveView(this.stdout, render)
      session.on('presence', () => this.live?.update())
    }

    // A slow reader (| jq): stop showing until it has caught up; the queue bounds memory and counts the drops.
    const throttle = out.throttle(
      options.backlogBytes ?? OUTPUT_BACKLOG_BYTES,
      () => session.holdOutput(),
      () => session.resumeOutput(),
    )
    if (this.rowsMode) out.write(rows.header())
    this.live?.update()
    session.on('datagram', (datagram) => {
      if (this.show(datagram, rows)) throttle()
    })
    session.on('replied', (reply) => {
      if (this.rowsMode) out.write(rows.reply(reply))
    })
  }

  /** Shows one datagram; true when it counted as shown (not a duplicate, not past --count). */
  private show(datagram: ReceivedDatagram, rows: DatagramRows): boolean {
    const {count, ndjson} = this.options
    if (count !== undefined && this.shown >= count) return false
    // A duplicate is a JSON record marked so, never a row again, and does not count towards --count.
    if (datagram.duplicate) {
      if (this.document) this.document.add(datagramJson(datagram))
      else if (ndjson) this.ndjsonLine(datagram)
      return false
    }

    this.shown++
    if (this.document) this.document.add(datagramJson(datagram))
    else if (ndjson) this.ndjsonLine(datagram)
    else if (this.rowsMode) this.out.write(rows.row(datagram))
    if (count !== undefined && this.shown >= count) this.done()
    return true
  }

  /** = JSON.stringify(toDatagramRecord(datagram)), faster: encoded straight into the output's buffer. */
  private ndjsonLine(datagram: ReceivedDatagram): void {
    const {out} = this
    if (datagram.data.length > ENCODED_MAX_BYTES || !out.writeEncoded(writeDatagramJson, datagram)) {
      out.write(datagramJson(datagram))
    }
  }

  /** The end, once the session has stopped: the document's tail, or the peers and the summary. */
  async finish(session: ListenSource): Promise<void> {
    const {out} = this
    const peers = session.presence.rows()
    const {stats} = session
    if (this.document) {
      this.document.end({
        datagrams: stats.datagrams,
        peers: peers.map((p) => ({
          ...p,
          firstSeen: new Date(p.firstSeen).toISOString(),
          lastSeen: new Date(p.lastSeen).toISOString(),
        })),
        stats: {...stats, evictions: session.presence.evictions, responder: session.responder?.stats ?? null},
      })
      await out.end()
      return
    }

    const summary = listenSummary({
      stats,
      shown: this.shown,
      peers: peers.length,
      responding: Boolean(this.options.respond),
      suppressedRateLimit: session.responder?.stats.suppressedRateLimit ?? 0,
      evictions: session.presence.evictions,
      capture: (stats as {capture?: CaptureStats}).capture,
    })
    if (this.options.ndjson) {
      const stderr = this.options.stderr ?? process.stderr
      await out.end()
      stderr.write(`${summary}\n`)
    } else {
      // The live frame (the peers that fit the screen) gives way to the full table.
      const table = renderPeers(peers, {color: this.color, width: this.width, wide: this.options.wide})
      if (this.live) this.live.finish(table)
      else out.write(`\n${table}`)
      out.write(`\n${summary}`)
    }

    await out.end()
  }
}
