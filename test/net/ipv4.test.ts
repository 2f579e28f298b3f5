import {expect} from 'chai'

import {
  dottedQuadToNumber,
  intToIpv4,
  ipv4ToInt,
  isIPv4Address,
  isLimitedBroadcast,
  isMulticast,
  parseCidr,
  parseIPv4,
  prefixFromNetmask,
} from '../../src/net/ipv4.js'

describe('net/ipv4', () => {
  it('accepts dotted quads only', () => {
    expect(parseIPv4('192.168.1.255')).to.deep.equal([192, 168, 1, 255])
    for (const odd of [
      '127.1',
      '012.1.2.3',
      '999.1.1.1',
      '::1',
      '::ffff:127.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      ' 1.2.3.4',
      '',
    ]) {
      expect(isIPv4Address(odd), odd).to.equal(false)
      expect(parseIPv4(odd), odd).to.equal(undefined)
    }
  })

  it('converts to and from 32-bit numbers', () => {
    expect(ipv4ToInt('255.255.255.255')).to.equal(0xff_ff_ff_ff)
    expect(ipv4ToInt('10.0.0.1')).to.equal(0x0a_00_00_01)
    expect(intToIpv4(0xc0_a8_01_ff)).to.equal('192.168.1.255')
    expect(intToIpv4(0)).to.equal('0.0.0.0')
    expect(() => ipv4ToInt('127.1')).to.throw(TypeError)
    expect(() => intToIpv4(2 ** 32)).to.throw(RangeError)
  })

  it('parses CIDR strictly', () => {
    expect(parseCidr('10.0.0.0/24')).to.deep.equal({
      address: '10.0.0.0',
      prefix: 24,
      netmask: '255.255.255.0',
      network: '10.0.0.0',
    })
    expect(parseCidr('10.1.2.3/16')?.network).to.equal('10.1.0.0')
    expect(parseCidr('0.0.0.0/0')?.netmask).to.equal('0.0.0.0')
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/024',
      '10.1/8',
      '::1/128',
      '10.0.0.0/-1',
      '10.0.0.0/8/8',
    ]) {
      expect(parseCidr(bad), bad).to.equal(undefined)
    }
  })

  it('reads contiguous netmasks only', () => {
    expect(prefixFromNetmask('255.255.255.0')).to.equal(24)
    expect(prefixFromNetmask('255.255.255.255')).to.equal(32)
    expect(prefixFromNetmask('0.0.0.0')).to.equal(0)
    expect(prefixFromNetmask('255.0.255.0')).to.equal(undefined)
    expect(prefixFromNetmask('255.255.255')).to.equal(undefined)
  })

  it('classifies on parsed octets, so odd spellings are not multicast', () => {
    expect(isMulticast('224.0.0.1')).to.equal(true)
    expect(isMulticast('0340.0.0.1')).to.equal(false)
    expect(isMulticast('239.255.255.250')).to.equal(true)
    expect(isMulticast('240.0.0.1')).to.equal(false)
    expect(isLimitedBroadcast('255.255.255.255')).to.equal(true)
    expect(isLimitedBroadcast('10.0.0.255')).to.equal(false)
  })

  it('dottedQuadToNumber: ipv4ToInt for what isIPv4Address accepts, -1 for anything else', () => {
    const odd = ['127.1', '012.1.2.3', '999.1.1.1', '256.0.0.1', '::1', '1.2.3', '1.2.3.4.5', ' 1.2.3.4', '1.2.3.4 ']
    for (const address of [...odd, '', '1..2.3', '.1.2.3', '1.2.3.', '00.0.0.0', '1.2.3.04', 'a.b.c.d']) {
      expect(dottedQuadToNumber(address), address).to.equal(-1)
      expect(isIPv4Address(address), address).to.equal(false)
    }

    for (const address of ['0.0.0.0', '255.255.255.255', '127.0.0.1', '10.0.0.0', '192.168.100.200', '1.20.0.9']) {
      expect(dottedQuadToNumber(address), address).to.equal(ipv4ToInt(address))
      expect(intToIpv4(dottedQuadToNumber(address))).to.equal(address)
    }

    for (let i = 0; i < 2000; i++) {
      const value = Math.floor(Math.random() * 2 ** 32)
      expect(dottedQuadToNumber(intToIpv4(value))).to.equal(value)
    }
  })
})
