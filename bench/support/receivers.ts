// Receivers under load, shared by the ingest and memory benchmarks: start one on a loopback port, drive a
// bounded sender at it, wait until it has drained its socket, sample it, stop it.
import {spawnSync} from 'node:child_process'
import {closeSync, mkdirSync, mkdtempSync, openSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {
  cli,
  type Bounded,
  cpuTimeMs,
  freeUdpPort,
  PY_DIR,
  ROOT,
  python,
  receiveBufferBytes,
  sleep,
  spawnBounded,
  udpSockets,
  waitFor,
} from './proc.js'

export type ReceiverKind = 'lanmsg' | 'python'

export interface Receiver {
  kind: ReceiverKind
  port: number
  proc: Bounded
  /** Where the lines go (undefined for /dev/null). */
  outFile?: string
  /** CPU time when it was ready: start-up is not counted as ingest. */
  cpuAtReadyMs: number
  /** The socket's receive buffer as the kernel sized it (bytes), when `ss` is there to ask. */
  receiveBuffer?: number
  dispose: () => void
}

let scratch: string | undefined
function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'lanmsg-bench-'))
  mkdirSync(scratch, {recursive: true})
  return scratch
}

export function removeScratch(): void {
  if (scratch) rmSync(scratch, {recursive: true, force: true})
  scratch = undefined
}

process.once('exit', removeScratch)

/**
 * Starts `lanmsg listen --ndjson` (stdout to a file, or to /dev/null) or the Python baseline on a free loopback
 * port and waits until its socket is bound. Killed after maxSeconds whatever happens.
 */
// eslint-disable-next-line max-lines-per-function -- one start in order: command, spawn, wait for the bind, handle
export async function startReceiver(
  kind: ReceiverKind,
  options: {maxSeconds: number; toDevNull?: boolean},
): Promise<Receiver> {
  const port = await freeUdpPort()
  const outFile = options.toDevNull ? undefined : join(scratchDir(), `${kind}-${port}.out`)
  let proc: Bounded
  let fd: number | undefined
  if (kind === 'lanmsg') {
    fd = openSync(outFile ?? '/dev/null', 'w')
    proc = spawnBounded(
      process.execPath,
      // --duration bounds it even if the benchmark forgets to stop it.
      [
        cli.bin,
        'listen',
        '--ndjson',
        '--port',
        String(port),
        '--address',
        '127.0.0.1',
        '--duration',
        `${options.maxSeconds}s`,
      ],
      {stdio: ['ignore', fd, 'pipe'], timeoutMs: (options.maxSeconds + 10) * 1000},
    )
  } else {
    const out = outFile ?? '/dev/null'
    proc = spawnBounded(
      python(),
      [
        join(PY_DIR, 'recv_baseline.py'),
        '--port',
        String(port),
        '--out',
        out,
        '--max-seconds',
        String(options.maxSeconds),
      ],
      {stdio: ['ignore', 'pipe', 'pipe'], timeoutMs: (options.maxSeconds + 10) * 1000},
    )
  }

  const dispose = () => {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
    if (outFile) rmSync(outFile, {force: true})
  }

  try {
    await waitFor(
      () => udpSockets(port).length > 0 || proc.child.exitCode !== null,
      30_000,
      `${kind} to bind UDP port ${port}`,
    )
    if (proc.child.exitCode !== null) throw new Error(`${kind} receiver exited at once: ${proc.stderr().slice(0, 300)}`)
    // Bound is not ready: wait until it has finished starting up (it stops using CPU) before traffic starts.
    await waitIdle(proc.child.pid!, 200, 20_000)
  } catch (error) {
    await proc.stop(1000)
    dispose()
    throw error
  }

  return {
    kind,
    port,
    proc,
    outFile,
    cpuAtReadyMs: cpuTimeMs(proc.child.pid!) ?? 0,
    receiveBuffer: receiveBufferBytes(port),
    dispose,
  }
}

/** Waits until a process has used no CPU for quietMs. */
export async function waitIdle(pid: number, quietMs: number, timeoutMs: number): Promise<void> {
  let last = cpuTimeMs(pid)
  let quietSince = Date.now()
  await waitFor(
    () => {
      const cpu = cpuTimeMs(pid)
      if (cpu === undefined) return true
      if (cpu !== last) {
        last = cpu
        quietSince = Date.now()
        return false
      }

      return Date.now() - quietSince >= quietMs
    },
    timeoutMs,
    `process ${pid} to settle`,
    20,
  )
}

