import {expect} from 'chai'

import {broadcastAddress, cidrBroadcast, prefixLength} from '../../src/net/subnet-math.js'

describe('net/subnet-math', () => {
  it('computes directed broadcasts for /1–/30', () => {
    expect(broadcastAddress('192.168.1.20', '255.255.255.0')).to.equal('192.168.1.255')
    expect(broadcastAddress('172.16.5.4', '255.255.0.0')).to.equal('172.16.255.255')
    expect(broadcastAddress('10.0.0.5', '255.255.255.252')).to.equal('10.0.0.7')
    expect(cidrBroadcast('10.0.0.0/24')).to.equal('10.0.0.255')
    expect(cidrBroadcast('10.0.0.77/26')).to.equal('10.0.0.127')
  })

  it('refuses /31, /32 and invalid input instead of returning a wrong answer', () => {
    expect(broadcastAddress('10.0.0.0', '255.255.255.254')).to.equal(undefined)
    expect(broadcastAddress('10.0.0.1', '255.255.255.255')).to.equal(undefined)
    expect(cidrBroadcast('10.0.0.0/31')).to.equal(undefined)
    expect(cidrBroadcast('10.0.0.1/32')).to.equal(undefined)
    expect(cidrBroadcast('10.0.0.0/33')).to.equal(undefined)
    expect(broadcastAddress('999.1.1.1', '255.255.255.0')).to.equal(undefined)
    expect(broadcastAddress('fe80::1', 'ffff:ffff:ffff:ffff::')).to.equal(undefined)
    expect(broadcastAddress('10.0.0.1', '255.0.255.0')).to.equal(undefined)
  })

  it('gives prefix lengths of contiguous masks', () => {
    expect(prefixLength('255.255.255.0')).to.equal(24)
    expect(prefixLength('255.255.240.0')).to.equal(20)
    expect(prefixLength('255.0.255.0')).to.equal(undefined)
    expect(prefixLength('ffff::')).to.equal(undefined)
  })
})
