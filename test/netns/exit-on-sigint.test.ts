// Simulated LAN: Ctrl-C (SIGINT) on `lanmsg listen --respond` says goodbye (BR_EXIT), and `lanmsg listen --json`
// in another host then lists that peer as exited.
import {expect} from 'chai'

import {type SimulatedLan, useSimulatedLan} from '../support/netns.js'

type Json = any

describe('simulated LAN: SIGINT on a responder', function () {
  this.timeout(60_000)
  let lan: SimulatedLan
  useSimulatedLan(this, {hosts: 2, start: (built) => (lan = built)})

  it('sends BR_EXIT, and the other host shows the peer as exited', async () => {
    const [alice, watcher] = lan.hosts
    // Two listeners in the watcher's host (the port is shared): --json prints only at the end, the NDJSON one
    // tells when the responder's BR_ENTRY and BR_EXIT have arrived.
    const table = lan.cli(watcher, ['listen', '--json', '--expire', '30s', '--duration', '60s'])
    const stream = lan.cli(watcher, ['listen', '--ndjson', '--duration', '60s'])
    await Promise.all([table.waitBound(2425, 30_000), stream.waitBound(2425, 30_000)])

    const responder = lan.cli(alice, [
      'listen',
      '--respond',
      '--user',
      'alice',
      '--host',
      'pc-a',
      '--nick',
      'Alice',
      '--ndjson',
      '--duration',
      '60s',
    ])
    await responder.waitBound(2425, 30_000)
    const fromAlice = (mode: string) => (d: Json) => d.from.address === alice.address && d.packet?.mode === mode
    await stream.waitForRecords(fromAlice('BR_ENTRY'), 1, 10_000)

    responder.kill('SIGINT')
    const stopped = await responder.wait(10_000)
    expect(stopped.signal, responder.describe()).to.equal(null) // handled, not killed by the signal
    expect(stopped.code, responder.describe()).to.equal(0)
    expect(stopped.stderr, responder.describe()).not.to.match(/Warning|Error|\n\s+at /)
    // Windows style: BR_EXIT twice, 100 ms apart.
    await stream.waitForRecords(fromAlice('BR_EXIT'), 2, 10_000)

    table.kill('SIGINT')
    const done = await table.wait(10_000)
    expect(done.code, table.describe()).to.equal(0)
    const doc = JSON.parse(done.stdout)
    const modes = doc.packets.filter((p: Json) => p.from.address === alice.address).map((p: Json) => p.packet.mode)
    expect(modes).to.deep.equal(['BR_ENTRY', 'BR_EXIT', 'BR_EXIT'])
    expect(doc.peers).to.have.length(1)
    expect(doc.peers[0]).to.include({address: alice.address, user: 'alice', nickname: 'Alice', status: 'exited'})

    stream.kill('SIGINT')
    expect((await stream.wait(10_000)).code, stream.describe()).to.equal(0)
  })
})
