// `lanmsg doctor` on a simulated LAN of two subnets behind a router: each fault is planted for real (nftables rules
// inside the test namespaces only, a host with nothing on 2425, a peer behind the router) and doctor must name it
// with a ✗, while the clean LAN sees ✓. The peers are the responder farm (answers BR_ENTRY as IP Messenger does)
// and a `lanmsg listen --respond` on h1, which acknowledges a SENDMSG with SENDCHECKOPT by RECVMSG as every real
// client does (feiq, QIpMsg, libipmsg, iptux: peers-on-the-wire.md), plus a plain TCP listener on 2425 there.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

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

  async function doctor(
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{code: null | number; doc: Json; stderr: string}> {
    const run = await lan.cli(lan.hosts[0], ['doctor', ...args, '--json'], {env}).wait(60_000)
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

  it('nothing on UDP 2425 and TCP 2425 closed: ✗ port unreachable, ✗ refused, exit 10', async () => {
    const h2 = lan.hosts[2].address
    const {code, doc} = await doctor([h2])
    expect(code).to.equal(10)
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
      expect(code).to.equal(10)
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
      expect(code).to.equal(10)
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
      expect(code).to.equal(10)
      const replies = find(doc, 'broadcast-replies')
      expect(replies.status).to.equal('fail')
      // h1 (lanmsg) answers one entry per source per 2 s: its unicast probe must come late enough to be answered.
      for (const address of [...near(), lan.hosts[1].address]) expect(replies.detail).to.include(address)
      expect(replies.advice).to.include('firewall')
      expect(find(doc, 'broadcast').status).to.equal('unknown')
    } finally {
      await nft(h0, 'delete table inet doctorfw')
    }
  })

  it('a peer on another subnet behind the router: ✗ not on a local subnet, though it answers by unicast', async () => {
    const [address] = far()
    const {code, doc} = await doctor([address])
    expect(code).to.equal(10)
    expect(find(doc, 'subnet', address)).to.include({status: 'fail'})
    expect(find(doc, 'subnet', address).advice).to.match(/--to|--sweep/)
    expect(find(doc, 'udp', address)).to.include({status: 'ok'})
  })

  it('our own broadcast not heard back (incoming broadcasts dropped here): ✗', async () => {
    const [h0] = lan.hosts
    await nft(
      h0,
      'table inet doctorecho { chain input { type filter hook input priority 0; meta pkttype broadcast drop } }',
    )
    try {
      const {code, doc} = await doctor([])
      expect(code).to.equal(10)
      expect(find(doc, 'echo')).to.include({status: 'fail'})
      expect(find(doc, 'broadcast')).to.include({status: 'ok'}) // the answers are unicasts: they still come in
    } finally {
      await nft(h0, 'delete table inet doctorecho')
    }
  })

  it('UDP 2425 held here by a program that does not share it: ✗, and nothing is sent under its address', async () => {
    const [h0] = lan.hosts
    const holder = lan.exec(h0, [
      'python3',
      '-c',
      "import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 2425)); time.sleep(30)",
    ])
    try {
      await holder.waitBound(2425)
      const {code, doc} = await doctor([])
      expect(code).to.equal(10)
      const port = find(doc, 'udp-port')
      expect(port.status).to.equal('fail')
      expect(port.detail).to.include('python3')
      expect(doc.checks.map((c: Json) => c.id)).to.not.include('broadcast')
      expect(find(doc, 'lan')).to.include({status: 'unknown'})
    } finally {
      holder.kill('SIGKILL')
      await holder.wait(5000)
    }
  })

  it('packet numbers far ahead of the clock (state from a clock set back): ✗', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lanmsg-doctor-state-'))
    try {
      writeFileSync(join(state, 'packet-number'), `${Math.floor(Date.now() / 1000) + 86_400}\n`)
      const {code, doc} = await doctor([], {LANMSG_STATE_DIR: state})
      expect(code).to.equal(10)
      expect(find(doc, 'packet-numbers')).to.include({status: 'fail'})
      expect(find(doc, 'packet-numbers').detail).to.match(/ahead of the clock/)
    } finally {
      rmSync(state, {recursive: true, force: true})
    }
  })

  it('a virtual card (vmnet8) on the same subnet as eth0: ✗ names both', async () => {
    const [h0] = lan.hosts
    // A veth pair inside h0 (no dummy module here): both ends up, so vmnet8 has a link as a VMware adapter does.
    await lan.ip(h0, 'link', 'add', 'vmnet8', 'type', 'veth', 'peer', 'name', 'vmnet8p')
    try {
      await lan.ip(h0, 'addr', 'add', `10.201.${lan.x}.99/24`, 'dev', 'vmnet8')
      await lan.ip(h0, 'link', 'set', 'vmnet8p', 'up')
      await lan.ip(h0, 'link', 'set', 'vmnet8', 'up')
      const {code, doc} = await doctor([])
      expect(code).to.equal(10)
      const interfaces = find(doc, 'interfaces')
      expect(interfaces.status).to.equal('fail')
      expect(interfaces.detail).to.match(/eth0 and vmnet8 are both on 10\.201\.\d+\.0\/24/)
    } finally {
      await lan.ip(h0, 'link', 'del', 'vmnet8')
    }
  })

  it('without --json: the steps on stderr, the checklist (ASCII marks in a pipe) and one advice line per failure', async () => {
    const h2 = lan.hosts[2].address
    const run = await lan.cli(lan.hosts[0], ['doctor', h2]).wait(60_000)
    expect(run.code, run.stderr).to.equal(10)
    for (const step of ['Looking at this host', 'Broadcasting an entry', 'Probing one address', 'Saying goodbye'])
      expect(run.stderr).to.include(step)
    expect(run.stdout).to.match(
      new RegExp(`^FAIL +${h2.replaceAll('.', String.raw`\.`)} +UDP 2425 answers +ICMP port unreachable`, 'm'),
    )
    expect(run.stdout).to.match(/^ok +this host +Interfaces and broadcast addresses/m)
    const advice = run.stdout.slice(run.stdout.indexOf('What to do:')).split('\n\n')[0].split('\n').slice(1)
    expect(advice.filter((l) => l.startsWith('FAIL'))).to.have.length(2) // UDP and TCP
    expect(run.stdout).to.match(/\d+ ok, 2 failed, \d+ could not tell\.\n$/)
    expect(run.stdout).to.not.include('✓')
  })

  it('a TARGET that is a mistake (mistyped, a broadcast address): one line, exit 2', async () => {
    for (const [target, message] of [
      ['10.1.2', /TARGET 10\.1\.2: not a valid IPv4 address/],
      [lan.hosts[0].interfaces[0].broadcast, /a broadcast or network address; doctor diagnoses one peer/],
    ] as const) {
      const run = await lan.cli(lan.hosts[0], ['doctor', target]).wait(20_000)
      expect(run.code, run.stderr).to.equal(2)
      expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1)
      expect(run.stderr).to.match(message)
      expect(run.stdout).to.equal('')
    }
  })

  it('Ctrl-C during the probes: the checklist says what was not checked, exit 130', async () => {
    const child = lan.cli(lan.hosts[0], ['doctor', lan.hosts[1].address])
    // Once the broadcast step has ended: during the spacing or the sweep (2.5 s) that follow.
    const deadline = Date.now() + 20_000
    while (!/Broadcasting an entry: /.test(child.stderr) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50))
    child.kill('SIGINT')
    const run = await child.wait(30_000)
    expect(run.code, child.describe()).to.equal(130)
    expect(run.stdout).to.match(/^\? +LAN +Answers to a broadcast arrive +not checked: the run was stopped/m)
    expect(run.stderr).to.include('Saying goodbye (BR_EXIT): sent to')
  })
})
