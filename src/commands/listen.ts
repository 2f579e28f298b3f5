import {Flags} from '@oclif/core'

import type {ReceivedDatagram} from '../lan/received-datagram.js'

import {BaseCommand} from '../cli/base-command.js'
import {PROCESS_TITLES} from '../cli/process-titles.js'
import {buildDatagramFilter} from '../cli/datagram-filter.js'
import * as flags from '../cli/flags.js'

/** Output not yet taken by stdout's reader beyond which listen stops showing datagrams until it drains. */
const OUTPUT_BACKLOG_BYTES = 1 << 20

export default class Listen extends BaseCommand {
  static override description = `Listen on UDP port 2425 and show every datagram as it arrives, IPMsg or not.

Each datagram becomes one row (time, source, command, options, sender, client, content) or, with --ndjson, one JSON line written as it arrives. Text from the network is shown with control characters and escape sequences made visible. A resend, or one broadcast heard twice (same source, packet number and command within 10 s), is shown once: with --ndjson or --json it is a record marked "duplicate": true. On exit (Ctrl-C, SIGTERM, --duration, --count; exit code 0) every datagram read is shown and the table of peers seen is printed, with what was dropped (lanmsg's queue, the kernel's receive buffer) in the summary.

With --respond, lanmsg is a polite IP Messenger peer: it announces itself (BR_ENTRY), answers BR_ENTRY with ANSENTRY after a small random delay, acknowledges messages that ask for it (RECVMSG), answers GETINFO and GETABSENCEINFO, and says goodbye (BR_EXIT) when it stops. Replies are rate-limited per source and in total, and never sent to itself, to broadcast or multicast sources, or to port 0.

The socket is bound with SO_REUSEADDR, so lanmsg can run beside an IP Messenger client on the same machine.`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: "Watch the LAN's IPMsg traffic"},
    {
      command: '<%= config.bin %> <%= command.id %> --ndjson | jq .packet.text',
      description: 'One JSON object per datagram, for scripts',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --respond --nick "Build bot"',
      description: 'Be a peer: show up in IP Messenger lists and acknowledge messages',
    },
    {command: '<%= config.bin %> <%= command.id %> --peers --expire 1m', description: 'A live table of who is up'},
    {
      command: '<%= config.bin %> <%= command.id %> --respond --encoding gbk --nick 小王',
      description: 'Be a peer that writes GBK to everyone (Feiqiu peers get GBK anyway)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --from 192.168.1.0/24 --mode SENDMSG --duration 10m',
      description: 'Only messages from one subnet, for ten minutes',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --count 1 --json',
      description: 'Wait for one datagram and print it as JSON',
    },
  ]
  static override flags = {
    port: flags.port({char: 'p', description: 'UDP port to listen on.', default: flags.DEFAULT_PORT}),
    address: Flags.string({
      description: 'Local IPv4 address to bind (0.0.0.0 receives broadcasts).',
      default: '0.0.0.0',
    }),
    duration: flags.timerDuration({char: 'd', description: 'Stop after this long (e.g. 30s, 10m).'}),
    count: flags.positiveCount({char: 'n', description: 'Stop after this many datagrams have been shown.'}),
    ndjson: Flags.boolean({
      description: 'One JSON object per datagram on stdout, as it arrives; nothing else on stdout.',
      exclusive: ['json', 'peers'],
    }),
    hex: Flags.boolean({description: 'Add a hex dump of every datagram.'}),
    peers: Flags.boolean({
      description: 'Show only the live table of peers (redrawn in place on a terminal, a few times a second).',
    }),
    wide: Flags.boolean({description: 'Cut nothing to fit the terminal: every cell whole (rows may wrap).'}),
    expire: flags.duration({
      description:
        'Mark a peer expired when nothing was heard from it for this long. Default: never, as IPMsg clients send nothing while idle (only BR_EXIT says a peer left).',
    }),
    from: Flags.string({
      description: 'Only datagrams from this IPv4 address or CIDR. Repeatable.',
      multiple: true,
      helpGroup: 'FILTER',
    }),
    mode: Flags.string({
      description: 'Only IPMsg packets with this command (SENDMSG, BR_ENTRY, …). Repeatable.',
      multiple: true,
      helpGroup: 'FILTER',
    }),
    'ipmsg-only': Flags.boolean({description: 'Hide datagrams that are not IPMsg.', helpGroup: 'FILTER'}),
    encoding: flags.charset({
      char: 'e',
      description:
        'Encoding of text that is neither marked UTF-8 nor valid UTF-8 (default gb18030, which covers GBK; cp932 for Japanese), and of everything --respond sends (default: GBK to Feiqiu and to peers that write GBK, else UTF-8).',
    }),
    respond: Flags.boolean({
      char: 'r',
      description: 'Answer as a polite IPMsg peer (see DESCRIPTION below).',
      helpGroup: 'PEER',
    }),
    to: Flags.string({
      description:
        "With --respond: where BR_ENTRY and BR_EXIT go (address, broadcast or CIDR). Repeatable. Default: every interface's broadcast address.",
      multiple: true,
      helpGroup: 'PEER',
      dependsOn: ['respond'],
    }),
    interface: Flags.string({
      char: 'i',
      description: 'With --respond: announce only on this interface. Repeatable.',
      multiple: true,
      helpGroup: 'PEER',
      dependsOn: ['respond'],
    }),
    absent: Flags.string({
      description: 'With --respond: be absent, with this absence text.',
      helpGroup: 'PEER',
      dependsOn: ['respond'],
    }),
    ...flags.identityFlags,
  }
  static override summary = 'Show every datagram on UDP 2425 as it arrives; optionally answer as a peer.'

  async run() {
    const {flags: f} = await this.parse(Listen)
    // Seen by another lanmsg on this host (src/cli/shared-port.ts): a passive listener is no client to keep quiet for.
    process.title = f.respond ? PROCESS_TITLES.respond : PROCESS_TITLES.listen
    const filter = buildDatagramFilter({from: f.from, mode: f.mode, ipmsgOnly: f['ipmsg-only']})
    // Loaded here, not at the top: `listen --help` loads this file, and resolve-targets pulls in `ip`.
    const {resolveTargets} = await import('../cli/resolve-targets.js')
    const {responderSelf} = await import('../cli/responder-identity.js')
    const self = responderSelf(f, this.config.version)
    const targets = self
      ? await resolveTargets({to: f.to, interfaces: f.interface, port: f.port, warn: (m) => this.warnLine(m)})
      : []
    const {ListenSession} = await import('../lan/listen-session.js')
    const {LineWriter} = await import('../ui/line-writer.js')
    const {JsonDocument} = await import('../ui/json-document.js')
    const {onStopSignal} = await import('../cli/stop-signals.js')
    const {OutputError} = await import('../cli/output-error.js')
    const {animationEnabled, colorEnabled} = await import('../ui/color.js')
    const color = colorEnabled(process.stdout)
    const json = this.jsonEnabled()

    let finish: () => void = () => {}
    const finished = new Promise<void>((resolve) => (finish = resolve))
    // Handled from the start: a signal that came between the bind and the end of announce() killed the process
    // (no summary, no BR_EXIT) when these were installed after it. Every stop signal ends listen normally (exit 0).
    const signals = onStopSignal(() => finish())

    // A closed pipe ends the run quietly; a failed write (a full disk) ends it too, and is reported (exit 8).
    const out = new LineWriter(process.stdout, finish, finish)
    // --json is written as it goes (records one a line): memory does not grow with the capture.
    const document = json ? new JsonDocument(out, 'packets') : undefined
    this.openDocument = document
    const {datagramJson} = await import('../ui/datagram-json.js')
    const view = await import('../ui/listen-view.js')
    const {listenSummary} = await import('../ui/listen-summary.js')
    // Every listener is attached right after the socket opens, before anything can arrive.
    const session = await ListenSession.start({
      port: f.port,
      address: f.address,
      decodeOptions: f.encoding === undefined ? {} : {legacyCharset: f.encoding},
      expireMs: f.expire,
      filter,
      respond: self ? {self, targets, charset: f.encoding} : undefined,
    }).catch((error: unknown) => {
      signals.remove() // the bind failed: the error is the outcome, a signal may end the process again
      throw error
    })
    // Once bound (a port that cannot be shared is an error instead); our own socket is left out.
    const {sharedPortWarning} = await import('../cli/shared-port.js')
    const shared = sharedPortWarning(f.port, f.address)
    if (shared) this.warnLine(shared)

    // From here on the socket is open: whatever happens (an error included), it is closed and BR_EXIT sent.
    this.cleanup = async () => {
      signals.remove()
      await session.stop()
    }

    // Cut to the terminal's width only on a terminal: into a pipe or a file every text is whole.
    const width = () => (process.stdout.isTTY && !f.wide ? process.stdout.columns : undefined)
    const rows = new view.DatagramRows({color, hex: f.hex, width: width(), wide: f.wide || !process.stdout.isTTY})
    const {LiveView} = await import('../ui/live-view.js')
    const live =
      f.peers && animationEnabled(process.stdout)
        ? new LiveView(process.stdout, (size) =>
            view.renderPeerScreen(session.presence.rows(), size, {color, wide: f.wide}),
          )
        : undefined
    const drawPeers = () => live?.update()
    let shown = 0
    // A slow reader (| jq): stop showing until it has caught up; the queue bounds memory and counts the drops.
    const throttle = out.throttle(
      OUTPUT_BACKLOG_BYTES,
      () => session.holdOutput(),
      () => session.resumeOutput(),
    )
    if (!json && !f.ndjson && !f.peers) out.write(rows.header())
    if (live) drawPeers()

    session.on('datagram', (datagram: ReceivedDatagram) => {
      if (f.count !== undefined && shown >= f.count) return
      // A duplicate is a JSON record marked so, never a row again, and does not count towards --count.
      if (datagram.duplicate) {
        if (document) document.add(datagramJson(datagram))
        else if (f.ndjson) out.write(datagramJson(datagram))
        return
      }

      shown++
      if (document) document.add(datagramJson(datagram))
      else if (f.ndjson)
        out.write(datagramJson(datagram)) // = JSON.stringify(toDatagramRecord(datagram)), faster
      else if (!f.peers) out.write(rows.row(datagram))
      if (f.count !== undefined && shown >= f.count) finish()
      throttle()
    })
    if (live) session.on('presence', () => drawPeers())
    session.on('replied', (reply) => {
      if (!json && !f.ndjson && !f.peers) out.write(rows.reply(reply))
    })
    session.on('warning', (message) => this.warnLine(message))
    session.on('error', (error) => {
      this.warnLine(error.message)
      finish()
    })

    await session.announce()
    const timer = f.duration === undefined ? undefined : setTimeout(finish, f.duration)
    await finished
    clearTimeout(timer)
    await session.stop()

    const peers = session.presence.rows()
    const {stats} = session
    const summary = listenSummary({
      stats,
      shown,
      peers: peers.length,
      responding: f.respond,
      suppressedRateLimit: session.responder?.stats.suppressedRateLimit ?? 0,
      evictions: session.presence.evictions,
    })
    if (document) {
      document.end({
        datagrams: stats.datagrams,
        peers: peers.map((p) => ({
          ...p,
          firstSeen: new Date(p.firstSeen).toISOString(),
          lastSeen: new Date(p.lastSeen).toISOString(),
        })),
        stats: {...stats, evictions: session.presence.evictions, responder: session.responder?.stats ?? null},
      })
    } else if (f.ndjson) {
      await out.end()
      process.stderr.write(`${summary}\n`)
    } else {
      // The live frame (the peers that fit the screen) gives way to the full table.
      const table = view.renderPeers(peers, {color, width: width(), wide: f.wide})
      if (live) live.finish(table)
      else out.write(`\n${table}`)
      out.write(`\n${summary}`)
    }

    await out.end()
    if (out.failure) throw new OutputError(out.failure)
  }

  private warnLine(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`Warning: ${message}\n`)
  }
}
