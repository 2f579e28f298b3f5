// Lines to a stream as they come, without a system call per line: lines gathered in one turn of the event loop
// are written together. A closed pipe (`| head -1`) ends the output quietly instead of with an EPIPE trace; any
// other write error (a full disk, a terminal that went away) is kept in `failure` for the command to report.
//
// Each line is encoded (UTF-8) into one 64 KiB buffer as it comes, and what it holds is copied out to the stream
// when it is full or at the end of the turn: joining the lines into one string and encoding that (Buffer.from)
// cost twice as much CPU at `listen --ndjson` rates, and made a 256 KiB string and buffer every 512 lines. The
// copy is the stream's (a pipe may hold it until the reader takes it); the buffer is reused.

/** The size of a chunk; a line longer than a third of it (3 bytes a UTF-16 unit at most) is written on its own. */
const CHUNK_BYTES = 64 * 1024
const NEWLINE = 0x0a

export class LineWriter {
  private chunk: Buffer | undefined // allocated on the first line
  private used = 0
  private scheduled = false
  private closedPipe = false
  private error: NodeJS.ErrnoException | undefined

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly onClosed: () => void = () => {},
    private readonly onFailed: (error: NodeJS.ErrnoException) => void = () => {},
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => this.ended(error))
  }

  /** Bytes written that the reader has not taken yet: Node keeps them in memory while a pipe is full. */
  get pending(): number {
    return (this.stream as NodeJS.WritableStream & {writableLength?: number}).writableLength ?? 0
  }

  /** Resolves when the stream has taken what it held (or can take nothing more). */
  drained(): Promise<void> {
    if (this.closedPipe || this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.stream.removeListener('drain', done)
        this.stream.removeListener('close', done)
        this.stream.removeListener('error', done)
        resolve()
      }

      this.stream.once('drain', done)
      this.stream.once('close', done)
      this.stream.once('error', done)
    })
  }

  /**
   * A check to call after writing: when more than `limit` bytes wait for a slow reader, hold() is called, and
   * resume() once the reader has taken them.
   */
  throttle(limit: number, hold: () => void, resume: () => void): () => void {
    let held = false
    return () => {
      if (held || this.pending <= limit) return
      held = true
      hold()
      this.drained().then(() => {
        held = false
        resume()
      })
    }
  }

  /** The write error that ended the output (not a closed pipe, which is a normal end). */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.error
  }

  write(line: string): void {
    if (this.closedPipe) return
    // Room for the longest encoding and the newline; else the chunk goes out first.
    if (CHUNK_BYTES - this.used <= line.length * 3) this.flush()
    if (line.length * 3 >= CHUNK_BYTES) {
      this.send(`${line}\n`)
      return
    }

    this.chunk ??= Buffer.allocUnsafeSlow(CHUNK_BYTES)
    this.used += this.chunk.write(line, this.used)
    this.chunk[this.used++] = NEWLINE
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
  }

  /**
   * Writes a line that `encode` puts into the chunk itself (returning where it ends, or -1 when it does not fit
   * before `end`), skipping the string: false, with nothing written, when it does not fit even an empty chunk.
   */
  writeEncoded<T>(encode: (value: T, buffer: Buffer, start: number, end: number) => number, value: T): boolean {
    if (this.closedPipe) return true
    this.chunk ??= Buffer.allocUnsafeSlow(CHUNK_BYTES)
    let end = encode(value, this.chunk, this.used, CHUNK_BYTES - 1) // room for the newline
    if (end < 0) {
      if (this.used === 0) return false
      this.flush()
      if (this.closedPipe) return true
      end = encode(value, this.chunk, 0, CHUNK_BYTES - 1)
      if (end < 0) return false
    }

    this.chunk[end] = NEWLINE
    this.used = end + 1
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }

    return true
  }

  flush(): void {
    this.scheduled = false
    const {chunk, used} = this
    this.used = 0
    if (chunk === undefined || used === 0 || this.closedPipe) return
    const copy = Buffer.allocUnsafe(used) // from Node's pool when small: a turn of a few lines allocates little
    chunk.copy(copy, 0, 0, used)
    this.send(copy)
  }

  private send(data: Uint8Array | string): void {
    if (this.closedPipe) return
    try {
      this.stream.write(data)
    } catch (error) {
      this.ended(error as NodeJS.ErrnoException) // a file's write error is thrown, not emitted
    }
  }

  private ended(error: NodeJS.ErrnoException): void {
    if (this.closedPipe) return // the stream reports its end more than once (EPIPE, then destroyed)
    this.closedPipe = true
    this.used = 0
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      this.onClosed()
      return
    }

    this.error = error
    this.onFailed(error)
  }

  /**
   * Flush and wait until the stream has taken everything. A pipe closed under the last write reports EPIPE only
   * after write() returned, and then never drains: waiting for 'drain' alone left the process with nothing to do
   * and an unsettled await (exit code 13).
   */
  async end(): Promise<void> {
    this.flush()
    if (this.closedPipe) return
    const stream = this.stream as NodeJS.WritableStream & {destroyed?: boolean}
    // A file's write error is emitted a tick after write() returned: let it arrive before saying all is written.
    await new Promise((resolve) => setImmediate(resolve))
    if (this.closedPipe) return
    await new Promise<void>((resolve) => {
      let drained: boolean
      try {
        drained = stream.destroyed || stream.write('')
      } catch (error) {
        this.ended(error as NodeJS.ErrnoException)
        drained = true
      }

      if (drained) {
        resolve()
        return
      }

      const done = () => {
        stream.removeListener('drain', done)
        stream.removeListener('error', done)
        stream.removeListener('close', done)
        resolve()
      }

      stream.once('drain', done)
      stream.once('error', done)
      stream.once('close', done)
    })
  }
}
