// When the next probe of a sweep may go: `rate` probes a second on average, never more. A late wake-up (a busy
// event loop) sends at most a small burst and then keeps the pace: the backlog is dropped from the schedule, not
// sent at once. Pure: the caller passes the time, so the pace is tested on a fake clock.

/**
 * Each probe to an address not yet known makes this host (or the router before a far subnet) broadcast ARP
 * requests for about 3 s; at 100 a second about 300 lookups are open at once, well under the 1,024 entries of a
 * Linux neighbour table (gc_thresh3), and the ARP broadcasts stay a few hundred small frames a second.
 */
export const DEFAULT_SWEEP_RATE = 100

export class SweepPacer {
  private sent = 0
  private origin: number
  private readonly intervalMs: number

  constructor(
    rate: number,
    startedAt: number,
    /** Probes that may go together after a late wake-up: a tenth of a second's worth (timers run late under load). */
    private readonly maxBurst = Math.max(1, Math.ceil(rate / 10)),
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`)
    this.intervalMs = 1000 / rate
    this.origin = startedAt
  }

  /** How many probes may go at `now` (call took() with how many went). */
  due(now: number): number {
    const byNow = Math.floor((now - this.origin) / this.intervalMs) + 1
    const due = byNow - this.sent
    if (due <= this.maxBurst) return Math.max(0, due)
    // Behind the schedule: restart it here, so that what was missed is not sent in one burst.
    this.origin = now - (this.sent + this.maxBurst - 1) * this.intervalMs
    return this.maxBurst
  }

  took(count: number): void {
    this.sent += count
  }

  /** When the next probe is due. */
  nextAt(): number {
    return this.origin + this.sent * this.intervalMs
  }
}
