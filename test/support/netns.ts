// A simulated LAN for end-to-end tests, built as root with iproute2 network namespaces.
//
// Topology of one LAN (every name starts with the run prefix `lm-<pid>-<random>-<lan>`):
//
//   namespace …-b0  the switch: bridge br0 (up, no STP) with one port per host (h0e0, h1e0, …)
//   namespace …-hN  one host: lo up; eth0 = the veth peer of hNe0 in …-b0, address 10.201.X.(10+N)/24 with
//                   broadcast 10.201.X.255; a default route "dev eth0", so that 255.255.255.255 has a route
//   namespace …-b1  optional second switch for 10.202.X.0/24; a host joined to both switches has eth0 on the
//                   first and eth1 on the second (its default route stays on eth0)
//   namespace …-r   optional router (`router`): ethS on switch S with 10.(201+S).X.1, forwarding unicast between
//                   the subnets; every host's default route goes through it. Like any Linux router it forwards no
//                   broadcast (directed broadcasts only with bc_forwarding, which stays 0; 255.255.255.255 never)
//   namespace …-fN  optional responder-farm hosts (`farm`): one address each on a switch, taken from the free ones
//                   of its /24 (.2 up); startFarm() runs one process with a socket on UDP 2425 in each of them
//
// Nothing is created in the machine's own namespace: each veth pair is created with one end directly in the
// host's namespace and the other in the switch's, so deleting the namespaces deletes every veth and bridge too.
// X is chosen per LAN. Broadcasts (directed and 255.255.255.255) stay inside the switch namespace: the
// machine's own network never sees them. Programs inside run with the send guard, which lets them send there (see namespaceEnv).
//
// `destroy()` kills what exec() started and deletes the namespaces; leftovers of crashed runs (namespaces whose
// owning test process is gone) are swept on the first use in a process, and a process exit handler cleans up
// LANs that were never destroyed, also on SIGINT/SIGTERM/SIGHUP.
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {randomBytes, randomInt} from 'node:crypto'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {Suite} from 'mocha'

import {guardedEnv} from './send-guard.js'
import {CLI_BIN} from './cli-bin.js'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DEV_BIN = CLI_BIN // the built CLI, kept fresh by the test setup (see cli-bin.ts)

const NAME_PREFIX = 'lm-'
/** `lm-<pid>-<random>-`: the pid tells a sweep whether the run that made a namespace is still alive. */
const RUN_PREFIX = `${NAME_PREFIX}${process.pid}-${randomBytes(2).toString('hex')}-`
const LEFTOVER = /^lm-(\d+)-[\da-f]{4}-/
/** Temporary directories (the hosts' LANMSG_STATE_DIR): `lanmsg-netns-<pid>-XXXXXX` in the temp dir. */
const TEMP_PREFIX = 'lanmsg-netns-'
const LEFTOVER_TEMP = /^lanmsg-netns-(\d+)-/

export interface Availability {
  ok: boolean
  reason?: string
}

export interface HostInterface {
  /** Name inside the host's namespace: eth0, eth1. */
  name: string
  address: string
  prefix: number
  broadcast: string
  /** Index of the switch (subnet) this interface is plugged into. */
  subnet: number
}

export interface Host {
  /** h0, h1, … */
  name: string
  /** The network namespace (for `ip netns exec`). */
  ns: string
  /** The host's first address (eth0). */
  address: string
  interfaces: HostInterface[]
  /** LANMSG_STATE_DIR of this host (packet numbers). */
  stateDir: string
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Written to stdin, which is then closed (default: stdin ignored). */
  input?: string
}

export interface ExecResult {
  code: null | number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
  elapsedMs: number
}

export interface LanOptions {
  /** Number of hosts all on subnet 0, or, per host, the subnets it is plugged into (first = eth0). */
  hosts: number | number[][]
  /**
   * A router joining the subnets (see the top of this file). `prefixes[S]`: the router's prefix on subnet S
   * (default 24); a 16 makes it the gateway of a /16 that it ARPs for, as a large office VLAN's is.
   */
  router?: boolean | {prefixes?: number[]}
  /** Responder-farm hosts on each subnet: farm[S] of them on subnet S (at most 240 a subnet), for startFarm(). */
  farm?: number[]
  /** Third octet X of 10.201.X.0/24 (and 10.202.X.0/24); random by default. */
  x?: number
}

