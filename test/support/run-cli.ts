// Runs the built CLI (bin/run.js, kept fresh by the test setup: see cli-bin.ts) in a child process and captures what it prints and how it exits.
// The child gets the network guard through guardedEnv(): it may send UDP to loopback only.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {guardedEnv} from './send-guard.js'
import {CLI_BIN} from './cli-bin.js'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DEV_BIN = CLI_BIN // the built CLI, kept fresh by the test setup (see cli-bin.ts)

export interface RunCliOptions {
  /** Extra environment (merged over process.env, then guarded). */
  env?: NodeJS.ProcessEnv
  /** Hard limit: the child is killed (SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number
  /** Written to the child's stdin, which is then closed. */
  input?: Buffer | string
}

export interface RunCliResult {
  code: null | number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout as bytes, to look for control bytes exactly. */
  stdoutBytes: Buffer
  /** Wall-clock time from spawn to exit, in milliseconds. */
  elapsedMs: number
  /** Date.now() when the child had exited (to compare with when a peer heard something). */
  endedAt: number
  timedOut: boolean
}

export function runCli(args: string[], opts: RunCliOptions = {}): Promise<RunCliResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEV_BIN, ...args], {
      cwd: REPO_ROOT,
      env: guardedEnv({NO_COLOR: '1', ...opts.env}),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdoutBytes = Buffer.concat(out)
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
        elapsedMs: Date.now() - started,
        endedAt: Date.now(),
        timedOut,
      })
    })
    child.stdin.on('error', () => {}) // the child may exit before reading its input
    child.stdin.end(opts.input ?? '')
  })
}

/** A fresh directory for LANMSG_STATE_DIR (packet numbers), removed with `remove()`. */
export function makeStateDir(): {dir: string; remove(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'lanmsg-test-state-'))
  return {dir, remove: () => rmSync(dir, {force: true, recursive: true})}
}
