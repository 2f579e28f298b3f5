// `lanmsg announce TEXT --to 127.0.0.1`: SENDMSG, receipts (RECVMSG), resends every second, encodings, and the
// debugging flags --command/--option. Network rule: unicasts to 127.0.0.1 only.
import {expect} from 'chai'
import iconv from 'iconv-lite'

import {eventually, type FakePeer, freeUdpPort, IPMSG, packets, startFakePeer} from '../support/ipmsg-peers.js'
import {makeStateDir, runCli, type RunCliResult} from '../support/run-cli.js'

const ME = ['--user', 'alice', '--host', 'pc1']

/** What a peer heard besides lanmsg's entry and exit around the message (those have their own test). */
const talk = (peer: FakePeer) => packets(peer).filter((h) => h.mode !== IPMSG.BR_ENTRY && h.mode !== IPMSG.BR_EXIT)

describe('announce TEXT (messages and receipts)', function () {
  this.timeout(60_000) // bounded by runCli's own limit; generous because the machine is shared
  const state = makeStateDir()
  const env = {LANMSG_STATE_DIR: state.dir}
  let port: number
  let peer: FakePeer | undefined
  after(() => state.remove())
  beforeEach(async () => {
    port = await freeUdpPort()
  })
  afterEach(async () => {
    await peer?.close()
    peer = undefined
  })

  const to = () => ['--to', '127.0.0.1', '--port', String(port), '--bind-port', '0']
  const bob = (extra: Partial<Parameters<typeof startFakePeer>[0]> = {}) =>
    startFakePeer({port, bindAddress: '127.0.0.1', user: 'bob', host: 'pc2', nick: 'Bob', ...extra})

  it(String.raw`sends 1:<n>:alice:pc1:288:hello\0 and reports the receipt (JSON)`, async () => {
    peer = await bob()
    const run = await runCli(['announce', 'hello', ...to(), ...ME, '--wait', '1500ms', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(talk(peer)).to.have.length(1)
    const [sent] = talk(peer)
    expect(sent.data.toString('latin1')).to.equal(`1:${doc.sent.packetNo}:alice:pc1:288:hello\0`)
    expect(sent.from).to.deep.equal({address: '127.0.0.1', port: doc.local.port})
    expect(doc.sent).to.include({mode: 'SENDMSG', command: 288, bytes: sent.data.length, truncated: false})
    expect(doc.deliveries).to.have.length(1)
    expect(doc.deliveries[0]).to.include({
      address: '127.0.0.1',
      port,
      packetNo: doc.sent.packetNo,
      delivered: true,
      attempts: 1,
    })
    expect(doc.deliveries[0].rttMs).to.be.a('number').within(0, 1000)
    expect(doc.replies.map((r: any) => r.packet.mode)).to.deep.equal(['ANSENTRY', 'RECVMSG']) // entry, then message
    const ack = doc.replies[1]
    expect(ack.acknowledges).to.equal(true)
    expect(ack.packet).to.include({mode: 'RECVMSG', command: 33, acknowledges: doc.sent.packetNo, user: 'bob'})
    expect(Buffer.from(ack.raw, 'base64').toString('latin1')).to.equal(
      `1:${ack.packet.packetNo}:bob:pc2:33:${doc.sent.packetNo}\0`,
    )
    // Every target acknowledged: no need to sit out the rest of the window (4 s with the default --retries 3). The
    // bound leaves a busy machine room and still tells the two apart.
    expect(run.endedAt - sent.at).to.be.below(3500)
  })

  it('enters first (BR_ENTRY with nickname and group), then sends the message, then leaves (BR_EXIT); --stay stays', async () => {
    peer = await bob()
    const run = await runCli(['announce', 'hello', ...to(), ...ME, '--nick', 'Ali', '--group', 'Lab', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    const heard = packets(peer)
    expect(heard.map((h) => h.mode)).to.deep.equal([IPMSG.BR_ENTRY, IPMSG.SENDMSG, IPMSG.BR_EXIT])
    expect(heard[0].body!.toString('utf8')).to.match(/^Ali\0Lab\0\nUN:alice\nHN:pc1\nNN:Ali\nGN:Lab/)
    expect(heard[0].header.packetNo).to.equal(doc.entry.packetNo)
    expect(heard[1].header.packetNo).to.be.greaterThan(heard[0].header.packetNo)
    expect(heard[2].header.packetNo).to.be.greaterThan(heard[1].header.packetNo)
    expect(heard[2].body!.toString('utf8')).to.match(/^Ali\0Lab\0/) // the exit names who leaves, as Windows does
    expect(doc.rounds.map((r: any) => r.mode)).to.deep.equal(['SENDMSG', 'BR_EXIT'])

    await peer.close()
    peer = await bob()
    const stay = await runCli(['announce', 'hello', ...to(), ...ME, '--stay', '--json'], {env})
    expect(stay.code, stay.stderr).to.equal(0)
    expect(packets(peer).map((h) => h.mode)).to.deep.equal([IPMSG.BR_ENTRY, IPMSG.SENDMSG])
  })

  it('--no-check sends the plain form with command 32 and asks for no receipt', async () => {
    peer = await bob()
    const run = await runCli(['announce', 'hello', ...to(), ...ME, '--no-check', '--wait', '300ms', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(talk(peer).map((h) => h.data.toString('latin1'))).to.deep.equal([
      `1:${doc.sent.packetNo}:alice:pc1:32:hello\0`,
    ])
    expect(doc.deliveries).to.deep.equal([])
    expect(doc.replies.map((r: any) => r.packet.mode)).to.deep.equal(['ANSENTRY']) // to the entry; no receipt
  })

  it('the table says the message was delivered', async () => {
    peer = await bob()
    const run = await runCli(['announce', 'hello', ...to(), ...ME, '--wait', '1s'], {env})
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stdout).to.match(/Delivery:\n.*TARGET +PACKET +DELIVERED +ATTEMPTS +RTT/)
    expect(run.stdout).to.match(new RegExp(`127\\.0\\.0\\.1:${port} +\\d+ +yes +1 +\\d+ms`))
    expect(run.stdout).to.match(/RECVMSG +yes/)
  })

  it('resends the same datagram every second until acknowledged (third copy acked: attempts 3)', async () => {
    peer = await bob({ignoreFirst: 2})
    const run = await runCli(['announce', 'again', ...to(), ...ME, '--wait', '500ms', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    const copies = talk(peer)
    expect(copies).to.have.length(3)
    expect(copies[1].data).to.deep.equal(copies[0].data)
    expect(copies[2].data).to.deep.equal(copies[0].data)
    expect(copies[0].header.packetNo).to.equal(doc.sent.packetNo)
    for (const i of [1, 2]) expect(copies[i].at - copies[i - 1].at).to.be.within(700, 1500)
    expect(doc.deliveries[0]).to.include({delivered: true, attempts: 3, packetNo: doc.sent.packetNo})
    expect(doc.deliveries[0].rttMs).to.be.within(1700, 3000) // measured from the first send
    // Stopped at the receipt, not at the end of the window (4 s after the first copy).
    expect(run.endedAt - copies[2].at).to.be.below(1500)
  })

  describe('targets that never acknowledge (--retries 2 --wait 500ms; both run side by side)', () => {
    let deaf: FakePeer
    let deafRun: RunCliResult
    let silentPort: number
    let silentRun: RunCliResult
    before(async () => {
      const deafPort = await freeUdpPort()
      silentPort = await freeUdpPort()
      deaf = await startFakePeer({port: deafPort, user: 'bob', host: 'pc2', nick: 'Bob', ignoreFirst: Infinity})
      const args = (p: number) => ['announce', 'anyone?', '--to', '127.0.0.1', '--port', String(p), '--bind-port', '0']
      ;[deafRun, silentRun] = await Promise.all([
        runCli([...args(deafPort), ...ME, '--retries', '2', '--wait', '500ms'], {env}),
        runCli([...args(silentPort), '--retries', '2', '--wait', '500ms', '--json'], {env}),
      ])
    })
    after(() => deaf.close())

    it('a peer that ignores every copy gets 1 + 2 identical copies; exit 6; the table says NO', () => {
      expect(deafRun.code, deafRun.stderr).to.equal(6)
      expect(talk(deaf)).to.have.length(3)
      expect(new Set(talk(deaf).map((h) => h.data.toString('latin1'))).size).to.equal(1)
      expect(deafRun.stdout).to.match(new RegExp(`127\\.0\\.0\\.1:${deaf.port} +\\d+ +NO +3 +-`))
      expect(deafRun.stderr).to.not.match(/Error:/)
      expect(deafRun.stdout).to.not.include('unreachable') // it listens: no ICMP, so it is resent
    })

    it('the table says nothing listens there, in one line', async () => {
      const run = await runCli(
        ['announce', 'hi', '--to', '127.0.0.1', '--port', String(silentPort), '--bind-port', '0'],
        {env},
      )
      expect(run.code).to.equal(6)
      expect(run.stdout).to.match(new RegExp(`127\\.0\\.0\\.1:${silentPort} +\\d+ +NO \\(port unreachable\\) +1 +-`))
      expect(run.stdout).to.include(
        `Nothing listens on UDP 127.0.0.1:${silentPort} (it answered ICMP port unreachable), so it was not resent.`,
      )
    })

    it('a port nobody listens on: said at once from its ICMP port unreachable, no resends, exit 6 (JSON)', () => {
      expect(silentRun.code, silentRun.stderr).to.equal(6)
      const doc = JSON.parse(silentRun.stdout)
      expect(doc.deliveries).to.have.length(1)
      expect(doc.deliveries[0]).to.include({
        address: '127.0.0.1',
        port: silentPort,
        delivered: false,
        attempts: 1,
        rttMs: null,
        unreachable: true,
      })
      expect(doc.waited.reason).to.equal('all-settled') // not the 3 s of resends
      expect(doc.replies).to.deep.equal([])
      expect(doc.error).to.equal(undefined)
    })
  })

  it('non-ASCII UTF-8 text sets UTF8OPT|CAPUTF8OPT and sends UTF-8 bytes', async () => {
    peer = await bob()
    const run = await runCli(['announce', '你好', ...to(), ...ME, '--wait', '1s', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    const command = IPMSG.SENDMSG | IPMSG.SENDCHECKOPT | IPMSG.UTF8OPT | IPMSG.CAPUTF8OPT
    expect(command).to.equal(0x0180_0120)
    expect(talk(peer)).to.have.length(1)
    expect(talk(peer)[0].data).to.deep.equal(
      Buffer.concat([Buffer.from(`1:${doc.sent.packetNo}:alice:pc1:${command}:`), Buffer.from('你好\0', 'utf8')]),
    )
    expect(doc.deliveries[0].delivered).to.equal(true)
  })

  it('--encoding gbk sends GBK bytes without UTF8OPT', async () => {
    peer = await bob()
    const run = await runCli(['announce', '你好', ...to(), ...ME, '--encoding', 'gbk', '--wait', '1s', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    const [sent] = talk(peer)
    expect(sent.header.command).to.equal(288)
    expect(sent.header.command & IPMSG.UTF8OPT).to.equal(0)
    expect(sent.body).to.deep.equal(Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x00])) // 你好 in GBK
    expect(iconv.decode(sent.body!.subarray(0, 4), 'gbk')).to.equal('你好')
    expect(doc.deliveries[0].delivered).to.equal(true)
  })

  it('--command GETINFO gets SENDINFO, which acknowledges it (entered before, left after, like a message)', async () => {
    peer = await bob({info: 'Win(en)Ver4.99r3'})
    const run = await runCli(['announce', ...to(), ...ME, '--command', 'GETINFO', '--wait', '1s', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(talk(peer).map((h) => h.data.toString('latin1'))).to.deep.equal([`1:${doc.sent.packetNo}:alice:pc1:64:\0`])
    expect(packets(peer).map((h) => h.mode)).to.deep.equal([IPMSG.BR_ENTRY, IPMSG.GETINFO, IPMSG.BR_EXIT])
    expect(doc.sent).to.include({mode: 'GETINFO', command: IPMSG.GETINFO})
    expect(doc.rounds.map((r: any) => r.mode)).to.deep.equal(['GETINFO', 'BR_EXIT'])
    const info = doc.replies.find((r: any) => r.packet.mode === 'SENDINFO')
    expect(info.acknowledges).to.equal(true)
    expect(info.packet).to.include({mode: 'SENDINFO', text: 'Win(en)Ver4.99r3'})
    expect(doc.deliveries[0]).to.include({delivered: true, attempts: 1})
  })

  it('--option BROADCASTOPT sets 0x400 on the command word', async () => {
    peer = await bob()
    const run = await runCli(['announce', 'hi all', ...to(), ...ME, '--option', 'BROADCASTOPT', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    const command = IPMSG.SENDMSG | IPMSG.SENDCHECKOPT | IPMSG.BROADCASTOPT
    expect(talk(peer).map((h) => h.data.toString('latin1'))).to.deep.equal([
      `1:${doc.sent.packetNo}:alice:pc1:${command}:hi all\0`,
    ])
    expect(doc.sent.command).to.equal(0x520)
  })

  it('a message longer than one datagram is refused (exit 2, hint --truncate); with --truncate it is cut to fit', async () => {
    peer = await bob()
    const long = 'x'.repeat(9000)
    const refused = await runCli(['announce', long, ...to(), ...ME, '--wait', '0'], {env})
    expect(refused.code).to.equal(2)
    expect(refused.stderr).to.match(/^Error: .*--truncate.*\n$/)
    expect(refused.stderr).to.not.include('    at ')
    expect(peer.heard).to.have.length(0)

    const run = await runCli(['announce', long, ...to(), ...ME, '--truncate', '--wait', '1s', '--json'], {env})
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(doc.sent.truncated).to.equal(true)
    await eventually(() => peer!.heard.length > 0, 1000, 'the truncated message')
    const [sent] = talk(peer)
    expect(sent.data.length).to.be.at.most(8191).and.equal(doc.sent.bytes)
    const prefix = `1:${doc.sent.packetNo}:alice:pc1:288:`
    expect(sent.data.toString('latin1')).to.match(new RegExp(`^${prefix}x{7000,}\\0$`))
    expect(doc.deliveries[0].delivered).to.equal(true)
  })
})
