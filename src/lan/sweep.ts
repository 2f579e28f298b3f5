// One sweep: the entry packet unicast to every address of the ranges, paced by SweepPacer. It keeps the ranges,
// the counts and the send times of the last few seconds' probes (for each answer's RTT), never the address list.
import {type AddressRange, mergeRanges, rangeAddresses, rangeSize} from '../net/address-ranges.js'
import {dottedQuadToNumber} from '../net/ipv4.js'
import {BoundedMap} from './bounded-map.js'
import {SweepPacer} from './sweep-pacer.js'

export interface SweepPlan {
  ranges: AddressRange[]
  /** Probes per second. */
  rate: number
  port: number
  /** Broadcast addresses of this host's subnets: a probe there would be a broadcast, so they are passed over. */
  skip?: string[]
}

export interface SweepReport {
  ranges: string[]
  rate: number
  /** Addresses in the ranges (overlaps counted once). */
  probes: number
  sent: number
  /** Addresses passed over because they are a broadcast address here (counted in sent: the sweep went past them). */
  skipped: number
  /** Probes the socket refused (e.g. no route); the first one's message. */
  failed: number
  firstError: null | string
  /** False when stopped (Ctrl-C, --expect) before the last address. */
  complete: boolean
  ms: number
}

export interface SweepIo {
  send(address: string, port: number): Promise<void>
  sleep(ms: number): Promise<void>
  now(): number
  /** True once the run was stopped: no further probe goes. */
  stopped(): boolean
  progress(sent: number, total: number): void
}

/** Answers come within ~4 s (IP Messenger's longest delay): the send times kept cover ten seconds of probes. */
const SENT_AT_SECONDS = 10

export class Sweep {
  readonly total: number
  private readonly ranges: AddressRange[]
  private readonly sentAt: BoundedMap<number, number>
  private sent = 0
  private skipped = 0
  private failed = 0
  private readonly skip: Set<string>
  private firstFailure: Error | undefined
  private ms = 0

  constructor(private readonly plan: SweepPlan) {
    this.ranges = mergeRanges(plan.ranges)
    this.total = rangeSize(this.ranges)
    this.skip = new Set(plan.skip)
    this.sentAt = new BoundedMap(Math.min(100_000, Math.max(1000, Math.ceil(plan.rate * SENT_AT_SECONDS))))
  }

  /** Probes every address at the plan's rate until done or stopped; send failures are counted, not thrown. */
  async run(io: SweepIo): Promise<void> {
    const started = io.now()
    const pacer = new SweepPacer(this.plan.rate, started)
    const addresses = rangeAddresses(this.ranges)
    let next = addresses.next()
    while (!next.done && !io.stopped()) {
      const due = pacer.due(io.now())
      if (due === 0) {
        await io.sleep(pacer.nextAt() - io.now())
        continue
      }

      let went = 0
      for (; went < due && !next.done; went++, next = addresses.next()) await this.probe(next.value, io)
      pacer.took(went)
      io.progress(this.sent, this.total)
    }

    this.ms = io.now() - started
  }

  /** When the probe to this address went, if it was one of the last few seconds' (for the RTT of its answer). */
  sentTo(address: string): number | undefined {
    return this.sentAt.peek(dottedQuadToNumber(address))
  }

  /** The address was probed by this sweep (so it knows us now, and gets our goodbye). */
  probed(address: string): boolean {
    const value = dottedQuadToNumber(address)
    let before = 0
    for (const range of this.ranges) {
      if (value >= range.first && value <= range.last) return before + (value - range.first) < this.sent
      before += range.last - range.first + 1
    }

    return false
  }

  report(): SweepReport {
    return {
      ranges: this.plan.ranges.map((r) => r.spec),
      rate: this.plan.rate,
      probes: this.total,
      sent: this.sent,
      skipped: this.skipped,
      failed: this.failed,
      firstError: this.firstFailure ? this.firstFailure.message : null,
      complete: this.sent === this.total,
      ms: this.ms,
    }
  }

  /** The first send error, when every probe sent so far failed (then it is the run's error, not a table). */
  get allFailed(): Error | undefined {
    return this.sent > this.skipped && this.failed === this.sent - this.skipped ? this.firstFailure : undefined
  }

  private async probe(address: string, io: SweepIo): Promise<void> {
    this.sent++
    if (this.skip.has(address)) {
      this.skipped++
      return
    }

    this.sentAt.set(dottedQuadToNumber(address), io.now())
    try {
      await io.send(address, this.plan.port)
    } catch (error) {
      this.failed++
      this.firstFailure ??= error as Error
    }
  }
}
