// A bounded burst for the receive-path tests: numbered IPMsg SENDMSGs (`1:<n>:u:h:32:n<i>\0`, n from 1) to
// 127.0.0.1:port, sent as fast as one socket can from a child process, so the test's own event loop paces nothing.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'

/** Sends `count` datagrams to 127.0.0.1:port and returns when the child is done (it fails the test after timeoutMs). */
export function sendBurst(port: number, count: number, timeoutMs: number): void {
  const script = `
    const s = require('node:dgram').createSocket('udp4')
    s.bind(0, '127.0.0.1', async () => {
      for (let i = 0; i < ${count}; i++)
        await new Promise((ok) => s.send(Buffer.from('1:' + (i + 1) + ':u:h:32:n' + i + '\\0'), ${port}, '127.0.0.1', ok))
      s.close()
    })`
  const result = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8', timeout: timeoutMs})
  expect(result.status, result.stderr).to.equal(0)
}
