import {expect} from 'chai'

import {DEFAULT_RECENT_PACKETS, MIN_RECENT_PACKETS, RecentPackets} from '../../src/lan/recent-packets.js'

describe('lan/recent-packets', () => {
  const id = {address: '192.168.1.20', user: 'alice', host: 'PC01', packetNo: 1_700_000_000}

  it('reports a repeat of (address, user, host, packetNo) as seen', () => {
    const recent = new RecentPackets()
    expect(recent.seen(id)).to.equal(false)
    expect(recent.seen(id)).to.equal(true)
    expect(recent.seen({...id})).to.equal(true)
    expect(recent.size).to.equal(1)
  })

  it('tells apart packets that differ in any one part', () => {
    const recent = new RecentPackets()
    recent.seen(id)
    expect(recent.seen({...id, address: '192.168.1.21'})).to.equal(false)
    expect(recent.seen({...id, user: 'bob'})).to.equal(false)
    expect(recent.seen({...id, host: 'PC02'})).to.equal(false)
    expect(recent.seen({...id, packetNo: id.packetNo + 1})).to.equal(false)
  })

  it('cannot be confused by separators inside names', () => {
    const recent = new RecentPackets()
    recent.seen({address: '10.0.0.1', user: 'a:b', host: 'c', packetNo: 1})
    expect(recent.seen({address: '10.0.0.1', user: 'a', host: 'b:c', packetNo: 1})).to.equal(false)
    recent.seen({address: '10.0.0.1', user: 'x\u0000y', host: 'z', packetNo: 2})
    expect(recent.seen({address: '10.0.0.1', user: 'x', host: 'y\u0000z', packetNo: 2})).to.equal(false)
  })

  it('has() looks without recording', () => {
    const recent = new RecentPackets()
    expect(recent.has(id)).to.equal(false)
    expect(recent.seen(id)).to.equal(false)
    expect(recent.has(id)).to.equal(true)
  })

  it('defaults to 1024 entries and refuses fewer than the 32 Windows keeps (§4)', () => {
    expect(DEFAULT_RECENT_PACKETS).to.equal(1024)
    expect(MIN_RECENT_PACKETS).to.equal(32)
    expect(new RecentPackets().capacity).to.equal(1024)
    expect(new RecentPackets(32).capacity).to.equal(32)
    expect(() => new RecentPackets(31)).to.throw(RangeError)
    expect(() => new RecentPackets(32.5)).to.throw(RangeError)
  })

  it('forgets the least recently seen beyond capacity, and a retransmission keeps a packet fresh', () => {
    const recent = new RecentPackets(32)
    const packet = (n: number) => ({...id, packetNo: n})
    for (let n = 0; n < 32; n++) recent.seen(packet(n))
    expect(recent.seen(packet(0))).to.equal(true) // retransmission of 0: now the most recent
    recent.seen(packet(100)) // evicts 1, the least recently seen
    expect(recent.evictions).to.equal(1)
    expect(recent.has(packet(0))).to.equal(true)
    expect(recent.has(packet(1))).to.equal(false)
    expect(recent.seen(packet(1))).to.equal(false)
  })

  it('stays within capacity under a flood of distinct packets', () => {
    const recent = new RecentPackets(64)
    for (let n = 0; n < 100_000; n++) recent.seen({...id, address: `10.0.${(n >> 8) & 255}.${n & 255}`, packetNo: n})
    expect(recent.size).to.equal(64)
    expect(recent.evictions).to.equal(100_000 - 64)
  })
})
