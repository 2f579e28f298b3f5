// `lanmsg announce --raw/--raw-hex`: exact bytes to any UDP service on 127.0.0.1, and what comes back shown
// safely; and peers whose names carry terminal escape sequences.
import {expect} from 'chai'

import {freeUdpPort, type FakePeer, startEchoServer, startFakePeer} from '../support/ipmsg-peers.js'
import {makeStateDir, runCli} from '../support/run-cli.js'

type Json = any // JSON documents of the CLI, checked field by field

const ESC = 0x1b
const BEL = 0x07

describe('announce --raw and terminal safety', function () {
  this.timeout(60_000) // bounded by runCli's own limit; generous because the machine is shared
  const state = makeStateDir()
  const env = {LANMSG_STATE_DIR: state.dir}
  let port: number
  let server: FakePeer | undefined
  after(() => state.remove())
  beforeEach(async () => {
    port = await freeUdpPort()
  })
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const to = () => ['--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', '--wait', '400ms']

  it(String.raw`--raw 'ping\x00\n' sends exactly those bytes; the echo is shown as not IPMsg, escaped`, async () => {
    server = await startEchoServer(port)
    const run = await runCli(['announce', '--raw', String.raw`ping\x00\n`, ...to()], {env})
    expect(run.code, run.stderr).to.equal(0)
    expect(server.heard.map((h) => h.data)).to.deep.equal([Buffer.from('ping\0\n', 'latin1')])
    expect(run.stdout).to.include(String.raw`ping\x00\x0a`)
    expect(run.stdout).to.match(new RegExp(`127\\.0\\.0\\.1:${port} +\\(not IPMsg\\)`))
    expect(run.stdout).to.include('(6 bytes; not IPMsg')
    expect(run.stdout).to.include('Sent raw datagram (6 bytes)')
    expect([...run.stdoutBytes].filter((b) => b < 0x20 && b !== 0x0a)).to.deep.equal([])
    expect(run.stdout).to.include('No IPMsg peer answered.')
  })

  it('--raw with --json: the reply has ipmsg false, an error, and the exact bytes in base64', async () => {
    server = await startEchoServer(port)
    const run = await runCli(['announce', '--raw', String.raw`ping\x00\n`, ...to(), '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(doc.sent).to.deep.equal({packetNo: null, command: null, mode: null, bytes: 6, truncated: false})
    expect(doc.replies).to.have.length(1)
    const [reply] = doc.replies
    expect(reply).to.include({ipmsg: false, packet: null, size: 6, raw: Buffer.from('ping\0\n').toString('base64')})
    expect(reply.from).to.deep.equal({address: '127.0.0.1', port})
    expect(reply.error).to.be.a('string').and.not.equal('')
    expect(reply.acknowledges).to.equal(false)
    expect(doc.peers).to.deep.equal([])
    expect(doc.deliveries).to.deep.equal([]) // raw bytes ask for no receipt
  })

  it("--raw-hex '31 3a' sends the two bytes 0x31 0x3a", async () => {
    server = await startEchoServer(port)
    const run = await runCli(['announce', '--raw-hex', '31 3a', ...to(), '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    expect(server.heard.map((h) => h.data)).to.deep.equal([Buffer.from([0x31, 0x3a])])
    const doc = JSON.parse(run.stdout)
    expect(doc.replies.map((r: Json) => [r.ipmsg, r.raw])).to.deep.equal([[false, 'MTo=']])
    expect(doc.replies[0].error).to.be.a('string')
  })

  it('a nickname with escape sequences never reaches the terminal raw; JSON keeps it exactly', async () => {
    const evil = '\u001B[31mRED\u001B]0;title\u0007'
    server = await startFakePeer({
      port,
      bindAddress: '127.0.0.1',
      user: 'mal\u001B[2Jlory',
      host: 'h',
      nick: evil,
      group: 'g',
    })
    const table = await runCli(['announce', ...to(), '--retries', '0'], {env})
    expect(table.code, table.stderr).to.equal(0)
    expect(table.stdoutBytes.includes(ESC)).to.equal(false)
    expect(table.stdoutBytes.includes(BEL)).to.equal(false)
    expect(table.stdout).to.include(String.raw`\x1b[31mRED`)
    expect(table.stdout).to.include(String.raw`mal\x1b[2Jlory`)
    expect(table.stderr.includes('\u001B]0;')).to.equal(false)

    const json = await runCli(['announce', ...to(), '--retries', '0', '--json'], {env})
    expect(json.code, json.stderr).to.equal(0)
    const doc = JSON.parse(json.stdout)
    expect(doc.peers).to.have.length(1)
    expect(doc.peers[0].nickname).to.equal(evil)
    expect(doc.peers[0].user).to.equal('mal\u001B[2Jlory')
    expect(doc.replies[0].packet.nickname).to.equal(evil)
    expect(json.stdoutBytes.includes(ESC)).to.equal(false) // JSON escapes it as \u001b
  })
})
