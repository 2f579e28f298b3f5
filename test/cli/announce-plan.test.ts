// announce's flags -> the run's options, in-process: no socket opens here (the targets are addresses, never names,
// and who holds the IPMsg port is injected). The same plans through the real command: test/commands/announce-*.
import {expect} from 'chai'

import {type AnnounceFlags, planAnnounce} from '../../src/cli/announce-plan.js'
import {NetError} from '../../src/net/net-error.js'
import {UsageError} from '../../src/net/usage-error.js'
import {CAPUTF8OPT, MODES, SENDCHECKOPT} from '../../src/protocol/constants.js'

const base: AnnounceFlags = {
  port: 2425,
  retries: 3,
  repeat: 1,
  interval: 5000,
  user: 'alice',
  host: 'pc',
  group: '',
  check: true,
  to: ['127.0.0.1'],
}

function planContext(holder?: string) {
  const warnings: string[] = []
  const looked: number[] = []
  return {
    warnings,
    looked,
    warn: (message: string) => warnings.push(message),
    otherClient(port: number) {
      looked.push(port)
      return holder
    },
  }
}

async function failure(flags: Partial<AnnounceFlags>, holder?: string): Promise<unknown> {
  return planAnnounce({...base, ...flags}, planContext(holder)).then(
    () => undefined,
    (error: unknown) => error,
  )
}

describe('cli/announce-plan', () => {
  it('a discovery: BR_ENTRY to the targets, BR_EXIT after it, the automatic window, port 2425 with fallback', async () => {
    const ctx = planContext()
    const plan = await planAnnounce(base, ctx)
    expect(plan.discovery).to.equal(true)
    const {options} = plan
    expect(options.targets).to.deep.equal([{address: '127.0.0.1', port: 2425, kind: 'unicast'}])
    expect(options).to.deep.include({
      bindPort: 2425,
      fallbackToEphemeral: true,
      waitMs: 'auto',
      retries: 3,
      repeat: 1,
      intervalMs: 5000,
      entry: undefined,
      decodeOptions: {},
    })
    expect(options.outgoing).to.deep.include({kind: 'packet'})
    expect(options.farewell?.command).to.equal(MODES.BR_EXIT | CAPUTF8OPT)
    expect(ctx.looked).to.deep.equal([2425])
  })

  it('a message: SENDMSG with the identity entry first; --wait, --bind-port, --stay and --encoding are passed on', async () => {
    const plan = await planAnnounce(
      {...base, text: 'hi', nick: 'Al', wait: 0, 'bind-port': 0, stay: true, encoding: 'gbk', expect: 2},
      planContext(),
    )
    expect(plan.discovery).to.equal(false)
    const {options} = plan
    expect(options.outgoing.kind === 'packet' && options.outgoing.packet.command).to.equal(MODES.SENDMSG | SENDCHECKOPT)
    expect(options.entry).to.deep.include({command: MODES.BR_ENTRY | CAPUTF8OPT, nickname: 'Al'})
    expect(options).to.deep.include({
      bindPort: 0,
      fallbackToEphemeral: false,
      waitMs: 0,
      expect: 2,
      farewell: undefined,
      decodeOptions: {legacyCharset: 'gbk'},
    })
  })

  it('--to CIDR and --limited: the subnet’s broadcast address and 255.255.255.255 on --port, each once', async () => {
    const plan = await planAnnounce(
      {...base, to: ['198.51.100.0/24', '198.51.100.255', '192.0.2.7'], limited: true, port: 2426},
      planContext(),
    )
    // 198.51.100.255 is no broadcast address of this host's interfaces: a routed one, sent as to a host.
    expect(plan.options.targets.map((t) => `${t.kind} ${t.address}:${t.port}`)).to.deep.equal([
      'unicast 198.51.100.255:2426',
      'unicast 192.0.2.7:2426',
      'limited 255.255.255.255:2426',
    ])
  })

  it('another IPMsg client on the port: a discovery is refused (exit 3), a message says so and sends no entry', async () => {
    const refused = await failure({}, 'iptux (pid 42)')
    expect(refused).to.be.instanceOf(NetError)
    expect(refused).to.include({code: 'ESHAREDPORT'})
    const plan = await planAnnounce({...base, text: 'hi'}, planContext('iptux (pid 42)'))
    expect(plan.shared).to.match(/^iptux \(pid 42\) also holds UDP port 2425/)
    expect(plan.options).to.deep.include({entry: undefined, farewell: undefined})
  })

  it('every mistake is a usage error before any socket opens', async () => {
    const mistakes: Array<Partial<AnnounceFlags>> = [
      {command: 'NOPE'},
      {text: 'x', option: ['NOPEOPT']},
      {raw: String.raw`\q`},
      {'raw-hex': 'zz'},
      {to: ['10.0.0.300']},
      {to: ['224.0.0.1']},
      {text: 'x'.repeat(20_000)},
    ]
    for (const flags of mistakes) {
      const ctx = planContext('iptux (pid 42)')
      const error = await planAnnounce({...base, ...flags}, ctx).catch((error_: unknown) => error_)
      expect(error, JSON.stringify(flags).slice(0, 60)).to.be.instanceOf(UsageError)
    }
  })

  it('--via: each host resolved (no default broadcast without --to); a usage error for a message, --repeat, a range', async () => {
    const plan = await planAnnounce({...base, to: undefined, via: ['10.2.0.5', '127.0.0.1']}, planContext())
    expect(plan.options.via).to.deep.equal([
      {address: '10.2.0.5', port: 2425, via: '10.2.0.5'},
      {address: '127.0.0.1', port: 2425, via: '127.0.0.1'},
    ])
    expect(plan.options.targets).to.deep.equal([])
    const message = await failure({via: ['10.2.0.5'], text: 'hi'})
    expect(message).to.be.instanceOf(UsageError)
    expect(String(message)).to.match(/--via probes the hosts it lists with the presence packet/)
    expect(await failure({via: ['10.2.0.5'], repeat: 2})).to.be.instanceOf(UsageError)
    const range = await failure({via: ['10.2.0.0/24']})
    expect(String(range)).to.match(/--via 10\.2\.0\.0\/24: a host list is asked of one host/)
  })
})
