import {expect} from 'chai'
import dgram from 'node:dgram'

import {describeHolder, otherUdpSockets, parseProcNetUdp} from '../../src/net/port-holders.js'
import {freePort} from '../support/ipmsg-peers.js'

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
    const port = await freePort()
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
})
