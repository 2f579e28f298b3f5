import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import {decode, encode, EncodeError} from '../../src/protocol/index.js'

const bytes = (s: string) => Buffer.from(s, 'latin1')
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1')

describe('protocol codec basics', () => {
  it('decodes the spec example SENDMSG', () => {
    const result = decode(bytes('1:100:shirouzu:jupiter:32:Hello'))
    expect(result.ok).to.equal(true)
    if (!result.ok) return
    expect(result.packet).to.include({packetNo: 100, user: 'shirouzu', host: 'jupiter', mode: 'SENDMSG', text: 'Hello'})
    expect(result.packet.options).to.deep.equal([])
  })

  it('rejects a datagram with four colons', () => {
    const result = decode(bytes('1:100:a:b:32'))
    expect(result.ok).to.equal(false)
    if (result.ok) return
    expect(result.error).to.match(/only 4 of the 5 header colons/)
  })

  it('encodes a Windows-style receipt byte for byte', () => {
    const {bytes: out} = encode({
      packetNo: 1700000005,
      user: 'bob',
      host: 'PC02',
      command: 33,
      acknowledges: 1700000000,
    })
    expect(text(out)).to.equal('1:1700000005:bob:PC02:33:1700000000\0')
  })

  it('round-trips an entry packet with the UTF-8 extension', () => {
    const {bytes: out} = encode({packetNo: 7, user: 'u:1', host: 'h', command: 0x01000001, nickname: 'Ni', group: 'G'})
    expect(text(out)).to.equal('1:7:u;1:h:16777217:Ni\0G\0\nUN:u:1\nHN:h\nNN:Ni\nGN:G')
    const result = decode(out)
    expect(result.ok && result.packet).to.include({
      user: 'u:1',
      host: 'h',
      nickname: 'Ni',
      group: 'G',
      mode: 'BR_ENTRY',
    })
  })

  it('refuses a NUL in the text', () => {
    expect(() => encode({packetNo: 1, user: 'u', host: 'h', command: 32, text: 'a\0b'}))
      .to.throw(EncodeError)
      .with.property('code', 'INVALID_TEXT')
  })
})
