// Simulated LAN: tcpdump on a host captures a real conversation (lanmsg announce on one host, listen --respond on
// the other, the byte-exact packets of real peers, a Feiqiu group message, a TCP 2425 file request), and tshark
// with wireshark/ipmsg.lua reads every IPMsg frame of it, both directions, as lanmsg's --json does.
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {feiqiuGroupDatagram} from '../support/feiqiu-group.js'
import {type NetnsProcess, netnsSkipReason, SimulatedLan} from '../support/netns.js'
import {GETFILEDATA, PEER_PACKETS} from '../support/peer-packets.js'
import {waitUntil} from '../support/wait-until.js'
import {
  compareCapture,
  differences,
  dissect,
  IPMSG_FIELDS,
  type LanmsgPacket,
  pcapToolsMissing,
  tcpdumpArgv,
} from '../support/tshark.js'

// argv: this host's address, the peer, then datagrams in hex ('g:' first: to the Feiqiu group). UDP from 2425.
const SENDER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[1]))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.bind(('0.0.0.0', 2425))
for d in sys.argv[3:]:
    group = d.startswith('g:')
    s.sendto(bytes.fromhex(d[2:] if group else d), ('226.81.9.8' if group else sys.argv[2], 2425))
print('sent', flush=True)
`
// A file sender's TCP side: one connection, read the request, answer a few bytes, close (bounded by a timeout).
const TCP_SERVER = `
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 2425))
s.listen(1)
s.settimeout(30)
print('listening', flush=True)
c, _ = s.accept()
c.settimeout(10)
c.recv(4096)
c.sendall(b'contents of the file')
c.close()
`
const TCP_CLIENT = `
import socket, sys
c = socket.create_connection((sys.argv[1], 2425), timeout=10)
c.sendall(bytes.fromhex(sys.argv[2]))
print(c.recv(4096).decode(), flush=True)
`

describe('simulated LAN: a tcpdump capture read by tshark with wireshark/ipmsg.lua', function () {
  this.timeout(120_000)
  let lan: SimulatedLan
  let dir: string
  const started: NetnsProcess[] = []
  before(async function () {
    if (netnsSkipReason()) this.skip()
    if (pcapToolsMissing(['tshark', 'tcpdump'])) this.skip()
    lan = await SimulatedLan.create({hosts: 2})
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-capture-'))
  })
  after(async () => {
    for (const p of started) p.kill('SIGKILL')
    await lan?.destroy()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('every IPMsg frame of the conversation, both directions, has the fields lanmsg decodes', async () => {
    const [me, peer] = lan.hosts
    const file = join(dir, 'conversation.pcap')
    const start = (p: NetnsProcess) => {
      started.push(p)
      return p
    }

    const tcpdump = start(lan.exec(peer, tcpdumpArgv(file, 'udp port 2425 or tcp port 2425')))
    await waitUntil(() => /listening on/.test(tcpdump.stderr), 'tcpdump listening', {process: tcpdump})
    const responder = start(lan.cli(peer, ['listen', '--respond', '--ndjson', '--user', 'bob', '--duration', '90s']))
    await responder.waitBound(2425, 30_000)

    const entry = await lan.cli(me, ['announce', '--json', '--wait', '2s']).wait(30_000)
    expect(entry.code, entry.stderr).to.equal(0)
    const message = await lan
      .cli(me, ['announce', 'hello 你好', '--to', peer.address, '--json', '--wait', '2s'])
      .wait(30_000)
    expect(message.code, message.stderr).to.equal(0)
    const group = feiqiuGroupDatagram({mac: '1EB90DFD5A26', groupId: '3b199b07', time: 1_764_590_000, text: '大家好'})
    const datagrams = [...PEER_PACKETS.map((p) => p.toString('hex')), `g:${group.toString('hex')}`]
    const sent = await lan.exec(me, ['python3', '-c', SENDER, me.address, peer.address, ...datagrams]).wait(20_000)
    expect(sent.code, sent.stderr).to.equal(0)
    // Ours, once the UDP side is done: lanmsg listens on UDP only.
    await responder.waitForRecords((r) => r.packet?.packetNo === 1_543_336_725, 1, 20_000)
    const server = start(lan.exec(peer, ['python3', '-c', TCP_SERVER]))
    await waitUntil(() => server.stdout.includes('listening'), 'the TCP server', {process: server})
    const client = await lan
      .exec(me, ['python3', '-c', TCP_CLIENT, peer.address, GETFILEDATA.toString('hex')])
      .wait(20_000)
    expect(client.stdout, client.stderr).to.equal('contents of the file\n')
    await new Promise((resolve) => setTimeout(resolve, 500)) // the FIN and ACKs into the capture
    tcpdump.kill('SIGINT')
    expect((await tcpdump.wait(20_000)).code, tcpdump.describe()).to.equal(0)

    const {compared, problems} = compareCapture(file)
    expect(problems).to.deep.equal([])
    const frames = dissect(file, ['ip.src', ...IPMSG_FIELDS]).filter((l) => l['ipmsg.mode_name'])
    expect(compared).to.equal(frames.length)
    const from = (address: string) =>
      frames.filter((l) => l['ip.src'][0] === address).map((l) => l['ipmsg.mode_name'][0])
    expect(from(me.address)).to.include.members(['BR_ENTRY', 'SENDMSG', 'FEIQ_GROUPMSG', 'GETFILEDATA', 'SENDINFO'])
    expect(from(peer.address)).to.include.members(['ANSENTRY', 'RECVMSG'])
    expect(frames.length).to.be.at.least(PEER_PACKETS.length + 5)

    // And the CLI's own records of what it received say the same as tshark, field by field.
    responder.kill('SIGINT')
    await responder.wait(20_000)
    const byPayload = new Map(frames.map((l) => [l['udp.payload']?.[0]?.replaceAll(':', ''), l]))
    let checked = 0
    for (const record of responder.records()) {
      if (!record.packet) continue
      const layers = byPayload.get(Buffer.from(record.raw, 'base64').toString('hex'))
      expect(layers, `a frame for ${record.packet.mode} #${record.packet.packetNo}`).to.not.equal(undefined)
      // listen remembers a peer's legacy charset (GBK once it spoke Feiqiu); the dissector reads each frame alone,
      // and GB18030 reads GBK bytes the same.
      const gbFamily = /^charset: tshark "gb18030", lanmsg "gbk"$/
      expect(differences(layers!, record.packet as LanmsgPacket).filter((d) => !gbFamily.test(d))).to.deep.equal([])
      checked++
    }

    expect(checked).to.be.at.least(PEER_PACKETS.length)
  })
})
