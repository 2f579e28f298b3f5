// parseDecimalBody reads the body of RECVMSG & co. and ANSLIST's status words by a loop: held here to the definition
// it replaced (a regular expression and Number()), on generated strings of digits, signs and near-digits.
import {expect} from 'chai'
import fc from 'fast-check'

import {parseDecimalBody} from '../../src/protocol/bodies/decimal.js'

/** The definition: `-?\d{1,10}`, then Number(), within int32..uint32, negatives as their uint32. */
function reference(text: string): number | undefined {
  if (!/^-?\d{1,10}$/.test(text)) return undefined
  const value = Number(text)
  if (value < -0x80000000 || value > 0xffffffff) return undefined
  return value < 0 ? value + 0x100000000 : value
}

const unit = fc.constantFrom(...'0123456789', '-', '+', ' ', '\n', '.', 'e', 'x', '/', ':', '\u0660', '\uFF11', '\0')
const text = fc.oneof(
  fc.array(unit, {maxLength: 13}).map((units) => units.join('')),
  fc.integer({min: -0x90000000, max: 0x1_1000_0000}).map(String),
  fc.string({maxLength: 12}),
)

describe('protocol parseDecimalBody', () => {
  it('gives what `-?\\d{1,10}` and Number() give, on generated strings (20,000 cases)', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(Object.is(parseDecimalBody(t), reference(t)), JSON.stringify(t)).to.equal(true)
      }),
      {numRuns: 20_000},
    )
  })

  it('reads the edges as the definition does', () => {
    const cases = ['', '-', '0', '-0', '0000000000', '00000000000', '4294967295', '4294967296', '-2147483648']
    for (const t of [...cases, '-2147483649', '9999999999', '12\n', ' 1', '+1', '1e3', '\u0661']) {
      expect(Object.is(parseDecimalBody(t), reference(t)), JSON.stringify(t)).to.equal(true)
    }

    expect(parseDecimalBody('-1')).to.equal(0xffffffff)
    expect(Object.is(parseDecimalBody('-0'), -0)).to.equal(true)
  })
})
