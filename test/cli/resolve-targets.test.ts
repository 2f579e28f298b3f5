// Targets from announce's flags, resolved without a packet sent and without a name looked up (addresses only).
import {expect} from 'chai'

import {resolveTargets, type TargetFlags} from '../../src/cli/resolve-targets.js'
import {UsageError} from '../../src/net/usage-error.js'

async function targets(flags: Omit<TargetFlags, 'port' | 'warn'> & {port?: number}) {
  const warnings: string[] = []
  const found = await resolveTargets({port: 2425, ...flags, warn: (m) => warnings.push(m)})
  return {list: found.map((t) => `${t.kind} ${t.address}:${t.port}`), warnings}
}

describe('cli/resolve-targets', () => {
  it('--to values in order, each on --port; a CIDR becomes its broadcast address; repeats are sent once', async () => {
    const {list, warnings} = await targets({
      to: ['192.0.2.7', '198.51.100.0/24', '192.0.2.7', '198.51.100.255'],
      port: 7,
    })
    expect(list).to.deep.equal(['unicast 192.0.2.7:7', 'unicast 198.51.100.255:7'])
    expect(warnings).to.deep.equal([])
  })

  it('--limited adds 255.255.255.255 (once, even if --to names it too)', async () => {
    expect((await targets({limited: true})).list).to.deep.equal(['limited 255.255.255.255:2425'])
    expect((await targets({to: ['255.255.255.255'], limited: true})).list).to.deep.equal([
      'limited 255.255.255.255:2425',
    ])
  })

  it('--interface adds that interface’s broadcast address beside --to (lo only when named)', async () => {
    const {list} = await targets({to: ['192.0.2.7'], interfaces: ['lo']})
    expect(list).to.deep.equal(['unicast 192.0.2.7:2425', 'broadcast 127.255.255.255:2425'])
  })

  it('a mistake is a usage error: a bad --to, an unknown --interface', async () => {
    for (const flags of [{to: ['10.0.0.256']}, {to: ['10.0.0.0/31']}, {interfaces: ['no-such-if0']}]) {
      const error = await resolveTargets({port: 2425, warn() {}, ...flags}).catch((error_: unknown) => error_)
      expect(error, JSON.stringify(flags)).to.be.instanceOf(UsageError)
    }
  })
})
