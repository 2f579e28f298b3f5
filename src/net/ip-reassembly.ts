// IP fragment reassembly for capture files (RFC 791 §3.2, RFC 8200 §4.5), bounded: at most `maxSets` datagrams
// and `maxBytes` of fragments wait at once (the oldest set gives way), and a set not completed within `timeoutUs`
// of packet time (Linux's ipfrag_time: 30 s) is dropped. Overlapping fragments are laid in arrival order.

export interface ReassemblyLimits {
  maxSets: number
  maxBytes: number
  timeoutUs: number
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = {maxSets: 256, maxBytes: 8 << 20, timeoutUs: 30e6}

/** The largest reassembled IP payload: an IPv4 datagram is at most 65,535 bytes with its header. */
const MAX_PAYLOAD = 65_535

interface FragmentSet {
  firstUs: number
  /** The payload's length, once the last fragment (no "more fragments" flag) has come. */
  total: number
  bytes: number
  pieces: Array<{offset: number; data: Uint8Array}>
}

export interface ReassemblyStats {
  /** Fragments taken in. */
  fragments: number
  /** Datagrams made whole. */
  reassembled: number
  /** Fragment sets given up: incomplete when their time ran out, pushed out by the limits, or malformed. */
  dropped: number
}

export class Reassembler {
  readonly stats: ReassemblyStats = {fragments: 0, reassembled: 0, dropped: 0}
  private readonly limits: ReassemblyLimits
  private readonly sets = new Map<string, FragmentSet>()
  private bytes = 0

  constructor(limits: Partial<ReassemblyLimits> = {}) {
    this.limits = {...DEFAULT_REASSEMBLY_LIMITS, ...limits}
  }

  /** Sets waiting for more fragments. */
  get pending(): number {
    return this.sets.size
  }

  /** Bytes of fragments held. */
  get pendingBytes(): number {
    return this.bytes
  }

  /**
   * One fragment of the datagram `key` (addresses, protocol and identification): its payload bytes at `offset`,
   * `more` unless it is the last. Returns the whole payload once every byte of it has come.
   */
  // eslint-disable-next-line max-params -- a fragment's fields as the IP header gives them, on the per-packet path
  add(key: string, offset: number, more: boolean, data: Uint8Array, timeUs: number): Uint8Array | undefined {
    this.stats.fragments++
    this.expire(timeUs)
    const end = offset + data.length
    if (end > MAX_PAYLOAD || (more && data.length % 8 !== 0)) {
      this.drop(key)
      this.stats.dropped++
      return undefined
    }

    let set = this.sets.get(key)
    if (set === undefined) {
      while (this.sets.size >= this.limits.maxSets) this.dropOldest()
      set = {firstUs: timeUs, total: -1, bytes: 0, pieces: []}
      this.sets.set(key, set)
    }

    if (!more) set.total = end
    // A copy: the frame's buffer belongs to the reader and is reused.
    set.pieces.push({offset, data: Uint8Array.prototype.slice.call(data)})
    set.bytes += data.length
    this.bytes += data.length
    while (this.bytes > this.limits.maxBytes && this.sets.size > 0) this.dropOldest()
    if (!this.sets.has(key) || set.total < 0) return undefined
    return this.complete(key, set)
  }

  private complete(key: string, set: FragmentSet): Uint8Array | undefined {
    const sorted = [...set.pieces].sort((a, b) => a.offset - b.offset)
    let covered = 0
    for (const piece of sorted) {
      if (piece.offset > covered) return undefined // a hole: more to come
      covered = Math.max(covered, piece.offset + piece.data.length)
    }

    if (covered < set.total) return undefined
    if (covered > set.total) {
      this.drop(key) // a fragment beyond the last one: malformed
      this.stats.dropped++
      return undefined
    }

    const whole = new Uint8Array(set.total)
    for (const piece of set.pieces) whole.set(piece.data, piece.offset)
    this.drop(key)
    this.stats.reassembled++
    return whole
  }

  private expire(nowUs: number): void {
    // Sets are kept in arrival order: the oldest first.
    for (const [key, set] of this.sets) {
      if (nowUs - set.firstUs <= this.limits.timeoutUs) break
      this.drop(key)
      this.stats.dropped++
    }
  }

  private dropOldest(): void {
    const oldest = this.sets.keys().next().value as string
    this.drop(oldest)
    this.stats.dropped++
  }

  private drop(key: string): void {
    const set = this.sets.get(key)
    if (set === undefined) return
    this.bytes -= set.bytes
    this.sets.delete(key)
  }
}
