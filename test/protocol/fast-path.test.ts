// decode's ASCII fast path (src/protocol/decode.ts) must give exactly what the general path gives: checked here on
// generated datagrams of every mode family, ASCII, UTF-8 and GBK, with options, NULs, attachments and host lists.
import {expect} from 'chai'
import fc from 'fast-check'
import {Buffer} from 'node:buffer'

import type {DecodeOptions} from '../../src/protocol/index.js'

import {decodeFastPathOnly, decodeWithoutFastPath} from '../../src/protocol/decode.js'
import {
  ABSENCEOPT,
  bodyCodec,
  CAPUTF8OPT,
  decode,
  encodeText,
  ENCRYPTOPT,
  FILEATTACHOPT,
  SENDCHECKOPT,
  UTF8OPT,
} from '../../src/protocol/index.js'

const VERSIONS = [
  '1',
  '1',
  '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9',
  '1_iptux 0.9.4',
  '1_iptux_0#5#2',
  ' +01',
  '2',
  '1_x',
  '5.1.180210',
  '1.feige.1',
  '1@shiyeline',
  '5.1.x',
]
const MODES = [
  0, 1, 3, 4, 0x10, 0x11, 0x12, 0x13, 0x13, 0x13, 0x18, 0x20, 0x20, 0x20, 0x21, 0x30, 0x32, 0x41, 0x51, 0x61, 0xd1,
  0x79, 0x7a, 0xc0, 0xc0,
]
const PIECES = [
  '\0',
  ':',
  '::',
  '\u0007',
  '\b',
  '\n',
  '\r\n',
  '{/font;-12 0 0 0 400 0 0 0 134 3 2 1 2 SimSun 0;}',
  '}',
  '    0',
  '   12',
  '2425',
  '30985',
  '10.0.0.5',
  '1:a.txt:1f:5f000000:1:',
  '2:b::c.txt:0:0:2:14=1:',
  '-5',
  '4294967295',
  '\nUN:u\nHN:h\nNN:n',
  '\nVS:00010002:4:99:103',
  '\nIP:SVAyOjFhOlNWQURSOmM6MTkyLjE2OC4xLjEwOlBPUlQ6Mzo5Nzk6Wg==',
  '中文',
  'é',
  '😀',
]
const piece = fc.oneof(
  fc.constantFrom(...PIECES),
  fc.string({unit: 'grapheme-ascii', maxLength: 6}),
  fc.integer({min: -1, max: 70_000}).map(String),
)
const text = fc.array(piece, {maxLength: 12}).map((parts) => parts.join(''))
const name = fc
  .array(fc.oneof(fc.constantFrom('alice', '张三', 'é', ' '), piece), {maxLength: 3})
  .map((parts) => parts.join('').replaceAll(':', ';').replaceAll('\0', ''))
// An ANSLIST page, sometimes with a host cut short or a field that is not a number.
const host = fc
  .tuple(name, name, fc.constantFrom('0', '256', '-1', 'x'), fc.constantFrom('10.0.0.5', '', '::1'), piece, text, text)
  .chain((fields) => fc.nat({max: 7}).map((keep) => fields.slice(0, keep).join('\u0007') + '\u0007'))
const hostList = fc
  .tuple(
    fc.constantFrom('    0', '    7', '12', 'x'),
    fc.constantFrom('    2', '1', ''),
    fc.array(host, {maxLength: 4}),
  )
  .map(([next, count, hosts]) => `${next}\u0007${count}\u0007${hosts.join('')}`)
const optionBits = fc
  .subarray([UTF8OPT, FILEATTACHOPT, ENCRYPTOPT, SENDCHECKOPT, ABSENCEOPT, CAPUTF8OPT, 0x80000000])
  .map((bits) => bits.reduce((a, b) => a | b, 0) >>> 0)

const fields = {
  version: fc.constantFrom(...VERSIONS),
  packetNo: fc.nat(),
  user: name,
  host: name,
  mode: fc.oneof(fc.constantFrom(...MODES), fc.nat({max: 255})),
  options: optionBits,
  body: fc.oneof(text, hostList).chain((body) => fc.constantFrom(body, body.replaceAll(/[^\u0000-\u007F]/g, ''))),
  charset: fc.constantFrom('utf-8', 'gbk'),
}
type Fields = {[K in keyof typeof fields]: (typeof fields)[K] extends fc.Arbitrary<infer T> ? T : never}
const toBytes = (d: Fields) => {
  const header = `${d.version}:${d.packetNo}:${d.user}:${d.host}:${(d.options | d.mode) >>> 0}:`
  return Buffer.from(encodeText(header + d.body, d.charset))
}

