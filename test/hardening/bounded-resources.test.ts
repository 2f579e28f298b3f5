// Bounded resources: every per-peer table stays at its cap under 100,000+ distinct sources, with evictions
// counted; and a `listen --ndjson --respond` process flooded from 100,000 spoofed loopback sources keeps its
// memory bounded, answers at most the global rate, and says in its summary that the peer table overflowed.
// Network rule: the spoofed sources are addresses of 127.0.0.0/8 and every datagram goes to loopback.
import {expect} from 'chai'
import dgram from 'node:dgram'

import type {PeerTable} from '../../src/lan/peer-table.js'

import {DEFAULT_PRESENCE_CAPACITY, type PeerRow, Presence} from '../../src/lan/presence.js'
import {DEFAULT_REPLY_LIMITS, RateLimiter} from '../../src/lan/rate-limit.js'
import {DEFAULT_RECENT_PACKETS, RecentPackets} from '../../src/lan/recent-packets.js'
import {ENTRY_REPLY_MAX_DELAY_MS, ResponderPolicy} from '../../src/lan/responder-policy.js'
import {BoundedMap} from '../../src/lan/bounded-map.js'
import {CAPUTF8OPT, MODES, SENDCHECKOPT} from '../../src/protocol/constants.js'
import {decode} from '../../src/protocol/decode.js'
import {makePacket} from '../lan/packet-factory.js'
import {
  freeUdpPort,
  LoopbackSocket,
  makeStateDir,
  maxInWindow,
  nonEmptyLines,
  seededRandom,
  STACK_TRACE,
  startCli,
  vmRssKiB,
} from '../support/hostile.js'

const SOURCES = 100_000
const HEAP_CAP_MIB = 96
// bin/dev.js compiles TypeScript in-process (tsx): an idle `listen` is ~160 MiB before any datagram.
const PEAK_RSS_MIB = 240
const t0 = 1_700_000_000_000

/** The i-th of 100,000+ distinct loopback source addresses (127.16.0.0 upwards). */
function spoofedAddress(i: number): string {
  return `127.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`
}

