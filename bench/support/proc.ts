// Spawning, timing and /proc sampling for the benchmarks. Linux only (/proc), as the benchmarks are.
import {type ChildProcess, spawn, spawnSync, type StdioOptions} from 'node:child_process'
import dgram from 'node:dgram'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/**
 * The built CLI, as users run it: bin/run.js, or the snapshot of it that run.ts takes (see stageCli) so that
 * a build or a test run beside the benchmark cannot change it halfway.
 */
export const cli = {bin: join(ROOT, 'bin', 'run.js')}
export const PY_DIR = join(ROOT, 'bench', 'py')

/** Every process the benchmarks started and that may still run: killed (by pid) when the benchmark ends. */
const live = new Set<ChildProcess>()

export function killStragglers(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }

  live.clear()
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export interface SyncRun {
  code: null | number
  signal: null | string
  stdout: string
  stderr: string
  /** Wall time from spawn to exit. */
  ms: number
}

/** Runs a command to completion (killed after timeoutMs) and measures its wall time. */
export function runTimed(command: string, args: string[], timeoutMs = 30_000, env?: NodeJS.ProcessEnv): SyncRun {
  const started = performance.now()
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: env ?? process.env,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  })
  const ms = performance.now() - started
  if (result.error && (result.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw result.error
  return {code: result.status, signal: result.signal, stdout: result.stdout ?? '', stderr: result.stderr ?? '', ms}
}

export interface Bounded {
  child: ChildProcess
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<{code: null | number; signal: NodeJS.Signals | null}>
  stdout: () => string
  stderr: () => string
  /** SIGINT, then SIGKILL if it is still running after graceMs. */
  stop: (graceMs?: number) => Promise<{code: null | number; signal: NodeJS.Signals | null}>
}

/** Starts a long-running process that is SIGKILLed after timeoutMs whatever happens (every flood is bounded). */
export function spawnBounded(
  command: string,
  args: string[],
  options: {env?: NodeJS.ProcessEnv; stdio?: StdioOptions; timeoutMs: number},
): Bounded {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'],
  })
  live.add(child)
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
  const exited = new Promise<{code: null | number; signal: NodeJS.Signals | null}>((resolve) => {
    child.once('error', () => resolve({code: null, signal: null}))
    child.once('close', (code, signal) => resolve({code, signal}))
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
  exited.then(() => {
    clearTimeout(killer)
    live.delete(child)
  })
  const stop = async (graceMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    const result = await exited
    clearTimeout(timer)
    return result
  }

  return {
    child,
    exited,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    stop,
  }
}

/** Waits until check() returns true (polled), or throws after timeoutMs naming what it waited for. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

let clockTicks: number | undefined
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'})
    clockTicks = Number(out.stdout?.trim()) || 100
  }

  return clockTicks
}

/** User + system CPU time of a running process, in milliseconds (undefined once it is gone). */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    return ((utime + stime) * 1000) / ticksPerSecond()
  } catch {
    return undefined
  }
}

/** Resident set size now and its peak (VmHWM), in MiB. */
export function memoryMiB(pid: number): undefined | {hwm: number; rss: number} {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
    return {rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024}
  } catch {
    return undefined
  }
}

export interface UdpSocketInfo {
  port: number
  rxQueue: number
  drops: number
}

/**
 * UDP sockets bound to `port`, from /proc/net/udp of the namespace of `pid` (or of this process).
 * rxQueue is the bytes waiting in the receive buffer; drops counts datagrams the kernel dropped.
 */
export function udpSockets(port: number, pid: number | 'self' = 'self'): UdpSocketInfo[] {
  let table: string
  try {
    table = readFileSync(`/proc/${pid}/net/udp`, 'utf8')
  } catch {
    return []
  }

  const found: UdpSocketInfo[] = []
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 13) continue
    const localPort = Number.parseInt(cols[1].split(':')[1], 16)
    if (localPort !== port) continue
    const rxQueue = Number.parseInt(cols[4].split(':')[1], 16)
    found.push({port, rxQueue, drops: Number(cols.at(-1))})
  }

  return found
}

/** A UDP port on 127.0.0.1 that nothing is bound to right now. */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => resolve())
  })
  const {port} = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

/** Number of lines ('\n') in a file, read in chunks. */
export function countLines(path: string): number {
  const data = readFileSync(path)
  let lines = 0
  let at = data.indexOf(10)
  while (at !== -1) {
    lines++
    at = data.indexOf(10, at + 1)
  }

  return lines
}

export function python(): string {
  return process.env.PYTHON ?? 'python3'
}

export function hasPython(): boolean {
  const result = spawnSync(python(), ['-c', 'import ctypes, socket'], {stdio: 'ignore'})
  return result.status === 0
}

/** The receive buffer the kernel gave the UDP socket bound to `port` (`ss` skmem rb), in bytes, if `ss` can tell. */
export function receiveBufferBytes(port: number): number | undefined {
  const out = spawnSync('ss', ['-uamnH', `sport = :${port}`], {encoding: 'utf8'})
  const match = /\brb(\d+)/.exec(out.stdout ?? '')
  return match ? Number(match[1]) : undefined
}
