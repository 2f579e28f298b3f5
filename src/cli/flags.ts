// Flag types shared by the commands (each one checks its value and says what it accepts), and the commands' groups
// of flags.
import {Flags} from '@oclif/core'
import os from 'node:os'

import {DEFAULT_SWEEP_RATE} from '../lan/sweep-pacer.js'
import {UsageError} from '../net/usage-error.js'
import {isAsciiCompatible, normalizeCharset, SUPPORTED_CHARSETS} from '../protocol/charset.js'
import {DEFAULT_PORT} from '../protocol/constants.js'

import {parseDuration} from './duration.js'

export function portValue(input: string, allowZero = false): number {
  const n = Number(input)
  const min = allowZero ? 0 : 1
  if (!/^\d+$/.test(input.trim()) || n < min || n > 65_535) {
    throw new UsageError(`expected a UDP port number from ${min} to 65535, got ${JSON.stringify(input)}`)
  }

  return n
}

export const port = Flags.custom<number>({
  parse: async (input) => portValue(input),
})

export const bindPort = Flags.custom<number>({
  parse: async (input) => portValue(input, true),
})

function durationValue(input: string): number {
  const ms = parseDuration(input)
  if (ms === undefined)
    throw new UsageError(
      `expected a duration such as 3s, 500ms, 2m or a number of seconds, got ${JSON.stringify(input)}`,
    )
  return ms
}

export const duration = Flags.custom<number>({
  parse: async (input) => durationValue(input),
})

/** Node's timers fire at once (with a warning) beyond 2^31 - 1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** A duration that becomes a timer (--wait, --interval, --duration): refused when no timer can honour it. */
export const timerDuration = Flags.custom<number>({
  async parse(input) {
    const ms = durationValue(input)
    if (ms > MAX_TIMER_MS)
      throw new UsageError(`${JSON.stringify(input)} is longer than lanmsg can time; the longest is 596h (24.8 days)`)
    return ms
  },
})

export const count = Flags.custom<number>({
  async parse(input) {
    if (!/^\d+$/.test(input.trim()))
      throw new UsageError(`expected a whole number (0 or more), got ${JSON.stringify(input)}`)
    return Number(input)
  },
})

export const positiveCount = Flags.custom<number>({
  async parse(input) {
    if (!/^\d+$/.test(input.trim()) || Number(input) < 1)
      throw new UsageError(`expected a whole number of at least 1, got ${JSON.stringify(input)}`)
    return Number(input)
  },
})

export const charset = Flags.custom<string>({
  async parse(input) {
    const name = normalizeCharset(input)
    if (name === undefined)
      throw new UsageError(`unknown encoding ${JSON.stringify(input)}; use one of ${SUPPORTED_CHARSETS.join(', ')}`)
    // §1.2: the header (version, numbers, colons) is ASCII and must reach the peer as it is.
    if (!isAsciiCompatible(name))
      throw new UsageError(
        `encoding ${JSON.stringify(input)} cannot carry the IPMsg header, which must stay ASCII; use one of ${SUPPORTED_CHARSETS.join(', ')}`,
      )
    return name
  },
})

function loginName(): string {
  try {
    return os.userInfo().username || 'lanmsg'
  } catch {
    return process.env.USER || 'lanmsg'
  }
}

export const LISTEN_PORT = 'UDP port to listen on. With --read: a port to decode (UDP and TCP, either end); repeatable.'

/** `listen`'s filters: the FILTER group of its help. */
export const filterFlags = {
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
}

/** `listen --read` and `--write`: the CAPTURE group of listen's help. */
export const captureFlags = {
  read: Flags.string({
    description:
      'Decode a capture file (pcap or pcapng, e.g. from tcpdump -w or Wireshark; - for stdin) instead of listening: every IPMsg datagram on --port between any two hosts, with its own time, source and destination.',
    helpGroup: 'CAPTURE',
    exclusive: ['respond', 'address'],
  }),
  capture: Flags.string({
    description:
      'Capture on this interface instead of listening (root or CAP_NET_RAW; libpcap): every IPMsg datagram on --port between any two hosts it sees, as it arrives, with source and destination. Nothing is bound: it runs beside a client and takes none of its datagrams.',
    helpGroup: 'CAPTURE',
    exclusive: ['respond', 'address', 'read', 'group-chat'],
  }),
  write: Flags.string({
    description: 'Also save every datagram shown into this pcap file (Wireshark and tcpdump open it).',
    helpGroup: 'CAPTURE',
  }),
}

/** `listen --respond` and where its entry and exit go: the PEER group of listen's help. */
export const peerFlags = {
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
  'serve-list': Flags.boolean({
    description:
      'With --respond: share the host list (GETLIST/ANSLIST): answer GETLIST with this host and every peer it has seen, paged to fit a datagram, and BR_ISGETLIST with OKGETLIST. One per subnet makes a site discoverable with announce --via.',
    helpGroup: 'PEER',
    dependsOn: ['respond'],
  }),
}

const MAX_SWEEP_RATE = 100_000

