// The announce conversation: send one packet (or raw bytes) to every target, resend unicasts that ask for a
// receipt until acknowledged (§3.6), and collect every datagram that arrives in the wait window.
// No printing: progress goes out as events, the outcome is returned as data.
import {EventEmitter} from 'node:events'
import {setTimeout as delay} from 'node:timers/promises'

import type {Target} from '../net/targets.js'
import type {DecodeOptions, OutgoingPacket, Packet} from '../protocol/types.js'
import type {Delivery} from './delivery-tracker.js'

import {openUdpEndpoint, type UdpEndpoint} from '../net/udp-endpoint.js'
import {MODES, modeOf, SENDCHECKOPT} from '../protocol/constants.js'
import {DeliveryTracker} from './delivery-tracker.js'
import {type Outgoing, OurPackets, type SentPacket} from './our-packets.js'
import {PacketNumberSource} from './packet-number-store.js'
import {type PeerSummary, type Reply, ReplyCollector} from './reply-collector.js'
import {replyWindowEnd} from './reply-window.js'
import {TargetCharsets} from './target-charsets.js'

export type {Delivery} from './delivery-tracker.js'
export type {Outgoing, SentPacket, WrittenPacket} from './our-packets.js'
export {MAX_REPLIES_KEPT, type PeerSummary, type Reply} from './reply-collector.js'

/** Unicast targets given a connected socket of their own (one file descriptor each) to hear port-unreachable. */
export const MAX_WATCHED_TARGETS = 256
export const RETRY_INTERVAL_MS = 1000 // IP Messenger and iptux resend about once a second (§3.6)
/**
 * How long a message written per peer waits for the unicast targets' answers to the entry. Feiqiu and iptux answer
 * at once; Windows delays its answer up to 1 s or more (§3.2), but a peer heard too late gets UTF-8, which it reads.
 */
export const ENTRY_ANSWER_WAIT_MS = 1000

export interface AnnounceOptions {
  targets: Target[]
  outgoing: Outgoing
  /** Local UDP port to send from and listen on (IPMsg peers answer to 2425 whatever the source port). */
  bindPort: number
  bindAddress?: string
  /** When bindPort is taken, use an ephemeral port instead of failing. */
  fallbackToEphemeral?: boolean
  /**
   * Collection window after the last send; 0 sends and returns at once (no retries, nothing collected); 'auto'
   * ends it from what is heard (see reply-window.ts).
   */
  waitMs: 'auto' | number
  /** Stop as soon as this many distinct peers have answered. */
  expect?: number
  /** Resends of an unacknowledged unicast that asked for a receipt. */
  retries: number
  retryIntervalMs?: number
  /** Rounds (a heartbeat): each has a new packet number. */
  repeat?: number
  intervalMs?: number
  /** Before the first round, send this packet to the same targets (BR_ENTRY: a client enters before it talks). */
  entry?: Omit<OutgoingPacket, 'packetNo'>
  /** After the window, send this packet to the same targets (e.g. BR_EXIT after a discovery BR_ENTRY). */
  farewell?: Omit<OutgoingPacket, 'packetNo'>
  decodeOptions?: DecodeOptions
  /** Replies kept (default MAX_REPLIES_KEPT); the rest are counted in repliesDropped. */
  maxReplies?: number
  packetNumbers?: PacketNumberSource
  /** Injected for tests. */
  now?: () => number
}

/** Clients that never answer GETINFO or GETABSENCEINFO (ipmsg.md §3.9, §9; peers-on-the-wire.md). */
const NO_INFO_CLIENTS = new Set(['feiqiu', 'iptux'])

export interface AnnounceResult {
  local: {address: string; fellBack: boolean; port: number}
  targets: Target[]
  sent: SentPacket[]
  replies: Reply[]
  peers: PeerSummary[]
  /** Unicast targets of a packet that asks for a receipt: delivered or not. */
  deliveries: Delivery[]
  /** Our own broadcasts heard back on our own socket (not shown as replies). */
  echoes: number
  /** Replies beyond MAX_REPLIES_KEPT: counted, decoded for presence, but not kept. */
  repliesDropped: number
  /** Replies that repeat one from the same source a moment ago (marked `duplicate`, shown once). */
  duplicates: number
  /** Datagrams the kernel dropped on our socket (receive buffer full): never seen; null when it cannot tell. */
  kernelDrops: null | number
  /** Sends that failed (e.g. no route to one target) while others went out. */
  sendErrors: {message: string; target: Target}[]
  stoppedEarly: 'all-delivered' | 'all-settled' | 'expect' | null
  /** Distinct sources that answered (peers, and senders of datagrams that are not IPMsg). */
  answered: number
  /** The entry packet sent before the first round, if any. */
  entry: null | SentPacket
  /** How long the last window lasted, and why it ended there. */
  waited: {mode: 'auto' | 'fixed'; ms: number; reason: string}
}

