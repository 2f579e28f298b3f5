import {Args} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import * as flags from '../cli/flags.js'
import {OutputError} from '../cli/output-error.js'
import {onStopSignal} from '../cli/stop-signals.js'

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
      command: '<%= config.bin %> <%= command.id %> --sweep 10.2.0.0/24 --sweep 10.3.0.0/24',
      description: 'Who is on the subnets behind the router? (one probe per address, 100 a second)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --via 10.2.0.5',
      description: 'Ask a peer for its host list (one running listen --respond --serve-list) and probe who it lists',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --to @branch-offices.txt',
      description: 'A dial-up list: addresses, CIDRs or host names, one a line (# comments)',
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
    ...flags.announceTargetFlags,
    ...flags.announceFlags,
    ...flags.identityFlags,
    ...flags.announceTextFlags,
    ...flags.announceDebuggingFlags,
  }
  static override summary = 'Broadcast an IPMsg/Feiqiu packet and show every response.'

  async run() {
    const {args, flags: f} = await this.parse(Announce)
    // Loaded here, not at the top: `announce --help` loads this file, and these pull in the codec and `ip`.
    const {messageText} = await import('../cli/stdin-text.js')
    const {planAnnounce} = await import('../cli/announce-plan.js')
    const warn = (message: string) => this.warnLine(message)
    const plan = await planAnnounce({...f, text: await messageText(args.text, f.stdin)}, {warn})

    const {Announcer} = await import('../lan/announce.js')
    const {AnnounceOutput} = await import('../ui/announce-output.js')
    const {announceExit} = await import('../cli/announce-exit.js')
    const announcer = new Announcer()
    const {targets} = plan.options
    const output = await AnnounceOutput.open(announcer, {
      ...f,
      json: this.jsonEnabled(),
      targets,
      sweep: plan.options.sweep,
      warn,
      notice: plan.shared,
    })
    this.openDocument = output
    // Ctrl-C, SIGTERM, a closed terminal (SIGHUP): stop waiting, say goodbye, report what was collected.
    const stop = onStopSignal(() => announcer.abort())
    const run = announcer.run({...plan.options, maxReplies: output.maxReplies})
    const result = await output.follow(run, () => stop.signal).finally(() => stop.remove())
    const exit = announceExit(result, plan, stop.signal)
    await output.finish(result, exit.lines)
    if (output.failure) throw new OutputError(output.failure)
    if (exit.code !== undefined) process.exitCode = exit.code
  }
}
