// `listen` beside another socket on its port (a real client, or a `listen --respond`): the kernel gives each
// unicast to one socket only (the one bound last), so it warns in one line. Network rule: loopback only.
import {expect} from 'chai'
import dgram from 'node:dgram'

import {freeUdpPort} from '../support/ipmsg-peers.js'
import {runCli} from '../support/run-cli.js'

function bindShared(port: number): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({type: 'udp4', reuseAddr: true})
    socket.bind(port, '0.0.0.0', () => resolve(socket))
  })
}

describe('listen beside another socket on its port', function () {
  this.timeout(30_000)

  it('warns in one line that unicasts go to one socket only, naming the program', async () => {
    const port = await freeUdpPort()
    const other = await bindShared(port)
    try {
      const run = await runCli(['listen', '--port', String(port), '--duration', '300ms'])
      expect(run.code, run.stderr).to.equal(0)
      const warnings = run.stderr.split('\n').filter((line) => line.startsWith('Warning:'))
      expect(warnings).to.deep.equal([
        `Warning: node (pid ${process.pid}) also holds UDP port ${port} on this host: broadcasts reach both, but each unicast (a message, an ack) goes only to the socket bound last (lanmsg, on Linux), so that program misses them while lanmsg runs`,
      ])
    } finally {
      other.close()
    }
  })

  it('says nothing when the port is its own', async () => {
    const port = await freeUdpPort()
    const run = await runCli(['listen', '--port', String(port), '--duration', '300ms'])
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stderr).to.not.include('Warning:')
  })
})