const datagram = fc.record(fields).map(toBytes)
// ANSLIST pages of ASCII names, so that the fast path meets many of them.
const page = fc
  .record({...fields, mode: fc.constant(0x13), body: hostList.map((b) => b.replaceAll(/[^\u0000-\u007F]/g, ''))})
  .map(toBytes)
// Entry packets (§1.4): nickname, group, then a UTF-8 extension or iptux's icon and encoding, often all ASCII.
const extensionLine = fc
  .tuple(fc.constantFrom('UN', 'HN', 'NN', 'GN', 'VS', 'PL', 'IP', '__proto__', 'x-y', ''), name)
  .map(([key, value]) => `\n${key}:${value}`)
const entryTail = fc.oneof(
  fc.array(extensionLine, {maxLength: 6}).map((lines) => lines.join('')),
  fc.tuple(name, fc.constantFrom('utf-8', 'gbk', '')).map(([icon, encoding]) => `${icon}\0${encoding}\0`),
  text,
)
const entryBody = fc
  .tuple(name, name, entryTail, fc.boolean())
  .map(([nickname, group, tail, grouped]) => (grouped ? `${nickname}\0${group}\0${tail}` : `${nickname}\0${tail}`))
const entry = fc
  .record({
    ...fields,
    mode: fc.constantFrom(0, 1, 2, 3, 4),
    body: entryBody.chain((body) => fc.constantFrom(body, body.replaceAll(/[^\u0000-\u007F]/g, ''))),
  })
  .map(toBytes)
const decodeOptions = fc.constantFrom<DecodeOptions>({}, {legacyCharset: 'cp932'}, {peerCharset: 'gbk'})

describe('protocol decode: the ASCII fast path', function () {
  this.timeout(120_000)

  it('gives exactly what the general path gives, on generated datagrams of every family (20,000 cases)', () => {
    const taken = new Map<string, number>()
    let hostLists = 0
    let extensions = 0
    let iptuxes = 0
    fc.assert(
      fc.property(
        fc.oneof({arbitrary: datagram, weight: 2}, page, entry, fc.uint8Array({maxLength: 64})),
        decodeOptions,
        (bytes, options) => {
          const general = decodeWithoutFastPath(bytes, options)
          expect(decode(bytes, options)).to.deep.equal(general)
          const fast = decodeFastPathOnly(bytes)
          if (fast === undefined) return
          expect(fast).to.deep.equal(general)
          if (!fast.ok) return
          const {family} = bodyCodec(fast.packet.command)
          taken.set(family, (taken.get(family) ?? 0) + 1)
          if (fast.packet.hostList) hostLists++
          if (fast.packet.extension) extensions++
          if (fast.packet.iptux) iptuxes++
        },
      ),
      {numRuns: 20_000},
    )
    // The generator must reach the fast path for each family it serves, or the comparison above proves little.
    for (const family of ['plain', 'entry', 'message', 'acknowledgement', 'hostList', 'image']) {
      expect(taken.get(family) ?? 0, family).to.be.at.least(50)
    }

    expect(hostLists).to.be.at.least(300)
    expect(extensions).to.be.at.least(150)
    expect(iptuxes).to.be.at.least(80)
  })

  it('is not taken where the general path must choose the charset', () => {
    const skipped = [
      '1_lbt6_0#128#C85B76BD9F3F#0:1:u:h:32:hi\0', // Feiqiu without UTF8OPT: GBK
      '1_lbt6_0#128#C85B76BD9F3F#0:1:u:h:1:nick\0group\0', // the same, for the entry family
      '1:1:u:h:32:caf\u00E9\0', // not ASCII
    ]
    for (const s of skipped) expect(decodeFastPathOnly(Buffer.from(s, 'utf8')), s).to.equal(undefined)
    expect(decodeFastPathOnly(Buffer.from('1:1:u:h:32:hi\0'))).to.not.equal(undefined)
    expect(decodeFastPathOnly(Buffer.from('1:1:u:h:1:nick\0group\0\nUN:user'))).to.not.equal(undefined)
  })
})
