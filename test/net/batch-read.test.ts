// The batch-read addon (native/recv_batch.c) and UdpEndpoint's use of it. Real sockets, loopback only (the network
// rule). The datagrams are sent by a child process run with spawnSync: the event loop is blocked meanwhile, so
// they all wait in the socket and a read can be checked against exactly what was sent.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import dgram from 'node:dgram'
import {once} from 'node:events'
import {readFileSync} from 'node:fs'

import {batchReadAddon, BatchReader} from '../../src/net/batch-read.js'
import {openUdpEndpoint, PACE_MS} from '../../src/net/udp-endpoint.js'

/** Payload i: `d<i>` followed by i % 7 bytes of 'x'; the sizes in `big` replace some of them. */
const payload = (i: number, big: Record<number, number> = {}) =>
  i in big ? Buffer.alloc(big[i], i & 255) : Buffer.from(`d${i}${'x'.repeat(i % 7)}`)

/** Sends `count` payloads to 127.0.0.1:port from one socket, in order; returns the sender's port. */
function sendFromChild(port: number, count: number, big: Record<number, number> = {}): number {
  const script = `
    const dgram = require('node:dgram')
    const [port, count, big] = [${port}, ${count}, ${JSON.stringify(big)}]
    const payload = ${payload.toString()}
    const s = dgram.createSocket('udp4')
    s.bind(0, '127.0.0.1', async () => {
      for (let i = 0; i < count; i++) await new Promise((ok, no) => s.send(payload(i, big), port, '127.0.0.1', (e) => (e ? no(e) : ok())))
      console.log(s.address().port)
      s.close()
    })`
  const result = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8', timeout: 20_000})
  expect(result.status, result.stderr).to.equal(0)
  return Number(result.stdout.trim())
}

const addon = batchReadAddon()
const IP_127_0_0_1 = 0x7f_00_00_01

