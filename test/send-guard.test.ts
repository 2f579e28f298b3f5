import {expect} from 'chai'
import dgram from 'node:dgram'

import {inRootNetworkNamespace, isLoopbackDestination} from './support/send-guard.js'

describe('send guard (the network rule)', () => {
  it('accepts only loopback destinations', () => {
    expect(isLoopbackDestination('127.0.0.1')).to.equal(true)
    expect(isLoopbackDestination('127.255.255.255')).to.equal(true)
    expect(isLoopbackDestination('255.255.255.255')).to.equal(false)
    expect(isLoopbackDestination('10.1.2.255')).to.equal(false)
    expect(isLoopbackDestination('127.1')).to.equal(false)
  })

  it('refuses a send to 255.255.255.255 from the machine namespace', function () {
    if (!inRootNetworkNamespace()) this.skip()
    const socket = dgram.createSocket('udp4')
    try {
      expect(() => socket.send(Buffer.from('x'), 2425, '255.255.255.255')).to.throw(/send-guard: refused/)
      expect(() => socket.send('x', 0, 1, 2425, '192.0.2.1')).to.throw(/send-guard: refused/)
    } finally {
      socket.close()
    }
  })
})
