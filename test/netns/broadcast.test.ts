// Simulated LAN: a message broadcast by `lanmsg announce` in one host reaches `lanmsg listen` in every other
// host, by the directed broadcast of the sender's interface (default targets) and by 255.255.255.255 (--limited).
import {expect} from 'chai'

import {type NetnsProcess, type SimulatedLan, useSimulatedLan} from '../support/netns.js'

type Json = any

describe('simulated LAN: announce "hello" reaches every listener (broadcast)', function () {
  this.timeout(60_000)
  let lan: SimulatedLan
  let listeners: NetnsProcess[] = []

  useSimulatedLan(this, {
    hosts: 4,
    timeoutMs: 60_000,
    async start(built) {
      lan = built
      const [, ...others] = lan.hosts
      listeners = others.map((host) => lan.cli(host, ['listen', '--ndjson', '--duration', '90s']))
      await Promise.all(listeners.map((l) => l.waitBound(2425, 45_000)))
    },
  })

  async function announceAndCheck(extra: string[], target: Json) {
    const sender = lan.hosts[0]
    const announce = await lan.cli(sender, ['announce', 'hello', '--json', '--wait', '500ms', ...extra]).wait(30_000)
    expect(announce.code, announce.stderr).to.equal(0)
    const doc = JSON.parse(announce.stdout)
    expect(doc.targets).to.deep.equal([target])
    expect(doc.sendErrors).to.deep.equal([])
    expect(doc.deliveries).to.deep.equal([]) // broadcasts ask for receipts, but are never resent
    const {packetNo} = doc.sent
    expect(doc.sent).to.include({mode: 'SENDMSG'})

    for (const listener of listeners) {
      const [record] = await listener.waitForRecords(
        (r: Json) => r.packet?.packetNo === packetNo,
        1,
        10_000,
        `SENDMSG #${packetNo}`,
      )
      expect(record.from).to.deep.equal({address: sender.address, port: 2425})
      expect(record.ipmsg).to.equal(true)
      expect(record.packet).to.include({mode: 'SENDMSG', text: 'hello', user: 'root', charset: 'utf-8'})
      expect(record.packet.options).to.include('SENDCHECKOPT')
    }

    // Exactly one copy each: a broadcast is not resent.
    for (const listener of listeners) {
      expect(listener.records().filter((r: Json) => r.packet?.packetNo === packetNo)).to.have.length(1)
    }
  }

  it("default targets: the directed broadcast of the sender's veth", async () => {
    const [sender] = lan.hosts
    await announceAndCheck([], {
      address: sender.interfaces[0].broadcast,
      port: 2425,
      interface: 'eth0',
      kind: 'broadcast',
    })
  })

  it('--limited: 255.255.255.255', async () => {
    await announceAndCheck(['--limited'], {address: '255.255.255.255', port: 2425, interface: null, kind: 'limited'})
  })

  it('every listener stops cleanly on SIGINT', async () => {
    for (const l of listeners) l.kill('SIGINT')
    for (const l of listeners) {
      const result = await l.wait(10_000)
      expect(result.code, l.describe()).to.equal(0)
      // Each of the two messages came between an entry and an exit (BR_ENTRY, SENDMSG, BR_EXIT).
      expect(result.stderr).to.match(/^6 datagrams received, 6 shown; 1 peer\n$/)
    }
  })
})
