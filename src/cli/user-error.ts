/** A mistake in what the user typed: one line that says what is wrong and what to do; exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2

  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