export interface AnnounceEvents {
  bound: [local: {address: string; fellBack: boolean; port: number}]
  sent: [target: Target, attempt: number, round: number]
  reply: [reply: Reply]
  waiting: [untilMs: number]
}

/** What a reply must look like to acknowledge a packet of ours with this mode. */
function acknowledgesMode(sentMode: number, reply: Packet, sentPacketNos: Set<number>): boolean {
  switch (modeOf(reply.command)) {
    case MODES.RECVMSG:
    case MODES.READMSG:
    case MODES.ANSREADMSG: {
      return reply.acknowledges !== undefined && sentPacketNos.has(reply.acknowledges)
    }

    case MODES.ANSENTRY: {
      return sentMode === MODES.BR_ENTRY
    }

    case MODES.SENDINFO: {
      return sentMode === MODES.GETINFO
    }

    case MODES.SENDABSENCEINFO: {
      return sentMode === MODES.GETABSENCEINFO
    }

    case MODES.ANSPUBKEY: {
      return sentMode === MODES.GETPUBKEY
    }

    default: {
      return false
    }
  }
}

/** A unicast that asks for an answer is resent until that answer comes (receipts §3.6, and entry/info probes). */
export function wantsAnswer(outgoing: Outgoing): boolean {
  if (outgoing.kind === 'raw') return false
  const {command} = outgoing.packet
  const mode = modeOf(command)
  if (mode === MODES.SENDMSG) return (command & SENDCHECKOPT) !== 0
  return [MODES.BR_ENTRY, MODES.GETINFO, MODES.GETABSENCEINFO, MODES.GETPUBKEY].includes(mode)
}

