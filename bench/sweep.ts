// `announce --sweep` at the default rate across a router: lanmsg on 10.201.X.0/24, the router the gateway of
// 10.202.0.0/16 (so it ARPs for every address probed), 50 responders in 10.202.X.0/24 (the populated part).
// A /16 (65,534 probes; quick: the /20 around the populated /24, 4,094): how long, the peak RSS of the process
// (and whether RSS grows as the sweep goes on: it must not), and how many of the 50 were found.
import type {Benchmark, Row} from './support/report.js'

import {DEFAULT_SWEEP_RATE} from '../src/lan/sweep-pacer.js'
import {farmLan, farmLanUnavailable, measuredCli} from './support/farm-lan.js'

const POPULATED = 50

interface SweepJson {
  peers?: Array<{address: string}>
  sweep?: {complete: boolean; failed: number; ms: number; probes: number; sent: number}
  waited?: {ms: number}
}

/**
 * The growth is judged in the full run only: a /20 takes 41 s, in which V8 lets the heap grow by some 14 MiB
 * before a major collection (the /16 run then stays flat), too short to tell that from a list that grows.
 */
function growthRow(measure: string, value: number, quick: boolean): Row {
  const judged = quick
    ? {note: 'not judged: too short a run to tell heap growth before a collection from a leak'}
    : {target: '≤ 10 MiB (bounded)', met: value <= 10}
  return {bench: 'sweep', measure, value, unit: 'MiB', ...judged}
}

export const sweep: Benchmark = {
  name: 'sweep',
  // eslint-disable-next-line max-lines-per-function -- one benchmark's script, step by step: the LAN, the run, the rows
  async run({quick, log}) {
    const unavailable = farmLanUnavailable()
    if (unavailable) return {rows: [], skipped: unavailable}
    const prefix = quick ? 20 : 16
    const probes = 2 ** (32 - prefix) - 2
    const expectedS = probes / DEFAULT_SWEEP_RATE
    const {lan} = await farmLan(
      {hosts: [[0]], router: {prefixes: [24, 16]}, farm: [0, POPULATED]},
      Math.ceil(expectedS) + 120,
    )
    const range = quick ? `10.202.${lan.x & 0xf0}.0/20` : '10.202.0.0/16'
    log(
      `sweep of ${range} (${probes.toLocaleString('en-US')} probes) at ${DEFAULT_SWEEP_RATE}/s: about ${Math.round(expectedS)} s`,
    )
    let run
    let neighbours = Number.NaN
    try {
      run = await measuredCli(
        lan,
        lan.hosts[0],
        ['announce', '--sweep', range, '--json'],
        (expectedS + 120) * 1000,
        1000,
      )
      const table = lan.exec(lan.router!, ['ip', '-4', 'neigh', 'show'])
      neighbours = (await table.wait(10_000)).stdout.split('\n').filter(Boolean).length
    } finally {
      await lan.destroy()
    }

    let doc: SweepJson
    try {
      doc = JSON.parse(run.stdout) as SweepJson
    } catch {
      throw new Error(`announce --sweep --json printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 300)}`)
    }

    const found = doc.peers?.length ?? 0
    // RSS once the sweep is under way (after a tenth of it) and at its end: a list of addresses would grow it.
    const early = run.samples.find((s) => s.atMs >= expectedS * 100)?.rssMiB ?? Number.NaN
    const late = run.samples.at(-1)?.rssMiB ?? Number.NaN
    log(
      `sweep: ${found}/${POPULATED} peers, ${doc.sweep?.sent} sent (${doc.sweep?.failed} failed) in ${doc.sweep?.ms} ms, ` +
        `${Math.round(run.wallMs)} ms in all, peak RSS ${run.peakMiB.toFixed(1)} MiB (RSS ${early.toFixed(1)} -> ${late.toFixed(1)} MiB), router neighbours at the end ${neighbours}`,
    )
    const measure = (what: string) => `--sweep ${quick ? '/20' : '/16'} at ${DEFAULT_SWEEP_RATE}/s: ${what}`
    const rows: Row[] = [
      {
        bench: 'sweep',
        measure: measure(`time of the ${probes.toLocaleString('en-US')} probes`),
        value: (doc.sweep?.ms ?? Number.NaN) / 1000,
        unit: 's',
        target: `≤ ${(expectedS * 1.05).toFixed(0)} s (the rate)`,
        met: doc.sweep?.complete === true && (doc.sweep?.ms ?? Infinity) <= expectedS * 1050,
      },
      {bench: 'sweep', measure: measure('process wall time (start to exit)'), value: run.wallMs / 1000, unit: 's'},
      {bench: 'sweep', measure: measure('peak RSS'), value: run.peakMiB, unit: 'MiB'},
      growthRow(measure('RSS growth from a tenth of the sweep to its end'), late - early, quick),
      {
        bench: 'sweep',
        measure: measure(`peers found of the ${POPULATED} in the populated /24`),
        value: found,
        unit: 'peers',
        target: `all ${POPULATED}`,
        met: found === POPULATED,
      },
    ]
    return {
      rows,
      details: {range, probes, exit: run.code, sweep: doc.sweep, waited: doc.waited, neighbours, samples: run.samples},
    }
  },
}
