// What announce hears in its window: our own echoes set apart, each datagram decoded (in the charset its peer is
// known to write), duplicates marked, peers' presence and first-reply RTT noted, and at most maxReplies kept.
import type {Endpoint} from '../net/endpoint.js'
import type {DecodeOptions, Packet} from '../protocol/types.js'
import type {ReceivedDatagram} from './received-datagram.js'

import {decode} from '../protocol/decode.js'
import {peerKey, type PeerRow, Presence} from './presence.js'
import {RecentPackets} from './recent-packets.js'

/** Replies kept for the report; beyond that they are counted (a flood during --wait must not grow memory). */
export const MAX_REPLIES_KEPT = 100_000

export interface ReceivedReply extends ReceivedDatagram {
  /** Time since the send of the round this reply belongs to. */
  rttMs: number
  /** True when the reply acknowledges one of our packets (RECVMSG with our number, ANSENTRY to our BR_ENTRY, …). */
  acknowledges: boolean
}

export interface PeerSummary extends PeerRow {
  /** Round-trip time of the first reply from this peer. */
  rttMs: number
  /** True when one of its replies acknowledged our packet. */
  acknowledged: boolean
}

export interface ReplyCollectorOptions {
  /** Our own packet heard back on our own socket (a broadcast comes back to us too). */
  isEcho: (data: Buffer, from: Endpoint) => boolean
  /** The packet acknowledges one of ours. */
  acknowledges: (packet: Packet) => boolean
  decodeOptions?: DecodeOptions
  /** Replies kept (default MAX_REPLIES_KEPT); the rest are counted in repliesDropped. */
  maxReplies?: number
}

export class ReplyCollector {
  readonly replies: ReceivedReply[] = []
  readonly presence = new Presence()
  echoes = 0
  repliesDropped = 0
  duplicates = 0
  /** When the last reply came (undefined: nothing yet). */
  lastReplyAt?: number
  private readonly recent = new RecentPackets()
  private readonly firstReply = new Map<string, {acknowledged: boolean; rttMs: number}>()

  constructor(private readonly options: ReplyCollectorOptions) {}

  /** Distinct sources that answered (peers, and senders of datagrams that are not IPMsg). */
  get answered(): number {
    return this.firstReply.size
  }

  /** The reply this datagram is, its RTT counted from roundStartedAt; undefined for an echo of our own. */
  collect(data: Buffer, from: Endpoint, receivedAt: number, roundStartedAt: number): ReceivedReply | undefined {
    if (this.options.isEcho(data, from)) {
      this.echoes++
      return undefined
    }

    const peerCharset = this.presence.peerCharset(from.address)
    const decoded = decode(data, {...this.options.decodeOptions, ...(peerCharset ? {peerCharset} : {})})
    const packet = decoded.ok ? decoded.packet : undefined
    const acknowledges = packet !== undefined && this.options.acknowledges(packet)
    const rttMs = Math.max(0, receivedAt - roundStartedAt)
    const reply: ReceivedReply = {data, from, receivedAt, result: decoded, rttMs, acknowledges}
    if (packet && this.recent.seen(from.address, from.port, packet.packetNo, packet.command, receivedAt)) {
      reply.duplicate = true
      this.duplicates++
    }

    if (this.replies.length < (this.options.maxReplies ?? MAX_REPLIES_KEPT)) this.replies.push(reply)
    else this.repliesDropped++
    if (packet) this.presence.observe(packet, from, receivedAt)
    const key = packet ? peerKey(from.address, from.port, packet.user, packet.host) : peerKey(from.address, from.port)
    const first = this.firstReply.get(key)
    if (first === undefined) this.firstReply.set(key, {acknowledged: acknowledges, rttMs})
    else if (acknowledges) first.acknowledged = true
    this.lastReplyAt = receivedAt
    return reply
  }

  /** Every peer heard, with the RTT of its first reply and whether it acknowledged our packet. */
  peers(): PeerSummary[] {
    return this.presence.rows().map((row) => {
      const first = this.firstReply.get(peerKey(row.address, row.port, row.user, row.host))
      return {...row, acknowledged: first?.acknowledged ?? false, rttMs: first?.rttMs ?? 0}
    })
  }
}
