// Tools for the hardening tests (test/hardening): a CLI process that can be watched while it runs, UDP senders
// and catchers on loopback, a seeded generator of hostile IPMsg datagrams, and helpers for "one line, no stack
// trace" checks.
//
// The network rule: from the machine's own namespace UDP goes to 127.0.0.0/8 only (the send guard enforces it
// in this process and, through guardedEnv, in every child); anything else happens in a simulated LAN
// (netns.ts) that a test builds and deletes afterwards.
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import dgram from 'node:dgram'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {guardedEnv} from './send-guard.js'
import {CLI_BIN} from './cli-bin.js'
import {udpSocketsOnPort} from './udp-ports.js'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const DEV_BIN = CLI_BIN // the built CLI, kept fresh by the test setup (see cli-bin.ts)

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

// ---------------------------------------------------------------------------------------------------------------
// Processes

export interface CliOptions {
  env?: NodeJS.ProcessEnv
  /** A command put in front of `node bin/dev.js` (e.g. a setpriv line). */
  prefix?: string[]
  /** Called with every complete stdout line (without the newline), as it arrives. */
  onLine?: (line: string) => void
  /** Keep stdout in memory (default true; a flood test that only counts lines turns it off). */
  keepStdout?: boolean
  /** Options for node itself (e.g. --max-old-space-size=64), before bin/dev.js. */
  nodeArgs?: string[]
  /** Hard limit: SIGKILL after this long (default 30 s). */
  timeoutMs?: number
}

export interface CliExit {
  code: null | number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
  elapsedMs: number
  timedOut: boolean
}

/** A running `lanmsg` (node bin/dev.js …) with its output collected. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams
  readonly exited: Promise<CliExit>
  /** Complete stdout lines seen so far (counted even when keepStdout is off). */
  lines = 0
  private readonly err: Buffer[] = []
  private readonly out: Buffer[] = []
  private partial = ''
  private readonly started = Date.now()

  constructor(args: string[], opts: CliOptions = {}) {
    const prefix = opts.prefix ?? []
    const argv = [...prefix, process.execPath, ...(opts.nodeArgs ?? []), DEV_BIN, ...args]
    this.child = spawn(argv[0], argv.slice(1), {
      cwd: REPO_ROOT,
      env: guardedEnv({NO_COLOR: '1', ...opts.env}),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child.stdin.on('error', () => {})
    this.child.stdin.end()
    const keep = opts.keepStdout ?? true
    this.child.stdout.setEncoding('utf8')
    this.child.stdout.on('data', (chunk: string) => {
      if (keep) this.out.push(Buffer.from(chunk, 'utf8'))
      const text = this.partial + chunk
      const parts = text.split('\n')
      this.partial = parts.pop()!
      for (const line of parts) {
        this.lines++
        opts.onLine?.(line)
      }
    })
    this.child.stdout.on('error', () => {})
    this.child.stderr.on('data', (chunk: Buffer) => this.err.push(chunk))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      this.child.kill('SIGKILL')
    }, opts.timeoutMs ?? 30_000)
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      this.child.on('close', (code, signal) => {
        clearTimeout(timer)
        const stdoutBytes = Buffer.concat(this.out)
        resolve({
          code,
          signal,
          stdout: stdoutBytes.toString('utf8'),
          stderr: this.stderr,
          stdoutBytes,
          elapsedMs: Date.now() - this.started,
          timedOut,
        })
      })
    })
  }

  get pid(): number {
    return this.child.pid!
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString('utf8')
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** The exit code or the signal, once ended. */
  get status(): NodeJS.Signals | null | number {
    return this.child.exitCode ?? this.child.signalCode
  }

  kill(signal: NodeJS.Signals = 'SIGINT'): void {
    if (this.running) this.child.kill(signal)
  }

  /** Resolves when `condition` holds (polled every 10 ms); rejects after timeoutMs or when the process ends first. */
  async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (!this.running) throw new Error(`lanmsg exited (${this.status}) before ${what}: ${this.stderr}`)

      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
      await sleep(10)
    }
  }
}

export function startCli(args: string[], opts: CliOptions = {}): CliProcess {
  return new CliProcess(args, opts)
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliExit> {
  return new CliProcess(args, opts).exited
}

/** Resident memory of a process in KiB (VmRSS from /proc), or undefined once it has gone. */
export function vmRssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

/** A fresh LANMSG_STATE_DIR (packet numbers), removed with remove(). */
export function makeStateDir(): {dir: string; remove(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'lanmsg-hardening-'))
  return {dir, remove: () => rmSync(dir, {force: true, recursive: true})}
}

