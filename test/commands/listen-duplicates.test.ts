// `lanmsg listen` and repeats: a client's resends and one broadcast heard twice are shown once in the table,
// marked in NDJSON and counted in the summary. Network rule: UDP to 127.0.0.1 only; the child has the send guard.
import {expect} from 'chai'

import {CMD, OPT} from '../support/ipmsg-sender.js'
import {freeUdpPort, startListen, waitBound} from '../support/listen-child.js'
import {closeAll, entry, senders, sendmsg} from '../support/listen-datagrams.js'

type Json = any

describe('listen', function () {
  // Generous limits: the machine may be shared.
  this.timeout(120_000)

  describe('duplicates: resends and one broadcast heard twice', () => {
    // SENDMSG #11 three times (a client resending), BR_ENTRY #12 twice (sent to two broadcast addresses), and
    // packet #11 again with another command (not a duplicate): 6 datagrams, 3 distinct.
    const burst = () => [
      sendmsg(11, 'once'),
      sendmsg(11, 'once'),
      entry(12, CMD.BR_ENTRY, 'lib', 'Lib'),
      entry(12, CMD.BR_ENTRY, 'lib', 'Lib'),
      sendmsg(11, 'once'),
      sendmsg(11, 'checked', CMD.SENDMSG | OPT.SENDCHECKOPT),
    ]
    const ROW = /^\d{2}:\d{2}:\d{2}\.\d{3} {2}127\.0\.0\.2:\d+ +/
    const run = async (args: string[]) => {
      const port = await freeUdpPort()
      const [s] = await senders(['127.0.0.2'])
      try {
        const live = startListen(port, [...args, '--count', '3'])
        await waitBound(live)
        await s.sendAll(burst(), port)
        const done = await live.done
        expect(done.code, done.stderr).to.equal(0)
        return done
      } finally {
        await closeAll([s])
      }
    }

    it('the table shows each once and the summary counts the duplicates', async () => {
      const done = await run([])
      const rows = done.stdout.split('\n').filter((l) => ROW.test(l))
      expect(rows.map((r) => r.split(/\s+/)[2])).to.deep.equal(['SENDMSG', 'BR_ENTRY', 'SENDMSG'])
      expect(done.stdout.trimEnd().split('\n').at(-1)).to.equal('6 datagrams received, 3 shown, 3 duplicates; 2 peers')
    })

    it('NDJSON writes every datagram and marks the repeats "duplicate": true; --json counts them in stats', async () => {
      const lines = (await run(['--ndjson'])).stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Json)
      expect(lines.map((r) => r.duplicate ?? false)).to.deep.equal([false, true, false, true, true, false])
      const doc = JSON.parse((await run(['--json'])).stdout)
      expect(doc.packets.filter((r: Json) => r.duplicate === true)).to.have.length(3)
      expect(doc.stats).to.include({datagrams: 6, duplicates: 3})
    })
  })
})
