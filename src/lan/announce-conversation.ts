// One run of announce on an open endpoint: the entry, the rounds with their resends, the goodbye. The decisions
// live in DeliveryTracker (who still waits, when to resend), ReplyCollector (what a datagram is) and
// replyWindowEnd (when the window ends); this holds the state of one run and the loop that sleeps between them.
import type {EventEmitter} from 'node:events'

import type {Endpoint} from '../net/endpoint.js'
import type {UdpEndpoint} from '../net/udp-endpoint.js'
import type {Target} from '../net/targets.js'
import type {AnnounceEvents, AnnounceOptions, AnnounceResult} from './announce.js'
import type {WakeableSleep} from './wakeable-sleep.js'

import {CAPUTF8OPT, MODES, modeOf} from '../protocol/constants.js'
import {acknowledgesMode, cannotAnswerInfo, wantsAnswer} from './acknowledgement.js'
import {type Delivery, DeliveryTracker} from './delivery-tracker.js'
import {HostListRun} from './host-list-run.js'
import {OurPackets} from './our-packets.js'
import {PacketNumberSource} from './packet-number-store.js'
import {ReplyCollector} from './reply-collector.js'
import {replyWindowEnd, type WindowEnd} from './reply-window.js'
import {Sweep} from './sweep.js'
import {type Copy, TargetCharsets} from './target-charsets.js'

/** Unicast targets given a connected socket of their own (one file descriptor each) to hear port-unreachable. */
export const MAX_WATCHED_TARGETS = 256
export const RETRY_INTERVAL_MS = 1000 // IP Messenger and iptux resend about once a second (§3.6)
/**
 * How long a message written per peer waits for the unicast targets' answers to the entry. Feiqiu and iptux answer
 * at once; Windows delays its answer up to 1 s or more (§3.2), but a peer heard too late gets UTF-8, which it reads.
 */
export const ENTRY_ANSWER_WAIT_MS = 1000

