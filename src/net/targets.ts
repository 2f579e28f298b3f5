// Where an announcement goes: every interface's directed broadcast, or what the user named with --to.
import {createRequire} from 'node:module'
import os from 'node:os'

import {missingInterfaceState} from './interface-state.js'
import {isIPv4Address, isLimitedBroadcast, isMulticast, isUnspecified, parseCidr} from './ipv4.js'
import {describeSocketError, NetError} from './net-error.js'
import {broadcastAddress, cidrBroadcast, MAX_BROADCAST_PREFIX} from './subnet-math.js'
import {UsageError} from './usage-error.js'

export interface Target {
  address: string
  port: number
  /** The interface whose broadcast address this is. */
  interface?: string
  kind: 'broadcast' | 'limited' | 'unicast'
}

export type NetworkInterfaces = NodeJS.Dict<os.NetworkInterfaceInfo[]>

const EXAMPLES = '(e.g. 192.168.1.255 or 192.168.1.0/24)'

function isIPv4Info(info: os.NetworkInterfaceInfo): boolean {
  return info.family === 'IPv4'
}

/** Why the interface named by --interface is not among this machine's: down, without link, or unknown. */
function missingInterfaceError(
  name: string,
  names: string[],
  stateOf: (name: string) => ReturnType<typeof missingInterfaceState>,
): UsageError {
  const available = `available: ${names.join(', ') || '(none)'}`
  const state = stateOf(name)
  if (state === 'down') {
    return new UsageError(
      `--interface ${name}: the interface is down; bring it up (ip link set ${name} up) or choose another; ${available}`,
      'EINTERFACEDOWN',
    )
  }

  if (state === 'no-link') {
    return new UsageError(
      `--interface ${name}: the interface has no link (cable unplugged or not connected); ${available}`,
      'EINTERFACEDOWN',
    )
  }

  return new UsageError(
    `--interface ${name}: no such network interface on this machine; ${available}`,
    'EUNKNOWNINTERFACE',
  )
}

/**
 * The directed broadcast address of every non-internal IPv4 address with a prefix of /30 or shorter, deduplicated.
 * `only` limits the result to the named interfaces; naming an internal one (e.g. `lo`) includes it on purpose.
 */
export function broadcastTargets(
  interfaces: NetworkInterfaces = os.networkInterfaces(),
  opts: {only?: string[]; port: number; stateOf?: (name: string) => ReturnType<typeof missingInterfaceState>},
): Target[] {
  const names = Object.keys(interfaces)
  const only = opts.only === undefined ? undefined : [...new Set(opts.only)]
  for (const name of only ?? []) {
    if (!names.includes(name)) throw missingInterfaceError(name, names, opts.stateOf ?? missingInterfaceState)
  }

  const targets: Target[] = []
  const seen = new Set<string>()
  for (const name of only ?? names) {
    let found = false
    for (const info of interfaces[name] ?? []) {
      if (!isIPv4Info(info) || (info.internal && only === undefined)) continue
      const address = broadcastAddress(info.address, info.netmask)
      if (address === undefined) continue
      found = true
      if (seen.has(address)) continue
      seen.add(address)
      targets.push({address, port: opts.port, interface: name, kind: 'broadcast'})
    }

    if (only !== undefined && !found) {
      throw new UsageError(
        `--interface ${name}: has no IPv4 address with a broadcast address (only IPv6, /31 or /32); name a target with --to instead`,
        'ENOBROADCAST',
      )
    }
  }

  return targets
}

/**
 * Every directed broadcast address of this machine's IPv4 networks, loopback's included (127.255.255.255): never
 * a real source, so a datagram claiming one is forged and must not be answered (an answer would be a broadcast).
 */
export function localBroadcastAddresses(interfaces: NetworkInterfaces = os.networkInterfaces()): string[] {
  return [...knownBroadcasts(interfaces).keys()]
}

