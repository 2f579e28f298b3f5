// Packet numbers: what one number costs now that every number is read and written back under a lock (nothing is
// reserved ahead), and how far ahead of the clock many runs at once leave the numbers. Loopback only.
import dgram from 'node:dgram'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Benchmark, Row} from './support/report.js'

import {PacketNumberSource} from '../src/lan/packet-number-store.js'
import {cli, median, sleep, spawnBounded} from './support/proc.js'

/** listen --respond answers at most 50 times a second (DEFAULT_REPLY_LIMITS): 1 ms a number is 5 % of a core. */
const MAX_US_PER_NUMBER = 1000

function microsecondsPerNumber(source: PacketNumberSource, count: number): number {
  const started = performance.now()
  for (let i = 0; i < count; i++) source.next()
  return ((performance.now() - started) * 1000) / count
}

async function runAhead(runs: number, stateDir: string): Promise<{ahead: number; sent: number}> {
  const socket = dgram.createSocket('udp4')
  let sent = 0
  socket.on('message', () => sent++)
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const {port} = socket.address()
  const args = ['announce', '--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', '--wait', '0']
  const env = {...process.env, LANMSG_STATE_DIR: stateDir, NO_COLOR: '1'}
  await Promise.all(
    Array.from(
      {length: runs},
      () => spawnBounded(process.execPath, [cli.bin, ...args], {env, timeoutMs: 60_000}).exited,
    ),
  )
  await sleep(300)
  socket.close()
  const last = Number(readFileSync(join(stateDir, 'packet-number'), 'utf8'))
  return {ahead: last - Math.floor(Date.now() / 1000), sent}
}

export const packetNumbers: Benchmark = {
  name: 'pkt-numbers',
  async run({quick}) {
    const dir = mkdtempSync(join(tmpdir(), 'lanmsg-bench-pn-'))
    try {
      const count = quick ? 300 : 2000
      const stored = new PacketNumberSource(join(dir, 'state'))
      const inMemory = new PacketNumberSource([])
      const loops = [0, 1, 2].map(() => microsecondsPerNumber(stored, count))
      const memoryOnly = microsecondsPerNumber(inMemory, count)
      const runs = quick ? 10 : 30
      const {ahead, sent} = await runAhead(runs, join(dir, 'runs'))
      const perNumber = median(loops)
      const rows: Row[] = [
        {
          bench: 'pkt-numbers',
          measure: 'one number (state file, locked)',
          value: perNumber,
          unit: 'µs',
          baseline: {name: 'in memory', value: Number(memoryOnly.toFixed(2))},
          ratio: perNumber / memoryOnly,
          target: `<= ${MAX_US_PER_NUMBER} µs`,
          met: perNumber <= MAX_US_PER_NUMBER,
          note: `median of 3 loops of ${count}`,
        },
        {
          bench: 'pkt-numbers',
          measure: `ahead of the clock after ${runs} announce runs at once`,
          value: ahead,
          unit: 'numbers',
          target: `<= numbers sent (${sent})`,
          met: ahead <= sent,
        },
      ]
      return {rows, details: {microsecondsPerNumber: loops, memoryOnly, runs, sent, ahead}}
    } finally {
      rmSync(dir, {force: true, recursive: true})
    }
  },
}
