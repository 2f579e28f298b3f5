import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import type {EncodeErrorCode, OutgoingPacket} from '../../src/protocol/index.js'

import {decode, DEFAULT_MAX_BYTES, DEFAULT_MAX_UTF8_BYTES, encode, EncodeError} from '../../src/protocol/index.js'

const base: OutgoingPacket = {packetNo: 1, user: 'u', host: 'h', command: 0x20}
const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8')

function failure(packet: OutgoingPacket, options?: Parameters<typeof encode>[1]): EncodeError {
  try {
    encode(packet, options)
  } catch (error) {
    expect(error).to.be.instanceOf(EncodeError)
    return error as EncodeError
  }

  return expect.fail('encode did not throw')
}

function expectCode(packet: OutgoingPacket, code: EncodeErrorCode, options?: Parameters<typeof encode>[1]): string {
  const error = failure(packet, options)
  expect(error.code).to.equal(code)
  expect(error.name).to.equal('EncodeError')
  return error.message
}

describe('protocol encode', () => {
  it('sends the command word exactly as given', () => {
    expect(utf8(encode({...base, command: 0xffffffff, text: 'x'}).bytes)).to.equal('1:1:u:h:4294967295:x\0')
    expect(utf8(encode({...base, command: 0x120}).bytes)).to.equal('1:1:u:h:288:\0')
  })

  it('uses the version given', () => {
    expect(utf8(encode({...base, version: '1_lbt6_0#128#000000000000#0#0#0#4001#9'}).bytes)).to.match(/^1_lbt6_0#128#/)
  })

  it('replaces : in user and host with ; (§1.2)', () => {
    expect(utf8(encode({...base, user: 'a:b', host: '::'}).bytes)).to.equal('1:1:a;b:;;:32:\0')
  })

  it('turns CRLF into LF and keeps a lone CR (§1.5)', () => {
    expect(utf8(encode({...base, text: 'a\r\nb\rc\n'}).bytes)).to.equal('1:1:u:h:32:a\nb\rc\n\0')
  })

  it('prefers acknowledges over text', () => {
    expect(utf8(encode({...base, command: 0x21, text: 'ignored', acknowledges: 0}).bytes)).to.equal('1:1:u:h:33:0\0')
  })

  it('refuses bad numbers with a clear message', () => {
    expect(expectCode({...base, packetNo: -1}, 'INVALID_FIELD')).to.equal(
      'the packet number must be an integer from 0 to 2147483647 (got -1)',
    )
    expectCode({...base, packetNo: 1.5}, 'INVALID_FIELD')
    expectCode({...base, packetNo: Number.NaN}, 'INVALID_FIELD')
    expectCode({...base, command: 2 ** 32}, 'INVALID_FIELD')
    expectCode({...base, command: -1}, 'INVALID_FIELD')
    expectCode({...base, command: 0x21, acknowledges: 2 ** 32}, 'INVALID_FIELD')
    expectCode(base, 'INVALID_FIELD', {maxBytes: -1})
    expect(utf8(encode({...base, packetNo: 2 ** 31 - 1}).bytes)).to.equal('1:2147483647:u:h:32:\0')
  })

  it('refuses NUL in any field and : in the version', () => {
    expect(expectCode({...base, text: 'a\0'}, 'INVALID_TEXT')).to.equal('the text contains a NUL character')
    expect(expectCode({...base, host: '\0'}, 'INVALID_FIELD')).to.equal('the host name contains a NUL character')
    expectCode({...base, command: 1, nickname: 'n\0'}, 'INVALID_FIELD')
    expectCode({...base, command: 1, group: '\0'}, 'INVALID_FIELD')
    expectCode({...base, command: 1, vs: '\0'}, 'INVALID_FIELD')
    expectCode({...base, command: 1, vs: 'a\nb'}, 'INVALID_FIELD')
    expectCode({...base, version: '1:2'}, 'INVALID_FIELD')
    expectCode({...base, version: '1\0'}, 'INVALID_FIELD')
    expectCode({...base, user: 5 as unknown as string}, 'INVALID_FIELD')
    expectCode({...base, text: 5 as unknown as string}, 'INVALID_TEXT')
  })

  it('refuses an unknown charset', () => {
    expect(expectCode(base, 'UNKNOWN_CHARSET', {charset: 'klingon'})).to.match(/unknown charset "klingon"/)
  })

  it('refuses a charset that cannot carry the ASCII header (hex, UTF-16): 13.4 made acks of `502\\0`', () => {
    for (const charset of ['hex', 'utf-16le', 'base64', 'utf-7']) {
      expect(expectCode(base, 'UNSUPPORTED_CHARSET', {charset}), charset).to.include('cannot carry the IPMsg header')
      expectCode({...base, command: 0x21, acknowledges: 5}, 'UNSUPPORTED_CHARSET', {charset})
    }
  })

  it('keeps a non-UTF-8 message within what iptux holds once it converts it to UTF-8 (8192 bytes, header included)', () => {
    expect(DEFAULT_MAX_UTF8_BYTES).to.equal(8192)
    const header = '1:1:u:h:32:' // 11 bytes, + NUL: 8180 bytes of UTF-8 are left, 2726 CJK characters and 2 bytes
    const fits = '测'.repeat(2726) + 'ab'
    const gbk = encode({...base, text: fits}, {charset: 'gbk'}).bytes
    expect(gbk.length).to.equal(header.length + 2726 * 2 + 2 + 1) // 5466 bytes on the wire, far below 8191
    const message = expectCode({...base, text: fits + 'c'}, 'TOO_LARGE', {charset: 'gbk'})
    expect(message).to.equal(
      'message is 8193 bytes once converted to UTF-8, as iptux does with gbk text; the limit is 8192 bytes',
    )
    // The observed case: 4,006 GBK characters were acked and cut by iptux at about 2,729.
    expectCode({...base, text: '测'.repeat(4006)}, 'TOO_LARGE', {charset: 'gb18030'})
    // UTF-8 is not converted by iptux: only the 8191-byte limit applies.
    expect(encode({...base, text: '测'.repeat(2726) + 'a'}).bytes.length).to.equal(8191)
  })

  it('with truncate, shortens non-UTF-8 text to what iptux holds in UTF-8, between characters', () => {
    const result = encode({...base, text: '测'.repeat(4006)}, {charset: 'gbk', truncate: true})
    expect(result.truncated).to.equal(true)
    const decoded = decode(result.bytes, {legacyCharset: 'gbk'})
    if (!decoded.ok) expect.fail(decoded.error)
    expect(decoded.packet.text).to.equal('测'.repeat(2726))
    expect(
      Buffer.byteLength(Buffer.from(result.bytes).toString('latin1').slice(0, 11) + decoded.packet.text) + 1,
    ).to.be.at.most(8192)
  })

  it('defaults the size limit to 8191 bytes (§1.7)', () => {
    expect(DEFAULT_MAX_BYTES).to.equal(8191)
    const header = '1:1:u:h:32:'
    const fits = 'x'.repeat(8191 - header.length - 1)
    expect(encode({...base, text: fits}).bytes.length).to.equal(8191)
    const message = expectCode({...base, text: fits + 'x'}, 'TOO_LARGE')
    expect(message).to.equal('message is 8192 bytes encoded; the limit is 8191 bytes')
  })

  it('truncates at a character boundary when allowed', () => {
    // header '1:1:u:h:32:' is 11 bytes, + NUL = 12; 8 bytes left: two 3-byte characters fit, not three.
    const result = encode({...base, text: '你好世界'}, {maxBytes: 20, truncate: true})
    expect(result.truncated).to.equal(true)
    expect(utf8(result.bytes)).to.equal('1:1:u:h:32:你好\0')
    expect(decode(result.bytes).ok).to.equal(true)
  })

  it('truncates GBK text between two-byte characters', () => {
    const result = encode({...base, text: '你好世界'}, {maxBytes: 17, truncate: true, charset: 'gbk'})
    expect(Buffer.from(result.bytes).toString('hex')).to.equal(
      Buffer.from('1:1:u:h:32:', 'latin1').toString('hex') + 'c4e3bac300',
    )
  })

  it('never splits an emoji sequence when truncating', () => {
    const family = '👨‍👩‍👧'
    const result = encode({...base, text: 'ab' + family}, {maxBytes: 12 + 2 + 10, truncate: true})
    expect(utf8(result.bytes)).to.equal('1:1:u:h:32:ab\0')
  })

  it('says so when even the empty text does not fit', () => {
    expect(expectCode({...base, text: 'abc'}, 'TOO_LARGE', {maxBytes: 5, truncate: true})).to.equal(
      'packet is 15 bytes encoded; the limit is 5 bytes',
    )
    expectCode({...base, command: 1, nickname: 'n'.repeat(100)}, 'TOO_LARGE', {maxBytes: 50, truncate: true})
    expectCode({...base, command: 0x21, acknowledges: 12345}, 'TOO_LARGE', {maxBytes: 10})
  })

  it(
    String.raw`leaves the UTF-8 extension out of an entry packet on request (Feiqiu writes nick\0group\0 alone)`,
    () => {
      const packet = {...base, command: 3, nickname: '小王子', group: '研发'}
      const {bytes} = encode({...packet, utf8Extension: false}, {charset: 'gbk'})
      expect(Buffer.from(bytes).toString('hex')).to.equal(
        Buffer.concat([Buffer.from('1:1:u:h:3:'), Buffer.from('d0a1cdf5d7d300d1d0b7a200', 'hex')]).toString('hex'),
      )
      expect(utf8(encode(packet).bytes)).to.include('\nNN:小王子')
    },
  )

  it('ignores text on entry packets', () => {
    expect(utf8(encode({...base, command: 1, text: 'ignored'}).bytes)).to.equal('1:1:u:h:1:\0\0\nUN:u\nHN:h\nNN:\nGN:')
  })
})

describe('protocol encode output', () => {
  it('is a plain Uint8Array that owns its memory', () => {
    const {bytes} = encode({...base, text: 'hello'})
    expect(Object.getPrototypeOf(bytes)).to.equal(Uint8Array.prototype)
    expect(bytes.byteOffset).to.equal(0)
    expect(bytes.buffer.byteLength).to.equal(bytes.length)
  })
})

describe('protocol encode truncation of long text', () => {
  it('keeps a whole combining sequence out when it straddles the limit', () => {
    // 8 bytes of room: 'abcdefg' (7) + 'e' (1) would fit, but the 'e' carries a combining accent (2 more bytes).
    const result = encode({...base, text: 'abcdefge\u0301xyz'}, {maxBytes: 20, truncate: true})
    expect(utf8(result.bytes)).to.equal('1:1:u:h:32:abcdefg\0')
  })

  it('cuts a megabyte of text to exactly the limit', () => {
    const result = encode({...base, text: 'é'.repeat(500_000) + 'x'}, {truncate: true})
    expect(result.truncated).to.equal(true)
    expect(result.bytes.length).to.equal(8190)
    const decoded = decode(result.bytes)
    expect(decoded.ok && decoded.packet.text).to.equal('é'.repeat((8190 - 12) / 2))
  })
})
