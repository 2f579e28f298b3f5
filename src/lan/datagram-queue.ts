// Datagrams read from the socket and not processed yet, oldest first, bounded in count and in bytes. Receiving only
// appends here; decoding and output happen later (see ingest.ts), so that a flood is read off the socket before
// the kernel's receive buffer overflows.
//
// push() runs in the read callback, for every datagram of a flood, so it keeps the garbage collector out of it:
// the payload is copied into shared 64 KiB chunks, and the sender's address (as a number), port and receive time
// go into typed arrays (27 bytes a slot; they double as needed). No JS object per datagram is kept, and nothing
// is written into a JS array: the Buffer and rinfo that dgram made die young, the scavenger has nothing of the
// queue's to copy or promote, and no write barrier records old-to-young pointers.
//
// A chunk is only ever appended to, never reused: the view handed out by shift() stays valid for as long as anyone
// keeps it.

import type {Endpoint} from '../net/endpoint.js'

import {dottedQuadToNumber} from '../net/ipv4.js'

export interface DatagramQueueLimits {
  /** Most datagrams held. */
  maxDatagrams: number
  /** Most payload bytes held (the chunks hold at most ~8/7 of it, see COPY_MAX_BYTES). */
  maxBytes: number
}

/**
 * 262,144 datagrams: a burst of 200,000 typical IPMsg datagrams (60–300 bytes) fits, at ~23 MiB for 60-byte ones
 * (16 MiB of payload, 7 MiB of slots). 32 MiB of payload bounds large datagrams: ~45 MiB at most, however they
 * come. (ingest.ts processes while the socket is busy once the queue is 3/4 full: a long flood of 60-byte
 * datagrams keeps it at ~200,000, and listen at ~150 MiB of RSS in all.)
 */
export const DEFAULT_QUEUE_LIMITS: Readonly<DatagramQueueLimits> = {maxDatagrams: 262_144, maxBytes: 32 * 1024 * 1024}

export interface QueuedDatagram {
  /** The payload: a view into a chunk shared with the datagrams received around it (never overwritten). */
  data: Uint8Array
  from: Endpoint
  /**
   * from.address as an unsigned 32-bit number (dottedQuadToNumber), -1 when it is not a dotted quad: kept from the
   * read, so that presence and the duplicate check need not parse the string back.
   */
  ip: number
  /** When it was read from the socket (ms since the epoch), not when it was processed. */
  receivedAt: number
}

const CHUNK_BYTES = 64 * 1024
/** Larger datagrams are kept as they came, uncopied: so a chunk wastes at most 1/8 of itself at its end. */
const COPY_MAX_BYTES = CHUNK_BYTES / 8
const INITIAL_CAPACITY = 1024
// Slot flags: the rare cases kept beside the typed arrays, in maps keyed by slot.
const OTHER_ADDRESS = 1 // not a dotted quad: the string is in `otherAddresses`
const LARGE = 2 // not copied: the datagram itself is in `large`

/** The decimal text of each byte value. */
const OCTETS = Array.from({length: 256}, (_, i) => String(i))

/** A copy (Buffer's slice() would be a view into the reused buffer). */
function copyOf(bytes: Uint8Array, offset: number, size: number): Uint8Array {
  const copy = new Uint8Array(size)
  copy.set(bytes.subarray(offset, offset + size))
  return copy
}

