// Flag types shared by the commands: each one checks its value and says what it accepts.
import {Flags} from '@oclif/core'
import os from 'node:os'

import {UsageError} from '../net/usage-error.js'
import {isAsciiCompatible, normalizeCharset, SUPPORTED_CHARSETS} from '../protocol/charset.js'

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

export {DEFAULT_PORT} from '../protocol/constants.js'
