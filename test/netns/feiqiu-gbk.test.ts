// Simulated LAN: Feiqiu-style GBK traffic from an independent sender (a few lines of Python, raw bytes) is
// decoded by `lanmsg listen --ndjson` in another host: the text, the charset, and the client with its MAC.
import {expect} from 'chai'
import iconv from 'iconv-lite'

import {type SimulatedLan, useSimulatedLan} from '../support/netns.js'

const TEXT = '你好，世界'
const VERSION = '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9'

// argv: the destination address, then the datagram in hex. Sent from UDP 2425 like Feiqiu.
const SENDER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(('0.0.0.0', 2425))
s.sendto(bytes.fromhex(sys.argv[2]), (sys.argv[1], 2425))
print('sent', flush=True)
`

describe('simulated LAN: Feiqiu GBK from an independent sender', function () {
  this.timeout(60_000)
  let lan: SimulatedLan
  useSimulatedLan(this, {hosts: 2, start: (built) => (lan = built)})

  it('listen --ndjson decodes GBK text, charset gbk, client feiqiu with MAC', async () => {
    const [feiqiu, me] = lan.hosts
    const listener = lan.cli(me, ['listen', '--ndjson', '--count', '1', '--duration', '60s'])
    await listener.waitBound(2425, 30_000)

    const datagram = Buffer.concat([
      Buffer.from(`${VERSION}:1:user:host:288:`, 'latin1'),
      iconv.encode(TEXT, 'gbk'),
      Buffer.from([0]),
    ])
    expect(datagram.includes(Buffer.from(TEXT, 'utf8'))).to.equal(false) // really GBK on the wire
    const sender = await lan
      .exec(feiqiu, ['python3', '-c', SENDER, feiqiu.interfaces[0].broadcast, datagram.toString('hex')])
      .wait(20_000)
    expect(sender.code, sender.stderr).to.equal(0)
    expect(sender.stdout).to.equal('sent\n')

    const done = await listener.wait(20_000)
    expect(done.code, listener.describe()).to.equal(0)
    const [record, ...more] = listener.records()
    expect(more).to.deep.equal([])
    expect(record.from).to.deep.equal({address: feiqiu.address, port: 2425})
    expect(record.ipmsg).to.equal(true)
    expect(record.size).to.equal(datagram.length)
    expect(Buffer.from(record.raw, 'base64').equals(datagram)).to.equal(true)
    expect(record.packet).to.include({
      version: VERSION,
      packetNo: 1,
      user: 'user',
      host: 'host',
      command: 288,
      mode: 'SENDMSG',
      text: TEXT,
      charset: 'gbk',
    })
    expect(record.packet.client).to.include({kind: 'feiqiu', mac: 'C85B76BD9F3F', generation: 'lbt6', avatar: 0})
  })
})
