// LineWriter: lines reach the stream whole, in order and encoded as UTF-8, gathered into few writes; what it holds
// before writing is bounded in bytes, and a chunk handed to the stream (a pipe may keep it) is never changed.
import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import {type Readable, Writable} from 'node:stream'

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

/** `cat` reading a real pipe (its stdin, a net.Socket), not read from until the test says: killed after each test. */
const readers: ChildProcess[] = []
function pipeReader(): ChildProcess & {stdin: Writable; stdout: Readable} {
  const reader = spawn('cat', [], {stdio: ['pipe', 'pipe', 'ignore']})
  readers.push(reader)
  reader.stdout.pause() // not read yet: the pipe fills up and Node holds what it could not write
  return reader
}

/** Writes `line` itself, as writeDatagramJson does: -1 when it does not fit before `end`. */
const encode = (line: string, buffer: Buffer, start: number, end: number) =>
  start + line.length > end ? -1 : start + buffer.write(line, start, 'latin1')

/** Lets the reader read at last, ends the writer and the pipe, and returns all the reader received. */
async function readAll(reader: ReturnType<typeof pipeReader>, out: LineWriter): Promise<Buffer> {
  const received: Buffer[] = []
  reader.stdout.on('data', (data: Buffer) => received.push(data))
  reader.stdout.resume()
  await out.end()
  reader.stdin.end()
  await new Promise((resolve) => reader.on('close', resolve))
  return Buffer.concat(received)
}

describe('LineWriter', () => {
  afterEach(() => {
    for (const reader of readers.splice(0)) reader.kill()
  })

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

  it('never changes a chunk a real pipe that filled up still holds (lines as strings and encoded in place)', async () => {
    const reader = pipeReader()
    const out = new LineWriter(reader.stdin)
    const lines = Array.from({length: 40_000}, (_, i) => `${i} ${String.fromCharCode(97 + (i % 26)).repeat(i % 300)}`)
    let backedUp = false
    for (let i = 0; i < lines.length; i++) {
      if (i % 2 === 0) out.write(lines[i])
      else expect(out.writeEncoded(encode, lines[i])).to.equal(true)
      if (i % 400 === 399) {
        await nextTurn()
        backedUp ||= out.pending > 0
      }
    }

    const received = await readAll(reader, out)
    expect(backedUp, 'the pipe filled up').to.equal(true)
    expect(received.toString('utf8')).to.equal(lines.join('\n') + '\n')
  })

  it('goes on encoding in place when the chunk it wrote from inside writeEncoded stayed with a full pipe', async () => {
    const reader = pipeReader()
    const out = new LineWriter(reader.stdin)
    // In one turn: every full chunk goes out from inside writeEncoded, until the pipe takes only part of one.
    const lines = Array.from({length: 40_000}, (_, i) => `${i} ${'q'.repeat(i % 200)}`)
    for (const line of lines) expect(out.writeEncoded(encode, line)).to.equal(true)
    expect(out.pending, 'the pipe filled up').to.be.greaterThan(0)
    expect((await readAll(reader, out)).toString('latin1')).to.equal(lines.join('\n') + '\n')
  })
})
