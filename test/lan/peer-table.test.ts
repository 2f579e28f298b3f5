import {expect} from 'chai'

import {PeerTable, type TableRow} from '../../src/lan/peer-table.js'
import {dottedQuadToNumber} from '../../src/net/ipv4.js'
import {collidingPorts, unkeyedBucket} from '../support/colliding-ports.js'
import {seededRandom} from '../support/hostile.js'

interface Row extends TableRow {
  id: number
}

/** The reference: rows from least to most recently seen, searched one by one. */
class ReferenceTable {
  rows: Row[] = []
  evictions = 0

  constructor(readonly capacity: number) {}

  find(address: string, port: number, user: string, host: string): Row | undefined {
    return this.rows.find((r) => r.address === address && r.port === port && r.user === user && r.host === host)
  }

  touch(row: Row): void {
    this.rows.splice(this.rows.indexOf(row), 1)
    this.rows.push(row)
  }

  only(address: string, port: number): Row | undefined {
    const at = this.rows.filter((r) => r.address === address && r.port === port)
    return at.length === 1 ? at[0] : undefined
  }

  add(row: Row): Row | undefined {
    let dropped: Row | undefined
    if (this.rows.length >= this.capacity) {
      dropped = this.rows.shift()
      this.evictions++
    }

    this.rows.push(row)
    return dropped
  }
}

