// One UDP socket with the options IP Messenger needs (shared port, broadcast, a large receive buffer) and
// errors translated into NetError. Everything above this file speaks datagrams, not dgram.
import dgram from 'node:dgram'
import {EventEmitter} from 'node:events'
import os from 'node:os'

import type {Endpoint} from './endpoint.js'

import {batchReadAddon, BatchReader} from './batch-read.js'
import {isIPv4Address} from './ipv4.js'
import {socketDrops} from './kernel-drops.js'
import {literalLookup} from './literal-lookup.js'
import {describeSocketError, NetError} from './net-error.js'
import {UsageError} from './usage-error.js'

export const DEFAULT_RECV_BUFFER_SIZE = 4 * 1024 * 1024

export interface UdpEndpointOptions {
  port: number
  /** Local address to bind (default 0.0.0.0: needed to receive broadcasts). */
  address?: string
  /**
   * Share the port with other IP Messenger clients on this machine (default true). Every sharer receives
   * broadcasts when bound to 0.0.0.0; a unicast reaches only the socket bound last (Linux).
   */
  reuseAddr?: boolean
  /** Allow sending to broadcast addresses (default true). */
  broadcast?: boolean
  /** Requested receive buffer in bytes (default 4 MiB; the kernel caps it at net.core.rmem_max). */
  recvBufferSize?: number
  /** When the port is in use, bind an ephemeral port instead of failing (see `fellBack`). */
  fallbackToEphemeral?: boolean
  /** The command-line flag that chooses the port, named in the "port in use" message. */
  portFlag?: string
  /** The command-line flag that chooses the address, named when the address is not valid. */
  addressFlag?: string
}

/** Takes one datagram as it is read (see UdpEndpoint.setReceiver). */
export type DatagramReceiver = (data: Buffer, address: string, port: number) => void

/**
 * Takes `count` datagrams read at once: datagram i is bytes[meta[4i], + meta[4i + 1]), from the IPv4 address
 * meta[4i + 2] (a 32-bit number, as int32) and port meta[4i + 3]. The bytes are only valid during the call.
 * `drained`: this read emptied the socket (else more is waiting, and will be read first).
 */
export type DatagramBatchReceiver = (bytes: Uint8Array, meta: Int32Array, count: number, drained: boolean) => void

/** At most this many batches after each datagram Node reads (64 datagrams each), before the event loop goes on. */
const BATCHES_PER_READ = 16
/**
 * Paced reads: a wake-up that found fewer than PACE_BELOW datagrams stops Node's reads for PACE_MS, then what has
 * come meanwhile is read in batches, and reading stays on that clock while each tick brings at least PACE_BELOW.
 * At 50k/s a wake-up per datagram or two cost more than the datagram's own processing; this way the fixed cost of
 * a wake-up, a read and a turn of processing is shared by ~50. A datagram after a quiet spell is read at once; one
 * that comes while reads are paused waits at most PACE_MS (plus the timer's slack, ~1 ms).
 */
export const PACE_MS = 1
export const PACE_BELOW = 16

/** The libuv handle of a dgram socket: its descriptor and the switch of libuv's reads. */
interface UdpHandle {
  fd?: unknown
  recvStart?: () => number
  recvStop?: () => number
}

/** A bound dgram socket's handle, through Node's internal state (not the deprecated `_handle`). */
function socketHandle(socket: dgram.Socket): undefined | UdpHandle {
  const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol')
  return state && (socket as unknown as Record<symbol, {handle?: UdpHandle}>)[state]?.handle
}

/** The file descriptor of a bound dgram socket. */
function socketFd(socket: dgram.Socket): number | undefined {
  const fd = socketHandle(socket)?.fd
  return typeof fd === 'number' && fd >= 0 ? fd : undefined
}

interface UdpEndpointEvents {
  datagram: [data: Buffer, from: Endpoint]
  error: [err: NetError]
  /** An ICMP port-unreachable came back from a watched target (see watchUnicast): nothing listens there. */
  unreachable: [to: Endpoint]
}

/** All IPv4 addresses of this machine, loopback included, to recognise our own packets. */
export function localIPv4Addresses(interfaces = os.networkInterfaces()): string[] {
  const addresses = new Set<string>()
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4') addresses.add(info.address)
    }
  }

  return [...addresses]
}

