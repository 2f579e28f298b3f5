// Memory of the --json documents (issue 13, point 2): peak RSS of `lanmsg listen --json` over 1,000,000 datagrams
// (quick: 100,000) from 50,000 loopback sources, and of `lanmsg announce --json` under a flood of 200,000 replies
// (quick: 50,000), each while the document is read from its stdout and checked to be valid JSON. Both floods go
// to loopback only, with a fixed count and a fixed rate.
import {spawn} from 'node:child_process'
import {createInterface} from 'node:readline'

import type {Benchmark, Row} from './support/report.js'

import {SENDMSG_TEMPLATE, toHex} from './support/packets.js'
import {cli, freeUdpPort, hasPython, memoryMiB, sleep, udpSockets, waitFor} from './support/proc.js'
import {send, waitIdle} from './support/receivers.js'

const LIMIT_MIB = 200
const SOURCES = 50_000
const LISTEN_RATE = 50_000
const REPLY_RATE = 40_000
const ANSENTRY_TEMPLATE = new TextEncoder().encode('1:{n}:bob:BOB-PC:3:Bob\0Dev\0')

interface DocumentCheck {
  /** Records in the streamed array. */
  records: number
  /** Every line parsed: the head, each record, the tail. */
  valid: boolean
  problem?: string
  /** The members after the array, parsed. */
  tail?: Record<string, unknown>
}

/**
 * Reads a streamed --json document line by line (head `{…"key":[`, one record a line, `]…}`) and checks each part
 * parses, without holding the document: it is hundreds of megabytes.
 */
function checkDocument(stream: NodeJS.ReadableStream, key: string): Promise<DocumentCheck> {
  const result: DocumentCheck = {records: 0, valid: true}
  let line = 0
  let unterminated = false // a record line without its comma: it must be the last one
  const fail = (problem: string) => {
    if (result.valid) Object.assign(result, {valid: false, problem})
  }

  return new Promise((resolve) => {
    const lines = createInterface({input: stream, crlfDelay: Infinity})
    lines.on('line', (text) => {
      if (line++ === 0) {
        try {
          JSON.parse(`${text}]}`)
          if (!text.endsWith(`${JSON.stringify(key)}:[`)) fail(`head: ${text.slice(0, 100)}`)
        } catch {
          fail(`head: ${text.slice(0, 100)}`)
        }

        return
      }

      if (text.startsWith(']')) {
        try {
          result.tail = JSON.parse(`{"_":[${text}`)
        } catch {
          fail(`tail: ${text.slice(0, 200)}`)
        }

        return
      }

      if (unterminated || result.tail) fail(`a record after the last one: ${text.slice(0, 100)}`)
      unterminated = !text.endsWith(',')
      try {
        JSON.parse(unterminated ? text : text.slice(0, -1))
        result.records++
      } catch {
        fail(`record ${result.records}: ${text.slice(0, 100)}`)
      }
    })
    lines.on('close', () => {
      if (!result.tail) fail('no tail: the document was not closed')
      resolve(result)
    })
  })
}

