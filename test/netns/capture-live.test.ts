// Simulated LAN: `listen --capture IFACE` while two IPMsg peers talk. Host a sends b an entry, a message and its
// receipt, a message larger than the MTU (IP fragments) and a TCP file request; b answers with `listen --respond`,
// which holds UDP 2425. Captured on a third host's eth0 (the switch learns no MAC addresses, ageing 0, so it floods
// the unicast between a and b to every port, as a hub or a mirror port would) and on b itself beside the listener:
// every packet of the conversation decoded, both directions, the large message reassembled, and the listener gets
// every datagram all the same. Captures only on interfaces of namespaces the test made.
// Needs root and the libpcap addon; under LANMSG_REQUIRE_PCAP=1 a missing addon fails instead of skipping.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ENTRY_REPLY_MAX_DELAY_MS} from '../../src/lan/responder-policy.js'
import {CLI_BIN} from '../support/cli-bin.js'
import {type Host, type NetnsProcess, namespaceEnv, netnsSkipReason, REPO_ROOT, SimulatedLan} from '../support/netns.js'
import {exchangeFileRequest} from '../support/tcp-file-request.js'
import {waitUntil} from '../support/wait-until.js'

type Json = any

const BIG_TEXT = 'y'.repeat(5000) // over the 1500-byte MTU: four IP fragments
const FILE_REQUEST = '1:515151:alice:pc-a:96:1796150904:0:0:' // GETFILEDATA (0x60): packet, file id, offset

function addonMissing(): string | undefined {
  const paths = ['dist/lanmsg_pcap.node', 'native/pcap/build/Release/lanmsg_pcap.node']
  return paths.some((p) => existsSync(join(REPO_ROOT, p))) ? undefined : 'the libpcap addon is not built'
}

