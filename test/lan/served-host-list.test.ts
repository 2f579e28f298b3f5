import {expect} from 'chai'

import {servedHostList} from '../../src/lan/served-host-list.js'
import {Presence} from '../../src/lan/presence.js'
import {ABSENCEOPT, CAPUTF8OPT, FILEATTACHOPT, MODES} from '../../src/protocol/constants.js'
import {makePacket} from './packet-factory.js'

const self = {user: 'lan', host: 'box', nickname: 'Lan', group: 'Ops', address: '10.2.0.10', port: 2425}

describe('lan/served-host-list', () => {
  it('lists itself first, then the peers still there with their entry options as the status', () => {
    const presence = new Presence()
    presence.record(
      makePacket(MODES.ANSENTRY | CAPUTF8OPT | FILEATTACHOPT, {user: 'a'}),
      {address: '10.2.0.3', port: 2425},
      1,
    )
    presence.record(
      makePacket(MODES.BR_ENTRY | ABSENCEOPT, {user: 'b', version: '1_lbt6_0#128#000C29000000#0#0#0#4001#9'}),
      {address: '10.2.0.4', port: 2425},
      2,
    )
    presence.record(makePacket(MODES.BR_ENTRY, {user: 'gone'}), {address: '10.2.0.5', port: 2425}, 3)
    presence.record(makePacket(MODES.BR_EXIT, {user: 'gone'}), {address: '10.2.0.5', port: 2425}, 4)
    presence.record(makePacket(MODES.BR_ENTRY, {user: 'lan', host: 'box'}), {address: '10.2.0.10', port: 2425}, 5)
    const list = servedHostList(self, presence.rows())
    expect(list.map((h) => `${h.user}@${h.address}`)).to.deep.equal(['lan@10.2.0.10', 'a@10.2.0.3', 'b@10.2.0.4'])
    expect(list[0]).to.deep.equal({
      user: 'lan',
      host: 'box',
      status: CAPUTF8OPT,
      address: '10.2.0.10',
      port: 2425,
      nickname: 'Lan',
      group: 'Ops',
    })
    expect(list[1].status).to.equal(CAPUTF8OPT | FILEATTACHOPT)
    expect(list[2].status & ABSENCEOPT).to.equal(ABSENCEOPT)
  })

  it('leaves itself out when it has no address to give', () => {
    expect(servedHostList({...self, address: undefined}, [])).to.deep.equal([])
  })
})
