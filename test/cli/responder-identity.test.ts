import {expect} from 'chai'

import {responderSelf} from '../../src/cli/responder-identity.js'
import {UsageError} from '../../src/net/usage-error.js'

const flags = {respond: true, user: 'alice', host: 'pc', group: 'Lab'}

describe('cli/responder-identity', () => {
  it('no --respond: nobody to be', () => {
    expect(responderSelf({...flags, respond: false}, '1.0.0')).to.equal(undefined)
  })

  it('who listen --respond is: the nickname defaults to the user; --absent sets absence and its text', () => {
    expect(responderSelf(flags, '1.0.0')).to.deep.equal({
      user: 'alice',
      host: 'pc',
      nickname: 'alice',
      group: 'Lab',
      absent: false,
      absenceText: undefined,
      version: '1.0.0',
    })
    expect(responderSelf({...flags, nick: 'Al', absent: 'at lunch'}, '1.0.0')).to.include({
      nickname: 'Al',
      absent: true,
      absenceText: 'at lunch',
    })
    expect(responderSelf({...flags, absent: ''}, '1.0.0')).to.include({absent: true, absenceText: ''})
  })

  it('an identity that cannot be announced is a usage error before the socket opens', () => {
    for (const bad of [{nick: 'n'.repeat(9000)}, {host: 'pc\0'}, {group: 'a\0b'}]) {
      expect(() => responderSelf({...flags, ...bad}, '1.0.0'), JSON.stringify(bad).slice(0, 40)).to.throw(
        UsageError,
        /^--user\/--host\/--nick\/--group: cannot announce this identity: .*; shorten them$/,
      )
    }
  })
})
