// Token buckets that cap how many replies lanmsg sends: per source address and in total. Every reply a
// peer can trigger is also a reply a spoofer can trigger towards a victim (§8.2 of ../shared/protocol/ipmsg.md).
import {BoundedMap} from './bounded-map.js'

export interface RateLimits {
  /** Bucket size per source: how many replies one source may get in a burst. */
  perSourcePerInterval: number
  /** Time in which a source's bucket refills completely. */
  intervalMs: number
  /** Bucket size and refill per second of the bucket shared by all sources. */
  globalPerSecond: number
  /** How many sources are tracked; the least recently used is forgotten beyond that. */
  maxSources: number
}

/**
 * - 5 per source per 10 s: one message plus the 4 resends Windows makes when an ack is lost (§3.6) fits in a
 *   burst, and a chatting peer gets a sustained reply every 2 s; a victim of spoofing gets no more than that.
 * - 50 per second in total: a whole /24 re-entering at once (switch reboot, §3.2) is answered within ~5 s,
 *   while a flood from many spoofed sources makes us send at most 50 small datagrams a second.
 * - 4096 sources: every host of a /20 keeps its own bucket; a source that is forgotten starts with a full
 *   bucket again, which the global bucket still bounds.
 */
export const DEFAULT_REPLY_LIMITS: Readonly<RateLimits> = Object.freeze({
  perSourcePerInterval: 5,
  intervalMs: 10_000,
  globalPerSecond: 50,
  maxSources: 4096,
})

interface Bucket {
  tokens: number
  updatedMs: number
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`RateLimiter: ${name} must be > 0, got ${value}`)
  return value
}

/** Refills a bucket for the time since its last update; a clock that goes backwards adds nothing. */
function refill(bucket: Bucket, capacity: number, perMs: number, nowMs: number): void {
  const elapsed = nowMs - bucket.updatedMs
  if (elapsed > 0) {
    bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * perMs)
    bucket.updatedMs = nowMs
  }
}

export class RateLimiter {
  /** Replies allowed so far. */
  allowed = 0
  /** Replies refused so far (refusedBySource + refusedGlobal). */
  refused = 0
  refusedBySource = 0
  refusedGlobal = 0
  readonly limits: Readonly<RateLimits>
  private readonly global: Bucket
  private readonly globalPerMs: number
  private readonly sourcePerMs: number
  private readonly sources: BoundedMap<string, Bucket>

  constructor(limits: Partial<RateLimits> = {}) {
    const merged = {...DEFAULT_REPLY_LIMITS, ...limits}
    this.limits = Object.freeze({
      perSourcePerInterval: positive('perSourcePerInterval', merged.perSourcePerInterval),
      intervalMs: positive('intervalMs', merged.intervalMs),
      globalPerSecond: positive('globalPerSecond', merged.globalPerSecond),
      maxSources: merged.maxSources,
    })
    this.sources = new BoundedMap(merged.maxSources)
    this.sourcePerMs = this.limits.perSourcePerInterval / this.limits.intervalMs
    this.globalPerMs = this.limits.globalPerSecond / 1000
    this.global = {tokens: this.limits.globalPerSecond, updatedMs: Number.NEGATIVE_INFINITY}
  }

  /** Sources forgotten because more than maxSources were tracked. */
  get evictions(): number {
    return this.sources.evictions
  }

  /** Sources currently tracked. */
  get trackedSources(): number {
    return this.sources.size
  }

  /**
   * Takes one token from the source's bucket and one from the global bucket, or neither: a refusal by one
   * bucket never spends the other's token.
   */
  allow(key: string, nowMs: number): boolean {
    const {perSourcePerInterval, globalPerSecond} = this.limits
    let source = this.sources.get(key)
    if (source === undefined) {
      source = {tokens: perSourcePerInterval, updatedMs: nowMs}
      this.sources.set(key, source)
    } else {
      refill(source, perSourcePerInterval, this.sourcePerMs, nowMs)
    }

    if (this.global.updatedMs === Number.NEGATIVE_INFINITY) this.global.updatedMs = nowMs
    refill(this.global, globalPerSecond, this.globalPerMs, nowMs)

    if (source.tokens < 1) {
      this.refused++
      this.refusedBySource++
      return false
    }

    if (this.global.tokens < 1) {
      this.refused++
      this.refusedGlobal++
      return false
    }

    source.tokens -= 1
    this.global.tokens -= 1
    this.allowed++
    return true
  }
}
