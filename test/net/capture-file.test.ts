// The capture-file parser on files made by hand: both formats, both byte orders, the timestamp units, any split of
// the stream into chunks, and the faults (not a capture, corrupt lengths, cut short) with the packets read before.
import {expect} from 'chai'

import {CaptureFileError, CaptureFileParser} from '../../src/net/capture-file.js'
import {ethernet, type Frame, ipmsg, ipv4, pcapFile, pcapngFile, udp} from '../support/capture-bytes.js'

const T0 = 1_764_600_000_123_456 // µs

function frames(n: number): Frame[] {
  return Array.from({length: n}, (_, i) => ({
    timeUs: T0 + i * 1_000_001,
    bytes: ethernet(ipv4({from: '10.0.0.1', to: '10.0.0.2'}, udp(2425, 2425, ipmsg(i + 1, 32, `m${i}`)))),
  }))
}

interface Seen {
  linkType: number
  timeUs: number
  frame: Buffer
}

/** Parses `file` pushed in chunks of `chunk` bytes. */
function parse(file: Buffer, chunk = file.length): Seen[] {
  const seen: Seen[] = []
  const parser = new CaptureFileParser((linkType, timeUs, frame) =>
    seen.push({linkType, timeUs, frame: Buffer.from(frame)}),
  )
  for (let at = 0; at < file.length; at += chunk) parser.push(file.subarray(at, at + chunk))
  parser.end()
  return seen
}

function failure(file: Buffer): CaptureFileError {
  try {
    parse(file)
  } catch (error) {
    expect(error).to.be.instanceOf(CaptureFileError)
    return error as CaptureFileError
  }

  throw new Error('expected a CaptureFileError')
}

describe('net/capture-file', () => {
  const input = frames(3)

  for (const [name, options] of [
    ['pcap, little-endian, µs', {}],
    ['pcap, big-endian, µs', {bigEndian: true}],
    ['pcap, little-endian, ns', {nano: true}],
    ['pcap, big-endian, ns', {bigEndian: true, nano: true}],
  ] as const) {
    it(`${name}: every frame with its link type and time`, () => {
      const seen = parse(pcapFile(input, {...options, linkType: 113}))
      expect(seen.map((s) => s.linkType)).to.deep.equal([113, 113, 113])
      expect(seen.map((s) => s.timeUs)).to.deep.equal(input.map((f) => f.timeUs))
      expect(seen.map((s) => s.frame)).to.deep.equal(input.map((f) => Buffer.from(f.bytes)))
    })
  }

  it('pcapng, either byte order: interfaces with their own link types, the timestamp resolution, blocks it does not need skipped', () => {
    const mixed = input.map((f, i) => ({...f, interfaceId: i % 2}))
    const seen = parse(pcapngFile(mixed, {linkTypes: [1, 276]}))
    expect(seen.map((s) => s.linkType)).to.deep.equal([1, 276, 1])
    expect(seen.map((s) => s.timeUs)).to.deep.equal(input.map((f) => f.timeUs))
    expect(seen.map((s) => s.frame)).to.deep.equal(input.map((f) => Buffer.from(f.bytes)))
    expect(parse(pcapngFile(input, {tsresol: 9})).map((s) => s.timeUs)).to.deep.equal(input.map((f) => f.timeUs))
    const bigEndian = parse(pcapngFile(mixed, {linkTypes: [1, 276], bigEndian: true, tsresol: 9}))
    expect(bigEndian).to.deep.equal(seen)
    // A second section in the other byte order: each section says its own.
    const twoSections = Buffer.concat([pcapngFile(input), pcapngFile(input, {bigEndian: true})])
    expect(parse(twoSections).map((s) => s.timeUs)).to.deep.equal([...input, ...input].map((f) => f.timeUs))
    expect(parse(pcapngFile(input, {tsresol: 3})).map((s) => s.timeUs)).to.deep.equal(
      input.map((f) => Math.floor(f.timeUs / 1000) * 1000),
    )
  })

  it('the same frames whatever the chunks the stream arrives in', () => {
    for (const file of [pcapFile(input), pcapngFile(input)]) {
      const whole = parse(file)
      for (const chunk of [1, 2, 3, 7, 16, 23, 24, 25, 100]) expect(parse(file, chunk)).to.deep.equal(whole)
    }
  })

  it('a file cut short: an error with the number of packets read before it, whatever the format', () => {
    for (const file of [pcapFile(input), pcapngFile(input)]) {
      for (const cut of [1, 5, 17]) {
        const error = failure(file.subarray(0, file.length - cut))
        expect(error.packets).to.equal(2)
        expect(error.message).to.match(/ends in the middle of a record.*\(after 2 packets\)$/)
      }
    }
  })

  it('not a capture, an empty file, a corrupt length: one error each, saying what is wrong', () => {
    expect(failure(Buffer.from('this is a text file, not a capture')).message).to.match(/not a pcap or pcapng file/)
    expect(failure(Buffer.alloc(0)).message).to.match(/empty/)
    expect(failure(Buffer.from('short')).message).to.match(/not a pcap or pcapng file/)

    const pcap = pcapFile(input)
    const firstRecordLength = 24 + 16 + input[0].bytes.length
    pcap.writeUInt32LE(0x7f_ff_ff_ff, firstRecordLength + 8) // the second record's captured length
    const error = failure(pcap)
    expect(error.packets).to.equal(1)
    expect(error.message).to.match(/corrupt pcap record/)

    const ng = pcapngFile(input)
    ng.writeUInt32LE(13, 4) // the section header's length: not a multiple of 4
    expect(failure(ng).message).to.match(/corrupt pcapng block/)
    const trailer = pcapngFile(input)
    trailer.writeUInt32LE(999, trailer.length - 4) // the last block's two lengths differ
    expect(failure(trailer)).to.include({packets: 2})
  })

  it('a packet block before any interface is described is corrupt', () => {
    const ng = pcapngFile(input, {linkTypes: []})
    expect(failure(ng).message).to.match(/no interface 0/)
  })
})
