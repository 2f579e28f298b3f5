// Worst case: the time to show (and to decode and show) the most expensive datagram we could construct, against an
// ordinary one, in every output mode; measured in a child process running the source through tsx, like codec.
// On a terminal a datagram may cost only what fits on the screen; into a pipe every character is written, so there
// the cost is compared per byte written.
import type {WorstCaseFigure} from './worst-case-worker.js'
import type {Benchmark, Row} from './support/report.js'

import {runTimed} from './support/proc.js'

const TARGET = 10

export const worstCase: Benchmark = {
  name: 'worst-case',
  async run({quick}) {
    const seconds = quick ? 0.02 : 0.1
    const run = runTimed(process.execPath, ['--import', 'tsx', 'bench/worst-case-worker.ts', String(seconds)], 600_000)
    if (run.code !== 0) throw new Error(`worst-case worker failed: ${run.stderr.trim().slice(0, 400)}`)
    const {figures} = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {figures: WorstCaseFigure[]}
    const rows: Row[] = figures.map((f) => {
      const perByte = f.bound === 'size'
      const ratio = perByte ? f.ratioPerOutputByte : f.ratio
      const value = perByte ? (f.worst.microseconds * 1000) / f.worst.outputBytes : f.worst.microseconds
      const baseline = perByte ? (f.ordinary.microseconds * 1000) / f.ordinary.outputBytes : f.ordinary.microseconds
      return {
        bench: 'worst-case',
        measure: `${f.mode}: ${f.worst.name}`,
        value,
        unit: perByte ? 'ns/B written' : 'µs',
        baseline: {name: f.ordinary.name, value: Number(baseline.toFixed(2))},
        ratio,
        target: perByte ? `≤ ${TARGET}× per byte written` : `≤ ${TARGET}× an ordinary datagram`,
        met: ratio <= TARGET,
        note: `with decoding: ${f.worst.withDecode.toFixed(0)} µs vs ${f.ordinary.withDecode.toFixed(1)} µs (${f.ratioWithDecode.toFixed(0)}×)`,
      }
    })
    return {rows, details: {secondsPerCase: seconds, figures}}
  },
}
