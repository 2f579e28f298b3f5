// Runs in its own process (spawned by codec.ts): decodes/s and encodes/s of each sample datagram, on one core.
// Usage: node --expose-gc --import tsx bench/codec-worker.ts <seconds per loop> <loops>. Prints one JSON array.
// Each rate is measured `loops` times (a loop runs for at least the given seconds) and the best is kept: on a
// shared machine the other processes only ever make a loop slower.
import {getHeapStatistics} from 'node:v8'

import {decode, encode} from '../src/protocol/index.js'
import {CODEC_CASES} from './support/packets.js'

export interface CodecFigure {
  name: string
  bytes: number
  decodesPerSecond: number
  encodesPerSecond: number
  /** Bytes of heap a decode allocates (median over windows of DECODES_PER_WINDOW, each after a full collection). */
  bytesPerDecode?: number
  /** Every loop's rate (wall clock) and the same loops per CPU-second of this process. */
  loops: {decode: number[]; decodeCpu: number[]; encode: number[]; encodeCpu: number[]}
}

let sink = 0

/** Calls op in batches until `seconds` have passed; returns operations per second (wall clock and CPU). */
function rate(op: () => number, seconds: number): {cpu: number; wall: number} {
  const batch = 2000
  let done = 0
  const started = performance.now()
  const cpuStart = process.cpuUsage()
  let elapsed = 0
  while (elapsed < seconds * 1000) {
    for (let i = 0; i < batch; i++) sink += op()
    done += batch
    elapsed = performance.now() - started
  }

  const cpu = process.cpuUsage(cpuStart)
  return {wall: (done * 1000) / elapsed, cpu: (done * 1e6) / (cpu.user + cpu.system)}
}

const DECODES_PER_WINDOW = 100

/** Heap bytes allocated a call of op: windows short enough for no young collection to fall in most of them. */
function allocatedPerCall(op: () => number): number | undefined {
  const {gc} = globalThis as {gc?: () => void}
  if (gc === undefined) return undefined
  const windows: number[] = []
  for (let w = 0; w < 31; w++) {
    gc()
    const before = getHeapStatistics().used_heap_size
    for (let i = 0; i < DECODES_PER_WINDOW; i++) sink += op()
    windows.push((getHeapStatistics().used_heap_size - before) / DECODES_PER_WINDOW)
  }

  return Math.round(windows.sort((a, b) => a - b)[15])
}

const seconds = Number(process.argv[2] ?? 1)
const loops = Math.max(1, Number(process.argv[3] ?? 1))
const figures: CodecFigure[] = []
for (const c of CODEC_CASES) {
  const check = decode(c.bytes)
  if (!check.ok) throw new Error(`${c.name}: the sample does not decode (${check.error})`)
  const decodeOp = () => {
    const result = decode(c.bytes)
    return result.ok ? result.packet.text.length + 1 : 0
  }

  const encodeOp = () => encode(c.outgoing, {charset: c.charset}).bytes.length
  const measure = (op: () => number) => {
    rate(op, 0.25) // warm-up: let the JIT settle before the measured loops
    return Array.from({length: loops}, () => rate(op, seconds))
  }

  const decodes = measure(decodeOp)
  const encodes = measure(encodeOp)
  figures.push({
    name: c.name,
    bytes: c.bytes.length,
    decodesPerSecond: Math.max(...decodes.map((r) => r.wall)),
    encodesPerSecond: Math.max(...encodes.map((r) => r.wall)),
    bytesPerDecode: allocatedPerCall(decodeOp),
    loops: {
      decode: decodes.map((r) => Math.round(r.wall)),
      decodeCpu: decodes.map((r) => Math.round(r.cpu)),
      encode: encodes.map((r) => Math.round(r.wall)),
      encodeCpu: encodes.map((r) => Math.round(r.cpu)),
    },
  })
}

if (sink === 0) console.error('(nothing decoded)')
process.stdout.write(JSON.stringify(figures) + '\n')
