// The listen conversation: one socket, every datagram decoded and handed on, presence kept up to date, and
// (when responding) the answers of a polite IPMsg peer, rate-limited. No printing: events and data only.
// Datagrams are queued as they are read and processed a little later (ingest.ts), so that a flood is read off the
// socket before the kernel's buffer overflows.
import {EventEmitter} from 'node:events'

import type {Endpoint} from '../net/endpoint.js'
import type {NetError} from '../net/net-error.js'
import type {Target} from '../net/targets.js'
import type {DecodeOptions, OutgoingPacket, Packet} from '../protocol/types.js'
import type {DatagramQueueLimits, QueuedDatagram} from './datagram-queue.js'
import type {ReceivedDatagram} from './received-datagram.js'

import {localBroadcastAddresses} from '../net/targets.js'
import {openUdpEndpoint, type UdpEndpoint} from '../net/udp-endpoint.js'
import {ABSENCEOPT, CAPUTF8OPT, MODES, modeName, modeOf} from '../protocol/constants.js'
import {decode} from '../protocol/decode.js'
import {FEIQIU_GROUP_ADDRESS} from '../protocol/group-chat.js'
import {encode} from '../protocol/encode.js'
import {Ingest} from './ingest.js'
import {PacketNumberSource} from './packet-number-store.js'
import {type PeerRow, Presence} from './presence.js'
import {RecentPackets} from './recent-packets.js'
import {DEFAULT_REPLY_LIMITS, RateLimiter, type RateLimits} from './rate-limit.js'
import {type PlannedReply, ResponderPolicy, type ResponderSelf} from './responder-policy.js'
import {sendCharset} from './send-charset.js'
import {servedHostList} from './served-host-list.js'
import {emptyListenStats, type ListenStats} from './listen-stats.js'

export {emptyListenStats, type ListenStats} from './listen-stats.js'

export interface RespondOptions {
  self: ResponderSelf
  /** Where BR_ENTRY goes at start and BR_EXIT at stop (the LAN's broadcast addresses). */
  targets: Target[]
  limits?: Partial<RateLimits>
  /** The charset of everything sent (--encoding); default: per peer (sendCharset), UTF-8 for broadcasts. */
  charset?: string
  /** --serve-list: answer BR_ISGETLIST(2) and GETLIST with our presence table, ourselves first (§3.10). */
  serveList?: boolean
}

export interface ListenOptions {
  port: number
  address?: string
  decodeOptions?: DecodeOptions
  respond?: RespondOptions
  /**
   * A peer not heard from for this long is marked expired. Undefined: never, as IPMsg clients send nothing while
   * idle (no heartbeat): only BR_EXIT says that a peer left.
   */
  expireMs?: number
  /** Only datagrams that pass are handed on and counted in presence (the responder still sees all). */
  filter?: (datagram: ReceivedDatagram) => boolean
  packetNumbers?: PacketNumberSource
  recvBufferSize?: number
  /** Bounds of the queue of datagrams read and not processed yet (default DEFAULT_QUEUE_LIMITS). */
  queueLimits?: Partial<DatagramQueueLimits>
  /** Join Feiqiu's group-chat multicast group (226.81.9.8) on every interface, on the same socket and port. */
  groupChat?: boolean
  now?: () => number
}

export interface SentReply {
  to: Endpoint
  mode: string
  packetNo: number
  reason: string
}

export interface ListenEvents {
  datagram: [datagram: ReceivedDatagram]
  presence: [updates: PeerRow[]]
  replied: [reply: SentReply]
  warning: [message: string]
  error: [error: NetError]
}

const EXIT_REPEAT_DELAY_MS = 100 // Windows sends BR_EXIT twice, 100 ms apart (§3.4)
/** How long stop() keeps reading datagrams that had already arrived (a flood must not hold the exit). */
const DRAIN_MAX_MS = 250
/**
 * How long stop() may take to process the datagrams already read: a full queue takes ~1-2 s with --ndjson; more
 * on a slow terminal. What is left then is counted as unprocessed.
 */
const STOP_PROCESS_MAX_MS = 5000

export class ListenSession extends EventEmitter<ListenEvents> {
  readonly presence = new Presence()
  private readonly counts: ListenStats = emptyListenStats()
  private readonly ingest: Ingest
  private readonly now: () => number
  private readonly numbers: PacketNumberSource
  private readonly policy: ResponderPolicy | undefined
  private readonly recent = new RecentPackets()
  private readonly timers = new Set<NodeJS.Timeout>()
  private expiryTimer: NodeJS.Timeout | undefined
  private stopping: Promise<void> | undefined
  private stopped = false
  private ownAddresses: Set<string>
  /** What start() has to say (the multicast join), told by announce() once the listeners are attached. */
  private readonly startWarnings: string[] = []

