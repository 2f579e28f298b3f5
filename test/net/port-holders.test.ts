import {expect} from 'chai'
import {spawn} from 'node:child_process'
import dgram from 'node:dgram'

import {describeHolder, otherUdpSockets, parseProcNetUdp, sameAddresses} from '../../src/net/port-holders.js'
import {freeUdpPort} from '../support/ipmsg-peers.js'

// Two lines of /proc/net/udp and one of /proc/net/udp6 as Linux 6.x prints them.
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  412: 00000000:0979 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 81234 2 0000000000000000 0
  413: 0B004F0A:0979 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81235 2 0000000000000000 0
  500: 0100007F:9C41 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81236 2 0000000000000000 0`
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000000000000000000000000000:0979 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 90001 2 0000000000000000 0`

describe('port-holders', () => {
  it('reads the sockets bound to one port from /proc/net/udp and udp6 (address, inode)', () => {
    expect(parseProcNetUdp(UDP, 2425)).to.deep.equal([
      {address: '0.0.0.0', port: 2425, inode: 81_234},
      {address: '10.79.0.11', port: 2425, inode: 81_235},
    ])
    expect(parseProcNetUdp(UDP6, 2425)).to.deep.equal([{address: '::', port: 2425, inode: 90_001}])
    expect(parseProcNetUdp(UDP, 2426)).to.deep.equal([])
    expect(parseProcNetUdp('garbage\n\n1: 2 3', 2425)).to.deep.equal([])
  })

  it('never counts a socket of this process as another program', async function () {
    if (process.platform !== 'linux') this.skip()
    const port = await freeUdpPort()
    expect(otherUdpSockets(port)).to.deep.equal([])
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()))
    try {
      // Our own sockets are never "another program".
      expect(otherUdpSockets(port)).to.deep.equal([])
    } finally {
      socket.close()
    }
  })

  it('names the holder when /proc says who it is', () => {
    expect(describeHolder({address: '0.0.0.0', port: 2425, inode: 1, pid: 42, program: 'iptux'})).to.equal(
      'iptux (pid 42)',
    )
    expect(describeHolder({address: '0.0.0.0', port: 2425, inode: 1})).to.equal('another program')
  })

  it('counts a socket as sharing only when it receives for the same local address (a wildcard receives for all)', () => {
    expect(sameAddresses('0.0.0.0', '127.0.0.1')).to.equal(true)
    expect(sameAddresses('127.0.0.1', '0.0.0.0')).to.equal(true)
    expect(sameAddresses('::', '10.0.0.5')).to.equal(true)
    expect(sameAddresses('127.0.0.1', '127.0.0.1')).to.equal(true)
    expect(sameAddresses('::ffff:10.0.0.5', '10.0.0.5')).to.equal(true)
    expect(sameAddresses('127.0.0.2', '127.0.0.1')).to.equal(false)
    expect(sameAddresses('10.0.0.6', '10.0.0.5')).to.equal(false)
  })

  it('leaves out a socket of another process bound to another local address of the port', async () => {
    const port = await freeUdpPort()
    const script = `const s = require('node:dgram').createSocket({type: 'udp4', reuseAddr: true}); s.bind(${port}, '127.0.0.2', () => console.log('ready'))`
    const other = spawn(process.execPath, ['-e', script], {stdio: ['ignore', 'pipe', 'inherit']})
    try {
      await new Promise((resolve) => other.stdout.once('data', resolve))
      expect(otherUdpSockets(port, '127.0.0.1')).to.deep.equal([])
      expect(otherUdpSockets(port, '0.0.0.0')).to.have.length(1)
      expect(otherUdpSockets(port, '127.0.0.2')).to.have.length(1)
    } finally {
      other.kill()
    }
  })
})
