import {Flags} from '@oclif/core'

import type {ReceivedDatagram} from '../lan/received-datagram.js'

import {BaseCommand} from '../cli/base-command.js'
import {buildDatagramFilter} from '../cli/datagram-filter.js'
import * as flags from '../cli/flags.js'

export default class Listen extends BaseCommand {
  static override description = `Listen on UDP port 2425 and show every datagram as it arrives, IPMsg or not.

Each datagram becomes one row (time, source, command, options, sender, client, content) or, with --ndjson, one JSON line written as it arrives. Text from the network is shown with control characters and escape sequences made visible. On exit (Ctrl-C, --duration, --count) the table of peers seen is printed.

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
    duration: flags.duration({char: 'd', description: 'Stop after this long (e.g. 30s, 10m).'}),
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
      description: 'Mark a peer expired when nothing was heard from it for this long.',
      default: 300_000,
      defaultHelp: async () => '5m',
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
        'Encoding of text that is neither marked UTF-8 nor valid UTF-8 (gb18030 covers GBK; cp932 for Japanese).',
      default: 'gb18030',
    }),
    respond: Flags.boolean({char: 'r', description: 'Answer as a polite IPMsg peer (see above).', helpGroup: 'PEER'}),
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
    const filter = buildDatagramFilter({from: f.from, mode: f.mode, ipmsgOnly: f['ipmsg-only']})
    // Loaded here, not at the top: `listen --help` loads this file, and resolve-targets pulls in `ip`.
    const {resolveTargets} = await import('../cli/resolve-targets.js')
    const targets = f.respond
      ? await resolveTargets({to: f.to, interfaces: f.interface, port: f.port, warn: (m) => this.warnLine(m)})
      : []
    const {ListenSession} = await import('../lan/listen-session.js')
    const {LineWriter} = await import('../ui/line-writer.js')
    const {animationEnabled, colorEnabled} = await import('../ui/color.js')
    const color = colorEnabled(process.stdout)
    const json = this.jsonEnabled()
    const records: unknown[] = []

    let finish: () => void = () => {}
    const finished = new Promise<void>((resolve) => (finish = resolve))
    // Handled from the start: a signal that came between the bind and the end of announce() killed the process
    // (no summary, no BR_EXIT) when these were installed after it.
    const onSignal = () => finish()
    const signals = ['SIGINT', 'SIGTERM'] as const
    for (const signal of signals) process.once(signal, onSignal)
    const unhandleSignals = () => {
      for (const signal of signals) process.removeListener(signal, onSignal)
    }

    const out = new LineWriter(process.stdout, () => finish())
    const {toDatagramRecord} = await import('../ui/datagram-record.js')
    const {datagramJson} = await import('../ui/datagram-json.js')
    const view = await import('../ui/listen-view.js')
    const {listenSummary} = await import('../ui/listen-summary.js')
    // Every listener is attached right after the socket opens, before anything can arrive.
    const session = await ListenSession.start({
      port: f.port,
      address: f.address,
      decodeOptions: {legacyCharset: f.encoding},
      expireMs: f.expire,
      filter,
      respond: f.respond
        ? {
            self: {
              user: f.user,
              host: f.host,
              nickname: f.nick ?? f.user,
              group: f.group,
              absent: f.absent !== undefined,
              absenceText: f.absent,
              version: this.config.version,
            },
            targets,
          }
        : undefined,
    }).catch((error: unknown) => {
      unhandleSignals() // the bind failed: the error is the outcome, a signal may end the process again
      throw error
    })

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
    if (!json && !f.ndjson && !f.peers) out.write(rows.header())
    if (live) drawPeers()

    session.on('datagram', (datagram: ReceivedDatagram) => {
      if (f.count !== undefined && shown >= f.count) return
      shown++
      if (json) records.push(toDatagramRecord(datagram))
      else if (f.ndjson)
        out.write(datagramJson(datagram)) // = JSON.stringify(toDatagramRecord(datagram)), faster
      else if (!f.peers) out.write(rows.row(datagram))
      if (f.count !== undefined && shown >= f.count) finish()
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
    unhandleSignals()
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
    if (json) {
      return {
        datagrams: stats.datagrams,
        packets: records,
        peers: peers.map((p) => ({
          ...p,
          firstSeen: new Date(p.firstSeen).toISOString(),
          lastSeen: new Date(p.lastSeen).toISOString(),
        })),
        stats: {...stats, evictions: session.presence.evictions, responder: session.responder?.stats ?? null},
      }
    }

    if (f.ndjson) {
      await out.end()
      process.stderr.write(`${summary}\n`)
      return
    }

    // The live frame (the peers that fit the screen) gives way to the full table.
    const table = view.renderPeers(peers, {color, width: width(), wide: f.wide})
    if (live) live.finish(table)
    else out.write(`\n${table}`)
    out.write(`\n${summary}`)
    await out.end()
  }

  private warnLine(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`Warning: ${message}\n`)
  }
}
