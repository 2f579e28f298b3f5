// The mode → body codec table, and what each codec promises the views: decode sets only the fields it declares.
import {expect} from 'chai'
import fc from 'fast-check'
import {Buffer} from 'node:buffer'
import {readFileSync} from 'node:fs'

import type {FamilyField, ListedHostInput} from '../../src/protocol/index.js'

import {bodyCodec, decode, encode, MODES, optionNames} from '../../src/protocol/index.js'
import {fixtureBytes} from './fixture-bytes.js'

const vectors = JSON.parse(readFileSync(new URL('../fixtures/protocol/vectors.json', import.meta.url), 'utf8')) as {
  decode: Array<{bytes: string}>
}
const FAMILY_FIELDS: FamilyField[] = [
  'attachmentErrors',
  'dict',
  'encrypted',
  'extension',
  'extraParts',
  'font',
  'groupChat',
  'hostList',
  'imageId',
  'iptux',
  'listStart',
]

describe('protocol body codecs', () => {
  it('gives every mode a codec, and the documented families their modes', () => {
    const families: Record<string, number[]> = {}
    for (let mode = 0; mode <= 0xff; mode++) (families[bodyCodec(mode).family] ??= []).push(mode)
    expect(families.entry).to.deep.equal([0, 1, 2, 3, 4])
    expect(families.message).to.deep.equal([MODES.SENDMSG])
    expect(families.acknowledgement).to.deep.equal([MODES.RECVMSG, MODES.READMSG, MODES.ANSREADMSG, MODES.RELEASEFILES])
    expect(families.hostList).to.deep.equal([0x10, 0x11, 0x12, 0x13, 0x18])
    expect(families.groupChat).to.deep.equal([0x23, 0xc9])
    expect(families.image).to.deep.equal([MODES.FEIQ_SENDIMAGE])
    expect(families.plain).to.have.length(256 - 5 - 1 - 4 - 5 - 2 - 1)
    expect(bodyCodec(0x800113).family, 'options are ignored').to.equal('hostList')
  })

  it('sets only the family fields its codec declares (the JSON views write only those), on vectors and their mutations', () => {
    const samples = vectors.decode.map((v) => fixtureBytes(v.bytes))
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), fc.uint8Array({maxLength: 6}), (base, at, insert) => {
        const cut = base.length === 0 ? 0 : at % base.length
        const bytes = Buffer.concat([base.subarray(0, cut), insert, base.subarray(cut)])
        for (const input of [base, bytes]) {
          const result = decode(input)
          if (!result.ok) continue
          const declared = bodyCodec(result.packet.command).fields
          const set = FAMILY_FIELDS.filter((field) => result.packet[field] !== undefined)
          expect(declared, result.packet.mode).to.include.members(set)
        }
      }),
      {numRuns: 5000},
    )
  })

  describe('host lists (§3.10)', () => {
    const field = fc.string({maxLength: 8}).map((s) => s.replaceAll(/[\0\u0007]/g, ''))
    const host: fc.Arbitrary<ListedHostInput> = fc.record({
      user: field,
      host: field,
      status: fc.constantFrom(0, 0x100, 0x800100, 0x1000000),
      address: fc.constantFrom('10.0.0.1', '192.168.1.200', 'fe80::1'),
      port: fc.nat({max: 0xffff}),
      nickname: field,
      group: field,
    })

    /** What decode gives for a host that encode was given. */
    function listed(h: ListedHostInput) {
      return {
        ...h,
        options: optionNames(h.status),
        portAsSent: ((h.port & 0xff) << 8) | (h.port >> 8),
        // Windows cannot send an empty field: `\b` stands for it, so a lone `\b` reads as empty.
        nickname: h.nickname === '\b' ? '' : h.nickname,
        group: h.group === '\b' ? '' : h.group,
      }
    }

    it('round-trips ANSLIST pages: encode then decode gives the hosts back (ports swapped and swapped back)', () => {
      fc.assert(
        fc.property(fc.array(host, {maxLength: 6}), fc.nat({max: 99_999}), (hosts, next) => {
          const {bytes} = encode({packetNo: 1, user: 'u', host: 'h', command: 0x800013, hostList: {next, hosts}})
          const result = decode(bytes)
          if (!result.ok) return expect.fail(result.error)
          const expected = hosts.map(listed)
          expect(result.packet.hostList).to.deep.equal({next, count: hosts.length, hosts: expected})
        }),
        {numRuns: 1000},
      )
    })

    it('round-trips GETLIST start indexes', () => {
      fc.assert(
        fc.property(fc.nat({max: 0x7fffffff}), (listStart) => {
          const result = decode(encode({packetNo: 1, user: 'u', host: 'h', command: MODES.GETLIST, listStart}).bytes)
          expect(result.ok && result.packet.listStart).to.equal(listStart)
        }),
      )
    })

    it('refuses an ANSLIST without a host list and a port that does not fit 16 bits', () => {
      const base = {packetNo: 1, user: 'u', host: 'h', command: MODES.ANSLIST}
      const one = {user: 'a', host: 'b', status: 0, address: '10.0.0.1'}
      expect(() => encode({...base, hostList: {next: 0, hosts: [{...one, port: 65_536}]}})).to.throw(/the port/)
      expect(() => encode({...base, hostList: {next: 0, hosts: [{...one, address: '', port: 1}]}})).to.throw(/address/)
      expect(() => encode({...base, hostList: null} as never)).to.throw(/needs a host list/)
      expect(encode({...base, text: 'x'}).bytes).to.deep.equal(Buffer.from('1:1:u:h:19:x\0'))
    })
  })
})