const sweepRate = Flags.custom<number>({
  async parse(input) {
    const n = Number(input)
    if (!/^\d+$/.test(input.trim()) || n < 1 || n > MAX_SWEEP_RATE)
      throw new UsageError(`expected probes per second from 1 to ${MAX_SWEEP_RATE}, got ${JSON.stringify(input)}`)
    return n
  },
})

/** announce --sweep and its pace, and --via: the TARGETS group of announce's help. */
export const sweepFlags = {
  via: Flags.string({
    description:
      'Ask this host (an address or a name: an IP Messenger with "send host list" allowed, or a lanmsg listen --respond --serve-list) for its host list (GETLIST, every page) and probe each host listed with the presence packet (BR_ENTRY), so that peers behind a router are found. A listed host that does not answer stays in the report as listed: it was named, not heard. Without --to, only the lists are asked. Repeatable.',
    multiple: true,
    helpGroup: 'TARGETS',
  }),
  sweep: Flags.string({
    description:
      'Also unicast the presence packet (BR_ENTRY) to every host address of this range (a CIDR up to a /16, or one address), paced by --rate: finds peers that broadcasts do not reach (another subnet, a VLAN behind a router). Without --to, only the ranges are probed. Repeatable.',
    multiple: true,
    helpGroup: 'TARGETS',
  }),
  rate: sweepRate({
    description: `Probes per second of --sweep. Default ${DEFAULT_SWEEP_RATE}: every probe to an unknown address makes a router (or this host) broadcast ARP requests for about 3 s, and 100 a second keeps that to about 300 open lookups, well under a Linux neighbour table's 1,024 entries, and a few hundred small broadcasts a second on the LAN. A /24 takes 3 s, a /16 11 minutes.`,
    dependsOn: ['sweep'],
    helpGroup: 'TARGETS',
  }),
}

export const identityFlags = {
  user: Flags.string({description: 'Sender login name.', default: async () => loginName(), helpGroup: 'IDENTITY'}),
  host: Flags.string({description: 'Sender host name.', default: async () => os.hostname(), helpGroup: 'IDENTITY'}),
  nick: Flags.string({
    description: 'Nickname shown by IP Messenger, iptux and Feiqiu (default: the user name).',
    helpGroup: 'IDENTITY',
  }),
  group: Flags.string({description: 'Group name shown next to the nickname.', default: '', helpGroup: 'IDENTITY'}),
}

/** Where `announce` sends, and the port it sends from: the TARGETS group of its help. */
export const announceTargetFlags = {
  to: Flags.string({
    char: 't',
    description:
      'Target: an IPv4 address, a broadcast address, a CIDR (its broadcast address) or a host name; @FILE reads targets one a line (# comments). Repeatable. Default: the broadcast address of every IPv4 interface.',
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
  ...sweepFlags,
  port: port({
    char: 'p',
    description: 'Destination UDP port.',
    default: DEFAULT_PORT,
    helpGroup: 'TARGETS',
  }),
  'bind-port': bindPort({
    description:
      'Local UDP port to send from and listen on; 0 for any. Default 2425, because IPMsg peers answer to 2425 (falls back to any port with a warning when 2425 is taken).',
    helpGroup: 'TARGETS',
  }),
}

/** How long `announce` waits, how often it sends, and how it reports. */
export const announceFlags = {
  wait: timerDuration({
    char: 'w',
    description:
      'Collect replies this long after sending (e.g. 3s, 500ms); 0 sends and exits at once. Default: until replies stop (see DESCRIPTION).',
    defaultHelp: async () => 'auto',
  }),
  expect: positiveCount({
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
  retries: count({
    description: 'Resends of a unicast that is not acknowledged, one a second (as IP Messenger does).',
    default: 3,
  }),
  repeat: positiveCount({
    description: 'Announce this many times (a heartbeat), each with a new packet number.',
    default: 1,
  }),
  interval: timerDuration({
    description: 'Time between two announcements with --repeat.',
    default: 5000,
    defaultHelp: async () => '5s',
  }),
  wide: Flags.boolean({description: 'Cut nothing to fit the terminal: every cell whole (rows may wrap).'}),
  stay: Flags.boolean({
    description: "After a presence announcement, a message or GETINFO, do not send BR_EXIT (stay in the peers' lists).",
  }),
}

/** How `announce` writes its message's text. */
export const announceTextFlags = {
  encoding: charset({
    char: 'e',
    description:
      'Encoding of text and names: utf-8 (sets UTF8OPT when needed), or gbk/gb18030 for Feiqiu, cp932 for Japanese IP Messenger. Default: utf-8, but a message that is not ASCII goes to each unicast target that answered the entry in the charset it reads (GBK to Feiqiu).',
  }),
  truncate: Flags.boolean({
    description:
      'Shorten a message that does not fit instead of failing: 8191 bytes, and in another encoding than utf-8 also 8192 bytes once converted to UTF-8 (what iptux holds).',
  }),
}

/** Another packet, or raw bytes, instead of the message: the DEBUGGING group of `announce --help`. */
export const announceDebuggingFlags = {
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

export {DEFAULT_PORT} from '../protocol/constants.js'
