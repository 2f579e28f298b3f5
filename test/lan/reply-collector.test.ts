import {expect} from 'chai'

import {ReplyCollector} from '../../src/lan/reply-collector.js'
import {MODES} from '../../src/protocol/constants.js'

const t0 = 1_700_000_000_000
const alice = {address: '10.0.0.2', port: 2425}
const bob = {address: '10.0.0.3', port: 2425}
const datagram = (packetNo: number, command: number, user = 'alice') =>
  Buffer.from(`1:${packetNo}:${user}:PC01:${command}:`)

function collector(maxReplies?: number) {
  return new ReplyCollector({
    isEcho: (data) => data.toString() === 'ours',
    acknowledges: (packet) => packet.command === MODES.ANSENTRY,
    maxReplies,
  })
}

describe('ReplyCollector', () => {
  it('counts our own echo apart and keeps no reply for it', () => {
    const c = collector()
    expect(c.collect(Buffer.from('ours'), alice, t0, t0)).to.equal(undefined)
    expect(c.echoes).to.equal(1)
    expect(c.replies).to.have.length(0)
    expect(c.answered).to.equal(0)
    expect(c.lastReplyAt).to.equal(undefined)
  })

  it('decodes a reply, says whether it acknowledges, and times it from the round start', () => {
    const reply = collector().collect(datagram(5, MODES.ANSENTRY), alice, t0 + 30, t0)!
    expect(reply.result.ok).to.equal(true)
    expect(reply).to.deep.include({acknowledges: true, rttMs: 30, receivedAt: t0 + 30})
  })

  it('marks the same packet from the same source a moment later as a duplicate, and keeps both', () => {
    const c = collector()
    c.collect(datagram(5, MODES.ANSENTRY), alice, t0 + 10, t0)
    const again = c.collect(datagram(5, MODES.ANSENTRY), alice, t0 + 20, t0)!
    expect(again.duplicate).to.equal(true)
    expect(c.duplicates).to.equal(1)
    expect(c.replies).to.have.length(2)
    expect(c.answered).to.equal(1)
  })

  it('gives each peer the RTT of its first reply, acknowledged if any later reply acknowledges', () => {
    const c = collector()
    c.collect(datagram(5, MODES.BR_ENTRY), alice, t0 + 10, t0)
    c.collect(datagram(6, MODES.ANSENTRY), alice, t0 + 50, t0)
    c.collect(datagram(7, MODES.BR_ENTRY, 'bob'), bob, t0 + 70, t0)
    const peers = c.peers().map(({acknowledged, address, rttMs}) => ({acknowledged, address, rttMs}))
    expect(peers).to.have.deep.members([
      {acknowledged: true, address: alice.address, rttMs: 10},
      {acknowledged: false, address: bob.address, rttMs: 70},
    ])
    expect(c.lastReplyAt).to.equal(t0 + 70)
  })

  it('keeps at most maxReplies and counts the rest, still noting who answered', () => {
    const c = collector(1)
    c.collect(datagram(5, MODES.BR_ENTRY), alice, t0, t0)
    c.collect(datagram(6, MODES.BR_ENTRY, 'bob'), bob, t0, t0)
    expect(c.replies).to.have.length(1)
    expect(c.repliesDropped).to.equal(1)
    expect(c.answered).to.equal(2)
    expect(c.peers()).to.have.length(2)
  })

  it('counts a datagram that is not IPMsg as an answer from its source', () => {
    const c = collector()
    const reply = c.collect(Buffer.from('hello'), alice, t0, t0)!
    expect(reply.result.ok).to.equal(false)
    expect(c.answered).to.equal(1)
    expect(c.peers()).to.have.length(0)
  })
})