  private constructor(
    private readonly endpoint: UdpEndpoint,
    private readonly options: ListenOptions,
  ) {
    super()
    this.now = options.now ?? Date.now
    this.ingest = new Ingest({
      process: (datagram) => this.handle(datagram),
      limits: options.queueLimits,
      now: this.now,
    })
    this.numbers = options.packetNumbers ?? new PacketNumberSource()
    this.ownAddresses = new Set(endpoint.localAddresses())
    if (options.respond) {
      // All our networks' broadcast addresses, not only the --to targets: a forged source of one is never answered.
      const broadcasts = new Set(localBroadcastAddresses())
      this.policy = new ResponderPolicy({
        self: options.respond.self,
        ownAddresses: () => [...this.ownAddresses],
        ownPort: endpoint.port,
        limiter: new RateLimiter({...DEFAULT_REPLY_LIMITS, ...options.respond.limits}),
        random: Math.random,
        isBroadcast: (address) =>
          broadcasts.has(address) ||
          options.respond!.targets.some((t) => t.kind !== 'unicast' && t.address === address),
        charset: options.respond.charset,
        peerCharset: (address) => this.presence.peerCharset(address),
        hostList: options.respond.serveList ? () => this.servedList() : undefined,
      })
    }
  }

  /** Our host list: the address we list ourselves at is the bound one, else our first address beyond loopback. */
  private servedList() {
    const {self} = this.options.respond!
    const bound = this.options.address
    const address = bound && bound !== '0.0.0.0' ? bound : [...this.ownAddresses].find((a) => !a.startsWith('127.'))
    return servedHostList({...self, address, port: this.endpoint.port}, this.presence.rows())
  }

  get port(): number {
    return this.endpoint.port
  }

  get responder(): ResponderPolicy | undefined {
    return this.policy
  }

  /** The counters, up to date (one object, updated in place). */
  get stats(): ListenStats {
    const {counts, ingest} = this
    counts.datagrams = ingest.received
    counts.overflow = ingest.queue.overflow
    counts.unprocessed = ingest.unprocessed
    counts.queuePeak = ingest.queue.peak
    this.readKernelDrops()
    return counts
  }

  static async start(options: ListenOptions): Promise<ListenSession> {
    const endpoint = await openUdpEndpoint({
      address: options.address,
      port: options.port,
      portFlag: '--port',
      addressFlag: '--address',
      recvBufferSize: options.recvBufferSize,
    })
    const session = new ListenSession(endpoint, options)
    endpoint.setReceiver(
      (data, address, port) => session.ingest.receive(data, address, port),
      (bytes, meta, count, drained) => session.ingest.receiveBatch(bytes, meta, count, drained),
    )
    endpoint.on('error', (error) => session.emit('error', error))
    if (options.groupChat) session.joinGroupChat()
    if (options.expireMs !== undefined) {
      const expireEvery = Math.max(50, Math.min(1000, Math.floor(options.expireMs / 4)))
      session.expiryTimer = setInterval(() => session.expire(options.expireMs!), expireEvery)
      session.expiryTimer.unref()
    }

    return session
  }

  /** Pause showing datagrams while the output is backed up; reading goes on into the bounded queue (counted). */
  holdOutput(): void {
    this.ingest.hold()
  }

  resumeOutput(): void {
    this.ingest.resume()
  }

  /** Tells what start() could not do; when responding, announces us (BR_ENTRY). Call once listeners are attached. */
  async announce(): Promise<void> {
    for (const message of this.startWarnings.splice(0)) this.emit('warning', message)
    if (this.options.respond) await this.broadcastEntry(MODES.BR_ENTRY)
  }

