// The announce conversation: send one packet (or raw bytes) to every target, resend unicasts that ask for a
// receipt until acknowledged (§3.6), and collect every datagram that arrives in the wait window.
// No printing: progress goes out as events, the outcome is returned as data.
import {EventEmitter} from 'node:events'

import type {Target} from '../net/targets.js'
import type {DecodeOptions, OutgoingPacket} from '../protocol/types.js'
import type {Delivery} from './delivery-tracker.js'
import type {Outgoing, SentPacket} from './our-packets.js'
import type {PeerSummary, ReceivedReply} from './reply-collector.js'
import type {SweepPlan, SweepReport} from './sweep.js'
import type {HostListReport} from './host-list-fetch.js'
import type {ViaHost} from './host-list-run.js'

import {openUdpEndpoint} from '../net/udp-endpoint.js'
import {AnnounceConversation} from './announce-conversation.js'
import {PacketNumberSource} from './packet-number-store.js'
import {WakeableSleep} from './wakeable-sleep.js'

export type {Delivery} from './delivery-tracker.js'
export type {SweepPlan, SweepReport} from './sweep.js'
export type {HostListReport} from './host-list-fetch.js'
export type {ViaHost} from './host-list-run.js'
export type {Outgoing, SentPacket, WrittenPacket} from './our-packets.js'
export {MAX_REPLIES_KEPT, type PeerSummary, type ReceivedReply} from './reply-collector.js'

export {ENTRY_ANSWER_WAIT_MS, MAX_WATCHED_TARGETS, RETRY_INTERVAL_MS} from './announce-conversation.js'
export {wantsAnswer} from './acknowledgement.js'

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
  /** Before the first round, the packet unicast to every address of these ranges at this rate (--sweep). */
  sweep?: SweepPlan
  /** Before the first round (and the sweep), ask these hosts for their host lists and probe every host listed. */
  via?: ViaHost[]
  /** Injected for tests. */
  now?: () => number
}

export interface AnnounceResult {
  local: {address: string; fellBack: boolean; port: number}
  targets: Target[]
  sent: SentPacket[]
  replies: ReceivedReply[]
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
  /** What the sweep probed, when there was one. */
  sweep?: SweepReport
  /** --via: each host list as read (its hosts were listed, not heard: the peers say who answered). */
  hostLists?: HostListReport[]
}

export interface AnnounceEvents {
  bound: [local: {address: string; fellBack: boolean; port: number}]
  sent: [target: Target, attempt: number, round: number]
  reply: [reply: ReceivedReply]
  waiting: [untilMs: number]
  /** --via: the host lists as read, before their hosts are probed. */
  listed: [reports: HostListReport[]]
  /** Sweep progress after each batch of probes; done once when it ends (finished or stopped). */
  swept: [sent: number, total: number, done: boolean]
}

export class Announcer extends EventEmitter<AnnounceEvents> {
  private readonly sleeper = new WakeableSleep()

  /** Ends the wait window now (Ctrl-C): what was collected is still returned. */
  abort(): void {
    this.sleeper.stop()
  }

  async run(options: AnnounceOptions): Promise<AnnounceResult> {
    const endpoint = await openUdpEndpoint({
      address: options.bindAddress,
      fallbackToEphemeral: options.fallbackToEphemeral,
      port: options.bindPort,
      portFlag: '--bind-port',
    })
    try {
      return await new AnnounceConversation(endpoint, options, options.now ?? Date.now, this.sleeper, this).run()
    } finally {
      await endpoint.close()
    }
  }
}
