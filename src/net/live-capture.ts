// Live capture through lanmsg's libpcap addon (native/pcap/pcap_live.c): the frames an interface sees, whoever
// they are addressed to, handed on in batches as they arrive. Nothing is bound, so it runs beside a client that
// holds the port. A kernel (BPF) filter passes only the ports asked for and IP fragments, so other traffic costs
// nothing. Optional: without the addon (libpcap-dev missing at install) open() says what to install.
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import {packageRoot} from './batch-read.js'
import {NetError} from './net-error.js'

interface Addon {
  open(
    device: string,
    snaplen: number,
    bufferBytes: number,
    filter: string,
    onReadable: () => void,
    blockMs: number,
  ): object
  read(handle: object, bytes: Uint8Array, meta: Float64Array): number
  pause(handle: object, paused: boolean): void
  stats(handle: object): [received: number, dropped: number, interfaceDropped: number]
  linkType(handle: object): number
  close(handle: object): void
  version(): string
}

/** Where the built addon may be: copied into dist/ by the build, or where node-gyp left it. */
const ADDON_PATHS = ['dist/lanmsg_pcap.node', 'native/pcap/build/Release/lanmsg_pcap.node']
/** The largest IPv4 datagram and a link header (Ethernet with two VLAN tags, Linux SLL2): a packet is never cut. */
const SNAPLEN = 65_535 + 30
/** The kernel's buffer for packets not yet read (tcpdump's default is 2 MiB): a burst of 32 KB datagrams fits. */
const KERNEL_BUFFER_BYTES = 8 << 20
/** The kernel hands packets over in blocks, when one is full or this old: what is seen shows within it. */
export const BLOCK_TIMEOUT_MS = 50
/** Packets per read: 64 of the largest; the pages no packet reaches take no memory. */
const BATCH = 64
/** Per packet in meta: offset, captured length, original length, seconds, microseconds. */
const META = 5

let loaded: Addon | Error | undefined

/** The addon, or why it cannot be used (loaded once). */
export function pcapAddon(): Addon | Error {
  if (loaded !== undefined) return loaded
  loaded = new Error('lanmsg was installed without libpcap-dev (the live capture addon was not built)')
  if (process.platform !== 'linux')
    return (loaded = new Error(`live capture is built on Linux only (this is ${process.platform})`))
  if (process.env.LANMSG_PCAP === 'off') return (loaded = new Error('LANMSG_PCAP=off'))
  const root = packageRoot()
  const require = createRequire(import.meta.url)
  for (const path of root === undefined ? [] : ADDON_PATHS) {
    const file = join(root!, path)
    if (!existsSync(file)) continue
    try {
      loaded = require(file) as Addon
      break
    } catch (error) {
      // libpcap.so missing since the build, or built for another Node
      loaded = new Error(`the live capture addon cannot be loaded: ${(error as Error).message.split('\n')[0]}`)
    }
  }

  return loaded
}

/** The kernel filter: UDP and TCP on the ports (either end), and every IP fragment (later ones carry no port). */
export function captureFilter(ports: readonly number[]): string {
  const onPorts = ports.map((port) => `udp port ${port} or tcp port ${port}`).join(' or ')
  return `${onPorts} or (ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] = 44)`
}

export type FrameHandler = (linkType: number, timeUs: number, frame: Uint8Array) => void

export interface CaptureCounts {
  /** Packets the filter passed. */
  received: number
  /** Passed, but dropped because lanmsg did not read them fast enough (the kernel's buffer was full). */
  dropped: number
}

export class LiveCapture {
  readonly linkType: number
  private readonly bytes = Buffer.allocUnsafeSlow(BATCH * SNAPLEN)
  private readonly meta = new Float64Array(BATCH * META)
  private handle: object | undefined
  private readonly onFrame: FrameHandler
  private readonly onError: (error: NetError) => void

  /** Starts capturing on `device`; frames go to `onFrame` as they arrive, errors to `onError` (then it stops). */
  constructor(
    private readonly addon: Addon,
    options: {device: string; ports: readonly number[]; onFrame: FrameHandler; onError: (error: NetError) => void},
  ) {
    this.onFrame = options.onFrame
    this.onError = options.onError
    const filter = captureFilter(options.ports)
    try {
      const onReadable = () => this.readable()
      this.handle = addon.open(options.device, SNAPLEN, KERNEL_BUFFER_BYTES, filter, onReadable, BLOCK_TIMEOUT_MS)
    } catch (error) {
      throw openError(error as NodeJS.ErrnoException, options.device)
    }

    this.linkType = addon.linkType(this.handle)
  }

  /** Stops reading while the output is backed up: packets wait in the kernel's buffer (and are counted if lost). */
  pause(paused: boolean): void {
    if (this.handle) this.addon.pause(this.handle, paused)
  }

  get counts(): CaptureCounts {
    if (!this.handle) return {received: 0, dropped: 0}
    const [received, dropped, interfaceDropped] = this.addon.stats(this.handle)
    return {received, dropped: dropped + interfaceDropped}
  }

  close(): void {
    if (this.handle) this.addon.close(this.handle)
    this.handle = undefined
  }

  /** One batch per readiness: the poll is level-triggered, so what is left comes on the next turn of the loop. */
  private readable(): void {
    if (!this.handle) return
    let count: number
    try {
      count = this.addon.read(this.handle, this.bytes, this.meta)
    } catch (error) {
      this.close()
      this.onError(new NetError(`capture failed: ${(error as Error).message}`, 'ECAPTURE', {cause: error}))
      return
    }

    if (count === 0) return
    const {meta} = this
    const last = (count - 1) * META
    // A copy per batch: the frames' bytes outlive this read (fragments waiting, records written later).
    const bytes = Buffer.from(this.bytes.subarray(0, meta[last] + meta[last + 1]))
    for (let i = 0; i < count && this.handle; i++) {
      const m = i * META
      this.onFrame(this.linkType, meta[m + 3] * 1e6 + meta[m + 4], bytes.subarray(meta[m], meta[m] + meta[m + 1]))
    }
  }
}

function openError(error: NodeJS.ErrnoException, device: string): NetError {
  const detail = error.message
  if (error.code === 'EPERM')
    return new NetError(`--capture needs root or CAP_NET_RAW (capturing on ${device}: ${detail})`, 'EPERM', {
      cause: error,
    })
  if (error.code === 'ENODEV') return new NetError(`no interface ${device} to capture on (${detail})`, 'ENODEV')
  return new NetError(`cannot capture on ${device}: ${detail}`, 'ECAPTURE', {cause: error})
}
