// The network rule, enforced: from the machine's own network namespace a test may send UDP only to
// loopback (127.0.0.0/8). Inside a network namespace that a test created, anything goes.
// Plain JavaScript, so that child processes can preload it (node --import) without a TypeScript loader.
import dgram from 'node:dgram'
import {readdirSync, readlinkSync, statSync} from 'node:fs'
import {isIPv4} from 'node:net'

let installed = false

/** True inside a namespace made with `ip netns add` (listed in /run/netns); /proc/1 may not be readable there. */
function inNamedNetworkNamespace() {
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

/** True when this process shares the network namespace of PID 1 (the machine's own), or when that cannot be told. */
export function inRootNetworkNamespace() {
  if (inNamedNetworkNamespace()) return false
  try {
    return readlinkSync('/proc/self/ns/net') === readlinkSync('/proc/1/ns/net')
  } catch {
    return true
  }
}

export function isLoopbackDestination(address) {
  if (address === undefined || address === 'localhost') return true // dgram's default destination is loopback
  return isIPv4(address) && address.split('.')[0] === '127'
}

function destinationOf(socket, args) {
  const address = args.slice(1).find((a) => typeof a === 'string')
  if (address !== undefined) return address
  try {
    return socket.remoteAddress().address
  } catch {
    return undefined
  }
}

export function installSendGuard() {
  if (installed || !inRootNetworkNamespace()) return
  installed = true
  const original = dgram.Socket.prototype.send
  dgram.Socket.prototype.send = function (...args) {
    const destination = destinationOf(this, args)
    if (!isLoopbackDestination(destination)) {
      throw new Error(
        `send-guard: refused to send UDP to ${destination} from the machine's own network namespace (loopback only; use a test namespace)`,
      )
    }

    return original.apply(this, args)
  }
}