export class DatagramQueue {
  readonly limits: Readonly<DatagramQueueLimits>
  private capacity = INITIAL_CAPACITY // a power of two; grows (doubling) up to limits.maxDatagrams
  private head = 0
  private count = 0
  private held = 0
  private refused = 0
  private highest = 0
  private chunkNumbers = new Uint32Array(INITIAL_CAPACITY)
  private offsets = new Uint32Array(INITIAL_CAPACITY)
  private sizes = new Uint32Array(INITIAL_CAPACITY)
  private ports = new Uint16Array(INITIAL_CAPACITY)
  private times = new Float64Array(INITIAL_CAPACITY)
  private ips = new Uint32Array(INITIAL_CAPACITY)
  private flags = new Uint8Array(INITIAL_CAPACITY)
  private readonly otherAddresses = new Map<number, string>()
  private readonly large = new Map<number, Uint8Array>()
  private filling = new Uint8Array(CHUNK_BYTES)
  /** The chunks that queued datagrams are in, oldest first; the last one (filling) is being filled. */
  private chunks: Uint8Array[] = [this.filling]
  /** The number of chunks[0] (chunks are numbered in the order they were made). */
  private firstChunk = 0
  private chunkUsed = 0
  // The last address formatted by shift() (a flood comes from one source, mostly), and its /24's "a.b.c." (a LAN's
  // sources share it: one string made a datagram instead of seven).
  private lastIp = -1
  private lastAddress = ''
  private lastNetwork = -1
  private networkPrefix = ''

