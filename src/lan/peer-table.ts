// The rows of the peer table (presence.ts): at most `capacity`, the least recently seen evicted first, found by
// endpoint (address and port) and names. Under a flood from new sources every datagram makes a row and evicts one;
// with two Maps keyed by strings that cost a key string per datagram, kept for a while and then garbage, and a
// rebuilt hash table every ~20,000 rows: together ~60 MiB of a 150 MiB peak (bench: memory). Here the index is
// typed arrays (open addressing by IPv4 address and port, an LRU list and the rows of an endpoint as linked
// slots), so finding, adding and evicting a row allocates nothing; the row objects are reused.

import {dottedQuadToNumber} from '../net/ipv4.js'
import {fmix32, randomHashKey} from './keyed-hash.js'

export interface TableRow {
  address: string
  port: number
  user: string
  host: string
}

const NONE = -1
// A slot's record: its fields' offsets, and its size (8 ints: two records a 64-byte cache line).
const IP = 0
const PORT = 1
const KIND = 2
const OLDER = 3
const NEWER = 4
const SAME_ENDPOINT = 5
const STRIDE = 8

export class PeerTable<R extends TableRow> {
  readonly capacity: number
  private count = 0
  private evicted = 0
  private readonly rows: Array<R | undefined>
  // Per slot, side by side in one record of STRIDE ints (a lookup and its LRU update touch few cache lines: in a run
  // they are mostly cold): the endpoint (an IPv4 address as int32 and the port; or the id of another address, kind
  // 1), the LRU list (older, newer) and the next slot at the same endpoint.
  private readonly slots: Int32Array
  private oldest = NONE
  private newest = NONE
  // Open addressing (linear probing) from endpoint to its first slot; twice as many buckets as slots.
  private readonly mask: number
  private readonly shift: number
  private readonly buckets: Int32Array
  // Addresses that are not dotted quads (never from an IPv4 socket) get ids: address -> [id, rows there].
  private readonly otherIds = new Map<string, [number, number]>()
  private nextOtherId = 0
  // The endpoint hash's key: random per table, so that no sender can choose ports that share a bucket.
  private readonly k0: number
  private readonly k1: number
  private readonly k2: number

  /** `key` (3 words, the first two odd) is for tests that must reproduce a layout; by default it is random. */
  constructor(capacity: number, key: Uint32Array = randomHashKey(3)) {
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new RangeError(`PeerTable: capacity must be an integer from 1 to 2^24, got ${capacity}`)
    }

