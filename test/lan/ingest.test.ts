import {expect} from 'chai'

import type {QueuedDatagram} from '../../src/lan/datagram-queue.js'

import {CAUGHT_UP, HIGH_WATER, Ingest, READS_PER_TURN} from '../../src/lan/ingest.js'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
const bytes = (i: number) => Buffer.from(`datagram ${i}`)

function busyWait(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
}

function collector(options: {costMs?: number} = {}) {
  const seen: QueuedDatagram[] = []
  const process = (d: QueuedDatagram) => {
    seen.push(d)
    if (options.costMs) busyWait(options.costMs)
  }

  return {seen, process}
}

describe('lan/ingest', () => {
  it('queues in the read callback and processes on a later turn, in arrival order', async () => {
    const {seen, process} = collector()
    const ingest = new Ingest({process})
    for (let i = 0; i < 10; i++) ingest.receive(bytes(i), '10.0.0.1', 2425)
    expect(seen, 'nothing is processed inside the read callback').to.have.length(0)
    expect(ingest.received).to.equal(10)
    expect(ingest.queue.length).to.equal(10)
    await nextTurn()
    expect(seen.map((d) => Buffer.from(d.data).toString())).to.deep.equal(
      Array.from({length: 10}, (_, i) => `datagram ${i}`),
    )
    expect(ingest.queue.length).to.equal(0)
  })

  it('queues a batch read into a reused buffer: copies, one receive time, after the single reads, in order', async () => {
    let clock = 5000
    const {seen, process} = collector()
    const ingest = new Ingest({process, now: () => clock, limits: {maxDatagrams: 4}})
    ingest.receive(bytes(0), '10.0.0.1', 2425)
    // Three datagrams in 16-byte slots, the way BatchReader hands them over: offset, size, IPv4, port.
    const slots = new Uint8Array(64)
    const meta = new Int32Array(16)
    const put = (i: number, text: string, ip: number, port: number) => {
      slots.set(Buffer.from(text), i * 16)
      meta.set([i * 16, text.length, ip, port], 4 * i)
    }

    put(0, 'batch a', 0x0a_00_00_02, 1)
    put(1, '', 0xc0_a8_01_fe | 0, 2425) // 192.168.1.254: negative as an int32
    put(2, 'batch c', 0xff_ff_ff_ff | 0, 65_535)
    put(3, 'refused', 0x0a_00_00_03, 9)
    ingest.receiveBatch(slots, meta, 4)
    slots.fill(0x21) // the reader reuses its buffer at once
    clock += 100
    expect(seen).to.have.length(0)
    expect(ingest.received).to.equal(5)
    expect(ingest.queue.overflow).to.equal(1) // the fifth did not fit
    await nextTurn()
    expect(seen.map((d) => [Buffer.from(d.data).toString(), d.from.address, d.from.port, d.receivedAt])).to.deep.equal([
      ['datagram 0', '10.0.0.1', 2425, 5000],
      ['batch a', '10.0.0.2', 1, 5000],
      ['', '192.168.1.254', 2425, 5000],
      ['batch c', '255.255.255.255', 65_535, 5000],
    ])
  })

  it('records the receive time when the datagram is read, not when it is processed', async () => {
    let clock = 1_700_000_000_000
    const {seen, process} = collector()
    const ingest = new Ingest({process, now: () => clock})
    ingest.receive(bytes(0), '10.0.0.1', 1)
    clock += 250
    ingest.receive(bytes(1), '10.0.0.1', 1)
    clock += 5000 // processing happens "later"
    await nextTurn()
    expect(seen.map((d) => d.receivedAt)).to.deep.equal([1_700_000_000_000, 1_700_000_000_250])
  })

  it('counts what the full queue refuses, and still processes what it holds', async () => {
    const {seen, process} = collector()
    const ingest = new Ingest({process, limits: {maxDatagrams: 10}})
    for (let i = 0; i < 15; i++) ingest.receive(bytes(i), '10.0.0.1', 1)
    expect(ingest.received).to.equal(15)
    expect(ingest.queue.overflow).to.equal(5)
    const unprocessed = await ingest.stop({readMs: 100, processMs: 1000})
    expect(unprocessed).to.equal(0)
    expect(seen.map((d) => Buffer.from(d.data).toString())).to.deep.equal(
      Array.from({length: 10}, (_, i) => `datagram ${i}`),
    )
  })

  it('while the socket is busy (a full batch of reads in a turn), reads come first: nothing is processed', async () => {
    const {seen, process} = collector()
    const ingest = new Ingest({process})
    for (let turn = 0; turn < 3; turn++) {
      for (let i = 0; i < READS_PER_TURN; i++) ingest.receive(bytes(i), '10.0.0.1', 1)
      await nextTurn()
      expect(seen, `turn ${turn}`).to.have.length(0)
    }

    await nextTurn() // a turn without reads: the socket is empty, so the queue is processed
    expect(seen).to.have.length(3 * READS_PER_TURN)
  })

  it('a batch read that emptied the socket leaves it idle: the turn processes, however many it brought', async () => {
    const {seen, process} = collector()
    const ingest = new Ingest({process})
    const size = 4 * READS_PER_TURN // a paced read (UdpEndpoint's PACE_MS) brings many, and the socket is empty
    const meta = new Int32Array(4 * size)
    for (let i = 0; i < size; i++) meta.set([0, 1, 0x0a_00_00_01, 1], 4 * i)
    ingest.receiveBatch(new Uint8Array(1), meta, size, true)
    await nextTurn()
    expect(seen).to.have.length(size)
    ingest.receiveBatch(new Uint8Array(1), meta, size, false) // more waiting: reads come first
    await nextTurn()
    expect(seen).to.have.length(size)
  })

  it('a drained read still puts reading first once processing has fallen behind (more than CAUGHT_UP queued)', async () => {
    const {seen, process} = collector()
    const ingest = new Ingest({process})
    const meta = new Int32Array(4 * CAUGHT_UP)
    for (let i = 0; i < CAUGHT_UP; i++) meta.set([0, 1, 0x0a_00_00_01, 1], 4 * i)
    ingest.receiveBatch(new Uint8Array(1), meta, CAUGHT_UP, false) // a flood: the socket had more
    ingest.receiveBatch(new Uint8Array(1), meta, READS_PER_TURN, true) // then emptied, but 1,056 wait
    await nextTurn()
    expect(seen, 'reads first').to.have.length(0)
    await nextTurn() // a turn without reads: the queue is processed
    expect(seen.length).to.be.above(0)
  })

  it('processes while the socket is busy once the queue is getting full', async () => {
    const {seen, process} = collector()
    const maxDatagrams = Math.floor(READS_PER_TURN / HIGH_WATER)
    const ingest = new Ingest({process, limits: {maxDatagrams}})
    for (let i = 0; i < READS_PER_TURN; i++) ingest.receive(bytes(i), '10.0.0.1', 1)
    expect(ingest.queue.fill).to.be.at.least(HIGH_WATER)
    await nextTurn()
    expect(seen).to.have.length(READS_PER_TURN)
  })

  it('processes for about its budget per turn, then lets the event loop read again', async () => {
    const {seen, process} = collector({costMs: 0.5})
    const ingest = new Ingest({process, turnBudgetMs: 2})
    for (let i = 0; i < 100; i++) ingest.receive(bytes(i), '10.0.0.1', 1)
    await nextTurn() // the turn of the reads: the socket may hold more
    expect(seen).to.have.length(0)
    await nextTurn()
    expect(seen.length).to.be.within(1, 16) // checked every 8 datagrams
    let turns = 2
    while (ingest.queue.length > 0 && turns < 1000) {
      await nextTurn()
      turns++
    }

    expect(seen).to.have.length(100)
    expect(turns).to.be.at.least(6)
  })

  it('stop() processes everything already read, reads nothing after, and reports nothing unprocessed', async () => {
    const {seen, process} = collector({costMs: 0.05})
    const ingest = new Ingest({process})
    // A busy socket: 20 full batches, so that almost everything is still queued when stop() is called.
    for (let i = 0; i < 20 * READS_PER_TURN; i++) {
      ingest.receive(bytes(i), '10.0.0.1', 1)
      if (i % READS_PER_TURN === READS_PER_TURN - 1) await nextTurn()
    }

    expect(ingest.queue.length).to.be.greaterThan(0)
    expect(await ingest.stop({readMs: 250, processMs: 10_000})).to.equal(0)
    expect(seen).to.have.length(20 * READS_PER_TURN)
    expect(seen.map((d) => Number(Buffer.from(d.data).toString().split(' ')[1]))).to.deep.equal(
      Array.from({length: 20 * READS_PER_TURN}, (_, i) => i),
    )
    ingest.receive(bytes(-1), '10.0.0.1', 1)
    await nextTurn()
    expect(ingest.received).to.equal(20 * READS_PER_TURN)
    expect(seen).to.have.length(20 * READS_PER_TURN)
  })

  it('stop() keeps reading what still arrives, but at most readMs under a flood', async () => {
    const {seen, process} = collector()
    const ingest = new Ingest({process, limits: {maxDatagrams: 20_000}})
    let fed = 0
    let flooding = true
    // A flood that never ends by itself: READS_PER_TURN datagrams every turn.
    const feed = () => {
      if (!flooding) return
      for (let i = 0; i < READS_PER_TURN; i++) ingest.receive(bytes(fed++), '10.0.0.1', 1)
      setImmediate(feed)
    }

    feed()
    const started = performance.now()
    const unprocessed = await ingest.stop({readMs: 100, processMs: 10_000})
    const elapsed = performance.now() - started
    flooding = false
    expect(elapsed).to.be.within(100, 5000)
    expect(unprocessed).to.equal(0)
    expect(ingest.received).to.be.greaterThan(READS_PER_TURN * 10)
    expect(seen).to.have.length(ingest.received - ingest.queue.overflow)
  })

  it('stop() gives up processing after processMs and counts the rest as unprocessed', async () => {
    const {seen, process} = collector({costMs: 2})
    const ingest = new Ingest({process})
    for (let i = 0; i < READS_PER_TURN * 4; i++) ingest.receive(bytes(i), '10.0.0.1', 1)
    const started = performance.now()
    const unprocessed = await ingest.stop({readMs: 0, processMs: 30})
    expect(performance.now() - started).to.be.below(1000)
    expect(unprocessed).to.be.greaterThan(0)
    expect(ingest.unprocessed).to.equal(unprocessed)
    expect(seen.length + unprocessed).to.equal(READS_PER_TURN * 4)
    expect(ingest.queue.length).to.equal(0)
  })
})
