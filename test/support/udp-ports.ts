// UDP ports for tests: one that is free and stays free until the test binds it, and whether something has bound
// one (read from /proc/net/udp: a readiness check that neither sends to the socket nor binds the port itself — a
// probe bind can hold the port at the moment lanmsg binds it).
import dgram from 'node:dgram'
import {existsSync, readFileSync} from 'node:fs'

/** The lines of /proc/net/udp for local `port` (any address), split into fields; undefined where there is no /proc. */
function procLines(port: number): string[][] | undefined {
  if (!existsSync('/proc/net/udp')) return undefined
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(suffix))
}

/** IPv4 UDP sockets bound to local `port` (any address), from /proc/net/udp; undefined where there is no /proc. */
export function udpSocketsOnPort(port: number): number | undefined {
  return procLines(port)?.length
}

/** Bytes waiting to be read on the IPv4 UDP sockets of local `port` (rx_queue); undefined where there is no /proc. */
export function udpBytesWaiting(port: number): number | undefined {
  return procLines(port)?.reduce((sum, fields) => sum + Number.parseInt(fields[4].split(':')[1], 16), 0)
}

/** The ports the kernel picks from for a socket bound to port 0 (Linux's default where /proc does not say). */
function ephemeralRange(): {low: number; high: number} {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (low > 0 && high >= low) return {low, high}
  } catch {}

  return {low: 32_768, high: 60_999}
}

/** Where to choose from: below the ephemeral range, or above it when too little is left below. */
function choiceRange(): {from: number; count: number} {
  const {low, high} = ephemeralRange()
  if (low - 10_000 >= 4096) return {from: 10_000, count: low - 10_000}
  if (65_535 - high >= 4096) return {from: high + 1, count: 65_535 - high}
  return {from: 20_000, count: 40_000}
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({type: 'udp4', reuseAddr: false})
    socket.once('error', () => {
      socket.close()
      resolve(false)
    })
    socket.bind({port, address: '0.0.0.0'}, () => socket.close(() => resolve(true)))
  })
}

const handedOut = new Set<number>()

/**
 * A random UDP port, free on 0.0.0.0 now (so on loopback too) and not handed out before in this process. It lies
 * outside the kernel's ephemeral range: a socket bound to port 0 meanwhile (a test's peer, lanmsg's own) cannot
 * take it before the test binds it.
 */
export async function freeUdpPort(): Promise<number> {
  const {from, count} = choiceRange()
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * count)
    if (!handedOut.has(port) && (await canBind(port))) {
      handedOut.add(port)
      return port
    }
  }

  throw new Error(`no free UDP port in ${from}-${from + count - 1}`)
}