describe('lan/peer-table', () => {
  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new PeerTable(0)).to.throw(RangeError)
    expect(() => new PeerTable(1.5)).to.throw(RangeError)
    expect(new PeerTable(3).capacity).to.equal(3)
  })

  it('finds rows by endpoint and names; several rows at one endpoint; the only row at an endpoint', () => {
    const table = new PeerTable<Row>(10)
    // eslint-disable-next-line max-params -- a row's fields in the table's order
    const add = (address: string, port: number, user: string, host: string, id: number) =>
      table.add(address, port, () => ({address, port, user, host, id}))
    add('10.0.0.1', 2425, 'alice', 'pc1', 1)
    add('10.0.0.1', 2425, 'bob', 'pc1', 2) // a second client on the same endpoint
    add('10.0.0.1', 2426, 'alice', 'pc1', 3)
    add('fe80::1', 2425, 'carol', 'pc3', 4) // not IPv4: kept by an id
    expect(table.size).to.equal(4)
    expect(table.get('10.0.0.1', 2425, 'bob', 'pc1')?.id).to.equal(2)
    expect(table.peek('10.0.0.1', 2425, 'alice', 'pc1')?.id).to.equal(1)
    expect(table.peek('10.0.0.1', 2425, 'alice', 'pc9')).to.equal(undefined)
    expect(table.peek('10.0.0.2', 2425, 'alice', 'pc1')).to.equal(undefined)
    expect(table.onlyRowAt('10.0.0.1', 2425)).to.equal(undefined) // two rows there
    expect(table.onlyRowAt('10.0.0.1', 2426)?.id).to.equal(3)
    expect(table.onlyRowAt('fe80::1', 2425)?.id).to.equal(4)
    expect(table.onlyRowAt('fe80::2', 2425)).to.equal(undefined)
    // Least to most recently seen: get and onlyRowAt mark a row seen, peek does not.
    expect([...table.values()].map((r) => r.id)).to.deep.equal([1, 2, 3, 4])
  })

  it('finds, and drops, rows at addresses from 128.0.0.0 on (the top bit set) as any other', () => {
    const table = new PeerTable<Row>(3)
    const addresses = ['192.168.1.20', '255.255.255.255', '128.0.0.0', '10.1.2.3', '172.16.0.9']
    for (const [id, address] of addresses.entries())
      table.add(address, 2425, () => ({address, port: 2425, user: 'u', host: 'h', id}))
    expect([...table.values()].map((row) => row.address)).to.deep.equal(['128.0.0.0', '10.1.2.3', '172.16.0.9'])
    expect(table.get('128.0.0.0', 2425, 'u', 'h')?.id).to.equal(2)
    expect(table.onlyRowAt('172.16.0.9', 2425)?.id).to.equal(4)
    expect(table.peek('192.168.1.20', 2425, 'u', 'h')).to.equal(undefined)
    expect(table.probeLengths()).to.have.length(3)
  })

  it('drops the least recently seen row when full and hands its object to the new row', () => {
    const table = new PeerTable<Row>(2)
    table.add('10.0.0.1', 1, () => ({address: '10.0.0.1', port: 1, user: 'a', host: 'h', id: 1}))
    table.add('10.0.0.2', 1, () => ({address: '10.0.0.2', port: 1, user: 'b', host: 'h', id: 2}))
    table.get('10.0.0.1', 1, 'a', 'h') // 1 is now the most recently seen
    let reused: Row | undefined
    const row = table.add('10.0.0.3', 1, (reuse) => {
      reused = reuse
      return Object.assign(reuse!, {address: '10.0.0.3', port: 1, user: 'c', id: 3})
    })
    expect(reused).to.equal(row)
    expect(table.evictions).to.equal(1)
    expect(table.peek('10.0.0.2', 1, 'b', 'h')).to.equal(undefined)
    expect([...table.values()].map((r) => r.id)).to.deep.equal([1, 3])
  })

  for (const capacity of [1, 7, 64]) {
    it(`agrees with a reference LRU table under random operations (capacity ${capacity}, colliding endpoints)`, () => {
      const random = seededRandom(capacity * 7919)
      const table = new PeerTable<Row>(capacity)
      const reference = new ReferenceTable(capacity)
      // Few addresses, ports and names: many rows per endpoint, long probe runs, and deletions in their middle.
      const addresses = ['10.0.0.1', '10.0.0.2', '192.168.1.255', '255.255.255.255', '0.0.0.0', 'host-a', '::1']
      const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]
      let id = 0
      for (let step = 0; step < 20_000; step++) {
        const address = pick(addresses)
        const port = pick([1, 2425, 65_535])
        const user = pick(['u1', 'u2'])
        const host = pick(['h1', 'h2'])
        const what = random()
        if (what < 0.3) {
          const got = table.get(address, port, user, host)
          const want = reference.find(address, port, user, host)
          expect(got, `step ${step} get`).to.equal(want)
          if (want) reference.touch(want)
        } else if (what < 0.45) {
          expect(table.peek(address, port, user, host), `step ${step} peek`).to.equal(
            reference.find(address, port, user, host),
          )
        } else if (what < 0.6) {
          const want = reference.only(address, port)
          expect(table.onlyRowAt(address, port), `step ${step} onlyRowAt`).to.equal(want)
          if (want) reference.touch(want)
        } else if (!reference.find(address, port, user, host)) {
          const row: Row = {address, port, user, host, id: ++id}
          const dropped = reference.add(row)
          let handed: Row | undefined
          table.add(address, port, (reuse) => {
            handed = reuse
            return row
          })
          expect(handed, `step ${step} the dropped row`).to.equal(dropped)
        }

        if (step % 97 === 0) {
          expect([...table.values()], `step ${step} order`).to.deep.equal(reference.rows)
          expect(table.size).to.equal(reference.rows.length)
          expect(table.evictions).to.equal(reference.evictions)
        }
      }

      expect(reference.evictions).to.be.above(capacity) // the run did evict, many times
    })
  }

  it('holds at most its capacity under 100,000 new sources, the newest kept', () => {
    const table = new PeerTable<Row>(10_000)
    for (let i = 0; i < 100_000; i++) {
      const address = `127.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`
      table.add(address, 2425, (reuse) =>
        Object.assign(reuse ?? {address: '', port: 0, user: 'u', host: 'h', id: 0}, {address, port: 2425, id: i}),
      )
      expect(table.get(address, 2425, 'u', 'h')?.id).to.equal(i)
    }

    expect(table.size).to.equal(10_000)
    expect(table.evictions).to.equal(90_000)
    expect(table.peek('127.16.0.0', 2425, 'u', 'h')).to.equal(undefined)
    expect(table.onlyRowAt('127.17.134.159', 2425)?.id).to.equal(99_999)
  })

  it('spreads the source ports chosen to collide under the old unkeyed hash (short probes, whatever the key)', () => {
    const capacity = 10_000
    const ip = dottedQuadToNumber('10.84.0.66')
    const ports = collidingPorts(ip, capacity, 12_000)
    // The attack is real: under the old hash these 12,000 ports crowd into ~6,000 neighbouring home buckets.
    const homes = ports.map((port) => unkeyedBucket(ip, port, capacity))
    expect(Math.max(...homes) - Math.min(...homes)).to.be.below(6600)
    for (let run = 0; run < 3; run++) {
      const table = new PeerTable<Row>(capacity)
      for (const [i, port] of ports.entries()) {
        table.add('10.84.0.66', port, (reuse) =>
          Object.assign(reuse ?? {user: 'u', host: 'h'}, {address: '10.84.0.66', port, id: i}),
        )
      }

      const probes = table.probeLengths()
      expect(probes).to.have.length(capacity)
      const mean = probes.reduce((a, b) => a + b, 0) / probes.length
      // A random layout at this load (10,000 in 2^15 buckets) probes ~0.2 on average; the old one, thousands.
      expect(mean, `run ${run}: mean probe length`).to.be.below(1)
      expect(Math.max(...probes), `run ${run}: longest probe`).to.be.below(64)
    }
  })

  it('draws its hash key at random for each table: the same rows lie differently', () => {
    const layout = (table: PeerTable<Row>) => {
      for (let port = 1; port <= 500; port++) {
        table.add('10.84.0.66', port, () => ({address: '10.84.0.66', port, user: 'u', host: 'h', id: port}))
      }

      return table.probeLengths().join(',')
    }

    const key = Uint32Array.of(0x1234_5679, 0x9abc_def1, 42)
    expect(layout(new PeerTable<Row>(1000, key))).to.equal(layout(new PeerTable<Row>(1000, key)))
    expect(layout(new PeerTable<Row>(1000))).to.not.equal(layout(new PeerTable<Row>(1000)))
  })
})
