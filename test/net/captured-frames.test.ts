// From a captured frame to the datagram on the IPMsg port: every link type lanmsg reads, IPv4 and IPv6, UDP and
// TCP, and IP fragments reassembled in any order within bounded memory and time.
import {expect} from 'chai'

import {FrameDecoder, LINKTYPE} from '../../src/net/captured-frames.js'
import {Reassembler} from '../../src/net/ip-reassembly.js'
import {ethernet, ipmsg, ipv4, tcp, udp} from '../support/capture-bytes.js'

const PAYLOAD = ipmsg(7, 32, 'hello')
const PACKET = ipv4({from: '192.168.1.20', to: '192.168.1.255'}, udp(2425, 2425, PAYLOAD))

function decoder(limits = {}) {
  return new FrameDecoder({ports: [2425], reassembly: limits})
}

/** `bytes` in fragments of `size` bytes of IP payload (a multiple of 8), each a whole IPv4 packet. */
function fragments(segment: Buffer, size: number, id = 9): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < segment.length; at += size) {
    const part = segment.subarray(at, at + size)
    out.push(ipv4({from: '10.0.0.1', to: '10.0.0.2', id, offset: at, more: at + size < segment.length}, part))
  }

  return out
}

describe('net/captured-frames', () => {
  it('each link type: Ethernet (with VLAN tags), Linux cooked v1 and v2, raw IP, BSD loopback in either byte order', () => {
    const sll = Buffer.alloc(16)
    sll.writeUInt16BE(0x08_00, 14)
    const sll2 = Buffer.alloc(20)
    sll2.writeUInt16BE(0x08_00, 0)
    const frames: Array<[number, Buffer]> = [
      [LINKTYPE.ETHERNET, ethernet(PACKET)],
      [LINKTYPE.ETHERNET, ethernet(PACKET, {vlans: 2})],
      [LINKTYPE.LINUX_SLL, Buffer.concat([sll, PACKET])],
      [LINKTYPE.LINUX_SLL2, Buffer.concat([sll2, PACKET])],
      [LINKTYPE.RAW, PACKET],
      [LINKTYPE.IPV4, PACKET],
      [LINKTYPE.NULL, Buffer.concat([Buffer.from([2, 0, 0, 0]), PACKET])],
      [LINKTYPE.NULL, Buffer.concat([Buffer.from([0, 0, 0, 2]), PACKET])],
      [LINKTYPE.LOOP, Buffer.concat([Buffer.from([0, 0, 0, 2]), PACKET])],
    ]
    for (const [linkType, frame] of frames) {
      const found = decoder().decode(linkType, 0, frame)
      expect(found, `link type ${linkType}`).to.deep.include({
        transport: 'udp',
        from: {address: '192.168.1.20', port: 2425},
        to: {address: '192.168.1.255', port: 2425},
      })
      expect(Buffer.from(found!.payload)).to.deep.equal(PAYLOAD)
    }
  })

  it('nothing from other ports, other protocols, ARP or an unknown link type (counted)', () => {
    const d = decoder()
    expect(d.decode(1, 0, ethernet(ipv4({from: '1.1.1.1', to: '2.2.2.2'}, udp(53, 5353, PAYLOAD))))).to.equal(undefined)
    expect(d.decode(1, 0, ethernet(ipv4({from: '1.1.1.1', to: '2.2.2.2', protocol: 1}, PAYLOAD)))).to.equal(undefined)
    expect(d.decode(1, 0, ethernet(Buffer.alloc(28), {etherType: 0x08_06}))).to.equal(undefined)
    expect(d.decode(147, 0, PACKET)).to.equal(undefined)
    expect(d.stats).to.include({frames: 4, matched: 0, unsupportedLink: 1})
    // Either end on the port: a reply to an ephemeral port is shown too.
    const reply = decoder().decode(1, 0, ethernet(ipv4({from: '1.1.1.1', to: '2.2.2.2'}, udp(2425, 50_000, PAYLOAD))))
    expect(reply?.to.port).to.equal(50_000)
  })

  it('UDP: Ethernet padding after a short datagram is not part of it; a frame cut by the snapshot length is counted, not decoded', () => {
    const padded = Buffer.concat([
      ethernet(ipv4({from: '1.1.1.1', to: '2.2.2.2'}, udp(2425, 2425, Buffer.from('1:1:u:h:1:')))),
      Buffer.alloc(10),
    ])
    expect(Buffer.from(decoder().decode(1, 0, padded)!.payload).toString()).to.equal('1:1:u:h:1:')
    const d = decoder()
    expect(d.decode(1, 0, ethernet(PACKET).subarray(0, 40))).to.equal(undefined)
    expect(d.stats.cutShort).to.equal(1)
  })

  it('TCP: the payload after the header (options included)', () => {
    const segment = tcp(50_123, 2425, Buffer.from('1:5:bob:pc2:96:1f:0:0:'))
    segment[12] = 0x60 // 24-byte header: 4 bytes of options
    const withOptions = Buffer.concat([segment.subarray(0, 20), Buffer.from([1, 1, 1, 0]), segment.subarray(20)])
    const found = decoder().decode(1, 0, ethernet(ipv4({from: '10.0.0.2', to: '10.0.0.1', protocol: 6}, withOptions)))
    expect(found).to.deep.include({transport: 'tcp', from: {address: '10.0.0.2', port: 50_123}})
    expect(Buffer.from(found!.payload).toString()).to.equal('1:5:bob:pc2:96:1f:0:0:')
  })

  it('IPv6, with a hop-by-hop header, and an address written as RFC 5952 does', () => {
    const segment = udp(2425, 2425, PAYLOAD)
    const hop = Buffer.from([17, 0, 1, 4, 0, 0, 0, 0]) // next: UDP; PadN option
    const header = Buffer.alloc(40)
    header[0] = 0x60
    header.writeUInt16BE(hop.length + segment.length, 4)
    header[6] = 0 // hop-by-hop
    header[7] = 64
    Buffer.from('fe800000000000000000000000000001', 'hex').copy(header, 8)
    Buffer.from('ff020000000000000000000000000001', 'hex').copy(header, 24)
    const frame = ethernet(Buffer.concat([header, hop, segment]), {etherType: 0x86_dd})
    const found = decoder().decode(1, 0, frame)
    expect(found).to.deep.include({from: {address: 'fe80::1', port: 2425}, to: {address: 'ff02::1', port: 2425}})
    expect(Buffer.from(found!.payload)).to.deep.equal(PAYLOAD)
  })

  it('IPv4 fragments, in any order, make the whole datagram once the last piece comes', () => {
    const big = ipmsg(8, 32, 'x'.repeat(4000))
    const segment = udp(2425, 2425, big)
    const pieces = fragments(segment, 1480)
    expect(pieces.length).to.equal(3)
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ]) {
      const d = decoder()
      const results = order.map((i) => d.decode(LINKTYPE.RAW, 1000 * i, pieces[i]))
      expect(results.slice(0, 2)).to.deep.equal([undefined, undefined])
      expect(Buffer.from(results[2]!.payload)).to.deep.equal(big)
      expect(d.reassembler.stats).to.deep.equal({fragments: 3, reassembled: 1, dropped: 0})
      expect(d.reassembler.pending).to.equal(0)
    }
  })

  it('a fragment repeated or overlapping does not corrupt the datagram; one missing keeps it pending', () => {
    const big = ipmsg(8, 32, 'y'.repeat(3000))
    const pieces = fragments(udp(2425, 2425, big), 1024)
    const d = decoder()
    expect(d.decode(LINKTYPE.RAW, 0, pieces[0])).to.equal(undefined)
    expect(d.decode(LINKTYPE.RAW, 0, pieces[0])).to.equal(undefined)
    expect(d.decode(LINKTYPE.RAW, 0, pieces[2])).to.equal(undefined)
    expect(d.reassembler.pending).to.equal(1)
    expect(Buffer.from(d.decode(LINKTYPE.RAW, 0, pieces[1])!.payload)).to.deep.equal(big)
  })
})

