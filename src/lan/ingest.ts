// Reading and processing, decoupled. Each datagram is only queued when it is read (with its receive time); it is
// processed (decoded, shown, answered) later, in turns of the event loop, a few hundred at a time, so that libuv
// goes back to the socket in between. Processing inside the read callback let the kernel's receive buffer
// overflow whenever a burst came faster than lanmsg could decode and print: most of a 100k/s flood was lost.
//
// The order of work: libuv reads at most READS_PER_TURN datagrams from a socket per turn of the event loop. A turn
// that read that many says the socket may hold more: reading comes first then, and nothing is processed (unless
// the queue is getting full). A turn that read fewer emptied the socket: then the queue is processed for up to
// turnBudgetMs. Under a flood lanmsg thus reads as fast as it can, keeps everything in the queue, and catches up
// when the flood ends; the queue is bounded, and what it refuses is counted. Where the batch-read addon is built,
// most datagrams come in batches (receiveBatch: up to 64 per system call after each one libuv reads) and count
// towards READS_PER_TURN like single reads.
import {DatagramQueue, type DatagramQueueLimits, type QueuedDatagram} from './datagram-queue.js'

export interface IngestOptions {
  /** Processes one datagram (decode, presence, output). Called in arrival order, never inside the read callback. */
  process: (datagram: QueuedDatagram) => void
  limits?: Partial<DatagramQueueLimits>
  /** The clock of receive times (default Date.now). */
  now?: () => number
  /** How long one turn may process before the event loop reads the socket again (default 1 ms). */
  turnBudgetMs?: number
}

export interface IngestStopOptions {
  /** How long stop() keeps reading datagrams that had already arrived: a flood must not hold the exit. */
  readMs: number
  /** How long it may take to process what had been read before the rest is dropped (and counted). */
  processMs: number
}

/** libuv (uv__udp_recvmsg) reads at most 32 datagrams from a socket before it goes on with the event loop. */
export const READS_PER_TURN = 32
/** While the socket is busy, nothing is processed until the queue is this full (of its count or byte limit). */
export const HIGH_WATER = 0.75
/**
 * Queued datagrams up to which a batch read that emptied the socket lets the turn process. Beyond, processing has
 * fallen behind (a flood faster than it, or a starved CPU): reads come first, as while the socket is busy, so that a
 * listener short of CPU spends it reading into the queue rather than losing datagrams in the kernel.
 */
export const CAUGHT_UP = 1024
const DEFAULT_TURN_BUDGET_MS = 1
/** Processing after the reads have stopped (stop()): larger turns, as the socket no longer matters. */
const STOP_TURN_MS = 20

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

export class Ingest {
  readonly queue: DatagramQueue
  private readonly process: (datagram: QueuedDatagram) => void
  private readonly now: () => number
  private readonly turnBudgetMs: number
  private accepting = true
  private read = 0
  private readThisTurn = 0
  private scheduled = false
  private dropped = 0
  private held = false

  constructor(options: IngestOptions) {
    this.process = options.process
    this.now = options.now ?? Date.now
    this.turnBudgetMs = options.turnBudgetMs ?? DEFAULT_TURN_BUDGET_MS
    this.queue = new DatagramQueue(options.limits)
  }

  /** Datagrams read: processed, queued, or refused by the full queue. */
  get received(): number {
    return this.read
  }

  /** Datagrams read but still queued when stop() ran out of time: never processed. */
  get unprocessed(): number {
    return this.dropped
  }

  /**
   * Stops processing until resume(): the output is backed up (a slow reader of stdout). Reading goes on into the
   * bounded queue, which counts what it refuses, so a stalled reader costs datagrams, not memory.
   */
  hold(): void {
    this.held = true
  }

  resume(): void {
    this.held = false
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true
      setImmediate(this.turn)
    }
  }

  /** The read callback: queue the datagram, and schedule processing. Ignored once stop() has stopped reading. */
  receive(data: Uint8Array, address: string, port: number): void {
    if (!this.accepting) return
    this.read++
    this.readThisTurn++
    this.queue.push(data, address, port, this.now())
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.turn)
    }
  }

  /**
   * The batch read callback (UdpEndpoint's DatagramBatchReceiver): queue `count` datagrams from `bytes`. A read that
   * emptied the socket (`drained`) leaves it idle, however many it brought (a paced read brings what came in a
   * millisecond): this turn may process, unless processing has fallen behind (more than CAUGHT_UP queued).
   */
  receiveBatch(bytes: Uint8Array, meta: Int32Array, count: number, drained = false): void {
    if (!this.accepting) return
    const receivedAt = this.now()
    const {queue} = this
    for (let i = 0, m = 0; i < count; i++, m += 4) {
      queue.pushBytes(bytes, meta[m], meta[m + 1], meta[m + 2], meta[m + 3], receivedAt)
    }

    this.read += count
    this.readThisTurn = drained && queue.length <= CAUGHT_UP ? 0 : this.readThisTurn + count
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.turn)
    }
  }

  /**
   * Reads on while the socket still brings datagrams (a signal can be handled before the reads of datagrams that
   * arrived earlier) for at most readMs, then stops reading and processes everything read, for at most processMs.
   * Resolves with the number of datagrams left unprocessed (also in `unprocessed`).
   */
  async stop(options: IngestStopOptions): Promise<number> {
    const readUntil = performance.now() + options.readMs
    let seen: number
    do {
      seen = this.read
      // One turn is two immediates: one scheduled from the poll phase (a signal's) runs before the next poll.
      await nextTurn()
      await nextTurn()
    } while (this.read !== seen && performance.now() < readUntil)

    this.accepting = false
    const processUntil = performance.now() + options.processMs
    while (this.queue.length > 0) {
      const left = processUntil - performance.now()
      if (left <= 0) break
      if (this.held) {
        await new Promise((resolve) => setTimeout(resolve, 5)) // the output drains first
        continue
      }

      this.processFor(Math.min(left, STOP_TURN_MS))
      await nextTurn() // the output goes out between turns
    }

    this.dropped += this.queue.clear()
    return this.dropped
  }

  /** Processes the oldest datagrams for about `ms` (the clock is read every 8 datagrams); returns how many. */
  private processFor(ms: number): number {
    const started = performance.now()
    let done = 0
    for (;;) {
      const datagram = this.queue.shift()
      if (datagram === undefined) break
      this.process(datagram)
      done++
      if ((done & 7) === 0 && performance.now() - started >= ms) break
    }

    return done
  }

  private readonly turn = (): void => {
    this.scheduled = false
    const socketBusy = this.readThisTurn >= READS_PER_TURN
    this.readThisTurn = 0
    if (this.held) return // resume() schedules the next turn
    try {
      if (!socketBusy || this.queue.fill >= HIGH_WATER) this.processFor(this.turnBudgetMs)
    } finally {
      if (this.queue.length > 0 && !this.scheduled) {
        this.scheduled = true
        setImmediate(this.turn)
      }
    }
  }
}