/**
 * Environment for node inside a test namespace: the send guard, which is inert there (it recognises a
 * namespace listed in /run/netns) and still protects the machine should `ip netns exec` ever run a command in
 * the machine's own namespace.
 */
export function namespaceEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return guardedEnv(extra)
}

function run(argv: string[], input?: string): Promise<{code: null | number; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
    if (input !== undefined) child.stdin!.end(input)
  })
}

/** Runs `ip …` and throws with its stderr when it fails. */
async function ip(...args: string[]): Promise<string> {
  const result = await run(['ip', ...args])
  if (result.code !== 0) throw new Error(`ip ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`)
  return result.stdout
}

/** Runs `ip [options] -batch -` with these lines (one `ip` for many commands); throws on the first failure. */
async function ipBatch(options: string[], lines: string[]): Promise<void> {
  if (lines.length === 0) return
  const result = await run(['ip', ...options, '-batch', '-'], lines.join('\n') + '\n')
  if (result.code !== 0) throw new Error(`ip -batch failed (${result.code}): ${result.stderr.trim()}`)
}

function netnsNames(): string[] {
  const result = spawnSync('ip', ['netns', 'list'], {encoding: 'utf8'})
  if (result.status !== 0) return []
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0])
    .filter(Boolean)
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

let availability: Availability | undefined
let swept = false

/**
 * Deletes namespaces named `lm-<pid>-…` (and temporary directories `lanmsg-netns-<pid>-…`) whose pid is no longer
 * running: a crashed earlier run. Those of runs still alive (e.g. a concurrent test run) are left alone. Returns
 * what it deleted.
 */
export function sweepLeftovers(): string[] {
  const removed: string[] = []
  for (const name of netnsNames()) {
    const match = LEFTOVER.exec(name)
    if (!match || name.startsWith(RUN_PREFIX)) continue
    if (processAlive(Number(match[1]))) continue
    if (spawnSync('ip', ['netns', 'del', name]).status === 0) removed.push(name)
  }

  for (const name of readdirSync(tmpdir())) {
    const match = LEFTOVER_TEMP.exec(name)
    if (!match || Number(match[1]) === process.pid || processAlive(Number(match[1]))) continue
    rmSync(join(tmpdir(), name), {force: true, recursive: true})
    removed.push(join(tmpdir(), name))
  }

  return removed
}

/** Whether this process can build a simulated LAN: root, iproute2, `ip netns add`, veth and bridge. */
export function available(): Availability {
  if (availability) return availability
  availability = probe()
  if (availability.ok && !swept) {
    swept = true
    sweepLeftovers()
  }

  return availability
}

function probe(): Availability {
  if (process.platform !== 'linux')
    return {ok: false, reason: `network namespaces need Linux (this is ${process.platform})`}
  const uid = process.getuid?.()
  if (uid !== 0) return {ok: false, reason: `not running as root (uid ${uid}); ip netns needs root`}
  const ns = `${RUN_PREFIX}probe`
  const add = spawnSync('ip', ['netns', 'add', ns], {encoding: 'utf8'})
  if (add.error) return {ok: false, reason: `cannot run ip (iproute2): ${add.error.message}`}
  if (add.status !== 0) return {ok: false, reason: `ip netns add failed: ${add.stderr.trim()}`}
  try {
    for (const args of [
      ['link', 'add', 'br0', 'type', 'bridge'],
      ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'],
      ['link', 'set', 'v0', 'master', 'br0'],
    ]) {
      const step = spawnSync('ip', ['-n', ns, ...args], {encoding: 'utf8'})
      if (step.status !== 0) return {ok: false, reason: `ip ${args.join(' ')} failed: ${step.stderr.trim()}`}
    }

    return {ok: true}
  } finally {
    spawnSync('ip', ['netns', 'del', ns])
  }
}

/**
 * For a suite's `before`: undefined when namespaces work. Otherwise, when LANMSG_REQUIRE_NETNS=1 (CI), throws with
 * the reason; else prints a visible note (once) and returns the reason, and the caller skips (`this.skip()`).
 */