  /** Stop reading; when responding, say goodbye with BR_EXIT. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.expiryTimer)
      this.endpoint.readPromptly() // paced reads would hide what waits from the drain below
      // A signal can be handled before the reads of datagrams that arrived earlier: take those first, then show
      // everything read.
      await this.ingest.stop({readMs: DRAIN_MAX_MS, processMs: STOP_PROCESS_MAX_MS})
      this.stopped = true
      for (const timer of this.timers) clearTimeout(timer)
      this.timers.clear()
      if (this.options.respond && !this.endpoint.closed) {
        await this.broadcastEntry(MODES.BR_EXIT)
        await new Promise((resolve) => setTimeout(resolve, EXIT_REPEAT_DELAY_MS))
        await this.broadcastEntry(MODES.BR_EXIT)
      }

      this.endpoint.setReceiver(() => {})
      this.readKernelDrops() // the last count: the socket is about to close
      await this.endpoint.close()
    })()
    return this.stopping
  }

  private joinGroupChat(): void {
    const {joined, failed} = this.endpoint.joinMulticast(FEIQIU_GROUP_ADDRESS)
    for (const {address, reason} of failed) {
      this.startWarnings.push(`could not join group chat ${FEIQIU_GROUP_ADDRESS} on ${address}: ${reason}`)
    }

    if (joined.length === 0 && failed.length === 0) {
      this.startWarnings.push(`no IPv4 interface to join group chat ${FEIQIU_GROUP_ADDRESS} on`)
    }
  }

  private readKernelDrops(): void {
    if (!this.endpoint.closed) this.counts.kernelDrops = this.endpoint.kernelDrops() ?? null
  }

  private async broadcastEntry(mode: number): Promise<void> {
    const {self, targets} = this.options.respond!
    const command = mode | CAPUTF8OPT | (self.absent ? ABSENCEOPT : 0)
    // A broadcast reaches every kind of peer: UTF-8 with the UTF-8 extension (§1.4) unless --encoding says. In a
    // legacy charset it is legacy throughout: Feiqiu and iptux convert the whole section, extension bytes included.
    const charset = sendCharset({requested: this.options.respond!.charset})
    const packet: OutgoingPacket = {
      packetNo: this.numbers.next(),
      user: self.user,
      host: self.host,
      command,
      nickname: self.nickname,
      group: self.group,
      ...(charset === 'utf-8' ? {} : {utf8Extension: false}),
    }
    const {bytes} = encode(packet, {charset})
    for (const target of targets) {
      try {
        await this.endpoint.send(bytes, target.port, target.address)
      } catch (error) {
        this.emit('warning', `could not send ${modeName(mode)} to ${target.address}: ${(error as Error).message}`)
      }
    }
  }

  private expire(expireMs: number): void {
    const changed = this.presence.expire(this.now(), expireMs)
    if (changed.length > 0) this.emit('presence', changed)
  }

  private isSelf(from: Endpoint, packet: Packet | undefined): boolean {
    if (from.port !== this.endpoint.port || !this.ownAddresses.has(from.address)) return false
    const self = this.options.respond?.self
    return self === undefined || packet === undefined || (packet.user === self.user && packet.host === self.host)
  }

  /** One datagram from the queue, in arrival order. */
  private handle({data, from, ip, receivedAt}: QueuedDatagram): void {
    if (this.stopped) return
    const peerCharset = this.presence.peerCharset(from.address)
    const result = decode(data, peerCharset ? {...this.options.decodeOptions, peerCharset} : this.options.decodeOptions)
    const datagram: ReceivedDatagram = {data, from, receivedAt, result}
    const packet = result.ok ? result.packet : undefined
    // The rate limits count replies when they are sent: decided now, not when the datagram was read.
    if (packet && this.policy) this.answer(packet, from, this.now())
    if (this.options.filter && !this.options.filter(datagram)) {
      this.counts.filtered++
      return
    }

    if (packet) {
      this.counts.ipmsg++
      if (this.recent.seen(from.address, from.port, packet.packetNo, packet.command, receivedAt, ip)) {
        datagram.duplicate = true
        this.counts.duplicates++
      }

      if (this.isSelf(from, packet)) {
        this.counts.fromSelf++
      } else if (this.listenerCount('presence') === 0) {
        this.presence.record(packet, from, receivedAt, ip)
      } else {
        const changed = this.presence.observeChange(packet, from, receivedAt, ip)
        if (changed) this.emit('presence', [changed])
      }
    }

    this.emit('datagram', datagram)
  }

  private answer(packet: Packet, from: Endpoint, nowMs: number): void {
    for (const reply of this.policy!.decide(packet, from, nowMs)) {
      if (reply.delayMs <= 0) {
        this.sendReply(reply)
        continue
      }

      const timer = setTimeout(() => {
        this.timers.delete(timer)
        this.sendReply(reply)
      }, reply.delayMs)
      this.timers.add(timer)
    }
  }

  private sendReply(reply: PlannedReply): void {
    const packetNo = this.numbers.next()
    let bytes: Uint8Array
    try {
      bytes = encode({...reply.packet, packetNo}, {charset: reply.charset, truncate: true}).bytes
    } catch {
      this.counts.replyErrors++
      return
    }

    this.endpoint.send(bytes, reply.to.port, reply.to.address).then(
      () => {
        this.counts.replies++
        this.emit('replied', {
          to: reply.to,
          mode: modeName(modeOf(reply.packet.command)),
          packetNo,
          reason: reply.reason,
        })
      },
      (error: Error) => {
        this.counts.replyErrors++
        this.emit('warning', `could not answer ${reply.to.address}:${reply.to.port}: ${error.message}`)
      },
    )
  }
}
