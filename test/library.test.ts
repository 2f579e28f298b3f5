import {expect} from 'chai'

import * as lanmsg from '../src/index.js'

describe('library entry (import … from "lanmsg")', () => {
  it('exports the codec and the LAN conversations', () => {
    for (const name of [
      'decode',
      'encode',
      'EncodeError',
      'Announcer',
      'ListenSession',
      'Presence',
      'ResponderPolicy',
      'toDatagramRecord',
      'broadcastTargets',
      'PacketNumberSource',
      'parseTargetSpec',
      'NetError',
      'UsageError',
      'MODES',
      'SENDCHECKOPT',
    ]) {
      expect(lanmsg, name).to.have.property(name)
    }
  })

  it('round-trips the spec example through encode and decode', () => {
    const {bytes} = lanmsg.encode({
      packetNo: 100,
      user: 'shirouzu',
      host: 'jupiter',
      command: lanmsg.MODES.SENDMSG,
      text: 'Hello',
    })
    expect(Buffer.from(bytes).toString('latin1')).to.equal('1:100:shirouzu:jupiter:32:Hello\0')
    const result = lanmsg.decode(bytes)
    expect(result.ok).to.equal(true)
    if (result.ok) expect(result.packet).to.include({mode: 'SENDMSG', packetNo: 100, text: 'Hello', user: 'shirouzu'})
  })
})
