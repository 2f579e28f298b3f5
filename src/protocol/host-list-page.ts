// Paging a host list into ANSLIST datagrams (§3.10): encode refuses a page that does not fit, so the sender asks
// here which hosts from a start index fit one datagram, as Windows fills each page until the next host would not.
import type {EncodeOptions, ListedHostInput, OutgoingPacket} from './types.js'

import {DEFAULT_MAX_BYTES, DEFAULT_MAX_UTF8_BYTES, encode, EncodeError} from './encode.js'
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

/** Sizes in UTF-8, an upper bound of what iptux converts a legacy-charset datagram to (unmappable text becomes `?`). */
const UTF8_SIZES: EncodeOptions = {
  charset: 'utf-8',
  maxBytes: Number.MAX_SAFE_INTEGER,
  maxUtf8Bytes: Number.MAX_SAFE_INTEGER,
}

/**
 * The page of `hosts` from `start` that fits one ANSLIST of `packet` (header fields and command) in `options`'
 * limits. The cost is a trial encode or two per host of the page: a GETLIST from the network costs what one page
 * shows.
 */
export function hostListPage(
  packet: PagePacket,
  hosts: readonly ListedHostInput[],
  start: number,
  options: EncodeOptions = {},
): HostListPage {
  const first = Number.isInteger(start) && start > 0 ? start : 0
  const page: ListedHostInput[] = []
  const taken: number[] = []
  const empty = sizeOf(packet, 0, [], options)
  if (empty === undefined) return {next: 0, hosts: [], skipped: 0}
  // A legacy charset has a second limit, in UTF-8 (§1.7): both sums are kept.
  const legacy = !/^utf-?8$/i.test(options.charset ?? 'utf-8')
  const emptyUtf8 = legacy ? sizeOf(packet, 0, [], UTF8_SIZES)! : 0
  const limit = options.maxBytes ?? DEFAULT_MAX_BYTES
  const utf8Limit = options.maxUtf8Bytes ?? DEFAULT_MAX_UTF8_BYTES
  const wider = String(hosts.length).length // room for a wider next index than the empty page's
  let total = empty + wider
  let totalUtf8 = emptyUtf8 + wider
  let at = first
  for (; at < hosts.length; at++) {
    const alone = writable(packet, hosts[at], options)
    if (alone === undefined) continue
    const grows = alone - empty
    const growsUtf8 = legacy ? sizeOf(packet, 0, [hosts[at]], UTF8_SIZES)! - emptyUtf8 : 0
    const over = total + grows > limit || (legacy && totalUtf8 + growsUtf8 > utf8Limit)
    if (over && page.length > 0) break
    page.push(hosts[at])
    taken.push(at)
    total += grows
    totalUtf8 += growsUtf8
  }

  at = trimToFit(packet, hosts.length, {page, taken, at}, options)
  return {next: at >= hosts.length ? 0 : at, hosts: page, skipped: at - first - page.length}
}

/**
 * The sums are bounds; the page itself is encoded once to be sure (a host dropped here starts the next page).
 * Returns where the next page starts.
 */
function trimToFit(
  packet: PagePacket,
  length: number,
  {page, taken, at}: {at: number; page: ListedHostInput[]; taken: number[]},
  options: EncodeOptions,
): number {
  while (page.length > 0 && sizeOf(packet, at >= length ? 0 : at, page, options) === undefined) {
    page.pop()
    at = taken.pop()!
    if (page.length === 0) at++ // it fits alone only without the wider index: passed over, never asked again
  }

  return at
}
