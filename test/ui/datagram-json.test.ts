import {expect} from 'chai'
import fc from 'fast-check'

import type {ReceivedDatagram} from '../../src/lan/received-datagram.js'

import {decode} from '../../src/protocol/index.js'
import {datagramJson} from '../../src/ui/datagram-json.js'
import {toDatagramRecord} from '../../src/ui/datagram-record.js'
import {fixtureBytes} from '../protocol/fixture-bytes.js'
import {datagramBytes, decodeVectors, receivedDatagram} from '../support/datagram-cases.js'

const expected = (d: ReceivedDatagram) => JSON.stringify(toDatagramRecord(d))

describe('ui/datagram-json', () => {
  it('writes exactly JSON.stringify(toDatagramRecord(d)) for every decode vector', () => {
    for (const v of decodeVectors) {
      const d = receivedDatagram(fixtureBytes(v.bytes), v.options)
      expect(datagramJson(d), v.id).to.equal(expected(d))
    }
  })

  it("writes the members of the packet's family after the common ones: a GETLIST's listStart, an ANSLIST page", () => {
    const getList = receivedDatagram(Buffer.from('1:103:carol:PC03:18:2\0'))
    expect(datagramJson(getList)).to.equal(expected(getList))
    expect(JSON.parse(datagramJson(getList)).packet).to.include({acknowledges: null, listStart: 2})
    const page = '    0\u0007    1\u0007dave\u0007PC04\u00070\u000710.0.0.4\u000730985\u0007\b\u0007\b\u0007\0'
    const ansList = receivedDatagram(Buffer.from(`1:104:bob:PC02:8388627:${page}`))
    expect(datagramJson(ansList)).to.equal(expected(ansList))
    const {packet} = JSON.parse(datagramJson(ansList))
    expect(Object.keys(packet).slice(-2)).to.deep.equal(['attachments', 'hostList'])
    expect(packet.hostList).to.deep.equal({
      next: 0,
      count: 1,
      hosts: [
        {
          user: 'dave',
          host: 'PC04',
          status: 0,
          options: [],
          address: '10.0.0.4',
          port: 2425,
          portAsSent: 30985,
          nickname: '',
          group: '',
        },
      ],
    })
  })

  it('marks a duplicate with "duplicate": true at the end, as the record does', () => {
    const d = {...receivedDatagram(Buffer.from('1:7:alice:pc:288:again\0')), duplicate: true}
    expect(datagramJson(d)).to.equal(expected(d))
    expect(JSON.parse(datagramJson(d))).to.include({duplicate: true})
    expect(JSON.parse(datagramJson({...d, duplicate: false}))).to.not.have.property('duplicate')
  })

  it('escapes what JSON.stringify escapes: quotes, backslashes, control characters, lone surrogates', () => {
    const texts = [
      'say "hi"',
      String.raw`C:\temp`,
      'tab\there\r\n',
      '\u001B[31mred',
      '\uD800 lone',
      '😀 pair',
      '\u2028',
    ]
    for (const text of texts) {
      const data = Buffer.from(`1:1:u${text}:h:288:${text}\0`, 'utf8')
      const d = receivedDatagram(data)
      expect(datagramJson(d), JSON.stringify(text)).to.equal(expected(d))
    }
  })

  it('matches on generated datagrams (IPMsg or not), sources and times', () => {
    fc.assert(
      fc.property(
        datagramBytes,
        fc.constantFrom({}, {legacyCharset: 'cp932'}, {peerCharset: 'gbk'}),
        fc.integer({min: 0, max: 4_102_444_800_000}),
        fc.constantFrom('10.0.0.1', '127.1.2.3'),
        fc.integer({min: 0, max: 65_535}),
        // eslint-disable-next-line max-params -- fast-check passes one argument per arbitrary
        (data, options, receivedAt, address, port) => {
          const d: ReceivedDatagram = {data, from: {address, port}, receivedAt, result: decode(data, options)}
          return datagramJson(d) === expected(d)
        },
      ),
      {numRuns: 3000},
    )
  })

  it('gives the time of each datagram, also when many arrive in the same millisecond', () => {
    const data = Buffer.from('1:1:u:h:288:x\0')
    for (const at of [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_001, 0, 1_700_000_000_001]) {
      expect(datagramJson(receivedDatagram(data, {}, at))).to.equal(expected(receivedDatagram(data, {}, at)))
    }
  })

  it('writes the time as toISOString does across seconds, minutes, days and years, forwards and backwards', () => {
    const data = Buffer.from('1:1:u:h:288:x\0')
    const times: number[] = []
    const around = (t: number, span: number, step: number) => {
      for (let at = t - span; at <= t + span; at += step) times.push(at)
    }

    around(Date.UTC(2026, 10, 22, 14, 31, 0), 2500, 1) // every ms across a minute
    around(Date.UTC(2026, 11, 31, 23, 59, 59, 999), 70_000, 7) // a new year
    around(Date.UTC(9999, 11, 31, 23, 59, 59, 999), 61_000, 13) // year 10000: a 6-digit year
    around(0, 61_000, 11) // 1970, and before it
    times.push(1_700_000_000_000, 1_699_999_999_999, 1_700_000_060_000, 1_700_000_000_000.5, 1_700_000_000_001)
    times.push(...[...times].reverse())
    const wrong = times.filter(
      (at) => datagramJson(receivedDatagram(data, {}, at)) !== expected(receivedDatagram(data, {}, at)),
    )
    expect(wrong.map((at) => `${at}: ${datagramJson(receivedDatagram(data, {}, at)).slice(0, 45)}`)).to.deep.equal([])
  })
})
