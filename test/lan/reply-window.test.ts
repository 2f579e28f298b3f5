// The default wait of `announce`, on a fake clock: times are milliseconds after the send at 0.
import {expect} from 'chai'

import {replyWindowEnd} from '../../src/lan/reply-window.js'

describe('replyWindowEnd (the default wait)', () => {
  it('nothing heard: waits out the longest delay a Windows peer on a big LAN takes (0–4095 ms)', () => {
    expect(replyWindowEnd({sentAt: 0, peers: 0}).endsAt).to.equal(4200)
  })

  it('a small LAN: one second after the last reply, not before 1.1 s', () => {
    expect(replyWindowEnd({sentAt: 0, lastReplyAt: 5, peers: 1}).endsAt).to.equal(1100)
    expect(replyWindowEnd({sentAt: 0, lastReplyAt: 900, peers: 3})).to.deep.equal({
      endsAt: 1900,
      reason: 'no reply for 1 s',
    })
  })

  it('from 50 peers, not before 2.15 s; from 300, not before 4.2 s (Windows delays by the hosts it knows)', () => {
    expect(replyWindowEnd({sentAt: 0, lastReplyAt: 400, peers: 50}).endsAt).to.equal(2150)
    expect(replyWindowEnd({sentAt: 0, lastReplyAt: 900, peers: 300}).endsAt).to.equal(4200)
    expect(replyWindowEnd({sentAt: 0, lastReplyAt: 4000, peers: 400}).endsAt).to.equal(5000)
  })

  it('replies that keep coming keep the window open', () => {
    let end = 0
    for (let t = 0; t <= 6000; t += 500) end = replyWindowEnd({sentAt: 0, lastReplyAt: t, peers: t / 500 + 1}).endsAt
    expect(end).to.equal(7000)
  })
})