describe('net/ip-reassembly', () => {
  const piece = (n: number) => new Uint8Array(n).fill(1)

  it('a set not completed in time (packet time) is dropped', () => {
    const r = new Reassembler({timeoutUs: 30e6})
    expect(r.add('a', 0, true, piece(8), 0)).to.equal(undefined)
    // 31 s later by the capture's clock, the last piece of 'a' comes: too late, 'a' was dropped.
    expect(r.add('b', 0, true, piece(8), 31e6)).to.equal(undefined)
    expect(r.add('a', 8, false, piece(8), 31e6)).to.equal(undefined)
    expect(r.stats.dropped).to.equal(1)
  })

  it('at most maxSets sets and maxBytes bytes wait at once: the oldest give way', () => {
    const r = new Reassembler({maxSets: 4, maxBytes: 1 << 20})
    for (let i = 0; i < 100; i++) r.add(`set${i}`, 0, true, piece(1000), i)
    expect(r.pending).to.equal(4)
    expect(r.pendingBytes).to.equal(4000)
    expect(r.stats.dropped).to.equal(96)
    // The newest are kept: set99 completes.
    expect(r.add('set99', 1000, false, piece(8), 100)).to.have.length(1008)

    const bytes = new Reassembler({maxSets: 100, maxBytes: 10_000})
    for (let i = 0; i < 100; i++) bytes.add(`set${i}`, 0, true, piece(1000), i)
    expect(bytes.pendingBytes).to.be.at.most(10_000)
    expect(bytes.pending).to.equal(10)
  })

  it('a piece that would make a payload over 65,535 bytes, or a middle piece not a multiple of 8, is refused', () => {
    const r = new Reassembler()
    expect(r.add('a', 65_528, false, piece(100), 0)).to.equal(undefined)
    expect(r.add('b', 0, true, piece(7), 0)).to.equal(undefined)
    expect(r.pending).to.equal(0)
  })
})
