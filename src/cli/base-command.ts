import {Command} from '@oclif/core'

import {exitCodeOf} from './exit-codes.js'

interface ErrorLike {
  code?: string
  message?: string
  oclif?: {exit?: number}
}

/** The first line of an error message, without oclif's "See more help with --help" trailer. */
export function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('See more help with'))
  // oclif's parse errors read "Parsing --port \n\t<reason>": join them into one line.
  if (lines.length > 1 && lines[0].startsWith('Parsing --')) return `${lines[0].replace(/^Parsing /, '')}: ${lines[1]}`
  return lines.join(' ') || 'unknown error'
}

let stdioGuarded = false

/** Once per process (a test may run many commands in one). */
function guardStdio(): void {
  if (stdioGuarded) return
  stdioGuarded = true
  // Progress and warnings on a stderr that has gone (a closed terminal) are lost, not a crash mid-run.
  process.stderr.on('error', () => {})
  // oclif's own listener rethrows every stdout error but EPIPE (a full disk became a stack trace); the commands'
  // LineWriter sees the error and reports it (exit 8).
  process.stdout.removeAllListeners('error')
  process.stdout.on('error', () => {})
}

/**
 * Errors end as one clear line and an exit code, never a stack trace: a flag mistake, a port in use,
 * a network that cannot be reached. With --json they end as {"error": {...}} on stdout.
 */
export abstract class BaseCommand extends Command {
  /** A --json document already being written: an error ends it (as its `error` member) instead of starting another. */
  protected openDocument?: {fail(error: Record<string, unknown>): boolean}
  /** Runs after the command, whether it ended well or with an error (e.g. close a socket that is open). */
  protected cleanup?: () => Promise<void>

  async finally(err: Error | undefined): Promise<void> {
    await this.cleanup?.()
    await super.finally(err)
  }

  async init(): Promise<void> {
    guardStdio()
    await super.init()
  }

  /** One warning line on stderr; none with --json, whose document is the whole outcome. */
  protected warnLine(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`Warning: ${message}\n`)
  }

  async catch(err: Error & ErrorLike): Promise<void> {
    // Before parsing finished, oclif's generic code 1 is a flag mistake (e.g. "--wait can only be specified once").
    const exitCode = exitCodeOf(err) === 1 && !this.parsed ? 2 : exitCodeOf(err)
    this.parsed = true // a flag that failed to parse was still parsed: no "did not parse" warning
    const message = oneLine(err.message ?? String(err))
    process.exitCode = exitCode
    if (exitCode === 0) return // oclif's --help/--version exits travel as errors with code 0
    // stdout is what failed: the line goes to stderr, even with --json.
    if (this.jsonEnabled() && err.code !== 'EOUTPUT') {
      const error = {code: err.code, exitCode, message}
      if (!this.openDocument?.fail(error)) this.logJson({error})
      return
    }

    process.stderr.write(`Error: ${message}\n`)
  }
}
