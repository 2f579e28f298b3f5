// `--interface NAME` on an interface that exists but is down, or has no link, says so (issue 12, "never guess"):
// Node lists neither, so lanmsg used to call it "no such network interface". Run in a host of a simulated LAN
// (test/support/netns.ts) whose eth0 is taken down, or whose switch port is; nothing is sent.
import {expect} from 'chai'

import {nonEmptyLines, STACK_TRACE} from '../support/hostile.js'
import {type Host, type SimulatedLan, useSimulatedLan} from '../support/netns.js'

describe('hardening: --interface on an interface that is down', function () {
  this.timeout(40_000)
  let lan: SimulatedLan
  let host: Host
  useSimulatedLan(this, {
    hosts: 1,
    start(built) {
      lan = built
      host = lan.hosts[0]
    },
  })

  const run = (args: string[]) => lan.cli(host, args).wait(30_000)

  it('down: one line saying it is down and how to bring it up, exit 2 (announce and listen --respond)', async () => {
    await lan.ip(host, 'link', 'set', 'eth0', 'down')
    for (const args of [
      ['announce', '--interface', 'eth0'],
      ['listen', '--respond', '--interface', 'eth0'],
    ]) {
      const exit = await run(args)
      expect(exit.code, exit.stderr).to.equal(2)
      expect(exit.stderr).not.to.match(STACK_TRACE)
      expect(nonEmptyLines(exit.stderr)).to.deep.equal([
        `Error: --interface eth0: the interface is down; bring it up (ip link set eth0 up) or choose another; available: lo`,
      ])
    }
  })

  it('up without a link (its switch port is down): one line saying it has no link, exit 2', async () => {
    await lan.ip(host, 'link', 'set', 'eth0', 'up')
    const {bridge, port} = lan.switchPort(host)
    await lan.ip(bridge, 'link', 'set', port, 'down')
    // Under load the kernel marks the link down (operstate DOWN, no RUNNING flag) a while after `ip` returns.
    await lan.waitForOperstate(host, 'eth0', 'DOWN')
    const exit = await run(['announce', '--interface', 'eth0'])
    expect(exit.code, exit.stderr).to.equal(2)
    expect(exit.stderr).to.match(/^Error: --interface eth0: the interface has no link/)
  })

  it('absent: still "no such network interface"', async () => {
    const exit = await run(['announce', '--interface', 'nosuch0'])
    expect(exit.code).to.equal(2)
    expect(exit.stderr).to.match(/^Error: --interface nosuch0: no such network interface on this machine/)
  })
})
