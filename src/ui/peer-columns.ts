// The columns that say who a peer is, shared by announce's peers table and listen's presence table.
import type {PeerRow} from '../lan/presence.js'

import {clientLabel, notableOptions} from './packet-summary.js'
import {type Column, type Row} from './table.js'

export const PEER_IDENTITY_COLUMNS: Column[] = [
  {header: 'ADDRESS', key: 'address'},
  {header: 'USER', key: 'user', maxWidth: 20},
  {header: 'HOST', key: 'host', maxWidth: 20},
  {header: 'NICKNAME', key: 'nickname', maxWidth: 24},
  {header: 'GROUP', key: 'group', maxWidth: 16},
  {header: 'CLIENT', key: 'client', maxWidth: 32},
  {header: 'OPTIONS', key: 'options'},
]

export function peerIdentityCells(p: PeerRow): Row {
  return {
    address: `${p.address}:${p.port}`,
    user: p.user,
    host: p.host,
    nickname: p.nickname,
    group: p.group,
    client: clientLabel(p.client),
    // The status says whether the user is away (iptux sets ABSENCEOPT always): the bit alone is not shown.
    options: notableOptions(p.options.filter((o) => o !== 'ABSENCEOPT' || p.status === 'absent')).join(',') || '-',
  }
}
