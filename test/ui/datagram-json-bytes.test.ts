// The bytes writeDatagramJson puts into the output buffer are those of datagramJson's string (itself held to
// JSON.stringify(toDatagramRecord(d)) by datagram-json.test.ts), and a line that does not fit writes nothing beyond.
import {expect} from 'chai'
import fc from 'fast-check'

import type {ReceivedDatagram} from '../../src/lan/received-datagram.js'

import {decode} from '../../src/protocol/index.js'
import {datagramJson} from '../../src/ui/datagram-json.js'
import {writeDatagramJson} from '../../src/ui/datagram-json-bytes.js'
import {fixtureBytes} from '../protocol/fixture-bytes.js'
import {datagramBytes, decodeVectors, receivedDatagram} from '../support/datagram-cases.js'

/** The line as writeDatagramJson writes it, at an odd offset into a buffer of garbage. */
function written(d: ReceivedDatagram): Buffer {
  const buffer = Buffer.alloc(1 << 20, 0xee)
  const end = writeDatagramJson(d, buffer, 3, buffer.length)
  expect(end).to.be.greaterThan(3)
  return buffer.subarray(3, end)
}

const same = (d: ReceivedDatagram) => written(d).equals(Buffer.from(datagramJson(d), 'utf8'))

describe('ui/datagram-json-bytes', () => {
  it('writes the UTF-8 of datagramJson(d) for every decode vector, also as a duplicate', () => {
    for (const v of decodeVectors) {
      const d = receivedDatagram(fixtureBytes(v.bytes), v.options)
      expect(written(d).toString('utf8'), v.id).to.equal(datagramJson(d))
      expect(same({...d, duplicate: true}), `${v.id}, duplicate`).to.equal(true)
    }
  })

  it('escapes as JSON.stringify does: quotes, backslashes, control characters, lone surrogates, non-ASCII', () => {
    const texts = [
      'say "hi"',
      String.raw`C:\temp`,
      'tab\there\r\n',
      '\u001B[31mred',
      '\uD800 lone',
      '😀 pair',
      'é\u007F\u2028',
    ]
    for (const text of texts) {
      const name = text.replaceAll(':', ';') // a colon would end the field
      const d = receivedDatagram(Buffer.from(`1:1:u${name}:h${name}:288:${text}\0`, 'utf8'))
      expect(d.result.ok).to.equal(true)
      expect(written(d).toString('utf8'), JSON.stringify(text)).to.equal(datagramJson(d))
      expect(same(d)).to.equal(true)
    }
  })

  it('escapes as JSON.stringify does in long texts too, whichever character and wherever it stands', () => {
    // From 64 characters on, a string is tested by a regular expression and copied natively: every character class,
    // also lone surrogates (set in the packet: a decoder never makes them), in the text and in the user name.
    const base = receivedDatagram(Buffer.from('1:1:u:h:288:x\0'))
    if (!base.result.ok) throw new Error('the sample does not decode')
    const p = base.result.packet
    const specials = [
      '"',
      '\\',
      '\n',
      '\u0000',
      '\u001F',
      '\u007F',
      '\u0080',
      'é',
      '\u2028',
      '\uD800',
      '\uDC00',
      '😀',
      '~',
      ' ',
    ]
    for (const length of [63, 64, 65, 200]) {
      const plain = 'Lunch at noon? Room 42, ok? '.repeat(10).slice(0, length)
      expect(same(receivedDatagram(Buffer.from(`1:1:u:h:288:${plain}\0`))), `${length} plain`).to.equal(true)
      for (const special of specials) {
        for (const at of [0, length >> 1, length - 1]) {
          const text = plain.slice(0, at) + special + plain.slice(at + 1)
          for (const changed of [{text}, {user: text}]) {
            const d: ReceivedDatagram = {...base, result: {...base.result, packet: {...p, ...changed}}}
            const name = `${Object.keys(changed)[0]} of ${length}, ${JSON.stringify(special)} at ${at}`
            expect(written(d).toString('utf8'), name).to.equal(datagramJson(d))
            expect(same(d), name).to.equal(true)
          }
        }
      }
    }
  })

  it('writes numbers as JSON.stringify does, and every length of base64 (padding)', () => {
    // Each side of every power of ten (the digit count is found by comparisons, digits written two at a time).
    const tens = Array.from({length: 9}, (_, k) => 10 ** (k + 1)).flatMap((ten) => [ten - 1, ten, ten + 1])
    for (const packetNo of [0, 1, 5, ...tens, 2_147_483_647, 2_147_483_648, 4_294_967_295]) {
      for (let pad = 0; pad < 3; pad++) {
        const d = receivedDatagram(Buffer.from(`1:${packetNo}:u:h:288:${'x'.repeat(pad)}\0`))
        expect(same(d), `${packetNo} ${pad}`).to.equal(true)
      }
    }

    for (const port of [0, 7, 65_535])
      expect(same({...receivedDatagram(Buffer.from('1:5:u:h:32:x')), from: {address: '::1', port}})).to.equal(true)
  })

  it('matches on generated datagrams (IPMsg or not), sources and times', () => {
    fc.assert(
      fc.property(
        datagramBytes,
        fc.constantFrom({}, {legacyCharset: 'cp932'}, {peerCharset: 'gbk'}),
        fc.integer({min: 0, max: 4_102_444_800_000}),
        fc.constantFrom('10.0.0.1', '127.1.2.3', 'fe80::1%eth0'),
        fc.integer({min: 0, max: 65_535}),
        fc.boolean(),
        // eslint-disable-next-line max-params -- fast-check passes one argument per arbitrary
        (data, options, receivedAt, address, port, duplicate) =>
          same({data, from: {address, port}, receivedAt, result: decode(data, options), duplicate}),
      ),
      {numRuns: 3000},
    )
  })

  it('matches line after line while any one member changes from a message, also in packets no decoder makes', () => {
    // Constant runs are kept with the values inside them (time, version, client, command, mode, options, charset)
    // and a message's members after its text as one run: each changed alone, then back, must show.
    const base = receivedDatagram(Buffer.from('1:1700000000:alice:ALICE-PC:288:Lunch at noon?\0'))
    if (!base.result.ok) throw new Error('the sample does not decode')
    const p = base.result.packet
    const iptux = decode(Buffer.from('1_iptux 0.9.4:5:u:h:288:hi\0'))
    if (!iptux.ok) throw new Error('the iptux sample does not decode')
    const changes: Array<[string, Partial<typeof p>]> = [
      ['version', {version: '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9'}],
      ['client', {client: iptux.packet.client}],
      ['command', {command: 0x20}],
      ['mode', {mode: 'SENDINFO'}],
      ['options', {options: ['SENDCHECKOPT', 'SECRETOPT']}],
      ['charset', {charset: 'gbk'}],
      ['nickname', {nickname: 'Al'}],
      ['group', {group: 'Dev'}],
      ['acknowledges', {acknowledges: 7}],
      [
        'attachments',
        {attachments: [{id: 1, name: 'a.txt', size: 3, sizeHex: '3', mtime: 0, attr: 1, type: 'REGULAR'}]},
      ],
      ['attachmentErrors', {attachmentErrors: [{error: 'short', record: 'x'}]}],
      ['font', {font: '{/font;-16 0;}'}],
      ['encrypted', {encrypted: true}],
      ['not encrypted', {encrypted: false}],
    ]
    const line = (changed: Partial<typeof p>, receivedAt = base.receivedAt): ReceivedDatagram => ({
      ...base,
      receivedAt,
      result: {...base.result, ok: true, packet: {...p, ...changed}},
    })
    expect(same(line({}))).to.equal(true)
    expect(same(line({}, base.receivedAt + 1)), 'time').to.equal(true)
    for (const [name, changed] of changes) {
      expect(same(line(changed)), name).to.equal(true)
      expect(same(line({})), `${name}, then back`).to.equal(true)
    }
  })

  it('writes into whichever buffer it is given, also a view into a larger one, at any offset', () => {
    // Constant parts and base64 go in as 32-bit stores through a DataView of the buffer, kept while it is the same.
    const d = receivedDatagram(Buffer.from('1:1700000000:alice:ALICE-PC:288:Lunch at noon? Room 42, ok?\0'))
    const line = Buffer.from(datagramJson(d), 'utf8')
    const pool = Buffer.alloc(8192, 0xee)
    const views = [pool.subarray(1001, 3001), pool.subarray(5001, 7001), Buffer.alloc(2000, 0xee)]
    for (const [n, at] of [0, 1, 2, 0, 2, 1, 0].entries()) {
      const buffer = views[at]
      const start = n % 4
      const end = writeDatagramJson(d, buffer, start, buffer.length)
      expect(buffer.subarray(start, end).equals(line), `write ${n} into view ${at} at ${start}`).to.equal(true)
      buffer.fill(0xee)
      expect(
        pool.every((b) => b === 0xee),
        `write ${n}: nothing outside the view`,
      ).to.equal(true)
    }
  })

  it('returns -1 for a line that does not fit, and writes nothing at or beyond the end it was given', () => {
    const d = receivedDatagram(Buffer.from('1:1:alice:PC:288:Grüße "quoted" 😀\0', 'utf8'))
    const line = Buffer.from(datagramJson(d), 'utf8')
    for (let room = 0; room <= line.length + 1; room++) {
      const buffer = Buffer.alloc(line.length + 64, 0xee)
      const end = writeDatagramJson(d, buffer, 5, 5 + room)
      if (room < line.length) expect(end, `room ${room}`).to.equal(-1)
      else expect(buffer.subarray(5, end).equals(line), `room ${room}`).to.equal(true)
      expect(
        buffer.subarray(5 + room).every((b) => b === 0xee),
        `room ${room}: past the end`,
      ).to.equal(true)
    }
  })
})
