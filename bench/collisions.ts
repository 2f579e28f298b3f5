// Hash-collision flood: one host sends from 12,000 source ports chosen so that they crowd into neighbouring
// buckets of the peer table's old, unkeyed hash (test/support/colliding-ports.ts), round robin, so that every
// datagram is a new peer (the table keeps 10,000) — against the same flood from 12,000 ordinary ports. Loss and
// the listener's CPU per datagram should be the same for both. Runs in a network namespace of its own (loopback
// only), so that binding 12,000 ports takes none from the machine; needs root and iproute2, skipped otherwise.
import {execFileSync} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Benchmark, Row} from './support/report.js'

import {DEFAULT_PRESENCE_CAPACITY} from '../src/lan/presence.js'
import {dottedQuadToNumber} from '../src/net/ipv4.js'
import {collidingPorts} from '../test/support/colliding-ports.js'
import {seededRandom} from '../test/support/hostile.js'
import {netnsUnavailable, onCleanup} from './support/netns.js'
import {SENDMSG_TEMPLATE, toHex} from './support/packets.js'
import {
  cli,
  countLines,
  cpuTimeMs,
  hasPython,
  PY_DIR,
  python,
  spawnBounded,
  udpSockets,
  waitFor,
} from './support/proc.js'
import {waitIdle} from './support/receivers.js'

const PORTS = 12_000
const LISTEN_PORT = 2425

interface FloodRun {
  ports: 'chosen' | 'ordinary'
  sent: number
  sendRate: number
  portsBound: number
  received: number
  lostPercent: number
  kernelDrops: number
  cpuMs: number
  exitCode: null | number
}

function ordinaryPorts(count: number): number[] {
  const random = seededRandom(2425)
  const all = Array.from({length: 65_536 - 1024}, (_, i) => i + 1024).filter((p) => p !== LISTEN_PORT)
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[all[i], all[j]] = [all[j], all[i]]
  }

  return all.slice(0, count)
}

// eslint-disable-next-line max-params, max-lines-per-function -- one flood read top to bottom; parameters = its settings
async function flood(ns: string, dir: string, kind: FloodRun['ports'], ports: number[], count: number, rate: number) {
  const portsFile = join(dir, `${kind}.ports`)
  writeFileSync(portsFile, ports.join('\n') + '\n')
  const outFile = join(dir, `${kind}.out`)
  const fd = openSync(outFile, 'w')
  const inNs = (args: string[]) => ['netns', 'exec', ns, ...args]
  const listener = spawnBounded(
    'ip',
    inNs([process.execPath, cli.bin, 'listen', '--ndjson', '--port', String(LISTEN_PORT), '--address', '127.0.0.1']),
    {stdio: ['ignore', fd, 'pipe'], timeoutMs: 300_000},
  )
  try {
    const pid = listener.child.pid! // `ip netns exec` execs the command: the pid is the listener's
    await waitFor(
      () => udpSockets(LISTEN_PORT, pid).length > 0 || listener.child.exitCode !== null,
      30_000,
      'the listener to bind',
    )
    await waitIdle(pid, 200, 20_000)
    const cpuAtReady = cpuTimeMs(pid) ?? 0
    const sender = spawnBounded(
      'ip',
      inNs([
        python(),
        join(PY_DIR, 'udp_ports_send.py'),
        '--port',
        String(LISTEN_PORT),
        '--ports-file',
        portsFile,
        '--count',
        String(count),
        '--rate',
        String(rate),
        '--template',
        toHex(SENDMSG_TEMPLATE),
      ]),
      {timeoutMs: 200_000},
    )
    const exit = await sender.exited
    const last = sender.stdout().trim().split('\n').at(-1)
    if (exit.code !== 0 || !last) throw new Error(`udp_ports_send.py failed: ${sender.stderr().slice(0, 300)}`)
    const sent = JSON.parse(last) as {sent: number; rate: number; ports: number}
    // Drained: nothing waiting in its socket and no CPU used for 300 ms.
    let lastCpu = cpuTimeMs(pid)
    let quietSince = Date.now()
    await waitFor(
      () => {
        const cpu = cpuTimeMs(pid)
        if (cpu === undefined) return true
        if (cpu !== lastCpu || udpSockets(LISTEN_PORT, pid).some((s) => s.rxQueue > 0)) {
          lastCpu = cpu
          quietSince = Date.now()
          return false
        }

        return Date.now() - quietSince >= 300
      },
      120_000,
      'the listener to drain',
      50,
    )
    const cpuMs = (cpuTimeMs(pid) ?? Number.NaN) - cpuAtReady
    const kernelDrops = udpSockets(LISTEN_PORT, pid).reduce((n, s) => n + s.drops, 0)
    const stopped = await listener.stop(10_000)
    const received = countLines(outFile)
    const run: FloodRun = {
      ports: kind,
      sent: sent.sent,
      sendRate: sent.rate,
      portsBound: sent.ports,
      received,
      lostPercent: ((sent.sent - received) / sent.sent) * 100,
      kernelDrops,
      cpuMs,
      exitCode: stopped.code,
    }
    return run
  } finally {
    await listener.stop(2000)
    closeSync(fd)
  }
}

