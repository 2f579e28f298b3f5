// Every dialect a LAN carries (field notes §1–2) is named in each output mode: the JSON record, the table row
// (with and without --hex), never "(not IPMsg)" when the dialect is known.
import {expect} from 'chai'
import {Buffer} from 'node:buffer'
import {readFileSync} from 'node:fs'

import type {ReceivedDatagram} from '../../src/lan/received-datagram.js'

import {decode} from '../../src/protocol/index.js'
import {datagramJson} from '../../src/ui/datagram-json.js'
import {toDatagramRecord} from '../../src/ui/datagram-record.js'
import {DatagramRows} from '../../src/ui/listen-view.js'
import {fixtureBytes} from '../protocol/fixture-bytes.js'

const vectors = JSON.parse(readFileSync(new URL('../fixtures/protocol/vectors.json', import.meta.url), 'utf8')) as {
  decode: Array<{bytes: string; id: string}>
}

function datagram(id: string): ReceivedDatagram {
  const vector = vectors.decode.find((v) => v.id === id)
  if (!vector) return expect.fail(`no vector ${id}`)
  const data = fixtureBytes(vector.bytes)
  return {data, from: {address: '192.168.1.20', port: 2425}, receivedAt: 1_700_000_000_123, result: decode(data)}
}

// --wide: no column cut, so each cell can be looked for whole.
const rows = new DatagramRows({color: false, hex: false, wide: true})
const hexRows = new DatagramRows({color: false, hex: true, wide: true})
const row = (d: ReceivedDatagram) => rows.row(d)

describe('ui: every dialect named in every output mode (field notes §1–2)', () => {
  const cases: Array<{client: string; content: string; id: string; mode: string}> = [
    {id: 'D-vs-win64', mode: 'BR_ENTRY', client: 'IP Messenger 4.99r3 (Win64)', content: 'Alice [Dev]'},
    {id: 'D-vs-ansentry-mac-beta', mode: 'ANSENTRY', client: 'IP Messenger 4.99b2 (Mac)', content: 'Bob'},
    {id: 'D-feige-5.1', mode: 'BR_ENTRY', client: 'Feige 5.1.180210', content: 'feige-user [研发]'},
    {id: 'D-feige-second-entry', mode: 'BR_ENTRY', client: 'Feige', content: 'feige-user [g]'},
    {id: 'D-shiyeline-ansentry', mode: 'ANSENTRY', client: '内网通 (shiyeline)', content: '王 [技术部]'},
    {id: 'feiqiu-shake', mode: 'FEIQ_SHAKE', client: 'Feiqiu', content: 'window shake'},
    {id: 'D-feiqiu-typing', mode: 'FEIQ_INPUTING', client: 'Feiqiu', content: 'typing…'},
    {id: 'D-feiqiu-typing-end', mode: 'FEIQ_INPUT_END', client: 'Feiqiu', content: 'stopped typing'},
    {id: 'D-feiqiu-image', mode: 'FEIQ_SENDIMAGE', client: 'Feiqiu', content: 'image 5f3a9c1e'},
    {
      id: 'D-ipdict-encrypted',
      mode: 'IPDICT',
      client: 'IP Messenger 4.5+',
      content: 'IPDict: EF=0x500004, EI (16 B), EK (256 B), EB (90 B); encrypted: EK, EB',
    },
    {
      id: 'D-ipdict-plain-keys',
      mode: 'IPDICT',
      client: 'IP Messenger 4.5+',
      content: 'IPDict SENDMSG: VER=3, PKT=1705095875, UID=alice, HID=PC01, CMD=0x800020, BODY=こんにちは',
    },
    {
      id: 'D-ipmsgnet-v2',
      mode: 'IPMSGNET_V2',
      client: 'IpMsg.Net',
      content: 'IpMsg.Net V2 #1250999896491, part 1 of 2, 40 of 300 compressed bytes, ack asked',
    },
  ]

  for (const c of cases) {
    it(`${c.id}: the table row says ${c.mode}, ${c.client}, and what it holds; --hex adds the bytes`, () => {
      const d = datagram(c.id)
      const line = row(d)
      expect(line).to.include(` ${c.mode} `)
      expect(line).to.include(c.client)
      expect(line).to.include(c.content)
      expect(line).not.to.include('not IPMsg')
      const withHex = hexRows.row(d)
      expect(withHex.startsWith(line + '\n'), '--hex: the same row, then the dump').to.equal(true)
      expect(withHex.split('\n').length).to.be.greaterThan(1)
    })
  }

  it('JSON: a dialect with the classic header is ipmsg true and names its client', () => {
    const feige = toDatagramRecord(datagram('D-feige-5.1'))
    expect(feige.ipmsg).to.equal(true)
    expect(feige.packet?.client).to.deep.equal({kind: 'feige', name: 'Feige', version: '5.1.180210'})
    const win = JSON.parse(datagramJson(datagram('D-vs-win64')))
    expect(win.packet.client).to.deep.equal({kind: 'ipmsg', name: 'IP Messenger', version: '4.99r3', platform: 'Win64'})
    const tail = JSON.parse(datagramJson(datagram('D-ip-tail')))
    expect(tail.packet.dict.entries[0]).to.deep.equal({key: 'SVADR', length: 12, value: '192.168.1.10'})
  })

  it('JSON: a dialect without the classic header is ipmsg false, packet null, with the dialect and its error', () => {
    for (const id of ['D-ipdict-encrypted', 'D-ipmsgnet-v2']) {
      const d = datagram(id)
      const line = datagramJson(d)
      expect(line).to.equal(JSON.stringify(toDatagramRecord(d)))
      const record = JSON.parse(line)
      expect(record).to.include({ipmsg: false, packet: null})
      expect(record.dialect.kind).to.equal(id === 'D-ipmsgnet-v2' ? 'ipmsgnet-v2' : 'ipdict')
      expect(record.error).to.be.a('string').and.not.include('not IPMsg')
    }

    expect(JSON.parse(datagramJson(datagram('D-ipdict-encrypted'))).dialect.dict.encrypted).to.deep.equal(['EK', 'EB'])
  })

  it('an IPDict from the network reaches the terminal escaped: its keys, values and the reason it stopped', () => {
    const evil = '\u001B[2J\u009B31m'
    const data = Buffer.from(`IP2:40:UID:8:${evil}:${evil}:2:ab:HID:99:x`, 'latin1')
    const d: ReceivedDatagram = {data, from: {address: '10.0.0.1', port: 2425}, receivedAt: 0, result: decode(data)}
    for (const line of [row(d), hexRows.row(d)]) {
      expect(line).to.include('IPDICT')
      expect(line).not.to.match(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/)
    }
  })

  it('what is no known dialect is still "(not IPMsg)", with no dialect member', () => {
    const data = Buffer.from('hello, not a datagram of any client')
    const d: ReceivedDatagram = {data, from: {address: '10.0.0.1', port: 2425}, receivedAt: 0, result: decode(data)}
    expect(row(d)).to.include('(not IPMsg)')
    expect(JSON.parse(datagramJson(d))).not.to.have.property('dialect')
  })
})
