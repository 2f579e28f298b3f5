import {expect} from 'chai'

import type {PeerRow} from '../../src/lan/presence.js'

import {peerIdentityCells} from '../../src/ui/peer-columns.js'

describe('ui/peer-columns', () => {
  const row = (status: PeerRow['status'], kind: 'iptux' | 'ipmsg'): PeerRow => ({
    address: '10.0.0.5',
    port: 2425,
    user: 'alice',
    host: 'laptop',
    nickname: 'Alice',
    group: '',
    client: kind === 'iptux' ? {kind, name: 'iptux', version: '0.8.3'} : {kind, name: 'IP Messenger'},
    firstSeen: 0,
    lastSeen: 0,
    status,
    packets: 1,
    options: ['ABSENCEOPT', 'CAPUTF8OPT'],
  })

  it('says "absent" in OPTIONS only when the status is absent, not for the bit iptux always sets', () => {
    expect(peerIdentityCells(row('present', 'iptux')).options).to.equal('utf-8')
    expect(peerIdentityCells(row('absent', 'ipmsg')).options).to.equal('absent,utf-8')
  })
})
