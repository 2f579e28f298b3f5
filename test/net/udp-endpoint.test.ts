// Real sockets, loopback only (the network rule): every send goes to 127.0.0.0/8.
import {expect} from 'chai'
import dgram from 'node:dgram'
import {once} from 'node:events'

import type {Endpoint} from '../../src/net/endpoint.js'

import {NetError} from '../../src/net/net-error.js'
import {openUdpEndpoint, UdpEndpoint} from '../../src/net/udp-endpoint.js'
import {UsageError} from '../../src/net/usage-error.js'

const WAIT_MS = 2000

async function nextDatagram(endpoint: UdpEndpoint): Promise<[Buffer, Endpoint]> {
  return (await once(endpoint, 'datagram', {signal: AbortSignal.timeout(WAIT_MS)})) as [Buffer, Endpoint]
}

/** A plain socket holding a port without SO_REUSEADDR, as a foreign program would. */
async function holdPort(address = '0.0.0.0'): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4')
  socket.bind(0, address)
  await once(socket, 'listening')
  return socket
}

/** The error a promise rejects with: a NetError (a socket failure) or, with `UsageError`, a mistake in an address. */
async function rejection(
  promise: Promise<unknown>,
  kind: typeof NetError | typeof UsageError = NetError,
): Promise<NetError | UsageError> {
  const error = await promise.then(
    () => undefined,
    (error_: unknown) => error_,
  )
  expect(error).to.be.instanceOf(kind)
  return error as NetError | UsageError
}

describe('net/udp-endpoint (loopback)', () => {
  const open: Array<{close(): unknown}> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((socket) => socket.close()))
  })

  async function endpoint(options: Parameters<typeof openUdpEndpoint>[0]): Promise<UdpEndpoint> {
    const opened = await openUdpEndpoint(options)
    open.push(opened)
    return opened
  }

  it('binds, sends and receives on 127.0.0.1', async () => {
    const a = await endpoint({port: 0, address: '127.0.0.1'})
    const b = await endpoint({port: 0, address: '127.0.0.1'})
    expect(a.address).to.equal('127.0.0.1')
    expect(a.port).to.be.above(0)
    expect(a.fellBack).to.equal(false)

    const received = nextDatagram(b)
    await a.send(Buffer.from('hello'), b.port, '127.0.0.1')
    const [data, from] = await received
    expect(data.toString()).to.equal('hello')
    expect(from).to.deep.equal({address: '127.0.0.1', port: a.port})
  })

  it('lets two endpoints share a port and both hear a broadcast to 127.255.255.255', async () => {
    const first = await endpoint({port: 0})
    const second = await endpoint({port: first.port})
    expect(second.port).to.equal(first.port)
    const sender = await endpoint({port: 0, address: '127.0.0.1'})

    const heard = Promise.all([nextDatagram(first), nextDatagram(second)])
    await sender.send(Buffer.from('anyone?'), first.port, '127.255.255.255')
    const [[a], [b]] = await heard
    expect(a.toString()).to.equal('anyone?')
    expect(b.toString()).to.equal('anyone?')
  })

  it('reports a taken port with a message that says what to do', async () => {
    const holder = await holdPort()
    open.push(holder)
    const {port} = holder.address()

    const error = await rejection(openUdpEndpoint({port, reuseAddr: false, portFlag: '--port'}))
    expect(error.code).to.equal('EADDRINUSE')
    expect(error.message).to.equal(
      `UDP port ${port} on 0.0.0.0 is already in use by another program; stop it or choose another port with --port`,
    )
    // reuseAddr cannot share with a program that did not ask for it either.
    expect((await rejection(openUdpEndpoint({port}))).code).to.equal('EADDRINUSE')
  })

  it('falls back to an ephemeral port when asked to', async () => {
    const holder = await holdPort()
    open.push(holder)
    const {port} = holder.address()

    const fallback = await endpoint({port, fallbackToEphemeral: true})
    expect(fallback.fellBack).to.equal(true)
    expect(fallback.port).to.not.equal(port)
    expect(fallback.port).to.be.above(0)

    const echo = await endpoint({port: 0, address: '127.0.0.1'})
    const received = nextDatagram(fallback)
    await echo.send(Buffer.from('still works'), fallback.port, '127.0.0.1')
    expect((await received)[0].toString()).to.equal('still works')
  })

  it('refuses anything but a dotted-quad IPv4 address without touching the socket or DNS', async () => {
    const a = await endpoint({port: 0, address: '127.0.0.1'})
    const original = dgram.Socket.prototype.send
    let calls = 0
    dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
      calls++
      return (original as (...a: unknown[]) => void).apply(this, args)
    } as typeof original
    try {
      for (const address of ['localhost', 'example.com', '127.1', '012.1.2.3', '999.1.1.1', '::1', '']) {
        const error = await rejection(a.send(Buffer.from('x'), 2425, address), UsageError)
        expect(error.code, address).to.equal('EINVALIDADDRESS')
      }

      expect((await rejection(a.send(Buffer.from('x'), 0, '127.0.0.1'), UsageError)).code).to.equal('EINVALIDPORT')
    } finally {
      dgram.Socket.prototype.send = original
    }

    expect(calls).to.equal(0)
  })

  it('explains a broadcast refused because the socket does not allow it', async () => {
    const quiet = await endpoint({port: 0, broadcast: false})
    const error = await rejection(quiet.send(Buffer.from('x'), quiet.port, '127.255.255.255'))
    expect(error.code).to.equal('EACCES')
    expect(error.message).to.match(/not permitted to send to 127\.255\.255\.255:\d+: broadcast is not allowed/)
  })

  it('closes once, however often it is asked, and refuses to send afterwards', async () => {
    const a = await openUdpEndpoint({port: 0, address: '127.0.0.1'})
    await Promise.all([a.close(), a.close()])
    await a.close()
    expect(a.closed).to.equal(true)
    expect((await rejection(a.send(Buffer.from('x'), 2425, '127.0.0.1'))).code).to.equal('ECLOSED')
  })

  it('rejects a bind address that is not this machine or not IPv4', async () => {
    const foreign = await rejection(openUdpEndpoint({port: 0, address: '192.0.2.123'}))
    expect(foreign.message).to.match(/192\.0\.2\.123 is not an address of this machine/)
    expect((await rejection(openUdpEndpoint({port: 0, address: 'localhost'}), UsageError)).code).to.equal(
      'EINVALIDADDRESS',
    )
    expect((await rejection(openUdpEndpoint({port: 70_000}), UsageError)).code).to.equal('EINVALIDPORT')
  })

  it('knows the addresses of this machine', async () => {
    const a = await endpoint({port: 0, address: '127.0.0.1'})
    const addresses = a.localAddresses()
    expect(addresses).to.include('127.0.0.1')
    for (const address of addresses) expect(address).to.match(/^\d+\.\d+\.\d+\.\d+$/)
  })
})
