import {expect} from 'chai'

import type {ListenStats} from '../../src/lan/listen-session.js'

import {listenSummary} from '../../src/ui/listen-summary.js'

const stats = (more: Partial<ListenStats> = {}): ListenStats => ({
  datagrams: 0,
  filtered: 0,
  ipmsg: 0,
  fromSelf: 0,
  duplicates: 0,
  replies: 0,
  replyErrors: 0,
  overflow: 0,
  unprocessed: 0,
  queuePeak: 0,
  kernelDrops: 0,
  ...more,
})
const base = {shown: 0, peers: 0, responding: false, suppressedRateLimit: 0, evictions: 0}

describe('ui/listen-summary', () => {
  it('says what was received and shown, and the peers, in the singular when there is one', () => {
    expect(listenSummary({...base, stats: stats()})).to.equal('0 datagrams received, 0 shown; 0 peers')
    expect(listenSummary({...base, stats: stats({datagrams: 1}), shown: 1, peers: 1})).to.equal(
      '1 datagram received, 1 shown; 1 peer',
    )
  })

  it("counts the kernel's drops beside lanmsg's own, only when there are any (null: it cannot tell)", () => {
    const line = listenSummary({...base, stats: stats({datagrams: 10, overflow: 2, kernelDrops: 5}), shown: 8})
    expect(line).to.equal(
      '10 datagrams received, 8 shown, 2 dropped (queue full), 5 dropped by the kernel (receive buffer full); 0 peers',
    )
    expect(listenSummary({...base, stats: stats({kernelDrops: null})})).to.equal(
      '0 datagrams received, 0 shown; 0 peers',
    )
  })

  it('counts duplicates (resends, one broadcast heard twice), only when there are any', () => {
    expect(listenSummary({...base, stats: stats({datagrams: 5, duplicates: 2}), shown: 3, peers: 1})).to.equal(
      '5 datagrams received, 3 shown, 2 duplicates; 1 peer',
    )
  })

  it('counts what the queue dropped and what the exit left unshown, only when there is any', () => {
    const line = listenSummary({
      ...base,
      stats: stats({datagrams: 300_000, filtered: 5, overflow: 37_856, unprocessed: 12}),
      shown: 262_127,
      peers: 2,
    })
    expect(line).to.equal(
      '300000 datagrams received, 262127 shown, 5 filtered out, 37856 dropped (queue full), ' +
        '12 not shown (exit time limit); 2 peers',
    )
  })

  it('adds the replies with --respond, the rate limit and the evictions', () => {
    expect(listenSummary({...base, stats: stats({datagrams: 3, replies: 1}), shown: 3, responding: true})).to.equal(
      '3 datagrams received, 3 shown; 0 peers; 1 reply sent',
    )
    expect(
      listenSummary({
        ...base,
        stats: stats({datagrams: 9, replies: 2}),
        shown: 9,
        peers: 10_000,
        responding: true,
        suppressedRateLimit: 7,
        evictions: 4,
      }),
    ).to.equal(
      '9 datagrams received, 9 shown; 10000 peers; 2 replies sent (7 suppressed by the rate limit); 4 peers evicted (table full)',
    )
  })
})
