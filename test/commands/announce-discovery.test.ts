// `lanmsg announce` without TEXT: BR_ENTRY to a loopback broadcast, ANSENTRY from fake peers, BR_EXIT.
// Network rule: every datagram goes to 127.0.0.0/8 (127.255.255.255 reaches the peers bound to 0.0.0.0).
import {expect} from 'chai'
import dgram from 'node:dgram'

import {
  eventually,
  type FakePeer,
  freeUdpPort,
  type Heard,
  IPMSG,
  packets,
  startFakePeer,
} from '../support/ipmsg-peers.js'
import {makeStateDir, runCli, type RunCliResult} from '../support/run-cli.js'

const BROADCAST = '127.255.255.255'
const FEIQIU_VERSION = '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9'
const ZHANG_SAN_GBK = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]) // 张三
const IDENTITY = ['--user', 'alice', '--host', 'pc1', '--nick', 'Alice', '--group', 'Lab']
const ENTRY_BODY = 'Alice\0Lab\0\nUN:alice\nHN:pc1\nNN:Alice\nGN:Lab'

type Json = any // JSON documents of the CLI, checked field by field

interface Trio {
  port: number
  peers: FakePeer[]
  close(): Promise<void>
}

/** Three peers sharing one port on 0.0.0.0 (reuseAddr), each answering from its own loopback address. */
async function startTrio(): Promise<Trio> {
  const port = await freeUdpPort()
  const peers = [
    await startFakePeer({
      port,
      bindAddress: '0.0.0.0',
      address: '127.0.0.2',
      user: 'bob',
      host: 'pc2',
      nick: 'Bob',
      group: 'Dev',
    }),
    await startFakePeer({
      port,
      bindAddress: '0.0.0.0',
      address: '127.0.0.3',
      user: 'tux',
      host: 'lap',
      nick: 'Tux',
      group: 'Linux',
      version: '1_iptux 0.10.0',
    }),
    await startFakePeer({
      port,
      bindAddress: '0.0.0.0',
      address: '127.0.0.4',
      user: 'zhang',
      host: 'WIN7',
      nick: ZHANG_SAN_GBK,
      group: '',
      version: FEIQIU_VERSION,
      ansEntryCommand: 0x60_0003,
    }),
  ]
  return {port, peers, close: async () => Promise.all(peers.map((p) => p.close())).then(() => {})}
}

function sortByAddress(rows: Json[]): Json[] {
  return [...rows].sort((a: Json, b: Json) => a.address.localeCompare(b.address))
}

/** Resolves once every peer heard at least `count` datagrams. */
function heardByAll(trio: Trio, count: number, what: string): Promise<void> {
  return eventually(() => trio.peers.every((p) => p.heard.length >= count), 1000, what)
}

function latin1(h: Heard): string {
  return h.data.toString('latin1')
}

