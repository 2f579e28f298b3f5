import {expect} from 'chai'

import {initialPacketNo, MAX_PACKET_NO, PacketCounter} from '../../src/protocol/index.js'

describe('protocol packet numbers (§4)', () => {
  it('keeps numbers below 2^31', () => {
    expect(MAX_PACKET_NO).to.equal(2147483647)
  })

  it('starts at the clock or one past the last reserved number', () => {
    expect(initialPacketNo(1700000000)).to.equal(1700000000)
    expect(initialPacketNo(1700000000.9, 1699999999)).to.equal(1700000000)
    expect(initialPacketNo(1700000000, 1700000500)).to.equal(1700000501)
    expect(initialPacketNo(1700000000, MAX_PACKET_NO)).to.equal(1700000000)
    expect(initialPacketNo(Number.NaN, 41)).to.equal(42)
    expect(initialPacketNo(Number.NaN)).to.equal(1)
    expect(initialPacketNo(2 ** 32, 7)).to.equal(8)
    expect(initialPacketNo(100, -5)).to.equal(100)
  })

  it('follows the clock and stays strictly increasing within a second', () => {
    const counter = new PacketCounter(1700000000)
    expect(counter.peek()).to.equal(1700000000)
    expect(counter.next(1700000000)).to.equal(1700000000)
    expect(counter.next(1700000000)).to.equal(1700000001)
    expect(counter.next(1700000000)).to.equal(1700000002)
    expect(counter.next(1700000010)).to.equal(1700000010)
    expect(counter.next(1699999000)).to.equal(1700000011)
    expect(counter.next()).to.equal(1700000012)
    expect(counter.peek()).to.equal(1700000013)
  })

  it('is strictly increasing over many calls with a jittery clock', () => {
    const counter = new PacketCounter(1000)
    let last = -1
    for (let i = 0; i < 10_000; i++) {
      const n = counter.next(1000 + Math.floor(i / 7) - (i % 3))
      expect(n).to.be.greaterThan(last)
      last = n
    }
  })

  it('ignores clocks that are unusable', () => {
    const counter = new PacketCounter(5)
    expect(counter.next(Number.POSITIVE_INFINITY)).to.equal(5)
    expect(counter.next(2 ** 31)).to.equal(6)
    expect(counter.next(-100)).to.equal(7)
  })

  it('wraps to 1 past MAX_PACKET_NO without a clock, to the clock with one', () => {
    const counter = new PacketCounter(MAX_PACKET_NO)
    expect(counter.next()).to.equal(MAX_PACKET_NO)
    expect(counter.peek()).to.equal(1)
    expect(counter.next()).to.equal(1)
    expect(counter.next()).to.equal(2)
    const clocked = new PacketCounter(MAX_PACKET_NO)
    clocked.next()
    expect(clocked.next(1700000000)).to.equal(1700000000)
  })

  it('can start at 0 and refuses impossible starts', () => {
    expect(new PacketCounter(0).next()).to.equal(0)
    for (const start of [-1, 1.5, MAX_PACKET_NO + 1, Number.NaN]) {
      expect(() => new PacketCounter(start), String(start)).to.throw(RangeError)
    }
  })
})