describe('hardening: bounded resources', function () {
  this.timeout(60_000)

  describe('tables under 100,000+ distinct sources (unit)', () => {
    it('Presence keeps DEFAULT_PRESENCE_CAPACITY rows, endpoints and charsets, and counts every eviction', () => {
      const presence = new Presence()
      const gbk = decode(Buffer.from([...Buffer.from('1:1:'), 0xd5, 0xc5, ...Buffer.from(':pc:1:'), 0xd5, 0xc5, 0, 0]))
      expect(gbk.ok).to.equal(true)
      const packet = gbk.ok ? gbk.packet : makePacket(MODES.BR_ENTRY)
      for (let i = 0; i < SOURCES + 5000; i++)
        presence.observe(packet, {address: spoofedAddress(i), port: 2425}, t0 + i)
      expect(presence.size).to.equal(DEFAULT_PRESENCE_CAPACITY)
      expect(presence.evictions).to.equal(SOURCES + 5000 - DEFAULT_PRESENCE_CAPACITY)
      // The rows' endpoint index is typed arrays of a size fixed by the capacity (peer-table.ts).
      const internals = presence as unknown as {charsets: BoundedMap<string, unknown>; peers: PeerTable<PeerRow>}
      expect(internals.peers.size).to.equal(DEFAULT_PRESENCE_CAPACITY)
      expect(internals.peers.capacity).to.equal(DEFAULT_PRESENCE_CAPACITY)
      expect(internals.charsets.size).to.equal(DEFAULT_PRESENCE_CAPACITY)
      // The newest peers are the ones kept.
      expect(presence.get(spoofedAddress(SOURCES + 4999), 2425)).not.to.equal(undefined)
      expect(presence.get(spoofedAddress(0), 2425)).to.equal(undefined)
      expect(presence.rows()).to.have.length(DEFAULT_PRESENCE_CAPACITY)
    })

    it('RateLimiter tracks at most maxSources buckets and still bounds the total to the global rate', () => {
      const limiter = new RateLimiter()
      let allowed = 0
      // 100,000 sources in 2 s of fake time: each source is new, so only the global bucket can say no.
      for (let i = 0; i < SOURCES; i++)
        if (limiter.allow(spoofedAddress(i), t0 + Math.floor((i * 2000) / SOURCES))) allowed++
      expect(limiter.trackedSources).to.equal(DEFAULT_REPLY_LIMITS.maxSources)
      expect(limiter.evictions).to.equal(SOURCES - DEFAULT_REPLY_LIMITS.maxSources)
      expect(allowed).to.be.at.most(DEFAULT_REPLY_LIMITS.globalPerSecond * 3)
      expect(allowed).to.be.at.least(DEFAULT_REPLY_LIMITS.globalPerSecond * 2)
      expect(limiter.refusedGlobal).to.equal(SOURCES - allowed)
    })

    it('BoundedMap evicts like a reference LRU under random operations, and in O(1)', () => {
      const random = seededRandom(99)
      for (const size of [1, 2, 7, 64]) {
        const map = new BoundedMap<string, number>(size)
        const model: [string, number][] = [] // least recently used first
        let evictions = 0
        for (let i = 0; i < 20_000; i++) {
          const key = `k${Math.floor(random() * size * 3)}`
          const at = model.findIndex(([k]) => k === key)
          const op = random()
          if (op < 0.5) {
            map.set(key, i)
            if (at !== -1) model.splice(at, 1)
            else if (model.length >= size) {
              model.shift()
              evictions++
            }

            model.push([key, i])
          } else if (op < 0.8) {
            const expected = at === -1 ? undefined : model[at][1]
            expect(map.get(key)).to.equal(expected)
            if (at !== -1) model.push(...model.splice(at, 1))
          } else {
            expect(map.delete(key)).to.equal(at !== -1)
            if (at !== -1) model.splice(at, 1)
          }

          // What is held (the order shows in which key the next eviction takes, checked here later).
          if (i % 101 === 0) {
            const expected = new Map(model)
            for (let k = 0; k < size * 3; k++) expect(map.peek(`k${k}`)).to.equal(expected.get(`k${k}`))
            expect(map.size).to.equal(model.length)
          }
        }

        expect(map.evictions).to.equal(evictions)
      }

      // 200,000 new keys at 10,000 entries: with `keys().next()` on a fresh iterator this took ~6 s (every
      // eviction skipped the holes left by the ones before), now ~0.1 s.
      const big = new BoundedMap<string, number>(DEFAULT_PRESENCE_CAPACITY)
      const started = performance.now()
      for (let i = 0; i < 200_000; i++) big.set(`s${i}`, i)
      expect(performance.now() - started, 'ms for 200,000 evicting inserts').to.be.below(2000)
      expect(big.size).to.equal(DEFAULT_PRESENCE_CAPACITY)
      expect(big.evictions).to.equal(200_000 - DEFAULT_PRESENCE_CAPACITY)
    })

    it('RecentPackets stays at its capacity', () => {
      const recent = new RecentPackets()
      for (let i = 0; i < SOURCES; i++) recent.seen(spoofedAddress(i), 2425, i, 288, i)
      expect(recent.size).to.equal(DEFAULT_RECENT_PACKETS)
      expect(recent.evictions).to.equal(SOURCES - DEFAULT_RECENT_PACKETS)
    })

    it("ResponderPolicy's per-source maps (last ANSENTRY, rate buckets) stay at their caps", () => {
      const limiter = new RateLimiter()
      const policy = new ResponderPolicy({
        self: {user: 'me', host: 'box', nickname: 'Me', group: ''},
        ownAddresses: ['127.0.0.1'],
        ownPort: 2425,
        limiter,
        random: () => 0.5,
      })
      const entry = makePacket(MODES.BR_ENTRY | CAPUTF8OPT)
      const message = makePacket(MODES.SENDMSG | SENDCHECKOPT, {text: 'hi'})
      let replies = 0
      // One BR_ENTRY and one SENDMSG from each of 100,000 sources, 1 ms apart: 200 s of fake time.
      for (let i = 0; i < SOURCES; i++) {
        const from = {address: spoofedAddress(i), port: 2425}
        replies += policy.decide(entry, from, t0 + i).length
        replies += policy.decide(message, from, t0 + i).length
      }

      const lastEntry = (policy as unknown as {lastEntryReply: BoundedMap<string, number>}).lastEntryReply
      expect(lastEntry.size).to.be.at.most(4096)
      expect(lastEntry.evictions).to.be.greaterThan(0)
      expect(limiter.trackedSources).to.equal(DEFAULT_REPLY_LIMITS.maxSources)
      expect(limiter.evictions).to.equal(SOURCES - DEFAULT_REPLY_LIMITS.maxSources)
      // 100 s of fake time at 50 a second, plus the first burst.
      expect(replies).to.be.at.most(DEFAULT_REPLY_LIMITS.globalPerSecond * 101)
      expect(policy.stats.answered).to.equal(replies)
      expect(policy.stats.suppressedRateLimit).to.equal(2 * SOURCES - replies)
    })
  })

  describe('listen --ndjson --respond flooded from 100,000 spoofed sources (process)', () => {
    it('stays under a memory bound, answers at most 50 a second, and reports the evictions', async () => {
      const state = makeStateDir()
      const port = await freeUdpPort()
      const replyPort = await freeUdpPort()
      // Replies go to 127.x.y.z:replyPort; once a spoofing socket is closed, this one (0.0.0.0) receives them.
      const catcher = await LoopbackSocket.open('0.0.0.0', replyPort, {reuseAddr: true})
      const replyTimes: number[] = []
      catcher.socket.on('message', () => replyTimes.push(Date.now()))
      let selfLines = 0
      let badLines = 0
      const cli = startCli(
        [
          'listen',
          '--ndjson',
          '--respond',
          '--to',
          '127.0.0.1',
          '--port',
          String(port),
          '--user',
          'flood',
          '--host',
          'floodhost',
          '--duration',
          '50s',
        ],
        {
          env: {LANMSG_STATE_DIR: state.dir},
          // With the default heap V8 lets garbage pile up to ~300 MB before a full collection (measured: 300 MB peak,
          // 240 MB after it); a capped old space makes RSS follow live data, and makes a leak fatal (out of memory).
          nodeArgs: [`--max-old-space-size=${HEAP_CAP_MIB}`],
          keepStdout: false,
          timeoutMs: 55_000,
          onLine(line) {
            if (line.includes(`"port":${port}}`)) selfLines++
            if (!line.startsWith('{"receivedAt":')) badLines++
          },
        },
      )
      const rss: {at: number; kib: number}[] = []
      const sampler = setInterval(() => {
        const kib = vmRssKiB(cli.pid)
        if (kib !== undefined) rss.push({at: cli.lines, kib})
      }, 50)

      try {
        await cli.until(() => selfLines > 0, 15_000, 'its own BR_ENTRY')
        const reported = () => cli.lines - 1
        let next = 0
        let warmRss: number | undefined
        const started = Date.now()
        const worker = async () => {
          while (next < SOURCES) {
            const i = next++
            if (i - reported() > 1000) await cli.until(() => i - reported() <= 500, 10_000, `datagram ${reported()}`)
            if (i === SOURCES / 5) {
              await cli.until(() => reported() >= SOURCES / 5, 10_000, 'the first 20%')
              warmRss = vmRssKiB(cli.pid)
            }

            const socket = dgram.createSocket({type: 'udp4', reuseAddr: true})
            socket.on('message', () => replyTimes.push(Date.now()))
            await new Promise<void>((resolve, reject) => {
              socket.once('error', reject)
              socket.bind({address: spoofedAddress(i), port: replyPort}, () => resolve())
            })
            const entry = `1:${i + 1}:u${i}:h${i}:${MODES.BR_ENTRY}:n${i}\0\0`
            await new Promise<void>((resolve, reject) =>
              socket.send(entry, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
            )
            await new Promise<void>((resolve) => socket.close(() => resolve()))
          }
        }

        await Promise.all(Array.from({length: 32}, worker))
        await cli.until(() => reported() >= SOURCES, 15_000, 'every datagram to be reported')
        const floodMs = Date.now() - started
        const endRss = vmRssKiB(cli.pid)!
        cli.kill('SIGINT')
        const exit = await cli.exited
        clearInterval(sampler)

        expect(exit.code, exit.stderr).to.equal(0)
        expect(exit.stderr).not.to.match(STACK_TRACE)
        expect(badLines).to.equal(0)
        const [summary, ...rest] = nonEmptyLines(exit.stderr)
        expect(rest, 'stderr holds only the summary').to.deep.equal([])
        expect(summary).to.match(new RegExp(`^${SOURCES + 1} datagrams received`))
        expect(summary).to.include(`; ${DEFAULT_PRESENCE_CAPACITY} peers`)
        expect(summary).to.include(`; ${SOURCES - DEFAULT_PRESENCE_CAPACITY} peers evicted (table full)`)

        // Memory: after the warm-up (tables full, code loaded) the flood adds little, and the total stays small.
        expect(warmRss).not.to.equal(undefined)
        const peakKiB = Math.max(...rss.map((s) => s.kib))
        const growthMiB = (endRss - warmRss!) / 1024
        expect(growthMiB, `RSS ${warmRss} KiB at 20%, ${endRss} KiB at the end`).to.be.below(40)
        expect(peakKiB / 1024, 'peak RSS (MiB)').to.be.below(PEAK_RSS_MIB)

        // Replies: each spoofed source sent one BR_ENTRY; the global bucket allows 50 a second (+50 burst).
        const sentReplies = Number(/; (\d+) repl(?:y|ies) sent/.exec(summary)?.[1])
        const {globalPerSecond} = DEFAULT_REPLY_LIMITS
        const runMs = floodMs + 3000
        expect(sentReplies, summary).to.be.at.most(globalPerSecond + (globalPerSecond * runMs) / 1000)
        expect(sentReplies).to.be.at.least(globalPerSecond) // it did answer
        expect(summary).to.match(/\(\d+ suppressed by the rate limit\)/)
        const slack = (ENTRY_REPLY_MAX_DELAY_MS + 100) / 1000
        expect(maxInWindow(replyTimes, 1000), 'replies caught in any 1 s').to.be.at.most(
          Math.ceil(globalPerSecond + globalPerSecond * (1 + slack)),
        )
        expect(replyTimes.length).to.be.at.most(sentReplies)
      } finally {
        clearInterval(sampler)
        cli.kill('SIGKILL')
        await cli.exited.catch(() => {})
        await catcher.close()
        state.remove()
      }
    })
  })
})
