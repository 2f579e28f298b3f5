// Process-level fuzzing of `lanmsg listen --ndjson --respond`: 100,000 random and mutated datagrams from four
// loopback senders. Every datagram the listener reads becomes exactly one valid JSON line with its exact bytes,
// the process survives and exits 0, and the replies it sends stay within the rate limits of DEFAULT_REPLY_LIMITS.
// Network rule: everything goes to 127.0.0.0/8; --to 127.0.0.1 keeps its BR_ENTRY/BR_EXIT on loopback.
import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {DEFAULT_ENTRY_REPLY_INTERVAL_MS, ENTRY_REPLY_MAX_DELAY_MS} from '../../src/lan/responder-policy.js'
import {DEFAULT_REPLY_LIMITS} from '../../src/lan/rate-limit.js'
import {
  freeUdpPort,
  hostileDatagram,
  ipmsgHeader,
  LoopbackSocket,
  makeStateDir,
  maxInWindow,
  nonEmptyLines,
  seededRandom,
  sleep,
  STACK_TRACE,
  startCli,
} from '../support/hostile.js'

const TOTAL = 100_000
const SENDERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']
// Flow control: at most this many datagrams (and bytes) sent but not yet reported, well below the receive buffer
// the listener gets (it asks for 4 MiB; the kernel caps that at net.core.rmem_max and counts ~1 KiB of overhead per
// datagram), so that the kernel never drops one and every datagram must show up.
const RMEM_MAX = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8')) || 212_992
  } catch {
    return 212_992
  }
})()
const BUFFER = Math.min(RMEM_MAX, 4 * 1024 * 1024)
const WINDOW_DATAGRAMS = Math.max(16, Math.min(2000, Math.floor(BUFFER / 2048)))
const WINDOW_BYTES = Math.max(70_000, Math.min(2_000_000, Math.floor(BUFFER / 2)))
const SEED = Number(process.env.LANMSG_FUZZ_SEED ?? 0x1a_2b_3c)

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('base64')

