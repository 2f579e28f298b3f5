// Lines to a stream as they come, without a system call per line: on a terminal, lines gathered in one turn of
// the event loop are written together; into a file or a pipe, those of up to BATCH_MS (a turn often holds one
// datagram, and a write per datagram cost listen --ndjson more than decoding it). A closed pipe (`| head -1`)
// ends the output quietly instead of with an EPIPE trace.
const BATCH_MS = 10
const BATCH_LINES = 512

export class LineWriter {
  private buffer: string[] = []
  private scheduled = false
  private closedPipe = false
  private readonly interactive: boolean
  private readonly flushLater = () => this.flush()

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly onClosed: () => void = () => {},
  ) {
    this.interactive = (stream as NodeJS.WritableStream & {isTTY?: boolean}).isTTY === true
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
        this.closedPipe = true
        this.buffer = []
        this.onClosed()
        return
      }

      throw error
    })
  }

  get closed(): boolean {
    return this.closedPipe
  }

  write(line: string): void {
    if (this.closedPipe) return
    this.buffer.push(line)
    if (this.buffer.length >= BATCH_LINES) {
      this.flush()
    } else if (!this.scheduled) {
      this.scheduled = true
      if (this.interactive) setImmediate(this.flushLater)
      else setTimeout(this.flushLater, BATCH_MS)
    }
  }

  flush(): void {
    this.scheduled = false
    if (this.buffer.length === 0 || this.closedPipe) return
    const text = this.buffer.join('\n') + '\n'
    this.buffer = []
    this.stream.write(text)
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
    await new Promise<void>((resolve) => {
      if (stream.destroyed || stream.write('')) {
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
