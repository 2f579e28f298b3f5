// A simulated LAN: network namespaces joined by a bridge that lives in a namespace of its own, so nothing is
// added to the machine's own network. Everything is removed afterwards, also when the benchmark fails or is
// interrupted (runCleanups runs on exit and on SIGINT/SIGTERM).
import {execFileSync, spawnSync} from 'node:child_process'

const PREFIX = 'lmbench'
const cleanups: Array<() => void> = []

/** Registers something to undo when the benchmark ends, whatever happens. */
export function onCleanup(undo: () => void): void {
  cleanups.push(undo)
}

export function runCleanups(): void {
  while (cleanups.length > 0) {
    try {
      cleanups.pop()!()
    } catch {
      // keep cleaning the rest
    }
  }
}

process.once('exit', runCleanups)

function ip(args: string[]): void {
  execFileSync('ip', args, {stdio: ['ignore', 'ignore', 'pipe']})
}

function listNamespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], {encoding: 'utf8'})
  return (out.stdout ?? '')
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter(Boolean)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Kills the processes inside a namespace (only ever ours) and deletes it. */
function deleteNamespace(name: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', name], {encoding: 'utf8'}).stdout ?? ''
  for (const pid of pids.split('\n').filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }

  spawnSync('ip', ['netns', 'del', name], {stdio: 'ignore'})
}

/** Namespaces left by an earlier benchmark run that was killed before it could clean up (its pid is gone). */
function removeStale(): void {
  for (const name of listNamespaces()) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)
    if (match && Number(match[1]) !== process.pid && !alive(Number(match[1]))) deleteNamespace(name)
  }
}

/** Why namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  if (spawnSync('ip', ['-V'], {stdio: 'ignore'}).status !== 0) return 'iproute2 (`ip`) is not installed'
  const probe = `${PREFIX}${process.pid}-probe`
  const added = spawnSync('ip', ['netns', 'add', probe], {encoding: 'utf8'})
  spawnSync('ip', ['netns', 'del', probe], {stdio: 'ignore'})
  if (added.status !== 0) return `\`ip netns add\` failed: ${(added.stderr ?? '').trim()}`
  return undefined
}

export interface LanNode {
  /** Namespace name, for `ip netns exec`. */
  ns: string
  address: string
}

export interface Lan {
  nodes: LanNode[]
  broadcast: string
  /** Kills what runs inside and deletes every namespace (idempotent). */
  destroy: () => void
}

/** `count` hosts on 10.203.<subnet>.0/24, each in its own namespace, all on one bridge. */
export function createLan(count: number, subnet: number): Lan {
  if (count < 1 || count > 250) throw new RangeError('a simulated LAN has 1 to 250 hosts')
  removeStale()
  const tag = `${PREFIX}${process.pid}`
  const hub = `${tag}-hub`
  const created: string[] = []
  let destroyed = false
  const destroy = () => {
    if (destroyed) return
    destroyed = true
    for (const name of created.reverse()) deleteNamespace(name)
  }

  onCleanup(destroy)
  try {
    ip(['netns', 'add', hub])
    created.push(hub)
    ip(['-n', hub, 'link', 'set', 'lo', 'up'])
    ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge'])
    ip(['-n', hub, 'link', 'set', 'br0', 'up'])
    const nodes: LanNode[] = []
    for (let i = 0; i < count; i++) {
      const ns = `${tag}-n${i}`
      const address = `10.203.${subnet}.${i + 1}`
      ip(['netns', 'add', ns])
      created.push(ns)
      // The pair is created inside the host namespace with its peer straight in the hub: never in ours.
      ip(['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `v${i}`, 'netns', hub])
      ip(['-n', ns, 'addr', 'add', `${address}/24`, 'brd', '+', 'dev', 'eth0'])
      ip(['-n', ns, 'link', 'set', 'lo', 'up'])
      ip(['-n', ns, 'link', 'set', 'eth0', 'up'])
      ip(['-n', hub, 'link', 'set', `v${i}`, 'master', 'br0'])
      ip(['-n', hub, 'link', 'set', `v${i}`, 'up'])
      nodes.push({ns, address})
    }

    return {nodes, broadcast: `10.203.${subnet}.255`, destroy}
  } catch (error) {
    destroy()
    throw error
  }
}

/** Names of namespaces this process created that still exist (should be none after destroy()). */
export function leftoverNamespaces(): string[] {
  return listNamespaces().filter((name) => name.startsWith(`${PREFIX}${process.pid}-`))
}