function isValidPort(port: number, allowZero: boolean): boolean {
  return Number.isInteger(port) && port >= (allowZero ? 0 : 1) && port <= 65_535
}

export class UdpEndpoint extends EventEmitter<UdpEndpointEvents> {
  readonly address: string
  readonly fellBack: boolean
  readonly port: number
  private closing: Promise<void> | undefined
  private batchReader: BatchReader | undefined
  private batchReceiver: DatagramBatchReceiver | undefined
  /** Node's reads are stopped until this timer reads what came meanwhile (paced reads, see PACE_MS). */
  private paceTimer: NodeJS.Timeout | undefined
  /** libuv's reads of the socket, switched off and on by paced reads; undefined (no pacing) if Node hides them. */
  private readonly reads: undefined | {start: () => number; stop: () => number}
  /** Paced reads allowed (with a batch receiver; not once readPromptly() was called). */
  private pacing: boolean
  private receiver: DatagramReceiver = (data, address, port) => this.emit('datagram', data, {address, port})
  private readonly socket: dgram.Socket
  /** Sockets connected to one unicast target each, sharing our port (watchUnicast). */
  private readonly connected = new Map<string, dgram.Socket>()

  constructor(socket: dgram.Socket, fellBack: boolean) {
    super()
    this.socket = socket
    this.fellBack = fellBack
    const bound = socket.address()
    this.address = bound.address
    this.port = bound.port
    socket.on('message', (data, rinfo) => {
      // A watched target's socket hears all it sends (a broadcast reaches both sockets): take it from there only.
      if (this.connected.size > 0 && this.connected.has(`${rinfo.address}:${rinfo.port}`)) return
      this.receiver(data, rinfo.address, rinfo.port)
      if (this.batchReceiver === undefined) return
      const read = this.readBatches(this.batchReceiver)
      if (read >= 0 && read + 1 < PACE_BELOW && this.pacing) this.pause()
    })
    // Send failures reach send()'s promise; this is for the rare socket-level error after bind.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.emit('error', describeSocketError(error, {action: 'send'})),
    )
    const handle = socketHandle(socket)
    const {recvStart, recvStop} = handle ?? {}
    this.reads =
      typeof recvStart === 'function' && typeof recvStop === 'function'
        ? {start: () => recvStart.call(handle), stop: () => recvStop.call(handle)}
        : undefined
    this.pacing = this.reads !== undefined
  }

  get closed(): boolean {
    return this.closing !== undefined
  }

  close(): Promise<void> {
    clearTimeout(this.paceTimer)
    this.paceTimer = undefined
    for (const socket of this.connected.values()) closeQuietly(socket)
    this.connected.clear()
    this.closing ??= new Promise((resolve) => {
      try {
        this.socket.close(() => resolve())
      } catch {
        resolve() // already closed underneath us
      }
    })
    return this.closing
  }

  /** True when datagrams are read many at a time (setReceiver with a batch receiver, and the addon available). */
  get readsBatches(): boolean {
    return this.batchReceiver !== undefined
  }

  /**
   * Hands every datagram read to `receive`, called directly from the read callback, instead of emitting 'datagram':
   * no event and no object per datagram, for a receiver that must keep up with a flood. With `receiveBatch`, and
   * where the batch-read addon is available (src/net/batch-read.ts), each datagram Node reads is followed by reads
   * of what else is waiting, many datagrams per system call, handed over a batch at a time. Without an argument,
   * datagrams are events again.
   */
  setReceiver(receive?: DatagramReceiver, receiveBatch?: DatagramBatchReceiver): void {
    this.receiver = receive ?? ((data, address, port) => this.emit('datagram', data, {address, port}))
    this.batchReceiver = undefined
    this.resume()
    if (receive === undefined || receiveBatch === undefined) return
    if (this.batchReader === undefined) {
      const addon = batchReadAddon()
      const fd = addon && socketFd(this.socket)
      if (addon === undefined || fd === undefined) return
      this.batchReader = new BatchReader(addon, fd)
    }

    this.batchReceiver = receiveBatch
  }

  /**
   * From now on every datagram is read as soon as it arrives (no paced reads), and what waits is read now: for a
   * stop, which must see everything that had arrived before it.
   */
  readPromptly(): void {
    this.pacing = false
    if (this.paceTimer === undefined) return
    this.resume()
    if (this.batchReceiver) this.readBatches(this.batchReceiver)
  }

  /**
   * Reads what is waiting, up to BATCHES_PER_READ batches: how many datagrams when that emptied the socket, -1 when
   * more is waiting (or the socket failed).
   */
  private readBatches(receive: DatagramBatchReceiver): number {
    const reader = this.batchReader!
    const slots = reader.meta.length / 4
    let read = 0
    for (let batch = 0; batch < BATCHES_PER_READ && !this.closed; batch++) {
      const count = reader.read()
      if (count < 0) {
        // An error on the socket: stop batching; Node's own next read meets the error and reports it.
        this.batchReceiver = undefined
        this.resume()
        return -1
      }

      const drained = count < slots
      if (count > 0) receive(reader.bytes, reader.meta, count, drained)
      read += count
      if (drained) return read
    }

    return -1
  }

  /** Stops Node's reads for PACE_MS; then the timer reads what came (see PACE_MS). */
  private pause(): void {
    if (this.paceTimer !== undefined || this.closed) return
    this.reads!.stop()
    this.paceTimer = setTimeout(this.paceTick, PACE_MS)
  }

  private readonly paceTick = (): void => {
    this.paceTimer = undefined
    if (this.closed) return
    const read = this.batchReceiver ? this.readBatches(this.batchReceiver) : -1
    // A busy clock keeps reading on it; a quiet one (or a socket with more waiting) goes back to Node's reads.
    if (read >= PACE_BELOW && this.pacing && this.batchReceiver) this.paceTimer = setTimeout(this.paceTick, PACE_MS)
    else this.reads!.start()
  }

  /** Node reads again (ends a pause). */
  private resume(): void {
    if (this.paceTimer === undefined) return
    clearTimeout(this.paceTimer)
    this.paceTimer = undefined
    if (!this.closed) this.reads!.start()
  }

  /**
   * Datagrams the kernel dropped on this endpoint's sockets (receive buffer full) so far, the connected ones of
   * watchUnicast included; undefined when it cannot tell.
   */
  kernelDrops(): number | undefined {
    if (this.closed) return undefined
    let total = 0
    for (const socket of [this.socket, ...this.connected.values()]) {
      const fd = socketFd(socket)
      const drops = fd === undefined ? undefined : socketDrops(fd)
      if (drops === undefined) return undefined
      total += drops
    }

    return total
  }

  /**
   * From now on, sends to address:port go out through a socket of their own that shares this port and is connected
   * to the target: Linux tells only a connected UDP socket about an ICMP port-unreachable (as ECONNREFUSED), and
   * then 'unreachable' is emitted. What the target sends back arrives on that socket and is handed over as usual.
   * Resolves false (and sends stay as they were) where the port cannot be shared.
   */
  async watchUnicast(address: string, port: number): Promise<boolean> {
    const key = `${address}:${port}`
    if (this.closed || this.connected.has(key) || !isIPv4Address(address) || !isValidPort(port, false)) return false
    const socket = dgram.createSocket({type: 'udp4', reuseAddr: true, lookup: literalLookup})
    socket.on('message', (data, rinfo) => this.receiver(data, rinfo.address, rinfo.port))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') this.emit('unreachable', {address, port})
    })
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false))
      socket.bind({port: this.port, address: this.address}, () =>
        socket.connect(port, address, (error?: Error) => resolve(error === undefined)),
      )
    })
    if (!ok || this.closed) {
      closeQuietly(socket)
      return false
    }

    this.connected.set(key, socket)
    return true
  }

  localAddresses(): string[] {
    return localIPv4Addresses()
  }

  /**
   * Joins an IPv4 multicast group on every interface with an IPv4 address (loopback aside): a join without an
   * interface covers only the one the kernel picks. Returns where it joined and where it could not, and why.
   */
  joinMulticast(
    group: string,
    interfaces = os.networkInterfaces(),
  ): {failed: Array<{address: string; reason: string}>; joined: string[]} {
    const joined: string[] = []
    const failed: Array<{address: string; reason: string}> = []
    for (const infos of Object.values(interfaces)) {
      for (const info of infos ?? []) {
        if (info.family !== 'IPv4' || info.internal) continue
        try {
          this.socket.addMembership(group, info.address)
          joined.push(info.address)
        } catch (error) {
          failed.push({address: info.address, reason: (error as Error).message})
        }
      }
    }

    return {joined, failed}
  }

  /** Send one datagram to a dotted-quad IPv4 address; a host name is refused rather than resolved. */
  send(bytes: Uint8Array, port: number, address: string): Promise<void> {
    if (!isIPv4Address(address)) {
      return Promise.reject(
        new UsageError(
          `cannot send to ${JSON.stringify(address)}: not an IPv4 address such as 192.168.1.255`,
          'EINVALIDADDRESS',
        ),
      )
    }

    if (!isValidPort(port, false)) {
      return Promise.reject(
        new UsageError(`cannot send to ${address}:${port}: the port must be 1–65535`, 'EINVALIDPORT'),
      )
    }

    if (this.closed) {
      return Promise.reject(new NetError(`cannot send to ${address}:${port}: the socket is already closed`, 'ECLOSED'))
    }

    return new Promise((resolve, reject) => {
      const fail = (error: unknown) =>
        reject(
          error instanceof NetError
            ? error
            : describeSocketError(error as NodeJS.ErrnoException, {action: 'send', address, port}),
        )
      try {
        const connected = this.connected.get(`${address}:${port}`)
        // A connected socket reports an earlier ICMP port-unreachable on its next send: that is the answer, not a fault.
        if (connected) {
          connected.send(bytes, (error) => {
            if ((error as NodeJS.ErrnoException | null)?.code === 'ECONNREFUSED') {
              this.emit('unreachable', {address, port})
              resolve()
            } else if (error) fail(error)
            else resolve()
          })
        } else this.socket.send(bytes, port, address, (error) => (error ? fail(error) : resolve()))
      } catch (error) {
        fail(error)
      }
    })
  }
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close()
  } catch {
    // already closed
  }
}

