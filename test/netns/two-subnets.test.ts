// Simulated LAN with two switches: a host with eth0 on 10.201.X.0/24 and eth1 on 10.202.X.0/24 announces on
// both by default, and a listener on each subnet hears it from that subnet's address.
import {expect} from 'chai'

import {type SimulatedLan, useSimulatedLan} from '../support/netns.js'

type Json = any

describe('simulated LAN: a host on two subnets', function () {
  this.timeout(60_000)
  // h0: both subnets; h1: subnet 0 only; h2: subnet 1 only.
  let lan: SimulatedLan
  useSimulatedLan(this, {hosts: [[0, 1], [0], [1]], start: (built) => (lan = built)})

  it('announce sends to both broadcast addresses, and each subnet hears it once', async () => {
    const [both, first, second] = lan.hosts
    const listeners = [first, second].map((host) => lan.cli(host, ['listen', '--ndjson', '--duration', '60s']))
    await Promise.all(listeners.map((l) => l.waitBound(2425, 30_000)))

    const run = await lan.cli(both, ['announce', 'hello both', '--json', '--wait', '500ms']).wait(30_000)
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    const [eth0, eth1] = both.interfaces
    expect(eth0.broadcast).to.match(/^10\.201\.\d+\.255$/)
    expect(eth1.broadcast).to.match(/^10\.202\.\d+\.255$/)
    expect(doc.targets).to.have.deep.members([
      {address: eth0.broadcast, port: 2425, interface: 'eth0', kind: 'broadcast'},
      {address: eth1.broadcast, port: 2425, interface: 'eth1', kind: 'broadcast'},
    ])
    expect(doc.targets).to.have.length(2)
    expect(doc.sendErrors).to.deep.equal([])

    const {packetNo} = doc.sent
    const sources = [eth0.address, eth1.address]
    for (const [i, listener] of listeners.entries()) {
      const [record] = await listener.waitForRecords((r: Json) => r.packet?.packetNo === packetNo, 1, 10_000)
      expect(record.from).to.deep.equal({address: sources[i], port: 2425})
      expect(record.packet).to.include({mode: 'SENDMSG', text: 'hello both'})
    }

    for (const l of listeners) l.kill('SIGINT')
    for (const l of listeners) {
      const result = await l.wait(10_000)
      expect(result.code, l.describe()).to.equal(0)
      // The two switches are separate: the other subnet's broadcast never crossed over.
      expect(
        l.records().filter((r: Json) => r.packet?.packetNo === packetNo),
        l.describe(),
      ).to.have.length(1)
    }
  })
})
