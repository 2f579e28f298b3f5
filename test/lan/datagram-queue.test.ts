import {expect} from 'chai'

import {DatagramQueue, DEFAULT_QUEUE_LIMITS, type QueuedDatagram} from '../../src/lan/datagram-queue.js'
import {dottedQuadToNumber} from '../../src/net/ipv4.js'

const bytes = (text: string) => Buffer.from(text, 'latin1')
const text = (d: QueuedDatagram | undefined) => Buffer.from(d!.data).toString('latin1')

function drain(queue: DatagramQueue): QueuedDatagram[] {
  const out: QueuedDatagram[] = []
  for (let d = queue.shift(); d !== undefined; d = queue.shift()) out.push(d)
  return out
}

describe('lan/datagram-queue', () => {
  it('refuses limits that are not positive integers', () => {
    expect(() => new DatagramQueue({maxDatagrams: 0})).to.throw(RangeError)
    expect(() => new DatagramQueue({maxBytes: -1})).to.throw(RangeError)
    expect(() => new DatagramQueue({maxDatagrams: 1.5})).to.throw(RangeError)
    expect(new DatagramQueue().limits).to.deep.equal(DEFAULT_QUEUE_LIMITS)
  })

  it('gives back each datagram with its bytes, source and receive time, oldest first', () => {
    const queue = new DatagramQueue()
    expect(queue.shift()).to.equal(undefined)
    expect(queue.push(bytes('one'), '10.0.0.1', 2425, 1000)).to.equal(true)
    expect(queue.push(bytes(''), '10.0.0.2', 1, 1001)).to.equal(true)
    expect(queue.push(bytes('three'), '127.0.0.1', 65_535, 1002.5)).to.equal(true)
    expect(queue.length).to.equal(3)
    expect(queue.bytes).to.equal(8)
    const [a, b, c] = drain(queue)
    expect([text(a), a.from, a.receivedAt]).to.deep.equal(['one', {address: '10.0.0.1', port: 2425}, 1000])
    expect([text(b), b.from, b.receivedAt]).to.deep.equal(['', {address: '10.0.0.2', port: 1}, 1001])
    expect([text(c), c.from, c.receivedAt]).to.deep.equal(['three', {address: '127.0.0.1', port: 65_535}, 1002.5])
    expect(queue.length).to.equal(0)
    expect(queue.bytes).to.equal(0)
  })

  it('copies small datagrams: the buffer dgram handed over may be reused at once', () => {
    const queue = new DatagramQueue()
    const data = bytes('first')
    queue.push(data, '10.0.0.1', 1, 0)
    data.write('XXXXX')
    expect(text(queue.shift())).to.equal('first')
  })

  it('pushBytes copies from a reused buffer, large datagrams too, and takes the address as a number', () => {
    const queue = new DatagramQueue()
    const buffer = Buffer.alloc(20_000) // a Buffer, as BatchReader's is: its slice() would be a view, not a copy
    buffer.set(Buffer.from('small'), 100)
    buffer.fill(7, 1000, 1000 + 9000) // larger than a chunk's copy limit: kept whole, so it must be copied
    expect(queue.pushBytes(buffer, 100, 5, 0x7f_00_00_01, 2425, 1)).to.equal(true)
    expect(queue.pushBytes(buffer, 1000, 9000, 0xc0_a8_00_01 | 0, 1, 2)).to.equal(true)
    buffer.fill(0)
    const [small, large] = drain(queue)
    expect([text(small), small.from]).to.deep.equal(['small', {address: '127.0.0.1', port: 2425}])
    expect(large.data.length).to.equal(9000)
    expect(large.data.every((b) => b === 7)).to.equal(true)
    expect(large.from).to.deep.equal({address: '192.168.0.1', port: 1})
  })

  it('keeps order and content over many wrap-arounds and growths, big datagrams included', () => {
    const queue = new DatagramQueue()
    let pushed = 0
    let shifted = 0
    // Grows to 8,192 slots and wraps many times; every 97th datagram is larger than a chunk's copy limit.
    for (let round = 0; round < 40; round++) {
      const n = round < 20 ? 400 + round * 20 : 50
      for (let i = 0; i < n; i++) {
        const size = pushed % 97 === 0 ? 20_000 : pushed % 300
        const data = Buffer.alloc(size, pushed % 251)
        if (size >= 4) data.writeUInt32BE(pushed)
        expect(queue.push(data, `10.0.${(pushed >> 8) & 255}.${pushed & 255}`, pushed % 65_536, pushed)).to.equal(true)
        pushed++
      }

      for (let i = 0; i < n - 10; i++) {
        const d = queue.shift()!
        const size = shifted % 97 === 0 ? 20_000 : shifted % 300
        expect(d.data.length).to.equal(size)
        if (size >= 4) expect(Buffer.from(d.data).readUInt32BE(0)).to.equal(shifted)
        if (size > 4) expect(d.data[size - 1]).to.equal(shifted % 251)
        expect(d.from).to.deep.equal({address: `10.0.${(shifted >> 8) & 255}.${shifted & 255}`, port: shifted % 65_536})
        expect(d.receivedAt).to.equal(shifted)
        shifted++
      }
    }

    expect(queue.length).to.equal(pushed - shifted)
    expect(drain(queue).map((d) => d.receivedAt)).to.deep.equal(
      Array.from({length: pushed - shifted}, (_, i) => shifted + i),
    )
    expect(queue.overflow).to.equal(0)
  })

  it('a view handed out stays valid while more datagrams are queued and shifted', () => {
    const queue = new DatagramQueue()
    queue.push(bytes('keep me'), '10.0.0.1', 1, 0)
    const kept = queue.shift()!
    for (let i = 0; i < 10_000; i++) {
      queue.push(bytes(`filler ${i}`), '10.0.0.1', 1, i)
      if (i % 3 === 0) queue.shift()
    }

    expect(Buffer.from(kept.data).toString('latin1')).to.equal('keep me')
  })

  it('refuses (and counts) datagrams beyond maxDatagrams; room again once some are shifted', () => {
    const queue = new DatagramQueue({maxDatagrams: 3})
    const results = [1, 2, 3, 4, 5].map((i) => queue.push(bytes(`d${i}`), '10.0.0.1', 1, i))
    expect(results).to.deep.equal([true, true, true, false, false])
    expect(queue.overflow).to.equal(2)
    expect(queue.length).to.equal(3)
    expect(queue.fill).to.equal(1)
    expect(text(queue.shift())).to.equal('d1')
    expect(queue.push(bytes('d6'), '10.0.0.1', 1, 6)).to.equal(true)
    expect(queue.push(bytes('d7'), '10.0.0.1', 1, 7)).to.equal(false)
    expect(queue.overflow).to.equal(3)
    expect(drain(queue).map((d) => text(d))).to.deep.equal(['d2', 'd3', 'd6'])
    expect(queue.peak).to.equal(3)
  })

  it('refuses (and counts) datagrams beyond maxBytes, whatever their number', () => {
    const queue = new DatagramQueue({maxBytes: 100})
    expect(queue.push(Buffer.alloc(60), '10.0.0.1', 1, 0)).to.equal(true)
    expect(queue.push(Buffer.alloc(41), '10.0.0.1', 1, 1)).to.equal(false)
    expect(queue.push(Buffer.alloc(40), '10.0.0.1', 1, 2)).to.equal(true)
    expect(queue.bytes).to.equal(100)
    expect(queue.fill).to.equal(1)
    expect(queue.push(Buffer.alloc(0), '10.0.0.1', 1, 3)).to.equal(true) // an empty datagram still fits
    expect(queue.push(Buffer.alloc(1), '10.0.0.1', 1, 4)).to.equal(false)
    expect(queue.overflow).to.equal(2)
    expect(drain(queue).map((d) => d.receivedAt)).to.deep.equal([0, 2, 3])
  })

  it('the default limits hold a burst of 200,000 typical datagrams, and refuse the rest of 300,000', () => {
    const queue = new DatagramQueue()
    const data = bytes('1:1700000123:alice:ALICE-PC:288:Lunch at noon? Room 42, ok?\0')
    let accepted = 0
    for (let i = 0; i < 300_000; i++) if (queue.push(data, '127.0.0.1', 40_000, i)) accepted++
    expect(accepted).to.equal(DEFAULT_QUEUE_LIMITS.maxDatagrams)
    expect(accepted).to.be.greaterThan(200_000)
    expect(queue.overflow).to.equal(300_000 - accepted)
    expect(queue.peak).to.equal(accepted)
    expect(queue.shift()!.receivedAt).to.equal(0)
  })

  it('clear() drops everything held and says how many', () => {
    const queue = new DatagramQueue()
    for (let i = 0; i < 5; i++) queue.push(bytes(`d${i}`), '10.0.0.1', 1, i)
    expect(queue.clear()).to.equal(5)
    expect(queue.length).to.equal(0)
    expect(queue.bytes).to.equal(0)
    expect(queue.shift()).to.equal(undefined)
    queue.push(bytes('after'), '10.0.0.2', 2, 9)
    expect(text(queue.shift())).to.equal('after')
  })

  it('gives back any address string exactly, dotted quad or not, also across growths', () => {
    const queue = new DatagramQueue()
    const odd = [
      '::1',
      '010.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '256.0.0.1',
      '',
      'host.example',
      '0.0.0.0',
      '255.255.255.255',
    ]
    const addresses = Array.from({length: 3000}, (_, i) =>
      i % 7 === 0 ? odd[i % odd.length] : `10.${i % 256}.0.${i % 200}`,
    )
    for (const [i, address] of addresses.entries()) queue.push(bytes(`${i}`), address, i, i)
    expect(drain(queue).map((d) => d.from.address)).to.deep.equal(addresses)
  })

  it('hands out each source address also as a number (-1 unless a dotted quad), from either push', () => {
    const queue = new DatagramQueue()
    const addresses = ['10.0.0.1', '::1', '255.255.255.255', '010.0.0.1', '0.0.0.0', '192.168.7.200', 'host', '1.2.3']
    for (const address of addresses) queue.push(bytes('x'), address, 1, 0)
    const numbers = [0x0a_00_00_01, 0xff_ff_ff_ff, 0, 0x7f_00_00_02, 0x80_00_00_00, 0xc0_a8_07_c8]
    for (const ip of numbers) queue.pushBytes(bytes('y'), 0, 1, ip | 0, 2, 0) // int32, as the batch reader gives it
    const out = drain(queue)
    expect(out.map((d) => d.ip)).to.deep.equal([...addresses.map((a) => dottedQuadToNumber(a)), ...numbers])
    expect(out.map((d) => d.ip).slice(0, addresses.length)).to.deep.equal([
      0x0a_00_00_01, -1, 0xff_ff_ff_ff, -1, 0, 0xc0_a8_07_c8, -1, -1,
    ])
    for (const d of out) if (d.ip !== -1) expect(dottedQuadToNumber(d.from.address)).to.equal(d.ip)
  })

  it('lets go of the chunks of shifted datagrams (memory held follows what is queued)', () => {
    const queue = new DatagramQueue()
    const chunks = () => (queue as unknown as {chunks: Uint8Array[]}).chunks.length
    const data = Buffer.alloc(1000, 1)
    for (let i = 0; i < 10_000; i++) {
      queue.push(data, '10.0.0.1', 1, i) // 10 MB through the queue, at most ~100 datagrams (two chunks) in it
      if (i >= 100) queue.shift()
    }

    expect(queue.length).to.equal(100)
    expect(chunks()).to.be.at.most(3)
    for (let i = 0; i < 100; i++) queue.push(Buffer.alloc(20_000, 2), '10.0.0.1', 1, i) // large: no chunk
    drain(queue)
    expect(chunks()).to.equal(1)
  })

  it('formats each source address right as sources change network and host, in any order', () => {
    const queue = new DatagramQueue()
    const addresses = ['10.0.0.1', '10.0.1.1', '10.0.0.2', '10.0.0.2', '192.168.0.1', '192.168.0.255', '10.0.0.255']
    for (let i = 0; i < 3000; i++) addresses.push(`${(i * 37) % 256}.${i % 3}.${(i >> 4) % 2}.${(i * 7) % 256}`)
    for (const address of addresses) queue.pushBytes(bytes('x'), 0, 1, dottedQuadToNumber(address) | 0, 2425, 0)
    expect(drain(queue).map((d) => d.from.address)).to.deep.equal(addresses)
  })
})
