// Codec: decodes/s, encodes/s and heap allocated a decode of three typical datagrams, measured in a child process
// (one core, fresh JIT) running the source (src/protocol) through tsx, as the test suite does.
import type {CodecFigure} from './codec-worker.js'
import type {Benchmark, Row} from './support/report.js'

import {runTimed} from './support/proc.js'

const DECODE_TARGET = 1_000_000 // per second, for the 60-byte SENDMSG

export const codec: Benchmark = {
  name: 'codec',
  async run({quick}) {
    const seconds = 1
    const loops = quick ? 2 : 5
    const run = runTimed(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/codec-worker.ts', String(seconds), String(loops)],
      180_000,
    )
    if (run.code !== 0) throw new Error(`codec worker failed: ${run.stderr.trim().slice(0, 400)}`)
    const figures = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as CodecFigure[]
    const rows: Row[] = []
    for (const [i, f] of figures.entries()) {
      rows.push({
        bench: 'codec',
        measure: `decode ${f.name} (${f.bytes} B)`,
        value: f.decodesPerSecond,
        unit: '/s',
        note: i === 0 ? `best of ${loops} loops of ${seconds} s` : undefined,
        ...(i === 0 ? {target: '>= 1,000,000/s', met: f.decodesPerSecond >= DECODE_TARGET} : {}),
      })
    }

    for (const f of figures) {
      if (f.bytesPerDecode === undefined) continue
      rows.push({bench: 'codec', measure: `heap allocated a decode, ${f.name}`, value: f.bytesPerDecode, unit: 'B'})
    }

    for (const f of figures) {
      rows.push({bench: 'codec', measure: `encode ${f.name} (${f.bytes} B)`, value: f.encodesPerSecond, unit: '/s'})
    }

    return {rows, details: {secondsPerLoop: seconds, loops, figures}}
  },
}