function knownBroadcasts(interfaces: NetworkInterfaces): Map<string, string> {
  const known = new Map<string, string>()
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (!isIPv4Info(info)) continue
      const address = broadcastAddress(info.address, info.netmask)
      if (address !== undefined && !known.has(address)) known.set(address, name)
    }
  }

  return known
}

function addressTarget(address: string, port: number, interfaces: NetworkInterfaces): Target {
  if (isLimitedBroadcast(address)) return {address, port, kind: 'limited'}
  const name = knownBroadcasts(interfaces).get(address)
  return name === undefined ? {address, port, kind: 'unicast'} : {address, port, interface: name, kind: 'broadcast'}
}

// Host names per RFC 1123: labels of letters, digits and inner hyphens, at least one letter somewhere, and not
// only numbers: the resolver reads `0x7f.1` or `0xc0a80101` as inet_aton addresses (127.0.0.1, 192.168.1.1).
const HOST_NAME =
  /^(?=.{1,253}\.?$)(?!(?:0x[\da-f]*|\d+)(?:\.(?:0x[\da-f]*|\d+))*\.?$)[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?(?:\.[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?)*\.?$/i

/**
 * One `--to` value: an IPv4 address, a CIDR (→ its broadcast address) or a host name (→ `{name}`, resolve it with
 * resolveTarget). Anything that looks like a mistyped address is a usage error, never a DNS query.
 */
export function parseTargetSpec(
  spec: string,
  port: number,
  interfaces: NetworkInterfaces = os.networkInterfaces(),
): Target | {name: string} {
  const value = spec.trim()
  const invalid = (why = `not a valid IPv4 address or CIDR ${EXAMPLES}`) =>
    new UsageError(`--to ${spec}: ${why}`, 'EINVALIDTARGET')

  if (isIPv4Address(value)) {
    if (isUnspecified(value))
      throw invalid(`0.0.0.0 is not a destination; give a broadcast or host address ${EXAMPLES}`)
    if (isMulticast(value))
      throw invalid(`${value} is a multicast address; IP Messenger uses broadcast or unicast ${EXAMPLES}`)
    return addressTarget(value, port, interfaces)
  }

  if (value.includes('/')) {
    const cidr = parseCidr(value)
    if (!cidr) throw invalid()
    if (cidr.prefix > MAX_BROADCAST_PREFIX) {
      throw invalid(
        `a /${cidr.prefix} network has no broadcast address; give the host address itself, or a /30 or shorter prefix`,
      )
    }

    return addressTarget(cidrBroadcast(value)!, port, interfaces)
  }

  if (value.includes(':'))
    throw invalid(
      `not a valid IPv4 address or CIDR ${EXAMPLES}; IPv6 is not supported, and the port is set with --port`,
    )
  if (/^[\d.]+$/.test(value)) throw invalid()
  if (!HOST_NAME.test(value)) throw invalid(`not a valid IPv4 address, CIDR or host name ${EXAMPLES}`)
  return {name: value}
}

export type LookupFunction = (hostname: string, options: {family: 4}) => Promise<{address: string; family: number}>

/** Resolve a host name from parseTargetSpec to one IPv4 unicast target; failures become NetError. */
export async function resolveTarget(name: string, port: number, lookup?: LookupFunction): Promise<Target> {
  let address: string
  try {
    // Loaded here, not on start: most runs name no host, and dns costs ~2 ms CPU to load (see literal-lookup.ts).
    lookup ??= (createRequire(import.meta.url)('node:dns/promises') as typeof import('node:dns/promises')).lookup
    address = (await lookup(name, {family: 4})).address
  } catch (error) {
    throw describeSocketError(error as NodeJS.ErrnoException, {action: 'resolve', address: name})
  }

  if (!isIPv4Address(address)) {
    throw new NetError(`host name ${name} did not resolve to an IPv4 address; give an IPv4 address`, 'ENOTIPV4')
  }

  return {address, port, kind: isLimitedBroadcast(address) ? 'limited' : 'unicast'}
}