function bindSocket(options: UdpEndpointOptions & {address: string}): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({type: 'udp4', reuseAddr: options.reuseAddr ?? true, lookup: literalLookup})
    const onError = (error: NodeJS.ErrnoException) => {
      socket.removeListener('listening', onListening)
      socket.close()
      reject(error)
    }

    const onListening = () => {
      socket.removeListener('error', onError)
      resolve(socket)
    }

    socket.once('error', onError)
    socket.once('listening', onListening)
    socket.bind({port: options.port, address: options.address})
  })
}

/** Bind a UDP socket and wrap it; bind failures reject with a NetError that says what to do. */
export async function openUdpEndpoint(options: UdpEndpointOptions): Promise<UdpEndpoint> {
  const address = options.address ?? '0.0.0.0'
  const fail = (error: unknown, port = options.port) =>
    describeSocketError(error as NodeJS.ErrnoException, {action: 'bind', address, port, portFlag: options.portFlag})

  if (!isIPv4Address(address)) {
    throw new UsageError(
      `${options.addressFlag ? `${options.addressFlag} ${address}` : `cannot bind to ${JSON.stringify(address)}`}: not an IPv4 address such as 0.0.0.0`,
      'EINVALIDADDRESS',
    )
  }

  if (!isValidPort(options.port, true)) {
    throw new UsageError(`UDP port ${options.port} is not valid: the port must be 0–65535`, 'EINVALIDPORT')
  }

  let socket: dgram.Socket
  let fellBack = false
  try {
    socket = await bindSocket({...options, address})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.fallbackToEphemeral || options.port === 0) {
      throw fail(error)
    }

    try {
      socket = await bindSocket({...options, address, port: 0})
      fellBack = true
    } catch (fallbackError) {
      throw fail(fallbackError, 0)
    }
  }

  try {
    // Only valid once bound (EBADF before).
    socket.setBroadcast(options.broadcast ?? true)
  } catch (error) {
    socket.close()
    throw fail(error)
  }

  try {
    socket.setRecvBufferSize(options.recvBufferSize ?? DEFAULT_RECV_BUFFER_SIZE)
  } catch {
    // A smaller buffer only costs datagrams under bursts; the kernel clamps without an error in most cases anyway.
  }

  return new UdpEndpoint(socket, fellBack)
}
