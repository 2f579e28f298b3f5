import {expect} from 'chai'

import {mergeRanges, parseSweepRange, rangeAddresses, rangeSize} from '../../src/net/address-ranges.js'
import {UsageError} from '../../src/net/usage-error.js'

function usageError(spec: string): UsageError {
  try {
    parseSweepRange(spec)
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    return error as UsageError
  }

  throw new Error(`--sweep ${spec} was accepted`)
}

describe('address ranges of a sweep', () => {
  it('a /24 is its 254 host addresses, without the network and broadcast addresses', () => {
    const range = parseSweepRange('192.168.7.130/24')
    const all = [...rangeAddresses([range])]
    expect(all).to.have.length(254)
    expect(all[0]).to.equal('192.168.7.1')
    expect(all.at(-1)).to.equal('192.168.7.254')
    expect(rangeSize([range])).to.equal(254)
  })

  it('a /31 is both its addresses (RFC 3021), a /32 and a bare address the one', () => {
    expect([...rangeAddresses([parseSweepRange('10.0.0.4/31')])]).to.deep.equal(['10.0.0.4', '10.0.0.5'])
    expect([...rangeAddresses([parseSweepRange('10.0.0.4/32')])]).to.deep.equal(['10.0.0.4'])
    expect([...rangeAddresses([parseSweepRange('10.0.0.9')])]).to.deep.equal(['10.0.0.9'])
  })

  it('a /16 is 65,534 addresses, made one at a time (the iterator holds no list)', () => {
    const range = parseSweepRange('10.20.0.0/16')
    expect(rangeSize([range])).to.equal(65_534)
    const iterator = rangeAddresses([range])
    expect(iterator.next().value).to.equal('10.20.0.1')
    let last = ''
    let count = 1
    for (const address of iterator) {
      last = address
      count++
    }

    expect(count).to.equal(65_534)
    expect(last).to.equal('10.20.255.254')
  })

  it('overlapping and touching ranges are joined: no address is probed twice', () => {
    const merged = mergeRanges(['10.0.1.0/24', '10.0.0.0/23', '10.0.3.7', '10.0.2.0/24'].map(parseSweepRange))
    const all = [...rangeAddresses(merged)]
    expect(all).to.have.length(new Set(all).size)
    // 10.0.0.1-10.0.1.254 (the /23 holds the /24), 10.0.2.1-10.0.2.254, and 10.0.3.7
    expect(all).to.have.length(510 + 254 + 1)
    expect(rangeSize(merged)).to.equal(all.length)
    expect(merged).to.have.length(3)
  })

  it('refuses what is not a range of host addresses, and anything wider than a /16, with one line', () => {
    expect(usageError('10.0.0.0/8').message).to.match(/16,777,214 addresses .* widest range is a \/16/)
    expect(usageError('10.0.0.0/33').message).to.match(/not an IPv4 range/)
    expect(usageError('printer.local').message).to.match(/not an IPv4 range/)
    expect(usageError('224.0.0.0/24').message).to.match(/multicast/)
    expect(usageError('0.0.0.0/16').message).to.match(/multicast, reserved or 0\.x/)
  })
})
