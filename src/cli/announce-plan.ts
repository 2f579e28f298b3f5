// What `announce` will do, decided from its flags before any socket opens: the packet, the targets, and (by the
// protocol's rules in lan/announce-policy.ts) the entry before it and the exit after it. A mistake in any of them
// is a usage error before anything is bound.
import type {AnnounceOptions, SweepPlan} from '../lan/announce.js'

import {announcePolicy} from '../lan/announce-policy.js'
import {DEFAULT_SWEEP_RATE} from '../lan/sweep-pacer.js'
import {parseSweepRange} from '../net/address-ranges.js'
import {localBroadcastAddresses} from '../net/targets.js'
import {UsageError} from '../net/usage-error.js'
import {DEFAULT_PORT} from '../protocol/constants.js'
import {buildOutgoing, entryPacket, type OutgoingFlags} from './outgoing-packet.js'
import {resolveTargets, resolveVia} from './resolve-targets.js'
import {otherIpmsgClient} from './shared-port.js'

/** The flags of `announce` that decide the run, under their own names, and TEXT (already read from stdin). */
export interface AnnounceFlags extends Omit<OutgoingFlags, 'rawHex'> {
  to?: string[]
  interface?: string[]
  limited?: boolean
  sweep?: string[]
  via?: string[]
  rate?: number
  port: number
  'bind-port'?: number
  wait?: number
  expect?: number
  retries: number
  repeat: number
  interval: number
  stay?: boolean
  'raw-hex'?: string
}

export interface AnnouncePlan {
  /** Everything the run needs but where the replies go (the output decides maxReplies). */
  options: Omit<AnnounceOptions, 'maxReplies'>
  /** No TEXT, no --command, no raw bytes: a presence announcement that lists who answers. */
  discovery: boolean
  /** The line to print once bound when another program holds the IPMsg port on this host. */
  shared?: string
}

export interface PlanContext {
  warn: (message: string) => void
  /** Who else holds the IPMsg port on this host (injected for tests). */
  otherClient?: (port: number) => string | undefined
}

export async function planAnnounce(flags: AnnounceFlags, context: PlanContext): Promise<AnnouncePlan> {
  const packetFlags = {...flags, rawHex: flags['raw-hex']}
  const outgoing = buildOutgoing(packetFlags)
  const ranges = sweepRanges(flags)
  const via = await viaHosts(flags)
  const targets = await resolveTargets({
    ...flags,
    interfaces: flags.interface,
    warn: context.warn,
    noDefault: ranges !== undefined || via !== undefined,
  })
  const bindPort = flags['bind-port'] ?? DEFAULT_PORT
  const policy = announcePolicy({
    outgoing,
    commandChosen: flags.command !== undefined,
    identity: () => entryPacket(packetFlags),
    port: flags.port,
    bindPort,
    stay: flags.stay === true,
    encoding: flags.encoding,
    otherClient: context.otherClient ?? otherIpmsgClient,
  })
  const sweep = ranges && sweepPlan(ranges, flags, policy.discovery)
  if (via && !policy.discovery)
    throw new UsageError(
      '--via probes the hosts it lists with the presence packet (BR_ENTRY) only: leave out TEXT, --command and --raw (send a message to the peers it finds with --to)',
    )
  const options = {
    targets,
    outgoing,
    bindPort,
    fallbackToEphemeral: flags['bind-port'] === undefined,
    waitMs: flags.wait ?? ('auto' as const),
    expect: flags.expect,
    retries: flags.retries,
    repeat: flags.repeat,
    intervalMs: flags.interval,
    entry: policy.entry,
    farewell: policy.farewell,
    decodeOptions: policy.decodeOptions,
    sweep,
    via,
  }
  return {options, discovery: policy.discovery, shared: policy.shared}
}

/** The hosts of --via, resolved before anything is bound. */
async function viaHosts(flags: AnnounceFlags): Promise<AnnounceOptions['via']> {
  if (!flags.via || flags.via.length === 0) return undefined
  if (flags.repeat > 1) throw new UsageError('--via cannot be repeated with --repeat: run it again instead')
  const hosts = []
  for (const spec of flags.via) hosts.push(await resolveVia(spec, flags.port))
  return hosts
}

/** The ranges of --sweep, read before anything else is decided (a mistake in one is a usage error). */
function sweepRanges(flags: AnnounceFlags): SweepPlan['ranges'] | undefined {
  if (!flags.sweep || flags.sweep.length === 0) return undefined
  if (flags.repeat > 1) throw new UsageError('--sweep cannot be repeated with --repeat: run it again instead')
  return flags.sweep.map((spec) => parseSweepRange(spec))
}

/** Only a discovery sweeps: a probe is the presence packet (BR_ENTRY). */
function sweepPlan(ranges: SweepPlan['ranges'], flags: AnnounceFlags, discovery: boolean): SweepPlan {
  if (!discovery)
    throw new UsageError(
      '--sweep probes with the presence packet (BR_ENTRY) only: leave out TEXT, --command and --raw (send a message to the peers it finds with --to)',
    )
  return {ranges, rate: flags.rate ?? DEFAULT_SWEEP_RATE, port: flags.port, skip: localBroadcastAddresses()}
}
