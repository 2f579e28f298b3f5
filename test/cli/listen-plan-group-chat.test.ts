import {expect} from 'chai'

import {planListen} from '../../src/cli/listen-plan.js'
import {UsageError} from '../../src/net/usage-error.js'

const base = {port: 2425, address: '0.0.0.0', respond: false, user: 'alice', host: 'pc', group: ''}
const context = {version: '0.1.0', warn() {}}

describe('cli/listen-plan: --group-chat', () => {
  it('asks the session to join the group; without the flag it does not', async () => {
    expect((await planListen({...base, 'group-chat': true}, context)).groupChat).to.equal(true)
    expect((await planListen(base, context)).groupChat).to.not.equal(true)
  })

  it('with an --address other than 0.0.0.0 is a usage error (multicast would never arrive), before the bind', async () => {
    const error = await planListen({...base, address: '127.0.0.1', 'group-chat': true}, context).catch(
      (error_: unknown) => error_,
    )
    expect(error).to.be.instanceOf(UsageError)
    expect((error as Error).message).to.equal(
      '--group-chat needs --address 0.0.0.0 (got 127.0.0.1): multicast is not delivered to it',
    )
  })
})
