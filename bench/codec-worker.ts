// Runs in its own process (spawned by codec.ts): decodes/s and encodes/s of each sample datagram, on one core.
// Usage: node --import tsx bench/codec-worker.ts <seconds per loop>. Prints one JSON array.
import {decode, encode} from '../src/protocol/index.js'
import {CODEC_CASES} from './support/packets.js'

export interface CodecFigure {
  name: string
  bytes: number
  decodesPerSecond: number
  encodesPerSecond: number
}

let sink = 0

/** Calls op in batches until `seconds` have passed; returns operations per second. */
function rate(op: () => number, seconds: number): number {
  const batch = 2000
  let done = 0
  const started = performance.now()
  let elapsed = 0
  while (elapsed < seconds * 1000) {
    for (let i = 0; i < batch; i++) sink += op()
    done += batch
    elapsed = performance.now() - started
  }

  return (done * 1000) / elapsed
}

const seconds = Number(process.argv[2] ?? 1)
const figures: CodecFigure[] = []
for (const c of CODEC_CASES) {
  const check = decode(c.bytes)
  if (!check.ok) throw new Error(`${c.name}: the sample does not decode (${check.error})`)
  const decodeOp = () => {
    const result = decode(c.bytes)
    return result.ok ? result.packet.text.length + 1 : 0
  }

  const encodeOp = () => encode(c.outgoing, {charset: c.charset}).bytes.length
  rate(decodeOp, 0.25) // warm-up: let the JIT settle before the measured loop
  const decodesPerSecond = rate(decodeOp, seconds)
  rate(encodeOp, 0.25)
  const encodesPerSecond = rate(encodeOp, seconds)
  figures.push({name: c.name, bytes: c.bytes.length, decodesPerSecond, encodesPerSecond})
}

if (sink === 0) console.error('(nothing decoded)')
process.stdout.write(JSON.stringify(figures) + '\n')
