import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {MAX_PACKET_NO, PacketNumberSource} from '../../src/lan/packet-number-store.js'

describe('PacketNumberSource (packet numbers across runs, §4)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-pn-'))
  })
  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('starts at the clock in seconds and strictly increases within a second', () => {
    const source = new PacketNumberSource(dir, () => 1_700_000_000_500)
    const numbers = Array.from({length: 200}, () => source.next())
    expect(numbers[0]).to.equal(1_700_000_000)
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).to.equal(numbers[i - 1] + 1)
  })

  it('gives a second run started in the same second higher numbers than the first', () => {
    const clock = () => 1_700_000_000_000
    const first = new PacketNumberSource(dir, clock)
    const a = [first.next(), first.next(), first.next()]
    const second = new PacketNumberSource(dir, clock)
    const b = second.next()
    expect(b).to.be.greaterThan(Math.max(...a))
    // The first run keeps going without colliding with the second's block either.
    for (let i = 0; i < 100; i++) first.next()
    const c = second.next()
    expect(c).to.equal(b + 1)
    expect(Number(readFileSync(join(dir, 'packet-number'), 'utf8'))).to.be.greaterThan(c)
  })

  it('follows the clock when it moves ahead of the reserved block', () => {
    let now = 1_700_000_000_000
    const source = new PacketNumberSource(dir, () => now)
    expect(source.next()).to.equal(1_700_000_000)
    now += 3_600_000
    expect(source.next()).to.equal(1_700_003_600)
  })

  it('stays below 2^31', () => {
    const source = new PacketNumberSource(undefined, () => (MAX_PACKET_NO + 10) * 1000)
    const n = source.next()
    expect(n).to.be.at.most(MAX_PACKET_NO)
    expect(source.next()).to.equal(n + 1)
  })

  it('works without a writable state directory', () => {
    writeFileSync(join(dir, 'not-a-dir'), '')
    const source = new PacketNumberSource(join(dir, 'not-a-dir', 'state'), () => 1_700_000_000_000)
    expect(source.next()).to.equal(1_700_000_000)
    expect(source.next()).to.equal(1_700_000_001)
  })
})
