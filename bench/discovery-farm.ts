// Discovery at scale: 250 responders on one subnet (the test bed's responder farm: a namespace each, answering
// BR_ENTRY after IP Messenger's random 0-1023 ms), and `lanmsg announce --json` with the default (auto) wait
// from another host. Are all 250 listed? When did the last answer come, and when did announce end?
import type {Benchmark, Row} from './support/report.js'

import {farmLan, farmLanUnavailable, measuredCli} from './support/farm-lan.js'
import {median, sleep} from './support/proc.js'

const RESPONDERS = 250

interface AnnounceJson {
  peers?: Array<{address: string; rttMs: number}>
  waited?: {ms: number; reason: string}
}

export const discoveryFarm: Benchmark = {
  name: 'discovery-250',
  async run({quick, log}) {
    const unavailable = farmLanUnavailable()
    if (unavailable) return {rows: [], skipped: unavailable}
    const rounds = quick ? 1 : 3
    const {lan} = await farmLan({hosts: [[0]], farm: [RESPONDERS]}, 300)
    const runs: Array<{code: null | number; lastReplyMs: number; peers: number; waitedMs: number; wallMs: number}> = []
    try {
      for (let round = 0; round < rounds; round++) {
        const run = await measuredCli(lan, lan.hosts[0], ['announce', '--json'], 60_000)
        let doc: AnnounceJson
        try {
          doc = JSON.parse(run.stdout) as AnnounceJson
        } catch {
          throw new Error(`announce --json printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 300)}`)
        }

        const peers = doc.peers?.length ?? 0
        const lastReplyMs = Math.max(0, ...(doc.peers ?? []).map((p) => p.rttMs))
        runs.push({code: run.code, lastReplyMs, peers, waitedMs: doc.waited?.ms ?? Number.NaN, wallMs: run.wallMs})
        log(
          `discovery-250 round ${round + 1}: ${peers} peers, last answer ${lastReplyMs} ms after BR_ENTRY, window ${doc.waited?.ms} ms (${doc.waited?.reason}), ${Math.round(run.wallMs)} ms in all`,
        )
        if (round < rounds - 1) await sleep(1500)
      }
    } finally {
      await lan.destroy()
    }

    const allFound = runs.every((r) => r.peers === RESPONDERS)
    const note = rounds > 1 ? `median of ${rounds}` : undefined
    const rows: Row[] = [
      {
        bench: 'discovery-250',
        measure: `announce (default wait): peers listed of ${RESPONDERS}`,
        value: median(runs.map((r) => r.peers)),
        unit: 'peers',
        note,
        target: `all ${RESPONDERS}`,
        met: allFound,
      },
      {
        bench: 'discovery-250',
        measure: 'last ANSENTRY after BR_ENTRY (peers wait 0-1023 ms)',
        value: median(runs.map((r) => r.lastReplyMs)),
        unit: 'ms',
        note,
      },
      {
        bench: 'discovery-250',
        measure: 'announce process wall time (start to exit)',
        value: median(runs.map((r) => r.wallMs)),
        unit: 'ms',
        note,
      },
    ]
    return {rows, details: {responders: RESPONDERS, runs}}
  },
}