// ---------------------------------------------------------------------------------------------------------------
// Output checks

/** A line of a JavaScript stack trace, or an uncaught Node error. */
export const STACK_TRACE = /^\s{4}at |\n\s{4}at |node:internal|Uncaught|UnhandledPromiseRejection/

/** The non-empty lines of a text. */
export function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}

// ---------------------------------------------------------------------------------------------------------------
// UDP on loopback

function bindSocket(socket: dgram.Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.bind({port, address}, () => {
      socket.removeListener('error', reject)
      resolve()
    })
  })
}

/**
 * Resolves once something has bound UDP `port` (a readiness signal for a listener that prints nothing until the
 * end, such as --json); rejects at once with its stderr when `cli` ends before that.
 */
export async function waitForUdpBind(port: number, cli?: CliProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const bound = udpSocketsOnPort(port)
    if (bound === undefined) return sleep(3000) // no /proc: give the CLI time to start
    if (bound > 0) return
    if (cli && !cli.running)
      throw new Error(`lanmsg exited (${cli.status}) before binding UDP port ${port}: ${cli.stderr}`)
    if (Date.now() > deadline)
      throw new Error(`nothing bound UDP port ${port} within ${timeoutMs} ms${cli ? `; stderr: ${cli.stderr}` : ''}`)
    await sleep(10)
  }
}

export {freeUdpPort} from './udp-ports.js'

export interface Received {
  data: Buffer
  from: {address: string; port: number}
  at: number
}

/** A UDP socket on loopback that remembers everything it receives. */
export class LoopbackSocket {
  readonly received: Received[] = []

  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (data, rinfo) =>
      this.received.push({data, from: {address: rinfo.address, port: rinfo.port}, at: Date.now()}),
    )
  }

  get address(): string {
    return this.socket.address().address
  }

  get port(): number {
    return this.socket.address().port
  }

  static async open(
    address = '127.0.0.1',
    port = 0,
    opts: {reuseAddr?: boolean; broadcast?: boolean} = {},
  ): Promise<LoopbackSocket> {
    const socket = dgram.createSocket({type: 'udp4', reuseAddr: opts.reuseAddr ?? false})
    await bindSocket(socket, port, address)
    if (opts.broadcast) socket.setBroadcast(true)
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024)
    } catch {
      // the default buffer only matters under bursts
    }

    return new LoopbackSocket(socket)
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve())
      } catch {
        resolve()
      }
    })
  }

  send(data: Uint8Array | string, port: number, address = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(data, port, address, (error) => (error ? reject(error) : resolve())),
    )
  }
}

