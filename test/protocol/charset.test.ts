import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import {
  decodeText,
  encodeText,
  ipmsgCharset,
  isAsciiCompatible,
  isValidUtf8,
  normalizeCharset,
  SUPPORTED_CHARSETS,
} from '../../src/protocol/index.js'
import {hex} from './fixture-bytes.js'

describe('protocol charset', () => {
  it('normalizes the charsets of §5 to canonical names', () => {
    expect(normalizeCharset('UTF8')).to.equal('utf-8')
    expect(normalizeCharset('utf-8')).to.equal('utf-8')
    expect(normalizeCharset('GBK')).to.equal('gbk')
    expect(normalizeCharset('cp936')).to.equal('gbk')
    expect(normalizeCharset('GB18030')).to.equal('gb18030')
    expect(normalizeCharset('CP932')).to.equal('cp932')
    expect(normalizeCharset('windows-31j')).to.equal('cp932')
    expect(normalizeCharset('Shift_JIS')).to.equal('shift_jis')
    expect(normalizeCharset('sjis')).to.equal('shift_jis')
    expect(normalizeCharset('EUC-JP')).to.equal('euc-jp')
    expect(normalizeCharset('big5')).to.equal('big5')
    expect(normalizeCharset('ISO-8859-1')).to.equal('latin1')
    expect(normalizeCharset(' latin1 ')).to.equal('latin1')
    expect(normalizeCharset('koi8-r')).to.equal('koi8-r')
  })

  it('refuses unknown charsets', () => {
    expect(normalizeCharset('klingon')).to.equal(undefined)
    expect(normalizeCharset('')).to.equal(undefined)
    expect(normalizeCharset(undefined as unknown as string)).to.equal(undefined)
  })

  it('lists the help-text charsets, all of them valid', () => {
    expect(SUPPORTED_CHARSETS).to.include.members(['utf-8', 'gbk', 'gb18030', 'cp932', 'shift_jis'])
    for (const name of SUPPORTED_CHARSETS) expect(normalizeCharset(name)).to.equal(name)
  })

  it('validates UTF-8', () => {
    expect(isValidUtf8(Buffer.from('你好', 'utf8'))).to.equal(true)
    expect(isValidUtf8(new Uint8Array([0xc4, 0xe3]))).to.equal(false)
    expect(isValidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).to.equal(false)
    expect(isValidUtf8(new Uint8Array(0))).to.equal(true)
  })

  it('decodes invalid sequences as U+FFFD without throwing', () => {
    expect(decodeText(new Uint8Array([0x61, 0xff, 0x62]), 'utf-8')).to.equal('a\uFFFDb')
    expect(decodeText(new Uint8Array([0x61, 0xff]), 'gbk')).to.equal('a\uFFFD')
    expect(decodeText(new Uint8Array([0x61]), 'klingon')).to.equal('a')
  })

  it('keeps a leading BOM so text round-trips exactly', () => {
    expect(decodeText(Buffer.from('\uFEFFx', 'utf8'), 'utf-8')).to.equal('\uFEFFx')
  })

  it('decodes GBK with the GB18030 decoder, like WHATWG', () => {
    expect(decodeText(new Uint8Array([0xc4, 0xe3, 0xba, 0xc3]), 'gbk')).to.equal('你好')
    expect(decodeText(new Uint8Array([0x94, 0x39, 0xfc, 0x36]), 'gbk')).to.equal('😀')
  })

  it('decodes a subarray of a larger buffer', () => {
    const whole = Buffer.from('xx你好yy', 'utf8')
    expect(decodeText(whole.subarray(2, 8), 'utf-8')).to.equal('你好')
  })

  it('encodes text in each charset', () => {
    expect(hex(encodeText('你好', 'gbk'))).to.equal('c4e3bac3')
    expect(hex(encodeText('こんにちは', 'cp932'))).to.equal('82b182f182c982bf82cd')
    expect(hex(encodeText('é', 'utf8'))).to.equal('c3a9')
    expect(hex(encodeText('😀', 'gb18030'))).to.equal('9439fc36')
    expect(hex(encodeText('😀', 'gbk'))).to.equal('3f')
    expect(() => encodeText('x', 'klingon')).to.throw(RangeError, /unknown charset/)
  })

  it('tells the charsets that keep the ASCII header intact from those that do not (13.4)', () => {
    for (const name of [...SUPPORTED_CHARSETS, 'latin1', 'windows-1252', 'koi8-r', 'cp949', 'cp950', 'sjis', 'GBK']) {
      expect(isAsciiCompatible(name), name).to.equal(true)
      expect(ipmsgCharset(name), name).to.equal(normalizeCharset(name))
    }

    for (const name of [
      'hex',
      'base64',
      'utf-16le',
      'utf-16be',
      'ucs2',
      'utf-32',
      'utf-7',
      'iso646cn',
      'klingon',
      '',
    ]) {
      expect(isAsciiCompatible(name), name).to.equal(false)
      expect(ipmsgCharset(name), name).to.equal(undefined)
    }

    expect(ipmsgCharset(undefined)).to.equal(undefined)
  })
})
