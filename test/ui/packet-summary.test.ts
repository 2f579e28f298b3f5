// The one-line summary of each body family, on real decoded datagrams.
import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import {decode} from '../../src/protocol/index.js'
import {packetSummary} from '../../src/ui/packet-summary.js'

function summary(wire: string): string {
  const result = decode(Buffer.from(wire, 'utf8'))
  if (!result.ok) return expect.fail(result.error)
  return packetSummary(result.packet)
}

const PAGE =
  '1:102:bob:PC02:8388627:    2\u0007    2\u0007bob\u0007PC02\u00070\u0007192.168.1.12\u000730985\u0007\b\u0007\b\u0007'

describe('ui/packet-summary', () => {
  it('words each family: entry, message, acknowledgement, plain', () => {
    expect(summary('1:1:alice:pc:1:Alice\0Dev\0')).to.equal('Alice [Dev]')
    expect(summary('1:1:alice:pc:3:Alice\0\0')).to.equal('Alice')
    expect(summary('1:1:alice:pc:2097440:see\u00001:a.txt:1f:0:1:\u0007')).to.equal('see +1 file: a.txt')
    expect(summary('1:1:alice:pc:4194592:c2VjcmV0\0')).to.equal('(encrypted, 8 chars)')
    expect(summary('1:1:alice:pc:33:1700000000\0')).to.equal('ack #1700000000')
    expect(summary('1:1:alice:pc:33:soon\0')).to.equal('soon')
    expect(summary('1:1:alice:pc:65:IP Messenger 5.6\0')).to.equal('IP Messenger 5.6')
  })

  it('words the host-list requests (§3.10)', () => {
    expect(summary('1:1:u:h:24:\0\0')).to.equal('who can send a host list?')
    expect(summary('1:1:u:h:16:\0')).to.equal('who can send a host list?')
    expect(summary('1:1:u:h:17:\0')).to.equal('can send a host list')
    expect(summary('1:1:u:h:18:2\0')).to.equal('asks for the host list from #2')
    expect(summary('1:1:u:h:18:later\0')).to.equal('later')
  })

  it('lists the hosts of an ANSLIST page, says whether more follow and what could not be read', () => {
    const carol = 'carol\u0007PC03\u0007256\u0007192.168.1.13\u000731241\u0007Carol\u0007Sales\u0007'
    expect(summary(PAGE + carol + '\0')).to.equal(
      'host list: 2 hosts, more from #2: bob (192.168.1.12:2425), Carol (192.168.1.13:2426)',
    )
    const last =
      '1:104:bob:PC02:8388627:    0\u0007    3\u0007dave\u0007PC04\u00070\u000710.0.0.4\u000730985\u0007Dave\u0007\b\u0007'
    expect(summary(last + 'eve\u0007PC05\u0007x\u0007\0')).to.equal(
      'host list: 1 host (3 announced), +1 unreadable, complete: Dave (10.0.0.4:2425)',
    )
    expect(summary('1:1:u:h:19:    0\u0007    0\u0007\0')).to.equal('host list: 0 hosts, complete')
    expect(summary('1:1:u:h:19:junk\0')).to.equal('junk')
    const many = Array.from(
      {length: 3000},
      (_, i) => `u${i}\u0007h\u00070\u000710.0.0.1\u000730985\u0007\b\u0007\b\u0007`,
    )
    const long = summary(`1:1:u:h:19:    0\u0007 3000\u0007${many.join('')}\0`)
    expect(long).to.match(/^host list: 3000 hosts, complete: u0 \(10\.0\.0\.1:2425\), .*u15 \(10\.0\.0\.1:2425\), …$/)
  })
})
