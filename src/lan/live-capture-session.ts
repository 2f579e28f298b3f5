// `listen --capture IFACE`: the datagrams an interface sees on the ports, between any two hosts, decoded as a
// capture file's are (capture-replay.ts: the same events, presence, duplicates, fragments and TCP requests), as
// they arrive. Nothing is bound: a client on the same host keeps every datagram it gets.
import type {ListenStats} from './listen-session.js'

import {setTimeout as sleep} from 'node:timers/promises'

import {BLOCK_TIMEOUT_MS, LiveCapture, pcapAddon} from '../net/live-capture.js'
import {NetError} from '../net/net-error.js'
import {type CaptureReplayOptions, type CaptureStats, CaptureReplay} from './capture-replay.js'

export class LiveCaptureSession extends CaptureReplay {
  private readonly capture: LiveCapture
  private frameCount = 0
  private holding = 0

  /** Starts capturing; throws a NetError (no addon: ENOPCAP; no rights: EPERM; no such interface: ENODEV). */
  constructor(device: string, options: CaptureReplayOptions) {
    super(options)
    const addon = pcapAddon()
    if (addon instanceof Error)
      throw new NetError(
        `--capture needs libpcap: ${addon.message}; install libpcap-dev (apt install libpcap-dev) and reinstall lanmsg`,
        'ENOPCAP',
      )
    this.capture = new LiveCapture(addon, {
      device,
      ports: options.ports,
      onFrame: (linkType, timeUs, frame) => {
        this.frameCount++
        this.frame(linkType, timeUs, frame)
      },
      onError: (error: NetError) => {
        this.stop()
        this.emit('error', error)
      },
    })
  }

  get stats(): ListenStats & {capture: CaptureStats} {
    const stats = super.stats
    if (!this.stopped) stats.kernelDrops = this.capture.counts.dropped
    return stats
  }

  protected get packetsRead(): number {
    return this.frameCount
  }

  holdOutput(): void {
    if (this.holding++ === 0) this.capture.pause(true)
  }

  resumeOutput(): void {
    if (this.holding > 0 && --this.holding === 0 && !this.stopped) this.capture.pause(false)
  }

  /** Stops once what the kernel still holds in a block not yet handed over (up to BLOCK_TIMEOUT_MS old) is read. */
  async finish(): Promise<void> {
    if (!this.stopped && this.holding === 0) await sleep(BLOCK_TIMEOUT_MS * 2)
    this.stop()
  }

  stop(): void {
    if (this.stopped) return
    this.counts.kernelDrops = this.capture.counts.dropped // counted before the handle closes
    super.stop()
    this.capture.close()
  }
}