/** Counts, per window of `windowMs` ending at each event, the most events seen: a sliding-window maximum. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] > windowMs) start++
    best = Math.max(best, end - start + 1)
  }

  return best
}

/** The header of an IPMsg datagram split at the first five colons, read as latin1 (independent of lanmsg's codec). */
export function ipmsgHeader(data: Buffer): undefined | {command: number; host: string; mode: number; user: string} {
  const colons: number[] = []
  for (let i = 0; i < data.length && colons.length < 5; i++) if (data[i] === 0x3a) colons.push(i)
  if (colons.length < 5) return undefined
  const field = (k: number) => data.subarray(k === 0 ? 0 : colons[k - 1] + 1, colons[k]).toString('latin1')
  const command = Number(field(4))
  return {user: field(2), host: field(3), command, mode: command & 0xff}
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile datagrams

/** mulberry32: a small, seeded PRNG, so that a failing fuzz run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d_2b_79_f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export const MAX_UDP_PAYLOAD = 65_507

const GBK_ZHANG_SAN = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]) // 张三
const GBK_NI_HAO = Buffer.from([0xc4, 0xe3, 0xba, 0xc3]) // 你好
const FEIQIU = '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9'

/** Valid packets of every family, written byte by byte from ../shared/protocol/ipmsg.md (not with lanmsg's encoder). */
export const VALID_TEMPLATES: Buffer[] = [
  // BR_ENTRY|CAPUTF8OPT with the UTF-8 extension (§1.4)
  Buffer.from('1:100:alice:pc1:16777217:Alice\0Lab\0\nUN:alice\nHN:pc1\nNN:Alice\nGN:Lab\0'),
  Buffer.from('1:101:bob:pc2:3:Bob\0Dev\0'), // ANSENTRY
  Buffer.from('1:102:bob:pc2:2:\0'), // BR_EXIT
  Buffer.from('1:103:bob:pc2:260:Bob (away)\0Dev\0'), // BR_ABSENCE|ABSENCEOPT
  Buffer.from('1:104:alice:pc1:288:Hi\nthere\0'), // SENDMSG|SENDCHECKOPT
  Buffer.from(
    '1:105:alice:pc1:2097440:\0' + ['0:report.txt:1a2b:5f5e1000:1:\u0007', '1:a::b.txt:0:0:1:\u0007'].join(''),
  ), // +FILEATTACHOPT
  Buffer.from('1:106:bob:pc2:33:104\0'), // RECVMSG
  Buffer.from('1:107:alice:pc1:144:\0'), // GETINFO
  Buffer.from('1:108:bob:pc2:145:Win(en)Ver4.99r3\0'), // SENDINFO
  Buffer.from('1:109:alice:pc1:150:\0'), // GETABSENCEINFO
  Buffer.from('1:110:alice:pc1:8388896:你好 😀 ünïcødé\0'), // SENDMSG|SENDCHECKOPT|UTF8OPT
  Buffer.from('1_iptux 0.10.0:1:tux:lap:257:Tux\0Linux\0icon-tux.png\0utf-8\0'), // iptux BR_ENTRY|ABSENCEOPT
  Buffer.concat([Buffer.from(`${FEIQIU}:1700000000:zhang:PC-01:6291457:`), GBK_ZHANG_SAN, Buffer.from('\0\0')]),
  Buffer.concat([
    Buffer.from(`${FEIQIU}:1700000001:zhang:PC-01:288:`),
    GBK_NI_HAO,
    Buffer.from('{/font;-12 0 0 0 400 0 0 0 134 3 2 1 2 x 0;}\0'),
  ]),
  Buffer.from('1:111:alice:pc1:32:Time: 12:30:45'), // colons in the text (§12 V27)
  Buffer.from('1:112:alice:pc1:1056:broadcast to all\0'), // SENDMSG|BROADCASTOPT
  Buffer.from('1:113:alice:pc1:4194592:ciphertext:abcdef\0'), // SENDMSG|SENDCHECKOPT|ENCRYPTOPT
  Buffer.from('IP2:1:pc1:ipdict-not-supported\0'),
]

const HOSTILE_NUMBERS = [
  '-1',
  '-2147483649',
  '2147483648',
  '4294967295',
  '4294967296',
  '18446744073709551616',
  '99999999999999999999999999999999999999',
  '1e308',
  '-1e308',
  'NaN',
  'Infinity',
  '0x7fffffff',
  '0b101',
  '+5',
  ' 7',
  '',
  '00000000000000000000000000000001',
  '-0',
  '١٢٣', // Arabic-Indic digits
]

const HOSTILE_SNIPPETS: Buffer[] = [
  Buffer.from([0xe4, 0xbd]), // truncated UTF-8 (你)
  Buffer.from([0xf0, 0x9f, 0x98]), // truncated 4-byte UTF-8 (😀)
  Buffer.from([0xed, 0xa0, 0x80]), // UTF-8-encoded surrogate
  Buffer.from([0xc0, 0x80]), // overlong NUL
  Buffer.from([0xd5]), // a GBK lead byte alone
  Buffer.from([0x81, 0x30]), // half a GB18030 four-byte sequence
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from('\u001B[2J\u001B[H'),
  Buffer.from('\u001B]0;pwned\u0007'),
  Buffer.from('\u001B]8;;http://example.invalid\u001B\\link\u001B]8;;\u001B\\'),
  Buffer.from('\u009B31m'),
  Buffer.from('\u202E\u2066\u200B\uFEFF'),
  Buffer.from('\0\0\0\0'),
  Buffer.from('\r\n\r\n'),
  Buffer.from('\u0007'),
]

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256)
  return bytes
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]
}

