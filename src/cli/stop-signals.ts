// The signals that end a run: Ctrl-C (SIGINT), kill (SIGTERM) and a closed terminal (SIGHUP). Each ends the run
// the same orderly way: stop waiting, send the goodbye, write what was collected.
import {constants} from 'node:os'

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
export type StopSignal = (typeof STOP_SIGNALS)[number]

/** The exit code of a run cut short by a signal: 128 + its number, as a shell reports a program it killed. */
export function interruptedExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal]
}

export interface StopSignals {
  /** The first stop signal that came, if one did. */
  readonly signal: StopSignal | undefined
  /** Removes the handlers. */
  remove(): void
}

/**
 * Calls `stop` on the first stop signal; a second Ctrl-C exits at once (128 + 2); after a hangup the process ends
 * by SIGHUP once everything is done (see endBySignal). process.on, not once: listr2's renderer loads signal-exit,
 * which re-raises a signal when it finds itself the only listener left — with `once` ours was gone by then, and
 * Ctrl-C killed the process.
 */
export function onStopSignal(stop: (signal: StopSignal) => void): StopSignals {
  let first: StopSignal | undefined
  const handle = (signal: StopSignal) => {
    if (first === undefined) {
      first = signal
      if (signal === 'SIGHUP') process.once('exit', () => endBySignal(signal))
      stop(signal)
    } else if (signal === 'SIGINT') {
      process.exit(interruptedExitCode(signal)) // the user insists: leave without finishing
    }
    // a repeated SIGHUP or SIGTERM (a closing terminal sends more than one) changes nothing
  }

  for (const signal of STOP_SIGNALS) process.on(signal, handle)
  return {
    get signal() {
      return first
    },
    remove() {
      for (const signal of STOP_SIGNALS) process.removeListener(signal, handle)
    },
  }
}

/**
 * Ends the process by this signal, as if it had not been handled (the shell sees 128 + its number). Used at the
 * exit after a hangup, when all is written: Node 20 aborts (SIGABRT) at a normal exit when the terminal it started
 * on has gone, because restoring the terminal's modes then fails with EIO.
 */
function endBySignal(signal: StopSignal): void {
  process.exitCode = interruptedExitCode(signal) // if the signal cannot end it, the code says the same
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
}
