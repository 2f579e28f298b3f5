// One doctor run as a list of steps (so a view can show each as it goes): this host, a broadcast entry, unicast
// probes of the local subnets and the TARGETs, TCP, the optional MTU probe, and the goodbye. Each step only
// gathers facts; the checks (host-checks, lan-checks, target-checks) judge them. Nothing is printed here.
import os from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'

import type {NetworkInterfaces, Target} from '../../net/targets.js'
import type {Packet} from '../../protocol/types.js'
import type {AnnounceOptions, AnnounceResult} from '../announce.js'

import {parseSweepRange} from '../../net/address-ranges.js'
import {otherUdpSockets, type PortHolder} from '../../net/port-holders.js'
import {canShareUdpPort} from '../../net/port-share.js'
import {probeTcp, type TcpProbeResult} from '../../net/tcp-probe.js'
import {localBroadcastAddresses, parseTargetSpec, resolveTarget} from '../../net/targets.js'
import {UsageError} from '../../net/usage-error.js'
import {localIPv4Addresses} from '../../net/udp-endpoint.js'
import {CAPUTF8OPT, MODES, SENDCHECKOPT} from '../../protocol/constants.js'
import {Announcer} from '../announce.js'
import {PacketNumberSource} from '../packet-number-store.js'
import {check, type Check} from './check.js'
import {
  interfacesCheck,
  type LocalSubnet,
  localSubnets,
  packetNumberCheck,
  subnetOf,
  udpPortCheck,
} from './host-checks.js'
import {broadcastCheck, broadcastRepliesCheck, echoCheck} from './lan-checks.js'
import {
  clientCheck,
  mtuCheck,
  type MtuOutcome,
  subnetCheck,
  tcpCheck,
  udpCheck,
  type UdpOutcome,
} from './target-checks.js'

/** lanmsg's own responder answers one entry per source per 2 s: the unicast probes wait that long after the broadcast. */
export const ENTRY_SPACING_MS = 2300
/** Local subnets up to this size (a /22) are probed one address at a time to compare with the broadcast. */
export const MAX_PROBED_PREFIX = 22
export const MTU_PROBE_BYTES = 3000
const MTU_TEXT = 'lanmsg doctor: a test of datagrams larger than the MTU (lanmsg doctor --mtu); please ignore.'

export interface DoctorOptions {
  /** Addresses or host names, as given. */
  targets: string[]
  port: number
  identity: {user: string; host: string; nick?: string; group: string}
  /** Send the MTU probe: a message the peer shows. */
  mtu: boolean
  /** Unicast probes per second of the local subnets. */
  rate: number
  tcpTimeoutMs?: number
  interfaces?: NetworkInterfaces
  packetNumbers?: PacketNumberSource
}

export interface DoctorStep {
  title: string
  /** Runs the step; resolves to a one-line summary of what it found. */
  run(): Promise<string>
}

export interface DoctorReport {
  checks: Check[]
  ok: number
  failed: number
  unknown: number
}

interface TargetFacts {
  address: string
  udp?: UdpOutcome
  packet?: Packet
  /** Why its first answer is not IPMsg (the decoder's reason), when it sent nothing that is. */
  notIpmsg?: string
  tcp?: TcpProbeResult
  mtu?: MtuOutcome
}

