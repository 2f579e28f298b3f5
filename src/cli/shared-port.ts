// Who else holds the IPMsg port on this host, for announce (src/lan/announce-policy.ts decides what that means) and
// for listen's one-line warning.
import {describeHolder, otherUdpSockets} from '../net/port-holders.js'
import {PROCESS_TITLES} from './process-titles.js'

/** The other program (an IPMsg client) holding `port` here, described for a person; undefined when there is none. */
export function otherIpmsgClient(port: number): string | undefined {
  // A passive `lanmsg listen` announces nothing and answers nothing: peers list no client for it.
  const holders = otherUdpSockets(port)?.filter((h) => h.program !== PROCESS_TITLES.listen)
  return holders === undefined || holders.length === 0 ? undefined : describeHolder(holders[0])
}

/** `listen`'s one line when the port is shared: the kernel hands each unicast to one of the sockets only. */
export function sharedPortWarning(port: number, address?: string): string | undefined {
  // A socket on another local address of the port (127.0.0.2 beside our 127.0.0.1) takes none of our unicasts.
  const holders = otherUdpSockets(port, address)
  if (holders === undefined || holders.length === 0) return undefined
  return `${describeHolder(holders[0])} also holds UDP port ${port} on this host: broadcasts reach both, but each unicast (a message, an ack) goes only to the socket bound last (lanmsg, on Linux), so that program misses them while lanmsg runs`
}
