import {expect} from 'chai'

import {
  DEFAULT_RECENT_PACKETS,
  DUPLICATE_WINDOW_MS,
  MIN_RECENT_PACKETS,
  RecentPackets,
} from '../../src/lan/recent-packets.js'
import {seededRandom} from '../support/hostile.js'

describe('lan/recent-packets', () => {
  const t0 = 1_700_000_000_000
  const a = {address: '192.168.1.20', port: 2425, packetNo: 1_700_000_000, command: 288}
  const seen = (recent: RecentPackets, p: typeof a, at: number) =>
    recent.seen(p.address, p.port, p.packetNo, p.command, at)

  it('reports a repeat of (address, port, packet number, command) within the window as a duplicate', () => {
    const recent = new RecentPackets()
    expect(seen(recent, a, t0)).to.equal(false)
    expect(seen(recent, a, t0 + 1000)).to.equal(true) // a resend
    expect(seen(recent, {...a}, t0 + 1001)).to.equal(true) // heard on a second broadcast address
  })

  it('tells apart packets that differ in any one part', () => {
    const recent = new RecentPackets()
    seen(recent, a, t0)
    expect(seen(recent, {...a, address: '192.168.1.21'}, t0)).to.equal(false)
    expect(seen(recent, {...a, port: 2426}, t0)).to.equal(false)
    expect(seen(recent, {...a, packetNo: a.packetNo + 1}, t0)).to.equal(false)
    expect(seen(recent, {...a, command: 0x21}, t0)).to.equal(false)
    expect(seen(recent, {...a, address: 'fe80::1'}, t0)).to.equal(false)
    expect(seen(recent, {...a, address: 'fe80::1'}, t0)).to.equal(true)
  })

  it('forgets a packet after the window (a restarted client counts from 1 again), unless it keeps being resent', () => {
    const recent = new RecentPackets()
    const entry = {address: '10.0.0.5', port: 2425, packetNo: 1, command: 1}
    seen(recent, entry, t0)
    expect(seen(recent, entry, t0 + DUPLICATE_WINDOW_MS)).to.equal(false)
    for (let i = 1; i <= 5; i++) expect(seen(recent, a, t0 + i * (DUPLICATE_WINDOW_MS - 1))).to.equal(i > 1)
  })

  it('recognises a resend after 100 other packets, under 1,000 keys (seeded: no flaky run)', () => {
    const random = seededRandom(2425)
    let missed = 0
    for (let table = 0; table < 1000; table++) {
      const recent = new RecentPackets({key: Uint32Array.from({length: 5}, () => random() * 2 ** 32)})
      seen(recent, a, t0)
      for (let n = 0; n < 100; n++) recent.seen(`10.0.${table & 255}.${n}`, 2425, n, 288, t0 + n)
      if (!seen(recent, a, t0 + 1000)) missed++
    }

    expect(missed).to.equal(0)
  })

  it('stays within its fixed arrays under a flood of distinct packets, and remembers the latest', () => {
    const recent = new RecentPackets({capacity: 64})
    for (let n = 0; n < 100_000; n++) recent.seen(`10.0.${(n >> 8) & 255}.${n & 255}`, 2425, n, 288, t0 + n / 100)
    expect(recent.size).to.equal(64)
    expect(recent.evictions).to.equal(100_000 - 64)
    expect(recent.seen('10.0.134.159', 2425, 99_999, 288, t0 + 1000)).to.equal(true)
    expect(recent.seen('10.0.0.0', 2425, 0, 288, t0 + 1000)).to.equal(false) // long pushed out
  })

  it('defaults to 4,096 entries and refuses fewer than the 32 Windows keeps (§4), or not a power of two', () => {
    expect(DEFAULT_RECENT_PACKETS).to.equal(4096)
    expect(MIN_RECENT_PACKETS).to.equal(32)
    expect(new RecentPackets().capacity).to.equal(4096)
    expect(new RecentPackets({capacity: 32}).capacity).to.equal(32)
    expect(() => new RecentPackets({capacity: 16})).to.throw(RangeError)
    expect(() => new RecentPackets({capacity: 48})).to.throw(RangeError)
    expect(() => new RecentPackets({capacity: 32.5})).to.throw(RangeError)
  })
})
