// Amplification: a spoofed or repeated request must not turn lanmsg into a reply cannon (§8.2 of
// ../shared/protocol/ipmsg.md). Two `listen --respond` share a port on 0.0.0.0 and hear loopback broadcasts;
// an "attacker" on 127.0.0.9 broadcasts BR_ENTRY 20 times in a second, another GETINFO 20 times. And sources that
// must never be answered, checked at the ResponderPolicy and ListenSession level with fabricated addresses.
// Network rule: all datagrams go to 127.0.0.0/8 (127.255.255.255 is loopback's broadcast).
import {expect} from 'chai'
import os from 'node:os'

import {ListenSession} from '../../src/lan/listen-session.js'
import {DEFAULT_REPLY_LIMITS, RateLimiter} from '../../src/lan/rate-limit.js'
import {DEFAULT_ENTRY_REPLY_INTERVAL_MS, ResponderPolicy} from '../../src/lan/responder-policy.js'
import {localBroadcastAddresses} from '../../src/net/targets.js'
import {CAPUTF8OPT, MODES, SENDCHECKOPT} from '../../src/protocol/constants.js'
import {makePacket} from '../lan/packet-factory.js'
import {
  type CliProcess,
  freeUdpPort,
  ipmsgHeader,
  LoopbackSocket,
  makeStateDir,
  nonEmptyLines,
  sleep,
  STACK_TRACE,
  startCli,
} from '../support/hostile.js'

const LOOPBACK_BROADCAST = '127.255.255.255'
const t0 = 1_700_000_000_000