let noted = false
export function netnsSkipReason(): string | undefined {
  const state = available()
  if (state.ok) return undefined
  if (process.env.LANMSG_REQUIRE_NETNS === '1') {
    throw new Error(`LANMSG_REQUIRE_NETNS=1 but network namespaces are not available: ${state.reason}`)
  }

  if (!noted) {
    noted = true
    console.log(
      `      note: skipping the simulated-LAN tests: ${state.reason} (LANMSG_REQUIRE_NETNS=1 makes this a failure)`,
    )
  }

  return state.reason
}

function tail(text: string, max = 2000): string {
  return text.length > max ? `…${text.slice(-max)}` : text
}

/** A process started inside a host namespace. */
export class NetnsProcess {
  readonly pid: number
  readonly started = Date.now()
  private closed: ExecResult | undefined
  private readonly closedPromise: Promise<ExecResult>
  private err = ''
  private out = ''
  private readonly watchers = new Set<() => void>()
  private wasTimedOut = false

  constructor(
    readonly host: Host,
    readonly argv: string[],
    private readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`could not start ${argv.join(' ')} in ${host.name}`)
    this.pid = child.pid
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.out += chunk
      this.notify()
    })
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.err += chunk
      this.notify()
    })
    this.closedPromise = new Promise((resolve) => {
      const done = (code: null | number, signal: NodeJS.Signals | null) => {
        this.closed ??= {
          code,
          signal,
          stdout: this.out,
          stderr: this.err,
          timedOut: this.wasTimedOut,
          elapsedMs: Date.now() - this.started,
        }
        this.notify()
        resolve(this.closed)
      }

      child.on('close', done)
      child.on('error', (error) => {
        this.err += `\n[spawn error] ${error.message}`
        done(null, null)
      })
    })
  }

  get exited(): boolean {
    return this.closed !== undefined
  }

  get stderr(): string {
    return this.err
  }

  get stdout(): string {
    return this.out
  }

  /** Signals the process (by its pid: `ip netns exec` execs the command, so this is the command itself). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.closed) return false
    return this.child.kill(signal)
  }

  /** Complete lines written to stdout so far. */
  lines(): string[] {
    const complete = this.out.slice(0, this.out.lastIndexOf('\n') + 1)
    return complete.split('\n').filter((line) => line.trim() !== '')
  }

  /** stdout lines parsed as JSON (NDJSON). */
  records<T = any>(): T[] {
    return this.lines().map((line) => JSON.parse(line) as T)
  }

  /** Resolves when the process has a UDP socket bound to this port (its own socket, read from /proc). */
  async waitBound(port = 2425, timeoutMs = 30_000): Promise<void> {
    const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
    await this.until(() => this.boundTo(hexPort), timeoutMs, `a UDP socket on port ${port}`, 50)
  }

  /** Resolves with the first `count` NDJSON records that match, once that many have arrived. */
  async waitForRecords<T = any>(
    predicate: (record: T) => boolean,
    count = 1,
    timeoutMs = 15_000,
    what = `${count} matching record(s)`,
  ): Promise<T[]> {
    let found: T[] = []
    await this.until(
      () => {
        found = this.lines()
          .map((line) => {
            try {
              return JSON.parse(line) as T
            } catch {
              return undefined
            }
          })
          .filter((r): r is T => r !== undefined && predicate(r))
        return found.length >= count
      },
      timeoutMs,
      what,
    )
    return found.slice(0, count)
  }

  /** Waits for the exit; after timeoutMs the process is killed (SIGKILL) and the result says timedOut. */
  async wait(timeoutMs = 20_000): Promise<ExecResult> {
    if (this.closed) return this.closed
    const timer = setTimeout(() => {
      this.wasTimedOut = true
      this.child.kill('SIGKILL')
    }, timeoutMs)
    try {
      return await this.closedPromise
    } finally {
      clearTimeout(timer)
    }
  }

  /** For error messages: what the process printed. */
  describe(): string {
    const status = this.closed ? `exited with ${this.closed.code ?? this.closed.signal}` : 'running'
    return `${this.host.name} (${this.host.address}) \`${this.argv.join(' ')}\` ${status}\n--- stdout\n${tail(this.out)}\n--- stderr\n${tail(this.err)}`
  }

  private boundTo(hexPort: string): boolean {
    let table: string
    const inodes = new Set<string>()
    try {
      for (const fd of readdirSync(`/proc/${this.pid}/fd`)) {
        try {
          const match = /^socket:\[(\d+)]$/.exec(readlinkSync(`/proc/${this.pid}/fd/${fd}`))
          if (match) inodes.add(match[1])
        } catch {}
      }

      // /proc/<pid>/net is the network namespace of that process: the host's, not ours.
      table = readFileSync(`/proc/${this.pid}/net/udp`, 'utf8')
    } catch {
      return false
    }

    return table
      .split('\n')
      .slice(1)
      .some((line) => {
        const fields = line.trim().split(/\s+/)
        return fields.length > 9 && fields[1].endsWith(hexPort) && inodes.has(fields[9])
      })
  }

  private notify(): void {
    for (const watcher of this.watchers) watcher()
  }

  /** Re-checks `ready` on every output (and every pollMs); rejects on timeout or exit with what it printed. */
  private until(ready: () => boolean, timeoutMs: number, what: string, pollMs = 200): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (ready()) finish()
        else if (this.closed) finish(new Error(`${this.host.name}: exited before ${what}\n${this.describe()}`))
      }

      const timer = setTimeout(
        () => finish(new Error(`${this.host.name}: no ${what} within ${timeoutMs} ms\n${this.describe()}`)),
        timeoutMs,
      )
      const poll = setInterval(check, pollMs)
      const finish = (error?: Error) => {
        clearTimeout(timer)
        clearInterval(poll)
        this.watchers.delete(check)
        if (error) reject(error)
        else resolve()
      }

      this.watchers.add(check)
      check()
    })
  }
}

