import {expect} from 'chai'

import {DEFAULT_REPLY_LIMITS, RateLimiter} from '../../src/lan/rate-limit.js'

describe('lan/rate-limit', () => {
  const t0 = 1_700_000_000_000

  it('exports documented defaults', () => {
    expect(DEFAULT_REPLY_LIMITS).to.deep.equal({
      perSourcePerInterval: 5,
      intervalMs: 10_000,
      globalPerSecond: 50,
      maxSources: 4096,
    })
    expect(Object.isFrozen(DEFAULT_REPLY_LIMITS)).to.equal(true)
    expect(new RateLimiter().limits).to.deep.equal(DEFAULT_REPLY_LIMITS)
  })

  it('refuses limits that would never allow anything or are not numbers', () => {
    expect(() => new RateLimiter({perSourcePerInterval: 0})).to.throw(RangeError)
    expect(() => new RateLimiter({intervalMs: -1})).to.throw(RangeError)
    expect(() => new RateLimiter({globalPerSecond: Number.NaN})).to.throw(RangeError)
    expect(() => new RateLimiter({maxSources: 0})).to.throw(RangeError)
  })

  it('allows a burst of perSourcePerInterval per source, then refuses', () => {
    const limiter = new RateLimiter({perSourcePerInterval: 3, intervalMs: 3000, globalPerSecond: 100, maxSources: 10})
    const results = Array.from({length: 5}, () => limiter.allow('10.0.0.1', t0))
    expect(results).to.deep.equal([true, true, true, false, false])
    expect(limiter.allowed).to.equal(3)
    expect(limiter.refused).to.equal(2)
    expect(limiter.refusedBySource).to.equal(2)
    expect(limiter.refusedGlobal).to.equal(0)
  })

  it('keeps sources apart', () => {
    const limiter = new RateLimiter({perSourcePerInterval: 1, intervalMs: 1000, globalPerSecond: 100, maxSources: 10})
    expect(limiter.allow('10.0.0.1', t0)).to.equal(true)
    expect(limiter.allow('10.0.0.1', t0)).to.equal(false)
    expect(limiter.allow('10.0.0.2', t0)).to.equal(true)
  })

  it('refills a source bucket over time, not beyond its size', () => {
    const limiter = new RateLimiter({perSourcePerInterval: 2, intervalMs: 2000, globalPerSecond: 100, maxSources: 10})
    expect(limiter.allow('a', t0)).to.equal(true)
    expect(limiter.allow('a', t0)).to.equal(true)
    expect(limiter.allow('a', t0 + 999)).to.equal(false) // 0.999 token
    expect(limiter.allow('a', t0 + 1000)).to.equal(true) // 1 token after 1 s
    expect(limiter.allow('a', t0 + 1000)).to.equal(false)
    // A long pause refills to the bucket size (2), never more.
    expect([t0 + 60_000, t0 + 60_000, t0 + 60_000].map((t) => limiter.allow('a', t))).to.deep.equal([true, true, false])
  })

  it('caps all sources together with the global bucket, which refills per second', () => {
    const limiter = new RateLimiter({
      perSourcePerInterval: 5,
      intervalMs: 10_000,
      globalPerSecond: 10,
      maxSources: 1000,
    })
    let allowed = 0
    for (let i = 0; i < 100; i++) if (limiter.allow(`10.0.1.${i}`, t0)) allowed++
    expect(allowed).to.equal(10)
    expect(limiter.refusedGlobal).to.equal(90)
    expect(limiter.refusedBySource).to.equal(0)
    expect(limiter.allow('10.0.2.1', t0 + 99)).to.equal(false) // 0.99 token
    expect(limiter.allow('10.0.2.1', t0 + 100)).to.equal(true) // 10/s → one token per 100 ms
  })

  it('does not spend a source token when the global bucket refuses', () => {
    const limiter = new RateLimiter({perSourcePerInterval: 1, intervalMs: 60_000, globalPerSecond: 1, maxSources: 10})
    expect(limiter.allow('a', t0)).to.equal(true)
    expect(limiter.allow('b', t0)).to.equal(false) // global empty
    expect(limiter.allow('b', t0 + 1000)).to.equal(true) // b's own token was kept
  })

  it('does not spend a global token when the source bucket refuses', () => {
    const limiter = new RateLimiter({perSourcePerInterval: 1, intervalMs: 60_000, globalPerSecond: 2, maxSources: 10})
    expect(limiter.allow('a', t0)).to.equal(true)
    expect(limiter.allow('a', t0)).to.equal(false)
    expect(limiter.allow('a', t0)).to.equal(false)
    expect(limiter.allow('b', t0)).to.equal(true) // the second global token is still there
  })

  it('gives nothing back when the clock goes backwards', () => {
    const limiter = new RateLimiter({perSourcePerInterval: 1, intervalMs: 1000, globalPerSecond: 100, maxSources: 10})
    expect(limiter.allow('a', t0)).to.equal(true)
    expect(limiter.allow('a', t0 - 50_000)).to.equal(false)
    expect(limiter.allow('a', t0 + 1000)).to.equal(true)
  })

  it('tracks at most maxSources sources', () => {
    const limiter = new RateLimiter({perSourcePerInterval: 1, intervalMs: 1000, globalPerSecond: 1e9, maxSources: 100})
    for (let i = 0; i < 100_000; i++) limiter.allow(`s${i}`, t0)
    expect(limiter.trackedSources).to.equal(100)
    expect(limiter.evictions).to.equal(100_000 - 100)
  })
})
