// Property tests (design.md "Habits"): decode never throws on any bytes; encode then decode gives the packet back.
import {expect} from 'chai'
import fc from 'fast-check'
import {Buffer} from 'node:buffer'
import {readFileSync} from 'node:fs'

import type {DecodeResult, OutgoingPacket} from '../../src/protocol/index.js'

import {decode, encode, encodeText, ENCRYPTOPT, isEntryMode, isValidUtf8, MODES} from '../../src/protocol/index.js'
import {fixtureBytes} from './fixture-bytes.js'

const vectors = JSON.parse(readFileSync(new URL('../fixtures/protocol/vectors.json', import.meta.url), 'utf8')) as {
  decode: Array<{bytes: string}>
}
const validPackets = vectors.decode.map((v) => fixtureBytes(v.bytes)).filter((b) => decode(b).ok)

/** decode must return a well-formed result, whatever it was given. */
function checkResult(input: Uint8Array, result: DecodeResult): void {
  expect(result.raw).to.equal(input)
  if (!result.ok) {
    expect(result.error).to.be.a('string').and.not.equal('')
    return
  }

  const {packet} = result
  expect(packet.version).to.be.a('string')
  expect(packet.packetNo).to.be.within(0, 0xffffffff)
  expect(packet.command).to.be.within(0, 0xffffffff)
  expect(packet.modeNo).to.equal(packet.command & 0xff)
  expect(packet.text).to.be.a('string')
  expect(packet.charset).to.be.a('string')
}

const SPECIAL = [
  ':',
  '\0',
  '\n',
  '\u0007',
  '1:',
  '1_lbt6_0#',
  '::',
  '\0\n',
  '\nUN:',
  '{/font;',
  '}',
  '\u00FF',
  '\u0080',
  '9',
]
const specialBytes = fc.constantFrom(...SPECIAL.map((s) => Buffer.from(s, 'latin1')))
const chunk = fc.oneof(specialBytes, fc.uint8Array({maxLength: 8}))

type Mutation = {at: number; kind: 'delete' | 'insert' | 'replace'; bytes: Uint8Array; length: number}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace'),
  at: fc.nat(),
  length: fc.nat({max: 8}),
  bytes: chunk,
})

function mutate(base: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Buffer.from(base)
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1)
    const tail = m.kind === 'insert' ? out.subarray(at) : out.subarray(Math.min(out.length, at + m.length))
    out = Buffer.concat([out.subarray(0, at), m.kind === 'delete' ? new Uint8Array(0) : m.bytes, tail])
  }

  return out
}