let lanCounter = 0
const liveLans = new Set<SimulatedLan>()

export class SimulatedLan {
  readonly bridges: string[]
  readonly hosts: Host[]
  /** The responder-farm hosts (options.farm), f0, f1, … */
  readonly farm: Host[]
  /** The router (options.router): ethS on subnet S, 10.(201+S).X.1. */
  readonly router: Host | undefined
  readonly x: number
  private destroyed = false
  private readonly processes = new Set<NetnsProcess>()

  // eslint-disable-next-line max-params -- private: only create() calls it, with the parts it has just made
  private constructor(
    readonly id: string,
    x: number,
    hostSubnets: number[][],
    private readonly tempDir: string,
    extras: Pick<LanOptions, 'farm' | 'router'> = {},
  ) {
    this.x = x
    const subnets = Math.max(...hostSubnets.flat(), (extras.farm?.length ?? 0) - 1) + 1
    this.bridges = Array.from({length: subnets}, (_, s) => `${id}b${s}`)
    this.hosts = hostSubnets.map((plugged, n) => {
      const interfaces = plugged.map((subnet, k) => ({
        name: `eth${k}`,
        address: `10.${201 + subnet}.${x}.${10 + n}`,
        prefix: 24,
        broadcast: `10.${201 + subnet}.${x}.255`,
        subnet,
      }))
      return {
        name: `h${n}`,
        ns: `${id}h${n}`,
        address: interfaces[0].address,
        interfaces,
        stateDir: join(tempDir, `h${n}`),
      }
    })
    const prefixes = typeof extras.router === 'object' ? (extras.router.prefixes ?? []) : []
    if (prefixes.some((p) => p !== 16 && p !== 24)) throw new Error('SimulatedLan: a router prefix is 16 or 24')
    this.router = extras.router
      ? {
          name: 'router',
          ns: `${id}r`,
          address: `10.201.${x}.1`,
          interfaces: this.bridges.map((_, subnet) => ({
            name: `eth${subnet}`,
            address: `10.${201 + subnet}.${x}.1`,
            prefix: prefixes[subnet] ?? 24,
            broadcast: (prefixes[subnet] ?? 24) === 16 ? `10.${201 + subnet}.255.255` : `10.${201 + subnet}.${x}.255`,
            subnet,
          })),
          stateDir: join(tempDir, 'router'),
        }
      : undefined
    this.farm = this.farmHosts(id, x, extras.farm ?? [], hostSubnets.length)
  }

