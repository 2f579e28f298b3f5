// What a person sees in a real terminal (a tmux pane, see test/support/tmux.ts) at 80 and at 200 columns: rows that
// fit the screen without wrapping, addresses and times never cut, names shrunk or dropped first, the whole text in
// a pipe, --wide; the live --peers table redrawn in place at a bounded rate and never taller than the screen;
// no cursor movement or colour where the terminal or the stream cannot take it; and a row that costs what it
// shows, however long the datagram.
// Network rule: lanmsg listens on 127.0.0.1 and announces to 127.0.0.1; the peers here answer on loopback only.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {freeUdpPort, LoopbackSocket, makeStateDir, runCli, sleep, startCli, waitForUdpBind} from '../support/hostile.js'
import {CMD, ipmsgPacket, NUL, OPT} from '../support/ipmsg-sender.js'
import {TmuxPane} from '../support/tmux.js'
import {udpBytesWaiting} from '../support/udp-ports.js'
import {waitUntil} from '../support/wait-until.js'
import {displayWidth} from '../../src/ui/display-width.js'

const LONG_TEXT = `Lunch at noon? ${'x'.repeat(150)} END`
const TIME = /\b\d\d:\d\d:\d\d\.\d{3}\b/
/** A screen predicate for TmuxPane.waitFor: some line shows `text`. */
const showing = (text: string) => (screen: string[]) => screen.some((line) => line.includes(text))

function entry(packetNo: number, command: number = CMD.BR_ENTRY): Buffer {
  return ipmsgPacket(
    {packetNo, user: 'alice-with-a-long-login', host: 'alice-laptop-in-the-office', command: command | OPT.CAPUTF8OPT},
    'Alice Wonderland the Second',
    NUL,
    'Research and Development',
    NUL,
  )
}

function message(packetNo: number, text = LONG_TEXT): Buffer {
  return ipmsgPacket({packetNo, user: 'alice', host: 'alice-pc', command: CMD.SENDMSG | OPT.UTF8OPT}, text, NUL)
}

/** Every table line of the scrollback (wrapped lines joined) fits in `columns`; prose (`Sent …`) may wrap. */
function expectNoWrap(lines: string[], columns: number): void {
  for (const line of lines.filter((l) => !l.startsWith('Sent '))) {
    expect(displayWidth(line), `wider than ${columns}: ${line}`).to.be.at.most(columns)
  }
}

