// The columns that say who a peer is, shared by announce's peers table and listen's presence table.
import type {PeerRow} from '../lan/presence.js'

import {clientLabel, notableOptions} from './packet-summary.js'
import {type Column, type Row} from './table.js'

// The address is never cut; on a narrow screen the names shrink, then group, client, options, host and nickname go.
export const PEER_IDENTITY_COLUMNS: Column[] = [
  {header: 'ADDRESS', key: 'address', keep: true},
  {header: 'USER', key: 'user'},
  {header: 'HOST', key: 'host', drop: 4},
  {header: 'NICKNAME', key: 'nickname', drop: 5},
  {header: 'GROUP', key: 'group', drop: 1},
  {header: 'CLIENT', key: 'client', drop: 2},
  {header: 'OPTIONS', key: 'options', drop: 3},
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
