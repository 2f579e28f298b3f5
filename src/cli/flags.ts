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

/**
 * Each probe to an address not yet known makes this host (or the router before a far subnet) broadcast ARP
 * requests for about 3 s; at 100 a second about 300 lookups are open at once, well under the 1,024 entries of a
 * Linux neighbour table (gc_thresh3), and the ARP broadcasts stay a few hundred small frames a second.
 */
export const DEFAULT_SWEEP_RATE = 100
const MAX_SWEEP_RATE = 100_000

const sweepRate = Flags.custom<number>({
  async parse(input) {
    const n = Number(input)
    if (!/^\d+$/.test(input.trim()) || n < 1 || n > MAX_SWEEP_RATE)
      throw new UsageError(`expected probes per second from 1 to ${MAX_SWEEP_RATE}, got ${JSON.stringify(input)}`)
    return n
  },
})

/** announce --sweep and its pace: the TARGETS group of announce's help. */
export const sweepFlags = {
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

export {DEFAULT_PORT} from '../protocol/constants.js'
