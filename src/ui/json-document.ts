// A `--json` document written while it is produced: the records of its one long array go out as they come, one a
// line, and the other fields at the end. Memory stays bounded however many records there are, a record too big
// for one string cannot take the others with it, and the document is valid JSON once end() has run.
import type {LineWriter} from './line-writer.js'

function members(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`)
    .join(',')
}

export class JsonDocument {
  private begun = false
  private ended = false
  /** The last record, held until the next one says whether it needs a comma. */
  private pending: string | undefined

  constructor(
    private readonly out: LineWriter,
    private readonly arrayKey: string,
    /** Fields written before the array (known at the start). */
    private readonly head: Record<string, unknown> = {},
  ) {}

  /** Adds one record, already JSON text (one line). */
  add(json: string): void {
    if (this.ended) return
    this.begin()
    if (this.pending !== undefined) this.out.write(`${this.pending},`)
    this.pending = json
  }

  /** Closes the array and the document with these fields. */
  end(tail: Record<string, unknown>): void {
    this.close(tail)
  }

  /** Closes a started document with an `error` member; false when nothing was written yet (then the caller reports). */
  fail(error: Record<string, unknown>): boolean {
    if (!this.begun || this.ended) return false
    this.close({error})
    return true
  }

  private begin(): void {
    if (this.begun) return
    this.begun = true
    const head = members(this.head)
    this.out.write(`{${head}${head ? ',' : ''}${JSON.stringify(this.arrayKey)}:[`)
  }

  private close(tail: Record<string, unknown>): void {
    if (this.ended) return
    this.begin()
    this.ended = true
    if (this.pending !== undefined) this.out.write(this.pending)
    this.pending = undefined
    const rest = members(tail)
    this.out.write(`]${rest ? ',' : ''}${rest}}`)
    this.out.flush()
  }
}
