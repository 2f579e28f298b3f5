// Where an announce's outcome goes on stdout: the report at the end (with progress on stderr meanwhile), (--json) a
// document whose replies are written as they arrive, so that a flood of replies costs no memory, or (--ndjson) one
// line per reply as it arrives and the summary line on stderr. A closed pipe or a failed write ends the
// wait (the goodbye is still sent); the failure is kept for the command to report (exit 8).
import type {Announcer, AnnounceResult, SweepPlan} from '../lan/announce.js'
import type {Target} from '../net/targets.js'

import {
  announceJsonHead,
  announceJsonTail,
  renderAnnounceReport,
  summaryLine,
  toReplyRecord,
} from './announce-report.js'
import {colorEnabled} from './color.js'
import {listedEntries, listedLines} from './host-list-report.js'
import {JsonDocument} from './json-document.js'
import {LineWriter} from './line-writer.js'

export interface AnnounceOutputOptions {
  json: boolean
  ndjson?: boolean
  targets: Target[]
  /** --sweep: its progress bar while the ranges are probed. */
  sweep?: SweepPlan
  wide?: boolean
  /** One warning line on stderr (the command's: none with --json). */
  warn: (message: string) => void
  /** Said once the socket is bound (not when the bind fails: that error is the news). */
  notice?: string
  /** Injected for tests. */
  stdout?: NodeJS.WriteStream
  stderr?: NodeJS.WritableStream
}

type ShowProgress = typeof import('./announce-progress.js').showAnnounceProgress

export class AnnounceOutput {
  private readonly out: LineWriter
  private readonly stdout: NodeJS.WriteStream
  private readonly stderr: NodeJS.WritableStream
  private document: JsonDocument | undefined

  constructor(
    private readonly announcer: Announcer,
    private readonly options: AnnounceOutputOptions,
    private readonly progress?: ShowProgress,
  ) {
    const {notice} = options
    if (notice) announcer.once('bound', () => options.warn(notice))
    this.stdout = options.stdout ?? process.stdout
    this.stderr = options.stderr ?? process.stderr
    this.out = new LineWriter(
      this.stdout,
      () => announcer.abort(),
      () => announcer.abort(),
    )
    if (options.ndjson) announcer.on('reply', (reply) => this.out.write(JSON.stringify(toReplyRecord(reply))))
    if (!options.json) return
    announcer.once('bound', (local) => {
      this.document = new JsonDocument(this.out, 'replies', announceJsonHead({local, targets: options.targets}))
    })
    announcer.on('reply', (reply) => this.document?.add(JSON.stringify(toReplyRecord(reply))))
  }

  /** The output for these options; the report's progress module is loaded before the run can emit anything. */
  static async open(announcer: Announcer, options: AnnounceOutputOptions): Promise<AnnounceOutput> {
    const progress = options.json || options.ndjson ? undefined : await import('./announce-progress.js')
    return new AnnounceOutput(announcer, options, progress?.showAnnounceProgress)
  }

  /** Replies the announcer must keep for the output: none when they are written as they arrive. */
  get maxReplies(): number | undefined {
    return this.options.json ? 0 : undefined
  }

  /** The write error that ended the output, if one did. */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.out.failure
  }

  /** Ends a document already begun with this error (see BaseCommand.openDocument). */
  fail(error: Record<string, unknown>): boolean {
    return this.document?.fail(error) ?? false
  }

  /** The run's outcome; with the report, its progress is drawn on stderr while the run lasts. */
  async follow(run: Promise<AnnounceResult>, interrupted: () => string | undefined): Promise<AnnounceResult> {
    if (!this.progress) return run
    const {targets, sweep, warn} = this.options
    return this.progress(this.announcer, run, {targets: targets.length, sweep, warn, interrupted})
  }

  /** Writes the outcome; then, unless stdout failed, the warnings about it and `explanation` (on stderr). */
  async finish(result: AnnounceResult, explanation: string[] = []): Promise<void> {
    await this.write(result)
    if (this.failure) return
    if (result.local.fellBack) this.options.warn(`replies were collected on port ${result.local.port}, not 2425`)
    for (const line of explanation) this.stderr.write(`${line}\n`)
  }

  private async write(result: AnnounceResult): Promise<void> {
    if (this.options.json) {
      this.document ??= new JsonDocument(this.out, 'replies', announceJsonHead(result))
      this.document.end({...announceJsonTail(result), repliesDropped: 0})
    } else if (this.options.ndjson) {
      for (const line of listedLines(listedEntries(result) ?? [])) this.out.write(line)
      await this.out.end()
      this.stderr.write(`${summaryLine(result)}\n`)
      return
    } else {
      // Cut to the terminal's width only on a terminal: into a pipe or a file every text is whole.
      const width = this.stdout.isTTY && !this.options.wide ? this.stdout.columns : undefined
      const report = renderAnnounceReport(result, {color: colorEnabled(this.stdout), width, wide: this.options.wide})
      this.out.write(report)
    }

    await this.out.end()
  }
}
