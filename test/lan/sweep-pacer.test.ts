import {expect} from 'chai'

import {SweepPacer} from '../../src/lan/sweep-pacer.js'

describe('SweepPacer (fake clock)', () => {
  it('keeps the average rate when every wake-up is late by up to a tenth of a second', () => {
    const pacer = new SweepPacer(100, 0)
    let now = 0
    let sent = 0
    while (now < 60_000) {
      const due = pacer.due(now)
      pacer.took(due)
      sent += due
      now = pacer.nextAt() + (sent % 7) * 12 // woken 0-72 ms after the probe was due
    }

    expect(sent).to.be.within(5990, 6001)
  })

  it('lets `rate` probes go a second, one every 1000/rate ms', () => {
    const pacer = new SweepPacer(100, 0)
    let sent = 0
    for (let now = 0; now < 10_000; now++) {
      const due = pacer.due(now)
      pacer.took(due)
      sent += due
    }

    expect(sent).to.equal(1000)
    expect(pacer.nextAt()).to.equal(10_000)
  })

  it('never sends more than `rate` (and one small burst) in any second, even woken at odd times', () => {
    const pacer = new SweepPacer(250, 0)
    const times: number[] = []
    let now = 0
    while (now < 20_000) {
      const due = pacer.due(now)
      for (let i = 0; i < due; i++) times.push(now)
      pacer.took(due)
      now += 1 + ((now * 7919) % 13) // wake-ups 1-13 ms apart
    }

    // A probe sent late comes closer to the next ones: a second holds at most rate + maxBurst (25 here).
    for (let i = 0; i + 275 < times.length; i++) expect(times[i + 275] - times[i]).to.be.at.least(1000)
    expect(times.length).to.be.within(4900, 5001)
  })

  it('after a late wake-up sends a small burst, then keeps the pace (no catch-up flood)', () => {
    const pacer = new SweepPacer(1000, 0) // at most 100 at once
    pacer.took(pacer.due(0))
    expect(pacer.due(5000)).to.equal(100) // 5 s late: 5,000 were due
    pacer.took(100)
    expect(pacer.due(5000)).to.equal(0)
    expect(pacer.nextAt()).to.equal(5001)
    expect(pacer.due(5001)).to.equal(1)
  })
})
