import {expect} from 'chai'

import {parseDuration} from '../../src/cli/duration.js'
import {formatDuration} from '../../src/ui/duration-text.js'

describe('ui/duration-text', () => {
  it('formats milliseconds, seconds and minutes', () => {
    expect(formatDuration(0)).to.equal('0ms')
    expect(formatDuration(800)).to.equal('800ms')
    expect(formatDuration(2500)).to.equal('2.5s')
    expect(formatDuration(59_994)).to.equal('59.99s')
    expect(formatDuration(90_000)).to.equal('1.5m')
  })

  it('writes what --wait accepts back (to the precision shown)', () => {
    for (const ms of [0, 1, 999, 1000, 4200, 59_990, 60_000, 90_000, 3_600_000]) {
      expect(parseDuration(formatDuration(ms)), String(ms)).to.equal(ms)
    }
  })
})
