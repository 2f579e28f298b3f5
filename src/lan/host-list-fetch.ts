// Asking one peer for its host list (announce --via, §3.10): GETLIST from index 0, then GETLIST <next> for every
// page until next is 0. Bounded against a server that never ends: a page cap, a host cap, a time limit per page
// with resends, and a page that does not move forward is ignored. Pure: the time is passed in, nothing is sent here.
import type {Endpoint} from '../net/endpoint.js'
import type {ListedHost, Packet} from '../protocol/types.js'

import {MODES, modeOf} from '../protocol/constants.js'

export interface HostListLimits {
  /** How long one GETLIST waits for its ANSLIST before it is sent again. */
  pageTimeoutMs: number
  /** Resends of one GETLIST before the peer is given up. */
  resends: number
  /** Pages read at most; a server still saying "more" after them is cut off. */
  maxPages: number
  /** Hosts kept at most, over all pages; the rest are counted in `dropped`. */
  maxHosts: number
}

/**
 * Windows answers GETLIST at once (no delay, WMW SendHostList), so a second is plenty; 3 resends as for a message
 * (§3.6). 64 pages of ~100 hosts is a site of 6,000; 10,000 hosts is the size of lanmsg's own presence table.
 */
export const DEFAULT_HOST_LIST_LIMITS: Readonly<HostListLimits> = Object.freeze({
  pageTimeoutMs: 1000,
  resends: 3,
  maxPages: 64,
  maxHosts: 10_000,
})

export type HostListOutcome = 'complete' | 'host-cap' | 'no-answer' | 'page-cap' | 'stopped' | 'timeout'

export interface HostListReport {
  /** The --via value as given, and where it resolved to. */
  via: string
  address: string
  port: number
  outcome: HostListOutcome
  /** Pages accepted, GETLIST packets sent (resends included), pages ignored (stale or not moving forward). */
  pages: number
  requests: number
  ignored: number
  /** Distinct hosts listed (the same user, host, address and port once), up to maxHosts. */
  hosts: ListedHost[]
  /** Hosts beyond maxHosts, not kept. */
  dropped: number
  /** Hosts the server listed that could not be read (ANSLIST errors). */
  unreadable: number
}

/** What the fetch wants now: send GETLIST with this start index, or wait until then, or nothing more. */
export type HostListStep = {done: true} | {send: number} | {waitUntil: number}

export class HostListFetch {
  private readonly limits: HostListLimits
  private readonly seen = new Set<string>()
  private readonly report: HostListReport
  /** The start index asked for, and when its last GETLIST went out (undefined: not yet sent). */
  private start = 0
  private sentAt: number | undefined
  private attempts = 0
  private finished = false

  constructor(via: {address: string; port: number; via: string}, limits: Partial<HostListLimits> = {}) {
    this.limits = {...DEFAULT_HOST_LIST_LIMITS, ...limits}
    this.report = {
      ...via,
      outcome: 'no-answer',
      pages: 0,
      requests: 0,
      ignored: 0,
      hosts: [],
      dropped: 0,
      unreadable: 0,
    }
  }

  get done(): boolean {
    return this.finished
  }

  /** The next thing to do at `nowMs`; a `send` step is counted as sent. */
  step(nowMs: number): HostListStep {
    if (this.finished) return {done: true}
    if (this.sentAt !== undefined && nowMs < this.sentAt + this.limits.pageTimeoutMs) {
      return {waitUntil: this.sentAt + this.limits.pageTimeoutMs}
    }

    if (this.attempts > this.limits.resends) {
      this.finish(this.report.pages === 0 ? 'no-answer' : 'timeout')
      return {done: true}
    }

    this.attempts++
    this.sentAt = nowMs
    this.report.requests++
    return {send: this.start}
  }

  /** A datagram's packet: true when it was a page of this list (accepted or ignored as stale). */
  receive(packet: Packet, from: Endpoint): boolean {
    if (this.finished || this.sentAt === undefined) return false
    if (modeOf(packet.command) !== MODES.ANSLIST || from.address !== this.report.address) return false
    const list = packet.hostList
    // A page must move forward: an answer to an earlier resend (its next is where we already are) or a server
    // pointing backwards would loop forever.
    if (list === undefined || (list.next !== 0 && list.next <= this.start)) {
      this.report.ignored++
      return true
    }

    this.report.pages++
    this.report.unreadable += list.errors?.length ?? 0
    for (const host of list.hosts) this.add(host)
    if (this.report.dropped > 0) this.finish('host-cap')
    else if (list.next === 0) this.finish('complete')
    else if (this.report.pages >= this.limits.maxPages) this.finish('page-cap')
    else {
      this.start = list.next
      this.sentAt = undefined
      this.attempts = 0
    }

    return true
  }

  /** Ctrl-C: what was read so far is kept. */
  stop(): void {
    if (!this.finished) this.finish('stopped')
  }

  result(): HostListReport {
    return {...this.report, hosts: [...this.report.hosts]}
  }

  private add(host: ListedHost): void {
    const key = `${host.address}:${host.port}\u0000${host.user}\u0000${host.host}`
    if (this.seen.has(key)) return
    if (this.report.hosts.length >= this.limits.maxHosts) {
      this.report.dropped++
      return
    }

    this.seen.add(key)
    this.report.hosts.push(host)
  }

  private finish(outcome: HostListOutcome): void {
    this.finished = true
    this.report.outcome = outcome
  }
}
