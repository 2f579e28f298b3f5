// `announce` never guesses: stdin only when asked, exit 7 when fewer answered than expected, a wait that ends
// from what is heard, replies streamed with --ndjson, and no entry/exit beside another client on this host.
// Network rule: every datagram goes to 127.0.0.0/8.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import dgram from 'node:dgram'

import {otherUdpSockets} from '../../src/net/port-holders.js'
import {CLI_BIN} from '../support/cli-bin.js'
import {freeUdpPort, IPMSG, packets, startFakePeer, type FakePeer} from '../support/ipmsg-peers.js'
import {makeStateDir, REPO_ROOT, runCli} from '../support/run-cli.js'
import {guardedEnv} from '../support/send-guard.js'

const ME = ['--user', 'alice', '--host', 'pc1']
type Json = any // JSON documents of the CLI, checked field by field
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A peer on 127.0.0.1 that answers BR_ENTRY with ANSENTRY only after `delayMs` (Windows on a big LAN: up to 4 s). */
async function startSlowPeer(port: number, delayMs: number): Promise<{close(): void}> {
  const socket = dgram.createSocket({type: 'udp4', reuseAddr: true})
  await new Promise<void>((resolve) => socket.bind(port, '0.0.0.0', () => resolve()))
  const timers: NodeJS.Timeout[] = []
  socket.on('message', (data, rinfo) => {
    if ((Number(data.toString('latin1').split(':')[4]) & 0xff) !== IPMSG.BR_ENTRY) return
    timers.push(
      setTimeout(() => socket.send(Buffer.from('1:77:slow:win:3:Slow\0\0'), rinfo.port, rinfo.address), delayMs),
    )
  })
  return {
    close() {
      for (const timer of timers) clearTimeout(timer)
      socket.close()
    },
  }
}

/** A peer on 127.0.0.1 that answers BR_ENTRY (with this version field) and ignores GETINFO, as iptux and QIpMsg do. */
async function startNoInfoPeer(port: number, version: string): Promise<{getinfo: number; close(): void}> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()))
  const peer = {getinfo: 0, close: () => socket.close()}
  socket.on('message', (data, rinfo) => {
    const mode = Number(data.toString('latin1').split(':')[4]) & 0xff
    if (mode === IPMSG.GETINFO) peer.getinfo++
    if (mode === IPMSG.BR_ENTRY)
      socket.send(Buffer.from(`${version}:9:tux:lap:259:Tux\0Dev\0`), rinfo.port, rinfo.address)
  })
  return peer
}

