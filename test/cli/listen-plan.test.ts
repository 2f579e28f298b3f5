import {expect} from 'chai'

import {planListen} from '../../src/cli/listen-plan.js'
import {UsageError} from '../../src/net/usage-error.js'

const base = {port: 2425, address: '0.0.0.0', respond: false, user: 'alice', host: 'pc', group: ''}
const context = {version: '0.1.0', warn() {}}

describe('cli/listen-plan', () => {
  it('a passive listener: no responder, no targets, the decode charset only when --encoding was given', async () => {
    const plain = await planListen(base, context)
    expect(plain).to.deep.include({port: 2425, address: '0.0.0.0', decodeOptions: {}, respond: undefined})
    expect(plain.filter).to.equal(undefined)
    const gbk = await planListen({...base, encoding: 'gbk', expire: 60_000, 'ipmsg-only': true}, context)
    expect(gbk).to.deep.include({decodeOptions: {legacyCharset: 'gbk'}, expireMs: 60_000})
    expect(gbk.filter).to.be.a('function')
  })

  it('--respond: who lanmsg is and where its BR_ENTRY and BR_EXIT go (--to)', async () => {
    const plan = await planListen(
      {...base, respond: true, nick: 'Build bot', to: ['127.0.0.1'], encoding: 'gbk'},
      context,
    )
    expect(plan.respond?.self).to.include({user: 'alice', host: 'pc', nickname: 'Build bot', absent: false})
    expect(plan.respond?.targets.map((t) => `${t.address}:${t.port}`)).to.deep.equal(['127.0.0.1:2425'])
    expect(plan.respond?.charset).to.equal('gbk')
  })

  it('a mistake in a filter is a usage error before anything is bound', async () => {
    for (const flags of [{from: ['10.0.0.300']}, {mode: ['NOSUCHMODE']}]) {
      const error = await planListen({...base, ...flags}, context).catch((error_: unknown) => error_)
      expect(error, JSON.stringify(flags)).to.be.instanceOf(UsageError)
    }
  })
})
