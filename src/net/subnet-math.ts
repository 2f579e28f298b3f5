// The one module that imports `ip`, so that it can be replaced in one place. Inputs are checked with ipv4.ts
// first: `ip` accepts IPv6 and out-of-range octets without an error and gives wrong answers for them.
import ip from 'ip'

import {isIPv4Address, parseCidr, prefixFromNetmask} from './ipv4.js'

/** Longest prefix with a broadcast address: /31 links and /32 hosts have none. */
export const MAX_BROADCAST_PREFIX = 30

export function prefixLength(netmask: string): number | undefined {
  if (prefixFromNetmask(netmask) === undefined) return undefined
  return ip.subnet('0.0.0.0', netmask).subnetMaskLength
}

/** The directed broadcast address of `address` in `netmask`, undefined for invalid input and /31–/32. */
export function broadcastAddress(address: string, netmask: string): string | undefined {
  if (!isIPv4Address(address)) return undefined
  const prefix = prefixLength(netmask)
  if (prefix === undefined || prefix > MAX_BROADCAST_PREFIX) return undefined
  return ip.subnet(address, netmask).broadcastAddress
}

/** `10.0.0.0/24` → `10.0.0.255`; undefined for invalid input and /31–/32. */
export function cidrBroadcast(cidr: string): string | undefined {
  const parsed = parseCidr(cidr)
  if (!parsed || parsed.prefix > MAX_BROADCAST_PREFIX) return undefined
  return ip.cidrSubnet(`${parsed.address}/${parsed.prefix}`).broadcastAddress
}
