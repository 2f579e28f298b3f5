// Polling for a condition in tests that watch other processes (a capture file growing, a line printed).

export interface WaitOptions {
  timeoutMs?: number
  /** A process whose early exit means the condition can no longer come true: fail at once, saying how it ended. */
  process?: {exited: boolean; describe(): string}
}

/** Resolves once `ready()` is true; rejects after the timeout (default 20 s) or when `process` has exited. */
export async function waitUntil(ready: () => boolean, what: string, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000)
  while (!ready()) {
    if (options.process?.exited) throw new Error(`no ${what}: ${options.process.describe()}`)
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
