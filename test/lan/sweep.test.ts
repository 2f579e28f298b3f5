import {expect} from 'chai'

import {Sweep} from '../../src/lan/sweep.js'
import {parseSweepRange} from '../../src/net/address-ranges.js'

/** A fake clock that only moves when the sweep sleeps; every send is recorded. */
function fakeIo(options: {fail?: (address: string) => boolean; stopAfter?: number} = {}) {
  const io = {
    clock: 1000,
    sends: [] as Array<{address: string; at: number; port: number}>,
    async send(address: string, port: number) {
      io.sends.push({address, at: io.clock, port})
      if (options.fail?.(address)) throw new Error('EHOSTUNREACH')
    },
    async sleep(ms: number) {
      io.clock += Math.max(1, ms)
    },
    now: () => io.clock,
    stopped: () => options.stopAfter !== undefined && io.sends.length >= options.stopAfter,
    progress() {},
  }
  return io
}

describe('Sweep (fake clock)', () => {
  it('probes every address of the ranges once, in order, at the rate', async () => {
    const sweep = new Sweep({ranges: ['10.1.0.0/24', '10.1.0.128/25'].map(parseSweepRange), rate: 50, port: 2425})
    const io = fakeIo()
    await sweep.run(io)
    expect(io.sends.map((s) => s.address)).to.have.length(254)
    expect(io.sends[0]).to.deep.equal({address: '10.1.0.1', at: 1000, port: 2425})
    expect(io.sends.at(-1)!.address).to.equal('10.1.0.254')
    // 254 probes at 50/s: the last is due 253 × 20 ms after the first
    expect(io.sends.at(-1)!.at - io.sends[0].at).to.equal(253 * 20)
    expect(sweep.report()).to.include({probes: 254, sent: 254, failed: 0, complete: true, ms: 253 * 20})
    expect(sweep.sentTo('10.1.0.200')).to.equal(1000 + 199 * 20)
  })

  it('stops when the run is stopped (Ctrl-C): the report says how far it got', async () => {
    const sweep = new Sweep({ranges: [parseSweepRange('10.2.0.0/16')], rate: 100, port: 2425})
    const io = fakeIo({stopAfter: 300})
    await sweep.run(io)
    expect(io.sends).to.have.length(300)
    expect(sweep.report()).to.include({probes: 65_534, sent: 300, complete: false})
    expect(sweep.probed('10.2.1.44')).to.equal(true) // the 300th address
    expect(sweep.probed('10.2.1.45')).to.equal(false)
    expect(sweep.probed('10.3.0.1')).to.equal(false)
  })

  it('passes over a broadcast address of this host (a probe there would be a broadcast)', async () => {
    const skip = ['10.5.0.255', '10.5.1.0']
    const sweep = new Sweep({ranges: [parseSweepRange('10.5.0.0/23')], rate: 1000, port: 2425, skip})
    const io = fakeIo()
    await sweep.run(io)
    expect(io.sends).to.have.length(508)
    expect(io.sends.map((s) => s.address)).not.to.include.members(skip)
    expect(sweep.report()).to.include({probes: 510, sent: 510, skipped: 2, complete: true})
  })

  it('counts a failed send and goes on; every send failing is the error', async () => {
    const some = new Sweep({ranges: [parseSweepRange('10.4.0.0/29')], rate: 1000, port: 2425})
    await some.run(fakeIo({fail: (address) => address.endsWith('.3')}))
    expect(some.report()).to.include({sent: 6, failed: 1, firstError: 'EHOSTUNREACH'})
    expect(some.allFailed).to.equal(undefined)
    const all = new Sweep({ranges: [parseSweepRange('10.4.0.0/29')], rate: 1000, port: 2425})
    await all.run(fakeIo({fail: () => true}))
    expect(all.allFailed?.message).to.equal('EHOSTUNREACH')
  })
})
