// Simulated LAN: `listen --read` on captures made for real. Host a captures its eth0 with tcpdump (Ethernet, and
// "any": Linux cooked v2) and dumpcap (pcapng) while it talks to an IPMsg peer on host b: an entry, a message and
// its receipt, a message larger than the MTU (so IP fragments), and a TCP file request. Every datagram of the
// conversation is decoded, both directions, with the capture's own times; --write then --read gives the same
// records; a capture cut short is one error line with the number of packets before it.
// Needs root and tcpdump (dumpcap for pcapng); under LANMSG_REQUIRE_PCAP=1 a missing one fails instead of skipping.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ENTRY_REPLY_MAX_DELAY_MS} from '../../src/lan/responder-policy.js'
import {CLI_BIN} from '../support/cli-bin.js'
import {type Host, type NetnsProcess, netnsSkipReason, SimulatedLan} from '../support/netns.js'
import {guardedEnv} from '../support/send-guard.js'
import {exchangeFileRequest} from '../support/tcp-file-request.js'
import {waitUntil} from '../support/wait-until.js'

type Json = any

const BIG_TEXT = 'x'.repeat(5000) // over the 1500-byte MTU: three IP fragments
const FILE_REQUEST = '1:424242:alice:pc-a:96:1796150904:0:0:' // GETFILEDATA (0x60): packet, file id, offset

function missingTool(name: string): string | undefined {
  const found = spawnSync(name, ['--version'], {encoding: 'utf8'})
  return found.error ? `${name} is not installed` : undefined
}

/** `lanmsg listen --read ARGS` here (reading a file sends nothing). */
function readCapture(args: string[], input?: Buffer) {
  const run = spawnSync(process.execPath, [CLI_BIN, 'listen', '--read', ...args], {
    encoding: 'utf8',
    input,
    env: guardedEnv({NO_COLOR: '1'}),
    timeout: 60_000,
  })
  const records: Json[] = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
  return {code: run.status, stdout: run.stdout, stderr: run.stderr, records}
}

