// The host addresses of the ranges a sweep probes, one at a time: a /16 is 65,534 addresses and none of them is
// held in memory, only the ranges (first and last as numbers).
import {intToIpv4, ipv4ToInt, parseCidr} from './ipv4.js'
import {UsageError} from './usage-error.js'

export interface AddressRange {
  /** As the user wrote it (for messages and the report). */
  spec: string
  /** First and last host address as unsigned 32-bit numbers, inclusive. */
  first: number
  last: number
}

/** The widest range one --sweep may name: a /16 is 65,534 probes, 11 minutes at the default rate. */
export const MAX_SWEEP_PREFIX_BITS = 16

/** Multicast (224/4), reserved (240/4) and "this network" (0/8): never a peer's address. */
function notAHost(value: number): boolean {
  return value >>> 28 >= 0xe || value >>> 24 === 0
}

/**
 * One --sweep value: a CIDR (its host addresses: without the network and broadcast addresses up to a /30; both
 * addresses of a /31 link, RFC 3021) or one address. Anything else, or a range wider than a /16, is a UsageError.
 */
export function parseSweepRange(spec: string): AddressRange {
  const value = spec.trim()
  const cidr = parseCidr(value.includes('/') ? value : `${value}/32`)
  if (!cidr) throw new UsageError(`--sweep ${spec}: not an IPv4 range (e.g. 192.168.2.0/24)`, 'EINVALIDSWEEP')
  if (cidr.prefix < MAX_SWEEP_PREFIX_BITS) {
    const hosts = (2 ** (32 - cidr.prefix) - 2).toLocaleString('en-US')
    throw new UsageError(
      `--sweep ${spec}: ${hosts} addresses is too many to probe one by one; the widest range is a /16 (give several /16s if you must)`,
      'EINVALIDSWEEP',
    )
  }

  const network = ipv4ToInt(cidr.network)
  const size = 2 ** (32 - cidr.prefix)
  const [first, last] = size > 2 ? [network + 1, network + size - 2] : [network, network + size - 1]
  if (notAHost(first) || notAHost(last))
    throw new UsageError(`--sweep ${spec}: not a range of host addresses (multicast, reserved or 0.x)`, 'EINVALIDSWEEP')
  return {spec: value, first, last}
}

/** The ranges sorted, with overlaps and neighbours joined, so that no address is probed twice. */
export function mergeRanges(ranges: AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first)
  const merged: AddressRange[] = []
  for (const range of sorted) {
    const previous = merged.at(-1)
    if (previous && range.first <= previous.last + 1) {
      if (range.last > previous.last) merged[merged.length - 1] = {...previous, last: range.last}
    } else {
      merged.push({...range})
    }
  }

  return merged
}

export function rangeSize(ranges: AddressRange[]): number {
  return ranges.reduce((sum, r) => sum + (r.last - r.first + 1), 0)
}

/**
 * Every address of the ranges in order, made as it is asked for.
 * @yields each address, dotted
 */
export function* rangeAddresses(ranges: AddressRange[]): Generator<string, void, undefined> {
  for (const range of ranges) {
    for (let value = range.first; value <= range.last; value++) yield intToIpv4(value)
  }
}