describe('net/batch-read (native recvmmsg)', () => {
  before(function () {
    if (addon === undefined) {
      // CI builds the addon and sets LANMSG_REQUIRE_BATCH_READ=1: there, a missing addon is a failure.
      if (process.env.LANMSG_REQUIRE_BATCH_READ === '1') throw new Error('the batch-read addon is not built')
      this.skip()
    }
  })

  it('reads every waiting datagram, with its bytes and source, many per call, in order', async () => {
    const socket = dgram.createSocket('udp4')
    socket.bind(0, '127.0.0.1')
    await once(socket, 'listening')
    socket.on('message', () => expect.fail('the event loop read a datagram meant for the batch'))
    try {
      const fd = (() => {
        const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol')!
        return (socket as any)[state].handle.fd as number
      })()
      const big = {3: 0, 70: 65_507, 71: 1}
      const from = sendFromChild(socket.address().port, 100, big)
      const reader = new BatchReader(addon!, fd)
      const got: Array<[string, number, number]> = []
      const counts: number[] = []
      for (let n = reader.read(); n !== 0; n = reader.read()) {
        expect(n).to.be.above(0)
        counts.push(n)
        for (let i = 0; i < n; i++) {
          const [offset, size, ip, port] = reader.meta.subarray(4 * i, 4 * i + 4)
          got.push([Buffer.from(reader.bytes.subarray(offset, offset + size)).toString('hex'), ip, port])
        }
      }

      expect(counts).to.deep.equal([64, 36]) // 64 slots a call; then the socket is empty: 0
      expect(got).to.have.length(100)
      got.forEach(([hex, ip, port], i) => {
        expect(hex, `datagram ${i}`).to.equal(payload(i, big).toString('hex'))
        expect([ip, port]).to.deep.equal([IP_127_0_0_1, from])
      })
    } finally {
      socket.close()
    }
  })

  it('answers 0 on an empty socket and -errno on a bad descriptor, and refuses wrong arguments', () => {
    const reader = new BatchReader(addon!, 1_000_000)
    expect(reader.read()).to.equal(-9) // EBADF
    const {recvBatch} = addon!
    expect(() => (recvBatch as any)(0)).to.throw(TypeError)
    expect(() => recvBatch(0, new Uint8Array(10) as any, 10, new Uint32Array(4) as any, 1)).to.throw(TypeError)
    expect(() => recvBatch(0, new Uint16Array(10) as any, 10, new Int32Array(4), 1)).to.throw(TypeError)
    expect(() => recvBatch(-1, new Uint8Array(10), 10, new Int32Array(4), 1)).to.throw(TypeError)
    expect(recvBatch(0, new Uint8Array(10), 10, new Int32Array(4), 0)).to.equal(0) // nothing asked, nothing read
  })

  it("socketDrops: the kernel's drop count of a socket whose small buffer overflowed, as /proc/net/udp has it", async () => {
    const socket = dgram.createSocket('udp4')
    socket.bind(0, '127.0.0.1')
    await once(socket, 'listening')
    try {
      socket.setRecvBufferSize(4096) // the kernel makes it a few KiB: a few datagrams fit
      const {port} = socket.address()
      sendFromChild(port, 500) // the loop is blocked meanwhile: nothing reads
      const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol')!
      const {fd} = (socket as any)[state].handle
      const needle = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`
      const line = readFileSync('/proc/net/udp', 'utf8')
        .split('\n')
        .find((l) => l.includes(needle))!
      const kernel = Number(line.trim().split(/\s+/).at(-1))
      expect(kernel).to.be.within(400, 500)
      expect(addon!.socketDrops!(fd)).to.equal(kernel)
      expect(addon!.socketDrops!(1_000_000)).to.equal(-9) // EBADF
    } finally {
      socket.close()
    }
  })

  it('UdpEndpoint: Node reads one datagram, the batches bring the rest, in order, nothing twice', async () => {
    const endpoint = await openUdpEndpoint({address: '127.0.0.1', port: 0})
    try {
      const seen: string[] = []
      let single = 0
      let batches = 0
      endpoint.setReceiver(
        (data) => {
          single++
          seen.push(data.toString())
        },
        (bytes, meta, count) => {
          batches++
          for (let i = 0; i < count; i++) {
            seen.push(Buffer.from(bytes.subarray(meta[4 * i], meta[4 * i] + meta[4 * i + 1])).toString())
          }
        },
      )
      expect(endpoint.readsBatches).to.equal(true)
      sendFromChild(endpoint.port, 500)
      const deadline = Date.now() + 5000
      while (seen.length < 500 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(seen).to.deep.equal(Array.from({length: 500}, (_, i) => payload(i).toString()))
      expect(batches).to.be.at.least(1)
      expect(single).to.be.below(50) // mostly read in batches of 64
    } finally {
      await endpoint.close()
    }
  })

  it('UdpEndpoint: paced reads: after a wake-up that found one datagram, the next waits for the clock, in a batch', async () => {
    const endpoint = await openUdpEndpoint({address: '127.0.0.1', port: 0})
    const sender = dgram.createSocket('udp4')
    sender.bind(0, '127.0.0.1')
    await once(sender, 'listening')
    const send = (text: string) =>
      new Promise<void>((resolve, reject) =>
        sender.send(text, endpoint.port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      )
    try {
      const got: Array<[string, string]> = [] // text, how it came (Node's read or a batch)
      const arrived = (text: string, how: string) => got.push([text, how])

      endpoint.setReceiver(
        (data) => arrived(data.toString(), 'node'),
        (bytes, meta, count, drained) => {
          for (let i = 0; i < count; i++) {
            const text = Buffer.from(bytes.subarray(meta[4 * i], meta[4 * i] + meta[4 * i + 1])).toString()
            arrived(text, drained ? 'batch, drained' : 'batch')
          }
        },
      )
      await send('one')
      const deadline = Date.now() + 5000
      while (got.length === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve))
      await send('two') // Node's reads are paused now: it waits for the clock
      await send('three')
      while (got.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1))
      expect(got).to.deep.equal([
        ['one', 'node'],
        ['two', 'batch, drained'],
        ['three', 'batch, drained'],
      ])
      // A quiet clock tick hands reading back to Node: a datagram after a pause is read as it comes.
      await new Promise((resolve) => setTimeout(resolve, 20 * PACE_MS))
      await send('four')
      while (got.length < 4 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve))
      expect(got[3]).to.deep.equal(['four', 'node'])
      // readPromptly() (a stop) ends the pause and reads what waits at once.
      await send('five')
      endpoint.readPromptly()
      expect(got.slice(4)).to.deep.equal([['five', 'batch, drained']])
    } finally {
      sender.close()
      await endpoint.close()
    }
  })

  it('UdpEndpoint: no batches without a batch receiver (and events again without a receiver)', async () => {
    const endpoint = await openUdpEndpoint({address: '127.0.0.1', port: 0})
    try {
      const seen: string[] = []
      endpoint.setReceiver((data) => seen.push(data.toString()))
      expect(endpoint.readsBatches).to.equal(false)
      sendFromChild(endpoint.port, 100)
      const deadline = Date.now() + 5000
      while (seen.length < 100 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(seen).to.deep.equal(Array.from({length: 100}, (_, i) => payload(i).toString()))
      endpoint.setReceiver()
      expect(endpoint.readsBatches).to.equal(false)
    } finally {
      await endpoint.close()
    }
  })
})
