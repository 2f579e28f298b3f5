// Reply burst: 1,000 peers answer one BR_ENTRY within a few milliseconds; `announce --json` must list them all.
// The peers are bench/py/reply_burst.py on loopback, each on its own source port. announce broadcasts to
// 127.255.255.255 (loopback's broadcast address): to a unicast target it would stop at the first acknowledgement.
import {join} from 'node:path'

import type {Benchmark, Row} from './support/report.js'

import {cli, freeUdpPort, hasPython, PY_DIR, python, spawnBounded, waitFor} from './support/proc.js'

interface AnnounceJson {
  replies?: unknown[]
  peers?: unknown[]
}

export const REPLIES = 1000

export const replyBurst: Benchmark = {
  name: 'reply-burst',
  // eslint-disable-next-line max-lines-per-function -- one scenario read top to bottom: set up, measure, report
  async run({quick}) {
    if (!hasPython()) return {rows: [], skipped: 'python3 (with ctypes) is needed for the sender'}
    const rounds = quick ? 1 : 3
    const runs = []
    for (let round = 0; round < rounds; round++) {
      const port = await freeUdpPort()
      const peers = spawnBounded(
        python(),
        [join(PY_DIR, 'reply_burst.py'), '--port', String(port), '--replies', String(REPLIES), '--max-seconds', '30'],
        {timeoutMs: 40_000},
      )
      await waitFor(() => peers.stdout().includes('ready') || peers.child.exitCode !== null, 20_000, 'the peers')
      if (!peers.stdout().includes('ready')) throw new Error(`reply_burst.py did not start: ${peers.stderr()}`)
      const started = performance.now()
      const announce = spawnBounded(
        process.execPath,
        [
          cli.bin,
          'announce',
          '--to',
          '127.255.255.255',
          '--port',
          String(port),
          '--bind-port',
          '0',
          '--wait',
          '2s',
          '--json',
        ],
        {stdio: ['ignore', 'pipe', 'pipe'], timeoutMs: 40_000},
      )
      const exit = await announce.exited
      const wallMs = performance.now() - started
      await peers.exited
      const burst = JSON.parse(peers.stdout().trim().split('\n').at(-1) ?? '{}') as {
        error?: string
        fired?: number
        ms?: number
      }
      if (burst.error) throw new Error(`reply_burst.py: ${burst.error}`)
      let result: AnnounceJson
      try {
        result = JSON.parse(announce.stdout()) as AnnounceJson
      } catch {
        throw new Error(`announce --json printed no JSON (exit ${exit.code}): ${announce.stderr().slice(0, 300)}`)
      }

      runs.push({
        fired: burst.fired ?? 0,
        burstMs: burst.ms ?? Number.NaN,
        replies: result.replies?.length ?? 0,
        peers: result.peers?.length ?? 0,
        exitCode: exit.code,
        wallMs,
      })
    }

    const worst = runs.reduce((a, b) => (b.peers < a.peers ? b : a))
    const rows: Row[] = [
      {
        bench: 'reply burst',
        measure: `peers listed by announce --json (${REPLIES} ANSENTRY in ${worst.burstMs.toFixed(1)} ms)`,
        value: worst.peers,
        unit: `/ ${REPLIES}`,
        target: `all ${REPLIES}`,
        met: runs.every((r) => r.peers === REPLIES && r.replies >= REPLIES),
        note: rounds > 1 ? `worst of ${rounds}` : undefined,
      },
    ]
    return {rows, details: {runs}}
  },
}
