// Simulated LAN: a Feiqiu group message multicast to 226.81.9.8 by an independent sender (a few lines of Python;
// the ciphertext made by OpenSSL's Blowfish, test/support/feiqiu-group.ts) is read by `listen --group-chat` on
// another host: group id, sender and text in --ndjson and in the table; a wrong key is a reason, not a crash.
import {expect} from 'chai'

import {feiqiuGroupDatagram} from '../support/feiqiu-group.js'
import {type Host, type NetnsProcess, netnsSkipReason, SimulatedLan} from '../support/netns.js'

const MAC = '1EB90DFD5A26'
const FONT = '{/font;-16 0 0 0 400 0 0 0 134 0 0 2 32 微软雅黑 8404992;}'

// argv: the interface address to send from, the destination, then each datagram in hex. From UDP 2425.
const SENDER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[1]))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.bind(('0.0.0.0', 2425))
for datagram in sys.argv[3:]:
    s.sendto(bytes.fromhex(datagram), (sys.argv[2], 2425))
print('sent', flush=True)
`

describe('simulated LAN: Feiqiu group chat (listen --group-chat)', function () {
  this.timeout(90_000)
  let lan: SimulatedLan
  let started: NetnsProcess[] = []
  before(async function () {
    if (netnsSkipReason()) this.skip()
    lan = await SimulatedLan.create({hosts: 2})
  })
  after(async () => {
    await lan?.destroy()
  })
  afterEach(async () => {
    for (const p of started) {
      p.kill('SIGKILL')
      await p.wait(10_000)
    }

    started = []
  })

  async function send(from: Host, to: string, ...datagrams: Buffer[]): Promise<void> {
    const run = await lan
      .exec(from, ['python3', '-c', SENDER, from.address, to, ...datagrams.map((d) => d.toString('hex'))])
      .wait(20_000)
    expect(run.code, run.stderr).to.equal(0)
  }

  function listen(host: Host, args: string[]): NetnsProcess {
    const p = lan.cli(host, ['listen', '--duration', '60s', ...args])
    started.push(p)
    return p
  }

  const message = () =>
    feiqiuGroupDatagram({mac: MAC, groupId: '3b199b07', time: 1764590000, text: '大家好 from feiqiu', font: FONT})

  it('--ndjson: the group id, the sender and the decrypted text of a multicast group message', async () => {
    const [feiqiu, me] = lan.hosts
    const listener = listen(me, ['--group-chat', '--ndjson', '--count', '1'])
    await listener.waitBound(2425, 30_000)
    const datagram = message()
    await send(feiqiu, '226.81.9.8', datagram)
    const done = await listener.wait(30_000)
    expect(done.code, listener.describe()).to.equal(0)
    expect(done.stderr).not.to.include('Warning') // joined on every interface
    const [record] = listener.records()
    expect(record.from).to.deep.equal({address: feiqiu.address, port: 2425})
    expect(Buffer.from(record.raw, 'base64').equals(datagram)).to.equal(true)
    expect(record.packet).to.include({
      mode: 'FEIQ_GROUPMSG',
      user: 'qunuser',
      host: 'qunhost',
      text: '大家好 from feiqiu',
    })
    expect(record.packet.font).to.equal(FONT)
    expect(record.packet.groupChat).to.deep.equal({groupId: '3b199b07', time: 1764590000})
    expect(record.packet.client).to.include({kind: 'feiqiu', mac: MAC})
  })

  it('the table shows the group and the text, and a wrong key as "encrypted" with the reason; no crash', async () => {
    const [feiqiu, me] = lan.hosts
    const listener = listen(me, ['--group-chat', '--wide', '--count', '2'])
    await listener.waitBound(2425, 30_000)
    const wrongKey = feiqiuGroupDatagram({
      mac: MAC,
      key: '0000DEADBEEF',
      groupId: '3b199b07',
      text: 'hidden',
      packetNo: 7,
    })
    await send(feiqiu, '226.81.9.8', message(), wrongKey)
    const done = await listener.wait(30_000)
    expect(done.code, listener.describe()).to.equal(0)
    const rows = done.stdout.split('\n').filter((line) => line.includes('FEIQ_GROUPMSG'))
    expect(rows, done.stdout).to.have.length(2)
    expect(rows[0]).to.include('qunuser@qunhost').and.include('group 3b199b07: 大家好 from feiqiu')
    expect(rows[1]).to.include(`group message (encrypted: wrong key (MAC ${MAC})`)
    expect(done.stdout).not.to.include('hidden')
  })

  it('without --group-chat the group is not joined: nothing of it arrives, the next unicast does', async () => {
    const [feiqiu, me] = lan.hosts
    const listener = listen(me, ['--ndjson', '--count', '1'])
    await listener.waitBound(2425, 30_000)
    await send(feiqiu, '226.81.9.8', message())
    await send(feiqiu, me.address, Buffer.from('1:5:marker:host:32:unicast\0'))
    const done = await listener.wait(30_000)
    expect(done.code, listener.describe()).to.equal(0)
    expect(listener.records().map((r) => r.packet?.user)).to.deep.equal(['marker'])
  })

  it('--group-chat with an --address other than 0.0.0.0 is a usage error before anything is bound', async () => {
    const [, me] = lan.hosts
    const done = await listen(me, ['--group-chat', '--address', me.address]).wait(30_000)
    expect(done.code).to.equal(2)
    expect(done.stderr).to.match(/--group-chat needs --address 0\.0\.0\.0/)
  })
})
