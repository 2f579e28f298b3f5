// The network rule, enforced: from the machine's own network namespace a test may send UDP only to
// loopback (127.0.0.0/8). Inside a network namespace that a test created, anything goes.
import dgram from 'node:dgram'
import {readdirSync, readlinkSync, statSync} from 'node:fs'
import {isIPv4} from 'node:net'
import {fileURLToPath} from 'node:url'

let installed = false

/** True when this process shares the network namespace of PID 1 (the machine's own), or when that cannot be told. */
export function inRootNetworkNamespace(): boolean {
  if (inNamedNetworkNamespace()) return false
  try {
    return readlinkSync('/proc/self/ns/net') === readlinkSync('/proc/1/ns/net')
  } catch {
    return true
  }
}

/** True inside a namespace made with `ip netns add` (listed in /run/netns); /proc/1 may not be readable there. */
function inNamedNetworkNamespace(): boolean {
  try {
    const self = statSync('/proc/self/ns/net')
    return readdirSync('/run/netns').some((name) => {
      const named = statSync(`/run/netns/${name}`)
      return named.ino === self.ino && named.dev === self.dev
    })
  } catch {
    return false
  }
}

export function isLoopbackDestination(address: string | undefined): boolean {
  if (address === undefined || address === 'localhost') return true // dgram's default destination is loopback
  return isIPv4(address) && address.split('.')[0] === '127'
}

function destinationOf(socket: dgram.Socket, args: unknown[]): string | undefined {
  const address = args.slice(1).find((a) => typeof a === 'string') as string | undefined
  if (address !== undefined) return address
  try {
    return socket.remoteAddress().address
  } catch {
    return undefined
  }
}

export function installSendGuard(): void {
  if (installed || !inRootNetworkNamespace()) return
  installed = true
  const original = dgram.Socket.prototype.send
  dgram.Socket.prototype.send = function guardedSend(this: dgram.Socket, ...args: unknown[]) {
    const destination = destinationOf(this, args)
    if (!isLoopbackDestination(destination)) {
      throw new Error(
        `send-guard: refused to send UDP to ${destination} from the machine's own network namespace (loopback only; use a test namespace)`,
      )
    }

    return (original as (...a: unknown[]) => void).apply(this, args)
  } as typeof original
}

/** Environment for a child process so that the same guard runs inside it (it must be started through tsx or bin/dev.js). */
export function guardedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const install = fileURLToPath(new URL('send-guard-install.ts', import.meta.url))
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', '--import tsx', `--import ${install}`].join(' ').trim()
  return {...process.env, ...extra, NODE_OPTIONS: nodeOptions}
}
