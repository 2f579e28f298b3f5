import {expect} from 'chai'

import {parseRawEscapes, parseRawHex} from '../../src/cli/raw-payload.js'
import {UsageError} from '../../src/net/usage-error.js'

const bytes = (u: Uint8Array) => [...u]

describe('cli/raw-payload', () => {
  it('escapes become bytes; everything else is sent as UTF-8 (astral characters whole)', () => {
    expect(bytes(parseRawEscapes(String.raw`ping\n`))).to.deep.equal([...Buffer.from('ping\n')])
    expect(bytes(parseRawEscapes(String.raw`\r\t\0\\\a\b\e\f\v`))).to.deep.equal([13, 9, 0, 0x5c, 7, 8, 0x1b, 12, 11])
    expect(bytes(parseRawEscapes(String.raw`\x00\xfF\x7f`))).to.deep.equal([0, 255, 127])
    expect(bytes(parseRawEscapes('é😀x'))).to.deep.equal([...Buffer.from('é😀x', 'utf8')])
    expect(bytes(parseRawEscapes(''))).to.deep.equal([])
  })

  it('a broken escape is a usage error that names --raw and shows the escape', () => {
    for (const [input, pattern] of [
      [String.raw`\x0`, /^--raw: \\x must be followed by two hex digits .*got "\\x0"$/],
      [String.raw`\xg0`, /got "\\xg0"$/],
      [String.raw`\q`, /^--raw: unknown escape "\\q"/],
      ['ends with \\', /^--raw: unknown escape "\\"/],
    ] as const) {
      expect(() => parseRawEscapes(input), input).to.throw(UsageError, pattern)
    }
  })

  it('hex with spaces, colons, commas, dashes or 0x prefixes; odd or non-hex digits are refused', () => {
    for (const input of ['31 3a 31', '313a31', '0x31:3a:31', '31,3a-31', '0x313a31']) {
      expect(bytes(parseRawHex(input)), input).to.deep.equal([0x31, 0x3a, 0x31])
    }

    expect(bytes(parseRawHex(''))).to.deep.equal([])
    for (const input of ['313', 'zz', '31 3g']) {
      expect(() => parseRawHex(input), input).to.throw(UsageError, /^--raw-hex: expected pairs of hex digits/)
    }
  })
})