describe('announce (presence discovery)', function () {
  this.timeout(60_000) // bounded by runCli's own limit; generous because the machine is shared
  const state = makeStateDir()
  const env = {LANMSG_STATE_DIR: state.dir}
  after(() => state.remove())

  describe('--json with three peers', () => {
    let trio: Trio
    let run: RunCliResult
    let doc: Json
    before(async () => {
      trio = await startTrio()
      const args = ['announce', '--to', BROADCAST, '--port', String(trio.port), '--bind-port', '0', '--wait', '800ms']
      run = await runCli([...args, ...IDENTITY, '--json'], {env})
      doc = JSON.parse(run.stdout)
      await heardByAll(trio, 2, 'BR_EXIT at every peer')
    })
    after(() => trio.close())

    it('exits 0 and lists the three peers with names, groups and clients', () => {
      expect(run.code, run.stderr).to.equal(0)
      const peers = sortByAddress(doc.peers)
      expect(peers.map((p: Json) => [p.address, p.port, p.user, p.host, p.nickname, p.group])).to.deep.equal([
        ['127.0.0.2', trio.port, 'bob', 'pc2', 'Bob', 'Dev'],
        ['127.0.0.3', trio.port, 'tux', 'lap', 'Tux', 'Linux'],
        ['127.0.0.4', trio.port, 'zhang', 'WIN7', '张三', ''],
      ])
      expect(peers[0].client).to.deep.equal({kind: 'ipmsg', name: 'IP Messenger'})
      expect(peers[1].client).to.deep.equal({kind: 'iptux', name: 'iptux', version: '0.10.0'})
      expect(peers[2].client).to.include({kind: 'feiqiu', name: 'Feiqiu', mac: 'C85B76BD9F3F', generation: 'lbt6'})
      expect(peers[2].options).to.have.members(['FILEATTACHOPT', 'ENCRYPTOPT'])
      for (const p of peers) {
        expect(p.acknowledged).to.equal(true)
        expect(p.rttMs).to.be.a('number').within(0, 800)
      }
    })

    it('records every reply in the NDJSON datagram shape, ANSENTRY acknowledging our BR_ENTRY', () => {
      expect(doc.replies).to.have.length(3)
      for (const r of doc.replies) {
        expect(r).to.have.all.keys('receivedAt', 'from', 'size', 'ipmsg', 'packet', 'raw', 'rttMs', 'acknowledges')
        expect(new Date(r.receivedAt).toISOString()).to.equal(r.receivedAt)
        expect(Date.now() - Date.parse(r.receivedAt)).to.be.within(0, 60_000)
        expect(r.from.port).to.equal(trio.port)
        expect(r.ipmsg).to.equal(true)
        expect(r.acknowledges).to.equal(true)
        expect(r.rttMs).to.be.a('number').within(0, 800)
        const raw = Buffer.from(r.raw, 'base64')
        expect(r.size).to.equal(raw.length)
        expect(r.packet).to.include.all.keys(
          'version',
          'client',
          'packetNo',
          'user',
          'host',
          'command',
          'mode',
          'options',
          'text',
          'nickname',
          'group',
          'charset',
          'acknowledges',
          'attachments',
        )
        expect(r.packet.mode).to.equal('ANSENTRY')
        expect(r.packet.acknowledges).to.equal(null)
        expect(r.packet.attachments).to.deep.equal([])
        expect(r.packet.text).to.equal('')
      }

      const feiqiu = doc.replies.find((r: Json) => r.from.address === '127.0.0.4')
      expect(Buffer.from(feiqiu.raw, 'base64')).to.deep.equal(
        Buffer.concat([
          Buffer.from(`${FEIQIU_VERSION}:${feiqiu.packet.packetNo}:zhang:WIN7:6291459:`),
          ZHANG_SAN_GBK,
          Buffer.from('\0\0'),
        ]),
      )
      expect(feiqiu.packet).to.include({
        version: FEIQIU_VERSION,
        user: 'zhang',
        host: 'WIN7',
        command: 0x60_0003,
        nickname: '张三',
        group: '',
        charset: 'gbk',
      })
      const iptux = doc.replies.find((r: Json) => r.from.address === '127.0.0.3')
      expect(iptux.packet).to.include({version: '1_iptux 0.10.0', command: 3, nickname: 'Tux', group: 'Linux'})
      expect(Buffer.from(iptux.raw, 'base64').toString('latin1')).to.equal(
        `1_iptux 0.10.0:${iptux.packet.packetNo}:tux:lap:3:Tux\0Linux\0`,
      )
    })

    it('sent each peer exactly one BR_ENTRY (CAPUTF8OPT, UTF-8 extension) and then one BR_EXIT', () => {
      expect(doc.sent).to.include({mode: 'BR_ENTRY', command: IPMSG.BR_ENTRY | IPMSG.CAPUTF8OPT, truncated: false})
      const entryNo = doc.sent.packetNo
      expect(doc.rounds.map((r: Json) => r.mode)).to.deep.equal(['BR_ENTRY', 'BR_EXIT'])
      const exitNo = doc.rounds[1].packetNo
      expect(exitNo).to.be.greaterThan(entryNo)
      for (const peer of trio.peers) {
        expect(peer.heard.map((h) => latin1(h))).to.deep.equal([
          `1:${entryNo}:alice:pc1:${IPMSG.BR_ENTRY | IPMSG.CAPUTF8OPT}:${ENTRY_BODY}`,
          `1:${exitNo}:alice:pc1:${IPMSG.BR_EXIT | IPMSG.CAPUTF8OPT}:${ENTRY_BODY}`,
        ])
        // From the port lanmsg listened on, so that the answers came back to it.
        expect(peer.heard[0].from).to.deep.equal({address: '127.0.0.1', port: doc.local.port})
      }

      expect(doc.local.port).to.not.equal(2425)
      // Broadcasts are not resent, so the window is --wait (800 ms), not the unicast retry window (4 s).
      const windowMs = trio.peers[0].heard[1].at - trio.peers[0].heard[0].at
      expect(windowMs).to.be.within(750, 2000)
      expect(doc.deliveries).to.deep.equal([]) // a broadcast asks no receipt
      expect(doc.targets).to.deep.equal([{address: BROADCAST, port: trio.port, interface: 'lo', kind: 'broadcast'}])
    })
  })

  describe('the table for people', () => {
    let trio: Trio
    let run: RunCliResult
    before(async () => {
      trio = await startTrio()
      const args = ['announce', '--to', BROADCAST, '--port', String(trio.port), '--bind-port', '0', '--wait', '800ms']
      run = await runCli([...args, ...IDENTITY], {env})
    })
    after(() => trio.close())

    it('has one row per peer with user, nickname (GBK decoded), group and client', () => {
      expect(run.code, run.stderr).to.equal(0)
      const lines = run.stdout.split('\n')
      const row = (address: string) => lines.find((l) => l.startsWith(`${address}:${trio.port} `))
      expect(row('127.0.0.2')).to.match(/^127\.0\.0\.2:\d+ +bob +pc2 +Bob +Dev +IP Messenger +- +\d+ms +yes$/)
      expect(row('127.0.0.3')).to.match(/^127\.0\.0\.3:\d+ +tux +lap +Tux +Linux +iptux 0\.10\.0 +- +\d+ms +yes$/)
      expect(row('127.0.0.4')).to.match(/^127\.0\.0\.4:\d+ +zhang +WIN7 +张三 +Feiqiu \(MAC C85B76BD9F3F\) /)
      expect(lines.filter((l) => l.startsWith('127.0.0.')).length).to.equal(3)
      expect(run.stdout).to.match(/Replies \(3\):/)
      expect(run.stdout).to.match(
        /Sent BR_ENTRY #\d+ \(\d+ bytes\) to 127\.255\.255\.255:\d+ from UDP port \d+; 3 replies from 3 peers\./,
      )
      expect(run.stderr).to.not.match(/Error/)
    })
  })

  it('--stay sends BR_ENTRY only, no BR_EXIT', async () => {
    const trio = await startTrio()
    try {
      const args = ['announce', '--to', BROADCAST, '--port', String(trio.port), '--bind-port', '0', '--wait', '500ms']
      const run = await runCli([...args, '--stay', '--json'], {env})
      expect(run.code, run.stderr).to.equal(0)
      expect(JSON.parse(run.stdout).rounds.map((r: Json) => r.mode)).to.deep.equal(['BR_ENTRY'])
      await new Promise((resolve) => {
        setTimeout(resolve, 200)
      })
      for (const peer of trio.peers) expect(packets(peer).map((h) => h.mode)).to.deep.equal([IPMSG.BR_ENTRY])
    } finally {
      await trio.close()
    }
  })

  it('--expect 2 stops as soon as two peers answered, long before --wait 5s', async () => {
    const trio = await startTrio()
    try {
      const args = ['announce', '--to', BROADCAST, '--port', String(trio.port), '--bind-port', '0', '--wait', '5s']
      const run = await runCli([...args, '--expect', '2', '--json'], {env})
      expect(run.code, run.stderr).to.equal(0)
      // From the BR_ENTRY to the exit: nowhere near the 5 s window.
      expect(run.endedAt - trio.peers[0].heard[0].at).to.be.below(2000)
      const doc = JSON.parse(run.stdout)
      expect(doc.peers.length).to.be.within(2, 3)
      // The goodbye still goes out after an early stop.
      expect(doc.rounds.map((r: Json) => r.mode)).to.deep.equal(['BR_ENTRY', 'BR_EXIT'])
    } finally {
      await trio.close()
    }
  })

  it('does not show its own broadcast heard back on a shared port (echo), only the peers', async () => {
    const trio = await startTrio()
    try {
      // lanmsg binds the peers' port too (reuseAddr), so the loopback broadcast comes back to it. The peers hold
      // that port on this host, so a discovery is refused there: the entry is sent as an explicit command.
      const p = String(trio.port)
      const args = ['announce', '--to', BROADCAST, '--port', p, '--bind-port', p, '--command', 'BR_ENTRY']
      const run = await runCli([...args, '--wait', '600ms', '--json'], {
        env,
      })
      expect(run.code, run.stderr).to.equal(0)
      const doc = JSON.parse(run.stdout)
      expect(doc.local.port).to.equal(trio.port)
      expect(doc.echoes).to.equal(1) // BR_ENTRY (an explicit --command BR_ENTRY is not followed by BR_EXIT)
      expect(doc.replies.map((r: Json) => r.packet.mode)).to.deep.equal(['ANSENTRY', 'ANSENTRY', 'ANSENTRY'])
      expect(doc.peers.map((x: Json) => x.address).sort()).to.deep.equal(['127.0.0.2', '127.0.0.3', '127.0.0.4'])
    } finally {
      await trio.close()
    }
  })

  it('marks a reply heard twice (same source, number and command) as a duplicate: once in the table, counted', async () => {
    const port = await freeUdpPort()
    // A peer that sends its ANSENTRY twice with one number, as libipmsg sends each broadcast to two addresses. It
    // hears broadcasts on 0.0.0.0 and answers from 127.0.0.5 (a unicast target would end announce at the first).
    const ear = dgram.createSocket({type: 'udp4', reuseAddr: true})
    const mouth = dgram.createSocket({type: 'udp4', reuseAddr: true})
    await new Promise<void>((resolve) => ear.bind(port, '0.0.0.0', resolve))
    await new Promise<void>((resolve) => mouth.bind(port, '127.0.0.5', resolve))
    ear.on('message', (data, from) => {
      const fields = data.toString('latin1').split(':')
      if (fields.length < 6 || (Number(fields[4]) & 0xff) !== IPMSG.BR_ENTRY || fields[2] !== 'alice') return
      const answer = Buffer.from('1:777:lib:libhost:3:Lib\0Grp\0')
      mouth.send(answer, from.port, from.address)
      mouth.send(answer, from.port, from.address)
    })
    try {
      const args = ['announce', '--to', BROADCAST, '--port', String(port), '--bind-port', '0', '--wait', '800ms']
      args.push(...IDENTITY)
      const json = await runCli([...args, '--json'], {env})
      expect(json.code, json.stderr).to.equal(0)
      const doc = JSON.parse(json.stdout)
      expect(doc.replies.map((r: Json) => r.duplicate ?? false)).to.deep.equal([false, true])
      expect(doc.duplicates).to.equal(1)
      const table = await runCli(args, {env})
      expect(table.code, table.stderr).to.equal(0)
      expect(table.stdout).to.include('Replies (1):')
      expect(table.stdout).to.match(/; 1 reply \(and 1 duplicate\) from 1 peer\.$/m)
    } finally {
      await Promise.all([ear, mouth].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))))
    }
  })

  it('--repeat 2 --interval 300ms sends two BR_ENTRY with increasing numbers and lists each peer once', async () => {
    const trio = await startTrio()
    try {
      const args = ['announce', '--to', BROADCAST, '--port', String(trio.port), '--bind-port', '0', '--wait', '300ms']
      const run = await runCli([...args, '--repeat', '2', '--interval', '300ms', '--json'], {env})
      expect(run.code, run.stderr).to.equal(0)
      const doc = JSON.parse(run.stdout)
      await heardByAll(trio, 3, 'BR_EXIT at every peer')
      for (const peer of trio.peers) {
        const heard = packets(peer)
        expect(heard.map((h) => h.mode)).to.deep.equal([IPMSG.BR_ENTRY, IPMSG.BR_ENTRY, IPMSG.BR_EXIT])
        expect(heard[1].header.packetNo).to.be.greaterThan(heard[0].header.packetNo)
        expect(heard[2].header.packetNo).to.be.greaterThan(heard[1].header.packetNo)
        expect(heard[1].at - heard[0].at).to.be.within(250, 1000)
      }

      expect(doc.rounds.map((r: Json) => [r.round, r.mode])).to.deep.equal([
        [0, 'BR_ENTRY'],
        [1, 'BR_ENTRY'],
        [2, 'BR_EXIT'],
      ])
      expect(doc.replies).to.have.length(6)
      expect(doc.peers.map((x: Json) => x.address).sort()).to.deep.equal(['127.0.0.2', '127.0.0.3', '127.0.0.4'])
    } finally {
      await trio.close()
    }
  })

  it('packet numbers strictly increase across two runs sharing one state directory', async () => {
    const own = makeStateDir()
    const trio = await startTrio()
    try {
      const args = ['announce', '--to', BROADCAST, '--port', String(trio.port), '--bind-port', '0', '--wait', '0']
      const first = await runCli([...args, '--json'], {env: {LANMSG_STATE_DIR: own.dir}})
      const second = await runCli([...args, '--json'], {env: {LANMSG_STATE_DIR: own.dir}})
      expect(first.code, first.stderr).to.equal(0)
      expect(second.code, second.stderr).to.equal(0)
      const numbers = [...JSON.parse(first.stdout).rounds, ...JSON.parse(second.stdout).rounds].map(
        (r: Json) => r.packetNo,
      )
      expect(numbers).to.have.length(4) // BR_ENTRY and BR_EXIT of each run
      for (let i = 1; i < numbers.length; i++) expect(numbers[i]).to.be.greaterThan(numbers[i - 1])
      await eventually(() => trio.peers[0].heard.length >= 4, 1000, 'four packets')
      const onWire = packets(trio.peers[0]).map((h) => h.header.packetNo)
      expect(onWire).to.deep.equal(numbers)
    } finally {
      await trio.close()
      own.remove()
    }
  })
})
