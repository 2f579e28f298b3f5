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
    expect(map.has('b')).to.equal(true)
    expect(map.has('c')).to.equal(false)
    expect(map.get('c')).to.equal(undefined)
    expect(map.size).to.equal(2)
    expect(map.delete('a')).to.equal(true)
    expect(map.delete('a')).to.equal(false)
    expect([...map.entries()]).to.deep.equal([['b', 2]])
    expect(map.evictions).to.equal(0)
  })

  it('evicts the least recently used entry and counts it', () => {
    const map = new BoundedMap<string, number>(3)
    map.set('a', 1).set('b', 2).set('c', 3)
    map.get('a') // a is now the most recently used; b the least
    map.set('d', 4)
    expect([...map.keys()]).to.deep.equal(['c', 'a', 'd'])
    expect(map.has('b')).to.equal(false)
    expect(map.evictions).to.equal(1)
  })

  it('treats set of an existing key as a use, not an insertion', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1).set('b', 2).set('a', 10)
    expect(map.size).to.equal(2)
    expect(map.evictions).to.equal(0)
    map.set('c', 3)
    expect([...map.entries()]).to.deep.equal([
      ['a', 10],
      ['c', 3],
    ])
  })

  it('does not refresh on has, peek or iteration', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1).set('b', 2)
    expect(map.has('a')).to.equal(true)
    expect(map.peek('a')).to.equal(1)
    expect([...map.values()]).to.deep.equal([1, 2])
    map.set('c', 3)
    expect(map.has('a')).to.equal(false)
  })

  it('deleting does not count as an eviction', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1)
    map.delete('a')
    map.clear()
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
    expect(map.has('10.0.0.0')).to.equal(false) // the oldest went
  })

  it('using the most recently used key again keeps the order (and values stay right)', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1).set('b', 2)
    for (let i = 0; i < 5; i++) expect(map.get('b')).to.equal(2)
    map.set('b', 20)
    map.set('c', 3) // evicts a, the least recently used
    expect([...map.entries()]).to.deep.equal([
      ['b', 20],
      ['c', 3],
    ])
    map.delete('c') // the newest key deleted: using it again is an insertion
    expect(map.get('c')).to.equal(undefined)
    map.set('c', 30)
    map.get('b')
    expect([...map.keys()]).to.deep.equal(['c', 'b'])
  })
})
