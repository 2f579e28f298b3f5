// How `lanmsg listen` ends: --count, --duration, SIGINT and SIGTERM (flushing every datagram first), and a reader
// that goes away (| head -1). Network rule: UDP goes to 127.0.0.1 only; the child runs under the send guard.
import {expect} from 'chai'

import {openSender, type Sender, sleep} from '../support/ipmsg-sender.js'
import {type Finished, freeUdpPort, ndjson, startListen, waitBound} from '../support/listen-child.js'
import {closeAll, senders, sendmsg} from '../support/listen-datagrams.js'

describe('listen', function () {
  // Generous limits: the machine may be shared.
  this.timeout(120_000)

  describe('ending: --count, --duration, SIGINT, SIGTERM', () => {
    let countRun: Finished
    let countSecondAt: number
    let durationRun: Finished
    let durationBoundAt: number
    const signalled: Record<string, {run: Finished; killedAt: number; sent: number}> = {}
    let list: Sender[] = []

    before(async () => {
      list = await senders(['127.0.0.1', '127.0.0.1', '127.0.0.1'])
      const counted = async () => {
        const port = await freeUdpPort()
        const live = startListen(port, ['--ndjson', '--count', '2'])
        await waitBound(live)
        await list[0].send(sendmsg(1, 'one'), port)
        await sleep(100)
        await list[0].send(sendmsg(2, 'two'), port)
        countSecondAt = Date.now()
        await sleep(300)
        for (const no of [3, 4]) await list[0].send(sendmsg(no, 'more'), port).catch(() => {})
        countRun = await live.done
      }

      const timed = async () => {
        const port = await freeUdpPort()
        const live = startListen(port, ['--duration', '500ms'])
        await waitBound(live)
        durationBoundAt = Date.now()
        durationRun = await live.done
      }

      const signal = async (name: NodeJS.Signals, sender: Sender) => {
        const port = await freeUdpPort()
        const live = startListen(port, ['--ndjson', '--duration', '20s'])
        await waitBound(live)
        const sent = 200
        for (let i = 0; i < sent; i++) await sender.send(sendmsg(i, `datagram ${i}`), port)
        const killedAt = Date.now()
        live.child.kill(name)
        signalled[name] = {run: await live.done, killedAt, sent}
      }

      await Promise.all([counted(), timed(), signal('SIGINT', list[1]), signal('SIGTERM', list[2])])
    })
    after(() => closeAll(list))

    it('--count 2 exits after two datagrams', () => {
      expect(countRun.code, countRun.stderr).to.equal(0)
      expect(ndjson(countRun.stdout).map((x) => x.packet.packetNo)).to.deep.equal([1, 2])
      expect(countRun.stderr).to.match(/^2 datagrams received, 2 shown; 1 peer\n$/)
      expect(countRun.exitedAt - countSecondAt).to.be.below(10_000)
    })

    it('--duration 500ms exits by itself with code 0', () => {
      expect(durationRun.timedOut).to.equal(false)
      expect(durationRun.code, durationRun.stderr).to.equal(0)
      expect(durationRun.signal).to.equal(null)
      expect(durationRun.exitedAt - durationBoundAt).to.be.within(450, 15_000)
      expect(durationRun.stdout).to.match(/^TIME +FROM/)
      expect(durationRun.stdout).to.include('No IPMsg peer seen.')
      expect(durationRun.stdout.trimEnd().split('\n').at(-1)).to.equal('0 datagrams received, 0 shown; 0 peers')
    })

    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      it(`${name} flushes: every datagram sent before the signal is in the NDJSON output, summary, exit 0`, () => {
        const {run, killedAt, sent} = signalled[name]
        expect(run.timedOut).to.equal(false)
        expect(run.signal).to.equal(null)
        expect(run.code, run.stderr).to.equal(0)
        const numbers = ndjson(run.stdout).map((x) => x.packet.packetNo)
        expect(numbers).to.deep.equal(Array.from({length: sent}, (_, i) => i))
        expect(run.stderr).to.equal(`${sent} datagrams received, ${sent} shown; 1 peer\n`)
        expect(run.exitedAt - killedAt).to.be.below(10_000)
      })
    }
  })

  it('`listen --ndjson | head -1` ends quietly: one line, no EPIPE or stack trace', async () => {
    const port = await freeUdpPort()
    const sender = await openSender()
    try {
      const live = startListen(port, ['--ndjson', '--duration', '30s'], {shell: (cli) => `${cli} | head -1`})
      await waitBound(live)
      const sentAt = Date.now()
      for (let i = 0; i < 20; i++) {
        await sender.send(sendmsg(100 + i, `line ${i}`), port)
        await sleep(20)
      }

      const run = await live.done
      expect(run.timedOut).to.equal(false)
      expect(run.code, run.stderr).to.equal(0)
      const lines = run.stdout.split('\n')
      expect(lines).to.have.length(2)
      expect(JSON.parse(lines[0]).packet.packetNo).to.equal(100)
      expect(run.stderr).to.not.match(/EPIPE|Error|\n\s+at /)
      expect(run.stderr).to.match(/^\d+ datagrams received, \d+ shown; 1 peer\n$/)
      // It noticed that nobody reads any more and stopped, long before --duration 30s.
      expect(run.exitedAt - sentAt).to.be.below(20_000)
    } finally {
      await sender.close()
    }
  })
})
