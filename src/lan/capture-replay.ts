// `listen --read`: the datagrams of a capture file, decoded and handed on as a live listen hands on what its socket
// reads (the same events, presence, duplicates and filter), each with the packet's own time and both ends. UDP on
// the ports asked for; TCP on them only where a segment starts with an IPMsg file-transfer request. The file is
// read as a stream; a slow reader of the output pauses it.
import type {Readable} from 'node:stream'

import {EventEmitter} from 'node:events'

import type {TransportPayload} from '../net/captured-frames.js'
import type {ReassemblyLimits} from '../net/ip-reassembly.js'
import type {DecodeOptions} from '../protocol/types.js'
import type {ListenEvents, ListenStats} from './listen-session.js'

import {emptyListenStats} from './listen-session.js'
import type {ReceivedDatagram} from './received-datagram.js'

import {CaptureFileError, CaptureFileParser} from '../net/capture-file.js'
import {FrameDecoder} from '../net/captured-frames.js'
import {MODES, modeOf} from '../protocol/constants.js'
import {decode} from '../protocol/decode.js'
import {Presence} from './presence.js'
import {RecentPackets} from './recent-packets.js'

export interface CaptureReplayOptions {
  /** UDP (and TCP) ports whose traffic is decoded, at either end. */
  ports: number[]
  decodeOptions?: DecodeOptions
  /** Only datagrams that pass are handed on and counted in presence. */
  filter?: (datagram: ReceivedDatagram) => boolean
  reassembly?: Partial<ReassemblyLimits>
  /** --expire: a peer not heard from for this long (by the capture's clock) is marked expired. */
  expireMs?: number
}

/** What a capture held besides the datagrams shown. */
export interface CaptureStats {
  packets: number
  /** UDP datagrams and TCP segments on the ports. */
  onPorts: number
  /** TCP segments on the ports that are not a file-transfer request (file data, acknowledgements): not shown. */
  tcpOther: number
  fragments: number
  reassembled: number
  /** Fragment sets given up: incomplete in time, pushed out by the limits, or malformed. */
  fragmentSetsDropped: number
  /** Frames the capture's snapshot length cut short. */
  cutShort: number
}

/** The TCP requests that start with an IPMsg header (§6 of ../shared/protocol/ipmsg.md): a file or a folder asked for. */
const TCP_REQUESTS = new Set<number>([MODES.GETFILEDATA, MODES.GETDIRFILES])

export class CaptureReplay extends EventEmitter<ListenEvents> {
  readonly presence = new Presence()
  readonly responder = undefined
  private readonly frames: FrameDecoder
  private readonly parser: CaptureFileParser
  private readonly recent = new RecentPackets()
  protected readonly counts: ListenStats & {capture: CaptureStats} = {
    ...emptyListenStats(),
    capture: {packets: 0, onPorts: 0, tcpOther: 0, fragments: 0, reassembled: 0, fragmentSetsDropped: 0, cutShort: 0},
  }
  private input: Readable | undefined
  protected stopped = false
  private holds = 0
  /** Packet time of the last expiry check (--expire). */
  private expiredAt = 0

  constructor(private readonly options: CaptureReplayOptions) {
    super()
    this.frames = new FrameDecoder({ports: options.ports, reassembly: options.reassembly})
    this.parser = new CaptureFileParser((linkType, timeUs, frame) => this.frame(linkType, timeUs, frame))
  }

  /** One captured frame, from the file or (lan/live-capture-session.ts) from an interface. */
  protected frame(linkType: number, timeUs: number, frame: Uint8Array): void {
    const found = this.frames.decode(linkType, timeUs, frame)
    if (found) this.handle(found, timeUs)
  }

  /** Packets read so far. */
  protected get packetsRead(): number {
    return this.parser.packets
  }

  /** The counters, up to date (one object, updated in place). */
  get stats(): ListenStats & {capture: CaptureStats} {
    const {capture} = this.counts
    const {stats, reassembler} = this.frames
    capture.packets = this.packetsRead
    capture.onPorts = stats.matched
    capture.cutShort = stats.cutShort
    capture.fragments = reassembler.stats.fragments
    capture.reassembled = reassembler.stats.reassembled
    capture.fragmentSetsDropped = reassembler.stats.dropped + reassembler.pending
    return this.counts
  }

  /** Reads the capture to its end (or until stop()); rejects with a CaptureFileError for a bad or unreadable file. */
  read(input: Readable, name: string): Promise<void> {
    this.input = input
    return new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        input.destroy()
        reject(error)
      }

      input.on('data', (chunk: Buffer) => {
        if (this.stopped) return
        try {
          this.parser.push(chunk)
        } catch (error) {
          fail(error) // the file's fault (a CaptureFileError), or a fault of lanmsg's own: not blamed on the file
        }
      })
      input.on('error', (error) =>
        fail(new CaptureFileError(`cannot read ${name}: ${error.message}`, this.parser.packets)),
      )
      input.on('end', () => {
        try {
          if (!this.stopped) this.parser.end()
          resolve()
        } catch (error) {
          fail(error)
        }
      })
      input.on('close', () => {
        if (this.stopped) resolve()
      })
    })
  }

  /** The output is backed up: stop reading the file until it drains. */
  holdOutput(): void {
    if (this.holds++ === 0) this.input?.pause()
  }

  /** One hold fewer: stdout and the --write file each hold the reading while they are backed up. */
  resumeOutput(): void {
    if (this.holds > 0 && --this.holds === 0 && !this.stopped) this.input?.resume()
  }

  /** Stops reading (--count reached, a signal, stdout closed): what was shown stays shown. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.parser.halt()
    this.input?.destroy()
  }

  /** Marks expired the peers quiet for expireMs, at most every quarter of it (or second) of capture time. */
  private expire(nowMs: number, expireMs: number): void {
    if (nowMs - this.expiredAt < Math.min(1000, expireMs / 4)) return
    this.expiredAt = nowMs
    const changed = this.presence.expire(nowMs, expireMs)
    if (changed.length > 0) this.emit('presence', changed)
  }

  private handle(found: TransportPayload, timeUs: number): void {
    if (this.stopped) return
    const {payload, from} = found
    const peerCharset = this.presence.peerCharset(from.address)
    const result = decode(
      payload,
      peerCharset ? {...this.options.decodeOptions, peerCharset} : this.options.decodeOptions,
    )
    if (found.transport === 'tcp' && !(result.ok && TCP_REQUESTS.has(modeOf(result.packet.command)))) {
      this.counts.capture.tcpOther++
      return
    }

    this.counts.datagrams++
    const receivedAt = Math.floor(timeUs / 1000)
    const datagram: ReceivedDatagram = {
      data: payload,
      from,
      to: found.to,
      transport: found.transport,
      receivedAt,
      result,
      timeUs,
    }
    if (this.options.filter && !this.options.filter(datagram)) {
      this.counts.filtered++
      return
    }

    if (this.options.expireMs !== undefined) this.expire(receivedAt, this.options.expireMs)
    if (result.ok) {
      const {packet} = result
      this.counts.ipmsg++
      if (this.recent.seen(from.address, from.port, packet.packetNo, packet.command, receivedAt)) {
        datagram.duplicate = true
        this.counts.duplicates++
      }

      if (this.listenerCount('presence') === 0) this.presence.record(packet, from, receivedAt)
      else {
        const changed = this.presence.observeChange(packet, from, receivedAt)
        if (changed) this.emit('presence', [changed])
      }
    }

    this.emit('datagram', datagram)
  }
}