/** Resolves after the event loop has read what is waiting on its sockets (setImmediate runs after the poll). */
function readWaiting(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class Announcer extends EventEmitter<AnnounceEvents> {
  private aborted = false
  /** Ends the sleep under way (a datagram may have changed what the loop waits for). */
  private sleeping?: AbortController

  /** Ends the wait window now (Ctrl-C): what was collected is still returned. */
  abort(): void {
    this.aborted = true
    this.wake()
  }

  private wake(): void {
    this.sleeping?.abort()
  }

  /** Sleeps ms, or less when woken. */
  private async sleep(ms: number): Promise<void> {
    const sleeping = new AbortController()
    this.sleeping = sleeping
    try {
      await delay(Math.max(0, ms), undefined, {signal: sleeping.signal})
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error
    } finally {
      if (this.sleeping === sleeping) this.sleeping = undefined
    }
  }

  /** Waits until every target was heard from, at most ENTRY_ANSWER_WAIT_MS; each datagram wakes it to look. */
  private async awaitAnswers(targets: Target[], heard: (target: Target) => boolean, now: () => number) {
    const until = now() + ENTRY_ANSWER_WAIT_MS
    while (!this.aborted && !targets.every((t) => heard(t)) && now() < until) await this.sleep(until - now())
  }

  async run(options: AnnounceOptions): Promise<AnnounceResult> {
    const now = options.now ?? Date.now
    const endpoint = await openUdpEndpoint({
      address: options.bindAddress,
      fallbackToEphemeral: options.fallbackToEphemeral,
      port: options.bindPort,
      portFlag: '--bind-port',
    })
    try {
      return await this.converse(endpoint, options, now)
    } finally {
      await endpoint.close()
    }
  }

  private async converse(endpoint: UdpEndpoint, options: AnnounceOptions, now: () => number): Promise<AnnounceResult> {
    const local = {address: endpoint.address, fellBack: endpoint.fellBack, port: endpoint.port}
    this.emit('bound', local)
    const ours = new OurPackets(options.packetNumbers ?? new PacketNumberSource())
    const unicastTargets = options.targets.filter((t) => t.kind === 'unicast')
    const charsets = new TargetCharsets(unicastTargets.map((t) => t.address))
    let awaitingEntryAnswers = false
    const rounds = Math.max(1, options.repeat ?? 1)
    const intervalMs = options.intervalMs ?? 5000
    const retryIntervalMs = options.retryIntervalMs ?? RETRY_INTERVAL_MS
    const {outgoing} = options
    // The message is written per peer only after a wait for the answers to the entry: never from what came by chance.
    const perPeer = outgoing.kind === 'packet' && outgoing.writtenIn && options.entry && options.waitMs !== 0
    const charsetOf = (target: Target, main: string) => (perPeer ? charsets.charsetFor(target, main) : main)
    // The entry and the exit are written as the message is (--encoding), to every target alike.
    const encodeOptions = outgoing.kind === 'packet' ? outgoing.encodeOptions : undefined
    const sentMode = outgoing.kind === 'packet' ? modeOf(outgoing.packet.command) : -1
    const auto = options.waitMs === 'auto'
    const asksInfo = sentMode === MODES.GETINFO || sentMode === MODES.GETABSENCEINFO
    const noInfo = new Set<string>()
    const reliable = wantsAnswer(outgoing) && options.waitMs !== 0

    const result: AnnounceResult = {
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
      waited: {mode: auto ? 'auto' : 'fixed', ms: 0, reason: ''},
    }
    const ownAddresses = new Set(endpoint.localAddresses())
    const collector = new ReplyCollector({
      isEcho: (data, from) => from.port === endpoint.port && ownAddresses.has(from.address) && ours.isOurs(data),
      acknowledges: (packet) => acknowledgesMode(sentMode, packet, ours.packetNos),
      decodeOptions: options.decodeOptions,
      maxReplies: options.maxReplies,
    })
    let roundStartedAt = now()
    let roundIsLast = false
    let wakeAt = Number.POSITIVE_INFINITY
    let announcedEnd = 0
    // The progress countdown follows the auto window as replies move its end (a tenth of a second is news).
    const announceEnd = (endsAt: number) => {
      if (Math.abs(endsAt - announcedEnd) < 100) return
      announcedEnd = endsAt
      this.emit('waiting', endsAt)
    }

    let windowEnd = () => ({endsAt: roundStartedAt + (auto ? 0 : (options.waitMs as number)), reason: ''})
    let tracker = new DeliveryTracker([], {startedAt: 0, retries: 0, intervalMs: retryIntervalMs})
    const failures: Error[] = []

    endpoint.on('error', () => {}) // send errors are collected per target below
    const stopWhenSettled = () => {
      const outcome = tracker.outcome()
      if (!reliable || unicastTargets.length !== options.targets.length || !roundIsLast || !outcome) return
      result.stoppedEarly = outcome
      this.abort()
    }

    const unreachable = new Set<string>()
    const isUnreachable = (t: Target) => unreachable.has(`${t.address}:${t.port}`)
    endpoint.on('unreachable', (to) => {
      unreachable.add(`${to.address}:${to.port}`)
      tracker.unreachable(isUnreachable)
      if (awaitingEntryAnswers) this.wake()
      stopWhenSettled()
    })
    endpoint.on('datagram', (data, from) => {
      const reply = collector.collect(data, from, now(), roundStartedAt)
      if (reply === undefined) return
      const packet = reply.result.ok ? reply.result.packet : undefined
      if (packet) charsets.observe(from.address, packet, collector.presence.peerCharset(from.address))
      if (reply.acknowledges) {
        tracker.acknowledged(from.address, reply.rttMs)
      } else if (packet && asksInfo && NO_INFO_CLIENTS.has(packet.client.kind)) {
        noInfo.add(from.address) // its answer to our entry can come before the GETINFO is sent
        tracker.cannotAnswer(from.address)
      }

      this.emit('reply', reply)
      // The auto window may now end sooner than the timer that is set: wake the loop to look again.
      if (auto && roundIsLast) {
        const {endsAt} = windowEnd()
        announceEnd(endsAt)
        if (endsAt < wakeAt) this.wake()
      }

      // Answers to the entry must not stop the run before the message is sent.
      if (awaitingEntryAnswers) this.wake()
      else if (options.expect !== undefined && collector.answered >= options.expect) {
        result.stoppedEarly = 'expect'
        this.abort()
      } else {
        stopWhenSettled()
      }
    })

    const sendTo = async (bytes: Uint8Array, target: Target, attempt: number, round: number) => {
      try {
        await endpoint.send(bytes, target.port, target.address)
        this.emit('sent', target, attempt, round)
      } catch (error) {
        failures.push(error as Error)
        result.sendErrors.push({message: (error as Error).message, target})
      }
    }

    // A unicast answered by ICMP port-unreachable is said so at once, instead of resent in silence.
    if (options.waitMs !== 0) {
      for (const t of unicastTargets.slice(0, MAX_WATCHED_TARGETS)) await endpoint.watchUnicast(t.address, t.port)
    }

    if (options.entry) {
      const {copy, sent} = ours.write({packet: options.entry, encodeOptions}, 0)
      result.entry = sent
      for (const target of options.targets) await sendTo(copy.bytes, target, 1, 0)
      if (failures.length === options.targets.length) throw failures[0]
      // A message written per peer waits for the answers that say what each unicast target reads.
      if (perPeer) {
        awaitingEntryAnswers = true
        await this.awaitAnswers(unicastTargets, (t) => charsets.heardFrom(t.address) || isUnreachable(t), now)
        awaitingEntryAnswers = false
      }
    }

    // The message goes out once even when stopped while the entry's answers were awaited: a stop ends waits only.
    for (let round = 0; round < rounds && (round === 0 || !this.aborted); round++) {
      roundIsLast = round === rounds - 1
      roundStartedAt = now()
      const {copies, sent} = ours.round(outgoing, options.targets, round, charsetOf)
      result.sent.push(sent)
      const packetNo = sent.packetNo ?? 0
      const copyOf = new Map(options.targets.map((target, i) => [target, copies[i]]))
      const pending: Delivery[] = reliable
        ? unicastTargets.map((target) => ({
            target,
            round,
            packetNo,
            charset: copyOf.get(target)!.charset,
            lossy: copyOf.get(target)!.lossy === true,
            delivered: false,
            attempts: 1,
            rttMs: null,
            unreachable: isUnreachable(target),
            cannotAnswer: noInfo.has(target.address),
          }))
        : []
      tracker = new DeliveryTracker(pending, {
        startedAt: roundStartedAt,
        retries: options.retries,
        intervalMs: retryIntervalMs,
      })
      result.deliveries.push(...pending)
      for (const target of options.targets) await sendTo(copyOf.get(target)!.bytes, target, 1, round)
      // Nothing went out at all (no route, no permission): that is the error, not an empty table.
      if (round === 0 && !options.entry && failures.length === options.targets.length && failures.length > 0) {
        throw failures[0]
      }

      // Resend the same bytes (that target's copy, same packet number, §3.6) to unicasts still waiting for an answer.
      // Only unicasts are resent: a window of broadcasts alone is just --wait.
      const {retryUntil} = tracker
      windowEnd = () => {
        if (!roundIsLast) return {endsAt: roundStartedAt + intervalMs, reason: 'the interval between rounds'}
        const end = auto
          ? replyWindowEnd({sentAt: roundStartedAt, lastReplyAt: collector.lastReplyAt, peers: collector.answered})
          : {endsAt: roundStartedAt + (options.waitMs as number), reason: '--wait'}
        return retryUntil > end.endsAt ? {endsAt: retryUntil, reason: 'the last resend had its second'} : end
      }

      announcedEnd = windowEnd().endsAt
      this.emit('waiting', announcedEnd)
      while (!this.aborted && now() < windowEnd().endsAt) {
        const roundEnd = windowEnd().endsAt
        const resendAt = tracker.nextResendAt(roundEnd)
        wakeAt = resendAt ?? roundEnd
        await this.sleep(wakeAt - now())
        wakeAt = Number.POSITIVE_INFINITY
        if (this.aborted || resendAt === undefined || now() < resendAt) continue
        // Node runs due timers before it reads the socket: after a busy moment the answer can be waiting there.
        // Read it first, so that a late look is not taken for a lost packet.
        await readWaiting()
        if (this.aborted) continue
        const {attempt, deliveries} = tracker.resend(now())
        for (const delivery of deliveries) {
          await sendTo(copyOf.get(delivery.target)!.bytes, delivery.target, attempt, round)
        }
      }
    }

    result.answered = collector.answered
    const lastEnd = windowEnd()
    result.waited.ms = Math.max(0, now() - roundStartedAt)
    result.waited.reason = result.stoppedEarly ?? (this.aborted ? 'stopped' : lastEnd.reason)

    if (options.farewell) {
      const {copy, sent} = ours.write({packet: options.farewell, encodeOptions}, rounds)
      result.sent.push(sent)
      for (const target of options.targets) await sendTo(copy.bytes, target, 1, rounds)
    }

    result.kernelDrops = endpoint.kernelDrops() ?? null
    result.peers = collector.peers()
    Object.assign(result, {
      replies: collector.replies,
      echoes: collector.echoes,
      repliesDropped: collector.repliesDropped,
      duplicates: collector.duplicates,
    })
    return result
  }
}
