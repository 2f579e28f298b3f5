import {expect} from 'chai'
import dgram from 'node:dgram'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Announcer} from '../../src/lan/announce.js'
import {PacketNumberSource} from '../../src/lan/packet-number-store.js'
import {CAPUTF8OPT, MODES, SENDCHECKOPT, UTF8OPT} from '../../src/protocol/constants.js'
import {eventually, freeUdpPort, startFakePeer} from '../support/ipmsg-peers.js'

const FEIQIU = '1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9'
/** 你好 as lanmsg writes it in a charset (UTF8OPT only in UTF-8). */
const message = (charset: string) => ({
  packet: {
    user: 'me',
    host: 'pc',
    command: MODES.SENDMSG | SENDCHECKOPT | (charset === 'utf-8' ? UTF8OPT | CAPUTF8OPT : 0),
    text: '你好',
  },
  encodeOptions: {charset},
})

describe('Announcer (library level, loopback)', () => {
  it('keeps at most maxReplies replies and counts the rest', async () => {
    // A peer that answers each datagram with 10 ANSENTRY; as a broadcast target, nothing stops the window early.
    const peer = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve))
    peer.on('message', (_data, from) => {
      for (let i = 0; i < 10; i++)
        peer.send(Buffer.from(`1:${i + 1}:p${i}:h${i}:3:nick${i}\0\0`), from.port, from.address)
    })
    try {
      const announcer = new Announcer()
      const result = await announcer.run({
        targets: [{address: '127.0.0.1', port: peer.address().port, kind: 'broadcast'}],
        outgoing: {
          kind: 'packet',
          packet: {user: 'me', host: 'pc', command: MODES.BR_ENTRY, nickname: 'Me', group: ''},
        },
        bindPort: 0,
        waitMs: 600,
        retries: 0,
        maxReplies: 3,
        packetNumbers: new PacketNumberSource(mkdtempSync(join(tmpdir(), 'lanmsg-pn-'))),
      })
      expect(result.replies).to.have.length(3)
      expect(result.repliesDropped).to.equal(7)
      // Presence still saw every one of them: ten peers.
      expect(result.peers).to.have.length(10)
    } finally {
      peer.close()
    }
  })

  it('reads an answer that is already waiting before it resends (a busy moment is not a lost packet)', async () => {
    // The answer arrives while the process is busy past the retry time. Node runs due timers before it reads the
    // socket, so without a look at the socket first the retry went out although the receipt had come.
    const peer = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve))
    const copies: string[] = []
    let waiting = false
    let answer: (() => void) | undefined
    const busy = (ms: number) => {
      const until = Date.now() + ms
      while (Date.now() < until);
    }

    peer.on('message', (data, from) => {
      copies.push(data.toString('latin1'))
      if (copies.length > 1) return
      const packetNo = data.toString('latin1').split(':')[1]
      // RECVMSG for it; once it is in the announcer's socket, keep the process busy past the retry time.
      answer = () =>
        peer.send(Buffer.from(`1:900:bob:pc:${MODES.RECVMSG}:${packetNo}\0`), from.port, from.address, () => busy(300))
      if (waiting) setImmediate(answer)
    })
    try {
      const announcer = new Announcer()
      announcer.on('waiting', () => {
        waiting = true // the retry timer is armed right after this event
        if (answer) setImmediate(answer)
      })
      const result = await announcer.run({
        targets: [{address: '127.0.0.1', port: peer.address().port, kind: 'unicast'}],
        outgoing: {
          kind: 'packet',
          packet: {user: 'me', host: 'pc', command: MODES.SENDMSG | SENDCHECKOPT, text: 'ping'},
        },
        bindPort: 0,
        waitMs: 2000,
        retries: 3,
        retryIntervalMs: 100,
        packetNumbers: new PacketNumberSource(mkdtempSync(join(tmpdir(), 'lanmsg-pn-'))),
      })
      expect(result.deliveries).to.have.length(1)
      expect(result.deliveries[0]).to.include({delivered: true, attempts: 1})
      expect(copies).to.have.length(1)
      expect(result.stoppedEarly).to.equal('all-delivered')
    } finally {
      peer.close()
    }
  })

  it("the default ('auto') wait stays open while replies keep coming, and ends a second after the last", async () => {
    // A peer whose three answers come 700 ms apart: each gap is under the 1 s of quiet that ends the wait.
    const peer = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve))
    const timers: NodeJS.Timeout[] = []
    peer.on('message', (_data, from) => {
      for (const [i, delay] of [0, 700, 1400].entries()) {
        timers.push(
          setTimeout(() => peer.send(Buffer.from(`1:${i + 1}:p${i}:h:3:n${i}\0\0`), from.port, from.address), delay),
        )
      }
    })
    try {
      const announcer = new Announcer()
      const ends: number[] = []
      announcer.on('waiting', (endsAt) => ends.push(endsAt))
      const result = await announcer.run({
        targets: [{address: '127.0.0.1', port: peer.address().port, kind: 'broadcast'}],
        outgoing: {
          kind: 'packet',
          packet: {user: 'me', host: 'pc', command: MODES.BR_ENTRY, nickname: 'Me', group: ''},
        },
        bindPort: 0,
        waitMs: 'auto',
        retries: 0,
        packetNumbers: new PacketNumberSource(mkdtempSync(join(tmpdir(), 'lanmsg-pn-'))),
      })
      expect(result.replies).to.have.length(3)
      const last = result.replies[2].rttMs
      expect(last).to.be.at.least(1300)
      expect(result.waited).to.include({mode: 'auto', reason: 'no reply for 1 s'})
      expect(result.waited.ms).to.be.at.least(last + 1000)
      // The countdown followed: 4.2 s while nothing was heard, then moved by each reply.
      expect(ends.length).to.be.at.least(3)
      expect(ends[0] - ends[1]).to.be.above(2000)
      expect(ends.at(-1)! - ends[1]).to.be.at.least(1300)
    } finally {
      for (const timer of timers) clearTimeout(timer)
      peer.close()
    }
  })

  it('resends to a Feiqiu its own GBK copy, and any --expect waits until the message went out', async () => {
    // A Feiqiu-dialect peer that answers the entry at once but ignores the first copy of the message.
    const port = await freeUdpPort()
    const feiq = await startFakePeer({
      port,
      user: 'feiq-h1',
      host: 'feiqhost1',
      nick: 'feiq-h1',
      version: FEIQIU,
      ignoreFirst: 1,
    })
    try {
      const result = await new Announcer().run({
        targets: [{address: '127.0.0.1', port, kind: 'unicast'}],
        outgoing: {kind: 'packet', ...message('utf-8'), writtenIn: message},
        entry: {user: 'me', host: 'pc', command: MODES.BR_ENTRY | CAPUTF8OPT, nickname: 'Me', group: ''},
        bindPort: 0,
        waitMs: 'auto',
        expect: 1, // the entry's answer reaches it: the message must still be sent and acknowledged
        retries: 3,
        retryIntervalMs: 100,
        packetNumbers: new PacketNumberSource(mkdtempSync(join(tmpdir(), 'lanmsg-pn-'))),
      })
      const copies = feiq.heard.filter((h) => h.mode === MODES.SENDMSG)
      expect(copies.map((h) => h.body!.toString('hex'))).to.deep.equal(['c4e3bac300', 'c4e3bac300'])
      expect(copies.map((h) => h.header!.command)).to.deep.equal([288, 288])
      expect(new Set(copies.map((h) => h.header!.packetNo)).size).to.equal(1)
      expect(result.deliveries).to.have.length(1)
      expect(result.deliveries[0]).to.include({charset: 'gbk', delivered: true, attempts: 2})
    } finally {
      await feiq.close()
    }
  })

  it('with waitMs 0 never writes per peer, even in a later round after the Feiqiu answered the entry', async () => {
    // --wait 0 --repeat 2: the answer to the entry arrives during the interval, but nothing waited for it.
    const port = await freeUdpPort()
    const feiq = await startFakePeer({port, user: 'feiq-h1', host: 'feiqhost1', nick: 'feiq-h1', version: FEIQIU})
    try {
      await new Announcer().run({
        targets: [{address: '127.0.0.1', port, kind: 'unicast'}],
        outgoing: {kind: 'packet', ...message('utf-8'), writtenIn: message},
        entry: {user: 'me', host: 'pc', command: MODES.BR_ENTRY | CAPUTF8OPT, nickname: 'Me', group: ''},
        bindPort: 0,
        waitMs: 0,
        retries: 0,
        repeat: 2,
        intervalMs: 300,
        packetNumbers: new PacketNumberSource(mkdtempSync(join(tmpdir(), 'lanmsg-pn-'))),
      })
      await eventually(() => feiq.heard.filter((h) => h.mode === MODES.SENDMSG).length === 2, 2000, 'two rounds')
      const copies = feiq.heard.filter((h) => h.mode === MODES.SENDMSG)
      expect(copies.map((h) => h.body!.toString('hex'))).to.deep.equal(['e4bda0e5a5bd00', 'e4bda0e5a5bd00'])
    } finally {
      await feiq.close()
    }
  })
})
