// The one error type for a mistake in what the user gave: an address, a port, an interface name, a flag's value.
// It lives in the lowest layer that raises one (net checks --to, --interface and ports; cli the other flags); the
// command turns it into exit code 2 (cli/exit-codes.ts).

/** One line that says what is wrong and what to do; `code` names the check when a script may want it (--json). */
export class UsageError extends Error {
  readonly code: string | undefined

  constructor(message: string, code?: string) {
    super(message)
    this.name = 'UsageError'
    this.code = code
  }
}