/** Resolves after the event loop has read what is waiting on its sockets (setImmediate runs after the poll). */
function readWaiting(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class AnnounceConversation {
  private readonly ours: OurPackets
  private readonly unicastTargets: Target[]
  private readonly charsets: TargetCharsets
  private readonly collector: ReplyCollector
  private readonly sweep: Sweep | undefined
  private readonly hostLists: HostListRun | undefined
  private readonly result: AnnounceResult
  private readonly rounds: number
  private readonly sentMode: number
  private readonly auto: boolean
  /** Unicasts that ask for an answer are tracked and resent (never with --wait 0). */
  private readonly reliable: boolean
  /** The message is written per peer only after a wait for the answers to the entry: never from what came by chance. */
  private readonly perPeer: boolean
  private readonly failures: Error[] = []
  private readonly unreachableTo = new Set<string>()
  /** Addresses whose client never answers GETINFO; its answer to our entry can come before the GETINFO is sent. */
  private readonly noInfo = new Set<string>()
  private tracker: DeliveryTracker
  private awaitingEntryAnswers = false
  private roundStartedAt: number
  private roundIsLast = false
  /** The last round's resends end here; null until the first round's window is set. */
  private retryUntil: null | number = null
  private wakeAt = Number.POSITIVE_INFINITY
  private announcedEnd = 0

  // eslint-disable-next-line max-params -- collaborators from Announcer.run; clock and sleep are the tests' seams
  constructor(
    private readonly endpoint: UdpEndpoint,
    private readonly options: AnnounceOptions,
    private readonly now: () => number,
    private readonly sleeper: WakeableSleep,
    private readonly events: EventEmitter<AnnounceEvents>,
  ) {
    const {outgoing} = options
    this.ours = new OurPackets(options.packetNumbers ?? new PacketNumberSource())
    this.unicastTargets = options.targets.filter((t) => t.kind === 'unicast')
    this.charsets = new TargetCharsets(this.unicastTargets.map((t) => t.address))
    this.rounds = Math.max(1, options.repeat ?? 1)
    this.sentMode = outgoing.kind === 'packet' ? modeOf(outgoing.packet.command) : -1
    this.auto = options.waitMs === 'auto'
    this.reliable = wantsAnswer(outgoing) && options.waitMs !== 0
    this.perPeer = Boolean(outgoing.kind === 'packet' && outgoing.writtenIn && options.entry && options.waitMs !== 0)
    this.tracker = new DeliveryTracker([], {startedAt: 0, retries: 0, intervalMs: this.retryIntervalMs})
    this.roundStartedAt = now()
    this.sweep = options.sweep ? new Sweep(options.sweep) : undefined
    this.hostLists = options.via && options.via.length > 0 ? this.hostListRun(options.via) : undefined
    const ownAddresses = new Set(endpoint.localAddresses())
    this.collector = new ReplyCollector({
      isEcho: (data, from) => from.port === endpoint.port && ownAddresses.has(from.address) && this.ours.isOurs(data),
      acknowledges: (packet) => acknowledgesMode(this.sentMode, packet, this.ours.packetNos),
      decodeOptions: options.decodeOptions,
      maxReplies: options.maxReplies,
    })
    const local = {address: endpoint.address, fellBack: endpoint.fellBack, port: endpoint.port}
    this.result = {
      local,
      targets: options.targets,
      sent: [],
      replies: [],
      peers: [],
      deliveries: [],
      echoes: 0,
      repliesDropped: 0,
      duplicates: 0,
      kernelDrops: null,
      sendErrors: [],
      stoppedEarly: null,
      answered: 0,
      entry: null,
      waited: {mode: this.auto ? 'auto' : 'fixed', ms: 0, reason: ''},
    }
  }

  private get retryIntervalMs(): number {
    return this.options.retryIntervalMs ?? RETRY_INTERVAL_MS
  }

  /** The entry, the rounds, the goodbye; the outcome as data. */
  async run(): Promise<AnnounceResult> {
    this.events.emit('bound', this.result.local)
    this.endpoint.on('error', () => {}) // send errors are collected per target in sendTo
    this.endpoint.on('unreachable', (to) => this.onUnreachable(to))
    this.endpoint.on('datagram', (data, from) => this.onDatagram(data, from))
    // A unicast answered by ICMP port-unreachable is said so at once, instead of resent in silence.
    if (this.options.waitMs !== 0) {
      for (const t of this.unicastTargets.slice(0, MAX_WATCHED_TARGETS)) {
        await this.endpoint.watchUnicast(t.address, t.port)
      }
    }

    if (this.options.entry) await this.sendEntry()
    // The message goes out once even when stopped while the entry's answers were awaited: a stop ends waits only.
    for (let round = 0; round < this.rounds && (round === 0 || !this.sleeper.stopped); round++) {
      const copyOf = await this.sendRound(round)
      await this.awaitRound(round, copyOf)
    }

    return this.finish()
  }

  private onUnreachable(to: Endpoint): void {
    this.unreachableTo.add(`${to.address}:${to.port}`)
    this.tracker.unreachable((t) => this.isUnreachable(t))
    if (this.awaitingEntryAnswers) this.sleeper.wake()
    this.stopWhenSettled()
  }

  private onDatagram(data: Buffer, from: Endpoint): void {
    // An answer to a sweep's or a listed host's probe: its RTT counts from that probe, not from the start.
    const sentAt =
      this.hostLists?.sentTo(from.address, from.port) ?? this.sweep?.sentTo(from.address) ?? this.roundStartedAt
    const reply = this.collector.collect(data, from, this.now(), sentAt)
    if (reply === undefined) return
    const packet = reply.result.ok ? reply.result.packet : undefined
    if (packet) this.hostLists?.receive(packet, from)
    if (packet) this.charsets.observe(from.address, packet, this.collector.presence.peerCharset(from.address))
    if (reply.acknowledges) {
      this.tracker.acknowledged(from.address, reply.rttMs)
    } else if (packet && cannotAnswerInfo(this.sentMode, packet)) {
      this.noInfo.add(from.address)
      this.tracker.cannotAnswer(from.address)
    }

    this.events.emit('reply', reply)
    // The auto window may now end sooner than the timer that is set: wake the loop to look again.
    if (this.auto && this.roundIsLast) {
      const {endsAt} = this.windowEnd()
      this.announceEnd(endsAt)
      if (endsAt < this.wakeAt) this.sleeper.wake()
    }

    // Answers to the entry must not stop the run before the message is sent.
    if (this.awaitingEntryAnswers) this.sleeper.wake()
    else if (this.options.expect !== undefined && this.collector.answered >= this.options.expect) {
      this.stop('expect')
    } else {
      this.stopWhenSettled()
    }
  }

  private stop(reason: NonNullable<AnnounceResult['stoppedEarly']>): void {
    this.result.stoppedEarly = reason
    this.sleeper.stop()
  }

  private stopWhenSettled(): void {
    const outcome = this.tracker.outcome()
    const onlyUnicasts = this.unicastTargets.length === this.options.targets.length
    if (this.reliable && onlyUnicasts && this.roundIsLast && outcome) this.stop(outcome)
  }

  private isUnreachable(t: Target): boolean {
    return this.unreachableTo.has(`${t.address}:${t.port}`)
  }

  private async sendTo(bytes: Uint8Array, target: Target, attempt: number, round: number): Promise<void> {
    try {
      await this.endpoint.send(bytes, target.port, target.address)
      this.events.emit('sent', target, attempt, round)
    } catch (error) {
      this.failures.push(error as Error)
      this.result.sendErrors.push({message: (error as Error).message, target})
    }
  }

  /** The entry and the exit are written as the message is (--encoding), to every target alike. */
  private get encodeOptions() {
    return this.options.outgoing.kind === 'packet' ? this.options.outgoing.encodeOptions : undefined
  }

  private async sendEntry(): Promise<void> {
    const {copy, sent} = this.ours.write({packet: this.options.entry!, encodeOptions: this.encodeOptions}, 0)
    this.result.entry = sent
    for (const target of this.options.targets) await this.sendTo(copy.bytes, target, 1, 0)
    if (this.failures.length === this.options.targets.length) throw this.failures[0]
    // A message written per peer waits for the answers that say what each unicast target reads.
    if (!this.perPeer) return
    this.awaitingEntryAnswers = true
    const heard = (t: Target) => this.charsets.heardFrom(t.address) || this.isUnreachable(t)
    const until = this.now() + ENTRY_ANSWER_WAIT_MS
    while (!this.sleeper.stopped && !this.unicastTargets.every((t) => heard(t)) && this.now() < until) {
      await this.sleeper.sleep(until - this.now())
    }

    this.awaitingEntryAnswers = false
  }

  /** Sends the round's packet to every target; its deliveries are tracked from here. */
  private async sendRound(round: number): Promise<Map<Target, Copy>> {
    const {options} = this
    const charsetOf = (target: Target, main: string) => (this.perPeer ? this.charsets.charsetFor(target, main) : main)
    const {copies, main, sent} = this.ours.round(options.outgoing, options.targets, round, charsetOf)
    this.result.sent.push(sent)
    // The sweep goes first: the window (and any resend) counts from the last probe, when the last answers start.
    if (round === 0 && this.hostLists) await this.runHostLists(this.hostLists, main.bytes)
    if (round === 0 && this.sweep) await this.runSweep(this.sweep, main.bytes)
    this.roundIsLast = round === this.rounds - 1
    this.roundStartedAt = this.now()
    const copyOf = new Map(options.targets.map((target, i) => [target, copies[i]]))
    const deliveries = this.reliable ? this.deliveries(round, sent.packetNo ?? 0, copyOf) : []
    const schedule = {startedAt: this.roundStartedAt, retries: options.retries, intervalMs: this.retryIntervalMs}
    this.tracker = new DeliveryTracker(deliveries, schedule)
    this.result.deliveries.push(...deliveries)
    for (const target of options.targets) await this.sendTo(copyOf.get(target)!.bytes, target, 1, round)
    // Nothing went out at all (no route, no permission): that is the error, not an empty table.
    const noneWent = this.failures.length === options.targets.length && this.failures.length > 0
    const sweepFailed = this.sweep?.allFailed
    if (round === 0 && !options.entry && noneWent && (!this.sweep || sweepFailed)) throw this.failures[0]
    if (round === 0 && options.targets.length === 0 && sweepFailed) throw sweepFailed
    // Only unicasts are resent: a window of broadcasts alone is just --wait.
    this.retryUntil = this.tracker.retryUntil
    return copyOf
  }

  /** GETLIST is written as the presence packet is (user, host, charset); CAPUTF8OPT asks for a UTF-8 list (§3.10). */
  private hostListRun(via: NonNullable<AnnounceOptions['via']>): HostListRun {
    const {outgoing} = this.options
    const {user, host} = outgoing.kind === 'packet' ? outgoing.packet : {user: '', host: ''}
    return new HostListRun(via, {
      // Not counted among the targets' failures: a host list that cannot be asked does not say the targets failed.
      send: async (bytes, target) => {
        try {
          await this.endpoint.send(bytes, target.port, target.address)
          return true
        } catch (error) {
          this.result.sendErrors.push({message: (error as Error).message, target})
          return false
        }
      },
      getList: (listStart) =>
        this.ours.write(
          {packet: {user, host, command: MODES.GETLIST | CAPUTF8OPT, listStart}, encodeOptions: this.encodeOptions},
          0,
        ).copy.bytes,
      sleeper: this.sleeper,
      now: this.now,
    })
  }

  private async runHostLists(run: HostListRun, bytes: Uint8Array): Promise<void> {
    await run.fetch()
    this.events.emit('listed', run.reports())
    await run.probe(bytes, new Set(this.options.targets.map((t) => t.address)))
  }

  private async runSweep(sweep: Sweep, bytes: Uint8Array): Promise<void> {
    await sweep.run({
      send: (address, port) => this.endpoint.send(bytes, port, address),
      sleep: (ms) => this.sleeper.sleep(ms),
      now: this.now,
      stopped: () => this.sleeper.stopped,
      progress: (sent, total) => this.events.emit('swept', sent, total, false),
    })
    const {sent, probes} = sweep.report()
    this.events.emit('swept', sent, probes, true)
  }

  /** Swept or listed addresses that answered: they know us now, so they get the goodbye too (not the silent rest). */
  private sweptPeers(): Target[] {
    const already = new Set(this.options.targets.map((t) => t.address))
    const found: Target[] = []
    const port = this.options.sweep?.port
    const addresses = new Set(this.collector.peers().map((p) => p.address))
    for (const address of addresses) {
      if (already.has(address) || !this.sweep?.probed(address) || port === undefined) continue
      already.add(address)
      found.push({address, port, kind: 'unicast'})
    }

    for (const peer of this.collector.peers()) {
      if (already.has(peer.address) || !this.hostLists?.probed(peer.address, peer.port)) continue
      already.add(peer.address)
      found.push({address: peer.address, port: peer.port, kind: 'unicast'})
    }

    return found
  }

  private deliveries(round: number, packetNo: number, copyOf: Map<Target, Copy>): Delivery[] {
    return this.unicastTargets.map((target) => ({
      target,
      round,
      packetNo,
      charset: copyOf.get(target)!.charset,
      lossy: copyOf.get(target)!.lossy === true,
      delivered: false,
      attempts: 1,
      rttMs: null,
      unreachable: this.isUnreachable(target),
      cannotAnswer: this.noInfo.has(target.address),
    }))
  }

  /** Sleeps to the end of the round's window, resending the same bytes (same packet number, §3.6) when due. */
  private async awaitRound(round: number, copyOf: Map<Target, Copy>): Promise<void> {
    this.announcedEnd = this.windowEnd().endsAt
    this.events.emit('waiting', this.announcedEnd)
    while (!this.sleeper.stopped && this.now() < this.windowEnd().endsAt) {
      const roundEnd = this.windowEnd().endsAt
      const resendAt = this.tracker.nextResendAt(roundEnd)
      this.wakeAt = resendAt ?? roundEnd
      await this.sleeper.sleep(this.wakeAt - this.now())
      this.wakeAt = Number.POSITIVE_INFINITY
      if (this.sleeper.stopped || resendAt === undefined || this.now() < resendAt) continue
      // Node runs due timers before it reads the socket: after a busy moment the answer can be waiting there.
      // Read it first, so that a late look is not taken for a lost packet.
      await readWaiting()
      if (this.sleeper.stopped) continue
      const {attempt, deliveries} = this.tracker.resend(this.now())
      for (const d of deliveries) await this.sendTo(copyOf.get(d.target)!.bytes, d.target, attempt, round)
    }
  }

  /** When this round's window ends, and why there. */
  private windowEnd(): WindowEnd {
    const {options, roundStartedAt} = this
    if (this.retryUntil === null)
      return {endsAt: roundStartedAt + (this.auto ? 0 : (options.waitMs as number)), reason: ''}
    if (!this.roundIsLast)
      return {endsAt: roundStartedAt + (options.intervalMs ?? 5000), reason: 'the interval between rounds'}
    const {answered: peers, lastReplyAt} = this.collector
    const end = this.auto
      ? replyWindowEnd({sentAt: roundStartedAt, lastReplyAt, peers})
      : {endsAt: roundStartedAt + (options.waitMs as number), reason: '--wait'}
    return this.retryUntil > end.endsAt ? {endsAt: this.retryUntil, reason: 'the last resend had its second'} : end
  }

  /** The progress countdown follows the auto window as replies move its end (a tenth of a second is news). */
  private announceEnd(endsAt: number): void {
    if (Math.abs(endsAt - this.announcedEnd) < 100) return
    this.announcedEnd = endsAt
    this.events.emit('waiting', endsAt)
  }

  /** The window's account, the goodbye, and what was heard. */
  private async finish(): Promise<AnnounceResult> {
    const {collector, result} = this
    result.answered = collector.answered
    const lastEnd = this.windowEnd()
    result.waited.ms = Math.max(0, this.now() - this.roundStartedAt)
    result.waited.reason = result.stoppedEarly ?? (this.sleeper.stopped ? 'stopped' : lastEnd.reason)
    if (this.options.farewell) {
      const {copy, sent} = this.ours.write(
        {packet: this.options.farewell, encodeOptions: this.encodeOptions},
        this.rounds,
      )
      result.sent.push(sent)
      for (const target of [...this.options.targets, ...this.sweptPeers()])
        await this.sendTo(copy.bytes, target, 1, this.rounds)
    }

    if (this.sweep) result.sweep = this.sweep.report()
    if (this.hostLists) result.hostLists = this.hostLists.reports()

    result.kernelDrops = this.endpoint.kernelDrops() ?? null
    result.peers = collector.peers()
    const {duplicates, echoes, replies, repliesDropped} = collector
    return Object.assign(result, {duplicates, echoes, replies, repliesDropped})
  }
}
