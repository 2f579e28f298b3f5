// announce --via: ask every host for its host list (host-list-fetch.ts) on announce's socket, then probe each host
// listed with the presence packet, so that a listed peer counts as present only when it answered us.
import type {Endpoint} from '../net/endpoint.js'
import type {Target} from '../net/targets.js'
import type {Packet} from '../protocol/types.js'
import type {WakeableSleep} from './wakeable-sleep.js'

import {HostListFetch, type HostListLimits, type HostListReport} from './host-list-fetch.js'

export interface ViaHost {
  /** The --via value as given. */
  via: string
  address: string
  port: number
}

export interface HostListRunIo {
  send: (bytes: Uint8Array, target: Target) => Promise<boolean>
  /** A GETLIST asking for the page that starts at `start`. */
  getList: (start: number) => Uint8Array
  sleeper: WakeableSleep
  now: () => number
}

/** Listed hosts are probed at --sweep's default pace (see DEFAULT_SWEEP_RATE): ARP lookups stay few. */
const PROBE_GAP_MS = 10

export class HostListRun {
  private readonly fetches: HostListFetch[]
  private readonly probes = new Map<string, number>()
  /** A page came since the loop last looked: it must not sleep (a wake is lost while it sends). */
  private paged = false

  constructor(
    hosts: readonly ViaHost[],
    private readonly io: HostListRunIo,
    limits: Partial<HostListLimits> = {},
  ) {
    this.fetches = hosts.map((host) => new HostListFetch(host, limits))
  }

  /** A decoded datagram: a page of one of the lists wakes the loop, so the next page is asked for at once. */
  receive(packet: Packet, from: Endpoint): void {
    if (!this.fetches.some((fetch) => fetch.receive(packet, from))) return
    this.paged = true
    this.io.sleeper.wake()
  }

  /** Reads every list to its end (or its bound, or Ctrl-C). */
  async fetch(): Promise<void> {
    const {io} = this
    while (!io.sleeper.stopped) {
      this.paged = false
      let wakeAt = Number.POSITIVE_INFINITY
      for (const fetch of this.fetches) {
        for (let step = fetch.step(io.now()); !('done' in step); step = fetch.step(io.now())) {
          if ('waitUntil' in step) {
            wakeAt = Math.min(wakeAt, step.waitUntil)
            break
          }

          const {address, port} = fetch.result()
          await io.send(io.getList(step.send), {address, port, kind: 'unicast'})
        }
      }

      if (this.fetches.every((fetch) => fetch.done)) return
      if (!this.paged) await io.sleeper.sleep(Math.max(0, wakeAt - io.now()))
    }

    for (const fetch of this.fetches) fetch.stop()
  }

  /** The presence packet to every host listed (once each), except the addresses in `skip` (already targets). */
  async probe(bytes: Uint8Array, skip: ReadonlySet<string>): Promise<void> {
    const {io} = this
    for (const report of this.reports()) {
      for (const host of report.hosts) {
        if (io.sleeper.stopped) return
        const key = `${host.address}:${host.port}`
        if (this.probes.has(key) || skip.has(host.address) || host.port === 0) continue
        this.probes.set(key, io.now())
        await io.send(bytes, {address: host.address, port: host.port, kind: 'unicast'})
        await io.sleeper.sleep(PROBE_GAP_MS)
      }
    }
  }

  /** When the probe to this address went out (an RTT counts from there). */
  sentTo(address: string, port: number): number | undefined {
    return this.probes.get(`${address}:${port}`)
  }

  probed(address: string, port: number): boolean {
    return this.probes.has(`${address}:${port}`)
  }

  reports(): HostListReport[] {
    return this.fetches.map((fetch) => fetch.result())
  }
}
