// GBK/GB18030 text is read through a table made from iconv-lite (src/protocol/gbk-pairs.ts): held here to iconv-lite
// itself, on every two-byte pair alone and among other bytes, and on generated text of every kind of sequence.
import {expect} from 'chai'
import fc from 'fast-check'
import iconv from 'iconv-lite'
import {Buffer} from 'node:buffer'

import {decodeSpan} from '../../src/protocol/charset.js'
import {decodeText} from '../../src/protocol/index.js'
import {decodeGbkPairs} from '../../src/protocol/gbk-pairs.js'

const viaIconv = (bytes: Uint8Array) => iconv.decode(Buffer.from(bytes), 'gb18030', {stripBOM: false})

describe('protocol GBK text through the pair table', () => {
  it('gives what iconv-lite gives for every two-byte pair, alone and between ASCII', () => {
    let tabled = 0
    for (let lead = 0x80; lead <= 0xff; lead++) {
      for (let trail = 0; trail <= 0xff; trail++) {
        for (const bytes of [Uint8Array.of(lead, trail), Uint8Array.of(0x61, lead, trail, 0x62)]) {
          expect(decodeText(bytes, 'gbk'), bytes.join(',')).to.equal(viaIconv(bytes))
        }

        const alone = Uint8Array.of(lead, trail)
        const char = viaIconv(alone)
        if (char.length === 1 && char !== '\uFFFD') {
          // The table must serve each pair iconv-lite reads as one character, or the comparison above proves little.
          expect(decodeGbkPairs(alone, 0, 2, viaIconv), alone.join(',')).to.equal(char)
          tabled++
        }
      }
    }

    expect(tabled).to.be.at.least(20_000)
  })

  it('gives what iconv-lite gives on generated GBK text, whole and as a span of a larger buffer', () => {
    const pair = fc.tuple(fc.integer({min: 0x81, max: 0xfe}), fc.integer({min: 0x40, max: 0xfe}))
    const fourBytes = fc.tuple(
      fc.integer({min: 0x81, max: 0xfe}),
      fc.integer({min: 0x30, max: 0x39}),
      fc.integer({min: 0x81, max: 0xfe}),
      fc.integer({min: 0x30, max: 0x39}),
    )
    const piece = fc.oneof(
      {arbitrary: pair, weight: 4},
      fc.integer({min: 0, max: 0x7f}).map((b) => [b]),
      fc.integer({min: 0x80, max: 0xff}).map((b) => [b]),
      fourBytes,
    )
    const text = fc.array(piece, {maxLength: 24}).map((pieces) => Uint8Array.from(pieces.flat()))
    let tabled = 0
    fc.assert(
      fc.property(text, fc.integer({min: 1, max: 7}), (bytes, offset) => {
        const expected = viaIconv(bytes)
        expect(decodeText(bytes, 'gbk')).to.equal(expected)
        expect(decodeText(bytes, 'gb18030')).to.equal(expected)
        // Framed by bytes that would complete a pair cut at either end: a span must not read past its ends.
        const framed = new Uint8Array(bytes.length + 8).fill(0x41)
        framed[offset - 1] = 0xb0
        framed.set(bytes, offset)
        expect(decodeText(framed.subarray(offset, offset + bytes.length), 'gbk')).to.equal(expected)
        expect(decodeSpan(framed, offset, offset + bytes.length, 'gbk')).to.equal(expected)
        if (decodeGbkPairs(bytes, 0, bytes.length, viaIconv) !== undefined) tabled++
      }),
      {numRuns: 5000},
    )
    expect(tabled).to.be.at.least(500)
  })

  it('reads GBK text of ASCII and two-byte characters without calling iconv-lite, once the table is made', () => {
    const nihao = Uint8Array.of(0xc4, 0xe3, 0xba, 0xc3, 0x21) // 你好!
    expect(decodeText(nihao, 'gbk')).to.equal('你好!') // makes the table
    const {decode} = iconv
    let calls = 0
    iconv.decode = (...args: Parameters<typeof decode>) => {
      calls++
      return decode(...args)
    }

    try {
      expect(decodeText(nihao, 'gbk')).to.equal('你好!')
      expect(decodeSpan(nihao, 0, 4, 'gb18030')).to.equal('你好')
      expect(calls).to.equal(0)
      expect(decodeText(Uint8Array.of(0x81, 0x30, 0x81, 0x30), 'gbk')).to.equal('') // four bytes: iconv-lite
      expect(calls).to.equal(1)
    } finally {
      iconv.decode = decode
    }
  })
})
