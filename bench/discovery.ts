// Discovery on a simulated LAN: 20 `lanmsg listen --respond` peers, each in its own network namespace on one
// bridge, and `lanmsg announce --expect 20` from another. How long until all 20 are listed?
// Skipped (with the reason) where namespaces cannot be made: not root, no iproute2, no permission.
import type {Benchmark, Row} from './support/report.js'

import {createLan, leftoverNamespaces, netnsUnavailable} from './support/netns.js'
import {cli, type Bounded, median, sleep, spawnBounded, udpSockets, waitFor} from './support/proc.js'

const RESPONDERS = 20
const SUBNET = 7 // 10.203.7.0/24, inside the benchmark's own namespaces only
const PORT = 2425

interface AnnounceJson {
  peers?: Array<{address: string; rttMs: number}>
  stoppedEarly?: null | string
}

export const discovery: Benchmark = {
  name: 'discovery',
  // eslint-disable-next-line max-lines-per-function -- one scenario read top to bottom: set up, measure, report
  async run({quick, log}) {
    const unavailable = netnsUnavailable()
    if (unavailable) return {rows: [], skipped: unavailable}
    const rounds = quick ? 1 : 3
    const lan = createLan(RESPONDERS + 1, SUBNET)
    const responders: Bounded[] = []
    const runs: Array<{exitCode: null | number; lastReplyMs: number; peers: number; wallMs: number}> = []
    try {
      const [announcer, ...peers] = lan.nodes
      for (const [i, node] of peers.entries()) {
        const name = `peer${String(i + 1).padStart(2, '0')}`
        responders.push(
          spawnBounded(
            'ip',
            // prettier-ignore
            ['netns', 'exec', node.ns, process.execPath, cli.bin, 'listen', '--respond', '--ndjson',
              '--port', String(PORT), '--to', lan.broadcast, '--user', name, '--host', name.toUpperCase(),
              '--nick', `Peer ${i + 1}`, '--duration', '120s'],
            {stdio: ['ignore', 'ignore', 'pipe'], timeoutMs: 150_000},
          ),
        )
      }

      await waitFor(
        () => responders.every((r) => r.child.pid !== undefined && udpSockets(PORT, r.child.pid).length > 0),
        60_000,
        `${RESPONDERS} responders to bind UDP ${PORT}`,
        50,
      )
      // They greet each other with BR_ENTRY and answer within ~1 s: let that settle before measuring.
      await sleep(1500)
      for (let round = 0; round < rounds; round++) {
        const started = performance.now()
        const announce = spawnBounded(
          'ip',
          // prettier-ignore
          ['netns', 'exec', announcer.ns, process.execPath, cli.bin, 'announce', '--expect', String(RESPONDERS),
            '--to', lan.broadcast, '--port', String(PORT), '--bind-port', String(PORT), '--wait', '10s', '--json'],
          {stdio: ['ignore', 'pipe', 'pipe'], timeoutMs: 30_000},
        )
        const exit = await announce.exited
        const wallMs = performance.now() - started
        let result: AnnounceJson
        try {
          result = JSON.parse(announce.stdout()) as AnnounceJson
        } catch {
          throw new Error(`announce --json printed no JSON (exit ${exit.code}): ${announce.stderr().slice(0, 300)}`)
        }

        const peersListed = result.peers?.length ?? 0
        const lastReplyMs = Math.max(0, ...(result.peers ?? []).map((p) => p.rttMs))
        log(
          `discovery round ${round + 1}: ${peersListed} peers in ${Math.round(wallMs)} ms (last reply ${lastReplyMs} ms after BR_ENTRY)`,
        )
        runs.push({exitCode: exit.code, lastReplyMs, peers: peersListed, wallMs})
        // Responders rate-limit each source: leave a pause between rounds.
        if (round < rounds - 1) await sleep(2000)
      }
    } finally {
      await Promise.all(responders.map((r) => r.stop(3000)))
      lan.destroy()
    }

    const left = leftoverNamespaces()
    if (left.length > 0) throw new Error(`network namespaces left behind: ${left.join(', ')}`)
    const allFound = runs.every((r) => r.peers === RESPONDERS)
    const rows: Row[] = [
      {
        bench: 'discovery',
        measure: `announce --expect ${RESPONDERS}: all ${RESPONDERS} listed (process wall time)`,
        value: median(runs.map((r) => r.wallMs)),
        unit: 'ms',
        note: rounds > 1 ? `median of ${rounds}` : undefined,
        target: `all ${RESPONDERS} found`,
        met: allFound,
      },
      {
        bench: 'discovery',
        measure: 'last ANSENTRY after BR_ENTRY (peers wait 0-1023 ms at random)',
        value: median(runs.map((r) => r.lastReplyMs)),
        unit: 'ms',
      },
    ]
    return {rows, details: {responders: RESPONDERS, subnet: `10.203.${SUBNET}.0/24`, runs}}
  },
}
