import {expect} from 'chai'
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {PacketNumberSource} from '../../src/lan/packet-number-store.js'
import {MAX_PACKET_NO, nextPacketNo} from '../../src/protocol/index.js'

describe('PacketNumberSource (packet numbers across runs, §4)', () => {
  let dir: string
  const second = 1_700_000_000
  const at = (seconds: number) => () => seconds * 1000 + 500
  const stored = () => readFileSync(join(dir, 'packet-number'), 'utf8')
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-pn-'))
  })
  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('starts at the clock in seconds and strictly increases within a second', () => {
    const source = new PacketNumberSource(dir, at(second))
    const numbers = Array.from({length: 200}, () => source.next())
    expect(numbers[0]).to.equal(second)
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).to.equal(numbers[i - 1] + 1)
    expect(stored()).to.equal(`${second + 199}\n`)
  })

  it('two runs side by side share one sequence: no number twice, none lower than one sent before', () => {
    const first = new PacketNumberSource(dir, at(second))
    const other = new PacketNumberSource(dir, at(second))
    // Reserving blocks would give `first` second+1 here, below the number `other` has already sent.
    expect([first.next(), other.next(), first.next(), other.next()]).to.deep.equal([
      second,
      second + 1,
      second + 2,
      second + 3,
    ])
  })

  it('reserves nothing ahead: the state holds the last number sent, so the next run starts at the clock', () => {
    const run = new PacketNumberSource(dir, at(second))
    run.next()
    expect(stored()).to.equal(`${second}\n`)
    expect(new PacketNumberSource(dir, at(second + 1)).next()).to.equal(second + 1)
  })

  it('follows the clock when it moves on', () => {
    let now = second * 1000
    const source = new PacketNumberSource(dir, () => now)
    expect(source.next()).to.equal(second)
    now += 3_600_000
    expect(source.next()).to.equal(second + 3600)
  })

  it('wraps by the one rule of protocol/packet-number: after MAX_PACKET_NO, the clock', () => {
    writeFileSync(join(dir, 'packet-number'), `${MAX_PACKET_NO}\n`)
    const source = new PacketNumberSource(dir, at(second))
    expect(source.next()).to.equal(nextPacketNo(MAX_PACKET_NO, second)).and.to.equal(second)
    const late = new PacketNumberSource([], () => (MAX_PACKET_NO + 10) * 1000)
    expect(late.next())
      .to.equal(nextPacketNo(undefined, MAX_PACKET_NO + 10))
      .and.to.be.at.most(MAX_PACKET_NO)
  })

  it('a corrupt state file: numbers go on from the clock (not 1) and the file is repaired', () => {
    for (const corrupt of ['99999999999\n', `${2 ** 31}\n`, '-5\n', '17e8\n', 'x', '']) {
      writeFileSync(join(dir, 'packet-number'), corrupt)
      expect(new PacketNumberSource(dir, at(second)).next(), JSON.stringify(corrupt)).to.equal(second)
      expect(stored()).to.equal(`${second}\n`)
    }
  })

  it('a run never goes below its own last number, even when the state is lost under it', () => {
    const source = new PacketNumberSource(dir, at(second))
    for (let i = 0; i < 10; i++) source.next()
    rmSync(join(dir, 'packet-number'))
    expect(source.next()).to.equal(second + 10)
  })

  it('does not follow a symlink planted at the state file, nor write through it', () => {
    const victim = join(dir, 'victim')
    writeFileSync(victim, '2000000000\n')
    const state = join(dir, 'state')
    mkdirSync(state)
    symlinkSync(victim, join(state, 'packet-number'))
    expect(new PacketNumberSource(state, at(second)).next()).to.equal(second)
    expect(readFileSync(victim, 'utf8')).to.equal('2000000000\n')
    expect(lstatSync(join(state, 'packet-number')).isFile()).to.equal(true)
  })

  it('an unusable directory is skipped for the next one; none at all keeps numbers in the process', () => {
    writeFileSync(join(dir, 'a-file'), '')
    const fallback = join(dir, 'fallback')
    const source = new PacketNumberSource([{path: join(dir, 'a-file', 'state')}, {path: fallback}], at(second))
    expect([source.next(), source.next()]).to.deep.equal([second, second + 1])
    expect(readFileSync(join(fallback, 'packet-number'), 'utf8')).to.equal(`${second + 1}\n`)
    const nowhere = new PacketNumberSource([{path: join(dir, 'a-file', 'state')}], at(second))
    expect([nowhere.next(), nowhere.next()]).to.deep.equal([second, second + 1])
  })

  it('a private directory (the one in /tmp) is used only when it is this user’s and nobody else can write it', () => {
    const open = join(dir, 'open')
    mkdirSync(open)
    chmodSync(open, 0o777)
    const source = new PacketNumberSource([{path: open, private: true}], at(second))
    expect(source.next()).to.equal(second)
    expect(() => lstatSync(join(open, 'packet-number'))).to.throw(/ENOENT/)
    const link = join(dir, 'link')
    symlinkSync(dir, link)
    new PacketNumberSource([{path: link, private: true}], at(second)).next()
    expect(readlinkSync(link)).to.equal(dir)
    expect(() => lstatSync(join(dir, 'packet-number'))).to.throw(/ENOENT/)
    if (process.getuid?.() !== 0) return
    const theirs = join(dir, 'theirs')
    mkdirSync(theirs, {mode: 0o700})
    chownSync(theirs, 65_534, 65_534)
    new PacketNumberSource([{path: theirs, private: true}], at(second)).next()
    expect(() => lstatSync(join(theirs, 'packet-number'))).to.throw(/ENOENT/)
  })
})
