// Duplicate detection (§4 of ../shared/protocol/ipmsg.md). A packet is a duplicate when the same source address and
// port sent the same packet number with the same command a moment ago: a retransmission (Windows and iptux resend
// the same number about once a second, Windows padded with NULs) or one broadcast heard twice (libipmsg and iptux
// send each broadcast to 255.255.255.255 and to the subnet's broadcast address with one number).
//
// On the per-datagram path, so: a set-associative cache in typed arrays. A keyed hash (keyed-hash.ts) picks a
// bucket of WAYS entries; a new packet takes the bucket's oldest entry. Each datagram costs one hash and at most
// WAYS comparisons, memory is fixed, and no sender can choose which packets push which out.
import {dottedQuadToNumber} from '../net/ipv4.js'
import {fmix32, randomHashKey} from './keyed-hash.js'

/** Entries per bucket. */
const WAYS = 4
/** Windows remembers 32 packets (MAX_PACKETLOG, §4); fewer would miss duplicates Windows itself catches. */
export const MIN_RECENT_PACKETS = 32
/** 4,096 packets: at office rates (a few a second) every packet is remembered for the whole window. */
export const DEFAULT_RECENT_PACKETS = 4096
/**
 * How long a repeat counts as a duplicate: Windows resends up to 4 times ~1 s apart, iptux 4 times 1 s apart.
 * Longer would take a restarted client's first packets (iptux and Feiqiu count from 1 again) for old ones.
 */
export const DUPLICATE_WINDOW_MS = 10_000

export interface RecentPacketsOptions {
  /** Packets remembered: a power of two, at least MIN_RECENT_PACKETS. */
  capacity?: number
  windowMs?: number
  /** The hash key (5 words), for tests that must reproduce a layout; random by default. */
  key?: Uint32Array
}

// An entry: [address, port + 1 (0: empty; + OTHER for an address that is not a dotted quad), packet number, command].
const FIELDS = 4
const OTHER = 1 << 17

/** A 32-bit hash of an address that is not a dotted quad (never from an IPv4 socket; tests and IPv6). */
function otherAddressHash(address: string): number {
  let h = 0x81_1c_9d_c5
  for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 0x01_00_01_93)
  return h | 0
}

export class RecentPackets {
  readonly capacity: number
  readonly windowMs: number
  private readonly entries: Int32Array
  private readonly stamps: Float64Array
  private readonly shift: number
  private readonly key: Uint32Array
  private held = 0
  private replaced = 0

  constructor(options: RecentPacketsOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_RECENT_PACKETS
    if (
      !Number.isSafeInteger(capacity) ||
      capacity < MIN_RECENT_PACKETS ||
      capacity > 1 << 24 ||
      capacity & (capacity - 1)
    ) {
      throw new RangeError(
        `RecentPackets: capacity must be a power of two from ${MIN_RECENT_PACKETS} to 2^24, got ${capacity}`,
      )
    }

    this.capacity = capacity
    this.windowMs = options.windowMs ?? DUPLICATE_WINDOW_MS
    this.entries = new Int32Array(capacity * FIELDS)
    this.stamps = new Float64Array(capacity)
    this.shift = 32 - Math.log2(capacity / WAYS)
    this.key = options.key ?? randomHashKey(5)
  }

  /** Packets remembered. */
  get size(): number {
    return this.held
  }

  /** Packets forgotten to make room for newer ones. */
  get evictions(): number {
    return this.replaced
  }

  /**
   * Records the packet and tells whether the same one (address, port, packet number, command) was recorded less
   * than windowMs before nowMs. A repeat refreshes the time, so a packet resent again and again stays a duplicate.
   * `ip`: the address as dottedQuadToNumber gives it, when the caller has it (the datagram queue does).
   */
  // eslint-disable-next-line max-params -- runs per datagram: the key's parts as primitives, no object per datagram
  seen(
    address: string,
    port: number,
    packetNo: number,
    command: number,
    nowMs: number,
    ip = dottedQuadToNumber(address),
  ): boolean {
    let tag = port + 1
    if (ip === -1) {
      ip = otherAddressHash(address)
      tag |= OTHER
    }

    ip |= 0
    packetNo |= 0
    command |= 0
    const k = this.key
    const hash = fmix32(
      (Math.imul(ip, k[0] | 1) +
        Math.imul(tag, k[1] | 1) +
        Math.imul(packetNo, k[2] | 1) +
        Math.imul(command, k[3] | 1) +
        k[4]) |
        0,
    )
    // A bucket is WAYS consecutive entries; the high bits of the hash choose it.
    const first = (hash >>> this.shift) * WAYS
    const {entries, stamps} = this
    let oldest = first
    for (let slot = first; slot < first + WAYS; slot++) {
      const at = slot * FIELDS
      if (
        entries[at + 1] === tag &&
        entries[at] === ip &&
        entries[at + 2] === packetNo &&
        entries[at + 3] === command
      ) {
        const duplicate = nowMs - stamps[slot] < this.windowMs
        stamps[slot] = nowMs
        return duplicate
      }

      if (entries[at + 1] === 0 || stamps[slot] < stamps[oldest]) oldest = slot
      if (entries[at + 1] === 0) break
    }

    const at = oldest * FIELDS
    if (entries[at + 1] === 0) this.held++
    else this.replaced++
    entries[at] = ip
    entries[at + 1] = tag
    entries[at + 2] = packetNo
    entries[at + 3] = command
    stamps[oldest] = nowMs
    return false
  }
}
