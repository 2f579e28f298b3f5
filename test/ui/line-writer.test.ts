// LineWriter: lines reach the stream whole, in order and encoded as UTF-8, gathered into few writes; what it holds
// before writing is bounded in bytes, and a chunk handed to the stream (a pipe may keep it) is never changed.
import {expect} from 'chai'
import {Writable} from 'node:stream'

import {LineWriter} from '../../src/ui/line-writer.js'

/** A stream that keeps every chunk as it was handed over, and a copy taken at that moment. */
function recordingStream() {
  const kept: Uint8Array[] = []
  const copies: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      kept.push(chunk)
      copies.push(Buffer.from(chunk))
      callback()
    },
  })
  return {stream, kept, copies, bytes: () => copies.reduce((n, c) => n + c.length, 0)}
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('LineWriter', () => {
  it('writes every line whole and in order, whatever its length and characters', async () => {
    const {stream, copies} = recordingStream()
    const out = new LineWriter(stream)
    const lines = [
      'plain',
      'Grüße 张三 😀 e\u0301',
      'x'.repeat(30_000), // longer than a third of a chunk: written on its own
      '€'.repeat(21_000), // 63,000 bytes: fills a chunk nearly alone
      'lone \uD800 surrogate',
      '',
      ...Array.from({length: 2000}, (_, i) => `line ${i} ${'é'.repeat(i % 50)}`),
    ]
    for (const line of lines) out.write(line)
    await out.end()
    expect(Buffer.concat(copies).toString('utf8')).to.equal(lines.join('\n').replace('\uD800', '\uFFFD') + '\n')
  })

  it('holds at most 64 KiB before it writes, even within one turn', () => {
    const {stream, bytes} = recordingStream()
    const out = new LineWriter(stream)
    for (let i = 0; i < 40; i++) out.write(`${i}`.padEnd(10_000, '.'))
    // Nothing has yielded to the event loop: what the stream has not got yet is what the writer holds.
    expect(40 * 10_001 - bytes()).to.be.at.most(64 * 1024)
  })

  it('never changes a chunk it has handed to the stream', async () => {
    const {stream, kept, copies} = recordingStream()
    const out = new LineWriter(stream)
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 500; i++) out.write(`round ${round} line ${i} ${'z'.repeat(200)}`)
      await nextTurn()
    }

    await out.end()
    expect(kept.length).to.be.greaterThan(3)
    kept.forEach((chunk, i) => expect(Buffer.from(chunk).equals(copies[i])).to.equal(true))
  })

  it('puts lines encoded into its buffer (writeEncoded) in order with the others, over chunk boundaries', async () => {
    const {stream, copies} = recordingStream()
    const out = new LineWriter(stream)
    /** Writes `line` itself, as writeDatagramJson does: -1 when it does not fit before `end`. */
    const encode = (line: string, buffer: Buffer, start: number, end: number) => {
      const bytes = Buffer.from(line, 'utf8')
      if (start + bytes.length > end) return -1
      bytes.copy(buffer, start)
      return start + bytes.length
    }

    const lines = Array.from({length: 3000}, (_, i) => `${i} ${'é'.repeat(i % 97)}`)
    for (const [i, line] of lines.entries()) {
      if (i % 3 === 0) out.write(line)
      else expect(out.writeEncoded(encode, line)).to.equal(true)
    }

    expect(out.writeEncoded(encode, 'z'.repeat(64 * 1024)), 'longer than a chunk').to.equal(false)
    out.writeEncoded(encode, 'last')
    await out.end()
    expect(Buffer.concat(copies).toString('utf8')).to.equal([...lines, 'last'].join('\n') + '\n')
    expect(Math.max(...copies.map((c) => c.length))).to.be.at.most(64 * 1024)
  })
})