    this.capacity = capacity
    this.rows = Array.from({length: capacity}, () => undefined)
    this.slots = new Int32Array(capacity * STRIDE)
    let bits = 1
    while (2 ** bits < capacity * 2) bits++
    const buckets = 2 ** bits
    this.mask = buckets - 1
    this.shift = 32 - bits
    this.buckets = new Int32Array(buckets).fill(NONE)
    this.k0 = key[0] | 1
    this.k1 = key[1] | 1
    this.k2 = key[2] | 0
  }

  /** Rows pushed out to make room. */
  get evictions(): number {
    return this.evicted
  }

  get size(): number {
    return this.count
  }

  /**
   * The row of these names at this endpoint, marked as the most recently seen. `ip`: the address as
   * dottedQuadToNumber gives it, when the caller has it (no parse per datagram).
   */
  // eslint-disable-next-line max-params -- per datagram: the endpoint's parts as primitives
  get(address: string, port: number, user: string, host: string, ip = dottedQuadToNumber(address)): R | undefined {
    const slot = this.find(address, port, user, host, ip)
    if (slot === NONE) return undefined
    this.touch(slot)
    return this.rows[slot]
  }

  /** Like get, without marking it seen. */
  peek(address: string, port: number, user: string, host: string): R | undefined {
    const slot = this.find(address, port, user, host, dottedQuadToNumber(address))
    return slot === NONE ? undefined : this.rows[slot]
  }

  /** The row at this endpoint when it is the only one there (marked as seen), else undefined. */
  onlyRowAt(address: string, port: number, ip = dottedQuadToNumber(address)): R | undefined {
    const first = this.firstAt(address, port, ip)
    if (first === NONE || this.slots[first * STRIDE + SAME_ENDPOINT] !== NONE) return undefined
    this.touch(first)
    return this.rows[first]
  }

  /**
   * Adds a row at this address and port (the row's own, given as arguments so that a row need not keep the
   * datagram's address string; they and its user and host are what it is found by, so they must not change while
   * it is held); when the table is full, the least recently seen row is dropped first. `reuse` receives the dropped
   * row, to be filled and returned as the new one (no new object), or undefined when none was dropped. `ip`: as
   * for get.
   */
  add(address: string, port: number, make: (reuse: R | undefined) => R, ip = dottedQuadToNumber(address)): R {
    let slot: number
    let reuse: R | undefined
    if (this.count < this.capacity) {
      slot = this.count++
    } else {
      slot = this.oldest
      reuse = this.rows[slot]
      this.unlinkEndpoint(slot)
      this.unlinkLru(slot)
      this.evicted++
    }

    const row = make(reuse)
    this.rows[slot] = row
    this.linkEndpoint(slot, address, port, ip)
    this.linkNewest(slot)
    return row
  }

  /**
   * Every row, from the least to the most recently seen.
   * @yields each row
   */
  *values(): IterableIterator<R> {
    for (let slot = this.oldest; slot !== NONE; slot = this.slots[slot * STRIDE + NEWER]) yield this.rows[slot]!
  }

  // eslint-disable-next-line max-params -- per datagram: the endpoint's parts as primitives
  private find(address: string, port: number, user: string, host: string, ip: number): number {
    for (let slot = this.firstAt(address, port, ip); slot !== NONE; slot = this.slots[slot * STRIDE + SAME_ENDPOINT]) {
      const row = this.rows[slot]!
      if (row.user === user && row.host === host) return slot
    }

    return NONE
  }

  /** The first slot at an endpoint (`ip`: dottedQuadToNumber of the address), or NONE. */
  private firstAt(address: string, port: number, ip: number): number {
    let kind = 0
    if (ip === -1) {
      const other = this.otherIds.get(address)
      if (other === undefined) return NONE
      ip = other[0]
      kind = 1
    }

    ip |= 0 // as the records hold it
    for (let b = this.bucketOf(ip, port); ; b = (b + 1) & this.mask) {
      const slot = this.buckets[b]
      if (slot === NONE) return NONE
      if (this.isAt(slot, ip, port, kind)) return slot
    }
  }

  /** Whether the slot is at this endpoint (ip: as int32). */
  private isAt(slot: number, ip: number, port: number, kind: number): boolean {
    const at = slot * STRIDE
    const {slots} = this
    return slots[at + IP] === ip && slots[at + PORT] === port && slots[at + KIND] === kind
  }

  /**
   * How far each endpoint's entry sits from its home bucket (0: in it), for every endpoint held: what a lookup
   * probes. For tests of the layout; it walks the whole index.
   */
  probeLengths(): number[] {
    const lengths: number[] = []
    for (let b = 0; b <= this.mask; b++) {
      const slot = this.buckets[b]
      if (slot === NONE) continue
      const at = slot * STRIDE
      lengths.push((b - this.bucketOf(this.slots[at + IP], this.slots[at + PORT])) & this.mask)
    }

    return lengths
  }

  /** Keyed multiply-add, then fmix32 (keyed-hash.ts); the bucket is the high bits. */
  private bucketOf(ip: number, port: number): number {
    return fmix32((Math.imul(ip, this.k0) + Math.imul(port + 1, this.k1) + this.k2) | 0) >>> this.shift
  }

  private linkEndpoint(slot: number, address: string, port: number, ip: number): void {
    let kind = 0
    if (ip === -1) {
      let other = this.otherIds.get(address)
      if (other === undefined) {
        other = [this.nextOtherId++ >>> 0, 0]
        this.otherIds.set(address, other)
      }

      other[1]++
      ip = other[0]
      kind = 1
    }

    ip |= 0 // as the records hold it
    this.slots[slot * STRIDE + IP] = ip
    this.slots[slot * STRIDE + PORT] = port
    this.slots[slot * STRIDE + KIND] = kind
    for (let b = this.bucketOf(ip, port); ; b = (b + 1) & this.mask) {
      const first = this.buckets[b]
      if (first === NONE) {
        this.buckets[b] = slot
        this.slots[slot * STRIDE + SAME_ENDPOINT] = NONE
        return
      }

      if (this.isAt(first, ip, port, kind)) {
        // Behind the endpoint's first row: the bucket keeps pointing at a row of this endpoint.
        this.slots[slot * STRIDE + SAME_ENDPOINT] = this.slots[first * STRIDE + SAME_ENDPOINT]
        this.slots[first * STRIDE + SAME_ENDPOINT] = slot
        return
      }
    }
  }

  private unlinkEndpoint(slot: number): void {
    const ip = this.slots[slot * STRIDE + IP]
    const port = this.slots[slot * STRIDE + PORT]
    const kind = this.slots[slot * STRIDE + KIND]
    if (kind === 1) {
      const {address} = this.rows[slot]!
      const other = this.otherIds.get(address)
      if (other !== undefined && --other[1] === 0) this.otherIds.delete(address)
    }

    let b = this.bucketOf(ip, port)
    while (this.buckets[b] !== slot) {
      const first = this.buckets[b]
      if (first === NONE) throw new Error('PeerTable: a row is missing from its endpoint index')
      if (this.isAt(first, ip, port, kind)) {
        // Not the first row of its endpoint: take it out of the endpoint's list.
        let before = first
        while (this.slots[before * STRIDE + SAME_ENDPOINT] !== slot)
          before = this.slots[before * STRIDE + SAME_ENDPOINT]
        this.slots[before * STRIDE + SAME_ENDPOINT] = this.slots[slot * STRIDE + SAME_ENDPOINT]
        return
      }

      b = (b + 1) & this.mask
    }

    const next = this.slots[slot * STRIDE + SAME_ENDPOINT]
    if (next !== NONE) {
      this.buckets[b] = next // the next row of the endpoint becomes its first
      return
    }

    // The endpoint's last row: empty the bucket and move back any later entry that probed past it.
    this.buckets[b] = NONE
    let hole = b
    for (let j = (b + 1) & this.mask; this.buckets[j] !== NONE; j = (j + 1) & this.mask) {
      const first = this.buckets[j]
      const home = this.bucketOf(this.slots[first * STRIDE + IP], this.slots[first * STRIDE + PORT])
      // It stays when its home bucket is cyclically in (hole, j]; otherwise it moves into the hole.
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j
      if (!stays) {
        this.buckets[hole] = first
        this.buckets[j] = NONE
        hole = j
      }
    }
  }

  private touch(slot: number): void {
    if (slot === this.newest) return
    this.unlinkLru(slot)
    this.linkNewest(slot)
  }

  private unlinkLru(slot: number): void {
    const before = this.slots[slot * STRIDE + OLDER]
    const after = this.slots[slot * STRIDE + NEWER]
    if (before === NONE) this.oldest = after
    else this.slots[before * STRIDE + NEWER] = after
    if (after === NONE) this.newest = before
    else this.slots[after * STRIDE + OLDER] = before
  }

  private linkNewest(slot: number): void {
    this.slots[slot * STRIDE + OLDER] = this.newest
    this.slots[slot * STRIDE + NEWER] = NONE
    if (this.newest === NONE) this.oldest = slot
    else this.slots[this.newest * STRIDE + NEWER] = slot
    this.newest = slot
  }
}
