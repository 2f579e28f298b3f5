// `lanmsg listen` filters: --from, --mode and --ipmsg-only, and what the summary says they filtered out.
// Network rule: UDP to 127.0.0.1 only (from senders on 127.0.0.1 and .2); the child has the send guard.
import {expect} from 'chai'

import {CMD, ipmsgPacket, NUL, type Sender, sleep} from '../support/ipmsg-sender.js'
import {type Finished, freeUdpPort, ndjson, startListen, waitBound} from '../support/listen-child.js'
import {closeAll, entry, JUNK, senders, sendmsg} from '../support/listen-datagrams.js'

describe('listen', function () {
  // Generous limits: the machine may be shared.
  this.timeout(120_000)

  describe('filters', () => {
    let fromRun: Finished
    let modeRun: Finished
    let onlyRun: Finished
    let list: Sender[] = []

    before(async () => {
      list = await senders(['127.0.0.1', '127.0.0.2', '127.0.0.1', '127.0.0.1'])
      const [one, two, three, four] = list
      const scenario = async (args: string[], steps: Array<[Sender, Buffer]>) => {
        const port = await freeUdpPort()
        const live = startListen(port, ['--ndjson', ...args])
        await waitBound(live)
        for (const [sender, bytes] of steps) {
          await sender.send(bytes, port)
          await sleep(5)
        }

        return live.done
      }

      ;[fromRun, modeRun, onlyRun] = await Promise.all([
        scenario(
          ['--from', '127.0.0.2/32', '--count', '2'],
          [
            [one, sendmsg(1, 'from .1 (a)')],
            [two, sendmsg(2, 'from .2 (a)')],
            [one, sendmsg(3, 'from .1 (b)')],
            [one, JUNK],
            [two, sendmsg(5, 'from .2 (b)')],
          ],
        ),
        scenario(
          ['--mode', 'SENDMSG', '--mode', 'RECVMSG', '--count', '3'],
          [
            [three, entry(1, CMD.BR_ENTRY, 'alice', 'Alice')],
            [three, sendmsg(2, 'one')],
            [three, JUNK],
            [three, ipmsgPacket({packetNo: 4, user: 'alice', host: 'alice-pc', command: CMD.RECVMSG}, '2', NUL)],
            [three, ipmsgPacket({packetNo: 5, user: 'alice', host: 'alice-pc', command: CMD.GETINFO})],
            [three, sendmsg(6, 'two', 288)],
          ],
        ),
        scenario(
          ['--ipmsg-only', '--count', '2'],
          [
            [four, JUNK],
            [four, sendmsg(2, 'kept')],
            [four, Buffer.from('IP2:3d:key1:3:3e8:Z')],
            [four, Buffer.from('1:4:a:b:32')],
            [four, entry(5, CMD.BR_ENTRY, 'alice', 'Alice')],
          ],
        ),
      ])
    })
    after(() => closeAll(list))

    it('--from 127.0.0.2/32 shows only datagrams from that address', () => {
      expect(fromRun.code, fromRun.stderr).to.equal(0)
      const records = ndjson(fromRun.stdout)
      expect(records.map((r) => r.from)).to.deep.equal([
        {address: '127.0.0.2', port: list[1].port},
        {address: '127.0.0.2', port: list[1].port},
      ])
      expect(records.map((r) => r.packet.text)).to.deep.equal(['from .2 (a)', 'from .2 (b)'])
      expect(fromRun.stderr).to.equal('5 datagrams received, 2 shown, 3 filtered out; 1 peer\n')
    })

    it('--mode (repeatable) shows only those commands', () => {
      expect(modeRun.code, modeRun.stderr).to.equal(0)
      const records = ndjson(modeRun.stdout)
      expect(records.map((r) => [r.packet.mode, r.packet.packetNo])).to.deep.equal([
        ['SENDMSG', 2],
        ['RECVMSG', 4],
        ['SENDMSG', 6],
      ])
      expect(modeRun.stderr).to.match(/^6 datagrams received, 3 shown, 3 filtered out; /)
    })

    it('--ipmsg-only hides datagrams that are not IPMsg', () => {
      expect(onlyRun.code, onlyRun.stderr).to.equal(0)
      const records = ndjson(onlyRun.stdout)
      expect(records.map((r) => [r.ipmsg, r.packet.packetNo])).to.deep.equal([
        [true, 2],
        [true, 5],
      ])
      expect(onlyRun.stderr).to.match(/^5 datagrams received, 2 shown, 3 filtered out; /)
    })
  })
})
