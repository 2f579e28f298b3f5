import {expect} from 'chai'

import type {ReceivedDatagram} from '../../src/lan/received-datagram.js'

import {buildDatagramFilter} from '../../src/cli/datagram-filter.js'
import {UsageError} from '../../src/net/usage-error.js'
import {decode} from '../../src/protocol/index.js'

/** A datagram from `address`: an IPMsg packet with this command number, or bytes that are not IPMsg. */
function from(address: string, command?: number): ReceivedDatagram {
  const data = Buffer.from(command === undefined ? 'GET / HTTP/1.0\r\n' : `1:7:alice:pc:${command}:text\0`)
  return {data, from: {address, port: 2425}, receivedAt: 0, result: decode(data)}
}

describe('cli/datagram-filter', () => {
  it('no filter flags: no filter at all', () => {
    expect(buildDatagramFilter({})).to.equal(undefined)
    expect(buildDatagramFilter({from: [], mode: []})).to.equal(undefined)
  })

  it('--from: addresses and CIDRs (repeatable), a datagram from anywhere else (or IPv6) is hidden', () => {
    const filter = buildDatagramFilter({from: ['192.168.1.0/24', '10.0.0.5']})!
    expect(filter(from('192.168.1.200', 32))).to.equal(true)
    expect(filter(from('192.168.2.1', 32))).to.equal(false)
    expect(filter(from('10.0.0.5'))).to.equal(true)
    expect(filter(from('10.0.0.6', 32))).to.equal(false)
    expect(filter(from('::1', 32))).to.equal(false)
    const everyone = buildDatagramFilter({from: ['0.0.0.0/0']})!
    expect(everyone(from('203.0.113.9', 32))).to.equal(true)
  })

  it('--mode by name or number keeps only those IPMsg commands (options ignored); --ipmsg-only hides the rest', () => {
    const filter = buildDatagramFilter({mode: ['SENDMSG', '0x3']})!
    expect(filter(from('10.0.0.1', 0x20 | 0x100))).to.equal(true)
    expect(filter(from('10.0.0.1', 3))).to.equal(true)
    expect(filter(from('10.0.0.1', 1))).to.equal(false)
    expect(filter(from('10.0.0.1'))).to.equal(false)
    const ipmsg = buildDatagramFilter({ipmsgOnly: true})!
    expect(ipmsg(from('10.0.0.1', 1))).to.equal(true)
    expect(ipmsg(from('10.0.0.1'))).to.equal(false)
  })

  it('--from and --mode together: both must hold', () => {
    const filter = buildDatagramFilter({from: ['10.0.0.0/8'], mode: ['BR_ENTRY']})!
    expect(filter(from('10.1.2.3', 1))).to.equal(true)
    expect(filter(from('10.1.2.3', 0x20))).to.equal(false)
    expect(filter(from('192.168.1.1', 1))).to.equal(false)
  })

  it('a mistake is a usage error that names the flag and shows the form expected', () => {
    for (const spec of ['10.0.0.300', '10.0.0.0/33', 'lan', '::1']) {
      expect(() => buildDatagramFilter({from: [spec]}), spec).to.throw(
        UsageError,
        new RegExp(`^--from ${spec.replaceAll('.', String.raw`\.`)}: not an IPv4 address or CIDR`),
      )
    }

    expect(() => buildDatagramFilter({mode: ['NOPE']})).to.throw(UsageError, /^--mode NOPE: unknown command/)
  })
})
