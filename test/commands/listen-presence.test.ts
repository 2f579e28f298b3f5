// `lanmsg listen` presence: nobody expires by default; with --expire, peers go expired after silence, exited after
// BR_EXIT and absent after BR_ABSENCE. Network rule: UDP to 127.0.0.1 only; the child has the send guard.
import {expect} from 'chai'

import {CMD, OPT, sleep} from '../support/ipmsg-sender.js'
import {freeUdpPort, startListen, waitBound} from '../support/listen-child.js'
import {closeAll, entry, senders} from '../support/listen-datagrams.js'
import {runCli} from '../support/run-cli.js'

type Json = any

describe('listen', function () {
  // Generous limits: the machine may be shared.
  this.timeout(120_000)

  it('expires nobody by default: --help says so, and the flag has no default (IPMsg clients send no heartbeat)', async () => {
    const {default: Listen} = await import('../../src/commands/listen.js')
    expect(Listen.flags.expire.default).to.equal(undefined)
    const help = await runCli(['listen', '--help'])
    expect(help.stdout.replaceAll(/\s+/g, ' ')).to.include('Default: never')
  })

  it('presence (--json --expire 300ms): expired after silence, exited after BR_EXIT, absent after BR_ABSENCE', async () => {
    const port = await freeUdpPort()
    const [a, b, c] = await senders(['127.0.0.2', '127.0.0.3', '127.0.0.4'])
    try {
      const live = startListen(port, ['--json', '--expire', '300ms', '--count', '4'])
      await waitBound(live)
      await a.send(entry(1, CMD.BR_ENTRY, 'amy', 'Amy'), port)
      await sleep(700)
      await b.sendAll([entry(2, CMD.BR_ENTRY, 'ben', 'Ben'), entry(3, CMD.BR_EXIT, 'ben', 'Ben')], port)
      await c.send(entry(4, CMD.BR_ABSENCE | OPT.ABSENCEOPT, 'cat', 'Cat (away)'), port)
      const run = await live.done
      expect(run.code, run.stderr).to.equal(0)
      const doc = JSON.parse(run.stdout)
      const byUser = Object.fromEntries(doc.peers.map((p: Json) => [p.user, p]))
      expect(Object.keys(byUser)).to.have.members(['amy', 'ben', 'cat'])
      expect(byUser.amy).to.include({address: '127.0.0.2', port: a.port, nickname: 'Amy', status: 'expired'})
      expect(byUser.ben).to.include({address: '127.0.0.3', port: b.port, status: 'exited', packets: 2})
      expect(byUser.cat).to.include({address: '127.0.0.4', port: c.port, nickname: 'Cat (away)', status: 'absent'})
    } finally {
      await closeAll([a, b, c])
    }
  })
})