  /** Farm hosts take the addresses of their /24 that no host and no router has, from .2 up. */
  private farmHosts(id: string, x: number, perSubnet: number[], hostCount: number): Host[] {
    const taken = new Set([1, ...Array.from({length: hostCount}, (_, n) => 10 + n)])
    const free = Array.from({length: 253}, (_, i) => i + 2).filter((octet) => !taken.has(octet))
    return perSubnet
      .flatMap((count, subnet) => {
        if (count > free.length) throw new Error(`SimulatedLan: at most ${free.length} farm hosts on a subnet`)
        return free.slice(0, count).map((octet) => ({subnet, octet}))
      })
      .map(({subnet, octet}, i) => {
        const itf = {name: 'eth0', address: `10.${201 + subnet}.${x}.${octet}`, prefix: 24, subnet}
        return {
          name: `f${i}`,
          ns: `${id}f${i}`,
          address: itf.address,
          interfaces: [{...itf, broadcast: `10.${201 + subnet}.${x}.255`}],
          stateDir: join(this.tempDir, `f${i}`),
        }
      })
  }

  /** Every namespace of this LAN, the switches last. */
  private get namespaces(): string[] {
    return [...[...this.hosts, ...this.farm, ...(this.router ? [this.router] : [])].map((h) => h.ns), ...this.bridges]
  }

  /**
   * Starts the responder farm (responder_farm.py): one process with a UDP socket on 2425 in every farm host's
   * namespace, answering BR_ENTRY with ANSENTRY as IP Messenger does. Wait for it with `waitForRecords(r => r.ready)`;
   * with `log`, it prints what each farm host receives (index into `farm`, source address, IPMsg mode).
   */
  startFarm(options: {durationS?: number; log?: boolean; maxDelayMs?: number; prefix?: string} = {}): NetnsProcess {
    if (this.farm.length === 0) throw new Error('SimulatedLan: no farm hosts (LanOptions.farm)')
    const script = fileURLToPath(new URL('responder_farm.py', import.meta.url))
    // prettier-ignore
    return this.exec(this.farm[0], ['python3', script, '--netns', this.farm.map((h) => h.ns).join(','),
      '--duration', String(options.durationS ?? 60), '--max-delay-ms', String(options.maxDelayMs ?? 1023),
      '--prefix', options.prefix ?? 'farm', ...(options.log ? ['--log'] : [])])
  }