// eslint-disable-next-line max-lines-per-function -- one case per kind of mutation: a flat switch
function mutate(random: () => number, input: Buffer): Buffer {
  let data = input
  const at = () => Math.floor(random() * (data.length + 1))
  const rounds = 1 + Math.floor(random() * 4)
  for (let r = 0; r < rounds; r++) {
    switch (Math.floor(random() * 12)) {
      case 0: {
        if (data.length > 0) {
          data = Buffer.from(data)
          const i = Math.floor(random() * data.length)
          data[i] ^= 1 << Math.floor(random() * 8)
        }

        break
      }

      case 1: {
        if (data.length > 0) {
          data = Buffer.from(data)
          data[Math.floor(random() * data.length)] = Math.floor(random() * 256)
        }

        break
      }

      case 2: {
        const i = at()
        data = Buffer.concat([
          data.subarray(0, i),
          randomBytes(random, 1 + Math.floor(random() * 16)),
          data.subarray(i),
        ])
        break
      }

      case 3: {
        const i = at()
        data = Buffer.concat([
          data.subarray(0, i),
          data.subarray(Math.min(data.length, i + 1 + Math.floor(random() * 8))),
        ])
        break
      }

      case 4: {
        data = data.subarray(0, at()) // truncation, often inside a multi-byte character
        break
      }

      case 5: {
        // A header field (version, packet number, user, host, command) replaced by a hostile number.
        const fields = data.toString('latin1').split(':')
        const k = Math.floor(random() * Math.min(5, fields.length))
        fields[k] = pick(random, HOSTILE_NUMBERS)
        data = Buffer.from(fields.join(':'), 'latin1')
        break
      }

      case 6: {
        const i = at()
        data = Buffer.concat([
          data.subarray(0, i),
          Buffer.alloc(1 + Math.floor(random() * 2000), ':'),
          data.subarray(i),
        ])
        break
      }

      case 7: {
        data = Buffer.from(data)
        for (let n = Math.floor(random() * 8); n >= 0 && data.length > 0; n--)
          data[Math.floor(random() * data.length)] = 0
        break
      }

      case 8: {
        const i = at()
        data = Buffer.concat([data.subarray(0, i), pick(random, HOSTILE_SNIPPETS), data.subarray(i)])
        break
      }

      case 9: {
        // Any command word: every mode with random options.
        const fields = data.toString('latin1').split(':')
        if (fields.length > 4) fields[4] = String(Math.floor(random() * 4_294_967_296))
        data = Buffer.from(fields.join(':'), 'latin1')
        break
      }

      case 10: {
        const copies = 2 + Math.floor(random() * 5)
        data = Buffer.concat(Array.from({length: copies}, () => data))
        break
      }

      default: {
        // A long name or text: 80-byte limits and beyond.
        const i = at()
        data = Buffer.concat([
          data.subarray(0, i),
          Buffer.alloc(50 + Math.floor(random() * 1000), 'A'),
          data.subarray(i),
        ])
      }
    }
  }

  return data.length > MAX_UDP_PAYLOAD ? data.subarray(0, MAX_UDP_PAYLOAD) : data
}

/**
 * The i-th hostile datagram of a seeded stream: the first ones are fixed edge cases (empty, each single byte value,
 * the largest datagram of NULs, colons, 0xff), then random bytes (mostly small, some up to 65,507 bytes), colon
 * storms, and mutations of valid packets of every family.
 */
export function hostileDatagram(random: () => number, i: number): Buffer {
  if (i === 0) return Buffer.alloc(0)
  if (i <= 256) return Buffer.from([i - 1])
  if (i === 257) return Buffer.alloc(MAX_UDP_PAYLOAD, 0)
  if (i === 258) return Buffer.alloc(MAX_UDP_PAYLOAD, ':')
  if (i === 259) return Buffer.alloc(MAX_UDP_PAYLOAD, 0xff)
  if (i === 260) return Buffer.concat([Buffer.from('1:1:u:h:32:'), Buffer.alloc(MAX_UDP_PAYLOAD - 11, 0xe4)])
  if (i < 260 + VALID_TEMPLATES.length * 4) return VALID_TEMPLATES[i % VALID_TEMPLATES.length]
  const r = random()
  if (r < 0.25) return randomBytes(random, Math.floor(random() * 65))
  if (r < 0.35) return randomBytes(random, Math.floor(random() * 1501))
  if (r < 0.353) return randomBytes(random, 8192 + Math.floor(random() * (MAX_UDP_PAYLOAD - 8192 + 1)))
  if (r < 0.37) return Buffer.alloc(1 + Math.floor(random() * 5000), ':') // thousands of colons
  if (r < 0.4) {
    // Valid header, every byte value in the body.
    return Buffer.concat([
      Buffer.from(`1:${i}:u:h:${Math.floor(random() * 4_294_967_296)}:`),
      randomBytes(random, Math.floor(random() * 200)),
    ])
  }

  return mutate(random, pick(random, VALID_TEMPLATES))
}
