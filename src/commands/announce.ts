import {Args, Flags} from '@oclif/core'

import type {Outgoing} from '../lan/announce.js'

import {BaseCommand} from '../cli/base-command.js'
import {EXIT_CODES} from '../cli/exit-codes.js'
import * as flags from '../cli/flags.js'

export default class Announce extends BaseCommand {
  static override args = {
    text: Args.string({
      description: 'Message to send (SENDMSG). Without it, announce presence (BR_ENTRY) and list who answers.',
      required: false,
    }),
  }
  static override description = `Broadcast an IP Messenger / Feiqiu packet on the LAN and show every response.

With a TEXT, sends it as a message (SENDMSG) to the broadcast address of every IPv4 interface on UDP port 2425 and asks for receipts, so the table shows who received it. Without TEXT, announces presence (BR_ENTRY) and lists every peer that answers (IP Messenger, iptux, Feiqiu), then says goodbye (BR_EXIT).

Unicast targets (--to HOST) that do not acknowledge are resent the same packet every second (--retries). Every datagram that arrives during the wait window is decoded and shown, IPMsg or not.

Exit codes: 0 done (and every unicast target acknowledged), 1 other error, 2 invalid flags, 3 port in use, 4 permission denied, 5 network unreachable, 6 a unicast target did not acknowledge.`
  static override enableJsonFlag = true
  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Who is on the LAN? (presence, then the table of answers)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> "hello"',
      description: 'Broadcast a message and see who received it',
    },
    {
      command: '<%= config.bin %> <%= command.id %> "lunch?" --to 192.168.1.20',
      description: 'Send to one host; exit 6 if it never acknowledges',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --to 10.0.0.0/24 --limited --json',
      description: 'Discovery on a subnet and on 255.255.255.255, as JSON',
    },
    {
      command: '<%= config.bin %> <%= command.id %> "你好" --encoding gbk --to 192.168.1.30',
      description: 'Send GBK text to a Feiqiu user',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --command GETINFO --to 192.168.1.20',
      description: 'Ask a peer for its client version',
    },
    {
      command: String.raw`<%= config.bin %> <%= command.id %> --raw "ping\n" --to 127.0.0.1 --port 7`,
      description: 'Send raw bytes to any UDP service and show what answers',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --repeat 3 --interval 5s',
      description: 'A heartbeat: announce three times, five seconds apart',
    },
  ]
  static override flags = {
    to: Flags.string({
      char: 't',
      description:
        'Target: an IPv4 address, a broadcast address, a CIDR (its broadcast address) or a host name. Repeatable. Default: the broadcast address of every IPv4 interface.',
      multiple: true,
      helpGroup: 'TARGETS',
    }),
    interface: Flags.string({
      char: 'i',
      description: 'Only the broadcast address of this interface (e.g. eth0). Repeatable.',
      multiple: true,
      helpGroup: 'TARGETS',
    }),
    limited: Flags.boolean({
      description: "Send to the limited broadcast 255.255.255.255 instead of the interfaces' broadcast addresses.",
      helpGroup: 'TARGETS',
    }),
    port: flags.port({
      char: 'p',
      description: 'Destination UDP port.',
      default: flags.DEFAULT_PORT,
      helpGroup: 'TARGETS',
    }),
    'bind-port': flags.bindPort({
      description:
        'Local UDP port to send from and listen on; 0 for any. Default 2425, because IPMsg peers answer to 2425 (falls back to any port with a warning when 2425 is taken).',
      helpGroup: 'TARGETS',
    }),
    wait: flags.duration({
      char: 'w',
      description: 'How long to collect replies after sending (e.g. 3s, 500ms); 0 sends and exits at once.',
      default: 3000,
      defaultHelp: async () => '3s',
    }),
    expect: flags.positiveCount({description: 'Stop as soon as this many distinct peers have answered.'}),
    check: Flags.boolean({
      description: 'Ask for receipts (SENDCHECKOPT). --no-check sends the plain form 1:<n>:<user>:<host>:32:<text>.',
      allowNo: true,
      default: true,
    }),
    retries: flags.count({
      description: 'Resends of a unicast that is not acknowledged, one a second (as IP Messenger does).',
      default: 3,
    }),
    repeat: flags.positiveCount({
      description: 'Announce this many times (a heartbeat), each with a new packet number.',
      default: 1,
    }),
    interval: flags.duration({
      description: 'Time between two announcements with --repeat.',
      default: 5000,
      defaultHelp: async () => '5s',
    }),
    wide: Flags.boolean({description: 'Cut nothing to fit the terminal: every cell whole (rows may wrap).'}),
    stay: Flags.boolean({
      description: "After a presence announcement, do not send BR_EXIT (stay in the peers' lists).",
    }),
    ...flags.identityFlags,
    encoding: flags.charset({
      char: 'e',
      description:
        'Encoding of text and names: utf-8 (sets UTF8OPT when needed), or gbk/gb18030 for Feiqiu, cp932 for Japanese IP Messenger.',
      default: 'utf-8',
    }),
    truncate: Flags.boolean({
      description: 'Shorten a message that does not fit in one datagram (8191 bytes) instead of failing.',
    }),
    command: Flags.string({
      char: 'c',
      description: 'Send this command instead: a name (SENDMSG, BR_ENTRY, GETINFO, …) or a number (0x20, 32).',
      helpGroup: 'DEBUGGING',
    }),
    option: Flags.string({
      char: 'o',
      description: 'Add an option flag by name (BROADCASTOPT, ABSENCEOPT, …) or number. Repeatable.',
      multiple: true,
      helpGroup: 'DEBUGGING',
    }),
    raw: Flags.string({
      description: String.raw`Send these exact bytes instead of an IPMsg packet; escapes \n \r \t \0 \\ \xNN.`,
      exclusive: ['raw-hex', 'command', 'option'],
      helpGroup: 'DEBUGGING',
    }),
    'raw-hex': Flags.string({
      description: 'Send these exact bytes, given in hex (e.g. "31 3a 31 3a").',
      exclusive: ['raw', 'command', 'option'],
      helpGroup: 'DEBUGGING',
    }),
  }
  static override summary = 'Broadcast an IPMsg/Feiqiu packet and show every response.'

  async run() {
    const {args, flags: f} = await this.parse(Announce)
    // Loaded here, not at the top: `announce --help` loads this file, and these pull in the codec and `ip`.
    const {buildOutgoing, farewellCommand} = await import('../cli/outgoing-packet.js')
    const {resolveTargets} = await import('../cli/resolve-targets.js')
    const outgoing: Outgoing = buildOutgoing({
      text: args.text,
      user: f.user,
      host: f.host,
      nick: f.nick,
      group: f.group,
      encoding: f.encoding,
      truncate: f.truncate,
      check: f.check,
      command: f.command,
      option: f.option,
      raw: f.raw,
      rawHex: f['raw-hex'],
    })
    const targets = await resolveTargets({
      to: f.to,
      interfaces: f.interface,
      limited: f.limited,
      port: f.port,
      warn: (message) => this.warnLine(message),
    })
    const discovery = outgoing.kind === 'packet' && args.text === undefined && f.command === undefined
    const farewell =
      discovery && !f.stay && outgoing.kind === 'packet'
        ? {
            ...outgoing.packet,
            command: farewellCommand(outgoing.packet.command),
          }
        : undefined

    const {Announcer} = await import('../lan/announce.js')
    // Loaded before the run starts: its listeners must be in place for the first events.
    const progress = this.jsonEnabled() ? undefined : await import('../ui/announce-progress.js')
    const announcer = new Announcer()
    const stop = () => announcer.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    const run = announcer.run({
      targets,
      outgoing,
      bindPort: f['bind-port'] ?? flags.DEFAULT_PORT,
      fallbackToEphemeral: f['bind-port'] === undefined,
      waitMs: f.wait,
      expect: f.expect,
      retries: f.retries,
      repeat: f.repeat,
      intervalMs: f.interval,
      farewell,
      decodeOptions: f.encoding === 'utf-8' ? {} : {legacyCharset: f.encoding},
    })
    let result
    try {
      result = progress
        ? await progress.showAnnounceProgress(announcer, run, {targets: targets.length, warn: (m) => this.warnLine(m)})
        : await run
    } finally {
      process.removeListener('SIGINT', stop)
      process.removeListener('SIGTERM', stop)
    }

    if (result.deliveries.some((d) => !d.delivered)) process.exitCode = EXIT_CODES.notDelivered
    const {announceJson, renderAnnounceReport} = await import('../ui/announce-report.js')
    if (this.jsonEnabled()) return announceJson(result)
    const {colorEnabled} = await import('../ui/color.js')
    // Cut to the terminal's width only on a terminal: into a pipe or a file every text is whole.
    const width = process.stdout.isTTY && !f.wide ? process.stdout.columns : undefined
    this.log(renderAnnounceReport(result, {color: colorEnabled(process.stdout), width, wide: f.wide}))
    if (result.local.fellBack) this.warnLine(`replies were collected on port ${result.local.port}, not 2425`)
  }

  private warnLine(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`Warning: ${message}\n`)
  }
}
