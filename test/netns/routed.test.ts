// Two subnets joined by a router that forwards unicast and no broadcast, with a responder farm on each (hosts
// that answer BR_ENTRY as IP Messenger does). A broadcast discovery sees its own subnet only; --sweep reaches
// the other one through the router.
import {expect} from 'chai'

import {type NetnsProcess, netnsSkipReason, SimulatedLan} from '../support/netns.js'

type Json = any

describe('simulated LAN: two subnets behind a router', function () {
  this.timeout(90_000)
  // h0 runs lanmsg on subnet 0 (10.201.X.10); 3 farm hosts on subnet 0, 5 on subnet 1 (from .2 up).
  let lan: SimulatedLan
  let farm: NetnsProcess
  const near = () => lan.farm.filter((h) => h.interfaces[0].subnet === 0).map((h) => h.address)
  const far = () => lan.farm.filter((h) => h.interfaces[0].subnet === 1).map((h) => h.address)
  const peersOf = (doc: Json) => doc.peers.map((p: Json) => p.address).sort()

  before(async function () {
    if (netnsSkipReason()) this.skip()
    lan = await SimulatedLan.create({hosts: [[0]], router: true, farm: [3, 5]})
    farm = lan.startFarm({durationS: 80, log: true})
    await farm.waitForRecords((r: Json) => r.ready === 8, 1, 30_000)
  })
  after(async () => {
    await lan?.destroy()
  })

  it("a broadcast discovery (directed, limited, and the far subnet's) finds only its own subnet", async () => {
    const [h0] = lan.hosts
    const farBroadcast = lan.router!.interfaces[1].broadcast
    const args = ['announce', '--to', h0.interfaces[0].broadcast, '--to', farBroadcast, '--limited', '--json']
    const run = await lan.cli(h0, args).wait(30_000)
    const doc = JSON.parse(run.stdout)
    expect(peersOf(doc)).to.deep.equal(near().sort())
    expect(doc.sendErrors).to.deep.equal([])
    // To h0 the far broadcast address is a unicast like any other: sent, resent, never answered (exit 6).
    expect(run.code, run.stderr).to.equal(6)
    const farDelivery = doc.deliveries.filter((d: Json) => d.address === farBroadcast)
    expect(farDelivery).to.have.length(1)
    expect(farDelivery[0]).to.include({delivered: false, attempts: 4})
  })

  it('--sweep of the far subnet finds its peers through the router, and only them', async () => {
    const [h0] = lan.hosts
    const range = `10.202.${lan.x}.0/24`
    const heardBefore = farm.records().length
    const run = await lan.cli(h0, ['announce', '--sweep', range, '--rate', '1000', '--json']).wait(30_000)
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(peersOf(doc)).to.deep.equal(far().sort())
    expect(doc.targets).to.deep.equal([])
    expect(doc.sweep).to.include({probes: 254, sent: 254, failed: 0, complete: true, rate: 1000})
    expect(doc.sweep.ranges).to.deep.equal([range])
    // Each RTT counts from the probe to that address (the farm waits 0-1023 ms), not from the sweep's start.
    for (const p of doc.peers) expect(p.rttMs, JSON.stringify(p)).to.be.below(1500)
    expect(doc.rounds.at(-1)).to.include({mode: 'BR_EXIT'})
    // What the farm heard from h0: each far host its probe (BR_ENTRY, 1) and, having answered, the goodbye
    // (BR_EXIT, 2); the near hosts were not swept and heard nothing.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const heard = farm
      .records()
      .slice(heardBefore)
      .filter((r: Json) => r.from === h0.address)
    for (const [i, host] of lan.farm.entries()) {
      const modes = heard.filter((r: Json) => r.host === i).map((r: Json) => r.mode)
      expect(modes, host.address).to.deep.equal(far().includes(host.address) ? [1, 2] : [])
    }
  })

  it('Ctrl-C during a sweep stops it and prints what was found (exit 130)', async () => {
    const [h0] = lan.hosts
    // 20 probes a second: the farm's addresses (.2-.6) go in the first quarter second; the /24 would take 13 s.
    const sweep = lan.cli(h0, ['announce', '--sweep', `10.202.${lan.x}.0/24`, '--rate', '20'])
    await new Promise((resolve) => setTimeout(resolve, 3000))
    sweep.kill('SIGINT')
    const run = await sweep.wait(20_000)
    expect(run.code, sweep.describe()).to.equal(130)
    for (const address of far()) expect(run.stdout, sweep.describe()).to.include(`${address}:2425`)
    expect(run.stdout).to.match(/every address of 10\.202\.\d+\.0\/24 \(\d+ of 254 probed, stopped at 20\/s\)/)
    expect(run.stderr).to.match(/Stopped by Ctrl-C/)
  })
})
