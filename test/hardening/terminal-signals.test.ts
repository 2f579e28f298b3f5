// Signals as a terminal sends them (issue 12, "never lose a result"): lanmsg runs in a real pseudo-terminal
// (tmux, 80 columns), Ctrl-C is typed, and closing the terminal hangs it up. Whatever the progress display is
// doing, the wait ends, the goodbye (BR_EXIT) goes out, what was collected is printed, and the exit code says why.
// Network rule: every datagram goes to loopback (the peers are sockets on 127.0.0.1 and 127.0.0.2).
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {freeUdpPort, ipmsgHeader, LoopbackSocket, makeStateDir, sleep} from '../support/hostile.js'
import {Terminal, tmuxSkipReason} from '../support/terminal.js'

const BR_ENTRY = 0x01
const BR_EXIT = 0x02

/** Two peers on one port: Bob on 127.0.0.1 answers BR_ENTRY, the one on 127.0.0.2 never answers (so lanmsg waits). */
async function openPeers(): Promise<{bob: LoopbackSocket; port: number; silent: LoopbackSocket}> {
  const port = await freeUdpPort()
  const bob = await LoopbackSocket.open('127.0.0.1', port)
  const silent = await LoopbackSocket.open('127.0.0.2', port)
  bob.socket.on('message', (data, from) => {
    if (ipmsgHeader(data)?.mode === BR_ENTRY)
      bob.send('1:7:bob:pc2:3:Bob\0Dev\0', from.port, from.address).catch(() => {})
  })
  return {bob, port, silent}
}

const modes = (socket: LoopbackSocket) => socket.received.map((r) => ipmsgHeader(r.data)?.mode)

describe('hardening: signals from a real terminal', function () {
  this.timeout(60_000)
  let state: ReturnType<typeof makeStateDir>
  let terminal: Terminal | undefined
  const sockets: LoopbackSocket[] = []

  before(function () {
    if (tmuxSkipReason()) this.skip()
  })
  beforeEach(() => {
    state = makeStateDir()
  })
  afterEach(async () => {
    terminal?.close()
    terminal = undefined
    for (const socket of sockets.splice(0)) await socket.close()
    state.remove()
  })

  const announceArgs = (port: number) => [
    'announce',
    '--to',
    '127.0.0.1',
    '--to',
    '127.0.0.2',
    '--port',
    String(port),
    '--bind-port',
    '0',
    '--wait',
    '30s',
  ]

  it('announce, Ctrl-C while the progress display counts down: the table, BR_EXIT, exit 130', async () => {
    const {bob, port, silent} = await openPeers()
    sockets.push(bob, silent)
    terminal = Terminal.start(announceArgs(port), {env: {LANMSG_STATE_DIR: state.dir}})
    await terminal.waitFor(/Waiting for replies: .* 1 reply from 1 peer/, 20_000)
    terminal.sendKeys('C-c')
    const exit = await terminal.exited(10_000)
    expect(exit, terminal.screen()).to.deep.equal({code: 130, signal: null})
    const screen = terminal.screen()
    expect(screen).to.match(/Stopped by Ctrl-C: collected 1 reply from 1 peer/)
    expect(screen).to.match(/127\.0\.0\.1:\d+ +bob +pc2 +Bob +Dev/)
    expect(screen).not.to.match(/\n\s+at |Error/)
    // The goodbye reached both targets.
    await sleep(300)
    expect(modes(bob)).to.include(BR_EXIT)
    expect(modes(silent)).to.include(BR_EXIT)
  })

  it('announce, the terminal closed (SIGHUP): BR_EXIT, the report in the redirected stdout, ended by SIGHUP', async () => {
    const {bob, port, silent} = await openPeers()
    sockets.push(bob, silent)
    const out = join(state.dir, 'out.txt')
    terminal = Terminal.start(announceArgs(port), {env: {LANMSG_STATE_DIR: state.dir}, redirect: `> '${out}'`})
    await terminal.waitFor(/Waiting for replies/, 20_000)
    const deadline = Date.now() + 10_000
    while (!modes(bob).includes(BR_ENTRY) && Date.now() < deadline) await sleep(50)
    await sleep(500) // Bob's answer has arrived
    terminal.hangUp()
    const exit = await terminal.exited(10_000)
    // Killed by the re-raised SIGHUP once done (the shell reports 129), not by Node aborting on the dead terminal.
    expect(exit).to.deep.equal({code: null, signal: 'SIGHUP'})
    expect(readFileSync(out, 'utf8')).to.match(/127\.0\.0\.1:\d+ +bob +pc2 +Bob +Dev/)
    await sleep(300)
    expect(modes(bob)).to.include(BR_EXIT)
    expect(modes(silent)).to.include(BR_EXIT)
  })

  it('listen --respond, Ctrl-C: BR_EXIT twice, the summary, exit 0 (the normal end of listen)', async () => {
    const port = await freeUdpPort()
    const peer = await LoopbackSocket.open('127.0.0.2', port)
    sockets.push(peer)
    terminal = Terminal.start(
      ['listen', '--respond', '--address', '127.0.0.1', '--port', String(port), '--to', '127.0.0.2', '--user', 'al'],
      {env: {LANMSG_STATE_DIR: state.dir}},
    )
    const deadline = Date.now() + 20_000
    while (!modes(peer).includes(BR_ENTRY) && Date.now() < deadline) await sleep(50)
    terminal.sendKeys('C-c')
    const exit = await terminal.exited(10_000)
    expect(exit, terminal.screen()).to.deep.equal({code: 0, signal: null})
    expect(terminal.screen()).to.match(/datagrams? received/)
    await sleep(300)
    expect(modes(peer).filter((m) => m === BR_EXIT)).to.have.length(2)
  })

  it('listen --ndjson > file, the terminal closed: every datagram read is in the file, and BR_EXIT goes out', async () => {
    const port = await freeUdpPort()
    const peer = await LoopbackSocket.open('127.0.0.2', port)
    sockets.push(peer)
    const out = join(state.dir, 'out.ndjson')
    terminal = Terminal.start(
      ['listen', '--ndjson', '--respond', '--address', '127.0.0.1', '--port', String(port), '--to', '127.0.0.2'],
      {env: {LANMSG_STATE_DIR: state.dir}, redirect: `> '${out}'`},
    )
    const deadline = Date.now() + 20_000
    while (!modes(peer).includes(BR_ENTRY) && Date.now() < deadline) await sleep(50)
    // A burst, then the hangup right behind it: what was read but not yet written must not be lost.
    const count = 2000
    for (let i = 0; i < count; i++) await peer.send(`1:${i + 1}:u:h:32:msg ${i}\0`, port, '127.0.0.1')
    terminal.hangUp()
    const exit = await terminal.exited(15_000)
    expect(exit).to.deep.equal({code: null, signal: 'SIGHUP'})
    const texts = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).packet?.text)
      .filter((text) => text?.startsWith('msg '))
    expect(texts).to.have.length(count)
    await sleep(300)
    expect(modes(peer).filter((m) => m === BR_EXIT)).to.have.length(2)
  })
})
