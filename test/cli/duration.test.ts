import {expect} from 'chai'

import {parseDuration} from '../../src/cli/duration.js'

describe('cli/duration', () => {
  it('units ms, s, m, min and h, any case, spaces around; a bare number is seconds', () => {
    const cases: Array<[string, number]> = [
      ['500ms', 500],
      ['3s', 3000],
      ['3', 3000],
      ['1.5s', 1500],
      ['.5s', 500],
      ['2m', 120_000],
      ['2min', 120_000],
      ['1h', 3_600_000],
      [' 10 S ', 10_000],
      ['0', 0],
      ['1.0004ms', 1],
    ]
    for (const [input, ms] of cases) expect(parseDuration(input), input).to.equal(ms)
  })

  it('anything else is not a duration: negatives, other units, empty, two numbers, huge exponents', () => {
    for (const input of ['-1s', '1d', '', 's', '1s2', '1e3', '3 seconds', 'NaN', `${'9'.repeat(400)}h`]) {
      expect(parseDuration(input), input).to.equal(undefined)
    }
  })
})
