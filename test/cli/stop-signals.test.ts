// The stop signals, sent for real to this process (kill), with onStopSignal's handlers in place; what the whole
// command does on them is in test/hardening/terminal-signals.test.ts and test/netns/exit-on-sigint.test.ts.
import {expect} from 'chai'

import {interruptedExitCode, onStopSignal, STOP_SIGNALS, type StopSignal} from '../../src/cli/stop-signals.js'

/** Resolves once `check` holds (a signal is delivered asynchronously). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('cli/stop-signals', () => {
  const counts = () => STOP_SIGNALS.map((s) => process.listenerCount(s))
  // Other modules in this process listen too and act on a signal (one removed itself in the full suite): set them
  // aside meanwhile. rawListeners, as tsx hides its own handlers from process.listeners.
  const others = new Map<StopSignal, Array<(...args: unknown[]) => void>>()
  beforeEach(() => {
    for (const s of STOP_SIGNALS) {
      others.set(s, process.rawListeners(s) as Array<(...args: unknown[]) => void>)
      process.removeAllListeners(s)
    }
  })
  afterEach(() => {
    for (const [s, listeners] of others) for (const l of listeners) process.on(s, l)
  })

  it('the exit code of a run cut short: 128 + the signal number, as a shell says', () => {
    expect(STOP_SIGNALS.map((s) => interruptedExitCode(s))).to.deep.equal([130, 143, 129])
  })

  it('the first signal calls stop once and is remembered; a repeated SIGTERM changes nothing; remove() undoes it', async () => {
    const seen: StopSignal[] = []
    const stop = onStopSignal((signal) => seen.push(signal))
    expect(counts()).to.deep.equal([1, 1, 1])
    expect(stop.signal).to.equal(undefined)
    try {
      process.kill(process.pid, 'SIGTERM')
      await until(() => seen.length > 0)
      process.kill(process.pid, 'SIGTERM')
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(seen).to.deep.equal(['SIGTERM'])
      expect(stop.signal).to.equal('SIGTERM')
    } finally {
      stop.remove()
    }

    expect(counts()).to.deep.equal([0, 0, 0])
  })

  it('a second Ctrl-C exits at once with 130, without waiting for the goodbye', async () => {
    const exits: Array<number | string | null | undefined> = []
    const realExit = process.exit
    process.exit = ((code?: number | string | null) => exits.push(code)) as typeof process.exit
    const seen: StopSignal[] = []
    const stop = onStopSignal((signal) => seen.push(signal))
    try {
      process.kill(process.pid, 'SIGINT')
      await until(() => seen.length > 0)
      expect(exits).to.deep.equal([])
      process.kill(process.pid, 'SIGINT')
      await until(() => exits.length > 0)
      expect(exits).to.deep.equal([130])
      expect(seen).to.deep.equal(['SIGINT'])
    } finally {
      stop.remove()
      process.exit = realExit
    }
  })

  it('after a hangup the process is set to end by SIGHUP at its exit (Node 20 would abort on the gone terminal)', async () => {
    const exitHooks = new Set(process.listeners('exit'))
    const seen: StopSignal[] = []
    const stop = onStopSignal((signal) => seen.push(signal))
    try {
      process.kill(process.pid, 'SIGHUP')
      await until(() => seen.length > 0)
      const added = process.listeners('exit').filter((l) => !exitHooks.has(l))
      expect(added).to.have.lengthOf(1)
      // Not run here: it would end this test process by SIGHUP.
      for (const hook of added) process.removeListener('exit', hook)
      expect(stop.signal).to.equal('SIGHUP')
    } finally {
      stop.remove()
    }
  })
})
