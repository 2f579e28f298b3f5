// The one line `announce` says when another program (an IPMsg client) holds the IPMsg port on this host, and the
// refusal of a discovery there: peers key their lists by IP address, so lanmsg's entry would replace that client's
// name in every list, and its exit would remove the client's user from them (issue: real peers, point 3).
import {describeHolder, otherUdpSockets} from '../net/port-holders.js'
import {NetError} from '../net/net-error.js'
import {PROCESS_TITLES} from './process-titles.js'

/** Undefined when nobody else holds `port`; the note to print otherwise; throws for a discovery. */
export function sharedPortNote(port: number, discovery: boolean): string | undefined {
  // A passive `lanmsg listen` announces nothing and answers nothing: peers list no client for it.
  const holders = otherUdpSockets(port)?.filter((h) => h.program !== PROCESS_TITLES.listen)
  if (holders === undefined || holders.length === 0) return undefined
  const who = describeHolder(holders[0])
  if (discovery) {
    throw new NetError(
      `${who} holds UDP port ${port} on this host: a discovery would enter lanmsg under this host's address and replace that client's name in every peer's list; watch peers with \`lanmsg listen\`, or send the entry anyway (no exit follows it) with --command BR_ENTRY`,
      'ESHAREDPORT', // exit 3, as for a port in use
    )
  }

  return `${who} also holds UDP port ${port} on this host: lanmsg sends no entry or exit packet under its own name beside it (peers keep showing that client's user for this address)`
}

/** `listen`'s one line when the port is shared: the kernel hands each unicast to one of the sockets only. */
export function sharedPortWarning(port: number, address?: string): string | undefined {
  // A socket on another local address of the port (127.0.0.2 beside our 127.0.0.1) takes none of our unicasts.
  const holders = otherUdpSockets(port, address)
  if (holders === undefined || holders.length === 0) return undefined
  return `${describeHolder(holders[0])} also holds UDP port ${port} on this host: broadcasts reach both, but each unicast (a message, an ack) goes only to the socket bound last (lanmsg, on Linux), so that program misses them while lanmsg runs`
}
