import {expect} from 'chai'

import {BoundedMap} from '../../src/lan/bounded-map.js'

describe('lan/bounded-map', () => {
  it('refuses a size limit that is not a positive integer', () => {
    expect(() => new BoundedMap(0)).to.throw(RangeError)
    expect(() => new BoundedMap(-1)).to.throw(RangeError)
    expect(() => new BoundedMap(1.5)).to.throw(RangeError)
    expect(() => new BoundedMap(Number.NaN)).to.throw(RangeError)
  })

  it('behaves as a map below the limit', () => {
    const map = new BoundedMap<string, number>(3)
    map.set('a', 1).set('b', 2)
    expect(map.get('a')).to.equal(1)
    expect(map.peek('b')).to.equal(2)
    expect(map.peek('c')).to.equal(undefined)
    expect(map.get('c')).to.equal(undefined)
    expect(map.size).to.equal(2)
    expect(map.delete('a')).to.equal(true)
    expect(map.delete('a')).to.equal(false)
    expect(map.size).to.equal(1)
    expect(map.peek('a')).to.equal(undefined)
    expect(map.peek('b')).to.equal(2)
    expect(map.evictions).to.equal(0)
  })

  it('evicts the least recently used entry and counts it', () => {
    const map = new BoundedMap<string, number>(3)
    map.set('a', 1).set('b', 2).set('c', 3)
    map.get('a') // a is now the most recently used; b the least
    map.set('d', 4)
    expect(map.peek('b')).to.equal(undefined)
    expect(map.evictions).to.equal(1)
    map.set('e', 5) // then c, then a
    expect(map.peek('c')).to.equal(undefined)
    map.set('f', 6)
    expect(map.peek('a')).to.equal(undefined)
    expect([map.peek('d'), map.peek('e'), map.peek('f')]).to.deep.equal([4, 5, 6])
    expect(map.evictions).to.equal(3)
  })

  it('treats set of an existing key as a use, not an insertion', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1).set('b', 2).set('a', 10)
    expect(map.size).to.equal(2)
    expect(map.evictions).to.equal(0)
    map.set('c', 3)
    expect(map.peek('b')).to.equal(undefined)
    expect(map.peek('a')).to.equal(10)
    expect(map.peek('c')).to.equal(3)
  })

  it('does not refresh on peek', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1).set('b', 2)
    expect(map.peek('a')).to.equal(1)
    map.set('c', 3)
    expect(map.peek('a')).to.equal(undefined)
    expect(map.peek('b')).to.equal(2)
  })

  it('deleting does not count as an eviction', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1).set('b', 2)
    map.delete('a')
    map.delete('b')
    expect(map.size).to.equal(0)
    expect(map.evictions).to.equal(0)
  })

  it('stays at its limit under 100,000 distinct keys', () => {
    const cap = 1000
    const map = new BoundedMap<string, number>(cap)
    let largest = 0
    for (let i = 0; i < 100_000; i++) {
      map.set(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i)
      largest = Math.max(largest, map.size)
    }

    expect(largest).to.equal(cap)
    expect(map.size).to.equal(cap)
    expect(map.evictions).to.equal(100_000 - cap)
    expect(map.peek('10.1.134.159')).to.equal(99_999) // the newest survives
    expect(map.peek('10.0.0.0')).to.equal(undefined) // the oldest went
  })

  it('using the most recently used key again keeps the order (and values stay right)', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1).set('b', 2)
    for (let i = 0; i < 5; i++) expect(map.get('b')).to.equal(2)
    map.set('b', 20)
    map.set('c', 3) // evicts a, the least recently used
    expect(map.peek('a')).to.equal(undefined)
    expect([map.peek('b'), map.peek('c')]).to.deep.equal([20, 3])
    map.delete('c') // the newest key deleted: using it again is an insertion
    expect(map.get('c')).to.equal(undefined)
    map.set('c', 30)
    map.get('b')
    map.set('d', 4) // evicts c: b was used after it
    expect(map.peek('c')).to.equal(undefined)
    expect([map.peek('b'), map.peek('d')]).to.deep.equal([20, 4])
  })
})