describe('simulated LAN: listen --capture beside two peers talking', function () {
  this.timeout(120_000)
  let lan: SimulatedLan
  let a: Host
  let b: Host
  let c: Host
  let d: Host
  let dir: string
  let responder: NetnsProcess
  const captures: Record<'beside' | 'json' | 'ports' | 'rows' | 'third', NetnsProcess> = {} as never

  before(async function () {
    if (netnsSkipReason()) this.skip()
    const missing = addonMissing()
    if (missing) {
      if (process.env.LANMSG_REQUIRE_PCAP === '1') throw new Error(`LANMSG_REQUIRE_PCAP=1 but ${missing}`)
      this.skip()
    }

    lan = await SimulatedLan.create({hosts: 4})
    ;[a, b, c, d] = lan.hosts
    // A switch that forgets every address floods unicast to all its ports: c's eth0 sees what a and b say.
    await lan.ip(lan.bridges[0], 'link', 'set', 'dev', 'br0', 'type', 'bridge', 'ageing_time', '0')

    responder = lan.cli(b, ['listen', '--respond', '--ndjson', '--user', 'bob', '--duration', '60s'])
    await responder.waitBound(2425, 30_000)
    const capture = (host: Host, mode: string) =>
      lan.cli(host, ['listen', '--capture', 'eth0', mode, '--duration', '60s'])
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-live-capture-'))
    captures.third = lan.cli(c, [
      'listen',
      '--capture',
      'eth0',
      '--ndjson',
      '-d',
      '60s',
      '--write',
      join(dir, 'c.pcap'),
    ])
    captures.beside = capture(b, '--ndjson')
    captures.json = capture(c, '--json')
    captures.rows = capture(c, '--wide')
    captures.ports = lan.cli(c, ['listen', '--capture', 'eth0', '--ndjson', '-p', '2425', '-p', '9999', '-d', '60s'])
    await waitUntil(
      () =>
        [captures.third, captures.beside, captures.ports].every((p) => /capturing on eth0/.test(p.stderr) || p.exited),
      'the captures to start',
    )
    await new Promise((resolve) => setTimeout(resolve, 300)) // the --json one says nothing on stderr
    for (const p of Object.values(captures)) expect(p.exited, p.describe()).to.equal(false)

    for (const text of ['hello', BIG_TEXT]) {
      const run = await lan.cli(a, ['announce', text, '--to', b.address, '--json', '--wait', '1s']).wait(30_000)
      expect(run.code, run.stderr).to.equal(0)
    }

    // Other traffic, bounded: 200 datagrams to port 9999, which the kernel's filter keeps from lanmsg.
    const other = lan.exec(a, [process.execPath, '-e', otherTraffic(b.address)], {env: namespaceEnv()})
    expect((await other.wait(15_000)).code, other.describe()).to.equal(0)
    await exchangeFileRequest(lan, a, b, FILE_REQUEST)

    // b answers a BR_ENTRY after a random delay (up to ENTRY_REPLY_MAX_DELAY_MS, §3.2); a stopped listener sends
    // no answer still pending.
    await new Promise((resolve) => setTimeout(resolve, ENTRY_REPLY_MAX_DELAY_MS + 250))
    responder.kill('SIGINT')
    expect((await responder.wait(15_000)).code, responder.describe()).to.equal(0)
    await new Promise((resolve) => setTimeout(resolve, 500)) // BR_EXIT goes out after the socket's last read
    for (const p of Object.values(captures)) p.kill('SIGINT')
    for (const p of Object.values(captures)) expect((await p.wait(15_000)).code, p.describe()).to.equal(0)
  })

  after(async () => {
    if (dir) rmSync(dir, {force: true, recursive: true})
    await lan?.destroy()
  })

  const records = (p: NetnsProcess): Json[] => p.records().filter((r: Json) => r.from)

  for (const where of ['third', 'beside'] as const) {
    it(`${where === 'third' ? "on a third host's eth0" : 'on b, beside the listener holding 2425'}: every datagram of the conversation, both directions`, () => {
      const seen = records(captures[where])
      const heard = responder.records().filter((r: Json) => r.from?.address === a.address)
      expect(heard.map((r: Json) => r.packet?.mode)).to.include.members(['BR_ENTRY', 'SENDMSG', 'BR_EXIT'])
      for (const datagram of heard) {
        const match = seen.find((r) => r.raw === datagram.raw && r.from.address === a.address)
        expect(match, `${datagram.packet?.mode} from a`).to.not.equal(undefined)
        expect(match.to).to.deep.equal({address: b.address, port: 2425})
        expect(match.transport).to.equal('udp')
      }

      const answers = seen.filter((r) => r.from.address === b.address && r.to.address === a.address)
      expect(answers.map((r) => r.packet.mode)).to.include.members(['RECVMSG', 'ANSENTRY'])
      const big = seen.filter((r) => r.packet?.text === BIG_TEXT && r.from.address === a.address)
      expect(big, 'the message larger than the MTU, reassembled').to.have.length.at.least(1)
      expect(big[0]).to.include({size: 5000 + 26})
      expect(captures[where].stderr).to.match(/1 datagram reassembled from 4 fragments|datagrams? reassembled/)
      const tcp = seen.filter((r) => r.transport === 'tcp')
      expect(tcp).to.have.length(1)
      expect(tcp[0].from.address).to.equal(a.address)
      expect(tcp[0].to).to.deep.equal({address: b.address, port: 2425})
      expect(tcp[0].packet).to.include({mode: 'GETFILEDATA', packetNo: 515_151, user: 'alice'})
    })
  }

  it('other traffic stops in the kernel: none of the 200 datagrams to port 9999 reaches lanmsg', () => {
    const packets = /(\d+) packets in the capture/.exec(captures.third.stderr)
    expect(packets, captures.third.stderr).to.not.equal(null)
    expect(Number(packets![1])).to.be.within(10, 60) // the conversation's packets and fragments alone
  })

  it('--port twice: the other port is decoded too (all 200 datagrams to 9999)', () => {
    const seen = records(captures.ports)
    const other = seen.filter((r) => r.to.port === 9999)
    expect(other).to.have.length(200)
    expect(other[0]).to.deep.include({from: other[0].from, to: {address: b.address, port: 9999}, transport: 'udp'})
    expect(seen.filter((r) => r.to.port === 2425).length).to.equal(records(captures.third).length)
  })

  it('the listener beside the capture still got every datagram: both messages, the file request not its business', () => {
    const heard = responder.records().filter((r: Json) => r.from?.address === a.address)
    const texts = heard.filter((r: Json) => r.packet?.mode === 'SENDMSG').map((r: Json) => r.packet.text)
    expect(texts).to.include.members(['hello', BIG_TEXT])
    const beside = records(captures.beside).filter((r) => r.from.address === a.address && r.transport === 'udp')
    expect(heard.map((r: Json) => r.raw)).to.deep.equal(beside.map((r) => r.raw))
  })

  it('--json shows the same datagrams as --ndjson', () => {
    const document = JSON.parse(captures.json.stdout)
    const without = (list: Json[]) => list.map(({receivedAt: _, ...rest}: Json) => rest)
    expect(without(document.packets)).to.deep.equal(without(records(captures.third)))
  })

  it('--write then --read gives the same records', () => {
    const read = spawnSync(process.execPath, [CLI_BIN, 'listen', '--read', join(dir, 'c.pcap'), '--ndjson'], {
      encoding: 'utf8',
      env: namespaceEnv({NO_COLOR: '1'}), // reading a file sends nothing
      timeout: 60_000,
    })
    expect(read.status, read.stderr).to.equal(0)
    const again = read.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
    expect(again).to.deep.equal(records(captures.third))
  })

  it('rows: FROM and TO of each datagram, a conversation in both directions', () => {
    const escape = (address: string) => address.replaceAll('.', String.raw`\.`)
    const row = (from: Host, to: Host, mode: string) =>
      new RegExp(String.raw`${escape(from.address)}:2425 +${escape(to.address)}:2425 +${mode} `)
    expect(captures.rows.stdout).to.match(/^TIME +FROM +TO +MODE/)
    expect(captures.rows.stdout).to.match(row(a, b, 'SENDMSG'))
    expect(captures.rows.stdout).to.match(row(b, a, 'RECVMSG'))
  })

  it('runs until stopped: without --duration it waits for packets, and Ctrl-C ends it with the summary (exit 0)', async () => {
    const run = lan.cli(c, ['listen', '--capture', 'eth0', '--ndjson'])
    await waitUntil(() => /capturing on eth0/.test(run.stderr) || run.exited, 'the capture to start')
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(run.exited, run.describe()).to.equal(false)
    run.kill('SIGINT')
    const result = await run.wait(15_000)
    expect(result.code, run.describe()).to.equal(0)
    expect(run.stderr).to.match(/\d+ datagrams? received, .*\d+ packets in the capture/)
  })

  it('the interface removed under it: one warning line, the summary, exit 0, no stack trace', async () => {
    const run = lan.cli(d, ['listen', '--capture', 'eth0', '--ndjson'])
    await waitUntil(() => /capturing on eth0/.test(run.stderr) || run.exited, 'the capture to start')
    await lan.removeInterface(d, 'eth0')
    const result = await run.wait(15_000)
    expect(result.timedOut, run.describe()).to.equal(false)
    expect(result.code, run.describe()).to.equal(0)
    const lines = run.stderr.trimEnd().split('\n')
    expect(lines.filter((l) => l.startsWith('Warning: '))).to.have.length(1)
    expect(run.stderr).to.match(/^Warning: capture failed: .+$/m)
    expect(run.stderr).to.not.match(/\n\s+at /)
  })

  it('without root or CAP_NET_RAW: one line saying so, exit 4', async () => {
    const run = await lan
      .exec(
        c,
        [
          // Under c8 Node passes NODE_V8_COVERAGE on to every child, a directory nobody cannot write to.
          'env',
          '-u',
          'NODE_V8_COVERAGE',
          'setpriv',
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          '--inh-caps=-all',
          '--bounding-set=-all',
          process.execPath,
          CLI_BIN,
          'listen',
          '--capture',
          'eth0',
        ],
        {env: namespaceEnv({NO_COLOR: '1', HOME: '/tmp'})}, // oclif's data dir: one nobody may read
      )
      .wait(30_000)
    expect(run.code, run.stderr).to.equal(4)
    expect(run.stderr.trim().split('\n')).to.have.length(1)
    expect(run.stderr).to.match(/^Error: --capture needs root or CAP_NET_RAW \(capturing on eth0: .+\)\n$/)
  })

  it('no such interface: one line, exit 1; without the addon: one line saying what to install', async () => {
    const noDevice = await lan.cli(c, ['listen', '--capture', 'nosuch0']).wait(30_000)
    expect(noDevice.code, noDevice.stderr).to.equal(1)
    expect(noDevice.stderr).to.match(/^Error: no interface nosuch0 to capture on/)
    const noAddon = await lan.cli(c, ['listen', '--capture', 'eth0'], {env: {LANMSG_PCAP: 'off'}}).wait(30_000)
    expect(noAddon.code, noAddon.stderr).to.equal(1)
    expect(noAddon.stderr).to.match(/^Error: --capture needs libpcap: .*install libpcap-dev .*\n$/)
  })
})

function otherTraffic(address: string): string {
  return `
    const socket = require('node:dgram').createSocket('udp4')
    let sent = 0
    const next = () => (++sent < 200 ? socket.send('other', 9999, '${address}', next) : socket.close())
    socket.send('other', 9999, '${address}', next)`
}
