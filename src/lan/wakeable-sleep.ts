// The one sleep of announce's loop: timers/promises under an AbortSignal, so a datagram can wake it early (wake)
// and a stop (Ctrl-C) ends this wait and every later one (stop).
import {setTimeout as delay} from 'node:timers/promises'

export class WakeableSleep {
  /** Set by stop(): every later sleep returns at once. */
  stopped = false
  private sleeping?: AbortController

  /** Sleeps ms, or less when woken or stopped. */
  async sleep(ms: number): Promise<void> {
    if (this.stopped) return
    const sleeping = new AbortController()
    this.sleeping = sleeping
    try {
      await delay(Math.max(0, ms), undefined, {signal: sleeping.signal})
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error
    } finally {
      if (this.sleeping === sleeping) this.sleeping = undefined
    }
  }

  /** Ends the sleep under way, if any (something changed what the loop waits for). */
  wake(): void {
    this.sleeping?.abort()
  }

  stop(): void {
    this.stopped = true
    this.wake()
  }
}
