// `--interface NAME` on an interface that exists but is down, or has no link, says so (issue 12, "never guess"):
// Node lists neither, so lanmsg used to call it "no such network interface". Run inside a network namespace made
// here (a veth pair, no route anywhere), deleted afterwards; nothing is sent.
import {expect} from 'chai'

import {canUseNetns, makeStateDir, nonEmptyLines, runCli, STACK_TRACE, TestNamespace} from '../support/hostile.js'

describe('hardening: --interface on an interface that is down', function () {
  this.timeout(40_000)
  let ns: TestNamespace | undefined
  let state: ReturnType<typeof makeStateDir>
  let pair: ReturnType<TestNamespace['addVethPair']>

  before(function () {
    if (!canUseNetns()) this.skip()
    state = makeStateDir()
    ns = TestNamespace.create('ifdown')
    pair = ns.addVethPair(7)
  })
  after(() => {
    ns?.remove()
    state?.remove()
  })

  const run = (args: string[]) => runCli(args, {prefix: ns!.prefix, env: {LANMSG_STATE_DIR: state.dir}})

  it('down: one line saying it is down and how to bring it up, exit 2 (announce and listen --respond)', async () => {
    ns!.ip('link', 'set', pair.a, 'down')
    for (const args of [
      ['announce', '--interface', pair.a],
      ['listen', '--respond', '--interface', pair.a],
    ]) {
      const exit = await run(args)
      expect(exit.code, exit.stderr).to.equal(2)
      expect(exit.stderr).not.to.match(STACK_TRACE)
      expect(nonEmptyLines(exit.stderr)).to.deep.equal([
        `Error: --interface ${pair.a}: the interface is down; bring it up (ip link set ${pair.a} up) or choose another; available: lo`,
      ])
    }
  })

  it('up without a link (its peer is down): one line saying it has no link, exit 2', async () => {
    ns!.ip('link', 'set', pair.a, 'up')
    ns!.ip('link', 'set', pair.b, 'down')
    const exit = await run(['announce', '--interface', pair.a])
    expect(exit.code, exit.stderr).to.equal(2)
    expect(exit.stderr).to.match(new RegExp(`^Error: --interface ${pair.a}: the interface has no link`))
  })

  it('absent: still "no such network interface"', async () => {
    const exit = await run(['announce', '--interface', 'nosuch0'])
    expect(exit.code).to.equal(2)
    expect(exit.stderr).to.match(/^Error: --interface nosuch0: no such network interface on this machine/)
  })
})
