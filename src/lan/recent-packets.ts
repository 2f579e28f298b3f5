// Duplicate detection (§4 of ../shared/protocol/ipmsg.md): retransmissions reuse the packet number, so a
// packet is a duplicate when (source IP, user, host, packetNo) was seen recently. Windows keeps the last 32.
import {BoundedMap} from './bounded-map.js'

export interface PacketIdentity {
  /** Source IP address of the datagram. */
  address: string
  user: string
  host: string
  packetNo: number
}

/** Windows remembers 32 packets (MAX_PACKETLOG, §4); fewer would miss duplicates Windows itself catches. */
export const MIN_RECENT_PACKETS = 32
export const DEFAULT_RECENT_PACKETS = 1024

export class RecentPackets {
  private readonly recent: BoundedMap<string, true>

  constructor(capacity: number = DEFAULT_RECENT_PACKETS) {
    if (!Number.isSafeInteger(capacity) || capacity < MIN_RECENT_PACKETS) {
      throw new RangeError(`RecentPackets: capacity must be an integer >= ${MIN_RECENT_PACKETS}, got ${capacity}`)
    }

    this.recent = new BoundedMap(capacity)
  }

  get capacity(): number {
    return this.recent.maxSize
  }

  /** Identities forgotten to stay within capacity. */
  get evictions(): number {
    return this.recent.evictions
  }

  get size(): number {
    return this.recent.size
  }

  /** Whether the identity is remembered, without recording it. */
  has(id: PacketIdentity): boolean {
    return this.recent.has(keyOf(id))
  }

  /**
   * Records the identity and tells whether it had been seen before. A repeat counts as a use, so a packet that
   * keeps being retransmitted stays remembered.
   */
  seen(id: PacketIdentity): boolean {
    const key = keyOf(id)
    const before = this.recent.has(key)
    this.recent.set(key, true)
    return before
  }
}

// JSON keeps the parts apart whatever bytes a user or host name holds.
function keyOf({address, user, host, packetNo}: PacketIdentity): string {
  return JSON.stringify([address, user, host, packetNo])
}
