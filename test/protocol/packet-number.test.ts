import {expect} from 'chai'

import {clockPacketNo, isPacketNo, MAX_PACKET_NO, nextPacketNo} from '../../src/protocol/index.js'

describe('protocol packet numbers: the one rule (§4)', () => {
  it('keeps numbers below 2^31', () => {
    expect(MAX_PACKET_NO).to.equal(2147483647)
    expect([0, 1, MAX_PACKET_NO].map((n) => isPacketNo(n))).to.deep.equal([true, true, true])
    expect([-1, 1.5, MAX_PACKET_NO + 1, Number.NaN, '5'].map((n) => isPacketNo(n))).to.deep.equal(
      Array.from({length: 5}, () => false),
    )
  })

  it('is max(now, last + 1): the clock in seconds, one more within a second, ahead only by what was sent', () => {
    expect(nextPacketNo(undefined, 1_700_000_000.9)).to.equal(1_700_000_000)
    expect(nextPacketNo(1_699_999_999, 1_700_000_000)).to.equal(1_700_000_000)
    expect(nextPacketNo(1_700_000_000, 1_700_000_000.5)).to.equal(1_700_000_001)
    expect(nextPacketNo(1_700_000_500, 1_700_000_000)).to.equal(1_700_000_501)
    expect(nextPacketNo(1_600_000_000, 1_700_000_000)).to.equal(1_700_000_000)
  })

  it('never gives 0 (what iptux compares with after an entry packet) and survives an unusable clock', () => {
    expect(nextPacketNo(undefined, 0)).to.equal(1)
    expect(nextPacketNo(undefined, Number.NaN)).to.equal(1)
    expect(nextPacketNo(41, Number.NaN)).to.equal(42)
    expect(nextPacketNo(5, Number.POSITIVE_INFINITY)).to.equal(6)
    expect(nextPacketNo(5, -100)).to.equal(6)
    expect(clockPacketNo(-1)).to.equal(0)
  })

  it('treats a last number that cannot be one as none', () => {
    for (const last of [-5, 1.5, 2 ** 31, Number.NaN]) expect(nextPacketNo(last, 100), String(last)).to.equal(100)
  })

  it('wraps once past MAX_PACKET_NO, to the clock (or 1), and past 2038 the clock goes on modulo 2^31', () => {
    expect(nextPacketNo(MAX_PACKET_NO - 1, 1_700_000_000)).to.equal(MAX_PACKET_NO)
    expect(nextPacketNo(MAX_PACKET_NO, 1_700_000_000)).to.equal(1_700_000_000)
    expect(nextPacketNo(MAX_PACKET_NO, Number.NaN)).to.equal(1)
    expect(nextPacketNo(MAX_PACKET_NO, MAX_PACKET_NO)).to.equal(1) // the clock at the last second: not a repeat
    expect(clockPacketNo(2 ** 31 + 5)).to.equal(5)
    expect(nextPacketNo(undefined, 2 ** 31 + 5)).to.equal(5)
    expect(nextPacketNo(MAX_PACKET_NO - 3, 2 ** 31 + 5)).to.equal(MAX_PACKET_NO - 2)
    expect(nextPacketNo(MAX_PACKET_NO, 2 ** 31 + 5)).to.equal(5)
    expect(nextPacketNo(5, 2 ** 31 + 5)).to.equal(6)
  })

  it('is strictly increasing and in range over many calls with a jittery clock', () => {
    let last: number | undefined
    for (let i = 0; i < 10_000; i++) {
      const n = nextPacketNo(last, 1000 + Math.floor(i / 7) - (i % 3))
      if (last !== undefined) expect(n).to.be.greaterThan(last)
      expect(isPacketNo(n) && n > 0).to.equal(true)
      last = n
    }
  })
})
