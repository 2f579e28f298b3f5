// Paging a host list into ANSLIST datagrams (§3.10): encode refuses a page that does not fit, so the sender asks
// here which hosts from a start index fit one datagram, as Windows fills each page until the next host would not.
import type {EncodeOptions, ListedHostInput, OutgoingPacket} from './types.js'

import {DEFAULT_MAX_BYTES, encode, EncodeError} from './encode.js'
import {MAX_PACKET_NO} from './packet-number.js'

export interface HostListPage {
  /** Where the next page starts (the GETLIST body that asks for it); 0 when this page ends the list. */
  next: number
  hosts: ListedHostInput[]
  /** Hosts passed over because they cannot be written (a `\a` in a name) or do not fit a datagram even alone. */
  skipped: number
}

type PagePacket = Omit<OutgoingPacket, 'hostList' | 'packetNo'>

/** The datagram's size, or undefined when encode refuses it as too large. */
function sizeOf(
  packet: PagePacket,
  next: number,
  hosts: ListedHostInput[],
  options: EncodeOptions,
): number | undefined {
  try {
    // The largest packet number: the page fits whatever number the sender gives it.
    return encode({...packet, packetNo: MAX_PACKET_NO, hostList: {next, hosts}}, options).bytes.length
  } catch (error) {
    if (error instanceof EncodeError && error.code === 'TOO_LARGE') return undefined
    throw error
  }
}

/** Whether one host can be written at all (its fields come from the network and may hold the separator). */
function writable(packet: PagePacket, host: ListedHostInput, options: EncodeOptions): number | undefined {
  try {
    return sizeOf(packet, 0, [host], options)
  } catch (error) {
    if (error instanceof EncodeError) return undefined
    throw error
  }
}

/**
 * The page of `hosts` from `start` that fits one ANSLIST of `packet` (header fields and command) in `options`'
 * limits. The cost is one trial encode per host of the page: a GETLIST from the network costs what one page shows.
 */
export function hostListPage(
  packet: PagePacket,
  hosts: readonly ListedHostInput[],
  start: number,
  options: EncodeOptions = {},
): HostListPage {
  const first = Number.isInteger(start) && start > 0 ? start : 0
  const page: ListedHostInput[] = []
  let skipped = 0
  let at = first
  const empty = sizeOf(packet, 0, [], options)
  if (empty === undefined) return {next: 0, hosts: [], skipped: 0}
  const limit = options.maxBytes ?? DEFAULT_MAX_BYTES
  let total = empty + String(hosts.length).length // room for a wider next index than the empty page's
  for (; at < hosts.length; at++) {
    const alone = writable(packet, hosts[at], options)
    if (alone === undefined) {
      skipped++
      continue
    }

    const grows = alone - empty
    if (total + grows > limit && page.length > 0) break
    page.push(hosts[at])
    total += grows
  }

  // The sum is exact for the bytes; the UTF-8 limit of a legacy charset is checked by encoding the page itself.
  for (;;) {
    const next = at >= hosts.length ? 0 : at
    if (page.length === 0 || sizeOf(packet, next, page, options) !== undefined) return {next, hosts: page, skipped}
    page.pop()
    at = indexAfter(hosts, first, page.length, (host) => writable(packet, host, options) !== undefined)
    skipped = at - first - page.length
  }
}

/** The index just after the `count`-th writable host from `first`. */
function indexAfter(
  hosts: readonly ListedHostInput[],
  first: number,
  count: number,
  isWritable: (host: ListedHostInput) => boolean,
): number {
  let seen = 0
  let at = first
  while (at < hosts.length && seen < count) {
    if (isWritable(hosts[at])) seen++
    at++
  }

  return at
}
