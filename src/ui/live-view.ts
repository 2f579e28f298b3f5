// A view redrawn in place on a terminal (listen --peers): at most a few frames a second, whatever the rate of
// changes; never taller than the screen, so that "in place" never scrolls; and no new frame while the terminal is
// still taking the last one, so that drawing can never fall behind the socket.
import {displayWidth} from './display-width.js'

export interface ScreenSize {
  columns: number
  rows: number
}

export interface LiveViewOptions {
  /** Shortest time between two frames; it grows to ten times the cost of drawing one. Default 250 ms. */
  intervalMs?: number
}

const SGR = /\u001B\[[\d;]*m/g

/** Lines the terminal uses for `text`: a line wider than the screen wraps onto more. */
function screenLines(text: string, columns: number): number {
  let lines = 0
  for (const line of text.split('\n')) lines += Math.max(1, Math.ceil(displayWidth(line.replaceAll(SGR, '')) / columns))
  return lines
}

export class LiveView {
  private drawn = 0 // screen lines of the frame on screen
  private pending = false
  private timer: NodeJS.Timeout | undefined
  private lastDraw = Number.NEGATIVE_INFINITY
  private interval: number
  private waitingForDrain = false
  private readonly minInterval: number

  /** `render` draws a frame for the screen size it is given (the full screen but the cursor's line). */
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly render: (size: ScreenSize) => string,
    opts: LiveViewOptions = {},
  ) {
    this.minInterval = opts.intervalMs ?? 250
    this.interval = this.minInterval
  }

  /** Something changed: a frame will be drawn, now or when the interval is over. */
  update(): void {
    this.pending = true
    if (this.timer || this.waitingForDrain) return
    const wait = this.lastDraw + this.interval - performance.now()
    if (wait <= 0) this.draw()
    else this.timer = setTimeout(() => this.draw(), wait)
  }

  /** Stop drawing and put `text` (the final output) where the frame was. */
  finish(text: string): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.pending = false
    this.stream.write(this.overwrite(text))
    this.drawn = 0
  }

  /**
   * `text` in place of the frame on screen: each line overwritten and cleared to its end, then the rest of the screen
   * below. Never a clear from the top of the screen, which tmux copies into the scrollback (scroll-on-clear).
   */
  private overwrite(text: string): string {
    const up = this.drawn > 0 ? `\r\u001B[${this.drawn}A` : ''
    return `${up}${text.split('\n').join('\u001B[K\n')}\u001B[K\n\u001B[J`
  }

  draw(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (!this.pending) return
    this.pending = false
    const started = performance.now()
    const columns = Math.max(1, this.stream.columns || 80)
    const size = {columns, rows: Math.max(3, (this.stream.rows || 24) - 1)}
    let frame = this.render(size)
    let lines = screenLines(frame, columns)
    if (lines > size.rows) {
      // A frame that does not fit would scroll: keep the lines that fit (a wrapped line takes several).
      const kept: string[] = []
      lines = 0
      for (const line of frame.split('\n')) {
        const taken = screenLines(line, columns)
        if (lines + taken > size.rows) break
        kept.push(line)
        lines += taken
      }

      frame = kept.join('\n')
    }

    const flushed = this.stream.write(this.overwrite(frame))
    this.drawn = lines
    this.lastDraw = performance.now()
    this.interval = Math.max(this.minInterval, 10 * (this.lastDraw - started))
    if (!flushed) {
      this.waitingForDrain = true
      this.stream.once('drain', () => {
        this.waitingForDrain = false
        if (this.pending) this.update()
      })
    }
  }
}
