// dgram passes every address through dns.lookup, so a socket made without a `lookup` option loads Node's dns
// modules (with c-ares) at start: ~5 M instructions, ~2 ms CPU of a complete announce. lanmsg's sockets are only
// ever given IPv4 literals (host names are resolved, if at all, by targets.ts), so this lookup hands them back.
import type {LookupOneOptions} from 'node:dns'

import {isIPv4Address} from './ipv4.js'

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void

/** dgram's `lookup` option: an IPv4 literal as itself, a tick later as dns.lookup answers one; anything else fails. */
export function literalLookup(address: string, _options: LookupOneOptions | number, callback: LookupCallback): void {
  if (isIPv4Address(address)) {
    process.nextTick(callback, null, address, 4)
    return
  }

  const error: NodeJS.ErrnoException = new Error(`not an IPv4 address: ${JSON.stringify(address)}`)
  error.code = 'EINVAL'
  process.nextTick(callback, error, '', 4)
}
