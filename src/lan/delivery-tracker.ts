// Which unicasts of one round still wait for an answer, and when the next resend is due (§3.6): pure, the clock
// is passed in, so every rule is tested without sleeping (as ResponderPolicy is).
import type {Target} from '../net/targets.js'

export interface Delivery {
  target: Target
  round: number
  packetNo: number
  /** The charset the copy sent to this target is written in. */
  charset: string
  /** Some characters of the message cannot be written in that charset: the target got '?' for them. */
  lossy: boolean
  delivered: boolean
  attempts: number
  rttMs: null | number
  /** An ICMP port-unreachable came back: nothing listens on that port there, so it was not resent. */
  unreachable: boolean
  /**
   * No answer to GETINFO/GETABSENCEINFO, but the target's other packets name a client that never answers them
   * (iptux, Feiqiu: ipmsg.md §3.9, §9), so it was not resent: what is known is in those packets' headers.
   */
  cannotAnswer: boolean
}

export interface RetrySchedule {
  /** When the round's packet was first sent. */
  startedAt: number
  /** Resends allowed after the first send. */
  retries: number
  intervalMs: number
}

export class DeliveryTracker {
  /** Sends so far of the round's packet (1: the first send only). */
  private attempt = 1

  constructor(
    /** The round's deliveries, shared with the result (their fields are updated in place). */
    readonly deliveries: Delivery[],
    private readonly schedule: RetrySchedule,
  ) {}

  /** Resends end here: the last one still has its interval to be answered in. */
  get retryUntil(): number {
    const {intervalMs, retries, startedAt} = this.schedule
    return this.deliveries.length > 0 ? startedAt + (retries + 1) * intervalMs : 0
  }

  /** An answer from this address delivers its packet. */
  acknowledged(address: string, rttMs: number): void {
    const delivery = this.waitingFor(address)
    if (delivery) {
      delivery.delivered = true
      delivery.rttMs = rttMs
    }
  }

  /** This address's client never answers what we asked: not resent. */
  cannotAnswer(address: string): void {
    const delivery = this.waitingFor(address)
    if (delivery) delivery.cannotAnswer = true
  }

  /** ICMP port-unreachable: not resent. */
  unreachable(isUnreachable: (target: Target) => boolean): void {
    for (const d of this.deliveries) if (!d.delivered && isUnreachable(d.target)) d.unreachable = true
  }

  /** Deliveries still resent. */
  unanswered(): Delivery[] {
    return this.deliveries.filter((d) => !d.delivered && !d.unreachable && !d.cannotAnswer)
  }

  /** Every delivery has its outcome; null while one still waits (or there are none). */
  outcome(): 'all-delivered' | 'all-settled' | null {
    if (this.deliveries.length === 0 || this.unanswered().length > 0) return null
    return this.deliveries.every((d) => d.delivered) ? 'all-delivered' : 'all-settled'
  }

  /** When the next resend is due, if one is before the window ends at endsAt. */
  nextResendAt(endsAt: number): number | undefined {
    const at = this.schedule.startedAt + this.attempt * this.schedule.intervalMs
    const due = this.unanswered().length > 0 && this.attempt <= this.schedule.retries && at < endsAt
    return due ? at : undefined
  }

  /** At time now: the deliveries to resend now (counted as a new attempt), empty if none is due. */
  resend(now: number): {attempt: number; deliveries: Delivery[]} {
    const at = this.schedule.startedAt + this.attempt * this.schedule.intervalMs
    const unanswered = this.unanswered()
    if (now < at || unanswered.length === 0 || this.attempt > this.schedule.retries) {
      return {attempt: this.attempt, deliveries: []}
    }

    this.attempt++
    for (const d of unanswered) d.attempts = this.attempt
    return {attempt: this.attempt, deliveries: unanswered}
  }

  private waitingFor(address: string): Delivery | undefined {
    return this.deliveries.find((d) => !d.delivered && d.target.address === address)
  }
}