describe('announce outcomes (never guess)', function () {
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

  const to = () => ['--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', ...ME]
  const bob = () => startFakePeer({port, bindAddress: '127.0.0.1', user: 'bob', host: 'pc2', nick: 'Bob'})
  // Broadcast to peers bound to 0.0.0.0: no unicast delivery to stop the wait early.
  const broadcast = () => ['--to', '127.255.255.255', '--port', String(port), '--bind-port', '0', ...ME]
  const bobAll = () => startFakePeer({port, bindAddress: '0.0.0.0', user: 'bob', host: 'pc2', nick: 'Bob'})

  describe('stdin', () => {
    it('piped stdin is not read without "-" or --stdin: no TEXT is a discovery, and the input is left alone', async () => {
      peer = await bob()
      const run = await runCli(['announce', ...to(), '--wait', '300ms', '--json'], {env, input: 'rm -rf\nline 2\n'})
      expect(run.code, run.stderr).to.equal(0)
      expect(packets(peer).map((h) => h.mode)).to.deep.equal([IPMSG.BR_ENTRY, IPMSG.BR_EXIT])
      expect(JSON.parse(run.stdout).sent.mode).to.equal('BR_ENTRY')
    })

    it('"-" reads the whole of stdin as the message, even when it comes late; --stdin does the same', async () => {
      peer = await bob()
      const late = spawn(
        'sh',
        [
          '-c',
          `(sleep 0.4; printf 'first\\nsecond\\n') | "${process.execPath}" "${CLI_BIN}" "$@"`,
          'sh',
          'announce',
          '-',
          ...to(),
          '--wait',
          '300ms',
          '--json',
        ],
        {cwd: REPO_ROOT, env: guardedEnv({...env, NO_COLOR: '1'})},
      )
      let stdout = ''
      late.stdout.on('data', (chunk) => (stdout += chunk))
      const code = await new Promise((resolve) => late.on('close', resolve))
      expect(code).to.equal(0)
      const message = packets(peer).find((h) => h.mode === IPMSG.SENDMSG)
      expect(message?.body?.toString('utf8')).to.equal('first\nsecond\0')
      expect(JSON.parse(stdout).sent.mode).to.equal('SENDMSG')

      const flag = await runCli(['announce', '--stdin', ...to(), '--wait', '300ms', '--json'], {env, input: 'hi\n'})
      expect(flag.code, flag.stderr).to.equal(0)
      expect(
        packets(peer)
          .filter((h) => h.mode === IPMSG.SENDMSG)
          .map((h) => h.body?.toString()),
      ).to.deep.equal(['first\nsecond\0', 'hi\0'])
    })

    it('TEXT and --stdin together, or an empty stdin, are refused with one line (exit 2)', async () => {
      const both = await runCli(['announce', 'hello', '--stdin', ...to(), '--wait', '0'], {env, input: 'x'})
      expect(both.code).to.equal(2)
      expect(both.stderr).to.match(/^Error: give the message either as TEXT or on stdin.*\n$/)
      const empty = await runCli(['announce', '-', ...to(), '--wait', '0'], {env, input: ''})
      expect(empty.code).to.equal(2)
      expect(empty.stderr).to.equal('Error: stdin was empty: there is no message to send\n')
    })
  })

  describe('exit code 7', () => {
    it('--expect 2 with one peer answering: exit 7 and one line that says so', async () => {
      peer = await bob()
      const run = await runCli(['announce', ...to(), '--expect', '2', '--wait', '700ms'], {env})
      expect(run.code, run.stderr).to.equal(7)
      expect(run.stderr).to.include('Only 1 of the 2 peers expected answered.')
      expect(run.stdout).to.match(/127\.0\.0\.1:\d+ +bob +pc2 +Bob/)
    })

    it('a discovery nobody answers: exit 7 and the likely reasons (firewall, UDP 2425, another subnet)', async () => {
      const run = await runCli(
        ['announce', '--to', '127.255.255.255', '--port', String(port), '--bind-port', '0', '--wait', '500ms'],
        {env},
      )
      expect(run.code, run.stderr).to.equal(7)
      expect(run.stdout).to.include('No IPMsg peer answered.')
      const hint = run.stderr.trimEnd().split('\n').slice(-2) // after the progress lines
      expect(hint[0]).to.match(/^Nobody answered\./)
      expect(run.stderr)
        .to.match(/firewall/)
        .and.match(/established/)
        .and.match(/UDP port 2425/)
        .and.match(/subnet/)
    })

    it('--expect met exits 0; --wait 0 expects nothing and exits 0', async () => {
      peer = await bob()
      expect((await runCli(['announce', ...to(), '--expect', '1'], {env})).code).to.equal(0)
      const run = await runCli(
        ['announce', '--to', '127.255.255.255', '--port', String(port), '--bind-port', '0', '--wait', '0'],
        {env},
      )
      expect(run.code, run.stderr).to.equal(0)
    })
  })

  describe('the default wait', () => {
    it('catches a peer that answers after 4 s when nothing else answered (IP Messenger on a big LAN)', async () => {
      const slow = await startSlowPeer(port, 4000)
      try {
        const run = await runCli(['announce', ...broadcast(), '--json'], {env})
        expect(run.code, run.stderr).to.equal(0)
        const doc = JSON.parse(run.stdout)
        expect(doc.peers.map((p: Json) => p.user)).to.deep.equal(['slow'])
        expect(doc.replies[0].rttMs).to.be.at.least(3900)
        expect(doc.waited.mode).to.equal('auto')
        expect(doc.waited.ms).to.be.at.least(doc.replies[0].rttMs + 1000) // a second of quiet after it
      } finally {
        slow.close()
      }
    })

    it('ends a second after the replies stop on a small LAN (not at the 4.2 s a silent LAN gets)', async () => {
      peer = await bobAll()
      const run = await runCli(['announce', ...broadcast(), '--json'], {env})
      expect(run.code, run.stderr).to.equal(0)
      const doc = JSON.parse(run.stdout)
      expect(doc.peers).to.have.length(1)
      expect(doc.waited.mode).to.equal('auto')
      expect(doc.waited.reason).to.match(/small LAN|no reply for 1 s/)
      expect(doc.waited.ms).to.be.at.least(1100).and.below(4200)
    })

    it('--wait fixes the window', async () => {
      peer = await bobAll()
      const doc = JSON.parse((await runCli(['announce', ...broadcast(), '--wait', '600ms', '--json'], {env})).stdout)
      expect(doc.waited).to.include({mode: 'fixed', reason: '--wait'})
      expect(doc.waited.ms).to.be.at.least(600)
    })
  })

  it('--ndjson writes one reply record per line as it arrives, and nothing else on stdout', async () => {
    peer = await bobAll()
    const child = spawn(process.execPath, [CLI_BIN, 'announce', 'hi', ...broadcast(), '--wait', '3s', '--ndjson'], {
      cwd: REPO_ROOT,
      env: guardedEnv({...env, NO_COLOR: '1'}),
    })
    let stdout = ''
    let stderr = ''
    let firstLineAt: number | undefined
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      firstLineAt ??= Date.now()
    })
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const code = await new Promise((resolve) => child.on('close', resolve))
    const endedAt = Date.now()
    expect(code, stderr).to.equal(0)
    const records = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(records.map((r: Json) => r.packet.mode)).to.deep.equal(['ANSENTRY', 'RECVMSG'])
    for (const r of records) {
      expect(r).to.include.keys('receivedAt', 'from', 'size', 'ipmsg', 'packet', 'raw', 'rttMs', 'acknowledges')
    }

    expect(records[1].acknowledges).to.equal(true)
    expect(firstLineAt).to.be.below(endedAt - 1000) // streamed during the 3 s window, not printed at the end
    expect(stderr).to.match(/Sent SENDMSG #\d+ .* 2 replies from 1 peer\./)
  })

  describe('GETINFO to clients that never answer it', () => {
    it('iptux: says the client and version its packets carry, does not resend, exits 0', async () => {
      const tux = await startNoInfoPeer(port, '1_iptux 0.8.3')
      try {
        const run = await runCli(['announce', '--command', 'GETINFO', ...to()], {env})
        expect(run.code, run.stderr).to.equal(0)
        expect(run.stdout).to.match(/What is known \(GETINFO\):/)
        expect(run.stdout).to.match(/127\.0\.0\.1:\d+ +iptux 0\.8\.3 +no SENDINFO \(iptux never answers GETINFO\)/)
        expect(run.stdout).to.match(/no \(cannot answer it\)/)
        expect(tux.getinfo).to.equal(1)
      } finally {
        tux.close()
      }
    })

    it('a plain IPMsg client that does not answer (QIpMsg): what its packets say, and exit 6 after the resends', async () => {
      const qip = await startNoInfoPeer(port, '1')
      try {
        const run = await runCli(['announce', '--command', 'GETINFO', ...to(), '--retries', '1'], {env})
        expect(run.code, run.stderr).to.equal(6)
        expect(run.stdout).to.match(/127\.0\.0\.1:\d+ +IP Messenger +no SENDINFO \(it did not answer\)/)
        expect(qip.getinfo).to.equal(2)
      } finally {
        qip.close()
      }
    })
  })

  describe('another program holds the IPMsg port on this host (a real client)', () => {
    it("a message goes out without entry or exit under lanmsg's name, and one line says why", async () => {
      // Bound to the port on this host (0.0.0.0, and its own 127.0.0.2), as iptux would be.
      peer = await startFakePeer({port, bindAddress: '0.0.0.0', address: '127.0.0.2', user: 'b', host: 'h', nick: 'B'})
      const p = String(port)
      const run = await runCli(['announce', 'hi', '--to', '127.0.0.2', '--port', p, '--bind-port', p, ...ME], {env})
      expect(run.code, run.stderr).to.equal(0)
      expect(packets(peer).map((h) => h.mode)).to.deep.equal([IPMSG.SENDMSG])
      expect(run.stdout).to.match(/127\.0\.0\.2:\d+ +\d+ +yes +1/) // delivered: the ack came to lanmsg
      expect(run.stderr).to.match(
        new RegExp(
          `^Warning: node \\(pid ${process.pid}\\) also holds UDP port ${port} on this host: lanmsg sends no entry or exit packet`,
        ),
      )
      expect(run.stderr.match(/Warning:/g)).to.have.length(1)
    })

    it('beside a passive `lanmsg listen` a discovery goes ahead; beside `listen --respond` (a peer) it is refused', async () => {
      const p = String(port)
      const startListen = async (extra: string[]) => {
        const child = spawn(process.execPath, [CLI_BIN, 'listen', '--port', p, '--duration', '20s', ...extra], {
          cwd: REPO_ROOT,
          env: guardedEnv({...env, NO_COLOR: '1'}),
        })
        const deadline = Date.now() + 15_000
        while ((otherUdpSockets(port) ?? []).length === 0 && Date.now() < deadline) await sleep(50)
        return child
      }

      const passive = await startListen([])
      try {
        const run = await runCli(
          ['announce', '--to', '127.255.255.255', '--port', p, '--bind-port', p, '--wait', '300ms', '--json'],
          {env},
        )
        expect(run.code, run.stderr).to.equal(7) // nobody answered: a plain listener answers nothing
        expect(JSON.parse(run.stdout).rounds.map((r: Json) => r.mode)).to.deep.equal(['BR_ENTRY', 'BR_EXIT'])
      } finally {
        passive.kill('SIGINT')
        await new Promise((resolve) => passive.on('close', resolve))
      }

      const responder = await startListen(['--respond', '--to', '127.0.0.1', '--user', 'peer'])
      try {
        const run = await runCli(['announce', '--to', '127.255.255.255', '--port', p, '--bind-port', p], {env})
        expect(run.code).to.equal(3)
        expect(run.stderr).to.match(
          new RegExp(`^Error: lanmsg-respond \\(pid ${responder.pid}\\) holds UDP port ${port} on this host`),
        )
      } finally {
        responder.kill('SIGINT')
        await new Promise((resolve) => responder.on('close', resolve))
      }
    })

    it('a discovery is refused with one line (exit 3); sending nothing', async () => {
      peer = await bob()
      const run = await runCli(
        ['announce', '--to', '127.0.0.1', '--port', String(port), '--bind-port', String(port), ...ME],
        {env},
      )
      expect(run.code).to.equal(3)
      expect(run.stderr).to.match(
        /^Error: node \(pid \d+\) holds UDP port \d+ on this host: a discovery would .*--command BR_ENTRY\n$/,
      )
      expect(peer.heard).to.have.length(0)
    })
  })
})
