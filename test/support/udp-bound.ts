// Whether something has bound a UDP port, read from /proc/net/udp: a readiness check that neither sends to the
// socket nor binds the port itself (a probe bind can hold the port at the moment lanmsg binds it).
import {existsSync, readFileSync} from 'node:fs'

/** IPv4 UDP sockets bound to local `port` (any address), from /proc/net/udp; undefined where there is no /proc. */
export function udpSocketsOnPort(port: number): number | undefined {
  if (!existsSync('/proc/net/udp')) return undefined
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim().split(/\s+/)[1]?.endsWith(suffix)).length
}
