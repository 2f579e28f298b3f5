// `lanmsg listen` run live as a child process for the test/commands/listen-*.test.ts files: stdout is read as it
// comes, the process can be signalled, and every run has a hard limit. The child runs under the send guard
// (loopback only) with NO_COLOR and a state directory of its own, removed when it exits.
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {expect} from 'chai'

import {CLI_BIN} from './cli-bin.js'
import {sleep} from './ipmsg-sender.js'
import {udpSocketsOnPort} from './udp-ports.js'
import {guardedEnv} from './send-guard.js'

type Json = any

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DEV_BIN = CLI_BIN // the built CLI, kept fresh by the test setup (see cli-bin.ts)

export interface Finished {
  code: null | number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
  timedOut: boolean
  /** Date.now() when the process exited. */
  exitedAt: number
}

export interface Live {
  readonly child: ChildProcessWithoutNullStreams
  readonly port: number
  stdout(): string
  stderr(): string
  running(): boolean
  waitForStdout(test: (stdout: string) => boolean, timeoutMs?: number, what?: string): Promise<void>
  readonly done: Promise<Finished>
}

/** `node bin/dev.js …cliArgs`, or with `shell`, the bash pipeline it makes of that command line. */
function spawnCli(cliArgs: string[], env: NodeJS.ProcessEnv, shell?: (cli: string) => string) {
  if (!shell) return spawn(process.execPath, [DEV_BIN, ...cliArgs], {cwd: REPO_ROOT, env})
  const quote = (s: string) => `'${s.replaceAll("'", String.raw`'\''`)}'`
  const cli = [process.execPath, DEV_BIN, ...cliArgs].map((a) => quote(a)).join(' ')
  return spawn('bash', ['-c', shell(cli)], {cwd: REPO_ROOT, env})
}

/** Starts `node bin/dev.js listen --port <port> …args` (or, with `shell`, a bash pipeline around it). */
export function startListen(
  port: number,
  args: string[],
  opts: {timeoutMs?: number; shell?: (cli: string) => string; env?: NodeJS.ProcessEnv} = {},
): Live {
  const stateDir = mkdtempSync(join(tmpdir(), 'lanmsg-listen-test-'))
  const env = guardedEnv({NO_COLOR: '1', LANMSG_STATE_DIR: stateDir, ...opts.env})
  const child = spawnCli(['listen', '--port', String(port), ...args], env, opts.shell)
  child.stdin.end()
  const out: Buffer[] = []
  const err: Buffer[] = []
  let exited = false
  let timedOut = false
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, opts.timeoutMs ?? 60_000)
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      exited = true
      clearTimeout(timer)
      rmSync(stateDir, {force: true, recursive: true})
      const stdoutBytes = Buffer.concat(out)
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
        timedOut,
        exitedAt: Date.now(),
      })
    })
  })
  const live: Live = {
    child,
    port,
    done,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    running: () => !exited,
    async waitForStdout(test, timeoutMs = 5000, what = 'output') {
      const deadline = Date.now() + timeoutMs
      while (!test(live.stdout())) {
        if (exited || Date.now() > deadline) {
          throw new Error(`no ${what} on stdout (exited: ${exited}); stdout: ${live.stdout()} stderr: ${live.stderr()}`)
        }

        await sleep(5)
      }
    },
  }
  return live
}

export {freeUdpPort} from './udp-ports.js'

/** Resolves once lanmsg has bound its port (more than `others` sockets on it), without sending it anything. */
export async function waitBound(live: Live, others = 0): Promise<void> {
  const deadline = Date.now() + 45_000
  for (;;) {
    const n = udpSocketsOnPort(live.port)
    if (n === undefined) return sleep(3000) // no /proc: give the CLI time to start
    if (n > others) return
    if (!live.running()) throw new Error(`listen exited before binding: ${live.stderr()}`)
    if (Date.now() > deadline) throw new Error(`listen did not bind port ${live.port}: ${live.stderr()}`)
    await sleep(10)
  }
}

/** Every stdout line parsed as JSON (a line that is not JSON fails the test). */
export function ndjson(stdout: string): Json[] {
  expect(stdout.endsWith('\n'), 'stdout ends with a newline').to.equal(stdout !== '')
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((line, i) => {
      try {
        return JSON.parse(line)
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${JSON.stringify(line)}`)
      }
    })
}

/** stderr without the one line that says another socket (here the test's observer) shares the port. */
export function withoutSharedPortLine(stderr: string): string {
  return stderr.replace(/^Warning: .* also holds UDP port \d+ on this host: .*\n/, '')
}
