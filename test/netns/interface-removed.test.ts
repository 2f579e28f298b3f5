// Simulated LAN, fault: the network interface disappears (`ip link del` of the veth) while `lanmsg listen
// --respond` runs. Observed: it keeps running, warns in one line per failed BR_EXIT (no route any more) when
// --duration ends, and exits 0, without a stack trace.
import {expect} from 'chai'

import {type SimulatedLan, useSimulatedLan} from '../support/netns.js'

type Json = any

describe('simulated LAN: interface removed under a running listener', function () {
  this.timeout(60_000)
  let lan: SimulatedLan
  useSimulatedLan(this, {hosts: 2, start: (built) => (lan = built)})

  it('listen --respond ends on --duration with exit 0 and one-line warnings, no stack trace', async () => {
    const host = lan.hosts[1]
    const listener = lan.cli(host, ['listen', '--respond', '--ndjson', '--duration', '3s'])
    await listener.waitBound(2425, 30_000)
    // Its own BR_ENTRY, heard back on its socket: the interface was up and sending.
    await listener.waitForRecords(
      (d: Json) => d.packet?.mode === 'BR_ENTRY' && d.from.address === host.address,
      1,
      10_000,
    )

    await lan.removeInterface(host, 'eth0')
    const done = await listener.wait(30_000)
    expect(done.timedOut, listener.describe()).to.equal(false)
    expect(done.code, listener.describe()).to.equal(0)
    expect(done.stderr, listener.describe()).not.to.match(/\n\s+at |TypeError|Uncaught/)
    // Observed: two one-line warnings (BR_EXIT is sent twice, and there is no route any more), then the summary.
    const lines = done.stderr.trimEnd().split('\n')
    expect(lines, listener.describe()).to.have.length(3)
    for (const line of lines.slice(0, 2)) {
      expect(line).to.match(/^Warning: could not send BR_EXIT to 10\.201\.\d+\.255: .*network is unreachable/)
    }

    expect(lines[2]).to.equal('1 datagram received, 1 shown; 0 peers; 0 replies sent')
  })
})
