import {expect} from 'chai'

import type {Target} from '../../src/net/targets.js'

import {type Outgoing, OurPackets} from '../../src/lan/our-packets.js'
import {PacketNumberSource} from '../../src/lan/packet-number-store.js'
import {MODES, SENDCHECKOPT, UTF8OPT} from '../../src/protocol/constants.js'
import {decode} from '../../src/protocol/decode.js'

const targets: Target[] = [
  {address: '10.0.0.2', port: 2425, kind: 'unicast'},
  {address: '10.0.0.255', port: 2425, kind: 'broadcast'},
]
// 'À' is 2 bytes in UTF-8 but 4 in GB18030 (not in GBK): the GB18030 copy is the larger one.
const text = 'À'.repeat(40)
const message = (charset: string, truncate = false) => ({
  packet: {user: 'me', host: 'pc', command: MODES.SENDMSG | SENDCHECKOPT | (charset === 'utf-8' ? UTF8OPT : 0), text},
  encodeOptions: {charset, maxBytes: 140, truncate},
})
const perPeer = (truncate: boolean): Outgoing => ({
  kind: 'packet',
  ...message('utf-8', truncate),
  writtenIn: (charset) => message(charset, truncate),
})
const gb18030ToUnicast = (t: Target, main: string) => (t.kind === 'unicast' ? 'gb18030' : main)

describe('lan/our-packets', () => {
  it('writes one round with one packet number: the unicast copy in its charset, the broadcast in UTF-8', () => {
    const ours = new OurPackets(new PacketNumberSource([]))
    const short = (charset: string) => ({...message(charset), packet: {...message(charset).packet, text: '你好À'}})
    const outgoing: Outgoing = {kind: 'packet', ...short('utf-8'), writtenIn: short}
    const first = ours.round(outgoing, targets, 0, () => 'utf-8')
    expect(first.copies.map((c) => c.charset)).to.deep.equal(['utf-8', 'utf-8'])
    const {copies, sent} = ours.round(outgoing, targets, 1, gb18030ToUnicast)
    expect(copies.map((c) => c.charset)).to.deep.equal(['gb18030', 'utf-8'])
    const numbers = copies.map((c) => {
      const decoded = decode(c.bytes)
      return decoded.ok ? decoded.packet.packetNo : undefined
    })
    expect(numbers).to.deep.equal([sent.packetNo, sent.packetNo])
    expect(sent.packetNo).to.be.above(first.sent.packetNo!)
    expect(copies.every((c) => ours.isOurs(Buffer.from(c.bytes)))).to.equal(true) // echoes of every copy are known
  })

  it('says which copies could not hold every character (iconv writes ? for them)', () => {
    const ours = new OurPackets(new PacketNumberSource([]))
    const written = (text: string) => (charset: string) => ({
      ...message(charset),
      packet: {...message(charset).packet, text},
    })
    const copies = (text: string) =>
      ours.round({kind: 'packet', ...written(text)('utf-8'), writtenIn: written(text)}, targets, 0, (t, main) =>
        t.kind === 'unicast' ? 'gbk' : main,
      ).copies
    expect(copies('你好😀').map((c) => [c.charset, c.lossy === true])).to.deep.equal([
      ['gbk', true],
      ['utf-8', false],
    ])
    expect(copies('你好').map((c) => c.lossy === true)).to.deep.equal([false, false])
  })

  it('sends the main copy to a target whose copy would be too large, and says so by its charset', () => {
    const ours = new OurPackets(new PacketNumberSource([]))
    const {copies, sent} = ours.round(perPeer(false), targets, 0, gb18030ToUnicast)
    expect(copies.map((c) => c.charset)).to.deep.equal(['utf-8', 'utf-8'])
    expect(sent.truncated).to.equal(false)
  })

  it('with truncate, shortens only the copy that does not fit, and says the message was truncated', () => {
    const ours = new OurPackets(new PacketNumberSource([]))
    const {copies, sent} = ours.round(perPeer(true), targets, 0, gb18030ToUnicast)
    expect(copies.map((c) => [c.charset, c.truncated])).to.deep.equal([
      ['gb18030', true],
      ['utf-8', false],
    ])
    expect(copies[0].bytes.length).to.be.at.most(140)
    expect(sent.truncated).to.equal(true)
  })
})
