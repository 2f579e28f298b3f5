import {expect} from 'chai'

import {literalLookup} from '../../src/net/literal-lookup.js'

type Answer = [error: NodeJS.ErrnoException | null, address: string, family: number]

function ask(address: string): {answer: Promise<Answer>; synchronous: boolean} {
  let answered = false
  const answer = new Promise<Answer>((resolve) =>
    literalLookup(address, 4, (...args) => {
      answered = true
      resolve(args)
    }),
  )
  return {answer, synchronous: answered}
}

describe('literalLookup (dgram lookup without dns)', () => {
  it('hands an IPv4 literal back as itself, a tick later, as dns.lookup does', async () => {
    const {answer, synchronous} = ask('10.1.2.3')
    expect(synchronous).to.equal(false)
    expect(await answer).to.deep.equal([null, '10.1.2.3', 4])
  })

  it('fails for anything else (a host name is never resolved here)', async () => {
    for (const address of ['localhost', '::1', '999.1.1.1', '']) {
      const [error] = await ask(address).answer
      expect(error?.code, address).to.equal('EINVAL')
      expect(error?.message).to.include(JSON.stringify(address))
    }
  })
})
