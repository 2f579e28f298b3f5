// Simulated LAN of 21 hosts: 20 run `lanmsg listen --respond` (each its own user and nickname), and
// `lanmsg announce --json` (BR_ENTRY) from the 21st lists all 20 as peers, with their addresses and nicknames.
import {expect} from 'chai'

import {type NetnsProcess, type SimulatedLan, useSimulatedLan} from '../support/netns.js'

type Json = any

const PEERS = 20
const pad = (n: number) => String(n).padStart(2, '0')

describe('simulated LAN: discovery of 20 responders', function () {
  this.timeout(120_000)
  let lan: SimulatedLan
  let responders: NetnsProcess[] = []

  useSimulatedLan(this, {
    hosts: PEERS + 1,
    timeoutMs: 90_000,
    async start(built) {
      lan = built
      // All 20 start at once; each is ready when its socket is bound (read from /proc, no fixed sleep).
      responders = lan.hosts
        .slice(1)
        .map((host, i) =>
          lan.cli(host, [
            'listen',
            '--respond',
            '--ndjson',
            '--user',
            `user${pad(i + 1)}`,
            '--host',
            `pc${pad(i + 1)}`,
            '--nick',
            `Peer ${pad(i + 1)}`,
            '--duration',
            '100s',
          ]),
        )
      await Promise.all(responders.map((r) => r.waitBound(2425, 80_000)))
    },
  })

  it('announce --json --expect 20 (--wait 10s) lists all 20 peers with their addresses and nicknames', async () => {
    const [me, ...others] = lan.hosts
    const run = await lan.cli(me, ['announce', '--json', '--wait', '10s', '--expect', String(PEERS)]).wait(40_000)
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(doc.sent).to.include({mode: 'BR_ENTRY'})
    expect(doc.targets).to.deep.equal([
      {address: me.interfaces[0].broadcast, port: 2425, interface: 'eth0', kind: 'broadcast'},
    ])

    const expected = others.map((host, i) => ({
      address: host.address,
      port: 2425,
      user: `user${pad(i + 1)}`,
      host: `pc${pad(i + 1)}`,
      nickname: `Peer ${pad(i + 1)}`,
    }))
    const peers = doc.peers.map((p: Json) => ({
      address: p.address,
      port: p.port,
      user: p.user,
      host: p.host,
      nickname: p.nickname,
    }))
    const byAddress = (a: Json, b: Json) => a.address.localeCompare(b.address, 'en', {numeric: true})
    expect(peers.sort(byAddress)).to.deep.equal(expected.sort(byAddress))
    // Every peer answered our BR_ENTRY with ANSENTRY (an acknowledgement), not just broadcast something.
    for (const peer of doc.peers) expect(peer, peer.address).to.include({acknowledged: true, status: 'present'})
    const answers = doc.replies.filter((r: Json) => r.packet?.mode === 'ANSENTRY' && r.acknowledges)
    expect(new Set(answers.map((r: Json) => r.from.address)).size).to.equal(PEERS)
  })

  it('back-to-back discoveries each list all 20 (none held back by the reply limits); the default wait', async () => {
    const me = lan.hosts[0]
    // The first with the default wait, then three with --wait 1500ms: each entry comes within 2 s of the one before.
    const waits = [[], ['--wait', '1500ms'], ['--wait', '1500ms'], ['--wait', '1500ms']]
    for (const [index, wait] of waits.entries()) {
      const run = index + 1
      const result = await lan.cli(me, ['announce', '--json', ...wait]).wait(40_000)
      expect(result.code, result.stderr).to.equal(0)
      const doc = JSON.parse(result.stdout)
      expect(doc.peers, `discovery ${run}`).to.have.length(PEERS)
      if (run !== 1) continue
      // The peers answer within 0–1023 ms: the wait ends a second after the last, not at the 4.2 s of silence.
      expect(doc.waited.mode).to.equal('auto')
      expect(doc.waited.reason).to.match(/no reply for 1 s|small LAN/)
    }
  })

  it('every responder saw the BR_ENTRY and the BR_EXIT, and stops cleanly on SIGINT', async () => {
    const me = lan.hosts[0]
    for (const r of responders) {
      await r.waitForRecords((d: Json) => d.from.address === me.address && d.packet?.mode === 'BR_EXIT', 1, 10_000)
      const modes = r
        .records()
        .filter((d: Json) => d.from.address === me.address)
        .map((d: Json) => d.packet?.mode)
      // One entry and one exit per discovery (the tests above ran five).
      expect(modes, r.host.name).to.deep.equal(Array.from({length: 5}, () => ['BR_ENTRY', 'BR_EXIT']).flat())
    }

    for (const r of responders) r.kill('SIGINT')
    for (const r of responders) {
      const result = await r.wait(15_000)
      expect(result.code, r.describe()).to.equal(0)
      expect(result.stderr, r.describe()).not.to.match(/Warning|Error|\n\s+at /)
    }
  })
})
