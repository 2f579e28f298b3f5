import {Flags} from '@oclif/core'

import type {ListenHooks} from '../cli/listen-run.js'

import {BaseCommand} from '../cli/base-command.js'
import {PROCESS_TITLES} from '../cli/process-titles.js'
import * as flags from '../cli/flags.js'

export default class Listen extends BaseCommand {
  static override description = `Listen on UDP port 2425 and show every datagram as it arrives, IPMsg or not.

Each datagram becomes one row (time, source, command, options, sender, client, content) or, with --ndjson, one JSON line written as it arrives. Text from the network is shown with control characters and escape sequences made visible. A resend, or one broadcast heard twice (same source, packet number and command within 10 s), is shown once: with --ndjson or --json it is a record marked "duplicate": true. On exit (Ctrl-C, SIGTERM, --duration, --count; exit code 0) every datagram read is shown and the table of peers seen is printed, with what was dropped (lanmsg's queue, the kernel's receive buffer) in the summary.

With --respond, lanmsg is a polite IP Messenger peer: it announces itself (BR_ENTRY), answers BR_ENTRY with ANSENTRY after a small random delay, acknowledges messages that ask for it (RECVMSG), answers GETINFO and GETABSENCEINFO (and, with --serve-list, GETLIST with its host list: itself and every peer it has seen, so that announce --via finds them from another subnet), and says goodbye (BR_EXIT) when it stops. Replies are rate-limited per source and in total, and never sent to itself, to broadcast or multicast sources, or to port 0.

The socket is bound with SO_REUSEADDR, so lanmsg can run beside an IP Messenger client on the same machine.

With --read, nothing is bound: the datagrams come from a capture file, with their own times and a TO column (IP fragments reassembled; TCP file-transfer requests shown too). A file that is not pcap or pcapng, or is corrupt or cut short, ends with one line saying how many packets were read before it (exit code 9).

With --capture IFACE, nothing is bound either: what the interface sees on --port, between any two hosts, is decoded as it arrives, as with --read (root or CAP_NET_RAW: exit code 4 without them; libpcap: without it, one line saying what to install, exit code 1).`
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
    {command: '<%= config.bin %> <%= command.id %> --respond --serve-list', description: 'Serve announce --via'},
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
      command: '<%= config.bin %> <%= command.id %> --group-chat --mode FEIQ_GROUPMSG',
      description: 'Read what Feiqiu users write in group chats',
    },
    {
      command: 'tcpdump -i eth0 -w - udp port 2425 | <%= config.bin %> <%= command.id %> --read - --ndjson',
      description: "Decode a capture: other hosts' conversations too (--write FILE saves what is shown as pcap)",
    },
    {
      command: 'sudo <%= config.bin %> <%= command.id %> --capture eth0',
      description: 'Watch the IPMsg traffic between other hosts too, beside a client that holds 2425 (libpcap)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --count 1 --json',
      description: 'Wait for one datagram and print it as JSON',
    },
  ]
  static override flags = {
    port: flags.port({char: 'p', description: flags.LISTEN_PORT, default: [flags.DEFAULT_PORT], multiple: true}),
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
    ...flags.filterFlags,
    encoding: flags.charset({
      char: 'e',
      description:
        'Encoding of text that is neither marked UTF-8 nor valid UTF-8 (default gb18030, which covers GBK; cp932 for Japanese), and of everything --respond sends (default: GBK to Feiqiu and to peers that write GBK, else UTF-8).',
    }),
    'group-chat': Flags.boolean({
      description:
        "Also join Feiqiu's group-chat multicast group 226.81.9.8 on every interface and decrypt group messages (key: the sender's MAC).",
    }),
    ...flags.captureFlags,
    ...flags.peerFlags,
    ...flags.identityFlags,
  }
  static override summary = 'Show every datagram on UDP 2425 as it arrives; optionally answer as a peer.'

  async run() {
    const {flags: f} = await this.parse(Listen)
    // Loaded here, not at the top: `listen --help` loads this file, and these pull in the codec, `ip` and node:v8.
    const {keepListenHeapSmall} = await import('../cli/listen-heap.js')
    keepListenHeapSmall()
    const {captureLive, listenLive, replayCapture} = await import('../cli/listen-run.js')
    const {ListenOutput} = await import('../ui/listen-output.js')
    const hooks: ListenHooks = {
      version: this.config.version,
      warn: (message) => this.warnLine(message),
      info: (message) => this.jsonEnabled() || process.stderr.write(`${message}\n`),
      view: (options, done) =>
        (this.openDocument = new ListenOutput({...f, ...options, json: this.jsonEnabled()}, done)),
      cleanup: (stop) => (this.cleanup = stop),
    }
    if (f.read !== undefined) return replayCapture({...f, read: f.read}, hooks)
    if (f.capture !== undefined) return captureLive({...f, capture: f.capture}, hooks)
    // Seen by another lanmsg on this host (src/cli/shared-port.ts): a passive listener is no client to keep quiet for.
    process.title = f.respond ? PROCESS_TITLES.respond : PROCESS_TITLES.listen
    return listenLive(f, hooks)
  }
}