describe('hardening: amplification', function () {
  this.timeout(30_000)

  describe('sources that are never answered (ResponderPolicy, fabricated sources)', () => {
    const OWN = '192.168.1.5'
    const KNOWN_BROADCAST = '192.168.1.255'
    const makePolicy = () =>
      new ResponderPolicy({
        self: {user: 'me', host: 'box', nickname: 'Me', group: ''},
        ownAddresses: [OWN, '127.0.0.1'],
        ownPort: 2425,
        limiter: new RateLimiter(),
        random: () => 0,
        isBroadcast: (address) => address === KNOWN_BROADCAST,
      })
    const requests = [
      makePacket(MODES.BR_ENTRY | CAPUTF8OPT),
      makePacket(MODES.SENDMSG | SENDCHECKOPT, {text: 'hi'}),
      makePacket(MODES.GETINFO),
      makePacket(MODES.GETABSENCEINFO),
    ]
    const invalid: Array<[string, {address: string; port: number}]> = [
      ['port 0', {address: '192.168.1.20', port: 0}],
      ['port 65536', {address: '192.168.1.20', port: 65_536}],
      ['port -1', {address: '192.168.1.20', port: -1}],
      ['port NaN', {address: '192.168.1.20', port: Number.NaN}],
      ['0.0.0.0', {address: '0.0.0.0', port: 2425}],
      ['0.1.2.3 ("this network")', {address: '0.1.2.3', port: 2425}],
      ['255.255.255.255', {address: '255.255.255.255', port: 2425}],
      ['224.0.0.1', {address: '224.0.0.1', port: 2425}],
      ['239.255.255.250', {address: '239.255.255.250', port: 1900}],
      ['240.0.0.1 (reserved)', {address: '240.0.0.1', port: 2425}],
      ['::ffff:224.0.0.1', {address: '::ffff:224.0.0.1', port: 2425}],
      ['a known broadcast address', {address: KNOWN_BROADCAST, port: 2425}],
      ['a known broadcast address, IPv4-mapped', {address: `::ffff:${KNOWN_BROADCAST}`, port: 2425}],
      ['an IPv6 source', {address: 'fe80::1', port: 2425}],
      ['an odd spelling (127.1)', {address: '127.1', port: 2425}],
      ['an odd spelling (0x7f.0.0.1)', {address: '0x7f.0.0.1', port: 2425}],
      ['a host name', {address: 'localhost', port: 2425}],
      ['an empty address', {address: '', port: 2425}],
    ]

    for (const [name, from] of invalid) {
      it(`never answers ${name}`, () => {
        const policy = makePolicy()
        for (const packet of requests) expect(policy.decide(packet, from, t0)).to.deep.equal([])
        expect(policy.stats.suppressedInvalidSource).to.equal(requests.length)
        expect(policy.stats.answered).to.equal(0)
      })
    }

    it('never answers its own address and port (its own broadcast heard back), nor its own names from its address', () => {
      const policy = makePolicy()
      for (const packet of requests) {
        expect(policy.decide(packet, {address: OWN, port: 2425}, t0)).to.deep.equal([])
        expect(policy.decide(packet, {address: '127.0.0.1', port: 2425}, t0)).to.deep.equal([])
        expect(policy.decide(packet, {address: `::ffff:${OWN}`, port: 2425}, t0)).to.deep.equal([])
        const mine = {...packet, user: 'me', host: 'box'}
        expect(policy.decide(mine, {address: OWN, port: 40_000}, t0)).to.deep.equal([])
      }

      expect(policy.stats.suppressedSelf).to.equal(requests.length * 4)
      expect(policy.stats.answered).to.equal(0)
    })

    it('answers a plain unicast source (the checks above are not refusing everything)', () => {
      const policy = makePolicy()
      const replies = requests.flatMap((packet) => policy.decide(packet, {address: '192.168.1.20', port: 2425}, t0))
      expect(replies.map((r) => r.to)).to.deep.equal(requests.map(() => ({address: '192.168.1.20', port: 2425})))
    })

    it('a listen session never answers any broadcast address of this machine, even when --to is a unicast', async () => {
      const session = await ListenSession.start({
        port: 0,
        address: '127.0.0.1',
        expireMs: 60_000,
        respond: {
          self: {user: 'me', host: 'box', nickname: 'Me', group: ''},
          targets: [{address: '127.0.0.1', port: 9, kind: 'unicast'}],
        },
      })
      try {
        const broadcasts = localBroadcastAddresses(os.networkInterfaces())
        expect(broadcasts).to.include(LOOPBACK_BROADCAST)
        for (const address of broadcasts) {
          for (const packet of requests) {
            expect(session.responder!.decide(packet, {address, port: 40_000}, Date.now()), address).to.deep.equal([])
          }
        }

        expect(session.responder!.decide(requests[2], {address: '127.0.0.9', port: 40_000}, Date.now())).to.have.length(
          1,
        )
      } finally {
        // Respond targets are 127.0.0.1:9 (loopback discard), where the BR_EXIT of stop() goes.
        await session.stop()
      }
    })
  })

  describe('two listen --respond on one port, a burst of broadcasts from one source (process)', () => {
    it('answers at most one ANSENTRY per source per 2 s, 5 SENDINFO per burst, and never itself', async () => {
      const state = makeStateDir()
      const port = await freeUdpPort()
      const entryAttacker = await LoopbackSocket.open('127.0.0.9', 0, {broadcast: true})
      const infoAttacker = await LoopbackSocket.open('127.0.0.10', 0, {broadcast: true})
      const records = new Map<string, any[]>()
      const start = (user: string): CliProcess => {
        records.set(user, [])
        return startCli(
          [
            'listen',
            '--ndjson',
            '--respond',
            '--to',
            LOOPBACK_BROADCAST,
            '--port',
            String(port),
            '--user',
            user,
            '--host',
            `${user}-host`,
            '--duration',
            '25s',
          ],
          {
            env: {LANMSG_STATE_DIR: state.dir},
            timeoutMs: 28_000,
            onLine: (line) => records.get(user)!.push(JSON.parse(line)),
          },
        )
      }

      const a = start('lsna')
      await a.until(() => records.get('lsna')!.length > 0, 15_000, 'lsna to hear its own BR_ENTRY')
      const b = start('lsnb')
      try {
        await b.until(() => records.get('lsnb')!.length > 0, 15_000, 'lsnb to hear its own BR_ENTRY')
        // a heard b's BR_ENTRY too (same address and port as its own: not answered).
        await a.until(() => records.get('lsna')!.length > 1, 5000, 'lsna to hear lsnb')

        const entry = Buffer.from(`1:500:mallory:evil:${MODES.BR_ENTRY | CAPUTF8OPT}:Mallory\0\0`)
        const info = Buffer.from(`1:600:mallory:evil:${MODES.GETINFO}:\0`)
        const burstStarted = Date.now()
        for (let i = 0; i < 20; i++) {
          await entryAttacker.send(entry, port, LOOPBACK_BROADCAST)
          await infoAttacker.send(info, port, LOOPBACK_BROADCAST)
          await sleep(50)
        }

        const burstMs = Date.now() - burstStarted
        await sleep(1300) // ANSENTRY leaves after up to 1023 ms
        const entryReplies = () => entryAttacker.received.filter((r) => ipmsgHeader(r.data)?.mode === MODES.ANSENTRY)
        const answersBy = (user: string) => entryReplies().filter((r) => ipmsgHeader(r.data)!.user === user).length
        // One ANSENTRY per 2 s: one for a burst of 1 s (more only if this machine stretched the burst past 2 s).
        const entryCap = 1 + Math.floor(burstMs / DEFAULT_ENTRY_REPLY_INTERVAL_MS)
        const afterBurst = {lsna: answersBy('lsna'), lsnb: answersBy('lsnb')}
        for (const user of ['lsna', 'lsnb'] as const) {
          expect(afterBurst[user], `ANSENTRY from ${user} for 20 BR_ENTRY in ${burstMs} ms`).to.be.within(1, entryCap)
        }

        expect(entryAttacker.received.length).to.equal(afterBurst.lsna + afterBurst.lsnb)

        // Each listener: 5 SENDINFO (the per-source burst), plus what the bucket refilled during the burst.
        const infoCap = DEFAULT_REPLY_LIMITS.perSourcePerInterval + Math.floor((burstMs / 1000) * 0.5)
        for (const user of ['lsna', 'lsnb']) {
          const infos = infoAttacker.received.filter((r) => ipmsgHeader(r.data)?.user === user)
          expect(infos.length, `SENDINFO from ${user}`).to.be.within(DEFAULT_REPLY_LIMITS.perSourcePerInterval, infoCap)
          expect(infos.every((r) => ipmsgHeader(r.data)?.mode === MODES.SENDINFO)).to.equal(true)
        }

        // More than 2 s after the burst: one more BR_ENTRY is answered again, once by each.
        await sleep(Math.max(0, DEFAULT_ENTRY_REPLY_INTERVAL_MS + 200 - (Date.now() - burstStarted - burstMs)))
        await entryAttacker.send(entry, port, LOOPBACK_BROADCAST)
        await sleep(1300)
        expect(answersBy('lsna')).to.equal(afterBurst.lsna + 1)
        expect(answersBy('lsnb')).to.equal(afterBurst.lsnb + 1)

        a.kill('SIGINT')
        b.kill('SIGINT')
        const exits = await Promise.all([a.exited, b.exited])
        for (const [i, exit] of exits.entries()) {
          const user = i === 0 ? 'lsna' : 'lsnb'
          expect(exit.code, exit.stderr).to.equal(0)
          expect(exit.stderr).not.to.match(STACK_TRACE)
          const summary = nonEmptyLines(exit.stderr).at(-1)!
          const answered =
            entryAttacker.received.filter((r) => ipmsgHeader(r.data)?.user === user).length +
            infoAttacker.received.filter((r) => ipmsgHeader(r.data)?.user === user).length
          // Every reply it sent reached an attacker: none went to itself or to the other listener.
          expect(summary).to.match(new RegExp(`; ${answered} repl(y|ies) sent`))
          // Nobody sent an ANSENTRY or SENDINFO to the listeners' port.
          const modes = records.get(user)!.map((r) => r.packet?.mode)
          expect(modes).not.to.include('ANSENTRY')
          expect(modes).not.to.include('SENDINFO')
          expect(modes.filter((m) => m === 'BR_ENTRY').length).to.be.at.least(21 + 1)
        }
      } finally {
        a.kill('SIGKILL')
        b.kill('SIGKILL')
        await Promise.all([a.exited.catch(() => {}), b.exited.catch(() => {})])
        await entryAttacker.close()
        await infoAttacker.close()
        state.remove()
      }
    })
  })
})
