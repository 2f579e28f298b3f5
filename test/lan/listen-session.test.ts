// ListenSession on a real loopback socket: datagrams are queued when read and processed later, and stop() shows
// every datagram read. Network rule: everything goes to 127.0.0.1.
import {expect} from 'chai'
import dgram from 'node:dgram'

import type {ReceivedDatagram} from '../../src/lan/received-datagram.js'

import {ListenSession} from '../../src/lan/listen-session.js'

const BURST = 300

function busyWait(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
}

async function until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** A session with a slow 'datagram' listener (1 ms each), and a burst of BURST SENDMSGs sent to it at once. */
async function flooded(queueLimits?: {maxDatagrams: number}) {
  const session = await ListenSession.start({port: 0, address: '127.0.0.1', expireMs: 60_000, queueLimits})
  const shown: Array<{datagram: ReceivedDatagram; at: number}> = []
  session.on('datagram', (datagram) => {
    shown.push({datagram, at: Date.now()})
    busyWait(1)
  })
  const sender = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve))
  const sentAt = Date.now()
  await Promise.all(
    Array.from(
      {length: BURST},
      (_, i) =>
        new Promise<void>((resolve, reject) =>
          sender.send(`1:${i}:alice:pc:32:message ${i}\0`, session.port, '127.0.0.1', (error) =>
            error ? reject(error) : resolve(),
          ),
        ),
    ),
  )
  await until(() => session.stats.datagrams === BURST, `all ${BURST} datagrams to be read`)
  const readAt = Date.now()
  return {session, shown, sentAt, readAt, close: () => new Promise<void>((resolve) => sender.close(resolve))}
}

/** UDP sockets on these loopback addresses, all on one port (the first one's). */
async function onePort(addresses: string[]): Promise<dgram.Socket[]> {
  for (let attempt = 0; ; attempt++) {
    const sockets: dgram.Socket[] = []
    try {
      for (const address of addresses) {
        const socket = dgram.createSocket('udp4')
        sockets.push(socket)
        const port = sockets.length === 1 ? 0 : sockets[0].address().port
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject)
          socket.bind(port, address, () => resolve())
        })
      }

      return sockets
    } catch (error) {
      for (const socket of sockets) socket.close(() => {})
      if (attempt === 10) throw error // the port was taken on another address ten times over
    }
  }
}

const packetNumbers = (shown: Array<{datagram: ReceivedDatagram}>) =>
  shown.map(({datagram}) => (datagram.result.ok ? datagram.result.packet.packetNo : -1))

describe('lan/listen-session (loopback)', function () {
  this.timeout(20_000)

  it('reads a burst before processing it, and stop() shows every datagram read, in order', async () => {
    const {session, shown, close} = await flooded()
    try {
      expect(shown.length, 'shown when the last one was read').to.be.below(BURST / 2)
      expect(session.stats.queuePeak).to.be.greaterThan(BURST / 2)
      await session.stop()
      expect(packetNumbers(shown)).to.deep.equal(Array.from({length: BURST}, (_, i) => i))
      expect(session.stats).to.include({datagrams: BURST, ipmsg: BURST, overflow: 0, unprocessed: 0})
    } finally {
      await session.stop()
      await close()
    }
  })

  it('takes the receive time when a datagram is read, not when it is processed', async () => {
    const {session, shown, sentAt, readAt, close} = await flooded()
    try {
      await session.stop()
      expect(shown).to.have.length(BURST)
      for (const {datagram} of shown) expect(datagram.receivedAt).to.be.within(sentAt, readAt)
      // Processing took ~1 ms each, most of it after the last read: the last shown was shown well after it was read.
      expect(shown.at(-1)!.at - shown.at(-1)!.datagram.receivedAt).to.be.at.least(BURST / 3)
    } finally {
      await session.stop()
      await close()
    }
  })

  it('counts the datagrams a full queue refused, and shows the others in order', async () => {
    const {session, shown, close} = await flooded({maxDatagrams: 50})
    try {
      await session.stop()
      const {datagrams, overflow, unprocessed} = session.stats
      expect(datagrams).to.equal(BURST)
      expect(overflow).to.be.greaterThan(0)
      expect(unprocessed).to.equal(0)
      expect(shown.length + overflow).to.equal(BURST)
      const numbers = packetNumbers(shown)
      expect(numbers).to.deep.equal([...numbers].sort((a, b) => a - b))
      expect(numbers.slice(0, 50)).to.deep.equal(Array.from({length: 50}, (_, i) => i))
    } finally {
      await session.stop()
      await close()
    }
  })

  it('tells sources apart by address alone: one port, the same packets from 127.0.0.2 and 127.0.0.3', async () => {
    const session = await ListenSession.start({port: 0, address: '127.0.0.1'})
    const shown: ReceivedDatagram[] = []
    session.on('datagram', (datagram) => shown.push(datagram))
    const [a, b] = await onePort(['127.0.0.2', '127.0.0.3'])
    const send = (socket: dgram.Socket, text: string) =>
      new Promise<void>((resolve, reject) =>
        socket.send(text, session.port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      )
    try {
      await send(a, '1:7:amy:pc:32:hi\0')
      await send(b, '1:7:amy:pc:32:hi\0') // another source: not a duplicate
      await send(a, '1:7:amy:pc:32:hi\0') // a resend
      await send(b, '1:8:amy:pc:1:Bea\0\0')
      await until(() => session.stats.datagrams === 4, 'the four datagrams to be read')
      await session.stop()
      const {port} = a.address()
      expect(shown.map((d) => [d.from.address, d.from.port, Boolean(d.duplicate)])).to.deep.equal([
        ['127.0.0.2', port, false],
        ['127.0.0.3', port, false],
        ['127.0.0.2', port, true],
        ['127.0.0.3', port, false],
      ])
      const rows = session.presence.rows().map((r) => [r.address, r.port, r.nickname, r.packets])
      expect(rows).to.deep.equal([
        ['127.0.0.2', port, '', 2],
        ['127.0.0.3', port, 'Bea', 2],
      ])
      expect(session.stats).to.include({datagrams: 4, ipmsg: 4, duplicates: 1})
    } finally {
      await session.stop()
      for (const socket of [a, b]) await new Promise<void>((resolve) => socket.close(resolve))
    }
  })

  it('never expires a quiet peer unless expireMs is given (IPMsg clients send no heartbeat)', async () => {
    let clock = Date.now()
    const sessions = {
      byDefault: await ListenSession.start({port: 0, address: '127.0.0.1', now: () => clock}),
      withExpiry: await ListenSession.start({port: 0, address: '127.0.0.1', expireMs: 60_000, now: () => clock}),
    }
    const sender = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve))
    try {
      for (const session of Object.values(sessions)) {
        sender.send('1:1:amy:pc:1:Amy\0\0', session.port, '127.0.0.1')
        await until(() => session.presence.size === 1, 'the entry to be seen')
      }

      clock += 24 * 3600 * 1000 // a day of silence; the expiry check runs at least once a second
      await until(() => sessions.withExpiry.presence.rows()[0].status === 'expired', 'the peer to expire')
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(sessions.byDefault.presence.rows()[0].status).to.equal('present')
    } finally {
      for (const session of Object.values(sessions)) await session.stop()
      await new Promise<void>((resolve) => sender.close(resolve))
    }
  })
})
