// What `listen --respond --serve-list` answers GETLIST with (§3.10): itself first, as Windows lists itself, then
// the peers this listen has seen that are still there. Pure: the rows and our own address are passed in.
import type {ListedHostInput} from '../protocol/types.js'
import type {PeerRow} from './presence.js'

import {
  ABSENCEOPT,
  CAPFILEENCOPT,
  CAPIPDICTOPT,
  CAPUTF8OPT,
  CLIPBOARDOPT,
  DIALUPOPT,
  ENCEXTMSGOPT,
  ENCRYPTOPT,
  FILEATTACHOPT,
  SERVEROPT,
} from '../protocol/constants.js'
import {isIPv4Address} from '../net/ipv4.js'
import type {ResponderSelf} from './responder-policy.js'

/** The entry options Windows keeps per host and lists as its status (GET_OPT & IPMSG_ALLSTAT, WMW AddHost). */
const STATUS_BITS: Readonly<Record<string, number>> = {
  ABSENCEOPT,
  SERVEROPT,
  DIALUPOPT,
  CAPFILEENCOPT,
  FILEATTACHOPT,
  ENCRYPTOPT,
  CAPUTF8OPT,
  CAPIPDICTOPT,
  ENCEXTMSGOPT,
  CLIPBOARDOPT,
}

function statusOf(row: PeerRow): number {
  let status = row.status === 'absent' ? ABSENCEOPT : 0
  for (const name of row.options) if (name !== 'ABSENCEOPT') status |= STATUS_BITS[name] ?? 0
  return status >>> 0
}

/**
 * Ourselves (when we have an address to give) and every IPv4 peer still present or absent; exited and expired
 * peers are left out, as Windows deletes a host on BR_EXIT. A listed host is hearsay to whoever reads the list.
 */
export function servedHostList(
  self: ResponderSelf & {address: string | undefined; port: number},
  rows: readonly PeerRow[],
): ListedHostInput[] {
  const list: ListedHostInput[] = []
  if (self.address !== undefined) {
    list.push({
      user: self.user,
      host: self.host,
      status: (CAPUTF8OPT | (self.absent ? ABSENCEOPT : 0)) >>> 0,
      address: self.address,
      port: self.port,
      nickname: self.nickname,
      group: self.group,
    })
  }

  for (const row of rows) {
    if (row.status !== 'present' && row.status !== 'absent') continue
    if (!isIPv4Address(row.address)) continue
    if (self.address === row.address && self.port === row.port) continue
    list.push({
      user: row.user,
      host: row.host,
      status: statusOf(row),
      address: row.address,
      port: row.port,
      nickname: row.nickname,
      group: row.group,
    })
  }

  return list
}