/** Runs lanmsg with stdout read by checkDocument; samples its peak RSS until it exits. */
function runDocument(args: string[], key: string, timeoutMs: number) {
  const child = spawn(process.execPath, [cli.bin, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  let peak = 0
  // VmHWM is the process's own peak; read until it exits (a process that is exiting has no VmHWM: NaN).
  const sample = () => {
    const hwm = child.pid === undefined ? undefined : memoryMiB(child.pid)?.hwm
    if (hwm !== undefined && Number.isFinite(hwm)) peak = Math.max(peak, hwm)
  }

  const sampler = setInterval(sample, 100)
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const document = checkDocument(child.stdout, key)
  const exited = new Promise<{code: null | number}>((resolve) => child.once('close', (code) => resolve({code})))
  const done = Promise.all([document, exited]).then(([check, exit]) => {
    clearTimeout(killer)
    clearInterval(sampler)
    return {check, code: exit.code, peakMiB: peak, stderr}
  })
  return {child, done, sample}
}

export const jsonMemory: Benchmark = {
  name: 'json-memory',
  // eslint-disable-next-line max-lines-per-function -- one scenario read top to bottom: set up, measure, report
  async run({quick, log}) {
    if (!hasPython()) return {rows: [], skipped: 'python3 (with ctypes) is needed for the sender'}
    const at = (n: number) => n.toLocaleString('en-US')
    const rows: Row[] = []
    const details: Record<string, unknown> = {}

    // listen --json over a long capture.
    const datagrams = quick ? 100_000 : 1_000_000
    const port = await freeUdpPort()
    const listen = runDocument(
      ['listen', '--json', '--port', String(port), '--address', '127.0.0.1', '--duration', '600s'],
      'packets',
      660_000,
    )
    await waitFor(() => udpSockets(port).length > 0, 30_000, 'listen --json to bind')
    await waitIdle(listen.child.pid!, 200, 20_000)
    const sent = await send({
      port,
      count: datagrams,
      rate: LISTEN_RATE,
      templateHex: toHex(SENDMSG_TEMPLATE),
      sources: SOURCES,
    })
    await waitIdle(listen.child.pid!, 500, 120_000) // caught up
    listen.sample()
    listen.child.kill('SIGINT')
    const l = await listen.done
    const listenOk = l.code === 0 && l.check.valid && l.check.tail?.datagrams === l.check.records
    log(`listen --json: ${at(l.check.records)} records, peak ${l.peakMiB.toFixed(1)} MiB, valid ${l.check.valid}`)
    rows.push({
      bench: 'json-memory',
      measure: `peak RSS of listen --json, ${at(datagrams)} datagrams from ${at(SOURCES)} sources`,
      value: Number(l.peakMiB.toFixed(1)),
      unit: 'MiB',
      target: `< ${LIMIT_MIB} MiB, valid`,
      met: l.peakMiB < LIMIT_MIB && listenOk,
      note: `${at(l.check.records)} records in a valid document: ${listenOk ? 'yes' : `no (${l.check.problem ?? `exit ${l.code}`})`}; sent at ${Math.round(sent.rate / 1000)}k/s`,
    })
    details.listen = {datagrams, sent, records: l.check.records, peakMiB: l.peakMiB, valid: l.check.valid, code: l.code}

    // announce --json under a flood of replies to its own port.
    const replies = quick ? 50_000 : 200_000
    const silent = await freeUdpPort() // a broadcast target where nothing listens: announce waits its whole window
    const bindPort = await freeUdpPort()
    const waitSeconds = Math.ceil(replies / REPLY_RATE) + 5
    const announce = runDocument(
      [
        'announce',
        '--to',
        '127.255.255.255',
        '--port',
        String(silent),
        '--bind-port',
        String(bindPort),
        '--wait',
        `${waitSeconds}s`,
        '--retries',
        '0',
        '--json',
      ],
      'replies',
      (waitSeconds + 60) * 1000,
    )
    await waitFor(() => udpSockets(bindPort).length > 0, 30_000, 'announce --json to bind')
    await sleep(200)
    const flood = await send({port: bindPort, count: replies, rate: REPLY_RATE, templateHex: toHex(ANSENTRY_TEMPLATE)})
    const a = await announce.done
    const kept = a.check.records
    const announceOk = a.code === 0 && a.check.valid && a.check.tail?.repliesDropped === 0
    log(`announce --json: ${at(kept)} replies, peak ${a.peakMiB.toFixed(1)} MiB, valid ${a.check.valid}`)
    rows.push({
      bench: 'json-memory',
      measure: `peak RSS of announce --json, a flood of ${at(replies)} replies`,
      value: Number(a.peakMiB.toFixed(1)),
      unit: 'MiB',
      target: `< ${LIMIT_MIB} MiB, valid`,
      met: a.peakMiB < LIMIT_MIB && announceOk,
      note: `${at(kept)} replies in a valid document: ${announceOk ? 'yes' : `no (${a.check.problem ?? `exit ${a.code}: ${a.stderr.slice(0, 100)}`})`}; sent at ${Math.round(flood.rate / 1000)}k/s`,
    })
    details.announce = {replies, flood, kept, peakMiB: a.peakMiB, valid: a.check.valid, code: a.code}
    return {rows, details}
  },
}
