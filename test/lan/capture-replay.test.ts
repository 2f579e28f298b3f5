// The replay of a capture, in-process on files made by hand: the capture's clock drives duplicates and --expire,
// the filter and the TCP rule apply, and stop() ends the reading at once.
import {expect} from 'chai'
import {Readable} from 'node:stream'

import type {ReceivedDatagram} from '../../src/lan/received-datagram.js'

import {CaptureReplay} from '../../src/lan/capture-replay.js'
import {CaptureFileError} from '../../src/net/capture-file.js'
import {ethernet, type Frame, ipmsg, ipv4, pcapFile, tcp, udp} from '../support/capture-bytes.js'

const T0 = 1_764_000_000_000_000

function frame(seconds: number, from: string, payload: Buffer, protocol: 'tcp' | 'udp' = 'udp'): Frame {
  const segment = protocol === 'udp' ? udp(2425, 2425, payload) : tcp(40_000, 2425, payload)
  return {
    timeUs: T0 + seconds * 1e6,
    bytes: ethernet(ipv4({from, to: '10.0.0.255', protocol: protocol === 'udp' ? 17 : 6}, segment)),
  }
}

async function replay(frames: Frame[], options: Partial<ConstructorParameters<typeof CaptureReplay>[0]> = {}) {
  const source = new CaptureReplay({ports: [2425], ...options})
  const shown: ReceivedDatagram[] = []
  source.on('datagram', (d) => shown.push(d))
  await source.read(Readable.from([pcapFile(frames)]), 'test.pcap')
  return {source, shown}
}

describe('lan/capture-replay', () => {
  it("the packet's own time; a resend within 10 s of capture time is a duplicate, one after it is not", async () => {
    const entry = ipmsg(5, 1, 'alice')
    const {shown, source} = await replay([
      frame(0, '10.0.0.1', entry),
      frame(1, '10.0.0.1', entry),
      frame(30, '10.0.0.1', entry),
    ])
    expect(shown.map((d) => d.receivedAt)).to.deep.equal([T0 / 1000, T0 / 1000 + 1000, T0 / 1000 + 30_000])
    expect(shown.map((d) => Boolean(d.duplicate))).to.deep.equal([false, true, false])
    expect(source.stats).to.include({datagrams: 3, ipmsg: 3, duplicates: 1})
  })

  it('--expire by the capture clock: a peer quiet for longer is expired, one heard since is present', async () => {
    const {source} = await replay(
      [
        frame(0, '10.0.0.1', ipmsg(1, 1, 'a')),
        frame(0, '10.0.0.2', ipmsg(1, 1, 'b')),
        frame(60, '10.0.0.2', ipmsg(2, 32, 'hi')),
      ],
      {expireMs: 30_000},
    )
    const status = Object.fromEntries(source.presence.rows().map((p) => [p.address, p.status]))
    expect(status).to.deep.equal({'10.0.0.1': 'expired', '10.0.0.2': 'present'})
    const without = await replay([frame(0, '10.0.0.1', ipmsg(1, 1, 'a')), frame(60, '10.0.0.2', ipmsg(2, 32, 'hi'))])
    expect(without.source.presence.rows().map((p) => p.status)).to.deep.equal(['present', 'present'])
  })

  it('TCP: a GETFILEDATA or GETDIRFILES request is shown, file data and other IPMsg commands are not', async () => {
    const {shown, source} = await replay([
      frame(0, '10.0.0.1', Buffer.from('1:7:alice:pc:96:5:0:0:'), 'tcp'),
      frame(0, '10.0.0.1', Buffer.from('1:8:alice:pc:98:5:1:'), 'tcp'),
      frame(0, '10.0.0.2', Buffer.from('PK\u0003\u0004 file bytes'), 'tcp'),
      frame(0, '10.0.0.1', ipmsg(9, 32, 'not a request'), 'tcp'),
    ])
    expect(shown.map((d) => d.result.ok && d.result.packet.mode)).to.deep.equal(['GETFILEDATA', 'GETDIRFILES'])
    expect(shown.every((d) => d.transport === 'tcp')).to.equal(true)
    expect(source.stats.capture.tcpOther).to.equal(2)
  })

  it('the filter: what it refuses is counted, not shown, not in presence', async () => {
    const {shown, source} = await replay(
      [frame(0, '10.0.0.1', ipmsg(1, 1, 'a')), frame(0, '10.0.0.2', ipmsg(1, 1, 'b'))],
      {
        filter: (d) => d.from.address === '10.0.0.2',
      },
    )
    expect(shown.map((d) => d.from.address)).to.deep.equal(['10.0.0.2'])
    expect(source.stats.filtered).to.equal(1)
    expect(source.presence.rows().map((p) => p.address)).to.deep.equal(['10.0.0.2'])
  })

  it('stop() from a datagram listener (--count): nothing more is parsed, not even the rest of the chunk', async () => {
    const frames = Array.from({length: 50}, (_, i) => frame(i, '10.0.0.1', ipmsg(i + 1, 32, `m${i}`)))
    const source = new CaptureReplay({ports: [2425]})
    let shown = 0
    source.on('datagram', () => {
      if (++shown === 3) source.stop()
    })
    await source.read(Readable.from([pcapFile(frames)]), 'test.pcap')
    expect(shown).to.equal(3)
    expect(source.stats.capture.packets).to.equal(3)
  })

  it('a stream that fails: a CaptureFileError naming the input and the packets read', async () => {
    const source = new CaptureReplay({ports: [2425]})
    const file = pcapFile([frame(0, '10.0.0.1', ipmsg(1, 1, 'a'))])
    const failing = new Readable({
      read() {
        this.push(file)
        this.destroy(Object.assign(new Error('EIO: i/o error'), {code: 'EIO'}))
      },
    })
    const error = await source.read(failing, 'disk.pcap').then(
      () => undefined,
      (error_: unknown) => error_,
    )
    expect(error).to.be.instanceOf(CaptureFileError)
    expect((error as CaptureFileError).message).to.match(
      /^cannot read disk\.pcap: EIO: i\/o error \(after \d packets?\)$/,
    )
  })
})
