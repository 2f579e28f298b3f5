// A Map with a hard size limit, for every piece of per-peer state: a flood from 100,000 spoofed sources must
// not grow memory without bound (§8.2 of ../shared/protocol/ipmsg.md).

/**
 * A Map that holds at most `maxSize` entries and evicts the **least recently used** one when a new key would
 * exceed it. "Used" means `set` or `get`; `peek` does not change the order, so reading state for display never
 * keeps an entry alive.
 */
export class BoundedMap<K, V> {
  readonly maxSize: number
  private evicted = 0
  private readonly map = new Map<K, V>()
  // Kept at the oldest entry. V8 leaves a deleted entry as a hole until the table is rebuilt, and a fresh
  // iterator skips every hole before the first live entry: evicting with `map.keys().next()` cost O(size)
  // each time (6 s for 200,000 new keys at 10,000 entries, a flood of spoofed sources). A kept iterator
  // passes each hole once. It never stops before a live entry, since every key before it was deleted.
  private oldest: IterableIterator<K> = this.map.keys()
  // The most recently used key: using it again changes no order, so get() skips the delete and set (a flood from
  // one source asks for the same key every time, and each delete leaves a hole that costs a rehash later).
  private newest: K | undefined
  private hasNewest = false

  constructor(maxSize: number) {
    if (!Number.isSafeInteger(maxSize) || maxSize < 1) {
      throw new RangeError(`BoundedMap: maxSize must be a positive integer, got ${maxSize}`)
    }

    this.maxSize = maxSize
  }

  /** How many entries were pushed out to respect maxSize (deletes are not counted). */
  get evictions(): number {
    return this.evicted
  }

  get size(): number {
    return this.map.size
  }

  delete(key: K): boolean {
    if (this.hasNewest && key === this.newest) this.forgetNewest()
    return this.map.delete(key)
  }

  /** The value, marked as most recently used. */
  get(key: K): undefined | V {
    const value = this.map.get(key)
    if (this.hasNewest && key === this.newest) return value
    if (value === undefined && !this.map.has(key)) return undefined
    this.map.delete(key)
    this.map.set(key, value as V)
    this.newest = key
    this.hasNewest = true
    return value
  }

  /** The value without marking it as used. */
  peek(key: K): undefined | V {
    return this.map.get(key)
  }

  /** Stores the value as most recently used; evicts the least recently used entry when the map is full. */
  set(key: K, value: V): this {
    if (this.hasNewest && key === this.newest) {
      this.map.set(key, value) // already the most recently used: stays in place
      return this
    }

    if (this.map.has(key)) {
      this.map.delete(key)
    } else if (this.map.size >= this.maxSize) {
      let oldest = this.oldest.next()
      if (oldest.done) {
        // Not expected while the map is full (a live entry lies ahead), but an exhausted iterator never recovers.
        this.oldest = this.map.keys()
        oldest = this.oldest.next()
      }

      this.map.delete(oldest.value as K)
      this.evicted++
    }

    this.map.set(key, value)
    this.newest = key
    this.hasNewest = true
    return this
  }

  private forgetNewest(): void {
    this.newest = undefined
    this.hasNewest = false
  }
}