export const collisions: Benchmark = {
  name: 'collisions',
  async run({quick, log}) {
    if (!hasPython()) return {rows: [], skipped: 'python3 is needed for the sender'}
    const unavailable = netnsUnavailable()
    if (unavailable) return {rows: [], skipped: unavailable}
    const count = quick ? 24_000 : 120_000
    const rate = 10_000
    const ns = `lmbench${process.pid}-coll`
    execFileSync('ip', ['netns', 'add', ns])
    onCleanup(() => execFileSync('ip', ['netns', 'del', ns], {stdio: 'ignore'}))
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    const dir = mkdtempSync(join(tmpdir(), 'lanmsg-bench-coll-'))
    onCleanup(() => rmSync(dir, {recursive: true, force: true}))
    const chosen = collidingPorts(dottedQuadToNumber('127.0.0.1'), DEFAULT_PRESENCE_CAPACITY, PORTS + 1).filter(
      (p) => p !== LISTEN_PORT,
    )
    const runs: FloodRun[] = []
    for (const [kind, ports] of [
      ['ordinary', ordinaryPorts(PORTS)],
      ['chosen', chosen.slice(0, PORTS)],
    ] as const) {
      const run = await flood(ns, dir, kind, ports, count, rate)
      if (run.exitCode !== 0) throw new Error(`lanmsg listen exited with ${run.exitCode}`)
      log(
        `collisions ${kind} ports: sent ${run.sent} from ${run.portsBound} ports at ${Math.round(run.sendRate)}/s, ` +
          `received ${run.received} (${run.lostPercent.toFixed(2)} % lost, ${run.kernelDrops} kernel drops), ` +
          `CPU ${Math.round(run.cpuMs)} ms`,
      )
      runs.push(run)
    }

    const [ordinary, attack] = runs
    const perDatagram = (run: FloodRun) => (run.cpuMs * 1000) / run.received
    const ratio = perDatagram(attack) / perDatagram(ordinary)
    const rows: Row[] = [
      {
        bench: 'collisions',
        measure: `loss, ${count.toLocaleString('en-US')} from ${PORTS.toLocaleString('en-US')} chosen ports at 10k/s`,
        note: `ports chosen to collide under the old unkeyed hash; baseline: ordinary ports`,
        value: attack.lostPercent,
        unit: '%',
        baseline: {name: 'ordinary ports', value: ordinary.lostPercent},
        target: '<= ordinary',
        met: attack.lostPercent <= ordinary.lostPercent + 0.1,
      },
      {
        bench: 'collisions',
        measure: 'listener CPU per datagram, chosen ports',
        value: perDatagram(attack),
        unit: 'us',
        baseline: {name: 'ordinary ports', value: perDatagram(ordinary)},
        ratio,
        target: 'the same (<= 1.3x ordinary)',
        met: ratio <= 1.3,
      },
    ]
    return {rows, details: {count, rate, ports: PORTS, runs}}
  },
}
