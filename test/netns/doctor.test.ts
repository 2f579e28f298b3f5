// `lanmsg doctor` on a simulated LAN of two subnets behind a router: each fault is planted for real (nftables rules
// inside the test namespaces only, a host with nothing on 2425, a peer behind the router) and doctor must name it
// with a ✗, while the clean LAN sees ✓. The peers are the responder farm (answers BR_ENTRY as IP Messenger does)
// and a `lanmsg listen --respond` on h1, which acknowledges a SENDMSG with SENDCHECKOPT by RECVMSG as every real
// client does (feiq, QIpMsg, libipmsg, iptux: peers-on-the-wire.md), plus a plain TCP listener on 2425 there.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'

import {type NetnsProcess, type SimulatedLan, useSimulatedLan} from '../support/netns.js'

type Json = any

const TCP_LISTENER = `
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 2425)); s.listen(16); s.settimeout(1)
end = time.time() + 170
while time.time() < end:
    try:
        c, _ = s.accept(); c.close()
    except socket.timeout:
        pass
`

function nftMissing(): string | undefined {
  const probe = spawnSync('nft', ['--version'], {encoding: 'utf8'})
  return probe.error ? 'nft (nftables) is not installed' : undefined
}

describe('doctor on a simulated LAN', function () {
  this.timeout(120_000)
  // h0 runs doctor; h1 runs lanmsg listen --respond and a TCP listener; h2 runs nothing. Farm: 3 near, 2 far.
  let lan: SimulatedLan
  let farm: NetnsProcess
  const near = () => lan.farm.filter((h) => h.interfaces[0].subnet === 0).map((h) => h.address)
  const far = () => lan.farm.filter((h) => h.interfaces[0].subnet === 1).map((h) => h.address)

  useSimulatedLan(this, {
    hosts: [[0], [0], [0]],
    router: true,
    farm: [3, 2],
    skipReason: () => (nftMissing() && process.env.LANMSG_REQUIRE_NETNS !== '1' ? nftMissing() : undefined),
    async start(l) {
      lan = l
      const [, h1] = lan.hosts
      farm = lan.startFarm({durationS: 170})
      const responder = lan.cli(h1, ['listen', '--respond', '--duration', '170s'])
      lan.exec(h1, ['python3', '-c', TCP_LISTENER])
      await farm.waitForRecords((r: Json) => r.ready === 5, 1, 30_000)
      await responder.waitBound(2425)
    },
  })

  async function doctor(args: string[]): Promise<{code: null | number; doc: Json; stderr: string}> {
    const run = await lan.cli(lan.hosts[0], ['doctor', ...args, '--json']).wait(60_000)
    return {code: run.code, doc: JSON.parse(run.stdout), stderr: run.stderr}
  }

  const find = (doc: Json, id: string, scope?: string) => {
    const found = doc.checks.find((c: Json) => c.id === id && (scope === undefined || c.scope === scope))
    expect(found, `${id} ${scope ?? ''} in ${JSON.stringify(doc.checks)}`).to.not.equal(undefined)
    return found
  }

  /** Runs an nft script inside one test namespace; `{ a; b }` are written out one statement a line. */
  async function nft(host: {ns: string}, script: string): Promise<void> {
    const input = `${script.replaceAll('{ ', '{\n').replaceAll('; ', '\n').replaceAll(' }', '\n}')}\n`
    const result = await lan.exec(host as never, ['nft', '-f', '-'], {input}).wait(10_000)
    expect(result.code, result.stderr).to.equal(0)
  }

  it('a clean LAN: every check ✓ for this host, the LAN and a peer (TCP open, 3000 bytes acknowledged), exit 0', async () => {
    const h1 = lan.hosts[1].address
    const {code, doc, stderr} = await doctor([h1, '--mtu'])
    const failed = doc.checks.filter((c: Json) => c.status !== 'ok')
    expect(failed, stderr).to.deep.equal([])
    expect(code).to.equal(0)
    expect(find(doc, 'broadcast').detail).to.include(near()[0])
    expect(find(doc, 'mtu', h1).detail).to.match(/\d{4}-byte message .*acknowledged/)
    expect(find(doc, 'client', h1).detail).to.include('version 1')
  })

  it('nothing on UDP 2425 and TCP 2425 closed: ✗ port unreachable, ✗ refused, exit 9', async () => {
    const h2 = lan.hosts[2].address
    const {code, doc} = await doctor([h2])
    expect(code).to.equal(9)
    expect(find(doc, 'udp', h2)).to.include({status: 'fail'})
    expect(find(doc, 'udp', h2).detail).to.include('ICMP port unreachable')
    expect(find(doc, 'tcp', h2)).to.include({status: 'fail'})
    expect(find(doc, 'tcp', h2).detail).to.include('refused')
    expect(find(doc, 'client', h2)).to.include({status: 'unknown'})
  })

  it('TCP 2425 filtered (dropped) on the peer: ✗ no answer to a connection', async () => {
    const [, h1] = lan.hosts
    await nft(h1, 'table inet doctortest { chain input { type filter hook input priority 0; tcp dport 2425 drop } }')
    try {
      const {code, doc} = await doctor([h1.address])
      expect(code).to.equal(9)
      expect(find(doc, 'udp', h1.address)).to.include({status: 'ok'})
      expect(find(doc, 'tcp', h1.address)).to.include({status: 'fail'})
      expect(find(doc, 'tcp', h1.address).detail).to.match(/no answer to a connection/)
    } finally {
      await nft(h1, 'delete table inet doctortest')
    }
  })

  it('fragments dropped on the way to the peer: ✗ for the 3000-byte message while small packets are answered', async () => {
    const [, h1] = lan.hosts
    // Before defragmentation (priority -400): every fragment after the first is dropped, so nothing reassembles.
    await nft(
      h1,
      'table ip doctorfrag { chain pre { type filter hook prerouting priority -500; ip frag-off & 0x1fff != 0 drop } }',
    )
    try {
      const {code, doc} = await doctor([h1.address, '--mtu'])
      expect(code).to.equal(9)
      expect(find(doc, 'udp', h1.address)).to.include({status: 'ok'})
      expect(find(doc, 'mtu', h1.address)).to.include({status: 'fail'})
      expect(find(doc, 'mtu', h1.address).detail).to.include('fragments are dropped')
    } finally {
      await nft(h1, 'delete table ip doctorfrag')
    }
  })

  it('a stateful firewall here dropping answers to broadcasts: ✗ names the peers that answer unicast only', async () => {
    const [h0] = lan.hosts
    await nft(
      h0,
      'table inet doctorfw { chain input { type filter hook input priority 0; policy drop; ct state established,related accept; iif lo accept } }',
    )
    try {
      const {code, doc} = await doctor([])
      expect(code).to.equal(9)
      const replies = find(doc, 'broadcast-replies')
      expect(replies.status).to.equal('fail')
      for (const address of near()) expect(replies.detail).to.include(address)
      expect(replies.advice).to.include('firewall')
      expect(find(doc, 'broadcast').status).to.equal('unknown')
    } finally {
      await nft(h0, 'delete table inet doctorfw')
    }
  })

  it('a peer on another subnet behind the router: ✗ not on a local subnet, though it answers by unicast', async () => {
    const [address] = far()
    const {code, doc} = await doctor([address])
    expect(code).to.equal(9)
    expect(find(doc, 'subnet', address)).to.include({status: 'fail'})
    expect(find(doc, 'subnet', address).advice).to.match(/--to|--sweep/)
    expect(find(doc, 'udp', address)).to.include({status: 'ok'})
  })
})
