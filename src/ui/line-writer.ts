// Lines to a stream as they come, without a system call per line: lines gathered in one turn of the event loop
// are written together. A closed pipe (`| head -1`) ends the output quietly instead of with an EPIPE trace.
export class LineWriter {
  private buffer: string[] = []
  private scheduled = false
  private closedPipe = false

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly onClosed: () => void = () => {},
  ) {
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
    if (this.buffer.length >= 512) {
      this.flush()
    } else if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
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