describe('hardening: 100,000 hostile datagrams at listen --ndjson --respond', function () {
  this.timeout(90_000)

  it('reports every datagram it read as one JSON line with its exact bytes, answers within the limits, exits 0', async () => {
    const state = makeStateDir()
    const port = await freeUdpPort()
    const senders = await Promise.all(SENDERS.map((address) => LoopbackSocket.open(address)))
    const senderKeys = new Set(senders.map((s) => `${s.address}:${s.port}`))
    const exitsSent = new Map(senders.map((s) => [s, [] as number[]]))
    const pending = new Map<string, number>() // sha1 of what was sent → copies not yet reported
    let sent = 0
    let reported = 0
    let outstandingBytes = 0
    let invalidJson = 0
    let mismatched = 0
    let wrongSize = 0
    const selfLines: any[] = []
    const strangers: string[] = []

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
        'fuzz',
        '--host',
        'fuzzhost',
        '--duration',
        '80s',
      ],
      {
        env: {LANMSG_STATE_DIR: state.dir},
        keepStdout: false,
        timeoutMs: 85_000,
        onLine(line) {
          let record: any
          try {
            record = JSON.parse(line)
          } catch {
            invalidJson++
            return
          }

          const from = `${record?.from?.address}:${record?.from?.port}`
          if (!senderKeys.has(from)) {
            if (from === `127.0.0.1:${port}`) selfLines.push(record)
            else strangers.push(from)
            return
          }

          const raw = Buffer.from(String(record.raw), 'base64')
          if (raw.length !== record.size) wrongSize++
          const key = sha1(raw)
          const left = pending.get(key)
          if (left === undefined || left < 1) {
            mismatched++
          } else if (left === 1) {
            pending.delete(key)
          } else {
            pending.set(key, left - 1)
          }

          reported++
          outstandingBytes -= raw.length
        },
      },
    )

    try {
      // Ready when its own BR_ENTRY (to 127.0.0.1:port) has come back to it.
      await cli.until(() => selfLines.length > 0, 15_000, 'its own BR_ENTRY')
      const random = seededRandom(SEED)
      const started = Date.now()
      for (let i = 0; i < TOTAL; i++) {
        const data = hostileDatagram(random, i)
        if (sent - reported >= WINDOW_DATAGRAMS || outstandingBytes + data.length > WINDOW_BYTES) {
          await cli.until(
            () => sent - reported < WINDOW_DATAGRAMS / 2 && outstandingBytes + data.length <= WINDOW_BYTES,
            10_000,
            `the listener to report datagram ${reported} (sent ${sent}, seed ${SEED})`,
          )
        }

        const key = sha1(data)
        pending.set(key, (pending.get(key) ?? 0) + 1)
        outstandingBytes += data.length
        sent++
        const sender = senders[i % senders.length]
        if (ipmsgHeader(data)?.mode === 0x02) exitsSent.get(sender)!.push(Date.now()) // BR_EXIT
        await sender.send(data, port)
      }

      await cli.until(() => reported >= TOTAL, 15_000, `all ${TOTAL} datagrams to be reported (seed ${SEED})`)
      const fuzzMs = Date.now() - started
      cli.kill('SIGINT')
      const exit = await cli.exited
      await sleep(200) // replies still queued in this process's event loop

      expect(exit.timedOut, 'killed by the test timeout').to.equal(false)
      expect(exit.code, exit.stderr).to.equal(0)
      expect(exit.stderr).not.to.match(STACK_TRACE)
      const summary = nonEmptyLines(exit.stderr)
      expect(summary, 'stderr holds only the summary').to.have.length(1)
      const received = Number(/^(\d+) datagrams? received/.exec(summary[0])?.[1])
      // Every datagram read is one line: ours, plus its own BR_ENTRY heard back.
      expect(received, summary[0]).to.equal(cli.lines)
      expect(invalidJson, 'lines that are not JSON').to.equal(0)
      expect(strangers, 'lines from unknown sources').to.deep.equal([])
      expect(reported).to.equal(TOTAL)
      expect(mismatched, 'lines whose bytes were never sent (or reported twice)').to.equal(0)
      expect(wrongSize, 'lines whose size is not the length of raw').to.equal(0)
      expect(pending.size, 'datagrams sent but never reported').to.equal(0)
      // Its own broadcast came back once and was not answered (an answer to itself would be another line here).
      expect(selfLines.map((r) => r.packet?.mode)).to.deep.equal(['BR_ENTRY'])

      // Replies: only from the listener's port, only IPMsg, within the per-source and global limits.
      const elapsedMs = fuzzMs + 2000
      const {perSourcePerInterval, intervalMs, globalPerSecond} = DEFAULT_REPLY_LIMITS
      const slackMs = ENTRY_REPLY_MAX_DELAY_MS + 100 // an ANSENTRY leaves up to 1023 ms after its decision
      const perSourceCap = (windowMs: number) =>
        Math.floor(perSourcePerInterval + ((windowMs + slackMs) * perSourcePerInterval) / intervalMs)
      const replies = senders.flatMap((s) => s.received)
      let allReplies = 0
      for (const sender of senders) {
        const times = sender.received.map((r) => r.at)
        allReplies += times.length
        for (const reply of sender.received) {
          expect(`${reply.from.address}:${reply.from.port}`).to.equal(`127.0.0.1:${port}`)
          expect(ipmsgHeader(reply.data), reply.data.toString('latin1')).not.to.equal(undefined)
        }

        expect(maxInWindow(times, 1000), `replies to ${sender.address} in 1 s`).to.be.at.most(perSourceCap(1000))
        expect(maxInWindow(times, intervalMs), `replies to ${sender.address} in 10 s`).to.be.at.most(
          perSourceCap(intervalMs),
        )
        expect(times.length, `replies to ${sender.address}`).to.be.at.most(perSourceCap(elapsedMs))
        const entries = sender.received.filter((r) => ipmsgHeader(r.data)?.mode === 0x03).map((r) => r.at)
        // One ANSENTRY per 2 s, unless the source said goodbye (BR_EXIT) in between: a new session is answered.
        const exits = exitsSent.get(sender)!
        for (let k = 1; k < entries.length; k++) {
          if (entries[k] - entries[k - 1] >= DEFAULT_ENTRY_REPLY_INTERVAL_MS - slackMs) continue
          const between = exits.some((at) => at >= entries[k - 1] - slackMs && at <= entries[k])
          expect(between, `ANSENTRY ${entries[k] - entries[k - 1]} ms apart without a BR_EXIT between`).to.equal(true)
        }
      }

      expect(allReplies).to.be.at.most(globalPerSecond + (globalPerSecond * elapsedMs) / 1000)
      // The fuzz holds valid BR_ENTRY, GETINFO and SENDMSG|SENDCHECKOPT: it must have answered, and been held back.
      expect(allReplies, 'replies received').to.be.greaterThan(0)
      const sentReplies = Number(/; (\d+) repl(?:y|ies) sent/.exec(summary[0])?.[1])
      expect(allReplies, summary[0]).to.equal(sentReplies)
      expect(summary[0]).to.match(/\(\d+ suppressed by the rate limit\)/)
      expect(replies.every((r) => r.from.port !== 0)).to.equal(true)
    } finally {
      cli.kill('SIGKILL')
      await cli.exited.catch(() => {})
      await Promise.all(senders.map((s) => s.close()))
      state.remove()
    }
  })
})
