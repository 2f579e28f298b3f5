// Ceiling: the highest rate at which `lanmsg listen --ndjson > file` loses nothing, against the same for the plain
// Python recvfrom loop. The rate is stepped up, a fresh receiver for each step, until a step loses datagrams; the
// sender is bench/c/udp_flood.c (bench/py/udp_send.py without a C compiler), from SOURCES loopback addresses, every
// datagram its own packet number. When the sender falls short of the rate asked for (below SENDER_SHORT of it),
// the sender is the limit: stepping stops there and the row says so.
import type {Benchmark, Row} from './support/report.js'

import {SENDMSG_TEMPLATE, toHex} from './support/packets.js'
import {countLines, hasPython} from './support/proc.js'
import {cFlood, type ReceiverKind, send, startReceiver, waitDrained} from './support/receivers.js'

const SOURCES = 1000
/** Requested rates, in order; 0 is one burst as fast as the sender can. */
const RATES = [10_000, 25_000, 50_000, 100_000, 200_000, 300_000, 400_000, 600_000, 800_000, 0]
const QUICK_RATES = [25_000, 100_000, 400_000, 0]
const SENDER_SHORT = 0.9

interface Step {
  rate: number
  sent: number
  sendRate: number
  received: number
  lost: number
}

interface Ceiling {
  receiver: ReceiverKind
  steps: Step[]
  /** The highest achieved send rate of a step that lost nothing (0: none did). */
  lossless: number
  /** Why stepping stopped: the first loss, the sender's limit, or the last step. */
  stop: 'loss' | 'sender' | 'end'
}

const k = (rate: number) => `${Math.round(rate / 1000).toLocaleString('en-US')}k/s`

async function step(receiver: ReceiverKind, rate: number, count: number, cSender?: string): Promise<Step> {
  const r = await startReceiver(receiver, {maxSeconds: 300})
  try {
    const sent = await send({
      port: r.port,
      count,
      rate,
      templateHex: toHex(SENDMSG_TEMPLATE),
      sources: SOURCES,
      cSender,
    })
    await waitDrained(r)
    await r.proc.stop(10_000)
    const received = countLines(r.outFile!)
    return {rate, sent: sent.sent, sendRate: sent.rate, received, lost: sent.sent - received}
  } finally {
    await r.proc.stop(2000)
    r.dispose()
  }
}

interface Stepping {
  rates: number[]
  count: number
  log: (line: string) => void
  cSender?: string
}

async function ceilingOf(receiver: ReceiverKind, {rates, count, log, cSender}: Stepping): Promise<Ceiling> {
  const steps: Step[] = []
  let lossless = 0
  for (const rate of rates) {
    const s = await step(receiver, rate, count, cSender)
    steps.push(s)
    log(`ceiling ${receiver} ${rate === 0 ? 'burst' : k(rate)}: sent at ${k(s.sendRate)}, lost ${s.lost} of ${s.sent}`)
    if (s.lost > 0) return {receiver, steps, lossless, stop: 'loss'}
    lossless = Math.max(lossless, s.sendRate)
    if (rate > 0 && s.sendRate < rate * SENDER_SHORT) return {receiver, steps, lossless, stop: 'sender'}
  }

  return {receiver, steps, lossless, stop: 'end'}
}

function note(c: Ceiling): string {
  const last = c.steps.at(-1)!
  if (c.stop === 'loss')
    return `lost ${last.lost.toLocaleString('en-US')} at ${k(last.sendRate)}${last.rate === 0 ? ' (burst)' : ''}`
  if (c.stop === 'sender') return `sender limit: asked ${k(last.rate)}, sent ${k(last.sendRate)}; no loss`
  return `no loss up to a burst at ${k(last.sendRate)}: the sender is the limit`
}

export const ceiling: Benchmark = {
  name: 'ceiling',
  async run({quick, log}) {
    if (!hasPython()) return {rows: [], skipped: 'python3 is needed for the baseline'}
    const count = quick ? 50_000 : 200_000
    const rates = quick ? QUICK_RATES : RATES
    const cSender = cFlood()
    if (!cSender) log('ceiling: no C compiler, the Python sender is used (it may be the limit)')
    // The baseline first, then lanmsg: one at a time, so that they never compete for the CPU.
    const py = await ceilingOf('python', {rates, count, log, cSender})
    const lan = await ceilingOf('lanmsg', {rates, count, log, cSender})
    const sender = cSender ? 'C sender' : 'Python sender'
    const rows: Row[] = [
      {
        bench: 'ceiling',
        measure: `highest rate without loss, ${count.toLocaleString('en-US')} datagrams a step (${sender})`,
        note: `lanmsg ${note(lan)}; python ${note(py)}`,
        value: Math.round(lan.lossless / 1000),
        unit: 'k/s',
        baseline: {name: 'python', value: Math.round(py.lossless / 1000)},
        ratio: py.lossless > 0 ? lan.lossless / py.lossless : undefined,
        target: '>= python',
        met: lan.lossless >= py.lossless,
      },
    ]
    return {rows, details: {datagrams: count, sources: SOURCES, sender, python: py, lanmsg: lan}}
  },
}
