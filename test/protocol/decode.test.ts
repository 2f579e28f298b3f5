import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import {decode} from '../../src/protocol/index.js'

const bytes = (s: string) => Buffer.from(s, 'latin1')

function packetOf(input: Uint8Array, options?: Parameters<typeof decode>[1]) {
  const result = decode(input, options)
  if (!result.ok) return expect.fail(`rejected: ${result.error}`)
  return result.packet
}

describe('protocol decode', () => {
  it('copes with thousands of colons in the body', () => {
    const packet = packetOf(bytes('1:1:u:h:32:' + ':'.repeat(5000)))
    expect(packet.text).to.equal(':'.repeat(5000))
  })

  it('copes with thousands of attachment separators', () => {
    const packet = packetOf(bytes('1:1:u:h:2097440:\0' + ':\u0007'.repeat(5000) + '1:f:1:0:1:'))
    expect(packet.attachments).to.have.length(1)
  })

  it('rejects 64 KiB of junk with a reason', () => {
    const junk = new Uint8Array(65_536).fill(0x41)
    const result = decode(junk)
    expect(result).to.deep.include({ok: false, error: 'not IPMsg: only 0 of the 5 header colons'})
  })

  it('rejects a 64 KiB packet number', () => {
    const result = decode(bytes('1:' + '9'.repeat(65_536) + ':u:h:32:'))
    expect(result.ok).to.equal(false)
    if (!result.ok) expect(result.error).to.match(/^not IPMsg: packet number 9{24}… is larger than 4294967295$/)
  })

  it('keeps the reason short and printable for a binary version', () => {
    const result = decode(new Uint8Array([0x1b, 0x5b, 0x32, 0x4a, 0x3a, 0x31, 0x3a, 0x3a, 0x3a, 0x31, 0x3a]))
    expect(result).to.deep.include({ok: false, error: 'not IPMsg: version "?[2J" is not 1'})
  })

  it('refuses input that is not bytes without throwing', () => {
    expect(decode('1:1:u:h:32:x' as unknown as Uint8Array)).to.deep.include({ok: false, error: 'not a byte array'})
    expect(decode(null as unknown as Uint8Array).ok).to.equal(false)
  })

  it('decodes a subarray of a larger buffer', () => {
    const whole = bytes('xx1:1:u:h:32:hixx')
    expect(packetOf(whole.subarray(2, 15)).text).to.equal('hi')
  })

  it('treats an unknown legacyCharset as the default and an unknown peerCharset as absent', () => {
    const gbk = new Uint8Array([...bytes('1:1:u:h:32:'), 0xc4, 0xe3, 0xba, 0xc3])
    expect(packetOf(gbk, {legacyCharset: 'klingon', peerCharset: 'vulcan'})).to.include({
      text: '你好',
      charset: 'gb18030',
    })
  })

  it('prefers a remembered peer charset to the iptux-declared one', () => {
    const packet = packetOf(bytes('1_iptux 0.10.0:1:u:h:1:n\0g\0\0gbk\0'), {peerCharset: 'utf-8'})
    expect(packet.charset).to.equal('utf-8')
  })

  it('ignores a declared encoding that is not a charset', () => {
    expect(packetOf(bytes('1_iptux 0.10.0:1:u:h:1:n\0g\0\0nonsense\0')).charset).to.equal('utf-8')
  })

  it('does not read attachments without FILEATTACHOPT', () => {
    expect(packetOf(bytes('1:1:u:h:288:x\u00001:f:1:0:1:\u0007')).attachments).to.equal(undefined)
  })

  it('reads an empty attachment list when the text has no NUL', () => {
    expect(packetOf(bytes('1:1:u:h:2097440:just text')).attachments).to.deep.equal([])
  })

  it('does not set acknowledges for a non-numeric or out-of-range body', () => {
    for (const body of ['abc', '', '12 ', '4294967296', '-2147483649', '99999999999']) {
      expect(packetOf(bytes(`1:1:u:h:33:${body}`)), body).not.to.have.property('acknowledges')
    }

    expect(packetOf(bytes('1:1:u:h:33:4294967295')).acknowledges).to.equal(4294967295)
    expect(packetOf(bytes('1:1:u:h:33:-1')).acknowledges).to.equal(4294967295)
  })

  it('does not decode acknowledges for other modes', () => {
    expect(packetOf(bytes('1:1:u:h:32:123'))).not.to.have.property('acknowledges')
  })

  it('chooses UTF-8 by the legacy fields alone, when bytes outside them are not UTF-8 (§5)', () => {
    // A version field and an entry extension that are not UTF-8; user, host and the rest of the body are.
    expect(packetOf(bytes('1\u00FF:1:u:h:32:hi\0')).charset).to.equal('utf-8')
    const entry = packetOf(bytes('1:1:u:h:1:nick\0group\0\nUN:\u00D5\u00C5'))
    expect(entry.charset).to.equal('utf-8')
    expect(entry).to.include({user: '\uFFFD\uFFFD', nickname: 'nick', group: 'group'})
  })

  it('takes the nickname and group from the UTF-8 extension over the legacy fields (§1.4)', () => {
    expect(packetOf(bytes('1:1:u:h:1:nick\0grp\0\nGN:Other'))).to.include({nickname: 'nick', group: 'Other'})
    const gbk = packetOf(bytes('1:1:u:h:1:\u00D5\u00C5\0\u00D1\u00D0\0\nUN:a\nNN:Nick\nGN:Grp'))
    expect(gbk).to.include({charset: 'gb18030', user: 'a', host: 'h', nickname: 'Nick', group: 'Grp'})
  })
})

describe('protocol decode under failure', () => {
  it('returns an error instead of throwing when the bytes misbehave', () => {
    // Reading a byte throws: every path of decode reads the bytes, whichever methods it calls.
    const raw = new Proxy(new Uint8Array(Buffer.from('1:1:u:h:32:x')), {
      get(target, key) {
        if (key === '3') throw new Error('boom')
        const value: unknown = Reflect.get(target, key, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    expect(decode(raw)).to.deep.equal({ok: false, error: 'undecodable datagram (boom)', raw})
  })
})