  /** Builds the LAN (see the comment at the top of this file). Call available() first. */
  static async create(options: LanOptions): Promise<SimulatedLan> {
    const hostSubnets =
      typeof options.hosts === 'number' ? Array.from({length: options.hosts}, () => [0]) : options.hosts
    if (hostSubnets.length === 0 || hostSubnets.some((s) => s.length === 0 || s.some((i) => i < 0 || i > 53))) {
      throw new Error('SimulatedLan: every host needs at least one subnet (0–53)')
    }

    if (hostSubnets.length > 240) throw new Error('SimulatedLan: at most 240 hosts on a /24')
    const x = options.x ?? randomInt(1, 255)
    const id = `${RUN_PREFIX}${lanCounter++}`
    const temp = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-`))
    const lan = new SimulatedLan(id, x, hostSubnets, temp, {farm: options.farm, router: options.router})
    liveLans.add(lan)
    try {
      await lan.build()
    } catch (error) {
      await lan.destroy().catch(() => {})
      throw error
    }

    return lan
  }

  /** `lanmsg ARGS` (the built CLI, see cli-bin.ts) in a host, with the host's own state dir. */
  cli(host: Host, args: string[], options: ExecOptions = {}): NetnsProcess {
    return this.exec(host, [process.execPath, DEV_BIN, ...args], {
      ...options,
      env: namespaceEnv({NO_COLOR: '1', LANMSG_STATE_DIR: host.stateDir, ...options.env}),
    })
  }

  /** Deletes every namespace (and so every veth and bridge) after killing what exec() started. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    const running = [...this.processes].filter((p) => !p.exited)
    for (const p of running) p.kill('SIGKILL')
    await Promise.all(running.map((p) => p.wait(5000)))
    const failures: string[] = []
    for (const ns of this.namespaces) {
      const result = await run(['ip', 'netns', 'del', ns])
      if (result.code !== 0 && !/No such file/i.test(result.stderr)) failures.push(`${ns}: ${result.stderr.trim()}`)
    }

    rmSync(this.tempDir, {force: true, recursive: true})
    liveLans.delete(this) // also when a namespace would not go: the exit handler could do no better
    const left = netnsNames().filter((name) => name.startsWith(this.id))
    if (failures.length > 0 || left.length > 0) {
      throw new Error(`SimulatedLan.destroy: left behind ${left.join(', ') || '(none)'}; ${failures.join('; ')}`)
    }
  }

  /** Runs argv inside a host's namespace (`ip netns exec <ns> …`). */
  exec(host: Host, argv: string[], options: ExecOptions = {}): NetnsProcess {
    if (this.destroyed) throw new Error('SimulatedLan: already destroyed')
    const child = spawn('ip', ['netns', 'exec', host.ns, ...argv], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    if (options.input !== undefined) {
      child.stdin!.on('error', () => {})
      child.stdin!.end(options.input)
    }

    const handle = new NetnsProcess(host, argv, child)
    this.processes.add(handle)
    return handle
  }

  /** Deletes a host's interface (its veth pair: the switch port goes with it), e.g. while a program runs. */
  async removeInterface(host: Host, ifname: string): Promise<void> {
    await ip('-n', host.ns, 'link', 'del', ifname)
  }

  /** Runs `ip ARGS` inside a host's namespace, or a switch's (a name from `bridges`); returns its stdout. */
  async ip(where: Host | string, ...args: string[]): Promise<string> {
    return ip('-n', typeof where === 'string' ? where : where.ns, ...args)
  }

  /**
   * Resolves once a host's interface shows `operstate` (e.g. DOWN once its switch port went down): the
   * kernel updates it, and the RUNNING flag that Node's interface list depends on, after `ip link` has returned.
   */
  async waitForOperstate(host: Host, ifname: string, operstate: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const [link] = JSON.parse((await this.ip(host, '-j', 'link', 'show', ifname)) || '[]') as Array<{
        operstate?: string
      }>
      if (link?.operstate === operstate) return
      if (Date.now() > deadline) {
        throw new Error(
          `SimulatedLan: ${host.ns} ${ifname} is ${link?.operstate} after ${timeoutMs} ms, not ${operstate}`,
        )
      }

      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** The switch namespace and port that a host's interface is plugged into (the other end of its veth). */
  switchPort(host: Host, ifname = 'eth0'): {bridge: string; port: string} {
    const n = this.hosts.indexOf(host)
    const k = host.interfaces.findIndex((itf) => itf.name === ifname)
    if (n === -1 || k === -1) throw new Error(`SimulatedLan: no interface ${ifname} on ${host.name}`)
    return {bridge: this.bridges[host.interfaces[k].subnet], port: `h${n}e${k}`} // named as build() names it
  }

  /** Synchronous last-resort cleanup for the process exit handler. */
  destroySync(): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const p of this.processes) p.kill('SIGKILL')
    for (const ns of this.namespaces) spawnSync('ip', ['netns', 'del', ns])
    rmSync(this.tempDir, {force: true, recursive: true})
  }

  private async build(): Promise<void> {
    for (const host of this.hosts) mkdirSync(host.stateDir, {recursive: true})
    // Namespaces one by one (each `ip netns add` is a bind mount), then the veth pairs in one batch (each created
    // directly with its ends in two namespaces), then one batch per namespace (`ip -n NS -batch`) to wire it up.
    for (const ns of this.namespaces) await ip('netns', 'add', ns)
    const veths: string[] = []
    const inside = new Map<string, string[]>()
    for (const bridge of this.bridges) {
      inside.set(bridge, ['link set lo up', 'link add br0 type bridge stp_state 0', 'link set br0 up'])
    }

    const plugged = [...this.hosts, ...this.farm, ...(this.router ? [this.router] : [])]
    for (const host of plugged) {
      const lines = ['link set lo up']
      for (const [k, itf] of host.interfaces.entries()) {
        const bridge = this.bridges[itf.subnet]
        const port = host === this.router ? `rt${k}` : `${host.name}e${k}`
        veths.push(`link add ${itf.name} netns ${host.ns} type veth peer name ${port} netns ${bridge}`)
        inside.get(bridge)!.push(`link set ${port} master br0`, `link set ${port} up`)
        lines.push(
          `addr add ${itf.address}/${itf.prefix} broadcast ${itf.broadcast} dev ${itf.name}`,
          `link set ${itf.name} up`,
        )
      }

      const gateway = this.router?.interfaces[host.interfaces[0].subnet].address
      const via = gateway ? `via ${gateway} ` : ''
      if (host !== this.router) lines.push(`route add default ${via}dev ${host.interfaces[0].name}`)
      inside.set(host.ns, lines)
    }

    await ipBatch([], veths)
    await Promise.all([...inside].map(([ns, lines]) => ipBatch(['-n', ns], lines)))
    if (this.router) {
      const forward = await run(['ip', 'netns', 'exec', this.router.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
      if (forward.code !== 0) throw new Error(`SimulatedLan: cannot make the router forward: ${forward.stderr.trim()}`)
    }

    await this.waitUntilUp()
  }

  /**
   * `ip link set up` returns before the link carries traffic: the kernel notices the carrier later (linkwatch, up to
   * a second after many link changes, e.g. right after a 20-host LAN was deleted). Until then a datagram sent into
   * the LAN is silently lost, so wait for every veth to be UP and every bridge port to be forwarding.
   */
  private async waitUntilUp(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const json = async (argv: string[]) => {
      const result = await run(argv)
      if (result.code !== 0) throw new Error(`${argv.join(' ')} failed (${result.code}): ${result.stderr.trim()}`)
      return JSON.parse(result.stdout || '[]') as Array<Record<string, string>>
    }

    const hostWaiting = async (host: Host) => {
      const links = await json(['ip', '-n', host.ns, '-j', 'link', 'show'])
      const up = new Set(links.filter((l) => l.operstate === 'UP').map((l) => l.ifname))
      return host.interfaces.filter((itf) => !up.has(itf.name)).map((itf) => `${host.ns} ${itf.name} not UP`)
    }

    const bridgeWaiting = async (bridge: string) => {
      const ports = await json(['bridge', '-n', bridge, '-j', 'link', 'show'])
      return ports.filter((p) => p.state !== 'forwarding').map((p) => `${bridge} ${p.ifname} ${p.state}`)
    }

    for (;;) {
      const hosts = [...this.hosts, ...this.farm, ...(this.router ? [this.router] : [])]
      const waiting = (await Promise.all([...hosts.map(hostWaiting), ...this.bridges.map(bridgeWaiting)])).flat()
      if (waiting.length === 0) return
      if (Date.now() > deadline)
        throw new Error(`SimulatedLan: links not up after ${timeoutMs} ms: ${waiting.join(', ')}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

export interface LanSuite extends LanOptions {
  /** Why the suite cannot run here; default netnsSkipReason (which throws under LANMSG_REQUIRE_NETNS=1). */
  skipReason?: () => string | undefined
  /** Time for building the LAN and `start` together (default: the suite's timeout). */
  timeoutMs?: number
  /** Runs (and is awaited) in the same before-all hook once the LAN is up: keep the LAN, start what tests share. */
  start(lan: SimulatedLan): unknown
  /** Runs in the same after-all hook, before the LAN is destroyed (also after a skip or a failed start). */
  stop?(): unknown
}

/**
 * Gives a mocha suite (`this` in its describe callback) one simulated LAN: built before all its tests (the suite is
 * skipped where namespaces are unavailable, and fails there under LANMSG_REQUIRE_NETNS=1), destroyed after them.
 */
export function useSimulatedLan(suite: Suite, options: LanSuite): void {
  const {skipReason = netnsSkipReason, start, stop, timeoutMs, ...lanOptions} = options
  let lan: SimulatedLan | undefined
  suite.beforeAll(async function () {
    if (timeoutMs !== undefined) this.timeout(timeoutMs)
    if (skipReason()) this.skip()
    lan = await SimulatedLan.create(lanOptions)
    await start(lan)
  })
  suite.afterAll(async () => {
    try {
      await stop?.()
    } finally {
      await lan?.destroy()
    }
  })
}

function destroyAllSync(): void {
  for (const lan of liveLans) lan.destroySync()
  liveLans.clear()
}

process.on('exit', destroyAllSync)

// An interrupted run (Ctrl-C, a CI timeout) ends by the signal, without 'exit': clean up, then let the signal do
// what it would have done.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const onSignal = () => {
    destroyAllSync()
    process.removeListener(signal, onSignal)
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  }

  process.on(signal, onSignal)
}
