// `lanmsg listen --respond`: a polite peer that announces itself, answers BR_ENTRY, GETINFO and GETABSENCEINFO,
// acknowledges checked messages within a rate limit, ignores itself and says goodbye. Network rule: UDP goes to
// 127.0.0.0/8 only, to 127.255.255.255 only to sockets bound to 0.0.0.0 (every run is given --to 127.255.255.255);
// the child runs under the send guard. Independent scenarios run together in one `before` to keep the file short.
import {expect} from 'chai'

import {CMD, ipmsgPacket, NUL, OPT, openSender, type Reply, type Sender, sleep} from '../support/ipmsg-sender.js'
import {type Finished, freeUdpPort, ndjson, startListen, withoutSharedPortLine} from '../support/listen-child.js'
import {closeAll, entry, sendmsg} from '../support/listen-datagrams.js'

type Json = any

describe('listen', function () {
  // Generous limits: the machine may be shared.
  this.timeout(120_000)

  describe('--respond (a polite peer)', () => {
    const ME = ['--user', 'lanbot', '--host', 'testhost', '--nick', 'Bot']
    let port: number
    let absentPort: number
    let observer: Sender
    let absentObserver: Sender
    let run: Finished
    let absentRun: Finished
    let absentReadyAt: number
    let signalAt: number
    const opened: Sender[] = []
    const r: Record<string, Json> = {}

    const open = async (address: string) => {
      const s = await openSender({address})
      opened.push(s)
      return s
    }

    const brEntries = (s: Sender) => s.replies(CMD.BR_ENTRY)
    const brExits = (s: Sender) => s.replies(CMD.BR_EXIT)

    // Scenarios of the main run, each from its own source address (the rate limit is per source address).
    async function entryUtf8() {
      const alice = await open('127.0.0.2')
      const sentAt = Date.now()
      await alice.send(entry(10, CMD.BR_ENTRY | OPT.CAPUTF8OPT, 'alice', 'Alice'), port)
      // SENDINFO is sent at once: its arrival is the turnaround time of this machine right now.
      await alice.send(ipmsgPacket({packetNo: 12, user: 'alice', host: 'alice-pc', command: CMD.GETINFO}, NUL), port)
      await alice.waitFor(() => alice.replies(CMD.ANSENTRY).length > 0, 10_000, 'ANSENTRY')
      const first = alice.replies(CMD.ANSENTRY)[0]
      // The same source enters again within 2 s: no second ANSENTRY.
      await alice.send(entry(11, CMD.BR_ENTRY | OPT.CAPUTF8OPT, 'alice', 'Alice'), port)
      await sleep(1300)
      const sendinfo = alice.replies(CMD.SENDINFO)[0]
      return {alice, sentAt, first, baseline: sendinfo === undefined ? undefined : sendinfo.at - sentAt}
    }

    async function entryPlain() {
      const dave = await open('127.0.0.3')
      await dave.send(entry(20, CMD.BR_ENTRY, 'dave', 'Dave'), port)
      await dave.waitFor(() => dave.replies(CMD.ANSENTRY).length > 0, 10_000, 'ANSENTRY')
      return {dave, answer: dave.replies(CMD.ANSENTRY)[0]}
    }

    async function acks() {
      const erin = await open('127.0.0.4')
      const m = (no: number, command: number) => sendmsg(no, `message ${no}`, command, 'erin', 'erin-pc')
      await erin.sendAll(
        [
          m(7001, CMD.SENDMSG | OPT.SENDCHECKOPT),
          m(7001, CMD.SENDMSG | OPT.SENDCHECKOPT), // a resend: acknowledged again
          m(7002, CMD.SENDMSG | OPT.SENDCHECKOPT | OPT.BROADCASTOPT),
          m(7003, CMD.SENDMSG | OPT.SENDCHECKOPT | OPT.AUTORETOPT),
          m(7004, CMD.SENDMSG),
        ],
        port,
      )
      await erin.waitFor((got) => got.length >= 2, 10_000, 'two RECVMSG')
      await sleep(500) // room for a wrong third one
      return {erin}
    }

    async function info() {
      const frank = await open('127.0.0.5')
      const q = (no: number, command: number) => ipmsgPacket({packetNo: no, user: 'frank', host: 'f-pc', command}, NUL)
      await frank.sendAll([q(30, CMD.GETINFO), q(31, CMD.GETABSENCEINFO)], port)
      await frank.waitFor(() => frank.replies().length >= 2, 10_000, 'SENDINFO and SENDABSENCEINFO')
      return {frank}
    }

    async function self() {
      // Our own user and host from one of our addresses: lanmsg itself (another socket, another run).
      const me = await open('127.0.0.1')
      const own = (no: number, command: number, body: string) =>
        ipmsgPacket({packetNo: no, user: 'lanbot', host: 'testhost', command}, body, NUL)
      await me.sendAll(
        [own(40, CMD.BR_ENTRY, 'Bot'), own(41, CMD.SENDMSG | OPT.SENDCHECKOPT, 'hi me'), own(42, CMD.GETINFO, '')],
        port,
      )
      await sleep(1300)
      const silent = me.received.length
      // The same socket as somebody else is answered: the silence above is about identity.
      await me.send(ipmsgPacket({packetNo: 43, user: 'grace', host: 'g-pc', command: CMD.GETINFO}, NUL), port)
      await me.waitFor(() => me.received.length > silent, 10_000, 'SENDINFO to grace')
      return {me, silent}
    }

    async function burst() {
      const heidi = await open('127.0.0.6')
      for (let i = 0; i < 30; i++) {
        await heidi.send(sendmsg(8000 + i, `burst ${i}`, CMD.SENDMSG | OPT.SENDCHECKOPT, 'heidi', 'h-pc'), port)
      }

      await heidi.waitFor((got) => got.length >= 5, 10_000, 'five RECVMSG')
      await sleep(500) // room for a wrong sixth one
      return {heidi}
    }

    async function absentScenario() {
      const ivan = await open('127.0.0.7')
      await ivan.send(entry(50, CMD.BR_ENTRY, 'ivan', 'Ivan'), absentPort)
      await ivan.send(
        ipmsgPacket({packetNo: 51, user: 'ivan', host: 'i-pc', command: CMD.GETABSENCEINFO}, NUL),
        absentPort,
      )
      await ivan.waitFor(() => ivan.replies().length >= 2, 10_000, 'SENDABSENCEINFO and ANSENTRY')
      return {ivan}
    }

    before(async () => {
      port = await freeUdpPort()
      absentPort = await freeUdpPort()
      // Bound before lanmsg, with SO_REUSEADDR: they hear lanmsg's broadcasts to 127.255.255.255, while unicasts to
      // the port still reach lanmsg (on Linux the socket bound last gets them).
      observer = await openSender({address: '0.0.0.0', port})
      absentObserver = await openSender({address: '0.0.0.0', port: absentPort})
      // The main run is ended by SIGINT once every scenario is done; the absent one by --duration.
      const main = startListen(port, ['--respond', '--to', '127.255.255.255', ...ME, '--ndjson', '--duration', '60s'])
      const absent = startListen(absentPort, [
        '--respond',
        '--to',
        '127.255.255.255',
        ...ME,
        '--absent',
        'at lunch',
        '--ndjson',
        '--duration',
        '3s',
      ])
      await Promise.all([
        observer.waitFor(() => brEntries(observer).length > 0, 45_000, "lanmsg's BR_ENTRY"),
        absentObserver
          .waitFor(() => brEntries(absentObserver).length > 0, 45_000, "lanmsg's BR_ENTRY (absent)")
          .then(() => {
            absentReadyAt = Date.now()
          }),
      ])
      ;[r.entryUtf8, r.entryPlain, r.acks, r.info, r.self, r.burst, r.absent] = await Promise.all([
        entryUtf8(),
        entryPlain(),
        acks(),
        info(),
        self(),
        burst(),
        absentScenario(),
      ])
      r.exitsBeforeSignal = brExits(observer).length
      signalAt = Date.now()
      main.child.kill('SIGINT')
      ;[run, absentRun] = await Promise.all([main.done, absent.done])
      await sleep(50)
    })
    after(() => closeAll([observer, absentObserver, ...opened]))

    it('announces itself with BR_ENTRY (CAPUTF8OPT, nickname Bot) to the --to address at start', () => {
      const [br] = brEntries(observer)
      expect(br.from).to.deep.equal({address: '127.0.0.1', port})
      expect(br.header).to.include({version: '1', user: 'lanbot', host: 'testhost'})
      expect(br.header.command & 0xff).to.equal(CMD.BR_ENTRY)
      expect(br.header.command & OPT.CAPUTF8OPT).to.not.equal(0)
      expect(br.header.command & OPT.UTF8OPT, 'no UTF8OPT on BR packets (§1.4)').to.equal(0)
      expect(br.header.command & OPT.ABSENCEOPT).to.equal(0)
      expect(br.parts![0]).to.equal('Bot')
      expect(br.body!.toString('utf8')).to.include('\nNN:Bot')
      expect(brEntries(observer)).to.have.length(1)
    })

    it('answers BR_ENTRY with one unicast ANSENTRY to the source address and port within ~1.1 s, UTF8OPT for CAPUTF8OPT', () => {
      const {alice, sentAt, first, baseline} = r.entryUtf8
      expect(first.from).to.deep.equal({address: '127.0.0.1', port}) // sent from the listening socket
      // At most 1023 ms of spread (§3.2) on top of what an immediate answer (SENDINFO) took on this machine.
      expect(baseline, 'SENDINFO arrived').to.be.a('number')
      expect(first.at - sentAt).to.be.below(1100 + baseline)
      expect(first.header).to.include({user: 'lanbot', host: 'testhost'})
      expect(first.header.command & 0xff).to.equal(CMD.ANSENTRY)
      expect(first.header.command & OPT.UTF8OPT).to.not.equal(0)
      expect(first.parts[0]).to.equal('Bot')
      expect(alice.replies().map((x: Reply) => x.mode)).to.have.members([CMD.SENDINFO, CMD.ANSENTRY])
      expect(observer.replies(CMD.ANSENTRY), 'not broadcast').to.deep.equal([])
    })

    it('answers a BR_ENTRY without CAPUTF8OPT with an ANSENTRY without UTF8OPT', () => {
      const {answer, dave} = r.entryPlain
      expect(answer.header.command & 0xff).to.equal(CMD.ANSENTRY)
      expect(answer.header.command & OPT.UTF8OPT).to.equal(0)
      expect(answer.parts[0]).to.equal('Bot')
      expect(dave.replies(CMD.ANSENTRY)).to.have.length(1)
    })

    it('sends no second ANSENTRY to a source that enters again within 2 s', () => {
      expect(r.entryUtf8.alice.replies(CMD.ANSENTRY)).to.have.length(1)
    })

    it('acknowledges SENDMSG|SENDCHECKOPT with RECVMSG 33 + packet number, resends too; not BROADCAST/AUTORET/unchecked', () => {
      const {erin} = r.acks
      const acksSeen = erin.received as Reply[]
      expect(acksSeen.map((a) => a.header?.command)).to.deep.equal([33, 33])
      expect(acksSeen.map((a) => a.body!.toString('latin1'))).to.deep.equal(['7001\0', '7001\0'])
      expect(acksSeen.map((a) => a.from)).to.deep.equal([
        {address: '127.0.0.1', port},
        {address: '127.0.0.1', port},
      ])
    })

    it('answers GETINFO with SENDINFO "lanmsg …" and GETABSENCEINFO with "Not Absence mode"', () => {
      const {frank} = r.info
      const [sendinfo] = frank.replies(CMD.SENDINFO)
      const [absence] = frank.replies(CMD.SENDABSENCEINFO)
      expect(sendinfo.parts[0]).to.match(/^lanmsg\b/)
      expect(absence.parts[0]).to.equal('Not Absence mode')
      expect(frank.received).to.have.length(2)
    })

    it('does not answer its own packets (our user and host from our address; its own broadcast)', () => {
      const {me, silent} = r.self
      expect(silent).to.equal(0)
      expect(me.replies(CMD.SENDINFO)).to.have.length(1)
      // Had lanmsg answered its own BR_ENTRY, the ANSENTRY would have come back to its own socket.
      const own = ndjson(run.stdout).filter((x) => x.from.port === port && x.packet?.mode === 'ANSENTRY')
      expect(own).to.deep.equal([])
    })

    it('acknowledges at most 5 of a burst of 30 from one source and says how many it suppressed', () => {
      const {heidi} = r.burst
      const acked = heidi.replies(CMD.RECVMSG).map((a: Reply) => a.body!.toString('latin1'))
      expect(acked).to.deep.equal(['8000\0', '8001\0', '8002\0', '8003\0', '8004\0'])
      // 2 (alice: ANSENTRY, SENDINFO) + 1 (dave) + 2 (erin) + 2 (frank) + 1 (grace) + 5 (heidi); 25 refused.
      expect(run.stderr).to.match(/; 13 replies sent \(25 suppressed by the rate limit\)\n$/)
    })

    it('says goodbye with BR_EXIT (twice) on SIGINT, exits 0 and prints the summary', () => {
      expect(run.code, run.stderr).to.equal(0)
      expect(run.signal).to.equal(null)
      expect(r.exitsBeforeSignal).to.equal(0)
      const exits = brExits(observer)
      expect(exits).to.have.length(2)
      expect(exits[0].at - signalAt).to.be.below(10_000)
      for (const x of exits) {
        expect(x.from).to.deep.equal({address: '127.0.0.1', port})
        expect(x.header).to.include({user: 'lanbot', host: 'testhost'})
        expect(x.header.command & 0xff).to.equal(CMD.BR_EXIT)
        expect(x.parts![0]).to.equal('Bot')
      }

      // erin's resend is shown once and counted; it was acknowledged again all the same (13 replies).
      // The observer shares the port, so a one-line warning comes first (listen-shared-port.test.ts).
      expect(withoutSharedPortLine(run.stderr)).to.match(
        /^\d+ datagrams received, \d+ shown, 1 duplicate; \d+ peers; 13 replies sent/,
      )
    })

    it('with --absent "at lunch": ABSENCEOPT on BR_ENTRY and ANSENTRY, the absence text on GETABSENCEINFO', () => {
      const [br] = brEntries(absentObserver)
      expect(br.header.command & OPT.ABSENCEOPT).to.not.equal(0)
      const {ivan} = r.absent
      expect(ivan.replies(CMD.SENDABSENCEINFO).map((x: Reply) => x.parts![0])).to.deep.equal(['at lunch'])
      const [ans] = ivan.replies(CMD.ANSENTRY)
      expect(ans.header.command & OPT.ABSENCEOPT).to.not.equal(0)
      expect(ans.parts[0]).to.equal('Bot')
    })

    it('says goodbye with BR_EXIT (twice) when --duration ends, and exits 0', () => {
      expect(absentRun.code, absentRun.stderr).to.equal(0)
      expect(absentRun.timedOut).to.equal(false)
      expect(absentRun.exitedAt - absentReadyAt).to.be.within(2800, 20_000)
      const exits = brExits(absentObserver)
      expect(exits).to.have.length(2)
      expect(exits[0].at).to.be.at.least(absentReadyAt + 2800)
      for (const x of exits) {
        expect(x.from).to.deep.equal({address: '127.0.0.1', port: absentPort})
        expect(x.header.command & 0xff).to.equal(CMD.BR_EXIT)
        expect(x.header.command & OPT.ABSENCEOPT).to.not.equal(0)
        expect(x.parts![0]).to.equal('Bot')
      }

      expect(withoutSharedPortLine(absentRun.stderr)).to.match(
        /^3 datagrams received, 3 shown; 1 peer; 2 replies sent\n$/,
      )
    })
  })
})
