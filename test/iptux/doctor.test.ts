// `lanmsg doctor` with a real iptux 0.8.3 (the Debian package) as its TARGET and on a LAN where iptux is the only
// client: each check must say what is true of iptux, checked against iptux itself (its sockets, its chat log, the
// installed package), not against what lanmsg believes.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'

import {Iptux, useIptuxLan} from '../support/iptux.js'
import {type SimulatedLan} from '../support/netns.js'

type Json = any

// Binds UDP 2425 with SO_REUSEADDR, as a client that shares the port does; prints the outcome.
const SHARED_BIND = `
import errno, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(('0.0.0.0', 2425)); print('bound')
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
`

const MTU_TEXT = 'lanmsg doctor: a test of datagrams larger than the MTU (lanmsg doctor --mtu); please ignore.'

describe('real iptux: what doctor says about it', function () {
  this.timeout(120_000)
  let lan: SimulatedLan
  let iptux: Iptux

  useIptuxLan(this, 2, {nickname: 'Tux', group: 'Penguins'}, (built, tux) => {
    lan = built
    iptux = tux
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(iptux.describe().slice(-6000)) // did iptux crash?
  })

  async function doctor(args: string[]): Promise<{code: null | number; doc: Json; stderr: string}> {
    const run = await lan.cli(lan.hosts[1], ['doctor', ...args, '--json']).wait(60_000)
    return {code: run.code, doc: JSON.parse(run.stdout), stderr: run.stderr}
  }

  const find = (doc: Json, id: string, scope?: string): Json => {
    const found = doc.checks.find((c: Json) => c.id === id && (scope === undefined || c.scope === scope))
    expect(found, `${id} ${scope ?? ''} in ${JSON.stringify(doc.checks)}`).to.not.equal(undefined)
    return found
  }

  /** The upstream version of the installed package (0.8.3 of "0.8.3+git20211122-1+b1"), if dpkg knows it. */
  function installedVersion(): string | undefined {
    // eslint-disable-next-line no-template-curly-in-string -- dpkg-query's format, not a template
    const run = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'iptux'], {encoding: 'utf8'})
    return run.status === 0 ? /^(?:\d+:)?(\d+(?:\.\d+)*)/.exec(run.stdout)?.[1] : undefined
  }

  it('"no GETINFO answer" is true of iptux: a GETINFO gets nothing back', async () => {
    const run = await lan
      .cli(lan.hosts[1], ['announce', '--command', 'GETINFO', '--to', iptux.address, '--json', '--wait', '3s'])
      .wait(60_000)
    const report = JSON.parse(run.stdout)
    expect(report.replies.map((r: Json) => r.packet?.mode)).to.not.include('SENDINFO')
    expect(report.deliveries[0].delivered).to.equal(false)
    const {doc} = await doctor([iptux.address])
    expect(find(doc, 'client', iptux.address).detail).to.include('no GETINFO answer')
  })

  it('a clean LAN with iptux on it, no TARGET: iptux answers the broadcast, every check ✓, exit 0', async () => {
    const {code, doc, stderr} = await doctor([])
    expect(
      doc.checks.filter((c: Json) => c.status !== 'ok'),
      stderr,
    ).to.deep.equal([])
    expect(code).to.equal(0)
    expect(find(doc, 'broadcast').detail).to.equal(`1 answered: ${iptux.address}`)
    expect(find(doc, 'broadcast-replies').detail).to.match(/\(1\) also answered the broadcast$/)
  })
  it("run in iptux's own host: ✗ iptux holds UDP 2425 without sharing it (true: a shared bind fails), and nothing is sent", async () => {
    const held = await lan.exec(iptux.host, ['ss', '-Hlunp', 'sport = :2425']).wait(10_000)
    const pid = /"iptux",pid=(\d+)/.exec(held.stdout)?.[1]
    expect(pid, held.stdout).to.be.a('string')
    // What "without sharing" means: a socket with SO_REUSEADDR cannot bind beside iptux's.
    const bind = await lan.exec(iptux.host, ['python3', '-c', SHARED_BIND]).wait(10_000)
    expect(bind.stdout.trim(), bind.stderr).to.equal('EADDRINUSE')

    const since = iptux.process.stderr.length
    const run = await lan.cli(iptux.host, ['doctor', lan.hosts[1].address, '--json']).wait(60_000)
    const doc = JSON.parse(run.stdout)
    expect(run.code).to.equal(10)
    const port = find(doc, 'udp-port')
    expect(port.status).to.equal('fail')
    expect(port.detail).to.include(`held by iptux (pid ${pid}) without sharing`)
    // Doctor sent nothing from iptux's address: iptux heard no datagram from itself.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(iptux.process.stderr.slice(since)).to.not.include(`received udp message from ${iptux.address}:`)
  })

  // Last: the probe opens a chat window in iptux (open_chat), and iptux 0.8.3 sometimes crashes (SIGSEGV in GTK's
  // text layout, "Invalid text buffer iterator") when that pal enters again while the window is open.
  it('iptux as TARGET: client named with its version, TCP 2425 open (iptux listens), MTU probe acknowledged and shown whole', async () => {
    // iptux itself holds TCP 2425 (its file-transfer listener): "open" must be iptux, not a guess.
    const sockets = await lan.exec(iptux.host, ['ss', '-Hltnp', 'sport = :2425']).wait(10_000)
    expect(sockets.stdout, sockets.stderr).to.match(/LISTEN.*"iptux"/)

    const before = iptux.received().length
    const {code, doc, stderr} = await doctor([iptux.address, '--mtu'])
    const notOk = doc.checks.filter((c: Json) => c.status !== 'ok')
    expect(notOk, stderr).to.deep.equal([])
    expect(code).to.equal(0)

    const client = find(doc, 'client', iptux.address)
    const version = installedVersion()
    expect(client.detail).to.match(/^iptux \d/)
    if (version) expect(client.detail).to.include(`iptux ${version}:`)
    expect(find(doc, 'tcp', iptux.address).detail).to.include('accepts connections')
    expect(find(doc, 'udp', iptux.address).detail).to.include('answered our entry')
    expect(find(doc, 'mtu', iptux.address).detail).to.match(/^a \d{4}-byte message \(IP fragments\) was acknowledged$/)

    // What iptux does with the probe: it shows it, whole, as a message (so doctor's "the peer shows it" is true).
    const shown = await iptux.waitForChat(
      (e) => e.direction === 'received' && e.text.startsWith(MTU_TEXT),
      10_000,
      "doctor's MTU probe",
    )
    expect(iptux.received().length).to.equal(before + 1)
    expect(shown.text).to.equal(`${MTU_TEXT}\n${'.'.repeat(shown.text.length - MTU_TEXT.length - 1)}`)
    expect(Buffer.byteLength(shown.text)).to.be.greaterThan(2800)
  })
})
