// Who else holds a UDP port on this host, read from /proc as the commands read it: the holders are real sockets
// on 127.0.0.1 (a child process with a title, and one of this process). Through the commands:
// test/commands/announce-outcomes.test.ts and listen-shared-port.test.ts.
import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import dgram from 'node:dgram'
import {once} from 'node:events'

import {PROCESS_TITLES} from '../../src/cli/process-titles.js'
import {otherIpmsgClient, sharedPortWarning} from '../../src/cli/shared-port.js'

const linux = process.platform === 'linux'

/** A process holding a UDP port on 127.0.0.1 under this title; resolves with it and its port. */
async function holder(title?: string): Promise<{child: ChildProcess; port: number}> {
  const script = `${title ? `process.title = ${JSON.stringify(title)};` : ''}
    const s = require('node:dgram').createSocket('udp4');
    s.bind(0, '127.0.0.1', () => console.log(s.address().port));`
  const child = spawn(process.execPath, ['-e', script], {stdio: ['ignore', 'pipe', 'inherit']})
  const [line] = (await once(child.stdout!, 'data')) as [Buffer]
  return {child, port: Number(String(line).trim())}
}

describe('cli/shared-port and cli/process-titles', () => {
  const children: ChildProcess[] = []
  before(function () {
    if (!linux) this.skip() // /proc/net/udp: elsewhere nobody can be seen, and nothing is said
  })
  afterEach(() => {
    for (const child of children.splice(0)) child.kill()
  })

  it('the titles fit /proc/<pid>/comm (15 bytes), or another lanmsg would read them cut', () => {
    for (const title of Object.values(PROCESS_TITLES)) expect(Buffer.byteLength(title), title).to.be.at.most(15)
    expect(new Set(Object.values(PROCESS_TITLES)).size).to.equal(Object.keys(PROCESS_TITLES).length)
  })

  it('another program on the port is named with its pid, for announce and for listen', async () => {
    const {child, port} = await holder()
    children.push(child)
    expect(otherIpmsgClient(port)).to.equal(`node (pid ${child.pid})`)
    expect(sharedPortWarning(port)).to.match(
      new RegExp(`^node \\(pid ${child.pid}\\) also holds UDP port ${port} on this host: broadcasts reach both`),
    )
    // listen bound to another local address than the holder's shares none of its unicasts.
    expect(sharedPortWarning(port, '127.0.0.2')).to.equal(undefined)
  })

  it('a passive lanmsg listen is no client for announce to keep quiet for; a responder is', async () => {
    const passive = await holder(PROCESS_TITLES.listen)
    const responder = await holder(PROCESS_TITLES.respond)
    children.push(passive.child, responder.child)
    expect(otherIpmsgClient(passive.port)).to.equal(undefined)
    expect(sharedPortWarning(passive.port)).to.match(/^lanmsg-listen \(pid \d+\) also holds/)
    expect(otherIpmsgClient(responder.port)).to.equal(`lanmsg-respond (pid ${responder.child.pid})`)
  })

  it('nobody, or only this process itself, on the port: nothing to say', async () => {
    const own = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => own.bind(0, '127.0.0.1', resolve))
    try {
      const {port} = own.address()
      expect(otherIpmsgClient(port)).to.equal(undefined)
      expect(sharedPortWarning(port)).to.equal(undefined)
    } finally {
      own.close()
    }

    const {child, port} = await holder()
    child.kill()
    await once(child, 'exit')
    expect(otherIpmsgClient(port)).to.equal(undefined)
  })
})