/** Waits until the receiver's socket queue is empty and it stops using CPU (it has handled what arrived). */
export async function waitDrained(receiver: Receiver, timeoutMs = 60_000): Promise<void> {
  const pid = receiver.proc.child.pid!
  let last = cpuTimeMs(pid)
  let quietSince = Date.now()
  await waitFor(
    () => {
      const cpu = cpuTimeMs(pid)
      const queued = udpSockets(receiver.port).reduce((n, s) => n + s.rxQueue, 0)
      if (cpu === undefined) return true // it is gone: nothing more will come
      if (cpu !== last || queued > 0) {
        last = cpu
        quietSince = Date.now()
        return false
      }

      return Date.now() - quietSince >= 300
    },
    timeoutMs,
    `${receiver.kind} to drain its socket`,
    50,
  )
}

export interface SendResult {
  sent: number
  errors: number
  seconds: number
  rate: number
  method: string
}

export interface SenderOptions {
  port: number
  count: number
  /** Datagrams per second; 0 for one burst as fast as the sender can. */
  rate: number
  templateHex: string
  /** Distinct loopback source addresses (0: one socket, one source). */
  sources?: number
  /** Pause every `chunk` datagrams and call onChunk before going on. */
  chunk?: number
  onChunk?: (sentSoFar: number) => Promise<void>
  /** bench/c/udp_flood.c compiled (cFlood()): faster than the Python sender; no chunks. */
  cSender?: string
}

let flood: null | string | undefined
/** bench/c/udp_flood.c, compiled once into the scratch directory; undefined when no C compiler could. */
export function cFlood(): string | undefined {
  if (flood === undefined) {
    const out = join(scratchDir(), 'udp_flood')
    const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', out, join(ROOT, 'bench', 'c', 'udp_flood.c')], {
      stdio: 'ignore',
      timeout: 60_000,
    })
    flood = cc.status === 0 ? out : null
  }

  return flood ?? undefined
}

/** Runs bench/py/udp_send.py (or the C sender) to completion. */
export async function send(options: SenderOptions): Promise<SendResult> {
  if (options.cSender) {
    const {count, rate, templateHex, sources = 0} = options
    const args = [options.port, count, rate, templateHex, sources, 120].map(String)
    const sender = spawnBounded(options.cSender, args, {stdio: ['ignore', 'pipe', 'pipe'], timeoutMs: 180_000})
    const exit = await sender.exited
    const result = JSON.parse(sender.stdout().trim().split('\n').at(-1) || '{}') as SendResult
    if (exit.code !== 0 || result.sent !== count)
      throw new Error(`udp_flood failed (exit ${exit.code}): ${sender.stderr().slice(0, 300)}`)
    return result
  }

  const args = [
    join(PY_DIR, 'udp_send.py'),
    '--port',
    String(options.port),
    '--count',
    String(options.count),
    '--rate',
    String(options.rate),
    '--template',
    options.templateHex,
    '--sources',
    String(options.sources ?? 0),
    '--chunk',
    String(options.chunk ?? 0),
    '--max-seconds',
    '120',
  ]
  const sender = spawnBounded(python(), args, {stdio: ['pipe', 'pipe', 'pipe'], timeoutMs: 600_000})
  let handled = 0
  const lines = () => sender.stdout().split('\n').filter(Boolean)
  while (sender.child.exitCode === null && sender.child.signalCode === null) {
    const pending = lines().slice(handled)
    for (const line of pending) {
      handled++
      const message = JSON.parse(line) as {progress?: number}
      if (message.progress !== undefined) {
        await options.onChunk?.(message.progress)
        sender.child.stdin?.write('\n')
      }
    }

    await sleep(5)
  }

  const exit = await sender.exited
  const last = lines().at(-1)
  if (exit.code !== 0 || !last)
    throw new Error(`udp_send.py failed (exit ${exit.code}): ${sender.stderr().slice(0, 300)}`)
  const result = JSON.parse(last) as SendResult
  if (result.sent !== options.count) throw new Error(`udp_send.py sent ${result.sent} of ${options.count} datagrams`)
  return result
}

/** lanmsg's own count from its summary line on stderr ("N datagrams received, …"). */
export function reportedReceived(stderr: string): number | undefined {
  const match = /(\d+) datagrams? received/.exec(stderr)
  return match ? Number(match[1]) : undefined
}