describe('simulated LAN: listen --read on real captures', function () {
  this.timeout(120_000)
  let lan: SimulatedLan
  let dir: string
  const files = {ethernet: '', any: '', pcapng: ''}
  let responder: NetnsProcess
  let a: Host
  let b: Host

  before(async function () {
    if (netnsSkipReason()) this.skip()
    const missing = missingTool('tcpdump') ?? missingTool('dumpcap')
    if (missing) {
      if (process.env.LANMSG_REQUIRE_PCAP === '1') throw new Error(`LANMSG_REQUIRE_PCAP=1 but ${missing}`)
      this.skip()
    }

    dir = mkdtempSync(join(tmpdir(), 'lanmsg-capture-'))
    files.ethernet = join(dir, 'eth0.pcap')
    files.any = join(dir, 'any.pcap')
    files.pcapng = join(dir, 'eth0.pcapng')
    lan = await SimulatedLan.create({hosts: 2})
    ;[a, b] = lan.hosts
    // Every IP packet: a filter of "udp port 2425" would keep only a fragmented datagram's first piece.
    const captures = [
      lan.exec(a, ['tcpdump', '-Z', 'root', '-U', '-n', '-i', 'eth0', '-w', files.ethernet, 'ip']),
      lan.exec(a, ['tcpdump', '-Z', 'root', '-U', '-n', '-i', 'any', '-w', files.any, 'ip']),
      lan.exec(a, ['dumpcap', '-q', '-i', 'eth0', '-f', 'ip', '-w', files.pcapng]),
    ]
    await waitUntil(
      () => captures.every((c) => /listening on|Capturing on|File:/.test(c.stderr) || c.exited),
      'the captures to start',
    )
    for (const c of captures) expect(c.exited, c.describe()).to.equal(false)

    responder = lan.cli(b, ['listen', '--respond', '--ndjson', '--user', 'bob', '--duration', '60s'])
    await responder.waitBound(2425, 30_000)
    for (const text of ['hello', BIG_TEXT]) {
      const run = await lan.cli(a, ['announce', text, '--to', b.address, '--json', '--wait', '1s']).wait(30_000)
      expect(run.code, run.stderr).to.equal(0)
    }

    // A file request over TCP, as IP Messenger sends one: the IPMsg header at the start of the stream.
    await exchangeFileRequest(lan, a, b, FILE_REQUEST)

    // b answers each BR_ENTRY after a random delay (up to ENTRY_REPLY_MAX_DELAY_MS, §3.2), and a stopped listener
    // sends no answer still pending: stopping it earlier left the second ANSENTRY out of the capture now and then.
    await new Promise((resolve) => setTimeout(resolve, ENTRY_REPLY_MAX_DELAY_MS + 250))
    responder.kill('SIGINT')
    expect((await responder.wait(15_000)).code, responder.describe()).to.equal(0)
    await new Promise((resolve) => setTimeout(resolve, 500)) // BR_EXIT goes out after the socket's last read
    for (const c of captures) c.kill('SIGINT')
    for (const c of captures) await c.wait(15_000)
  })

  after(async () => {
    await lan?.destroy()
    if (dir) rmSync(dir, {force: true, recursive: true})
  })

  it('every datagram the peer received is in the capture, with both ends; its answers too (both directions)', () => {
    const {code, stderr, records} = readCapture([files.ethernet, '--ndjson'])
    expect(code, stderr).to.equal(0)
    const heard = responder.records().filter((r: Json) => r.from.address === a.address)
    expect(heard.length).to.be.at.least(3) // BR_ENTRY, two SENDMSGs (BR_EXIT too)
    for (const datagram of heard) {
      const match = records.find((r) => r.raw === datagram.raw && r.from.address === a.address)
      expect(match, `${datagram.packet?.mode} from a`).to.not.equal(undefined)
      expect(match.to).to.deep.equal({address: b.address, port: 2425})
      expect(match.transport).to.equal('udp')
    }

    const answers = records.filter((r) => r.from.address === b.address && r.to.address === a.address)
    expect(answers.map((r) => r.packet.mode)).to.include.members(['RECVMSG', 'ANSENTRY'])
    const big = records.find((r) => r.packet?.text === BIG_TEXT)
    expect(big, 'the message larger than the MTU, reassembled').to.include({size: 5000 + 26})
    expect(stderr).to.match(/1 datagram reassembled from 4 fragments/)
  })

  it('the TCP file request is a record of its own; the rest of the TCP stream is not shown', () => {
    const {records} = readCapture([files.ethernet, '--ndjson'])
    const tcp = records.filter((r) => r.transport === 'tcp')
    expect(tcp).to.have.length(1)
    expect(tcp[0]).to.deep.include({from: tcp[0].from, to: {address: b.address, port: 2425}})
    expect(tcp[0].from.address).to.equal(a.address)
    expect(tcp[0].packet).to.include({mode: 'GETFILEDATA', packetNo: 424_242, user: 'alice'})
  })

  it("each record has the packet's own time, as tcpdump reads it from the file", () => {
    const {records} = readCapture([files.ethernet, '--ndjson'])
    const dump = spawnSync('tcpdump', ['-r', files.ethernet, '-n', '-tt', 'udp and dst port 2425'], {encoding: 'utf8'})
    const firstTime = Number(dump.stdout.split(' ')[0]) // seconds.microseconds
    expect(Date.parse(records[0].receivedAt)).to.equal(Math.floor(firstTime * 1000 + 1e-6))
  })

  it('the same datagrams from a Linux cooked (tcpdump -i any), a pcapng (dumpcap) and stdin', () => {
    const reference = readCapture([files.ethernet, '--ndjson']).records
    expect(reference.length).to.be.at.least(8)
    // Each capture stamps its own copy of a packet; all of them ran from before the conversation to after its end
    // (the file request), so that part is the same in each, to the millisecond or so.
    const conversation = (records: Json[]) => {
      const end = records.findIndex((r) => r.transport === 'tcp')
      expect(end).to.be.greaterThan(0)
      return records.slice(0, end + 1).map(({receivedAt, ...rest}) => ({...rest, at: Date.parse(receivedAt)}))
    }

    const expected = conversation(reference)
    for (const file of [files.any, files.pcapng]) {
      const run = readCapture([file, '--ndjson'])
      expect(run.code, run.stderr).to.equal(0)
      const got = conversation(run.records)
      const withoutTime = (records: Json[]) => records.map((r) => ({...r, at: undefined}))
      expect(withoutTime(got)).to.deep.equal(withoutTime(expected))
      for (const [i, record] of got.entries()) expect(record.at).to.be.closeTo(expected[i].at, 5)
    }

    const stdin = readCapture(['-', '--ndjson'], readFileSync(files.ethernet))
    expect(stdin.records).to.deep.equal(reference)
  })

  it('--write then --read gives the same records; tshark opens the file when it is installed', () => {
    const out = join(dir, 'written.pcap')
    const first = readCapture([files.ethernet, '--ndjson', '--write', out])
    expect(first.code, first.stderr).to.equal(0)
    const again = readCapture([out, '--ndjson'])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.records).to.deep.equal(first.records)
    if (missingTool('tshark') === undefined) {
      const shark = spawnSync('tshark', ['-r', out, '-T', 'fields', '-e', 'ip.src', '-e', 'udp.dstport'], {
        encoding: 'utf8',
      })
      expect(shark.status, shark.stderr).to.equal(0)
      expect(shark.stdout.trim().split('\n')).to.have.length(first.records.length)
    }
  })

  it('the rows, --json and --ndjson modes show the same datagrams, rows with a TO column', () => {
    const ndjson = readCapture([files.ethernet, '--ndjson']).records
    const json = spawnSync(process.execPath, [CLI_BIN, 'listen', '--read', files.ethernet, '--json'], {
      encoding: 'utf8',
      env: guardedEnv({NO_COLOR: '1'}),
    })
    expect(JSON.parse(json.stdout).packets).to.deep.equal(ndjson)
    const rows = spawnSync(process.execPath, [CLI_BIN, 'listen', '--read', files.ethernet], {
      encoding: 'utf8',
      env: guardedEnv({NO_COLOR: '1'}),
    })
    expect(rows.stdout.split('\n')[0]).to.match(/^TIME +FROM +TO +MODE/)
    expect(rows.stdout).to.match(
      new RegExp(
        `${a.address.replaceAll('.', String.raw`\.`)}:2425 +${b.address.replaceAll('.', String.raw`\.`)}:2425 +SENDMSG`,
      ),
    )
  })

  it('a capture cut short: its records, then one error line with the packets read before the cut, exit 9', () => {
    const whole = readFileSync(files.ethernet)
    const cut = join(dir, 'cut.pcap')
    writeFileSync(cut, whole.subarray(0, -10))
    const run = readCapture([cut, '--ndjson'])
    expect(run.code).to.equal(9)
    const packets = spawnSync('tcpdump', ['-r', files.ethernet, '-n'], {encoding: 'utf8'}).stdout.trim().split('\n')
    const lines = run.stderr.trim().split('\n')
    expect(lines).to.have.length(1)
    expect(lines[0]).to.match(
      new RegExp(
        String.raw`^Error: the capture file ends in the middle of a record \(\d+ bytes left\) \(after ${packets.length - 1} packets\)$`,
      ),
    )
    expect(run.records.length).to.be.greaterThan(0)
    expect(run.stderr).to.not.match(/\n\s+at /) // no stack trace
  })
})
