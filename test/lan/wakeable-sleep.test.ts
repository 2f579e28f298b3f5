import {expect} from 'chai'

import {WakeableSleep} from '../../src/lan/wakeable-sleep.js'

// No test waits for a timer: each sleep is long, and only wake() or stop() can end it before the test times out.
const LONG_MS = 60_000

describe('WakeableSleep', () => {
  it('wake() ends the sleep under way, and a later sleep still sleeps', async () => {
    const sleeper = new WakeableSleep()
    const first = sleeper.sleep(LONG_MS)
    sleeper.wake()
    await first
    expect(sleeper.stopped).to.equal(false)
    let ended = false
    const second = sleeper.sleep(LONG_MS).then(() => (ended = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(ended).to.equal(false)
    sleeper.wake()
    await second
  })

  it('stop() ends the sleep under way and every later one at once', async () => {
    const sleeper = new WakeableSleep()
    const sleeping = sleeper.sleep(LONG_MS)
    sleeper.stop()
    await sleeping
    expect(sleeper.stopped).to.equal(true)
    await sleeper.sleep(LONG_MS)
  })

  it('wake() with no sleep under way does not shorten the next one', async () => {
    const sleeper = new WakeableSleep()
    sleeper.wake()
    let ended = false
    const sleeping = sleeper.sleep(LONG_MS).then(() => (ended = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(ended).to.equal(false)
    sleeper.stop()
    await sleeping
  })
})
