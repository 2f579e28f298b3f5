// `lanmsg listen` for people: a header, one row per datagram (with --hex, a dump under it), text from the network
// escaped, and the peers table at exit. Network rule: UDP to 127.0.0.1 only; the child has the send guard.
import {expect} from 'chai'

import {CMD, type Sender, sleep} from '../support/ipmsg-sender.js'
import {type Finished, freeUdpPort, startListen, waitBound} from '../support/listen-child.js'
import {closeAll, entry, EVIL_NICK, EVIL_TEXT, JUNK, senders, sendmsg} from '../support/listen-datagrams.js'

describe('listen', function () {
  // Generous limits: the machine may be shared.
  this.timeout(120_000)

  describe('people output (rows, --hex, escaping, peers table)', () => {
    let plain: Finished
    let hex: Finished
    let plainFrom: Sender[]
    let hexFrom: Sender[]
    const datagrams = (): Array<[number, Buffer]> => [
      [0, entry(2001, CMD.BR_ENTRY, 'mallory', EVIL_NICK, 'g')],
      [1, entry(2002, CMD.BR_ENTRY, 'bob', 'Bob', 'QA')],
      [1, sendmsg(2003, 'hello people', 288, 'bob', 'bob-pc')],
      [1, JUNK],
      [0, sendmsg(2005, EVIL_TEXT, CMD.SENDMSG, 'mallory', 'mallory-pc')],
      [1, entry(2006, CMD.BR_EXIT, 'bob', 'Bob', 'QA')],
    ]
    const sizes = datagrams().map(([, b]) => b.length)

    async function feed(extra: string[], from: Sender[]): Promise<Finished> {
      const port = await freeUdpPort()
      const live = startListen(port, ['--count', '6', ...extra])
      await waitBound(live)
      for (const [who, bytes] of datagrams()) {
        await from[who].send(bytes, port)
        await sleep(5)
      }

      return live.done
    }

    before(async () => {
      // Two peers per run: 127.0.0.2 (mallory) and 127.0.0.3 (bob).
      plainFrom = await senders(['127.0.0.2', '127.0.0.3'])
      hexFrom = await senders(['127.0.0.2', '127.0.0.3'])
      ;[plain, hex] = await Promise.all([feed([], plainFrom), feed(['--hex'], hexFrom)])
    })
    after(() => closeAll([...plainFrom, ...hexFrom]))

    const ROW = /^\d{2}:\d{2}:\d{2}\.\d{3} {2}127\.0\.0\.[23]:\d+ +/
    const DUMP = /^[\da-f]{8} {2}/

    it('prints a header, then one row per datagram, then the peers table and the summary', () => {
      expect(plain.code, plain.stderr).to.equal(0)
      const lines = plain.stdout.split('\n')
      expect(lines[0]).to.match(/^TIME +FROM +MODE +OPTIONS +SENDER +CLIENT +CONTENT$/)
      expect(lines[1]).to.match(/^─+( {2}─+){6}$/)
      const rows = lines.filter((l) => ROW.test(l))
      expect(rows).to.have.length(6)
      expect(lines.slice(2, 8)).to.deep.equal(rows)
      const modes = rows.map((r) => r.split(/ {2,}/)[2])
      expect(modes).to.deep.equal(['BR_ENTRY', 'BR_ENTRY', 'SENDMSG', '(not IPMsg)', 'SENDMSG', 'BR_EXIT'])
      expect(rows[0]).to.include(`127.0.0.2:${plainFrom[0].port}`).and.include('mallory@mallory-pc')
      expect(rows[2]).to.include(`127.0.0.3:${plainFrom[1].port}`).and.include('bob@bob-pc').and.include('hello people')
      expect(plain.stdout.trimEnd().split('\n').at(-1)).to.equal('6 datagrams received, 6 shown; 2 peers')
    })

    it('shows a datagram that is not IPMsg as an escaped preview with its byte count', () => {
      const row = plain.stdout.split('\n').find((l) => l.includes('(not IPMsg)'))!
      expect(row).to.include('11 bytes')
      expect(row).to.include(String.raw`\x00\xff\xfe\x1b[31m`)
    })

    it('shows escape sequences and bidi overrides from the network escaped, never raw', () => {
      for (const run of [plain, hex]) {
        const controls = [...run.stdoutBytes].filter((b) => (b < 0x20 && b !== 0x0a) || b === 0x7f)
        expect(controls, 'control bytes on stdout').to.deep.equal([])
        expect(run.stdout).to.not.include('\u202E')
        expect(run.stdout).to.not.include('\u009B') // C1 CSI
      }

      const rows = plain.stdout.split('\n').filter((l) => ROW.test(l))
      expect(rows[0]).to.include(String.raw`red\x1b[31mX\x1b]0;title`)
      expect(rows[4]).to.include(String.raw`text \x1b[31mred\x1b[0m`)
      expect(plain.stdout).to.match(/\\u\{?202e/i)
    })

    it('lists the senders with their status in the peers table printed at exit', () => {
      const lines = plain.stdout.split('\n')
      const head = lines.findIndex((l) =>
        /^ADDRESS +USER +HOST +NICKNAME +GROUP +CLIENT +OPTIONS +LAST SEEN +STATUS$/.test(l),
      )
      expect(head, 'peers table header').to.be.greaterThan(7)
      const peers = lines.slice(head + 2).filter((l) => l.startsWith('127.'))
      expect(peers).to.have.length(2)
      expect(peers[0]).to.match(new RegExp(`^127\\.0\\.0\\.2:${plainFrom[0].port} +mallory +mallory-pc +red\\\\x1b`))
      expect(peers[0]).to.match(/ present$/)
      expect(peers[1]).to.match(new RegExp(`^127\\.0\\.0\\.3:${plainFrom[1].port} +bob +bob-pc +Bob +QA `))
      expect(peers[1]).to.match(/ exited$/)
    })

    it('--hex adds a hex dump under each row (none without it)', () => {
      expect(hex.code, hex.stderr).to.equal(0)
      expect(plain.stdout.split('\n').filter((l) => DUMP.test(l))).to.deep.equal([])
      const lines = hex.stdout.split('\n')
      const rowAt = lines.map((l, i) => (ROW.test(l) ? i : -1)).filter((i) => i >= 0)
      expect(rowAt).to.have.length(6)
      for (const [k, at] of rowAt.entries()) {
        const dump: string[] = []
        for (let j = at + 1; DUMP.test(lines[j]); j++) dump.push(lines[j])
        expect(dump, `dump of datagram ${k + 1}`).to.have.length(Math.ceil(sizes[k] / 16))
        expect(dump[0]).to.match(/^00000000 {2}/)
      }

      const junkDump = lines[rowAt[3] + 1]
      expect(junkDump).to.match(/^00000000 {2}00 ff fe 1b 5b 33 31 6d {2}07 80 41 +\|\.\.\.\.\[31m\.\.A\|$/)
    })
  })
})