describe('hardening: what lands on the terminal', function () {
  this.timeout(60_000)
  let state: ReturnType<typeof makeStateDir>
  const panes: TmuxPane[] = []
  const sockets: LoopbackSocket[] = []

  beforeEach(() => {
    state = makeStateDir()
  })
  afterEach(async () => {
    for (const pane of panes.splice(0)) pane.close()
    await Promise.all(sockets.splice(0).map((s) => s.close()))
    state.remove()
  })

  async function socket(address = '127.0.0.1'): Promise<LoopbackSocket> {
    const s = await LoopbackSocket.open(address)
    sockets.push(s)
    return s
  }

  async function listenPane(columns: number, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
    const port = await freeUdpPort()
    const pane = TmuxPane.lanmsg(['listen', '--address', '127.0.0.1', '--port', String(port), ...args], {
      columns,
      rows: 24,
      env: {LANMSG_STATE_DIR: state.dir, ...env},
    })
    panes.push(pane)
    await waitForUdpBind(port)
    return {pane, port}
  }

  describe('listen rows', () => {
    it('fit 80 columns: time, address and mode whole, the content cut to the rest', async () => {
      const {pane, port} = await listenPane(80)
      const peer = await socket('127.100.200.201')
      await peer.send(entry(1), port)
      await peer.send(message(2), port)
      const screen = await pane.waitFor(showing('SENDMSG'))
      const rows = screen.filter((l) => l.includes('127.100.200.201:'))
      expect(rows, screen.join('\n')).to.have.lengthOf(2)
      for (const row of rows) {
        expect(row).to.match(TIME)
        expect(row).to.include(`127.100.200.201:${peer.port}`)
      }

      expect(rows[1]).to.include('Lunch at noon? xxx')
      expect(rows[1]).to.match(/…$/)
      pane.keys('C-c')
      expect(await pane.waitForExit()).to.equal(0)
      const history = pane.history()
      expectNoWrap(history, 80)
      // The peer table at exit: the address whole, the names shrunk or dropped.
      const peerRow = history.find((l) => l.startsWith(`127.100.200.201:${peer.port} `))
      expect(peerRow, history.join('\n')).to.match(TIME)
    })

    it('show every column at 200 columns', async () => {
      const {pane, port} = await listenPane(200)
      const peer = await socket()
      await peer.send(message(3), port)
      const screen = await pane.waitFor(showing('SENDMSG'))
      expect(screen[0]).to.match(/^TIME +FROM +MODE +OPTIONS +SENDER +CLIENT +CONTENT$/)
      const row = screen.find((l) => l.includes('SENDMSG'))!
      expect(row).to.include('alice@alice-pc')
      expect(row).to.include('IP Messenger')
      expect(displayWidth(row)).to.be.within(150, 200)
      expectNoWrap(pane.history(), 200)
    })

    it('--wide cuts nothing, even at 80 columns', async () => {
      const {pane, port} = await listenPane(80, ['--wide'])
      const peer = await socket()
      await peer.send(message(4), port)
      await pane.waitFor((s) => s.join('').includes('END'))
      const joined = pane.history().join('\n')
      expect(joined).to.include(LONG_TEXT)
      expect(joined).to.include('alice@alice-pc')
    })

    it('into a pipe, nothing cut: the whole text of a message', async () => {
      const port = await freeUdpPort()
      const cli = startCli(['listen', '--address', '127.0.0.1', '--port', String(port), '--count', '2'], {
        env: {LANMSG_STATE_DIR: state.dir},
      })
      await waitForUdpBind(port, cli)
      const peer = await socket()
      await peer.send(entry(6), port)
      await peer.send(message(5), port)
      const exit = await cli.exited
      expect(exit.code, exit.stderr).to.equal(0)
      expect(exit.stdout).to.include(LONG_TEXT)
      expect(exit.stdout).to.include('alice-with-a-long-login@alice-laptop-in-the-office')
    })
  })

  describe('announce tables', () => {
    /** Peers on 127.100.200.201 and .202 that answer a BR_ENTRY with an entry full of long names. */
    async function answerers(): Promise<number> {
      const target = await socket()
      const peers = [await socket('127.100.200.201'), await socket('127.100.200.202')]
      target.socket.on('message', async (_data, from) => {
        for (const [i, peer] of peers.entries()) await peer.send(entry(10 + i, CMD.ANSENTRY), from.port, from.address)
        await target.send(entry(20, CMD.ANSENTRY), from.port, from.address)
      })
      return target.port
    }

    async function announcePane(columns: number, args: string[] = []) {
      const port = await answerers()
      const pane = TmuxPane.lanmsg(
        ['announce', '--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', '--wait', '1s', ...args],
        {columns, rows: 40, env: {LANMSG_STATE_DIR: state.dir}},
      )
      panes.push(pane)
      expect(await pane.waitForExit(), pane.screen().join('\n')).to.equal(0)
      return pane.history()
    }

    it('fit 80 columns with every address whole', async () => {
      const history = await announcePane(80)
      expectNoWrap(history, 80)
      const peerRows = history.filter((l) => /^127\.100\.200\.20[12]:\d+ /.test(l))
      // Two in the peers table, two in the replies table.
      expect(peerRows, history.join('\n')).to.have.lengthOf(2)
      expect(history.filter((l) => /\d+ms +127\.100\.200\.20[12]:\d+ +ANSENTRY/.test(l))).to.have.lengthOf(2)
    })

    it('show the names whole at 200 columns, and with --wide at 80', async () => {
      for (const history of [await announcePane(200), await announcePane(80, ['--wide'])]) {
        const text = history.join('\n')
        expect(text).to.include('alice-with-a-long-login')
        expect(text).to.include('alice-laptop-in-the-office')
      }
    })
  })

  describe('listen --peers on a terminal', () => {
    it('redraws in place a few times a second, fits the screen and counts the rest', async () => {
      const {pane, port} = await listenPane(100, ['--peers'])
      // 300 new peers (one source address each, 127.100.1.1 to 127.100.2.50), as fast as they can be sent, in
      // bursts of 50 that a default receive buffer (rmem_max) holds however slowly a loaded machine lets lanmsg read.
      const peers = await Promise.all(
        Array.from({length: 300}, (_, i) => socket(`127.100.${1 + Math.floor(i / 250)}.${(i % 250) + 1}`)),
      )
      for (const [i, peer] of peers.entries()) {
        await peer.send(entry(100 + i), port)
        if (i % 50 === 49) await waitUntil(() => (udpBytesWaiting(port) ?? 0) === 0, `lanmsg to read ${i + 1} entries`)
      }

      const screen = await pane.waitFor(showing('(300 in all'), 20_000, 'the count of peers')
      expect(screen.length, screen.join('\n')).to.be.at.most(24)
      expect(screen.filter((l) => l.startsWith('ADDRESS'))).to.have.lengthOf(1)
      // Redrawn in place: one header in the whole scrollback, not one per frame.
      await sleep(500)
      expect(pane.history().filter((l) => l.startsWith('ADDRESS'))).to.have.lengthOf(1)
      // 300 frames of up to 300 lines would be megabytes; a few frames of one screen are tens of kilobytes.
      expect(pane.output.length).to.be.below(200_000)
      pane.keys('C-c')
      expect(await pane.waitForExit()).to.equal(0)
      // At exit, every peer is listed.
      const history = pane.history()
      expect(history.filter((l) => l.startsWith('127.100.'))).to.have.lengthOf(300)
      expect(
        history.some((l) => /datagrams received.*; 300 peers/.test(l)),
        history.slice(-5).join('\n'),
      ).to.equal(true)
    })
  })

  describe('colour and animation, per stream', () => {
    it('TERM=dumb gets no cursor movement, spinner or colour', async () => {
      const port = await freeUdpPort()
      const pane = TmuxPane.lanmsg(
        ['announce', '--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', '--wait', '1s'],
        {columns: 80, rows: 24, env: {LANMSG_STATE_DIR: state.dir, TERM: 'dumb'}},
      )
      panes.push(pane)
      await pane.waitForExit()
      const output = pane.output.toString('utf8')
      expect(output).to.include('Waiting for replies')
      expect(output).not.to.include('\u001B')
    })

    it('with only stderr redirected, no colour in the file', async () => {
      const port = await freeUdpPort()
      const file = join(state.dir, 'stderr.txt')
      const pane = TmuxPane.lanmsg(
        ['announce', '--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', '--wait', '500ms'],
        {columns: 80, rows: 24, env: {LANMSG_STATE_DIR: state.dir}, redirect: `2>${file}`},
      )
      panes.push(pane)
      await pane.waitForExit()
      const stderr = readFileSync(file, 'utf8')
      expect(stderr).to.include('Listening on UDP port')
      expect(stderr).not.to.include('\u001B')
      // stdout is the terminal: its table is still coloured (a dim header).
      expect(pane.output.toString('utf8')).to.include('\u001B[2m')
    })
  })

  describe('cost bounded by what is shown', () => {
    /** A 64 KiB text that the old code segmented whole, twice a row (one accented letter defeats its ASCII path). */
    const heavyText = `é${'x'.repeat(65_000)}`
    const heavy = (packetNo: number) => message(packetNo, heavyText)

    it('table rows of 64 KiB messages are drawn at once', async () => {
      const {pane, port} = await listenPane(80)
      const peer = await socket()
      for (let i = 0; i < 40; i++) await peer.send(heavy(200 + i), port)
      await peer.send(message(300, 'the last one'), port)
      // The old code took about a second a row here (segmenting the whole text); now a row takes microseconds.
      await pane.waitFor(showing('the last one'), 15_000, 'the row after 40 heavy ones')
      pane.keys('C-c')
      expect(await pane.waitForExit()).to.equal(0)
    })

    it('the peer table at exit with 60,000-character names ends at once', async () => {
      const port = await freeUdpPort()
      const cli = startCli(['listen', '--address', '127.0.0.1', '--port', String(port), '--peers'], {
        env: {LANMSG_STATE_DIR: state.dir},
      })
      await waitForUdpBind(port, cli)
      // 20 peers with 60,000-character nicknames: the old code took over a second a peer.
      const name = `é${'x'.repeat(60_000)}`
      for (let i = 0; i < 20; i++) {
        const peer = await socket(`127.100.3.${i + 1}`)
        await peer.send(
          ipmsgPacket({packetNo: 400 + i, user: 'u', host: 'h', command: CMD.BR_ENTRY | OPT.CAPUTF8OPT}, name, NUL),
          port,
        )
        // One at a time: 20 of them at once overflow a default receive buffer (rmem_max) while lanmsg is slow to read.
        await waitUntil(() => (udpBytesWaiting(port) ?? 0) === 0, `lanmsg to read peer ${i + 1}`, {timeoutMs: 15_000})
      }

      await sleep(500)
      const stopped = Date.now()
      cli.kill('SIGINT')
      const exit = await cli.exited
      expect(exit.code, exit.stderr).to.equal(0)
      // lanmsg promises to end within 5 s of Ctrl-C; twice that leaves room for a loaded machine.
      expect(Date.now() - stopped).to.be.below(10_000)
      const rows = exit.stdout.split('\n').filter((l) => l.startsWith('127.100.3.'))
      expect(rows, exit.stdout.slice(-200) + exit.stderr).to.have.lengthOf(20)
    })
  })

  it('runCli is the plain, non-terminal case (kept for comparison)', async () => {
    const exit = await runCli(['listen', '--help'])
    expect(exit.stdout).to.include('--wide')
  })
})
