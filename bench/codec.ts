// Codec: decodes/s and encodes/s of three typical datagrams, measured in a child process (one core, fresh JIT).
import type {CodecFigure} from './codec-worker.js'
import type {Benchmark, Row} from './support/report.js'

import {runTimed} from './support/proc.js'

const DECODE_TARGET = 1_000_000 // per second, for the 60-byte SENDMSG

export const codec: Benchmark = {
  name: 'codec',
  async run({quick}) {
    const seconds = quick ? 1 : 2
    const run = runTimed(process.execPath, ['--import', 'tsx', 'bench/codec-worker.ts', String(seconds)], 120_000)
    if (run.code !== 0) throw new Error(`codec worker failed: ${run.stderr.trim().slice(0, 400)}`)
    const figures = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as CodecFigure[]
    const rows: Row[] = []
    for (const [i, f] of figures.entries()) {
      rows.push({
        bench: 'codec',
        measure: `decode ${f.name} (${f.bytes} B)`,
        value: f.decodesPerSecond,
        unit: '/s',
        ...(i === 0 ? {target: '>= 1,000,000/s', met: f.decodesPerSecond >= DECODE_TARGET} : {}),
      })
    }

    for (const f of figures) {
      rows.push({bench: 'codec', measure: `encode ${f.name} (${f.bytes} B)`, value: f.encodesPerSecond, unit: '/s'})
    }

    return {rows, details: {secondsPerLoop: seconds, figures}}
  },
}
