import {expect} from 'chai'

import {describeSocketError, NetError} from '../../src/net/net-error.js'

function errno(code: string, message = `${code} happened`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), {code})
}

describe('net/net-error', () => {
  it('carries the kind of failure as its code, not an exit code', () => {
    const error = describeSocketError(errno('ENETUNREACH'), {action: 'send', address: '10.0.0.255', port: 2425})
    expect(error.code).to.equal('ENETUNREACH')
    expect(error).not.to.have.property('exitCode')
  })

  it('says who holds the port and how to choose another, naming the flag when given', () => {
    const withFlag = describeSocketError(errno('EADDRINUSE'), {action: 'bind', port: 2425, portFlag: '--port'})
    expect(withFlag).to.be.instanceOf(NetError).and.instanceOf(Error)
    expect(withFlag.message).to.equal(
      'UDP port 2425 on 0.0.0.0 is already in use by another program; stop it or choose another port with --port',
    )
    expect(withFlag.code).to.equal('EADDRINUSE')

    const generic = describeSocketError(errno('EADDRINUSE'), {action: 'bind', port: 9000, address: '127.0.0.1'})
    expect(generic.message).to.equal(
      'UDP port 9000 on 127.0.0.1 is already in use by another program; stop it or choose another port',
    )
  })

  it('explains permission errors for low ports, other binds and broadcasts', () => {
    const low = describeSocketError(errno('EACCES'), {action: 'bind', port: 80})
    expect(low.message).to.match(/ports below 1024 need root/)
    expect(low.code).to.equal('EACCES')
    expect(describeSocketError(errno('EPERM'), {action: 'bind', port: 5000}).message).to.match(/permission denied/)
    const send = describeSocketError(errno('EACCES'), {action: 'send', address: '10.0.0.255', port: 2425})
    expect(send.message).to.match(/not permitted to send to 10\.0\.0\.255:2425: broadcast is not allowed/)
    expect(send.code).to.equal('EACCES')
  })

  it('names the unreachable destination', () => {
    for (const code of ['ENETUNREACH', 'EHOSTUNREACH']) {
      const error = describeSocketError(errno(code), {action: 'send', address: '10.0.0.255', port: 2425})
      expect(error.message).to.match(/^no route to 10\.0\.0\.255: /)
      expect(error.code).to.equal(code)
    }
  })

  it('covers a foreign bind address, unresolved names, oversize datagrams and anything else', () => {
    expect(describeSocketError(errno('EADDRNOTAVAIL'), {action: 'bind', address: '10.9.9.9'}).message).to.match(
      /10\.9\.9\.9 is not an address of this machine/,
    )
    expect(describeSocketError(errno('ENOTFOUND'), {action: 'resolve', address: 'nosuch'}).message).to.match(
      /host name nosuch could not be resolved/,
    )
    expect(describeSocketError(errno('EAI_AGAIN'), {action: 'resolve', address: 'slow'}).message).to.match(/try again/)
    expect(describeSocketError(errno('EMSGSIZE'), {action: 'send', address: '127.0.0.1'}).message).to.match(
      /too large for one UDP datagram/,
    )
    const other = describeSocketError(errno('EWHATEVER', 'send EWHATEVER'), {action: 'send', address: '127.0.0.1'})
    expect(other.message).to.equal('could not send to 127.0.0.1: send EWHATEVER')
    expect(other.code).to.equal('EWHATEVER')
    expect(other.cause).to.be.instanceOf(Error)
  })
})
