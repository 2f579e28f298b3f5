// What `announce` will send, decided from its flags before any socket opens: the packet, the targets, and the
// entry before it and the exit after it (a client enters before it talks, and never beside another client here).
import type {Outgoing, SweepPlan} from '../lan/announce.js'
import type {Target} from '../net/targets.js'
import type {OutgoingPacket} from '../protocol/types.js'

import {parseSweepRange} from '../net/address-ranges.js'
import {localBroadcastAddresses} from '../net/targets.js'
import {UsageError} from '../net/usage-error.js'
import {DEFAULT_PORT} from '../protocol/constants.js'
import {DEFAULT_SWEEP_RATE} from './flags.js'
import {buildOutgoing, entryPacket, farewellCommand, type OutgoingFlags} from './outgoing-packet.js'
import {resolveTargets, type TargetFlags} from './resolve-targets.js'
import {sharedPortNote} from './shared-port.js'

export interface AnnouncePlan {
  outgoing: Outgoing
  targets: Target[]
  /** No TEXT, no --command, no raw bytes: a presence announcement that lists who answers. */
  discovery: boolean
  bindPort: number
  entry?: Omit<OutgoingPacket, 'packetNo'>
  farewell?: Omit<OutgoingPacket, 'packetNo'>
  /** The line to print once bound when another program holds the IPMsg port on this host. */
  shared?: string
  /** --sweep: the ranges probed one address at a time before the round. */
  sweep?: SweepPlan
}

export interface SweepFlags {
  sweep?: string[]
  rate?: number
  repeat?: number
}

export async function planAnnounce(
  packet: OutgoingFlags,
  where: TargetFlags & SweepFlags & {bindPort?: number; stay: boolean},
): Promise<AnnouncePlan> {
  const outgoing = buildOutgoing(packet)
  const discovery = outgoing.kind === 'packet' && packet.text === undefined && packet.command === undefined
  const sweep = sweepPlan(where, discovery)
  const targets = await resolveTargets({...where, noDefault: sweep !== undefined})
  // A peer that never saw our entry shows the message from "mysterious" (and iptux may drop it as stale).
  const talks =
    outgoing.kind === 'packet' &&
    (packet.text !== undefined || ['GETINFO', 'GETABSENCEINFO'].includes(packet.command?.toUpperCase() ?? ''))
  const bindPort = where.bindPort ?? DEFAULT_PORT
  // Only when lanmsg takes the IPMsg port itself: with --bind-port elsewhere it does not speak as this host's client.
  const shared = (discovery || talks) && bindPort === where.port ? sharedPortNote(where.port, discovery) : undefined
  const entry = talks && !shared ? entryPacket(packet) : undefined
  const left = entry ?? (discovery && outgoing.kind === 'packet' ? outgoing.packet : undefined)
  const farewell = left && !where.stay && !shared ? {...left, command: farewellCommand(left.command)} : undefined
  return {outgoing, targets, discovery, bindPort, entry, farewell, shared, sweep}
}

/** The ranges of --sweep, checked before anything is sent; only a discovery sweeps (a probe is a BR_ENTRY). */
function sweepPlan(where: SweepFlags & {port: number}, discovery: boolean): SweepPlan | undefined {
  if (!where.sweep || where.sweep.length === 0) return undefined
  if (!discovery)
    throw new UsageError(
      '--sweep probes with the presence packet (BR_ENTRY) only: leave out TEXT, --command and --raw (send a message to the peers it finds with --to)',
    )
  if ((where.repeat ?? 1) > 1) throw new UsageError('--sweep cannot be repeated with --repeat: run it again instead')
  const ranges = where.sweep.map((spec) => parseSweepRange(spec))
  return {ranges, rate: where.rate ?? DEFAULT_SWEEP_RATE, port: where.port, skip: localBroadcastAddresses()}
}