describe('protocol properties', function () {
  this.timeout(60_000)

  it('decode never throws on arbitrary bytes (60,000 cases)', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 2048}), (input) => checkResult(input, decode(input))),
      {numRuns: 60_000},
    )
  })

  it('decode never throws on mutated valid packets (30,000 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...validPackets), fc.array(mutation, {minLength: 1, maxLength: 6}), (base, ms) => {
        const input = mutate(base, ms)
        checkResult(input, decode(input, {legacyCharset: 'cp932'}))
      }),
      {numRuns: 30_000},
    )
  })

  it('decode never throws on header-shaped junk (20,000 cases)', () => {
    const field = fc.array(chunk, {maxLength: 6}).map((parts) => Buffer.concat(parts))
    fc.assert(
      fc.property(fc.array(field, {minLength: 1, maxLength: 9}), fc.boolean(), (fields, prefix) => {
        const glued = Buffer.concat(fields.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from(':'), f])))
        const input = prefix ? Buffer.concat([Buffer.from('1:'), glued]) : glued
        checkResult(input, decode(input))
      }),
      {numRuns: 20_000},
    )
  })

  // Values rich in what the protocol treats specially: colons, line breaks, CRLF, braces, BEL, a BOM.
  const value = fc
    .array(
      fc.oneof(
        fc.constantFrom(':', '\n', '\r\n', '\r', '::', '{/font;', '}', '\u0007', '\uFEFF', ' ', '#'),
        fc.string({unit: 'binary', maxLength: 6}),
      ),
      {maxLength: 8},
    )
    .map((parts) => parts.join('').replaceAll('\0', ''))
  const options = fc.nat({max: 0xffffff}).map((n) => n * 0x100)
  const packetNo = fc.nat({max: 2 ** 31 - 1})

  it('round-trips entry packets exactly in UTF-8 (the extension carries the real names)', () => {
    fc.assert(
      fc.property(
        fc.record({packetNo, user: value, host: value, nickname: value, group: value, mode: fc.nat({max: 4}), options}),
        (p) => {
          const command = (p.options + p.mode) >>> 0
          const result = decode(encode({...p, command}).bytes)
          if (!result.ok) return expect.fail(result.error)
          // §1.4: a value with a line break cannot be an extension line, so the legacy field (`:`→`;`) carries it.
          const viaLegacy = (s: string) => (s.includes('\n') ? s.replaceAll(':', ';') : s)
          expect(result.packet).to.include({
            packetNo: p.packetNo,
            command,
            user: viaLegacy(p.user),
            host: viaLegacy(p.host),
            nickname: p.nickname,
            group: p.group,
            text: '',
            charset: 'utf-8',
          })
        },
      ),
      {numRuns: 3000},
    )
  })

  it('round-trips other packets in UTF-8 with `:`→`;` in user/host and CRLF→LF in the text', () => {
    const modes = [MODES.SENDMSG, MODES.RECVMSG, MODES.SENDINFO, MODES.SENDABSENCEINFO, MODES.GETPUBKEY, 0xd1, 0xd8]
    fc.assert(
      fc.property(
        fc.record({packetNo, user: value, host: value, text: value, mode: fc.constantFrom(...modes), options}),
        (p) => {
          const command = (p.options + p.mode) >>> 0
          const packet: OutgoingPacket = {packetNo: p.packetNo, user: p.user, host: p.host, command, text: p.text}
          const result = decode(encode(packet).bytes)
          if (!result.ok) return expect.fail(result.error)
          const decoded = result.packet
          expect(decoded).to.include({
            packetNo: p.packetNo,
            command,
            user: p.user.replaceAll(':', ';'),
            host: p.host.replaceAll(':', ';'),
            charset: 'utf-8',
          })
          const text = p.text.replaceAll('\r\n', '\n')
          // §6.2: a SENDMSG that ends in `{/font;…}` comes back with the directive split off.
          expect(decoded.text + (decoded.font ?? '')).to.equal(text)
          if (decoded.font !== undefined) {
            expect(p.mode === MODES.SENDMSG && (command & ENCRYPTOPT) === 0).to.equal(true)
            expect(decoded.font).to.match(/^\{\/font;[^}]*\}$/)
          }
        },
      ),
      {numRuns: 3000},
    )
  })

  // GBK holds every CJK Unified Ideograph U+4E00–U+9FA5.
  const cjk = fc
    .array(
      fc.oneof(
        fc.integer({min: 0x4e00, max: 0x9fa5}).map((c) => String.fromCodePoint(c)),
        fc.constantFrom(':', '\n', 'a', ' ', '。', '，'),
      ),
      {maxLength: 12},
    )
    .map((parts) => parts.join(''))

  it('round-trips CJK text and names in GBK (Feiqiu version or a remembered peer charset)', () => {
    fc.assert(
      fc.property(
        fc.record({
          packetNo,
          user: cjk,
          host: cjk,
          nickname: cjk,
          group: cjk,
          text: cjk,
          mode: fc.constantFrom(1, 3, 0x20, 0x41),
        }),
        fc.boolean(),
        (p, feiqiu) => {
          // §5: GBK bytes can also be valid UTF-8, and valid UTF-8 is read as UTF-8 unless the sender is Feiqiu.
          const legacy = isEntryMode(p.mode) ? [p.user, p.host, p.nickname, p.group] : [p.user, p.host, p.text]
          fc.pre(feiqiu || !legacy.every((s) => isValidUtf8(encodeText(s, 'gbk'))))
          const version = feiqiu ? '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9' : '1'
          const encoded = encode({...p, version, command: p.mode}, {charset: 'gbk'})
          const result = decode(encoded.bytes, feiqiu ? {} : {peerCharset: 'gbk'})
          if (!result.ok) return expect.fail(result.error)
          const decoded = result.packet
          expect(decoded.charset).to.equal('gbk')
          if (isEntryMode(p.mode)) {
            const viaLegacy = (s: string) => (s.includes('\n') ? s.replaceAll(':', ';') : s)
            expect(decoded).to.include({
              user: viaLegacy(p.user),
              host: viaLegacy(p.host),
              nickname: p.nickname,
              group: p.group,
            })
          } else {
            expect(decoded).to.include({
              user: p.user.replaceAll(':', ';'),
              host: p.host.replaceAll(':', ';'),
              text: p.text,
            })
          }
        },
      ),
      {numRuns: 2000},
    )
  })
})