/** One TARGET: a host address, or a name resolved to one; a broadcast or network address is a mistake here. */
async function targetAddress(spec: string, port: number): Promise<string> {
  let parsed
  try {
    parsed = parseTargetSpec(spec, port)
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message.replace(/^--to /, 'TARGET '), error.code)
    throw error
  }

  const target = 'name' in parsed ? await resolveTarget(parsed.name, port) : parsed
  if (target.kind !== 'unicast' || spec.includes('/'))
    throw new UsageError(
      `TARGET ${spec}: a broadcast or network address; doctor diagnoses one peer: give its address (e.g. 192.168.1.20)`,
      'EINVALIDTARGET',
    )
  return target.address
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`

export class Doctor {
  private readonly numbers: PacketNumberSource
  private subnets: LocalSubnet[] = []
  private holders: PortHolder[] | undefined
  private nextPacketNo = 0
  /** When it was taken (the clock it is compared with). */
  private numberTakenAt = 0
  private shareable: boolean | undefined
  /** An entry went out (under this host's address): a goodbye must follow. */
  private entered = false
  private broadcasts: string[] = []
  private broadcastRun: AnnounceResult | undefined
  /** When the broadcast entry went (0: not yet). */
  private broadcastStarted = 0
  private probed: string[] = []
  private unicastPeers: string[] = []
  private readonly targets: TargetFacts[] = []
  private current: Announcer | undefined
  /** Stopped by a signal (stays set: `stopped` is cleared for the goodbye). */
  private interrupted = false
  /** The unicast probes ran to their end. */
  private probedAll = false
  private stopped = false

  private constructor(
    private readonly options: DoctorOptions,
    addresses: string[],
  ) {
    this.numbers = options.packetNumbers ?? new PacketNumberSource()
    for (const address of addresses) this.targets.push({address})
  }

  /** Checks and resolves the TARGETs before anything is sent: a mistake is a UsageError, an unknown name a NetError. */
  static async create(options: DoctorOptions): Promise<Doctor> {
    const addresses: string[] = []
    for (const spec of options.targets) {
      const address = await targetAddress(spec, options.port)
      if (!addresses.includes(address)) addresses.push(address)
    }

    return new Doctor(options, addresses)
  }

  /** Ctrl-C: the step under way ends early, the rest are skipped but the goodbye. */
  abort(): void {
    this.stopped = true
    this.interrupted = true
    this.current?.abort()
  }

  steps(): DoctorStep[] {
    const steps: DoctorStep[] = [
      {title: 'Looking at this host', run: () => this.lookAtHost()},
      {title: 'Broadcasting an entry', run: () => this.broadcastEntry()},
      {title: 'Probing one address at a time', run: () => this.probeUnicast()},
    ]
    if (this.targets.length > 0)
      steps.push({title: `Connecting to TCP ${this.options.port}`, run: () => this.probeTcp()})
    if (this.options.mtu && this.targets.length > 0)
      steps.push({title: `Sending a ${MTU_PROBE_BYTES}-byte message`, run: () => this.probeMtu()})
    steps.push({title: 'Saying goodbye (BR_EXIT)', run: () => this.leave()})
    return steps
  }

  async runAll(): Promise<DoctorReport> {
    for (const step of this.steps()) await step.run()
    return this.report()
  }

  report(): DoctorReport {
    const {port} = this.options
    const lanChecked = this.broadcastRun !== undefined
    const checks: Check[] = [
      interfacesCheck(this.subnets),
      udpPortCheck(port, this.holders, this.shareable),
      packetNumberCheck(this.nextPacketNo, this.numberTakenAt),
    ]
    if (lanChecked) {
      const answered = this.answeredEntry(this.broadcastRun!)
      checks.push(
        echoCheck(this.broadcastRun!.echoes, this.broadcasts),
        broadcastCheck(answered, this.broadcasts),
        this.interrupted && !this.probedAll
          ? check(
              'broadcast-replies',
              'LAN',
              'Answers to a broadcast arrive',
              'unknown',
              'not checked: the run was stopped',
            )
          : broadcastRepliesCheck(answered, this.unicastPeers, this.probed),
      )
    } else {
      const why = this.stopped ? 'the run was stopped' : `UDP ${port} is taken here (see above)`
      checks.push(check('lan', 'LAN', 'Broadcast and unicast answers', 'unknown', `not checked: ${why}`))
    }

    for (const t of this.targets) {
      checks.push(
        subnetCheck(t.address, subnetOf(t.address, this.subnets), port),
        udpCheck(t.address, port, t.udp),
        clientCheck(t.address, t.packet, t.notIpmsg),
        tcpCheck(t.address, port, t.tcp),
        mtuCheck(t.address, t.mtu, t.udp),
      )
    }

    const count = (status: Check['status']) => checks.filter((c) => c.status === status).length
    return {checks, ok: count('ok'), failed: count('fail'), unknown: count('unknown')}
  }

  private async lookAtHost(): Promise<string> {
    this.subnets = localSubnets(this.options.interfaces ?? os.networkInterfaces())
    this.holders = otherUdpSockets(this.options.port)
    this.shareable = this.holders?.length ? await canShareUdpPort(this.options.port) : true
    this.numberTakenAt = Date.now()
    this.nextPacketNo = this.numbers.next()
    return `${plural(this.subnets.length, 'subnet')}, UDP ${this.options.port} ${this.holders?.length ? 'held by another program' : 'free'}`
  }

  /**
   * A client running here keeps our entries and exits off the air (they would rename or remove it in peers' lists),
   * and one that does not share the port leaves nothing to hear answers with.
   */
  private get quiet(): boolean {
    return (this.holders?.length ?? 0) > 0 || this.shareable === false || this.stopped
  }

  private async broadcastEntry(): Promise<string> {
    if (this.quiet) return 'skipped'
    this.broadcasts = [...new Set(this.subnets.map((s) => s.broadcast))]
    if (this.broadcasts.length === 0) return 'no broadcast address'
    const run = await this.announce({
      onSent: () => (this.broadcastStarted ||= Date.now()),
      targets: this.broadcasts.map((address) => ({address, port: this.options.port, kind: 'broadcast'})),
      outgoing: {kind: 'packet', packet: this.entryPacket()},
      waitMs: 'auto',
      retries: 0,
    })
    this.entered = true
    if (run.local.fellBack) {
      // Taken between the look and the bind: answers went to the other program.
      this.shareable = false
      return `port ${this.options.port} taken: skipped`
    }

    this.broadcastRun = run
    return `${plural(this.answeredEntry(run).length, 'peer')} answered, ${run.echoes ? 'heard our own' : 'our own not heard'}`
  }

  private async probeUnicast(): Promise<string> {
    if (this.quiet) return 'skipped'
    const small = this.subnets.filter((s) => !s.virtual && s.prefix >= MAX_PROBED_PREFIX)
    const ranges = [...new Set(small.map((s) => s.cidr))]
    const targets: Target[] = this.targets.map((t) => ({address: t.address, port: this.options.port, kind: 'unicast'}))
    if (ranges.length === 0 && targets.length === 0) return 'nothing small enough to probe'
    // lanmsg (and others) answer one entry per source per 2 s: a probe sooner would go unanswered and fake a fault.
    const wait = this.broadcastStarted + ENTRY_SPACING_MS - Date.now()
    if (wait > 0) await sleep(wait)
    this.entered = true
    const run = await this.announce({
      targets,
      outgoing: {kind: 'packet', packet: this.entryPacket()},
      waitMs: 'auto',
      retries: 2,
      sweep:
        ranges.length > 0
          ? {
              ranges: ranges.map((r) => parseSweepRange(r)),
              rate: this.options.rate,
              port: this.options.port,
              // A TARGET gets its own probe in the round (tracked, resent): not a second one from the sweep.
              skip: [...localBroadcastAddresses(), ...this.targets.map((t) => t.address)],
            }
          : undefined,
    })
    this.probed = [...ranges, ...this.targets.map((t) => t.address)]
    this.probedAll = !this.stopped
    this.unicastPeers = this.answeredEntry(run)
    for (const t of this.targets) {
      const d = run.deliveries.find((x) => x.target.address === t.address)
      if (d) t.udp = {delivered: d.delivered, unreachable: d.unreachable, attempts: d.attempts, rttMs: d.rttMs}
      const replies = run.replies.filter((r) => r.from.address === t.address)
      const answer = replies.find((r) => r.result.ok)?.result ?? replies[0]?.result
      if (answer?.ok) t.packet = answer.packet
      else if (answer) t.notIpmsg = answer.error
    }

    return `${plural(this.unicastPeers.length, 'peer')} answered`
  }

  private async probeTcp(): Promise<string> {
    if (this.stopped) return 'skipped'
    const timeout = this.options.tcpTimeoutMs ?? 3000
    await Promise.all(
      this.targets.map(async (t) => {
        t.tcp = await probeTcp(t.address, this.options.port, timeout)
      }),
    )
    return this.targets.map((t) => `${t.address} ${t.tcp?.outcome}`).join(', ')
  }

  private async probeMtu(): Promise<string> {
    const reachable = this.targets.filter((t) => t.udp?.delivered)
    if (this.quiet || reachable.length === 0) return 'skipped: no target answered'
    const text = `${MTU_TEXT}\n${'.'.repeat(MTU_PROBE_BYTES - MTU_TEXT.length - 80)}`
    const packet = {...this.identity(), command: (MODES.SENDMSG | SENDCHECKOPT) >>> 0, text}
    const run = await this.announce({
      targets: reachable.map((t) => ({address: t.address, port: this.options.port, kind: 'unicast'})),
      outgoing: {kind: 'packet', packet},
      waitMs: 'auto',
      retries: 2,
    })
    const bytes = run.sent[0]?.bytes ?? MTU_PROBE_BYTES
    for (const t of reachable) {
      const d = run.deliveries.find((x) => x.target.address === t.address)
      t.mtu = {bytes, delivered: d?.delivered ?? false, attempts: d?.attempts ?? 0}
    }

    return `${reachable.filter((t) => t.mtu?.delivered).length} of ${reachable.length} acknowledged`
  }

  /** BR_EXIT wherever the entry went: the broadcasts, and every peer that answered a unicast probe. */
  private async leave(): Promise<string> {
    if (!this.entered) return 'nothing to leave'
    const own = new Set(localIPv4Addresses())
    const unicast = new Set([...this.unicastPeers, ...this.targets.map((t) => t.address)].filter((a) => !own.has(a)))
    const targets: Target[] = [
      ...this.broadcasts.map((address): Target => ({address, port: this.options.port, kind: 'broadcast'})),
      ...[...unicast].map((address): Target => ({address, port: this.options.port, kind: 'unicast'})),
    ]
    this.stopped = false // the goodbye goes even after Ctrl-C
    await this.announce({
      targets,
      outgoing: {kind: 'packet', packet: {...this.entryPacket(), command: (MODES.BR_EXIT | CAPUTF8OPT) >>> 0}},
      waitMs: 0,
      retries: 0,
    })
    return `sent to ${plural(targets.length, 'address')}`
  }

  private identity() {
    const {user, host} = this.options.identity
    return {user, host}
  }

  private entryPacket() {
    const {nick, group, user} = this.options.identity
    return {...this.identity(), command: (MODES.BR_ENTRY | CAPUTF8OPT) >>> 0, nickname: nick ?? user, group}
  }

  /** Addresses that answered our entry (not merely sent something). */
  private answeredEntry(run: AnnounceResult): string[] {
    const own = new Set(localIPv4Addresses())
    return run.peers
      .filter((p) => p.acknowledged && !own.has(p.address))
      .map((p) => p.address)
      .sort()
  }

  private async announce(
    options: Pick<AnnounceOptions, 'outgoing' | 'retries' | 'sweep' | 'targets' | 'waitMs'> & {onSent?: () => void},
  ): Promise<AnnounceResult> {
    const {onSent, ...announce} = options
    const announcer = new Announcer()
    if (onSent) announcer.once('sent', onSent)
    this.current = announcer
    if (this.stopped) announcer.abort()
    try {
      return await announcer.run({
        ...announce,
        bindPort: this.options.port,
        fallbackToEphemeral: true,
        packetNumbers: this.numbers,
      })
    } finally {
      this.current = undefined
    }
  }
}
