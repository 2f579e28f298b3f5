import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {EXIT_CODES} from '../cli/exit-codes.js'
import * as flags from '../cli/flags.js'

export default class Announce extends BaseCommand {
  static override args = {
    text: Args.string({
      description:
        'Message to send (SENDMSG); "-" reads it from stdin. Without it, announce presence (BR_ENTRY) and list who answers.',
      required: false,
      ignoreStdin: true, // stdin is read only when asked (see --stdin): oclif's own read races a 10 ms timer
    }),
  }
  static override description = `Broadcast an IP Messenger / Feiqiu packet on the LAN and show every response.

With a TEXT, enters (BR_ENTRY with the nickname and group, as a client does at start-up), sends the message (SENDMSG) to the broadcast address of every IPv4 interface on UDP port 2425 asking for receipts, so the table shows who received it, and leaves (BR_EXIT) unless --stay. Without TEXT, announces presence (BR_ENTRY) and lists every peer that answers (IP Messenger, iptux, Feiqiu), then says goodbye (BR_EXIT). When another program (an IPMsg client) holds the port on this host, lanmsg sends no entry or exit packets under its own name, and refuses a discovery.

By default the wait ends one second after the replies stop, but not before the longest delay peers of a LAN that size take (1.1 s; 2.15 s from 50 peers; 4.2 s from 300, or when nobody answered); --wait sets a fixed window.

Unicast targets (--to HOST) that do not acknowledge are resent the same packet every second (--retries). Every datagram that arrives during the wait window is decoded and shown, IPMsg or not.

Ctrl-C (or SIGTERM, or closing the terminal) ends the wait early: the goodbye is sent and what was collected is printed.

Exit codes: 0 done (and every unicast target acknowledged), 1 other error, 2 invalid flags, 3 port in use (or, for a discovery, held by an IPMsg client on this host), 4 permission denied, 5 network unreachable, 6 a unicast target did not acknowledge, 7 fewer peers answered than --expect, or nobody answered a discovery, 8 the output could not be written; stopped by a signal: 128 + its number (130 Ctrl-C, 143 SIGTERM, 129 hangup).`
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
      command: '<%= config.bin %> <%= command.id %> - < notice.txt',
      description: 'The message from a file (stdin is read only with "-" or --stdin)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --expect 5',
      description: 'Stop as soon as 5 peers answered; exit 7 if fewer did',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --ndjson | jq -r .packet.nickname',
      description: 'One JSON line per reply as it arrives',
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
    wait: flags.timerDuration({
      char: 'w',
      description:
        'Collect replies this long after sending (e.g. 3s, 500ms); 0 sends and exits at once. Default: until replies stop (see DESCRIPTION).',
      defaultHelp: async () => 'auto',
    }),
    expect: flags.positiveCount({
      description: 'Stop as soon as this many distinct peers have answered; exit 7 if fewer did.',
    }),
    stdin: Flags.boolean({description: 'Read the message from stdin (the same as TEXT "-").'}),
    ndjson: Flags.boolean({
      description: 'Write one JSON record per reply as it arrives (as listen --ndjson), and nothing else on stdout.',
      exclusive: ['json'],
    }),
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
    interval: flags.timerDuration({
      description: 'Time between two announcements with --repeat.',
      default: 5000,
      defaultHelp: async () => '5s',
    }),
    wide: Flags.boolean({description: 'Cut nothing to fit the terminal: every cell whole (rows may wrap).'}),
    stay: Flags.boolean({
      description:
        "After a presence announcement, a message or GETINFO, do not send BR_EXIT (stay in the peers' lists).",
    }),
    ...flags.identityFlags,
    encoding: flags.charset({
      char: 'e',
      description:
        'Encoding of text and names: utf-8 (sets UTF8OPT when needed), or gbk/gb18030 for Feiqiu, cp932 for Japanese IP Messenger. Default: utf-8, but a message that is not ASCII goes to each unicast target that answered the entry in the charset it reads (GBK to Feiqiu).',
    }),
    truncate: Flags.boolean({
      description:
        'Shorten a message that does not fit instead of failing: 8191 bytes, and in another encoding than utf-8 also 8192 bytes once converted to UTF-8 (what iptux holds).',
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

  // eslint-disable-next-line max-lines-per-function -- every output mode is here until issue 14 moves them to ui/
  async run() {
    const {args, flags: f} = await this.parse(Announce)
    // Loaded here, not at the top: `announce --help` loads this file, and these pull in the codec and `ip`.
    const {messageText} = await import('../cli/stdin-text.js')
    const {planAnnounce} = await import('../cli/announce-plan.js')
    const plan = await planAnnounce(
      {
        text: await messageText(args.text, f.stdin),
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
      },
      {
        to: f.to,
        interfaces: f.interface,
        limited: f.limited,
        port: f.port,
        bindPort: f['bind-port'],
        stay: f.stay,
        warn: (message) => this.warnLine(message),
      },
    )
    const {outgoing, targets, shared} = plan

    const {Announcer} = await import('../lan/announce.js')
    const {interruptedExitCode, onStopSignal} = await import('../cli/stop-signals.js')
    const {OutputError} = await import('../cli/output-error.js')
    const {AnnounceOutput} = await import('../ui/announce-output.js')
    // Loaded before the run starts: its listeners must be in place for the first events.
    const progress = this.jsonEnabled() || f.ndjson ? undefined : await import('../ui/announce-progress.js')
    const announcer = new Announcer()
    if (shared) announcer.once('bound', () => this.warnLine(shared)) // not when the bind fails: that error is the news
    const output = new AnnounceOutput(announcer, {json: this.jsonEnabled(), ndjson: f.ndjson, targets, wide: f.wide})
    this.openDocument = output
    // Ctrl-C, SIGTERM, a closed terminal (SIGHUP): stop waiting, say goodbye, report what was collected.
    const stop = onStopSignal(() => announcer.abort())
    const run = announcer.run({
      targets,
      outgoing,
      bindPort: plan.bindPort,
      fallbackToEphemeral: f['bind-port'] === undefined,
      waitMs: f.wait ?? 'auto',
      expect: f.expect,
      entry: plan.entry,
      retries: f.retries,
      repeat: f.repeat,
      intervalMs: f.interval,
      farewell: plan.farewell,
      decodeOptions: f.encoding === undefined || f.encoding === 'utf-8' ? {} : {legacyCharset: f.encoding},
      maxReplies: output.maxReplies,
    })
    let result
    try {
      result = progress
        ? await progress.showAnnounceProgress(announcer, run, {
            targets: targets.length,
            warn: (m) => this.warnLine(m),
            interrupted: () => stop.signal,
          })
        : await run
    } finally {
      stop.remove()
    }

    const {answerShortfall} = await import('../cli/answer-shortfall.js')
    const shortfall = answerShortfall(result, {
      discovery: plan.discovery,
      expect: f.expect,
      waited: f.wait !== 0,
    })
    if (result.deliveries.some((d) => !d.delivered && !d.cannotAnswer)) process.exitCode = EXIT_CODES.notDelivered
    else if (shortfall) process.exitCode = EXIT_CODES.fewerAnswers
    await output.finish(result)
    if (output.failure) throw new OutputError(output.failure)
    if (result.local.fellBack) this.warnLine(`replies were collected on port ${result.local.port}, not 2425`)
    if (process.exitCode === EXIT_CODES.fewerAnswers)
      for (const line of shortfall ?? []) process.stderr.write(`${line}\n`)
    // Cut short by a signal: what was collected is printed, and the exit code says it is not the whole answer.
    if (stop.signal) process.exitCode = interruptedExitCode(stop.signal)
  }

  private warnLine(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`Warning: ${message}\n`)
  }
}