  constructor(limits: Partial<DatagramQueueLimits> = {}) {
    const merged = {...DEFAULT_QUEUE_LIMITS, ...limits}
    for (const [name, value] of Object.entries(merged)) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`DatagramQueue: ${name} must be a positive integer, got ${value}`)
    }

    this.limits = merged
  }

  /** Payload bytes held. */
  get bytes(): number {
    return this.held
  }

  /** How full the queue is: the larger of count/maxDatagrams and bytes/maxBytes (0 to 1). */
  get fill(): number {
    return Math.max(this.count / this.limits.maxDatagrams, this.held / this.limits.maxBytes)
  }

  get length(): number {
    return this.count
  }

  /** Datagrams refused because the queue was full (counted, never held). */
  get overflow(): number {
    return this.refused
  }

  /** The most datagrams held at once. */
  get peak(): number {
    return this.highest
  }

  /** Drops every datagram held; returns how many there were. */
  clear(): number {
    const dropped = this.count
    this.head = 0
    this.count = 0
    this.held = 0
    this.otherAddresses.clear()
    this.large.clear()
    this.releaseChunksBefore(this.firstChunk + this.chunks.length - 1)
    return dropped
  }

  /** Appends one datagram; false (and counted in overflow) when the count or the bytes would exceed the limits. */
  push(data: Uint8Array, address: string, port: number, receivedAt: number): boolean {
    const ip = dottedQuadToNumber(address)
    return this.append(data, 0, data.length, true, ip, ip === -1 ? address : undefined, port, receivedAt)
  }

  /**
   * Appends the datagram at bytes[offset, offset + size) from the IPv4 address `ip` (a 32-bit number; an int32
   * is taken as unsigned): for a batch read into a buffer that is reused, so the bytes are always copied.
   */
  // eslint-disable-next-line max-params -- runs per datagram of a flood: primitives, no object per datagram
  pushBytes(bytes: Uint8Array, offset: number, size: number, ip: number, port: number, receivedAt: number): boolean {
    return this.append(bytes, offset, size, false, ip >>> 0, undefined, port, receivedAt)
  }

  /** Removes and returns the oldest datagram. */
  shift(): QueuedDatagram | undefined {
    if (this.count === 0) return undefined
    const at = this.head
    const flags = this.flags[at]
    const size = this.sizes[at]
    let data: Uint8Array
    if (flags & LARGE) {
      data = this.large.get(at)!
      this.large.delete(at)
    } else {
      const chunk = this.chunks[this.chunkNumbers[at] - this.firstChunk]
      data = new Uint8Array(chunk.buffer, this.offsets[at], size)
    }

    let address: string
    let ip = -1
    if (flags & OTHER_ADDRESS) {
      address = this.otherAddresses.get(at)!
      this.otherAddresses.delete(at)
    } else {
      ip = this.ips[at]
      address = this.address(ip)
    }

    this.head = (at + 1) & (this.capacity - 1)
    this.count--
    this.held -= size
    // Let go of the chunks that only datagrams before the next one were in (all but the last, when empty). A
    // large datagram next is in no chunk: the ones before are let go of after it.
    if (this.count === 0) this.releaseChunksBefore(this.firstChunk + this.chunks.length - 1)
    else if (!(this.flags[this.head] & LARGE)) this.releaseChunksBefore(this.chunkNumbers[this.head])
    return {data, from: {address, port: this.ports[at]}, ip, receivedAt: this.times[at]}
  }

  // `owned`: the bytes are the datagram's own (a large one is kept as it is); else they are copied.
  // eslint-disable-next-line max-params -- runs per datagram of a flood: primitives, no object per datagram
  private append(
    bytes: Uint8Array,
    offset: number,
    size: number,
    owned: boolean,
    ip: number,
    otherAddress: string | undefined,
    port: number,
    receivedAt: number,
  ): boolean {
    if (this.count >= this.limits.maxDatagrams || this.held + size > this.limits.maxBytes) {
      this.refused++
      return false
    }

    if (this.count === this.capacity) this.grow()
    const at = (this.head + this.count) & (this.capacity - 1)
    let flags = 0
    if (size > COPY_MAX_BYTES) {
      this.large.set(at, owned && offset === 0 && size === bytes.length ? bytes : copyOf(bytes, offset, size))
      flags = LARGE
    } else {
      if (this.chunkUsed + size > CHUNK_BYTES) {
        this.filling = new Uint8Array(CHUNK_BYTES)
        this.chunks.push(this.filling)
        this.chunkUsed = 0
      }

      this.filling.set(
        offset === 0 && size === bytes.length ? bytes : bytes.subarray(offset, offset + size),
        this.chunkUsed,
      )
      this.chunkNumbers[at] = this.firstChunk + this.chunks.length - 1
      this.offsets[at] = this.chunkUsed
      this.chunkUsed += size
    }

    if (otherAddress === undefined) {
      this.ips[at] = ip
    } else {
      this.otherAddresses.set(at, otherAddress)
      flags |= OTHER_ADDRESS
    }

    this.flags[at] = flags
    this.sizes[at] = size
    this.ports[at] = port
    this.times[at] = receivedAt
    this.count++
    this.held += size
    if (this.count > this.highest) this.highest = this.count
    return true
  }

  private address(ip: number): string {
    if (ip !== this.lastIp) {
      const network = ip >>> 8
      if (network !== this.lastNetwork) {
        this.networkPrefix = `${ip >>> 24}.${(ip >>> 16) & 255}.${network & 255}.`
        this.lastNetwork = network
      }

      this.lastAddress = this.networkPrefix + OCTETS[ip & 255]
      this.lastIp = ip
    }

    return this.lastAddress
  }

  /** Doubles the arrays (the queue is full at the current capacity), oldest entry first at index 0. */
  private grow(): void {
    const capacity = this.capacity * 2
    const {head} = this
    const copy = <T extends Float64Array | Uint8Array | Uint16Array | Uint32Array>(from: T, to: T): T => {
      const tail = from.subarray(head)
      to.set(tail)
      to.set(from.subarray(0, head), tail.length)
      return to
    }

    this.chunkNumbers = copy(this.chunkNumbers, new Uint32Array(capacity))
    this.offsets = copy(this.offsets, new Uint32Array(capacity))
    this.sizes = copy(this.sizes, new Uint32Array(capacity))
    this.ports = copy(this.ports, new Uint16Array(capacity))
    this.times = copy(this.times, new Float64Array(capacity))
    this.ips = copy(this.ips, new Uint32Array(capacity))
    this.flags = copy(this.flags, new Uint8Array(capacity))
    // The slots move: slot s goes to (s - head) mod old capacity.
    const moved = (map: Map<number, unknown>) => {
      const entries = [...map].map(([slot, value]) => [(slot - head + this.capacity) & (this.capacity - 1), value])
      map.clear()
      for (const [slot, value] of entries) map.set(slot as number, value)
    }

    moved(this.otherAddresses)
    moved(this.large)
    this.head = 0
    this.capacity = capacity
  }

  private releaseChunksBefore(chunkNumber: number): void {
    const drop = chunkNumber - this.firstChunk
    if (drop <= 0) return
    this.chunks.splice(0, drop)
    this.firstChunk = chunkNumber
  }
}
