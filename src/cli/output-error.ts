// stdout that cannot take the results (a full disk, a quota, a terminal that went away): one line on stderr and
// exit code 8 (cli/exit-codes.ts), never a stack trace, never a cut-off document with exit 0.

const REASONS: Record<string, string> = {
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error (the terminal or device went away)',
  ENOSPC: 'no space left on device',
}

export class OutputError extends Error {
  readonly code = 'EOUTPUT'

  /** `target`: what could not be written (stdout, or the --write file). */
  constructor(cause: NodeJS.ErrnoException, target = 'stdout') {
    const reason = (cause.code && REASONS[cause.code]) ?? cause.message
    super(`the output could not be written to ${target}: ${reason}${cause.code ? ` (${cause.code})` : ''}`, {cause})
    this.name = 'OutputError'
  }

  /** Throws for a failed stdout, else for a failed --write file. */
  static throwIf(stdout?: NodeJS.ErrnoException, file?: NodeJS.ErrnoException, fileName?: string): void {
    if (stdout) throw new OutputError(stdout)
    if (file) throw new OutputError(file, fileName)
  }
}
